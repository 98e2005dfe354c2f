#!/usr/bin/env bash
# Demo of the main job: three "containers" (network namespaces) attached to
# bridge br0 of vswitchd through veth pairs and AF_XDP ports, pinging each
# other through the switch. Installs dependencies and builds first.
# Run as root. Everything it creates is removed on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
scripts/build.sh build >/dev/null

VSWITCHD=build/vswitch/vswitchd
VSCTL=build/ctl/vsctl
P=vsdemo
run=$(mktemp -d /tmp/vsdemo.XXXXXX)
sock=$run/vswitchd.sock
vs_pid=

cleanup() {
	set +e
	[ -n "$vs_pid" ] && kill "$vs_pid" 2>/dev/null && wait "$vs_pid" 2>/dev/null
	[ -s "$run/iperf3.pid" ] && kill "$(cat "$run/iperf3.pid")" 2>/dev/null
	for i in 1 2 3; do
		ip netns del "${P}c$i" 2>/dev/null
		ip link del "${P}h$i" 2>/dev/null
	done
	rm -rf "$run"
}
trap cleanup EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "Creating containers ${P}c1..3 (198.18.0.1-3/24), host ends ${P}h1..3"
for i in 1 2 3; do
	ip netns add "${P}c$i"
	ip link add "${P}h$i" type veth peer name eth0 netns "${P}c$i"
	ip -n "${P}c$i" link set lo up
	ip -n "${P}c$i" addr add "198.18.0.$i/24" dev eth0
	ip -n "${P}c$i" link set eth0 up
	ip link set "${P}h$i" up
done

step "Starting vswitchd (log: $run/vswitchd.log)"
$VSWITCHD --socket "$sock" >"$run/vswitchd.log" 2>&1 &
vs_pid=$!
for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done

step "vsctl add-br br0; vsctl add-port br0 ${P}h1 ${P}h2 ${P}h3"
$VSCTL -s "$sock" add-br br0
for i in 1 2 3; do $VSCTL -s "$sock" add-port br0 "${P}h$i"; done

# The recommended container setup (docs/afxdp.md): GRO on in each container's eth0 (NAPI,
# so its port can be an XDP fast-path target) and its receive work (its IP/TCP stack)
# steered with RPS to the CPUs vswitchd's PMD threads do not use.
pmd_cpus=$($VSCTL -s "$sock" --json pmd-stats | jq -r '[.pmds[].cpu | tostring] | join(",")')
step "Container setup (GRO on, receive work off the PMD CPUs $pmd_cpus): scripts/container-setup.sh"
for i in 1 2 3; do scripts/container-setup.sh "${P}c$i" "$pmd_cpus"; done

step "Every container pings every other one through br0"
for i in 1 2 3; do
	for j in 1 2 3; do
		[ "$i" = "$j" ] && continue
		if ip netns exec "${P}c$i" ping -c 3 -i 0.2 -W 1 -q "198.18.0.$j" >"$run/ping" 2>&1; then
			echo "${P}c$i -> 198.18.0.$j: $(grep -o '[0-9]* received' "$run/ping"), $(grep -o 'rtt.*' "$run/ping")"
		else
			echo "${P}c$i -> 198.18.0.$j: FAILED"; cat "$run/ping"; exit 1
		fi
	done
done

step "iperf3 TCP ${P}c1 -> ${P}c3 through br0 (2 s)"
ip netns exec "${P}c3" iperf3 -s -1 -D -p 5201 -I "$run/iperf3.pid" --logfile "$run/iperf3-server.log"
for _ in $(seq 20); do ip netns exec "${P}c3" ss -ltn | grep -q ':5201' && break; sleep 0.1; done
ip netns exec "${P}c1" iperf3 -c 198.18.0.3 -t 2 -f g | grep -E 'sender|receiver'

step "vsctl show"
$VSCTL -s "$sock" show
step "vsctl fdb-show br0"
$VSCTL -s "$sock" fdb-show br0
step "vsctl port-stats"
$VSCTL -s "$sock" port-stats
step "Done: stopping vswitchd and removing the containers"
