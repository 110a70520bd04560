#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Transmit batching (kmod/txbatch.c): the ESP packets made from one GSO
# packet leave the gateway as one UDP GSO packet. Wherever the kernel cuts
# it into datagrams (in the receiving veth, or in software before a device
# without UDP segmentation offload), what crosses is ordinary ESP-in-UDP
# with valid UDP checksums, which the kernel's own IPsec accepts too;
# counters count ESP packets, not batches; and with vtun.outer_gso=N every
# ESP packet leaves on its own.

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../topo.sh"
require_root
require_cmd socat tcpdump jq ethtool

PARAM=/sys/module/vtun/parameters/outer_gso
A=$(ns_new a)
B=$(ns_new b)
A6=$(ns_new a6)
B6=$(ns_new b6)
X=$(ns_new x)	# vtun, sending to
Y=$(ns_new y)	# XFRM

setup() {
	vtun_load
	on_exit sh -c "echo $(<"$PARAM") >$PARAM"
	echo Y >"$PARAM"
	site_pair "$A" "$B" 4
	sa_pair "$A" "$B" "$KEY128_AB" "$KEY128_BA" 128
	site_pair "$A6" "$B6" 6
	sa_pair "$A6" "$B6" "$KEY256_AB" "$KEY256_BA" 128
	setup_xfrm_pair
}

# X runs vtun, Y the kernel's IPsec with the same SAs (as in 31).
setup_xfrm_pair() {
	vtun_xfrm_pair "$X" "$Y"
	vtunctl_in "$X" sa add vtun0 peer 1 dir out spi $SPI_AB aead "$AEAD" "$KEY128_AB" 128
	vtunctl_in "$X" sa add vtun0 peer 1 dir in spi $SPI_BA aead "$AEAD" "$KEY128_BA" 128
	xfrm_site "$Y" 192.0.2.2 192.0.2.1 10.2.0.0/16 10.1.0.0/16 \
		"$KEY128_BA" "$KEY128_AB" 128 $SPI_BA $SPI_AB
}

# frame_lengths PCAP: the length on the wire of every captured frame.
frame_lengths() {
	"$PY" - "$1" <<'EOF'
import struct, sys
data = open(sys.argv[1], "rb").read()
endian = "<" if data[:4] == b"\xd4\xc3\xb2\xa1" else ">"
off = 24
while off + 16 <= len(data):
    _, _, caplen, wirelen = struct.unpack_from(endian + "IIII", data, off)
    print(wirelen)
    off += 16 + caplen
EOF
}

# A frame longer than the link's MTU allows (1500 + 14) holds a batch: at
# slow rates TCP's GSO packets, hence batches, carry only two segments.
BATCH_MIN=1515

max_frame() {
	frame_lengths "$1" | sort -n | tail -n 1
}

# send_captured FROM TO INNER_DST OUTER_SRC PCAP: 4 MB over TCP while
# what FROM sends from OUTER_SRC is captured at TO's end of the public link.
send_captured() {
	capture_start "$2" pub0 "$5" "udp port 4500 and src host $4"
	tcp_transfer "$1" "$2" "$3" 4
	capture_stop
}

# A batch crosses the veth whole: the receiving end sees frames far longer
# than the link's MTU, which the UDP layer there cuts back into datagrams.
batches_leave_whole() {
	local pcap=$TEST_TMP/batched.pcap
	send_captured "$A" "$B" 10.2.0.1 192.0.2.1 "$pcap"
	assert_range $BATCH_MIN "$(max_frame "$pcap")" 65535 "longest frame on the wire"
	assert_eq 0 "$(vstat "$B" vtun0 rx_auth_fail)" "auth failures on B"
	assert_eq 0 "$(vstat "$B" vtun0 rx_malformed)" "malformed packets on B"
}

# Device, peer and SA count the ESP packets inside the batches.
counted_per_esp_packet() {
	local dev peer sa
	dev=$(dev_stat "$A" vtun0 tx_packets)
	peer=$(peer_stat "$A" vtun0 1 tx_packets)
	sa=$(sa_stat "$A" vtun0 "$SPI_AB" out stats.tx_packets)
	assert_range 3000 "$peer" 1000000 "peer tx_packets on A"
	assert_eq "$peer" "$dev" "device tx_packets on A"
	assert_eq "$peer" "$sa" "SA tx_packets on A"
}

# XFRM on Y decrypts what X sends in batches, and counts no error.
xfrm_accepts_batches() {
	local pcap=$TEST_TMP/xfrm.pcap errs
	send_captured "$X" "$Y" 10.2.0.1 192.0.2.1 "$pcap"
	assert_range $BATCH_MIN "$(max_frame "$pcap")" 65535 "longest frame on the wire"
	errs=$(ip netns exec "$Y" cat /proc/net/xfrm_stat | awk '$2 != 0')
	assert_eq "" "$errs" "XFRM error counters on Y"
	assert_eq 0 "$(udp_csum_errors "$Y")" "UDP checksum errors on Y"
}

udp_csum_errors() {
	ip netns exec "$1" awk '/^Udp: [0-9]/ { print $8 }' /proc/net/snmp
}

# Without offloads on the sending veth the kernel segments the batch and
# sums every datagram in software; the receiver verifies each checksum.
software_segmentation() {	# NS_FROM NS_TO INNER_DST OUTER_SRC
	local pcap=$TEST_TMP/segmented.pcap bad
	ip netns exec "$1" ethtool -K pub0 tx-udp-segmentation off tx off >/dev/null
	send_captured "$1" "$2" "$3" "$4" "$pcap"
	assert_range 100 "$(max_frame "$pcap")" 1514 "longest frame on the wire"
	assert_eq 0 "$(udp_csum_errors "$2")" "UDP checksum errors on the receiver"
	bad=$(tcpdump -r "$pcap" -nn -vv 2>/dev/null | grep -ci 'bad udp cksum' || true)
	assert_eq 0 "$bad" "datagrams with a bad UDP checksum"
	assert_eq 0 "$(vstat "$2" vtun0 rx_auth_fail)" "auth failures"
	ip netns exec "$1" ethtool -K pub0 tx-udp-segmentation on tx on >/dev/null
}

one_at_a_time() {
	local pcap=$TEST_TMP/unbatched.pcap
	echo N >"$PARAM"
	send_captured "$A" "$B" 10.2.0.1 192.0.2.1 "$pcap"
	echo Y >"$PARAM"
	assert_range 100 "$(max_frame "$pcap")" 1514 "longest frame on the wire"
}

run_test "setup: vtun pairs over IPv4 and IPv6, vtun to XFRM" setup
run_test "a GSO packet leaves as one UDP GSO packet" batches_leave_whole
run_test "counters count ESP packets, not batches" counted_per_esp_packet
run_test "the kernel's XFRM accepts batched ESP" xfrm_accepts_batches
run_test "software segmentation, outer IPv4: valid UDP checksums" \
	software_segmentation "$A" "$B" 10.2.0.1 192.0.2.1
run_test "software segmentation, outer IPv6: valid UDP checksums" \
	software_segmentation "$A6" "$B6" fd02::1 2001:db8::1
run_test "outer_gso=N: every ESP packet leaves alone" one_at_a_time
tap_done
