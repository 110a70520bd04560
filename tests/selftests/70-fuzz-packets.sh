#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Receive path under a million hostile datagrams (tests/fuzz/espfuzz.c):
# valid ESP-in-UDP on four inbound SAs (AES-GCM 128/256, ChaCha20-Poly1305,
# ESN across the 2^32 boundary; ICVs of 64, 96 and 128 bits), the same
# sealed with bad padding, bad next headers, inner packets of the wrong
# length or version, spoofed inner sources, CE marks, sequence number 0 and
# maximum-size datagrams; then truncated at every length, bit flips in
# SPI, sequence number, IV, ciphertext and ICV, replays, too-old sequence
# numbers, unknown SPIs, keepalive and IKE-marker variants, tiny datagrams
# and random garbage, over IPv4 and IPv6. espfuzz tallies what each
# datagram must do; every drop counter (and each SA's own counters) must
# have moved by exactly that much. Then the same with every AEAD request
# completing asynchronously, and with crypto inline; nothing may splat
# (the harness checks the kernel log) and both tunnels must still work.
#
# VTUN_FUZZ_PACKETS (default 1000000) sets the number of datagrams of the
# main run, VTUN_FUZZ_SEED the random seed (printed, for reproducing).

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/topo.sh
. "$(dirname "$0")/../topo.sh"
require_root
require_cmd jq cc

PACKETS=${VTUN_FUZZ_PACKETS:-1000000}
SEED=${VTUN_FUZZ_SEED:-$((RANDOM * 32768 + RANDOM))}
A=$(ns_new a) || exit 1
B=$(ns_new b) || exit 1
FUZZ=$VTUN_REPO/tests/fuzz/espfuzz
STATE=$TEST_TMP/espfuzz.state
PARAMS=/sys/module/vtun/parameters

# The fuzzing peer's inbound SAs on B (key||salt; "FUZZ1".. in front).
KEY_F1=0x46555a5a31aabbccddeeff0011223344a1a2a3a4
KEY_F2=0x46555a5a32000102030405060708090a0b0c0d0e0f101112131415161718191aa1a2a3a4
KEY_F3=0x46555a5a33f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff000102030405060708090ab1b2b3b4
KEY_F4=0x46555a5a34112233445566778899aabbc1c2c3c4
CHACHA='rfc7539esp(chacha20,poly1305)'
FUZZ_SAS=(
	"spi=0x4001,alg=gcm,key=$KEY_F1,icv=128,window=4096"
	"spi=0x4002,alg=gcm,key=$KEY_F2,icv=64,window=64"
	"spi=0x4003,alg=chacha,key=$KEY_F3,icv=128,window=128"
	"spi=0x4004,alg=gcm,key=$KEY_F4,icv=96,esn,window=256,seq=0xffffff00"
)
declare -A WANT	# counter (or "SPI counter") -> expected total change
declare -A BASE	# the same, before fuzzing

build_fuzzer() {
	# Built on the host by "make -C tests/fuzz"; else (or if stale) here.
	if [[ ! -x $FUZZ || $FUZZ -ot $VTUN_REPO/tests/fuzz/espfuzz.c ]]; then
		FUZZ=$TEST_TMP/espfuzz
		cc -O2 -Wall -Wextra -Werror -o "$FUZZ" \
			"$VTUN_REPO/tests/fuzz/espfuzz.c" -lcrypto
	fi
	echo "FUZZ=$FUZZ" >"$TEST_TMP/fuzz.env"
}

setup() {
	build_fuzzer
	site_pair "$A" "$B"
	sa_pair "$A" "$B" "$KEY128_AB" "$KEY128_BA" 128
	# The fuzzer sends from addresses of its own on A's side; B knows it
	# as peer 2, pinned, so no datagram can move the endpoint.
	addr_add "$A" pub0 192.0.2.3/24
	addr_add "$A" pub0 2001:db8::3/64
	vtunctl_in "$B" peer add vtun0 id 2 endpoint 192.0.2.3:4501 pin-endpoint
	vtunctl_in "$B" route add vtun0 10.3.0.0/16 peer 2
	vtunctl_in "$B" route add vtun0 fd03::/64 peer 2
	vtunctl_in "$B" sa add vtun0 peer 2 dir in spi 0x4001 aead "$AEAD" "$KEY_F1" 128 \
		replay-window 4096
	vtunctl_in "$B" sa add vtun0 peer 2 dir in spi 0x4002 aead "$AEAD" "$KEY_F2" 64
	vtunctl_in "$B" sa add vtun0 peer 2 dir in spi 0x4003 aead "$CHACHA" "$KEY_F3" 128 \
		replay-window 128
	vtunctl_in "$B" sa add vtun0 peer 2 dir in spi 0x4004 aead "$AEAD" "$KEY_F4" 96 \
		esn replay-window 256 seq 0xffffff00
	# Datagrams queue per CPU between veth and UDP; the default 1000
	# would drop some of a burst before vtun ever sees them.
	local backlog
	backlog=$(sysctl -n net.core.netdev_max_backlog)
	sysctl -qw net.core.netdev_max_backlog=100000
	on_exit sysctl -qw net.core.netdev_max_backlog="$backlog"
	ip netns exec "$A" ping -q -c 2 -i 0.2 -W 2 10.2.0.1
	echo "# seed $SEED" >&2
}

# The whole JSON of B's device, once per check.
b_json() {
	vtunctl_in "$B" show vtun0 -j
}

# counters JSON: "NAME VALUE" for each drop counter and each fuzz SA's
# rx_packets, rx_replay, rx_auth_fail, plus the errors that must stay 0.
counters() {
	jq -r '
		.[0].stats as $s |
		($s | to_entries[] | "\(.key) \(.value)"),
		(.[0].peers[] | select(.id == 2) | .sas[] | select(.dir == "in") |
		 . as $sa | ["rx_packets", "rx_replay", "rx_auth_fail"][] |
		 "\($sa.spi) \(.) \($sa.stats[.] // 0)")' <<<"$1"
}

# shellcheck disable=SC2034 # "into" is a nameref: it fills the caller's array
snapshot() {	# fill the associative array named $1 from B's counters
	local -n into=$1
	local k v w
	while read -r k v w; do
		if [[ -n $w ]]; then
			into["$k $v"]=$w
		else
			into[$k]=$v
		fi
	done < <(counters "$(b_json)")
}

# One espfuzz run: add its tally to WANT, its size to TOTAL.
fuzz() {	# PHASE COUNT SEED
	local out k v w n sa_args=() s
	. "$TEST_TMP/fuzz.env"
	for s in "${FUZZ_SAS[@]}"; do
		sa_args+=(--sa "$s")
	done
	local start=$SECONDS
	# On one CPU: veth queues a datagram on the sending CPU's backlog, so
	# a sender that migrates between two batches can have the second one
	# received first, and the replay window then judges the first batch
	# otherwise than espfuzz predicted.
	out=$(ip netns exec "$A" taskset -c 0 "$FUZZ" --phase "$1" --count "$2" --seed "$3" \
		--state "$STATE" --src4 192.0.2.3 --dst4 192.0.2.2 \
		--src6 2001:db8::3 --dst6 2001:db8::2 \
		--other-spi $SPI_AB --other-spi $SPI_BA "${sa_args[@]}")
	while read -r k v w n; do
		case $k in
		total) TOTAL=$((TOTAL + v)) ;;
		send_errors) ((v == 0)) || fail "espfuzz could not send $v datagrams" ;;
		dev) WANT[$v]=$(( ${WANT[$v]:-0} + w )) ;;
		sa) WANT["$v $w"]=$(( ${WANT["$v $w"]:-0} + n )) ;;
		esac
	done <<<"$out"
	FUZZ_SECS=$((FUZZ_SECS + SECONDS - start))
}

# Compare B's counters with BASE + WANT; print the differences.
diff_counters() {
	local -A now=()
	local k bad=0 delta
	snapshot now
	for k in "${!WANT[@]}"; do
		[[ $k == rx_packets ]] && continue	# the device's: A's traffic too
		delta=$(( ${now[$k]:-0} - ${BASE[$k]:-0} ))
		if ((delta != WANT[$k])); then
			echo "$k: expected +${WANT[$k]}, got +$delta"
			bad=1
		fi
	done
	for k in rx_nomem rx_crypto_errors; do
		delta=$(( ${now[$k]:-0} - ${BASE[$k]:-0} ))
		((delta == 0)) || { echo "$k: +$delta"; bad=1; }
	done
	return $bad
}

# Wait until the receiver has dealt with everything (the counters match,
# or stop moving), then they must match exactly.
settle() {
	local deadline=$((SECONDS + 300)) last='' cur start=$SECONDS
	while ((SECONDS < deadline)); do
		cur=$(diff_counters) && { SETTLE_SECS=$((SETTLE_SECS + SECONDS - start)); return 0; }
		[[ $cur == "$last" ]] && break
		last=$cur
		sleep 1
	done
	sleep 2
	cur=$(diff_counters) && return 0
	echo "after $TOTAL datagrams (seed $SEED):"
	echo "$cur"
	grep . /proc/net/softnet_stat | awk '{ print "softnet: processed " strtonum("0x" $1) " dropped " strtonum("0x" $2) }'
	return 1
}

# ROUNDS of sealed + corrupt phases, SIZE datagrams in all.
campaign() {	# SIZE
	local size=$1 per round=0 seed=$SEED start=$SECONDS
	TOTAL=0 FUZZ_SECS=0 SETTLE_SECS=0
	WANT=()
	BASE=()
	snapshot BASE
	per=$((size / 8))
	while ((TOTAL < size)); do
		round=$((round + 1))
		fuzz sealed $((per * 2 / 5)) $((seed++))
		settle
		fuzz corrupt $((per * 3 / 5)) $((seed++))
		settle
		# the second half of a round over the other phase order
		fuzz corrupt $((per * 3 / 5)) $((seed++))
		settle
		fuzz sealed $((per * 2 / 5)) $((seed++))
		settle
		echo "# round $round: $TOTAL datagrams" >&2
	done
	SEED=$seed
	echo "# $TOTAL datagrams in $((SECONDS - start)) s (sending $FUZZ_SECS s, waiting for counters $SETTLE_SECS s)" >&2
	((TOTAL >= size))
}

main_run() {
	campaign "$PACKETS"
}

async_run() {
	echo Y >"$PARAMS/force_async_crypto"
	on_exit sh -c "echo N >$PARAMS/force_async_crypto"
	campaign $((PACKETS / 10))
	echo N >"$PARAMS/force_async_crypto"
}

# Inline whatever the default: put back what was set, so that the scripts
# after this one see the module as it was.
inline_run() {
	local was
	was=$(cat "$PARAMS/parallel_crypto")
	echo N >"$PARAMS/parallel_crypto"
	on_exit sh -c "echo $was >$PARAMS/parallel_crypto"
	campaign $((PACKETS / 10))
	echo "$was" >"$PARAMS/parallel_crypto"
}

still_works() {
	ip netns exec "$A" ping -q -c 3 -i 0.2 -W 2 10.2.0.1
	ip netns exec "$B" ping -q -c 3 -i 0.2 -W 2 10.1.0.1
	ip netns exec "$A" ping -6 -q -c 3 -i 0.2 -W 2 fd02::1
	assert_eq 0 "$(sa_stat "$B" vtun0 $SPI_AB in stats.rx_auth_fail)" "auth failures on the real SA"
	assert_eq 2 "$(vtunctl_in "$B" show vtun0 -j | jq '.[0].peers | length')" "peers"
	assert_eq 192.0.2.3:4501 "$(vtunctl_in "$B" show vtun0 -j |
		jq -r '.[0].peers[] | select(.id == 2) | .endpoint')" "pinned endpoint"
}

run_test "setup: two gateways, a fuzzing peer with four inbound SAs" setup
run_test "$PACKETS hostile datagrams, each drop counted where it belongs" main_run
run_test "the same with every AEAD request completing asynchronously" async_run
run_test "the same with crypto inline (parallel_crypto=0)" inline_run
run_test "both tunnels still carry traffic, the real SA untouched" still_works
tap_done
