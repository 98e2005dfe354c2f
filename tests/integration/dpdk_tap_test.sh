#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# DPDK ports next to an AF_XDP port on one bridge:
# - n1: AF_XDP port on a veth; n2: DPDK net_tap port whose tap is moved into n2;
#   n3: DPDK net_af_packet port on a veth; later n4: DPDK net_af_xdp port on a veth.
# Every pair pings; iperf3 TCP runs n1 <-> n2 both ways (AF_XDP <-> DPDK) and n2 -> n3
# (DPDK <-> DPDK). Frames between the two DPDK ports leave in their ingress mbuf, frames
# from the AF_XDP port are copied once (port-stats device tx-mbuf-shared / tx-mbuf-copied).
# show, port-stats and pmd-stats report the DPDK facts (driver, devargs, link, xstats, pools).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/dpdk_lib.sh"

P=vsk$$
N1=${P}n1 N2=${P}n2 N3=${P}n3 N4=${P}n4
H1=${P}h1 H3=${P}h3 H4=${P}h4 TAP=${P}t
IP1=198.18.3.1 IP2=198.18.3.2 IP3=198.18.3.3 IP4=198.18.3.4

start_vswitchd_dpdk
vsctl_ok add-br br0
add_container "$N1" "$H1" "$IP1/24"
vsctl_ok add-port br0 "$H1"
vsctl_ok add-port br0 tap0 type=dpdk devargs=net_tap0,iface=$TAP
ip link show dev "$TAP" >/dev/null 2>&1 || fail "net_tap0 did not create $TAP"
add_empty_ns "$N2"
move_tap "$TAP" "$N2" "$IP2/24"
add_container "$N3" "$H3" "$IP3/24"
# AF_PACKET sees the veth's GSO super-frames as they are: n3 segments its own.
ip netns exec "$N3" ethtool -K eth0 tso off gso off >/dev/null || fail "ethtool -K in $N3"
vsctl_ok add-port br0 pkt0 type=dpdk devargs=net_af_packet0,iface=$H3
ok "bridge br0: AF_XDP $H1, dpdk tap0 (net_tap, tap in $N2), dpdk pkt0 (net_af_packet on $H3)"

# ---- every pair pings ---------------------------------------------------------
for pair in "$N1 $IP2" "$N2 $IP1" "$N1 $IP3" "$N3 $IP1" "$N2 $IP3" "$N3 $IP2"; do
	set -- $pair
	wait_ping "$1" "$2"
	got=$(ping_received "$1" "$2" 5)
	# On a loaded 2-CPU machine a reply can come later than ping waits: allow one.
	[ "$got" -ge 4 ] || fail "$1 -> $2: $got of 5 echo replies; $(vsctl port-stats)"
done
ok "all 6 ordered pairs ping across AF_XDP, net_tap and net_af_packet ports, at least 4 of 5 each"

# ---- iperf3 ---------------------------------------------------------------------
b=$(iperf3_run "$N1" "$N2" "$IP2") || exit 1
ok "iperf3 TCP $N1 (AF_XDP) -> $N2 (dpdk net_tap): $b bytes"
b=$(iperf3_run "$N1" "$N2" "$IP2" -R) || exit 1
ok "iperf3 TCP $N2 (dpdk net_tap) -> $N1 (AF_XDP): $b bytes"
shared0=$(dpdk_dev_stat pkt0 tx-mbuf-shared)
b=$(iperf3_run "$N2" "$N3" "$IP3") || exit 1
ok "iperf3 TCP $N2 (dpdk net_tap) -> $N3 (dpdk net_af_packet): $b bytes"

# ---- zero copy between DPDK ports, one copy from AF_XDP ------------------------
shared=$(dpdk_dev_stat pkt0 tx-mbuf-shared)
[ $((shared - shared0)) -gt 1000 ] ||
	fail "pkt0 sent only $((shared - shared0)) frames in their tap0 mbufs during iperf3"
copied=$(dpdk_dev_stat tap0 tx-mbuf-copied)
[ "$copied" -gt 1000 ] || fail "tap0 sent only $copied copied frames (from AF_XDP $H1)"
txp=$(port_stat tap0 tx-packets)
[ "$txp" -ge "$copied" ] || fail "tap0: tx-packets $txp < tx-mbuf-copied $copied"
ok "DPDK -> DPDK frames share their mbuf ($((shared - shared0)) on pkt0), AF_XDP -> DPDK copied ($copied on tap0)"

# ---- show / port-stats / pmd-stats --------------------------------------------
show=$(vsctl --json show) || fail "show failed"
jq -e --arg p "$DPDK_PREFIX" '.dpdk.state == "running" and
	(.dpdk."eal-args" | contains("--no-huge") and contains("--file-prefix " + $p)) and
	(.dpdk.version | startswith("DPDK "))' <<<"$show" >/dev/null ||
	fail "show: dpdk section: $(jq .dpdk <<<"$show")"
jq -e --arg t "$TAP" '[.bridges[0].ports[] | select(.name == "tap0")][0] |
	.type == "dpdk" and .driver == "net_tap" and .devargs == "net_tap0,iface=" + $t and
	.options.n_rxq == "1" and .options.mtu == "1500" and (.mac | test("^[0-9A-Fa-f:]{17}$"))' \
	<<<"$show" >/dev/null || fail "show: tap0: $(jq '.bridges[0].ports' <<<"$show")"
jq -e '[.bridges[0].ports[] | select(.name == "pkt0")][0] |
	.driver == "net_af_packet" and .link == "up"' <<<"$show" >/dev/null ||
	fail "show: pkt0: $(jq '.bridges[0].ports' <<<"$show")"
human=$(vsctl show) || fail "show failed"
grep -q "^dpdk: running" <<<"$human" || fail "show (human): no 'dpdk: running' line: $human"
grep -q "driver: net_tap" <<<"$human" || fail "show (human): no driver line: $human"
ok "show: DPDK state and EAL arguments, each dpdk port's driver, devargs, options, link"

[ "$(dpdk_dev_stat pkt0 link)" = up ] || fail "port-stats pkt0: link not up"
rxg=$(dpdk_dev_stat pkt0 rx_good_packets)
[ "$rxg" -ge "$(port_stat pkt0 rx-packets)" ] ||
	fail "pkt0: xstat rx_good_packets $rxg < rx-packets $(port_stat pkt0 rx-packets)"
vsctl port-stats pkt0 | grep -q "device rx_good_packets: " ||
	fail "port-stats (human) lacks the device xstats: $(vsctl port-stats pkt0)"
ok "port-stats: link state and the device's xstats"

ps=$(vsctl --json pmd-stats) || fail "pmd-stats failed"
jq -e '(.mempools | length) >= 1 and (.mempools[0].numa >= 0) and .mempools[0].ports >= 1 and
	.mempools[0]."in-use" > 0 and (.pmds[0].numa | type == "number") and
	([.pmds[].rxqs[] | select(.port == "tap0")][0].numa >= 0)' <<<"$ps" >/dev/null ||
	fail "pmd-stats: mempools / NUMA placement: $ps"
vsctl pmd-stats | grep -q "dpdk mbuf pools:" || fail "pmd-stats (human) lacks the pools"
ok "pmd-stats: mbuf pools per NUMA node, NUMA node of PMD threads and rx queues"

# ---- a net_af_xdp vdev port as well --------------------------------------------
add_container "$N4" "$H4" "$IP4/24"
vsctl_ok add-port br0 axdp0 type=dpdk devargs=net_af_xdp0,iface=$H4
wait_ping "$N4" "$IP1"
wait_ping "$N4" "$IP2"
got=$(ping_received "$N1" "$IP4" 5)
[ "$got" -eq 5 ] || fail "$N1 -> $IP4 (net_af_xdp): $got of 5 replies"
[ "$(jvsctl '[.bridges[0].ports[] | select(.name == "axdp0")][0].driver' show)" = net_af_xdp ] ||
	fail "show: axdp0 driver: $(vsctl show)"
ok "a DPDK net_af_xdp port on a veth forwards to the AF_XDP and net_tap ports"
vsctl_ok del-port br0 axdp0

# ---- nothing dropped on the way ----------------------------------------------
for p in tap0 pkt0; do
	for r in rx-too-big oversized; do
		[ "$(port_stat "$p" drops "$r")" -eq 0 ] || fail "$p: drops $r"
	done
done
vsctl_ok del-port br0 pkt0
vsctl_ok del-port br0 tap0
ip -n "$N2" link show dev "$TAP" >/dev/null 2>&1 && fail "$TAP still exists after del-port"
wait_ping "$N1" "$IP1"
ok "del-port removes the DPDK devices (the tap is gone)"
