#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A full-tunnel client: its default route points into vtun0 while the VPN
# server is reached through an ordinary router. Without care the outer
# packets would be routed into the tunnel itself: vtun must detect that
# and drop them (counted, no hang). Two ways out: policy routing on the
# fwmark vtun puts on outer packets (like wg-quick), or binding the outer
# packets to the underlay device.
#
#   client 203.0.113.2 -- router -- 192.0.2.1 server -- 198.51.100.7 web
#   inner: client 10.9.0.2, server 10.9.0.1

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../topo.sh"
require_root
require_cmd jq

C=$(ns_new client)
R=$(ns_new router)
S=$(ns_new server)
I=$(ns_new web)
K_CS=0x11111111111111111111111111111111c0c0c0c0
K_SC=0x22222222222222222222222222222222d0d0d0d0

setup() {
	veth_pair "$C" pub0 203.0.113.2/24 "$R" c0 203.0.113.1/24
	veth_pair "$R" s0 192.0.2.254/24 "$S" pub0 192.0.2.1/24
	veth_pair "$S" lan0 198.51.100.1/24 "$I" eth0 198.51.100.7/24
	ip -n "$C" route add default via 203.0.113.1
	ip -n "$S" route add default via 192.0.2.254
	ip -n "$I" route add default via 198.51.100.1
	ip netns exec "$R" sysctl -qw net.ipv4.ip_forward=1
	ip netns exec "$S" sysctl -qw net.ipv4.ip_forward=1

	vtun_dev "$S"
	addr_add "$S" vtun0 10.9.0.1/32
	ip -n "$S" route add 10.9.0.2/32 dev vtun0
	vtunctl_in "$S" peer add vtun0 id 1 endpoint 203.0.113.2:4500
	vtunctl_in "$S" route add vtun0 10.9.0.2/32 peer 1
	vtunctl_in "$S" sa add vtun0 peer 1 dir in spi 0x900 aead "$AEAD" $K_CS 128
	vtunctl_in "$S" sa add vtun0 peer 1 dir out spi 0x901 aead "$AEAD" $K_SC 128

	vtun_dev "$C"
	addr_add "$C" vtun0 10.9.0.2/32
	vtunctl_in "$C" peer add vtun0 id 1 endpoint 192.0.2.1:4500
	vtunctl_in "$C" route add vtun0 0.0.0.0/0 peer 1
	vtunctl_in "$C" sa add vtun0 peer 1 dir out spi 0x900 aead "$AEAD" $K_CS 128
	vtunctl_in "$C" sa add vtun0 peer 1 dir in spi 0x901 aead "$AEAD" $K_SC 128
	# The web server sees the client as 10.9.0.2: route it back via S.
	ip -n "$I" route add 10.9.0.0/24 via 198.51.100.1
}

# The naive full tunnel: everything, the server's address included, into
# vtun0. The outer route points into the tunnel: dropped and counted.
naive_loop() {
	local before
	ip -n "$C" route replace default dev vtun0 src 10.9.0.2
	before=$(vstat "$C" vtun0 tx_loop)
	expect_fail timeout 10 ip netns exec "$C" ping -q -c 3 -i 0.2 -W 1 198.51.100.7
	assert_range $((before + 3)) "$(vstat "$C" vtun0 tx_loop)" $((before + 10)) "tx_loop"
	ip -n "$C" route replace default via 203.0.113.1
}

# wg-quick's recipe: outer packets carry the mark and use the main table,
# everything else goes to a table whose default is the tunnel.
fwmark_policy() {
	vtunctl_in "$C" set vtun0 fwmark 0x51
	assert_eq 81 "$(vtunctl_in "$C" show vtun0 -j | jq '.[0].fwmark')" "fwmark"
	ip -n "$C" route add default dev vtun0 src 10.9.0.2 table 51
	ip -n "$C" rule add not fwmark 0x51 table 51 priority 100
	ip -n "$C" rule add table main suppress_prefixlength 0 priority 99
	ip netns exec "$C" ping -q -c 3 -i 0.2 -W 2 198.51.100.7
	assert_range 3 "$(peer_stat "$S" vtun0 1 rx_packets)" 1000 "server rx from the client"
	ip -n "$C" rule del priority 99
	ip -n "$C" rule del priority 100
	ip -n "$C" route del default table 51
	vtunctl_in "$C" set vtun0 fwmark 0
}

# The same recipe behind a smaller link (R to S at 1280 bytes): the
# router's "fragmentation needed" must update the path MTU of the route
# the marked outer packets take, so that vtun learns it and tells the
# inner sender. Unmarked, the kernel put it on table 51's route into the
# tunnel, and every large DF packet vanished (issue 14, item 4).
fwmark_pmtu() {
	local tb
	vtunctl_in "$C" set vtun0 fwmark 0x51
	ip -n "$C" route add default dev vtun0 src 10.9.0.2 table 51
	ip -n "$C" rule add not fwmark 0x51 table 51 priority 100
	ip -n "$C" rule add table main suppress_prefixlength 0 priority 99
	ip -n "$R" link set s0 mtu 1280
	ip -n "$S" link set pub0 mtu 1280
	ip netns exec "$C" ping -q -c 1 -W 2 198.51.100.7
	tb=$(vstat "$C" vtun0 tx_too_big)
	# too big for the 1280-byte link: R answers with its MTU
	ip netns exec "$C" ping -q -c 1 -M "do" -s 1300 -W 2 198.51.100.7 || true
	wait_for 10 outer_pmtu_learnt
	# vtun notes the new MTU when it next sends: that packet goes out
	# fragmented (36-security-review, item 9), the one after is refused.
	ip netns exec "$C" ping -q -c 1 -M "do" -s 1300 -W 2 198.51.100.7 || true
	capture ip netns exec "$C" ping -c 1 -M "do" -s 1300 -W 2 198.51.100.7
	assert_ne 0 "$RC" "a DF packet too big for the path"
	assert_eq $((tb + 1)) "$(vstat "$C" vtun0 tx_too_big)" "refused by vtun with its MTU"
	# 1280 - IPv4 - UDP - ESP (header, IV, trailer, ICV): 1218 inside
	ip netns exec "$C" ping -q -c 1 -M "do" -s $((1218 - 28)) -W 2 198.51.100.7
	ip -n "$R" link set s0 mtu 1500
	ip -n "$S" link set pub0 mtu 1500
	ip -n "$C" route flush cache
	ip -n "$C" rule del priority 99
	ip -n "$C" rule del priority 100
	ip -n "$C" route del default table 51
	vtunctl_in "$C" set vtun0 fwmark 0
}

# The outer route that marked packets take has R's MTU in its cache.
outer_pmtu_learnt() {
	ip -n "$C" route get 192.0.2.1 mark 0x51 | grep -q 'mtu 1280'
}

# The other way: the tunnel is the preferred default, but outer packets
# may only leave through pub0, where the router's default applies.
bind_underlay() {
	local rx
	ip -n "$C" route del default
	ip -n "$C" route add default dev vtun0 src 10.9.0.2 metric 1
	ip -n "$C" route add default via 203.0.113.1 dev pub0 metric 100
	vtunctl_in "$C" set vtun0 bind-dev pub0
	rx=$(peer_stat "$S" vtun0 1 rx_packets)
	ip netns exec "$C" ping -q -c 3 -i 0.2 -W 2 198.51.100.7
	assert_range $((rx + 3)) "$(peer_stat "$S" vtun0 1 rx_packets)" 1000 "server rx"
	expect_fail vtunctl_in "$C" set vtun0 bind-dev nosuch0
	vtunctl_in "$C" set vtun0 bind-dev none
	ip -n "$C" route del default dev vtun0
}

run_test "setup: client, router, VPN server and a web server" setup
run_test "default route into the tunnel alone: loop detected and dropped" naive_loop
run_test "fwmark policy routing keeps the server route outside" fwmark_policy
run_test "with fwmark policy routing, the underlay's path MTU reaches the inner sender" \
	fwmark_pmtu
if "$VTUNCTL" set help 2>&1 | grep -q bind-dev; then
	run_test "binding outer packets to the underlay device" bind_underlay
else
	skip "binding outer packets to the underlay device" "vtunctl has no bind-dev yet"
fi
tap_done
