#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The vtunctl binary's command line, with no kernel module: usage errors exit
# 2 with one line on stderr, help and --version work, and commands that pass
# parsing reach the kernel (exit 1, "module not loaded" on a host without
# vtun). Every run goes through $VALGRIND when set (exit 99 on errors).

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
set -f		# endpoints like [2001:db8::1]:4500 are not globs

KEY20=0x000102030405060708090a0b0c0d0e0f10111213
AEAD='rfc4106(gcm(aes))'
SA_OUT="sa add vtun0 peer 1 dir out spi 256 aead $AEAD"	# for the tables
SA_IN="sa add vtun0 peer 1 dir in spi 0x200 aead $AEAD"
sa_out=(sa add vtun0 peer 1 dir out spi 256 aead "$AEAD")		# for functions
sa_in=(sa add vtun0 peer 1 dir in spi 0x200 aead "$AEAD")

# vt ARG...: run vtunctl, leaving $OUT, $ERR and $RC (see capture).
vt() {
	# shellcheck disable=SC2086 # VALGRIND is a command line
	capture ${VALGRIND:-} "$VTUNCTL" "$@"
}

one_line() {	# WHAT TEXT
	[[ -n $2 && $2 != *$'\n'* ]] || fail "$1: expected one line, got '$2'"
}

# usage_fails MESSAGE ARG...: exit 2, nothing on stdout, one line on stderr
# that starts with "vtunctl: " and contains MESSAGE.
usage_fails() {
	local msg=$1
	shift
	vt "$@"
	assert_eq 2 "$RC" "exit status"
	assert_eq "" "$OUT" "stdout"
	one_line stderr "$ERR"
	[[ $ERR == "vtunctl: "*"$msg"* ]] || fail "stderr '$ERR' lacks '$msg'"
}

# shows_help PATTERN ARG...: exit 0, usage on stdout, nothing on stderr.
shows_help() {
	local pattern=$1
	shift
	vt "$@"
	assert_eq 0 "$RC" "exit status"
	assert_eq "" "$ERR" "stderr"
	assert_match "$pattern" "$OUT" "stdout"
}

module_loaded() {
	[[ -d /sys/module/vtun ]]
}

# reaches_kernel ARG...: parsing succeeded and netlink was tried. Without
# the module that is exit 1 with the module-not-loaded line.
reaches_kernel() {
	vt "$@"
	if module_loaded; then
		[[ $RC != 2 && $RC != 99 ]] || fail "exit $RC: $ERR"
		return
	fi
	assert_eq 1 "$RC" "exit status"
	assert_eq "vtunctl: vtun module not loaded (modprobe vtun)" "$ERR" "stderr"
}

key_file() {	# NAME MODE CONTENT: path of a new key file
	local path=$TEST_TMP/$1
	printf '%s' "$3" >"$path"
	chmod "$2" "$path"
	echo "$path"
}

# ---- version and help ----

run_test "--version" shows_help '^vtunctl [0-9a-z.]+$' --version
run_test "-V" shows_help '^vtunctl ' -V
run_test "help" shows_help 'Usage: vtunctl \[OPTIONS\] COMMAND' help
run_test "-h" shows_help 'Exit status: 0 success, 1 the request failed, 2 usage error' -h
run_test "--help" shows_help 'vtunctl sa add DEV peer ID' --help
run_test "he (abbreviated)" shows_help 'Usage: vtunctl' he
run_test "show help" shows_help '^Usage: vtunctl show \[DEV\]' show help
run_test "set help" shows_help '^Usage: vtunctl set DEV' set help
run_test "peer help" shows_help '^Usage: vtunctl peer add DEV id ID' peer help
run_test "peer add help" shows_help 'pin-endpoint' peer add help
run_test "route help" shows_help '^Usage: vtunctl route add DEV PREFIX peer ID' route help
run_test "sa help" shows_help "aead AEAD KEY ICVBITS.*'rfc4106\\(gcm\\(aes\\)\\)'" sa help
run_test "sa del --help" shows_help '^Usage: vtunctl sa' sa del --help
run_test "help lists the newer commands" shows_help '--batch FILE.*monitor \[DEV\].*setconf DEV FILE.*showconf DEV.*genkey' help
run_test "monitor help" shows_help '^Usage: vtunctl monitor \[DEV\]' monitor help
run_test "setconf help" shows_help '^Usage: vtunctl setconf DEV FILE' setconf help
run_test "showconf help" shows_help '^Usage: vtunctl showconf DEV \[--key-paths\]' showc help
run_test "genkey help" shows_help '^Usage: vtunctl genkey' genkey help
run_test "set help: bind-dev" shows_help 'bind-dev IFNAME\|none' set help
run_test "sa help: limits" shows_help 'time-use-soft' sa help
run_test "genkey" shows_help '^0x[0-9a-f]{40}$' genkey
run_test "genkey aes256" shows_help '^0x[0-9a-f]{72}$' g aes256
run_test "genkey chacha20" shows_help '^0x[0-9a-f]{72}$' genkey chacha20

# ---- usage errors: exit 2, one line ----

while IFS='|' read -r msg args; do
	[[ -z $msg || $msg == \#* ]] && continue
	# shellcheck disable=SC2086 # split ARGS into words on purpose
	run_test "usage: vtunctl $args" usage_fails "$msg" $args
done <<EOF
no command given (try 'vtunctl help')|
unknown command 'foo'|foo
ambiguous command 's' (show, set, sa)|s
unknown option '-x'|-x show
unknown option '--frobnicate'|--frobnicate show
show: unexpected 'extra'|show vtun0 extra
invalid device name 'bad/name'|show bad/name
too long (max 15 characters)|show vtun0123456789abc
set: missing device name|set
set: nothing to change|set vtun0
'listen-port' needs a value|set vtun0 listen-port
listen-port '65536' out of range (0..65535)|set vtun0 listen-port 65536
set: 'listen-port' given twice|set vtun0 listen-port 1 listen-port 2
invalid fwmark '-1'|set vtun0 fwmark -1
unknown set option 'mtu'|set vtun0 mtu 1400
peer: missing subcommand|peer
unknown peer subcommand 'frob'|peer frob vtun0
peer add: missing device name|peer add
peer add: missing 'id ID'|peer add vtun0
peer id '0' out of range (1..4294967295)|peer add vtun0 id 0
out of range|peer add vtun0 id 4294967296
invalid peer id 'one'|peer add vtun0 id one
expected ADDR:PORT|peer add vtun0 id 1 endpoint 192.0.2.1
write IPv6 endpoints as [ADDR]:PORT|peer add vtun0 id 1 endpoint 2001:db8::1:4500
endpoint port '0' out of range|peer add vtun0 id 1 endpoint [2001:db8::1]:0
keepalive '70000' out of range|peer add vtun0 id 1 keepalive 70000
pin-endpoint given twice|peer set vtun0 id 1 pin-endpoint no-pin-endpoint
'id' given twice|peer add vtun0 id 1 id 2
peer set: nothing to change|peer set vtun0 id 1
peer del: unexpected 'endpoint'|peer del vtun0 id 1 endpoint 192.0.2.1:4500
'endpoint' needs a value|peer add vtun0 id 1 e
route: missing subcommand|route
route add: missing PREFIX|route add vtun0
host bits set (did you mean 10.2.0.0/16?)|route add vtun0 10.2.3.4/16 peer 1
did you mean fd00::/64?|route add vtun0 fd00::1/64 peer 1
prefix length '33' out of range (0..32)|route add vtun0 10.0.0.0/33 peer 1
route add: missing 'peer ID'|route add vtun0 10.0.0.0/8
'peer' needs a value|route add vtun0 10.0.0.0/8 peer
unknown route option 'via'|route del vtun0 10.0.0.0/8 via 1
sa: missing subcommand|sa
sa add: missing 'peer'|sa add vtun0 dir out spi 256 aead $AEAD $KEY20 128
sa add: missing 'aead'|sa add vtun0 peer 1 dir out spi 256
unknown direction 'sideways'|sa add vtun0 peer 1 dir sideways spi 256
spi '255' out of range (256..4294967295)|sa add vtun0 peer 1 dir out spi 255
ambiguous sa option 's' (spi, seq)|sa add vtun0 peer 1 dir out s 256
unsupported aead 'gcm(aes)'|sa add vtun0 peer 1 dir out spi 256 aead gcm(aes) $KEY20 128
key must be 0x<hex> or @FILE|$SA_OUT ${KEY20#0x} 128
key is 2 bytes|$SA_OUT 0x0001 128
odd number of hex digits|$SA_OUT ${KEY20}0 128
non-hex character at position 3|$SA_OUT 0x00z102030405060708090a0b0c0d0e0f10111213 128
icv bits must be 64, 96 or 128|$SA_OUT $KEY20 100
icv bits '129' out of range (64..128)|$SA_OUT $KEY20 129
'aead NAME KEY' needs a value|$SA_OUT $KEY20
replay-window applies to inbound SAs only|$SA_OUT $KEY20 128 replay-window 64
replay-window '4097' out of range (0..4096)|$SA_IN $KEY20 128 replay-window 4097
seq '18446744073709551616' out of range|$SA_IN $KEY20 128 esn seq 18446744073709551616
sa add: seq beyond 32 bits needs esn|$SA_IN $KEY20 128 seq 4294967296
sa add: 'esn' given twice|$SA_IN $KEY20 128 esn esn
key file name missing after '@'|$SA_OUT @ 128
key file /nonexistent/key: No such file or directory|$SA_OUT @/nonexistent/key 128
sa del: missing 'spi'|sa del vtun0 dir in
sa del: unexpected 'peer'|sa del vtun0 dir in spi 256 peer 1
'bind-dev' needs a value|set vtun0 bind-dev
bind-dev nosuch0: no such device|set vtun0 bind-dev nosuch0
sa add: limit packet-soft 9 exceeds packet-hard 8|$SA_OUT $KEY20 128 limit packet-hard 8 limit packet-soft 9
limit byte-soft given twice|$SA_OUT $KEY20 128 limit byte-soft 1 limit byte-soft 1
unknown limit 'soft'|$SA_OUT $KEY20 128 limit soft 1
sa del: unexpected 'limit'|sa del vtun0 dir in spi 256 limit time-soft 1
unknown key size 'aes512'|genkey aes512
genkey: unexpected 'x'|genkey aes128 x
monitor: unexpected 'vtun1'|monitor vtun0 vtun1
showconf: unexpected '--keys'|showconf vtun0 --keys
setconf: missing FILE|setconf vtun0
/nonexistent.conf: No such file or directory|setconf vtun0 /nonexistent.conf
option '-b' needs a value|-b
--force goes with --batch|--force show
the commands of --batch come from its file|-b /dev/null show
batch file /nonexistent: No such file or directory|--batch /nonexistent
ttl '256' out of range (0..255)|set vtun0 ttl 256
dscp '64' out of range (0..63)|set vtun0 dscp 64
invalid dscp 'copy'|set vtun0 dscp copy
unsupported aead 'rfc7539esp(chacha20)' (vtun supports rfc4106(gcm(aes)), rfc7539esp(chacha20,poly1305))|sa add vtun0 peer 1 dir out spi 256 aead rfc7539esp(chacha20) $KEY20 128
key is 20 bytes; rfc7539esp(chacha20,poly1305) takes 36 (key + 4-byte salt)|sa add vtun0 peer 1 dir out spi 256 aead rfc7539esp(chacha20,poly1305) $KEY20 128
rfc7539esp(chacha20,poly1305) takes icv bits 128|sa add vtun0 peer 1 dir out spi 256 aead rfc7539esp(chacha20,poly1305) ${KEY20}1415161718191a1b1c1d1e1f20212223 96
EOF

# ---- keys ----

key_never_echoed() {
	usage_fails "non-hex character" "${sa_out[@]}" 0x5EC0DEzz0405060708090a0b0c0d0e0f10111213 128
	assert_no_match '5EC0DE' "$ERR" "stderr"
}
run_test "a bad key is never echoed" key_never_echoed

key_file_world_readable() {
	local f
	f=$(key_file open.key 0644 "$KEY20")
	usage_fails "key file $f is accessible by group or others (mode 0644); chmod 600 it" \
		"${sa_out[@]}" "@$f" 128
}
run_test "key file readable by others refused" key_file_world_readable

key_file_group_readable() {
	local f
	f=$(key_file group.key 0640 "$KEY20")
	usage_fails "mode 0640" "${sa_out[@]}" "@$f" 128
}
run_test "key file readable by the group refused" key_file_group_readable

key_file_bad_content() {
	local f
	f=$(key_file short.key 0600 "0x0001020304")
	usage_fails "key file $f: key is 5 bytes" "${sa_out[@]}" "@$f" 128
}
run_test "key file with a short key refused" key_file_bad_content

key_file_good() {
	local f
	f=$(key_file good.key 0600 "$KEY20"$'\n')
	reaches_kernel "${sa_in[@]}" "@$f" 96 esn replay-window 128 seq 7
}
run_test "key file accepted (0600, trailing newline)" key_file_good

key_from_stdin() {
	RC=0
	# shellcheck disable=SC2086 # VALGRIND is a command line
	OUT=$(printf '%s\n' "$KEY20" |
	      ${VALGRIND:-} "$VTUNCTL" "${sa_out[@]}" @/dev/stdin 128 2>"$TEST_TMP/err") || RC=$?
	ERR=$(<"$TEST_TMP/err")
	if module_loaded; then
		[[ $RC != 2 ]] || fail "exit $RC: $ERR"
	else
		assert_eq 1 "$RC" "exit status"
		assert_eq "vtunctl: vtun module not loaded (modprobe vtun)" "$ERR"
	fi
}
run_test "key from a pipe (@/dev/stdin)" key_from_stdin

# ---- accepted command lines reach netlink ----

while IFS= read -r args; do
	[[ -z $args ]] && continue
	# shellcheck disable=SC2086 # split ARGS into words on purpose
	run_test "parses: vtunctl $args" reaches_kernel $args
done <<EOF
show
sh
show vtun0
show -j
-j show vtun0
-p show
show vtun0 --pretty
set vtun0 listen-port 0 fwmark 0x10
set vtun0 fwmark 4294967295
peer add vtun0 id 1 endpoint 192.0.2.2:4500 keepalive 25 pin-endpoint
peer add vtun0 id 4294967295 endpoint [2001:db8::2]:4500
peer a vtun0 i 1 e 10.0.0.1:1 k off
peer set vtun0 id 1 no-pin-endpoint
peer set vtun0 id 1 keepalive 0
peer del vtun0 id 1
route add vtun0 10.2.0.0/16 peer 1
route add vtun0 0.0.0.0/0 peer 1
route add vtun0 fd00::/64 peer 0x10
route add vtun0 10.2.3.4 peer 1
r a vtun0 fd00::1 p 1
route del vtun0 10.2.0.0/16
route del vtun0 10.2.0.0/16 peer 1
$SA_OUT $KEY20 128 esn seq 42
$SA_IN $KEY20 64 replay-window 0
sa add vtun0 peer 1 dir in spi 4294967295 aead $AEAD 0x${KEY20#0x}1415161718191a1b 96
sa del vtun0 dir out spi 0x100
sa d vtun0 d i sp 256
set vtun0 bind-dev lo
set vtun0 bind-dev none listen-port 4500
set vtun0 ttl 33 dscp 10
set vtun0 dscp inherit ttl 0
sa add vtun0 peer 1 dir in spi 256 aead rfc7539esp(chacha20,poly1305) ${KEY20}1415161718191a1b1c1d1e1f20212223 128
$SA_OUT $KEY20 128 limit time-soft 1 l time-hard 2 limit byte-hard 0x10
monitor
monitor vtun0 -j
showconf vtun0 --key-paths
setconf vtun0 /dev/null
EOF

# ---- batches ----

# batch_is STATUS STDERR INPUT: vtunctl -b - with INPUT (printf %b) on stdin.
batch_is() {
	local status=$1 err=$2 input=$3
	RC=0
	# shellcheck disable=SC2086 # VALGRIND is a command line
	OUT=$(printf '%b' "$input" | ${VALGRIND:-} "$VTUNCTL" -b - 2>"$TEST_TMP/err") || RC=$?
	ERR=$(<"$TEST_TMP/err")
	assert_eq "$status" "$RC" "exit status"
	assert_eq "$err" "$ERR" "stderr"
}

batch_no_socket() {
	batch_is 0 "" '# only local commands\n\ngenkey aes192\nset help\n'
	assert_match '^0x[0-9a-f]{56}'$'\n''Usage: vtunctl set' "$OUT" "stdout"
}
run_test "batch: local commands need no module" batch_no_socket

batch_usage_line() {
	batch_is 1 "vtunctl: line 3: peer id '0' out of range (1..4294967295)" \
		'genkey\n# comment\npeer add vtun0 \\\n  id 0\ngenkey\n'
	assert_eq 1 "$(wc -l <<<"$OUT")" "lines run before the failure"
}
run_test "batch: a usage error names its line, stops the batch" batch_usage_line

batch_quote() {
	batch_is 1 "vtunctl: line 2: unterminated single quote" "genkey\nsa add vtun0 aead 'rfc\n"
}
run_test "batch: unterminated quote" batch_quote

batch_kernel() {
	batch_is 1 "vtunctl: line 2: vtun module not loaded (modprobe vtun)" \
		"genkey\nsa add vtun0 peer 1 dir out spi 256 aead 'rfc4106(gcm(aes))' $KEY20 128\n"
}
if module_loaded; then
	skip "batch: a line that reaches netlink" "the vtun module is loaded"
else
	run_test "batch: a line that reaches netlink" batch_kernel
fi

setconf_parse_error() {
	local f=$TEST_TMP/bad.conf
	printf '[Device]\nListenPort = 4500\n[Peer]\nId = 1\nRoute = 10.2.3.4/16\n' >"$f"
	usage_fails "bad.conf:5: invalid prefix '10.2.3.4/16': host bits set" setconf vtun0 "$f"
}
run_test "setconf: a parse error names FILE:LINE, exit 2" setconf_parse_error

setconf_good() {
	local f=$TEST_TMP/good.conf
	key_file sa.key 0600 "$KEY20" >/dev/null
	printf '[Peer]\nId = 1\nRoute = 10.2.0.0/16\n[SA]\nDir = out\nSpi = 256\nKey = @sa.key\n' >"$f"
	reaches_kernel setconf vtun0 "$f"
}
run_test "setconf: a good file reaches the kernel" setconf_good


# ---- output errors ----

write_error() {
	RC=0
	# shellcheck disable=SC2086 # VALGRIND is a command line
	${VALGRIND:-} "$VTUNCTL" help >/dev/full 2>"$TEST_TMP/err" || RC=$?
	ERR=$(<"$TEST_TMP/err")
	assert_eq 1 "$RC" "exit status"
	assert_eq "vtunctl: write error: No space left on device" "$ERR" "stderr"
}
if [[ -w /dev/full ]]; then
	run_test "help >/dev/full fails" write_error
else
	skip "help >/dev/full fails" "no /dev/full"
fi

tap_done
