#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Macvlan bridges in use: the commands and their refusals, show and fdb-show, a child's MAC
# taken from its first frame, spoofed source MACs and unknown unicast dropped and counted,
# set-port changing a child's MAC at run time, children added and removed while another
# child carries a ping flood, and isolation from a learning bridge and from a second
# macvlan bridge on another parent, all in one IP subnet so that a leak would be answered.
. "$(dirname "$0")/lib.sh"

P=vsv$$
EXT=${P}e           # the parent's LAN: one host, eth0 is the peer of $UP
EXT_IP=198.18.6.1
UP=${P}up
C=("${P}c1" "${P}c2" "${P}c3")    # children of mv0
CIF=("${P}hc1" "${P}hc2" "${P}hc3")
CIP=(198.18.6.11 198.18.6.12 198.18.6.13)
EXT2=${P}f          # mv1's LAN
EXT2_IP=198.18.6.2
UP2=${P}up2
D=${P}d1 DIF=${P}hd1 DIP=198.18.6.21 # child of mv1
B=("${P}b1" "${P}b2")             # on the learning bridge br0
BIF=("${P}hb1" "${P}hb2")
BIP=(198.18.6.31 198.18.6.32)

start_vswitchd
# A parent "veth" whose peer is eth0 of namespace $2, root side named $1.
add_container "$EXT" "$UP" "$EXT_IP/24"
add_container "$EXT2" "$UP2" "$EXT2_IP/24"
for i in 0 1 2; do add_container "${C[$i]}" "${CIF[$i]}" "${CIP[$i]}/24"; done
add_container "$D" "$DIF" "$DIP/24"
for i in 0 1; do add_container "${B[$i]}" "${BIF[$i]}" "${BIP[$i]}/24"; done
CMAC=("$(ns_mac "${C[0]}")" "$(ns_mac "${C[1]}")" "$(ns_mac "${C[2]}")")
EXT_MAC=$(ns_mac "$EXT")

# ---- refusals: exit 1, a clear message, nothing changed ---------------------------------
vsctl_fails 1 "a macvlan bridge needs a parent port (parent=PORT)" add-br mv0 type=macvlan
vsctl_fails 1 "invalid macvlan mode 'open' (bridge, private, vepa or passthru)" \
	add-br mv0 type=macvlan parent="$UP" mode=open
vsctl_fails 1 "option 'mac-aging' does not apply to a macvlan bridge" \
	add-br mv0 type=macvlan parent="$UP" mac-aging=60
vsctl_fails 1 "unknown bridge type 'vlan'" add-br mv0 type=vlan
vsctl_fails 1 "no such network device" add-br mv0 type=macvlan parent="${P}nope"
vsctl_fails 1 "unknown option for afxdp port" add-br mv0 type=macvlan parent="$UP" parent-color=red
[ -z "$(vsctl list-br)" ] || fail "a failed add-br left a bridge: $(vsctl list-br)"
has_xdp "$UP" && fail "a failed add-br left an XDP program on $UP"
ok "add-br type=macvlan refuses bad options and leaves nothing behind"

vsctl_ok add-br mv0 type=macvlan parent="$UP" parent-xdp-mode=native
vsctl_ok add-port mv0 "${CIF[0]}"                      # MAC from its first frame
vsctl_ok add-port mv0 "${CIF[1]}" mac="${CMAC[1]}"
vsctl_fails 1 "MAC ${CMAC[1]} is already the MAC of ${CIF[1]} on mv0" \
	add-port mv0 "${CIF[2]}" mac="${CMAC[1]}"
vsctl_fails 1 "not a unicast address" add-port mv0 "${CIF[2]}" mac=01:00:5e:00:00:01
vsctl_fails 1 "invalid MAC address: zz" add-port mv0 "${CIF[2]}" mac=zz
vsctl_fails 1 "a vxlan port cannot be a child of macvlan bridge mv0" \
	add-port mv0 "${P}vx" type=vxlan vni=100 local_ip=198.18.99.1 remote_ip=198.18.99.2
vsctl list-ports mv0 | grep -qx "${CIF[2]}" && fail "a refused child was added"
vsctl_fails 1 "mv0 is a macvlan bridge: it has no MAC table" \
	fdb-add mv0 02:00:00:00:00:09 "${CIF[0]}"
vsctl_fails 1 "mv0 is a macvlan bridge: it has no MAC table" fdb-flush mv0
vsctl_fails 1 "$UP is the parent of macvlan bridge mv0, which has 2 children" del-port mv0 "$UP"
vsctl_fails 1 "mv0 has 2 children: passthru allows one child only" set-bridge mv0 mode=passthru
vsctl_fails 1 "option 'mac-table-size' does not apply" set-bridge mv0 mac-table-size=64
vsctl_fails 1 "$UP is the parent of mv0" set-port mv0 "$UP" mac=02:00:00:00:00:09
vsctl_fails 1 "unknown option for a port of macvlan bridge mv0: mtu" \
	set-port mv0 "${CIF[0]}" mtu=9000
vsctl_fails 1 "port ${P}x is not on mv0" set-port mv0 "${P}x" mac=02:00:00:00:00:09
vsctl_fails 2 "'set-port' needs at least 3 arguments" set-port mv0 "${CIF[0]}"
ok "child, MAC table and parent refusals"

# ---- show and fdb-show ---------------------------------------------------------------------
fdb=$(vsctl --json fdb-show mv0) || fail "fdb-show mv0"
jq -e --arg c1 "${CIF[0]}" --arg c2 "${CIF[1]}" --arg m2 "${CMAC[1]}" --arg up "$UP" '
	.bridge == "mv0" and .type == "macvlan" and .mode == "bridge" and .parent == $up and
	.children == 2 and .count == 1 and
	.entries == [{mac: null, port: $c1, type: "pending", age: 0},
		     {mac: $m2, port: $c2, type: "configured", age: 0}]' <<<"$fdb" >/dev/null ||
	fail "fdb-show mv0 before any frame: $fdb"
wait_ping "${C[0]}" "$EXT_IP"
wait_ping "${C[1]}" "$EXT_IP"
wait_until 5 bash -c "'$VSCTL' -s '$SOCK' --json fdb-show mv0 | jq -e '.count == 2' >/dev/null" ||
	fail "c1's MAC was not fixed from its first frame: $(vsctl fdb-show mv0)"
human=$(vsctl fdb-show mv0) || fail "fdb-show mv0"
head -n1 <<<"$human" | grep -qE '^ *port +mac +mac-source$' || fail "fdb-show header: $human"
grep -qE "^ *${CIF[0]} +${CMAC[0]} +first-frame$" <<<"$human" || fail "fdb-show: $human"
grep -qE "^ *${CIF[1]} +${CMAC[1]} +configured$" <<<"$human" || fail "fdb-show: $human"
tail -n1 <<<"$human" | grep -qx "2 children (2 with a MAC), parent $UP, mode bridge" ||
	fail "fdb-show summary: $human"
show=$(vsctl --json show) || fail "show"
jq -e --arg up "$UP" --arg c1 "${CIF[0]}" --arg m1 "${CMAC[0]}" '.bridges[] |
	select(.name == "mv0") | .type == "macvlan" and .mode == "bridge" and .parent == $up and
	.children == 2 and (has("mac-aging") | not) and
	(.ports[] | select(.name == $up) | .role == "parent" and .options."xdp-mode" == "native") and
	(.ports[] | select(.name == $c1) | .role == "child" and ."child-mac" == $m1 and
	 ."mac-source" == "first-frame")' <<<"$show" >/dev/null || fail "show: $show"
human=$(vsctl show) || fail "show"
grep -qx "Bridge mv0" <<<"$human" && grep -qx "    type: macvlan" <<<"$human" &&
	grep -qx "    parent: $UP" <<<"$human" && grep -qx "        child-mac: ${CMAC[1]}" <<<"$human" ||
	fail "show (human): $human"
ok "show and fdb-show list the children with their MACs (first-frame and configured)"

# ---- spoofed sources and unknown unicast are dropped and counted -------------------------
ip netns exec "$EXT" tcpdump -i eth0 -Q in -n -e --immediate-mode -U -w "$VS_TMP/ext.pcap" \
	ether proto 0x88b5 >"$VS_TMP/tcpdump.log" 2>&1 &
tcpdump_pid=$!
VS_PIDS+=("$tcpdump_pid")
wait_until 10 grep -q "listening on" "$VS_TMP/tcpdump.log" || fail "tcpdump did not start"
spoof0=$(port_stat "${CIF[0]}" drops macvlan-spoofed-src)
unk0=$(port_stat "$UP" drops macvlan-unknown-dst)
ip netns exec "${C[0]}" python3 "$VS_LIB_DIR/sendframes.py" eth0 --dst "$EXT_MAC" \
	--src 02:00:00:00:99:01 --count 40 >/dev/null || fail "sendframes (forged source)"
ip netns exec "${C[0]}" python3 "$VS_LIB_DIR/sendframes.py" eth0 --dst ff:ff:ff:ff:ff:ff \
	--src "${CMAC[1]}" --count 10 >/dev/null || fail "sendframes (c2's source)"
ip netns exec "${C[0]}" python3 "$VS_LIB_DIR/sendframes.py" eth0 --dst "$EXT_MAC" \
	--count 5 >/dev/null || fail "sendframes (own source)"
ip netns exec "$EXT" python3 "$VS_LIB_DIR/sendframes.py" eth0 --dst 02:00:00:00:77:77 \
	--count 30 >/dev/null || fail "sendframes (unknown destination)"
spoofed() { [ "$(port_stat "${CIF[0]}" drops macvlan-spoofed-src)" -eq $((spoof0 + 50)) ]; }
unknown() { [ "$(port_stat "$UP" drops macvlan-unknown-dst)" -eq $((unk0 + 30)) ]; }
wait_until 10 spoofed || fail "macvlan-spoofed-src: $(port_stat "${CIF[0]}" drops macvlan-spoofed-src), expected $((spoof0 + 50))"
wait_until 10 unknown || fail "macvlan-unknown-dst: $(port_stat "$UP" drops macvlan-unknown-dst), expected $((unk0 + 30))"
sleep 0.5
stop_pid "$tcpdump_pid"
tcpdump -r "$VS_TMP/ext.pcap" -n -e 2>/dev/null | grep ' > .*, ethertype ' >"$VS_TMP/ext.txt"
n=$(grep -c "^[0-9:.]* ${CMAC[0]} >" "$VS_TMP/ext.txt")
forged=$(grep -vc "^[0-9:.]* ${CMAC[0]} >" "$VS_TMP/ext.txt")
[ "$n" -eq 5 ] && [ "$forged" -eq 0 ] ||
	fail "the LAN saw $n frames from c1's MAC (expected 5) and $forged others (expected 0)"
ok "50 spoofed frames dropped (macvlan-spoofed-src), 30 unknown unicast dropped" \
	"(macvlan-unknown-dst); the LAN saw only c1's 5 genuine frames"

# ---- set-port: a child's MAC changed at run time ----------------------------------------
NEW=02:00:00:00:06:c2
vsctl_ok set-port mv0 "${CIF[1]}" mac=$NEW
[ "$(jvsctl ".entries[] | select(.port == \"${CIF[1]}\") | .mac" fdb-show mv0)" = $NEW ] ||
	fail "fdb-show after set-port: $(vsctl fdb-show mv0)"
ip -n "$EXT" neigh flush all
[ "$(ping_received "${C[1]}" "$EXT_IP" 2)" -eq 0 ] || fail "c2 still reaches the LAN from its old MAC"
ip -n "${C[1]}" link set eth0 address $NEW
ip -n "$EXT" neigh flush all
wait_ping "${C[1]}" "$EXT_IP"
ok "set-port mac=: the old MAC is refused at once, the new one works"

# ---- children come and go while c1 carries a ping flood ---------------------------------
# It runs until stopped after the last round: every round happens under traffic.
ip netns exec "${C[0]}" ping -i 0.02 "$EXT_IP" >"$VS_TMP/flood.log" 2>&1 &
flood=$!
VS_PIDS+=("$flood")
for round in 1 2 3; do
	if [ "$round" = 2 ]; then
		vsctl_ok add-port mv0 "${CIF[2]}" mac="${CMAC[2]}"
	else
		vsctl_ok add-port mv0 "${CIF[2]}"
	fi
	wait_ping "${C[2]}" "$EXT_IP"
	vsctl_ok del-port mv0 "${CIF[2]}"
	[ "$(ping_received "${C[2]}" "$EXT_IP" 1)" -eq 0 ] || fail "c3 reaches the LAN after del-port"
done
vsctl_ok add-port mv0 "${CIF[2]}" mac="${CMAC[2]}"
wait_ping "${C[2]}" "$EXT_IP"
kill -0 "$flood" 2>/dev/null || fail "the ping flood stopped early: $(tail -n 3 "$VS_TMP/flood.log")"
kill -INT "$flood"
wait_pid_gone "$flood" 10 || fail "the ping flood did not stop"
untrack "$flood"
stats=$(grep 'packets transmitted' "$VS_TMP/flood.log") || fail "no ping summary"
sent=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' <<<"$stats")
got=$(sed -n 's/.*, \([0-9]*\) received.*/\1/p' <<<"$stats")
# The request in flight when ping was interrupted may be unanswered; no other may be.
[ "$sent" -gt 10 ] && [ "$got" -ge $((sent - 1)) ] ||
	fail "c1's ping flood lost replies while children came and went: $stats"
ok "3 rounds of add/del of a child under c1's ping flood: $got of $sent replies"

# ---- isolation: a learning bridge and a second macvlan bridge beside mv0 -----------------
vsctl_ok add-br br0
vsctl_ok add-port br0 "${BIF[0]}"
vsctl_ok add-port br0 "${BIF[1]}"
vsctl_ok add-br mv1 type=macvlan parent="$UP2" mode=vepa
vsctl_ok add-port mv1 "$DIF"
wait_ping "${B[0]}" "${BIP[1]}"
wait_ping "$D" "$EXT2_IP"
for pair in "${B[0]} ${CIP[0]}" "${C[0]} ${BIP[0]}" "$D $EXT_IP" "$D ${CIP[0]}" \
	"${C[0]} $DIP" "$EXT ${BIP[1]}" "$EXT2 ${CIP[1]}"; do
	set -- $pair
	[ "$(ping_received "$1" "$2" 2)" -eq 0 ] || fail "isolation: $1 reaches $2"
done
wait_ping "${C[0]}" "${CIP[2]}" # mv0 itself still works (bridge mode: child to child)
ok "no traffic crosses between mv0, mv1 (another parent) and the learning bridge br0"

vsctl_ok del-br mv0
has_xdp "$UP" && fail "del-br left XDP on the parent"
[ "$(vsctl list-br)" = "$(printf 'br0\nmv1')" ] || fail "list-br: $(vsctl list-br)"
vswitchd_alive || fail "vswitchd died"
