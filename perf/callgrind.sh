#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# perf/callgrind.sh: instructions per packet of each pipeline_bench row, counted by
# valgrind's callgrind. Unlike ns or cycles these do not depend on the machine's load, so
# two versions of the code can be compared on a noisy machine (they say nothing about
# cache misses or stalls: compare with pipeline_bench's cycles).
#
# For each row, pipeline_bench runs twice under callgrind with a fixed amount of work:
# --bursts N and --bursts 2N (N = 2048 bursts of 32 = one pass over the frame pool),
# counting only inside run_bursts() (--toggle-collect). Both runs do the same learning pass
# and untimed pass there, so the difference of their instruction counts divided by N x 32
# is what one packet costs; the counts are the same from run to run.
#
# Usage: perf/callgrind.sh [--rows 'LABEL;LABEL...'] [--bursts N] [--out DIR] [--annotate]
# Results: a Markdown table on stdout and in DIR/YYYYMMDD-HHMMSS/callgrind.{md,csv}; with
# --annotate also callgrind_annotate's per-function profile of each row (the larger run).
# Needs valgrind (apt-get install valgrind); root is not needed.

ME=callgrind
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
	sed -n '3,18p' "$0" | sed 's/^# \{0,1\}//'
}

ROWS="" BURSTS=2048 OUTBASE=$SRC/perf/results ANNOTATE=0
while [ $# -gt 0 ]; do
	case $1 in
	--rows) [ $# -ge 2 ] || die "--rows needs a value"; ROWS=$2; shift 2 ;;
	--bursts) [ $# -ge 2 ] || die "--bursts needs a value"; BURSTS=$2; shift 2 ;;
	--out) [ $# -ge 2 ] || die "--out needs a value"; OUTBASE=$2; shift 2 ;;
	--annotate) ANNOTATE=1; shift ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; die "unknown option: $1" ;;
	esac
done
[[ $BURSTS =~ ^[1-9][0-9]*$ ]] || die "--bursts must be a positive integer: $BURSTS"
NEED_HINT="apt-get install valgrind"
need_tools valgrind awk
find_binaries PIPELINE_BENCH

OUTDIR=$(results_dir "$OUTBASE")
MD=$OUTDIR/callgrind.md CSV=$OUTDIR/callgrind.csv LOGF=$OUTDIR/callgrind.log
: >"$LOGF"

# The rows' labels, as pipeline_bench prints them (all fields but the last six).
all_rows() {
	"$PIPELINE_BENCH" --seconds 0.01 --runs 1 --bursts 1 --no-services 2>>"$LOGF" |
		awk '/^row +packets/ { on = 1; next } on && NF == 0 { exit }
		     on { s = $1; for (i = 2; i <= NF - 6; i++) s = s " " $i; print s }'
}

# ir ROW BURSTS OUTFILE: total instructions of one pipeline_bench run under callgrind.
ir() {
	# Only inside run_bursts() (the measured bursts, the warm-up pass and learning, all the
	# same in both runs but the bursts): outside it, calibrate() loops for 200 ms of wall
	# time, a number of instructions that depends on the machine's load.
	valgrind --tool=callgrind --toggle-collect=run_bursts --callgrind-out-file="$3" \
		"$PIPELINE_BENCH" --row "$1" \
		--bursts "$2" --runs 1 --no-services >>"$LOGF" 2>&1 || return 1
	awk '/^summary:/ { print $2; exit } /^totals:/ { t = $2 } END { if (t) print t }' "$3" | head -1
}

if [ -n "$ROWS" ]; then
	IFS=';' read -r -a ROW_LIST <<<"$ROWS"
else
	mapfile -t ROW_LIST < <(all_rows)
fi
[ "${#ROW_LIST[@]}" -gt 0 ] || die "no rows (see $LOGF)"

echo "row,instructions_per_packet,ir_run1,ir_run2,bursts" >"$CSV"
{
	echo "## Instructions per packet, pipeline_bench rows under callgrind ($(date '+%Y-%m-%d %H:%M %Z'))"
	echo
	echo "Commit $(git_commit), $("$PIPELINE_BENCH" --help >/dev/null 2>&1; valgrind --version), $(cpu_model)."
	echo "(Ir of --bursts $((2 * BURSTS)) - Ir of --bursts $BURSTS) / ($BURSTS x 32 packets). The same binary as"
	echo "pipeline_bench (buildtype of build/: -O2 -g by default)."
	echo
	echo "| row | instructions/packet |"
	echo "|---|---:|"
} >"$MD"
i=0
for row in "${ROW_LIST[@]}"; do
	i=$((i + 1))
	log "row $i/${#ROW_LIST[@]}: $row"
	a=$(ir "$row" "$BURSTS" "$TMPD/cg.$i.1") || { log "$row: valgrind failed (see $LOGF)"; echo "| $row | failed |" >>"$MD"; continue; }
	b=$(ir "$row" $((2 * BURSTS)) "$TMPD/cg.$i.2") || { log "$row: valgrind failed (see $LOGF)"; echo "| $row | failed |" >>"$MD"; continue; }
	per=$(awk -v a="$a" -v b="$b" -v n="$BURSTS" 'BEGIN { printf "%.1f", (b - a) / (n * 32) }')
	echo "\"$row\",$per,$a,$b,$BURSTS" >>"$CSV"
	echo "| $row | $per |" >>"$MD"
	if [ "$ANNOTATE" = 1 ] && command -v callgrind_annotate >/dev/null 2>&1; then
		callgrind_annotate "$TMPD/cg.$i.2" >"$OUTDIR/annotate-$i.txt" 2>>"$LOGF"
		logf "$row: callgrind_annotate in $OUTDIR/annotate-$i.txt"
	fi
done
cat "$MD"
log "report: $MD, CSV: $CSV"
