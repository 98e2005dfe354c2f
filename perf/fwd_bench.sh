#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# perf/fwd_bench.sh: forwarding rate, generator -> device under test -> sink, for every
# device in one run, printed as one table. Two topologies:
#
#  veth (AF_XDP): vsgen (perf/vsgen.c, AF_XDP ports of vswitch's own port layer) sends on
#    gA and counts on gB; the device forwards dA -> dB:
#      namespace G: vsgen gA ==veth== dA  namespace D: device  dB ==veth== gB vsgen
#    devices: vswitchd (AF_XDP ports), the Linux bridge, dpdk-testpmd io and mac over
#    net_af_xdp, Open vSwitch afxdp (--ovs), and "veth only" (gA <-> gB: the
#    generator's ceiling).
#    Rows of vswitchd's features on the same topology: macvlan (dA the parent of a macvlan
#    bridge, dB a child with the sink's MAC), service (UDP to a VIP, DNAT to the sink as
#    the backend; service_new: every frame a new connection), and vxlan: two "hosts",
#    namespaces A (dA, uA) and B (uB, dB), each with its own vswitchd (PMDs both on
#    CPU 1), joined by the underlay veth uA-uB; A encapsulates (VNI 100), B decapsulates:
#      G: vsgen gA == dA [vswitchd A] uA ==underlay== uB [vswitchd B] dB == gB vsgen
#    Their "vs vswitchd" column compares them with the plain L2 row (vswitchd) of the
#    same run. vxlan_plain is the vxlan row's like-for-like reference: the same two hosts
#    and two vswitchd, the underlay veth a normal port of both bridges (plain L2, no VXLAN);
#    the VXLAN target is checked against it when it ran.
#  memif (pure userspace, no kernel in the path): dpdkgen (perf/dpdkgen.c, DPDK ethdev)
#    is a memif client of two sockets the device serves:
#      dpdkgen net_memif0 == a.sock == device == b.sock == net_memif1 dpdkgen
#    devices: dpdk-testpmd io and mac, vswitchd with type=dpdk memif ports (when
#    vswitchd is built with DPDK). memif_vxlan_encap and memif_vxlan_decap: one vswitchd
#    whose second memif is the DPDK underlay of a vxlan port, dpdkgen the remote VTEP on
#    it (perf/fwd_memif_vxlan.sh); compared with memif_vswitchd of the same run.
#
# The generator and sink run on CPU 0, the device under test on CPU 1. Optionally an
# RFC 2544 zero-loss throughput search per row (--rfc2544). Also measures vswitchd's
# resident memory with 4 AF_XDP ports and one PMD thread. Results (Markdown, CSV, log,
# PNG charts with gnuplot) go to perf/results/YYYYMMDD-HHMMSS/. Needs root.
# perf/README.md explains the rows and columns.
#
# Every namespace it creates is named with the prefix vsf<PID> and removed by name on
# exit (the veths go with them); no addresses are configured; only processes it started
# are stopped, each by its PID. Root-namespace sysctls are not touched.

ME=fwd_bench
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/fwd_memif_vxlan.sh"

ALL_DEVICES="vswitchd vswitchd_softirq vswitchd_busypoll vswitchd_dpdk_afxdp vswitchd_dpdk_afpacket bridge testpmd_io testpmd_mac testpmd_io_busypoll ovs veth memif_testpmd_io memif_testpmd_mac memif_vswitchd mem macvlan service service_new vxlan memif_ovs memif_vswitchd_2q memif_vswitchd_2pmd memif_vswitchd_nohuge vswitchd_xdpfast vxlan_plain memif_vxlan_encap memif_vxlan_decap"

usage() {
	cat <<EOF
Usage: perf/fwd_bench.sh [OPTIONS]
Forwarding rate generator -> device -> sink for vswitchd, the Linux bridge, dpdk-testpmd
(and Open vSwitch with --ovs) over veths with AF_XDP, and for testpmd and vswitchd over
memif, in one run; plus vswitchd's resident memory. Run as root, with CPUs 0 and 1.

  --sizes LIST     Ethernet frame sizes including the 4-byte FCS, comma-separated
                   (default 64,512,1518; 64..1518); generators send SIZE-4 bytes
  --seconds S      length of one measurement (default 10)
  --warmup S       traffic before each measurement, not counted (default 1)
  --rate PPS       offered rate, 0 = as fast as the generator can (default 0)
  --flows N        UDP flows (source port / source IP), default 1
  --macs N         source MACs the generator cycles through (the device learns
                   them all behind its ingress port), default 1
  --rfc2544        also search the zero-loss throughput of every row (binary search
                   on the offered rate, RFC 2544 style)
  --loss PCT       loss accepted by the search (default 0: zero loss)
  --trial S        length of one search trial (default: --seconds)
  --steps N        trials per search after the first, unlimited run (default 8)
  --devices LIST   comma-separated subset of: $ALL_DEVICES
                   (default: all but ovs, memif_ovs and memif_vswitchd_nohuge;
                   mem = the memory row; memif_vxlan_encap/_decap: vswitchd
                   encapsulating/decapsulating VXLAN over memif, dpdkgen the
                   remote VTEP on the memif underlay)
  --ovs            add the Open vSwitch 3.1 userspace rows: afxdp ports on the veths
                   (ovs) and type=dpdk memif ports (memif_ovs, needs hugepages)
                   (private ovsdb-server and ovs-vswitchd; needs
                   openvswitch-switch-dpdk, never installed here)
  --hugepages      DPDK processes (generator, testpmd, vswitchd, OVS) use 2 MiB
                   hugepages: the run adds what they need to the kernel's pool
                   (nr_hugepages) and mounts a private hugetlbfs, both undone on exit;
                   fails if the kernel gives too few. Default when a memif row is
                   selected: try, and fall back to --no-huge with a note
  --no-hugepages   DPDK processes run with --no-huge (ordinary 4 KiB pages)
  --gen-copy       memif rows: the generator's memif ports copy frames in and out of
                   the shared memory (zero-copy=no), as before; default zero-copy=yes:
                   dpdkgen's mbufs are the memif buffers, so the device does every copy
                   and the generator only hands over pointers (its ceiling is higher)
  --vxlan-b-cpu N  CPU of host B's vswitchd in the vxlan row (default 1, with host A's:
                   the device gets one CPU as in every other row; with 3 or more
                   CPUs, 2 gives each host its own CPU)
  --repeat N       measure every row N times, round-robin (run 1 measures each device
                   once, then run 2, ...), so that all rows sample the same changes of
                   the machine's load; the report gives each row's median run (its
                   other columns are that run's) and lists every run's Mpps (default 1)
  --quick          smoke run: --seconds 2 --warmup 0.5 (explicit options still win)
  --out DIR        base directory for results (default perf/results of this tree);
                   each run writes DIR/YYYYMMDD-HHMMSS/
  -h, --help       this help

Environment: VSWITCHD, VSCTL, VSGEN, DPDKGEN select the binaries (default: build/ of
this tree; built with scripts/build.sh when missing).
EOF
}

# ---- options ---------------------------------------------------------------

opt_seconds="" opt_warmup="" QUICK=0 OUTBASE=$SRC/perf/results SIZES=64,512,1518 RATE=0 FLOWS=1 MACS=1
RFC=0 LOSS_OK=0 TRIAL="" STEPS=8 DEVICES="" WITH_OVS=0 VX_B_CPU=1 HUGE=auto GEN_ZC=yes REPEAT=1
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
	--macs) need_arg "$1" $#; MACS=$2; shift 2 ;;
	--macs=*) MACS=${1#*=}; shift ;;
	--rfc2544) RFC=1; shift ;;
	--loss) need_arg "$1" $#; LOSS_OK=$2; shift 2 ;;
	--loss=*) LOSS_OK=${1#*=}; shift ;;
	--trial) need_arg "$1" $#; TRIAL=$2; shift 2 ;;
	--trial=*) TRIAL=${1#*=}; shift ;;
	--steps) need_arg "$1" $#; STEPS=$2; shift 2 ;;
	--steps=*) STEPS=${1#*=}; shift ;;
	--devices) need_arg "$1" $#; DEVICES=$2; shift 2 ;;
	--devices=*) DEVICES=${1#*=}; shift ;;
	--ovs) WITH_OVS=1; shift ;;
	--hugepages) HUGE=yes; shift ;;
	--gen-copy) GEN_ZC=no; shift ;;
	--no-hugepages) HUGE=no; shift ;;
	--vxlan-b-cpu) need_arg "$1" $#; VX_B_CPU=$2; shift 2 ;;
	--vxlan-b-cpu=*) VX_B_CPU=${1#*=}; shift ;;
	--repeat) need_arg "$1" $#; REPEAT=$2; shift 2 ;;
	--repeat=*) REPEAT=${1#*=}; shift ;;
	--quick) QUICK=1; shift ;;
	--out) need_arg "$1" $#; OUTBASE=$2; shift 2 ;;
	--out=*) OUTBASE=${1#*=}; shift ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; die "unknown option: $1" ;;
	esac
done
DURATION=10 WARMUP=1
[ "$QUICK" = 1 ] && DURATION=2 WARMUP=0.5
[ -n "$opt_seconds" ] && DURATION=$opt_seconds
[ -n "$opt_warmup" ] && WARMUP=$opt_warmup
[ -n "$TRIAL" ] || TRIAL=$DURATION
isnum() { [[ $1 =~ ^[0-9]+(\.[0-9]+)?$ ]]; }
isnum "$DURATION" || die "--seconds must be a number: $DURATION"
isnum "$WARMUP" || die "--warmup must be a number: $WARMUP"
isnum "$TRIAL" || die "--trial must be a number: $TRIAL"
isnum "$LOSS_OK" || die "--loss must be a number (percent): $LOSS_OK"
[[ $RATE =~ ^[0-9]+$ ]] || die "--rate must be an integer: $RATE"
[[ $FLOWS =~ ^[1-9][0-9]*$ ]] || die "--flows must be a positive integer: $FLOWS"
[[ $MACS =~ ^[1-9][0-9]*$ ]] && [ "$MACS" -le 8388608 ] ||
	die "--macs must be an integer 1..8388608: $MACS"
[[ $STEPS =~ ^[1-9][0-9]*$ ]] || die "--steps must be a positive integer: $STEPS"
[[ $REPEAT =~ ^[1-9][0-9]*$ ]] || die "--repeat must be a positive integer: $REPEAT"
[[ $VX_B_CPU =~ ^[0-9]+$ ]] && [ -e "/sys/devices/system/cpu/cpu$VX_B_CPU" ] ||
	die "--vxlan-b-cpu must be a CPU of this machine: $VX_B_CPU"
IFS=, read -r -a SIZE_LIST <<<"$SIZES"
[ "${#SIZE_LIST[@]}" -gt 0 ] || die "--sizes is empty"
for s in "${SIZE_LIST[@]}"; do
	[[ $s =~ ^[0-9]+$ ]] && [ "$s" -ge 64 ] && [ "$s" -le 1518 ] ||
		die "frame sizes must be 64..1518 (with FCS): $s"
done
if [ -z "$DEVICES" ]; then
	DEVICES=${ALL_DEVICES/ ovs/}
	DEVICES=${DEVICES/ memif_ovs/}
	DEVICES=${DEVICES/ memif_vswitchd_nohuge/}
	[ "$WITH_OVS" = 1 ] && DEVICES=$ALL_DEVICES
fi
DEVICES=${DEVICES//,/ }
for d in $DEVICES; do
	[[ " $ALL_DEVICES " == *" $d "* ]] || die "unknown device '$d' (one of: $ALL_DEVICES)"
done
[[ " $DEVICES " == *" ovs "* || " $DEVICES " == *" memif_ovs "* ]] && WITH_OVS=1

# ---- prerequisites ---------------------------------------------------------

need_root_and_two_cpus
NEED_HINT="apt-get install iproute2 jq gawk procps util-linux"
need_tools ip jq awk sysctl taskset ps
find_binaries VSWITCHD VSCTL VSGEN
want() { [[ " $DEVICES " == *" $1 "* ]]; }
HAVE_TESTPMD=0
command -v dpdk-testpmd >/dev/null 2>&1 && HAVE_TESTPMD=1
DPDKGEN=${DPDKGEN:-$SRC/build/perf/dpdkgen}
HAVE_DPDKGEN=0
[ -x "$DPDKGEN" ] && HAVE_DPDKGEN=1
VS_DPDK=0
vswitchd_has_dpdk && VS_DPDK=1
OVS_OK=0 OVS_STATUS="not requested (--ovs)"
[ "$WITH_OVS" = 1 ] && ovs_check

OUTDIR=$(results_dir "$OUTBASE")
MD=$OUTDIR/fwd.md CSV=$OUTDIR/fwd.csv LOGF=$OUTDIR/fwd.log
: >"$LOGF" || die "cannot write $LOGF"

# Hugepages for the DPDK processes: generator + device at once (OVS's pools take more).
HUGE_MB=$((256 + 256 + 64))
[[ " $DEVICES " == *" memif_ovs "* ]] && HUGE_MB=$((256 + 512 + 64))
HUGE_STATUS="--no-huge (4 KiB pages): --no-hugepages"
if [ "$HUGE" = yes ] || { [ "$HUGE" = auto ] && [[ " $DEVICES " == *" memif_"* ]]; }; then
	if huge_reserve "$HUGE_MB"; then
		HUGE_STATUS="2 MiB hugepages ($HUGE_ADDED reserved for the run, private hugetlbfs)"
	else
		[ "$HUGE" = yes ] && die "--hugepages: $HUGE_NOTE"
		HUGE_STATUS="--no-huge (4 KiB pages): hugepages not available: $HUGE_NOTE"
	fi
elif [ "$HUGE" = auto ]; then
	HUGE_STATUS="--no-huge (4 KiB pages): no memif row"
fi

# ---- names -----------------------------------------------------------------

P=vsf$$ # every name starts with it (interfaces: at most 15 characters)
G=${P}g D=${P}d
GA=${P}gA GB=${P}gB DA=${P}dA DB=${P}dB BR=${P}br
MEMIF_A=$TMPD/memif-a.sock MEMIF_B=$TMPD/memif-b.sock
GEN_EXTRA=() GEN_FLOWS="" # set by a row's setup: more vsgen options, its own --flows
GEN_PID="" TPLOG=$TMPD/testpmd.log TSV=$TMPD/rows.tsv PMDTSV=$TMPD/pmd.tsv MEMTSV=$TMPD/mem.tsv
SVCTSV=$TMPD/svc.tsv
: >"$TSV"
perf_cleanup_hook() {
	[ -n "$GEN_PID" ] && stop_pid "$GEN_PID"
	[ -n "${VS_B_PID:-}" ] && stop_pid "$VS_B_PID"
}

# ---- topology ----------------------------------------------------------------

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
	# Refused (EIO) while the device's NAPI is being set up, e.g. just after XDP attached.
	wait_until 5 ip netns exec "$1" sh -c "echo 1 > /sys/class/net/$2/threaded" 2>/dev/null ||
		{ logf "$2: cannot switch threaded NAPI on"; return 1; }
	tids=$(napi_tids "$2")
	[ -n "$tids" ] || { logf "no napi thread found for $2"; return 1; }
	for t in $tids; do
		taskset -p -c "$3" "$t" >/dev/null || return 1
	done
	logf "$2: threaded NAPI, thread(s) $tids on CPU $3"
}

# G holds gA and gB (the generator); D holds dA and dB (the device under test).
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

# ---- devices -------------------------------------------------------------------

# napi_defer NS IFACE: the deferral settings preferred busy polling needs on IFACE (its
# hard interrupts/NAPI wake-ups are deferred while the poller drives it).
napi_defer() {
	ip netns exec "$1" sh -c "echo 2 > /sys/class/net/$2/napi_defer_hard_irqs &&
		echo 200000 > /sys/class/net/$2/gro_flush_timeout" || { logf "$2: cannot set NAPI deferral"; return 1; }
}

# setup_vswitchd [softirq|busypoll]: dA's receive work in a threaded-NAPI kernel thread on
# CPU 1 (default) or, with "softirq", where the kernel puts it: in the sender's softirq
# (CPU 0); "busypoll": as the default, plus preferred busy polling (busy-poll=50 on both
# ports, NAPI deferral on dA), so the PMD thread runs dA's receive work itself.
setup_vswitchd() {
	local out p opts=() bropts=() vsargs=()
	# xdpfast: the PMD thread sleeps while idle (the XDP program forwards without it).
	[ "${1:-}" = xdpfast ] && bropts=(fastpath=xdp) vsargs=(--pmd-idle adaptive)
	make_dut_topology || return 1
	start_vswitchd "$D" 1 "${vsargs[@]}" || return 1
	out=$("$VSCTL" -s "$SOCK" add-br br0 "${bropts[@]}" 2>&1) || { logf "add-br: $out"; return 1; }
	[ "${1:-}" = busypoll ] && opts=(busy-poll=50)
	for p in "$DA" "$DB"; do
		out=$("$VSCTL" -s "$SOCK" add-port br0 "$p" "${opts[@]}" 2>&1) ||
			{ logf "add-port $p: $out"; return 1; }
	done
	if [ "${1:-}" = busypoll ]; then
		napi_defer "$D" "$DA" || return 1
	fi
	if [ "${1:-}" != softirq ]; then
		threaded_napi "$D" "$DA" 1 || return 1
	fi
	logf "vswitchd: $(vsj show | jq -c '[.bridges[0].ports[] | {name, options}]')"
}
# setup_vswitchd_dpdk DRIVER: vswitchd with DPDK ports on the same veths (net_af_xdp or
# net_af_packet vdevs instead of its own AF_XDP ports), dA's receive work on CPU 1 as in the
# first row: which port type to choose for a netdev.
setup_vswitchd_dpdk() {
	local out i=0 p
	[ "$VS_DPDK" = 1 ] || { SETUP_NA="n/a (vswitchd built without DPDK)"; return 1; }
	make_dut_topology || return 1
	start_vswitchd "$D" 1 --dpdk "$(dpdk_mem_args "${P}vd")" || return 1
	out=$("$VSCTL" -s "$SOCK" add-br br0 2>&1) || { logf "add-br: $out"; return 1; }
	for p in "$DA" "$DB"; do
		out=$("$VSCTL" -s "$SOCK" add-port br0 "d$i" type=dpdk "devargs=$1$i,iface=$p" 2>&1) ||
			{ logf "add-port d$i ($1 on $p): $out"; return 1; }
		i=$((i + 1))
	done
	if [ "$1" = net_af_xdp ]; then
		threaded_napi "$D" "$DA" 1 || return 1
	else # no XDP program, hence no NAPI on dA: RPS takes its receive work to CPU 1
		ip netns exec "$D" sh -c "echo 2 > /sys/class/net/$DA/queues/rx-0/rps_cpus" || return 1
	fi
	logf "vswitchd ($1): $(vsj show | jq -c '[.bridges[0].ports[] | {name, options}]')"
}
setup_vswitchd_dpdk_afxdp() { setup_vswitchd_dpdk net_af_xdp; }
setup_vswitchd_dpdk_afpacket() { setup_vswitchd_dpdk net_af_packet; }
setup_vswitchd_softirq() { setup_vswitchd softirq; }
setup_vswitchd_busypoll() { setup_vswitchd busypoll; }
# The XDP fast path (docs/xdp-fastpath.md): dA's XDP program forwards known unicast to dB
# itself. dB is a fast-path target once gB, its peer, has NAPI: the sink's XDP program
# gives it that, but only while vsgen runs, so GRO on gB gives it from the start.
setup_vswitchd_xdpfast() {
	setup_vswitchd xdpfast || return 1
	ip netns exec "$G" ethtool -K "$GB" gro on >/dev/null || { logf "gro on $GB failed"; return 1; }
	wait_until 5 sh -c "'$VSCTL' -s '$SOCK' --json show | jq -e '.bridges[0].ports[] | select(.name == \"$DB\") | .fastpath == \"rx+tx\"' >/dev/null" ||
		logf "vswitchd_xdpfast: $DB is not a fast-path target: $(vsj show | jq -c '[.bridges[0].ports[] | {name, fastpath}]')"
}

setup_bridge() {
	make_dut_topology || return 1
	bridge_nf_off "$D" || return 1
	ip -n "$D" link add "$BR" type bridge || return 1
	ip -n "$D" link set "$DA" master "$BR" && ip -n "$D" link set "$DB" master "$BR" || return 1
	ip -n "$D" link set "$BR" up || return 1
	# The bridge has no thread: it forwards in softirq on the CPU that receives on dA,
	# which is the sender's (CPU 0). RPS steers that work to CPU 1 (mask 2).
	ip netns exec "$D" sh -c "echo 2 > /sys/class/net/$DA/queues/rx-0/rps_cpus" || return 1
	logf "bridge: $(ip -n "$D" -d link show "$BR" | tr '\n' ' ')"
}

setup_veth() { make_veth_topology; }

# testpmd over net_af_xdp on dA and dB (port 0 = dA, port 1 = dB), dA's NAPI on CPU 1 as
# for vswitchd's first row.
# With "busypoll", NAPI deferral on dA: net_af_xdp uses preferred busy polling by default
# (busy_budget=64) where the kernel has it; the deferral settings make it effective.
setup_testpmd_af_xdp() { # MODE [busypoll]
	make_dut_topology || return 1
	testpmd_start "$D" "$TPLOG" "$1" "net_af_xdp0,iface=$DA" "net_af_xdp1,iface=$DB" ||
		{ logf "testpmd did not start: $(tail -n 5 "$TPLOG" | tr '\n' ' ')"; return 1; }
	threaded_napi "$D" "$DA" 1 || return 1
	if [ "${2:-}" = busypoll ]; then
		napi_defer "$D" "$DA" || return 1
	fi
}
setup_testpmd_io() { setup_testpmd_af_xdp io; }
setup_testpmd_io_busypoll() { setup_testpmd_af_xdp io busypoll; }
setup_testpmd_mac() { setup_testpmd_af_xdp mac; }

setup_ovs() {
	local p
	[ "$OVS_OK" = 1 ] || { SETUP_NA="$OVS_STATUS"; return 1; }
	make_dut_topology || return 1
	ovs_start "$D" 0x2 || return 1
	ovs_ctl add-br "${P}ob" -- set bridge "${P}ob" datapath_type=netdev || return 1
	for p in "$DA" "$DB"; do
		ovs_ctl add-port "${P}ob" "$p" -- set interface "$p" type=afxdp || return 1
	done
	wait_until 10 ovs_ports_ready || { logf "OVS ports not ready"; return 1; }
	threaded_napi "$D" "$DA" 1 || return 1
	logf "OVS interfaces: $(ovs_ctl --columns=name,type,status,error list interface 2>&1 | tr '\n' ' ')"
}
ovs_ports_ready() {
	[ -z "$(ovs_ctl --bare --columns=error find interface type=afxdp 2>/dev/null | tr -d '[:space:]')" ] &&
		[ "$(ovs_ctl --bare --columns=ofport find interface type=afxdp 2>/dev/null | grep -c '^[1-9]')" = 2 ]
}

memif_vdevs() { # ROLE: the two memif vdevs of the memif topology
	echo "net_memif0,role=$1,socket=$MEMIF_A,id=0 net_memif1,role=$1,socket=$MEMIF_B,id=0"
}

setup_memif_testpmd() { # MODE
	[ "$HAVE_TESTPMD" = 1 ] || { SETUP_NA="dpdk-testpmd not installed (apt-get install dpdk)"; return 1; }
	[ "$HAVE_DPDKGEN" = 1 ] || { SETUP_NA="dpdkgen not built (needs libdpdk-dev)"; return 1; }
	# shellcheck disable=SC2046
	testpmd_start "" "$TPLOG" "$1" $(memif_vdevs server) ||
		{ logf "testpmd did not start: $(tail -n 5 "$TPLOG" | tr '\n' ' ')"; return 1; }
}
setup_memif_testpmd_io() { setup_memif_testpmd io; }
setup_memif_testpmd_mac() { setup_memif_testpmd mac; }

# setup_memif_vswitchd [PMD_CPUS [QUEUES [nohuge]]]: vswitchd serving both memif sockets,
# PMD threads on PMD_CPUS (default 1), ports with QUEUES rx and tx queues (default 1);
# "nohuge": vswitchd on 4 KiB pages even when the run has hugepages.
setup_memif_vswitchd() {
	local out v i=0 cpus=${1:-1} nq=${2:-1} mem
	[ "$VS_DPDK" = 1 ] || { SETUP_NA="n/a (vswitchd built without DPDK)"; return 1; }
	[ "$HAVE_DPDKGEN" = 1 ] || { SETUP_NA="dpdkgen not built (needs libdpdk-dev)"; return 1; }
	mem=$(dpdk_mem_args "${P}vs")
	[ "${3:-}" = nohuge ] && mem="--no-huge -m 512 --no-pci --file-prefix ${P}vs"
	start_vswitchd "" "$cpus" --dpdk "$mem" || return 1
	if grep -q 'built without DPDK' "$VSLOG"; then # statically linked, or ldd missing
		VS_DPDK=0
		SETUP_NA="n/a (vswitchd built without DPDK)"
		return 1
	fi
	out=$("$VSCTL" -s "$SOCK" add-br br0 2>&1) || { logf "add-br: $out"; return 1; }
	for v in $(memif_vdevs server); do
		out=$("$VSCTL" -s "$SOCK" add-port br0 "m$i" type=dpdk "devargs=$v" \
			"n_rxq=$nq" "n_txq=$nq" 2>&1) ||
			{ logf "add-port m$i: $out"; return 1; }
		i=$((i + 1))
	done
	logf "vswitchd (memif): $(vsj show | jq -c '[.bridges[0].ports[] | {name, options}]')"
	logf "vswitchd (memif) PMD threads: $(vsj pmd-stats | jq -c . 2>/dev/null)"
	[ "$nq" = 1 ] || GEN_EXTRA=(--queues "$nq")
}
# Scaling: the same ports with 2 queues each, the generator spreading its flows over both;
# 1 PMD thread (CPU 1) polling all 4 rx queues, or 2 (CPUs 0 and 1), 2 rx queues each. On a
# 2-CPU machine the second PMD thread shares CPU 0 with the generator.
setup_memif_vswitchd_2q() { setup_memif_vswitchd 1 2; }
setup_memif_vswitchd_2pmd() { setup_memif_vswitchd 0,1 2; }
# What hugepages give: vswitchd on 4 KiB pages in the same run (the generator keeps the
# run's memory).
setup_memif_vswitchd_nohuge() {
	[ -n "$HUGE_DIR" ] || { SETUP_NA="n/a: the run has no hugepages ($HUGE_STATUS)"; return 1; }
	setup_memif_vswitchd 1 1 nohuge
}

# Open vSwitch 3.1, userspace datapath (NORMAL), its type=dpdk ports on the same memif
# sockets (server role), PMD thread on CPU 1; its EAL on the run's hugepages (OVS cannot
# run dpdk ports with --no-huge).
setup_memif_ovs() {
	local i=0 v extra
	[ "$OVS_OK" = 1 ] || { SETUP_NA="$OVS_STATUS"; return 1; }
	[ "$HAVE_DPDKGEN" = 1 ] || { SETUP_NA="dpdkgen not built (needs libdpdk-dev)"; return 1; }
	[ -n "$HUGE_DIR" ] || { SETUP_NA="n/a: OVS's dpdk ports need hugepages ($HUGE_STATUS)"; return 1; }
	[ -n "$OVS_DPDK_VSWITCHD" ] || { SETUP_NA="n/a: no ovs-vswitchd built with DPDK (openvswitch-switch-dpdk)"; return 1; }
	extra="--huge-dir $HUGE_DIR --huge-unlink --no-pci --file-prefix ${P}ovs"
	OVS_VSWITCHD=$OVS_DPDK_VSWITCHD ovs_start "" 0x2 dpdk-init=true "dpdk-extra=$extra" dpdk-socket-mem=256 \
		dpdk-socket-limit=512 per-port-memory=true || return 1
	wait_until 30 ovs_dpdk_ready || { logf "OVS DPDK not initialised"; return 1; }
	ovs_ctl add-br "${P}ob" -- set bridge "${P}ob" datapath_type=netdev || return 1
	for v in $(memif_vdevs server); do
		ovs_ctl add-port "${P}ob" "${P}m$i" -- set interface "${P}m$i" type=dpdk \
			"options:dpdk-devargs=$v" || return 1
		i=$((i + 1))
	done
	wait_until 20 ovs_memif_ready || {
		logf "OVS memif ports not ready: $(ovs_ctl --columns=name,error list interface 2>&1 | tr '\n' ' ')"
		return 1
	}
	logf "OVS interfaces: $(ovs_ctl --columns=name,type,options,status,error list interface 2>&1 | tr '\n' ' ')"
	# OVS gives a port one tx queue per PMD thread plus one for its other threads, and its
	# PMD thread sends on queue 1: a memif server's tx queues are its client's rx queues.
	GEN_EXTRA=(--rx-queues 2)
}
ovs_dpdk_ready() { [ "$(ovs_ctl get Open_vSwitch . dpdk_initialized 2>/dev/null)" = true ]; }
ovs_memif_ready() {
	[ -z "$(ovs_ctl --bare --columns=error find interface type=dpdk 2>/dev/null | tr -d '[:space:]')" ] &&
		[ "$(ovs_ctl --bare --columns=ofport find interface type=dpdk 2>/dev/null | grep -c '^[1-9]')" = 2 ]
}

# ---- rows of vswitchd's features (same veth topology, vswitchd on CPU 1) --------

SINK_MAC=02:76:73:00:00:02 # vsgen's default --dst-mac: the MAC its sink port announces
VIP=198.19.0.1 VIP_PORT=9  # where vsgen's frames go (genframe.c)
BACKEND=198.19.0.2         # the sink, as the service's backend

# macvlan: dA is the parent of a macvlan bridge (mode bridge), dB a child with the sink's
# MAC; the generator sends to that MAC on the parent, the demux delivers to the child.
setup_macvlan() {
	local out
	make_dut_topology || return 1
	start_vswitchd "$D" 1 || return 1
	out=$("$VSCTL" -s "$SOCK" add-br mv0 type=macvlan "parent=$DA" mode=bridge 2>&1) ||
		{ logf "add-br mv0: $out"; return 1; }
	out=$("$VSCTL" -s "$SOCK" add-port mv0 "$DB" "mac=$SINK_MAC" 2>&1) ||
		{ logf "add-port $DB: $out"; return 1; }
	threaded_napi "$D" "$DA" 1 || return 1
	logf "macvlan: $(vsj show | jq -c '[.bridges[0].ports[] | {name, role, "child-mac"}]')"
}

# service [new]: a learning bridge dA + dB with one UDP service VIP:9 whose one backend is
# the sink (BACKEND:9). The generator sends to the service MAC; the sink announces itself
# with gratuitous ARP from BACKEND, which is how the switch learns a backend's MAC
# (docs/services.md). Established flows: the generator's --flows flows, each a connection
# after its first frame. "new": 2^24 flows, sent in turn, so that every frame of a run
# shorter than 2^24 frames opens a connection (DNAT + conntrack insert); UDP entries
# expire after 1 s in a table of 2^22, so the table does not fill up at up to ~2 Mpps.
setup_service() {
	local out p smac
	make_dut_topology || return 1
	start_vswitchd "$D" 1 || return 1
	out=$("$VSCTL" -s "$SOCK" add-br br0 2>&1) || { logf "add-br: $out"; return 1; }
	for p in "$DA" "$DB"; do
		out=$("$VSCTL" -s "$SOCK" add-port br0 "$p" 2>&1) ||
			{ logf "add-port $p: $out"; return 1; }
	done
	if [ "${1:-}" = new ]; then
		out=$("$VSCTL" -s "$SOCK" set-bridge br0 conntrack-size=4194304 \
			conntrack-udp-timeout=1 2>&1) || { logf "set-bridge: $out"; return 1; }
		GEN_FLOWS=16777216
	fi
	out=$("$VSCTL" -s "$SOCK" add-service br0 bench "vip=$VIP:$VIP_PORT" proto=udp \
		"backends=$BACKEND:$VIP_PORT" 2>&1) || { logf "add-service: $out"; return 1; }
	smac=$(vsj conntrack-show br0 | jq -r '."service-mac" // empty')
	[ -n "$smac" ] || { logf "no service-mac in conntrack-show"; return 1; }
	GEN_EXTRA=(--dst-mac "$smac" --sink-mac "$SINK_MAC" --sink-ip "$BACKEND")
	threaded_napi "$D" "$DA" 1 || return 1
	logf "service: $(vsj list-services br0 | jq -c .), service MAC $smac"
}
setup_service_new() { setup_service new; }

# vxlan: host namespaces A and B, each a vswitchd (both PMDs on CPU 1) with bridge br0 =
# container-side veth + vxlan port VNI 100 over the underlay veth uA-uB (198.18.10.1 and
# .2/24, MTU 1600 so that 1518-byte frames fit with the 50 bytes of VXLAN). The next hop
# comes from each host's kernel (ARP), as in a real deployment. Host A's vswitchd is the
# one on $SOCK; B's runs on $SOCK_B. One vswitchd with two bridges cannot do it: both
# VTEPs' underlay ends would be in one namespace, whose kernel routes the VTEP addresses
# to itself (lo) instead of over the veth.
HA=${P}hA HB=${P}hB UA=${P}uA UB=${P}uB VTEP_A=198.18.10.1 VTEP_B=198.18.10.2
SOCK_B=$TMPD/vswitchd-b.sock VSLOG_B=$TMPD/vswitchd-b.log VS_B_PID=""
vsjB() { "$VSCTL" -s "$SOCK_B" -t 5 --json "$@"; }
setup_vxlan() { # [plain]
	local out h s l p mode=${1:-vxlan}
	new_ns "$G" && new_ns "$HA" && new_ns "$HB" || return 1
	ip -n "$G" link add "$GA" type veth peer name "$DA" netns "$HA" || return 1
	ip -n "$HB" link add "$DB" type veth peer name "$GB" netns "$G" || return 1
	ip -n "$HA" link add "$UA" mtu 1600 type veth peer name "$UB" netns "$HB" mtu 1600 || return 1
	if [ "$mode" = vxlan ]; then
		ip -n "$HA" addr add "$VTEP_A/24" dev "$UA" && ip -n "$HB" addr add "$VTEP_B/24" dev "$UB" || return 1
	fi
	ip -n "$G" link set "$GA" up && ip -n "$G" link set "$GB" up || return 1
	for l in "$HA $DA" "$HA $UA" "$HB $UB" "$HB $DB"; do
		# shellcheck disable=SC2086
		set -- $l
		ip -n "$1" link set "$2" up || return 1
	done
	# Host B's vswitchd first (on SOCK_B), then A's (the script's usual $SOCK/$VSWITCHD_PID).
	s=$SOCK l=$VSLOG
	SOCK=$SOCK_B VSLOG=$VSLOG_B
	start_vswitchd "$HB" "$VX_B_CPU"
	out=$?
	VS_B_PID=$VSWITCHD_PID SOCK=$s VSLOG=$l VSWITCHD_PID=""
	[ -n "$VS_B_PID" ] && PIDS+=("$VS_B_PID")
	[ "$out" = 0 ] || return 1
	start_vswitchd "$HA" 1 || return 1
	for h in A B; do
		if [ $h = A ]; then s=$SOCK p=$DA l="local_ip=$VTEP_A remote_ip=$VTEP_B underlay=$UA"
		else s=$SOCK_B p=$DB l="local_ip=$VTEP_B remote_ip=$VTEP_A underlay=$UB"; fi
		out=$("$VSCTL" -s "$s" add-br br0 2>&1) || { logf "host $h add-br: $out"; return 1; }
		out=$("$VSCTL" -s "$s" add-port br0 "$p" 2>&1) || { logf "host $h add-port $p: $out"; return 1; }
		if [ "$mode" = plain ]; then # the underlay end itself: plain L2 between the hosts
			l=${l##*underlay=}
			out=$("$VSCTL" -s "$s" add-port br0 "$l" 2>&1) ||
				{ logf "host $h add-port $l: $out"; return 1; }
			continue
		fi
		# shellcheck disable=SC2086
		out=$("$VSCTL" -s "$s" add-port br0 vx0 type=vxlan vni=100 $l 2>&1) ||
			{ logf "host $h add-port vx0: $out"; return 1; }
	done
	# NAPI work of the container-side ingress (A) and of the underlay (B) on their PMDs' CPUs.
	threaded_napi "$HA" "$DA" 1 && threaded_napi "$HB" "$UB" "$VX_B_CPU" || return 1
	if [ "$mode" = plain ]; then
		logf "vxlan_plain host A: $(vsj show | jq -c '[.bridges[0].ports[] | {name, options}]')"
		logf "vxlan_plain host B: $(vsjB show | jq -c '[.bridges[0].ports[] | {name, options}]')"
		return 0
	fi
	# The VTEPs' next hops (each kernel's neighbour entry, or vswitchd's own ARP).
	wait_until 10 vxlan_resolved || { logf "vxlan: next hops not resolved: $(vsj show | jq -c .) $(vsjB show | jq -c .)"; return 1; }
	logf "vxlan host A: $(vsj show | jq -c '[.bridges[0].ports[] | {name, options, remotes, mtu}]')"
	logf "vxlan host B: $(vsjB show | jq -c '[.bridges[0].ports[] | {name, options, remotes, mtu}]')"
}
# vxlan_plain: the same two hosts and vswitchd, host A's br0 = dA + uA, host B's = uB + dB:
# the frames cross the underlay veth as they are. The vxlan row's like-for-like reference.
setup_vxlan_plain() { setup_vxlan plain; }
vxlan_resolved() {
	local j
	for j in "$(vsj show)" "$(vsjB show)"; do
		jq -e '[.bridges[].ports[] | select(.name == "vx0")][0].remotes | length > 0 and
			all(."next-hop-mac" != null)' <<<"$j" >/dev/null 2>&1 || return 1
	done
}
stop_vswitchd_b() {
	[ -n "$VS_B_PID" ] || return 0
	logf "vswitchd (host B) port-stats: $(vsjB port-stats | jq -c . 2>/dev/null)"
	stop_pid "$VS_B_PID"
	VS_B_PID=""
	logf "---- vswitchd (host B) log ----"
	[ -z "$LOGF" ] || cat "$VSLOG_B" >>"$LOGF"
}

# New connections the service stage counted (0 if it has none).
svc_new_conns() { vsj conntrack-show br0 2>/dev/null | jq -r '.stats."new-connections" // 0' 2>/dev/null || echo 0; }

teardown() {
	if [ -n "$VSWITCHD_PID" ]; then
		logf "vswitchd pmd-stats: $(vsj pmd-stats | jq -c . 2>/dev/null)"
		logf "vswitchd MAC table: $(vsj show | jq -c '[.bridges[] | {name, "mac-count"}]' 2>/dev/null)"
		stop_vswitchd
	fi
	stop_vswitchd_b
	if [ -n "$TESTPMD_PID" ]; then
		testpmd_stop
		cat "$TPLOG" >>"$LOGF"
	fi
	ovs_stop "${P}ob"
	remove_topology
	rm -f "$MEMIF_A" "$MEMIF_B"
}

# ---- device counters ---------------------------------------------------------

# ovs_drops IF1 IF2: OVS's total drops, then rx_dropped and tx_dropped of IF1 and IF2
# (tab-separated).
ovs_drops() {
	local p s=() v
	for p in "$@"; do
		for v in rx_dropped tx_dropped; do
			s+=("$(ovs_ctl get interface "$p" "statistics:$v" 2>/dev/null || echo 0)")
		done
	done
	printf '%s\t%s\t%s\t%s\t%s\n' $((s[0] + s[1] + s[2] + s[3])) "${s[@]}"
}

# dut_counters DEV: drop counters of the device (tab-separated), for a delta later.
dut_counters() {
	case $1 in
	vswitchd* | memif_vswitchd* | macvlan | service* | *vxlan*)
		{
			vsj port-stats
			[ -n "$VS_B_PID" ] && vsjB port-stats
		} | jq -sr '[.[].ports[]] | {ports: .} | [
			([.ports[].dropped] | add // 0),
			([.ports[].drops."rx-ring-full" // 0] | add // 0),
			([.ports[].drops."rx-fill-empty" // 0] | add // 0),
			([.ports[].drops."tx-ring-full" // 0] | add // 0),
			([.ports[].drops // {} | to_entries[] | select(.key | startswith("vxlan-")) | .value] | add // 0)] | @tsv'
		;;
	bridge)
		ip -n "$D" -s -j link show | jq -r --arg a "$DA" --arg b "$DB" '
			(map({(.ifname): .stats64}) | add) as $s |
			[($s[$a].rx.dropped + $s[$a].tx.dropped + $s[$b].rx.dropped + $s[$b].tx.dropped),
			 $s[$a].rx.dropped, $s[$a].tx.dropped, $s[$b].rx.dropped, $s[$b].tx.dropped] | @tsv'
		;;
	*testpmd*)
		sleep 1.1 # testpmd prints its port statistics once a second
		testpmd_counters "$TPLOG"
		;;
	ovs) ovs_drops "$DA" "$DB" ;;
	memif_ovs) ovs_drops "${P}m0" "${P}m1" ;;
	*) echo "" ;;
	esac
}

dut_drops_text() { # DEV "BEFORE" "AFTER": total<TAB>text
	awk -v d="$1" -v a="$2" -v b="$3" 'BEGIN {
		n = split(b, y, "\t"); split(a, x, "\t")
		for (i = 1; i <= n; i++) z[i] = y[i] - x[i]
		if (d ~ /vxlan/)
			printf "%d\tdropped %d (rx-ring-full %d, rx-fill-empty %d, tx-ring-full %d, vxlan-* %d)\n",
				z[1], z[1], z[2], z[3], z[4], z[5]
		else if (d ~ /vswitchd|macvlan|service/)
			printf "%d\tdropped %d (rx-ring-full %d, rx-fill-empty %d, tx-ring-full %d)\n",
				z[1], z[1], z[2], z[3], z[4]
		else if (d == "bridge")
			printf "%d\tdA rx/tx %d/%d, dB rx/tx %d/%d\n", z[1], z[2], z[3], z[4], z[5]
		else if (d ~ /testpmd/)
			printf "%d\tRX-missed %d, RX-nombuf %d, RX-errors %d, TX-errors %d\n",
				z[1] + z[2] + z[3] + z[4], z[1], z[2], z[3], z[4]
		else if (d == "ovs")
			printf "%d\tdA rx/tx %d/%d, dB rx/tx %d/%d\n", z[1], z[2], z[3], z[4], z[5]
		else if (d == "memif_ovs")
			printf "%d\tm0 rx/tx %d/%d, m1 rx/tx %d/%d\n", z[1], z[2], z[3], z[4], z[5]
		else
			printf "\t-\n"
	}'
}

# PMD counters summed over threads: "rx-packets rx-bursts busy-cycles idle-cycles utime stime
# on-cpu-ns waiting-ns". With a second vswitchd (vxlan: host B), summed over both.
vs_pmd_snap() {
	local times sched u k r w
	times=$(vs_pmd_times)
	sched=$(vs_pmd_sched)
	u=${times% *} k=${times#* } r=${sched% *} w=${sched#* }
	if [ -n "$VS_B_PID" ]; then
		times=$(VSWITCHD_PID=$VS_B_PID vs_pmd_times)
		sched=$(VSWITCHD_PID=$VS_B_PID vs_pmd_sched)
		u=$((u + ${times% *})) k=$((k + ${times#* }))
		r=$((r + ${sched% *})) w=$((w + ${sched#* }))
	fi
	{
		vsj pmd-stats
		[ -n "$VS_B_PID" ] && vsjB pmd-stats
	} | jq -sr --arg u "$u" --arg k "$k" --arg r "$r" --arg w "$w" '[.[].pmds[]] as $p | [
		([$p[]."rx-packets"] | add), ([$p[]."rx-bursts"] | add),
		([$p[]."busy-cycles"] | add), ([$p[]."idle-cycles"] | add), $u, $k, $r, $w] | @tsv'
}

# vs_pmd_delta BEFORE AFTER: "busy% avg-burst busy-cycles/pkt kernel% on-CPU% busy-on-CPU-ns/pkt"
# (tab-separated). busy-cycles count wall time, including time the thread waited for its CPU;
# the last figure does not: on-CPU time x busy share / packets.
vs_pmd_delta() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		split(a, x, "\t"); split(b, y, "\t")
		p = y[1] - x[1]; bu = y[2] - x[2]; bc = y[3] - x[3]; ic = y[4] - x[4]
		ut = y[5] - x[5]; st = y[6] - x[6]; r = y[7] - x[7]; w = y[8] - x[8]
		printf "%.0f\t%.1f\t%.0f\t%.0f\t%.0f\t%.0f\n", (bc + ic) ? 100 * bc / (bc + ic) : 0,
			bu ? p / bu : 0, p ? bc / p : 0, (ut + st) ? 100 * st / (ut + st) : 0,
			(r + w) ? 100 * r / (r + w) : 0, (p && bc + ic) ? r * bc / (bc + ic) / p : 0
	}'
}

# gA's own tx drops (the ingress veth refusing frames), from namespace G.
ga_tx_dropped() {
	ip -n "$G" -s -j link show "$GA" 2>/dev/null | jq '.[0].stats64.tx.dropped // 0' 2>/dev/null || echo 0
}

# ---- generator -----------------------------------------------------------------

is_memif() { [[ $1 == memif_* ]]; }
topo() {
	case $1 in
	veth) echo "veth gA-gB" ;;
	memif_*) echo "memif" ;;
	vxlan | vxlan_plain) echo "veth gA-dA, uA-uB, dB-gB" ;;
	*) echo "veth gA-dA, dB-gB" ;;
	esac
}
label() {
	case $1 in
	vswitchd) echo "vswitchd (PMD + dA NAPI on CPU 1)" ;;
	vswitchd_softirq) echo "vswitchd (PMD CPU 1, dA NAPI in sender's softirq, CPU 0)" ;;
	vswitchd_busypoll) echo "vswitchd, busy-poll=50 + NAPI deferral (CPU 1)" ;;
	vswitchd_xdpfast) echo "vswitchd fastpath=xdp, pmd-idle adaptive (XDP in dA NAPI, CPU 1)" ;;
	vswitchd_dpdk_afxdp) echo "vswitchd, DPDK net_af_xdp ports (+ dA NAPI on CPU 1)" ;;
	vswitchd_dpdk_afpacket) echo "vswitchd, DPDK net_af_packet ports (+ dA RPS on CPU 1)" ;;
	testpmd_io_busypoll) echo "testpmd io, net_af_xdp, busy poll + NAPI deferral (CPU 1)" ;;
	bridge) echo "Linux bridge (RPS CPU 1)" ;;
	testpmd_io) echo "testpmd io, net_af_xdp (+ dA NAPI on CPU 1)" ;;
	testpmd_mac) echo "testpmd mac, net_af_xdp (+ dA NAPI on CPU 1)" ;;
	ovs) echo "OVS 3.1 afxdp, NORMAL (PMD + dA NAPI on CPU 1)" ;;
	veth) echo "veth only (generator ceiling)" ;;
	memif_testpmd_io) echo "testpmd io, memif" ;;
	memif_testpmd_mac) echo "testpmd mac, memif" ;;
	memif_vswitchd) echo "vswitchd, memif (type=dpdk)" ;;
	memif_vswitchd_2q) echo "vswitchd, memif, 2 queues/port, 1 PMD (CPU 1)" ;;
	memif_vswitchd_2pmd) echo "vswitchd, memif, 2 queues/port, 2 PMDs (CPUs 0+1; CPU 0 shared with the generator)" ;;
	memif_ovs) echo "OVS 3.1 dpdk memif, NORMAL (PMD on CPU 1)" ;;
	memif_vswitchd_nohuge) echo "vswitchd, memif, --no-huge (4 KiB pages)" ;;
	memif_vxlan_encap) echo "vswitchd VXLAN encap, memif -> memif underlay (VNI 100)" ;;
	memif_vxlan_decap) echo "vswitchd VXLAN decap, memif underlay -> memif (VNI 100)" ;;
	vxlan) echo "vswitchd VXLAN: 2 vswitchd (hosts A, B) over underlay veth, encap+decap (CPU $([ "$VX_B_CPU" = 1 ] && echo 1 || echo "1 + $VX_B_CPU"))" ;;
	vxlan_plain) echo "vswitchd plain L2 over the same 2 hosts: underlay veth a normal port (CPU $([ "$VX_B_CPU" = 1 ] && echo 1 || echo "1 + $VX_B_CPU"))" ;;
	macvlan) echo "vswitchd macvlan bridge: parent dA -> child dB (CPU 1)" ;;
	service) echo "vswitchd service: UDP to VIP, DNAT to sink, established (CPU 1)" ;;
	service_new) echo "vswitchd service: every frame a new connection (CPU 1)" ;;
	esac
}
# The row every other row of its topology is compared with.
is_ref() { [ "$1" = bridge ] || [ "$1" = memif_testpmd_mac ]; }
# Rows run by vswitchd (its PMD counters are read).
is_vs() { [[ $1 == *vswitchd* || $1 == macvlan || $1 == service* || $1 == *vxlan* ]]; }
# Rows of vswitchd's features: compared with the plain vswitchd row; their targets.
feature_target() {
	case $1 in
	macvlan) echo "1.00" ;;
	service) echo "0.80" ;;
	vxlan_plain) echo "" ;;
	vxlan*) echo "0.80" ;;
	*) echo "" ;;
	esac
}

# gen DEV SIZE RATE SECS WARMUP OUT: one generator run, its JSON in OUT; a memif run that
# fails is tried once more with a fresh device (see gen_once).
gen() {
	gen_once "$@" && return 0
	is_memif "$1" || return 1
	logf "$1 $2 B: generator failed, once more with a fresh device: $(grep -v '^EAL\|^TELEMETRY' "$TMPD/gen.err" | tail -n 2 | tr '\n' ' ')"
	gen_once "$@"
}

# gen_once DEV SIZE RATE SECS WARMUP OUT: one generator run, its JSON in OUT.
# memif devices are started for each run and stopped after it (their counters and PMD
# figures of the run are left in GEN_C1 and GEN_P1): DPDK 22.11's memif server crashes
# (testpmd: a segfault in librte_net_memif) when a client disconnects while it polls.
GEN_C1="" GEN_P1=""
gen_once() {
	local dev=$1 size=$2 rate=$3 secs=$4 warm=$5 out=$6 rc
	local common=(--size $((size - 4)) --seconds "$secs" --warmup "$warm" --rate "$rate"
		--flows "${GEN_FLOWS:-$FLOWS}" --macs "$MACS" --json --quiet "${GEN_EXTRA[@]}")
	if is_memif "$dev"; then
		if ! "setup_$dev"; then
			echo "$dev: setup failed" >"$TMPD/gen.err"
			teardown
			return 1
		fi
		local v vdevs=()
		for v in $(memif_vdevs client); do
			vdevs+=(--vdev "$v,zero-copy=$GEN_ZC")
		done
		# memif zero-copy shares the client's memory with the server by file descriptor:
		# one file per memory segment list (--single-file-segments), which EAL refuses
		# with --huge-unlink (the files stay in the run's private hugetlbfs until it is
		# unmounted; each run reuses them).
		local eal
		eal=$(dpdk_eal_args "${P}gen" "0@0")
		[ "$GEN_ZC" = yes ] && eal="${eal/ --huge-unlink/} --single-file-segments"
		# The device's process: dpdkgen reports the CPU share it and the device got over the
		# measurement, and the device's CPU time per frame (see memif_cpu).
		local dp
		dp=$(dut_pid "$dev")
		# shellcheck disable=SC2086
		"$DPDKGEN" $eal "${vdevs[@]}" -- "${common[@]}" ${dp:+--dut-pid "$dp"} \
			>"$out" 2>"$TMPD/gen.err" &
	else
		ip netns exec "$G" "$VSGEN" --tx "$GA" --rx "$GB" --cpu 0 "${common[@]}" \
			>"$out" 2>"$TMPD/gen.err" &
	fi
	GEN_PID=$!
	wait "$GEN_PID"
	rc=$?
	GEN_PID=""
	if is_memif "$dev"; then
		GEN_C1=$(dut_counters "$dev") GEN_P1=""
		is_vs "$dev" && GEN_P1=$(vs_pmd_snap)
		[[ $dev == memif_vxlan* ]] && memif_vxlan_log "$dev"
		[ "$dev" = memif_ovs ] && logf "OVS after the run: $(ovs_ctl --columns=name,link_state,statistics list interface 2>&1 | tr '\n' ' ') $(ovs-appctl -t "$(echo "$OVS_DIR"/ovs-vswitchd*."$(cat "$OVS_DIR/ovs-vswitchd.pid")".ctl)" dpif-netdev/pmd-stats-show 2>&1 | tr '\n' ' ')"
		teardown
	fi
	grep -v '^EAL: \|^TELEMETRY: ' "$TMPD/gen.err" >>"$LOGF"
	[ "$rc" -eq 0 ] && jq -e .sent "$out" >/dev/null 2>&1
}

# dut_pid DEV: the process of a memif row's device under test (empty if unknown).
dut_pid() {
	case $1 in
	memif_testpmd_*) echo "$TESTPMD_PID" ;;
	memif_vswitchd* | memif_vxlan*) echo "$VSWITCHD_PID" ;;
	memif_ovs) cat "$OVS_DIR/ovs-vswitchd.pid" 2>/dev/null ;;
	esac
}

# search DEV SIZE MAX_PPS: RFC 2544 style binary search of the highest offered rate with
# at most LOSS_OK % loss, between 0 and MAX_PPS (the rate of the unlimited run). Prints
# "pps trials flag": flag "=" found, ">=" even the unlimited rate had no loss (the
# generator's limit), "none" every trial lost frames.
search() {
	local dev=$1 size=$2 hi=$3 lo=0 mid i ok best="" trials=0 j=$TMPD/trial.json
	[ "${hi%.*}" -gt 0 ] 2>/dev/null || { echo "0 0 none"; return; }
	hi=${hi%.*}
	for ((i = 0; i < STEPS; i++)); do
		if [ -z "$best" ] && [ "$i" = 0 ]; then
			mid=$hi
		else
			mid=$(((lo + hi) / 2))
		fi
		[ "$mid" -gt 0 ] || break
		trials=$((trials + 1))
		ok=0
		if gen "$dev" "$size" "$mid" "$TRIAL" "$WARMUP" "$j"; then
			jq -e --argjson l "$LOSS_OK" '.sent > 0 and .loss_pct <= $l' "$j" >/dev/null && ok=1
		fi
		logf "search $dev $size: trial $trials at $mid pps: $(jq -c '{sent, received, loss_pct}' "$j" 2>/dev/null) -> $([ $ok = 1 ] && echo pass || echo fail)"
		if [ "$ok" = 1 ]; then
			best=$mid lo=$mid
			[ "$mid" = "$hi" ] && { echo "$mid $trials >="; return; }
		else
			hi=$mid
		fi
		# Stop when the interval is within 1% of the rate found.
		[ -n "$best" ] && [ $((hi - lo)) -le $((lo / 100)) ] && break
	done
	if [ -n "$best" ]; then echo "$best $trials ="; else echo "0 $trials none"; fi
}

# measure DEV SIZE: one generator run (plus the search with --rfc2544); appends a row.
measure() {
	local dev=$1 size=$2 c0 c1 s0 s1 g0=0 g1=0 out cpu drops p0="" p1="" zl="" j=$TMPD/gen.json n0=0 n1=0
	if is_memif "$dev"; then
		c0="" p0=$(printf '0\t0\t0\t0\t0\t0\t0\t0')
	else
		c0=$(dut_counters "$dev")
		g0=$(ga_tx_dropped)
		is_vs "$dev" && p0=$(vs_pmd_snap)
		[[ $dev == service* ]] && n0=$(svc_new_conns)
	fi
	s0=$(cpu_snap)
	if ! gen "$dev" "$size" "$RATE" "$DURATION" "$WARMUP" "$j"; then
		log "$(label "$dev") $size B: generator failed: $(grep -v '^EAL\|^TELEMETRY' "$TMPD/gen.err" | head -c 300)"
		row_failed "$dev" "$size" "generator failed"
		return 0
	fi
	s1=$(cpu_snap)
	if is_memif "$dev"; then # a fresh device for this run: its counters started at 0
		c1=$GEN_C1 p1=$GEN_P1
	else
		c1=$(dut_counters "$dev")
		g1=$(ga_tx_dropped)
		is_vs "$dev" && p1=$(vs_pmd_snap)
		[[ $dev == service* ]] && n1=$(svc_new_conns)
	fi
	out=$(cat "$j")
	logf "$dev $size: $out"
	cpu=$(cpu_pct "$s0" "$s1")
	drops=$(dut_drops_text "$dev" "$c0" "$c1")
	if [[ $dev == service* ]]; then
		# Connections the service stage opened over the run (warmup included), per frame
		# that reached the sink (frames the device never received open nothing).
		jq -r --arg n $((n1 - n0)) --arg d "$(label "$dev")" --arg sz "$size" '[$d, $sz, .rx_mpps,
			($n | tonumber), (.received + .warmup_received), .seconds] | @tsv' <<<"$out" >>"$SVCTSV"
	fi
	if [ "$RFC" = 1 ]; then
		zl=$(search "$dev" "$size" "$(jq -r '.tx_mpps * 1e6 | floor' <<<"$out")")
		log "$(label "$dev") $size B: zero-loss search: $zl"
	fi
	jq -r --arg topo "$(topo "$dev")" --arg id "$dev" --arg dev "$(label "$dev")" \
		--arg size "$size" --arg dt "${drops%%$'\t'*}" --arg dd "${drops#*$'\t'}" \
		--arg cpu "$cpu" --arg ga $((g1 - g0)) --arg zl "$zl" '[$topo, $id, $dev, $size,
		.tx_mpps, .rx_mpps, .rx_gbps, .loss_pct, $dd, (.sink_rx_ring_full +
		.sink_rx_fill_empty), $cpu, .sent, .received, $dt, $ga, .sink_rx_ring_full,
		.sink_rx_fill_empty, ($zl | split(" ") | .[0] // ""), ($zl | split(" ") | .[2] // ""),
		($zl | split(" ") | .[1] // ""), (.gen_oncpu_pct // ""), (.dut_oncpu_pct // ""),
		(.dut_ns_per_frame // "")] | @tsv' <<<"$out" >>"$TSV"
	if [ -n "$p0" ] && [ -n "$p1" ]; then
		printf '%s\t%s\t%s\t%s\n' "$(label "$dev")" "$size" "$(jq -r .rx_mpps <<<"$out")" \
			"$(vs_pmd_delta "$p0" "$p1")" >>"$PMDTSV"
	fi
	log "$(label "$dev") $size B: offered $(jq -r '.tx_mpps * 1000 | floor' <<<"$out") kpps, received $(jq -r '.rx_mpps * 1000 | floor' <<<"$out") kpps, CPU0/1 busy $cpu%"
}

# collapse_runs: with --repeat, each row's runs (TSV: device id $2, size $4, received Mpps $6;
# PMDTSV: label $1, size $2, Mpps $3) become the median run (the lower middle one for an
# even count; failed runs count only if all failed); every run stays in RUNSTSV.
RUNSTSV=$TMPD/runs.tsv
collapse_runs() {
	cp "$TSV" "$RUNSTSV"
	median_rows 2 4 6 <"$RUNSTSV" >"$TSV"
	if [ -s "$PMDTSV" ]; then
		cp "$PMDTSV" "$TMPD/pmd-runs.tsv"
		median_rows 1 2 3 <"$TMPD/pmd-runs.tsv" >"$PMDTSV"
	fi
}
# median_rows KEY1 KEY2 VALUE: for each (KEY1, KEY2) in first-seen order, the row with the
# median VALUE among rows that have one (else the first row).
median_rows() {
	awk -F'\t' -v k1="$1" -v k2="$2" -v c="$3" '
		{ k = $k1 SUBSEP $k2; if (!(k in n)) { order[++nk] = k; n[k] = 0; first[k] = $0 }
		  if ($c != "") { n[k]++; row[k, n[k]] = $0; val[k, n[k]] = $c + 0 } }
		END {
			for (i = 1; i <= nk; i++) {
				k = order[i]; m = n[k]
				if (m == 0) { print first[k]; continue }
				for (a = 2; a <= m; a++) # insertion sort by value
					for (b = a; b > 1 && val[k, b - 1] > val[k, b]; b--) {
						t = val[k, b]; val[k, b] = val[k, b - 1]; val[k, b - 1] = t
						t = row[k, b]; row[k, b] = row[k, b - 1]; row[k, b - 1] = t
					}
				print row[k, int((m + 1) / 2)]
			}
		}'
}

# row_failed DEV SIZE TEXT: a row without numbers.
row_failed() {
	printf '%s\t%s\t%s\t%s\t\t\t\t\t%s\t\t\t\t\t\t\t\t\t\t\t\t\t\t\n' "$(topo "$1")" "$1" "$(label "$1")" "$2" "$3" >>"$TSV"
}

# ---- memory ------------------------------------------------------------------------

# vswitchd's resident memory with 4 AF_XDP ports (veths) and one PMD thread.
measure_memory() {
	local i out rss0 rss4 hwm
	new_ns "$D" || return 1
	for i in 1 2 3 4; do
		ip -n "$D" link add "${P}m$i" type veth peer name "${P}n$i" || return 1
		ip -n "$D" link set "${P}m$i" up && ip -n "$D" link set "${P}n$i" up || return 1
	done
	start_vswitchd "$D" 1 || return 1
	rss0=$(vs_rss_kib)
	vsj add-br br0 >/dev/null || return 1
	for i in 1 2 3 4; do
		out=$("$VSCTL" -s "$SOCK" add-port br0 "${P}m$i" 2>&1) || { logf "add-port: $out"; return 1; }
	done
	sleep 1
	rss4=$(vs_rss_kib)
	hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$VSWITCHD_PID/status")
	logf "vswitchd smaps_rollup with 4 ports: $(tr -s ' ' <"/proc/$VSWITCHD_PID/smaps_rollup" | tr '\n' ';')"
	logf "vswitchd port options: $(vsj show | jq -c '[.bridges[0].ports[] | {name, options}]')"
	printf '%s\t%s\t%s\n' "$rss0" "$rss4" "$hwm" >"$MEMTSV"
	log "vswitchd VmRSS: $((rss0 / 1024)) MiB with no port, $((rss4 / 1024)) MiB with 4 AF_XDP ports (peak $((hwm / 1024)) MiB)"
}

# ---- run -----------------------------------------------------------------------

HEAD=$(git_commit)
LOAD_BEFORE=$(loadavg)
BG0=$(cpu_snap)
sleep 1
BG=$(cpu_pct "$BG0" "$(cpu_snap)")
OTHERS=$(pgrep -x vswitchd | wc -l)
log "sizes $SIZES, $DURATION s per measurement (+ $WARMUP s warmup)$([ "$RFC" = 1 ] && echo ", zero-loss search ($TRIAL s trials, loss <= $LOSS_OK%)"), load $LOAD_BEFORE, CPU0/1 busy $BG% before, $OTHERS other vswitchd running"
log "results in $OUTDIR"

for ((run = 1; run <= REPEAT; run++)); do
[ "$REPEAT" = 1 ] || log "run $run of $REPEAT"
for dev in $DEVICES; do
	[ "$dev" = mem ] && continue
	SETUP_NA="" GEN_EXTRA=() GEN_FLOWS=""
	log "setting up: $(label "$dev")"
	ok=1
	case $dev in
	testpmd_*) [ "$HAVE_TESTPMD" = 1 ] || { SETUP_NA="dpdk-testpmd not installed (apt-get install dpdk)"; ok=0; } ;;
	esac
	if [ "$ok" = 1 ] && ! "setup_$dev"; then
		ok=0
	fi
	if [ "$ok" = 0 ]; then
		[ -n "$SETUP_NA" ] || SETUP_NA="setup failed (see $LOGF)"
		log "$(label "$dev"): $SETUP_NA"
		for size in "${SIZE_LIST[@]}"; do
			row_failed "$dev" "$size" "$SETUP_NA"
		done
		teardown
		continue
	fi
	# memif devices: started again for every generator run (see gen).
	is_memif "$dev" && teardown
	for size in "${SIZE_LIST[@]}"; do
		measure "$dev" "$size"
	done
	teardown
done
done
[ "$REPEAT" = 1 ] || collapse_runs
if want mem; then
	log "measuring vswitchd's resident memory (4 AF_XDP ports, 1 PMD thread)"
	measure_memory || log "memory measurement failed (see $LOGF)"
	teardown
fi
LOAD_AFTER=$(loadavg)

# ---- report ----------------------------------------------------------------------

CSV_HEAD="topology,device_id,device,frame_bytes,offered_mpps,received_mpps,gbps,loss_pct,dut_drop_detail,sink_drops,cpu0_cpu1_busy_pct,sent,received,dut_drops,gA_tx_dropped,sink_rx_ring_full,sink_rx_fill_empty,zero_loss_pps,zero_loss_flag,search_trials,gen_oncpu_pct,dut_oncpu_pct,dut_ns_per_frame"
{
	echo "$CSV_HEAD"
	awk -F'\t' -v OFS=, '{
		for (i = 1; i <= NF; i++) if ($i ~ /[^0-9.]/ || $i == "") $i = "\"" $i "\""
		print }' "$TSV"
} >"$CSV"
if [ "$REPEAT" -gt 1 ]; then # every run, not only the median ones
	{
		echo "$CSV_HEAD"
		awk -F'\t' -v OFS=, '{
			for (i = 1; i <= NF; i++) if ($i ~ /[^0-9.]/ || $i == "") $i = "\"" $i "\""
			print }' "$RUNSTSV"
	} >"$OUTDIR/fwd-runs.csv"
fi

report() {
	echo "## Forwarding rate, generator -> device -> sink ($(date '+%Y-%m-%d %H:%M %Z'))"
	echo
	echo "Commit $HEAD, $(cpu_model), $(nproc) CPUs, kernel $(uname -r)."
	echo "**Pinning: generator and sink on CPU 0** (vsgen --cpu 0; dpdkgen --lcores 0@0), **device"
	echo "under test on CPU 1** (vswitchd --pmd-cpus 1; testpmd --lcores 0@1,1@1; OVS pmd-cpu-mask=0x2;"
	echo "the Linux bridge's receive work via RPS). $DURATION s per row after $WARMUP s of warmup,"
	echo "offered rate $([ "$RATE" = 0 ] && echo "as fast as the generator can" || echo "$RATE pps"), $FLOWS flow(s), $MACS source MAC(s)."
	echo "veth rows: AF_XDP (copy mode) on veths, dA's veth receive work in a threaded-NAPI kernel"
	echo "thread on CPU 1 unless the row says otherwise; the sink's receive work on gB runs where dB"
	echo "transmits. memif rows: DPDK memif, no kernel in the path (the device is the memif server)."
	echo "DPDK memory of generator, testpmd, vswitchd and OVS: $HUGE_STATUS."
	echo "memif generator ports (dpdkgen): zero-copy=$GEN_ZC (--gen-copy: no)."
	echo "Load average $LOAD_BEFORE before, $LOAD_AFTER after; CPU0/CPU1 busy $BG% in one idle second before"
	echo "the run (work of others)."
	echo
	local zh="" zs=""
	[ "$RFC" = 1 ] && zh=" zero-loss Mpps |" zs="---:|"
	echo "| topology | device | frame B | offered Mpps | received Mpps | Gbit/s | vs ref | vs vswitchd | loss % |$zh device drops | sink drops | CPU0/CPU1 busy % |"
	echo "|---|---|---:|---:|---:|---:|---:|---:|---:|$zs---|---:|---:|"
	awk -F'\t' -v rfc="$RFC" '
		function isref(id) { return id == "bridge" || id == "memif_testpmd_mac" }
		{ row[++n] = $0; if (isref($2) && $5 != "") ref[$1 == "memif" ? "memif" : "veth", $4] = $6
		  if ($2 == "vswitchd" && $5 != "") vs[$4] = $6
		  if ($2 == "memif_vswitchd" && $5 != "") mvs[$4] = $6
		  if ($2 ~ /^memif_vxlan_/ && $5 != "") mvx[$4] = 1 }
		END {
			for (i = 1; i <= n; i++) {
				split(row[i], f, "\t")
				z = ""
				if (f[5] == "") {
					if (rfc) z = " |"
					printf "| %s | %s | %s | | | | | | |%s %s | | |\n", f[1], f[3], f[4], z, f[9]
					continue
				}
				t = f[1] == "memif" ? "memif" : "veth"
				r = ref[t, f[4]]
				ratio = isref(f[2]) ? "ref" : ((r > 0) ? sprintf("%.2f", f[6] / r) : "-")
				vr = f[2] == "vswitchd" ? "ref" : ((t == "veth" && vs[f[4]] > 0) ? sprintf("%.2f", f[6] / vs[f[4]]) : "-")
				# memif VXLAN rows: against the plain memif vswitchd row.
				if (f[2] == "memif_vswitchd" && mvx[f[4]]) vr = "ref"
				if (f[2] ~ /^memif_vxlan_/) vr = (mvs[f[4]] > 0) ? sprintf("%.2f", f[6] / mvs[f[4]]) : "-"
				if (rfc) z = sprintf(" %s%.3f |", f[19] == ">=" ? ">= " : "", f[18] / 1e6)
				printf "| %s | %s | %s | %.3f | %.3f | %.3f | %s | %s | %.2f |%s %s | %s | %s |\n",
					f[1], f[3], f[4], f[5], f[6], f[7], ratio, vr, f[8], z, f[9], f[10], f[11]
			}
		}' "$TSV"
	echo
	echo "vs ref: received Mpps / the reference row's in the same run and topology, same frame size"
	echo "(veth: the Linux bridge; memif: testpmd mac); vs vswitchd: the same against the plain"
	echo "vswitchd row (L2 known unicast), veth rows, and the memif VXLAN rows against the plain memif"
	echo "vswitchd row (their frame size is the inner frame's; 50 B more on the underlay). Gbit/s counts each received frame as on an"
	echo "Ethernet link (frame + 4 B FCS + 20 B preamble and gap). Device drops: the device's own"
	echo "counters over the generator run (warmup included); sink drops: the sink port's rx-ring-full"
	echo "+ rx-fill-empty (memif: imissed + rx_nombuf), losses that are not the device's."
	if [ "$RFC" = 1 ]; then
		echo "zero-loss Mpps: highest offered rate with at most $LOSS_OK% loss in a $TRIAL s trial (binary"
		echo "search, at most $STEPS trials, within 1%); \">=\" means the unlimited rate passed: the generator's limit."
	fi
	if [ "$REPEAT" -gt 1 ]; then
		echo
		echo "Each row is the median of $REPEAT runs (round-robin over the devices; the other columns"
		echo "are the median run's). Received Mpps of every run, in order:"
		echo
		awk -F'\t' '$6 != "" { k = $3 " " $4 " B"; if (!(k in v)) o[++n] = k; v[k] = v[k] sprintf("%s%.3f", (k in v && v[k] != "") ? ", " : "", $6) }
			END { for (i = 1; i <= n; i++) printf "- %s: %s\n", o[i], v[o[i]] }' "$RUNSTSV"
		echo
	fi
	feature_targets
	memif_vxlan_targets
	memif_targets
	memif_cpu
	[ "$VS_DPDK" = 1 ] || echo "vswitchd memif row: n/a, this vswitchd has no --dpdk option (built without DPDK)."
	if [ -s "$PMDTSV" ]; then
		echo
		echo "vswitchd's PMD thread over the same runs (pmd-stats deltas; busy-cycles are TSC cycles"
		echo "of loop iterations that received something, including time the thread was descheduled;"
		echo "PMD on-CPU %: its time on the CPU / (that + time it was runnable but another thread had"
		echo "the CPU), from /proc schedstat; busy on-CPU ns/pkt: on-CPU time x busy share / packets,"
		echo "the per-packet cost without the time others took):"
		echo
		echo "| device | frame B | received Mpps | PMD busy % | avg rx burst | busy cycles/pkt | PMD CPU time in kernel % | PMD on-CPU % | busy on-CPU ns/pkt |"
		echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
		awk -F'\t' '{ printf "| %s | %s | %.3f | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8, $9 }' "$PMDTSV"
	fi
	if [ -s "$MEMTSV" ]; then
		local r0 r4 h
		read -r r0 r4 h <"$MEMTSV"
		echo
		echo "vswitchd resident memory (VmRSS), one PMD thread (CPU 1): $((r0 / 1024)) MiB with no port,"
		echo "**$((r4 / 1024)) MiB with 4 AF_XDP ports** (veths, default port options; peak VmHWM $((h / 1024)) MiB);"
		echo "target <= 128 MiB: $([ "$r4" -le $((128 * 1024)) ] && echo met || echo "missed by $(((r4 - 128 * 1024) / 1024)) MiB")."
	fi
	local b0=${BG%/*} b1=${BG#*/}
	if [ "${b0:-0}" -gt 10 ] || [ "${b1:-0}" -gt 10 ]; then
		echo
		echo "**Warning:** the CPUs were already busy ($BG% on CPU 0/CPU 1) in the idle second before the"
		echo "run ($OTHERS other vswitchd running): others' work shares the CPUs with the measurement and"
		echo "these numbers are disturbed. Rerun on an idle machine."
	fi
	echo
	echo "Files: $CSV (every column, raw sent/received counts)$([ "$REPEAT" -gt 1 ] && echo ", $OUTDIR/fwd-runs.csv (every run)"), $LOGF$(ls "$OUTDIR"/*.png >/dev/null 2>&1 && echo ", charts $OUTDIR/*.png")."
}

# Targets of the feature rows against the plain vswitchd row (issues 4, 5, 6), and the
# connection setup figures of the service rows. The vxlan row is compared with the
# vxlan_plain row (same two hosts, plain L2) when that ran, else with the plain vswitchd row.
feature_targets() {
	local id
	for id in macvlan service vxlan; do
		awk -F'\t' -v id="$id" -v t="$(feature_target "$id")" -v d="$(label "$id")" '
			$2 == "vswitchd" && $6 != "" { ref[$4] = $6 }
			$2 == "vxlan_plain" && $6 != "" { ref2[$4] = $6 }
			$2 == id && $6 != "" { row[++n] = $4; rx[n] = $6 }
			END {
				for (i = 1; i <= n; i++) {
					s = row[i]
					if (id == "vxlan" && ref2[s] > 0)
						printf "- Target %s, %s B: >= %s x the vxlan_plain row (same two hosts, plain L2): %.2f, %s%s.\n", d, s, t,
							rx[i] / ref2[s], (rx[i] / ref2[s] >= t) ? "met" : "missed",
							(ref[s] > 0) ? sprintf(" (%.2f x the one-switch plain vswitchd row)", rx[i] / ref[s]) : ""
					else if (ref[s] > 0)
						printf "- Target %s, %s B: >= %s x the plain vswitchd row: %.2f, %s.\n", d, s, t,
							rx[i] / ref[s], (rx[i] / ref[s] >= t) ? "met" : "missed"
					else
						printf "- Target %s, %s B: >= %s x the plain vswitchd row: no vswitchd row to compare with.\n", d, s, t
				}
			}' "$TSV"
	done
	[ -s "$SVCTSV" ] || return 0
	echo "Service rows, connections opened by the service stage over the run (warmup included)"
	echo "per frame received by the sink (1.00: every frame opened one, so received Mpps is the"
	echo "connection setup rate):"
	echo
	awk -F'\t' '{ printf "- %s, %s B: %d new connections for %d frames received (%.2f per frame), received %.3f Mpps%s\n",
		$1, $2, $4, $5, $5 ? $4 / $5 : 0, $3,
		($5 && $4 / $5 > 0.9) ? sprintf(": ~%.3f M connections/s", $3 * $4 / $5) : "" }' "$SVCTSV"
}

# The memif targets (issue 7) from the rows of this run: vswitchd against testpmd mac and
# OVS, and the PMD scaling figure (2 queues per port: 2 PMD threads / 1).
memif_targets() {
	[ -e "$PMDTSV" ] || : >"$PMDTSV"
	awk -F'\t' -v l2q="$(label memif_vswitchd_2q)" -v l2p="$(label memif_vswitchd_2pmd)" '
		FILENAME != ARGV[1] { if ($1 == l2q) ns1[$2] = $9; if ($1 == l2p) ns2[$2] = $9; next }
		$1 == "memif" && $6 != "" { rx[$2, $4] = $6; sz[$4] = 1 }
		END {
			for (s in sz) {
				v = rx["memif_vswitchd", s]; t = rx["memif_testpmd_mac", s]; o = rx["memif_ovs", s]
				q1 = rx["memif_vswitchd_2q", s]; q2 = rx["memif_vswitchd_2pmd", s]
				if (v > 0 && t > 0)
					printf "- Target memif, %s B: vswitchd >= 0.9 x testpmd mac: %.3f, %s.\n", s, v / t, (v / t >= 0.9) ? "met" : "missed"
				nh = rx["memif_vswitchd_nohuge", s]
				if (v > 0 && nh > 0)
					printf "- Hugepages, memif %s B: vswitchd on 2 MiB pages / on 4 KiB pages (--no-huge) = %.2f (%.3f / %.3f Mpps).\n", s, v / nh, v, nh
				if (v > 0 && o > 0)
					printf "- Target memif, %s B: vswitchd >= 1.5 x OVS: %.3f, %s.\n", s, v / o, (v / o >= 1.5) ? "met" : "missed"
				if (q1 > 0 && q2 > 0)
					printf "- Scaling, memif %s B, 2 queues per port: 2 PMD threads / 1 PMD thread = %.2f (%.3f / %.3f Mpps)%s; on 2 CPUs the second PMD thread shares CPU 0 with the generator.%s\n",
						s, q2 / q1, q2, q1, (v > 0) ? sprintf(", 1 queue 1 PMD %.3f", v) : "",
						(ns1[s] > 0 && ns2[s] > 0) ? sprintf(" CPU time per packet (busy on-CPU ns/pkt, all PMD threads): %s with 1 PMD, %s with 2: what each added core can forward is %.2fx what one does.", ns1[s], ns2[s], ns1[s] / ns2[s]) : ""
			}
		}' "$TSV" "$PMDTSV"
	[ "$REPEAT" -gt 1 ] && [ -s "$RUNSTSV" ] || return 0
	# With --repeat, the same ratios round by round (a round measures the rows back to back,
	# so a change of the machine's state between rounds cancels out) and their median.
	awk -F'\t' '
		function med(a, m,   x, y, t) {
			for (x = 2; x <= m; x++)
				for (y = x; y > 1 && a[y - 1] > a[y]; y--) { t = a[y]; a[y] = a[y - 1]; a[y - 1] = t }
			return m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
		}
		function line(s, ref, name,   k, m, r, txt, a) {
			m = 0; txt = ""
			for (k = 1; k <= nr[s]; k++)
				if (rx["memif_vswitchd", s, k] > 0 && rx[ref, s, k] > 0) {
					r = rx["memif_vswitchd", s, k] / rx[ref, s, k]
					a[++m] = r; txt = txt sprintf("%s%.3f", m > 1 ? ", " : "", r)
				}
			if (m > 1)
				printf "- memif %s B, round by round: vswitchd / %s %s; median %.3f.\n", s, name, txt, med(a, m)
		}
		$1 == "memif" && $6 != "" { n = ++cnt[$2, $4]; rx[$2, $4, n] = $6; sz[$4] = 1; if (n > nr[$4]) nr[$4] = n }
		END {
			for (s in sz) {
				line(s, "memif_testpmd_mac", "testpmd mac")
				line(s, "memif_ovs", "OVS")
			}
		}' "$RUNSTSV"
}

# The CPU each memif row had (from dpdkgen --dut-pid, over the measurement): the share of
# its CPU the generator's thread and the device's threads got while runnable (busy pollers
# always are; below 100% another process took turns on that CPU, and the row's Mpps say
# as much about that process as about the device), and the device's CPU time per frame
# delivered. That figure does not count time others had the CPU, so rows can be compared
# with it when their Mpps cannot; it includes the device's empty polls, so it is the
# device's cost per frame only when the device was the bottleneck, and more otherwise.
MEMIF_SHARE_OK=95
memif_cpu() {
	awk -F'\t' '$1 == "memif" && $21 != "" { n++ } END { exit n == 0 }' "$TSV" || return 0
	echo
	echo "memif rows, CPU over the measurement (dpdkgen --dut-pid; /proc schedstat): generator"
	echo "(CPU 0) and device (its threads) on-CPU % = time on the CPU / (that + time runnable"
	echo "while another thread had it); device CPU ns/frame = the device's CPU time / frames"
	echo "delivered (empty polls included: the device's cost per frame when it is the bottleneck,"
	echo "more when the generator is), not counting time others had the CPU:"
	echo
	echo "| device | frame B | received Mpps | generator on-CPU % | device on-CPU % | device CPU ns/frame |"
	echo "|---|---:|---:|---:|---:|---:|"
	awk -F'\t' -v ok="$MEMIF_SHARE_OK" '
		$1 == "memif" && $21 != "" {
			bad = ($21 < ok || $22 < ok)
			printf "| %s | %s | %.3f | %s%.1f%s | %s%.1f%s | %.1f |\n", $3, $4, $6,
				($21 < ok) ? "**" : "", $21, ($21 < ok) ? "**" : "",
				($22 < ok) ? "**" : "", $22, ($22 < ok) ? "**" : "", $23
			if (bad) nbad++
			ns[$2, $4] = $23; sz[$4] = 1
		}
		END {
			if (nbad)
				printf "\n**Warning:** in %d memif row(s) the generator or the device had less than %d%% of its CPU (bold): another process shared CPU 0 or 1 with the measurement, so their Mpps and the ratios above are not comparable; the device CPU ns/frame column leaves out the time others had the CPU (not what they did to its caches).\n", nbad, ok
			for (s in sz) {
				v = ns["memif_vswitchd", s]; t = ns["memif_testpmd_mac", s]; o = ns["memif_ovs", s]
				if (v > 0 && t > 0)
					printf "- memif %s B by device CPU time per frame: vswitchd = %.2f x testpmd mac (%.1f vs %.1f ns/frame)%s.\n", s, t / v, v, t, (o > 0) ? sprintf(", %.2f x OVS (%.1f ns/frame)", o / v, o) : ""
			}
		}' "$TSV"
}

# chart TOPOLOGY FILE: Mpps (zero-loss with --rfc2544, else received) by frame size, one
# bar per device.
chart() {
	local t=$1 png=$2 dat=$TMPD/chart-$1.dat col=6 what="received Mpps"
	[ "$RFC" = 1 ] && col=18 what="zero-loss Mpps"
	awk -F'\t' -v t="$t" -v c="$col" -v rfc="$RFC" '
		(t == "memif") == ($1 == "memif") && $5 != "" {
			if (!($3 in seen)) { seen[$3] = 1; dev[++nd] = $3 }
			if (!($4 in sz)) { sz[$4] = 1; size[++ns] = $4 }
			v[$3, $4] = rfc ? $c / 1e6 : $c
		}
		END {
			if (nd == 0) exit 1
			printf "size"; for (d = 1; d <= nd; d++) printf "\t\"%s\"", dev[d]; print ""
			for (s = 1; s <= ns; s++) {
				printf "%s", size[s]
				for (d = 1; d <= nd; d++) printf "\t%s", ((dev[d], size[s]) in v) ? v[dev[d], size[s]] : "NaN"
				print ""
			}
		}' "$TSV" >"$dat" || return 1
	gnuplot <<EOF 2>>"$LOGF"
set terminal pngcairo size 1000,560 noenhanced
set output "$png"
set title "$t topology: $what by frame size (generator CPU 0, device CPU 1)"
set ylabel "$what"
set xlabel "Ethernet frame size (bytes, with FCS)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set key outside right top vertical
set grid ytics
set yrange [0:*]
plot for [i=2:*] "$dat" using i:xtic(1) title columnhead(i)
EOF
}

report >"$MD"
if command -v gnuplot >/dev/null 2>&1; then
	for t in veth memif; do
		chart "$t" "$OUTDIR/fwd-$t.png" && log "chart: $OUTDIR/fwd-$t.png"
	done
	report >"$MD" # again, to list the charts
else
	log "gnuplot not installed: no PNG chart (apt-get install gnuplot-nox)"
fi
cat "$MD"
log "report: $MD, CSV: $CSV, log: $LOGF"
