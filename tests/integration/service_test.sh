#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Service load balancing: a client namespace reaches three HTTP backends through a VIP the
# switch answers ARP for; the load spreads, kept-alive connections stay on one backend,
# affinity=client-ip pins a client, replies come from the VIP, removing a backend resets
# only its connections, a backend reaches its own service (hairpin), a UDP service answers,
# conntrack entries appear and expire, a service without backends refuses connections,
# and bad input is refused with a clear error.
. "$(dirname "$0")/lib.sh"

command -v curl >/dev/null || fail "curl not found (apt-get install curl)"

P=vss$$
CNS=${P}c
CHOST=${P}hc
NS=("${P}b1" "${P}b2" "${P}b3")
HOST=("${P}h1" "${P}h2" "${P}h3")
NAME=(b1 b2 b3)
IP=(198.18.5.11 198.18.5.12 198.18.5.13)
CIP=198.18.5.1
VIP=198.18.5.100

# Two PMD threads: client and backend ports are polled by different threads, which
# share the connection table.
start_vswitchd --pmd-cpus 0,1 --pmd-idle adaptive
vsctl_ok add-br br0 conntrack-udp-timeout=3
add_container "$CNS" "$CHOST" "$CIP/24"
vsctl_ok add-port br0 "$CHOST"
for i in 0 1 2; do
	add_container "${NS[$i]}" "${HOST[$i]}" "${IP[$i]}/24"
	vsctl_ok add-port br0 "${HOST[$i]}"
	ip netns exec "${NS[$i]}" python3 "$VS_LIB_DIR/svcpeer.py" http "${NAME[$i]}" \
		"${IP[$i]}" 8080 >"$VS_TMP/http$i.log" 2>&1 &
	VS_PIDS+=($!)
	ip netns exec "${NS[$i]}" python3 "$VS_LIB_DIR/svcpeer.py" udp "${NAME[$i]}" \
		"${IP[$i]}" 5353 >"$VS_TMP/udp$i.log" 2>&1 &
	VS_PIDS+=($!)
	VS_EXTRA_LOGS+=("$VS_TMP/http$i.log" "$VS_TMP/udp$i.log")
done
listening() { ip netns exec "$1" ss -Hltn "sport = :8080" | grep -q .; }
for b in 0 1 2; do
	wait_until 10 listening "${NS[$b]}" || fail "HTTP server in ${NS[$b]} did not start"
done
BACKENDS="${IP[0]}:8080,${IP[1]}:8080,${IP[2]}:8080"
pmd_of() { jvsctl ".pmds[] | select(any(.rxqs[]; .port == \"$1\")) | .id" pmd-stats; }
pc=$(pmd_of "$CHOST")
[ -n "$pc" ] && [ "$pc" != "$(pmd_of "${HOST[0]}")" ] ||
	fail "client and b1 ports on the same PMD thread: $(vsctl pmd-stats)"

# ---- bad input: clear errors, nothing changes --------------------------------
vsctl_ok add-service br0 web vip=$VIP:80 backends=$BACKENDS
vsctl_fails 1 "service web already exists" add-service br0 web vip=$VIP:81 backends=$BACKENDS
vsctl_fails 1 "is already the address of service web" \
	add-service br0 web2 vip=$VIP:80 backends=$BACKENDS
vsctl_fails 1 "is a service address (VIP)" \
	add-service br0 bad vip=198.18.5.200:80 backends=${IP[0]}:80,$VIP:8080
vsctl_fails 1 "is a backend address" add-service br0 bad vip=${IP[1]}:81 backends=${IP[0]}:80
vsctl_fails 1 "invalid vip" add-service br0 bad vip=$VIP:0 backends=$BACKENDS
vsctl_fails 1 "invalid vip" add-service br0 bad vip=198.18.5.300:80 backends=$BACKENDS
vsctl_fails 1 "invalid backend" add-service br0 bad vip=$VIP:82 backends=${IP[0]}:70000
vsctl_fails 1 "invalid backend" add-service br0 bad vip=$VIP:82 backends=224.0.0.1:80
vsctl_fails 1 "listed twice" add-service br0 bad vip=$VIP:82 backends=${IP[0]}:80,${IP[0]}:80
vsctl_fails 1 "invalid proto" add-service br0 bad vip=$VIP:82 proto=sctp backends=$BACKENDS
vsctl_fails 1 "invalid affinity" add-service br0 bad vip=$VIP:82 affinity=cookie backends=$BACKENDS
vsctl_fails 1 "bridge nobr does not exist" add-service nobr web vip=$VIP:80 backends=$BACKENDS
vsctl_fails 1 "service nope does not exist" set-service br0 nope backends=$BACKENDS
vsctl_fails 1 "is a service address (VIP)" set-service br0 web backends=$VIP:8080
vsctl_fails 1 "conntrack-size must be" set-bridge br0 conntrack-size=99999999
svcs=$(vsctl --json list-services) || fail "list-services failed"
jq -e --arg b "$BACKENDS" '(.services | length) == 1 and .services[0].name == "web" and
	.services[0].vip == "'$VIP':80" and .services[0].proto == "tcp" and
	([.services[0].backends[].address] | join(",")) == $b and
	.services[0].status == "active"' <<<"$svcs" >/dev/null ||
	fail "list-services after bad input: $svcs"
ok "bad input refused with clear errors; the one good service unchanged"

# ---- 300 requests spread over the three backends -----------------------------
get() { ip netns exec "$CNS" curl -s --max-time 5 "http://$VIP/"; }
declare -A count=()
for ((r = 0; r < 300; r++)); do
	name=$(get) || fail "request $r to $VIP failed (curl exit $?)"
	count[$name]=$((${count[$name]:-0} + 1))
done
for n in "${NAME[@]}"; do
	c=${count[$n]:-0}
	[ "$c" -ge 60 ] && [ "$c" -le 150 ] ||
		fail "backend $n served $c of 300 requests (want 60-150): $(declare -p count)"
done
[ "${#count[@]}" -eq 3 ] || fail "unexpected answers: $(declare -p count)"
ok "300 of 300 requests answered: b1 ${count[b1]}, b2 ${count[b2]}, b3 ${count[b3]}"

# ---- conntrack entries appear ------------------------------------------------
# Closed connections stay 10 s (time-wait): the last few requests are still listed.
for ((r = 0; r < 5; r++)); do get >/dev/null || fail "request $r failed"; done
ct=$(vsctl --json conntrack-show br0 --service web) || fail "conntrack-show failed"
jq -e --arg vip "$VIP:80" --arg b "$BACKENDS" '.count >= 5 and .count == (.connections | length)
	and all(.connections[]; .vip == $vip and .proto == "tcp" and .service == "web" and
	(.client | startswith("'$CIP':")) and (.backend as $x | $b | split(",") | index($x)) and
	(.state == "time-wait" or .state == "fin-wait" or .state == "close"))' \
	<<<"$ct" >/dev/null || fail "conntrack-show: expected the closed connections: $(head -c 2000 <<<"$ct")"
vsctl conntrack-show br0 | tail -n2 | grep -q "^br0: [0-9]* entries (conntrack-size 1000000)" ||
	fail "conntrack-show text: $(vsctl conntrack-show br0 | tail -n2)"
ok "conntrack-show lists $(jq .count <<<"$ct") closed connections, client -> VIP -> backend"

# ---- one kept-alive connection stays on one backend --------------------------
urls=()
for ((r = 0; r < 20; r++)); do urls+=("http://$VIP/"); done
for attempt in 1 2 3; do
	out=$(ip netns exec "$CNS" curl -s --max-time 10 "${urls[@]}") || fail "curl keep-alive failed"
	[ "$(wc -l <<<"$out")" -eq 20 ] || fail "keep-alive: expected 20 answers: $out"
	[ "$(sort -u <<<"$out" | wc -l)" -eq 1 ] || fail "keep-alive connection moved: $out"
done
ok "20 requests on one kept-alive connection: one backend (3 times)"

# ---- replies come from the VIP -----------------------------------------------
ip netns exec "$CNS" tcpdump -i eth0 -n --immediate-mode -U -w "$VS_TMP/client.pcap" tcp >"$VS_TMP/tcpdump.log" 2>&1 &
tcpdump_pid=$!
VS_PIDS+=("$tcpdump_pid")
wait_until 10 grep -q "listening on" "$VS_TMP/tcpdump.log" || fail "tcpdump did not start"
for ((r = 0; r < 10; r++)); do get >/dev/null || fail "request during capture failed"; done
sleep 0.5
kill -INT "$tcpdump_pid"
wait_pid_gone "$tcpdump_pid" 10 || fail "tcpdump did not stop"
untrack "$tcpdump_pid"
from_vip=$(tcpdump -n -r "$VS_TMP/client.pcap" "src host $VIP and src port 80" 2>/dev/null | wc -l)
from_backend=$(tcpdump -n -r "$VS_TMP/client.pcap" \
	"src host ${IP[0]} or src host ${IP[1]} or src host ${IP[2]}" 2>/dev/null | wc -l)
[ "$from_vip" -ge 30 ] && [ "$from_backend" -eq 0 ] ||
	fail "client saw $from_vip segments from $VIP:80 and $from_backend from backend addresses"
ok "client saw $from_vip segments from $VIP:80, none from a backend address"

# ---- conntrack entries expire ------------------------------------------------
ct_count() { vsctl --json conntrack-show br0 "$@" | jq .count; }
ct_empty() { [ "$(ct_count "$@")" -eq 0 ]; }
wait_until 30 ct_empty || fail "conntrack entries did not expire: $(ct_count) left"
ok "closed connections expired from conntrack"

# ---- affinity=client-ip ------------------------------------------------------
vsctl_ok set-service br0 web affinity=client-ip affinity_timeout=60
declare -A aff=()
for ((r = 0; r < 30; r++)); do
	name=$(get) || fail "request $r with affinity failed"
	aff[$name]=1
done
[ "${#aff[@]}" -eq 1 ] || fail "affinity=client-ip: answers from ${!aff[*]}"
jvsctl '.services[0].affinity' list-services br0 | grep -qx client-ip || fail "affinity not shown"
jvsctl '[.connections[] | select(.state == "affinity")] | length' conntrack-show br0 |
	grep -qx 1 || fail "no affinity entry in conntrack-show"
ok "affinity=client-ip: 30 of 30 requests to ${!aff[*]}"
vsctl_ok set-service br0 web affinity=none

# ---- removing a backend resets only its connections --------------------------
rm -f "$VS_TMP/go"
ip netns exec "$CNS" python3 "$VS_LIB_DIR/svcpeer.py" hold "$VIP" 80 24 "$VS_TMP/go" \
	>"$VS_TMP/hold.out" 2>&1 &
hold_pid=$!
VS_PIDS+=("$hold_pid")
VS_EXTRA_LOGS+=("$VS_TMP/hold.out")
wait_until 30 test -s "$VS_TMP/hold.out" || fail "hold client did not connect"
read -r -a before <"$VS_TMP/hold.out"
[ "${#before[@]}" -eq 24 ] || fail "hold client: $(cat "$VS_TMP/hold.out")"
vsctl_ok set-service br0 web backends=${IP[0]}:8080,${IP[1]}:8080
touch "$VS_TMP/go"
wait_pid_gone "$hold_pid" 30 || fail "hold client did not finish"
untrack "$hold_pid"
after=($(sed -n 2p "$VS_TMP/hold.out"))
on_b3=0
for ((k = 0; k < 24; k++)); do
	if [ "${before[$k]}" = b3 ]; then
		on_b3=$((on_b3 + 1))
		[ "${after[$k]}" = reset ] || fail "connection $k on removed b3: ${after[$k]}"
	else
		[ "${after[$k]}" = same ] || fail "connection $k on ${before[$k]}: ${after[$k]}"
	fi
done
[ "$on_b3" -ge 1 ] || fail "none of the 24 held connections was on b3: ${before[*]}"
declare -A moved=()
for ((r = 0; r < 60; r++)); do
	name=$(get) || fail "request $r after removing b3 failed"
	moved[$name]=$((${moved[$name]:-0} + 1))
done
[ -z "${moved[b3]:-}" ] && [ "${moved[b1]:-0}" -ge 12 ] && [ "${moved[b2]:-0}" -ge 12 ] ||
	fail "after removing b3: $(declare -p moved)"
ok "b3 removed: its $on_b3 of 24 held connections reset, the others kept their backend;" \
	"60 new requests: b1 ${moved[b1]}, b2 ${moved[b2]}"
vsctl_ok set-service br0 web backends=$BACKENDS

# ---- hairpin: a backend reaches its own service --------------------------------
declare -A hp=()
for ((r = 0; r < 30; r++)); do
	name=$(ip netns exec "${NS[0]}" curl -s --max-time 5 "http://$VIP/") ||
		fail "hairpin request $r from b1 failed"
	hp[$name]=1
done
[ -n "${hp[b1]:-}" ] || fail "hairpin: b1 never reached itself: ${!hp[*]}"
jvsctl '[.connections[] | select(.snat != null)] | length' conntrack-show br0 --service web |
	grep -qvx 0 || fail "hairpin: no source-NATed connection in conntrack-show"
ok "hairpin: 30 of 30 requests from b1 answered (by ${!hp[*]}), itself via source NAT"

# ---- a UDP service -------------------------------------------------------------
vsctl_ok add-service br0 dns vip=$VIP:53 proto=udp \
	backends=${IP[0]}:5353,${IP[1]}:5353,${IP[2]}:5353
for ((r = 0; r < 5; r++)); do
	out=$(ip netns exec "$CNS" python3 "$VS_LIB_DIR/svcpeer.py" udpget "$VIP" 53) ||
		fail "UDP request $r to $VIP:53 got no answer"
	grep -qE "^b[123] $VIP:53$" <<<"$out" || fail "UDP answer not from $VIP:53: $out"
done
n=$(jvsctl '[.connections[] | select(.proto == "udp" and .state == "udp")] | length' \
	conntrack-show br0 --service dns)
[ "$n" -ge 5 ] || fail "conntrack-show --service dns: $n UDP entries"
wait_until 15 ct_empty --service dns ||
	fail "UDP entries did not expire after conntrack-udp-timeout=3"
ok "UDP service answered 5 of 5 from $VIP:53; its $n entries expired after 3 s"

# ---- no backends: connections refused ------------------------------------------
vsctl_ok set-service br0 web backends=
jvsctl '.services[] | select(.name == "web") | .status' list-services br0 |
	grep -qx "no backends: rejecting connections" || fail "list-services does not say it"
vsctl list-services br0 | grep -q "web $VIP:80/tcp .*\[no backends: rejecting connections\]" ||
	fail "list-services text: $(vsctl list-services br0)"
ip netns exec "$CNS" curl -s --max-time 5 "http://$VIP/" >/dev/null
rc=$?
[ "$rc" -eq 7 ] || fail "curl to a service without backends: exit $rc, expected 7 (refused)"
ok "service without backends: connection refused (RST), list-services says so"

# ---- del-service -----------------------------------------------------------------
vsctl_ok del-service br0 web
vsctl_ok del-service br0 dns
[ "$(jvsctl '.services | length' list-services)" -eq 0 ] || fail "services left after del-service"
vsctl_fails 1 "service web does not exist" del-service br0 web
vswitchd_alive || fail "vswitchd died"
ok "services deleted"
