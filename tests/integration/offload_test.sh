#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Containers at their default offloads, jumbo frames, several PMD threads:
# - TCP and UDP between containers whose veths keep tx checksum offload on: vswitchd
#   completes the partial checksums (rx-csum-completed counts them);
# - MTU 9000 over AF_XDP multi-buffer: every ping size from 60 to 9000 bytes arrives
#   in both directions, TCP and UDP move data; a device whose MTU exceeds what the
#   port can carry is refused at add-port with a clear error;
# - two PMD threads: both poll rx queues (pmd-stats), pmd-rxq-affinity pins queues,
#   traffic flows over both.
. "$(dirname "$0")/lib.sh"

P=vso$$
C1=${P}c1 C2=${P}c2 H1=${P}h1 H2=${P}h2 H3=${P}h3

# Containers at their default offloads (as lib.sh's add_container leaves them): make sure.
add_default_container() {
	add_container "$@"
	ip netns exec "$1" ethtool -k eth0 | grep -q '^tx-checksumming: on' ||
		fail "$1: tx checksumming is not on"
}

set_mtu() { # MTU: both ends of both veths
	ip link set "$H1" mtu "$1" && ip link set "$H2" mtu "$1" &&
		ip -n "$C1" link set eth0 mtu "$1" && ip -n "$C2" link set eth0 mtu "$1" ||
		fail "cannot set MTU $1"
}

# ---- default offloads, MTU 1500 -------------------------------------------
start_vswitchd
add_default_container "$C1" "$H1" 198.18.5.1/24
add_default_container "$C2" "$H2" 198.18.5.2/24
vsctl_ok add-br br0
vsctl_ok add-port br0 "$H1"
vsctl_ok add-port br0 "$H2"
wait_ping "$C1" 198.18.5.2
start_iperf_server "$C2"
iperf3_moves "$C1" 198.18.5.2
iperf3_moves "$C1" 198.18.5.2 -u -b 200M
iperf3_moves "$C1" 198.18.5.2 -R
completed=$(port_stat "$H1" rx-csum-completed)
[ "$completed" -gt 0 ] || fail "no checksum was completed on $H1 ($completed)"
# Ring overruns (the PMD thread descheduled on a loaded machine) are counted losses under
# load; every other reason (malformed, oversized, ...) would be a datapath fault.
bad=$(($(port_stat "$H1" dropped) - $(port_stat "$H1" drops rx-fill-empty) -
	$(port_stat "$H1" drops rx-ring-full) - $(port_stat "$H1" drops tx-ring-full)))
[ "$bad" -eq 0 ] || fail "$H1 dropped frames: $(vsctl port-stats "$H1")"
ok "TCP and UDP at default offloads, MTU 1500 ($completed checksums completed on $H1)"

# The container setup of lib.sh's add_container (the recommended one, docs/afxdp.md):
# RPS on eth0 steers the container's receive work to CPUs other than the PMD thread's.
pmd_cpu=$(jvsctl '.pmds[0].cpu' pmd-stats)
for ns in "$C1" "$C2"; do
	mask=$(ip netns exec "$ns" cat /sys/class/net/eth0/queues/rx-0/rps_cpus | tr -d ,)
	mask=$((16#${mask: -15}))
	[ $(((mask >> pmd_cpu) & 1)) = 0 ] || fail "$ns: RPS includes the PMD CPU $pmd_cpu ($mask)"
	[ "$(nproc)" -lt 2 ] || [ "$mask" != 0 ] || fail "$ns: RPS is off on eth0"
done
out=$("$VS_SRC_ROOT/scripts/container-setup.sh" "$C1" 1-0 2>&1) &&
	fail "container-setup.sh accepted the CPU list 1-0: $out"
grep -q "bad CPU list: 1-0" <<<"$out" || fail "container-setup.sh 1-0: $out"
ok "containers' receive work steered off the PMD CPU $pmd_cpu (RPS)"

# ---- MTU 9000 -----------------------------------------------------------
[ "$(jvsctl '.bridges[0].ports[0].options["multi-buffer"]' show)" = on ] ||
	fail "this kernel refused AF_XDP multi-buffer: $(vsctl show)"
vsctl_ok del-port br0 "$H1"
vsctl_ok del-port br0 "$H2"
set_mtu 9000
vsctl_ok add-port br0 "$H1"
vsctl_ok add-port br0 "$H2"
[ "$(jvsctl '.bridges[0].ports[0].mtu' show)" = 9000 ] || fail "show does not report MTU 9000"
wait_ping "$C1" 198.18.5.2
# Every ICMP payload size, both ways, without fragmentation: a frame either arrives or
# the test fails (nothing is lost silently).
for size in 32 100 1000 1472 1473 2000 3000 3500 3800 3900 4000 4096 5000 6000 7000 8000 8500 8972; do
	for dir in "$C1 198.18.5.2" "$C2 198.18.5.1"; do
		set -- $dir
		got=$(ip netns exec "$1" ping -c 2 -i 0.1 -W 2 -M do -s "$size" "$2" 2>&1 |
			sed -n 's/.* \([0-9]\+\) received.*/\1/p')
		[ "${got:-0}" -ge 1 ] || fail "ping -s $size from $1 to $2: no reply"
	done
done
ok "ping -M do with payloads 32..8972 bytes (frames up to 9014 bytes) both ways"
iperf3_moves "$C1" 198.18.5.2
iperf3_moves "$C1" 198.18.5.2 -u -b 500M -l 8000
[ "$(port_stat "$H1" drops rx-too-big)" -eq 0 ] || fail "rx-too-big drops at MTU 9000"
ok "TCP and UDP at MTU 9000"

# A device whose frames cannot fit the port's largest frame is refused, clearly.
vsctl_ok del-port br0 "$H2"
ip link set "$H2" mtu 20000 || fail "cannot set MTU 20000 on $H2"
vsctl_fails 1 "MTU 20000 is too large" add-port br0 "$H2"
has_xdp "$H2" && fail "$H2 kept an XDP program after a refused add-port"
[ "$(jvsctl '.ports | length' list-ports br0)" = 1 ] || fail "a refused port was added"
ok "MTU 20000 refused at add-port, device left as it was"
stop_vswitchd || fail "vswitchd exited with an error"
# Multi-descriptor frames reach the pipeline in place (unaligned UMEM chunks given back in
# order, docs/afxdp.md): only a frame that wraps around the UMEM's end is copied.
line=$(grep -o "$H1: [0-9]* multi-descriptor frames received, [0-9]* of them copied (unaligned" \
	"$VS_LOG" | tail -1)
[ -n "$line" ] || fail "no multi-buffer summary for $H1 with unaligned chunks in the log"
read -r multi copied < <(awk '{ print $2, $6 }' <<<"$line")
[ "$multi" -gt 1000 ] && [ $((copied * 10)) -lt "$multi" ] ||
	fail "$H1: $multi multi-descriptor frames, $copied copied: most should be in place"
ok "MTU 9000: $multi multi-descriptor frames, $copied copied, the rest used in place"

# ---- two PMD threads ------------------------------------------------------
ip link set "$H2" mtu 1500 && set_mtu 1500
add_default_container "${P}c3" "$H3" 198.18.5.3/24 2
start_vswitchd --pmd-cpus 0,1
vsctl_ok add-br br0
vsctl_ok add-port br0 "$H1"
vsctl_ok add-port br0 "$H2"
vsctl_fails 1 "invalid pmd-rxq-affinity 'zz'" add-port br0 "$H3" queues=2 pmd-rxq-affinity=zz
vsctl_ok add-port br0 "$H3" queues=2 pmd-rxq-affinity=0:1,1:1
[ "$(jvsctl "[.pmds[] | select(.cpu == 1) | .rxqs[] | select(.port == \"$H3\")] | length" \
	pmd-stats)" = 2 ] || fail "pmd-rxq-affinity=0:1,1:1 not honoured: $(vsctl pmd-stats)"
[ "$(jvsctl '[.pmds[] | select((.rxqs | length) > 0)] | length' pmd-stats)" = 2 ] ||
	fail "rx queues are not spread over both PMD threads: $(vsctl pmd-stats)"
[ "$(jvsctl '[.pmds[].rxqs[]] | length' pmd-stats)" = 4 ] ||
	fail "not every rx queue is polled: $(vsctl pmd-stats)"
wait_ping "$C1" 198.18.5.3
wait_ping "$C2" 198.18.5.3
start_iperf_server "${P}c3"
iperf3_moves "$C1" 198.18.5.3 -P 4
iperf3_moves "$C1" 198.18.5.3 -P 4 -R
[ "$(jvsctl '[.pmds[] | select(."rx-packets" > 0)] | length' pmd-stats)" = 2 ] ||
	fail "one PMD thread received nothing: $(vsctl pmd-stats)"
# Moving queues between threads (a port leaves, the assignment changes) under traffic.
vsctl_ok del-port br0 "$H1"
wait_ping "$C2" 198.18.5.3
vsctl_ok add-port br0 "$H1"
wait_ping "$C1" 198.18.5.2
vswitchd_alive || fail "vswitchd died"
ok "two PMD threads share the rx queues and forward"

# Preferred busy polling on a port: shown, and the port forwards; bad values refused.
vsctl_ok del-port br0 "$H2"
vsctl_fails 1 "invalid busy-poll 'abc'" add-port br0 "$H2" busy-poll=abc
vsctl_ok add-port br0 "$H2" busy-poll=50
[ "$(jvsctl ".bridges[0].ports[] | select(.name == \"$H2\") | .options[\"busy-poll\"]" show)" = 50 ] ||
	fail "show does not list busy-poll=50: $(vsctl show)"
wait_ping "$C2" 198.18.5.3
ok "busy-poll port forwards"
