# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2034 # its variables are for the sourcing scripts
#
# tests/topo.sh: vtun topologies for the data-path selftests. Source after
# tests/lib.sh.
#
#	site_pair A B [ALG_KEYS...]	two sites joined by a veth "internet"
#	vtunctl_in NS ARGS...		vtunctl in a namespace
#	vstat NS DEV COUNTER		a device counter from vtunctl show -j
#	sa_stat NS DEV SPI DIR COUNTER	an SA counter
#	xfrm_site NS ...		the same tunnel with the kernel's XFRM
#
# Addresses: the public link is 192.0.2.0/24 (and 2001:db8::/64), site A's
# inner network 10.1.0.0/16 (fd01::/64), site B's 10.2.0.0/16 (fd02::/64).

PY=/usr/bin/python3	# Debian's, which has scapy; not a pyenv shim

# Test keys: AES key || 4-byte salt. Never use these anywhere real.
KEY128_AB=0x0123456789abcdef0123456789abcdef01020304
KEY128_BA=0xfedcba9876543210fedcba987654321004030201
KEY256_AB=0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1fa1a2a3a4
KEY256_BA=0x1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100b1b2b3b4
SPI_AB=0x1000
SPI_BA=0x2000
AEAD='rfc4106(gcm(aes))'

vtunctl_in() {	# NS ARGS...
	ip netns exec "$1" "$VTUNCTL" "${@:2}"
}

# vstat NS DEV COUNTER: a device counter by its JSON name (rx_no_sa, ...).
vstat() {
	vtunctl_in "$1" show "$2" -j | jq -e ".[0].stats.$3"
}

# peer_stat NS DEV ID COUNTER
peer_stat() {
	vtunctl_in "$1" show "$2" -j |
		jq -e ".[0].peers[] | select(.id == $3) | .stats.$4"
}

# sa_stat NS DEV SPI DIR FIELD: a field of an SA (seq, ...) or, for a
# counter, stats.NAME.
sa_stat() {
	vtunctl_in "$1" show "$2" -j |
		jq -er "[.[0].peers[].sas[] | select(.spi == $(($3)) and .dir == \"$4\")][0].$5"
}

# vtun_dev NS [DEV]: create a vtun device and bring it up.
vtun_dev() {
	local dev=${2:-vtun0}
	ip -n "$1" link add "$dev" type vtun && ip -n "$1" link set "$dev" up
}

# internet A B: the public link between two site gateways.
internet() {
	veth_pair "$1" pub0 192.0.2.1/24 "$2" pub0 192.0.2.2/24 &&
	addr_add "$1" pub0 2001:db8::1/64 &&
	addr_add "$2" pub0 2001:db8::2/64
}

# inner_addrs A B: each gateway's own inner address and a route to the
# other site through vtun0.
inner_addrs() {
	addr_add "$1" vtun0 10.1.0.1/32 && addr_add "$1" vtun0 fd01::1/128 &&
	addr_add "$2" vtun0 10.2.0.1/32 && addr_add "$2" vtun0 fd02::1/128 &&
	ip -n "$1" route add 10.2.0.0/16 dev vtun0 src 10.1.0.1 &&
	ip -n "$2" route add 10.1.0.0/16 dev vtun0 src 10.2.0.1 &&
	ip -n "$1" route add fd02::/64 dev vtun0 src fd01::1 &&
	ip -n "$2" route add fd01::/64 dev vtun0 src fd02::1
}

# sa_pair A B KEY_AB KEY_BA [ICVBITS] [EXTRA SA OPTIONS...]: SAs for both
# directions of peer 1 on each side.
sa_pair() {
	local a=$1 b=$2 kab=$3 kba=$4 icv=${5:-128}
	shift 5 2>/dev/null || shift $#
	vtunctl_in "$a" sa add vtun0 peer 1 dir out spi $SPI_AB aead "$AEAD" "$kab" "$icv" "$@" &&
	vtunctl_in "$a" sa add vtun0 peer 1 dir in spi $SPI_BA aead "$AEAD" "$kba" "$icv" "$@" &&
	vtunctl_in "$b" sa add vtun0 peer 1 dir in spi $SPI_AB aead "$AEAD" "$kab" "$icv" "$@" &&
	vtunctl_in "$b" sa add vtun0 peer 1 dir out spi $SPI_BA aead "$AEAD" "$kba" "$icv" "$@"
}

# site_pair A B [OUTER]: two gateways with vtun0, peered over the public
# link (OUTER 4 or 6, default 4), routes for both inner sites, no SAs yet.
site_pair() {
	local a=$1 b=$2 outer=${3:-4} ea=192.0.2.1:4500 eb=192.0.2.2:4500
	if [[ $outer == 6 ]]; then
		ea='[2001:db8::1]:4500'
		eb='[2001:db8::2]:4500'
	fi
	internet "$a" "$b" && vtun_dev "$a" && vtun_dev "$b" &&
	inner_addrs "$a" "$b" &&
	vtunctl_in "$a" peer add vtun0 id 1 endpoint "$eb" &&
	vtunctl_in "$b" peer add vtun0 id 1 endpoint "$ea" &&
	vtunctl_in "$a" route add vtun0 10.2.0.0/16 peer 1 &&
	vtunctl_in "$a" route add vtun0 fd02::/64 peer 1 &&
	vtunctl_in "$b" route add vtun0 10.1.0.0/16 peer 1 &&
	vtunctl_in "$b" route add vtun0 fd01::/64 peer 1
}

# vtun_xfrm_pair A B: A, a vtun gateway for 10.1.0.0/16 with peer 1 at B's
# public address; B, the kernel's IPsec (xfrm_site adds its SAs), with its
# inner address on lo and a route to site A over the public link, where
# the XFRM policies catch it. No SAs yet.
vtun_xfrm_pair() {
	internet "$1" "$2" && vtun_dev "$1" &&
	addr_add "$1" vtun0 10.1.0.1/32 &&
	ip -n "$1" route add 10.2.0.0/16 dev vtun0 src 10.1.0.1 &&
	vtunctl_in "$1" peer add vtun0 id 1 endpoint 192.0.2.2:4500 &&
	vtunctl_in "$1" route add vtun0 10.2.0.0/16 peer 1 &&
	addr_add "$2" lo 10.2.0.1/32 &&
	ip -n "$2" route add 10.1.0.0/16 dev pub0 src 10.2.0.1
}

# capture_start NS IFACE PCAP FILTER: start tcpdump and return once it
# captures; its pid is left in $CAPTURE_PID for capture_stop.
capture_start() {
	local log=$TEST_TMP/tcpdump.log
	: >"$log"
	ip netns exec "$1" tcpdump -i "$2" -U -nn -w "$3" "$4" 2>"$log" &
	CAPTURE_PID=$!
	wait_for 30 grep -q "listening on" "$log"
}

# capture_stop: once the traffic is over, stop the capture when tcpdump
# has written all of it (tcpdump_stop in tests/lib.sh).
capture_stop() {
	tcpdump_stop "$CAPTURE_PID" "$TEST_TMP/tcpdump.log"
}

# tcp_listening NS PORT: something listens on TCP PORT in NS.
tcp_listening() {
	[[ -n $(ip netns exec "$1" ss -Hltn "sport = :$2") ]]
}

# tcp_transfer FROM TO_NS TO_ADDR MBYTES: send MBYTES of random data over
# TCP and check that what arrived hashes the same.
tcp_transfer() {
	local from=$1 to=$2 addr=$3 mb=$4 port=5001 fam=4 sent got srv
	[[ $addr == *:* ]] && fam=6
	head -c "$((mb << 20))" /dev/urandom >"$TEST_TMP/tx.bin"
	sent=$(sha256sum <"$TEST_TMP/tx.bin")
	rm -f "$TEST_TMP/rx.bin"
	ip netns exec "$to" timeout 120 socat -u \
		"TCP$fam-LISTEN:$port,reuseaddr" "CREATE:$TEST_TMP/rx.bin" &
	srv=$!
	wait_for 10 tcp_listening "$to" $port
	[[ $fam == 6 ]] && addr="[$addr]"
	ip netns exec "$from" timeout 120 socat -u "OPEN:$TEST_TMP/tx.bin" \
		"TCP$fam:$addr:$port"
	wait "$srv"
	got=$(sha256sum <"$TEST_TMP/rx.bin")
	assert_eq "$sent" "$got" "sha256 of the transferred data"
}

# esp_socket NS: XFRM only decapsulates ESP-in-UDP arriving on a UDP socket
# with UDP_ENCAP_ESPINUDP: hold one on port 4500 while the script runs.
esp_socket() {
	ip netns exec "$1" "$PY" -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 4500))
s.setsockopt(socket.IPPROTO_UDP, 100, 2)	# UDP_ENCAP, UDP_ENCAP_ESPINUDP
time.sleep(100000)' &
	on_exit kill $!
}

# xfrm_site NS LOCAL REMOTE LOCAL_NET REMOTE_NET KEY_OUT KEY_IN ICV
#	SPI_OUT SPI_IN [STATE OPTS...]: the kernel's own IPsec, tunnel mode,
#	ESP in UDP on 4500, with the SAs that vtun has on the other side.
xfrm_site() {
	local ns=$1 l=$2 r=$3 ln=$4 rn=$5 kout=$6 kin=$7 icv=$8 sout=$9 sin=${10}
	shift 10
	modprobe -q esp4 && modprobe -q xfrm_user || return
	ip -n "$ns" xfrm state add src "$l" dst "$r" proto esp spi "$sout" reqid 1 \
		mode tunnel aead "$AEAD" "$kout" "$icv" \
		encap espinudp 4500 4500 0.0.0.0 "$@" &&
	ip -n "$ns" xfrm state add src "$r" dst "$l" proto esp spi "$sin" reqid 1 \
		mode tunnel aead "$AEAD" "$kin" "$icv" \
		encap espinudp 4500 4500 0.0.0.0 "$@" &&
	ip -n "$ns" xfrm policy add src "$ln" dst "$rn" dir out \
		tmpl src "$l" dst "$r" proto esp reqid 1 mode tunnel &&
	ip -n "$ns" xfrm policy add src "$rn" dst "$ln" dir in \
		tmpl src "$r" dst "$l" proto esp reqid 1 mode tunnel &&
	esp_socket "$ns"
}
