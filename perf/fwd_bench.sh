#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# perf/fwd_bench.sh: forwarding rate, generator -> device under test -> sink, over veths.
# vsgen (perf/vsgen.c, AF_XDP ports of vswitch's own port layer) sends UDP frames on gA
# and counts them on gB; the device under test forwards dA -> dB:
#
#   namespace G: vsgen  gA ====veth==== dA  namespace D: device  dB ====veth==== gB  vsgen
#
# Devices, all in one run: vswitchd (one PMD thread on CPU 1, AF_XDP ports dA and dB; dA's
# veth receive work in a kernel thread on CPU 1, then in the sender's softirq on CPU 0), the
# Linux bridge (bridge netfilter off in D, its receive work steered to CPU 1 with RPS), and
# "veth only" (one veth pair gA <-> gB: the generator's own ceiling). vsgen runs on CPU 0.
# Prints one Markdown table and writes it and a CSV to perf/results/fwd-DATE.{md,csv}
# (plus a log). Needs root. perf/README.md explains the rows and columns.
#
# Every namespace it creates is named with the prefix vsf<PID> and removed by name on exit
# (the veths go with them); no addresses are configured; only processes it started are
# stopped, each by its PID. Root-namespace sysctls are not touched.

set -u
set -o pipefail

ME=fwd_bench
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

usage() {
	cat <<EOF
Usage: perf/fwd_bench.sh [OPTIONS]
Forwarding rate generator -> device -> sink over veths, for vswitchd, the Linux bridge
and veth only (the generator's ceiling), in one run. Run as root, with CPUs 0 and 1.

  --sizes LIST   Ethernet frame sizes including the 4-byte FCS, comma-separated
                 (default 64,512,1518; 64..1518, MTU 1500); vsgen sends SIZE-4 bytes
  --seconds S    length of one measurement (default 10)
  --warmup S     traffic before each measurement, not counted (default 1)
  --rate PPS     offered rate, 0 = as fast as the generator can (default 0)
  --flows N      UDP flows (source port / source IP), default 1
  --quick        smoke run: --seconds 2 --warmup 0.5 (explicit options still win)
  --out DIR      directory for the results (default perf/results of this tree)
  -h, --help     this help

Environment: VSWITCHD, VSCTL, VSGEN select the binaries (default build/vswitch/vswitchd,
build/ctl/vsctl, build/perf/vsgen; built with scripts/build.sh when missing).
EOF
}

die() {
	printf '[%s] ERROR: %s\n' "$ME" "$*" >&2
	exit 1
}

# ---- options ---------------------------------------------------------------

opt_seconds="" opt_warmup="" QUICK=0 OUTDIR=$SRC/perf/results SIZES=64,512,1518 RATE=0 FLOWS=1
need_arg() { [ "$2" -ge 2 ] || { usage >&2; die "$1 needs a value"; }; }
while [ $# -gt 0 ]; do
	case $1 in
	--sizes) need_arg "$1" $#; SIZES=$2; shift 2 ;;
	--sizes=*) SIZES=${1#*=}; shift ;;
	--seconds) need_arg "$1" $#; opt_seconds=$2; shift 2 ;;
	--seconds=*) opt_seconds=${1#*=}; shift ;;
	--warmup) need_arg "$1" $#; opt_warmup=$2; shift 2 ;;
	--warmup=*) opt_warmup=${1#*=}; shift ;;
	--rate) need_arg "$1" $#; RATE=$2; shift 2 ;;
	--rate=*) RATE=${1#*=}; shift ;;
	--flows) need_arg "$1" $#; FLOWS=$2; shift 2 ;;
	--flows=*) FLOWS=${1#*=}; shift ;;
	--quick) QUICK=1; shift ;;
	--out) need_arg "$1" $#; OUTDIR=$2; shift 2 ;;
	--out=*) OUTDIR=${1#*=}; shift ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; die "unknown option: $1" ;;
	esac
done
DURATION=10 WARMUP=1
[ "$QUICK" = 1 ] && DURATION=2 WARMUP=0.5
[ -n "$opt_seconds" ] && DURATION=$opt_seconds
[ -n "$opt_warmup" ] && WARMUP=$opt_warmup
[[ $DURATION =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "--seconds must be a number: $DURATION"
[[ $WARMUP =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "--warmup must be a number: $WARMUP"
[[ $RATE =~ ^[0-9]+$ ]] || die "--rate must be an integer: $RATE"
[[ $FLOWS =~ ^[1-9][0-9]*$ ]] || die "--flows must be a positive integer: $FLOWS"
IFS=, read -r -a SIZE_LIST <<<"$SIZES"
[ "${#SIZE_LIST[@]}" -gt 0 ] || die "--sizes is empty"
for s in "${SIZE_LIST[@]}"; do
	[[ $s =~ ^[0-9]+$ ]] && [ "$s" -ge 64 ] && [ "$s" -le 1518 ] ||
		die "frame sizes must be 64..1518 (with FCS): $s"
done

# ---- prerequisites ---------------------------------------------------------

[ "$(id -u)" -eq 0 ] || die "needs root (network namespaces, veths, XDP): sudo $0"
missing=""
for tool in ip jq awk sysctl taskset ps; do
	command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
[ -z "$missing" ] || die "required tools not found:$missing (apt-get install iproute2 jq gawk procps util-linux)"
[ -e /sys/devices/system/cpu/cpu1 ] && taskset -c 0,1 true 2>/dev/null ||
	die "needs CPUs 0 and 1 (vsgen on CPU 0, the device under test on CPU 1)"

VSWITCHD=${VSWITCHD:-$SRC/build/vswitch/vswitchd}
VSCTL=${VSCTL:-$SRC/build/ctl/vsctl}
VSGEN=${VSGEN:-$SRC/build/perf/vsgen}
if [ ! -x "$VSWITCHD" ] || [ ! -x "$VSCTL" ] || [ ! -x "$VSGEN" ]; then
	printf '[%s] binaries missing: building with scripts/build.sh\n' "$ME" >&2
	"$SRC/scripts/build.sh" >&2 || die "scripts/build.sh failed"
fi
for b in "$VSWITCHD" "$VSCTL" "$VSGEN"; do
	[ -x "$b" ] || die "not found or not executable: $b (set VSWITCHD, VSCTL, VSGEN)"
done

mkdir -p "$OUTDIR" || die "cannot create $OUTDIR"
STAMP=$(date +%Y%m%d-%H%M%S)
BASE=$OUTDIR/fwd-$STAMP
MD=$BASE.md CSV=$BASE.csv LOGF=$BASE.log
: >"$LOGF" || die "cannot write $LOGF"

log() { printf '[%s] %s\n' "$ME" "$*" | tee -a "$LOGF" >&2; }
logf() { printf '%s\n' "$*" >>"$LOGF"; }

# ---- names, cleanup --------------------------------------------------------

P=vsf$$ # every name starts with it (interfaces: at most 15 characters)
G=${P}g D=${P}d
GA=${P}gA GB=${P}gB DA=${P}dA DB=${P}dB BR=${P}br

MAIN_PID=$BASHPID
TMPD=$(mktemp -d /tmp/vs-fwdbench.XXXXXX) || die "mktemp -d failed"
NETNS=()
VSWITCHD_PID="" GEN_PID="" SOCK=$TMPD/vswitchd.sock VSLOG=$TMPD/vswitchd.log TSV=$TMPD/rows.tsv PMDTSV=$TMPD/pmd.tsv

wait_pid_gone() { # PID SECS
	local i
	for ((i = 0; i < ${2:-10} * 10; i++)); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	return 1
}

stop_pid() { # PID: TERM, KILL after 5 s, reap
	local pid=$1
	if kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null
		if ! wait_pid_gone "$pid" 5; then
			kill -KILL "$pid" 2>/dev/null
			wait_pid_gone "$pid" 5
		fi
	fi
	wait "$pid" 2>/dev/null
	return 0
}

remove_topology() {
	local n
	for n in "${NETNS[@]}"; do
		ip netns del "$n" 2>/dev/null
	done
	NETNS=()
}

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	[ "$BASHPID" = "$MAIN_PID" ] || exit "$rc"
	set +e
	[ -n "$GEN_PID" ] && stop_pid "$GEN_PID"
	[ -n "$VSWITCHD_PID" ] && stop_pid "$VSWITCHD_PID"
	remove_topology
	if [ "$rc" -ne 0 ] && [ -s "$VSLOG" ]; then
		logf "---- vswitchd log (last 100 lines) ----"
		tail -n 100 "$VSLOG" >>"$LOGF"
	fi
	rm -rf "$TMPD"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- helpers ---------------------------------------------------------------

# Busy and total jiffies of CPU 0 and CPU 1: "busy0 total0 busy1 total1".
cpu_snap() {
	awk '/^cpu[01] / { b = $2 + $3 + $4 + $7 + $8 + $9; printf "%d %d ", b, b + $5 + $6 }
	     END { print "" }' /proc/stat
}
cpu_pct() { # "SNAP_BEFORE" "SNAP_AFTER": "busy0/busy1" in percent
	awk -v a="$1" -v b="$2" 'BEGIN {
		split(a, x, " "); split(b, y, " ")
		t0 = y[2] - x[2]; t1 = y[4] - x[4]
		printf "%.0f/%.0f", t0 ? 100 * (y[1] - x[1]) / t0 : 0, t1 ? 100 * (y[3] - x[3]) / t1 : 0
	}'
}

new_ns() { # NAME: a namespace without IPv6, so the kernel sends nothing of its own
	ip netns add "$1" || return 1
	NETNS+=("$1")
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 || return 1
	ip -n "$1" link set lo up
}

# Kernel threads of threaded NAPI for IFACE (comm "napi/IFACE-ID", cut to 15 characters).
napi_tids() {
	local pat="napi/$1-"
	pat=${pat:0:15}
	ps -e -L -o tid=,comm= | awk -v p="$pat" 'index($2, p) == 1 { print $1 }'
}

# threaded_napi NS IFACE CPU: veth receive work of IFACE in a kernel thread pinned to CPU.
# Only after XDP is attached (environment notes: the other order can starve AF_XDP).
threaded_napi() {
	local t tids
	ip netns exec "$1" sh -c "echo 1 > /sys/class/net/$2/threaded" || return 1
	tids=$(napi_tids "$2")
	[ -n "$tids" ] || { logf "no napi thread found for $2"; return 1; }
	for t in $tids; do
		taskset -p -c "$3" "$t" >/dev/null || return 1
	done
	logf "$2: threaded NAPI, thread(s) $tids on CPU $3"
}

# ---- topology --------------------------------------------------------------

# G holds gA and gB (vsgen); D holds dA and dB (the device under test).
make_dut_topology() {
	new_ns "$G" && new_ns "$D" || return 1
	ip -n "$G" link add "$GA" type veth peer name "$DA" netns "$D" || return 1
	ip -n "$D" link add "$DB" type veth peer name "$GB" netns "$G" || return 1
	ip -n "$G" link set "$GA" up && ip -n "$G" link set "$GB" up || return 1
	ip -n "$D" link set "$DA" up && ip -n "$D" link set "$DB" up || return 1
}

make_veth_topology() {
	new_ns "$G" || return 1
	ip -n "$G" link add "$GA" type veth peer name "$GB" || return 1
	ip -n "$G" link set "$GA" up && ip -n "$G" link set "$GB" up || return 1
}

# ---- devices ---------------------------------------------------------------

vsj() { "$VSCTL" -s "$SOCK" -t 5 --json "$@"; }

# setup_vswitchd [softirq]: dA's receive work in a threaded-NAPI kernel thread on CPU 1
# (default) or, with "softirq", where the kernel puts it: in the sender's softirq (CPU 0).
setup_vswitchd() {
	local out p
	make_dut_topology || return 1
	: >"$VSLOG"
	ip netns exec "$D" "$VSWITCHD" --socket "$SOCK" --pmd-cpus 1 --log-level info \
		>>"$VSLOG" 2>&1 &
	VSWITCHD_PID=$!
	for ((i = 0; i < 100; i++)); do
		kill -0 "$VSWITCHD_PID" 2>/dev/null || { VSWITCHD_PID=""; logf "vswitchd exited"; return 1; }
		"$VSCTL" -s "$SOCK" -t 2 version >/dev/null 2>&1 && break
		sleep 0.1
	done
	out=$("$VSCTL" -s "$SOCK" add-br br0 2>&1) || { logf "add-br: $out"; return 1; }
	for p in "$DA" "$DB"; do
		out=$("$VSCTL" -s "$SOCK" add-port br0 "$p" 2>&1) || { logf "add-port $p: $out"; return 1; }
	done
	if [ "${1:-}" != softirq ]; then
		threaded_napi "$D" "$DA" 1 || return 1
	fi
	logf "vswitchd: $(vsj show | jq -c '[.bridges[0].ports[] | {name, options}]')"
}

teardown() {
	if [ -n "$VSWITCHD_PID" ]; then
		logf "vswitchd pmd-stats: $(vsj pmd-stats | jq -c . 2>/dev/null)"
		stop_pid "$VSWITCHD_PID"
		VSWITCHD_PID=""
		cat "$VSLOG" >>"$LOGF"
	fi
	remove_topology
}

setup_bridge() {
	local k v
	make_dut_topology || return 1
	# br_netfilter's sysctls exist per namespace: off in D only, so bridged frames skip
	# iptables/ip6tables/arptables; the root namespace's settings are not touched.
	if [ -d /proc/sys/net/bridge ] || ip netns exec "$D" test -d /proc/sys/net/bridge; then
		for k in iptables ip6tables arptables; do
			ip netns exec "$D" sysctl -qw "net.bridge.bridge-nf-call-$k=0" 2>/dev/null
			v=$(ip netns exec "$D" sysctl -n "net.bridge.bridge-nf-call-$k" 2>/dev/null)
			[ -z "$v" ] || [ "$v" = 0 ] || { logf "bridge-nf-call-$k is $v in $D"; return 1; }
		done
	fi
	ip -n "$D" link add "$BR" type bridge || return 1
	ip -n "$D" link set "$DA" master "$BR" && ip -n "$D" link set "$DB" master "$BR" || return 1
	ip -n "$D" link set "$BR" up || return 1
	# The bridge has no thread: it forwards in softirq on the CPU that receives on dA,
	# which is the sender's (CPU 0). RPS steers that work to CPU 1 (mask 2).
	ip netns exec "$D" sh -c "echo 2 > /sys/class/net/$DA/queues/rx-0/rps_cpus" || return 1
	logf "bridge: $(ip -n "$D" -d link show "$BR" | tr '\n' ' ')"
}

setup_vswitchd_softirq() { setup_vswitchd softirq; }
setup_veth() { make_veth_topology; }

# Drop counters of the device as "summary|total": vswitchd from port-stats, the bridge
# from the dA/dB link counters; all counters of one snapshot, for a delta later.
dut_counters() {
	case $1 in
	vswitchd*)
		vsj port-stats | jq -r '[
			([.ports[].dropped] | add // 0),
			([.ports[].drops."rx-ring-full" // 0] | add // 0),
			([.ports[].drops."rx-fill-empty" // 0] | add // 0),
			([.ports[].drops."tx-ring-full" // 0] | add // 0)] | @tsv'
		;;
	bridge)
		ip -n "$D" -s -j link show | jq -r --arg a "$DA" --arg b "$DB" '
			(map({(.ifname): .stats64}) | add) as $s |
			[($s[$a].rx.dropped + $s[$a].tx.dropped + $s[$b].rx.dropped + $s[$b].tx.dropped),
			 $s[$a].rx.dropped, $s[$a].tx.dropped, $s[$b].rx.dropped, $s[$b].tx.dropped] | @tsv'
		;;
	*) echo "" ;;
	esac
}

dut_drops_text() { # DEV "BEFORE" "AFTER": total<TAB>text
	awk -v d="$1" -v a="$2" -v b="$3" 'BEGIN {
		n = split(a, x, "\t"); split(b, y, "\t")
		for (i = 1; i <= n; i++) z[i] = y[i] - x[i]
		if (d ~ /^vswitchd/)
			printf "%d\tdropped %d (rx-ring-full %d, rx-fill-empty %d, tx-ring-full %d)\n",
				z[1], z[1], z[2], z[3], z[4]
		else if (d == "bridge")
			printf "%d\tdA rx/tx %d/%d, dB rx/tx %d/%d\n", z[1], z[2], z[3], z[4], z[5]
		else
			printf "\t-\n"
	}'
}

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

# PMD counters summed over threads: "rx-packets rx-bursts busy-cycles idle-cycles utime stime".
vs_pmd_snap() {
	local times
	times=$(vs_pmd_times)
	vsj pmd-stats | jq -r --arg u "${times% *}" --arg k "${times#* }" '[
		([.pmds[]."rx-packets"] | add), ([.pmds[]."rx-bursts"] | add),
		([.pmds[]."busy-cycles"] | add), ([.pmds[]."idle-cycles"] | add), $u, $k] | @tsv'
}

# vs_pmd_delta BEFORE AFTER: "busy% avg-burst busy-cycles/pkt kernel%" (tab-separated); kernel%
# is the share of the PMD thread's CPU time spent in the kernel (system calls and the softirq
# work run in them).
vs_pmd_delta() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		split(a, x, "\t"); split(b, y, "\t")
		p = y[1] - x[1]; bu = y[2] - x[2]; bc = y[3] - x[3]; ic = y[4] - x[4]
		ut = y[5] - x[5]; st = y[6] - x[6]
		printf "%.0f\t%.1f\t%.0f\t%.0f\n", (bc + ic) ? 100 * bc / (bc + ic) : 0,
			bu ? p / bu : 0, p ? bc / p : 0, (ut + st) ? 100 * st / (ut + st) : 0
	}'
}

# gA's own tx drops (the ingress veth refusing frames), from namespace G.
ga_tx_dropped() { ip -n "$G" -s -j link show "$GA" | jq '.[0].stats64.tx.dropped'; }

# ---- measurement -----------------------------------------------------------

# measure DEV SIZE: one vsgen run; appends a CSV row.
measure() {
	local dev=$1 size=$2 c0 c1 s0 s1 g0 g1 out cpu drops tids
	local p0="" p1=""
	c0=$(dut_counters "$dev") g0=$(ga_tx_dropped)
	[[ $dev == vswitchd* ]] && p0=$(vs_pmd_snap)
	s0=$(cpu_snap)
	ip netns exec "$G" "$VSGEN" --tx "$GA" --rx "$GB" --cpu 0 --size $((size - 4)) \
		--seconds "$DURATION" --warmup "$WARMUP" --rate "$RATE" --flows "$FLOWS" --json \
		--quiet >"$TMPD/gen.json" 2>"$TMPD/gen.err" &
	GEN_PID=$!
	wait "$GEN_PID"
	local rc=$?
	GEN_PID=""
	s1=$(cpu_snap)
	c1=$(dut_counters "$dev") g1=$(ga_tx_dropped)
	[[ $dev == vswitchd* ]] && p1=$(vs_pmd_snap)
	cat "$TMPD/gen.err" >>"$LOGF"
	if [ "$rc" -ne 0 ] || ! jq -e . "$TMPD/gen.json" >/dev/null 2>&1; then
		log "$dev $size B: vsgen failed (exit $rc): $(head -c 300 "$TMPD/gen.err")"
		printf '"%s","%s",%s,,,,,,,,,,,,"vsgen failed"\n' "$(topo "$dev")" "$(label "$dev")" "$size" >>"$CSV"
		printf '%s\t%s\t%s\t\t\t\t\tvsgen failed\t\t\n' "$(topo "$dev")" "$(label "$dev")" "$size" >>"$TSV"
		return 0
	fi
	out=$(cat "$TMPD/gen.json")
	logf "$dev $size: $out"
	cpu=$(cpu_pct "$s0" "$s1")
	drops=$(dut_drops_text "$dev" "$c0" "$c1")
	jq -r --arg topo "$(topo "$dev")" --arg dev "$(label "$dev")" --arg size "$size" \
		--arg dt "${drops%%$'\t'*}" --arg dd "${drops#*$'\t'}" --arg cpu "$cpu" \
		--arg ga $((g1 - g0)) '[$topo, $dev, $size, .tx_mpps, .rx_mpps, .rx_gbps, .sent,
		.received, .loss_pct, $dt, $dd, $ga, .sink_rx_ring_full, .sink_rx_fill_empty, $cpu] |
		@csv' <<<"$out" >>"$CSV"
	jq -r --arg topo "$(topo "$dev")" --arg dev "$(label "$dev")" --arg size "$size" \
		--arg dd "${drops#*$'\t'}" --arg cpu "$cpu" '[$topo, $dev, $size, .tx_mpps,
		.rx_mpps, .rx_gbps, .loss_pct, $dd, (.sink_rx_ring_full + .sink_rx_fill_empty),
		$cpu] | @tsv' <<<"$out" >>"$TSV"
	if [ -n "$p0" ] && [ -n "$p1" ]; then
		printf '%s\t%s\t%s\t%s\n' "$(label "$dev")" "$size" "$(jq -r .rx_mpps <<<"$out")" \
			"$(vs_pmd_delta "$p0" "$p1")" >>"$PMDTSV"
	fi
	log "$(label "$dev") $size B: offered $(jq -r '.tx_mpps * 1000 | floor' <<<"$out") kpps, received $(jq -r '.rx_mpps * 1000 | floor' <<<"$out") kpps, CPU0/1 busy $cpu%"
}

topo() {
	case $1 in
	veth) echo "gA-gB" ;;
	*) echo "gA-dA, dB-gB" ;;
	esac
}
label() {
	case $1 in
	vswitchd) echo "vswitchd (PMD + dA NAPI on CPU 1)" ;;
	vswitchd_softirq) echo "vswitchd (PMD CPU 1, dA NAPI in sender's softirq, CPU 0)" ;;
	bridge) echo "Linux bridge (RPS CPU 1)" ;;
	veth) echo "veth only (generator ceiling)" ;;
	esac
}

# ---- run -------------------------------------------------------------------

HEAD=$(git -C "$SRC" rev-parse --short HEAD 2>/dev/null || echo unknown)
DIRTY=$(git -C "$SRC" status --porcelain --untracked-files=no 2>/dev/null | wc -l)
CPU_MODEL=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
# CPU use of others during one second in which this script runs nothing.
BG0=$(cpu_snap)
sleep 1
BG=$(cpu_pct "$BG0" "$(cpu_snap)")
OTHERS=$(pgrep -x vswitchd | wc -l)
log "sizes $SIZES, $DURATION s per measurement (+ $WARMUP s warmup), load $LOAD_BEFORE, CPU0/1 busy $BG% before, $OTHERS other vswitchd running"
echo "topology,device,frame_bytes,offered_mpps,received_mpps,gbps,sent,received,loss_pct,dut_drops,dut_drop_detail,gA_tx_dropped,sink_rx_ring_full,sink_rx_fill_empty,cpu0_cpu1_busy_pct" >"$CSV"

for dev in vswitchd vswitchd_softirq bridge veth; do
	log "setting up: $(label "$dev")"
	if ! "setup_$dev"; then
		log "$(label "$dev"): setup failed (see $LOGF)"
		for size in "${SIZE_LIST[@]}"; do
			printf '"%s","%s",%s,,,,,,,,,,,,"setup failed"\n' "$(topo "$dev")" "$(label "$dev")" "$size" >>"$CSV"
			printf '%s\t%s\t%s\t\t\t\t\tsetup failed\t\t\n' "$(topo "$dev")" "$(label "$dev")" "$size" >>"$TSV"
		done
		teardown
		continue
	fi
	for size in "${SIZE_LIST[@]}"; do
		measure "$dev" "$size"
	done
	teardown
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- report ----------------------------------------------------------------

{
	echo "## Forwarding rate, generator -> device -> sink ($(date '+%Y-%m-%d %H:%M'))"
	echo
	echo "Commit $HEAD$([ "$DIRTY" -gt 0 ] && echo " (+$DIRTY modified files)"), $CPU_MODEL, $(nproc) CPUs, kernel $(uname -r)."
	echo "vsgen (perf/vsgen.c) on CPU 0 sends on gA and counts on gB; $DURATION s per row after $WARMUP s of warmup,"
	echo "offered rate $([ "$RATE" = 0 ] && echo "as fast as vsgen can" || echo "$RATE pps"), $FLOWS flow(s)."
	echo "vswitchd: one PMD thread on CPU 1; dA's veth receive work (XDP, copy into the UMEM) either in a"
	echo "threaded-NAPI kernel thread on CPU 1 or, second row, in vsgen's softirq on CPU 0 (the kernel's default)."
	echo "Linux bridge: in its own namespace, bridge-nf-call-* = 0 there, dA's receive work (the bridge's"
	echo "forwarding) steered to CPU 1 with RPS. The sink's receive work on gB (XDP, copy into vsgen's UMEM)"
	echo "runs in softirq where dB transmits: on CPU 1 for the devices, CPU 0 for veth only."
	echo "Load average $LOAD_BEFORE before, $LOAD_AFTER after; CPU0/CPU1 busy $BG% in one idle second before"
	echo "the run (work of others, which the measurements share the CPUs with)."
	echo
	echo "| topology | device | frame B | offered Mpps | received Mpps | Gbit/s | vs bridge | loss % | device drops | sink drops | CPU0/CPU1 busy % |"
	echo "|---|---|---:|---:|---:|---:|---:|---:|---|---:|---:|"
	awk -F'\t' '
		{ row[++n] = $0; if ($2 ~ /Linux bridge/ && $4 != "") br[$3] = $5 }
		END {
			for (i = 1; i <= n; i++) {
				split(row[i], f, "\t")
				if (f[4] == "") {
					printf "| %s | %s | %s | | | | | | %s | | |\n", f[1], f[2], f[3], f[8]
					continue
				}
				ratio = (br[f[3]] > 0) ? sprintf("%.2f", f[5] / br[f[3]]) : "-"
				printf "| %s | %s | %s | %.3f | %.3f | %.3f | %s | %.2f | %s | %s | %s |\n",
					f[1], f[2], f[3], f[4], f[5], f[6], ratio, f[7], f[8], f[9], f[10]
			}
		}' "$TSV"
	if [ -s "$PMDTSV" ]; then
		echo
		echo "vswitchd's PMD thread over the same runs (pmd-stats deltas; busy-cycles are TSC cycles"
		echo "of loop iterations that received something, and include time the thread was descheduled):"
		echo
		echo "| device | frame B | received Mpps | PMD busy % | avg rx burst | busy cycles/pkt | PMD CPU time in kernel % |"
		echo "|---|---:|---:|---:|---:|---:|---:|"
		awk -F'\t' '{ printf "| %s | %s | %.3f | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7 }' "$PMDTSV"
	fi
	echo
	echo "Gbit/s counts each received frame as on an Ethernet link: frame + 4 B FCS + 20 B preamble and"
	echo "inter-frame gap. Device drops are counted over the whole vsgen run (warmup included); sink drops are"
	echo "vsgen's own rx socket's rx-ring-full + rx-fill-empty over the vsgen run (warmup included): part of the loss, not the device's."
	echo "CSV (with sent/received counts, gA tx drops and the sink's rx-ring-full): $CSV"
} >"$MD"
cat "$MD"
log "report: $MD, CSV: $CSV, log: $LOGF"
