#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The ESP data path between two vtun gateways: traffic crosses in both
# directions with AES-128 and AES-256, data arrives intact, counters move,
# and the public link shows nothing but ESP-in-UDP between the gateways.

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../topo.sh"
require_root
require_cmd socat tcpdump jq

A=$(ns_new a)
B=$(ns_new b)

setup() {
	site_pair "$A" "$B"
	sa_pair "$A" "$B" "$KEY128_AB" "$KEY128_BA" 128
}

ping_both_ways() {
	ip netns exec "$A" ping -q -c 3 -i 0.2 -W 2 10.2.0.1
	ip netns exec "$B" ping -q -c 3 -i 0.2 -W 2 10.1.0.1
}

ping6_both_ways() {
	ip netns exec "$A" ping -6 -q -c 3 -i 0.2 -W 2 fd02::1
	ip netns exec "$B" ping -6 -q -c 3 -i 0.2 -W 2 fd01::1
}

counters_moved() {
	local spi_out sent
	sent=$(peer_stat "$A" vtun0 1 tx_packets)
	assert_range 6 "$sent" 1000000 "peer tx_packets on A"
	assert_range 6 "$(peer_stat "$B" vtun0 1 rx_packets)" 1000000 "peer rx_packets on B"
	spi_out=$(sa_stat "$A" vtun0 $SPI_AB out seq)
	assert_range "$sent" "$spi_out" 1000000 "outbound sequence number on A"
	assert_eq true "$(sa_stat "$A" vtun0 $SPI_AB out active)" "outbound SA active"
	assert_range 6 "$(sa_stat "$B" vtun0 $SPI_AB in stats.rx_packets)" 1000000 \
		"inbound SA rx_packets on B"
	assert_eq 0 "$(vstat "$B" vtun0 rx_auth_fail)" "auth failures on B"
	assert_eq 0 "$(vstat "$B" vtun0 rx_malformed)" "malformed packets on B"
	# Two CPUs encrypt in parallel, so under load a packet can overtake
	# another by more than the 64-packet window: a few "replays" are
	# reordering, not loss of integrity (the hostile test checks replays).
	assert_range 0 "$(vstat "$B" vtun0 rx_replay)" \
		$(($(dev_stat "$B" vtun0 rx_packets) / 100)) "replays on B (1% at most)"
	assert_range 6 "$(dev_stat "$B" vtun0 rx_packets)" 1000000 "netdev rx_packets on B"
}

# Capture the public link while traffic flows: every IP packet on it must
# be UDP 4500 <-> 4500 between the two gateways, and the inner addresses
# must appear nowhere in the captured bytes.
only_esp_on_the_wire() {
	local pcap=$TEST_TMP/pub.pcap lines bad
	capture_start "$B" pub0 "$pcap" 'ip or (ip6 and not icmp6)'
	ip netns exec "$A" ping -q -c 5 -i 0.2 -W 2 10.2.0.1
	ip netns exec "$A" ping -6 -q -c 5 -i 0.2 -W 2 fd02::1
	tcp_transfer "$A" "$B" 10.2.0.1 1
	capture_stop

	lines=$(tcpdump -r "$pcap" -nn 2>/dev/null)
	assert_range 20 "$(wc -l <<<"$lines")" 100000 "captured packets"
	bad=$(grep -Ev '^[0-9:.]+ IP 192\.0\.2\.[12]\.4500 > 192\.0\.2\.[12]\.4500: UDP-encap: ESP\(spi=0x0000(1000|2000),' <<<"$lines" | head -n 3 || true)
	assert_eq "" "$bad" "packets other than ESP-in-UDP between the gateways"
	# 10.1.0.1, 10.2.0.1 and fd01::/fd02:: as raw bytes
	bad=$(od -An -v -tx1 -w1 "$pcap" | tr -d ' \n' |
	      grep -Eo '0a010001|0a020001|fd010000000000000000000000000001|fd020000000000000000000000000001' |
	      head -n 1 || true)
	assert_eq "" "$bad" "inner address bytes in the capture"
}

aes256() {
	vtunctl_in "$A" sa del vtun0 dir out spi $SPI_AB
	vtunctl_in "$A" sa del vtun0 dir in spi $SPI_BA
	vtunctl_in "$B" sa del vtun0 dir out spi $SPI_BA
	vtunctl_in "$B" sa del vtun0 dir in spi $SPI_AB
	sa_pair "$A" "$B" "$KEY256_AB" "$KEY256_BA" 128
	assert_eq 256 "$(sa_stat "$A" vtun0 $SPI_AB out key_bits)" "key size"
	ping_both_ways
}

# An outbound SA three packets short of 2^32 without ESN: three packets
# go; the one with sequence number 2^32 - 1 expires the SA hard (RFC 4303
# 3.3.3: never wrap), which is deleted, and later packets find no SA.
seq_exhausted() {
	local no_sa
	vtunctl_in "$A" sa del vtun0 dir out spi $SPI_AB
	vtunctl_in "$A" sa add vtun0 peer 1 dir out spi $SPI_AB aead "$AEAD" \
		"$KEY256_AB" 128 seq $(((1 << 32) - 4))
	ip netns exec "$A" ping -q -c 3 -i 0.2 -W 2 10.2.0.1
	wait_for 5 sa_count_is 0 "$A" vtun0
	no_sa=$(vstat "$A" vtun0 tx_no_sa)
	expect_fail ip netns exec "$A" ping -q -c 2 -i 0.2 -W 1 10.2.0.1
	assert_eq $((no_sa + 2)) "$(vstat "$A" vtun0 tx_no_sa)" "device tx_no_sa"
	assert_eq $(((1 << 32) - 1)) "$(sa_stat "$B" vtun0 $SPI_AB in seq)" \
		"highest sequence number B received"
}

# sa_count_is N NS DEV: the device has N outbound SAs.
sa_count_is() {
	[[ $(vtunctl_in "$2" show "$3" -j |
	     jq '[.[0].peers[].sas[] | select(.dir == "out")] | length') == "$1" ]]
}

run_test "two gateways peer with AES-128-GCM SAs" setup
run_test "ping crosses both ways (IPv4 inner)" ping_both_ways
run_test "ping crosses both ways (IPv6 inner)" ping6_both_ways
run_test "20 MB over TCP A->B arrive intact" tcp_transfer "$A" "$B" 10.2.0.1 20
run_test "20 MB over TCP B->A arrive intact" tcp_transfer "$B" "$A" 10.1.0.1 20
run_test "device, peer and SA counters move, no drops" counters_moved
run_test "public link carries only ESP-in-UDP, no inner address" only_esp_on_the_wire
run_test "AES-256-GCM SAs replace the AES-128 ones; ping crosses" aes256
run_test "20 MB over TCP/IPv6 A->B with AES-256" tcp_transfer "$A" "$B" fd02::1 20
run_test "20 MB over TCP B->A with AES-256" tcp_transfer "$B" "$A" 10.1.0.1 20
run_test "an SA out of sequence numbers stops sending, never wraps" seq_exhausted
tap_done
