#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/vm/selftest.sh: the VM harness runs a checkout from any path.
# Run on the host (tests/run runs it before the VM tests); prints TAP.
#
# Copies what tests/vm/run needs (the harness, tests/lib.sh, tests/tap.sh)
# into a fresh directory under /tmp, which the guest covers with a /tmp of
# its own, and boots the VM once from that copy, without the module, to run
# a probe script inside the copy and one under /tmp outside it. The probe
# asserts, in the guest, that it runs at the copy's path with the copy's
# files; here we assert the run's TAP, and that what the guest wrote into
# the tree stayed in the guest. A copy at a path the harness cannot show in
# the VM must be refused, with the reason, before anything boots.

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
require_cmd qemu-system-x86_64

# Under /tmp whatever TMPDIR says: that is the point.
WORK=$(mktemp -d /tmp/vtun-anypath.XXXXXX) || exit 1
on_exit rm -rf "$WORK"
COPY=$WORK/checkout
TOKEN=$RANDOM-$RANDOM-$$
FILES=(tests/vm/run tests/vm/init tests/vm/guest-run tests/lib.sh tests/tap.sh tools/kernels)

# copy_checkout DIR: the harness's files into DIR.
copy_checkout() {
	local f
	for f in "${FILES[@]}"; do
		mkdir -p "$1/${f%/*}" && cp -p "$VTUN_REPO/$f" "$1/$f" || return
	done
}

copy_checkout "$COPY" || exit 1
echo "$TOKEN" >"$COPY/token"
chmod 0700 "$COPY"	# like a mktemp -d clone: the guest opens it to all
echo "host only" >"$WORK/host-only"

# The probe, in the copy: what it checks, it checks in the guest.
cat >"$COPY/tests/probe.sh" <<EOF
#!/bin/bash
. "\$(dirname "\$0")/lib.sh"
ktest "runs in the VM" test -n "\${VTUN_IN_VM:-}"
ktest "lib.sh is the copy's" assert_eq $(printf %q "$COPY") "\$VTUN_REPO"
ktest "the working directory is the copy" assert_eq $(printf %q "$COPY") "\$PWD"
ktest "the copy's files are the host's" grep -qx $(printf %q "$TOKEN") "\$VTUN_REPO/token"
ktest "the guest has a /tmp of its own" test ! -e $(printf %q "$WORK/host-only")
ktest "the tree is writable in the guest" sh -c 'echo guest >"\$VTUN_REPO/written-in-guest"'
ktest "unprivileged tests reach the tree" run_unprivileged grep -qx $(printf %q "$TOKEN") "\$VTUN_REPO/token"
tap_done
EOF
# A script under /tmp outside the repository: the harness ships it.
cat >"$WORK/outside.sh" <<'EOF'
#!/bin/bash
. "$VTUN_REPO/tests/lib.sh"
ktest "a script from /tmp outside the checkout runs" test -f "$VTUN_REPO/token"
tap_done
EOF

run_copy() {
	TMPDIR=$WORK bash "$COPY/tests/vm/run" --no-module --timeout 900 \
		"$COPY/tests/probe.sh" "$WORK/outside.sh" >"$WORK/run.out" 2>&1
}

test_boot_from_tmp() {
	local rc=0 summary
	run_copy || rc=$?
	summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$WORK/run.out" | tail -n 1)
	if ((rc != 0)) || [[ $summary != "9 passed, 0 failed" ]]; then
		sed 's/^/  /' "$WORK/run.out"
		fail "tests/vm/run from $COPY: exit status $rc, '$summary' (expected 9 passed: 7 + 1 + kernel log clean)"
	fi
	# every point the probe promised, from the guest
	grep -qE '^# tests/probe\.sh: +7 passed, 0 failed' "$WORK/run.out" ||
		fail "the probe's summary is missing: $(grep '^# tests/probe.sh' "$WORK/run.out")"
	[[ ! -e $COPY/written-in-guest ]] || fail "a file the guest wrote reached the host's tree"
}

test_refused_path() {
	local bad="$WORK/with blank"
	copy_checkout "$bad" || return
	expect_fail bash "$bad/tests/vm/run" --no-module "$bad/tests/lib.sh"
	assert_eq 2 "$RC" "exit status for a checkout whose path has a blank"
	assert_match "must not contain blanks" "$ERR" "the reason"
}

run_test "tests/vm/run runs a script from a checkout under /tmp" test_boot_from_tmp
run_test "tests/vm/run refuses a path it cannot show in the VM, saying why" test_refused_path
tap_done
