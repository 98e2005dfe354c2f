#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# A DPDK underlay the kernel never sees: host A's vswitchd sends and receives VXLAN through
# a DPDK net_af_packet port on veth u0, which has no IP address in A's kernel; host K is the
# kernel's own vxlan device on a kernel bridge. vswitchd answers ARP for its local_ip (K's
# kernel learns A's VTEP MAC from that reply) and resolves K by ARP itself. Containers ping
# and run iperf3 both ways; other frames to A's VTEP are dropped as vxlan-not-vxlan.
. "$(dirname "$0")/lib.sh"
P=vsd$$
. "$(dirname "$0")/vxlan_lib.sh"
. "$(dirname "$0")/dpdk_lib.sh"

A=${P}hA K=${P}hK CA=${P}cA CK=${P}cK
A_IP=198.18.10.1 K_IP=198.18.10.2 CA_IP=198.19.1.1 CK_IP=198.19.1.2

underlay_net
add_host "$A" $A_IP
add_host "$K" $K_IP
# A's kernel has no address on the underlay: it cannot answer ARP or resolve anything there.
ip -n "$A" addr flush dev u0
[ -z "$(ip -n "$A" -4 -o addr show dev u0)" ] || fail "u0 of $A still has an address"
a_mac=$(ip -n "$A" -j link show u0 | jq -r '.[0].address')
k_mac=$(ip -n "$K" -j link show u0 | jq -r '.[0].address')

# vswitchd of host A with DPDK.
sock=$VS_TMP/$A.sock
ip netns exec "$A" "$VSWITCHD" --socket "$sock" --log-level debug --dpdk "$DPDK_EAL" \
	>>"$VS_TMP/$A.log" 2>&1 &
apid=$!
VS_PIDS+=("$apid")
VS_EXTRA_LOGS+=("$VS_TMP/$A.log")
up() { hctl "$A" -t 2 version >/dev/null 2>&1; }
wait_until 30 up || fail "vswitchd of $A did not answer: $(tail -5 "$VS_TMP/$A.log")"
hctl_ok "$A" add-br br0
add_ctr "$A" ca "$CA" $CA_IP
hctl_ok "$A" add-port br0 ca
vx_opts="type=vxlan vni=100 local_ip=$A_IP remote_ip=$K_IP underlay=up0 underlay_type=dpdk"

# Bad input: one-line errors, nothing changes.
out=$(hctl "$A" add-port br0 vx0 $vx_opts 2>&1) && fail "a dpdk underlay without devargs was accepted"
grep -q "devargs" <<<"$out" || fail "unclear error without devargs: $out"
out=$(hctl "$A" add-port br0 vx0 type=vxlan vni=100 local_ip=$A_IP remote_ip=$K_IP \
	underlay=u0 underlay_gw=198.18.10.254 2>&1) && fail "underlay_gw on an afxdp underlay was accepted"
grep -q "underlay_gw" <<<"$out" || fail "unclear error for underlay_gw on afxdp: $out"
hctl "$A" --json show | jq -e '[.bridges[].ports[] | select(.name == "vx0")] | length == 0' \
	>/dev/null || fail "a refused add-port left a port behind"
ok "bad dpdk underlay options are refused with one-line errors"

hctl_ok "$A" add-port br0 vx0 $vx_opts underlay_devargs=net_af_packet0,iface=u0

# Host K: the kernel's VTEP.
ip -n "$K" link add vxk type vxlan id 100 dstport 4789 local $K_IP remote $A_IP dev u0 ||
	fail "cannot create the kernel vxlan device"
ip -n "$K" link add brk type bridge || fail "cannot create the kernel bridge"
add_ctr "$K" ck "$CK" $CK_IP
ip -n "$K" link set vxk master brk
ip -n "$K" link set ck master brk
ip -n "$K" link set vxk up
ip -n "$K" link set brk up
# A real wire carries finished checksums; a veth hands on the kernel's unfinished ones
# (CHECKSUM_PARTIAL), which a packet socket (net_af_packet) receives as they are. Have K's
# kernel finish them before u0, as a NIC would.
ip netns exec "$K" ethtool -K u0 tx off >/dev/null || fail "ethtool -K u0 tx off in $K"

state() {
	echo "vswitchd: $(hctl "$A" port-stats | tr '\n' ';')"
	echo "show: $(hctl "$A" show | tr '\n' ';')"
	echo "kernel K neigh: $(ip -n "$K" neigh show dev u0 | tr '\n' ';')"
}
# vswitchd resolves K by ARP (the kernel of A could not: u0 has no address).
resolved() {
	hctl "$A" --json show | jq -e --arg m "$k_mac" '[.bridges[].ports[] |
		select(.name == "vx0")][0] | .remotes == [{"ip": "198.18.10.2", "next-hop-mac": $m}]
		and .mtu == 1450' >/dev/null
}
wait_until 15 resolved || fail "vswitchd did not resolve $K_IP by ARP; $(state)"
[ "$(underlay_stat "$A" up0 arp-requests-sent)" -ge 1 ] || fail "no ARP request counted; $(state)"
hctl "$A" --json port-stats up0 | jq -e --arg m "$k_mac" '.ports[0]."arp-neighbours" ==
	[{"ip": "198.18.10.2", "mac": $m}]' >/dev/null || fail "port-stats up0: $(hctl "$A" port-stats up0)"
[ -z "$(ip -n "$A" neigh show dev u0)" ] || fail "A's kernel has neighbours on u0: $(ip -n "$A" neigh show dev u0)"
ok "vswitchd resolved $K_IP to $k_mac by its own ARP request"

wait_ping "$CA" $CK_IP 15
got=$(ping_received "$CA" $CK_IP 5)
[ "$got" -eq 5 ] || fail "$CA -> $CK_IP: $got of 5 replies; $(state)"
got=$(ping_received "$CK" $CA_IP 5)
[ "$got" -eq 5 ] || fail "$CK -> $CA_IP: $got of 5 replies; $(state)"
ok "vswitchd (DPDK underlay) and the kernel's VTEP carry ping both ways"

# K's kernel asked for A's VTEP and got vswitchd's answer: A's MAC, confirmed (not only
# seen in A's request).
ip -n "$K" neigh flush dev u0
k_neigh() {
	ip -n "$K" -j neigh show $A_IP dev u0 | jq -e --arg m "$a_mac" '.[0].lladdr == $m and
		(.[0].state | index("REACHABLE") or index("STALE") or index("DELAY"))' >/dev/null
}
replies0=$(underlay_stat "$A" up0 arp-replies-sent)
got=$(ping_received "$CK" $CA_IP 2) # K's vxlan device needs A's MAC again
[ "$got" -eq 2 ] || fail "after flushing K's neighbours: $got of 2 replies; $(state)"
wait_until 10 k_neigh || fail "K's kernel did not learn $A_IP at $a_mac; $(state)"
[ "$(underlay_stat "$A" up0 arp-replies-sent)" -gt "$replies0" ] ||
	fail "vswitchd sent no ARP reply after K's kernel forgot A; $(state)"
ok "K's kernel learned $A_IP at $a_mac from vswitchd's ARP reply"

iperf_ok "$CA" "$CK" $CK_IP
iperf_ok "$CK" "$CA" $CA_IP

# Other frames to A's VTEP address are not vswitchd's business: dropped and counted.
before=$(underlay_stat "$A" up0 drops vxlan-not-vxlan)
got=$(ping_received "$K" $A_IP 3)
[ "$got" -eq 0 ] || fail "ICMP to $A_IP got $got replies: nobody should answer it"
after=$(underlay_stat "$A" up0 drops vxlan-not-vxlan)
[ "$after" -ge $((before + 3)) ] || fail "vxlan-not-vxlan went from $before to $after"
ok "non-VXLAN frames on the DPDK underlay are dropped as vxlan-not-vxlan"

# K's kernel VTEP sent only good VXLAN.
jq -e '[.ports[0].drops | to_entries[] | select(.key | startswith("vxlan-") and
	. != "vxlan-not-vxlan") | .value] | add == 0' <<<"$(hctl "$A" --json port-stats up0)" \
	>/dev/null || fail "the underlay refused frames of the kernel's VTEP: $(hctl "$A" port-stats up0)"
hctl_ok "$A" del-port br0 vx0
hctl "$A" version >/dev/null || fail "vswitchd is gone"
ok "vx0 removed; vswitchd still answers"
