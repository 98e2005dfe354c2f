#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# DPDK net_memif ports whose peer is another DPDK process, dpdk-testpmd (its own EAL and
# --file-prefix), as a VNF or a containerised generator would be:
# 1. testpmd in io mode joins vswitchd's memif ports m1 (bridge br1, with n1 on an AF_XDP
#    veth) and m2 (bridge br2, with n2): n1 and n2 ping and run iperf3 through
#    br1 -> m1 -> testpmd -> m2 -> br2, the only path between them.
# 2. testpmd is replaced by one in txonly mode on m1: its frames cross br1 to n1's veth
#    (the memif port accepts the new peer without being re-added).
# 3. txonly testpmds connect to m1 and leave (SIGINT, SIGKILL) under traffic, 6 times:
#    vswitchd survives and m1 reconnects each time.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/dpdk_lib.sh"

P=vsm$$
N1=${P}n1 N2=${P}n2 H1=${P}h1 H2=${P}h2
IP1=198.18.4.1 IP2=198.18.4.2
S1=$VS_TMP/m1.sock S2=$VS_TMP/m2.sock
TP_PREFIX=${DPDK_PREFIX}tp
DPDK_PREFIXES+=("$TP_PREFIX")
TP_LOG=$VS_TMP/testpmd.log
VS_EXTRA_LOGS+=("$TP_LOG")

# start_testpmd MODE VDEV...: dpdk-testpmd on CPU 0 (main and forwarding lcore), in
# forwarding mode MODE, on memif clients VDEV...; sets TP_PID.
start_testpmd() {
	local mode=$1 vdevs=() v
	shift
	for v in "$@"; do
		vdevs+=(--vdev "$v")
	done
	dpdk-testpmd --no-huge -m 256 --no-pci --file-prefix "$TP_PREFIX" --lcores 0@0,1@0 \
		"${vdevs[@]}" -- --forward-mode="$mode" --total-num-mbufs=4096 --stats-period 1 \
		</dev/null >>"$TP_LOG" 2>&1 &
	TP_PID=$!
	VS_PIDS+=("$TP_PID")
}

memif_up() { [ "$(jvsctl "[.bridges[].ports[] | select(.name == \"$1\")][0].link" show)" = up ]; }
memif_down() { ! memif_up "$1"; }

start_vswitchd_dpdk
vsctl_ok add-br br1
vsctl_ok add-br br2
add_container "$N1" "$H1" "$IP1/24"
add_container "$N2" "$H2" "$IP2/24"
vsctl_ok add-port br1 "$H1"
vsctl_ok add-port br2 "$H2"
vsctl_ok add-port br1 m1 type=dpdk devargs=net_memif0,role=server,id=0,socket=$S1,socket-abstract=no
vsctl_ok add-port br2 m2 type=dpdk devargs=net_memif1,role=server,id=0,socket=$S2,socket-abstract=no
[ -S "$S1" ] && [ -S "$S2" ] || fail "the memif servers did not create $S1 and $S2"
memif_up m1 && fail "m1 is up before any peer connected"
ping_ok "$N1" "$IP2" && fail "$N1 reaches $IP2 with no testpmd between the bridges"
ok "two bridges joined by nothing yet: memif servers listening, link down"

# ---- 1. testpmd io mode between m1 and m2 --------------------------------------
start_testpmd io "net_memif0,role=client,id=0,socket=$S1,socket-abstract=no" "net_memif1,role=client,id=0,socket=$S2,socket-abstract=no"
wait_until 20 memif_up m1 || fail "m1 did not come up with testpmd as its peer"
wait_until 20 memif_up m2 || fail "m2 did not come up with testpmd as its peer"
ok "testpmd (pid $TP_PID, io mode) connected to m1 and m2"
wait_ping "$N1" "$IP2" 20
# testpmd shares CPU 0 with everything else: on a loaded machine a reply may come late.
got=$(ping_received "$N1" "$IP2" 10)
[ "$got" -ge 8 ] || fail "$N1 -> $IP2 through testpmd: $got of 10 echo replies; $(vsctl port-stats)"
got2=$(ping_received "$N2" "$IP1" 10)
[ "$got2" -ge 8 ] || fail "$N2 -> $IP1 through testpmd: $got2 of 10 echo replies; $(vsctl port-stats)"
ok "$N1 <-> $N2 ping through br1 -> m1 -> testpmd -> m2 -> br2, $got and $got2 of 10"
b=$(iperf3_run "$N1" "$N2" "$IP2") || exit 1
ok "iperf3 TCP $N1 -> $N2 through testpmd: $b bytes"
for m in m1 m2; do
	[ "$(port_stat $m rx-packets)" -gt 1000 ] && [ "$(port_stat $m tx-packets)" -gt 1000 ] ||
		fail "$m: too few frames: rx $(port_stat $m rx-packets) tx $(port_stat $m tx-packets)"
done
ok "m1 and m2 both received and sent the traffic (port-stats)"

# ---- 2. testpmd txonly on m1 --------------------------------------------------
stop_pid "$TP_PID"
wait_until 20 memif_down m1 || fail "m1 still up after testpmd stopped"
rx0=$(port_stat m1 rx-packets)
tx0=$(port_stat "$H1" tx-packets)
cap0=$(ns_ctr "$N1" rx packets)
start_testpmd txonly "net_memif0,role=client,id=0,socket=$S1,socket-abstract=no"
wait_until 20 memif_up m1 || fail "m1 did not come up again with the txonly testpmd"
gen() { [ $(($(port_stat m1 rx-packets) - rx0)) -gt 10000 ]; }
wait_until 20 gen || fail "m1 received only $(($(port_stat m1 rx-packets) - rx0)) frames from testpmd txonly"
stop_pid "$TP_PID"
rx=$(($(port_stat m1 rx-packets) - rx0))
tx=$(($(port_stat "$H1" tx-packets) - tx0))
cap=$(($(ns_ctr "$N1" rx packets) - cap0))
[ "$tx" -gt 10000 ] || fail "only $tx of the $rx generated frames left by $H1"
[ "$cap" -gt 0 ] || fail "$N1's eth0 received none of the generated frames"
ok "testpmd txonly -> m1 -> br1 -> $H1: $rx frames received, $tx sent to $N1 ($cap seen by its eth0)"
# ---- 3. the peer goes away under traffic, again and again --------------------------
# DPDK 22.11's memif driver unmaps a connection's memory in its interrupt thread while the
# data path may be inside a burst on it (docs/dpdk.md); vswitchd must survive it. A txonly
# testpmd floods m1 and is stopped (SIGINT: it says goodbye; SIGKILL: the socket just
# closes) while it sends, 6 times; each new testpmd must connect and get frames through.
for i in 1 2 3 4 5 6; do
	rx0=$(port_stat m1 rx-packets)
	start_testpmd txonly "net_memif0,role=client,id=0,socket=$S1,socket-abstract=no"
	wait_until 20 memif_up m1 || fail "round $i: m1 did not come up again with a new testpmd"
	wait_until 20 gen || fail "round $i: m1 received only $(($(port_stat m1 rx-packets) - rx0)) frames"
	if [ $((i % 2)) = 1 ]; then sig=INT; else sig=KILL; fi
	kill -"$sig" "$TP_PID"
	wait_pid_gone "$TP_PID" 10 || stop_pid "$TP_PID"
	stop_pid "$TP_PID"
	kill -0 "$VSWITCHD_PID" 2>/dev/null || fail "round $i: vswitchd died when testpmd (SIG$sig) left under traffic"
	wait_until 20 memif_down m1 || fail "round $i: m1 still up after testpmd (SIG$sig) left"
done
ok "6 peers left m1 under traffic (SIGINT/SIGKILL): vswitchd alive, m1 reconnected every time"
vsctl_ok del-port br1 m1
vsctl_ok del-port br2 m2
ok "memif ports removed"
