# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
# perf/lib.sh: helpers shared by the benchmark scripts of perf/ (fwd_bench.sh,
# tcp_bench.sh, mem_bench.sh). Source it after setting ME (the script's short name):
#
#   ME=fwd_bench
#   . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#
# It sets SRC (the source tree), installs the EXIT/INT/TERM traps and provides: logging
# (log, logf, die), process handling (stop_pid and friends: only processes the script
# started, each by its PID), namespaces (new_ns, remove_topology), CPU accounting
# (cpu_snap, cpu_pct), vswitchd (start_vswitchd, vsj, vs_pmd_times, vs_rss_kib), a
# private Open vSwitch instance (ovs_check, ovs_start, ovs_stop) and DPDK helpers
# (dpdk_eal_args, testpmd_start, testpmd_counters).
#
# Conventions of the scripts (as in tests/integration/lib.sh): every namespace and link
# is named with the script's prefix and its PID and deleted by name on exit; addresses
# come from 198.18.0.0/15 only; root-namespace sysctls are not touched.
#
# Hooks a script may define: perf_cleanup_hook (called first on exit, e.g. to stop its
# own generator); LOGF (the log file; log lines go to stderr only until it is set).

set -u
set -o pipefail

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ME=${ME:-perf}
LOGF=${LOGF:-}
MAIN_PID=$BASHPID
TMPD=$(mktemp -d "/tmp/vs-$ME.XXXXXX") || {
	echo "[$ME] ERROR: mktemp -d failed" >&2
	exit 1
}
PIDS=()  # processes we started that may still run (stopped on exit)
NETNS=() # namespaces to delete
LINKS=() # root-namespace links to delete
VSWITCHD_PID="" SOCK=$TMPD/vswitchd.sock VSLOG=$TMPD/vswitchd.log
OVS_DIR=$TMPD/ovs OVS_PIDFILES=() OVS_NETDEV_PREEXISTED=1 OVS_NS="" OVS_DPDK_VSWITCHD=""

# ---- logging -----------------------------------------------------------------

die() {
	printf '[%s] ERROR: %s\n' "$ME" "$*" >&2
	exit 1
}
log() {
	if [ -n "$LOGF" ]; then
		printf '[%s] %s\n' "$ME" "$*" | tee -a "$LOGF" >&2
	else
		printf '[%s] %s\n' "$ME" "$*" >&2
	fi
}
logf() { [ -z "$LOGF" ] || printf '%s\n' "$*" >>"$LOGF"; }

# need_tools TOOL... : dies listing the missing ones ($NEED_HINT says how to install).
need_tools() {
	local t missing=""
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
	done
	[ -z "$missing" ] || die "required tools not found:$missing${NEED_HINT:+ ($NEED_HINT)}"
}

need_root_and_two_cpus() {
	[ "$(id -u)" -eq 0 ] || die "needs root (network namespaces, veths, XDP): sudo $0"
	[ -e /sys/devices/system/cpu/cpu1 ] && taskset -c 0,1 true 2>/dev/null ||
		die "needs CPUs 0 and 1 (traffic on CPU 0, the device under test on CPU 1)"
}

# find_binaries VAR... : each VAR (VSWITCHD, VSCTL, VSGEN, DPDKGEN) defaults to the
# binary of build/ in this tree; missing ones are built with scripts/build.sh.
find_binaries() {
	local v missing=0
	declare -gA PERF_BIN_DEFAULT=([VSWITCHD]=vswitch/vswitchd [VSCTL]=ctl/vsctl
		[VSGEN]=perf/vsgen [DPDKGEN]=perf/dpdkgen [PIPELINE_BENCH]=perf/pipeline_bench)
	for v in "$@"; do
		[ -n "${!v:-}" ] || printf -v "$v" '%s' "$SRC/build/${PERF_BIN_DEFAULT[$v]}"
		[ -x "${!v}" ] || missing=1
	done
	if [ "$missing" = 1 ]; then
		printf '[%s] binaries missing: building with scripts/build.sh\n' "$ME" >&2
		"$SRC/scripts/build.sh" >&2 || die "scripts/build.sh failed"
	fi
	for v in "$@"; do
		[ -x "${!v}" ] || die "not found or not executable: ${!v} (set $v)"
	done
}

# results_dir [BASE]: creates and prints BASE/YYYYMMDD-HHMMSS (BASE: perf/results).
results_dir() {
	local d
	d=${1:-$SRC/perf/results}/$(date +%Y%m%d-%H%M%S)
	[ ! -e "$d" ] || d=$d-$$
	mkdir -p "$d" || die "cannot create $d"
	echo "$d"
}

git_commit() {
	local c
	c=$(git -C "$SRC" rev-parse --short HEAD 2>/dev/null) || { echo unknown; return; }
	[ -n "$(git -C "$SRC" status --porcelain --untracked-files=no 2>/dev/null)" ] &&
		c="$c (plus uncommitted changes)"
	echo "$c"
}

cpu_model() { awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

# ---- processes ---------------------------------------------------------------

# wait_pid_gone PID SECS: waits for PID (need not be our child) to exit.
wait_pid_gone() {
	local i
	for ((i = 0; i < ${2:-10} * 10; i++)); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	return 1
}

# Forgets PID, so that its number, once reused, is never signalled.
untrack() {
	local p keep=()
	for p in "${PIDS[@]}"; do
		[ "$p" = "$1" ] || keep+=("$p")
	done
	PIDS=("${keep[@]}")
}

# stop_pid PID [SIG [SECS]]: SIG (default TERM), KILL after SECS (default 5) seconds;
# reaps it if it is our child.
stop_pid() {
	local pid=$1
	if kill -0 "$pid" 2>/dev/null; then
		kill "-${2:-TERM}" "$pid" 2>/dev/null
		if ! wait_pid_gone "$pid" "${3:-5}"; then
			kill -KILL "$pid" 2>/dev/null
			wait_pid_gone "$pid" 5
		fi
	fi
	wait "$pid" 2>/dev/null
	untrack "$pid"
	return 0
}

# wait_until SECS CMD...: runs CMD every 0.1 s until it succeeds.
wait_until() {
	local secs=$1 i
	shift
	for ((i = 0; i < secs * 10; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	"$@"
}

# ---- namespaces ----------------------------------------------------------------

# new_ns NAME: a namespace without IPv6 (the kernel sends nothing of its own), lo up.
new_ns() {
	ip netns add "$1" || return 1
	NETNS+=("$1")
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 || return 1
	ip -n "$1" link set lo up
}

remove_topology() {
	local n l
	for n in "${NETNS[@]}"; do
		ip netns del "$n" 2>/dev/null
	done
	for l in "${LINKS[@]}"; do
		ip link show dev "$l" >/dev/null 2>&1 && ip link del dev "$l" 2>/dev/null
	done
	NETNS=() LINKS=()
}

# bridge_nf_off NS: br_netfilter's sysctls exist per namespace; off in NS only, so bridged
# frames skip iptables/ip6tables/arptables (the root namespace is not touched).
bridge_nf_off() {
	local k v
	[ -d /proc/sys/net/bridge ] || ip netns exec "$1" test -d /proc/sys/net/bridge || return 0
	for k in iptables ip6tables arptables; do
		ip netns exec "$1" sysctl -qw "net.bridge.bridge-nf-call-$k=0" 2>/dev/null
		v=$(ip netns exec "$1" sysctl -n "net.bridge.bridge-nf-call-$k" 2>/dev/null)
		[ -z "$v" ] || [ "$v" = 0 ] || { logf "bridge-nf-call-$k is $v in $1"; return 1; }
	done
}

# ---- CPU accounting --------------------------------------------------------------

# Busy and total jiffies of CPU 0 and CPU 1: "busy0 total0 busy1 total1".
cpu_snap() {
	awk '/^cpu[01] / { b = $2 + $3 + $4 + $7 + $8 + $9; printf "%d %d ", b, b + $5 + $6 }
	     END { print "" }' /proc/stat
}
# cpu_pct "SNAP_BEFORE" "SNAP_AFTER": "busy0/busy1" in percent.
cpu_pct() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		split(a, x, " "); split(b, y, " ")
		t0 = y[2] - x[2]; t1 = y[4] - x[4]
		printf "%.0f/%.0f", t0 ? 100 * (y[1] - x[1]) / t0 : 0, t1 ? 100 * (y[3] - x[3]) / t1 : 0
	}'
}

# ---- vswitchd --------------------------------------------------------------------

vsj() { "$VSCTL" -s "$SOCK" -t 5 --json "$@"; }

# start_vswitchd NS PMD_CPUS [ARGS...]: vswitchd in namespace NS (empty: the root
# namespace) with --pmd-cpus PMD_CPUS; waits until it answers on $SOCK.
start_vswitchd() {
	local ns=$1 cpus=$2 i pre=()
	shift 2
	[ -n "$ns" ] && pre=(ip netns exec "$ns")
	: >"$VSLOG"
	"${pre[@]}" "$VSWITCHD" --socket "$SOCK" --pmd-cpus "$cpus" --log-level info "$@" \
		>>"$VSLOG" 2>&1 &
	VSWITCHD_PID=$!
	for ((i = 0; i < 150; i++)); do
		kill -0 "$VSWITCHD_PID" 2>/dev/null || {
			wait "$VSWITCHD_PID" 2>/dev/null
			VSWITCHD_PID=""
			logf "vswitchd exited during start-up: $(tail -n 5 "$VSLOG" | tr '\n' ' ')"
			return 1
		}
		"$VSCTL" -s "$SOCK" -t 2 version >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	logf "vswitchd did not answer on $SOCK"
	return 1
}

vswitchd_alive() { [ -n "$VSWITCHD_PID" ] && kill -0 "$VSWITCHD_PID" 2>/dev/null; }

stop_vswitchd() {
	[ -n "$VSWITCHD_PID" ] || return 0
	stop_pid "$VSWITCHD_PID"
	VSWITCHD_PID=""
	[ -z "$LOGF" ] || cat "$VSLOG" >>"$LOGF"
}

# True if this vswitchd binary was built with DPDK ports (it links DPDK's ethdev library;
# a build without DPDK accepts --dpdk only to refuse it).
# (Not "ldd | grep -q": with pipefail, grep leaving early can fail the pipeline by SIGPIPE.)
vswitchd_has_dpdk() { [[ $(ldd "$VSWITCHD" 2>/dev/null) == *librte_ethdev* ]]; }

# CPU time of vswitchd's PMD threads (named pmdN), in clock ticks: "user system".
vs_pmd_times() {
	local t u=0 k=0 a b
	for t in /proc/"$VSWITCHD_PID"/task/*; do
		case $(cat "$t/comm" 2>/dev/null) in pmd*) ;; *) continue ;; esac
		read -r a b < <(awk '{ print $14, $15 }' "$t/stat" 2>/dev/null) || continue
		u=$((u + a)) k=$((k + b))
	done
	echo "$u $k"
}

# Scheduler times of vswitchd's PMD threads, in ns: "on-CPU runnable-but-waiting"
# (/proc/.../schedstat). A busy-polling thread is always runnable, so on-CPU / (on-CPU +
# waiting) is the share of its CPU it got, whatever else ran there.
vs_pmd_sched() {
	local t r=0 w=0 a b
	for t in /proc/"$VSWITCHD_PID"/task/*; do
		case $(cat "$t/comm" 2>/dev/null) in pmd*) ;; *) continue ;; esac
		read -r a b _ <"$t/schedstat" 2>/dev/null || continue
		r=$((r + a)) w=$((w + b))
	done
	echo "$r $w"
}

# vs_rss_kib [PID]: VmRSS of vswitchd (or PID) in KiB.
vs_rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/${1:-$VSWITCHD_PID}/status"; }

# ---- DPDK ------------------------------------------------------------------------

# dpdk_eal_args PREFIX LCORES: EAL options of every DPDK process of the benchmarks: no
# PCI, a private --file-prefix (its own runtime directory), LCORES as given to --lcores
# (e.g. "0@1,1@1": two lcores on CPU 1), and the memory of dpdk_mem_args.
dpdk_eal_args() {
	echo "--lcores $2 $(dpdk_mem_args "$1") --log-level=notice"
}

# dpdk_mem_args PREFIX [MB]: memory, PCI and prefix options of a DPDK process: MB (default
# 256) of 2 MiB hugepages from the private mount of huge_reserve when there is one, else
# 512 MiB of ordinary 4 KiB pages (--no-huge).
dpdk_mem_args() {
	if [ -n "$HUGE_DIR" ]; then
		echo "-m ${2:-256} --huge-dir $HUGE_DIR --huge-unlink --no-pci --file-prefix $1"
	else
		echo "--no-huge -m 512 --no-pci --file-prefix $1"
	fi
}

# ---- hugepages ---------------------------------------------------------------------

# huge_reserve MB: adds MB of 2 MiB hugepages to the kernel's pool (nr_hugepages) and
# mounts a private hugetlbfs on $TMPD/huge (HUGE_DIR) for this script's DPDK processes.
# huge_release (called on exit) unmounts it and takes back exactly the pages added, so
# nr_hugepages returns to its previous value even if others changed it meanwhile (their
# change is kept). On failure everything is undone, HUGE_NOTE says why, returns 1.
HUGE_DIR="" HUGE_ADDED=0 HUGE_NOTE="" HUGE_PREV=""
HUGE_NR=/proc/sys/vm/nr_hugepages HUGE_LOCK=/run/lock/vswitch-perf-hugepages.lock
[ -d /run/lock ] || HUGE_LOCK=/tmp/vswitch-perf-hugepages.lock
huge_adjust() { # DELTA: nr_hugepages += DELTA, under a lock against other scripts
	(
		flock -w 10 9 || true
		echo $(($(cat "$HUGE_NR") + $1)) >"$HUGE_NR"
	) 9>>"$HUGE_LOCK" 2>/dev/null
}
huge_reserve() {
	local mb=$1 pages sz before after
	sz=$(awk '/^Hugepagesize:/ { print $2 }' /proc/meminfo)
	[ "$sz" = 2048 ] || { HUGE_NOTE="the default hugepage size is ${sz:-unknown} kB, not 2048"; return 1; }
	pages=$(((mb + 1) / 2))
	HUGE_PREV=$(cat "$HUGE_NR") || { HUGE_NOTE="cannot read $HUGE_NR"; return 1; }
	before=$(awk '/^HugePages_Total:/ { print $2 }' /proc/meminfo)
	huge_adjust "$pages" || { HUGE_NOTE="cannot write $HUGE_NR"; return 1; }
	after=$(awk '/^HugePages_Total:/ { print $2 }' /proc/meminfo)
	HUGE_ADDED=$((after - before))
	[ "$HUGE_ADDED" -ge 0 ] || HUGE_ADDED=0
	if [ "$HUGE_ADDED" -lt "$pages" ]; then
		HUGE_NOTE="the kernel gave $HUGE_ADDED of $pages hugepages (memory fragmented?)"
		huge_release
		return 1
	fi
	mkdir -p "$TMPD/huge" && mount -t hugetlbfs -o pagesize=2M nodev "$TMPD/huge" || {
		HUGE_NOTE="cannot mount hugetlbfs on $TMPD/huge"
		huge_release
		return 1
	}
	HUGE_DIR=$TMPD/huge
	logf "hugepages: nr_hugepages $HUGE_PREV -> $(cat "$HUGE_NR") (+$HUGE_ADDED x 2 MiB), hugetlbfs on $HUGE_DIR"
}
huge_release() {
	if [ -n "$HUGE_DIR" ]; then
		umount "$HUGE_DIR" 2>/dev/null || umount -l "$HUGE_DIR"
		rmdir "$HUGE_DIR" 2>/dev/null
		HUGE_DIR=""
	fi
	if [ "$HUGE_ADDED" -gt 0 ]; then
		huge_adjust "-$HUGE_ADDED"
		logf "hugepages: $HUGE_ADDED given back, nr_hugepages now $(cat "$HUGE_NR") (was $HUGE_PREV before the run)"
		HUGE_ADDED=0
	fi
}

# testpmd_start NS LOG MODE VDEV...: dpdk-testpmd forwarding between two ports in MODE (io,
# mac) on CPU 1 (main and forwarding lcore both there), in namespace NS (empty: root),
# printing port statistics to LOG once a second. Sets TESTPMD_PID.
TESTPMD_PID=""
testpmd_start() {
	local ns=$1 out=$2 mode=$3 pre=() vdevs=() v
	shift 3
	for v in "$@"; do
		vdevs+=(--vdev "$v")
	done
	[ -n "$ns" ] && pre=(ip netns exec "$ns")
	rm -f "$out" # the check below must not see a previous testpmd's statistics
	# shellcheck disable=SC2046
	"${pre[@]}" dpdk-testpmd $(dpdk_eal_args "${P}tp" "0@1,1@1") "${vdevs[@]}" -- \
		--forward-mode="$mode" --nb-cores 1 --total-num-mbufs 16384 --stats-period 1 \
		</dev/null >"$out" 2>&1 &
	TESTPMD_PID=$!
	PIDS+=("$TESTPMD_PID")
	# Forwarding has started once the first statistics are printed.
	wait_until 20 grep -qs 'NIC statistics for port' "$out" && kill -0 "$TESTPMD_PID" 2>/dev/null
}

testpmd_stop() {
	[ -n "$TESTPMD_PID" ] || return 0
	stop_pid "$TESTPMD_PID" INT 15 # it stops and closes its ports first
	TESTPMD_PID=""
}

# testpmd_counters LOG: the last statistics testpmd printed, summed over its ports:
# "rx-missed rx-nombuf rx-errors tx-errors rx-packets" (tab-separated).
testpmd_counters() {
	awk '/NIC statistics for port/ { p = $(NF - 1) }
	     /RX-missed:/ { m[p] = $4; rx[p] = $2 } /RX-errors:/ { e[p] = $2 }
	     /RX-nombuf:/ { nb[p] = $2 } /TX-errors:/ { te[p] = $4 }
	     END { for (q in m) { M += m[q]; N += nb[q]; E += e[q]; T += te[q]; R += rx[q] }
	           printf "%d\t%d\t%d\t%d\t%d\n", M, N, E, T, R }' "$1"
}

# ---- Open vSwitch (private instance) --------------------------------------------------

# ovs_check: sets OVS_OK (1 if the OVS userspace tools are installed) and OVS_STATUS.
ovs_check() {
	local t missing=""
	OVS_OK=0
	for t in ovs-vswitchd ovsdb-server ovsdb-tool ovs-vsctl ovs-appctl; do
		command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
	done
	if [ -n "$missing" ]; then
		OVS_STATUS="skipped: not installed:$missing (apt-get install openvswitch-switch-dpdk; the scripts never install it)"
		return 1
	fi
	OVS_OK=1
	OVS_STATUS="$(ovs-vswitchd --version | head -1)"
	# Debian installs the DPDK build beside the plain one (update-alternatives picks the
	# default): dpdk ports need that one, whichever the system uses.
	OVS_DPDK_VSWITCHD=""
	if [[ $(ovs-vswitchd --version 2>/dev/null) == *DPDK* ]]; then
		OVS_DPDK_VSWITCHD=$(command -v ovs-vswitchd)
	elif [ -x /usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk ]; then
		OVS_DPDK_VSWITCHD=/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk
	fi
}

ovs_ctl() { ovs-vsctl --db="unix:$OVS_DIR/db.sock" --timeout=20 "$@"; }

# ovs_start NS PMD_MASK: a private ovsdb-server and ovs-vswitchd (own database, run, log
# and pid files under $OVS_DIR; nothing shared with a system OVS); ovs-vswitchd runs in
# namespace NS (empty: root) with other_config:pmd-cpu-mask=PMD_MASK, and any further
# other_config KEY=VALUE given (e.g. dpdk-init=true), set before it starts.
ovs_start() {
	local ns=$1 mask=$2 pre=() kv
	[ -n "$ns" ] && pre=(ip netns exec "$ns")
	OVS_NS=$ns
	rm -rf "$OVS_DIR"
	mkdir -p "$OVS_DIR" || return 1
	if [ -z "$ns" ]; then
		ip link show dev ovs-netdev >/dev/null 2>&1 && OVS_NETDEV_PREEXISTED=1 ||
			OVS_NETDEV_PREEXISTED=0
	fi
	export OVS_RUNDIR=$OVS_DIR OVS_LOGDIR=$OVS_DIR OVS_DBDIR=$OVS_DIR OVS_SYSCONFDIR=$OVS_DIR
	ovsdb-tool create "$OVS_DIR/conf.db" >>"${LOGF:-/dev/null}" 2>&1 || return 1
	ovsdb-server "$OVS_DIR/conf.db" --remote="punix:$OVS_DIR/db.sock" \
		--pidfile="$OVS_DIR/ovsdb-server.pid" --log-file="$OVS_DIR/ovsdb-server.log" \
		--no-chdir --detach >>"${LOGF:-/dev/null}" 2>&1 || return 1
	OVS_PIDFILES+=("$OVS_DIR/ovsdb-server.pid")
	ovs_ctl --no-wait init || return 1
	ovs_ctl --no-wait set Open_vSwitch . "other_config:pmd-cpu-mask=$mask" || return 1
	for kv in "${@:3}"; do
		ovs_ctl --no-wait set Open_vSwitch . "other_config:$kv" || return 1
	done
	"${pre[@]}" "${OVS_VSWITCHD:-ovs-vswitchd}" "unix:$OVS_DIR/db.sock" --pidfile="$OVS_DIR/ovs-vswitchd.pid" \
		--log-file="$OVS_DIR/ovs-vswitchd.log" --no-chdir --detach \
		>>"${LOGF:-/dev/null}" 2>&1 || return 1
	OVS_PIDFILES+=("$OVS_DIR/ovs-vswitchd.pid")
}

# ovs_stop [BRIDGE]: stops the daemons ovs_start started (by the PIDs in their pid files)
# and deletes BRIDGE's and the datapath's tap devices if we created them.
ovs_stop() {
	local f pid br=${1:-}
	[ "${#OVS_PIDFILES[@]}" -gt 0 ] || return 0
	if [ -f "$OVS_DIR/ovs-vswitchd.pid" ]; then
		pid=$(cat "$OVS_DIR/ovs-vswitchd.pid" 2>/dev/null)
		[ -n "$pid" ] && ovs-appctl -t "$(echo "$OVS_DIR"/ovs-vswitchd*."$pid".ctl)" --timeout=10 \
			exit --cleanup >/dev/null 2>&1
	fi
	for f in "${OVS_PIDFILES[@]}"; do
		pid=$(cat "$f" 2>/dev/null) || continue
		[ -n "$pid" ] && stop_pid "$pid"
	done
	OVS_PIDFILES=()
	if [ -f "$OVS_DIR/ovs-vswitchd.log" ]; then
		logf "---- ovs-vswitchd log (last 30 lines) ----"
		[ -z "$LOGF" ] || tail -n 30 "$OVS_DIR/ovs-vswitchd.log" >>"$LOGF"
	fi
	if [ -z "$OVS_NS" ]; then
		# The userspace datapath's tap devices, in the root namespace: ours if they
		# did not exist before (in a namespace of ours they go with it).
		[ -n "$br" ] && ip link show dev "$br" >/dev/null 2>&1 && ip link del dev "$br"
		if [ "$OVS_NETDEV_PREEXISTED" = 0 ] && ip link show dev ovs-netdev >/dev/null 2>&1; then
			ip link del dev ovs-netdev
		fi
	fi
	unset OVS_RUNDIR OVS_LOGDIR OVS_DBDIR OVS_SYSCONFDIR
}

# ---- exit ------------------------------------------------------------------------

perf_cleanup() {
	local rc=$? pid
	trap - EXIT INT TERM
	# A background child killed before it exec'd still has these traps.
	[ "$BASHPID" = "$MAIN_PID" ] || exit "$rc"
	trap '' PIPE
	set +e
	declare -F perf_cleanup_hook >/dev/null && perf_cleanup_hook
	testpmd_stop
	[ -n "$VSWITCHD_PID" ] && stop_pid "$VSWITCHD_PID"
	ovs_stop
	for pid in "${PIDS[@]}"; do
		stop_pid "$pid"
	done
	remove_topology
	huge_release
	# The runtime directories of our DPDK processes (their --file-prefix names).
	local sfx
	for sfx in tp gen vs ovs; do
		[ -n "${P:-}" ] && [ -d "/var/run/dpdk/$P$sfx" ] && rm -rf "/var/run/dpdk/$P$sfx"
	done
	if [ "$rc" -ne 0 ] && [ -s "$VSLOG" ] && [ -n "$LOGF" ]; then
		logf "---- vswitchd log (last 100 lines) ----"
		tail -n 100 "$VSLOG" >>"$LOGF"
	fi
	rm -rf "$TMPD"
	exit "$rc"
}
trap perf_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
