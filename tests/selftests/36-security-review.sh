#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The defects of issue 14's security review, one test each (the numbers
# are the review's; Documentation/hardening.rst lists them all):
#   1  an SA added again with the same key sends other IVs; one key per SA
#   3  listen-port, fwmark, bind-dev need CAP_NET_ADMIN where the device
#      was created, peers and SAs do not
#   6  an inbound SA created at seq S has seen S and the window below it
#   7  an outbound SA created with no sequence number left expires at once
#      and the previous SA carries on
#   8  (tests/fuzz/nlfuzz.py keyecho, in 73-keys-never-printed)
#   9  an IPv4 DF packet over an MTU vtun did not know yet still arrives,
#      and the next one is refused with the MTU
#   10 decrypted packets have neither the outer hash nor the outer mark
#   11 what the IP layer drops is not counted as sent; GSO segments longer
#      than an outer packet can be are dropped
# Item 2 is 37-teardown-race, items 4 and 5 are in 42-full-tunnel and
# 44-limits.

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/topo.sh
. "$(dirname "$0")/../topo.sh"
require_root
require_cmd jq tcpdump nft unshare

require_vtunctl

A=$(ns_new a) || exit 1
B=$(ns_new b) || exit 1
KEY_X=0x58585858585858585858585858585858a1a2a3a4

# vstat_is NS DEV COUNTER VALUE, sa_stat_is NS DEV SPI DIR FIELD VALUE
vstat_is() {
	[[ $(vstat "$1" "$2" "$3") == "$4" ]]
}

sa_stat_is() {
	[[ $(sa_stat "$1" "$2" "$3" "$4" "$5") == "$6" ]]
}

# n_sas NS DIR: how many SAs of that direction A's vtun0 has.
n_sas() {
	vtunctl_in "$1" show vtun0 -j |
		jq --arg d "$2" '[.[0].peers[].sas[] | select(.dir == $d)] | length'
}

n_sas_is() {
	[[ $(n_sas "$1" "$2") == "$3" ]]
}

other_netns() {	# PID: the process runs in another network namespace
	[[ $(readlink "/proc/$1/ns/net") != "$(readlink /proc/self/ns/net)" ]]
}

setup() {
	site_pair "$A" "$B"
	sa_pair "$A" "$B" "$KEY128_AB" "$KEY128_BA" 128
	ip netns exec "$A" ping -q -c 2 -i 0.2 -W 2 10.2.0.1
}

# esp_headers PCAP: "SPI SEQ IV" in hex of every ESP packet in PCAP
# (Ethernet, IPv4, UDP 4500; keepalives and IKE left out).
esp_headers() {
	"$PY" - "$1" "$VTUN_REPO/tests" <<-'EOF'
		import struct, sys
		sys.path.insert(0, sys.argv[2])
		from esp_craft import read_pcap
		for f in read_pcap(sys.argv[1]):
		    ip = f[14:]
		    if len(ip) < 20 or ip[9] != 17:
		        continue
		    esp = ip[(ip[0] & 15) * 4 + 8:]
		    if len(esp) < 16 or esp[:4] == b"\0\0\0\0":
		        continue
		    spi, seq = struct.unpack("!II", esp[:8])
		    print("%08x %08x %s" % (spi, seq, esp[8:16].hex()))
	EOF
}

# first_esp NS: the header of the first ESP packet A sends on SPI_AB when
# it pings B once.
first_esp() {
	local pcap=$TEST_TMP/iv.pcap
	capture_start "$B" pub0 "$pcap" 'udp and src host 192.0.2.1 and port 4500'
	ip netns exec "$A" ping -q -c 1 -W 2 10.2.0.1 >/dev/null
	capture_stop
	esp_headers "$pcap" | awk '$1 == "00001000"' | head -n 1
}

# readd_ab: both ends delete and add SPI_AB again, same key, as after a
# reboot with key files: numbering starts at 1 again on both.
readd_ab() {
	vtunctl_in "$A" sa del vtun0 dir out spi $SPI_AB
	vtunctl_in "$B" sa del vtun0 dir in spi $SPI_AB
	vtunctl_in "$B" sa add vtun0 peer 1 dir in spi $SPI_AB aead "$AEAD" "$KEY128_AB" 128
	vtunctl_in "$A" sa add vtun0 peer 1 dir out spi $SPI_AB aead "$AEAD" "$KEY128_AB" 128
}

# 1: the IV is the sequence number XOR a random per-SA mask.
iv_unique_across_readd() {
	local h1 h2
	readd_ab
	h1=$(first_esp)
	readd_ab
	h2=$(first_esp)
	echo "first ESP packets: $h1 / $h2"
	assert_match '^00001000 00000001 [0-9a-f]{16}$' "$h1" "first packet of the SA"
	assert_match '^00001000 00000001 [0-9a-f]{16}$' "$h2" "first packet of the SA again"
	assert_ne "${h1##* }" "${h2##* }" "IV of seq 1, same key, after the SA was added again"
	assert_ne 0000000000000001 "${h1##* }" "IV of seq 1 is not the sequence number"
	# and B, which never interprets the IV, took both
	assert_eq 0 "$(vstat "$B" vtun0 rx_auth_fail)" "B's auth failures"
}

# 1: one key and salt for two SAs of a device is refused, in either way
# of configuring it; nothing changes.
one_key_per_sa() {
	local before
	before=$(vtunctl_in "$A" show vtun0 -j | jq -c '[.[0].peers[].sas[].spi]')
	expect_fail vtunctl_in "$A" sa add vtun0 peer 1 dir in spi 0x3000 aead "$AEAD" \
		"$KEY128_AB" 128
	assert_match 'key and salt' "$ERR" "message"
	assert_eq "$before" "$(vtunctl_in "$A" show vtun0 -j | jq -c '[.[0].peers[].sas[].spi]')" \
		"SAs unchanged"
	mkdir -m 0700 "$TEST_TMP/k"
	(umask 077 && echo "$KEY_X" >"$TEST_TMP/k/x")
	cat >"$TEST_TMP/same-key.conf" <<-EOF
		[Peer]
		Id = 1
		Endpoint = 192.0.2.2:4500

		[SA]
		Dir = out
		Spi = 0x5000
		Aead = $AEAD
		Key = @$TEST_TMP/k/x
		IcvBits = 128

		[SA]
		Dir = in
		Spi = 0x5001
		Aead = $AEAD
		Key = @$TEST_TMP/k/x
		IcvBits = 128
	EOF
	expect_fail vtunctl_in "$A" setconf vtun0 "$TEST_TMP/same-key.conf"
	assert_match 'key and salt' "$ERR" "setconf message"
	assert_eq "$before" "$(vtunctl_in "$A" show vtun0 -j | jq -c '[.[0].peers[].sas[].spi]')" \
		"SAs unchanged by setconf"
	ip netns exec "$A" ping -q -c 1 -W 2 10.2.0.1
}

# 3: a device handed to a user namespace's root: it manages peers, routes
# and SAs there, but not what acts on the creating namespace's sockets.
birth_namespace_settings() {
	local pid script=$TEST_TMP/userns.sh out=$TEST_TMP/userns.out
	ip -n "$A" link add vtun9 type vtun
	vtunctl_in "$A" set vtun9 listen-port 4501
	ip -n "$A" link set vtun9 up
	cat >"$script" <<-EOF
		exec >$out 2>&1
		while ! ip link show vtun9 >/dev/null 2>&1; do sleep 0.1; done
		try() { "\$@" && echo "ok: \$*" || echo "refused(\$?): \$*"; }
		try $VTUNCTL peer add vtun9 id 1 endpoint 192.0.2.2:4501
		try $VTUNCTL route add vtun9 10.7.0.0/16 peer 1
		try $VTUNCTL sa add vtun9 peer 1 dir out spi 0x7000 aead '$AEAD' $KEY_X 128
		try $VTUNCTL set vtun9 listen-port 4600
		try $VTUNCTL set vtun9 fwmark 0x99
		try $VTUNCTL set vtun9 bind-dev lo
		try $VTUNCTL set vtun9 ttl 33
		$VTUNCTL show vtun9 -j
		echo done
	EOF
	# unshare execs bash in a new user and network namespace: hand it the
	# device, created in A (owned by the initial user namespace).
	unshare -Ur -n bash "$script" &
	pid=$!
	on_exit kill "$pid"
	wait_for 20 other_netns "$pid"
	ip -n "$A" link set vtun9 netns "$pid"
	wait "$pid"
	cat "$out"
	assert_match 'ok: .*peer add' "$(<"$out")" "peer add in the user namespace"
	assert_match 'ok: .*route add' "$(<"$out")" "route add"
	assert_match 'ok: .*sa add' "$(<"$out")" "sa add"
	assert_match 'refused\([1-9][0-9]*\): .*listen-port' "$(<"$out")" "listen-port"
	assert_match 'refused\([1-9][0-9]*\): .*fwmark' "$(<"$out")" "fwmark"
	assert_match 'refused\([1-9][0-9]*\): .*bind-dev' "$(<"$out")" "bind-dev"
	assert_match 'ok: .*ttl 33' "$(<"$out")" "outer TTL (acts on the device only)"
	assert_match 'CAP_NET_ADMIN in the namespace the device was created in' \
		"$(<"$out")" "the refusal says why"
	assert_no_match '"fwmark": ?153' "$(<"$out")" "fwmark unchanged"
	assert_match '"listen_port": ?4501' "$(<"$out")" "listen port unchanged"
}

# 6: an inbound SA created with seq 100 has seen 100 and the 63 below.
replay_start() {
	local k=0x3636363636363636363636363636363601020304 spi=0x3600
	vtunctl_in "$B" sa add vtun0 peer 1 dir in spi $spi aead "$AEAD" "$k" 128 seq 100
	craft() {
		ip netns exec "$A" "$PY" "$VTUN_REPO/tests/esp_craft.py" \
			--src 192.0.2.1 --dst 192.0.2.2 esp --key "$k" --spi $spi --seq "$1" >/dev/null
	}
	local r0 p0
	r0=$(vstat "$B" vtun0 rx_replay)
	p0=$(sa_stat "$B" vtun0 $spi in stats.rx_packets)
	craft 100
	craft 37
	craft 99
	wait_for 10 vstat_is "$B" vtun0 rx_replay $((r0 + 3))
	assert_eq "$p0" "$(sa_stat "$B" vtun0 $spi in stats.rx_packets)" "packets 37, 99, 100 refused"
	craft 101
	wait_for 10 sa_stat_is "$B" vtun0 $spi in stats.rx_packets $((p0 + 1))
	assert_eq $((r0 + 3)) "$(vstat "$B" vtun0 rx_replay)" "replays"
	vtunctl_in "$B" sa del vtun0 dir in spi $spi
}

# monitor_hears LOG: A's monitor, writing to LOG, hears a probe's events.
monitor_hears() {
	vtunctl_in "$A" peer add vtun0 id 77 && vtunctl_in "$A" peer del vtun0 id 77 &&
		grep -Eq '\b77( |$)' "$1"
}

# 7: an outbound SA created exhausted expires with an event at once; the
# one before it keeps carrying the traffic.
exhausted_at_birth() {
	local log=$TEST_TMP/exhaust.log k=0x3737373737373737373737373737373701020304 mon
	ip netns exec "$A" "$VTUNCTL" monitor >"$log" 2>&1 &
	mon=$!
	on_exit kill "$mon"
	wait_for 10 monitor_hears "$log"
	vtunctl_in "$A" sa add vtun0 peer 1 dir out spi 0x3700 aead "$AEAD" "$k" 128 seq 0xffffffff
	wait_for 10 grep -q 'sa expire hard (seq-exhausted) spi 0x00003700 dir out peer 1' "$log"
	wait_for 10 n_sas_is "$A" out 1
	local before
	before=$(sa_stat "$A" vtun0 $SPI_AB out stats.tx_packets)
	ip netns exec "$A" ping -q -c 3 -i 0.2 -W 2 10.2.0.1
	assert_range $((before + 3)) "$(sa_stat "$A" vtun0 $SPI_AB out stats.tx_packets)" \
		$((before + 10)) "the previous SA carries the traffic"
	assert_eq 0 "$(vstat "$A" vtun0 tx_seq_exhausted)" "nothing dropped as exhausted"
	# One number left: one packet, then the SA expires and 0x1000 is back.
	vtunctl_in "$A" sa add vtun0 peer 1 dir out spi 0x3701 aead "$AEAD" "$k" 128 seq 0xfffffffe
	ip netns exec "$A" ping -q -c 1 -W 2 10.2.0.254 || true
	wait_for 10 grep -q 'sa expire hard (seq-exhausted) spi 0x00003701 dir out peer 1' "$log"
	wait_for 10 n_sas_is "$A" out 1
	ip netns exec "$A" ping -q -c 2 -i 0.2 -W 2 10.2.0.1
}

# 9: pub0's MTU drops under a warm endpoint: the first DF packet that no
# longer fits is fragmented outside and arrives; the next is refused.
df_over_new_mtu() {
	local big=1300 tb
	ip netns exec "$A" ping -q -c 1 -M "do" -s $big -W 2 10.2.0.1
	ip -n "$A" link set pub0 mtu 1300
	ip -n "$B" link set pub0 mtu 1300
	tb=$(vstat "$A" vtun0 tx_too_big)
	ip netns exec "$A" ping -q -c 1 -M "do" -s $big -W 3 10.2.0.1
	capture ip netns exec "$A" ping -c 1 -M "do" -s $big -W 2 10.2.0.1
	assert_ne 0 "$RC" "the next DF packet of that size"
	assert_eq $((tb + 1)) "$(vstat "$A" vtun0 tx_too_big)" "tx_too_big"
	ip -n "$A" link set pub0 mtu 1500
	ip -n "$B" link set pub0 mtu 1500
	ip -n "$A" route flush cache
	ip -n "$B" route flush cache
}

# 10: B marks the outer packets and traces what vtun0 hands to the stack:
# no outer mark on the inner packets, and a hash of their own flow.
rx_no_outer_state() {
	local t=/sys/kernel/debug/tracing ev lines
	ip netns exec "$B" nft -f - <<-'EOF'
		table inet t {
			counter marked {}
			counter inner {}
			chain pre {
				type filter hook prerouting priority -300;
				udp dport 4500 meta mark set 0x99
			}
			chain in {
				type filter hook input priority 0;
				iifname "vtun0" meta mark 0x99 counter name marked
				iifname "vtun0" counter name inner
			}
		}
	EOF
	on_exit ip netns exec "$B" nft delete table inet t
	[[ -d $t/events/net ]] || t=/sys/kernel/tracing
	echo 0 >"$t/tracing_on"
	: >"$t/trace"
	for ev in napi_gro_receive_entry netif_receive_skb_entry netif_rx_entry; do
		echo 'name == "vtun0"' >"$t/events/net/$ev/filter"
		echo 1 >"$t/events/net/$ev/enable"
	done
	echo 1 >"$t/tracing_on"
	tcp_transfer "$A" "$B" 10.2.0.1 1
	echo 0 >"$t/tracing_on"
	for ev in napi_gro_receive_entry netif_receive_skb_entry netif_rx_entry; do
		echo 0 >"$t/events/net/$ev/enable"
		echo 0 >"$t/events/net/$ev/filter"
	done
	lines=$(grep -c 'dev=vtun0' "$t/trace" || true)
	assert_range 20 "$lines" 1000000 "traced packets from vtun0"
	assert_eq "" "$(grep 'dev=vtun0' "$t/trace" | grep -v ' hash=0x00000000 l4_hash=0' | head -n 3)" \
		"packets from vtun0 with a hash they did not compute themselves"
	assert_eq "" "$(grep 'dev=vtun0' "$t/trace" | grep -v ' queue_mapping=0 ' | head -n 3)" \
		"packets from vtun0 with an outer queue mapping"
	local marked inner
	marked=$(ip netns exec "$B" nft -j list counter inet t marked | jq '.nftables[1].counter.packets')
	inner=$(ip netns exec "$B" nft -j list counter inet t inner | jq '.nftables[1].counter.packets')
	assert_range 20 "$inner" 1000000 "inner packets counted"
	assert_eq 0 "$marked" "inner packets with the outer packets' mark"
}

# 11: an nftables drop of outer packets on the way out: the device counts
# the drops, the SA and peer count nothing sent.
ip_layer_drop_not_sent() {
	local sa0 peer0 drop0
	ip netns exec "$A" nft add table inet d
	on_exit ip netns exec "$A" nft delete table inet d
	ip netns exec "$A" nft add chain inet d out '{ type filter hook output priority 0; }'
	ip netns exec "$A" nft add rule inet d out udp dport 4500 drop
	sa0=$(sa_stat "$A" vtun0 $SPI_AB out stats.tx_packets)
	peer0=$(peer_stat "$A" vtun0 1 tx_packets)
	drop0=$(dev_stat "$A" vtun0 tx_dropped)
	expect_fail ip netns exec "$A" ping -q -c 3 -i 0.2 -W 1 10.2.0.1
	assert_eq "$sa0" "$(sa_stat "$A" vtun0 $SPI_AB out stats.tx_packets)" "SA tx packets"
	assert_eq "$peer0" "$(peer_stat "$A" vtun0 1 tx_packets)" "peer tx packets"
	assert_range $((drop0 + 3)) "$(dev_stat "$A" vtun0 tx_dropped)" $((drop0 + 10)) \
		"device tx_dropped"
	ip netns exec "$A" nft delete table inet d
	ip netns exec "$A" ping -q -c 1 -W 2 10.2.0.1
}

# 11: a TCP GSO packet from AF_PACKET whose segments (DF clear) would make
# outer packets longer than 65535 bytes: dropped and counted, nothing sent.
gso_over_64k() {
	local tb0 out0 sent
	tb0=$(vstat "$A" vtun0 tx_too_big)
	out0=$(sa_stat "$A" vtun0 $SPI_AB out stats.tx_packets)
	sent=$(ip netns exec "$A" "$PY" - <<-'EOF'
		import socket, struct
		ETH_P_IP, SOL_PACKET, PACKET_VNET_HDR = 0x0800, 263, 15
		s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_IP))
		s.setsockopt(SOL_PACKET, PACKET_VNET_HDR, 1)
		s.bind(("vtun0", ETH_P_IP))
		gso = 65440		# segments of 65480 bytes, DF clear
		payload = bytes(gso + 20)	# and a short one
		tcp = struct.pack("!HHIIBBHHH", 1234, 80, 1, 0, 5 << 4, 0x10, 65535, 0, 0)
		ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 0, 1, 0, 64, 6, 0,
		                 socket.inet_aton("10.1.0.1"), socket.inet_aton("10.2.0.1"))
		# virtio_net_hdr: NEEDS_CSUM, TCPV4, hdr_len, gso_size, csum_start, csum_offset
		vnet = struct.pack("=BBHHHH", 1, 1, 40, gso, 20, 16)
		try:
		    s.send(vnet + ip + tcp + payload)
		    print("sent")
		except OSError as e:
		    print("refused: %s" % e)
	EOF
	)
	echo "AF_PACKET: $sent; tx_too_big $tb0 -> $(vstat "$A" vtun0 tx_too_big)"
	if [[ $sent == sent ]]; then
		wait_for 5 vstat_is "$A" vtun0 tx_too_big $((tb0 + 1))
		# the short segment may go; the long one never
		assert_range "$out0" "$(sa_stat "$A" vtun0 $SPI_AB out stats.tx_packets)" \
			$((out0 + 1)) "packets encrypted"
	fi
	ip netns exec "$A" ping -q -c 1 -W 2 10.2.0.1
}

run_test "setup: two gateways with an SA pair" setup
run_test "1: an SA added again with the same key sends other IVs" iv_unique_across_readd
run_test "1: one key and salt for two SAs of a device is refused" one_key_per_sa
run_test "3: listen-port, fwmark, bind-dev need CAP_NET_ADMIN where the device was born" \
	birth_namespace_settings
run_test "6: an inbound SA created at seq 100 has seen 100 and the window below" replay_start
run_test "7: an outbound SA created exhausted expires at once, the last one carries on" \
	exhausted_at_birth
run_test "9: an IPv4 DF packet over a new underlay MTU arrives, the next is refused" \
	df_over_new_mtu
run_test "10: decrypted packets carry neither the outer hash nor the outer mark" \
	rx_no_outer_state
run_test "11: what the IP layer drops is not counted as sent" ip_layer_drop_not_sent
run_test "11: a GSO packet whose outer packets would pass 64 KiB is dropped" gso_over_64k
tap_done
