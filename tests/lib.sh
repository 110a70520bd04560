# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# tests/lib.sh: what vtun's test scripts share. Source it first thing:
#
#	. "$(dirname "$0")/../lib.sh"
#
# Test points (TAP, see tests/tap.sh for how runners count them):
#	run_test NAME FUNC [ARG...]	run FUNC in a subshell with set -e: the
#					first failing command fails the test
#	ktest NAME CMD [ARG...]		the same for a single command
#	tap_result STATUS NAME		a test point from a status (0: ok),
#					with its diagnostics on stdin
#	skip NAME REASON		a test point that did not run
#	skip_all REASON			the whole script does not apply: exit
#	tap_done			print the plan; last line of a script
# A failing test prints "not ok", the command that failed, with its file and
# line, and everything the test wrote, as "# " lines. VTUN_VERBOSE=1 shows
# the output of passing tests too.
#
# Inside a test: assert_eq, assert_ne, assert_match, assert_no_match,
# assert_range, expect_fail, capture, wait_for, fail; tcpdump_stop.
# Namespaces: ns_new, veth_pair; everything named with the script's prefix
# is deleted when the script exits, even after a failure. Register other
# cleanups with on_exit CMD [ARG...] (never trap EXIT yourself).

VTUN_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VTUNCTL=${VTUNCTL:-$VTUN_REPO/tools/vtunctl/vtunctl}
TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/vtun-test.XXXXXX")
NS_PREFIX=vt$$-		# per script, so leftovers are easy to attribute

_tap_n=0
_tap_failed=0

# ---- test points ----

# run_test NAME CMD [ARG...]
run_test() {
	local name=$1 out=$TEST_TMP/test.out rc opts=$-
	shift
	# set -e must not be switched off around the subshell by "||" or "if":
	# then it would be ignored inside it too.
	set +e
	(
		set -eE -o pipefail
		# shellcheck disable=SC2030 # read by _tap_err in this subshell
		_tap_cmd="$*"
		# shellcheck disable=SC2030
		_tap_level=$BASH_SUBSHELL
		trap '_tap_err $? "$BASH_COMMAND" "$LINENO"' ERR
		"$@"
	) </dev/null >"$out" 2>&1
	rc=$?
	[[ $opts == *e* ]] && set -e
	tap_result "$rc" "$name" <"$out"
}

# tap_result STATUS NAME: print one test point, passed if STATUS is 0; its
# standard input (output of the test) goes along as "# " lines on failure.
tap_result() {
	local diag=/dev/stdin
	[[ -t 0 ]] && diag=/dev/null	# a terminal: nothing to read
	_tap_n=$((_tap_n + 1))
	if (($1 == 0)); then
		echo "ok $_tap_n - $2"
		[[ -z ${VTUN_VERBOSE:-} ]] && diag=/dev/null
	else
		_tap_failed=$((_tap_failed + 1))
		echo "not ok $_tap_n - $2"
	fi
	_tap_diag <"$diag"
	return 0
}

ktest() {
	run_test "$@"
}

# _tap_err STATUS COMMAND LINE, from the ERR trap: say where the test failed,
# in the test script rather than in this library (assertions fail here).
_tap_err() {
	local status=$1 cmd=$2 line=$3 i=1 in=
	# Inside $(...) too (errtrace): the test's own level says it once.
	# shellcheck disable=SC2031
	((BASH_SUBSHELL == _tap_level)) || return 0
	while [[ ${BASH_SOURCE[i]} == "${BASH_SOURCE[0]}" ]] && ((i + 1 < ${#BASH_SOURCE[@]})); do
		[[ ${FUNCNAME[i]} == run_test ]] || in=${FUNCNAME[i]}
		line=${BASH_LINENO[i]}
		i=$((i + 1))
	done
	# shellcheck disable=SC2031 # set in this same subshell by run_test
	[[ $cmd == '"$@"' ]] && cmd=$_tap_cmd	# ktest's own command
	if [[ $cmd == return* ]]; then	# fail or a failing function returned
		echo "failed at ${BASH_SOURCE[i]##*/}:$line" >&2
	elif [[ -n $in && $in != ktest ]]; then
		echo "failed in $in at ${BASH_SOURCE[i]##*/}:$line" >&2
	else
		echo "failed (exit $status) at ${BASH_SOURCE[i]##*/}:$line: $cmd" >&2
	fi
}

_tap_diag() {
	sed 's/^/# /'
}

skip() {
	_tap_n=$((_tap_n + 1))
	echo "ok $_tap_n - $1 # SKIP ${2:-}"
}

skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}

# Print the plan; the script's exit status says whether all passed.
tap_done() {
	echo "1..$_tap_n"
	((_tap_failed == 0))
}

# ---- assertions, for use inside a test ----

fail() {
	echo "$*" >&2
	return 1
}

assert_eq() {	# EXPECTED ACTUAL [WHAT]
	[[ $1 == "$2" ]] || fail "${3:-value}: expected '$1', got '$2'"
}

assert_ne() {	# UNEXPECTED ACTUAL [WHAT]
	[[ $1 != "$2" ]] || fail "${3:-value}: must not be '$1'"
}

assert_match() {	# ERE STRING [WHAT]
	[[ $2 =~ $1 ]] || fail "${3:-value}: '$2' does not match /$1/"
}

# re_quote STRING: STRING as an ERE that matches it literally (kernel
# releases have dots, Debian's 6.12 a "+": 6.12.95+deb12-amd64).
re_quote() {
	# shellcheck disable=SC2001 # one sed is clearer than a loop
	sed 's/[][\\.^$*+?(){}|]/\\&/g' <<<"$1"
}

assert_no_match() {	# ERE STRING [WHAT]
	[[ ! $2 =~ $1 ]] || fail "${3:-value}: '$2' matches /$1/"
}

assert_range() {	# MIN VALUE MAX [WHAT]: MIN <= VALUE <= MAX
	if [[ ! $2 =~ ^-?[0-9]+$ ]] || (($2 < $1 || $2 > $3)); then
		fail "${4:-value}: '$2' is not in [$1, $3]"
	fi
}

# capture CMD [ARG...]: run CMD, never fail; leaves its stdout in $OUT,
# its stderr in $ERR and its exit status in $RC.
capture() {
	RC=0
	"$@" >"$TEST_TMP/capture.out" 2>"$TEST_TMP/capture.err" || RC=$?
	OUT=$(<"$TEST_TMP/capture.out")
	ERR=$(<"$TEST_TMP/capture.err")
}

# expect_fail CMD [ARG...]: CMD must fail cleanly: exit 1..125. A crash
# (signal), "not found" (127) or a timeout is no proof of anything. Leaves
# $OUT, $ERR and $RC like capture.
expect_fail() {
	capture "$@"
	if ((RC == 0)); then
		fail "expected to fail, but succeeded: $*${OUT:+ (stdout: $OUT)}"
	elif ((RC > 125)); then
		fail "expected a clean failure, got exit status $RC: $*${ERR:+ (stderr: $ERR)}"
	fi
}

# tcpdump_stop PID LOG: stop a tcpdump writing a capture file (-w FILE -U,
# its stderr in LOG) once it has written every packet the kernel queued
# for it: asked for its statistics (SIGUSR1), it says as many captured
# (written) as received by its filter, less those the kernel dropped (its
# buffer full: their number is left in TCPDUMP_DROPPED). Call it once the
# traffic to capture is over (its receivers have it): the capture is then
# complete, with no guess at how long tcpdump takes under emulation. Fails
# if tcpdump is gone or never catches up. Not for captures that see the
# loopback's outgoing copies (lo, or "any" without "inbound"): tcpdump
# skips those itself, so the numbers never match.
# shellcheck disable=SC2034 # TCPDUMP_DROPPED is for the callers
tcpdump_stop() {
	local pid=$1 log=$2 stats='' i
	TCPDUMP_DROPPED=''
	for ((i = 0; i < 150; i++)); do
		kill -USR1 "$pid" 2>/dev/null ||
			{ fail "tcpdump (pid $pid) exited before it was stopped: $(<"$log")"; return 1; }
		sleep 0.2
		stats=$(<"$log")
		stats=${stats##*$'\n'}
		[[ $stats =~ ([0-9]+)\ packets?\ captured,\ ([0-9]+)\ packets?\ received\ by\ filter,\ ([0-9]+)\ packets?\ dropped ]] &&
			((BASH_REMATCH[1] + BASH_REMATCH[3] == BASH_REMATCH[2])) &&
			TCPDUMP_DROPPED=${BASH_REMATCH[3]} && break
	done
	kill "$pid"
	wait "$pid" || true
	((i < 150)) || fail "tcpdump did not write all it received in 30 s: $stats"
}

# wait_for SECONDS CMD [ARG...]: poll until CMD succeeds.
wait_for() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		((SECONDS < deadline)) || fail "timed out waiting for: $*"
		sleep 0.1
	done
}

# ---- cleanup ----

# on_exit CMD [ARG...]: run CMD when the script exits, last registered
# first. Works from inside tests (subshells) too.
on_exit() {
	printf '%q ' "$@" >>"$TEST_TMP/cleanup"
	echo >>"$TEST_TMP/cleanup"
}

_lib_exit() {
	local rc=$? cmd ns
	if [[ -f $TEST_TMP/cleanup ]]; then
		while IFS= read -r cmd; do
			eval "$cmd" >/dev/null 2>&1
		done < <(tac "$TEST_TMP/cleanup")
	fi
	for ns in $(ip netns list 2>/dev/null | cut -d' ' -f1); do
		[[ $ns == "$NS_PREFIX"* ]] && ip netns delete "$ns" 2>/dev/null
	done
	rm -rf "$TEST_TMP"
	return $rc
}
trap _lib_exit EXIT
# Killed by the runner's timeout: still clean up.
trap 'exit 143' TERM
trap 'exit 130' INT

# ---- environment ----

require_root() {
	((EUID == 0)) || skip_all "needs root"
}

require_cmd() {	# CMD...
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null || skip_all "needs $c"
	done
}

# The tree's vtunctl is a prerequisite, not something to skip without:
# a missing one bails out the whole script as a failure.
require_vtunctl() {
	if [[ ! -x $VTUNCTL ]]; then
		echo "Bail out! $VTUNCTL is not built (make vtunctl)"
		exit 1
	fi
}

# The kernel build tree modules are built against: $KDIR, else the one the
# top-level Makefile picks (tools/kernels kdir).
kdir() {
	if [[ -n ${KDIR:-} ]]; then
		echo "$KDIR"
		return
	fi
	bash "$VTUN_REPO/tools/kernels" kdir
}

# fake_kdir DIR OPTION: the kernel's build directory ($KDIR) with OPTION
# (CONFIG_...) taken out of its configuration. A copy of the small
# per-flavour directory (Debian's linux-headers-*-ARCH), whose links into
# the common headers and kbuild stay absolute.
fake_kdir() {
	local dir=$1 option=$2 e
	mkdir -p "$dir"
	for e in "$KDIR"/* "$KDIR"/.config "$KDIR"/.kernelvariables; do
		[[ -e $e ]] || continue
		if [[ -L $e ]]; then
			ln -s "$(readlink -f "$e")" "$dir/${e##*/}"
		else
			cp -a "$e" "$dir/"
		fi
	done
	grep -v "^$option=" "$KDIR/include/config/auto.conf" >"$dir/include/config/auto.conf"
	touch -r "$KDIR/include/config/auto.conf" "$dir/include/config/auto.conf"
}

# ---- network namespaces ----

# ns_new NAME: create namespace <prefix>NAME with lo up; prints its name.
#	a=$(ns_new a)
ns_new() {
	local ns=$NS_PREFIX$1
	ip netns add "$ns" || return
	ip -n "$ns" link set lo up || return
	echo "$ns"
}

# ns_exec NS CMD [ARG...]: run CMD in NS ("" is the initial namespace).
ns_exec() {
	local ns=$1
	shift
	if [[ -n $ns ]]; then
		ip netns exec "$ns" "$@"
	else
		"$@"
	fi
}

# veth_pair NS1 DEV1 ADDR1 NS2 DEV2 ADDR2: a veth link between two
# namespaces, both ends up; an ADDR (with /prefix) may be "".
veth_pair() {
	ip -n "$1" link add "$2" type veth peer name "$5" netns "$4" || return
	addr_add "$1" "$2" "$3" && addr_add "$4" "$5" "$6" || return
	ip -n "$1" link set "$2" up && ip -n "$4" link set "$5" up
}

# addr_add NS DEV ADDR/PREFIX: add an address ("" adds none); IPv6 ones
# without duplicate address detection, so they are usable at once.
addr_add() {
	case $3 in
	"") ;;
	*:*) ip -n "$1" addr add "$3" dev "$2" nodad ;;
	*) ip -n "$1" addr add "$3" dev "$2" ;;
	esac
}

# dev_stat NS DEV COUNTER: one of DEV's /sys/class/net/DEV/statistics/*
# counters (rx_packets, tx_dropped, ...) as seen from NS ("" = initial).
dev_stat() {
	ns_exec "$1" cat "/sys/class/net/$2/statistics/$3"
}

# dev_attr NS DEV ATTR: /sys/class/net/DEV/ATTR (mtu, type, flags, ...).
dev_attr() {
	ns_exec "$1" cat "/sys/class/net/$2/$3"
}

# ---- the module and privileges ----

vtun_loaded() {
	[[ -d /sys/module/vtun ]]
}

# vtun_load: load vtun now (tests load it on demand by default).
vtun_load() {
	vtun_loaded || modprobe vtun
}

# vtun_unload: unload vtun (which deletes every vtun device).
vtun_unload() {
	! vtun_loaded || modprobe -r vtun
}

# run_unprivileged CMD [ARG...]: run CMD as nobody, without capabilities.
# In another namespace: ip netns exec NS "${UNPRIVILEGED[@]}" CMD...
UNPRIVILEGED=(setpriv --reuid=65534 --regid=65534 --clear-groups
	      --inh-caps=-all --bounding-set=-all --)
run_unprivileged() {
	"${UNPRIVILEGED[@]}" "$@"
}

# json_has_string JSON STRING: STRING is one of the string values anywhere
# in JSON (whatever its schema).
json_has_string() {
	jq -e --arg s "$2" '[.. | strings] | index($s) != null' <<<"$1" >/dev/null
}
