#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vtun as a network device: loaded on demand by "ip link add", link
# properties, addresses, many devices in many namespaces, and unloading
# the module while devices exist. Runs in the test VM (tests/vm/run).

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
require_root

IFF_UP=0x1
IFF_POINTOPOINT=0x10
IFF_NOARP=0x80
ARPHRD_NONE=65534

# The namespace most tests use; its vtun0 is created by the autoload test.
NS=$(ns_new dev) || exit 1

test_not_loaded() {
	# A script run before this one may have loaded it.
	vtun_unload
	! vtun_loaded || fail "vtun is loaded before any vtun device exists"
}

test_autoload() {
	ip -n "$NS" link add vtun0 type vtun
	vtun_loaded || fail "the device exists, /sys/module/vtun does not"
}

test_flags() {
	local flags
	flags=$(dev_attr "$NS" vtun0 flags)
	((flags & IFF_POINTOPOINT)) || fail "flags $flags: no IFF_POINTOPOINT"
	((flags & IFF_NOARP)) || fail "flags $flags: no IFF_NOARP"
	assert_match 'POINTOPOINT,NOARP' "$(ip -n "$NS" link show vtun0)" "ip link show"
}

test_type() {
	assert_eq "$ARPHRD_NONE" "$(dev_attr "$NS" vtun0 type)" "link type"
	assert_match 'link/none' "$(ip -n "$NS" link show vtun0)" "ip link show"
}

test_mtu() {
	local mtu
	mtu=$(dev_attr "$NS" vtun0 mtu)
	# Below the usual 1500-byte path MTU (ESP costs 50+ bytes), but
	# large enough for IPv6.
	assert_range 1280 "$mtu" 1499 "default MTU"
	ip -n "$NS" link set vtun0 mtu 1280
	assert_eq 1280 "$(dev_attr "$NS" vtun0 mtu)" "MTU after setting 1280"
	ip -n "$NS" link set vtun0 mtu "$mtu"
	expect_fail ip -n "$NS" link set vtun0 mtu 70000
}

test_up() {
	local flags
	ip -n "$NS" link set vtun0 up
	flags=$(dev_attr "$NS" vtun0 flags)
	((flags & IFF_UP)) || fail "flags $flags: not up"
}

test_ipv4() {
	ip -n "$NS" addr add 10.99.0.1/24 dev vtun0
	assert_match 'inet 10\.99\.0\.1/24' "$(ip -n "$NS" -4 addr show dev vtun0)" "IPv4 address"
	assert_match '10\.99\.0\.0/24 dev vtun0' "$(ip -n "$NS" -4 route show)" "IPv4 route"
}

test_ipv6() {
	ip -n "$NS" addr add fd00:99::1/64 dev vtun0 nodad
	assert_match 'inet6 fd00:99::1/64' "$(ip -n "$NS" -6 addr show dev vtun0)" "IPv6 address"
	assert_match 'fd00:99::/64 dev vtun0' "$(ip -n "$NS" -6 route show)" "IPv6 route"
}

test_del() {
	ip -n "$NS" link del vtun0
	expect_fail ip -n "$NS" link show vtun0
}

test_name_template() {
	# Without a name the kernel picks one from the kind.
	ip -n "$NS" link add type vtun
	assert_match '^vtun[0-9]+$' "$(ip -n "$NS" -o link show type vtun | awk -F': ' '{ print $2 }')" "name"
	ip -n "$NS" link del vtun0
}

# count_vtun NS: number of vtun devices in NS.
count_vtun() {
	ip -n "$1" -o link show type vtun | wc -l
}

MANY_NS=5
PER_NS=10

# Every exec costs ~0.1 s under TCG: one "ip -batch" per namespace.
test_many() {
	local i j ns total=0
	for ((i = 0; i < MANY_NS; i++)); do
		ns=$(ns_new "many$i")
		for ((j = 0; j < PER_NS; j++)); do
			echo "link add vtun$j type vtun"
		done >"$TEST_TMP/batch"
		# Only one device per namespace can be up with the default
		# listen port; an open device is what namespace deletion must
		# cope with below.
		echo "link set vtun0 up" >>"$TEST_TMP/batch"
		ip -n "$ns" -batch "$TEST_TMP/batch"
		total=$((total + $(count_vtun "$ns")))
	done
	assert_eq $((MANY_NS * PER_NS)) "$total" "vtun devices"
}

test_many_del() {
	local i j ns
	for ((j = 1; j < PER_NS; j += 2)); do
		echo "link del vtun$j"
	done >"$TEST_TMP/batch"
	for ((i = 0; i < MANY_NS; i++)); do
		ns=${NS_PREFIX}many$i
		ip -n "$ns" -batch "$TEST_TMP/batch"
		assert_eq $((PER_NS / 2)) "$(count_vtun "$ns")" "devices left in $ns"
	done
}

test_netns_del() {
	local i
	for ((i = 0; i < MANY_NS; i++)); do
		ip netns del "${NS_PREFIX}many$i"
	done
	assert_no_match "${NS_PREFIX}many" "$(ip netns list)" "namespaces"
	# The namespaces die in a workqueue; their devices must go with them
	# without a trace in the kernel log (the harness checks) and must not
	# keep the module busy (the rmmod test below).
	ip link add vtun-after0 type vtun
	ip link del vtun-after0
}

test_rmmod() {
	local i ns
	printf '%s\n' "link add vtun0 type vtun" "link add vtun1 type vtun" \
		"link set vtun0 up" "addr add 10.98.0.1/24 dev vtun0" >"$TEST_TMP/batch"
	for ((i = 0; i < 3; i++)); do
		ns=$(ns_new "rm$i")
		ip -n "$ns" -batch "$TEST_TMP/batch"
	done
	ip link add vtun-rm0 type vtun
	on_exit ip link del vtun-rm0
	rmmod vtun
	! vtun_loaded || fail "vtun still loaded after rmmod"
	expect_fail ip link show vtun-rm0
	for ((i = 0; i < 3; i++)); do
		assert_eq 0 "$(count_vtun "${NS_PREFIX}rm$i")" "vtun devices left in rm$i"
	done
}

test_reload() {
	ip -n "$NS" link add vtun0 type vtun
	vtun_loaded || fail "not loaded again on demand"
	ip -n "$NS" link del vtun0
}

run_test "vtun is not loaded before the first device" test_not_loaded
run_test "ip link add type vtun loads the module" test_autoload
run_test "device is POINTOPOINT,NOARP" test_flags
run_test "device type is none (ARPHRD_NONE)" test_type
run_test "device has a tunnel MTU, settable" test_mtu
run_test "device comes up" test_up
run_test "device carries an IPv4 address" test_ipv4
run_test "device carries an IPv6 address" test_ipv6
run_test "ip link del removes the device" test_del
run_test "unnamed device gets a vtunN name" test_name_template
run_test "$((MANY_NS * PER_NS)) devices in $MANY_NS namespaces" test_many
run_test "devices deleted one by one" test_many_del
run_test "namespaces holding vtun devices are deleted" test_netns_del
run_test "rmmod removes devices in every namespace" test_rmmod
run_test "module loads again on demand after rmmod" test_reload
tap_done
