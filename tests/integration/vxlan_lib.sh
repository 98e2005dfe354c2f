# SPDX-License-Identifier: Apache-2.0
# Helpers of the VXLAN integration tests (sourced after lib.sh): "hosts" are network
# namespaces, each running its own vswitchd on its own control socket, joined by an
# underlay (veths on a kernel bridge in one more namespace); "containers" are namespaces
# behind a host. Every name starts with the test's prefix $P; each namespace is deleted
# on exit (lib.sh), each vswitchd stopped by its PID first.

VX_NET=${P}net # the underlay's namespace (a kernel bridge "ub")

# underlay_net: creates $VX_NET with bridge ub.
underlay_net() {
	ip netns add "$VX_NET" || fail "ip netns add $VX_NET"
	VS_NETNS+=("$VX_NET")
	ip netns exec "$VX_NET" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
	ip -n "$VX_NET" link add ub type bridge || fail "cannot create the underlay bridge"
	# br_netfilter would drop the malformed frames the tests send before they arrive.
	ip netns exec "$VX_NET" sysctl -qw net.bridge.bridge-nf-call-iptables=0 \
		net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0 \
		2>/dev/null
	ip -n "$VX_NET" link set ub up
}

# new_ns NS: a namespace without IPv6 (no router solicitations, MLD or DAD: only the
# test's own frames), loopback up.
new_ns() {
	ip netns add "$1" || fail "ip netns add $1"
	VS_NETNS+=("$1")
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 || fail "cannot disable IPv6 in $1"
	ip -n "$1" link set lo up
}

# add_host NS IP: namespace NS with underlay interface u0 (IP/24) plugged into $VX_NET.
add_host() {
	local ns=$1 ip=$2 peer
	peer=${ns: -2}${P} # unique in $VX_NET
	peer=${peer:0:15}
	new_ns "$ns"
	ip -n "$ns" link add u0 type veth peer name "$peer" netns "$VX_NET" ||
		fail "cannot create the underlay veth of $ns"
	ip -n "$VX_NET" link set "$peer" master ub up
	ip -n "$ns" addr add "$ip/24" dev u0
	ip -n "$ns" link set u0 up
}

# start_host_vswitchd NS: runs vswitchd in NS on socket $VS_TMP/NS.sock.
start_host_vswitchd() {
	local ns=$1 sock=$VS_TMP/$1.sock pid i
	ip netns exec "$ns" "$VSWITCHD" --socket "$sock" --log-level debug --pmd-idle adaptive \
		>>"$VS_TMP/$ns.log" 2>&1 &
	pid=$!
	VS_PIDS+=("$pid")
	VS_EXTRA_LOGS+=("$VS_TMP/$ns.log")
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || fail "vswitchd of $ns exited during start-up"
		"$VSCTL" -s "$sock" -t 2 version >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	fail "vswitchd of $ns did not answer on $sock"
}

# hctl NS ARGS...: vsctl of the vswitchd of host NS.
hctl() {
	local ns=$1
	shift
	"$VSCTL" -s "$VS_TMP/$ns.sock" "$@"
}

# hctl_ok NS ARGS...: the same; the test fails if it does.
hctl_ok() {
	local ns=$1 out
	shift
	out=$("$VSCTL" -s "$VS_TMP/$ns.sock" "$@" 2>&1) || fail "[$ns] vsctl $* failed: $out"
	[ -z "$out" ] || printf '%s\n' "$out"
}

# add_ctr HOSTNS HOSTIF CTRNS IP: container CTRNS whose eth0 (IP/24, MTU 1450: room for
# the 50 bytes of VXLAN in a 1500-byte underlay) is the peer of HOSTIF in HOSTNS.
add_ctr() {
	local host=$1 hostif=$2 ctr=$3 ip=$4
	new_ns "$ctr"
	ip -n "$host" link add "$hostif" type veth peer name eth0 netns "$ctr" ||
		fail "cannot create $hostif in $host"
	ip -n "$ctr" link set eth0 mtu 1450
	ip -n "$ctr" addr add "$ip/24" dev eth0
	ip -n "$ctr" link set eth0 up
	ip -n "$host" link set "$hostif" up
}

# underlay_stat HOSTNS DEV FIELD [REASON]: a port-stats counter of underlay DEV.
underlay_stat() {
	local out
	out=$(hctl "$1" --json port-stats "$2") || fail "[$1] port-stats $2 failed"
	if [ $# -ge 4 ]; then
		jq -er --arg r "$4" '.ports[0].drops[$r]' <<<"$out"
	else
		jq -er --arg f "$3" '.ports[0][$f]' <<<"$out"
	fi || fail "[$1] port-stats $2: no $3 $*"
}

# port_stat_of HOSTNS PORT REASON: drops of PORT under REASON.
port_stat_of() {
	hctl "$1" --json port-stats "$2" | jq -er --arg r "$3" '.ports[0].drops[$r]' ||
		fail "[$1] port-stats $2 has no drop reason $3"
}

# iperf_ok FROM_NS TO_NS TO_IP: a 2-second iperf3 TCP test moves data from FROM_NS to TO_IP.
iperf_ok() {
	local from=$1 to=$2 ip=$3 srv out bytes
	ip netns exec "$to" iperf3 -s -1 -B "$ip" >"$VS_TMP/iperf3-s-$to.log" 2>&1 &
	srv=$!
	VS_PIDS+=("$srv")
	listening() { ip netns exec "$to" ss -Hltn "sport = :5201" | grep -q .; }
	wait_until 10 listening || fail "iperf3 server in $to did not start"
	out=$VS_TMP/iperf3-$from-$to.json
	ip netns exec "$from" timeout 60 iperf3 -c "$ip" -t 2 -J >"$out" 2>&1 ||
		fail "iperf3 $from -> $ip failed: $(jq -r '.error // empty' "$out" 2>/dev/null)"
	bytes=$(jq -r '.end.sum_received.bytes' "$out")
	[ "${bytes:-0}" -gt 0 ] 2>/dev/null || fail "iperf3 $from -> $ip moved nothing"
	wait_pid_gone "$srv" 10
	untrack "$srv"
	ok "iperf3 TCP $from -> $ip: $bytes bytes in 2 s ($(jq -r '.end.sum_received.bits_per_second / 1e6 | floor' "$out") Mbit/s)"
}
