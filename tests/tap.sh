# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Tallying TAP output, shared by the runners (tests/vm/run, tests/host/run,
# tests/run). Each test script prints TAP: "ok N - name", "not ok N - name",
# a plan "1..N" (first or last), "# " diagnostics. Indented lines (subtests,
# command output) are ignored.
#
# Rules, so that no broken script can look green:
#  - "ok" counts as passed ("# SKIP" too, and is also counted as skipped);
#  - "not ok" counts as failed, unless marked "# TODO";
#  - a plan promising more points than were printed: the missing ones fail;
#  - "Bail out!": one more failure;
#  - no test point at all (and no "1..0" skip plan): one failure;
#  - a non-zero exit status with no failure among the points: one failure.

TAP_PASSED=0
TAP_FAILED=0
TAP_SKIPPED=0
TAP_FAILURES=()		# one line per failure, for the final report

# tap_tally NAME FILE STATUS [SECONDS]
#	Count the test points of one script's output FILE and its exit STATUS
#	into the totals; print one "# NAME: ..." summary line.
tap_tally() {
	local name=$1 file=$2 status=$3 secs=${4:-}
	local pass fail skip plan bail line notes=()

	read -r pass fail skip plan bail < <(awk '
		/^ok([ \t]|$)/ {
			pass++
			if (tolower($0) ~ /#[ \t]*skip/) skip++
			next
		}
		/^not ok([ \t]|$)/ {
			if (tolower($0) ~ /#[ \t]*todo/) pass++; else fail++
			next
		}
		/^1\.\.[0-9]+/ && plan == "" { split($1, a, "\\.\\."); plan = a[2] + 0; next }
		/^Bail out!/ { bail++ }
		END { printf "%d %d %d %s %d\n", pass, fail, skip, (plan == "" ? "-" : plan), bail }
	' "$file" 2>/dev/null || echo "0 0 0 - 0")

	while IFS= read -r line; do
		TAP_FAILURES+=("$name: $line")
	done < <(grep -E '^not ok([[:space:]]|$)' "$file" 2>/dev/null |
		 grep -viE '#[[:space:]]*todo')

	if [[ $plan != - ]] && ((pass + fail < plan)); then
		notes+=("$((plan - pass - fail)) of $plan planned tests missing")
		TAP_FAILURES+=("$name: $((plan - pass - fail)) planned tests never ran")
		fail=$((plan - pass))
	fi
	if ((bail)); then
		notes+=("bailed out")
		TAP_FAILURES+=("$name: Bail out!")
		fail=$((fail + 1))
	fi
	if ((pass + fail == 0)); then
		if [[ $plan == 0 ]]; then
			pass=1 skip=1
			notes+=("skipped")
		else
			notes+=("no test points")
			TAP_FAILURES+=("$name: printed no test points (exit status $status)")
			fail=1
		fi
	elif [[ $status != 0 ]] && ((fail == 0)); then
		TAP_FAILURES+=("$name: exited with status $status")
		fail=1
	fi
	[[ $status == 0 ]] || notes+=("exit status $status$(_tap_status_hint "$status")")
	((skip)) && notes+=("$skip skipped")
	[[ -n $secs ]] && notes+=("${secs} s")

	TAP_PASSED=$((TAP_PASSED + pass))
	TAP_FAILED=$((TAP_FAILED + fail))
	TAP_SKIPPED=$((TAP_SKIPPED + skip))

	local joined=
	((${#notes[@]})) && joined=$(printf '%s; ' "${notes[@]}")
	printf '# %-28s %3d passed, %d failed%s\n' "$name:" "$pass" "$fail" \
		"${joined:+ (${joined%; })}"
}

_tap_status_hint() {
	case $1 in
	124|137) echo ": timed out" ;;
	*) ;;
	esac
}

# tap_point RESULT NAME [DIAGNOSTIC...]
#	Count one test point of the runner itself (RESULT is 0 for passed).
tap_point() {
	local result=$1 name=$2
	shift 2
	if [[ $result == 0 ]]; then
		TAP_PASSED=$((TAP_PASSED + 1))
		printf '# %-28s   1 passed, 0 failed\n' "$name:"
	else
		TAP_FAILED=$((TAP_FAILED + 1))
		TAP_FAILURES+=("$name${1:+: $1}")
		printf '# %-28s   0 passed, 1 failed%s\n' "$name:" "${1:+ ($1)}"
	fi
}

# tap_report
#	Print the failures, then the one summary line every runner ends with.
tap_report() {
	local f
	if ((${#TAP_FAILURES[@]})); then
		echo "# failures:"
		for f in "${TAP_FAILURES[@]}"; do
			echo "#   $f"
		done
	fi
	echo "$TAP_PASSED passed, $TAP_FAILED failed"
}
