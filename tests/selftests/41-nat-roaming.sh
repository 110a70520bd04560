#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A remote worker behind a home NAT joins the hub. The hub has no address
# for it until its first authenticated packet; keepalives hold the NAT
# mapping open; when the mapping changes, the hub follows the next
# authenticated packet (roaming), unless the endpoint is pinned.
#
#   worker 10.99.0.2 -- lan -- nat (masquerade) -- wan 192.0.2.100 -- hub 192.0.2.1
#   inner: worker 10.8.0.2, hub 10.8.0.1

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../topo.sh"
require_root
require_cmd nft conntrack jq

W=$(ns_new worker)
N=$(ns_new nat)
H=$(ns_new hub)
KEY_WH=0x6b6579206f6620746865207370656369616c310a
KEY_HW=0x6b6579206f6620746865207370656369616c320a

setup() {
	veth_pair "$W" lan0 10.99.0.2/24 "$N" lan0 10.99.0.1/24
	veth_pair "$N" wan0 192.0.2.100/24 "$H" pub0 192.0.2.1/24
	ip -n "$W" route add default via 10.99.0.1
	ip netns exec "$N" sysctl -qw net.ipv4.ip_forward=1
	masquerade

	vtun_dev "$W"
	addr_add "$W" vtun0 10.8.0.2/32
	ip -n "$W" route add 10.8.0.0/16 dev vtun0 src 10.8.0.2
	vtunctl_in "$W" peer add vtun0 id 1 endpoint 192.0.2.1:4500 keepalive 1
	vtunctl_in "$W" route add vtun0 10.8.0.0/16 peer 1
	vtunctl_in "$W" sa add vtun0 peer 1 dir out spi 0x700 aead "$AEAD" $KEY_WH 128
	vtunctl_in "$W" sa add vtun0 peer 1 dir in spi 0x701 aead "$AEAD" $KEY_HW 128

	vtun_dev "$H"
	addr_add "$H" vtun0 10.8.0.1/32
	ip -n "$H" route add 10.8.0.0/16 dev vtun0 src 10.8.0.1
	# the hub side of a road warrior: no endpoint, learnt from traffic
	vtunctl_in "$H" peer add vtun0 id 7
	vtunctl_in "$H" route add vtun0 10.8.0.2/32 peer 7
	vtunctl_in "$H" sa add vtun0 peer 7 dir in spi 0x700 aead "$AEAD" $KEY_WH 128
	vtunctl_in "$H" sa add vtun0 peer 7 dir out spi 0x701 aead "$AEAD" $KEY_HW 128
}

# masquerade [PORTS]: NAT everything leaving through wan0, optionally
# mapping source ports into a range, and forget every existing mapping.
masquerade() {
	local to=${1:+ to :$1}
	ip netns exec "$N" nft flush ruleset
	ip netns exec "$N" nft -f - <<EOF
table ip nat {
	chain post {
		type nat hook postrouting priority 100;
		oifname "wan0" meta l4proto udp masquerade$to
		oifname "wan0" masquerade
	}
}
EOF
	ip netns exec "$N" conntrack -F >/dev/null 2>&1 || true
}

hub_endpoint() {
	vtunctl_in "$H" show vtun0 -j | jq -r '.[0].peers[] | select(.id == 7) | .endpoint'
}

learn_endpoint() {
	local before
	before=$(vstat "$H" vtun0 tx_no_endpoint)
	# The hub cannot reach the worker before it has heard from it.
	expect_fail ip netns exec "$H" ping -q -c 1 -W 1 10.8.0.2
	assert_range $((before + 1)) "$(vstat "$H" vtun0 tx_no_endpoint)" 1000000 "tx_no_endpoint"
	assert_eq null "$(hub_endpoint)" "endpoint before"
	ip netns exec "$W" ping -q -c 3 -i 0.2 -W 2 10.8.0.1
	assert_match '^192\.0\.2\.100:[0-9]+$' "$(hub_endpoint)" "endpoint learnt"
}

hub_reaches_worker() {
	ip netns exec "$H" ping -q -c 3 -i 0.2 -W 2 10.8.0.2
}

# keepalives_seen TX RX: the worker sent, and the hub got, two keepalives
# more than TX and RX (left in KA_TX and KA_RX).
keepalives_seen() {
	KA_TX=$(vstat "$W" vtun0 tx_keepalives)
	KA_RX=$(vstat "$H" vtun0 rx_keepalives)
	((KA_TX >= $1 + 2 && KA_RX >= $2 + 2))
}

keepalives() {
	local rx tx start secs
	start=$SECONDS
	rx=$(vstat "$H" vtun0 rx_keepalives)
	tx=$(vstat "$W" vtun0 tx_keepalives)
	# Two go by (emulation under load may stretch the 1 s timer: wait,
	# rather than count what a fixed sleep caught) ...
	sleep 2
	wait_for 30 keepalives_seen "$tx" "$rx"
	# ... at one a second, not more: a second for each that went, give or
	# take the second started and those on the way.
	secs=$((SECONDS - start + 1))
	assert_range $((tx + 2)) "$KA_TX" $((tx + secs + 2)) "keepalives sent by the worker in $secs s"
	assert_range $((rx + 2)) "$KA_RX" $((rx + secs + 2)) "keepalives the hub got in $secs s"
}

rebinding() {
	local old new
	old=$(hub_endpoint)
	masquerade 30000-30100
	ip netns exec "$W" ping -q -c 3 -i 0.2 -W 2 10.8.0.1
	new=$(hub_endpoint)
	assert_match '^192\.0\.2\.100:30(0[0-9][0-9]|100)$' "$new" "endpoint after rebinding"
	assert_ne "$old" "$new" "endpoint"
	ip netns exec "$H" ping -q -c 3 -i 0.2 -W 2 10.8.0.2
}

pinned() {
	local old rx
	vtunctl_in "$H" peer set vtun0 id 7 pin-endpoint
	old=$(hub_endpoint)
	masquerade 31000-31100
	rx=$(peer_stat "$H" vtun0 7 rx_packets)
	# The hub accepts the packets but answers to the old, dead mapping.
	expect_fail ip netns exec "$W" ping -q -c 2 -i 0.2 -W 1 10.8.0.1
	assert_range $((rx + 2)) "$(peer_stat "$H" vtun0 7 rx_packets)" $((rx + 2)) "hub rx"
	assert_eq "$old" "$(hub_endpoint)" "pinned endpoint"
	vtunctl_in "$H" peer set vtun0 id 7 no-pin-endpoint
	ip netns exec "$W" ping -q -c 3 -i 0.2 -W 2 10.8.0.1
	assert_match '^192\.0\.2\.100:31(0[0-9][0-9]|100)$' "$(hub_endpoint)" "endpoint after unpinning"
}

run_test "setup: worker behind NAT, hub without its address" setup
run_test "the hub learns the worker's endpoint from its first packet" learn_endpoint
run_test "the hub reaches the worker through the NAT mapping" hub_reaches_worker
run_test "keepalives go out while idle, once a second" keepalives
run_test "NAT rebinding: the hub follows the new mapping" rebinding
run_test "a pinned endpoint does not follow; unpinned it does" pinned
tap_done
