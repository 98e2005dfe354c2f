#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# DPDK net_vhost (vhost-user) ports and jumbo frames. vswitchd serves two vhost-user sockets,
# vhu1 on bridge br1 (with n1 on an AF_XDP veth) and vhu2 on br2 (with n2); dpdk-testpmd
# attaches to both with virtio-user, as a VM or a container would, and forwards between them
# (io mode). Everything runs at MTU 9000: n1 and n2 ping with 8000-byte payloads and run
# iperf3 through br1 -> vhu1 -> testpmd -> vhu2 -> br2, frames copied once from AF_XDP into
# mbufs sized for the MTU, and nothing is dropped as too big.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/dpdk_lib.sh"

P=vsv$$
N1=${P}n1 N2=${P}n2 H1=${P}h1 H2=${P}h2
IP1=198.18.7.1 IP2=198.18.7.2
S1=$VS_TMP/vhu1.sock S2=$VS_TMP/vhu2.sock
TP_PREFIX=${DPDK_PREFIX}tp
DPDK_PREFIXES+=("$TP_PREFIX")
TP_LOG=$VS_TMP/testpmd.log
VS_EXTRA_LOGS+=("$TP_LOG")

port_up() { [ "$(jvsctl "[.bridges[].ports[] | select(.name == \"$1\")][0].link" show)" = up ]; }

start_vswitchd_dpdk
vsctl_ok add-br br1
vsctl_ok add-br br2
add_container "$N1" "$H1" "$IP1/24"
add_container "$N2" "$H2" "$IP2/24"
for i in 1 2; do
	ns=${P}n$i h=${P}h$i
	ip link set "$h" mtu 9000 && ip -n "$ns" link set eth0 mtu 9000 || fail "mtu 9000 on $h"
	vsctl_ok add-port "br$i" "$h"
done
vsctl_ok add-port br1 vhu1 type=dpdk devargs=net_vhost1,iface=$S1 mtu=9000
vsctl_ok add-port br2 vhu2 type=dpdk devargs=net_vhost2,iface=$S2 mtu=9000
[ -S "$S1" ] && [ -S "$S2" ] || fail "vhost-user sockets $S1 $S2 missing"
[ "$(jvsctl '[.bridges[].ports[] | select(.name == "vhu1")][0].options.mtu' show)" = 9000 ] ||
	fail "vhu1 mtu: $(vsctl show)"

dpdk-testpmd --no-huge -m 512 --no-pci --file-prefix "$TP_PREFIX" --lcores 0@0,1@0 \
	--vdev "net_virtio_user1,path=$S1" --vdev "net_virtio_user2,path=$S2" -- \
	--forward-mode=io --total-num-mbufs=8192 --mbuf-size=10240 --max-pkt-len=9100 \
	--stats-period 1 </dev/null >>"$TP_LOG" 2>&1 &
TP_PID=$!
VS_PIDS+=("$TP_PID")
wait_until 20 port_up vhu1 || fail "vhu1 did not come up with testpmd attached"
wait_until 20 port_up vhu2 || fail "vhu2 did not come up with testpmd attached"
ok "testpmd (pid $TP_PID) attached to vhu1 and vhu2 over vhost-user"

wait_ping "$N1" "$IP2" 20
# testpmd shares CPU 0 with everything else: on a loaded machine a reply may come late.
got=$(ping_received "$N1" "$IP2" 5)
[ "$got" -ge 4 ] || fail "$N1 -> $IP2: $got of 5 replies; $(vsctl port-stats)"
big=$(ip netns exec "$N1" ping -c 5 -i 0.2 -W 1 -s 8000 -M do "$IP2" 2>&1 |
	sed -n 's/.* \([0-9]\+\) received.*/\1/p')
[ "${big:-0}" -ge 4 ] || fail "8000-byte pings $N1 -> $IP2: ${big:-0} of 5 replies; $(vsctl port-stats)"
ok "$N1 -> $N2 through testpmd over vhost-user: $got of 5 pings, $big of 5 with 8000-byte payloads"
b=$(iperf3_run "$N1" "$N2" "$IP2") || exit 1
ok "iperf3 TCP $N1 -> $N2 at MTU 9000 through vhost-user: $b bytes"
pool=$(jvsctl '.mempools[] | select(."data-room" >= 9022) | .name' pmd-stats)
[ -n "$pool" ] || fail "no mbuf pool sized for MTU 9000: $(vsctl pmd-stats)"
for p in vhu1 vhu2 "$H1" "$H2"; do
	for r in rx-too-big oversized; do
		n=$(port_stat "$p" drops "$r")
		[ "$n" -eq 0 ] || fail "$p: $n frames dropped as $r"
	done
done
[ "$(dpdk_dev_stat vhu1 tx-mbuf-copied)" -gt 1000 ] ||
	fail "vhu1 sent too few frames copied from the AF_XDP port: $(dpdk_dev_stat vhu1 tx-mbuf-copied)"
ok "jumbo frames in mbufs of pool $pool, none dropped as too big"
stop_pid "$TP_PID"
vswitchd_alive || fail "vswitchd died when testpmd detached"
vsctl_ok del-port br1 vhu1
vsctl_ok del-port br2 vhu2
ok "vhost-user ports removed after the peer left"
