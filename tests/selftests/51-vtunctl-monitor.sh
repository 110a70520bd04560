#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vtunctl monitor: events of the vtun family as they happen. Peers, routes
# and SAs added, changed and deleted show up in order, in text and JSON;
# DEV filters by device; a roaming peer's new endpoint is announced; an SA
# with packet limits on a live tunnel announces a soft, then a hard expiry
# and is gone; SIGINT and SIGTERM end the monitor with exit 0; listening
# needs CAP_NET_ADMIN.
#
# Grammar under test: vtunctl monitor [DEV] [-j]; sa add ... limit LIMIT N

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/topo.sh
. "$(dirname "$0")/../topo.sh"
require_root
require_cmd jq setpriv

require_vtunctl

NS=$(ns_new mon) || exit 1
KEY=0x0123456789abcdef0123456789abcdef01020304

vt() {
	ip netns exec "$NS" "$VTUNCTL" "$@"
}

# monitor_start NS LOG [ARGS...]: vtunctl monitor ARGS in NS, its output in
# LOG; returns once it listens (a probe peer's deletion on PROBE_DEV shows
# up), with its pid in MON_PID.
monitor_start() {
	local ns=$1 log=$2
	shift 2
	ip netns exec "$ns" "$VTUNCTL" monitor "$@" >"$log" 2>"$log.err" &
	MON_PID=$!
	on_exit kill "$MON_PID"
	wait_for 20 monitor_probe "$ns" "$log"
}

monitor_probe() {	# NS LOG
	vtunctl_in "$1" peer add "$PROBE_DEV" id 4000000000 2>/dev/null
	vtunctl_in "$1" peer del "$PROBE_DEV" id 4000000000
	grep -q '4000000000' "$2"
}

# monitor_stop SIGNAL: the monitor exits 0.
monitor_stop() {
	local rc=0
	kill "-$1" "$MON_PID"
	wait "$MON_PID" || rc=$?
	assert_eq 0 "$rc" "exit status of monitor after SIG$1"
}

# events LOG: the log without the probe's events
events() {
	grep -v 4000000000 "$1" || true
}

setup() {
	ip -n "$NS" link add vtun0 type vtun
	ip -n "$NS" link add vtun1 type vtun
}

test_config_events() {
	local log=$TEST_TMP/text.log want
	PROBE_DEV=vtun0 monitor_start "$NS" "$log"
	vt peer add vtun0 id 1 endpoint 192.0.2.2:4500 keepalive 25
	vt peer set vtun0 id 1 pin-endpoint
	vt route add vtun0 10.2.0.0/16 peer 1
	vt sa add vtun0 peer 1 dir out spi 0x1000 aead "$AEAD" $KEY 128 \
		limit time-soft 3600 limit time-hard 3900
	vt sa del vtun0 dir out spi 0x1000
	vt route del vtun0 10.2.0.0/16
	vt peer del vtun0 id 1
	wait_for 10 grep -q 'peer del 1$' "$log"
	want="vtun0: peer add 1 endpoint 192.0.2.2:4500 keepalive 25s
vtun0: peer set 1 endpoint 192.0.2.2:4500 keepalive 25s pin-endpoint
vtun0: route add 10.2.0.0/16 peer 1
vtun0: sa add spi 0x00001000 dir out peer 1 rfc4106(gcm(aes)) 128-bit icv 128 seq 0 limit time-soft 3600 time-hard 3900
vtun0: sa del spi 0x00001000 dir out peer 1
vtun0: route del 10.2.0.0/16 peer 1
vtun0: peer del 1"
	assert_eq "$want" "$(events "$log")" "monitor output"
	monitor_stop INT
	assert_eq "" "$(<"$log.err")" "monitor stderr"
}

test_json_events() {
	local log=$TEST_TMP/json.log
	PROBE_DEV=vtun0 monitor_start "$NS" "$log" -j
	vt peer add vtun0 id 2 endpoint '[2001:db8::2]:4500'
	vt route add vtun0 fd02::/64 peer 2
	vt sa add vtun0 peer 2 dir in spi 0x2000 aead "$AEAD" $KEY 96 limit packet-hard 100
	vt peer del vtun0 id 2
	wait_for 10 grep -q '"peer_del"' "$log"
	events "$log" | jq -e . >/dev/null || fail "not JSON, one object per line: $(<"$log")"
	assert_eq '["peer_add","route_add","sa_add","peer_del"]' \
		"$(events "$log" | jq -s -c 'map(.event)')" "events"
	assert_eq '{"ifname":"vtun0","id":2,"endpoint":"[2001:db8::2]:4500"}' \
		"$(events "$log" | jq -s -c '.[0] | {ifname, id: .peer.id, endpoint: .peer.endpoint}')" "peer_add"
	assert_eq '{"peer_id":2,"prefix":"fd02::/64"}' \
		"$(events "$log" | jq -s -c '.[1].route')" "route_add"
	assert_eq '{"peer_id":2,"spi":8192,"dir":"in","icv_bits":96,"hard_packets":100}' \
		"$(events "$log" | jq -s -c '.[2].sa | {peer_id, spi, dir, icv_bits, hard_packets: .lifetime.hard_packets}')" "sa_add"
	events "$log" | jq -s -e '.[0] | has("event", "ifname", "ifindex", "peer")' >/dev/null
	monitor_stop TERM
}

test_dev_filter() {
	local log=$TEST_TMP/filter.log
	PROBE_DEV=vtun1 monitor_start "$NS" "$log" vtun1
	vt peer add vtun0 id 3
	vt peer add vtun1 id 3
	vt peer del vtun0 id 3
	vt peer del vtun1 id 3
	wait_for 10 grep -q 'peer del 3$' "$log"
	assert_eq "vtun1: peer add 3 endpoint (none) keepalive off
vtun1: peer del 3" "$(events "$log")" "events of vtun1 only"
	monitor_stop INT
}

test_unprivileged() {
	capture ip netns exec "$NS" "${UNPRIVILEGED[@]}" "$VTUNCTL" monitor
	assert_eq 1 "$RC" "exit status"
	assert_match '^vtunctl: cannot listen to vtun events: Operation not permitted \(CAP_NET_ADMIN required\)$' \
		"$ERR" "stderr"
}

# Two sites; A's view of B's endpoint is wrong until B's packets arrive
# from where B really is.
test_roaming() {
	local log=$TEST_TMP/roam.log
	A=$(ns_new a) && B=$(ns_new b)
	site_pair "$A" "$B"
	sa_pair "$A" "$B" "$KEY128_AB" "$KEY128_BA" 128
	PROBE_DEV=vtun0 monitor_start "$A" "$log"
	vtunctl_in "$A" peer set vtun0 id 1 endpoint 192.0.2.99:4500
	ip netns exec "$B" ping -q -c 2 -i 0.2 -W 2 10.1.0.1
	wait_for 10 grep -q 'peer 1 endpoint 192.0.2.2:4500$' "$log"
	assert_eq "vtun0: peer set 1 endpoint 192.0.2.99:4500 keepalive off
vtun0: peer 1 endpoint 192.0.2.2:4500" "$(events "$log")" "events"
	monitor_stop TERM
	ip netns del "$A"
	ip netns del "$B"
}

# Both directions of a live tunnel with packet limits 5 (soft) and 10
# (hard): A's outbound SA announces a soft, then a hard expiry, and is
# deleted; the tunnel stops carrying traffic.
test_lifetime() {
	local log=$TEST_TMP/expire.log jlog=$TEST_TMP/expire.json out
	A=$(ns_new a2) && B=$(ns_new b2)
	site_pair "$A" "$B"
	sa_pair "$A" "$B" "$KEY128_AB" "$KEY128_BA" 128 \
		limit packet-soft 5 limit packet-hard 10
	PROBE_DEV=vtun0 monitor_start "$A" "$log"
	local mon=$MON_PID
	PROBE_DEV=vtun0 monitor_start "$A" "$jlog" -j
	ip netns exec "$A" ping -q -c 4 -i 0.1 -W 1 10.2.0.1
	assert_no_match 'expire' "$(<"$log")" "no expiry after 4 packets"
	assert_match '      add [0-9]+s ago, used [0-9]+s ago, limit packet-soft 5 packet-hard 10'$'\n' \
		"$(vtunctl_in "$A" show vtun0)" "show"
	ip netns exec "$A" ping -q -c 2 -i 0.1 -W 1 10.2.0.1
	wait_for 10 grep -q 'sa expire soft (packets) spi 0x00001000 dir out peer 1$' "$log"
	assert_eq '"soft"' "$(vtunctl_in "$A" show vtun0 -j | jq -c '.[0].peers[0].sas[0].expire')" \
		"expire in show -j"
	assert_match 'packet-hard 10, expire soft'$'\n' "$(vtunctl_in "$A" show vtun0)" "show"
	ip netns exec "$A" ping -q -c 6 -i 0.1 -W 1 10.2.0.1 || true
	wait_for 10 grep -q 'sa expire hard (packets) spi 0x00001000 dir out peer 1$' "$log"
	out=$(events "$log" | grep 'dir out')
	assert_eq "vtun0: sa expire soft (packets) spi 0x00001000 dir out peer 1
vtun0: sa expire hard (packets) spi 0x00001000 dir out peer 1" "$out" "A's outbound SA expiry, in order"
	assert_eq '[]' "$(vtunctl_in "$A" show vtun0 -j | jq -c '[.[0].peers[0].sas[] | select(.dir == "out")]')" \
		"hard-expired SA gone from show"
	assert_no_match 'spi 0x00001000' "$(vtunctl_in "$A" show vtun0)" "show text"
	wait_for 10 grep -q '"hard"' "$jlog"
	assert_eq '{"peer_id":1,"spi":4096,"dir":"out","expire":"hard","reason":"packets","tx_packets":10}' \
		"$(events "$jlog" | jq -s -c '[.[] | select(.event == "sa_expire" and .sa.dir == "out")][1].sa | {peer_id, spi, dir, expire, reason, tx_packets: .stats.tx_packets}')" \
		"JSON hard expiry"
	expect_fail ip netns exec "$A" ping -q -c 1 -W 1 10.2.0.1
	monitor_stop INT
	MON_PID=$mon monitor_stop TERM
}

run_test "setup" setup
run_test "peer, route and SA changes appear in order" test_config_events
run_test "monitor -j: one JSON object per event" test_json_events
run_test "monitor DEV shows that device's events only" test_dev_filter
run_test "monitor needs CAP_NET_ADMIN" test_unprivileged
run_test "a roaming peer's new endpoint is announced" test_roaming
run_test "limit packet-soft 5 packet-hard 10: soft, then hard expiry" test_lifetime
tap_done
