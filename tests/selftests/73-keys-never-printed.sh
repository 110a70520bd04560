#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Keys are write-only: SAs are made with distinctive key bytes (AES-128,
# AES-256, ChaCha20-Poly1305, through SA_NEW, setconf and batch), traffic
# runs, SAs expire and are deleted; then everything vtun can print is
# searched for any 8 consecutive bytes of any key, raw and in hex (lower
# and upper case): vtunctl show, show -j, showconf (with --key-paths),
# raw netlink replies of every dump, events (vtunctl monitor and the raw
# multicast messages), the kernel log, and /sys/module/vtun, the devices'
# /sys/class/net entries and /proc/net of each namespace. And the kernel's
# own copy of a key in a request must be wiped once vtun has handled it,
# on every error path (a failed request comes back in the error ACK as
# the kernel left it).

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/topo.sh
. "$(dirname "$0")/../topo.sh"
require_root
require_cmd jq xxd

NLFUZZ=$VTUN_REPO/tests/fuzz/nlfuzz.py
A=$(ns_new a) || exit 1
B=$(ns_new b) || exit 1
OUT=$TEST_TMP/out
mkdir -p "$OUT"

# key || salt, "K3ys!NeverPrinted" and friends: easy to spot anywhere
K1=0x4b337973214e65766572507231746564a1b2c3d4
K2=0x4b337973214e6576657250723274656400112233445566778899aabbccddeeffa5b6c7d8
K3=0x4b337973214e65766572507233746564ffeeddccbbaa99887766554433221100c9dae1f2
K4=0x4b337973214e65766572507234746564e3f4a5b6
K5=0x4b337973214e65766572507235746564f1e2d3c4
K6=0x4b337973214e65766572507236746564a9b8c7d6
KEYS=("$K1" "$K2" "$K3" "$K4" "$K5" "$K6")
CHACHA='rfc7539esp(chacha20,poly1305)'

setup() {
	site_pair "$A" "$B"
	# SA_NEW, one by one
	vtunctl_in "$A" sa add vtun0 peer 1 dir out spi 0x1000 aead "$AEAD" "$K1" 128
	vtunctl_in "$B" sa add vtun0 peer 1 dir in spi 0x1000 aead "$AEAD" "$K1" 128
	vtunctl_in "$A" sa add vtun0 peer 1 dir in spi 0x2000 aead "$AEAD" "$K2" 96 esn \
		replay-window 128
	vtunctl_in "$B" sa add vtun0 peer 1 dir out spi 0x2000 aead "$AEAD" "$K2" 96 esn
	ip netns exec "$A" ping -q -c 3 -i 0.2 -W 2 10.2.0.1
	# key files, setconf, a batch
	local keys=$TEST_TMP/keys
	mkdir -m 0700 "$keys"
	(umask 077 && echo "$K3" >"$keys/k3" && echo "$K4" >"$keys/k4" &&
	 echo "$K5" >"$keys/k5")
	vtunctl_in "$A" sa add vtun0 peer 1 dir out spi 0x3000 aead "$CHACHA" "@$keys/k3" 128
	vtunctl_in "$B" sa add vtun0 peer 1 dir in spi 0x3000 aead "$CHACHA" "@$keys/k3" 128
	ip netns exec "$A" ping -q -c 3 -i 0.2 -W 2 10.2.0.1
	# B's newest outbound SA (0x4001, unknown to A) expires after 3
	# packets, in events below
	cat >"$TEST_TMP/batch" <<-EOF
		sa add vtun0 peer 1 dir in spi 0x4000 aead "$AEAD" @$keys/k4 64
		sa add vtun0 peer 1 dir out spi 0x4001 aead "$AEAD" @$keys/k5 128 limit packet-hard 3
	EOF
	vtunctl_in "$B" -b "$TEST_TMP/batch"
}

monitor_probe() {	# LOG
	vtunctl_in "$B" peer add vtun0 id 4000000000 2>/dev/null || true
	vtunctl_in "$B" peer del vtun0 id 4000000000
	grep -q 4000000000 "$1"
}

# Everything printed while SAs come and go.
events() {
	local ready=$TEST_TMP/ready mon raw
	ip netns exec "$B" "$VTUNCTL" monitor -j >"$OUT/monitor-b.json" 2>&1 &
	mon=$!
	ip netns exec "$B" "$PY" "$NLFUZZ" listen 15 --ready "$ready" >"$OUT/events-b.raw" &
	raw=$!
	wait_for 20 test -e "$ready"
	# vtunctl monitor listens once a probe peer's deletion shows up
	wait_for 20 monitor_probe "$OUT/monitor-b.json"
	vtunctl_in "$B" sa add vtun0 peer 1 dir in spi 0x5000 aead "$AEAD" "$K6" 128
	vtunctl_in "$B" sa del vtun0 dir in spi 0x5000
	# the outbound SA with a hard limit of 3 packets expires
	ip netns exec "$B" ping -q -c 5 -i 0.2 -W 1 10.1.0.1 || true
	# Keys given in hex have no path to print: setconf keeps the SAs
	# whose keys came from files.
	vtunctl_in "$B" showconf vtun0 --key-paths >"$TEST_TMP/conf.all"
	awk 'function flush() { if (!sa || key) printf "%s", buf; buf = ""; key = 0 }
	     /^\[/ { flush(); sa = /^\[SA\]/ }
	     /^Key[ \t]*=/ { key = 1 }
	     { buf = buf $0 "\n" }
	     END { flush() }' "$TEST_TMP/conf.all" >"$TEST_TMP/conf"
	grep -q '^Key' "$TEST_TMP/conf"
	vtunctl_in "$B" setconf vtun0 "$TEST_TMP/conf"
	kill "$mon"
	wait "$raw" || true
	wait "$mon" || true
	grep -q . "$OUT/monitor-b.json"
	test -s "$OUT/events-b.raw"
}

collect() {
	local ns dev=vtun0
	for ns in "$A" "$B"; do
		vtunctl_in "$ns" show >"$OUT/show-$ns.txt"
		vtunctl_in "$ns" show -j >"$OUT/show-$ns.json"
		vtunctl_in "$ns" showconf $dev >"$OUT/showconf-$ns.txt"
		vtunctl_in "$ns" showconf $dev --key-paths >"$OUT/showconf-keys-$ns.txt"
		ip netns exec "$ns" "$PY" "$NLFUZZ" rawdump $dev >"$OUT/dump-$ns.raw"
		test -s "$OUT/dump-$ns.raw"
		# /proc/net and the device's sysfs entries as the namespace sees them
		ip netns exec "$ns" sh -c "grep -r -a . /proc/net/ /sys/class/net/$dev/ 2>/dev/null" \
			>"$OUT/procsys-$ns.txt" || true
	done
	grep -r -a . /sys/module/vtun/ >"$OUT/sys-module.txt" 2>/dev/null || true
	dmesg >"$OUT/dmesg.txt"
	cat /dev/null >"$OUT/kmsg.txt"
	timeout 2 cat /dev/kmsg >"$OUT/kmsg.txt" 2>/dev/null || true
}

# key_windows KEY: every 8-byte window of key||salt, in hex, one per line.
key_windows() {
	local hex=${1#0x} i
	for ((i = 0; i + 16 <= ${#hex}; i += 2)); do
		echo "${hex:i:16}"
	done
}

# One grep per file and form (under TCG each process costs): every window
# of every key in hex, either case (grep -F), and as raw bytes (grep -P).
search() {
	local k w f hits=0 raw='' files=("$OUT"/*)
	: >"$TEST_TMP/hex.pat"
	for k in "${KEYS[@]}"; do
		for w in $(key_windows "$k"); do
			echo "$w" >>"$TEST_TMP/hex.pat"
			raw+="${raw:+|}${w//??/\\x&}"
		done
	done
	for f in "${files[@]}"; do
		if grep -qaiF -f "$TEST_TMP/hex.pat" "$f" || LC_ALL=C grep -qaP "$raw" "$f"; then
			echo "key bytes in $(basename "$f"):"
			{ grep -oaiF -f "$TEST_TMP/hex.pat" "$f"
			  LC_ALL=C grep -oaP "$raw" "$f" | xxd -p; } | head -n 5
			hits=$((hits + 1))
		fi
	done
	echo "# searched $(cat "${files[@]}" | wc -c) bytes in ${#files[@]} files" \
		"for $(grep -c . "$TEST_TMP/hex.pat") key windows" >&2
	((hits == 0))
}

kernel_copy_wiped() {
	ip netns exec "$B" "$PY" "$NLFUZZ" keyecho vtun0
}

run_test "setup: SAs with distinctive keys by SA_NEW, key files and batch" setup
run_test "events while SAs are added, deleted, expire and setconf runs" events
run_test "collect replies, events, dumps, dmesg, /proc and /sys" collect
run_test "no key byte in anything vtun printed" search
run_test "the kernel's copy of a key is wiped on every error path" kernel_copy_wiped
tap_done
