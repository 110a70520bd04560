#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# checkpatch.pl --strict has nothing to say about any C file or header of
# the module (kmod/, uapi included): one test point per file.

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

# checkpatch.pl: $CHECKPATCH, else the one in Debian's extracted
# linux-source package (make deps puts it there).
find_checkpatch() {
	local c
	for c in ${CHECKPATCH:-} /usr/src/linux-source-*/scripts/checkpatch.pl; do
		[[ -f $c ]] && { echo "$c"; return; }
	done
	return 1
}

if ! CHECKPATCH=$(find_checkpatch); then
	echo "Bail out! checkpatch.pl not found: run make deps, or set CHECKPATCH"
	exit 1
fi
echo "# $CHECKPATCH"

cd "$VTUN_REPO" || exit 1
# Sources only, not what kbuild generates (vtun.mod.c).
mapfile -t files < <(find kmod -type f -name '*.[ch]' ! -name '*.mod.c' | LC_ALL=C sort)
((${#files[@]})) || skip_all "no C files in kmod/"

# One run over all files (perl starts slowly); --terse prefixes every
# complaint with its file name.
perl "$CHECKPATCH" --no-tree --strict --terse --show-types --quiet -f "${files[@]}" \
	>"$TEST_TMP/checkpatch.out" 2>&1
status=$?

clean() {	# FILE
	local complaints
	complaints=$(awk -v f="$1:" 'index($0, f) == 1' "$TEST_TMP/checkpatch.out")
	[[ -z $complaints ]] || fail "$complaints"
}

for f in "${files[@]}"; do
	ktest "checkpatch $f" clean "$f"
done
# A checkpatch that failed without blaming a file (a perl error, say) must
# not pass.
if ((status != 0)) && ! grep -qE '^[^ ]+:[0-9]+: (ERROR|WARNING|CHECK):' "$TEST_TMP/checkpatch.out"; then
	tap_result 1 "checkpatch ran" <"$TEST_TMP/checkpatch.out"
fi
tap_done
