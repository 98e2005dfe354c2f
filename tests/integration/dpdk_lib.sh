# SPDX-License-Identifier: Apache-2.0
# Common code of the DPDK integration tests (dpdk_*_test.sh), sourced after lib.sh.
#
# No hugepages and no NIC are needed: vswitchd's EAL runs with --no-huge -m 512 --no-pci and
# a --file-prefix of its own (DPDK_PREFIX), so that tests and other DPDK processes on the
# machine never share DPDK runtime files. Those files (/var/run/dpdk/PREFIX) are removed
# when the test ends, after the DPDK processes it started have stopped.

DPDK_PREFIX=vs${VS_TEST%_test}$$
DPDK_EAL="--no-huge -m 512 --no-pci --file-prefix $DPDK_PREFIX"
DPDK_PREFIXES=("$DPDK_PREFIX") # runtime directories to remove (add testpmd's)

command -v dpdk-testpmd >/dev/null 2>&1 ||
	fail "dpdk-testpmd not found (apt-get install dpdk)"

dpdk_cleanup() {
	local rc=$? p
	set +e
	# Stop every process (vswitchd last, as lib.sh does) before removing its files.
	for p in "${VS_PIDS[@]}"; do
		stop_pid "$p"
	done
	if [ -n "$VSWITCHD_PID" ]; then
		stop_pid "$VSWITCHD_PID"
		VSWITCHD_PID=""
	fi
	for p in "${DPDK_PREFIXES[@]}"; do
		[ -n "$p" ] && rm -rf "/var/run/dpdk/$p"
	done
	return "$rc"
}
trap 'dpdk_cleanup; vs_cleanup' EXIT

# start_vswitchd_dpdk [ARGS...]: this test's vswitchd with its own EAL.
start_vswitchd_dpdk() {
	start_vswitchd --dpdk "$DPDK_EAL" "$@"
	[ "$(jvsctl '.dpdk.state' show)" = running ] ||
		fail "DPDK is not running in vswitchd: $(vsctl show)"
}

# dpdk_dev_stat PORT KEY: a "device" statistic of port-stats (link, xstats, tx-mbuf-*).
dpdk_dev_stat() {
	local out
	out=$("$VSCTL" -s "$SOCK" --json port-stats "$1") || fail "vsctl port-stats $1 failed"
	jq -er --arg k "$2" '.ports[0].device[$k]' <<<"$out" || fail "port-stats $1: no device $2"
}

# iperf3_run CLIENT_NS SERVER_NS SERVER_IP [iperf3 client args...]: a 2 s TCP test that must
# move data; prints the bytes received.
iperf3_run() {
	local cns=$1 sns=$2 ip=$3 srv
	shift 3
	ip netns exec "$sns" iperf3 -s -1 -B "$ip" >"$VS_TMP/iperf3-server.log" 2>&1 &
	srv=$!
	VS_PIDS+=("$srv")
	iperf3_listening() { ip netns exec "$sns" ss -Hltn "sport = :5201" | grep -q .; }
	wait_until 10 iperf3_listening || fail "iperf3 server in $sns did not start listening"
	ip netns exec "$cns" timeout 60 iperf3 -c "$ip" -t 2 -J "$@" >"$VS_TMP/iperf3.json" 2>&1 ||
		fail "iperf3 $cns -> $ip $* failed: $(jq -r '.error // empty' "$VS_TMP/iperf3.json" 2>/dev/null)"
	jq -e '.end.sum_received.bytes > 0' "$VS_TMP/iperf3.json" >/dev/null ||
		fail "iperf3 $cns -> $ip $* moved nothing"
	wait_pid_gone "$srv" 10 || fail "iperf3 server still running after the test"
	untrack "$srv"
	jq -r '.end.sum_received.bytes' "$VS_TMP/iperf3.json"
}

# add_empty_ns NS: a namespace with loopback up and IPv6 off (no stray frames).
add_empty_ns() {
	ip netns add "$1" || fail "ip netns add $1"
	VS_NETNS+=("$1")
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 || fail "cannot disable IPv6 in $1"
	ip -n "$1" link set lo up
}

# move_tap TAP NS IP/PREFIX: moves a net_tap port's kernel interface into NS and sets it up.
move_tap() {
	ip link set dev "$1" netns "$2" || fail "cannot move $1 into $2"
	ip -n "$2" addr add "$3" dev "$1" || fail "ip addr add $3 dev $1 in $2"
	ip -n "$2" link set "$1" up || fail "cannot set $1 up in $2"
}
