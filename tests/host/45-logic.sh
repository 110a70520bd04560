#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The module's pure logic (anti-replay window, ESN reconstruction) built
# as a userspace program and checked against a model, under valgrind.

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
require_cmd cc valgrind

ktest "tests/logic builds with -Wall -Wextra -Werror" \
	make -s -C "$VTUN_REPO/tests/logic" replay_test
# Its own TAP lines become this script's test points.
if "$VTUN_REPO/tests/logic/replay_test" >"$TEST_TMP/logic.tap" 2>&1 &&
   valgrind --quiet --leak-check=full --error-exitcode=99 \
	    "$VTUN_REPO/tests/logic/replay_test" >/dev/null 2>&1; then
	vg=ok
else
	vg=failed
fi
while IFS= read -r line; do
	case $line in
	"ok "*) ktest "${line#ok * - }" true ;;
	"not ok "*) ktest "${line#not ok * - }" false ;;
	esac
done <"$TEST_TMP/logic.tap"
ktest "replay logic runs clean under valgrind" test "$vg" = ok
tap_done
