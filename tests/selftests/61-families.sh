#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every mix of inner and outer address family (v4-in-v4, v6-in-v4,
# v4-in-v6, v6-in-v6) with ping and TCP, and the outer header's fields:
# DSCP copied or set, ECN per RFC 6040, TTL configurable.

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../topo.sh"
require_root
require_cmd socat tcpdump jq

A=$(ns_new a)
B=$(ns_new b)
A6=$(ns_new a6)
B6=$(ns_new b6)

setup() {
	site_pair "$A" "$B" 4
	sa_pair "$A" "$B" "$KEY128_AB" "$KEY128_BA" 128
	site_pair "$A6" "$B6" 6
	sa_pair "$A6" "$B6" "$KEY256_AB" "$KEY256_BA" 128
	assert_eq "[2001:db8::2]:4500" \
		"$(vtunctl_in "$A6" show vtun0 -j | jq -r '.[0].peers[0].endpoint')" "IPv6 endpoint"
}

mix() {	# NS_FROM NS_TO INNER_DST
	ip netns exec "$1" ping -q -c 3 -i 0.2 -W 2 "$3"
	tcp_transfer "$1" "$2" "$3" 2
}

# outer_fields NS DEV PCAP: the "tos" and "ttl"/"hlim" of captured packets.
outer_tos() {
	tcpdump -r "$1" -nn -v 2>/dev/null | grep -Eo 'tos 0x[0-9a-f]+' | sort -u | tr '\n' ' '
}

outer_ttl() {
	tcpdump -r "$1" -nn -v 2>/dev/null | grep -Eo 'ttl [0-9]+' | sort -u | tr '\n' ' '
}

dscp_ecn_ttl() {
	local pcap=$TEST_TMP/tos.pcap
	# EF (46) with ECT(0): copied outside as is, TTL 64
	capture_start "$B" pub0 "$pcap" 'udp port 4500 and src host 192.0.2.1'
	ip netns exec "$A" ping -q -c 2 -i 0.2 -W 2 -Q 0xba 10.2.0.1
	capture_stop
	assert_eq "tos 0xba " "$(outer_tos "$pcap")" "outer TOS, copied"
	assert_eq "ttl 64 " "$(outer_ttl "$pcap")" "outer TTL, default"
	# a fixed DSCP 10 and TTL 33; ECN still follows the inner packet
	vtunctl_in "$A" set vtun0 dscp 10 ttl 33
	capture_start "$B" pub0 "$pcap" 'udp port 4500 and src host 192.0.2.1'
	ip netns exec "$A" ping -q -c 2 -i 0.2 -W 2 -Q 0xba 10.2.0.1
	capture_stop
	assert_eq "tos 0x2a " "$(outer_tos "$pcap")" "outer TOS, set"
	assert_eq "ttl 33 " "$(outer_ttl "$pcap")" "outer TTL, set"
	vtunctl_in "$A" set vtun0 dscp inherit ttl 0
}

run_test "setup: an IPv4 and an IPv6 public link" setup
run_test "IPv4 in IPv4" mix "$A" "$B" 10.2.0.1
run_test "IPv6 in IPv4" mix "$B" "$A" fd01::1
run_test "IPv4 in IPv6" mix "$A6" "$B6" 10.2.0.1
run_test "IPv6 in IPv6" mix "$B6" "$A6" fd01::1
if "$VTUNCTL" set help 2>&1 | grep -q dscp; then
	run_test "outer DSCP copied or set, ECN kept, TTL set" dscp_ecn_ttl
else
	skip "outer DSCP copied or set, ECN kept, TTL set" "vtunctl has no dscp/ttl yet"
fi
tap_done
