#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vtun speaks real ESP: gateway A runs vtun, gateway B the kernel's own
# IPsec (XFRM, tunnel mode, ESP in UDP on 4500) with the same SAs. Traffic
# must cross both ways with no authentication or replay failure on either
# side, for AES-128/256 with ICV 8/12/16 bytes, ChaCha20-Poly1305, and
# extended sequence numbers across the 2^32 boundary.

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../topo.sh"
require_root
require_cmd socat jq

A=$(ns_new a)
B=$(ns_new b)

setup() {
	vtun_xfrm_pair "$A" "$B"
	esp_socket "$B"
}

# sas KEY_AB KEY_BA ICVBITS [esn SEQ]: the same SA pair on both sides,
# replacing any earlier one.
sas() {
	local kab=$1 kba=$2 icv=$3 vopt=() xopt=() seq
	if [[ ${4:-} == esn ]]; then
		seq=$5
		vopt=(esn seq "$seq")
		xopt=(flag esn replay-window 64 replay-oseq "$((seq & 0xffffffff))"
		      replay-oseq-hi "$((seq >> 32))" replay-seq "$((seq & 0xffffffff))"
		      replay-seq-hi "$((seq >> 32))")
	fi
	vtunctl_in "$A" peer del vtun0 id 1
	vtunctl_in "$A" peer add vtun0 id 1 endpoint 192.0.2.2:4500
	vtunctl_in "$A" route add vtun0 10.2.0.0/16 peer 1
	vtunctl_in "$A" sa add vtun0 peer 1 dir out spi $SPI_AB aead "$AEAD" "$kab" "$icv" "${vopt[@]}"
	vtunctl_in "$A" sa add vtun0 peer 1 dir in spi $SPI_BA aead "$AEAD" "$kba" "$icv" "${vopt[@]}"
	ip -n "$B" xfrm state flush
	ip -n "$B" xfrm policy flush
	if [[ ${#xopt[@]} -gt 0 ]]; then
		# ip xfrm takes the replay state only with the ESN flag given
		# through "replay-*" and a window set by "replay-window".
		xfrm_site "$B" 192.0.2.2 192.0.2.1 10.2.0.0/16 10.1.0.0/16 \
			"$kba" "$kab" "$icv" $SPI_BA $SPI_AB "${xopt[@]}"
	else
		xfrm_site "$B" 192.0.2.2 192.0.2.1 10.2.0.0/16 10.1.0.0/16 \
			"$kba" "$kab" "$icv" $SPI_BA $SPI_AB
	fi
}

# No side saw a bad packet: vtun's drop counters and XFRM's error MIBs.
clean_both_sides() {
	assert_eq 0 "$(vstat "$A" vtun0 rx_auth_fail)" "vtun auth failures"
	assert_eq 0 "$(vstat "$A" vtun0 rx_replay)" "vtun replays"
	assert_eq 0 "$(vstat "$A" vtun0 rx_malformed)" "vtun malformed"
	local errs
	errs=$(ip netns exec "$B" cat /proc/net/xfrm_stat |
	       awk '/^Xfrm(InStateProtoError|InStateInvalid|InStateSeqError|InNoStates|InStateMismatch|InError)/ && $2 != 0')
	assert_eq "" "$errs" "XFRM input errors on B"
}

traffic() {
	ip netns exec "$A" ping -q -c 3 -i 0.2 -W 2 10.2.0.1
	ip netns exec "$B" ping -q -c 3 -i 0.2 -W 2 10.1.0.1
	tcp_transfer "$A" "$B" 10.2.0.1 4
	tcp_transfer "$B" "$A" 10.1.0.1 4
	clean_both_sides
	# XFRM really decrypted what vtun sent, and the other way round.
	assert_range 100 "$(sa_stat "$A" vtun0 $SPI_BA in stats.rx_packets)" 10000000 \
		"packets vtun received from XFRM"
	ip -n "$B" -s xfrm state get src 192.0.2.1 dst 192.0.2.2 proto esp spi $SPI_AB |
		grep -Eq '^\s+[0-9]{5,}\(bytes\), [0-9]{3,}\(packets\)'
}

aes128() {
	sas "$KEY128_AB" "$KEY128_BA" 128
	traffic
}

aes256_icv96() {
	sas "$KEY256_AB" "$KEY256_BA" 96
	traffic
}

aes128_icv64() {
	sas "$KEY128_AB" "$KEY128_BA" 64
	traffic
}

# Both sides start 20 packets below 2^32 with ESN: the high half of the
# sequence number is never sent, so a wrong guess on either side would
# fail authentication from the boundary on.
esn_boundary() {
	local start=$(((1 << 32) - 20))
	sas "$KEY128_AB" "$KEY128_BA" 128 esn $start
	ip netns exec "$A" ping -q -c 30 -i 0.05 -W 2 10.2.0.1
	ip netns exec "$B" ping -q -c 30 -i 0.05 -W 2 10.1.0.1
	clean_both_sides
	assert_range $(((1 << 32) + 40)) "$(sa_stat "$A" vtun0 $SPI_AB out seq)" \
		$(((1 << 32) + 100)) "outbound sequence number past 2^32"
	assert_range $(((1 << 32) + 40)) "$(sa_stat "$A" vtun0 $SPI_BA in seq)" \
		$(((1 << 32) + 100)) "inbound window top past 2^32"
}

# RFC 7634 for routers without AES instructions: 32-byte key, 4-byte salt.
chacha20() {
	AEAD='rfc7539esp(chacha20,poly1305)'
	sas "$KEY256_AB" "$KEY256_BA" 128
	assert_eq "$AEAD" "$(sa_stat "$A" vtun0 $SPI_AB out alg)" "algorithm"
	traffic
}

run_test "setup: vtun on A, XFRM on B" setup
run_test "AES-128-GCM, ICV 16: ping and TCP both ways" aes128
run_test "AES-256-GCM, ICV 12: ping and TCP both ways" aes256_icv96
run_test "AES-128-GCM, ICV 8: ping and TCP both ways" aes128_icv64
run_test "ESN across 2^32 with XFRM on the other side" esn_boundary
run_test "ChaCha20-Poly1305 (RFC 7634): ping and TCP both ways" chacha20
tap_done
