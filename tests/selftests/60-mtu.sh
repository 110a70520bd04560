#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# MTU and path MTU: a router between the gateways has a 1280-byte link.
# Once the underlay has told vtun so (ICMP "fragmentation needed" for an
# outer packet), inner packets that cannot fit get an ICMP error with the
# MTU they must use, TCP adapts, and packets that may be fragmented are.
#
#   a 192.0.2.1 -- router -- (mtu 1280) -- 198.51.100.2 b

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../topo.sh"
require_root
require_cmd socat jq

A=$(ns_new a)
R=$(ns_new r)
B=$(ns_new b)
# IPv4 outer: 1280 - 20 (IP) - 8 (UDP) - 16 (ESP, IV) - 16 (ICV), rounded
# down to 4, minus the 2 trailer bytes.
INNER_MTU=1218

setup() {
	veth_pair "$A" pub0 192.0.2.1/24 "$R" a0 192.0.2.254/24
	veth_pair "$R" b0 198.51.100.254/24 "$B" pub0 198.51.100.2/24
	ip -n "$R" link set b0 mtu 1280
	ip -n "$B" link set pub0 mtu 1280
	ip -n "$A" route add default via 192.0.2.254
	ip -n "$B" route add default via 198.51.100.254
	ip netns exec "$R" sysctl -qw net.ipv4.ip_forward=1
	vtun_dev "$A"
	vtun_dev "$B"
	inner_addrs "$A" "$B"
	vtunctl_in "$A" peer add vtun0 id 1 endpoint 198.51.100.2:4500
	vtunctl_in "$B" peer add vtun0 id 1 endpoint 192.0.2.1:4500
	vtunctl_in "$A" route add vtun0 10.2.0.0/16 peer 1
	vtunctl_in "$A" route add vtun0 fd02::/64 peer 1
	vtunctl_in "$B" route add vtun0 10.1.0.0/16 peer 1
	vtunctl_in "$B" route add vtun0 fd01::/64 peer 1
	sa_pair "$A" "$B" "$KEY128_AB" "$KEY128_BA" 128
	assert_eq 1418 "$(dev_attr "$A" vtun0 mtu)" "default MTU"
	ip netns exec "$A" ping -q -c 2 -i 0.2 -W 2 -s 100 10.2.0.1
}

# ping_mtu_error MTU ARGS...: a ping that must fail telling MTU.
ping_mtu_error() {
	local mtu=$1
	shift
	capture ip netns exec "$A" ping -c 3 -i 0.3 -W 1 "$@"
	assert_ne 0 "$RC" "ping exit status"
	assert_match "mtu ?[=:] ?$mtu" "$OUT$ERR" "ping's MTU message"
}

too_big_v4() {
	local before
	before=$(vstat "$A" vtun0 tx_too_big)
	# The first big packet teaches the outer route the path MTU; vtun
	# notes it when it sends the next one, which goes out fragmented
	# rather than lost (36-security-review, item 9). The third is refused.
	ip netns exec "$A" ping -q -c 1 -W 1 -M 'do' -s 1300 10.2.0.1 >/dev/null 2>&1 || true
	ip netns exec "$A" ping -q -c 1 -W 1 -M 'do' -s 1300 10.2.0.1 >/dev/null 2>&1 || true
	ping_mtu_error $INNER_MTU -M 'do' -s 1300 10.2.0.1
	assert_range $((before + 1)) "$(vstat "$A" vtun0 tx_too_big)" 1000000 "tx_too_big"
}

fits_v4() {
	ip netns exec "$A" ping -q -c 3 -i 0.2 -W 2 -M 'do' -s $((INNER_MTU - 28)) 10.2.0.1
}

# IPv6 needs 1280 bytes end to end: more is refused with MTU 1280, up to
# 1280 passes even though the path takes only 1218 (the outer packet is
# fragmented).
too_big_v6() {
	ip netns exec "$A" ping -6 -q -c 1 -W 1 -M 'do' -s 1300 fd02::1 >/dev/null 2>&1 || true
	ping_mtu_error 1280 -6 -M 'do' -s 1300 fd02::1
	ip netns exec "$A" ping -6 -q -c 3 -i 0.2 -W 2 -M 'do' -s $((1280 - 48)) fd02::1
}

# Without DF, IPv4 may be fragmented: big pings get through.
no_df_fragments() {
	ip netns exec "$A" ping -q -c 3 -i 0.2 -W 2 -M dont -s 1380 10.2.0.1
}

tcp_adapts() {
	tcp_transfer "$A" "$B" 10.2.0.1 4
	tcp_transfer "$B" "$A" fd01::1 4
}

mtu_bounds() {
	expect_fail ip -n "$A" link set vtun0 mtu 67
	expect_fail ip -n "$A" link set vtun0 mtu 65471
	ip -n "$A" link set vtun0 mtu 1280
	ip -n "$A" link set vtun0 mtu 65470
	ip -n "$A" link set vtun0 mtu 1418
}

run_test "setup: a 1280-byte link between the gateways" setup
run_test "IPv4 with DF above the path MTU: ICMP with MTU $INNER_MTU" too_big_v4
run_test "IPv4 with DF at the path MTU passes" fits_v4
run_test "IPv6: above 1280 packet too big, up to 1280 passes" too_big_v6
run_test "IPv4 without DF above the path MTU is fragmented and passes" no_df_fragments
run_test "TCP both ways adapts through path MTU discovery" tcp_adapts
run_test "ip link set mtu stays within 68..65470" mtu_bounds
tap_done
