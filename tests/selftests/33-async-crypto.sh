#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The asynchronous crypto path: with vtun.force_async_crypto every AEAD
# request completes later, from a worker, as it does with hardware engines
# or when the FPU is busy. Traffic, drops and teardown while requests are
# in flight must behave exactly as on the synchronous path.

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../topo.sh"
require_root
require_cmd socat jq

PARAM=/sys/module/vtun/parameters/force_async_crypto
A=$(ns_new a)
B=$(ns_new b)

setup() {
	vtun_load
	echo Y >"$PARAM"
	on_exit sh -c "echo N >$PARAM"
	site_pair "$A" "$B"
	sa_pair "$A" "$B" "$KEY128_AB" "$KEY128_BA" 128
}

traffic() {
	ip netns exec "$A" ping -q -c 3 -i 0.2 -W 2 10.2.0.1
	ip netns exec "$B" ping -6 -q -c 3 -i 0.2 -W 2 fd01::1
	tcp_transfer "$A" "$B" 10.2.0.1 8
	tcp_transfer "$B" "$A" 10.1.0.1 8
	assert_eq 0 "$(vstat "$B" vtun0 rx_auth_fail)" "auth failures"
	assert_eq 0 "$(vstat "$B" vtun0 rx_crypto_errors)" "crypto errors"
}

drops_counted() {
	local before
	before=$(vstat "$B" vtun0 rx_auth_fail)
	ip netns exec "$A" "$PY" "$VTUN_REPO/tests/esp_craft.py" --src 192.0.2.1 \
		--dst 192.0.2.2 esp --key "$KEY128_BA" --spi $SPI_AB --seq 100000 >/dev/null
	wait_for 5 test "$(vstat "$B" vtun0 rx_auth_fail)" -gt "$before"
}

# Replace the SAs ten times while a flood of pings is in the crypto layer.
rekey_under_load() {
	local round
	ip netns exec "$A" ping -q -f -w 8 10.2.0.1 >/dev/null 2>&1 &
	local flood=$!
	for round in $(seq 1 10); do
		: "rekey round $round"
		vtunctl_in "$A" sa del vtun0 dir out spi $SPI_AB
		vtunctl_in "$B" sa del vtun0 dir in spi $SPI_AB
		vtunctl_in "$B" sa add vtun0 peer 1 dir in spi $SPI_AB aead "$AEAD" "$KEY128_AB" 128
		vtunctl_in "$A" sa add vtun0 peer 1 dir out spi $SPI_AB aead "$AEAD" "$KEY128_AB" 128
		sleep 0.2
	done
	wait "$flood" || true
	ip netns exec "$A" ping -q -c 3 -i 0.2 -W 2 10.2.0.1
}

teardown_under_load() {
	ip netns exec "$A" ping -q -f -w 6 10.2.0.1 >/dev/null 2>&1 &
	local flood=$!
	ip netns exec "$B" ping -q -f -w 6 10.1.0.1 >/dev/null 2>&1 &
	local flood2=$!
	sleep 2
	ip -n "$B" link del vtun0
	sleep 1
	ip netns delete "$A"
	wait "$flood" "$flood2" || true
	! ip -n "$B" link show vtun0 2>/dev/null
}

run_test "setup with every AEAD request completing asynchronously" setup
run_test "ping and TCP cross both ways" traffic
run_test "authentication failures are counted from the completion" drops_counted
run_test "SAs replaced 10 times under a ping flood" rekey_under_load
run_test "device and namespace deleted with requests in flight" teardown_under_load
tap_done
