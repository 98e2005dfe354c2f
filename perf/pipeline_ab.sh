#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# perf/pipeline_ab.sh: times pipeline_bench rows of two (or more) builds against each other on
# a shared, noisy machine. Each round runs every binary on every row, alternating, as
# `pipeline_bench --row ROW --bursts 256 --runs 101 --no-services`: 101 timed windows of 8,192
# packets (well under a scheduler time slice, so most windows are not interrupted), median
# ns/pkt printed. Over the rounds it reports, per row and binary, the minimum of those medians
# (the least disturbed round: the best estimate of an idle machine) and their median.
#
# Usage: perf/pipeline_ab.sh [--rounds N] [--rows 'LABEL;LABEL...'] BIN...
# (default 4 rounds, every row). Example, the base commit built in /tmp/base:
#   perf/pipeline_ab.sh --rows 'unicast, 1k MACs;L2 only, 1k MACs' /tmp/base/build/perf/pipeline_bench build/perf/pipeline_bench
set -euo pipefail

ROUNDS=4 ROWS=""
while [ $# -gt 0 ]; do
	case $1 in
	--rounds) ROUNDS=$2; shift 2 ;;
	--rows) ROWS=$2; shift 2 ;;
	-h | --help) sed -n '3,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) break ;;
	esac
done
[ $# -ge 1 ] || { echo "pipeline_ab: give one or more pipeline_bench binaries" >&2; exit 2; }
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || { echo "pipeline_ab: --rounds must be a positive integer" >&2; exit 2; }
for b in "$@"; do [ -x "$b" ] || { echo "pipeline_ab: not executable: $b" >&2; exit 2; }; done
if [ -z "$ROWS" ]; then
	ROWS=$("$1" --seconds 0.01 --runs 1 --bursts 1 --no-services 2>/dev/null |
		awk '/^row +packets/ { on = 1; next } on && NF == 0 { exit }
		     on { s = $1; for (i = 2; i <= NF - 6; i++) s = s " " $i; print s }' | paste -sd';')
fi
IFS=';' read -r -a ROW_LIST <<<"$ROWS"
raw=$(mktemp /tmp/pipeline_ab.XXXXXX)
trap 'rm -f "$raw"' EXIT
for ((i = 1; i <= ROUNDS; i++)); do
	for b in "$@"; do
		for r in "${ROW_LIST[@]}"; do
			v=$("$b" --no-services --row "$r" --bursts 256 --runs 101 |
				awk -v r="$r" 'index($0, r) == 1 { print $(NF - 4) }')
			printf '%s|%s|%s\n' "$b" "$r" "${v:-nan}" >>"$raw"
		done
	done
done
awk -F'|' -v nb=$# '
	{ k = $1 SUBSEP $2; v[k, ++n[k]] = $3; if (!($1 in seenb)) { seenb[$1] = 1; bins[++nbin] = $1 }
	  if (!($2 in seenr)) { seenr[$2] = 1; rows[++nrow] = $2 } }
	function med(k,   m, i, j, t, a) { m = n[k]; for (i = 1; i <= m; i++) a[i] = v[k, i]
		for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
		return m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2 }
	function mn(k,   m, i, x) { x = v[k, 1]; for (i = 2; i <= n[k]; i++) if (v[k, i] < x) x = v[k, i]; return x }
	END {
		for (b = 1; b <= nbin; b++) printf "binary %d: %s\n", b, bins[b]
		printf "\n| row |"; for (b = 1; b <= nbin; b++) printf " %d: min / median ns/pkt |", b; printf "\n|---|"
		for (b = 1; b <= nbin; b++) printf "---:|"; printf "\n"
		for (r = 1; r <= nrow; r++) { printf "| %s |", rows[r]
			for (b = 1; b <= nbin; b++) { k = bins[b] SUBSEP rows[r]; printf " %.2f / %.2f |", mn(k), med(k) }
			printf "\n" }
	}' "$raw"
