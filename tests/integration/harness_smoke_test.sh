#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Smoke run of the forwarding benchmark (perf/fwd_bench.sh with vsgen and dpdkgen): half a
# second per row at 64 bytes, plus a two-step zero-loss search on one row, proves the
# harness still builds its topologies, drives every device (vswitchd, the Linux bridge,
# dpdk-testpmd over net_af_xdp and memif, vswitchd over memif when it has DPDK, and the
# rows of vswitchd's features: macvlan demux, service DNAT (established and new
# connections), VXLAN between two vswitchd hosts and its plain L2 reference, VXLAN
# encapsulation and decapsulation over memif with dpdkgen as the remote VTEP),
# counts frames arriving at the sink, measures vswitchd's memory and cleans up after
# itself. No rate is asserted.
. "$(dirname "$0")/lib.sh"

VSGEN=${VSGEN:-$VS_SRC_ROOT/build/perf/vsgen}
DPDKGEN=${DPDKGEN:-$(dirname "$VSGEN")/dpdkgen}
[ -x "$VSGEN" ] || fail "vsgen not found: $VSGEN (set VSGEN)"
command -v dpdk-testpmd >/dev/null || fail "dpdk-testpmd not found (apt-get install dpdk)"
# A build with DPDK (vswitchd links librte_ethdev) has dpdkgen and a vswitchd memif row;
# one without has neither, and the memif rows must say so.
dpdk=0
ldd "$VSWITCHD" | grep -q librte_ethdev && dpdk=1
[ "$dpdk" = 0 ] || [ -x "$DPDKGEN" ] || fail "dpdkgen not found: $DPDKGEN (a build with DPDK builds it)"
out=$VS_TMP/results
mkdir -p "$out"
# In the background only to learn its PID: fwd_bench.sh names its namespaces vsf<PID>*, and
# other runs of it (another test, a benchmark) may own other vsf* namespaces meanwhile.
VSWITCHD=$VSWITCHD VSCTL=$VSCTL VSGEN=$VSGEN DPDKGEN=$DPDKGEN \
	bash "$VS_SRC_ROOT/perf/fwd_bench.sh" --sizes 64 --seconds 0.5 --warmup 0.2 --out "$out" \
	>"$VS_TMP/fwd_bench.out" 2>&1 &
bench_pid=$!
VS_PIDS+=("$bench_pid")
rc=0
for ((i = 0; i < 2400; i++)); do
	kill -0 "$bench_pid" 2>/dev/null || break
	sleep 0.1
done
kill -0 "$bench_pid" 2>/dev/null && fail "perf/fwd_bench.sh still running after 240 s"
wait "$bench_pid" || rc=$?
untrack "$bench_pid"
VS_EXTRA_LOGS+=("$VS_TMP/fwd_bench.out")
[ "$rc" -eq 0 ] || fail "perf/fwd_bench.sh exited $rc"
csv=$(ls "$out"/*/fwd.csv 2>/dev/null | head -1)
[ -n "$csv" ] || fail "no CSV written"
VS_EXTRA_LOGS+=("$(dirname "$csv")/fwd.log")
rows=$(python3 - "$csv" "$dpdk" <<'PY'
import csv, sys
want = ["vswitchd", "vswitchd_softirq", "vswitchd_busypoll", "vswitchd_dpdk_afxdp",
        "vswitchd_dpdk_afpacket", "bridge", "testpmd_io",
        "testpmd_mac", "testpmd_io_busypoll", "veth",
        "memif_testpmd_io", "memif_testpmd_mac", "memif_vswitchd",
        "macvlan", "service", "service_new", "vxlan",
        "memif_vswitchd_2q", "memif_vswitchd_2pmd", "vxlan_plain",
        "memif_vxlan_encap", "memif_vxlan_decap"]
rows = {r["device_id"]: r for r in csv.DictReader(open(sys.argv[1]))}
bad = []
for d in want:
    r = rows.get(d)
    if r is None:
        bad.append(f"{d}: no row")
    elif (d.startswith("memif_") or d.startswith("vswitchd_dpdk")) and sys.argv[2] == "0":
        if "built without DPDK" not in r["dut_drop_detail"] and \
           "dpdkgen not built" not in r["dut_drop_detail"] and \
           not (r["received"] and int(r["received"]) > 0):
            bad.append(f"{d}: expected n/a or frames, got {r}")
    elif not r["received"] or int(r["received"]) <= 0:
        bad.append(f"{d}: received nothing ({r['dut_drop_detail']})")
    print(d, r and (r["received"] or r["dut_drop_detail"]))
for b in bad:
    print("BAD", b)
PY
)
log "rows (device, frames received):"
printf '%s\n' "$rows"
grep -q '^BAD' <<<"$rows" && fail "$(grep '^BAD' <<<"$rows" | tr '\n' ';')"
md=$(dirname "$csv")/fwd.md
grep -q 'with 4 AF_XDP ports' "$md" || fail "no memory row in the report"
# The feature rows are compared with the plain vswitchd row (VXLAN with vxlan_plain, the
# same two hosts without VXLAN), against their targets.
for t in "macvlan bridge.*>= 1.00 x the plain vswitchd row: [0-9.]+, (met|missed)" \
	"service: UDP to VIP.*>= 0.80 x the plain vswitchd row: [0-9.]+, (met|missed)" \
	"VXLAN.*>= 0.80 x the vxlan_plain row [(]same two hosts, plain L2[)]: [0-9.]+, (met|missed)" \
	"every frame a new connection.*, 64 B: [1-9][0-9]* new connections" \
	"DNAT to sink, established.*, 64 B: [1-9][0-9]* new connections"; do
	grep -qE "$t" "$md" || fail "report lacks '$t': $(grep -E 'Target|connections' "$md" | tr '\n' ';')"
done
# memif rows run on hugepages when the kernel gives them (else --no-huge, said so); the
# pages reserved are given back and the private hugetlbfs is unmounted.
grep -qE 'DPDK memory of generator, testpmd, vswitchd and OVS: (2 MiB hugepages|--no-huge)' "$md" ||
	fail "report does not say which memory DPDK used"
if grep -q 'DPDK memory.*2 MiB hugepages' "$md"; then
	grep -q 'hugepages: [0-9]* given back' "$(dirname "$csv")/fwd.log" ||
		fail "fwd_bench.sh did not give its hugepages back"
	hdir=$(sed -n 's/^hugepages: .*hugetlbfs on \([^ ]*\)$/\1/p' "$(dirname "$csv")/fwd.log" | head -1)
	[ -n "$hdir" ] || fail "fwd_bench.sh's log does not say where it mounted hugetlbfs"
	awk -v d="$hdir" '$2 == d { f = 1 } END { exit !f }' /proc/mounts &&
		fail "fwd_bench.sh left its hugetlbfs mounted on $hdir"
fi
if [ "$dpdk" = 1 ]; then
	grep -qE 'Scaling, memif 64 B, 2 queues per port: 2 PMD threads / 1 PMD thread = [0-9.]+' "$md" ||
		fail "report lacks the PMD scaling figure: $(grep -E 'Target|Scaling' "$md" | tr '\n' ';')"
	# VXLAN over memif: both directions against the plain memif row, the combined figure,
	# and no frame dropped for a VXLAN reason (dpdkgen answered the ARP for its VTEP before
	# it sent anything).
	for t in "VXLAN over memif, 64 B: encap [0-9.]+ Mpps = [0-9.]+ x the plain memif vswitchd row" \
		"VXLAN over memif, 64 B: decap [0-9.]+ Mpps = [0-9.]+ x the plain memif vswitchd row" \
		"Target VXLAN over memif, 64 B: encap \+ decap >= 0.80 x plain L2: 2 / \(1/encap \+ 1/decap\) = [0-9.]+ Mpps = [0-9.]+ x the plain memif vswitchd row, (met|missed)" \
		"^\| memif \| vswitchd VXLAN encap.* \| [0-9.]+ \| [0-9.]+ \| dropped [0-9]+ \(.*vxlan-\* 0\)" \
		"^\| memif \| vswitchd VXLAN decap.* \| [0-9.]+ \| [0-9.]+ \| dropped [0-9]+ \(.*vxlan-\* 0\)"; do
		grep -qE "$t" "$md" || fail "report lacks '$t': $(grep -E 'VXLAN' "$md" | tr '\n' ';')"
	done
	# Decapsulated unicast frames leave m0 in the mbuf they arrived in on the underlay
	# (tx-mbuf-shared), not copied into a new one (tx-mbuf-copied: the flooded learning
	# frames only).
	sed -n 's/^memif_vxlan_decap port-stats after the run: //p' "$(dirname "$csv")/fwd.log" |
		python3 -c '
import json, sys
m0 = [p for p in json.loads(sys.stdin.readline()) if p["name"] == "m0"][0]["device"]
assert m0["tx-mbuf-shared"] > 0 and m0["tx-mbuf-copied"] < 100, m0' ||
		fail "decapsulated frames were copied on m0 (see the port-stats in fwd.log)"
fi
# memif rows: dpdkgen reports the CPU share of the generator and of the device (testpmd and
# vswitchd alike) and the device's CPU time per frame, in the CSV and a table.
if [ "$dpdk" = 1 ]; then
	python3 - "$csv" <<'PY' || fail "memif rows lack the CPU columns"
import csv, sys
for r in csv.DictReader(open(sys.argv[1])):
    if r["device_id"] in ("memif_testpmd_mac", "memif_vswitchd"):
        for c in ("gen_oncpu_pct", "dut_oncpu_pct", "dut_ns_per_frame"):
            v = float(r[c])
            assert 0 < v and (c == "dut_ns_per_frame" or v <= 100.5), (r["device_id"], c, v)
PY
	grep -qE '^\| vswitchd, memif \(type=dpdk\) \| 64 \| [0-9.]+ \| (\*\*)?[0-9.]+(\*\*)? \| (\*\*)?[0-9.]+(\*\*)? \| [0-9.]+ \|$' "$md" ||
		fail "report lacks the memif CPU table: $(grep -A3 'generator on-CPU' "$md" | tr '\n' ';')"
	grep -qE 'memif 64 B by device CPU time per frame: vswitchd = [0-9.]+ x testpmd mac' "$md" ||
		fail "report lacks the memif CPU time ratio"
fi
# (The service rows' sink counts only frames addressed to the backend: received > 0 above
# means they were DNATed.)
ip netns list | grep -q "^vsf$bench_pid" &&
	fail "fwd_bench.sh left namespaces behind: $(ip netns list | grep "^vsf$bench_pid" | tr '\n' ' ')"

# The zero-loss search on the Linux bridge: it reports a rate.
timeout 120 bash "$VS_SRC_ROOT/perf/fwd_bench.sh" --devices bridge --sizes 64 --seconds 0.5 \
	--warmup 0.2 --rfc2544 --trial 0.3 --steps 2 --out "$out/rfc" >"$VS_TMP/rfc.out" 2>&1 ||
	fail "fwd_bench.sh --rfc2544 failed: $(tail -5 "$VS_TMP/rfc.out")"
zl=$(python3 -c 'import csv,sys; print(next(csv.DictReader(open(sys.argv[1])))["zero_loss_pps"])' \
	"$(ls "$out"/rfc/*/fwd.csv | head -1)")
[[ $zl =~ ^[0-9]+$ ]] || fail "no zero-loss rate in the --rfc2544 CSV: '$zl'"
log "zero-loss search, Linux bridge, 64 B: $zl pps"
# --repeat: every run in fwd-runs.csv, the median one in fwd.csv, the runs listed.
timeout 120 bash "$VS_SRC_ROOT/perf/fwd_bench.sh" --devices bridge,veth --sizes 64 --seconds 0.3 \
	--warmup 0.2 --repeat 3 --out "$out/rep" >"$VS_TMP/rep.out" 2>&1 ||
	fail "fwd_bench.sh --repeat 3 failed: $(tail -5 "$VS_TMP/rep.out")"
rdir=$(dirname "$(ls "$out"/rep/*/fwd.csv | head -1)")
python3 - "$rdir/fwd.csv" "$rdir/fwd-runs.csv" <<'PY' || fail "--repeat 3: wrong CSVs"
import csv, sys
med = list(csv.DictReader(open(sys.argv[1])))
runs = list(csv.DictReader(open(sys.argv[2])))
assert sorted(r["device_id"] for r in med) == ["bridge", "veth"], med
for d in ("bridge", "veth"):
    v = sorted(float(r["received_mpps"]) for r in runs if r["device_id"] == d)
    m = [float(r["received_mpps"]) for r in med if r["device_id"] == d]
    assert len(v) == 3 and m == [v[1]], (d, v, m)
PY
grep -qE '^- Linux bridge.* 64 B: [0-9.]+, [0-9.]+, [0-9.]+$' "$rdir/fwd.md" ||
	fail "--repeat 3: the report does not list the runs: $(grep -A4 'median of' "$rdir/fwd.md" | tr '\n' ';')"
ok "forwarding harness smoke run: every device forwarded frames"
