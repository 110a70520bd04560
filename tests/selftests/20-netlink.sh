#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The "vtun" generic netlink family through vtunctl: listing devices,
# errors, permissions, network and user namespaces. Runs in the test VM.
#
# Grammar under test: vtunctl show [DEV] [-j]; on error a message on
# stderr and a non-zero exit status.

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
require_root
require_cmd jq unshare setpriv

require_vtunctl

NS=$(ns_new nl) || exit 1

vtunctl_ns() {	# vtunctl in the test namespace
	ip netns exec "$NS" "$VTUNCTL" "$@"
}

# json_ok TEXT: TEXT is one JSON document (not empty, not several).
json_ok() {
	[[ -n $1 ]] || fail "no JSON output"
	assert_eq 1 "$(jq -s length <<<"$1")" "number of JSON documents"
}

test_show_none() {
	capture vtunctl_ns show
	assert_eq 0 "$RC" "exit status of vtunctl show (stderr: $ERR)"
	assert_no_match 'vtun[0-9]' "$OUT" "output"
	capture vtunctl_ns show -j
	assert_eq 0 "$RC" "exit status of vtunctl show -j (stderr: $ERR)"
	json_ok "$OUT"
}

test_show_all() {
	ip -n "$NS" link add vtun0 type vtun
	ip -n "$NS" link add vtun1 type vtun
	local out
	out=$(vtunctl_ns show)
	assert_match '(^|[^[:alnum:]])vtun0([^[:alnum:]]|$)' "$out" "vtunctl show"
	assert_match '(^|[^[:alnum:]])vtun1([^[:alnum:]]|$)' "$out" "vtunctl show"
}

test_show_dev() {
	local out
	out=$(vtunctl_ns show vtun0)
	assert_match 'vtun0' "$out" "vtunctl show vtun0"
	assert_no_match 'vtun1' "$out" "vtunctl show vtun0"
}

test_show_dev_json() {
	local out
	out=$(vtunctl_ns show vtun0 -j)
	json_ok "$out"
	json_has_string "$out" vtun0 || fail "no \"vtun0\" in: $out"
	! json_has_string "$out" vtun1 || fail "\"vtun1\" in: $out"
}

test_show_all_json() {
	local out
	out=$(vtunctl_ns show -j)
	json_ok "$out"
	json_has_string "$out" vtun0 || fail "no \"vtun0\" in: $out"
	json_has_string "$out" vtun1 || fail "no \"vtun1\" in: $out"
}

test_no_such_dev() {
	expect_fail vtunctl_ns show nosuchdev
	[[ -n $ERR ]] || fail "nothing on stderr"
	assert_match '(nosuchdev|[Nn]o such)' "$ERR" "stderr"
}

test_not_vtun() {
	# lo exists, but is no vtun device.
	expect_fail vtunctl_ns show lo
	[[ -n $ERR ]] || fail "nothing on stderr"
}

test_unprivileged() {
	local what
	for what in "show" "show vtun0" "show vtun0 -j"; do
		# shellcheck disable=SC2086 # $what is the argument list
		expect_fail ip netns exec "$NS" "${UNPRIVILEGED[@]}" "$VTUNCTL" $what
		assert_match '([Pp]ermi|not permitted|EPERM)' "$ERR" "stderr of unprivileged vtunctl $what"
		assert_no_match 'vtun0' "$OUT" "stdout of unprivileged vtunctl $what"
	done
}

userns_possible() {
	run_unprivileged unshare -Ur -n true 2>/dev/null
}

test_userns() {
	# A device in the initial namespace that the container must not see.
	ip link add vtun-init0 type vtun
	on_exit ip link del vtun-init0
	# As nobody: root in a new user namespace owning a new network
	# namespace, like a container.
	# shellcheck disable=SC2016 # expanded by the inner shell
	capture run_unprivileged unshare -Ur -n sh -c '
		ip link add vtunu0 type vtun || exit 10
		"$1" show -j || exit 11
		"$1" show vtun-init0 2>/dev/null && exit 12
		exit 0' sh "$VTUNCTL"
	case $RC in
	0) ;;
	10) fail "userns root cannot create a vtun device: $ERR" ;;
	11) fail "userns root cannot list its own devices: $ERR" ;;
	12) fail "userns root sees vtun-init0 from the initial namespace" ;;
	*) fail "exit status $RC: $ERR" ;;
	esac
	json_ok "$OUT"
	json_has_string "$OUT" vtunu0 || fail "own device missing: $OUT"
	! json_has_string "$OUT" vtun-init0 || fail "sees vtun-init0: $OUT"
	! json_has_string "$OUT" vtun0 || fail "sees vtun0 of another namespace: $OUT"
}

test_genl_autoload() {
	local ns
	vtun_unload
	ns=$(ns_new auto)
	capture ip netns exec "$ns" "$VTUNCTL" show
	assert_eq 0 "$RC" "exit status of vtunctl show with vtun not loaded (stderr: $ERR)"
	vtun_loaded || fail "vtunctl show did not load vtun"
}

run_test "vtunctl show, no devices" test_show_none
run_test "vtunctl show lists every device" test_show_all
run_test "vtunctl show DEV shows DEV only" test_show_dev
run_test "vtunctl show DEV -j is JSON" test_show_dev_json
run_test "vtunctl show -j lists every device" test_show_all_json
run_test "vtunctl show nosuchdev fails with a message" test_no_such_dev
run_test "vtunctl show on a non-vtun device fails" test_not_vtun
run_test "vtunctl show without CAP_NET_ADMIN is refused" test_unprivileged
if userns_possible; then
	run_test "user namespace root sees only its own devices" test_userns
else
	skip "user namespace root sees only its own devices" "unprivileged user namespaces are disabled"
fi
run_test "vtunctl show loads vtun on demand (genl alias)" test_genl_autoload
tap_done
