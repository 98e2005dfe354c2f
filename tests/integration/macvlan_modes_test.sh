#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Macvlan bridges, each mode against the kernel's own macvlan driver as the reference.
#
# An "external LAN" namespace holds a Linux bridge (hairpin on for the uplinks, as VEPA
# needs) with two hosts. vswitchd's parent is a veth whose peer is a port of that bridge;
# its children are veths to two container namespaces. The kernel reference is the same
# LAN with a second uplink veth whose macvlan devices sit in two other namespaces. For
# bridge, private, vepa and passthru the test measures the reachability matrix (ping both
# ways between children and hosts and between the children, which needs ARP broadcasts,
# and who answers a broadcast ping) of both, and requires both to equal the expected
# matrix of the mode, so vswitch behaves as the kernel does. Then VEPA without hairpin
# shows that child-to-child traffic really goes through the external switch.
#
# Where vswitch differs from the kernel (not visible in this matrix, see docs/macvlan.md):
# it drops frames whose source is not the child's MAC (the kernel sends them), and in
# private mode it also drops unicast that the LAN hairpins from one child to another
# (the kernel stops only the broadcasts, so child-to-child needs static ARP there).
. "$(dirname "$0")/lib.sh"

P=vsm$$
LAN=${P}L                    # the external LAN: Linux bridge lbr
HNS=("${P}H1" "${P}H2")      # its two hosts
HIP=(198.18.5.1 198.18.5.2)
UP=${P}up                    # vswitchd's parent (root namespace); peer "lup" in $LAN
CNS=("${P}c1" "${P}c2")      # vswitchd's children
CIF=("${P}hc1" "${P}hc2")
CIP=(198.18.5.11 198.18.5.12)
KUP=${P}ku                   # the kernel reference's parent; peer "lku" in $LAN
KNS=("${P}k1" "${P}k2")      # the kernel's macvlan children
KIP=(198.18.5.21 198.18.5.22)
ALL_NS=("$LAN" "${HNS[@]}" "${CNS[@]}" "${KNS[@]}")

new_ns() {
	ip netns add "$1" || fail "ip netns add $1"
	VS_NETNS+=("$1")
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 || fail "cannot disable IPv6 in $1"
	ip -n "$1" link set lo up
}

# ---- the external LAN -----------------------------------------------------------------
new_ns "$LAN"
# Bridged frames must not go through the firewall hooks (br_netfilter is loaded here).
ip netns exec "$LAN" sysctl -qw net.bridge.bridge-nf-call-iptables=0 \
	net.bridge.bridge-nf-call-arptables=0 2>/dev/null || true
ip -n "$LAN" link add lbr type bridge || fail "cannot create the LAN bridge"
ip -n "$LAN" link set lbr up
for i in 0 1; do
	new_ns "${HNS[$i]}"
	ip -n "$LAN" link add "h$i" type veth peer name eth0 netns "${HNS[$i]}" ||
		fail "veth for ${HNS[$i]}"
	ip -n "$LAN" link set "h$i" master lbr up
	ip -n "${HNS[$i]}" addr add "${HIP[$i]}/24" dev eth0
	ip -n "${HNS[$i]}" link set eth0 up
done
uplink() { # root-namespace veth $1 whose peer $2 is a hairpin port of lbr
	ip link add "$1" type veth peer name "$2" netns "$LAN" || fail "ip link add $1"
	VS_LINKS+=("$1")
	echo 1 >"/proc/sys/net/ipv6/conf/$1/disable_ipv6"
	ip -n "$LAN" link set "$2" master lbr up
	ip -n "$LAN" link set dev "$2" type bridge_slave hairpin on || fail "hairpin on $2"
	ip link set "$1" up
}
uplink "$UP" lup
uplink "$KUP" lku
for i in 0 1; do
	add_container "${CNS[$i]}" "${CIF[$i]}" "${CIP[$i]}/24"
	new_ns "${KNS[$i]}"
done
# Everyone answers broadcast pings: that shows who a broadcast reaches.
for ns in "${ALL_NS[@]}"; do
	ip netns exec "$ns" sysctl -qw net.ipv4.icmp_echo_ignore_broadcasts=0 ||
		fail "sysctl in $ns"
done
CMAC=("$(ns_mac "${CNS[0]}")" "$(ns_mac "${CNS[1]}")")

start_vswitchd

# ---- measuring ---------------------------------------------------------------------------
# reach NS IP: 1 if NS gets at least one echo reply from IP out of 3, else 0.
reach() {
	ip netns exec "$1" ping -c 3 -i 0.2 -W 1 -q "$2" 2>/dev/null |
		grep -qE ', [1-9][0-9]* received' && echo 1 || echo 0
}
# bcast NS: the addresses (other than NS's own, $2) answering a broadcast ping from NS.
bcast() {
	ip netns exec "$1" ping -b -c 2 -i 0.3 -W 1 198.18.5.255 2>/dev/null |
		sed -n 's/.* bytes from \([0-9.]*\):.*/\1/p' | grep -vx "$2" | sort -u | tr '\n' ' '
}
flush_neigh() {
	local ns
	for ns in "${ALL_NS[@]}"; do ip -n "$ns" neigh flush all 2>/dev/null; done
}
# matrix NS1 IP1 [NS2 IP2]: one line of cells, children named c1/c2, hosts h1/h2. With
# one child (passthru) the child-to-child cells are "-".
matrix() {
	local n1=$1 a1=$2 n2=${3:-} a2=${4:-} out="" h
	flush_neigh
	for h in 0 1; do
		out+="c1>h$((h + 1))=$(reach "$n1" "${HIP[$h]}") "
		out+="h$((h + 1))>c1=$(reach "${HNS[$h]}" "$a1") "
	done
	if [ -n "$n2" ]; then
		out+="c2>h1=$(reach "$n2" "${HIP[0]}") h2>c2=$(reach "${HNS[1]}" "$a2") "
		out+="c1>c2=$(reach "$n1" "$a2") c2>c1=$(reach "$n2" "$a1") "
	else
		out+="c2>h1=- h2>c2=- c1>c2=- c2>c1=- "
	fi
	# Broadcast from c1: who answers (hosts and the other child, by name).
	local b="" w
	for w in $(bcast "$n1" "$a1"); do
		case $w in
		"${HIP[0]}") b+="h1 " ;;
		"${HIP[1]}") b+="h2 " ;;
		"${CIP[1]}" | "${KIP[1]}") b+="c2 " ;;
		*) b+="$w " ;;
		esac
	done
	b=$(tr ' ' '\n' <<<"$b" | grep . | sort | tr '\n' ' ')
	out+="bcast(c1)=[${b% }]"
	echo "$out"
}

# What each mode must give (vswitch and kernel alike).
declare -A EXPECT
both="c1>h1=1 h1>c1=1 c1>h2=1 h2>c1=1 c2>h1=1 h2>c2=1"
EXPECT[bridge]="$both c1>c2=1 c2>c1=1 bcast(c1)=[c2 h1 h2]"
EXPECT[private]="$both c1>c2=0 c2>c1=0 bcast(c1)=[h1 h2]"
EXPECT[vepa]="$both c1>c2=1 c2>c1=1 bcast(c1)=[c2 h1 h2]"
EXPECT[passthru]="c1>h1=1 h1>c1=1 c1>h2=1 h2>c1=1 c2>h1=- h2>c2=- c1>c2=- c2>c1=- bcast(c1)=[h1 h2]"

# static_arp NS1 IP1 NS2 IP2: private mode with permanent neighbour entries, so that no ARP
# broadcast is needed: 1 if NS1 reaches IP2 (unicast hairpinned by the LAN), else 0.
static_arp() {
	ip -n "$1" neigh replace "$4" lladdr "$(ns_mac "$3")" dev eth0 nud permanent
	ip -n "$3" neigh replace "$2" lladdr "$(ns_mac "$1")" dev eth0 nud permanent
	reach "$1" "$4"
	ip -n "$1" neigh del "$4" dev eth0
	ip -n "$3" neigh del "$2" dev eth0
}

kernel_matrix() { # mode
	local mode=$1 n=2 i
	[ "$mode" = passthru ] && n=1
	for ((i = 0; i < n; i++)); do
		ip link add "${P}km$i" link "$KUP" type macvlan mode "$mode" ||
			fail "kernel macvlan mode $mode"
		ip link set "${P}km$i" netns "${KNS[$i]}" || fail "move ${P}km$i"
		ip -n "${KNS[$i]}" link set "${P}km$i" name eth0
		ip -n "${KNS[$i]}" addr add "${KIP[$i]}/24" dev eth0
		ip -n "${KNS[$i]}" link set eth0 up
	done
	if [ "$n" = 2 ]; then
		matrix "${KNS[0]}" "${KIP[0]}" "${KNS[1]}" "${KIP[1]}"
		[ "$mode" != private ] ||
			echo "static-arp=$(static_arp "${KNS[0]}" "${KIP[0]}" "${KNS[1]}" "${KIP[1]}")"
	else
		matrix "${KNS[0]}" "${KIP[0]}"
	fi
	for ((i = 0; i < n; i++)); do
		ip -n "${KNS[$i]}" link del eth0
	done
}

vswitch_matrix() { # mode
	local mode=$1
	# c1's MAC comes from its first frame, c2's is given.
	vsctl_ok add-br mv0 type=macvlan parent="$UP" mode="$mode"
	vsctl_ok add-port mv0 "${CIF[0]}"
	if [ "$mode" = passthru ]; then
		ip -n "${CNS[1]}" link set eth0 down # not on the switch: keep it silent
		matrix "${CNS[0]}" "${CIP[0]}"
		ip -n "${CNS[1]}" link set eth0 up
	else
		vsctl_ok add-port mv0 "${CIF[1]}" mac="${CMAC[1]}"
		matrix "${CNS[0]}" "${CIP[0]}" "${CNS[1]}" "${CIP[1]}"
		[ "$mode" != private ] ||
			echo "static-arp=$(static_arp "${CNS[0]}" "${CIP[0]}" "${CNS[1]}" "${CIP[1]}")"
	fi
	jvsctl '[.entries[] | "\(.port)=\(.mac)/\(.type)"] | join(" ")' fdb-show mv0 >"$VS_TMP/fdb"
	vsctl --json port-stats >"$VS_TMP/stats-$mode.json"
	vsctl_ok del-br mv0
}

for mode in bridge private vepa passthru; do
	k=$(kernel_matrix "$mode")
	v=$(vswitch_matrix "$mode")
	if [ "$mode" = private ]; then
		# The one difference: with static ARP entries the kernel lets unicast that the
		# LAN hairpins pass from one private child to another; vswitch drops it.
		[ "$(tail -n1 <<<"$k")" = static-arp=1 ] ||
			fail "kernel private mode, static ARP: $(tail -n1 <<<"$k"), expected 1"
		[ "$(tail -n1 <<<"$v")" = static-arp=0 ] ||
			fail "vswitch private mode, static ARP: $(tail -n1 <<<"$v"), expected 0"
		jq -e --arg p "${CIF[0]}" '.ports[] | select(.name == $p) |
			.drops."macvlan-private" > 0' "$VS_TMP/stats-private.json" >/dev/null ||
			fail "private: no macvlan-private drops on ${CIF[0]}"
		ok "private, static ARP: kernel delivers hairpinned unicast, vswitch drops it" \
			"(macvlan-private)"
		k=$(head -n1 <<<"$k")
		v=$(head -n1 <<<"$v")
	fi
	log "$mode: kernel  $k"
	log "$mode: vswitch $v"
	[ "$k" = "${EXPECT[$mode]}" ] ||
		fail "kernel macvlan, mode $mode: got '$k', expected '${EXPECT[$mode]}'"
	[ "$v" = "${EXPECT[$mode]}" ] ||
		fail "vswitch macvlan, mode $mode: got '$v', expected '${EXPECT[$mode]}'"
	# c1's MAC was fixed from its first frame; c2's was given.
	want="${CIF[0]}=${CMAC[0]}/first-frame"
	[ "$mode" = passthru ] || want="$want ${CIF[1]}=${CMAC[1]}/configured"
	[ "$(cat "$VS_TMP/fdb")" = "$want" ] || fail "fdb-show mv0 ($mode): $(cat "$VS_TMP/fdb")"
	# Nothing was spoofed, malformed or hairpinned into the wrong place.
	jq -e '[.ports[].drops | ."macvlan-spoofed-src", ."malformed", ."invalid-src-mac"] |
		add == 0' "$VS_TMP/stats-$mode.json" >/dev/null ||
		fail "unexpected drops in mode $mode: $(cat "$VS_TMP/stats-$mode.json")"
	ok "mode $mode: vswitch matches the kernel's macvlan: $v"
done

# ---- VEPA relies on the external switch ---------------------------------------------
vsctl_ok add-br mv0 type=macvlan parent="$UP" mode=vepa
vsctl_ok add-port mv0 "${CIF[0]}" mac="${CMAC[0]}"
vsctl_ok add-port mv0 "${CIF[1]}" mac="${CMAC[1]}"
flush_neigh
wait_ping "${CNS[0]}" "${CIP[1]}"
ip -n "$LAN" link set dev lup type bridge_slave hairpin off || fail "hairpin off"
flush_neigh
[ "$(reach "${CNS[0]}" "${CIP[1]}")" = 0 ] || fail "vepa: c1 reaches c2 without hairpin"
[ "$(reach "${CNS[0]}" "${HIP[0]}")" = 1 ] || fail "vepa: c1 lost h1 without hairpin"
ip -n "$LAN" link set dev lup type bridge_slave hairpin on
flush_neigh
wait_ping "${CNS[0]}" "${CIP[1]}"
ok "vepa: child to child needs the external switch to hairpin (off: unreachable, on: works)"
vswitchd_alive || fail "vswitchd died"
