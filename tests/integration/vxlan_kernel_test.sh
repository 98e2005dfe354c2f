#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Interoperability with the Linux kernel's VTEP: host A runs vswitchd (vxlan port, VNI
# 100); host K is the kernel's own vxlan device enslaved to a kernel bridge. Containers
# behind each ping and run iperf3 both ways; both sides learn the other's MAC behind the
# right VTEP; the underlay carries VXLAN with VNI 100 from both; with udp_csum=true and
# ttl=7 the kernel still accepts vswitchd's frames and tcpdump verifies the checksum.
. "$(dirname "$0")/lib.sh"
P=vsk$$
. "$(dirname "$0")/vxlan_lib.sh"

A=${P}hA K=${P}hK CA=${P}cA CK=${P}cK
A_IP=198.18.10.1 K_IP=198.18.10.2 CA_IP=198.19.1.1 CK_IP=198.19.1.2

underlay_net
add_host "$A" $A_IP
add_host "$K" $K_IP
start_host_vswitchd "$A"
hctl_ok "$A" add-br br0
add_ctr "$A" ca "$CA" $CA_IP
hctl_ok "$A" add-port br0 ca
hctl_ok "$A" add-port br0 vx0 type=vxlan vni=100 local_ip=$A_IP remote_ip=$K_IP underlay=u0

# Host K: the kernel's VTEP.
ip -n "$K" link add vxk type vxlan id 100 dstport 4789 local $K_IP remote $A_IP dev u0 ||
	fail "cannot create the kernel vxlan device"
ip -n "$K" link add brk type bridge || fail "cannot create the kernel bridge"
add_ctr "$K" ck "$CK" $CK_IP
ip -n "$K" link set vxk master brk
ip -n "$K" link set ck master brk
ip -n "$K" link set vxk up
ip -n "$K" link set brk up

# capture FILE FILTER...: tcpdump on the underlay bridge into FILE, in the background.
capture() {
	local file=$1
	shift
	ip netns exec "$VX_NET" timeout 60 tcpdump -i ub -n -U -w "$file" "$@" \
		>"$file.log" 2>&1 &
	tcpd=$!
	VS_PIDS+=("$tcpd")
	wait_until 10 grep -qs "listening on" "$file.log" || fail "tcpdump did not start"
}
# captured FILE PATTERN: the decoded capture matches PATTERN (tcpdump may lag behind).
captured() { tcpdump -n -vv -r "$1" -T vxlan 2>/dev/null | grep -qE "$2"; }

cap=$VS_TMP/underlay.pcap
capture "$cap" udp port 4789
wait_ping "$CA" $CK_IP 15
wait_ping "$CK" $CA_IP 5
# What both sides counted, for a failure message.
state() {
	echo "vswitchd: $(hctl "$A" port-stats | tr '\n' ';')"
	echo "kernel vxk: $(ip -n "$K" -s -j link show vxk | jq -c '.[0].stats64')"
	echo "kernel fdb: $(bridge -n "$K" fdb show dev vxk | tr '\n' ';')"
}
got=$(ping_received "$CA" $CK_IP 5)
[ "$got" -eq 5 ] || fail "$CA -> $CK_IP: $got of 5 replies; $(state)"
got=$(ping_received "$CK" $CA_IP 5)
[ "$got" -eq 5 ] || fail "$CK -> $CA_IP: $got of 5 replies; $(state)"
ok "vswitchd and the kernel's VTEP carry ping both ways"

wait_until 10 captured "$cap" "$K_IP\.[0-9]+ > $A_IP\.4789: .*VXLAN, flags \[I\] \(0x08\), vni 100" ||
	fail "no VXLAN vni 100 from the kernel on the underlay: $(tcpdump -n -r "$cap" 2>&1 | head)"
wait_until 10 captured "$cap" "$A_IP\.[0-9]+ > $K_IP\.4789: .*VXLAN, flags \[I\] \(0x08\), vni 100" ||
	fail "no VXLAN vni 100 from vswitchd on the underlay: $(tcpdump -n -r "$cap" 2>&1 | head)"
stop_pid "$tcpd"
ok "tcpdump on the underlay: VXLAN with the I flag and VNI 100 from both VTEPs"

hctl "$A" --json fdb-show br0 | jq -e --arg m "$(ns_mac "$CK")" '[.entries[] |
	select(.mac == $m and .port == "vx0" and .vtep == "198.18.10.2")] | length == 1' \
	>/dev/null || fail "A did not learn cK's MAC behind $K_IP: $(hctl "$A" fdb-show br0)"
bridge -n "$K" fdb show dev vxk | grep -qi "^$(ns_mac "$CA") dst $A_IP" ||
	fail "the kernel did not learn cA's MAC behind $A_IP: $(bridge -n "$K" fdb show dev vxk)"
ok "each side learned the other's MAC behind the other's VTEP"

iperf_ok "$CA" "$CK" $CK_IP
iperf_ok "$CK" "$CA" $CA_IP

# UDP checksum and TTL as options: the kernel verifies non-zero UDP checksums.
cap2=$VS_TMP/options.pcap
capture "$cap2" src host $A_IP and udp port 4789
hctl_ok "$A" set-port br0 vx0 udp_csum=true ttl=7
got=$(ping_received "$CA" $CK_IP 3)
[ "$got" -eq 3 ] || fail "with udp_csum=true: $got of 3 replies"
wait_until 10 captured "$cap2" "ttl 7,.*flags \[DF\].*proto UDP" ||
	fail "no ttl 7 DF frame: $(tcpdump -n -vv -r "$cap2" 2>&1 | head)"
stop_pid "$tcpd"
verbose=$(tcpdump -n -vv -r "$cap2" 'ip[8] = 7' 2>/dev/null) # frames sent after set-port
grep -q "udp sum ok" <<<"$verbose" || fail "tcpdump found no valid UDP checksum: $verbose"
if grep -qE "bad udp cksum|no cksum" <<<"$verbose"; then fail "UDP checksum: $verbose"; fi
ok "with udp_csum=true ttl=7: the kernel answers; tcpdump sees ttl 7, DF, valid UDP checksums"

# Every frame the kernel's VTEP sent was good VXLAN for vswitchd. (Kernel-side ring drops,
# rx-fill-empty and the like, depend on the machine's load and are not checked here.)
jq -e '[.ports[0].drops | to_entries[] | select(.key | startswith("vxlan-")) | .value] |
	add == 0' <<<"$(hctl "$A" --json port-stats u0)" >/dev/null ||
	fail "the underlay refused frames of the kernel's VTEP: $(hctl "$A" port-stats u0)"
# One remote VTEP and frames from an AF_XDP port (MTU 1500: 256 bytes of headroom): every
# frame was encapsulated in its own receive buffer's headroom, none copied.
st=$(hctl "$A" --json port-stats vx0)
jq -e '.ports[0].device as $d | $d["encap-copied"] == 0 and $d["encap-no-headroom"] == 0' \
	<<<"$st" >/dev/null || fail "vx0 copied frames to encapsulate them: $st"
jq -e '.ports[0]["tx-packets"] > 0' <<<"$st" >/dev/null || fail "vx0 sent nothing: $st"
ok "every frame encapsulated in place (encap-copied 0, encap-no-headroom 0)"
hctl "$A" version >/dev/null || fail "vswitchd is gone"
