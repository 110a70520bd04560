#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vtun-quick (tools/systemd/vtun-quick) without a kernel: with stand-ins
# for ip(8) and vtunctl that log what they are asked, check what "up" runs
# and in which order, what it gives "vtunctl setconf", that every refusal
# (key files group or others may read, missing or odd key files, keys in
# the configuration, a configuration others may write, a default route
# into the main table, syntax) comes before anything is created, and that
# a failing step deletes the device again. The real thing runs in the VM:
# tests/selftests/91-packaging-boot-config.sh.

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

QUICK=$VTUN_REPO/tools/systemd/vtun-quick
DIR=$TEST_TMP/etc	# the configuration directory
STUBS=$TEST_TMP/bin
LOG=$TEST_TMP/commands	# what the stand-ins were asked, one line each
STATE=$TEST_TMP/state	# devices the stand-in ip has "created"

# ---- stand-ins for ip and vtunctl ----

stubs() {
	mkdir -p "$STUBS" "$STATE"
	cat >"$STUBS/ip" <<-EOF
		#!/bin/bash
		echo "ip \$*" >>"$LOG"
		case "\$*" in
		"link show dev "*) [[ -e "$STATE/\${4}" ]] ;;
		"link add "*) : >"$STATE/\$3" ;;
		"link delete dev "*) rm -f "$STATE/\$4" ;;
		*" route show "*) [[ -z \${IP_ROUTE_SHOW:-} ]] || echo "\$IP_ROUTE_SHOW" ;;
		"link set dev "*" up") [[ -z \${IP_UP_FAILS:-} ]] || { echo "RTNETLINK answers: Address already in use" >&2; exit 2; } ;;
		esac
	EOF
	cat >"$STUBS/vtunctl" <<-EOF
		#!/bin/bash
		echo "vtunctl \$*" >>"$LOG"
		[[ \$1 == setconf && \$3 == - ]] && cat >"$TEST_TMP/setconf.in"
		if [[ -n \${VTUNCTL_FAILS:-} ]]; then
			echo "vtunctl: <stdin>:\$VTUNCTL_FAILS: Spi: 0x1 is reserved" >&2
			exit 2
		fi
	EOF
	chmod +x "$STUBS/ip" "$STUBS/vtunctl"
}

# quick ARG...: vtun-quick with the stand-ins; $OUT, $ERR, $RC (capture).
quick() {
	: >"$LOG"
	rm -f "$STATE"/*
	PATH=$STUBS:$PATH VTUNCTL=vtunctl capture "$QUICK" "$@"
}

# A configuration like an administrator's: comments, blanks, odd case.
config() {
	rm -rf "$DIR"
	install -d -m 0700 "$DIR" "$DIR/keys"
	(umask 077
	 echo 0x0123456789abcdef0123456789abcdef01020304 >"$DIR/keys/out.key"
	 echo 0xfedcba9876543210fedcba987654321004030201 >"$DIR/keys/in.key")
	cat >"$DIR/vt0.conf" <<-EOF
		# site A
		[Interface]
		Address = 10.1.0.1/24 , fd01::1/64
		mtu = 1400
		${1:-}

		[Device]
		ListenPort = 4500

		[peer]
		Id = 1
		Endpoint = 192.0.2.2:4500
		Route = 10.2.0.0/16,fd02::/64   # site B
		${2:-}

		[SA]
		Dir = out
		Spi = 0x1000
		Key = @keys/out.key

		[SA]
		Dir = in
		Spi = 0x2000
		KEY=@$DIR/keys/in.key
	EOF
	chmod 0644 "$DIR/vt0.conf"
}

# refused ERE: vtun-quick up failed saying ERE, and created nothing.
refused() {
	quick up "$DIR/vt0.conf"
	assert_eq 1 "$RC" "exit status (stderr: $ERR)"
	assert_match "$1" "$ERR"
	! grep -q '^ip link add' "$LOG" || fail "a device was created: $(cat "$LOG")"
	! grep -q '^vtunctl' "$LOG" || fail "vtunctl ran: $(cat "$LOG")"
}

# ---- tests ----

test_strip() {
	config
	quick strip "$DIR/vt0.conf"
	assert_eq 0 "$RC" "exit status (stderr: $ERR)"
	assert_eq "$(cat <<-EOF
		# site A





		[Device]
		ListenPort = 4500

		[peer]
		Id = 1
		Endpoint = 192.0.2.2:4500
		Route = 10.2.0.0/16,fd02::/64   # site B


		[SA]
		Dir = out
		Spi = 0x1000
		Key = @$DIR/keys/out.key

		[SA]
		Dir = in
		Spi = 0x2000
		Key = @$DIR/keys/in.key
	EOF
	)" "$OUT" "strip output"
	assert_eq "$(wc -l <"$DIR/vt0.conf")" "$(wc -l <<<"$OUT")" "lines (vtunctl's line numbers)"
}

test_up() {
	config
	quick up "$DIR/vt0.conf"
	assert_eq 0 "$RC" "exit status (stderr: $ERR)"
	assert_eq "$(cat <<-EOF
		ip link show dev vt0
		ip link add vt0 type vtun
		vtunctl setconf vt0 -
		ip link set dev vt0 mtu 1400
		ip address add 10.1.0.1/24 dev vt0
		ip address add fd01::1/64 dev vt0
		ip link set dev vt0 up
		ip -4 route show dev vt0 match 10.2.0.0/16
		ip -4 route add 10.2.0.0/16 dev vt0
		ip -6 route show dev vt0 match fd02::/64
		ip -6 route add fd02::/64 dev vt0
	EOF
	)" "$(cat "$LOG")" "commands"
	assert_match '\[#\] ip link add vt0 type vtun' "$ERR" "commands shown"
	quick strip "$DIR/vt0.conf"
	assert_eq "$OUT" "$(<"$TEST_TMP/setconf.in")" "what vtunctl setconf read"
}

test_up_by_name() {
	config
	# A device name means /etc/vtun/NAME.conf: not there on this machine.
	[[ ! -e /etc/vtun/vt0.conf ]] || fail "/etc/vtun/vt0.conf exists here"
	quick up vt0
	assert_eq 1 "$RC" "exit status"
	assert_match '/etc/vtun/vt0\.conf does not exist' "$ERR"
}

test_table() {
	config "Table = 100"
	quick up "$DIR/vt0.conf"
	assert_eq 0 "$RC" "exit status (stderr: $ERR)"
	grep -qx 'ip -4 route add 10.2.0.0/16 dev vt0 table 100' "$LOG" || fail "$(cat "$LOG")"
	config "Table = off" "Route = 0.0.0.0/0"
	quick up "$DIR/vt0.conf"
	assert_eq 0 "$RC" "exit status (stderr: $ERR)"
	! grep -q 'route add' "$LOG" || fail "routes added with Table = off: $(cat "$LOG")"
}

# A prefix already routed into the device (an Address's subnet) is left.
test_route_covered() {
	config
	IP_ROUTE_SHOW="10.2.0.0/16 proto kernel scope link" quick up "$DIR/vt0.conf"
	assert_eq 0 "$RC" "exit status (stderr: $ERR)"
	! grep -q 'route add' "$LOG" || fail "$(cat "$LOG")"
}

test_exists() {
	config
	: >"$LOG"
	: >"$STATE/vt0"
	PATH=$STUBS:$PATH VTUNCTL=vtunctl capture "$QUICK" up "$DIR/vt0.conf"
	assert_eq 1 "$RC" "exit status"
	assert_match 'vt0 already exists' "$ERR"
	! grep -q '^ip link add' "$LOG" || fail "$(cat "$LOG")"
}

test_key_world_readable() {
	config
	chmod 0644 "$DIR/keys/out.key"
	refused "key file $DIR/keys/out\\.key is accessible by group or others \\(mode 644\\): chmod 600 it"
	assert_match 'refusing to bring up vt0; nothing was changed' "$ERR"
}

test_key_group() {
	config
	chmod 0640 "$DIR/keys/in.key"
	refused "key file $DIR/keys/in\\.key is accessible by group or others \\(mode 640\\)"
	chmod 0620 "$DIR/keys/in.key"
	refused "key file $DIR/keys/in\\.key is accessible by group or others \\(mode 620\\)"
}

# Every bad key file is named, not only the first.
test_keys_all_named() {
	config
	chmod 0644 "$DIR/keys/out.key" "$DIR/keys/in.key"
	refused "out\\.key is accessible"
	assert_match "in\\.key is accessible" "$ERR"
}

test_key_missing() {
	config
	rm "$DIR/keys/in.key"
	refused "key file $DIR/keys/in\\.key does not exist"
}

test_key_not_file() {
	config
	rm "$DIR/keys/in.key"
	mkdir "$DIR/keys/in.key"
	refused "key file $DIR/keys/in\\.key is not a regular file"
}

test_key_owner() {
	config
	chown 65534 "$DIR/keys/out.key"
	refused "key file $DIR/keys/out\\.key must belong to root"
}

test_key_inline() {
	config
	sed -i 's|^Key = @keys/out.key|Key = 0x0123456789abcdef0123456789abcdef01020304|' "$DIR/vt0.conf"
	refused "vt0\\.conf:19: keys belong in files of their own: Key = @PATH"
	assert_no_match '0123456789abcdef' "$ERR" "the key in the message"
}

test_config_writable() {
	config
	chmod 0664 "$DIR/vt0.conf"
	refused "$DIR/vt0\\.conf is writable by group or others \\(mode 664\\): chmod go-w it"
	chmod 0646 "$DIR/vt0.conf"
	refused "is writable by group or others"
}

test_default_route() {
	config "" "Route = 0.0.0.0/0"
	refused "Route = 0\\.0\\.0\\.0/0 with Table = auto would route the tunnel's own packets into it"
	config "Table = main" "Route = ::/0"
	refused "Route = ::/0 with Table = main"
}

test_syntax() {
	config "Adress = 10.0.0.1"
	refused "vt0\\.conf:5: unknown key 'adress' in \\[Interface\\] \\(Address, MTU, Table\\)"
	config "Address = 10.1.0.300/abc"
	refused "vt0\\.conf:5: Address: '10\\.1\\.0\\.300/abc' is not ADDRESS\\[/PREFIXLEN\\]"
	config "[Interface]"
	refused "vt0\\.conf:5: \\[Interface\\] given twice"
	config "MTU is 1400"
	refused "vt0\\.conf:5: expected 'Key = Value'"
}

test_bad_name() {
	config
	cp -p "$DIR/vt0.conf" "$DIR/a-name-far-too-long.conf"
	quick up "$DIR/a-name-far-too-long.conf"
	assert_eq 1 "$RC" "exit status"
	assert_match "'a-name-far-too-long' is not a valid device name" "$ERR"
}

# vtunctl refuses the configuration: the device goes again, the message
# names the file, not "<stdin>".
test_rollback_vtunctl() {
	config
	VTUNCTL_FAILS=17 quick up "$DIR/vt0.conf"
	assert_eq 1 "$RC" "exit status"
	assert_match "vtunctl: $DIR/vt0\\.conf:17: Spi: 0x1 is reserved" "$ERR"
	assert_match 'bringing up vt0 failed; deleting it again' "$ERR"
	assert_eq "ip link delete dev vt0" "$(tail -n 1 "$LOG")" "last command"
	[[ ! -e $STATE/vt0 ]] || fail "vt0 left behind"
}

test_rollback_ip() {
	config
	IP_UP_FAILS=1 quick up "$DIR/vt0.conf"
	assert_eq 1 "$RC" "exit status"
	assert_match 'Address already in use' "$ERR"
	assert_eq "ip link delete dev vt0" "$(tail -n 1 "$LOG")" "last command"
}

test_down_not_vtun() {
	quick down lo
	assert_eq 1 "$RC" "exit status"
	assert_match 'lo is not a vtun device' "$ERR"
	assert_eq "" "$(cat "$LOG")" "commands"
}

test_usage() {
	quick
	assert_eq 2 "$RC" "exit status without arguments"
	quick sideways vt0
	assert_eq 2 "$RC" "exit status of an unknown command"
	quick --help
	assert_eq 0 "$RC" "exit status of --help"
	assert_match '^Usage: vtun-quick up\|down\|strip CONFIG' "$OUT"
}

stubs
run_test "strip: the file less [Interface], key paths absolute" test_strip
run_test "up: the commands, in order" test_up
run_test "up DEV reads /etc/vtun/DEV.conf" test_up_by_name
run_test "Table = 100, Table = off" test_table
run_test "a prefix the device routes already is left" test_route_covered
run_test "a device that exists is left alone" test_exists
run_test "a world-readable key file is refused before anything" test_key_world_readable
run_test "group-readable, group-writable key files are refused" test_key_group
run_test "every bad key file is named" test_keys_all_named
run_test "a missing key file is refused" test_key_missing
run_test "a key 'file' that is a directory is refused" test_key_not_file
if ((EUID == 0)); then
	run_test "a key file of another user is refused" test_key_owner
else
	skip "a key file of another user is refused" "needs root"
fi
run_test "a key in the configuration is refused, not shown" test_key_inline
run_test "a configuration others may write is refused" test_config_writable
run_test "a default route into the main table is refused" test_default_route
run_test "syntax errors name the line" test_syntax
run_test "device names longer than 15 are refused" test_bad_name
run_test "vtunctl refuses: the device goes again, file:line" test_rollback_vtunctl
run_test "ip link set up fails: the device goes again" test_rollback_ip
run_test "down: only vtun devices" test_down_not_vtun
run_test "usage" test_usage
tap_done
