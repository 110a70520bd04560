#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The demo ("make demo", run in the test VM): two sites, each a network
# namespace with a vtun device, joined by a veth link standing for the
# internet. Each step prints its command and output, and is a TAP test
# point. The data path comes later.

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
require_root

# step DESCRIPTION CMD [ARG...]: show and run one step.
step() {
	local desc=$1 out status
	shift
	printf '#\n# == %s\n#   $ %s\n' "$desc" "${*//"$VTUNCTL"/vtunctl}"
	out=$("$@" 2>&1)
	status=$?
	[[ -z $out ]] || echo "#     ${out//$'\n'/$'\n'#     }"
	tap_result "$status" "$desc" </dev/null
}

A=${NS_PREFIX}site-a
B=${NS_PREFIX}site-b

step "site A: a network namespace" ns_new site-a
step "site B: a network namespace" ns_new site-b
step "the internet between them: a veth pair, 192.0.2.1 <-> 192.0.2.2" \
	veth_pair "$A" pub0 192.0.2.1/24 "$B" pub0 192.0.2.2/24
step "site A reaches site B over it" ip netns exec "$A" ping -c 1 -W 2 192.0.2.2
step "site A: a vtun device (loads the module on demand)" \
	ip -n "$A" link add vtun0 type vtun
step "site B: a vtun device" ip -n "$B" link add vtun0 type vtun
step "site A: inner address" ip -n "$A" addr add 10.1.0.1/16 dev vtun0
step "site B: inner address" ip -n "$B" addr add 10.2.0.1/16 dev vtun0
step "site A: device up" ip -n "$A" link set vtun0 up
step "site B: device up" ip -n "$B" link set vtun0 up
step "site A: the device as the kernel sees it" ip -n "$A" -d link show vtun0
step "site A: vtunctl show" ip netns exec "$A" "$VTUNCTL" show
step "site B: vtunctl show" ip netns exec "$B" "$VTUNCTL" show
step "site A: vtunctl show vtun0 -j" ip netns exec "$A" "$VTUNCTL" show vtun0 -j
tap_done
