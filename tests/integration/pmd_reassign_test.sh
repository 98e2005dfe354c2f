#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# PMD threads under load: rx queues are reassigned when the PMD cores change, and ports
# come and go, while iperf3 (TCP) and a ping flood cross the switch; vswitchd must not
# crash, every rx queue must stay polled by exactly one thread, traffic must keep
# flowing, and vswitchd must exit cleanly. tests/run-all.sh runs it once more against
# the ASan/UBSan build (VSWITCHD/VSCTL from build-asan/): any sanitizer report in the
# daemon's log (including leaks reported at exit) fails the test.
. "$(dirname "$0")/lib.sh"

P=vsq$$
add_container "${P}c1" "${P}h1" 198.18.7.1/24 2
add_container "${P}c2" "${P}h2" 198.18.7.2/24 2
add_container "${P}c3" "${P}h3" 198.18.7.3/24
start_vswitchd --pmd-cpus 0
vsctl_ok add-br br0
vsctl_ok add-port br0 "${P}h1" queues=2
vsctl_ok add-port br0 "${P}h2" queues=2
wait_ping "${P}c1" 198.18.7.2

# rxqs_ok N_PMDS N_QUEUES: N_PMDS threads, N_QUEUES rx queues in all, none polled by two
# threads, and with two threads both poll something (round-robin).
rxqs_ok() {
	local out
	out=$("$VSCTL" -s "$SOCK" --json pmd-stats) || fail "pmd-stats failed"
	jq -e --argjson p "$1" --argjson q "$2" '
		(.pmds | length) == $p and
		([.pmds[].rxqs[]] | length) == $q and
		([.pmds[].rxqs[] | "\(.port)/\(.queue)"] | unique | length) == $q and
		($p == 1 or ([.pmds[] | select((.rxqs | length) > 0)] | length) == $p)' \
		<<<"$out" >/dev/null || fail "expected $1 PMD thread(s) polling $2 rx queues: $out"
}
rxqs_ok 1 4

# Load: TCP from c1 to c2 for the whole test, and a ping flood from c2 to c1.
ip netns exec "${P}c2" iperf3 -s -1 -D -I "$VS_TMP/iperf3.pid" || fail "iperf3 server"
wait_until 5 test -s "$VS_TMP/iperf3.pid" || fail "iperf3 server did not start"
VS_PIDS+=("$(cat "$VS_TMP/iperf3.pid")")
wait_until 5 bash -c "ip netns exec ${P}c2 ss -ltn | grep -q ':5201 '" || fail "iperf3 not listening"
ip netns exec "${P}c1" timeout 60 iperf3 -c 198.18.7.2 -t 12 -P 2 -J >"$VS_TMP/iperf3.json" 2>&1 &
iperf=$!
VS_PIDS+=("$iperf")
ip netns exec "${P}c2" ping -q -c 1000 -i 0.01 -W 1 198.18.7.1 >"$VS_TMP/flood.txt" 2>&1 &
flood=$!
VS_PIDS+=("$flood")
sleep 1

# Rx queues follow the PMD cores: 1 -> 2 -> 1 -> 2 threads, under load.
for cpus in 0,1 1 0,1; do
	vsctl_ok set pmd-cpus=$cpus
	n=$(tr ',' '\n' <<<"$cpus" | wc -l)
	rxqs_ok "$n" 4
	vswitchd_alive || fail "vswitchd died after set pmd-cpus=$cpus"
	sleep 0.5
done
ok "rx queues reassigned over 1 and 2 PMD threads under load"

# Ports come and go under load: c3's port (one queue), and one pinned to CPU 1.
for i in 1 2 3; do
	vsctl_ok add-port br0 "${P}h3"
	rxqs_ok 2 5
	got=$(ping_received "${P}c3" 198.18.7.1 3 0.1)
	[ "$got" -ge 1 ] || fail "c3 cannot reach c1 after add-port (round $i)"
	vsctl_ok del-port br0 "${P}h3"
	rxqs_ok 2 4
	vswitchd_alive || fail "vswitchd died after del-port (round $i)"
done
vsctl_ok add-port br0 "${P}h3" pmd-rxq-affinity=0:1
pinned=$("$VSCTL" -s "$SOCK" --json pmd-stats | jq --arg p "${P}h3" \
	'[.pmds[] | select(.cpu == 1) | .rxqs[] | select(.port == $p)] | length')
[ "$pinned" = 1 ] ||
	fail "pmd-rxq-affinity=0:1 not honoured: $(vsctl pmd-stats)"
vsctl_ok set pmd-cpus=0
rxqs_ok 1 5
vsctl_ok set pmd-cpus=0,1
rxqs_ok 2 5
vsctl_ok del-port br0 "${P}h3"
ok "ports added and removed under load"

wait "$iperf"
rc=$?
untrack "$iperf"
[ "$rc" -eq 0 ] || fail "iperf3 failed across the changes (exit $rc): $(tail -c 400 "$VS_TMP/iperf3.json")"
bytes=$(jq -r '.end.sum_received.bytes // 0' "$VS_TMP/iperf3.json")
[ "$bytes" -gt 0 ] || fail "iperf3 moved no data"
wait "$flood"
untrack "$flood"
got=$(sed -n 's/.* \([0-9]\+\) received.*/\1/p' "$VS_TMP/flood.txt")
[ "${got:-0}" -gt 0 ] || fail "the ping flood got no replies: $(cat "$VS_TMP/flood.txt")"
log "iperf3: $((bytes / 1048576)) MiB received; ping flood: ${got} of 1000 answered"
wait_ping "${P}c1" 198.18.7.2
vswitchd_alive || fail "vswitchd died"

# A clean exit, and no sanitizer report (an ASan/UBSan build prints them to the log;
# leaks are reported at exit).
stop_vswitchd || fail "vswitchd exited with status $? on SIGTERM"
if grep -qE 'AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:' "$VS_LOG"; then
	fail "sanitizer report in the vswitchd log: $(grep -m 3 -E 'Sanitizer|runtime error:' "$VS_LOG")"
fi
ok "no crash, clean exit, no sanitizer report across PMD and port changes under load"
