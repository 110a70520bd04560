#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Receive path against hostile input. Packets are crafted by an ESP
# implementation independent of vtun (tests/esp_craft.py) on an inbound SA
# of their own, so the real A->B SA keeps carrying traffic. Every drop must
# land in its own counter, nothing bad may be delivered, and the tunnel
# must still work afterwards.

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../topo.sh"
require_root
require_cmd tcpdump jq

A=$(ns_new a)
B=$(ns_new b)
SPI_CRAFT=0x3000
# Keys of the crafting SAs: each SA of a device needs a key of its own.
KEY_CRAFT=0x3030303030303030303030303030303001020304
KEY_4096=0x4096409640964096409640964096409601020304
# Sequence numbers of crafted packets: each test uses its own range, above
# every earlier test's, since an accepted packet moves the window up.
CSEQ=1000

setup() {
	site_pair "$A" "$B"
	sa_pair "$A" "$B" "$KEY128_AB" "$KEY128_BA" 128
	vtunctl_in "$B" sa add vtun0 peer 1 dir in spi $SPI_CRAFT aead "$AEAD" \
		"$KEY_CRAFT" 128
	ip netns exec "$A" ping -q -c 2 -i 0.2 -W 2 10.2.0.1
}

craft() {
	ip netns exec "$A" "$PY" "$VTUN_REPO/tests/esp_craft.py" \
		--src 192.0.2.1 --dst 192.0.2.2 "$@" >/dev/null
}

# craft_esp [OPTIONS]: one packet on the crafting SA with a fresh sequence
# number unless --seq is given.
craft_esp() {
	craft esp --key "$KEY_CRAFT" --spi $SPI_CRAFT --seq $CSEQ "$@"
}

# expect_counts CMD... -- COUNTER=DELTA...: run CMD, then each of B's device
# counters must have moved by exactly DELTA. Delivery is checked through
# rx_packets. Each packet sent ends in one counter, so once the counters
# that must move have (B is done with the packets: async crypto, delivery),
# the others are final too; at least one must move.
expect_counts() {
	local cmd=() c before=() i name want got moving=0
	while [[ $1 != -- ]]; do
		cmd+=("$1")
		shift
	done
	shift
	for c in "$@"; do
		before+=("$(vstat "$B" vtun0 "${c%=*}")")
		((${c#*=} > 0)) && moving=1
	done
	((moving)) || fail "expect_counts: no counter that must move: $*"
	"${cmd[@]}"
	wait_for 20 counts_reached "$@"
	i=0
	for c in "$@"; do
		name=${c%=*}
		want=${c#*=}
		got=$(vstat "$B" vtun0 "$name")
		assert_eq "$want" "$((got - before[i]))" "$name change"
		i=$((i + 1))
	done
}

# counts_reached COUNTER=DELTA...: every counter with a DELTA above 0 has
# moved that far from expect_counts' "before".
counts_reached() {
	local c i=0
	for c in "$@"; do
		if ((${c#*=} > 0)) &&
		   (($(vstat "$B" vtun0 "${c%=*}") - before[i] < ${c#*=})); then
			return 1
		fi
		i=$((i + 1))
	done
}

valid_crafted() {
	expect_counts craft_esp -- rx_packets=1 rx_auth_fail=0 rx_replay=0
	assert_eq $CSEQ "$(sa_stat "$B" vtun0 $SPI_CRAFT in seq)" "window top"
}

replayed_crafted() {
	expect_counts craft_esp -- rx_replay=1 rx_packets=0
	assert_eq 1 "$(sa_stat "$B" vtun0 $SPI_CRAFT in stats.rx_replay)" "SA replay count"
}

too_old() {
	expect_counts craft_esp --seq $((CSEQ + 100)) -- rx_packets=1
	expect_counts craft_esp --seq $((CSEQ + 100 - 64)) -- rx_replay=1 rx_packets=0
	expect_counts craft_esp --seq $((CSEQ + 100 - 63)) -- rx_packets=1
}

# Frames of the real SA captured on the wire and sent again, unchanged.
reinjected_capture() {
	local pcap=$TEST_TMP/cap.pcap n
	capture_start "$B" pub0 "$pcap" 'udp and src host 192.0.2.1 and port 4500'
	ip netns exec "$A" ping -q -c 8 -i 0.2 -W 2 10.2.0.1
	capture_stop
	n=$(tcpdump -r "$pcap" -nn 2>/dev/null | wc -l)
	assert_range 3 "$n" 30 "captured ESP packets"
	expect_counts ip netns exec "$A" "$PY" "$VTUN_REPO/tests/esp_craft.py" \
		replay "$pcap" pub0 -- rx_replay="$n" rx_packets=0
}

# The largest window: 4095 below the top is still accepted, 4096 is not.
window_4096() {
	local spi=0x3001
	vtunctl_in "$B" sa add vtun0 peer 1 dir in spi $spi aead "$AEAD" \
		"$KEY_4096" 128 replay-window 4096
	assert_eq 4096 "$(sa_stat "$B" vtun0 $spi in replay_window)" "window"
	expect_counts craft esp --key "$KEY_4096" --spi $spi --seq 10000 -- rx_packets=1
	expect_counts craft esp --key "$KEY_4096" --spi $spi --seq $((10000 - 4096)) -- \
		rx_replay=1 rx_packets=0
	expect_counts craft esp --key "$KEY_4096" --spi $spi --seq $((10000 - 4095)) -- \
		rx_packets=1
	expect_counts craft esp --key "$KEY_4096" --spi $spi --seq $((10000 - 4095)) -- \
		rx_replay=1 rx_packets=0
}

wrong_key() {
	expect_counts craft esp --key "$KEY128_BA" --spi $SPI_CRAFT --seq 2000 \
		-- rx_auth_fail=1 rx_packets=0 rx_replay=0
	assert_eq 1 "$(sa_stat "$B" vtun0 $SPI_CRAFT in stats.rx_auth_fail)" "SA auth failures"
}

flipped_bits() {
	local off
	# ciphertext, IV, ICV, sequence number
	for off in 40 10 -1 6; do
		expect_counts craft_esp --seq 2100 --flip $off -- \
			rx_auth_fail=1 rx_packets=0
	done
}

unknown_spi() {
	expect_counts craft esp --key "$KEY_CRAFT" --spi 0x7777 --seq 1 -- \
		rx_no_sa=1 rx_packets=0
}

keepalive_and_ike() {
	expect_counts craft udp ff -- rx_keepalives=1 rx_malformed=0
	expect_counts craft udp 00000000deadbeef -- rx_non_esp=1 rx_malformed=0
	expect_counts craft udp 0000 -- rx_malformed=1 rx_non_esp=0
	expect_counts craft udp fe -- rx_malformed=1 rx_keepalives=0
}

truncated_everywhere() {
	local len
	len=$(ip netns exec "$A" "$PY" "$VTUN_REPO/tests/esp_craft.py" --dry-run \
		--dst 192.0.2.2 truncations --key "$KEY_CRAFT" --spi $SPI_CRAFT --seq 1)
	# Shorter than header, IV, trailer and ICV (34 bytes) is malformed;
	# longer ones cannot authenticate.
	expect_counts craft truncations --key "$KEY_CRAFT" --spi $SPI_CRAFT \
		--seq 2200 -- rx_malformed=34 rx_auth_fail=$((len - 34)) \
		rx_packets=0
}

bad_trailer() {
	expect_counts craft_esp --seq 2300 --pad 3 --bad-pad -- \
		rx_malformed=1 rx_packets=0
	expect_counts craft_esp --seq 2301 --padlen-field 250 -- \
		rx_malformed=1 rx_packets=0
}

dummy_packet() {
	local errors
	errors=$(dev_stat "$B" vtun0 rx_errors)
	expect_counts craft_esp --seq 2400 --nh 59 -- rx_dummy=1 rx_packets=0
	assert_eq "$errors" "$(dev_stat "$B" vtun0 rx_errors)" "rx_errors for a dummy packet"
}

bad_inner() {
	# next header says IPv4, the packet is IPv6
	expect_counts craft_esp --seq 2500 --nh 4 --inner-src fd01::1 \
		--inner-dst fd02::1 -- rx_bad_inner=1 rx_packets=0
	# IPv4 total length beyond what was decrypted
	expect_counts craft_esp --seq 2501 --inner-hex \
		450000ff00004000400100000a0100010a0200010800f7ff00000000 -- \
		rx_bad_inner=1 rx_packets=0
	# not IP at all
	expect_counts craft_esp --seq 2502 --inner-hex 7000000000000000000000000000000000000000 \
		-- rx_bad_inner=1 rx_packets=0
	# next header neither 4, 41 nor 59
	expect_counts craft_esp --seq 2503 --nh 17 -- rx_bad_inner=1 rx_packets=0
}

spoofed_source() {
	expect_counts craft_esp --seq 2600 --inner-src 10.9.9.9 -- \
		rx_bad_source=1 rx_packets=0
	expect_counts craft_esp --seq 2601 --inner-src fd09::1 --inner-dst fd02::1 -- \
		rx_bad_source=1 rx_packets=0
}

tfc_padding() {
	expect_counts craft_esp --seq 2700 --tfc 57 -- rx_packets=1 rx_bad_inner=0
}

# RFC 6040 decapsulation: CE outside reaches an ECN-capable inner packet;
# a packet that is not ECN-capable cannot carry it and is dropped.
ecn_decap() {
	expect_counts craft --tos 3 esp --key "$KEY_CRAFT" --spi $SPI_CRAFT \
		--seq 2800 --inner-tos 2 -- rx_packets=1 rx_ecn_drop=0
	expect_counts craft --tos 3 esp --key "$KEY_CRAFT" --spi $SPI_CRAFT \
		--seq 2801 --inner-tos 0 -- rx_packets=0 rx_ecn_drop=1
	expect_counts craft --tos 2 esp --key "$KEY_CRAFT" --spi $SPI_CRAFT \
		--seq 2802 --inner-tos 0 -- rx_packets=1 rx_ecn_drop=0
}

still_works() {
	ip netns exec "$A" ping -q -c 3 -i 0.2 -W 2 10.2.0.1
	ip netns exec "$B" ping -q -c 3 -i 0.2 -W 2 10.1.0.1
	assert_eq 0 "$(sa_stat "$B" vtun0 $SPI_AB in stats.rx_auth_fail)" \
		"auth failures on the real SA"
}

run_test "setup: two gateways and a crafting SA" setup
run_test "an independently built ESP packet is accepted" valid_crafted
run_test "the same packet again is a replay" replayed_crafted
run_test "a sequence number below the window is too old" too_old
run_test "a replay window of 4096 packets" window_4096
run_test "captured packets sent again are replays" reinjected_capture
run_test "a packet sealed with the wrong key fails authentication" wrong_key
run_test "a flipped bit in ciphertext, IV, ICV or seq fails authentication" flipped_bits
run_test "an unknown SPI is dropped as no-SA" unknown_spi
run_test "NAT keepalive and IKE marker are recognised, short junk is not" keepalive_and_ike
run_test "a valid packet cut at every length is dropped and counted" truncated_everywhere
run_test "bad padding or pad length is malformed" bad_trailer
run_test "next header 59 (dummy) is dropped silently" dummy_packet
run_test "inner packets that are not what they claim are dropped" bad_inner
run_test "an inner source not routed to the peer is dropped" spoofed_source
run_test "TFC padding after the inner packet is accepted" tfc_padding
run_test "ECN: CE outside is kept or, for Not-ECT inside, dropped" ecn_decap
run_test "the tunnel still carries traffic, real SA untouched" still_works
tap_done
