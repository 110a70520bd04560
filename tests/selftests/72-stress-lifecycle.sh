#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Lifecycle stress: vtun devices created, configured (one DEV_SETCONF),
# used and deleted over and over in several namespaces at once
# (tests/fuzz/lifecycle.py: rtnetlink and generic netlink without process
# starts); SAs replaced as fast as possible while every CPU floods the
# tunnel, with crypto spread over CPUs (padata) or inline, completing at
# once or asynchronously (force_async_crypto); namespaces deleted while
# their devices are busy, the creating namespace of a moved device
# included; the module unloaded while devices exist and traffic flows, and
# loaded again. Afterwards nothing may be left: no device, module
# reference count 0, kernel memory back where it was (kmalloc and skb
# slab caches, per-CPU memory; with kmemleak, no leak report), and no
# splat (the harness checks the kernel log).
#
# VTUN_STRESS_CYCLES (default 1000: ~2 minutes under TCG on Debian's
# kernel) sets the number of create-to-delete cycles, spread over
# VTUN_STRESS_WORKERS namespaces (default 4); VTUN_STRESS_SECONDS (default
# 12) how long the SA replacement race runs.

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/topo.sh
. "$(dirname "$0")/../topo.sh"
require_root
require_cmd taskset

CYCLES=${VTUN_STRESS_CYCLES:-1000}
WORKERS=${VTUN_STRESS_WORKERS:-4}
RACE=${VTUN_STRESS_SECONDS:-12}
LC=$VTUN_REPO/tests/fuzz/lifecycle.py
PARAMS=/sys/module/vtun/parameters
CPUS=$(nproc)

lc() {	# NS ARGS...: lifecycle.py in a namespace
	ip netns exec "$1" "$PY" "$LC" "${@:2}"
}

# Active objects of the slab caches vtun's memory comes from (SLUB merges
# caches: kmalloc-* and the skb caches cover SAs, peers, routes, replay
# windows, per-packet crypto requests and packets), and per-CPU memory.
mem_snapshot() {
	awk '/^(kmalloc-|dma-kmalloc-|skbuff_)/ { print $1, $2 }' /proc/slabinfo
	awk '/^Percpu:/ { print "percpu_kb", $2 }' /proc/meminfo
}

# rx_moved NS DEV BEFORE: DEV counted more packets received than BEFORE.
rx_moved() {
	(($(vtunctl_in "$1" show "$2" -j | jq '.[0].stats.rx_packets') > $3))
}

# Let deferred frees happen: namespaces are dismantled by a worker, RCU
# callbacks run later. Then shrink every slab cache: SLUB counts the
# objects of each CPU's slabs (and partial slabs) as active, free or not,
# hundreds of them per cache; shrinking flushes those, so that
# /proc/slabinfo counts what is really allocated.
quiesce() {
	local i f
	for ((i = 0; i < 50; i++)); do
		[[ -z $(ip netns list) ]] || { sleep 0.2; continue; }
		break
	done
	sleep 3
	for f in /sys/kernel/slab/*/shrink; do
		echo 1 >"$f" 2>/dev/null || true
	done
}

setup() {
	vtun_load
	local ns
	ns=$(ns_new warm)
	# the first devices allocate what stays (workqueues, caches, crypto
	# algorithm instances): before the baseline
	lc "$ns" cycles 4
	ip netns del "$ns"
	quiesce
	mem_snapshot >"$TEST_TMP/mem.before"
}

parallel_cycles() {
	local i ns pids=() per=$(((CYCLES + WORKERS - 1) / WORKERS)) rc=0 start=$SECONDS
	for ((i = 0; i < WORKERS; i++)); do
		ns=$(ns_new "w$i")
		lc "$ns" cycles "$per" --tag "w$i" >"$TEST_TMP/w$i.out" 2>&1 &
		pids+=($!)
	done
	for i in "${!pids[@]}"; do
		wait "${pids[i]}" || rc=1
		sed 's/^/w'"$i"': /' "$TEST_TMP/w$i.out"
	done
	echo "# $((per * WORKERS)) cycles in $((SECONDS - start)) s over $WORKERS namespaces" >&2
	for ((i = 0; i < WORKERS; i++)); do
		ip netns del "${NS_PREFIX}w$i"
	done
	return $rc
}

# One pair, a flood on every CPU, SAs replaced meanwhile, and the crypto
# mode switched every second through all four combinations of inline or
# parallel (padata) and completing at once or asynchronously, with
# requests of the previous mode still in flight.
race_rekey() {
	local ns pids=() cpu rc=0 t modes=("N N" "Y N" "N Y" "Y Y") m
	ns=$(ns_new r)
	lc "$ns" pair --dev-a ra --dev-b rb
	for ((cpu = 0; cpu < CPUS; cpu++)); do
		ip netns exec "$ns" taskset -c "$cpu" "$PY" "$LC" flood "$RACE" --dev ra \
			>"$TEST_TMP/flood$cpu.out" 2>&1 &
		pids+=($!)
	done
	lc "$ns" rekey "$RACE" --dev-a ra --dev-b rb >"$TEST_TMP/rekey.out" 2>&1 &
	pids+=($!)
	for ((t = 0; t < RACE; t++)); do
		read -r -a m <<<"${modes[t % 4]}"
		echo "${m[0]}" >"$PARAMS/parallel_crypto"
		echo "${m[1]}" >"$PARAMS/force_async_crypto"
		sleep 1
	done
	wait "${pids[@]}" || rc=1
	echo Y >"$PARAMS/parallel_crypto"
	echo N >"$PARAMS/force_async_crypto"
	cat "$TEST_TMP"/flood*.out "$TEST_TMP/rekey.out"
	((rc == 0))
	# still works with the SAs it ended with
	local before after
	before=$(vtunctl_in "$ns" show rb -j | jq '.[0].stats.rx_packets')
	lc "$ns" flood 1 --dev ra >/dev/null
	# (delivery may lag behind the flood: parallel crypto)
	wait_for 20 rx_moved "$ns" rb "$before"
	after=$(vtunctl_in "$ns" show rb -j | jq '.[0].stats.rx_packets')
	assert_range $((before + 1)) "$after" 100000000 "rx_packets after the race"
	# and goes away with packets in flight, asynchronous ones too
	echo Y >"$PARAMS/force_async_crypto"
	lc "$ns" flood 3 --dev ra >/dev/null &
	sleep 1
	ip -n "$ns" link del ra
	ip -n "$ns" link del rb
	wait $! || true
	echo N >"$PARAMS/force_async_crypto"
	ip netns del "$ns"
}

# Devices busy in a namespace whose last process is killed: it is
# dismantled with packets in the crypto layer.
netns_under_load() {
	local ns pids=() cpu
	echo Y >"$PARAMS/force_async_crypto"
	on_exit sh -c "echo N >$PARAMS/force_async_crypto"
	ns=$(ns_new d)
	lc "$ns" pair --dev-a da --dev-b db
	for ((cpu = 0; cpu < CPUS; cpu++)); do
		ip netns exec "$ns" taskset -c "$cpu" "$PY" "$LC" flood 30 --dev da >/dev/null 2>&1 &
		pids+=($!)
	done
	lc "$ns" chaos 30 --tag dc >/dev/null 2>&1 &
	pids+=($!)
	sleep 3
	ip netns del "$ns"
	kill -KILL "${pids[@]}"
	wait "${pids[@]}" 2>/dev/null || true
	echo N >"$PARAMS/force_async_crypto"
}

# A device moved out of the namespace it was created in (its sockets stay
# there): that namespace goes away under traffic, then the device's own.
creating_netns_deleted() {
	local c e f pid
	c=$(ns_new c)
	e=$(ns_new e)
	f=$(ns_new f)
	site_pair "$c" "$f"
	sa_pair "$c" "$f" "$KEY128_AB" "$KEY128_BA" 128
	ip netns exec "$c" ping -q -c 1 -W 2 10.2.0.1
	ip -n "$c" link set vtun0 netns "$e"
	ip -n "$e" link set vtun0 up
	ip -n "$e" addr add 10.1.0.1/32 dev vtun0
	ip -n "$e" route add 10.2.0.0/16 dev vtun0
	ip netns exec "$e" ping -q -c 1 -W 2 10.2.0.1
	ip netns exec "$e" ping -q -f -w 6 10.2.0.1 >/dev/null 2>&1 &
	pid=$!
	ip netns exec "$f" ping -q -f -w 6 10.1.0.1 >/dev/null 2>&1 &
	sleep 2
	ip netns del "$c"
	sleep 1
	# no underlay any more: the device stays, carrier off, still answers
	vtunctl_in "$e" show vtun0 -j | jq -e '.[0].peers | length == 1' >/dev/null
	expect_fail vtunctl_in "$e" set vtun0 listen-port 4600
	wait "$pid" || true
	ip netns del "$e"
	ip netns del "$f"
}

# rmmod while devices exist in several namespaces and packets flow.
rmmod_under_load() {
	local i ns pids=() tries
	for ((i = 0; i < 2; i++)); do
		ns=$(ns_new "m$i")
		lc "$ns" pair --dev-a "ma$i" --dev-b "mb$i"
		ip netns exec "$ns" "$PY" "$LC" flood 20 --dev "ma$i" >/dev/null 2>&1 &
		pids+=($!)
		lc "$ns" chaos 20 --tag "mc$i" >/dev/null 2>&1 &
		pids+=($!)
	done
	sleep 3
	for ((tries = 0; tries < 50; tries++)); do
		modprobe -r vtun 2>"$TEST_TMP/rmmod.err" && break
		sleep 0.1	# a netlink dump in progress holds the module
	done
	((tries < 50)) || fail "modprobe -r vtun: $(cat "$TEST_TMP/rmmod.err")"
	# The chaos workers' next "ip link add ... type vtun" loads it again
	# (rtnl asks modprobe for rtnl-link-vtun): that race is part of the
	# test. The devices from before the unload are gone either way.
	kill "${pids[@]}" 2>/dev/null
	wait "${pids[@]}" 2>/dev/null || true
	for ((i = 0; i < 2; i++)); do
		assert_eq "" "$(ip -n "${NS_PREFIX}m$i" -o link show dev "ma$i" 2>/dev/null)" \
			"ma$i after the unload"
	done
	vtun_unload
	for ((i = 0; i < 2; i++)); do
		ip netns del "${NS_PREFIX}m$i"
	done
	# back, and working
	modprobe vtun
	ns=$(ns_new back)
	lc "$ns" cycles 3 --tag bk
	ip netns del "$ns"
}

nothing_left() {
	# Up to one object per two cycles (at least 256) more per cache: a
	# per-cycle leak shows, while the kernel's own drift in the caches vtun
	# shares (kmalloc-32 grew by up to ~390 over 1000 cycles here, with
	# kmemleak on the debug kernel finding nothing) does not fail the run.
	# Smaller leaks are kmemleak's to find (make check-debug).
	local ref line name before after delta bad=0 tol=$((CYCLES / 2 > 256 ? CYCLES / 2 : 256))
	quiesce
	assert_eq "" "$(ip -o link show type vtun)" "vtun devices"
	ref=$(awk '$1 == "vtun" { print $3 }' /proc/modules)
	assert_eq 0 "$ref" "vtun module reference count"
	vtun_unload
	quiesce
	mem_snapshot >"$TEST_TMP/mem.after"
	while read -r name before; do
		after=$(awk -v n="$name" '$1 == n { print $2 }' "$TEST_TMP/mem.after")
		delta=$(( ${after:-0} - before ))
		if [[ $name == percpu_kb ]]; then
			((delta <= 512)) || { echo "per-CPU memory: +$delta kB"; bad=1; }
		elif ((delta > tol)); then
			echo "$name: +$delta objects (tolerance $tol)"
			bad=1
		fi
	done <"$TEST_TMP/mem.before"
	if [[ -w /sys/kernel/debug/kmemleak ]]; then
		echo scan >/sys/kernel/debug/kmemleak
		sleep 5
		echo scan >/sys/kernel/debug/kmemleak
		if grep -q 'vtun' /sys/kernel/debug/kmemleak; then
			head -n 60 /sys/kernel/debug/kmemleak
			bad=1
		fi
	fi
	((bad == 0))
}

run_test "setup: module loaded, memory baseline after a warm-up" setup
run_test "$CYCLES create-configure-traffic-delete cycles in $WORKERS namespaces at once" parallel_cycles
run_test "SAs replaced under a flood on every CPU, crypto mode switched every second" race_rekey
run_test "a namespace dismantled with its devices busy" netns_under_load
run_test "the creating namespace of a moved device deleted under traffic" creating_netns_deleted
run_test "vtun unloaded with devices in use in two namespaces, loaded again" rmmod_under_load
run_test "nothing left: devices, module references, memory" nothing_left
tap_done
