#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The XDP fast path of a bridge (fastpath=xdp, docs/xdp-fastpath.md):
# - known unicast between AF_XDP ports is forwarded by XDP: ping and iperf3 work, the
#   fastpath counters of port-stats count it, and rx/tx-packets include it;
# - TCP from containers at their default offloads (partial checksums) still works: those
#   frames go through userspace, which completes their checksums;
# - a port whose veth peer has no NAPI (GRO off) is never a fast-path target: no frame
#   is lost, and once GRO is on in the peer it becomes one;
# - a MAC move, a port deletion, MAC ageing (entries only XDP refreshes stay, idle ones
#   go) and fastpath=off all behave as without the fast path.
. "$(dirname "$0")/lib.sh"

P=xf$$
C1=${P}c1 C2=${P}c2 C3=${P}c3 C4=${P}c4
H1=${P}h1 H2=${P}h2 H3=${P}h3 H4=${P}h4

gro() { ip netns exec "$1" ethtool -K eth0 gro "$2" || fail "cannot set gro $2 in $1"; }
fp_ctr() { port_stat "$1" fastpath "$2"; } # PORT rx-packets|tx-packets|...
role() { jvsctl ".bridges[0].ports[] | select(.name == \"$1\") | .fastpath" show; }
host_tx_dropped() { ip -j -s link show dev "$1" | jq -r '.[0].stats64.tx.dropped'; }
fdb_port() { jvsctl ".entries[] | select(.mac == \"$2\") | .port" fdb-show "$1"; }
fdb_age() { jvsctl ".entries[] | select(.mac == \"$2\") | .age" fdb-show "$1"; }

iperf_ok() { # NS SERVER_IP ARGS...: a 2 s iperf3 run that moves data
	local ns=$1 ip=$2 out bps
	shift 2
	out=$(ip netns exec "$ns" timeout 20 iperf3 -c "$ip" -t 2 -J "$@" 2>&1) ||
		fail "iperf3 $* from $ns to $ip failed: $(tail -5 <<<"$out")"
	bps=$(jq -r '.end.sum_received.bits_per_second // .end.sum.bits_per_second' <<<"$out")
	awk -v b="$bps" 'BEGIN { exit !(b > 0) }' || fail "iperf3 $* moved no data ($bps bit/s)"
	log "iperf3 $*: $(awk -v b="$bps" 'BEGIN { printf "%.2f Gbit/s", b / 1e9 }')"
}

start_iperf_server() { # NS
	ip netns exec "$1" iperf3 -s -D -I "$VS_TMP/iperf3-$1.pid" --logfile "$VS_TMP/iperf3-$1.log" ||
		fail "cannot start iperf3 server in $1"
	wait_until 5 test -s "$VS_TMP/iperf3-$1.pid" || fail "iperf3 server in $1 did not start"
	VS_PIDS+=("$(cat "$VS_TMP/iperf3-$1.pid")")
	wait_until 5 bash -c "ip netns exec $1 ss -ltn | grep -q ':5201 '" ||
		fail "iperf3 server in $1 does not listen"
}

# ---- setup: C1 and C2 with GRO on (NAPI), C3 at the veth default (GRO off) ---------
start_vswitchd
add_container "$C1" "$H1" 198.18.7.1/24
add_container "$C2" "$H2" 198.18.7.2/24
add_container "$C3" "$H3" 198.18.7.3/24
gro "$C1" on
gro "$C2" on
vsctl_fails 1 "invalid fastpath 'tc' (expected xdp or off)" add-br br0 fastpath=tc
vsctl_ok add-br br0 fastpath=xdp
[ "$(jvsctl '.bridges[0].fastpath' show)" = xdp ] || fail "show: $(vsctl show)"
vsctl show | grep -q 'fastpath: xdp' || fail "vsctl show lacks 'fastpath: xdp'"
vsctl_ok add-port br0 "$H1"
vsctl_ok add-port br0 "$H2"
vsctl_ok add-port br0 "$H3"
wait_until 5 bash -c "[ \"\$($VSCTL -s $SOCK --json show | jq -r '.bridges[0].ports[] | select(.name == \"$H1\") | .fastpath')\" = rx+tx ]" ||
	fail "$H1 is not a fast-path port: $(vsctl show)"
[ "$(role "$H2")" = rx+tx ] || fail "$H2 is not a fast-path egress: $(vsctl show)"
role "$H3" | grep -q '^rx (not a tx target' || fail "$H3 (peer GRO off) is an egress: $(role "$H3")"
ok "fastpath=xdp shown; ports whose veth peer has NAPI are rx+tx, the others rx only"

# ---- ping and counters ----------------------------------------------------
wait_ping "$C1" 198.18.7.2
got=$(ping_received "$C1" 198.18.7.2 20 0.05)
[ "$got" -eq 20 ] || fail "only $got of 20 pings through the fast path"
rx1=$(fp_ctr "$H1" rx-packets) tx2=$(fp_ctr "$H2" tx-packets)
[ "$rx1" -ge 15 ] && [ "$tx2" -ge 15 ] ||
	fail "fast path did not count the pings (rx $H1 $rx1, tx $H2 $tx2): $(vsctl port-stats)"
[ "$(port_stat "$H1" rx-packets)" -ge "$rx1" ] || fail "rx-packets of $H1 lacks fast-path frames"
vsctl port-stats "$H1" | grep -q 'fastpath rx-packets' || fail "port-stats does not print fastpath"
ok "ping through the fast path: $rx1 frames in on $H1, $tx2 out on $H2"
