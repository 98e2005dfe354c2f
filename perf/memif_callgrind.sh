#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# perf/memif_callgrind.sh: instructions per packet of vswitchd's PMD thread forwarding
# between two DPDK memif ports, counted by valgrind's callgrind. Unlike Mpps or cycles they
# do not depend on the machine's load, so two versions of the DPDK port path can be
# compared on a noisy machine (they say nothing about cache misses or stalls).
#
# vswitchd runs under callgrind (--no-huge, PMD thread on CPU 1) with a bridge of two memif
# server ports; dpdkgen (CPU 0) sends through it for SECS seconds. The PMD thread's profile
# gives, per packet forwarded, the instructions of everything after the receive burst
# (vs_pmd_pipeline: parse, checksum, L2, output and the tx burst including memif's own
# copy into shared memory) and of each stage. The receive burst itself is left out: the PMD
# thread also polls empty rings (how often depends on the generator's speed), and those
# polls land in the same functions.
#
# With --pmds 2: two PMD threads (CPUs 0 and 1), ports with 2 queues, dpdkgen sending on
# both; one table per PMD thread (instructions per packet should not grow with threads: no
# shared counters, locks or atomics per packet).
#
# Usage: perf/memif_callgrind.sh [--seconds S] [--pmds 1|2] [--out DIR] [--keep]
# Prints a Markdown table; with --keep the callgrind files stay in DIR (default: a
# temporary directory, removed). Needs root, valgrind, python3 and a vswitchd built with
# DPDK (VSWITCHD, VSCTL, DPDKGEN select the binaries).

ME=memif_callgrind
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SECS=5 OUT="" KEEP=0 PMDS=1
while [ $# -gt 0 ]; do
	case $1 in
	--seconds) [ $# -ge 2 ] || die "--seconds needs a value"; SECS=$2; shift 2 ;;
	--out) [ $# -ge 2 ] || die "--out needs a value"; OUT=$2; shift 2 ;;
	--keep) KEEP=1; shift ;;
	--pmds) [ $# -ge 2 ] || die "--pmds needs a value"; PMDS=$2; shift 2 ;;
	-h | --help) sed -n '3,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown option: $1 (see --help)" ;;
	esac
done
[[ $SECS =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "--seconds must be a number: $SECS"
[ "$KEEP" = 0 ] || [ -n "$OUT" ] || die "--keep needs --out DIR"
case $PMDS in
1) CPUS=1 NQ=1 ;;
2) CPUS=0,1 NQ=2 ;;
*) die "--pmds must be 1 or 2: $PMDS" ;;
esac
need_root_and_two_cpus
NEED_HINT="apt-get install valgrind python3 jq"
need_tools valgrind python3 jq callgrind_annotate
find_binaries VSWITCHD VSCTL DPDKGEN
vswitchd_has_dpdk || die "$VSWITCHD is built without DPDK"
[ -n "$OUT" ] || OUT=$TMPD/cg
mkdir -p "$OUT" || die "cannot create $OUT"
P=vsc$$
A=$TMPD/memif-a.sock B=$TMPD/memif-b.sock

: >"$VSLOG"
valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file="$OUT/cg.%p" \
	"$VSWITCHD" --socket "$SOCK" --pmd-cpus "$CPUS" --log-level info \
	--dpdk "--no-huge -m 512 --no-pci --file-prefix ${P}vs" >>"$VSLOG" 2>&1 &
VSWITCHD_PID=$!
wait_until 90 "$VSCTL" -s "$SOCK" -t 2 version >/dev/null 2>&1 ||
	die "vswitchd under valgrind did not start: $(tail -n 5 "$VSLOG" | tr '\n' ' ')"
"$VSCTL" -s "$SOCK" -t 60 add-br br0 >/dev/null || die "add-br failed"
for i in 0 1; do
	s=$A
	[ $i = 1 ] && s=$B
	"$VSCTL" -s "$SOCK" -t 60 add-port br0 "m$i" type=dpdk \
		"devargs=net_memif$i,role=server,socket=$s,id=0" "n_rxq=$NQ" "n_txq=$NQ" >/dev/null ||
		die "add-port m$i failed"
done
# shellcheck disable=SC2046
"$DPDKGEN" $(dpdk_eal_args "${P}gen" 0@0) --vdev "net_memif0,role=client,socket=$A,id=0" \
	--vdev "net_memif1,role=client,socket=$B,id=0" -- --seconds "$SECS" --warmup 1 --json \
	--queues "$NQ" --link-wait 60 --quiet >"$TMPD/gen.json" 2>"$TMPD/gen.err" ||
	die "dpdkgen failed: $(tail -n 3 "$TMPD/gen.err"); vswitchd: $(tail -n 8 "$VSLOG")"
pstats=$("$VSCTL" -s "$SOCK" -t 60 --json pmd-stats)
stop_pid "$VSWITCHD_PID" TERM 60
VSWITCHD_PID=""
# The PMD threads' files: those that ran the pipeline, in thread order (= PMD id order).
files=$(grep -l 'vs_pmd_pipeline' "$OUT"/cg.*-* 2>/dev/null | sort)
[ -n "$files" ] || die "no callgrind profile of a PMD thread in $OUT"
i=0
for f in $files; do
	pkts=$(jq --argjson i "$i" '.pmds[$i]."rx-packets"' <<<"$pstats")
	log "PMD thread $i: $pkts packets forwarded under callgrind; profile $f"
	callgrind_annotate --inclusive=yes --threshold=100 "$f" >"$TMPD/incl.txt" 2>/dev/null
	python3 - "$TMPD/incl.txt" "$pkts" "$(git_commit)" "$i" "$PMDS" <<'PY'
import re, sys
incl = {}
for line in open(sys.argv[1]):
    m = re.match(r'\s*([\d,]+) \([^)]*\)\s+(\S+):(\S+)', line)
    if m:
        fn = m.group(3)
        incl[fn] = max(incl.get(fn, 0), int(m.group(1).replace(',', '')))
pkts = int(sys.argv[2])
print(f"Commit {sys.argv[3]}: instructions per packet forwarded memif -> memif, PMD thread "
      f"{sys.argv[4]} of {sys.argv[5]} ({pkts} packets, callgrind)\n")
print("| part | Ir/packet |")
print("|---|---:|")
for fn, what in [("vs_pmd_pipeline", "pipeline after rx, tx burst included"),
                 ("vs_parse_burst", "parse"), ("vs_csum_burst", "checksum completion"),
                 ("vs_l2_burst", "L2 learning + lookup"), ("vs_output_burst", "output staging"),
                 ("vs_output_flush", "tx: flush"), ("dpdk_tx_burst", "tx: dpdk_tx_burst incl. memif tx")]:
    print(f"| {what} (`{fn}`) | {incl.get(fn, 0) / max(pkts, 1):.1f} |")
print()
PY
	i=$((i + 1))
done
[ "$KEEP" = 1 ] && log "callgrind files kept in $OUT"
exit 0
