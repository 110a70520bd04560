#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vtunctl -b FILE: many commands over one netlink socket. A batch of 1000
# peers, each with a route, and a few SAs; `show -j` lists every one of them
# (multi-part dumps); a failing line stops the batch with its line number,
# unless --force; commands from standard input; no leaks under valgrind.
#
# Grammar under test: vtunctl [-j] -b|--batch FILE|- [--force]

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/topo.sh
. "$(dirname "$0")/../topo.sh"
require_root
require_cmd jq

require_vtunctl

NS=$(ns_new batch) || exit 1
N=1000
KEY=0x0123456789abcdef0123456789abcdef01020304
# key_for N: the key of SA number N (a device refuses one key for two SAs).
key_for() {
	printf '0x%08x0123456789abcdef0123456701020304' "$1"
}

vt() {
	ip netns exec "$NS" "$VTUNCTL" "$@"
}

json() {	# DEV JQ-FILTER
	vt show "$1" -j | jq -e -c "$2"
}

setup() {
	ip -n "$NS" link add vtun0 type vtun
	ip -n "$NS" link add vtun1 type vtun
}

# N peers with a route each, and SAs for the first few, as one batch.
big_batch() {
	local i
	echo "# $N peers, each with a route; SAs for peers 1-4"
	for ((i = 1; i <= N; i++)); do
		echo "peer add vtun0 id $i endpoint 192.0.2.$((i % 250 + 1)):$((1024 + i))"
		echo "route add vtun0 10.$((i >> 8)).$((i & 255)).0/24 peer $i"
	done
	for ((i = 1; i <= 4; i++)); do
		echo "sa add vtun0 peer $i dir out spi $((0x1000 + i)) aead 'rfc4106(gcm(aes))' $(key_for $((0x1000 + i))) 128"
		echo "sa add vtun0 peer $i dir in spi $((0x2000 + i)) \\"
		echo "	aead \"rfc4106(gcm(aes))\" $(key_for $((0x2000 + i))) 128 replay-window 128	# continued"
	done
}

test_big_batch() {
	local start ms
	big_batch >"$TEST_TMP/big.batch"
	start=$(date +%s%N)
	vt -b "$TEST_TMP/big.batch"
	ms=$((($(date +%s%N) - start) / 1000000))
	echo "# batch of $((2 * N + 8)) commands: $ms ms" >&3
	assert_eq $N "$(json vtun0 '.[0].n_peers')" "n_peers"
	assert_eq 8 "$(json vtun0 '.[0].n_sas')" "n_sas"
}

test_show_lists_all() {
	local out
	out=$(vt show vtun0 -j)
	assert_eq $N "$(jq '.[0].peers | length' <<<"$out")" "peers listed"
	assert_eq $N "$(jq '[.[0].peers[].routes[]] | length' <<<"$out")" "routes listed"
	assert_eq 8 "$(jq '[.[0].peers[].sas[]] | length' <<<"$out")" "SAs listed"
	assert_eq "[$(seq -s, 1 $N)]" "$(jq -c '[.[0].peers[].id]' <<<"$out")" "peer ids in order"
	assert_eq '["10.3.232.0/24"]' "$(jq -c '.[0].peers[999].routes' <<<"$out")" "route of peer 1000"
	assert_eq 128 "$(jq '.[0].peers[3].sas[1].replay_window' <<<"$out")" \
		"replay window of a continued line"
	assert_eq $N "$(vt show vtun0 | grep -c '^  peer ')" "peers in text"
}

# A failing line stops the batch: what came before stays, what follows
# never runs; the message names the line.
test_stops_at_failure() {
	cat >"$TEST_TMP/fail.batch" <<-EOF
		# comment, then a blank line

		peer add vtun1 id 1
		peer add vtun1 id 1
		peer add vtun1 id 2
	EOF
	capture vt -b "$TEST_TMP/fail.batch"
	assert_eq 1 "$RC" "exit status"
	assert_match '^vtunctl: line 4: .*File exists' "$ERR" "stderr"
	[[ $ERR != *$'\n'* ]] || fail "more than one line on stderr: $ERR"
	assert_eq '[1]' "$(json vtun1 '[.[0].peers[].id]')" "peers after the failed batch"
}

test_usage_error_in_batch() {
	printf 'peer add vtun1 id 7\npeer add vtun1 id 0\npeer add vtun1 id 8\n' \
		>"$TEST_TMP/usage.batch"
	capture vt -b "$TEST_TMP/usage.batch"
	assert_eq 1 "$RC" "exit status"
	assert_eq "vtunctl: line 2: peer id '0' out of range (1..4294967295)" "$ERR" "stderr"
	assert_eq '[1,7]' "$(json vtun1 '[.[0].peers[].id]')" "peers"
}

test_force() {
	capture vt --force -b "$TEST_TMP/fail.batch"
	assert_eq 1 "$RC" "exit status"
	assert_eq 2 "$(grep -c 'File exists' <<<"$ERR")" "two failures reported"
	assert_match '^vtunctl: line 3: ' "$ERR" "first failure"
	assert_eq '[1,2,7]' "$(json vtun1 '[.[0].peers[].id]')" "line 5 ran after the failures"
}

test_stdin_and_output() {
	local out
	out=$(printf 'peer del vtun1 id 7\n-j show vtun1\nshow vtun1 -j\n' |
	      vt -b - 2>&1) && fail "'-j' is no command: the batch should fail"
	assert_match "line 2: unknown command '-j'" "$out"
	out=$(printf 'show vtun1 -j\nshow vtun1 -j\n' | vt -b -)
	assert_eq 2 "$(jq -s length <<<"$out")" "two JSON documents, one per show"
	assert_eq '[1,2]' "$(jq -s -c '.[1][0].peers | map(.id)' <<<"$out")" "peers"
	out=$(printf 'show vtun1\n' | vt -j -b -)
	assert_eq '"vtun1"' "$(jq '.[0].ifname' <<<"$out")" "-j applies to the batch's commands"
}

test_batch_errors() {
	capture vt -b "$TEST_TMP/nonexistent"
	assert_eq 2 "$RC" "missing batch file: exit status"
	assert_match "^vtunctl: batch file .*nonexistent: No such file or directory$" "$ERR"
	capture vt -b "$TEST_TMP/fail.batch" show
	assert_eq 2 "$RC" "a command besides --batch: exit status"
	capture vt --force show
	assert_eq 2 "$RC" "--force without --batch: exit status"
	capture bash -c "printf 'peer add vtun1 id 9 endpoint \"1.2.3.4:5\n' | ip netns exec $NS $VTUNCTL -b -"
	assert_eq 1 "$RC" "unterminated quote: exit status"
	assert_eq "vtunctl: line 1: unterminated double quote" "$ERR"
}

test_valgrind() {
	printf 'peer add vtun1 id 20\nroute add vtun1 10.20.0.0/16 peer 20\n%s\nshow vtun1 -j\npeer add vtun1 id 20\npeer del vtun1 id 20\n' \
		"sa add vtun1 peer 20 dir out spi 0x20 aead 'rfc4106(gcm(aes))' $KEY 128" \
		>"$TEST_TMP/vg.batch"
	capture ip netns exec "$NS" valgrind --quiet --leak-check=full \
		--errors-for-leak-kinds=definite,possible --error-exitcode=99 \
		"$VTUNCTL" --force -b "$TEST_TMP/vg.batch"
	assert_eq 1 "$RC" "exit status (one line fails; 99: valgrind errors) (stderr: $ERR)"
	assert_match "line 5: .*File exists" "$ERR"
	assert_eq '[1,2]' "$(json vtun1 '[.[0].peers[].id]')" "peer 20 deleted by the last line"
}

exec 3>&1	# timings go to the log, past run_test
run_test "setup" setup
run_test "a batch of $N peers with routes, and SAs" test_big_batch
run_test "show -j lists all $N peers and routes" test_show_lists_all
run_test "a failing line stops the batch: line number, exit 1" test_stops_at_failure
run_test "a usage error stops the batch too" test_usage_error_in_batch
run_test "--force runs every line, exit 1" test_force
run_test "-b - reads standard input; show inside a batch" test_stdin_and_output
run_test "batch usage errors" test_batch_errors
if command -v valgrind >/dev/null; then
	run_test "a batch under valgrind: no leaks" test_valgrind
else
	skip "a batch under valgrind: no leaks" "valgrind missing"
fi
tap_done
