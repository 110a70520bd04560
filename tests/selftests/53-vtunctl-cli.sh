#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vtunctl's newer grammar against the real module: genkey, help for every
# command, abbreviations that keep their meaning, set ... bind-dev, ttl and
# dscp, ChaCha20-Poly1305, SA lifetimes and recorded key paths in show, and
# the exit status and one
# line on stderr of every kind of failure. No leaks under valgrind.
#
# Grammar under test: vtunctl genkey [aes128|aes192|aes256|chacha20];
# vtunctl COMMAND help; vtunctl set DEV bind-dev IFNAME|none ttl TTL
# dscp DSCP|inherit; vtunctl sa add ... aead 'rfc7539esp(chacha20,poly1305)'
# ... [limit LIMIT N]...; KEY as @PATH.

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/topo.sh
. "$(dirname "$0")/../topo.sh"
require_root
require_cmd jq

require_vtunctl

NS=$(ns_new cli) || exit 1
KEY=0x0123456789abcdef0123456789abcdef01020304

vt() {
	ip netns exec "$NS" "$VTUNCTL" "$@"
}

json() {	# JQ-FILTER on show vtun0 -j
	vt show vtun0 -j | jq -e -c "$1"
}

# fails STATUS MESSAGE ARG...: exit STATUS, nothing on stdout, one line on
# stderr that contains MESSAGE.
fails() {
	local status=$1 msg=$2
	shift 2
	capture vt "$@"
	assert_eq "$status" "$RC" "exit status of vtunctl $* (stderr: $ERR)"
	assert_eq "" "$OUT" "stdout"
	[[ $ERR != *$'\n'* ]] || fail "more than one line on stderr: $ERR"
	[[ $ERR == "vtunctl: "*"$msg"* ]] || fail "stderr '$ERR' lacks '$msg'"
}

setup() {
	ip -n "$NS" link add vtun0 type vtun
	ip -n "$NS" link add ul0 type dummy
	ip -n "$NS" link set ul0 up
	vt peer add vtun0 id 1 endpoint 192.0.2.2:4500
}

test_genkey() {
	local k1 k2 k3 f=$TEST_TMP/gen.key
	k1=$(vt genkey)
	assert_match '^0x[0-9a-f]{40}$' "$k1" "genkey"
	assert_match '^0x[0-9a-f]{56}$' "$(vt genkey aes192)" "genkey aes192"
	k3=$(vt genkey aes256)
	assert_match '^0x[0-9a-f]{72}$' "$k3" "genkey aes256"
	k2=$(vt genkey aes128)
	assert_ne "$k1" "$k2" "two keys"
	assert_eq 1 "$(vt genkey | wc -l)" "lines of output"
	vt sa add vtun0 peer 1 dir out spi 0x100 aead "$AEAD" "$k3" 128
	assert_eq 256 "$(json '.[0].peers[0].sas[0].key_bits')" "key_bits of a genkey aes256 key"
	(umask 077 && vt genkey >"$f")
	vt sa add vtun0 peer 1 dir in spi 0x101 aead "$AEAD" "@$f" 64
	vt sa del vtun0 dir out spi 0x100
	vt sa del vtun0 dir in spi 0x101
	fails 2 "unknown key size 'aes512'" genkey aes512
	fails 2 "genkey: unexpected 'x'" genkey aes128 x
}

test_help() {
	local cmd
	capture vt help
	assert_eq 0 "$RC" "exit status of help"
	for cmd in monitor setconf showconf genkey bind-dev ttl dscp limit --batch; do
		[[ $OUT == *"$cmd"* ]] || fail "help lacks $cmd"
	done
	for cmd in show set peer route sa monitor setconf showconf genkey; do
		capture vt $cmd help
		assert_eq 0 "$RC" "exit status of $cmd help"
		assert_match "^Usage: vtunctl $cmd" "$OUT" "$cmd help"
		assert_eq "" "$ERR" "stderr of $cmd help"
	done
	assert_match 'bind-dev IFNAME\|none' "$(vt set help)" "set help"
	assert_match 'limit LIMIT N' "$(vt sa help)" "sa help"
}

test_abbreviations() {
	assert_match '^vtun0: ' "$(vt sh)" "sh is show"
	assert_match '^\[Device\]' "$(vt showc vtun0)" "showc is showconf"
	vt se vtun0 fwmark 7
	assert_eq 7 "$(json '.[0].fwmark')" "se is set"
	vt se vtun0 fwmark 0
	assert_match '^Usage: vtunctl monitor' "$(vt mon help)" "mon is monitor"
	assert_match '^0x' "$(vt g)" "g is genkey"
	fails 2 "ambiguous command 's' (show, set, sa)" s
}

test_bind_dev() {
	local idx
	idx=$(ip netns exec "$NS" cat /sys/class/net/ul0/ifindex)
	vt set vtun0 bind-dev ul0
	assert_match '^vtun0: listen-port [0-9]+ fwmark 0x0 bind-dev ul0 peers' "$(vt show vtun0)" "show"
	assert_eq "{\"bind_dev\":\"ul0\",\"bind_ifindex\":$idx}" \
		"$(json '.[0] | {bind_dev, bind_ifindex}')" "show -j"
	assert_match '^BindDevice = ul0$' "$(vt showconf vtun0 | grep BindDevice)" "showconf"
	vt set vtun0 bind-dev none
	assert_eq '{"bind_dev":null,"bind_ifindex":0}' \
		"$(json '.[0] | {bind_dev, bind_ifindex}')" "show -j after bind-dev none"
	assert_no_match 'bind-dev' "$(vt show vtun0)" "show"
	fails 2 "bind-dev nosuch0: no such device" set vtun0 bind-dev nosuch0
	fails 2 "set: 'bind-dev' given twice" set vtun0 bind-dev ul0 bind-dev ul0
}

test_ttl_dscp() {
	assert_eq '{"ttl":0,"dscp":null,"dscp_inherit":true}' \
		"$(json '.[0] | {ttl, dscp, dscp_inherit}')" "defaults"
	vt set vtun0 ttl 33 dscp 10
	assert_match '^vtun0: listen-port [0-9]+ fwmark 0x0 ttl 33 dscp 10 peers' "$(vt show vtun0)" "show"
	assert_eq '{"ttl":33,"dscp":10,"dscp_inherit":false}' \
		"$(json '.[0] | {ttl, dscp, dscp_inherit}')" "show -j"
	assert_eq $'Ttl = 33\nDscp = 10' "$(vt showconf vtun0 | grep -E '^(Ttl|Dscp) ')" "showconf"
	vt set vtun0 dscp inherit ttl 0
	assert_eq '{"ttl":0,"dscp":null,"dscp_inherit":true}' \
		"$(json '.[0] | {ttl, dscp, dscp_inherit}')" "back to the defaults"
	assert_no_match 'ttl|dscp' "$(vt show vtun0)" "show"
	fails 2 "dscp '64' out of range (0..63)" set vtun0 dscp 64
}

test_chacha20() {
	local alg='rfc7539esp(chacha20,poly1305)'
	vt sa add vtun0 peer 1 dir out spi 0x600 aead "$alg" "$(vt genkey chacha20)" 128
	assert_eq "{\"alg\":\"$alg\",\"key_bits\":256}" \
		"$(json '.[0].peers[0].sas[0] | {alg, key_bits}')" "ChaCha20-Poly1305 SA"
	assert_match 'Aead = rfc7539esp\(chacha20,poly1305\)' "$(vt showconf vtun0)" "showconf"
	vt sa del vtun0 dir out spi 0x600
	fails 2 "rfc7539esp(chacha20,poly1305) takes icv bits 128" \
		sa add vtun0 peer 1 dir out spi 0x600 aead "$alg" "$(vt genkey chacha20)" 96
	fails 2 "key is 20 bytes; rfc7539esp(chacha20,poly1305) takes 36" \
		sa add vtun0 peer 1 dir out spi 0x600 aead "$alg" "$(vt genkey)" 128
}

test_lifetimes() {
	vt sa add vtun0 peer 1 dir out spi 0x200 aead "$AEAD" "$(vt genkey)" 128 \
		limit time-soft 3600 limit time-hard 3900 limit time-use-soft 60 \
		limit time-use-hard 120 limit byte-soft 1000000 limit byte-hard 0x200000 \
		limit packet-soft 5 l packet-hard 10
	assert_eq '{"soft_bytes":1000000,"hard_bytes":2097152,"soft_packets":5,"hard_packets":10,"soft_add_secs":3600,"hard_add_secs":3900,"soft_use_secs":60,"hard_use_secs":120}' \
		"$(json '.[0].peers[0].sas[0].lifetime')" "lifetime"
	assert_eq '{"use_secs":null,"expire":null}' \
		"$(json '.[0].peers[0].sas[0] | {use_secs, expire}')" "never used, not expired"
	assert_range 0 "$(json '.[0].peers[0].sas[0].add_secs')" 60 "add_secs"
	assert_match '      add [0-9]+s ago, never used, limit time-soft 3600 time-hard 3900 time-use-soft 60 time-use-hard 120 byte-soft 1000000 byte-hard 2097152 packet-soft 5 packet-hard 10' \
		"$(vt show vtun0)" "show"
	vt sa add vtun0 peer 1 dir in spi 0x201 aead "$AEAD" "$(vt genkey)" 128
	assert_eq null "$(json '.[0].peers[0].sas[1].lifetime')" "no limits: lifetime null"
	vt sa del vtun0 dir out spi 0x200
	vt sa del vtun0 dir in spi 0x201
	fails 2 "limit packet-soft 20 exceeds packet-hard 10" \
		sa add vtun0 peer 1 dir out spi 0x202 aead "$AEAD" "$(vt genkey)" 128 \
		limit packet-soft 20 limit packet-hard 10
	fails 2 "limit time-soft given twice" \
		sa add vtun0 peer 1 dir out spi 0x202 aead "$AEAD" "$(vt genkey)" 128 \
		limit time-soft 1 limit time-soft 2
	fails 2 "unknown limit 'time'" \
		sa add vtun0 peer 1 dir out spi 0x202 aead "$AEAD" "$(vt genkey)" 128 limit time 1
	fails 2 "'limit KEYWORD' needs a value" \
		sa add vtun0 peer 1 dir out spi 0x202 aead "$AEAD" "$(vt genkey)" 128 limit time-soft
}

test_key_ref() {
	local dir=$TEST_TMP/keys
	mkdir -p "$dir/real"
	(umask 077 && echo $KEY >"$dir/real/a.key")
	ln -s real "$dir/link"
	(cd "$dir" && vt sa add vtun0 peer 1 dir out spi 0x300 aead "$AEAD" @link/a.key 128)
	assert_eq "\"$(realpath "$dir/real/a.key")\"" "$(json '.[0].peers[0].sas[0].key_ref')" \
		"key_ref: absolute, links resolved"
	vt genkey | vt sa add vtun0 peer 1 dir in spi 0x301 aead "$AEAD" @/dev/stdin 128
	vt sa add vtun0 peer 1 dir out spi 0x302 aead "$AEAD" "$(vt genkey)" 128
	assert_eq '[null,null]' "$(json '[.[0].peers[0].sas[1:][].key_ref]')" \
		"no key_ref from a pipe or a 0x key"
	assert_no_match 'real/a.key' "$(vt show vtun0)" "show text never names key files"
	assert_match "Key = @$(realpath "$dir/real/a.key")" "$(vt showconf vtun0 --key-paths)" \
		"showconf --key-paths"
	assert_eq 2 "$(vt showconf vtun0 --key-paths | grep -c '^# key not recorded$')" \
		"SAs without a recorded key"
	assert_no_match 'Key|key not recorded' "$(vt showconf vtun0)" "showconf without --key-paths"
	vt sa del vtun0 dir out spi 0x300
	vt sa del vtun0 dir in spi 0x301
	vt sa del vtun0 dir out spi 0x302
}

test_errors() {
	fails 1 "vtun9: no such device" show vtun9
	fails 1 "vtun9: no such device" showconf vtun9
	fails 1 "lo: not a vtun device" set lo bind-dev none
	fails 1 "No peer with this id" sa add vtun0 peer 9 dir out spi 0x400 aead "$AEAD" "$(vt genkey)" 128
	fails 1 "File exists" peer add vtun0 id 1
	fails 2 "showconf: unexpected '--keys'" showconf vtun0 --keys
	fails 2 "setconf: missing FILE" setconf vtun0
	fails 2 "$TEST_TMP/none.conf: No such file or directory" setconf vtun0 "$TEST_TMP/none.conf"
	fails 2 "monitor: unexpected 'vtun1'" monitor vtun0 vtun1
	fails 2 "unknown command 'frob'" frob
	capture vt -V
	assert_match '^vtunctl [0-9]' "$OUT" "--version"
}

# Only what needs the module (host-side unit tests run everything else
# under valgrind): valgrind inside the emulated VM is slow.
test_valgrind() {
	local vg=(valgrind --quiet --leak-check=full "--errors-for-leak-kinds=definite,possible"
		  --error-exitcode=99)
	capture ip netns exec "$NS" "${vg[@]}" "$VTUNCTL" sa add vtun0 peer 1 dir out \
		spi 0x500 aead "$AEAD" "$(vt genkey)" 128 limit time-hard 100
	assert_eq 0 "$RC" "sa add with a limit (stderr: $ERR)"
	capture ip netns exec "$NS" "${vg[@]}" "$VTUNCTL" -p show
	assert_eq 0 "$RC" "show -p (stderr: $ERR)"
	capture ip netns exec "$NS" "${vg[@]}" "$VTUNCTL" showconf vtun0 --key-paths
	assert_eq 0 "$RC" "showconf (stderr: $ERR)"
	vt sa del vtun0 dir out spi 0x500
}

run_test "setup" setup
run_test "genkey: key sizes, fresh keys, usable by sa add" test_genkey
run_test "help, and COMMAND help for every command" test_help
run_test "abbreviations keep their meaning" test_abbreviations
run_test "set bind-dev, shown in show, show -j, showconf" test_bind_dev
run_test "set ttl, dscp: show, show -j, showconf" test_ttl_dscp
run_test "ChaCha20-Poly1305 SAs" test_chacha20
run_test "sa add limits: show, show -j, refused ones" test_lifetimes
run_test "@PATH keys are recorded as absolute paths" test_key_ref
run_test "failures: exit status and one line" test_errors
if command -v valgrind >/dev/null; then
	run_test "new commands under valgrind: no leaks" test_valgrind
else
	skip "new commands under valgrind: no leaks" "valgrind missing"
fi
tap_done
