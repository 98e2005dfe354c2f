#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# PMD threads: adaptive idle (--pmd-idle adaptive): an idle thread sleeps in poll() instead of
# spinning, and wakes as soon as frames arrive: pings and TCP still get through, the
# thread reports its sleeps, and it burns (almost) no CPU while nothing moves.
. "$(dirname "$0")/lib.sh"

P=vsi$$
add_container "${P}c1" "${P}h1" 198.18.6.1/24
add_container "${P}c2" "${P}h2" 198.18.6.2/24
start_vswitchd --pmd-idle adaptive --pmd-idle-us 100
vsctl_ok add-br br0
vsctl_ok add-port br0 "${P}h1"
vsctl_ok add-port br0 "${P}h2"
[ "$(jvsctl '.pmds[0].idle' pmd-stats)" = adaptive ] || fail "pmd-stats does not say adaptive"
wait_ping "${P}c1" 198.18.6.2

# Idle: the thread sleeps. Its CPU time over 2 s must be far below 2 s of spinning.
sleeps0=$(jvsctl '.pmds[0].sleeps' pmd-stats)
tid=$(ps -L -o tid=,comm= -p "$VSWITCHD_PID" | awk '$2 == "pmd0" { print $1 }')
[ -n "$tid" ] || fail "no pmd0 thread in vswitchd"
ticks() { awk '{ print $14 + $15 }' "/proc/$VSWITCHD_PID/task/$tid/stat"; }
t0=$(ticks)
sleep 2
t1=$(ticks)
hz=$(getconf CLK_TCK)
used_pct=$(((t1 - t0) * 100 / (2 * hz)))
sleeps1=$(jvsctl '.pmds[0].sleeps' pmd-stats)
[ "$sleeps1" -gt "$sleeps0" ] || fail "the idle PMD thread never slept ($sleeps0 -> $sleeps1)"
[ "$used_pct" -lt 50 ] || fail "the idle PMD thread used ${used_pct}% of a CPU"
log "idle for 2 s: $((sleeps1 - sleeps0)) sleeps, ${used_pct}% of a CPU"

# Each ping arrives at a sleeping thread (0.3 s apart): all must be answered.
got=$(ping_received "${P}c1" 198.18.6.2 10 0.3)
[ "$got" -eq 10 ] || fail "only $got of 10 pings answered by a sleeping PMD thread"
ip netns exec "${P}c2" iperf3 -s -1 -D -I "$VS_TMP/iperf3.pid" || fail "iperf3 server"
wait_until 5 test -s "$VS_TMP/iperf3.pid" || fail "iperf3 server did not start"
VS_PIDS+=("$(cat "$VS_TMP/iperf3.pid")")
wait_until 5 bash -c "ip netns exec ${P}c2 ss -ltn | grep -q ':5201 '" || fail "iperf3 not listening"
out=$(ip netns exec "${P}c1" timeout 20 iperf3 -c 198.18.6.2 -t 2 -J) || fail "iperf3 failed"
bps=$(jq -r '.end.sum_received.bits_per_second' <<<"$out")
awk -v b="$bps" 'BEGIN { exit !(b > 0) }' || fail "iperf3 moved no data"
log "iperf3 after idle: $(awk -v b="$bps" 'BEGIN { printf "%.2f Gbit/s", b / 1e9 }')"
ok "adaptive idle sleeps when idle and wakes on traffic"

# PMD threads changed at run time (vsctl set), under a ping flood: no ping may be lost
# for longer than the restart, the rx queues follow, bad values change nothing.
ip netns exec "${P}c1" ping -c 200 -i 0.01 -W 1 198.18.6.2 >"$VS_TMP/flood.txt" 2>&1 &
flood=$!
VS_PIDS+=("$flood")
sleep 0.3
vsctl_ok set pmd-cpus=0,1
[ "$(jvsctl '.pmds | length' pmd-stats)" = 2 ] || fail "set pmd-cpus=0,1: $(vsctl pmd-stats)"
[ "$(jvsctl '[.pmds[].rxqs[]] | length' pmd-stats)" = 2 ] || fail "rx queues lost: $(vsctl pmd-stats)"
vsctl_ok set pmd-idle=busy
[ "$(jvsctl '[.pmds[] | select(.idle == "busy")] | length' pmd-stats)" = 2 ] ||
	fail "set pmd-idle=busy: $(vsctl pmd-stats)"
vsctl_fails 1 "CPU 999 is not available" set pmd-cpus=999
vsctl_fails 1 "is listed twice" set pmd-cpus=0,0
vsctl_fails 1 "invalid pmd-idle 'lazy'" set pmd-idle=lazy
vsctl_fails 1 "unknown option: foo" set foo=1
[ "$(jvsctl '.pmds | length' pmd-stats)" = 2 ] || fail "a refused set changed the PMD threads"
vsctl_ok set pmd-cpus=0 pmd-idle=adaptive
[ "$(jvsctl '.pmds | length' pmd-stats)" = 1 ] || fail "set pmd-cpus=0: $(vsctl pmd-stats)"
wait "$flood"
untrack "$flood"
got=$(sed -n 's/.* \([0-9]\+\) received.*/\1/p' "$VS_TMP/flood.txt")
[ "${got:-0}" -ge 190 ] || fail "only ${got:-0} of 200 pings answered across PMD changes"
wait_ping "${P}c1" 198.18.6.2
ok "PMD threads changed at run time with $((200 - got)) of 200 pings lost"
