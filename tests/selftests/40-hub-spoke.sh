#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# One hub, two spokes: each spoke has one peer (the hub) and a route for
# everything inside; the hub has a peer per spoke and relays spoke to
# spoke. Inner destinations pick the peer by longest prefix, inner sources
# must belong to the peer they come from, and peers come and go with their
# routes and SAs.
#
#   s1 (10.1.0.1) --192.0.2.0/24-- hub (10.0.0.1) --198.51.100.0/24-- s2 (10.2.0.1)

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../topo.sh"
require_root
require_cmd socat jq

H=$(ns_new hub)
S1=$(ns_new s1)
S2=$(ns_new s2)

# spoke NS N PUB HUBPUB: spoke N with inner 10.N.0.1 and fd0N::1
spoke() {
	local ns=$1 n=$2 pub=$3 hubpub=$4 spi_out=$((0x100 * $2)) spi_in=$((0x100 * $2 + 1))
	local kout kin
	kout=$(printf '0x%032x0a0a0a0a' "$n")
	kin=$(printf '0x%032x0b0b0b0b' "$n")
	vtun_dev "$ns"
	addr_add "$ns" vtun0 10.$n.0.1/32
	addr_add "$ns" vtun0 fd0$n::1/128
	ip -n "$ns" route add 10.0.0.0/8 dev vtun0 src 10.$n.0.1
	ip -n "$ns" route add fd00::/8 dev vtun0 src fd0$n::1
	vtunctl_in "$ns" peer add vtun0 id 1 endpoint "$hubpub:4500"
	vtunctl_in "$ns" route add vtun0 10.0.0.0/8 peer 1
	vtunctl_in "$ns" route add vtun0 fd00::/8 peer 1
	vtunctl_in "$ns" sa add vtun0 peer 1 dir out spi $spi_out aead "$AEAD" "$kout" 128
	vtunctl_in "$ns" sa add vtun0 peer 1 dir in spi $spi_in aead "$AEAD" "$kin" 128
	# the hub's side of it: peer N
	vtunctl_in "$H" peer add vtun0 id "$n" endpoint "$pub:4500"
	vtunctl_in "$H" route add vtun0 10.$n.0.0/16 peer "$n"
	vtunctl_in "$H" route add vtun0 fd0$n::/64 peer "$n"
	vtunctl_in "$H" sa add vtun0 peer "$n" dir in spi $spi_out aead "$AEAD" "$kout" 128
	vtunctl_in "$H" sa add vtun0 peer "$n" dir out spi $spi_in aead "$AEAD" "$kin" 128
}

setup() {
	veth_pair "$S1" pub0 192.0.2.1/24 "$H" pub1 192.0.2.254/24
	veth_pair "$S2" pub0 198.51.100.2/24 "$H" pub2 198.51.100.254/24
	ip netns exec "$H" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	vtun_dev "$H"
	addr_add "$H" vtun0 10.0.0.1/32
	addr_add "$H" vtun0 fd00::1/128
	ip -n "$H" route add 10.0.0.0/8 dev vtun0 src 10.0.0.1
	ip -n "$H" route add fd00::/8 dev vtun0 src fd00::1
	spoke "$S1" 1 192.0.2.1 192.0.2.254
	spoke "$S2" 2 198.51.100.2 198.51.100.254
	assert_eq 2 "$(vtunctl_in "$H" show vtun0 -j | jq '.[0].n_peers')" "hub peers"
}

spoke_to_spoke() {
	ip netns exec "$S1" ping -q -c 3 -i 0.2 -W 2 10.2.0.1
	ip netns exec "$S2" ping -6 -q -c 3 -i 0.2 -W 2 fd01::1
	ip netns exec "$S1" ping -q -c 2 -i 0.2 -W 2 10.0.0.1
	tcp_transfer "$S1" "$S2" 10.2.0.1 2
	# the hub decrypted from one peer and encrypted to the other
	assert_range 10 "$(peer_stat "$H" vtun0 1 rx_packets)" 100000 "hub rx from s1"
	assert_range 10 "$(peer_stat "$H" vtun0 2 tx_packets)" 100000 "hub tx to s2"
}

# s1 sends with a source that belongs to s2's prefix: the hub must drop it.
wrong_source() {
	local before
	addr_add "$S1" vtun0 10.2.0.99/32
	before=$(vstat "$H" vtun0 rx_bad_source)
	expect_fail ip netns exec "$S1" ping -q -c 3 -i 0.2 -W 1 -I 10.2.0.99 10.0.0.1
	assert_eq $((before + 3)) "$(vstat "$H" vtun0 rx_bad_source)" "hub rx_bad_source"
	ip -n "$S1" addr del 10.2.0.99/32 dev vtun0
}

# A longer prefix wins: 10.2.7.0/24 goes to a peer without SA on s1.
longest_prefix() {
	local before
	vtunctl_in "$S1" peer add vtun0 id 9 endpoint 192.0.2.254:4500
	vtunctl_in "$S1" route add vtun0 10.2.7.0/24 peer 9
	vtunctl_in "$S1" route add vtun0 fd02:0:0:7::/64 peer 9
	before=$(vstat "$S1" vtun0 tx_no_sa)
	expect_fail ip netns exec "$S1" ping -q -c 1 -W 1 10.2.7.1
	expect_fail ip netns exec "$S1" ping -6 -q -c 1 -W 1 fd02:0:0:7::1
	assert_eq $((before + 2)) "$(vstat "$S1" vtun0 tx_no_sa)" "tx_no_sa on s1"
	ip netns exec "$S1" ping -q -c 1 -W 2 10.2.0.1
	vtunctl_in "$S1" route del vtun0 10.2.7.0/24
	ip netns exec "$S1" ping -q -c 1 -W 2 10.2.7.1 >/dev/null 2>&1 || true
	assert_eq $((before + 2)) "$(vstat "$S1" vtun0 tx_no_sa)" "tx_no_sa after route del"
}

# Without a vtun route the sender hears "unreachable", and it is counted.
no_route() {
	local before
	ip -n "$S1" route add 172.16.0.0/12 dev vtun0
	before=$(vstat "$S1" vtun0 tx_no_route)
	capture ip netns exec "$S1" ping -c 1 -W 2 172.16.0.1
	assert_ne 0 "$RC" "ping exit status"
	assert_match 'Unreachable' "$OUT" "ping output"
	assert_eq $((before + 1)) "$(vstat "$S1" vtun0 tx_no_route)" "tx_no_route"
}

# Deleting a peer takes its routes and SAs with it.
peer_del_cascades() {
	local j
	vtunctl_in "$S1" peer del vtun0 id 9
	j=$(vtunctl_in "$S1" show vtun0 -j)
	assert_eq 1 "$(jq '.[0].n_peers' <<<"$j")" "peers left"
	assert_eq 2 "$(jq '.[0].n_sas' <<<"$j")" "SAs left"
	assert_eq '["10.0.0.0/8","fd00::/8"]' "$(jq -c '.[0].peers[0].routes' <<<"$j")" "routes left"
	vtunctl_in "$H" peer del vtun0 id 2
	j=$(vtunctl_in "$H" show vtun0 -j)
	assert_eq 2 "$(jq '.[0].n_sas' <<<"$j")" "hub SAs left"
	expect_fail ip netns exec "$S1" ping -q -c 1 -W 1 10.2.0.1
	ip netns exec "$S1" ping -q -c 1 -W 2 10.0.0.1
}

# A thousand peers with a route each: lookups still find the right one.
many_peers() {
	local i batch=$TEST_TMP/peers.batch
	for i in $(seq 100 1099); do
		echo "peer add vtun0 id $i endpoint 203.0.113.$((i % 250 + 1)):4500"
		echo "route add vtun0 10.$((64 + (i >> 8))).$((i & 255)).0/24 peer $i"
	done >"$batch"
	ip netns exec "$H" "$VTUNCTL" -b "$batch"
	assert_eq 1001 "$(vtunctl_in "$H" show vtun0 -j | jq '.[0].n_peers')" "hub peers"
	# the spoke still gets through; 10.67.200.1 goes to peer 968 (no SA)
	ip netns exec "$S1" ping -q -c 2 -i 0.2 -W 2 10.0.0.1
	local before
	before=$(vstat "$H" vtun0 tx_no_sa)
	ip netns exec "$H" ping -q -c 1 -W 1 10.67.200.1 >/dev/null 2>&1 || true
	assert_eq $((before + 1)) "$(vstat "$H" vtun0 tx_no_sa)" "tx_no_sa on the hub"
}

run_test "setup: hub with two spokes" setup
run_test "spoke to spoke through the hub, IPv4, IPv6 and TCP" spoke_to_spoke
run_test "an inner source of another peer's prefix is dropped at the hub" wrong_source
run_test "the longest prefix picks the peer" longest_prefix
run_test "no route: ICMP unreachable and a counter" no_route
run_test "peer del removes its routes and SAs" peer_del_cascades
if "$VTUNCTL" help 2>&1 | grep -q -- '--batch\|-b '; then
	run_test "1000 peers with a route each" many_peers
else
	skip "1000 peers with a route each" "vtunctl has no batch mode yet"
fi
tap_done
