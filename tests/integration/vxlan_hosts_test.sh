#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# VXLAN overlay between vswitchd "hosts": hosts A and B (namespaces, each with its own
# vswitchd) share an underlay; containers behind them ping and run iperf3 to each other
# over VNI 100; VNI 200 on the same hosts and underlay stays isolated from it; host C
# joins when the flood lists are updated with set-port; tcpdump sees VXLAN with the right
# VNIs on the underlay; the hosts' own traffic (ARP, ping between underlay addresses)
# still goes through the kernel; malformed VXLAN is counted and dropped.
. "$(dirname "$0")/lib.sh"
P=vsx$$
. "$(dirname "$0")/vxlan_lib.sh"

A=${P}hA B=${P}hB C=${P}hC
A_IP=198.18.10.1 B_IP=198.18.10.2 C_IP=198.18.10.3
# containers: cA cB cC on VNI 100 (br0); dA dB on VNI 200 (br1), all in one subnet
CA=${P}cA CB=${P}cB CC=${P}cC DA=${P}dA DB=${P}dB
CA_IP=198.19.1.1 CB_IP=198.19.1.2 CC_IP=198.19.1.3 DA_IP=198.19.1.11 DB_IP=198.19.1.12

underlay_net
add_host "$A" $A_IP
add_host "$B" $B_IP
for h in "$A" "$B"; do
	start_host_vswitchd "$h"
	hctl_ok "$h" add-br br0
	hctl_ok "$h" add-br br1
done
add_ctr "$A" ca "$CA" $CA_IP
add_ctr "$B" cb "$CB" $CB_IP
add_ctr "$A" da "$DA" $DA_IP
add_ctr "$B" db "$DB" $DB_IP
hctl_ok "$A" add-port br0 ca
hctl_ok "$A" add-port br1 da
hctl_ok "$B" add-port br0 cb
hctl_ok "$B" add-port br1 db
# Without underlay=, the device holding local_ip is used.
hctl_ok "$A" add-port br0 vx0 type=vxlan vni=100 local_ip=$A_IP remote_ip=$B_IP
hctl_ok "$B" add-port br0 vx0 type=vxlan vni=100 local_ip=$B_IP remote_ip=$A_IP underlay=u0
hctl_ok "$A" add-port br1 vx1 type=vxlan vni=200 local_ip=$A_IP remote_ip=$B_IP underlay=u0
hctl_ok "$B" add-port br1 vx1 type=vxlan vni=200 local_ip=$B_IP remote_ip=$A_IP underlay=u0

show=$(hctl "$A" --json show) || fail "show failed"
jq -e '[.bridges[].ports[] | select(.name == "vx0")][0] | .type == "vxlan" and
	.options.vni == "100" and .options.local_ip == "198.18.10.1" and
	.options.remote_ip == "198.18.10.2" and .options.dst_port == "4789" and
	.options.underlay == "u0" and .options.ttl == "64" and .options.udp_csum == "false"' \
	<<<"$show" >/dev/null || fail "show: vx0 options: $show"
ok "show: vx0 is a vxlan port with its effective options"

# ---- bad configuration is refused, nothing changes -------------------------------------
bad() {
	local want=$1 out
	shift
	out=$(hctl "$A" add-port br0 vxbad type=vxlan "$@" 2>&1) && fail "add-port $* succeeded"
	grep -qF -- "$want" <<<"$out" || fail "add-port $*: '$out' lacks '$want'"
}
bad "needs vni, local_ip and remote_ip" vni=5 local_ip=$A_IP
bad "invalid vni" vni=16777216 local_ip=$A_IP remote_ip=$B_IP
bad "invalid remote_ip" vni=5 local_ip=$A_IP remote_ip=198.18.10.2,bogus
bad "VNI 100 is already used by vx0" vni=100 local_ip=$A_IP remote_ip=$B_IP underlay=u0
bad "share local_ip and dst_port" vni=7 local_ip=$A_IP remote_ip=$B_IP dst_port=8472 underlay=u0
bad "no network device has address" vni=7 local_ip=198.18.99.1 remote_ip=$B_IP
bad "unknown option for vxlan port: foo" vni=7 local_ip=$A_IP remote_ip=$B_IP foo=1
bad "already open with the default queue(s)" vni=7 local_ip=$A_IP remote_ip=$B_IP underlay_queues=2
[ "$(hctl "$A" list-ports br0 | tr '\n' ' ')" = "ca vx0 " ] || fail "list-ports changed"
ok "invalid vxlan ports are refused with a one-line reason"

# ---- VNI 100: A <-> B ------------------------------------------------------------------
wait_ping "$CA" $CB_IP 15
wait_ping "$CB" $CA_IP 5
got=$(ping_received "$CA" $CB_IP 5)
[ "$got" -eq 5 ] || fail "$CA -> $CB_IP: $got of 5 replies"
ok "containers on A and B ping each other over VNI 100"

# The next hop of B came from A's kernel (ARP), not from configuration.
b_mac=$(ip -n "$B" -j link show u0 | jq -r '.[0].address')
jq -e --arg m "$b_mac" '[.bridges[].ports[] | select(.name == "vx0")][0] |
	.remotes == [{"ip": "198.18.10.2", "next-hop-mac": $m}] and .mtu == 1450 and
	.link == "up"' <<<"$(hctl "$A" --json show)" >/dev/null ||
	fail "show: vx0's next hop for B is not B's MAC $b_mac: $(hctl "$A" --json show)"
ip -n "$A" neigh show 198.18.10.2 dev u0 | grep -qi "lladdr $b_mac" ||
	fail "A's kernel neighbour table has no entry for B"
hctl "$A" show | grep -qx "        remotes: $B_IP ($b_mac)" ||
	fail "show (human) lacks the remotes line: $(hctl "$A" show)"
ok "show: the next hop of VTEP $B_IP is B's MAC, resolved through A's kernel; inner MTU 1450"

fdb=$(hctl "$A" --json fdb-show br0) || fail "fdb-show failed"
jq -e --arg m "$(ns_mac "$CB")" '[.entries[] | select(.mac == $m and .port == "vx0" and
	.vtep == "198.18.10.2" and .type == "dynamic")] | length == 1' <<<"$fdb" >/dev/null ||
	fail "A's fdb lacks cB's MAC behind VTEP $B_IP: $fdb"
jq -e --arg m "$(ns_mac "$CA")" '[.entries[] | select(.mac == $m and .port == "ca" and
	(has("vtep") | not))] | length == 1' <<<"$fdb" >/dev/null ||
	fail "A's fdb: cA's MAC should be local: $fdb"
hctl "$A" fdb-show br0 | grep -qE "^ *vx0 +$(ns_mac "$CB") +dynamic +[0-9]+ +198\.18\.10\.2 *$" ||
	fail "fdb-show (human) lacks the VTEP column: $(hctl "$A" fdb-show br0)"
ok "fdb-show: cB's MAC learned on vx0 behind VTEP $B_IP"

iperf_ok "$CA" "$CB" $CB_IP
iperf_ok "$CB" "$CA" $CA_IP

# ---- tcpdump on the underlay: VXLAN, VNI 100 and 200 ---------------------------------
cap=$VS_TMP/underlay.pcap
ip netns exec "$VX_NET" timeout 30 tcpdump -i ub -n -U -w "$cap" udp port 4789 \
	>"$VS_TMP/tcpdump.log" 2>&1 &
tcpd=$!
VS_PIDS+=("$tcpd")
wait_until 10 grep -qs "listening on" "$VS_TMP/tcpdump.log" || fail "tcpdump did not start"
wait_ping "$DA" $DB_IP 15
ping_received "$CA" $CB_IP 3 >/dev/null
ping_received "$DB" $DA_IP 3 >/dev/null
# captured PATTERN: the decoded capture matches PATTERN (tcpdump may lag behind).
captured() { tcpdump -n -r "$cap" -T vxlan 2>/dev/null | grep -qE "$1"; }
wait_until 10 captured "$A_IP\.[0-9]+ > $B_IP\.4789: VXLAN, flags \[I\] \(0x08\), vni 100" ||
	fail "no VXLAN vni 100 from A to B on the underlay: $(tcpdump -n -r "$cap" 2>&1 | head)"
wait_until 10 captured "$B_IP\.[0-9]+ > $A_IP\.4789: VXLAN, flags \[I\] \(0x08\), vni 100" ||
	fail "no VXLAN vni 100 from B to A on the underlay: $(tcpdump -n -r "$cap" 2>&1 | head)"
wait_until 10 captured "> $B_IP\.4789: VXLAN, flags \[I\] \(0x08\), vni 200" ||
	fail "no VXLAN vni 200 on the underlay: $(tcpdump -n -r "$cap" 2>&1 | head)"
captured "ICMP echo request" || fail "tcpdump does not decode the inner frames"
stop_pid "$tcpd"
ok "tcpdump on the underlay decodes VXLAN with the I flag, VNI 100 and VNI 200 both ways"

# ---- a remote VTEP nobody answers for: its copies are dropped, the others still leave ---
hctl_ok "$A" set-port br1 vx1 remote_ip=$B_IP,198.18.10.77
ip -n "$DA" neigh flush all # its ARP request is a broadcast: flooded to both VTEPs
got=$(ping_received "$DA" $DB_IP 3)
[ "$got" -eq 3 ] || fail "with an unresolved VTEP in the list: $got of 3 replies"
wait_until 5 test "$(port_stat_of "$A" vx1 vxlan-unresolved)" -gt 0 ||
	fail "no vxlan-unresolved drops on A's vx1"
jq -e '[.bridges[].ports[] | select(.name == "vx1")][0].remotes[1] ==
	{"ip": "198.18.10.77", "next-hop-mac": "unresolved"}' <<<"$(hctl "$A" --json show)" \
	>/dev/null || fail "show: 198.18.10.77 should be unresolved"
hctl_ok "$A" set-port br1 vx1 remote_ip=$B_IP
ok "an unresolvable remote VTEP: show says unresolved, its copies count as vxlan-unresolved"

# ---- MTU: an inner frame that does not fit the underlay MTU with 50 bytes more -------------
ip -n "$CA" link set eth0 mtu 1500
got=$(ip netns exec "$CA" ping -c 2 -i 0.2 -W 1 -s 1472 -M do $CB_IP 2>/dev/null |
	sed -n 's/.* \([0-9]\+\) received.*/\1/p')
[ "${got:-0}" -eq 0 ] || fail "a 1514-byte inner frame crossed a 1500-byte underlay"
wait_until 5 test "$(port_stat_of "$A" vx0 vxlan-too-big)" -ge 1 ||
	fail "no vxlan-too-big drops on A's vx0"
ping_1450() { ip netns exec "$CA" ping -c 1 -W 2 -s 1422 -M do -q $CB_IP >/dev/null 2>&1; }
wait_until 10 ping_1450 || fail "a 1464-byte inner frame (1450-byte packet) did not cross"
ip -n "$CA" link set eth0 mtu 1450
ok "inner frames over underlay MTU - 50 are dropped as vxlan-too-big; 1450-byte packets pass"

# ---- VNI 200 is isolated from VNI 100 --------------------------------------------------
got=$(ping_received "$CA" $DB_IP 3)
[ "$got" -eq 0 ] || fail "$CA (VNI 100) reached $DB_IP (VNI 200)"
got=$(ping_received "$DA" $CB_IP 3)
[ "$got" -eq 0 ] || fail "$DA (VNI 200) reached $CB_IP (VNI 100)"
fdb=$(hctl "$B" --json fdb-show br1) || fail "fdb-show failed"
jq -e --arg a "$(ns_mac "$CA")" --arg b "$(ns_mac "$CB")" \
	'[.entries[] | select(.mac == $a or .mac == $b)] | length == 0' <<<"$fdb" >/dev/null ||
	fail "B's br1 (VNI 200) learned a VNI 100 MAC: $fdb"
ok "VNI 100 and VNI 200 do not leak into each other"

# ---- the hosts' own traffic still goes through the kernel -----------------------------
wait_ping "$A" $B_IP 5
ip -n "$A" neigh show $B_IP | grep -q lladdr || fail "A's kernel has no ARP entry for B"
ok "the kernel of host A still pings host B over the underlay (ARP, ICMP not taken)"

# ---- host C joins ------------------------------------------------------------------------
add_host "$C" $C_IP
start_host_vswitchd "$C"
hctl_ok "$C" add-br br0
add_ctr "$C" cc "$CC" $CC_IP
hctl_ok "$C" add-port br0 cc
hctl_ok "$C" add-port br0 vx0 type=vxlan vni=100 local_ip=$C_IP remote_ip=$A_IP,$B_IP
got=$(ping_received "$CC" $CA_IP 2)
[ "$got" -eq 0 ] || fail "$CC reached $CA_IP before A listed C as a remote VTEP"
wait_until 5 test "$(underlay_stat "$A" u0 drops vxlan-unknown-vtep)" -gt 0 ||
	fail "A did not count C's frames as vxlan-unknown-vtep"
hctl_ok "$A" set-port br0 vx0 remote_ip=$B_IP,$C_IP
hctl_ok "$B" set-port br0 vx0 remote_ip=$A_IP,$C_IP
jq -e '[.bridges[].ports[] | select(.name == "vx0")][0].options.remote_ip ==
	"198.18.10.2,198.18.10.3"' <<<"$(hctl "$A" --json show)" >/dev/null ||
	fail "show: A's vx0 remote_ip not updated"
wait_ping "$CC" $CA_IP 15
wait_ping "$CC" $CB_IP 15
wait_ping "$CA" $CC_IP 5
wait_ping "$CB" $CC_IP 5
ok "host C joins VNI 100 once A and B list it (set-port remote_ip=...)"
out=$(hctl "$A" set-port br0 vx0 vni=5 2>&1) && fail "set-port vni succeeded"
grep -qF "vni cannot change at run time" <<<"$out" || fail "set-port vni: $out"
out=$(hctl "$A" set-port br0 ca remote_ip=$B_IP 2>&1) && fail "set-port on afxdp succeeded"
grep -qF "ports of learning bridges have no options to change at run time" <<<"$out" ||
	fail "set-port ca: $out"

# Dropping C from A's list forgets the MACs A learned behind C.
hctl_ok "$A" set-port br0 vx0 remote_ip=$B_IP
hctl "$A" --json fdb-show br0 | jq -e '[.entries[] | select(.vtep == "198.18.10.3")] |
	length == 0' >/dev/null || fail "A kept MAC entries behind the removed VTEP C"
ok "set-port: removing a VTEP flushes its MAC entries; vni and afxdp ports refuse"

# ---- malformed VXLAN is counted and dropped --------------------------------------------
b0=$(underlay_stat "$B" u0 dropped)
for kind in unknown-vni bad-flags truncated inner-truncated fragment bad-ip-csum; do
	ip netns exec "$A" python3 "$VS_LIB_DIR/vxlan_frames.py" u0 --src-ip $A_IP \
		--dst-ip $B_IP --vni 100 --count 3 "$kind" || fail "cannot send $kind frames"
done
declare -A want=([vxlan-unknown-vni]=3 [vxlan-bad-flags]=3 [vxlan-truncated]=3
	[vxlan-inner-truncated]=3 [vxlan-fragment]=3 [vxlan-bad-outer]=3)
for r in "${!want[@]}"; do
	wait_until 5 test "$(underlay_stat "$B" u0 drops "$r")" -ge "${want[$r]}" ||
		fail "B's underlay counted $(underlay_stat "$B" u0 drops "$r") $r, want ${want[$r]}"
done
# Non-VXLAN UDP to the host is the kernel's: vswitchd never sees it.
ip netns exec "$A" python3 "$VS_LIB_DIR/vxlan_frames.py" u0 --src-ip $A_IP --dst-ip $B_IP \
	--dst-port 4790 --count 3 good || fail "cannot send UDP"
sleep 0.5
[ "$(underlay_stat "$B" u0 drops vxlan-not-vxlan)" -eq 0 ] ||
	fail "UDP to another port reached vswitchd"
ok "unknown VNI, bad flags, truncated outer/inner, fragments, bad IPv4 checksum: counted"
wait_ping "$CA" $CB_IP 5
for h in "$A" "$B" "$C"; do
	hctl "$h" version >/dev/null || fail "vswitchd of $h is gone"
done
ok "every vswitchd is alive and still forwards"

# ---- removing the vxlan ports releases the underlay -------------------------------------
ip -n "$A" -d link show u0 | grep -qE 'prog/xdp|xdpgeneric|xdpdrv' || fail "u0 of A has no XDP"
hctl_ok "$A" del-port br0 vx0
ip -n "$A" -d link show u0 | grep -qE 'prog/xdp|xdpgeneric|xdpdrv' ||
	fail "u0 lost its XDP program while vx1 still uses it"
hctl_ok "$A" del-port br1 vx1
if ip -n "$A" -d link show u0 | grep -qE 'prog/xdp|xdpgeneric|xdpdrv'; then
	fail "u0 of A still has an XDP program after its last vxlan port left"
fi
hctl "$A" --json port-stats | jq -e '[.ports[] | select(.name == "u0")] | length == 0' \
	>/dev/null || fail "port-stats still lists the closed underlay"
wait_ping "$A" $B_IP 5
ok "the underlay is shared by vx0 and vx1, and released (XDP detached) with the last one"
