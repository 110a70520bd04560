#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot-time configuration: /etc/vtun/DEV.conf brought up and down by
# vtun-quick exactly as vtun@.service's ExecStart and ExecStop lines run it
# (taken from tools/systemd/vtun@.service.in), for two gateways in two
# namespaces, and traffic between them; a world-readable key file is
# refused with a clear message before anything is created, a device that
# exists is left alone, and what the kernel refuses leaves no device
# behind. Runs in the test VM (tests/vm/run): the guest's /etc is its own,
# thrown away after. The other refusals, and the exact commands, are
# checked on the host with stand-ins for ip and vtunctl
# (tests/host/74-vtun-quick.sh).

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/topo.sh
. "$(dirname "$0")/../topo.sh"
require_root

UNIT=$VTUN_REPO/tools/systemd/vtun@.service.in
SBINDIR=$VTUN_REPO/tools/systemd	# where "make install" would put vtun-quick
ETC=/etc/vtun
# vtunctl is not installed in the VM: vtun-quick runs this tree's.
export VTUNCTL

require_vtunctl
if [[ -z ${VTUN_IN_VM:-} && -e $ETC ]]; then
	echo "Bail out! $ETC exists here: run this in the test VM (tests/vm/run)"
	exit 1
fi

A=$(ns_new a) || exit 1
B=$(ns_new b) || exit 1
on_exit rm -rf "$ETC"

# unit_cmd Exec... INSTANCE: the unit's command line for INSTANCE.
unit_cmd() {
	sed -n "s|^$1=||p" "$UNIT" | sed -e "s|@SBINDIR@|$SBINDIR|g" -e "s|%i|$2|g"
}

# unit NS Exec... INSTANCE: run that command line in NS, like systemd would.
unit() {
	local line
	line=$(unit_cmd "$2" "$3")
	[[ -n $line ]] || fail "no $2= in $UNIT"
	# shellcheck disable=SC2086 # the unit's command line, split as systemd does
	ip netns exec "$1" $line
}

# site NAME ADDR PEER_ENDPOINT ROUTE KEY_OUT KEY_IN SPI_OUT SPI_IN [EXTRA]:
# /etc/vtun/NAME.conf (and its two key files).
site() {
	local name=$1
	install -d -m 0700 "$ETC" "$ETC/keys"
	(umask 077
	 echo "$5" >"$ETC/keys/$name.out"
	 echo "$6" >"$ETC/keys/$name.in")
	cat >"$ETC/$name.conf" <<-EOF
		# gateway $name
		[Interface]
		Address = $2, ${10:-}
		MTU = 1380
		${9:-}

		[Device]
		ListenPort = 4500

		[Peer]
		Id = 1
		Endpoint = $3
		Route = $4

		[SA]
		Dir = out
		Spi = $7
		Key = @keys/$name.out

		[SA]
		Dir = in
		Spi = $8
		Key = @keys/$name.in
	EOF
}

setup() {
	internet "$A" "$B"
	install -d -m 0700 "$ETC"
	site sitea 10.1.0.1/24 192.0.2.2:4500 "10.2.0.0/16, fd02::/64" \
		"$KEY128_AB" "$KEY128_BA" "$SPI_AB" "$SPI_BA" "" fd01::1/64
	site siteb 10.2.0.1/24 192.0.2.1:4500 "10.1.0.0/16, fd01::/64" \
		"$KEY128_BA" "$KEY128_AB" "$SPI_BA" "$SPI_AB" "" fd02::1/64
}

test_unit_lines() {
	assert_eq "$SBINDIR/vtun-quick up sitea" "$(unit_cmd ExecStart sitea)" "ExecStart"
	assert_eq "$SBINDIR/vtun-quick down sitea" "$(unit_cmd ExecStop sitea)" "ExecStop"
	grep -qx 'Type=oneshot' "$UNIT" || fail "not Type=oneshot"
	grep -qx 'RemainAfterExit=yes' "$UNIT" || fail "no RemainAfterExit=yes"
}

test_up() {
	unit "$A" ExecStart sitea
	unit "$B" ExecStart siteb
	assert_eq 1380 "$(dev_attr "$A" sitea mtu)" "MTU"
	assert_match 'inet 10\.1\.0\.1/24' "$(ip -n "$A" addr show dev sitea)" "addresses"
	assert_match 'inet6 fd01::1/64' "$(ip -n "$A" addr show dev sitea)" "addresses"
	assert_match 'UP' "$(ip -n "$A" link show dev sitea)" "link state"
	assert_match '^10\.2\.0\.0/16 dev sitea' "$(ip -n "$A" route show 10.2.0.0/16)" "IPv4 route"
	assert_match '^fd02::/64 dev sitea' "$(ip -n "$A" -6 route show fd02::/64)" "IPv6 route"
	assert_eq 2 "$(vtunctl_in "$A" show sitea -j | jq '.[0].n_sas')" "SAs"
}

test_ping() {
	ip netns exec "$A" ping -c 3 -i 0.2 -W 2 10.2.0.1
	ip netns exec "$B" ping -c 3 -i 0.2 -W 2 fd01::1
}

# The key paths vtunctl recorded are the absolute ones.
test_key_paths() {
	assert_match "Key = @$ETC/keys/sitea.out" "$(vtunctl_in "$A" showconf sitea --key-paths)"
}

test_up_twice() {
	expect_fail unit "$A" ExecStart sitea
	assert_match 'sitea already exists' "$ERR"
	ip netns exec "$A" ping -c 1 -W 2 10.2.0.1
}

test_down() {
	unit "$A" ExecStop sitea
	unit "$B" ExecStop siteb
	! ip -n "$A" link show sitea >/dev/null 2>&1 || fail "sitea still exists"
	assert_eq "" "$(ip -n "$A" route show 10.2.0.0/16)" "route left behind"
	expect_fail unit "$A" ExecStop sitea
	assert_match 'sitea is not a vtun device' "$ERR"
}

# refused WHAT-ERE: ExecStart of sitea fails with that, and creates nothing.
refused() {
	expect_fail unit "$A" ExecStart sitea
	assert_match "$1" "$ERR"
	! ip -n "$A" link show sitea >/dev/null 2>&1 || fail "sitea was created: $ERR"
	assert_eq "" "$(ip -n "$A" -o link show type vtun)" "vtun devices"
}

test_world_readable_key() {
	chmod 0644 "$ETC/keys/sitea.out"
	refused "key file $ETC/keys/sitea\.out is accessible by group or others \(mode 644\)"
	assert_match 'nothing was changed' "$ERR"
	chmod 0600 "$ETC/keys/sitea.out"
}

udp_bound() {	# NS PORT
	[[ -n $(ip netns exec "$1" ss -Hlun "sport = :$2") ]]
}

# What the kernel refuses (its UDP port is taken) too.
test_rollback_kernel() {
	local pid
	ip netns exec "$A" python3 -c 'import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 4500))
time.sleep(120)' &
	pid=$!
	on_exit kill "$pid"
	wait_for 10 udp_bound "$A" 4500
	refused 'bringing up sitea failed; deleting it again'
	kill "$pid"
	wait "$pid" || :
}

run_test "vtun@.service runs vtun-quick up/down %i, oneshot" test_unit_lines
run_test "two gateways' /etc/vtun configurations" setup
run_test "ExecStart brings both up: device, MTU, addresses, routes, SAs" test_up
run_test "ping through the tunnel both ways" test_ping
run_test "vtunctl recorded the absolute key paths" test_key_paths
run_test "ExecStart again: 'already exists', tunnel unharmed" test_up_twice
run_test "ExecStop takes both down" test_down
run_test "a world-readable key file is refused, nothing created" test_world_readable_key
run_test "a port the kernel cannot bind leaves no device" test_rollback_kernel
tap_done
