#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The demo ("make demo", run in the test VM): the scenarios vtun is for,
# told as a story on the terminal. Two offices joined gateway to gateway,
# a remote worker behind a home NAT joining office A (which learns where
# the laptop is, keeps hearing its keepalives and follows it when the NAT
# mapping changes), and what an eavesdropper on the internet sees: the
# gateways' public addresses and ESP, nothing else.
#
# Every step prints what it does (commands as "node# command", with their
# output) and is one TAP test point that asserts what the step claims.
#
#                      192.0.2.0/24          198.51.100.0/24
#   host-a1 ---- gw-a ------------- internet ------------- gw-b ---- host-b1
#  10.1.0.10  10.1.0.1        .10   .1   .1  .1     .20   10.2.0.1  10.2.0.10
#                                        |
#                                        | 203.0.113.0/24
#                                        | .30 (later .77)
#                                    home-nat ----------- laptop
#                              192.168.1.1        192.168.1.23, vtun 10.1.0.200

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
require_root
require_cmd jq socat tcpdump nft conntrack

cd "$TEST_TMP" || exit 1
exec 3>&1		# what steps show goes here, live; the rest is diagnostics

AEAD='rfc4106(gcm(aes))'
PING=(ping -q -c 3 -i 0.2 -W 2)
SECRET=436f6e666964656e7469616c	# "Confidential", ping's payload pattern
SECRET_TEXT=Confidential
# Bytes that must never cross the internet, as hexdump_of writes them:
# 10.1.0.10, 10.2.0.10, 10.1.0.200, "Confidential", "hunter2".
NEEDLES=(" 0a 01 00 0a" " 0a 02 00 0a" " 0a 01 00 c8"
	 " 43 6f 6e 66 69 64 65 6e 74 69 61 6c" " 68 75 6e 74 65 72 32")
SESSION_PORT=5022
VTUNCTL_HELP=$("$VTUNCTL" help 2>&1)	# which commands this vtunctl has

# ---- presentation ----

STEP=0

# step TITLE FUNC: one step of the story, one TAP test point.
step() {
	STEP=$((STEP + 1))
	printf '\n== step %d: %s\n' "$STEP" "$1"
	run_test "$1" "$2"
}

say() {
	printf '   %s\n' "$@" >&3
}

# quote ARG...: the arguments as one would type them.
quote() {
	local a out=()
	for a; do
		if [[ $a =~ ^[][A-Za-z0-9_./:@=,+%-]+$ ]]; then
			out+=("$a")
		else
			out+=("'$a'")
		fi
	done
	echo "${out[*]}"
}

# on NODE CMD [ARG...]: show "NODE# CMD" and its output (ping's without
# its banner and blank lines), run it in NODE's namespace; its status is
# CMD's. "vtunctl" is the one built here.
on() {
	local node=$1 rc=0 o=$TEST_TMP/on.out line
	shift
	printf '   %s# %s\n' "$node" "$(quote "$@")" >&3
	at "$node" "$@" >"$o" 2>&1 || rc=$?
	while IFS= read -r line; do
		printf '%s\n' "$line"
		[[ $1 == ping && ( -z $line || $line == PING* || $line == ---* ) ]] ||
			printf '       %s\n' "$line" >&3
	done <"$o"
	return "$rc"
}

# at NODE CMD [ARG...]: run CMD in NODE's namespace, quietly.
at() {
	local ns=$NS_PREFIX$1
	shift
	case $1 in
	vtunctl) ip netns exec "$ns" "$VTUNCTL" "${@:2}" ;;
	ip) ip -n "$ns" "${@:2}" ;;	# one program started, not two
	*) ip netns exec "$ns" "$@" ;;
	esac
}

# spawn NODE CMD [ARG...]: start CMD in NODE's namespace in the background,
# its own pid in $SPAWNED (with "at ... &", $! would be a subshell's: a
# signal for CMD would end the subshell and leave CMD running).
spawn() {
	local ns=$NS_PREFIX$1
	shift
	ip netns exec "$ns" "$@" &
	SPAWNED=$!
}

# ---- what the steps look at ----

# get NODE FILTER: jq -r FILTER over NODE's vtun0 in "vtunctl show -j";
# peer(ID) selects a peer.
get() {
	at "$1" vtunctl show vtun0 -j |
		jq -r "def peer(\$id): .peers[] | select(.id == \$id); .[0] | $2"
}

# moved BEFORE NOW MIN WHAT: a counter went up by at least MIN.
moved() {
	assert_range $(($1 + $3)) "$2" $((1 << 62)) "$4"
}

# batch NODE: ip commands from stdin, one a line, in NODE's namespace.
batch() {
	ip -n "$NS_PREFIX$1" -batch -
}

# contains FILE STRING
contains() {
	local s
	[[ -f $1 ]] || return 1	# $(<missing) would end the test
	s=$(<"$1")
	[[ $s == *"$2"* ]]
}

# hexdump_of FILE: its bytes as " 0a 01 ..." (a needle " 0a 01" can only
# match at a byte boundary).
hexdump_of() {
	od -An -tx1 -v "$1" | tr -d '\n'
}

# sniff_start NODE IFACE PCAP FILTER: tcpdump into PCAP, every packet
# written at once (--immediate-mode, -U); returns once it captures, its pid
# in $SNIFF_PID. sniff_stop PID PCAP: once the traffic is over, stops it
# when it has written all of it (tcpdump_stop in tests/lib.sh).
sniff_start() {
	local log=$3.log
	: >"$log"
	spawn "$1" tcpdump --immediate-mode -U -nn -i "$2" -w "$3" "$4" 2>"$log"
	SNIFF_PID=$SPAWNED
	on_exit kill "$SNIFF_PID"
	wait_for 30 contains "$log" "listening on"
}

sniff_stop() {
	tcpdump_stop "$1" "$2.log"
	assert_eq 0 "$TCPDUMP_DROPPED" "packets tcpdump lost on $2 (kernel buffer full)"
}

# show_traffic: tcpdump -nn lines in; shows the first ESP lines and a
# keepalive, then one line per conversation with its packet count; sets
# N_PACKETS and N_ESP. (In bash: every program started costs under TCG.)
show_traffic() {
	local line what shown=0 ka=0 k
	local -A count=()
	N_PACKETS=0 N_ESP=0
	while IFS= read -r line; do
		N_PACKETS=$((N_PACKETS + 1))
		line="IP ${line#* IP }"
		what=other
		if [[ $line =~ ESP\(spi=(0x[0-9a-f]+) ]]; then
			what="ESP, spi ${BASH_REMATCH[1]}"
			N_ESP=$((N_ESP + 1))
			((shown++ < 4)) && say "    $line"
		elif [[ $line == *keep-alive* || $line == *keepalive* ]]; then
			what="NAT keepalive"
			((ka++)) || say "    $line"
		fi
		[[ $line =~ ^IP\ ([^ ]+)\ \>\ ([^ ]+): ]] &&
			printf -v k '%-22s > %-22s %s' "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}" "$what"
		count[$k]=$((${count[$k]:-0} + 1))
	done
	say "" "Every conversation on the internet, with packet counts:"
	for k in "${!count[@]}"; do
		printf '   %5d %s\n' "${count[$k]}" "$k"
	done | sort -rn >&3
}

# ---- the steps ----

NODES=(internet gw-a host-a1 gw-b host-b1 home-nat laptop)

the_internet() {
	local n
	for n in "${NODES[@]}"; do
		echo "netns add $NS_PREFIX$n"
	done | ip -batch -
	say "Network namespaces: ${NODES[*]}" \
	    "The internet router has one link to each site; it knows only" \
	    "public addresses (documentation ranges), nothing of 10.0.0.0/8."
	batch internet <<EOF
link set lo up
link add to-a type veth peer name wan0 netns ${NS_PREFIX}gw-a
link add to-b type veth peer name wan0 netns ${NS_PREFIX}gw-b
link add to-home type veth peer name wan0 netns ${NS_PREFIX}home-nat
addr add 192.0.2.1/24 dev to-a
addr add 198.51.100.1/24 dev to-b
addr add 203.0.113.1/24 dev to-home
link set to-a up
link set to-b up
link set to-home up
EOF
	batch gw-a <<EOF
link set lo up
addr add 192.0.2.10/24 dev wan0
link set wan0 up
route add default via 192.0.2.1
EOF
	batch gw-b <<EOF
link set lo up
addr add 198.51.100.20/24 dev wan0
link set wan0 up
route add default via 198.51.100.1
EOF
	batch home-nat <<EOF
link set lo up
addr add 203.0.113.30/24 dev wan0
link set wan0 up
route add default via 203.0.113.1
EOF
	at internet sysctl -qw net.ipv4.ip_forward=1
	on internet ip -br -4 addr show
	on gw-a ip route
	on gw-a ping -q -c 1 -W 2 198.51.100.20
}

lans() {
	local n
	say "Office A: 10.1.0.0/24, office B: 10.2.0.0/24; hosts use their" \
	    "gateway as default route, gateways forward. Home: 192.168.1.0/24" \
	    "behind a NAT router (nftables masquerade), like any DSL box."
	batch gw-a <<EOF
link add lan0 type veth peer name eth0 netns ${NS_PREFIX}host-a1
addr add 10.1.0.1/24 dev lan0
link set lan0 up
EOF
	batch host-a1 <<EOF
link set lo up
addr add 10.1.0.10/24 dev eth0
link set eth0 up
route add default via 10.1.0.1
EOF
	batch gw-b <<EOF
link add lan0 type veth peer name eth0 netns ${NS_PREFIX}host-b1
addr add 10.2.0.1/24 dev lan0
link set lan0 up
EOF
	batch host-b1 <<EOF
link set lo up
addr add 10.2.0.10/24 dev eth0
link set eth0 up
route add default via 10.2.0.1
EOF
	batch home-nat <<EOF
link add lan0 type veth peer name eth0 netns ${NS_PREFIX}laptop
addr add 192.168.1.1/24 dev lan0
link set lan0 up
EOF
	batch laptop <<EOF
link set lo up
addr add 192.168.1.23/24 dev eth0
link set eth0 up
route add default via 192.168.1.1
EOF
	for n in gw-a gw-b home-nat; do
		at "$n" sysctl -qw net.ipv4.ip_forward=1
	done
	at home-nat nft -f - <<'EOF'
table ip nat {
	chain post {
		type nat hook postrouting priority srcnat;
		oifname "wan0" masquerade
	}
}
EOF
	on home-nat nft list chain ip nat post
	on host-a1 ip route
	say "The laptop gets out through the NAT:"
	on laptop ping -q -c 1 -W 2 192.0.2.10
	say "But without a tunnel, office A cannot reach office B: the" \
	    "internet router has no route to 10.2.0.0/24."
	expect_fail on host-a1 ping -q -c 1 -W 1 10.2.0.10
}

keys() {
	local k genkey=0
	say "One key per direction and tunnel, from getrandom(2), into files" \
	    "only root can read; vtunctl takes them as @FILE so they never" \
	    "appear on a command line (/proc/PID/cmdline is world-readable)."
	[[ $VTUNCTL_HELP == *genkey* ]] && genkey=1
	mkdir -m 700 keys
	for k in a-to-b b-to-a laptop-to-a a-to-laptop; do
		if ((genkey)); then
			say "\$ (umask 077; vtunctl genkey >keys/$k.key)"
			(umask 077; "$VTUNCTL" genkey >"keys/$k.key")
		else
			say "\$ (umask 077; echo 0x\$(od -An -tx1 -N20 /dev/urandom | tr -d ' \\n') >keys/$k.key)"
			(umask 077; echo "0x$(od -An -tx1 -N20 /dev/urandom | tr -d ' \n')" >"keys/$k.key")
		fi
		assert_match '^0x[0-9a-f]{40}$' "$(<"keys/$k.key")" "keys/$k.key"
	done
	say "\$ ls -l keys"
	capture ls -l keys
	say "    ${OUT//$'\n'/$'\n'       }"
	assert_eq 4 "$(grep -c '^-rw------- ' <<<"$OUT")" "key files of mode 600"
	say "(In real life each gateway keeps its own copy, e.g. in /etc/vtun," \
	    "handed over out of band. AES-128-GCM: 16 bytes key + 4 bytes salt.)"
}

# gateway NODE PEER PEER_ENDPOINT PEER_LAN OUT_KEY IN_KEY SPI_OUT SPI_IN LAN_ADDR
gateway() {
	local node=$1 peer=$2 ep=$3 net=$4 kout=$5 kin=$6 sout=$7 sin=$8 src=$9 j
	if ! at "$node" ip link show vtun0 >/dev/null 2>&1; then
		on "$node" ip link add vtun0 type vtun
	fi
	on "$node" ip link set vtun0 up
	on "$node" vtunctl peer add vtun0 id "$peer" endpoint "$ep"
	on "$node" vtunctl route add vtun0 "$net" peer "$peer"
	on "$node" vtunctl sa add vtun0 peer "$peer" dir out spi "$sout" aead "$AEAD" "@keys/$kout.key" 128
	on "$node" vtunctl sa add vtun0 peer "$peer" dir in spi "$sin" aead "$AEAD" "@keys/$kin.key" 128
	say "and the kernel's routing decides what enters the tunnel:"
	on "$node" ip route add "$net" dev vtun0 src "$src"
	j=$(at "$node" vtunctl show vtun0 -j)
	assert_match '"n_peers":1,"n_sas":2,' "$j" "show -j of $node"
	# the kernel never hands a key back
	kout=$(<"keys/$kout.key")
	kin=$(<"keys/$kin.key")
	assert_no_match "${kout#0x}|${kin#0x}" "$j" "show -j of $node"
}

gateway_a() {
	say "A vtun device (the module loads on demand):"
	on gw-a ip link add vtun0 type vtun
	say "A key file others can read is refused, like ssh refuses an" \
	    "unprotected private key:"
	cp keys/a-to-b.key keys/leaky.key
	chmod 644 keys/leaky.key
	expect_fail on gw-a vtunctl sa add vtun0 peer 2 dir out spi 0x1001 aead "$AEAD" @keys/leaky.key 128
	assert_eq 2 "$RC" "vtunctl's exit status for a readable key file"
	rm keys/leaky.key
	say "" "The tunnel to office B (peer 2), keys by file:"
	gateway gw-a 2 198.51.100.20:4500 10.2.0.0/24 a-to-b b-to-a 0x1001 0x1002 10.1.0.1
}

gateway_b() {
	gateway gw-b 1 192.0.2.10:4500 10.1.0.0/24 b-to-a a-to-b 0x1002 0x1001 10.2.0.1
}

a_to_b_ping() {
	local a b
	on host-a1 "${PING[@]}" 10.2.0.10
	# The tunnel's first packets: these three pings and their replies.
	a=$(get gw-a '"\(peer(2).stats.tx_packets) \(peer(2).stats.rx_packets)"')
	b=$(get gw-b '"\(peer(1).stats.tx_packets) \(peer(1).stats.rx_packets)"')
	assert_eq "3 3" "$a" "gw-a: packets to and from office B"
	assert_eq "3 3" "$b" "gw-b: packets to and from office A"
	say "gw-a encrypted 3 echo requests for office B and decrypted 3" \
	    "replies; gw-b the other way round. Back, with a TTL to look at:"
	on host-b1 ping -c 1 -W 2 10.1.0.10
	say "ttl=62: two hops, gw-b and gw-a. The internet router in between" \
	    "is not a hop of the inner packet: it only forwarded the outer one."
}

a_b_tcp() {
	local t0=$SECONDS
	say "1 MiB of random data over TCP, host-b1 -> host-a1 (socat), then" \
	    "sha256 on both ends:"
	head -c 1M /dev/urandom >tx.bin
	at host-a1 timeout 120 socat -u TCP-LISTEN:5001,reuseaddr CREATE:rx.bin &
	# the client tries until the server listens
	at host-b1 timeout 120 socat -u OPEN:tx.bin TCP:10.1.0.10:5001,retry=100,interval=0.2
	wait $!
	read -r sum _ < <(sha256sum tx.bin rx.bin | uniq -c -w 64)
	assert_eq 2 "$sum" "files with the same sha256 (sent, received)"
	say "sha256 sent = received = $(sha256sum <rx.bin | cut -c1-16)... ($((SECONDS - t0)) s under TCG emulation)"
	rm -f tx.bin rx.bin
}

laptop_setup() {
	local after
	say "The laptop runs vtun itself, with an address from office A's" \
	    "range (10.1.0.200) and routes to both offices through office A." \
	    "Keepalive every second (for the demo; 20-25 s is usual)."
	on laptop ip link add vtun0 type vtun
	on laptop ip link set vtun0 up
	on laptop ip addr add 10.1.0.200/32 dev vtun0
	cat >laptop.vtun <<EOF
# the laptop's tunnel to office A: one vtunctl command a line
peer add vtun0 id 1 endpoint 192.0.2.10:4500 keepalive 1
route add vtun0 10.1.0.0/24 peer 1
route add vtun0 10.2.0.0/24 peer 1
sa add vtun0 peer 1 dir out spi 0x2001 aead '$AEAD' @keys/laptop-to-a.key 128
sa add vtun0 peer 1 dir in spi 0x2002 aead '$AEAD' @keys/a-to-laptop.key 128
EOF
	if [[ $VTUNCTL_HELP == *--batch* ]]; then
		say "Its tunnel configuration is a file, applied in one go:" "\$ cat laptop.vtun"
		say "    $(sed 's/^/       /; 1s/^ *//' laptop.vtun)"
		on laptop vtunctl -b laptop.vtun
	else
		local cmd
		while read -r -a cmd; do
			[[ ${cmd[0]} == "#" ]] || on laptop vtunctl "${cmd[@]//\'/}"
		done <laptop.vtun
	fi
	on laptop ip route add 10.1.0.0/24 dev vtun0 src 10.1.0.200
	on laptop ip route add 10.2.0.0/24 dev vtun0 src 10.1.0.200
	say "" "gw-a: the laptop is peer 100, WITHOUT endpoint: its address is" \
	    "whatever the home NAT makes of it, learnt from its first" \
	    "authenticated packet. Proxy ARP makes 10.1.0.200 look local."
	on gw-a vtunctl peer add vtun0 id 100
	on gw-a vtunctl route add vtun0 10.1.0.200/32 peer 100
	on gw-a vtunctl sa add vtun0 peer 100 dir in spi 0x2001 aead "$AEAD" @keys/laptop-to-a.key 128
	on gw-a vtunctl sa add vtun0 peer 100 dir out spi 0x2002 aead "$AEAD" @keys/a-to-laptop.key 128
	on gw-a ip route add 10.1.0.200/32 dev vtun0 src 10.1.0.1
	on gw-a sysctl -w net.ipv4.conf.lan0.proxy_arp=1 net.ipv4.neigh.lan0.proxy_delay=0
	# Watch gw-a's events from here on (shown when the laptop moves).
	if [[ $VTUNCTL_HELP == *monitor* ]]; then
		spawn gw-a timeout 600 "$VTUNCTL" monitor vtun0 >monitor.log 2>&1 </dev/null
		on_exit kill "$SPAWNED"
	fi
	say "" "Until the laptop speaks, office A cannot reach it:"
	expect_fail on host-a1 ping -q -c 1 -W 1 10.1.0.200
	after=$(get gw-a '"\(peer(100).endpoint) \(.stats.tx_no_endpoint)"')
	assert_eq null "${after% *}" "gw-a's endpoint for the laptop"
	assert_range 1 "${after#* }" 1000 "gw-a tx_no_endpoint"
	say "(gw-a has no endpoint for peer 100: it drops the packet, answers" \
	    "host-a1 with an ICMP error - the \"+1 errors\" - and counts" \
	    "tx-no-endpoint.)"
}

monitor_show() {	# PATTERN
	[[ -s monitor.log ]] || return 0
	say "gw-a# vtunctl monitor vtun0    (running since step 8)"
	grep -E "$1" monitor.log | sed 's/^/       /' >&3 || true
}

laptop_joins() {
	local ep
	on laptop "${PING[@]}" 10.1.0.10
	ep=$(get gw-a 'peer(100).endpoint')
	assert_match '^203\.0\.113\.30:[0-9]+$' "$ep" "endpoint gw-a learnt"
	echo "$ep" >learnt.ep
	say "gw-a learnt the laptop's endpoint: $ep, the home NAT's public side:"
	on gw-a vtunctl show vtun0
	monitor_show 'peer 100 endpoint'
	say "" "Now office A reaches the laptop too, as if it were on the LAN:"
	on host-a1 "${PING[@]}" 10.1.0.200
}

laptop_to_b() {
	local before after
	before=$(get gw-a '"\(peer(100).stats.rx_packets) \(peer(2).stats.tx_packets)"')
	say "gw-a decrypts from the laptop's tunnel and encrypts into office B's:"
	on laptop "${PING[@]}" 10.2.0.10
	after=$(get gw-a '"\(peer(100).stats.rx_packets) \(peer(2).stats.tx_packets)"')
	moved "${before% *}" "${after% *}" 3 "gw-a rx from the laptop"
	moved "${before#* }" "${after#* }" 3 "gw-a tx to office B"
}

# keepalives_moved TX0 RX0: the laptop sent, and gw-a received, two
# keepalives more than TX0 and RX0 (sets TX and RX).
keepalives_moved() {
	TX=$(get laptop .stats.tx_keepalives)
	RX=$(get gw-a .stats.rx_keepalives)
	((TX >= $1 + 2 && RX >= $2 + 2))
}

keepalives() {
	local tx0 rx0 t0=$SECONDS
	say "An idle laptop sends a one-byte UDP keepalive (RFC 3948) every" \
	    "second, so the home router keeps its NAT mapping open. Idle until" \
	    "two have gone by (emulation may stretch a second):"
	tx0=$(get laptop .stats.tx_keepalives)
	rx0=$(get gw-a .stats.rx_keepalives)
	sleep 2
	wait_for 30 keepalives_moved "$tx0" "$rx0"
	local tx=$TX rx=$RX
	moved "$tx0" "$tx" 2 "keepalives sent by the laptop"
	moved "$rx0" "$rx" 2 "keepalives gw-a received"
	say "In $((SECONDS - t0)) s the laptop sent $((tx - tx0)), gw-a received $((rx - rx0)). The home router's" \
	    "mapping for it stays (its idle timeout keeps being refreshed):"
	on home-nat conntrack -L -p udp -s 192.168.1.23
}

# icmp_unreach NODE: ICMP destination unreachable messages NODE received.
icmp_unreach() {
	at "$1" awk '$1 == "Icmp:" { if (!n++) { for (i = 2; i <= NF; i++) f[$i] = i } else print $f["InDestUnreachs"] }' /proc/net/snmp
}

# icmp_unreach_moved NODE BEFORE: one more than BEFORE (in ICMP_UNREACH).
icmp_unreach_moved() {
	ICMP_UNREACH=$(icmp_unreach "$1")
	((ICMP_UNREACH > $2))
}

# A long-lived TCP session laptop -> host-a1 (think ssh): socat on both
# ends, the laptop's side fed from a FIFO that the steps write lines into.
session_open() {
	spawn host-a1 timeout 600 socat -u TCP-LISTEN:$SESSION_PORT,reuseaddr \
		OPEN:session.rx,creat,trunc >/dev/null 2>&1 </dev/null
	on_exit kill "$SPAWNED"
	mkfifo session.fifo
	sleep 600 <>session.fifo >/dev/null 2>&1 &	# holds it open
	on_exit kill $!
	spawn laptop timeout 600 socat -u OPEN:session.fifo \
		TCP:10.1.0.10:$SESSION_PORT,retry=100,interval=0.2 >/dev/null 2>&1 </dev/null
	on_exit kill "$SPAWNED"
}

session_say() {	# LINE: the laptop types LINE; it must arrive
	say "laptop> $1"
	echo "$1" >session.fifo
	wait_for 20 contains session.rx "$1"
}

nat_change() {
	local unreach
	say "The laptop opens a TCP session to host-a1 (an ssh, say):"
	session_open
	session_say "hello from the laptop, before the NAT change"
	on laptop ss -Htn state established "dport = :$SESSION_PORT"
	say "" "Then the home router reboots: a new port range for NAT, a new" \
	    "public address from the ISP, every mapping forgotten:"
	# (the port range first: whatever mapping is made from here on, and
	# survives the flush, is one of the new router's)
	on home-nat nft insert rule ip nat post oifname wan0 meta l4proto udp masquerade to :40000-40999
	on home-nat ip addr flush dev wan0
	on home-nat ip addr add 203.0.113.77/24 dev wan0
	on home-nat ip route add default via 203.0.113.1
	on home-nat conntrack -F
	assert_eq "$(<learnt.ep)" "$(get gw-a 'peer(100).endpoint')" "gw-a's endpoint for the laptop"
	say "" "gw-a still sends to $(<learnt.ep), a mapping that is gone:"
	unreach=$(icmp_unreach gw-a)
	expect_fail on host-a1 ping -q -c 1 -W 1 10.1.0.200
	# Settle before anyone listens on the internet (step 14): that ESP
	# packet is not lost yet. The internet router still has the home
	# router's link address for 203.0.113.30 and delivers it there; the
	# home router, no longer 203.0.113.30 but a router, forwards it back
	# out, asks ARP for 203.0.113.30 (3 tries, 1 s apart) and then answers
	# gw-a with ICMP host unreachable, from its new address.
	say "" "The internet router still delivers 203.0.113.30 to the home router's" \
	    "link; the home router, which no longer has that address, tries ARP" \
	    "for it (3 s) and gives up with an ICMP error to gw-a:"
	wait_for 30 icmp_unreach_moved gw-a "$unreach"
	on home-nat ip neigh show 203.0.113.30
	say "gw-a: $ICMP_UNREACH ICMP destination unreachable received (before: $unreach)." \
	    "Nothing of the old address is in flight any more."
}

roaming() {
	local ep
	say "The laptop keeps typing in the same TCP session: its next packet" \
	    "is authenticated, so gw-a follows it to the new endpoint."
	session_say "still here, after the NAT change"
	ep=$(get gw-a 'peer(100).endpoint')
	assert_match '^203\.0\.113\.77:40[0-9]{3}$' "$ep" "gw-a's endpoint after the NAT change"
	say "gw-a now sends to $ep."
	monitor_show 'peer 100 endpoint'
	on home-nat conntrack -L -p udp -s 192.168.1.23
	say "host-a1 received, in one TCP connection:"
	sed 's/^/       /' session.rx >&3
	on host-a1 "${PING[@]}" 10.1.0.200
}

eavesdrop() {
	local pub='192.0.2.10 or 198.51.100.20 or 203.0.113.30 or 203.0.113.77'
	local wire=internet.pcap
	local lan=lan-a.pcap p1 p2 n hex needle found=() line
	say "tcpdump on every link of the internet router, and, for contrast," \
	    "on office A's LAN. Meanwhile: pings carrying \"$SECRET_TEXT\"," \
	    "office to office and laptop to office, and a line in the session."
	sniff_start internet any "$wire" "ip and inbound"
	p1=$SNIFF_PID
	sniff_start gw-a lan0 "$lan" ip
	p2=$SNIFF_PID
	on host-a1 ping -q -c 2 -i 0.2 -W 2 -p "$SECRET" 10.2.0.10
	on laptop ping -q -c 2 -i 0.2 -W 2 -p "$SECRET" 10.1.0.10
	session_say "the password is hunter2"
	sniff_stop "$p2" "$lan"
	sniff_stop "$p1" "$wire"

	say "" "Office A's LAN, in the clear (first lines):"
	n=0
	while IFS= read -r line && ((n++ < 4)); do
		say "    IP ${line#* IP }"
	done < <(tcpdump -nn -r "$lan" 2>/dev/null)
	say "" "The internet (a few lines; inbound only, so each packet once):"
	show_traffic < <(tcpdump -nn -r "$wire" 2>/dev/null)
	n=$N_PACKETS
	assert_range 8 "$n" 100000 "packets captured on the internet"
	assert_range 8 "$N_ESP" "$n" "ESP packets on the internet"
	# the proof: no packet is anything but UDP 4500 between public addresses
	assert_eq "" "$(tcpdump -nn -r "$wire" "not (udp port 4500 and (src host $pub) and (dst host $pub))" 2>/dev/null)" \
		"packets on the internet other than UDP 4500 between gateways"
	# no byte of the inner addresses 10.1.0.10, 10.2.0.10, 10.1.0.200,
	# nor of the secrets; the LAN capture, in the clear, has them all
	hex=$(hexdump_of "$wire")
	for needle in "${NEEDLES[@]}"; do
		[[ $hex != *"$needle"* ]] || found+=("$needle")
	done
	assert_eq "" "${found[*]}" "inner bytes in the internet capture"
	hex=$(hexdump_of "$lan")
	for needle in "${NEEDLES[@]}"; do
		[[ $hex == *"$needle"* ]] || fail "the LAN capture lacks$needle"
	done
	say "" "The internet saw $n packets: all UDP 4500 between the gateways'" \
	    "and the home router's public addresses, not one byte of an inner" \
	    "address, of \"$SECRET_TEXT\" or of hunter2 - all of which the LAN" \
	    "capture holds."
}

summary() {
	local a b l n kind f1 f2 f3 f4 ab ba al la genuine
	a=$(at gw-a vtunctl show vtun0 -j)
	b=$(at gw-b vtunctl show vtun0 -j)
	l=$(at laptop vtunctl show vtun0 -j)
	say "Packets through each tunnel (vtunctl show -j, per peer):"
	printf '   %-22s %-8s %16s %24s\n' tunnel "seen on" "packets out/in" "bytes out/in" >&3
	# one jq for it all: table rows, then "sent:received" per direction,
	# then the device counters that would mean a forged packet
	while IFS=$'\t' read -r kind f1 f2 f3 f4; do
		case $kind in
		row) printf '   %-22s %-8s %16s %24s\n' "$f1" "$f2" "$f3" "$f4" >&3 ;;
		dirs) ab=$f1 ba=$f2 la=$f3 al=$f4 ;;
		genuine) genuine=$f1 ;;
		esac
	done < <(jq -n -r --argjson a "$a" --argjson b "$b" --argjson l "$l" '
		def f1: (. * 10 | round) as $t | "\($t / 10 | floor).\($t % 10)";
		def h: if . < 1024 then "\(.) B"
			elif . < 1048576 then "\(. / 1024 | f1) KiB"
			else "\(. / 1048576 | f1) MiB" end;
		def p($j; $id): $j[0].peers[] | select(.id == $id) | .stats;
		def row($t; $n; $j; $id): p($j; $id) |
			"row\t\($t)\t\($n)\t\(.tx_packets) / \(.rx_packets)\t\(.tx_bytes | h) / \(.rx_bytes | h)";
		row("office A <-> office B"; "gw-a"; $a; 2),
		row("office A <-> office B"; "gw-b"; $b; 1),
		row("laptop <-> office A"; "gw-a"; $a; 100),
		row("laptop <-> office A"; "laptop"; $l; 1),
		"dirs\t\(p($a; 2).tx_packets):\(p($b; 1).rx_packets)\t\(p($b; 1).tx_packets):\(p($a; 2).rx_packets)\t\(p($l; 1).tx_packets):\(p($a; 100).rx_packets)\t\(p($a; 100).tx_packets):\(p($l; 1).rx_packets)",
		"genuine\t\([$a, $b, $l | .[0].stats | .rx_auth_fail, .rx_bad_source, .rx_no_sa] | add)"')
	say "Sent and received per direction (packets):" \
	    "  gw-a -> gw-b    ${ab%:*} -> ${ab#*:}" \
	    "  gw-b -> gw-a    ${ba%:*} -> ${ba#*:}" \
	    "  laptop -> gw-a  ${la%:*} -> ${la#*:}" \
	    "  gw-a -> laptop  ${al%:*} -> ${al#*:}   (the ping of step 12 went to the dead NAT mapping)"
	for n in gw-a gw-b laptop; do
		say ""
		on "$n" vtunctl show
	done
	say "" "(tx-no-route: IPv6 router solicitations and MLD reports the kernel" \
	    "sends on every new interface; no IPv6 is routed into these tunnels.)"
	assert_range 10 "${ab%:*}" $((1 << 62)) "packets gw-a -> gw-b"
	assert_range 500 "${ba%:*}" $((1 << 62)) "packets gw-b -> gw-a"
	assert_range 10 "${al%:*}" $((1 << 62)) "packets gw-a -> laptop"
	assert_range 10 "${la%:*}" $((1 << 62)) "packets laptop -> gw-a"
	# Nothing arrives that was not sent (a lossy internet may drop some).
	assert_range 1 "${ab#*:}" "${ab%:*}" "gw-b's rx from A (gw-a's tx to B: ${ab%:*})"
	assert_range 1 "${ba#*:}" "${ba%:*}" "gw-a's rx from B (gw-b's tx to A: ${ba%:*})"
	assert_range 1 "${la#*:}" "${la%:*}" "gw-a's rx from the laptop (its tx: ${la%:*})"
	assert_range 1 "${al#*:}" "${al%:*}" "laptop's rx from gw-a (gw-a's tx: ${al%:*})"
	# Every packet that reached a tunnel end was genuine.
	assert_eq 0 "$genuine" "rx_auth_fail + rx_bad_source + rx_no_sa, all devices"
}

cat <<'EOF'
vtun demo: a route-based IPsec VPN device (ESP in UDP 4500, AES-GCM).

                     192.0.2.0/24          198.51.100.0/24
  host-a1 ---- gw-a ------------- internet ------------- gw-b ---- host-b1
 10.1.0.10  10.1.0.1        .10   .1   .1  .1     .20   10.2.0.1  10.2.0.10
                                       |
                                       | 203.0.113.0/24
                                       | .30 (later .77)
                                   home-nat ----------- laptop
                             192.168.1.1        192.168.1.23, vtun 10.1.0.200

Each step shows its commands ("node# command") and output, and ends in a
TAP line ("ok N") saying that what it claims was checked.
EOF

step "the internet: a router with links to both offices and a home" the_internet
step "office LANs behind the gateways, a laptop behind a home NAT" lans
step "keys: generated at run time, mode 600, passed as @FILE" keys
step "gateway A: vtun0, office B as peer 2, route, SAs" gateway_a
step "gateway B: the mirror image" gateway_b
step "host A1 (10.1.0.10) pings host B1 (10.2.0.10) through the tunnel" a_to_b_ping
step "a TCP transfer office B -> office A arrives intact" a_b_tcp
step "the laptop: vtun to office A; gateway A: a peer without endpoint" laptop_setup
step "the laptop reaches host A1; gateway A learns its NATed endpoint" laptop_joins
step "the laptop reaches office B through gateway A (hub)" laptop_to_b
step "keepalives flow while the laptop is idle" keepalives
step "the home NAT changes address and ports (mapping lost)" nat_change
step "traffic continues: gateway A follows the laptop (roaming)" roaming
step "the internet router sees only gateways, UDP 4500 and ESP" eavesdrop
step "summary: packets through each tunnel, vtunctl show" summary
echo "# demo done in $SECONDS s"
tap_done
