#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vtunctl against the real module, every command of its grammar: run in the
# test VM with
#
#	tests/vm/run tests/selftests/22-vtunctl.sh
#
# Checks what the host-side unit tests cannot: requests the kernel accepts
# and refuses (one line on stderr with its extack message, exit 1), what
# `show` prints in text and JSON, multi-part dumps, and no leaks under
# valgrind along real netlink paths.

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/topo.sh
. "$(dirname "$0")/../topo.sh"
require_root
require_cmd jq

require_vtunctl

NS=$(ns_new ctl) || exit 1
KEY128=0x0123456789abcdef0123456789abcdef01020304
# Every SA of a device needs a key of its own.
KEY128B=0x1123456789abcdef0123456789abcdef01020304
KEY128C=0x2123456789abcdef0123456789abcdef01020304
KEY256=0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1fa1a2a3a4
AEAD='rfc4106(gcm(aes))'

vt() {
	ip netns exec "$NS" "$VTUNCTL" "$@"
}

vg() {	# vt under valgrind: exit 99 on any memory error or leak
	ip netns exec "$NS" valgrind --quiet --leak-check=full \
		--errors-for-leak-kinds=definite,possible --error-exitcode=99 \
		"$VTUNCTL" "$@"
}

# refused MESSAGE ARG...: exit 1, nothing on stdout, one line on stderr
# that contains MESSAGE.
refused() {
	local msg=$1
	shift
	capture vt "$@"
	assert_eq 1 "$RC" "exit status of vtunctl $* (stderr: $ERR)"
	assert_eq "" "$OUT" "stdout"
	[[ $ERR != *$'\n'* ]] || fail "more than one line on stderr: $ERR"
	[[ $ERR == "vtunctl: "*"$msg"* ]] || fail "stderr '$ERR' lacks '$msg'"
}

json() {	# JQ-FILTER: applied to `vtunctl show vtun0 -j`
	vt show vtun0 -j | jq -e -c "$1"
}

setup() {
	ip -n "$NS" link add vtun0 type vtun
}

test_show_empty() {
	local out
	out=$(vt show vtun0)
	assert_match '^vtun0: listen-port [0-9]+ fwmark 0x0 peers 0 sas 0' "$out"
	assert_eq '[]' "$(json '.[0].peers')" "peers"
	assert_eq 0 "$(json '.[0].stats.rx_no_sa')" "rx_no_sa"
}

test_set() {
	vt set vtun0 listen-port 4501 fwmark 0x42
	assert_match '^vtun0: listen-port 4501 fwmark 0x42 ' "$(vt show vtun0)"
	assert_eq 66 "$(json '.[0].fwmark')" "fwmark"
	vt set vtun0 fwmark 0
	assert_eq 0 "$(json '.[0].fwmark')" "fwmark"
	refused "vtun9: no such device" set vtun9 fwmark 1
}

test_peers() {
	vt peer add vtun0 id 1 endpoint 192.0.2.2:4500 keepalive 25 pin-endpoint
	vt peer add vtun0 id 2 endpoint '[2001:db8::2]:4500'
	vt peer a vtun0 i 3
	assert_eq '[1,2,3]' "$(json '[.[0].peers[].id]')" "peer ids"
	assert_eq '"192.0.2.2:4500"' "$(json '.[0].peers[0].endpoint')" "endpoint 1"
	assert_eq '"[2001:db8::2]:4500"' "$(json '.[0].peers[1].endpoint')" "endpoint 2"
	assert_eq 'null' "$(json '.[0].peers[2].endpoint')" "endpoint 3"
	assert_eq 'true' "$(json '.[0].peers[0].pin_endpoint')" "pin 1"
	assert_eq 25 "$(json '.[0].peers[0].keepalive')" "keepalive 1"
	assert_match '  peer 1: endpoint 192.0.2.2:4500 keepalive 25s pin-endpoint, last rx never' \
		"$(vt show vtun0)"
	refused "File exists" peer add vtun0 id 1
	refused "No such file or directory" peer set vtun0 id 9 keepalive 1
	vt peer set vtun0 id 1 no-pin-endpoint keepalive off
	assert_eq 'false' "$(json '.[0].peers[0].pin_endpoint')" "pin 1 cleared"
	assert_eq 0 "$(json '.[0].peers[0].keepalive')" "keepalive 1 off"
	vt peer set vtun0 id 3 endpoint 198.51.100.3:1234
	assert_eq '"198.51.100.3:1234"' "$(json '.[0].peers[2].endpoint')" "endpoint 3 set"
}

test_routes() {
	vt route add vtun0 10.2.0.0/16 peer 1
	vt route add vtun0 fd02::/64 peer 1
	vt route add vtun0 0.0.0.0/0 peer 2
	vt r a vtun0 10.9.9.9 p 3
	assert_eq '["10.2.0.0/16","fd02::/64"]' "$(json '.[0].peers[0].routes')" "routes 1"
	assert_eq '["0.0.0.0/0"]' "$(json '.[0].peers[1].routes')" "routes 2"
	assert_eq '["10.9.9.9/32"]' "$(json '.[0].peers[2].routes')" "routes 3"
	assert_match '    routes: 10.2.0.0/16 fd02::/64' "$(vt show vtun0)"
	refused "" route add vtun0 10.2.0.0/16 peer 2
	refused "No peer with this id" route add vtun0 10.3.0.0/16 peer 9
	refused "" route del vtun0 10.2.0.0/16 peer 2
	vt route del vtun0 10.9.9.9/32
	assert_eq '[]' "$(json '.[0].peers[2].routes')" "routes 3 deleted"
}

test_sas() {
	local keyfile=$TEST_TMP/key
	vt sa add vtun0 peer 1 dir out spi 0x100 aead "$AEAD" $KEY128 128 esn seq 42
	vt sa add vtun0 peer 1 dir in spi 0x200 aead "$AEAD" $KEY128B 96 esn replay-window 128
	(umask 077 && echo $KEY256 >"$keyfile")
	vt sa add vtun0 peer 2 dir out spi 4096 aead "$AEAD" "@$keyfile" 64
	assert_eq '[256,512]' "$(json '[.[0].peers[0].sas[].spi]')" "SAs of peer 1, out first"
	assert_eq '{"dir":"out","alg":"rfc4106(gcm(aes))","key_bits":128,"icv_bits":128,"esn":true,"replay_window":null,"seq":42}' \
		"$(json '.[0].peers[0].sas[0] | {dir, alg, key_bits, icv_bits, esn, replay_window, seq}')" "SA 0x100"
	assert_eq '{"dir":"in","icv_bits":96,"replay_window":128}' \
		"$(json '.[0].peers[0].sas[1] | {dir, icv_bits, replay_window}')" "SA 0x200"
	assert_eq 256 "$(json '.[0].peers[1].sas[0].key_bits')" "AES-256 from a key file"
	assert_eq 3 "$(json '.[0].n_sas')" "n_sas"
	assert_match '    sa out spi 0x00000100 rfc4106\(gcm\(aes\)\) 128-bit icv 128 esn seq 42' \
		"$(vt show vtun0)"
	assert_match '    sa in  spi 0x00000200 rfc4106\(gcm\(aes\)\) 128-bit icv 96 esn window 128 seq 0' \
		"$(vt show vtun0)"
	# Keys are write-only: no trace of them in any output.
	assert_no_match '0123456789abcdef|1c1d1e1f' "$(vt show vtun0; vt show vtun0 -j)" "show output"
	refused "" sa add vtun0 peer 1 dir out spi 0x100 aead "$AEAD" $KEY128 128
	refused "No peer with this id" sa add vtun0 peer 9 dir out spi 0x300 aead "$AEAD" $KEY128 128
	refused "" sa del vtun0 dir in spi 0x100
	vt sa del vtun0 dir out spi 4096
	assert_eq '[]' "$(json '.[0].peers[1].sas')" "SA 4096 deleted"
}

test_peer_del() {
	vt peer del vtun0 id 1
	assert_eq '[2,3]' "$(json '[.[0].peers[].id]')" "peers left"
	assert_eq 0 "$(json '.[0].n_sas')" "SAs of peer 1 gone"
	assert_no_match '10\.2\.0\.0/16' "$(vt show vtun0)" "routes of peer 1 gone"
	refused "No such file or directory" peer del vtun0 id 1
}

test_errors() {
	refused "nosuchdev: no such device" show nosuchdev
	refused "lo: not a vtun device" show lo
	refused "lo: not a vtun device" peer add lo id 1
}

test_json_whole() {
	local out
	out=$(vt -p show)
	assert_eq 1 "$(jq -s length <<<"$out")" "one JSON document"
	assert_eq '"vtun0"' "$(jq -c '.[0].ifname' <<<"$out")" "ifname"
	vt show -j | jq -e '.[0] | has("ifindex", "listen_port", "fwmark", "n_peers", "n_sas", "stats", "peers")' >/dev/null
	vt show -j | jq -e '.[0].peers[0] | has("id", "endpoint", "keepalive", "pin_endpoint", "last_rx_msecs", "stats", "routes", "sas")' >/dev/null
}

# Enough objects that each dump spans several messages of the kernel's.
test_big_dump() {
	local i
	ip -n "$NS" link add vtun1 type vtun
	for ((i = 1; i <= 150; i++)); do
		vt peer add vtun1 id $i endpoint 192.0.2.$((i % 250 + 1)):$((1000 + i))
		vt route add vtun1 10.$((i / 256)).$((i % 256)).0/24 peer $i
		vt route add vtun1 fd00:$i::/64 peer $i
	done
	assert_eq 150 "$(vt show vtun1 -j | jq '.[0].peers | length')" "peers listed"
	assert_eq 300 "$(vt show vtun1 -j | jq '[.[0].peers[].routes[]] | length')" "routes listed"
	assert_eq 150 "$(vt show vtun1 | grep -c '^  peer ')" "peers in text"
	assert_eq 2 "$(vt show -j | jq length)" "devices listed"
	ip -n "$NS" link del vtun1
}

test_valgrind() {
	# A few requests only: valgrind inside the emulated VM is slow.
	capture vg show vtun0 -p
	assert_eq 0 "$RC" "show -p under valgrind (stderr: $ERR)"
	capture vg peer add vtun0 id 7 endpoint 192.0.2.7:4500
	assert_eq 0 "$RC" "peer add under valgrind (stderr: $ERR)"
	capture vg sa add vtun0 peer 7 dir out spi 0x700 aead "$AEAD" $KEY128C 128
	assert_eq 0 "$RC" "sa add under valgrind (stderr: $ERR)"
	capture vg sa add vtun0 peer 7 dir out spi 0x700 aead "$AEAD" $KEY128C 128
	assert_eq 1 "$RC" "refused sa add under valgrind (stderr: $ERR)"
	vt peer del vtun0 id 7
}

# Two gateways with traffic between them: the counters show up.
test_traffic() {
	A=$(ns_new a) && B=$(ns_new b)
	site_pair "$A" "$B"
	sa_pair "$A" "$B" "$KEY128_AB" "$KEY128_BA" 128
	ip netns exec "$A" ping -q -c 3 -i 0.2 -W 2 10.2.0.1
	# what an operator sees, for the log
	vtunctl_in "$A" show vtun0 | sed 's/^/# /' >&3
	local out
	out=$(vtunctl_in "$A" show vtun0)
	assert_match '  peer 1: endpoint 192\.0\.2\.2:4500 keepalive off, last rx [0-9]+s ago' "$out"
	assert_match '    rx 3 packets [0-9]+ B  tx 3 packets [0-9]+ B' "$out"
	assert_match 'sa out spi 0x00001000 rfc4106\(gcm\(aes\)\) 128-bit icv 128 seq 3 \[active\]' "$out"
	assert_eq 3 "$(sa_stat "$B" vtun0 "$SPI_AB" in stats.rx_packets)" "inbound SA rx_packets on B"
	assert_range 0 "$(vtunctl_in "$A" show vtun0 -j | jq '.[0].peers[0].last_rx_msecs')" 60000 "last_rx_msecs"
}

test_unprivileged() {
	local nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all)
	capture ip netns exec "$NS" "${nobody[@]}" "$VTUNCTL" peer add vtun0 id 8
	assert_eq 1 "$RC" "exit status"
	assert_match '^vtunctl: .*Operation not permitted' "$ERR" "stderr"
}

run_test "setup" setup
run_test "show an empty device" test_show_empty
run_test "set listen-port and fwmark" test_set
run_test "peer add, set" test_peers
run_test "route add, del" test_routes
run_test "sa add, del" test_sas
run_test "peer del takes routes and SAs along" test_peer_del
run_test "errors name the device" test_errors
run_test "JSON schema" test_json_whole
run_test "dumps of 150 peers and 300 routes" test_big_dump
exec 3>&1	# test_traffic logs the show output here, past run_test
run_test "counters after traffic" test_traffic
if command -v valgrind >/dev/null; then
	run_test "no leaks under valgrind" test_valgrind
else
	skip "no leaks under valgrind" "valgrind missing"
fi
if command -v setpriv >/dev/null; then
	run_test "unprivileged peer add refused" test_unprivileged
else
	skip "unprivileged peer add refused" "setpriv missing"
fi
tap_done
