#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The control socket and the command line against a live daemon: malformed and invalid
# requests get the documented error codes and the daemon keeps serving; oversized
# requests, idle clients and clients that vanish mid-request are dropped without
# effect; 200 commands in a row work; the configuration is unchanged at the end.
# Also vsctl's errors and exit codes, a second vswitchd on the same socket, a stale
# socket file, and --detach --pidfile.
. "$(dirname "$0")/lib.sh"

P=vsc$$
NS=("${P}n1" "${P}n2")
HOST=("${P}h1" "${P}h2")

raw() { py ctlraw.py "$SOCK" "$@"; }

start_vswitchd
vsctl_ok add-br br0
vsctl_ok add-br br1 mac-aging=60 mac-table-size=1024
for i in 0 1; do
	add_container "${NS[$i]}" "${HOST[$i]}" # no address: no traffic, counters stay put
	vsctl_ok add-port br0 "${HOST[$i]}"
done
vsctl_ok fdb-add br0 02:00:00:00:00:aa "${HOST[1]}"

config() { # everything a user can query, as one canonical JSON document
	local show fdb0 fdb1
	show=$(vsctl --json show) && fdb0=$(vsctl --json fdb-show br0) &&
		fdb1=$(vsctl --json fdb-show br1) || fail "cannot read the configuration"
	jq -S -n --argjson s "$show" --argjson a "$fdb0" --argjson b "$fdb1" \
		'{show: $s, fdb: [$a, $b] | map(.entries |= map(del(.age)))}'
}
before=$(config)

# ---- idle clients, checked at the end of the test --------------------------------
# One connects and sends nothing; one sends half a request and then nothing. Both must be
# dropped after about 10 s while everything below is served meanwhile.
raw idle --timeout 40 </dev/null >"$VS_TMP/idle.out" 2>&1 &
idle_pid=$!
VS_PIDS+=("$idle_pid")
printf '{"id": 1, "method": "add-br", "params": {"bridge": "brIdle"' |
	raw idle --timeout 40 >"$VS_TMP/idle-half.out" 2>&1 &
idle_half_pid=$!
VS_PIDS+=("$idle_half_pid")
VS_EXTRA_LOGS+=("$VS_TMP/idle.out" "$VS_TMP/idle-half.out")
idle_start=$SECONDS

# ---- malformed and invalid requests, all on one connection ------------------------
# Each line is "REQUEST<TAB>EXPECTED-ID<TAB>EXPECTED-CODE" (code "ok" for a result).
cases=$(
	cat <<-'EOF'
	this is not json	null	parse-error
	{"id": 1, "method": "version"	null	parse-error
	[1, 2, 3]	null	parse-error
	"a string"	null	parse-error
	42	null	parse-error
	{"id": 2, "method": "ver\u0000sion"}	null	parse-error
	{"id": 3}	3	invalid-request
	{"id": 4, "method": 7}	4	invalid-request
	{"id": 5, "method": "version", "params": [1]}	5	invalid-request
	{"id": true, "method": "version"}	null	invalid-request
	{"id": 6, "method": "frobnicate"}	6	unknown-method
	{"id": "s7", "method": "add-br", "params": {"bridge": 5}}	"s7"	invalid-params
	{"id": 8, "method": "add-br", "params": {}}	8	invalid-params
	{"id": 9, "method": "add-br", "params": {"bridge": "brX", "options": {"mac-aging": 1.5}}}	9	invalid-params
	{"id": 10, "method": "add-br", "params": {"bridge": "brX", "options": [60]}}	10	invalid-params
	{"id": 11, "method": "add-br", "params": {"bridge": "brX", "colour": "red"}}	11	invalid-params
	{"id": 12, "method": "add-br", "params": {"bridge": "brX", "options": {"mac-aging": 5}}}	12	invalid-params
	{"id": 13, "method": "add-br", "params": {"bridge": "brX", "options": {"mac-aging": "soon"}}}	13	invalid-params
	{"id": 14, "method": "add-br", "params": {"bridge": "a-name-too-long-for-a-bridge"}}	14	invalid-params
	{"id": 15, "method": "port-stats", "params": {"port": ["x"]}}	15	invalid-params
	{"id": 16, "method": "set-bridge", "params": {"bridge": "br0", "options": {}}}	16	invalid-params
	{"id": 17, "method": "fdb-add", "params": {"bridge": "br0", "mac": "zz", "port": "x"}}	17	invalid-params
	{"id": 18, "method": "list-br", "params": {"bridge": "br0"}}	18	invalid-params
	{"id": 19, "method": "add-br", "params": {"bridge": "br0"}}	19	exists
	{"id": 20, "method": "del-br", "params": {"bridge": "br9"}}	20	not-found
	{"id": 21, "method": "port-stats", "params": {"port": "nosuch0"}}	21	not-found
	{"id": 22, "method": "add-port", "params": {"bridge": "br1", "port": "nosuch0"}}	22	not-found
	{"id": 23, "method": "add-port", "params": {"bridge": "br1", "port": "nosuch0", "type": "foo"}}	23	invalid-params
	{"id": 24, "method": "add-port", "params": {"bridge": "br1", "port": "nosuch0", "options": {"bar": 1}}}	24	invalid-params
	{"id": 25, "method": "add-port", "params": {"bridge": "br1", "port": "nosuch0", "options": {"queues": {}}}}	25	invalid-params
	{"id": 26, "method": "fdb-del", "params": {"bridge": "br0", "mac": "02:00:00:00:00:bb"}}	26	not-found
	{"id": 27, "method": "version", "id": 28}	null	parse-error
	{"id": 29, "method": "version"}	29	ok
	EOF
)
{
	cut -f1 <<<"$cases"
	printf '\xff\xfe{"id": 30}\n' # not UTF-8
	printf '   \n\n'            # blank lines get no answer
	printf '{"id": "last", "method": "list-br"}\n'
} | raw send --timeout 10 >"$VS_TMP/cases.out"
VS_EXTRA_LOGS+=("$VS_TMP/cases.out")
expected=$(
	cut -f2,3 <<<"$cases"
	printf 'null\tparse-error\n"last"\tok\n'
)
got=$(grep -v '^EOF after' "$VS_TMP/cases.out" |
	jq -r '[(.id | tojson), (if has("result") then "ok" else .error.code end)] | @tsv') ||
	fail "responses are not JSON: $(cat "$VS_TMP/cases.out")"
if [ "$got" != "$expected" ]; then
	fail "wrong responses (request, expected, got):
$(paste <(cut -f1 <<<"$cases"; echo '<not UTF-8>'; echo list-br) <(echo "$expected") <(echo "$got") |
		awk -F'\t' '$2"\t"$3 != $4"\t"$5')"
fi
grep -q '^EOF after' "$VS_TMP/cases.out" || fail "connection not closed after the client's shutdown"
grep '^{' "$VS_TMP/cases.out" | jq -e 'select(.id == "last") | .result.bridges == ["br0", "br1"]' >/dev/null ||
	fail "list-br after the bad requests: $(tail -n2 "$VS_TMP/cases.out")"
# Every error carries a message.
grep -v '^EOF after' "$VS_TMP/cases.out" |
	jq -e 'select(has("error")) | .error.message | type == "string" and length > 0' |
	grep -vqx true && fail "an error without a message: $(cat "$VS_TMP/cases.out")"
vsctl_ok version >/dev/null
ok "$(wc -l <<<"$expected") requests on one connection: documented error codes, answered in order"

# A generic line-based client works too (OpenBSD nc: -N shuts down the write side at EOF).
out=$(printf '{"id": "nc", "method": "list-ports", "params": {"bridge": "br0"}}\n' |
	timeout 10 nc -N -U "$SOCK") || fail "nc -U: exit $?: $out"
jq -e --arg a "${HOST[0]}" --arg b "${HOST[1]}" '.id == "nc" and .result.ports == ([$a, $b] | sort)' \
	<<<"$out" >/dev/null || fail "nc -U: unexpected response: $out"
ok "a plain 'nc -U' client gets its answer"

# ---- oversized requests ------------------------------------------------------------
py ctlraw.py - pad 65536 | raw send --keep-open --timeout 3 >"$VS_TMP/max.out"
grep '^{' "$VS_TMP/max.out" | jq -e 'select(.id == 1) | .result.version == "0.1.0"' >/dev/null ||
	fail "a request of exactly 65536 bytes was not served: $(head -c 300 "$VS_TMP/max.out")"
grep -q '^OPEN after' "$VS_TMP/max.out" || fail "connection closed after a 65536-byte request"
for size in 65537 200000; do
	py ctlraw.py - pad $size | raw send --keep-open --timeout 10 >"$VS_TMP/big.out"
	grep -v -e '^EOF after' -e '^SEND-ERROR' "$VS_TMP/big.out" |
		jq -e -s 'length == 1 and .[0].error.code == "too-large"' >/dev/null ||
		fail "$size-byte request: expected one too-large error: $(head -c 300 "$VS_TMP/big.out")"
	grep -q '^EOF after' "$VS_TMP/big.out" ||
		fail "$size-byte request: the server did not close the connection"
done
vsctl_ok version >/dev/null
ok "65536-byte request served; 65537 and 200000 bytes: too-large, connection closed"

# ---- clients that vanish mid-request ----------------------------------------------
printf '{"id": 1, "method": "add-br", "params": {"bridge": "brHalf"' | raw abort
printf '{"id": 1, "method": "add-br", "params": {"bridge": "brNoNl"}}' | raw abort
printf '{"id": 1, "method": "del-br", "params": {"bridge": "br1"}}' | raw abort
[ "$(vsctl list-br)" = "$(printf 'br0\nbr1')" ] ||
	fail "a request without its newline was applied: $(vsctl list-br)"
ok "requests cut off before their newline are not applied"

# ---- a client that never reads its responses ---------------------------------------
# Its replies fill the socket buffer; the server gives up on it (after 2 s of blocked
# sends) and drops it. Other clients are served, if late.
echo '{"id": 1, "method": "show"}' | raw flood 20000 --timeout 30 >"$VS_TMP/flood.out" 2>&1 &
flood_pid=$!
VS_PIDS+=("$flood_pid")
VS_EXTRA_LOGS+=("$VS_TMP/flood.out")
for i in 1 2 3; do
	[ "$(vsctl list-br)" = "$(printf 'br0\nbr1')" ] || fail "list-br while a client does not read"
done
wait_pid_gone "$flood_pid" 40 || fail "the non-reading client was never dropped"
untrack "$flood_pid"
grep -q '^DROPPED after' "$VS_TMP/flood.out" || fail "non-reading client: $(cat "$VS_TMP/flood.out")"
vsctl_ok version >/dev/null
ok "a client that never reads its responses is dropped ($(cat "$VS_TMP/flood.out")); others are served"

# ---- 200 commands in a row ---------------------------------------------------------
failures=0
for ((i = 0; i < 200; i++)); do
	case $((i % 8)) in
	0) out=$(vsctl list-br) && [ "$out" = "$(printf 'br0\nbr1')" ] ;;
	1) out=$(vsctl --json show) && jq -e '.bridges | length == 2' <<<"$out" >/dev/null ;;
	2) out=$(vsctl port-stats) && [ "$(wc -l <<<"$out")" -eq 3 ] ;;
	3) out=$(vsctl fdb-show br0) && grep -q 02:00:00:00:00:aa <<<"$out" ;;
	4) vsctl add-br brTmp mac-aging=30 ;;
	5) out=$(vsctl list-ports br0) && [ "$(wc -l <<<"$out")" -eq 2 ] ;;
	6) vsctl del-br brTmp ;;
	7) out=$(vsctl version) && grep -q '^vswitchd 0.1.0 (protocol 1)$' <<<"$out" ;;
	esac || {
		failures=$((failures + 1))
		log "command $i (case $((i % 8))) failed: $out"
	}
done
[ "$failures" -eq 0 ] || fail "$failures of 200 rapid commands failed"
ok "200 commands in a row, each checked"

# ---- the idle clients ---------------------------------------------------------------
# They were connected all along, and everything above was served meanwhile.
wait_pid_gone "$idle_pid" 40 && wait_pid_gone "$idle_half_pid" 5 || fail "idle clients still waiting"
untrack "$idle_pid"
untrack "$idle_half_pid"
for f in idle idle-half; do
	line=$(tail -n1 "$VS_TMP/$f.out")
	[[ $line =~ ^EOF\ after\ ([0-9]+)\.[0-9]\ s$ ]] || fail "$f client: not disconnected: $(cat "$VS_TMP/$f.out")"
	secs=${BASH_REMATCH[1]}
	# The limit is 10 s; the server checks once a second.
	[ "$secs" -ge 9 ] && [ "$secs" -le 20 ] || fail "$f client disconnected after $secs s, expected about 10"
	[ "$(wc -l <"$VS_TMP/$f.out")" -eq 1 ] || fail "$f client got a response: $(cat "$VS_TMP/$f.out")"
done
vsctl list-br | grep -qx brIdle && fail "the idle client's half request was applied"
ok "idle client and half-request client dropped after ~10 s ($secs s), nothing applied; others served meanwhile (test ran $((SECONDS - idle_start)) s)"

after=$(config)
[ "$before" = "$after" ] || fail "configuration changed: $(diff <(echo "$before") <(echo "$after"))"
vswitchd_alive || fail "vswitchd died"
ok "configuration after all of this equals the one before; vswitchd alive"

# ---- vsctl errors ----------------------------------------------------------------
vsctl_fails 1 "vsctl: bridge br9 does not exist" fdb-show br9
vsctl_fails 1 "vsctl: bridge br9 does not exist" del-br br9
vsctl_fails 1 "vsctl: bridge br9 does not exist" --json list-ports br9
vsctl_fails 2 "Usage: vsctl add-br" add-br
vsctl_fails 2 "Usage: vsctl del-port" del-port br0
vsctl_fails 2 "vsctl: unknown command 'frobnicate'" frobnicate
vsctl_fails 2 "vsctl: unknown option '--frobnicate'" --frobnicate show
vsctl_fails 2 "vsctl: missing command"
vsctl_fails 2 "malformed option 'nokeyvalue'" add-br brZ nokeyvalue
vsctl list-br | grep -qx brZ && fail "a usage error created a bridge"
"$VSCTL" -s "$VS_TMP/nothing.sock" show >"$VS_TMP/o" 2>"$VS_TMP/e"
rc=$?
[ "$rc" -eq 1 ] || fail "vsctl without a daemon: exit $rc"
grep -qF "vsctl: cannot connect to $VS_TMP/nothing.sock" "$VS_TMP/e" && grep -qF "is vswitchd running?" "$VS_TMP/e" ||
	fail "vsctl without a daemon: $(cat "$VS_TMP/e")"
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$VS_TMP/stale.sock"
"$VSCTL" -s "$VS_TMP/stale.sock" show >"$VS_TMP/o" 2>"$VS_TMP/e"
rc=$?
[ "$rc" -eq 1 ] && grep -qF "is vswitchd running?" "$VS_TMP/e" ||
	fail "vsctl on a dead socket file: exit $rc: $(cat "$VS_TMP/e")"
ok "vsctl: daemon errors exit 1, usage errors exit 2, no daemon -> clear error, exit 1"

# ---- a second vswitchd on the same socket --------------------------------------------
timeout 20 "$VSWITCHD" --socket "$SOCK" --log-level debug >"$VS_TMP/second.log" 2>&1
rc=$?
VS_EXTRA_LOGS+=("$VS_TMP/second.log")
[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] || fail "a second vswitchd on the same socket: exit $rc"
grep -q "another vswitchd is running there" "$VS_TMP/second.log" ||
	fail "second vswitchd: no clear error: $(cat "$VS_TMP/second.log")"
timeout 20 "$VSWITCHD" --socket "$SOCK" --detach --pidfile "$VS_TMP/second.pid" >>"$VS_TMP/second.log" 2>&1
rc=$?
[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] || fail "a second vswitchd --detach on the same socket: exit $rc"
[ ! -e "$VS_TMP/second.pid" ] || fail "the failed second vswitchd left a pidfile"
[ -S "$SOCK" ] || fail "the second vswitchd removed the first one's socket"
[ "$(config)" = "$before" ] || fail "the first vswitchd changed after the second one's attempt"
ok "a second vswitchd on the same socket fails (exit $rc, clear error); the first keeps working"

# ---- a stale socket file is taken over ---------------------------------------------
STALE=$VS_TMP/stale2.sock
"$VSWITCHD" --socket "$STALE" --log-level debug >>"$VS_TMP/stale.log" 2>&1 &
stale_pid=$!
VS_PIDS+=("$stale_pid")
VS_EXTRA_LOGS+=("$VS_TMP/stale.log")
wait_until 10 "$VSCTL" -s "$STALE" version >/dev/null 2>&1 || fail "vswitchd on $STALE did not start"
kill -KILL "$stale_pid"
wait "$stale_pid" 2>/dev/null
untrack "$stale_pid"
[ -S "$STALE" ] || fail "expected a stale socket file after SIGKILL"
"$VSWITCHD" --socket "$STALE" --log-level debug >>"$VS_TMP/stale.log" 2>&1 &
stale_pid=$!
VS_PIDS+=("$stale_pid")
wait_until 10 "$VSCTL" -s "$STALE" version >/dev/null 2>&1 || fail "vswitchd did not take over the stale $STALE"
stop_pid "$stale_pid"
[ ! -e "$STALE" ] || fail "socket $STALE left behind"
ok "a stale socket file (daemon killed with SIGKILL) is taken over by the next vswitchd"

# ---- --detach --pidfile --------------------------------------------------------------
DSOCK=$VS_TMP/detached.sock
PIDFILE=$VS_TMP/detached.pid
VS_EXTRA_LOGS+=("$VS_TMP/detached.log")
timeout 20 "$VSWITCHD" --socket "$DSOCK" --detach --pidfile "$PIDFILE" --log-level debug \
	>"$VS_TMP/detached.log" 2>&1
rc=$?
[ "$rc" -eq 0 ] || fail "vswitchd --detach exited $rc"
[ -s "$PIDFILE" ] || fail "no pidfile right after vswitchd --detach returned"
dpid=$(cat "$PIDFILE")
[[ $dpid =~ ^[0-9]+$ ]] || fail "pidfile holds '$dpid'"
VS_PIDS+=("$dpid")
[ "$(readlink -f "/proc/$dpid/exe")" = "$(readlink -f "$VSWITCHD")" ] ||
	fail "pid $dpid from the pidfile is not vswitchd: $(readlink "/proc/$dpid/exe")"
[ "$(ps -o sid= -p "$dpid" | tr -d ' ')" = "$dpid" ] || fail "detached vswitchd is not a session leader"
"$VSCTL" -s "$DSOCK" version >/dev/null || fail "the detached vswitchd does not answer"
"$VSCTL" -s "$DSOCK" add-br brD || fail "the detached vswitchd refuses add-br"
kill -TERM "$dpid"
wait_pid_gone "$dpid" 15 || fail "detached vswitchd did not exit on SIGTERM"
untrack "$dpid"
[ ! -e "$PIDFILE" ] || fail "pidfile left behind after SIGTERM"
[ ! -e "$DSOCK" ] || fail "socket left behind after SIGTERM"
ok "--detach --pidfile: returns when ready, pidfile holds the daemon's pid, SIGTERM removes it"

# ---- bad command lines ------------------------------------------------------------
for args in "--pmd-cpus 99999" "--log-level loud" "--frobnicate" "extra-argument"; do
	# shellcheck disable=SC2086
	timeout 10 "$VSWITCHD" --socket "$VS_TMP/bad.sock" $args >"$VS_TMP/bad.out" 2>&1
	rc=$?
	[ "$rc" -eq 2 ] || fail "vswitchd $args: exit $rc, expected 2: $(cat "$VS_TMP/bad.out")"
	grep -q . "$VS_TMP/bad.out" || fail "vswitchd $args: no error message"
done
[ ! -e "$VS_TMP/bad.sock" ] || fail "vswitchd with bad arguments created its socket"
ok "vswitchd rejects bad command lines with exit 2"

[ "$(config)" = "$before" ] || fail "configuration of the main vswitchd changed"
vswitchd_alive || fail "vswitchd died"
