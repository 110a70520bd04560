#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The userspace unit tests (tests/unit, "make -C tests/unit check"), their
# TAP test points passed on as ours. Without TAP in their output, one test
# point for the exit status.

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

UNIT=$VTUN_REPO/tests/unit
[[ -f $UNIT/Makefile ]] || skip_all "tests/unit has no Makefile"

make -C "$UNIT" check >"$TEST_TMP/unit.out" 2>&1
status=$?

points=0 failures=0
while IFS= read -r line; do
	case $line in
	"ok "*|"not ok "*)
		# "ok 3 - name # SKIP why" -> our number, their name.
		result=0
		[[ $line == "not ok "* ]] && result=1
		name=$(sed -E 's/^(not )?ok[[:space:]]*[0-9]*[[:space:]]*(- )?//' <<<"$line")
		if [[ $result == 1 && $name =~ \#[[:space:]]*[Tt][Oo][Dd][Oo] ]]; then
			result=0
		fi
		tap_result "$result" "unit: $name" </dev/null
		points=$((points + 1))
		failures=$((failures + result))
		;;
	esac
done <"$TEST_TMP/unit.out"

if ((points == 0 || (status != 0 && failures == 0))); then
	tap_result "$status" "make -C tests/unit check exits 0 (status $status)" </dev/null
fi
# The whole output only when it explains a failure: it is long.
if ((status != 0 || failures != 0)); then
	sed 's/^/# /' "$TEST_TMP/unit.out"
fi
tap_done
