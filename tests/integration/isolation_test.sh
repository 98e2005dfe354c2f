#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Bridge isolation: br0 (3 namespaces) and br1 (2 namespaces) share one IP subnet, so
# any frame leaking between the bridges would be answered or seen. Pings work within
# each bridge and fail across; broadcasts and pings from br0 leave br1's tx counters
# untouched, and tcpdump in br1's namespaces never sees a br0 MAC.
. "$(dirname "$0")/lib.sh"

P=vsi$$
A_NS=("${P}a1" "${P}a2" "${P}a3") # on br0
A_IF=("${P}ha1" "${P}ha2" "${P}ha3")
A_IP=(198.18.1.1 198.18.1.2 198.18.1.3)
B_NS=("${P}b1" "${P}b2") # on br1
B_IF=("${P}hb1" "${P}hb2")
B_IP=(198.18.1.11 198.18.1.12)

start_vswitchd
vsctl_ok add-br br0
vsctl_ok add-br br1
for i in 0 1 2; do
	add_container "${A_NS[$i]}" "${A_IF[$i]}" "${A_IP[$i]}/24"
	vsctl_ok add-port br0 "${A_IF[$i]}"
done
for i in 0 1; do
	add_container "${B_NS[$i]}" "${B_IF[$i]}" "${B_IP[$i]}/24"
	vsctl_ok add-port br1 "${B_IF[$i]}"
done
A_MAC=()
for ns in "${A_NS[@]}"; do A_MAC+=("$(ns_mac "$ns")"); done
B_MAC=()
for ns in "${B_NS[@]}"; do B_MAC+=("$(ns_mac "$ns")"); done
# Permanent neighbour entries for the peers on the same bridge: without them the kernel
# re-confirms an entry with a unicast ARP probe some seconds after it was used, and
# such a probe between b1 and b2 would move br1's counters while the test watches them.
# Addresses of the other bridge stay unresolved, so pinging them sends ARP broadcasts.
for i in 0 1 2; do
	for j in 0 1 2; do
		[ "$i" = "$j" ] && continue
		ip -n "${A_NS[$i]}" neigh replace "${A_IP[$j]}" lladdr "${A_MAC[$j]}" dev eth0 \
			nud permanent || fail "ip neigh replace in ${A_NS[$i]}"
	done
done
for i in 0 1; do
	ip -n "${B_NS[$i]}" neigh replace "${B_IP[$((1 - i))]}" lladdr "${B_MAC[$((1 - i))]}" \
		dev eth0 nud permanent || fail "ip neigh replace in ${B_NS[$i]}"
done

# ---- within each bridge ---------------------------------------------------------
for i in 0 1 2; do
	for j in 0 1 2; do
		[ "$i" = "$j" ] || wait_ping "${A_NS[$i]}" "${A_IP[$j]}"
	done
done
wait_ping "${B_NS[0]}" "${B_IP[1]}"
wait_ping "${B_NS[1]}" "${B_IP[0]}"
ok "pings within br0 and within br1 work"

tx_of() { # the tx-packets of the given ports, one line
	local p out=""
	for p in "$@"; do out="$out $p=$(port_stat "$p" tx-packets)"; done
	echo "$out"
}
rx_sum() { # the sum of the rx-packets of the given ports
	local p sum=0
	for p in "$@"; do sum=$((sum + $(port_stat "$p" rx-packets))); done
	echo "$sum"
}

# ---- br0 traffic must not reach br1 ---------------------------------------------
# Nothing runs in br1's namespaces from here until the counters are read again (and
# their neighbour entries are permanent), so br1's tx counters must not move.
b_tx0=$(tx_of "${B_IF[@]}")
a_rx0=$(rx_sum "${A_IF[@]}")
a2_tx0=$(port_stat "${A_IF[1]}" tx-packets)

for i in 0 1; do
	ip netns exec "${B_NS[$i]}" tcpdump -i eth0 -n --immediate-mode -U -w "$VS_TMP/b$i.pcap" \
		>"$VS_TMP/tcpdump-b$i.log" 2>&1 &
	tcpdump_pid[$i]=$!
	VS_PIDS+=("${tcpdump_pid[$i]}")
	VS_EXTRA_LOGS+=("$VS_TMP/tcpdump-b$i.log")
done
for i in 0 1; do
	wait_until 10 grep -q 'listening on' "$VS_TMP/tcpdump-b$i.log" ||
		fail "tcpdump in ${B_NS[$i]} did not start"
done

# Cross-bridge pings: the br1 addresses are unknown on br0, so every attempt is an ARP
# broadcast flooded on br0.
for i in 0 1 2; do
	for j in 0 1; do
		got=$(ping_received "${A_NS[$i]}" "${B_IP[$j]}" 2)
		[ "$got" -eq 0 ] || fail "${A_NS[$i]} (br0) got $got replies from ${B_IP[$j]} (br1)"
	done
done
ok "pings from br0 to br1 addresses all fail"
# Broadcast pings (ICMP to ff:ff:ff:ff:ff:ff) and unicast pings within br0.
for i in 0 1 2; do
	ip netns exec "${A_NS[$i]}" ping -b -c 3 -i 0.2 -W 1 198.18.1.255 >/dev/null 2>&1
	got=$(ping_received "${A_NS[$i]}" "${A_IP[$(((i + 1) % 3))]}" 3)
	[ "$got" -eq 3 ] || fail "${A_NS[$i]}: $got of 3 replies within br0"
done

b_tx1=$(tx_of "${B_IF[@]}")
a_rx1=$(rx_sum "${A_IF[@]}")
a2_tx1=$(port_stat "${A_IF[1]}" tx-packets)
# Positive control: br0 really received and flooded this traffic (at least 3 x 3 broadcast
# echo requests, 3 x 3 unicast requests and their 3 x 3 replies, besides the ARP requests).
[ "$a_rx1" -ge $((a_rx0 + 3 * 3 + 3 * 6)) ] || fail "br0 ports received only $((a_rx1 - a_rx0)) frames"
[ "$a2_tx1" -gt "$a2_tx0" ] || fail "br0 did not flood to ${A_IF[1]}"
[ "$b_tx1" = "$b_tx0" ] || fail "br1 ports transmitted while only br0 had traffic: before$b_tx0, after$b_tx1"
ok "$((a_rx1 - a_rx0)) frames into br0 (ARP and ICMP broadcasts, unicast); br1 tx unchanged:$b_tx1"

# Positive control for the captures: traffic between b1 and b2 is seen.
wait_ping "${B_NS[1]}" "${B_IP[0]}"
wait_ping "${B_NS[0]}" "${B_IP[1]}"
b_tx2=$(tx_of "${B_IF[@]}")
[ "$b_tx2" != "$b_tx1" ] || fail "br1 tx counters did not move for br1's own traffic"
pcap_count() { tcpdump -r "$1" -n "$2" 2>/dev/null | wc -l; }
pcap_has() { [ "$(pcap_count "$1" "$2")" -gt 0 ]; }
for i in 0 1; do
	wait_until 5 pcap_has "$VS_TMP/b$i.pcap" "ether src ${B_MAC[$((1 - i))]}"
	kill -INT "${tcpdump_pid[$i]}"
	wait "${tcpdump_pid[$i]}"
	untrack "${tcpdump_pid[$i]}"
done

filter="ether src ${A_MAC[0]} or ether src ${A_MAC[1]} or ether src ${A_MAC[2]}"
for i in 0 1; do
	other=${B_MAC[$((1 - i))]}
	total=$(pcap_count "$VS_TMP/b$i.pcap" "")
	from_b=$(pcap_count "$VS_TMP/b$i.pcap" "ether src $other")
	leaked=$(tcpdump -r "$VS_TMP/b$i.pcap" -n -e "$filter" 2>/dev/null)
	[ "$from_b" -gt 0 ] || fail "capture in ${B_NS[$i]} has no frame from its br1 peer ($total frames)"
	[ -z "$leaked" ] || fail "capture in ${B_NS[$i]} has frames from br0: $leaked"
	ok "${B_NS[$i]} captured $total frames, $from_b from its br1 peer, none from a br0 MAC"
done

# ---- the MAC tables ---------------------------------------------------------
fdb0=$(vsctl --json fdb-show br0) || fail "fdb-show br0"
fdb1=$(vsctl --json fdb-show br1) || fail "fdb-show br1"
for m in "${A_MAC[@]}"; do
	jq -e --arg m "$m" 'any(.entries[]; .mac == $m)' <<<"$fdb0" >/dev/null ||
		fail "br0 did not learn $m: $fdb0"
	jq -e --arg m "$m" 'any(.entries[]; .mac == $m) | not' <<<"$fdb1" >/dev/null ||
		fail "br1 learned br0's $m: $fdb1"
done
for m in "${B_MAC[@]}"; do
	jq -e --arg m "$m" 'any(.entries[]; .mac == $m)' <<<"$fdb1" >/dev/null ||
		fail "br1 did not learn $m: $fdb1"
	jq -e --arg m "$m" 'any(.entries[]; .mac == $m) | not' <<<"$fdb0" >/dev/null ||
		fail "br0 learned br1's $m: $fdb0"
done
jq -e '.count == 3' <<<"$fdb0" >/dev/null || fail "br0 should have 3 MACs: $fdb0"
jq -e '.count == 2' <<<"$fdb1" >/dev/null || fail "br1 should have 2 MACs: $fdb1"
ok "each bridge learned only its own namespaces' MACs"
vswitchd_alive || fail "vswitchd died"
