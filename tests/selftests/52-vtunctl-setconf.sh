#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vtunctl setconf/showconf: two gateways configured from files only. The
# files apply, the tunnel carries traffic, showconf --key-paths prints them
# back byte for byte; applying the same file again changes nothing (the
# outbound SA keeps counting, no object events); a file with an error,
# whether vtunctl or the kernel finds it, changes nothing; routes move
# between peers; a peer left out is deleted; 1000 peers go in one request.
#
# Grammar under test: vtunctl setconf DEV FILE|-; vtunctl showconf DEV
# [--key-paths]; the [Device], [Peer] and [SA] sections of vtunctl(8).

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/topo.sh
. "$(dirname "$0")/../topo.sh"
require_root
require_cmd jq

require_vtunctl

A=$(ns_new a) || exit 1
B=$(ns_new b) || exit 1
DIR=$(realpath "$TEST_TMP")
KEYS=$DIR/keys

# The configuration of gateway A, exactly as showconf --key-paths prints it.
conf_a() {
	cat <<-EOF
		[Device]
		ListenPort = 4500
		Ttl = 64
		Dscp = 46

		[Peer]
		Id = 1
		Endpoint = 192.0.2.2:4500
		Keepalive = 25
		Route = 10.2.0.0/16, fd02::/64

		[SA]
		Dir = out
		Spi = 0x00001000
		Aead = rfc4106(gcm(aes))
		Key = @$KEYS/ab.key
		IcvBits = 128
		Limit = time-soft 3600, time-hard 3900

		[SA]
		Dir = in
		Spi = 0x00002000
		Aead = rfc7539esp(chacha20,poly1305)
		Key = @$KEYS/ba.key
		IcvBits = 128
		ReplayWindow = 64

		[Peer]
		Id = 2
		Route = 10.9.0.0/16

		[Peer]
		Id = 3
		Endpoint = 198.51.100.3:4500
		PinEndpoint = yes
		Route = 10.10.0.0/16
	EOF
}

# B's, written the way a person would: other case, comments, defaults.
conf_b() {
	cat <<-EOF
		# gateway B
		[device]
		listenport = 4500

		[Peer]
		Id = 1				# gateway A
		Endpoint = 192.0.2.1:4500
		Route = 10.1.0.0/16
		Route = fd01::/64

		[SA]
		Dir = in
		Spi = 0x1000
		Key = @$KEYS/ab.key
		[SA]
		Dir = out
		Spi = 0x2000
		Aead = rfc7539esp(chacha20,poly1305)
		Key = @$KEYS/ba.key
		Esn = no
	EOF
}

vta() {
	vtunctl_in "$A" "$@"
}

json_a() {	# JQ-FILTER on A's show vtun0 -j
	vta show vtun0 -j | jq -e -c "$1"
}

# monitor_start NS LOG: vtunctl monitor -j in NS; returns once it listens.
monitor_start() {
	ip netns exec "$1" "$VTUNCTL" monitor -j >"$2" &
	MON_PID=$!
	on_exit kill "$MON_PID"
	wait_for 20 monitor_probe "$1" "$2"
}

monitor_probe() {	# NS LOG
	vtunctl_in "$1" peer add vtun0 id 4000000000 2>/dev/null
	vtunctl_in "$1" peer del vtun0 id 4000000000
	grep -q 4000000000 "$2"
}

# The events in LOG other than the probe's, one name each.
object_events() {
	grep -v 4000000000 "$1" | jq -r '.event' | grep -v '^setconf$' || true
}

setup() {
	mkdir -m 700 "$KEYS"
	(umask 077 && "$VTUNCTL" genkey >"$KEYS/ab.key" &&
	 "$VTUNCTL" genkey chacha20 >"$KEYS/ba.key" &&
	 "$VTUNCTL" genkey >"$KEYS/other.key" &&
	 for i in 1 2 3 4; do "$VTUNCTL" genkey >"$KEYS/big$i.key"; done)
	internet "$A" "$B"
	vtun_dev "$A"
	vtun_dev "$B"
	inner_addrs "$A" "$B"
	conf_a >"$DIR/a.conf"
	conf_b >"$DIR/b.conf"
}

test_apply() {
	vta setconf vtun0 "$DIR/a.conf"
	vtunctl_in "$B" setconf vtun0 "$DIR/b.conf"
	assert_eq '[1,2,3]' "$(json_a '[.[0].peers[].id]')" "peers of A"
	assert_eq '["10.2.0.0/16","fd02::/64"]' "$(json_a '.[0].peers[0].routes')" "routes of peer 1"
	assert_eq '"rfc7539esp(chacha20,poly1305)"' \
		"$(vtunctl_in "$B" show vtun0 -j | jq '.[0].peers[0].sas[0].alg')" \
		"B's outbound SA is ChaCha20-Poly1305"
	assert_eq '{"ttl":64,"dscp":46}' "$(json_a '.[0] | {ttl, dscp}')" "A's outer TTL and DSCP"
	ip netns exec "$A" ping -q -c 3 -i 0.2 -W 2 10.2.0.1
	ip netns exec "$B" ping -6 -q -c 3 -i 0.2 -W 2 fd01::1
}

test_round_trip() {
	vta showconf vtun0 --key-paths >"$DIR/a.shown"
	diff -u "$DIR/a.conf" "$DIR/a.shown"
	vta setconf vtun0 "$DIR/a.shown"
	vta showconf vtun0 | grep -v '^Key = ' >"$DIR/a.nokeys"
	conf_a | grep -v '^Key = ' | diff -u - "$DIR/a.nokeys"
}

# Applied again, the same file leaves everything as it is: the outbound SA
# goes on counting its sequence numbers (no new SA, no nonce reuse).
test_reapply() {
	local log=$TEST_TMP/reapply.log seq
	monitor_start "$A" "$log"
	seq=$(sa_stat "$A" vtun0 "$SPI_AB" out seq)
	assert_range 3 "$seq" 1000 "sequence number before"
	vta setconf vtun0 "$DIR/a.conf"
	vta setconf vtun0 - <"$DIR/a.conf"
	ip netns exec "$A" ping -q -c 2 -i 0.2 -W 2 10.2.0.1
	assert_eq $((seq + 2)) "$(sa_stat "$A" vtun0 "$SPI_AB" out seq)" "sequence number after"
	wait_for 10 grep -q '"setconf"' "$log"
	grep -v 4000000000 "$log" >&2	# shown if the test fails
	assert_eq "" "$(object_events "$log")" "peer, route or SA events"
	kill "$MON_PID"
	vta showconf vtun0 --key-paths | diff -u "$DIR/a.conf" -
}

# refused STATUS MESSAGE FILE: setconf of FILE fails so, and A's
# configuration is what it was.
refused() {
	local before
	before=$(vta showconf vtun0 --key-paths)
	capture vta setconf vtun0 "$3"
	assert_eq "$1" "$RC" "exit status (stderr: $ERR)"
	[[ $ERR != *$'\n'* ]] || fail "more than one line on stderr: $ERR"
	[[ $ERR == "vtunctl: "*"$2"* ]] || fail "stderr '$ERR' lacks '$2'"
	assert_eq "$before" "$(vta showconf vtun0 --key-paths)" "configuration after the failure"
}

test_errors() {
	local f=$DIR/bad.conf
	{ conf_a; printf '\n[Peer]\nId = 4\nFrob = 1\n'; } >"$f"
	refused 2 "bad.conf:$(($(conf_a | wc -l) + 4)): unknown key 'Frob'" "$f"
	{ conf_a; printf '\n[SA]\nDir = out\nSpi = 0x1000\nKey = @%s\n' "$KEYS/ab.key"; } >"$f"
	refused 2 "SA dir out spi 0x00001000 already given at line" "$f"
	cp "$KEYS/ab.key" "$KEYS/open.key"
	chmod 644 "$KEYS/open.key"
	{ conf_a; printf '\n[Peer]\nId = 4\n[SA]\nDir = out\nSpi = 0x4000\nKey = @%s\n' \
		"$KEYS/open.key"; } >"$f"
	refused 2 "is accessible by group or others (mode 0644); chmod 600 it" "$f"
	sed 's/Id = 3/Id = 2/' "$DIR/a.conf" >"$f"
	refused 2 "peer 2 already given at line" "$f"
	# Only the kernel knows SA 0x1000 has another key: it refuses all of it.
	{ sed "s|$KEYS/ab.key|$KEYS/other.key|" "$DIR/a.conf"; printf '\n[Peer]\nId = 4\n'; } >"$f"
	refused 1 "An SA exists with this SPI and direction but other parameters or key" "$f"
	assert_eq '[1,2,3]' "$(json_a '[.[0].peers[].id]')" "no peer 4"
}

test_move_route() {
	sed -e 's|^Route = 10.9.0.0/16$||' \
	    -e 's|^Route = 10.10.0.0/16$|Route = 10.9.0.0/16, 10.10.0.0/16|' \
	    "$DIR/a.conf" >"$DIR/a2.conf"
	vta setconf vtun0 "$DIR/a2.conf"
	assert_eq '[]' "$(json_a '.[0].peers[1].routes')" "routes of peer 2"
	assert_eq '["10.9.0.0/16","10.10.0.0/16"]' "$(json_a '.[0].peers[2].routes')" "routes of peer 3"
	ip netns exec "$A" ping -q -c 1 -W 2 10.2.0.1
}

test_delete_peer() {
	awk '/^Id = 3$/ { skip = 1 } /^\[Peer\]$/ && skip { skip = 0 }
	     { if (!skip) lines[n++] = $0 }
	     END { for (i = 0; i < n - 2; i++) print lines[i] }' "$DIR/a2.conf" >"$DIR/a3.conf"
	grep -q 'Id = 2' "$DIR/a3.conf"
	! grep -q 'Id = 3' "$DIR/a3.conf" || fail "a3.conf still has peer 3"
	vta setconf vtun0 "$DIR/a3.conf"
	assert_eq '[1,2]' "$(json_a '[.[0].peers[].id]')" "peers"
	assert_eq '["10.2.0.0/16","fd02::/64"]' "$(json_a '[.[0].peers[].routes[]]')" "routes"
	ip netns exec "$A" ping -q -c 1 -W 2 10.2.0.1
}

test_relative_keys() {
	mkdir -p "$DIR/rel/k"
	cp -p "$KEYS/ab.key" "$DIR/rel/k/ab.key"
	printf '[Peer]\nId = 1\nEndpoint = 192.0.2.2:4500\n[SA]\nDir = out\nSpi = 0x3000\nKey = @k/ab.key\n' \
		>"$DIR/rel/r.conf"
	ip -n "$A" link add vtun2 type vtun
	(cd / && vtunctl_in "$A" setconf vtun2 "$DIR/rel/r.conf")
	assert_eq "\"$DIR/rel/k/ab.key\"" \
		"$(vta show vtun2 -j | jq -c '.[0].peers[0].sas[0].key_ref')" "key_ref"
	assert_eq 4500 "$(vta show vtun2 -j | jq '.[0].listen_port')" "default ListenPort"
	: | vta setconf vtun2 -
	assert_eq 0 "$(vta show vtun2 -j | jq '.[0].n_peers')" "an empty file removes everything"
	ip -n "$A" link del vtun2
}

# 1000 peers with a route each and a few SAs: one request, one event.
test_thousand() {
	local f=$DIR/big.conf log=$TEST_TMP/big.log i start ms
	ip -n "$A" link add vtun1 type vtun
	{
		printf '[Device]\nListenPort = 4600\n'
		for ((i = 1; i <= 1000; i++)); do
			printf '[Peer]\nId = %d\nEndpoint = 192.0.2.%d:%d\nRoute = 10.%d.%d.0/24\n' \
				$i $((i % 250 + 1)) $((1024 + i)) $((i >> 8)) $((i & 255))
			((i > 4)) || printf '[SA]\nDir = out\nSpi = %d\nKey = @%s\n' \
				$((0x1000 + i)) "$KEYS/big$i.key"
		done
	} >"$f"
	monitor_start "$A" "$log"
	start=$(date +%s%N)
	vta setconf vtun1 "$f"
	ms=$((($(date +%s%N) - start) / 1000000))
	echo "# setconf of 1000 peers, 1000 routes, 4 SAs ($(wc -c <"$f") bytes of file): $ms ms" >&3
	assert_eq '{"n_peers":1000,"n_sas":4}' "$(vta show vtun1 -j | jq -c '.[0] | {n_peers, n_sas}')" \
		"counts"
	assert_eq 1000 "$(vta show vtun1 -j | jq '[.[0].peers[].routes[]] | length')" "routes"
	wait_for 10 grep -q '"setconf"' "$log"
	assert_eq 1 "$(grep -c '"setconf"' "$log")" "setconf events: one request"
	assert_eq "" "$(object_events "$log")" "object events"
	start=$(date +%s%N)
	vta setconf vtun1 "$f"
	ms=$((($(date +%s%N) - start) / 1000000))
	echo "# the same again (no change): $ms ms" >&3
	kill "$MON_PID"
	ip -n "$A" link del vtun1
}

exec 3>&1	# timings go to the log, past run_test
run_test "setup: two gateways, key files from genkey" setup
run_test "setconf on both gateways; traffic crosses" test_apply
run_test "showconf --key-paths prints the file back" test_round_trip
run_test "the same file again changes nothing, SA seq counts on" test_reapply
run_test "a file with an error changes nothing" test_errors
run_test "a route moves to another peer" test_move_route
run_test "a peer left out of the file is deleted" test_delete_peer
run_test "relative key paths, stdin, an empty file" test_relative_keys
run_test "1000 peers in one request" test_thousand
tap_done
