#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# perf/svc_callgrind.sh: instructions per packet of pipeline_bench's service rows "L2 unicast
# (same frames)" and "service DNAT, established", counted by valgrind's callgrind (the same
# in every run, unlike ns on a shared machine).
#
# svc_bench.c runs each row in chunks of 64 bursts (2,048 packets, two passes over its 1,024
# flows) in one non-inlined function per row (svc_chunk_l2, svc_chunk_est); counting only
# inside them (--toggle-collect) and dividing by the chunks' packets gives the cost of one
# packet through vs_pmd_pipeline(), the frame restore and the mem port's tx included (the
# same in both rows). The connection setup row is not counted.
#
# Usage: perf/svc_callgrind.sh [BUILD_DIR] (default build). Needs valgrind and python3;
# takes about a minute (loading the 10,000 services under valgrind).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build}/perf/pipeline_bench
[ -x "$bin" ] || { echo "svc_callgrind: no $bin (build first)" >&2; exit 1; }
command -v valgrind >/dev/null || { echo "svc_callgrind: needs valgrind (apt-get install valgrind)" >&2; exit 1; }
out=$(mktemp -d /tmp/svc_callgrind.XXXXXX)
trap 'rm -rf "$out"' EXIT
valgrind --tool=callgrind --toggle-collect=svc_chunk_est --toggle-collect=svc_chunk_l2 \
	--callgrind-out-file="$out/cg" "$bin" --row "L2 only, 2 MACs" --seconds 0.02 --runs 1 \
	--bursts 64 >"$out/log" 2>&1 || { cat "$out/log" >&2; exit 1; }
python3 - "$out/cg" <<'PY'
import re, sys

names, calls, cost = {}, {}, {}
cfn, pending = None, 0
for line in open(sys.argv[1]):
    line = line.rstrip("\n")
    m = re.match(r"^(c?fn)=\((\d+)\)(?: (.*))?$", line)
    if m:
        if m.group(3):
            names[m.group(2)] = m.group(3)
        cfn = names[m.group(2)] if m.group(1) == "cfn" else None
        continue
    if line.startswith("calls=") and cfn:
        pending = int(line.split("=")[1].split()[0])
        continue
    if pending:
        if cfn.startswith("svc_chunk_"):
            calls[cfn] = calls.get(cfn, 0) + pending
            cost[cfn] = cost.get(cfn, 0) + int(line.split()[1])
        pending = 0
per = {k: cost[k] / (calls[k] * 2048) for k in calls}
label = {"svc_chunk_l2": "L2 unicast (same frames)", "svc_chunk_est": "service DNAT, established"}
print("| row | instructions/packet |")
print("|---|---:|")
for k in ("svc_chunk_l2", "svc_chunk_est"):
    print(f"| {label[k]} | {per[k]:.1f} |" if k in per else f"| {label[k]} | missing |")
if len(per) == 2:
    print(f"\nL2 / established, in instructions: {per['svc_chunk_l2'] / per['svc_chunk_est'] * 100:.0f}%")
PY
