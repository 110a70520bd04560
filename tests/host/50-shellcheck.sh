#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ShellCheck finds no warning in the test harness, the selftests, the CI
# scripts, vtun-quick and the module's build scripts (tests/unit is the
# unit tests' own business). Style notes and
# infos are not failures.

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
require_cmd shellcheck

cd "$VTUN_REPO" || exit 1

# Shell scripts: *.sh, and files whose first line names bash or sh.
mapfile -t files < <(
	{ find tests .ci bench tools/systemd tools/vtunctl/completion tools/kernels -type f ! -path 'tests/unit/*' ! -path 'bench/results/*'
	  find kmod -type f -name '*.sh'; } | LC_ALL=C sort |
	while IFS= read -r f; do
		if [[ $f == *.sh ]] || head -n 1 "$f" | grep -qE '^#!.*\b(ba)?sh\b'; then
			echo "$f"
		fi
	done)

for f in "${files[@]}"; do
	ktest "shellcheck $f" shellcheck -x --severity=warning "$f"
done
tap_done
