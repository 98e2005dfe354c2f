#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Basic bridging: three namespaces on br0 reach each other (ping both ways, iperf3 TCP),
# the MAC table holds each namespace's MAC on its port, and show/fdb-show/port-stats
# report all of it, in JSON and in human-readable form.
. "$(dirname "$0")/lib.sh"

P=vsb$$ # prefix of every namespace and interface of this test
NS=("${P}n1" "${P}n2" "${P}n3")
HOST=("${P}h1" "${P}h2" "${P}h3")
IP=(198.18.1.1 198.18.1.2 198.18.1.3)

start_vswitchd
vsctl_ok add-br br0
for i in 0 1 2; do
	add_container "${NS[$i]}" "${HOST[$i]}" "${IP[$i]}/24"
	vsctl_ok add-port br0 "${HOST[$i]}"
done
[ "$(vsctl list-br)" = br0 ] || fail "list-br: $(vsctl list-br)"
[ "$(vsctl list-ports br0)" = "$(printf '%s\n' "${HOST[@]}" | sort)" ] ||
	fail "list-ports br0: $(vsctl list-ports br0)"

# ---- every ordered pair pings ------------------------------------------------
for i in 0 1 2; do
	for j in 0 1 2; do
		[ "$i" = "$j" ] && continue
		wait_ping "${NS[$i]}" "${IP[$j]}"
		got=$(ping_received "${NS[$i]}" "${IP[$j]}" 5)
		[ "$got" -eq 5 ] || fail "${NS[$i]} -> ${IP[$j]}: $got of 5 echo replies"
	done
done
ok "all 6 ordered pairs ping, 5 of 5 replies each"

# ---- iperf3 TCP n1 -> n3 -----------------------------------------------------
ip netns exec "${NS[2]}" iperf3 -s -1 -B "${IP[2]}" >"$VS_TMP/iperf3-server.log" 2>&1 &
iperf3_server=$!
VS_PIDS+=("$iperf3_server")
VS_EXTRA_LOGS+=("$VS_TMP/iperf3-server.log" "$VS_TMP/iperf3.json")
listening() { ip netns exec "${NS[2]}" ss -Hltn "sport = :5201" | grep -q .; }
wait_until 10 listening || fail "iperf3 server did not start listening"
ip netns exec "${NS[0]}" timeout 60 iperf3 -c "${IP[2]}" -t 3 -J >"$VS_TMP/iperf3.json" 2>&1 ||
	fail "iperf3 client failed: $(jq -r '.error // empty' "$VS_TMP/iperf3.json" 2>/dev/null)"
bps=$(jq -r '.end.sum_received.bits_per_second' "$VS_TMP/iperf3.json")
bytes=$(jq -r '.end.sum_received.bytes' "$VS_TMP/iperf3.json")
jq -e '.end.sum_received.bytes > 0 and .end.sum_received.bits_per_second > 0' \
	"$VS_TMP/iperf3.json" >/dev/null || fail "iperf3 moved nothing: $bytes bytes, $bps bit/s"
# The server (-1) exits after its one test.
wait_pid_gone "$iperf3_server" 10 || fail "iperf3 server still running after the test"
untrack "$iperf3_server"
ok "iperf3 TCP ${NS[0]} -> ${NS[2]} for 3 s: $bytes bytes received ($((${bps%.*} / 1000000)) Mbit/s)"

# ---- the MAC table -----------------------------------------------------------
fdb=$(vsctl --json fdb-show br0) || fail "fdb-show br0 failed"
for i in 0 1 2; do
	mac=$(ns_mac "${NS[$i]}")
	n=$(jq --arg m "$mac" --arg p "${HOST[$i]}" \
		'[.entries[] | select(.mac == $m and .port == $p and .type == "dynamic")] | length' \
		<<<"$fdb")
	[ "$n" -eq 1 ] || fail "fdb-show: no dynamic entry for $mac (${NS[$i]} eth0) on ${HOST[$i]}: $fdb"
done
jq -e '.bridge == "br0" and .count == 3 and (.entries | length) == 3 and .limit == 8192 and
	."learn-table-full" == 0 and ([.entries[].age] | all(. >= 0)) and
	.entries == (.entries | sort_by(.port, .mac))' <<<"$fdb" >/dev/null ||
	fail "fdb-show br0: expected exactly the 3 container MACs: $fdb"
ok "fdb-show --json: each container's MAC on its own port, nothing else"

# Human form: a header, one line per entry (port, MAC, type, age), then a summary.
human=$(vsctl fdb-show br0) || fail "fdb-show br0 failed"
head -n1 <<<"$human" | grep -qE '^ *port +mac +type +age *$' || fail "fdb-show header: $human"
for i in 0 1 2; do
	grep -qE "^ *${HOST[$i]} +$(ns_mac "${NS[$i]}") +dynamic +[0-9]+ *$" <<<"$human" ||
		fail "fdb-show lacks a line for ${HOST[$i]}: $human"
done
[ "$(wc -l <<<"$human")" -eq 5 ] || fail "fdb-show: expected 5 lines: $human"
tail -n1 <<<"$human" | grep -qx '3 entries (limit 8192), learn-table-full: 0' ||
	fail "fdb-show summary: $human"
ok "fdb-show human output"

# ---- show ------------------------------------------------------------------
show=$(vsctl --json show) || fail "show failed"
jq -e '.version == "0.1.0" and (.pmd | length) == 1 and (.bridges | length) == 1 and
	.bridges[0].name == "br0" and .bridges[0].type == "learning" and
	.bridges[0]."mac-aging" == 300 and .bridges[0]."mac-table-size" == 8192 and
	.bridges[0]."mac-count" == 3 and (.bridges[0].ports | length) == 3 and
	[.bridges[0].ports[].name] == ([.bridges[0].ports[].name] | sort)' <<<"$show" >/dev/null ||
	fail "show: unexpected bridge: $show"
for i in 0 1 2; do
	h=${HOST[$i]}
	jq -e --arg p "$h" --argjson idx "$(cat "/sys/class/net/$h/ifindex")" \
		--arg mac "$(link_mac "$h")" '.bridges[0].ports[] | select(.name == $p) |
		.type == "afxdp" and .options."xdp-mode" == "native" and (.options.queues | tostring) == "1" and
		.ifindex == $idx and .mac == $mac and .mtu == 1500 and .link == "up"' \
		<<<"$show" >/dev/null || fail "show: port $h wrong: $show"
done
ok "show --json: 3 afxdp ports in native XDP mode with the right ifindex, MAC, MTU, link"

human=$(vsctl show) || fail "show failed"
grep -qx 'Bridge br0' <<<"$human" || fail "show: no 'Bridge br0': $human"
grep -qE '^pmd threads: 1$' <<<"$human" || fail "show: no pmd line: $human"
for h in "${HOST[@]}"; do
	grep -qx "    Port $h" <<<"$human" || fail "show: no 'Port $h': $human"
	# The port's block: from its "Port" line to the next "Port"/"Bridge" line.
	block=$(awk -v p="    Port $h" '$0 == p { on = 1; next } !/^        / { on = 0 } on' <<<"$human")
	grep -qx '        xdp-mode: native' <<<"$block" || fail "show: $h not xdp-mode native: $block"
	grep -qx '        type: afxdp' <<<"$block" || fail "show: $h type: $block"
	grep -qx '        link: up' <<<"$block" || fail "show: $h link: $block"
done
[ "$(grep -c 'xdp-mode: native' <<<"$human")" -eq 3 ] || fail "show: expected 3 native ports"
ok "show human output lists the 3 ports with xdp-mode: native"

# ---- port-stats --------------------------------------------------------------
# The numbers keep moving if the kernel sends anything (it should not), so take the
# JSON before and after the human form and compare only when they agree.
for _ in 1 2 3 4 5; do
	before=$(vsctl --json port-stats) || fail "port-stats failed"
	human=$(vsctl port-stats) || fail "port-stats failed"
	after=$(vsctl --json port-stats) || fail "port-stats failed"
	[ "$before" = "$after" ] && break
	sleep 0.2
done
[ "$before" = "$after" ] || fail "port-stats never stable"
jq -e '(.ports | length) == 3 and [.ports[].name] == ([.ports[].name] | sort) and
	([.ports[] | .bridge == "br0" and ."rx-packets" > 0 and ."tx-packets" > 0 and
	  ."rx-bytes" >= 60 * ."rx-packets" and ."tx-bytes" >= 60 * ."tx-packets" and
	  .dropped == ([.drops[]] | add)] | all)' <<<"$after" >/dev/null ||
	fail "port-stats --json: $after"
head -n1 <<<"$human" | grep -qE '^port +bridge +rx-packets +rx-bytes +tx-packets +tx-bytes +drops$' ||
	fail "port-stats header: $human"
for h in "${HOST[@]}"; do
	want=$(jq -r --arg p "$h" '.ports[] | select(.name == $p) |
		"\(.name) br0 \(."rx-packets") \(."rx-bytes") \(."tx-packets") \(."tx-bytes") \(.dropped)"' \
		<<<"$after")
	grep -q "^$h " <<<"$human" || fail "port-stats: no row for $h: $human"
	got=$(grep "^$h " <<<"$human" | tr -s ' ')
	[ "$got" = "$want" ] || fail "port-stats row '$got', JSON says '$want'"
done
ok "port-stats: every port counted traffic; human rows match the JSON"

# Every frame of this test was bridged: nothing arrived with a bad header.
jq -e '[.ports[].drops | ."malformed", ."invalid-src-mac", ."no-bridge"] | add == 0' \
	<<<"$after" >/dev/null || fail "unexpected drops: $after"
vswitchd_alive || fail "vswitchd died"
