#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Documentation/netlink/specs/vtun.yaml describes the family the module
# implements: its names and values are those of kmod/uapi/linux/vtun.h (the
# compiler says which), its types and checks those of the nla_policy tables
# in kmod/netlink.c, its operations, permissions, requests, replies and
# events those of the genl code there. tests/host/netlink-spec-check.py does
# the work; one test point per check.
#
# To see a check fail, point it at a broken copy:
#	VTUN_UAPI_H=/tmp/vtun.h VTUN_NETLINK_C=/tmp/netlink.c VTUN_SPEC=/tmp/vtun.yaml \
#	    tests/host/run tests/host/60-netlink-spec.sh
# (VTUN_SPEC_SCHEMA, CC and KDIR/KSRC as well.)
#
# Needs python3 with python3-yaml; python3-jsonschema for the schema check.

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
require_cmd python3 "${CC:-gcc}"

if ! python3 -c 'import yaml' 2>/dev/null; then
	echo "Bail out! python3 cannot import yaml: install python3-yaml (make deps)"
	exit 1
fi

python3 "$VTUN_REPO/tests/host/netlink-spec-check.py" >"$TEST_TMP/check.out" 2>&1
status=$?

# RESULT/SKIP/DIAG lines to test points; anything else (a traceback) is
# kept as diagnostics of the check it follows, or of a final failure.
name='' result='' diag=''
flush() {
	[[ -n $name ]] && tap_result "$result" "$name" <<<"${diag%$'\n'}"
	name='' diag=''
}
while IFS= read -r line; do
	case $line in
	"RESULT "*)
		flush
		result=${line:7:1}
		name=${line:9}
		;;
	"SKIP "*)
		flush
		line=${line#SKIP }
		skip "${line%%$'\t'*}" "${line#*$'\t'}"
		;;
	"DIAG "*)
		diag+=${line#DIAG }$'\n'
		;;
	*)
		diag+=$line$'\n'
		;;
	esac
done <"$TEST_TMP/check.out"
flush
if ((status != 0)); then
	tap_result 1 "netlink-spec-check.py exits 0 (status $status)" <"$TEST_TMP/check.out"
fi
tap_done
