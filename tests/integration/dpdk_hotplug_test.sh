#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Hot unplug and replug of a DPDK vdev under traffic, with no restart:
# bridge br0 has n1 and n3 on AF_XDP veths and a DPDK net_tap port whose tap lives in n2.
# While n1 and n2 ping each other every 2 ms (frames both into and out of the DPDK port) and
# n1 pings n3, the DPDK port is removed (rte_dev_remove: the tap disappears) and added again
# (rte_dev_probe: a new tap, moved into n2) three times. vswitchd survives, n1 <-> n3 keeps
# going (at most 5 of 300 replies missing), and n1 <-> n2 works again after each replug.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/dpdk_lib.sh"

P=vsu$$
N1=${P}n1 N2=${P}n2 N3=${P}n3 H1=${P}h1 H3=${P}h3 TAP=${P}t
IP1=198.18.5.1 IP2=198.18.5.2 IP3=198.18.5.3

start_vswitchd_dpdk --pmd-cpus 0,1
vsctl_ok add-br br0
add_container "$N1" "$H1" "$IP1/24"
add_container "$N3" "$H3" "$IP3/24"
add_empty_ns "$N2"
vsctl_ok add-port br0 "$H1"
vsctl_ok add-port br0 "$H3"
plug() {
	vsctl_ok add-port br0 tap0 type=dpdk devargs=net_tap0,iface=$TAP n_rxq=2 n_txq=2
	move_tap "$TAP" "$N2" "$IP2/24"
}
plug
wait_ping "$N1" "$IP2"
wait_ping "$N1" "$IP3"

# Background traffic for the whole test: into and out of the DPDK port, and between the
# two AF_XDP ports (which must not notice anything).
ip netns exec "$N1" ping -i 0.002 -q "$IP2" >/dev/null 2>&1 &
VS_PIDS+=($!)
ip netns exec "$N2" ping -i 0.002 -q "$IP1" >/dev/null 2>&1 &
VS_PIDS+=($!)
ip netns exec "$N1" ping -c 300 -i 0.02 -W 1 "$IP3" >"$VS_TMP/ping13.log" 2>&1 &
ping13=$!
VS_PIDS+=("$ping13")
sleep 0.5
rx_before=$(port_stat tap0 rx-packets)
[ "$rx_before" -gt 50 ] || fail "tap0 received only $rx_before frames of the background pings"
ok "traffic running: n1 <-> n2 every 2 ms through tap0, n1 -> n3 every 20 ms"

for round in 1 2 3; do
	vsctl_ok del-port br0 tap0
	vswitchd_alive || fail "vswitchd died removing tap0 under traffic (round $round)"
	ip -n "$N2" link show dev "$TAP" >/dev/null 2>&1 && fail "round $round: $TAP still exists"
	[ "$(vsctl list-ports br0)" = "$(printf '%s\n' "$H1" "$H3" | sort)" ] ||
		fail "round $round: list-ports br0: $(vsctl list-ports br0)"
	sleep 0.3
	plug
	wait_ping "$N1" "$IP2" 10
	wait_ping "$N2" "$IP1" 10
	ok "round $round: tap0 unplugged and replugged under traffic; n1 <-> n2 ping again"
done
rx=$(port_stat tap0 rx-packets)
[ "$rx" -gt 0 ] || fail "the replugged tap0 received nothing"
wait_pid_gone "$ping13" 30 || fail "ping n1 -> n3 did not finish"
untrack "$ping13"
got=$(sed -n 's/.* \([0-9]\+\) received.*/\1/p' "$VS_TMP/ping13.log")
# A loaded 2-CPU machine may lose a reply or two anyway; an outage of the bridge would lose
# dozens (each round takes several hundred milliseconds).
[ "${got:-0}" -ge 295 ] || fail "n1 -> n3 (AF_XDP ports) lost replies during the replugs: $(tail -n2 "$VS_TMP/ping13.log")"
ok "n1 -> n3 over the AF_XDP ports: $got of 300 replies across 3 unplug/replug rounds"

# PMD threads come and go under traffic: each registers with the EAL when it starts and
# gives its lcore and mempool caches back when it stops.
ps=$(vsctl --json pmd-stats) || fail "pmd-stats failed"
[ "$(jq '[.pmds[].rxqs[] | select(.port == "tap0")] | length' <<<"$ps")" -eq 2 ] ||
	fail "tap0's 2 rx queues are not polled: $ps"
for cpus in 1 0,1 0 0,1; do
	vsctl_ok set pmd-cpus=$cpus
	wait_ping "$N1" "$IP2" 10
	wait_ping "$N2" "$IP3" 10
done
in_use=$(jvsctl '[.mempools[]."in-use"] | add' pmd-stats)
size=$(jvsctl '[.mempools[].size] | add' pmd-stats)
[ "$in_use" -lt "$size" ] || fail "mbuf pools exhausted after PMD restarts: $in_use of $size in use"
ok "pmd-cpus 1 -> 0,1 -> 0 -> 0,1 under traffic: tap0 (2 rx and 2 tx queues) forwards"
vswitchd_alive || fail "vswitchd is gone"
