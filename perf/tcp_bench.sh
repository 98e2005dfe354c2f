#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# perf/tcp_bench.sh: container-to-container TCP goodput (iperf3) and ping RTT through
# each device under test, all measured in one run:
#   - vswitchd, one PMD thread on CPU 1, containers at their default offloads
#     (and, for comparison with OVS, with tx checksum offload off);
#   - vswitchd, two PMD threads (CPUs 0 and 1), veths with two queues;
#   - the Linux bridge, in a namespace of its own with bridge netfilter off there,
#     its work steered to CPU 1 with RPS (and, as a second baseline, left on CPU 0);
#   - with --ovs, if it is installed: Open vSwitch's userspace datapath, afxdp ports.
# iperf3 (client and server) and ping run on CPU 0, the device works on CPU 1.
# Prints a Markdown report and writes it, a CSV of every run and a log to
# perf/results/DATE/tcp.{md,csv,log}. Needs root. docs/performance.md explains the rows.
#
# Every namespace and interface it creates is named with the prefix vsp<PID> and removed
# by name on exit; addresses come from 198.18.0.0/15 only; only processes it started are
# stopped, each by its PID. Root-namespace sysctls are not touched.

ME=tcp_bench
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
	cat <<EOF
Usage: perf/tcp_bench.sh [OPTIONS]
Container-to-container TCP goodput (iperf3) and ping RTT through vswitchd and the Linux
bridge (and Open vSwitch afxdp with --ovs), measured in one run. Prints a Markdown
report and writes it, a CSV of every run and a log to perf/results/DATE/tcp.{md,csv,log}.
Run as root, on a machine with at least 2 CPUs.

  --seconds S    length of one iperf3 measurement in seconds (default 10)
  --runs N       runs of every measurement; the median is reported (default 3)
  --quick        smoke run: --seconds 2 --runs 1 (explicit options still win)
  --ovs          also measure Open vSwitch (userspace datapath, afxdp ports), if
                 ovs-vswitchd is installed (this script never installs it)
  --out DIR      directory for the results (default perf/results of this tree)
  --devices LIST only these rows, comma-separated ids (br, br_norps, br_cpu0, vs1,
                 vs1_norps, vs1_txoff, vs2, vsfp, vsfp_txoff, ovs, ovs_norps; default all)
  --no-fastpath-napi  fastpath=xdp rows without scripts/fastpath-napi.sh (their host
                 veths' NAPI then runs in softirq on the senders' CPU, the kernel's default)
  -h, --help     this help

Environment: VSWITCHD, VSCTL select the binaries (default build/vswitch/vswitchd and
build/ctl/vsctl of this tree; built with scripts/build.sh when missing).
EOF
}

# ---- options ---------------------------------------------------------------

opt_seconds="" opt_runs="" QUICK=0 WITH_OVS=0 OUTDIR=$SRC/perf/results ONLY="" FP_NAPI=1
need_arg() { [ "$2" -ge 2 ] || { usage >&2; die "$1 needs a value"; }; }
while [ $# -gt 0 ]; do
	case $1 in
	--seconds) need_arg "$1" $#; opt_seconds=$2; shift 2 ;;
	--seconds=*) opt_seconds=${1#*=}; shift ;;
	--runs) need_arg "$1" $#; opt_runs=$2; shift 2 ;;
	--runs=*) opt_runs=${1#*=}; shift ;;
	--quick) QUICK=1; shift ;;
	--ovs) WITH_OVS=1; shift ;;
	--out) need_arg "$1" $#; OUTDIR=$2; shift 2 ;;
	--out=*) OUTDIR=${1#*=}; shift ;;
	--devices) need_arg "$1" $#; ONLY=$2; shift 2 ;;
	--devices=*) ONLY=${1#*=}; shift ;;
	--no-fastpath-napi) FP_NAPI=0; shift ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; die "unknown option: $1" ;;
	esac
done
DURATION=10 RUNS=3
[ "$QUICK" = 1 ] && DURATION=2 RUNS=1
[ -n "$opt_seconds" ] && DURATION=$opt_seconds
[ -n "$opt_runs" ] && RUNS=$opt_runs
[[ $DURATION =~ ^[1-9][0-9]*$ ]] || die "--seconds must be a positive integer: $DURATION"
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "--runs must be a positive integer: $RUNS"

PING_COUNT=200
PING_INTERVAL=0.01

# ---- prerequisites ---------------------------------------------------------

need_root_and_two_cpus
NEED_HINT="apt-get install iproute2 iperf3 iputils-ping util-linux jq ethtool procps coreutils gawk"
need_tools ip ss iperf3 ping taskset jq ethtool sysctl timeout awk sort chrt

BIN_FROM_ENV=0
[ -n "${VSWITCHD:-}" ] && BIN_FROM_ENV=1
find_binaries VSWITCHD VSCTL

OVS_STATUS="not requested (run with --ovs)"
HAVE_OVS=0
if [ "$WITH_OVS" = 1 ] && ovs_check; then
	HAVE_OVS=1
	OVS_STATUS="measured: $OVS_STATUS"
fi

OUTDIR=$(results_dir "$OUTDIR")
BASE=$OUTDIR/tcp
MD=$BASE.md CSV=$BASE.csv LOGF=$BASE.log
: >"$LOGF" || die "cannot write $LOGF"

# ---- names, cleanup --------------------------------------------------------

P=vsp$$          # every name starts with it (at most 15 characters with the suffixes)
SW=${P}sw        # namespace of the Linux bridge
C1=${P}c1 C2=${P}c2
IP2=198.18.0.2 # c2; c1 is 198.18.0.1

# perf/lib.sh stops vswitchd, the processes in PIDS and testpmd, and deletes NETNS and LINKS.
perf_cleanup_hook() { ovs_stop "${P}ob"; }

# ---- helpers ---------------------------------------------------------------

ping_ok() { ip netns exec "$C1" ping -c 1 -W 1 -q "$IP2" >/dev/null 2>&1; }

# Share of both CPUs busy during one second in which this script runs nothing: work of
# others (an integration test, a build) that would disturb the measurements.
background_cpu() {
	local a b
	a=$(cpu_snap)
	sleep 1
	b=$(cpu_snap)
	awk -v a="$a" -v b="$b" 'BEGIN {
		split(a, x, " "); split(b, y, " ")
		t = (y[2] - x[2]) + (y[4] - x[4])
		printf "%.0f", t ? 100 * ((y[1] - x[1]) + (y[3] - x[3])) / t : 0
	}'
}

CLK_TCK=$(getconf CLK_TCK 2>/dev/null || echo 100)

# "PID TICKS" of every process that is not ours (this script, its descendants, the OVS
# daemons it started) and not a kernel thread; TICKS = user + system time, its own and
# that of its reaped children (so short-lived children, e.g. compilers, still count).
foreign_snap() {
	local extra=" " f pid
	for f in "${OVS_PIDFILES[@]}"; do
		pid=$(cat "$f" 2>/dev/null) && extra+="$pid "
	done
	awk -v me="$MAIN_PID" -v extra="$extra" '
		{ n = split($0, a, ") "); split(a[n], f, " ")
		  pp[$1] = f[2]; t[$1] = f[12] + f[13] + f[14] + f[15] }
		END {
			for (p in t) {
				if (p == 2 || pp[p] == 2) continue
				q = p; ours = 0
				for (d = 0; d < 64 && q > 1; d++) {
					if (q == me || index(extra, " " q " ")) { ours = 1; break }
					q = pp[q]
				}
				if (!ours) print p, t[p]
			}
		}' /proc/[0-9]*/stat 2>/dev/null
}

# foreign_pct FILE_BEFORE FILE_AFTER SECS: CPU used by others in between, in % of one CPU.
# A process's growth is capped at all CPUs for SECS: a parent that reaps a child gains
# the child's whole lifetime at once (an overestimate, but a sign of others' work).
foreign_pct() {
	awk -v s="$3" -v hz="$CLK_TCK" -v ncpu="$(nproc)" 'FNR == NR { b[$1] = $2; next }
		{ d = ($1 in b) ? $2 - b[$1] : $2; if (d > hz * s * ncpu) d = hz * s * ncpu
		  if (d > 0) sum += d }
		END { if (sum > hz * s * ncpu) sum = hz * s * ncpu
		      printf "%.0f", (s > 0) ? 100 * sum / hz / s : 0 }' "$1" "$2"
}

# Around each measurement: CPU 0/1 busy % (M_CPU) and others' CPU use (M_OTHERS).
meas_begin() {
	M_C0=$(cpu_snap)
	foreign_snap >"$TMPD/fs0"
	M_T0=$(date +%s.%N)
}
meas_end() {
	local c1 t1
	c1=$(cpu_snap)
	foreign_snap >"$TMPD/fs1"
	t1=$(date +%s.%N)
	M_CPU=$(cpu_pct "$M_C0" "$c1")
	M_OTHERS=$(foreign_pct "$TMPD/fs0" "$TMPD/fs1" "$(awk -v a="$M_T0" -v b="$t1" 'BEGIN { print b - a }')")
	# Never more than the CPUs were busy in all (a reaped child counts all at once).
	local busy=$((${M_CPU%/*} + ${M_CPU#*/}))
	[ "$M_OTHERS" -gt "$busy" ] && M_OTHERS=$busy
}
M_CPU=- M_OTHERS=-

# Processes of others that typically disturb this benchmark (read only).
others() {
	local v i o
	v=$(pgrep -x vswitchd | grep -vx "${VSWITCHD_PID:-none}" | wc -l)
	i=$(pgrep -x iperf3 | wc -l)
	o=$(pgrep -x ovs-vswitchd | wc -l)
	echo "${v} vswitchd, ${i} iperf3, ${o} ovs-vswitchd"
}

# ---- topology --------------------------------------------------------------

# make_containers HOSTNS MTU QUEUES TXOFF [RPS_AWAY]
# Namespaces C1, C2, each with eth0 (address 198.18.0.N/24) whose veth peer is
#   ${P}hN in the root namespace (HOSTNS empty), or hN in namespace HOSTNS.
# MTU is set on both ends before anything is up; QUEUES > 1 gives both ends that many
# rx and tx queues; TXOFF=1 turns off tx checksum offload in the containers (OVS needs
# it); otherwise the containers keep their default offloads. RPS_AWAY (a CPU list, the
# device's CPUs) applies scripts/container-setup.sh, the recommended container setup
# (docs/afxdp.md): GRO on in the containers' eth0, and RPS to all other CPUs, so the
# containers' receive stacks run beside iperf3, not on the device's CPU; empty leaves
# both off (the kernel's defaults). IPv6 is off everywhere, so the only frames are the benchmark's own.
make_containers() {
	local hostns=$1 mtu=$2 queues=$3 txoff=$4 rps_away=${5:-} i ns host q=() out
	[ "$queues" -gt 1 ] && q=(numtxqueues "$queues" numrxqueues "$queues")
	for i in 1 2; do
		ns=${P}c$i
		ip netns add "$ns" || return 1
		NETNS+=("$ns")
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1 || return 1
		if [ -z "$hostns" ]; then
			host=${P}h$i
			ip link add "$host" "${q[@]}" mtu "$mtu" type veth \
				peer name eth0 "${q[@]}" mtu "$mtu" netns "$ns" || return 1
			LINKS+=("$host")
			echo 1 >"/proc/sys/net/ipv6/conf/$host/disable_ipv6"
			ip link set "$host" up || return 1
		else
			host=h$i
			ip -n "$hostns" link add "$host" "${q[@]}" mtu "$mtu" type veth \
				peer name eth0 "${q[@]}" mtu "$mtu" netns "$ns" || return 1
		fi
		if [ "$txoff" = 1 ]; then
			ip netns exec "$ns" ethtool -K eth0 tx off >/dev/null || return 1
		fi
		ip -n "$ns" addr add "198.18.0.$i/24" dev eth0 || return 1
		ip -n "$ns" link set lo up || return 1
		ip -n "$ns" link set eth0 up || return 1
		# After eth0 is up: GRO turned on in a veth that is down does not make its
		# peer an XDP redirect target (scripts/container-setup.sh).
		if [ -n "$rps_away" ]; then
			out=$("$SRC/scripts/container-setup.sh" "$ns" "$rps_away" 2>&1) ||
				{ SETUP_ERR="container-setup.sh: $out"; return 1; }
			logf "$out"
		fi
	done
}

# Offloads of eth0 in C1 as the kernel reports them now (after the device attached).
c1_offloads() {
	ip netns exec "$C1" ethtool -k eth0 2>/dev/null | awk -F': ' '
		$1 == "tx-checksumming" { c = $2 } $1 == "tcp-segmentation-offload" { t = $2 }
		$1 == "generic-segmentation-offload" { g = $2 }
		END { sub(/ .*/, "", c); sub(/ .*/, "", t); sub(/ .*/, "", g)
		      printf "tx-csum %s, tso %s, gso %s", c, t, g }'
}

# ---- devices: vswitchd -----------------------------------------------------

setup_vswitchd() { # MTU PMD_CPUS QUEUES TXOFF CONTAINER_RPS(0/1)
	local mtu=$1 cpus=$2 queues=$3 txoff=$4 crps=$5 qopt=() out away=""
	[ "$queues" -gt 1 ] && qopt=("queues=$queues")
	[ "$crps" = 1 ] && away=$cpus
	make_containers "" "$mtu" "$queues" "$txoff" "$away" || return 1
	start_vswitchd "" "$cpus" || { logf "vswitchd did not start"; return 1; }
	out=$("$VSCTL" -s "$SOCK" add-br br0 2>&1) || { logf "add-br: $out"; return 1; }
	for h in "${P}h1" "${P}h2"; do
		out=$("$VSCTL" -s "$SOCK" add-port br0 "$h" "${qopt[@]}" 2>&1) ||
			{ logf "add-port $h: $out"; SETUP_ERR="add-port refused: $out"; return 1; }
	done
	logf "vswitchd ($cpus), MTU $mtu: $(vsj show | jq -c '[.bridges[0].ports[] | {name, mtu, options}]')"
	logf "pmd-stats rxqs: $(vsj pmd-stats | jq -c '[.pmds[] | {cpu, rxqs}]')"
	if [ "$queues" -gt 1 ] &&
		[ "$(vsj pmd-stats | jq '[.pmds[] | select((.rxqs | length) > 0)] | length')" != 2 ]; then
		SETUP_ERR="rx queues are not spread over both PMD threads"
		return 1
	fi
}

# setup_vswitchd_fastpath MTU TXOFF: as vs1, with the bridge's XDP fast path
# (docs/xdp-fastpath.md): the recommended container setup (scripts/container-setup.sh) turns
# GRO on in both containers, so each eth0 has NAPI and its host veth is a fast-path target;
# PMD threads sleep while idle.
setup_vswitchd_fastpath() { # MTU TXOFF [NAPI(0: leave the host veths' NAPI as it is)]
	local out napi=${3:-$FP_NAPI}
	setup_vswitchd "$1" 1 1 "$2" 1 || return 1
	out=$("$VSCTL" -s "$SOCK" set-bridge br0 fastpath=xdp 2>&1) || { logf "fastpath: $out"; return 1; }
	out=$("$VSCTL" -s "$SOCK" set pmd-idle=adaptive 2>&1) || { logf "pmd-idle: $out"; return 1; }
	wait_until 5 sh -c "'$VSCTL' -s '$SOCK' --json show | jq -e '[.bridges[0].ports[].fastpath] == [\"rx+tx\", \"rx+tx\"]' >/dev/null" ||
		{ SETUP_ERR="ports are not fast-path ports: $(vsj show | jq -c '[.bridges[0].ports[].fastpath]')"; return 1; }
	# The recommended host-side setup of fast-path ports (scripts/fastpath-napi.sh): the
	# XDP program runs in the host veths' NAPI, which threaded NAPI pinned to the PMD CPU
	# moves off the senders' CPU, as RPS does for the Linux bridge rows.
	[ "$napi" = 1 ] || return 0
	for h in "${P}h1" "${P}h2"; do
		out=$("$SRC/scripts/fastpath-napi.sh" "$h" 1 2>&1) ||
			{ SETUP_ERR="fastpath-napi.sh: $out"; return 1; }
		logf "$out"
	done
}

# What the XDP fast path carried of the frames from c1 (its host port's rx), for the note.
fp_share() {
	vsj port-stats | jq -r --arg h "${P}h1" '.ports[] | select(.name == $h) |
		(.fastpath."rx-packets" // 0) as $f | (.fastpath."rx-bytes" // 0) as $b |
		"XDP fast path carried \(if ."rx-packets" > 0 then ($f * 100 / ."rx-packets" | floor) else 0 end)% of the frames from c1, \(if $f > 0 then ($b / $f | floor) else 0 end) bytes average, \(.fastpath."csum-completed" // 0) checksums completed"'
}

# Sum of the drop counters of all ports.
vs_dropped() { vsj port-stats | jq '[.ports[].dropped] | add // 0'; }

# PMD counters summed over threads: "rx-packets rx-bursts busy-cycles idle-cycles
# rx-packets-per-thread(a:b) csum-completed utime stime on-cpu-ns" (tab-separated).
vs_pmd_snap() {
	local csum times sched
	csum=$(vsj port-stats | jq '[.ports[]."rx-csum-completed" // 0] | add // 0')
	times=$(vs_pmd_times)
	sched=$(vs_pmd_sched)
	vsj pmd-stats | jq -r --arg c "$csum" --arg u "${times% *}" --arg k "${times#* }" \
		--arg r "${sched% *}" '[
		([.pmds[]."rx-packets"] | add), ([.pmds[]."rx-bursts"] | add),
		([.pmds[]."busy-cycles"] | add), ([.pmds[]."idle-cycles"] | add),
		([.pmds[]."rx-packets" | tostring] | join(":")), $c, $u, $k, $r] | @tsv'
}

# vs_pmd_delta "SNAP_BEFORE" "SNAP_AFTER" SECS: "busy% avg-burst cycles/pkt kpps split
# csum-completed/s kernel% us/frame" over the interval; kernel% is the share of the PMD
# threads' CPU time spent in the kernel (system calls, and the softirq work they run);
# us/frame is the PMD threads' time on a CPU (schedstat: time others took from them is
# not in it) times their busy share, per received frame: the CPU cost of a frame, which
# holds up better than cycles/pkt on a loaded machine.
vs_pmd_delta() {
	awk -v a="$1" -v b="$2" -v s="$3" 'BEGIN {
		split(a, x, "\t"); split(b, y, "\t")
		p = y[1] - x[1]; bu = y[2] - x[2]; bc = y[3] - x[3]; ic = y[4] - x[4]
		n = split(x[5], xa, ":"); split(y[5], ya, ":"); split_s = ""
		for (i = 1; i <= n; i++)
			split_s = split_s (i > 1 ? "/" : "") (p ? sprintf("%.0f", 100 * (ya[i] - xa[i]) / p) : 0)
		ut = y[7] - x[7]; st = y[8] - x[8]; on = y[9] - x[9]
		printf "%.0f %.1f %.0f %.0f %s %.0f %.0f %.2f\n", (bc + ic) ? 100 * bc / (bc + ic) : 0,
			bu ? p / bu : 0, p ? bc / p : 0, p / s / 1000, split_s, (y[6] - x[6]) / s,
			(ut + st) ? 100 * st / (ut + st) : 0,
			(p && bc + ic) ? on / 1000 * bc / (bc + ic) / p : 0
	}'
}

# ---- devices: Linux bridge -------------------------------------------------

setup_bridge() { # MTU RPS(1: steer the bridge's work to CPU 1; 0: leave it on CPU 0) CONTAINER_RPS
	local mtu=$1 rps=$2 crps=$3 i k v away=""
	[ "$crps" = 1 ] && away=1
	ip netns add "$SW" || return 1
	NETNS+=("$SW")
	ip netns exec "$SW" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 || return 1
	# br_netfilter is loaded: its sysctls exist per namespace. Off in this namespace
	# only, so bridged frames skip iptables/ip6tables/arptables; the root namespace's
	# settings are not touched.
	if [ -d /proc/sys/net/bridge ]; then
		for k in iptables ip6tables arptables; do
			ip netns exec "$SW" sysctl -qw "net.bridge.bridge-nf-call-$k=0" || return 1
			v=$(ip netns exec "$SW" sysctl -n "net.bridge.bridge-nf-call-$k") || return 1
			[ "$v" = 0 ] || { SETUP_ERR="bridge-nf-call-$k is $v in $SW"; return 1; }
		done
	fi
	ip -n "$SW" link add br0 type bridge || return 1
	make_containers "$SW" "$mtu" 1 0 "$away" || return 1
	for i in 1 2; do
		ip -n "$SW" link set "h$i" master br0 || return 1
		ip -n "$SW" link set "h$i" up || return 1
		# The bridge has no thread: it forwards in softirq context on the CPU that
		# receives on its port, i.e. the sender's (CPU 0). RPS steers that receive
		# work to CPU 1 (mask 2), as the PMD thread is on CPU 1 for vswitchd.
		if [ "$rps" = 1 ]; then
			ip netns exec "$SW" sh -c "echo 2 > /sys/class/net/h$i/queues/rx-0/rps_cpus" ||
				return 1
		fi
	done
	ip -n "$SW" link set br0 up || return 1
}

# ---- devices: Open vSwitch (optional) --------------------------------------

ovs_appctl() {
	local pid
	pid=$(cat "$OVS_DIR/ovs-vswitchd.pid" 2>/dev/null) || return 1
	ovs-appctl -t "$OVS_DIR/ovs-vswitchd.$pid.ctl" --timeout=10 "$@"
}

# "utime stime on-cpu-ns" of OVS's PMD threads (comm pmd-c01/..., like vswitchd's).
ovs_pmd_task_snap() {
	local pid t u=0 k=0 r=0 a b c
	pid=$(cat "$OVS_DIR/ovs-vswitchd.pid" 2>/dev/null) || { echo "0 0 0"; return; }
	for t in /proc/"$pid"/task/*; do
		case $(cat "$t/comm" 2>/dev/null) in pmd*) ;; *) continue ;; esac
		read -r a b < <(awk '{ print $14, $15 }' "$t/stat" 2>/dev/null) || continue
		read -r c _ <"$t/schedstat" 2>/dev/null || continue
		u=$((u + a)) k=$((k + b)) r=$((r + c))
	done
	echo "$u $k $r"
}

# ovs_pmd_delta "TASK_SNAP_BEFORE" "TASK_SNAP_AFTER" SECS: the PMD table's fields for OVS
# (as vs_pmd_delta), from dpif-netdev/pmd-stats-show since pmd-stats-clear: packets
# received and processing/idle cycles of the PMD threads.
ovs_pmd_delta() {
	ovs_appctl dpif-netdev/pmd-stats-show 2>/dev/null | awk -v a="$1" -v b="$2" -v s="$3" '
		/^pmd thread/ { pmd = 1; next } /^[^ ]/ { pmd = 0 }
		pmd && /packets received:/ { p += $3 }
		pmd && /idle cycles:/ { ic += $3 }
		pmd && /processing cycles:/ { bc += $3 }
		END {
			split(a, x, " "); split(b, y, " ")
			ut = y[1] - x[1]; st = y[2] - x[2]; on = y[3] - x[3]
			printf "%.0f - %.0f %.0f 100 - %.0f %.2f\n", (bc + ic) ? 100 * bc / (bc + ic) : 0,
				p ? bc / p : 0, p / s / 1000, (ut + st) ? 100 * st / (ut + st) : 0,
				(p && bc + ic) ? on / 1000 * bc / (bc + ic) / p : 0
		}'
}

setup_ovs() { # MTU CONTAINER_RPS
	local mtu=$1 crps=$2 pid f h away=""
	[ "$crps" = 1 ] && away=1
	make_containers "" "$mtu" 1 1 "$away" || return 1 # OVS afxdp needs tx off in the containers
	ovs_start "" 0x2 || return 1
	ovs_ctl add-br "${P}ob" -- set bridge "${P}ob" datapath_type=netdev || return 1
	for h in "${P}h1" "${P}h2"; do
		ovs_ctl add-port "${P}ob" "$h" -- set interface "$h" type=afxdp \
			"mtu_request=$mtu" || return 1
	done
	logf "OVS interfaces: $(ovs_ctl --columns=name,type,mtu,status,error list interface 2>&1 | tr '\n' ' ')"
}

# ---- measurements ----------------------------------------------------------

declare -A VAL RETR CPU DROPS PMD NOTE LABEL UNIT DEVLABEL OTHERS RUNVALS
DISTURBED=10 # % of one CPU used by others during a measurement that marks it disturbed
CSV_ROWS=()
DROP_REASONS="" # "reason count" lines, all vswitchd setups
VS_DROP_TOTAL=0
CUR_DEV="" CUR_RUN=0 CUR_LOAD=""

LABEL[tcp1_1500]="TCP 1 stream, MTU 1500" UNIT[tcp1_1500]="Gbit/s"
LABEL[tcp4_1500]="TCP 4 streams, MTU 1500" UNIT[tcp4_1500]="Gbit/s"
LABEL[tcp1_9000]="TCP 1 stream, MTU 9000" UNIT[tcp1_9000]="Gbit/s"
LABEL[rtt_avg]="ping RTT avg, idle" UNIT[rtt_avg]="ms"
LABEL[rtt_max]="ping RTT max, idle" UNIT[rtt_max]="ms"
METRICS=(tcp1_1500 tcp4_1500 tcp1_9000 rtt_avg rtt_max)

DEVLABEL[vs1]="vswitchd, 1 PMD (CPU 1)"
DEVLABEL[vs1_txoff]="vswitchd, 1 PMD (CPU 1), containers tx off"
DEVLABEL[vs2]="vswitchd, 2 PMDs (CPUs 0,1), 2 queues"
DEVLABEL[br]="Linux bridge"
DEVLABEL[br_cpu0]="Linux bridge, no RPS (all on CPU 0)"
DEVLABEL[ovs]="OVS afxdp, 1 PMD (CPU 1), tx off"
DEVLABEL[vsfp]="vswitchd fastpath=xdp, 1 PMD (CPU 1), containers GRO on"
DEVLABEL[vsfp_txoff]="vswitchd fastpath=xdp, 1 PMD (CPU 1), containers GRO on, tx off"
DEVLABEL[vsfp_softirq]="vswitchd fastpath=xdp, containers GRO on, host veth NAPI in softirq (no fastpath-napi.sh)"
# The same devices with the containers' receive work left where the kernel puts it
# (no container RPS): the setup before container RPS became the default.
DEVLABEL[vs1_norps]="vswitchd, 1 PMD (CPU 1), no container RPS"
DEVLABEL[br_norps]="Linux bridge, no container RPS"
DEVLABEL[ovs_norps]="OVS afxdp, 1 PMD (CPU 1), tx off, no container RPS"

add_note() { # KEY TEXT: once per distinct text
	case "${NOTE[$1]:-}" in *"$2"*) ;; *) NOTE[$1]="${NOTE[$1]:-}${NOTE[$1]:+; }$2" ;; esac
}

# record DEV METRIC VALUE RETR DROPS, with M_CPU and M_OTHERS of the measurement.
record() {
	local key=$1\|$2 v=$3
	VAL[$key]+="$3 " RETR[$key]+="$4 " CPU[$key]+="$M_CPU " DROPS[$key]+="$5 "
	OTHERS[$key]+="$M_OTHERS "
	# A run during which others used more than DISTURBED % of a CPU is marked with *.
	[[ $M_OTHERS =~ ^[0-9]+$ ]] && [ "$M_OTHERS" -gt "$DISTURBED" ] && v+="*"
	RUNVALS[$key]+="$v "
	CSV_ROWS+=("$CUR_RUN,$1,\"${DEVLABEL[$1]}\",$2,\"${LABEL[$2]}\",$3,${UNIT[$2]},$4,${M_CPU%/*},${M_CPU#*/},$M_OTHERS,$5,$CUR_LOAD")
	log "run $CUR_RUN ${DEVLABEL[$1]}: ${LABEL[$2]}: $3 ${UNIT[$2]} (retr $4, cpu0/1 busy $M_CPU%, others $M_OTHERS% of a CPU, drops $5)"
}

is_vswitchd() { case $CUR_DEV in vs*) return 0 ;; *) return 1 ;; esac; }
is_ovs() { case $CUR_DEV in ovs*) return 0 ;; *) return 1 ;; esac; }

measure_tcp() { # METRIC STREAMS
	local m=$1 n=$2 out bps retr d0=- d1=- drops=- p0 p1 rc
	if is_vswitchd; then d0=$(vs_dropped); p0=$(vs_pmd_snap); fi
	if is_ovs; then ovs_appctl dpif-netdev/pmd-stats-clear >/dev/null 2>&1; p0=$(ovs_pmd_task_snap); fi
	meas_begin
	out=$(ip netns exec "$C1" taskset -c 0 timeout $((DURATION + 30)) \
		iperf3 -c "$IP2" -t "$DURATION" -P "$n" -J 2>&1)
	rc=$?
	meas_end
	if is_vswitchd && vswitchd_alive; then
		d1=$(vs_dropped); p1=$(vs_pmd_snap)
		drops=$((d1 - d0))
		PMD[$CUR_DEV|$m]+="$(vs_pmd_delta "$p0" "$p1" "$DURATION"),"
	elif is_vswitchd; then
		add_note "$CUR_DEV|$m" "vswitchd died"
	fi
	if is_ovs; then
		p1=$(ovs_pmd_task_snap)
		PMD[$CUR_DEV|$m]+="$(ovs_pmd_delta "$p0" "$p1" "$DURATION"),"
	fi
	bps=$(jq -r '.end.sum_received.bits_per_second // empty' <<<"$out" 2>/dev/null)
	retr=$(jq -r '.end.sum_sent.retransmits // "-"' <<<"$out" 2>/dev/null)
	if [ "$rc" -ne 0 ] || [ -z "$bps" ] || ! awk -v b="$bps" 'BEGIN { exit !(b > 0) }'; then
		logf "iperf3 -P $n failed (exit $rc): $(jq -r '.error // empty' <<<"$out" 2>/dev/null || tail -3 <<<"$out")"
		add_note "$CUR_DEV|$m" "iperf3 failed: $(jq -r '.error // "exit '"$rc"'"' <<<"$out" 2>/dev/null | head -c 80)"
		record "$CUR_DEV" "$m" fail "${retr:--}" "$drops"
		return
	fi
	record "$CUR_DEV" "$m" "$(awk -v b="$bps" 'BEGIN { printf "%.3f", b / 1e9 }')" \
		"${retr:--}" "$drops"
}

measure_ping() {
	local out rtt loss d0=- d1 drops=- avg max
	sleep 1 # idle
	is_vswitchd && d0=$(vs_dropped)
	meas_begin
	out=$(ip netns exec "$C1" taskset -c 0 ping -q -n -c "$PING_COUNT" -i "$PING_INTERVAL" \
		-W 1 "$IP2" 2>&1)
	meas_end
	if is_vswitchd && vswitchd_alive; then d1=$(vs_dropped); drops=$((d1 - d0)); fi
	loss=$(sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p' <<<"$out")
	rtt=$(sed -n 's#^rtt [^=]*= \([0-9.]*\)/\([0-9.]*\)/\([0-9.]*\)/.*#\2 \3#p' <<<"$out")
	if [ -z "$rtt" ]; then
		logf "ping failed: $out"
		add_note "$CUR_DEV|rtt_avg" "ping failed"
		record "$CUR_DEV" rtt_avg fail - "$drops"
		record "$CUR_DEV" rtt_max fail - "$drops"
		return
	fi
	[ "${loss:-0}" != 0 ] && add_note "$CUR_DEV|rtt_avg" "${loss}% of pings lost in run $CUR_RUN"
	read -r avg max <<<"$rtt"
	record "$CUR_DEV" rtt_avg "$avg" - "$drops"
	record "$CUR_DEV" rtt_max "$max" - "$drops"
}

start_iperf_server() {
	local pid
	ip netns exec "$C2" taskset -c 0 iperf3 -s >>"$TMPD/iperf3-server.log" 2>&1 &
	pid=$!
	PIDS+=("$pid")
	wait_until 5 bash -c "ip netns exec $C2 ss -ltn | grep -q ':5201 '"
}

# Tears down whatever device and topology is up.
teardown() {
	local pid
	for pid in "${PIDS[@]}"; do
		stop_pid "$pid"
	done
	if is_vswitchd && vswitchd_alive; then
		local out
		out=$(vsj port-stats 2>/dev/null)
		if [ -n "$out" ]; then
			VS_DROP_TOTAL=$((VS_DROP_TOTAL + $(jq '[.ports[].dropped] | add // 0' <<<"$out")))
			DROP_REASONS+=$(jq -r '.ports[].drops | to_entries[] | select(.value > 0) |
				"\(.key) \(.value)"' <<<"$out")$'\n'
			logf "port-stats at teardown: $(jq -c '[.ports[] | {name, "rx-packets",
				"tx-packets", "rx-csum-completed", dropped,
				drops: (.drops | with_entries(select(.value > 0)))}]' <<<"$out")"
		fi
	fi
	stop_vswitchd
	ovs_stop "${P}ob"
	remove_topology
}

# phase DEV MTU METRIC...: sets DEV up with MTU, measures, tears it down.
phase() {
	local dev=$1 mtu=$2 m
	shift 2
	CUR_DEV=$dev SETUP_ERR=""
	log "run $CUR_RUN: ${DEVLABEL[$dev]}, MTU $mtu: setting up"
	local ok=1
	case $dev in
	vs1) setup_vswitchd "$mtu" 1 1 0 1 || ok=0 ;;
	vs1_norps) setup_vswitchd "$mtu" 1 1 0 0 || ok=0 ;;
	vs1_txoff) setup_vswitchd "$mtu" 1 1 1 1 || ok=0 ;;
	vs2) setup_vswitchd "$mtu" 0,1 2 0 1 || ok=0 ;;
	br) setup_bridge "$mtu" 1 1 || ok=0 ;;
	br_norps) setup_bridge "$mtu" 1 0 || ok=0 ;;
	br_cpu0) setup_bridge "$mtu" 0 0 || ok=0 ;;
	ovs) setup_ovs "$mtu" 1 || ok=0 ;;
	ovs_norps) setup_ovs "$mtu" 0 || ok=0 ;;
	vsfp) setup_vswitchd_fastpath "$mtu" 0 || ok=0 ;;
	vsfp_txoff) setup_vswitchd_fastpath "$mtu" 1 || ok=0 ;;
	vsfp_softirq) setup_vswitchd_fastpath "$mtu" 0 0 || ok=0 ;;
	esac
	if [ "$ok" = 1 ]; then
		start_iperf_server || { ok=0; SETUP_ERR="iperf3 server did not start"; }
	fi
	if [ "$ok" = 1 ]; then
		wait_until 10 ping_ok || { ok=0; SETUP_ERR="c1 cannot ping c2 within 10 s"; }
	fi
	if [ "$ok" = 1 ]; then
		logf "${DEVLABEL[$dev]}, MTU $mtu: c1 eth0 after setup: $(c1_offloads)"
		add_note "off|$dev|$mtu" "$(c1_offloads)"
	fi
	for m in "$@"; do
		if [ "$ok" = 0 ]; then
			add_note "$dev|$m" "setup failed: ${SETUP_ERR:-see log}"
			M_CPU=- M_OTHERS=-
			if [ "$m" = rtt ]; then
				record "$dev" rtt_avg fail - -
				record "$dev" rtt_max fail - -
			else
				record "$dev" "$m" fail - -
			fi
			continue
		fi
		case $m in
		tcp1_*) measure_tcp "$m" 1 ;;
		tcp4_*) measure_tcp "$m" 4 ;;
		rtt) measure_ping ;;
		esac
	done
	[ "$ok" = 1 ] || log "run $CUR_RUN: ${DEVLABEL[$dev]}, MTU $mtu: setup failed: ${SETUP_ERR:-see $LOGF}"
	if [ "$ok" = 1 ] && [ "${dev#vsfp}" != "$dev" ]; then
		logf "${DEVLABEL[$dev]}, MTU $mtu: $(fp_share)"
		add_note "off|$dev|$mtu" "after the run: $(fp_share)"
	fi
	teardown
	CUR_DEV=""
}

# ---- the run ---------------------------------------------------------------

DEVICES=(br br_norps br_cpu0 vs1 vs1_norps vs1_txoff vs2 vsfp vsfp_txoff vsfp_softirq)
[ "$HAVE_OVS" = 1 ] && DEVICES+=(ovs ovs_norps)
if [ -n "$ONLY" ]; then
	sel=()
	for dev in "${DEVICES[@]}"; do
		[[ ,$ONLY, == *,$dev,* ]] && sel+=("$dev")
	done
	for dev in ${ONLY//,/ }; do
		[[ " ${DEVICES[*]} " == *" $dev "* ]] ||
			die "--devices: unknown or unavailable row '$dev' (rows: ${DEVICES[*]})"
	done
	DEVICES=("${sel[@]}")
fi

CPU_MODEL=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
COMMIT=$(git -C "$SRC" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ "$COMMIT" != unknown ] && [ -n "$(git -C "$SRC" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
	COMMIT="$COMMIT (plus uncommitted changes)"
fi
START_DATE=$(date '+%Y-%m-%d %H:%M:%S %Z')
# The binaries' modification times: a tree shared with others may be rebuilt mid-run.
bin_stamp() { stat -c '%y' "$VSWITCHD" "$VSCTL" 2>/dev/null | cut -c1-19 | tr '\n' ' '; }
BIN_START=$(bin_stamp)
LOAD_START=$(loadavg)
STEAL_START=$(awk '/^cpu / { print $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat)
BG_START=$(background_cpu)
OTHERS_START=$(others)
BG_RUNS=()

log "vswitch TCP benchmark: $RUNS run(s) x $DURATION s; results in $BASE.{md,csv,log}"
log "load average $LOAD_START; background CPU use ${BG_START}% of 2 CPUs; others: $OTHERS_START"
log "OVS: $OVS_STATUS"
SECONDS=0
for ((run = 1; run <= RUNS; run++)); do
	CUR_RUN=$run
	bg=$(background_cpu)
	CUR_LOAD=$(loadavg | cut -d' ' -f1)
	BG_RUNS+=("$bg%")
	log "run $run/$RUNS: load $(loadavg), background CPU ${bg}%, others: $(others)"
	for dev in "${DEVICES[@]}"; do
		case $dev in
		vs2) phase vs2 1500 rtt tcp1_1500 tcp4_1500 ;;
		vs1_txoff) phase vs1_txoff 1500 tcp1_1500 tcp4_1500 ;;
		br_cpu0) phase br_cpu0 1500 rtt tcp1_1500 ;;
		vsfp)
			phase vsfp 1500 rtt tcp1_1500 tcp4_1500
			phase vsfp 9000 tcp1_9000
			;;
		vsfp_txoff) phase vsfp_txoff 1500 tcp1_1500 tcp4_1500 ;;
		vsfp_softirq)
			phase vsfp_softirq 1500 tcp1_1500
			phase vsfp_softirq 9000 tcp1_9000
			;;
		ovs_norps) phase ovs_norps 1500 tcp1_1500 ;;
		vs1_norps | br_norps)
			phase "$dev" 1500 rtt tcp1_1500
			phase "$dev" 9000 tcp1_9000
			;;
		*)
			phase "$dev" 1500 rtt tcp1_1500 tcp4_1500
			phase "$dev" 9000 tcp1_9000
			;;
		esac
	done
done
ELAPSED=$SECONDS
BIN_END=$(bin_stamp)
LOAD_END=$(loadavg)
# Share of CPU time the hypervisor gave to others while we wanted it (0 on bare metal).
STEAL=$(awk -v a="$STEAL_START" '/^cpu / { split(a, x, " "); t = $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 - x[2]
	printf "%.1f", t ? 100 * ($9 - x[1]) / t : 0 }' /proc/stat)
BG_END=$(background_cpu)
OTHERS_END=$(others)

# ---- report ----------------------------------------------------------------

# median VALUES...: of the numeric values; empty if there are none.
median() {
	printf '%s\n' "$@" | grep -E '^[0-9]+(\.[0-9]+)?$' | sort -g |
		awk '{ a[NR] = $1 } END { if (NR == 0) exit
			print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

fmt() { # VALUE UNIT
	[ -n "$1" ] || { echo "fail"; return; }
	case $2 in
	ms) awk -v v="$1" 'BEGIN { printf "%.3f", v }' ;;
	*) awk -v v="$1" 'BEGIN { printf "%.2f", v }' ;;
	esac
}

fmt_runs() { # UNIT VALUES... (a value may end in *: a disturbed run)
	local u=$1 v star out=""
	shift
	for v in "$@"; do
		star=""
		[ "${v%\*}" != "$v" ] && star="*" v=${v%\*}
		[ "$v" = fail ] || v=$(fmt "$v" "$u")
		out+="${out:+, }$v$star"
	done
	echo "$out"
}

# ratio_line TEXT DEV_A METRIC_A DEV_B METRIC_B: median(A) / median(B), if both exist.
ratio_line() {
	local a b
	# shellcheck disable=SC2086
	a=$(median ${VAL[$2|$3]:-})
	# shellcheck disable=SC2086
	b=$(median ${VAL[$4|$5]:-})
	[ -n "$a" ] && [ -n "$b" ] || return 0
	awk -v t="$1" -v a="$a" -v b="$b" 'BEGIN { if (b > 0) printf "- %s: %.2f / %.2f = %.2fx\n", t, a, b, a / b }'
}

# The issue-8 targets' ratios, from medians of this run.
ratios() {
	echo
	echo "Same-run ratios (medians):"
	ratio_line "vswitchd / OVS afxdp, TCP 1 stream MTU 1500, container RPS" vs1 tcp1_1500 ovs tcp1_1500
	ratio_line "vswitchd / OVS afxdp, TCP 1 stream MTU 1500, no container RPS" vs1_norps tcp1_1500 ovs_norps tcp1_1500
	ratio_line "vswitchd with container RPS / OVS afxdp without" vs1 tcp1_1500 ovs_norps tcp1_1500
	ratio_line "vswitchd MTU 9000 / MTU 1500, TCP 1 stream, container RPS" vs1 tcp1_9000 vs1 tcp1_1500
	ratio_line "vswitchd MTU 9000 / MTU 1500, TCP 1 stream, no container RPS" vs1_norps tcp1_9000 vs1_norps tcp1_1500
	ratio_line "vswitchd MTU 9000 / Linux bridge MTU 9000, container RPS" vs1 tcp1_9000 br tcp1_9000
	ratio_line "container RPS gain, vswitchd MTU 1500" vs1 tcp1_1500 vs1_norps tcp1_1500
	ratio_line "container RPS gain, vswitchd MTU 9000" vs1 tcp1_9000 vs1_norps tcp1_9000
	ratio_line "container RPS gain, Linux bridge MTU 1500" br tcp1_1500 br_norps tcp1_1500
	ratio_line "container RPS gain, OVS afxdp MTU 1500" ovs tcp1_1500 ovs_norps tcp1_1500
	ratio_line "vswitchd fastpath=xdp / OVS afxdp, TCP 1 stream MTU 1500" vsfp tcp1_1500 ovs tcp1_1500
	ratio_line "vswitchd fastpath=xdp / OVS afxdp, TCP 4 streams MTU 1500" vsfp tcp4_1500 ovs tcp4_1500
	ratio_line "vswitchd fastpath=xdp MTU 9000 / MTU 1500, TCP 1 stream" vsfp tcp1_9000 vsfp tcp1_1500
	ratio_line "vswitchd fastpath=xdp / Linux bridge, TCP 1 stream MTU 1500" vsfp tcp1_1500 br tcp1_1500
	ratio_line "vswitchd fastpath=xdp / Linux bridge, TCP 1 stream MTU 9000" vsfp tcp1_9000 br tcp1_9000
	ratio_line "vswitchd fastpath=xdp / plain vswitchd, TCP 1 stream MTU 1500" vsfp tcp1_1500 vs1 tcp1_1500
	ratio_line "fastpath=xdp NAPI on the PMD CPU (fastpath-napi.sh) / in softirq, MTU 1500" vsfp tcp1_1500 vsfp_softirq tcp1_1500
	ratio_line "fastpath=xdp NAPI on the PMD CPU (fastpath-napi.sh) / in softirq, MTU 9000" vsfp tcp1_9000 vsfp_softirq tcp1_9000
	ratio_line "vswitchd fastpath=xdp MTU 9000 / MTU 1500, host veth NAPI in softirq" vsfp_softirq tcp1_9000 vsfp_softirq tcp1_1500
	echo
}

report() {
	local dev m key med ref ratio runs retr cpu drops note oth disturbed=0
	echo "## vswitch TCP benchmark, $START_DATE"
	echo
	echo "- CPU: $CPU_MODEL, $(nproc) CPUs; kernel $(uname -r); vswitch commit $COMMIT"
	echo "  (git HEAD of $SRC at the start); vswitchd binary: $VSWITCHD, modified"
	echo "  $(stat -c '%y' "$VSWITCHD" | cut -c1-19)$([ "$BIN_FROM_ENV" = 1 ] &&
		echo " (given by VSWITCHD: not necessarily built from that commit)")"
	echo "- $RUNS run(s) x $DURATION s per TCP measurement, median shown (all runs in the"
	echo "  runs column); ping: $PING_COUNT echo requests at ${PING_INTERVAL}s intervals, no other"
	echo "  traffic; containers c1 -> c2 (iperf3 client in c1, server in c2)."
	echo "- Pinning: iperf3 client and server and ping on CPU 0 (taskset -c 0). vswitchd: PMD"
	echo "  thread on CPU 1 (--pmd-cpus 1); the 2-PMD rows use --pmd-cpus 0,1, so one PMD"
	echo "  thread shares CPU 0 with iperf3. Linux bridge (in its own namespace,"
	echo "  bridge-nf-call-iptables/ip6tables/arptables=0 there): no thread, it forwards in"
	echo "  softirq context; RPS on its two ports steers that to CPU 1 (\"no RPS\": it stays on"
	echo "  the sending CPU, 0). OVS: pmd-cpu-mask=0x2 (CPU 1)."
	echo "- Containers keep their default offloads, except in the \"tx off\" rows and for OVS"
	echo "  (\`ethtool -K eth0 tx off\` in both containers, which OVS afxdp needs)."
	echo "- Container RPS (the recommended container setup, docs/afxdp.md): both containers'"
	echo "  eth0 have GRO on and steer their receive work to the CPUs the device does not use"
	echo "  (scripts/container-setup.sh; CPU 0 here; none, so RPS off, for the 2-PMD rows)."
	echo "  Rows marked \"no container RPS\" leave both off, as the kernel has them."
	if [ "$FP_NAPI" = 1 ]; then
		echo "- fastpath=xdp rows: the host veths' NAPI is threaded and pinned to CPU 1, the PMD"
		echo "  CPU (scripts/fastpath-napi.sh, docs/xdp-fastpath.md), except in the \"NAPI in"
		echo "  softirq\" row, where the XDP program runs in softirq on the sender's CPU (0)."
	else
		echo "- fastpath=xdp rows: the host veths' NAPI runs in softirq on the sender's CPU (0)"
		echo "  (--no-fastpath-napi)."
	fi
	local r bgruns=""
	for r in "${BG_RUNS[@]}"; do
		bgruns+="$r, "
	done
	echo "- Load average (1/5/15 min) at start: $LOAD_START; at end: $LOAD_END."
	echo "- CPU used by others, sampled for 1 s while this script ran nothing (start, before"
	echo "  each run, end): ${BG_START}%, $bgruns${BG_END}% of 2 CPUs."
	echo "- Other processes at start: $OTHERS_START; at end: $OTHERS_END. Steal time (CPU"
	echo "  taken by the hypervisor) during the run: ${STEAL}%. Elapsed: ${ELAPSED} s."
	echo "- OVS rows: $OVS_STATUS."
	echo
	echo "| device | measurement | median | vs Linux bridge | runs | TCP retransmits | CPU0/CPU1 busy % | others' CPU % (max) | vswitchd drops |"
	echo "|---|---|---:|---:|---|---:|---:|---:|---:|"
	for dev in "${DEVICES[@]}"; do
		for m in "${METRICS[@]}"; do
			key=$dev\|$m
			[ -n "${VAL[$key]:-}" ] || continue
			# shellcheck disable=SC2086
			med=$(median ${VAL[$key]})
			# shellcheck disable=SC2086
			ref=$(median ${VAL[br|$m]:-})
			ratio=-
			if [ "$dev" != br ] && [ -n "$med" ] && [ -n "$ref" ]; then
				ratio=$(awk -v a="$med" -v b="$ref" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }')
			fi
			# shellcheck disable=SC2086
			runs=$(fmt_runs "${UNIT[$m]}" ${RUNVALS[$key]})
			# shellcheck disable=SC2086
			oth=$(printf '%s\n' ${OTHERS[$key]} | awk '/^[0-9]+$/ { if ($1 > m) m = $1; n++ }
				END { print n ? m + 0 : "-" }')
			[[ ${RUNVALS[$key]} == *\** ]] && disturbed=1
			# shellcheck disable=SC2086
			retr=$(median ${RETR[$key]}); retr=${retr:--}
			# shellcheck disable=SC2086
			cpu=$(printf '%s\n' ${CPU[$key]} | grep / | cut -d/ -f1)
			# shellcheck disable=SC2086
			[ -n "$cpu" ] && cpu="$(median $cpu)/$(median $(printf '%s\n' ${CPU[$key]} | grep / | cut -d/ -f2))"
			drops=-
			if [[ $dev == vs* ]]; then
				# shellcheck disable=SC2086
				drops=$(printf '%s\n' ${DROPS[$key]} | awk '/^[0-9]+$/ { s += $1; n++ } END { print n ? s : "-" }')
			fi
			note=${NOTE[$key]:-}
			printf '| %s | %s | %s%s | %s | %s | %s | %s | %s | %s |\n' "${DEVLABEL[$dev]}" \
				"${LABEL[$m]}" "$(fmt "$med" "${UNIT[$m]}")" \
				"$([ -n "$med" ] && echo " ${UNIT[$m]}")" "$ratio" \
				"$runs${note:+ ($note)}" "$retr" "${cpu:--}" "$oth" "$drops"
		done
	done
	echo
	echo "\"vs Linux bridge\": this row's median / the Linux bridge's median for the same"
	echo "measurement (for RTT, higher is worse). \"vswitchd drops\": sum over all runs of the"
	echo "growth of \`vsctl port-stats\` \`dropped\` (all ports) during the measurement."
	echo "\"others' CPU %\": CPU time used during the measurement by processes this script did"
	echo "not start (kernel threads excluded), in % of one CPU; a run where it exceeded"
	echo "${DISTURBED}% is marked * in the runs column."
	ratios
	echo "vswitchd port-stats drop total after its runs (all ports, all setups): $VS_DROP_TOTAL$(
		[ -n "$(tr -d '\n' <<<"$DROP_REASONS")" ] && printf ' (%s)' "$(awk 'NF == 2 { s[$1] += $2 }
			END { for (r in s) printf "%s%s %d", (n++ ? ", " : ""), r, s[r] }' <<<"$DROP_REASONS")")."
	echo
	echo "vswitchd PMD threads during the TCP measurements (medians over runs). From"
	echo "\`vsctl pmd-stats\`: busy % = TSC cycles in poll iterations that received frames, avg"
	echo "burst and cycles per received frame, frames received per second by all PMD threads"
	echo "(data and ACKs), each thread's share of them. Time in kernel % = system time of the"
	echo "PMD threads / their CPU time (/proc/PID/task/TID/stat): AF_XDP transmit system calls"
	echo "and the softirq work they run. csum completed/s: \`rx-csum-completed\` of all ports."
	echo "PMD CPU µs/frame: the PMD threads' time on a CPU (schedstat; time other threads took"
	echo "is not in it) x busy share / frames received: a frame's CPU cost, which a loaded"
	echo "machine disturbs least. OVS rows: the same from \`ovs-appctl dpif-netdev/pmd-stats-show\`"
	echo "(processing and idle cycles, packets received) and OVS's pmd threads."
	echo
	echo "| device | measurement | PMD busy % | PMD time in kernel % | avg burst | TSC cycles/pkt | kpps received | rx per thread % | csum completed/s | PMD CPU µs/frame |"
	echo "|---|---|---:|---:|---:|---:|---:|---|---:|---:|"
	local f col
	for dev in vs1 vs1_norps vs1_txoff vs2 vsfp vsfp_txoff vsfp_softirq ovs ovs_norps; do
		for m in tcp1_1500 tcp4_1500 tcp1_9000; do
			key=$dev\|$m
			[ -n "${PMD[$key]:-}" ] || continue
			printf '| %s | %s ' "${DEVLABEL[$dev]}" "${LABEL[$m]}"
			for col in 1 7 2 3 4 5 6 8; do
				f=$(tr ',' '\n' <<<"${PMD[$key]}" | awk -v c="$col" 'NF { print $c }')
				if [ "$col" = 5 ]; then
					# shellcheck disable=SC2086
					printf '| %s ' "$(echo $f | tr ' ' ',')"
				else
					# shellcheck disable=SC2086
					f=$(median $f)
					printf '| %s ' "${f:--}"
				fi
			done
			echo "|"
		done
	done
	echo
	echo "Container c1's eth0 offloads once the device was attached (fast-path rows: what XDP carried):"
	for dev in "${DEVICES[@]}"; do
		for mtu in 1500 9000; do
			[ -n "${NOTE[off|$dev|$mtu]:-}" ] &&
				echo "- ${DEVLABEL[$dev]}, MTU $mtu: ${NOTE[off|$dev|$mtu]}"
		done
	done
	if [ "$BIN_START" != "$BIN_END" ]; then
		echo
		echo "**Warning:** vswitchd or vsctl was rebuilt during this run (modified $BIN_END):"
		echo "the vswitchd rows may mix two builds. Rerun, or point VSWITCHD and VSCTL at a"
		echo "build nobody else touches."
	fi
	local bad=$disturbed b
	for b in "$BG_START" "$BG_END" "${BG_RUNS[@]}"; do
		b=${b%%%*}
		[ "$b" -gt 10 ] && bad=1
	done
	if [ "$bad" = 1 ]; then
		echo
		echo "**Warning:** other work was running (more than 10% of the CPUs in an idle sample,"
		echo "or runs marked *): these numbers may be disturbed. Rerun on an idle machine."
	fi
}

{
	report
} >"$MD.tmp" && mv "$MD.tmp" "$MD"

{
	echo "run,device_id,device,measurement_id,measurement,value,unit,tcp_retransmits,cpu0_busy_pct,cpu1_busy_pct,others_cpu_pct,vswitchd_drops,load1"
	printf '%s\n' "${CSV_ROWS[@]}"
	for dev in "${DEVICES[@]}"; do
		for m in "${METRICS[@]}"; do
			[ -n "${VAL[$dev|$m]:-}" ] || continue
			# shellcheck disable=SC2086
			echo "median,$dev,\"${DEVLABEL[$dev]}\",$m,\"${LABEL[$m]}\",$(median ${VAL[$dev|$m]}),${UNIT[$m]},,,,,,"
		done
	done
} >"$CSV"

cat "$MD"
log "wrote $MD, $CSV and $LOGF"
