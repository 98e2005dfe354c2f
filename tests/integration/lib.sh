# SPDX-License-Identifier: Apache-2.0
# Common code of the integration tests; each *_test.sh sources this file first.
#
# The tests need root (namespaces, veths, XDP). Without root they exit 77, which
# meson reports as a skip; everywhere else a missing tool or binary is a failure,
# so that CI never silently skips them.
#
# Conventions:
# - Every test names the namespaces and interfaces it creates with its own prefix (a
#   fixed letter per script and its PID, e.g. vsb1234h1: at most 15 characters), and
#   removes each of them by name when it exits, however it exits.
# - Each test runs its own vswitchd on a socket in a private mktemp -d directory, with
#   --log-level debug; the log is printed when the test fails.
# - Addresses come from 198.18.0.0/15 only (RFC 2544 benchmarking range); the host
#   ends of the veths get no address, so nothing is ever routed off the machine.
# - Only processes this test started are stopped, each by its PID.
#
# Environment: VSWITCHD and VSCTL give the binaries (meson sets both); when unset,
# build/vswitch/vswitchd and build/ctl/vsctl of the source tree are used.

set -u
set -o pipefail

VS_TEST=$(basename "$0" .sh)
VS_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VS_SRC_ROOT=$(cd "$VS_LIB_DIR/../.." && pwd)

log() { printf '[%s] %s\n' "$VS_TEST" "$*"; }
ok() { printf '[%s] ok - %s\n' "$VS_TEST" "$*"; }
fail() {
	printf '[%s] FAIL: %s\n' "$VS_TEST" "$*" >&2
	exit 1
}

if [ "$(id -u)" -ne 0 ]; then
	echo "[$VS_TEST] SKIP: needs root (network namespaces, veths, XDP)"
	exit 77
fi

# Every tool the tests call. The CI installs them (scripts/install-deps.sh) with
#   apt-get install iproute2 iputils-ping iperf3 tcpdump netcat-openbsd ethtool jq python3 procps
vs_missing=""
for tool in ip ss ping iperf3 tcpdump nc ethtool python3 jq timeout sysctl ps taskset chrt; do
	command -v "$tool" >/dev/null 2>&1 || vs_missing="$vs_missing $tool"
done
if [ -n "$vs_missing" ]; then
	fail "required tools not found:$vs_missing (apt-get install iproute2 iputils-ping" \
		"iperf3 tcpdump netcat-openbsd ethtool jq python3 procps util-linux)"
fi
unset vs_missing

VSWITCHD=${VSWITCHD:-$VS_SRC_ROOT/build/vswitch/vswitchd}
VSCTL=${VSCTL:-$VS_SRC_ROOT/build/ctl/vsctl}
[ -x "$VSWITCHD" ] || fail "vswitchd not found or not executable: $VSWITCHD (set VSWITCHD)"
[ -x "$VSCTL" ] || fail "vsctl not found or not executable: $VSCTL (set VSCTL)"

VS_MAIN_PID=$BASHPID
VS_TMP=$(mktemp -d "/tmp/vs-$VS_TEST.XXXXXX") || fail "mktemp -d failed"
SOCK=$VS_TMP/vswitchd.sock
VS_LOG=$VS_TMP/vswitchd.log
VSWITCHD_PID=""

VS_NETNS=() # namespaces to delete on exit
VS_LINKS=() # root-namespace links to delete on exit
VS_PIDS=()  # other processes to stop on exit (untrack them once they are gone)
VS_EXTRA_LOGS=() # more files to print on failure

# ---- cleanup -------------------------------------------------------------

# Waits up to $2 seconds for process $1 to exit; it need not be our child.
wait_pid_gone() {
	local pid=$1 i
	for ((i = 0; i < ${2:-10} * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	return 1
}

# Forgets process $1 once it has exited, so that its PID, should it be reused, is never
# signalled.
untrack() {
	local p keep=()
	for p in "${VS_PIDS[@]}"; do
		[ "$p" = "$1" ] || keep+=("$p")
	done
	VS_PIDS=("${keep[@]}")
}

# Stops process $1 (TERM, then KILL after 5 s) and reaps it if it is our child.
stop_pid() {
	local pid=$1
	kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
	kill -TERM "$pid" 2>/dev/null
	if ! wait_pid_gone "$pid" 5; then
		log "pid $pid ignored SIGTERM; sending SIGKILL"
		kill -KILL "$pid" 2>/dev/null
		wait_pid_gone "$pid" 5
	fi
	wait "$pid" 2>/dev/null
	untrack "$pid"
	return 0
}

vs_cleanup() {
	local rc=$? pid l n f
	trap - EXIT INT TERM
	# A background child killed before it exec'd its program still has these traps:
	# only the test's own shell cleans up.
	[ "$BASHPID" = "$VS_MAIN_PID" ] || exit "$rc"
	trap '' PIPE # a reader that went away must not stop the cleanup
	set +e
	for pid in "${VS_PIDS[@]}"; do
		stop_pid "$pid"
	done
	if [ -n "$VSWITCHD_PID" ]; then
		stop_pid "$VSWITCHD_PID"
	fi
	for l in "${VS_LINKS[@]}"; do
		ip link show dev "$l" >/dev/null 2>&1 && ip link del dev "$l"
	done
	for n in "${VS_NETNS[@]}"; do
		ip netns del "$n" 2>/dev/null
	done
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ]; then
		for f in "$VS_LOG" "${VS_EXTRA_LOGS[@]}"; do
			[ -s "$f" ] || continue
			echo "---- $f (last 300 lines) ----"
			tail -n 300 "$f"
		done
		echo "---- end of logs ----"
		log "FAILED (exit $rc)"
	else
		log "PASSED"
	fi
	rm -rf "$VS_TMP"
	exit "$rc"
}
trap vs_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- waiting -------------------------------------------------------------

# wait_until SECONDS CMD...: runs CMD every 0.1 s until it succeeds; fails after SECONDS.
wait_until() {
	local secs=$1 i
	shift
	for ((i = 0; i < secs * 10; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	"$@"
}

# ---- vswitchd and vsctl --------------------------------------------------

vsctl() { "$VSCTL" -s "$SOCK" "$@"; }

# vsctl_ok ARGS...: runs vsctl; the test fails if it does.
vsctl_ok() {
	local out rc
	out=$("$VSCTL" -s "$SOCK" "$@" 2>&1)
	rc=$?
	[ "$rc" -eq 0 ] || fail "vsctl $* exited $rc: $out"
	[ -z "$out" ] || printf '%s\n' "$out"
}

# vsctl_fails RC STDERR_TEXT ARGS...: vsctl must exit RC and print STDERR_TEXT (a
# fixed string) on stderr; it must print nothing on stdout.
vsctl_fails() {
	local want_rc=$1 want_err=$2 rc
	shift 2
	"$VSCTL" -s "$SOCK" "$@" >"$VS_TMP/vsctl.out" 2>"$VS_TMP/vsctl.err"
	rc=$?
	[ "$rc" -eq "$want_rc" ] ||
		fail "vsctl $*: exit $rc, expected $want_rc (stderr: $(cat "$VS_TMP/vsctl.err"))"
	grep -qF -- "$want_err" "$VS_TMP/vsctl.err" ||
		fail "vsctl $*: stderr '$(cat "$VS_TMP/vsctl.err")' lacks '$want_err'"
	[ ! -s "$VS_TMP/vsctl.out" ] || fail "vsctl $*: unexpected stdout: $(cat "$VS_TMP/vsctl.out")"
}

vswitchd_alive() { [ -n "$VSWITCHD_PID" ] && kill -0 "$VSWITCHD_PID" 2>/dev/null; }

# Starts this test's vswitchd in the foreground mode, in the background of the shell,
# and waits until it answers on $SOCK.
start_vswitchd() {
	"$VSWITCHD" --socket "$SOCK" --log-level debug "$@" >>"$VS_LOG" 2>&1 &
	VSWITCHD_PID=$!
	local i
	for ((i = 0; i < 100; i++)); do
		vswitchd_alive || fail "vswitchd exited during start-up"
		"$VSCTL" -s "$SOCK" -t 2 version >/dev/null 2>&1 && break
		sleep 0.1
	done
	"$VSCTL" -s "$SOCK" -t 2 version >/dev/null || fail "vswitchd did not answer on $SOCK in 10 s"
	log "vswitchd running, pid $VSWITCHD_PID, socket $SOCK"
}

# Stops this test's vswitchd with SIGTERM and waits (up to 15 s) for it; returns its exit
# status.
stop_vswitchd() {
	local pid=$VSWITCHD_PID rc
	[ -n "$pid" ] || return 0
	kill -TERM "$pid"
	wait_pid_gone "$pid" 15 || fail "vswitchd did not exit within 15 s of SIGTERM"
	wait "$pid"
	rc=$?
	VSWITCHD_PID=""
	return $rc
}

# ---- JSON ----------------------------------------------------------------

# jvsctl JQ_FILTER ARGS...: runs vsctl --json ARGS and applies JQ_FILTER (jq -r).
jvsctl() {
	local filter=$1 out
	shift
	out=$("$VSCTL" -s "$SOCK" --json "$@") || fail "vsctl --json $* failed"
	jq -r "$filter" <<<"$out"
}

# port_stat PORT FIELD [REASON]: a port-stats counter ("rx-packets", ...), or with
# FIELD "drops" the count of drop reason REASON.
port_stat() {
	local out
	out=$("$VSCTL" -s "$SOCK" --json port-stats "$1") || fail "vsctl port-stats $1 failed"
	if [ $# -ge 3 ]; then
		jq -er --arg f "$2" --arg r "$3" '.ports[0][$f][$r]' <<<"$out"
	else
		jq -er --arg f "$2" '.ports[0][$f]' <<<"$out"
	fi || fail "port-stats $1 has no $2 $*"
}

# ---- namespaces ----------------------------------------------------------

# add_container NS HOSTIF [IP/PREFIX] [QUEUES]
# Creates namespace NS with eth0, the peer of HOSTIF in the root namespace; both are up.
# IPv6 is off in NS and on HOSTIF before the links come up, so the kernel sends no
# router solicitations, MLD reports or DAD probes: the only frames are the test's own.
add_container() {
	local ns=$1 hostif=$2 addr=${3:-} queues=${4:-}
	local qargs=()

	[ "${#ns}" -le 15 ] && [ "${#hostif}" -le 15 ] || fail "name too long: $ns / $hostif"
	[ -n "$queues" ] && qargs=(numtxqueues "$queues" numrxqueues "$queues")
	ip netns add "$ns" || fail "ip netns add $ns"
	VS_NETNS+=("$ns")
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 || fail "cannot disable IPv6 in $ns"
	ip link add "$hostif" "${qargs[@]}" type veth peer name eth0 "${qargs[@]}" netns "$ns" ||
		fail "ip link add $hostif"
	VS_LINKS+=("$hostif")
	echo 1 >"/proc/sys/net/ipv6/conf/$hostif/disable_ipv6"
	# The namespace keeps its default offloads (tx checksumming on), as a container's
	# would: vswitchd completes the checksums such frames leave partial.
	if [ -n "$addr" ]; then
		ip -n "$ns" addr add "$addr" dev eth0 || fail "ip addr add $addr in $ns"
	fi
	ip -n "$ns" link set lo up
	ip -n "$ns" link set eth0 up || fail "cannot set eth0 up in $ns"
	ip link set "$hostif" up || fail "cannot set $hostif up"
	# The recommended container setup (docs/afxdp.md): GRO on in eth0 (NAPI: its port is
	# an XDP fast-path target) and the container's receive work steered off vswitchd's
	# PMD CPUs with RPS.
	local out
	out=$("$VS_SRC_ROOT/scripts/container-setup.sh" "$ns" "$(vs_pmd_cpus)") ||
		fail "container-setup.sh $ns: $out"
	log "$out"
}

# The PMD CPUs of this test's vswitchd (comma-separated) if it runs, else those of a
# vswitchd started without --pmd-cpus: the last CPU this process may run on.
vs_pmd_cpus() {
	local cpus=""
	vswitchd_alive && cpus=$(jvsctl '[.pmds[].cpu | tostring] | join(",")' pmd-stats)
	[ -n "$cpus" ] ||
		cpus=$(awk '/^Cpus_allowed_list:/ { n = split($2, a, /[,-]/); print a[n] }' /proc/self/status)
	echo "$cpus"
}

# MAC address of eth0 in namespace $1 (as ip shows it).
ns_mac() { ip -n "$1" -j link show eth0 | jq -r '.[0].address'; }

# MAC address of root-namespace link $1.
link_mac() { ip -j link show dev "$1" | jq -r '.[0].address'; }

# Kernel counter of eth0 in namespace $1: $2 = rx|tx, $3 = packets|bytes|dropped.
ns_ctr() { ip -n "$1" -j -s link show eth0 | jq -r ".[0].stats64.$2.$3"; }

# True if root-namespace link $1 has an XDP program attached (any mode).
has_xdp() {
	local out
	out=$(ip -d link show dev "$1") || fail "ip link show $1"
	grep -qE 'prog/xdp|xdpgeneric|xdpdrv|xdpoffload| xdp ' <<<"$out"
}

# ---- traffic -------------------------------------------------------------

# ping_ok NS IP: one echo request, up to 1 s for the reply.
ping_ok() { ip netns exec "$1" ping -c 1 -W 1 -q "$2" >/dev/null 2>&1; }

# wait_ping NS IP [SECS]: NS reaches IP within SECS (default 10) seconds, or the test fails.
wait_ping() {
	wait_until "${3:-10}" ping_ok "$1" "$2" || fail "$1 cannot ping $2"
}

# ping_received NS IP COUNT [INTERVAL]: prints how many of COUNT echo requests got a reply.
ping_received() {
	local out
	out=$(ip netns exec "$1" ping -c "$3" -i "${4:-0.2}" -W 1 "$2" 2>&1)
	sed -n 's/.* \([0-9]\+\) received.*/\1/p' <<<"$out" | grep . || echo 0
}

# Runs python helper $1 of this directory with the remaining arguments.
py() {
	local script=$1
	shift
	python3 "$VS_LIB_DIR/$script" "$@"
}

# iperf3_moves NS SERVER_IP ARGS...: a 2 s iperf3 run from NS to SERVER_IP that moves data
# (fails the test if it errors or moves 0 bit/s; logs the rate).
iperf3_moves() {
	local ns=$1 ip=$2 out bps
	shift 2
	out=$(ip netns exec "$ns" timeout 20 iperf3 -c "$ip" -t 2 -J "$@" 2>&1) ||
		fail "iperf3 $* from $ns to $ip failed: $(tail -5 <<<"$out")"
	bps=$(jq -r '.end.sum_received.bits_per_second // .end.sum.bits_per_second' <<<"$out")
	awk -v b="$bps" 'BEGIN { exit !(b > 0) }' || fail "iperf3 $* moved no data ($bps bit/s)"
	log "iperf3 $*: $(awk -v b="$bps" 'BEGIN { printf "%.2f Gbit/s", b / 1e9 }')"
}

# start_iperf_server NS: an iperf3 daemon in NS, listening on :5201, stopped with the test.
start_iperf_server() {
	ip netns exec "$1" iperf3 -s -D -I "$VS_TMP/iperf3-$1.pid" --logfile "$VS_TMP/iperf3-$1.log" ||
		fail "cannot start iperf3 server in $1"
	wait_until 5 test -s "$VS_TMP/iperf3-$1.pid" || fail "iperf3 server in $1 did not start"
	VS_PIDS+=("$(cat "$VS_TMP/iperf3-$1.pid")")
	wait_until 5 bash -c "ip netns exec $1 ss -ltn | grep -q ':5201 '" ||
		fail "iperf3 server in $1 does not listen"
}
