#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Configuration requests that run without RTNL (PEER_NEW, ROUTE_NEW,
# SA_NEW) racing the deletion of their device, and of its namespace
# (issue 14, item 2). A peer added after the device was emptied for
# unregistering held it forever: "waiting for race0 to become free", and
# with it every later namespace cleanup and module load. Here: adders
# against a device created and deleted in a loop, then namespaces deleted
# while adders run in them, then the module is unloaded. Nothing may hang,
# every device must be gone, and the harness fails the run on a kernel
# splat (unregister_netdevice waiting included).

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/topo.sh
. "$(dirname "$0")/../topo.sh"
require_root

LC=$VTUN_REPO/tests/fuzz/lifecycle.py
SECS=${VTUN_STRESS_RACE_SECS:-20}

N=$(ns_new race) || exit 1

lc() {	# NS ARGS...: lifecycle.py in NS; a request that hangs fails it
	timeout -k 5 $((SECS + 120)) ip netns exec "$1" "$PY" "$LC" "${@:2}"
}

# No vtun device left anywhere (initial namespace included).
no_vtun_left() {
	local ns
	for ns in "" $(ip netns list | cut -d' ' -f1); do
		[[ -z $(ns_exec "$ns" ip -o link show type vtun 2>/dev/null) ]] || return 1
	done
}

device_churn() {
	local pids=() p rc=0
	vtun_load
	lc "$N" churn "$SECS" --dev race0 >"$TEST_TMP/churn.out" 2>&1 &
	pids+=($!)
	for p in 1 2 3; do
		lc "$N" adders "$SECS" --dev race0 --tag "a$p" >"$TEST_TMP/adders$p.out" 2>&1 &
		pids+=($!)
	done
	for p in "${pids[@]}"; do
		wait "$p" || rc=$?
	done
	cat "$TEST_TMP"/churn.out "$TEST_TMP"/adders*.out
	assert_eq 0 "$rc" "exit status of churn and adders (124: hung)"
	grep -q 'churn of race0: [1-9]' "$TEST_TMP/churn.out"
	grep -q 'adders on race0: [1-9]' "$TEST_TMP/adders1.out"
	timeout 60 ip -n "$N" link del race0 2>/dev/null || true
	wait_for 60 no_vtun_left
}

# Namespaces deleted while adders fill their device.
netns_churn() {
	local i ns pids p end=$((SECONDS + SECS))
	i=0
	while ((SECONDS < end)); do
		i=$((i + 1))
		ns=$(ns_new "racens$i")
		ip -n "$ns" link add race0 type vtun
		ip -n "$ns" link set race0 up
		pids=()
		for p in 1 2; do
			lc "$ns" adders 30 --dev race0 --tag "n$i$p" >/dev/null 2>&1 &
			pids+=($!)
		done
		sleep "0.$((RANDOM % 5))"
		# the namespace's cleanup must not wait on a device forever
		timeout 60 ip netns delete "$ns"
		for p in "${pids[@]}"; do
			kill "$p" 2>/dev/null || true
			wait "$p" 2>/dev/null || true
		done
	done
	echo "$i namespaces deleted under adders"
	((i >= 3))
	wait_for 60 no_vtun_left
}

# A device full of what the adders left, then rmmod.
unload_after() {
	lc "$N" adders 3 --dev race1 --tag u >/dev/null 2>&1 &
	ip -n "$N" link add race1 type vtun
	wait $! || true
	timeout 120 modprobe -r vtun
	! vtun_loaded
}

run_test "peer, route and SA adds racing a device created and deleted ($SECS s)" device_churn
run_test "namespaces deleted while adders run in them ($SECS s)" netns_churn
run_test "the module unloads afterwards" unload_after
tap_done
