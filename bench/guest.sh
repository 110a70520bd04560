#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/guest.sh: the measuring half of the benchmark. bench/run boots the
# test VM and runs this inside it (as root; it also works on any machine
# where vtun.ko loads, with BENCH_OUT set).
#
# Five links, each between its own pair of network namespaces A -> B:
#	veth	the bare veth "internet" (the ceiling)
#	vtun	vtun, AES-GCM-128, ICV 16, ESP in UDP 4500
#	vtunb	the same with vtun.outer_gso=Y while it is measured: the ESP
#		packets of a GSO packet leave as one UDP GSO packet
#	xfrm	the kernel's IPsec, ESP tunnel mode, the same AEAD, key size,
#		ICV and UDP encapsulation
#	wg	WireGuard (ChaCha20-Poly1305: it has no AES mode)
# and for each, BENCH_REPS rounds of three iperf3 tests of BENCH_TIME s:
#	tcp1	one TCP flow		tcp4	four TCP flows (-P 4)
#	udp	64-byte UDP datagrams, unlimited rate (-b 0): packets delivered
# The rounds go round-robin over the links (round 1 of every link, then
# round 2, ...), so that a change in host load hits every link alike: only
# ratios within one run mean something under TCG.
#
# Around every test the guest's /proc/stat is read: busy jiffies (user,
# nice, system, irq, softirq of all CPUs; both ends run in this kernel)
# over bytes delivered gives the CPU cost per byte.
#
# Output, in BENCH_OUT (default: VTUN_RESULTS/bench, the VM's results share):
#	records.tsv	one line per test (bench/report turns it into a table)
#	json/		iperf3's own reports
#	meta-guest.txt	kernel, CPU flags, crypto drivers in use, MTUs
#	counters.txt	drop and error counters of every link after the runs
# and TAP on stdout: one test point per setup, per measurement, per
# counter check.
#
# Environment: BENCH_TIME (s, default 5), BENCH_REPS (default 4),
# BENCH_LINKS (default "veth vtun vtunb xfrm wg"), BENCH_TESTS (default
# "tcp1 tcp4 udp"), BENCH_OUT.

# Many functions here run only indirectly ("setup_$link", through run_test
# or wait_for), which ShellCheck takes for unreachable code.
# shellcheck disable=SC2317
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../tests/lib.sh"
# shellcheck source=tests/topo.sh
. "$(dirname "$0")/../tests/topo.sh"

set -u

TIME=${BENCH_TIME:-5}
REPS=${BENCH_REPS:-4}
read -r -a LINKS <<<"${BENCH_LINKS:-veth vtun vtunb xfrm wg}"
read -r -a TESTS <<<"${BENCH_TESTS:-tcp1 tcp4 udp}"
OUT=${BENCH_OUT:-${VTUN_RESULTS:+$VTUN_RESULTS/bench}}
PORT=5201
WG_PORT=51820

require_root
require_cmd iperf3 jq
[[ -n $OUT ]] || skip_all "set BENCH_OUT (outside the test VM there is no results share)"
[[ $TIME =~ ^[1-9][0-9]*$ && $REPS =~ ^[1-9][0-9]*$ ]] ||
	{ echo "Bail out! BENCH_TIME and BENCH_REPS must be positive integers"; exit 1; }
mkdir -p "$OUT/json" || { echo "Bail out! cannot create $OUT"; exit 1; }

# Per link: the namespaces, the address the iperf3 server listens on in B
# (A sends from 192.0.2.1 or 10.1.0.1), whether it is ready to measure,
# and the server's pid.
declare -A NS_A NS_B SERVER_ADDR READY SERVER_PID
for link in "${LINKS[@]}"; do
	NS_A[$link]=${NS_PREFIX}$link-a
	NS_B[$link]=${NS_PREFIX}$link-b
	SERVER_ADDR[$link]=10.2.0.1
done
SERVER_ADDR[veth]=192.0.2.2

note() {
	echo "# $*"
}

# ---- the links ----

setup_veth() {	# A B
	internet "$1" "$2"
}

# vtun exactly as the data-path selftests build it: site_pair, then the
# AES-GCM-128 SA pair with a 128-bit ICV.
setup_vtun() {	# A B
	site_pair "$1" "$2"
	sa_pair "$1" "$2" "$KEY128_AB" "$KEY128_BA" 128
}

# vtunb is built like vtun; measure() turns batching on around its tests.
setup_vtunb() {	# A B
	setup_vtun "$@"
}

OUTER_GSO=/sys/module/vtun/parameters/outer_gso
OUTER_GSO_WAS=

# outer_gso_for LINK: batching for vtunb, else as the module was found.
outer_gso_for() {
	[[ -w $OUTER_GSO ]] || return 0
	if [[ -z $OUTER_GSO_WAS ]]; then
		OUTER_GSO_WAS=$(<"$OUTER_GSO")
		on_exit sh -c "echo $OUTER_GSO_WAS >$OUTER_GSO"
	fi
	if [[ $1 == vtunb ]]; then
		echo Y >"$OUTER_GSO"
	else
		echo "$OUTER_GSO_WAS" >"$OUTER_GSO"
	fi
}

# XFRM on both ends, with the same keys and SPIs as vtun: the inner
# addresses on lo, the remote site routed over the public link, where the
# policies catch it (see tests/selftests/31-xfrm-interop.sh). The replay
# window is vtun's default, 64: without one ip xfrm sets 0, and XFRM then
# skips the replay check that vtun does on every packet.
XFRM_REPLAY_WINDOW=64
setup_xfrm() {	# A B
	local a=$1 b=$2
	internet "$a" "$b"
	addr_add "$a" lo 10.1.0.1/32
	addr_add "$b" lo 10.2.0.1/32
	ip -n "$a" route add 10.2.0.0/16 dev pub0 src 10.1.0.1
	ip -n "$b" route add 10.1.0.0/16 dev pub0 src 10.2.0.1
	xfrm_site "$a" 192.0.2.1 192.0.2.2 10.1.0.0/16 10.2.0.0/16 \
		"$KEY128_AB" "$KEY128_BA" 128 "$SPI_AB" "$SPI_BA" replay-window "$XFRM_REPLAY_WINDOW"
	xfrm_site "$b" 192.0.2.2 192.0.2.1 10.2.0.0/16 10.1.0.0/16 \
		"$KEY128_BA" "$KEY128_AB" 128 "$SPI_BA" "$SPI_AB" replay-window "$XFRM_REPLAY_WINDOW"
	# Windows over 32 take iproute2 into the bitmap ("esn context") form.
	ip -n "$b" xfrm state | grep -q "replay_window $XFRM_REPLAY_WINDOW" ||
		fail "XFRM did not take replay-window $XFRM_REPLAY_WINDOW"
}

# wg_end NS KEY PEER_PUBKEY ADDR REMOTE_NET ENDPOINT: one WireGuard end.
wg_end() {
	local ns=$1 key=$2 peer=$3 addr=$4 net=$5 ep=$6
	ip -n "$ns" link add wg0 type wireguard
	ip netns exec "$ns" wg set wg0 private-key "$key" listen-port "$WG_PORT" \
		peer "$peer" allowed-ips "$net" endpoint "$ep"
	addr_add "$ns" wg0 "$addr/32"
	ip -n "$ns" link set wg0 up
	ip -n "$ns" route add "$net" dev wg0 src "$addr"
}

setup_wg() {	# A B
	local a=$1 b=$2 ka=$TEST_TMP/wg-a.key kb=$TEST_TMP/wg-b.key
	require_wg
	internet "$a" "$b"
	(umask 077 && wg genkey >"$ka" && wg genkey >"$kb")
	wg_end "$a" "$ka" "$(wg pubkey <"$kb")" 10.1.0.1 10.2.0.0/16 "192.0.2.2:$WG_PORT"
	wg_end "$b" "$kb" "$(wg pubkey <"$ka")" 10.2.0.1 10.1.0.0/16 "192.0.2.1:$WG_PORT"
}

require_wg() {
	command -v wg >/dev/null || fail "wg missing (apt-get install wireguard-tools)"
	modprobe wireguard || fail "modprobe wireguard failed"
}

ns_ping() {	# NS ADDR
	ip netns exec "$1" ping -q -c 1 -W 1 "$2" >/dev/null
}

# setup_link LINK: namespaces, the link, a ping across it (which also
# makes WireGuard do its handshake before anything is measured). Runs in
# run_test's subshell: success is left behind as a file.
setup_link() {
	local link=$1 a=${NS_A[$1]} b=${NS_B[$1]}
	ns_new "$link-a" >/dev/null
	ns_new "$link-b" >/dev/null
	"setup_$link" "$a" "$b"
	wait_for 20 ns_ping "$a" "${SERVER_ADDR[$link]}"
	touch "$TEST_TMP/setup-$link.ok"
}

tcp_listening_on() {	# NS ADDR PORT
	[[ -n $(ip netns exec "$1" ss -Hltn "src $2:$3") ]]
}

# start_server LINK: a long-lived iperf3 server in B (it serves the tests
# one after the other), killed when the script exits.
start_server() {
	local link=$1
	ip netns exec "${NS_B[$link]}" iperf3 -s -B "${SERVER_ADDR[$link]}" -p $PORT \
		</dev/null >>"$OUT/iperf3-server-$link.log" 2>&1 &
	SERVER_PID[$link]=$!
	on_exit kill "${SERVER_PID[$link]}"
	wait_for 10 tcp_listening_on "${NS_B[$link]}" "${SERVER_ADDR[$link]}" $PORT
}

restart_server() {
	local link=$1
	kill "${SERVER_PID[$link]}" 2>/dev/null
	wait "${SERVER_PID[$link]}" 2>/dev/null
	start_server "$link"
}

# ---- measuring ----

# cpu_now: CPU_BUSY and CPU_ALL, jiffies of all CPUs since boot.
cpu_now() {
	local _cpu user nice system idle iowait irq softirq steal _rest
	read -r _cpu user nice system idle iowait irq softirq steal _rest </proc/stat
	CPU_BUSY=$((user + nice + system + irq + softirq + steal))
	CPU_ALL=$((CPU_BUSY + idle + iowait))
}

# records.tsv: seconds, bytes as iperf3's receiver counted them; for UDP
# packets (that the receiver expected) and lost; for TCP the sender's
# retransmits, mean RTT (ms) and MSS; busy and all jiffies of the guest's
# CPUs over the run; the run's wall time in s. "-": does not apply.
RECORDS=$OUT/records.tsv
printf '%s\t' tunnel test rep seconds bytes mbps packets lost retransmits \
	rtt_ms mss cpu_busy cpu_total wall_s | sed 's/\t$/\n/' >"$RECORDS"

# measure LINK TEST REP: one iperf3 run from A to B; a TAP point, and a
# line in records.tsv if it worked.
measure() {
	local link=$1 test=$2 rep=$3 json busy0 all0 busy all rc vals line t0
	local -a args=(-c "${SERVER_ADDR[$link]}" -p "$PORT" -t "$TIME" -J --connect-timeout 5000)
	local name="$link $test #$rep"
	json=$OUT/json/$link-$test-$rep.json
	case $test in
	tcp1) ;;
	tcp4) args+=(-P 4) ;;
	udp) args+=(-u -l 64 -b 0) ;;
	*) tap_result 1 "$name" <<<"unknown test $test"; return ;;
	esac

	outer_gso_for "$link"
	t0=$(uptime_s)
	cpu_now
	busy0=$CPU_BUSY all0=$CPU_ALL
	timeout -k 5 $((TIME + 30)) ip netns exec "${NS_A[$link]}" iperf3 "${args[@]}" \
		</dev/null >"$json" 2>"$json.err"
	rc=$?
	cpu_now
	busy=$((CPU_BUSY - busy0)) all=$((CPU_ALL - all0))

	if ((rc != 0)); then
		# Not a pipe into tap_result: it must count in this shell.
		tap_result 1 "$name" < <(
			echo "iperf3 exit status $rc"
			jq -r '.error // empty' "$json" 2>/dev/null
			cat "$json.err")
		# A server left in a bad state would fail every later test.
		restart_server "$link" >/dev/null 2>&1
		return
	fi
	rm -f "$json.err"
	# seconds bytes packets lost retransmits rtt_ms mss
	vals=$(jq -r 'if .start.test_start.protocol == "UDP" then
			.end.sum_received | [.seconds, .bytes, .packets, .lost_packets, "-", "-", "-"]
		else
			[.end.sum_received.seconds, .end.sum_received.bytes, "-", "-",
			 .end.sum_sent.retransmits,
			 ([.end.streams[].sender.mean_rtt] | add / length / 1000),
			 .start.tcp_mss_default]
		end | @tsv' "$json")
	line=$(awk -F'\t' -v OFS='\t' -v l="$link" -v t="$test" -v r="$rep" \
		-v b="$busy" -v a="$all" -v w="$(awk -v t0="$t0" -v t1="$(uptime_s)" \
						  'BEGIN { print t1 - t0 }')" '
		NF == 7 && $1 > 0 && $2 > 0 {
			print l, t, r, $1, $2, sprintf("%.2f", $2 * 8 / $1 / 1e6), $3, $4, $5,
				$6, $7, b, a, w
			ok = 1
		}
		END { exit !ok }' <<<"$vals") ||
		{ tap_result 1 "$name" <<<"unusable iperf3 report: $vals"; return; }
	echo "$line" >>"$RECORDS"
	tap_result 0 "$name: $(summary "$line")" </dev/null
}

# summary RECORD: the few numbers worth a glance, for the TAP line.
summary() {
	awk -F'\t' '{
		cpu = $12 / 100	# USER_HZ
		if ($2 == "udp") {
			got = $7 - $8
			printf "%.1f kpps delivered, %.1f%% lost", got / $4 / 1e3,
				$7 ? 100 * $8 / $7 : 0
		} else {
			printf "%.1f Mbit/s, %.2f CPU-s/GB, %s retransmits, RTT %.1f ms", $6,
				cpu / ($5 / 1e9), $9, $10
		}
		printf ", CPU %.0f%% busy, %.1f s", $13 ? 100 * $12 / $13 : 0, $14
	}' <<<"$1"
}

uptime_s() {
	local up _idle
	read -r up _idle </proc/uptime
	echo "$up"
}

# ---- what the runs left behind ----

# dev_counters NS DEV: the device's own drop and error counters.
dev_counters() {
	local c out=
	for c in rx_dropped tx_dropped rx_errors tx_errors; do
		out+=" $c $(dev_stat "$1" "$2" "$c" 2>/dev/null || echo '?')"
	done
	echo "${out# }"
}

# nonzero_snmp NS REGEX: the namespace's SNMP counters matching REGEX
# that are not zero (UDP buffer overruns, XFRM errors). nstat does not
# read /proc/net/xfrm_stat: the XFRM counters come from there.
nonzero_snmp() {
	{
		ip netns exec "$1" nstat -saz
		ip netns exec "$1" cat /proc/net/xfrm_stat
	} 2>/dev/null | awk -v re="$2" '$1 ~ re && $2 != 0 { printf "%s %s ", $1, $2 }'
}

# vtun's own counters that are not traffic: drops, errors and events.
vtun_drops() {	# NS
	vtunctl_in "$1" show vtun0 -j | jq -r '.[0].stats | to_entries[] |
		select(.value != 0 and (.key | test("^(rx|tx)_(packets|bytes)$") | not)) |
		"\(.key) \(.value)"' | tr '\n' ' '
}

report_counters() {
	local link side ns dev
	for link in "${LINKS[@]}"; do
		[[ ${READY[$link]:-} == 1 ]] || continue
		echo "== $link"
		for side in A B; do
			ns=${NS_A[$link]}
			[[ $side == B ]] && ns=${NS_B[$link]}
			for dev in pub0 $(tunnel_dev "$link"); do
				echo "$side $dev: $(dev_counters "$ns" "$dev")"
			done
			echo "$side snmp: $(nonzero_snmp "$ns" '^(Udp(InErrors|RcvbufErrors|SndbufErrors)|Xfrm)')"
			case $link in
			vtun | vtunb)
				echo "$side vtun stats: $(vtun_drops "$ns")"
				echo "$side vtunctl show:"
				vtunctl_in "$ns" show | sed 's/^/  /'
				;;
			xfrm)
				# per SA: src>dst: replay-window N replay N failed N
				ip -n "$ns" -s xfrm state | awk -v side="$side" '
					/^src / { sa = $2 ">" $4 }
					/^[ \t]*replay-window [0-9]+ replay [0-9]+ failed [0-9]+/ {
						sub(/^[ \t]*/, ""); print side " xfrm sa " sa ": " $0
					}'
				;;
			wg)
				echo "$side wg show:"
				ip netns exec "$ns" wg show wg0 |
					grep -vE 'private key|public key' | sed 's/^/  /'
				;;
			esac
		done
	done
}

# tunnel_dev LINK: the link's own device, if it has one.
tunnel_dev() {
	case $1 in
	vtun | vtunb) echo vtun0 ;;
	wg) echo wg0 ;;
	esac
}

# vtun must never see a packet it cannot authenticate or parse from a
# peer with the same keys: those counters are failures, not load drops.
check_vtun_integrity() {
	local ns c v bad=
	for ns in "${NS_A[vtun]:-}" "${NS_B[vtun]:-}" "${NS_A[vtunb]:-}" "${NS_B[vtunb]:-}"; do
		[[ -n $ns ]] || continue
		for c in rx_auth_fail rx_malformed rx_crypto_errors rx_bad_inner tx_errors; do
			v=$(vstat "$ns" vtun0 "$c" 2>/dev/null) || v=0	# absent: never counted
			[[ $v == 0 || $v == null ]] || bad+="$ns $c $v; "
		done
	done
	[[ -z $bad ]] || fail "integrity counters: $bad"
}

# The same for XFRM: every XFRM counter is an error of some kind, but
# replay drops (XfrmInStateSeqError) are load drops, as they are for vtun.
xfrm_clean() {
	local ns errs=
	for ns in "${NS_A[xfrm]}" "${NS_B[xfrm]}"; do
		errs+=$(nonzero_snmp "$ns" '^Xfrm(In([^S]|S[^t]|State[^S]|StateS[^e])|Out)')
	done
	[[ -z $errs ]] || fail "XFRM error counters: $errs"
}

# ---- what the measurement ran on ----

write_meta() {
	{
		echo "guest_kernel $(uname -r)"
		echo "guest_cpus $(nproc)"
		echo "guest_cpu $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
		echo "guest_cpu_flags $(grep -m1 -owE 'aes|vaes|pclmulqdq|vpclmulqdq|avx2|avx512f' /proc/cpuinfo |
			sort -u | tr '\n' ' ')"
		echo "guest_mem_kib $(awk '/^MemTotal/ { print $2 }' /proc/meminfo)"
		echo "iperf3 $(iperf3 --version | head -n 1)"
		echo "time_s $TIME"
		echo "reps $REPS"
		echo "links ${LINKS[*]}"
		echo "tests ${TESTS[*]}"
		echo "aesni_loaded $([[ -d /sys/module/aesni_intel ]] && echo yes || echo no)"
		echo "vtun_srcversion $(cat /sys/module/vtun/srcversion 2>/dev/null || echo '?')"
		local link dev
		for link in "${LINKS[@]}"; do
			[[ ${READY[$link]:-} == 1 ]] || continue
			dev=$(tunnel_dev "$link")
			dev=${dev:-pub0}
			echo "mtu_$link $(dev_attr "${NS_A[$link]}" "$dev" mtu) ($dev)"
		done
		echo "xfrm_replay_window $XFRM_REPLAY_WINDOW"
		echo "modules $(lsmod | awk 'NR > 1 && $1 ~ /^(vtun|wireguard|esp4|esp4_offload|xfrm|aesni|ghash|chacha|poly1305|curve25519|crypto_simd|cryptd|gcm)/ { printf "%s ", $1 }')"
		# Which AEAD implementations the tunnels got (refcnt > 1: in use).
		awk -v RS= '/name *: (rfc4106\(gcm\(aes\)\)|gcm\(aes\))\n/ {
			n = split($0, l, "\n"); d = p = r = ""
			for (i = 1; i <= n; i++) {
				split(l[i], kv, / *: /)
				if (kv[1] == "driver") d = kv[2]
				if (kv[1] == "priority") p = kv[2]
				if (kv[1] == "refcnt") r = kv[2]
			}
			print "crypto " d " priority " p " refcnt " r
		}' /proc/crypto
	} >"$OUT/meta-guest.txt" 2>&1
}

# ---- main ----

main() {
	local link test rep start=$SECONDS

	note "bench: links ${LINKS[*]}; tests ${TESTS[*]}; $REPS x $TIME s each"
	for link in "${LINKS[@]}"; do
		if ! declare -F "setup_$link" >/dev/null; then
			tap_result 1 "setup $link" <<<"unknown link $link"
			continue
		fi
		run_test "setup $link" setup_link "$link"
		[[ -f $TEST_TMP/setup-$link.ok ]] || continue
		if start_server "$link"; then
			READY[$link]=1
		else
			tap_result 1 "iperf3 server for $link" <"$OUT/iperf3-server-$link.log"
		fi
	done
	write_meta
	note "bench: setup took $((SECONDS - start)) s; $(grep '^crypto' "$OUT/meta-guest.txt" | tr '\n' ';')"

	for ((rep = 1; rep <= REPS; rep++)); do
		for link in "${LINKS[@]}"; do
			[[ ${READY[$link]:-} == 1 ]] || continue
			for test in "${TESTS[@]}"; do
				measure "$link" "$test" "$rep"
			done
		done
	done
	note "bench: measuring took $((SECONDS - start)) s in all"

	report_counters >"$OUT/counters.txt" 2>&1
	sed 's/^/# /' "$OUT/counters.txt"
	if [[ ${READY[vtun]:-} == 1 || ${READY[vtunb]:-} == 1 ]]; then
		run_test "vtun: no authentication, parse or crypto errors" check_vtun_integrity
	fi
	if [[ ${READY[xfrm]:-} == 1 ]]; then
		run_test "xfrm: no XFRM errors but replay drops" xfrm_clean
	fi
}

# One line: bash reads a script as it runs it, and this one may be edited
# on the host while a long run is under way.
main; tap_done; exit
