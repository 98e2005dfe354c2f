#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Smoke run of the forwarding benchmark (perf/fwd_bench.sh with vsgen): a second per
# row at 64 bytes proves the harness still builds its topologies, drives every device
# and counts frames arriving at the sink. No rate is asserted: only that each row
# received frames and the script cleaned up after itself.
. "$(dirname "$0")/lib.sh"

VSGEN=${VSGEN:-$VS_SRC_ROOT/build/perf/vsgen}
[ -x "$VSGEN" ] || fail "vsgen not found: $VSGEN (set VSGEN)"
out=$VS_TMP/results
mkdir -p "$out"
VSWITCHD=$VSWITCHD VSCTL=$VSCTL VSGEN=$VSGEN timeout 240 \
	bash "$VS_SRC_ROOT/perf/fwd_bench.sh" --sizes 64 --seconds 1 --warmup 0.5 --out "$out" \
	>"$VS_TMP/fwd_bench.out" 2>&1
rc=$?
VS_EXTRA_LOGS+=("$VS_TMP/fwd_bench.out")
[ "$rc" -eq 0 ] || fail "perf/fwd_bench.sh exited $rc"
csv=$(ls "$out"/fwd-*.csv 2>/dev/null | head -1)
[ -n "$csv" ] || fail "no CSV written"
rows=$(python3 - "$csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
for r in rows:
    print(r["device"], r["received"])
PY
)
log "rows (device, frames received):"
printf '%s\n' "$rows"
[ "$(wc -l <<<"$rows")" -ge 4 ] || fail "expected at least 4 rows (2 vswitchd, bridge, veth)"
while read -r line; do
	n=${line##* }
	[ "$n" -gt 0 ] || fail "a row received nothing: $line"
done <<<"$rows"
ip netns list | grep -q '^vsf' && fail "fwd_bench.sh left namespaces behind: $(ip netns list)"
ok "forwarding harness smoke run: every device forwarded frames"
