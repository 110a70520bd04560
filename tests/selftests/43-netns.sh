#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Namespaces: a vtun device keeps its UDP socket in the namespace it was
# created in (its "birthplace", where the underlay is), so it can be moved
# into a container or VRF-like namespace and keep working. Deleting either
# namespace while traffic flows cleans up without leaks or warnings.
# Losing its birthplace leaves a device without carrier, like WireGuard.

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../topo.sh"
require_root
require_cmd jq

A=$(ns_new a)
B=$(ns_new b)
INSIDE=$(ns_new inside)

# Site A's tunnel is created next to the public link, then moved inside.
setup() {
	internet "$A" "$B"
	ip -n "$A" link add vtun0 type vtun
	ip -n "$A" link set vtun0 netns "$INSIDE"
	ip -n "$INSIDE" link set vtun0 up
	expect_fail vtunctl_in "$A" show vtun0
	vtun_dev "$B"
	addr_add "$INSIDE" vtun0 10.1.0.1/32
	addr_add "$B" vtun0 10.2.0.1/32
	ip -n "$INSIDE" route add 10.2.0.0/16 dev vtun0 src 10.1.0.1
	ip -n "$B" route add 10.1.0.0/16 dev vtun0 src 10.2.0.1
	vtunctl_in "$INSIDE" peer add vtun0 id 1 endpoint 192.0.2.2:4500
	vtunctl_in "$B" peer add vtun0 id 1 endpoint 192.0.2.1:4500
	vtunctl_in "$INSIDE" route add vtun0 10.2.0.0/16 peer 1
	vtunctl_in "$B" route add vtun0 10.1.0.0/16 peer 1
	# sa_pair works on the names $a/$b: the moved device is in $INSIDE
	sa_pair "$INSIDE" "$B" "$KEY128_AB" "$KEY128_BA" 128
}

moved_device_works() {
	ip netns exec "$INSIDE" ping -q -c 3 -i 0.2 -W 2 10.2.0.1
	ip netns exec "$B" ping -q -c 3 -i 0.2 -W 2 10.1.0.1
	# The socket stayed behind: A has the UDP port, INSIDE has none.
	[[ -n $(ip netns exec "$A" ss -Hlun 'sport = :4500') ]]
	[[ -z $(ip netns exec "$INSIDE" ss -Hlun 'sport = :4500') ]]
}

# flowing NS DEV TX0: DEV has sent ten packets more than TX0 (a flood is
# under way: what follows happens under traffic, not before it).
flowing() {
	(($(dev_stat "$1" "$2" tx_packets) >= $3 + 10))
}

# The device's namespace goes away under traffic: the device goes with it.
delete_device_netns() {
	local tx0
	tx0=$(dev_stat "$B" vtun0 tx_packets)
	ip netns exec "$B" ping -q -f -w 5 10.1.0.1 >/dev/null 2>&1 &
	local flood=$!
	wait_for 20 flowing "$B" vtun0 "$tx0"
	ip netns delete "$INSIDE"
	wait "$flood" || true
	# Its socket in A went with it.
	wait_for 5 test -z "$(ip netns exec "$A" ss -Hlun 'sport = :4500')"
}

# The birthplace goes away while the device lives on elsewhere: the
# device stays, without socket, and says so: no carrier.
delete_birthplace() {
	local inside2
	inside2=$(ns_new inside2)
	ip -n "$A" link add vtun1 type vtun
	ip -n "$A" link set vtun1 netns "$inside2"
	ip -n "$inside2" link set vtun1 up
	addr_add "$inside2" vtun1 10.1.0.1/32
	ip -n "$inside2" route add 10.2.0.0/16 dev vtun1
	vtunctl_in "$inside2" peer add vtun1 id 1 endpoint 192.0.2.2:4500
	vtunctl_in "$inside2" route add vtun1 10.2.0.0/16 peer 1
	vtunctl_in "$inside2" sa add vtun1 peer 1 dir out spi 0x5000 aead "$AEAD" "$KEY128_AB" 128
	assert_eq 1 "$(dev_attr "$inside2" vtun1 carrier)" "carrier before"
	local tx0
	tx0=$(dev_stat "$inside2" vtun1 tx_packets)
	ip netns exec "$inside2" ping -q -f -w 4 10.2.0.1 >/dev/null 2>&1 &
	local flood=$!
	wait_for 20 flowing "$inside2" vtun1 "$tx0"
	ip netns delete "$A"
	wait "$flood" || true
	assert_eq 0 "$(dev_attr "$inside2" vtun1 carrier)" "carrier after"
	expect_fail ip netns exec "$inside2" ping -q -c 2 -i 0.2 -W 1 10.2.0.1
	vtunctl_in "$inside2" show vtun1 >/dev/null
	ip netns delete "$inside2"
}

run_test "setup: a device created next to the underlay, moved inside" setup
run_test "the moved device carries traffic; its socket stays behind" moved_device_works
run_test "deleting the device's namespace under traffic" delete_device_netns
run_test "deleting the birthplace under traffic" delete_birthplace
tap_done
