#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The netlink API against hostile requests (tests/fuzz/nlfuzz.py, a
# netlink encoder of its own): random and boundary variants of every
# command (attributes missing, repeated, too short or long, of the wrong
# type, unknown, read-only, nested garbage, deep nesting, bad device
# names and indexes, nonsense SPIs, keys of every wrong length, unknown
# commands); DEV_SETCONF with thousands of objects failing at the very
# end, in planning and after linking; and who may do what: a user without
# capabilities gets EPERM for everything (events included) and changes
# nothing, a user namespace's root may create and configure a vtun device
# in its own network namespace but cannot see or touch any other, nor
# hear their events. Every failure must leave the device as it was and
# come with an extack message; nothing may splat.
#
# VTUN_NLFUZZ_ITERATIONS (default 3000) random requests as root, a sixth
# of that as a user namespace's root; VTUN_NLFUZZ_SEED the random seed.

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/topo.sh
. "$(dirname "$0")/../topo.sh"
require_root
require_cmd jq unshare setpriv

ITER=${VTUN_NLFUZZ_ITERATIONS:-3000}
SEED=${VTUN_NLFUZZ_SEED:-$RANDOM}
NLFUZZ=$VTUN_REPO/tests/fuzz/nlfuzz.py
N=$(ns_new n) || exit 1
DEV0=vt$$x	# a device in the initial namespace
# nobody must be able to write its results somewhere
chmod 0777 "$TEST_TMP"

nlfuzz_in() {	# NS ARGS...: nlfuzz.py in a namespace ("" = initial)
	ns_exec "$1" "$PY" "$NLFUZZ" "${@:2}"
}

vt() {	# NS ARGS...: vtunctl in a namespace ("" = initial)
	ns_exec "$1" "$VTUNCTL" "${@:2}"
}

# A device with some of everything, so that requests meet real objects.
populate() {	# NS DEV
	vt "$1" peer add "$2" id 1 endpoint 192.0.2.2:4500 keepalive 25
	vt "$1" peer add "$2" id 2 endpoint '[2001:db8::2]:4500'
	vt "$1" peer add "$2" id 3
	vt "$1" route add "$2" 10.2.0.0/16 peer 1
	vt "$1" route add "$2" fd02::/64 peer 2
	vt "$1" route add "$2" 10.3.0.0/24 peer 3
	vt "$1" sa add "$2" peer 1 dir out spi $SPI_AB aead "$AEAD" "$KEY128_AB" 128
	vt "$1" sa add "$2" peer 1 dir in spi $SPI_BA aead "$AEAD" "$KEY128_BA" 128
	vt "$1" sa add "$2" peer 2 dir in spi 0x2001 aead "$AEAD" "$KEY256_BA" 96 \
		esn replay-window 1024 seq 0xfffffff0
	vt "$1" sa add "$2" peer 2 dir out spi 0x2002 aead "$AEAD" "$KEY256_AB" 64 \
		limit time-soft 3600 limit packet-hard 1000000
}

setup() {
	vtun_load
	vtun_dev "$N"
	populate "$N" vtun0
	# "vtunctl" bypasses nothing here: it only made the starting state.
}

fuzz_as_root() {
	echo "# seed $SEED"
	nlfuzz_in "$N" fuzz vtun0 --iterations "$ITER" --seed "$SEED"
}

# The bug this catches: a route's u16 family taken as its low byte (0x0102
# as AF_INET), with the address length only checked for the real values,
# made vtun read an IPv4/IPv6 address from an attribute too short for it.
route_family() {
	nlfuzz_in "$N" route-family vtun0
}

big_setconf() {
	local holder
	# Hold UDP port 4600 in the device's namespace: a setconf moving
	# there fails last, after all its peers, routes and SAs were linked.
	ip netns exec "$N" "$PY" -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 4600))
time.sleep(600)' &
	holder=$!
	on_exit kill $holder
	wait_for 10 sh -c "ip netns exec $N ss -Hlun 'sport = :4600' | grep -q ."
	nlfuzz_in "$N" setconf vtun0 --objects "${VTUN_NLFUZZ_OBJECTS:-3000}" --busy-port 4600
	kill $holder
	populate "$N" vtun0
}

# Without CAP_NET_ADMIN: refused, events too, and nothing changes.
unprivileged() {
	local before
	ip link add "$DEV0" type vtun
	on_exit ip link del "$DEV0"
	populate "" "$DEV0"
	before=$("$VTUNCTL" show "$DEV0" -j | jq -S 'del(.. | .stats?, .add_secs?, .use_secs?)')
	run_unprivileged "$PY" "$NLFUZZ" denied "$DEV0"
	ip netns exec "$N" "${UNPRIVILEGED[@]}" "$PY" "$NLFUZZ" denied vtun0
	# a user namespace of its own, still in the initial network namespace
	run_unprivileged unshare -Ur "$PY" "$NLFUZZ" denied "$DEV0"
	assert_eq "$before" "$("$VTUNCTL" show "$DEV0" -j |
		jq -S 'del(.. | .stats?, .add_secs?, .use_secs?)')" "device after the refusals"
}

# The root of an unprivileged user namespace, in a network namespace it
# owns: its own device works, fuzzing it breaks nothing, other devices
# (ifindexes of the initial and of another namespace) do not exist for it
# and their events do not reach it.
userns_root() {
	local ifx0 ifxn script=$TEST_TMP/userns.sh
	command -v unshare >/dev/null
	ifx0=$(cat "/sys/class/net/$DEV0/ifindex")
	ifxn=$(ip netns exec "$N" cat /sys/class/net/vtun0/ifindex)
	# its own device is index 77 in its own namespace
	assert_ne 77 "$ifx0" "ifindex of $DEV0"
	assert_ne 77 "$ifxn" "ifindex of $N's vtun0"
	cat >"$script" <<-EOF
		set -e
		ip link set lo up
		ip link add vtun0 index 77 type vtun
		ip link set vtun0 up
		$VTUNCTL peer add vtun0 id 1 endpoint 192.0.2.2:4500
		$VTUNCTL route add vtun0 10.2.0.0/16 peer 1
		$VTUNCTL sa add vtun0 peer 1 dir out spi 0x1000 aead '$AEAD' $KEY128_AB 128
		$VTUNCTL sa add vtun0 peer 1 dir in spi 0x2000 aead '$AEAD' $KEY128_BA 128
		$VTUNCTL show -j | jq -e 'length == 1 and .[0].ifname == "vtun0"' >/dev/null
		timeout 20 $VTUNCTL monitor >$TEST_TMP/userns-events.txt 2>&1 &
		# it listens once a probe peer's deletion shows up
		for i in \$(seq 100); do
			$VTUNCTL peer add vtun0 id 4000000000 2>/dev/null || true
			$VTUNCTL peer del vtun0 id 4000000000
			! grep -q 4000000000 $TEST_TMP/userns-events.txt || break
			sleep 0.1
		done
		grep -q 4000000000 $TEST_TMP/userns-events.txt
		echo started >$TEST_TMP/userns-monitor
		$PY $NLFUZZ foreign $ifx0 $ifxn --name $DEV0
		$PY $NLFUZZ fuzz vtun0 --iterations $((ITER / 6)) --seed $((SEED + 1))
		wait
	EOF
	: >"$TEST_TMP/userns-events.txt"
	chmod 0666 "$TEST_TMP/userns-events.txt"
	run_unprivileged unshare -Ur -n bash "$script" &
	local job=$!
	wait_for 60 test -e "$TEST_TMP/userns-monitor"
	# events in the initial and another namespace: none may reach it
	"$VTUNCTL" peer add "$DEV0" id 99
	"$VTUNCTL" peer del "$DEV0" id 99
	vtunctl_in "$N" peer add vtun0 id 99
	vtunctl_in "$N" peer del vtun0 id 99
	wait "$job"
	# its own fuzzing made events of its own device: only vtun0's, and
	# never one of ours (peer 99)
	if grep -Eq '(\bid 99\b|"id": ?99\b)' "$TEST_TMP/userns-events.txt"; then
		cat "$TEST_TMP/userns-events.txt"
		fail "a user namespace heard events of other namespaces"
	fi
}

run_test "setup: a device with peers, routes and SAs" setup
run_test "$ITER random and boundary requests: clean errors, no change on failure" fuzz_as_root
run_test "a route family matching AF_INET only in its low byte is refused" route_family
run_test "DEV_SETCONF of thousands of objects failing at the end changes nothing" big_setconf
run_test "without CAP_NET_ADMIN every command and the events are refused" unprivileged
run_test "a user namespace's root: own device only, blind to others" userns_root
tap_done
