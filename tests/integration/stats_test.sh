#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Counters and the MAC table, with crafted frames: exactly N frames of known length sent
# from one namespace show up as exactly N packets / N*len bytes on the ingress port and
# on the egress ports (and in the receiving namespaces); malformed, link-local and
# invalid-source frames are counted under their drop reasons; a full MAC table refuses
# to learn but still floods; static entries can be added, shown and removed.
#
# The namespaces have no IP address and IPv6 is off, so the kernel sends nothing of its
# own: every frame the switch sees comes from sendframes.py (ethertype 0x88b5, the
# IEEE local experimental one).
#
# Frames shorter than 14 bytes cannot be produced here: AF_PACKET refuses them with
# EINVAL (dev_validate_header), and XDP/tc cannot shrink a frame below the Ethernet
# header either. The test checks that refusal and covers "malformed" with truncated
# VLAN headers (ethertype 0x8100 and fewer than 4 bytes of tag).
. "$(dirname "$0")/lib.sh"

P=vss$$
NS=("${P}n1" "${P}n2" "${P}n3")
HOST=("${P}h1" "${P}h2" "${P}h3")
H1=${HOST[0]} H2=${HOST[1]} H3=${HOST[2]}
N1=${NS[0]} N2=${NS[1]} N3=${NS[2]}

start_vswitchd
vsctl_ok add-br br0
for i in 0 1 2; do
	add_container "${NS[$i]}" "${HOST[$i]}"
	vsctl_ok add-port br0 "${HOST[$i]}"
done
M1=$(ns_mac "$N1") M2=$(ns_mac "$N2") M3=$(ns_mac "$N3")

# send NS ARGS...: sendframes.py on eth0 of NS; the test fails unless all were sent.
send() {
	local ns=$1
	shift
	ip netns exec "$ns" python3 "$VS_LIB_DIR/sendframes.py" eth0 "$@" >/dev/null ||
		fail "sendframes.py in $ns $* failed"
}

# A snapshot of every counter: the switch's ports, and eth0 of each namespace (as
# "ns:NAME" pseudo-ports with rx-packets and tx-packets only: a veth's byte counters
# leave out the Ethernet header on some paths, so they are not the frame length).
snapshot() {
	local ports ns kern="[]"
	ports=$(vsctl --json port-stats) || fail "port-stats failed"
	for ns in "${NS[@]}"; do
		kern=$(ip -n "$ns" -j -s link show eth0 | jq --arg n "ns:$ns" --argjson k "$kern" \
			'$k + [{name: $n, "rx-packets": .[0].stats64.rx.packets,
			  "tx-packets": .[0].stats64.tx.packets, drops: {}}]')
	done
	jq -c --argjson k "$kern" '.ports += $k' <<<"$ports"
}

# Every non-zero difference between two snapshots, one "PORT FIELD DELTA" per line,
# sorted; drop reasons as "drops.REASON".
deltas() {
	jq -r -n --argjson a "$1" --argjson b "$2" '
		($a.ports | map({key: .name, value: .}) | from_entries) as $A |
		$b.ports[] | .name as $n | $A[$n] as $o |
		((to_entries[] | select(.value | type == "number") |
		  [$n, .key, .value - $o[.key]]),
		 (.drops | to_entries[] | [$n, "drops." + .key, .value - $o.drops[.key]])) |
		select(.[2] != 0) | map(tostring) | join(" ")' | sort
}

# expect BEFORE LINE...: waits (up to 10 s) until the counters differ from snapshot
# BEFORE by exactly the given "PORT FIELD DELTA" lines and nothing else.
expect() {
	local before=$1 want got i
	shift
	want=$(printf '%s\n' "$@" | sed '/^$/d' | sort)
	for ((i = 0; i < 100; i++)); do
		got=$(deltas "$before" "$(snapshot)")
		[ "$got" = "$want" ] && return 0
		sleep 0.1
	done
	fail "counter changes differ from the expected ones:
$(diff <(echo "$want") <(echo "$got") | sed -n 's/^</  expected:/p; s/^>/  got:     /p')"
}

# rx|tx PORT N LEN: the expected lines for N frames of LEN bytes received or sent on
# PORT (packets only for a namespace's eth0).
rx() {
	printf '%s rx-packets %s\n' "$1" "$2"
	[[ $1 == ns:* ]] || printf '%s rx-bytes %s\n' "$1" "$(($2 * $3))"
}
tx() {
	printf '%s tx-packets %s\n' "$1" "$2"
	[[ $1 == ns:* ]] || printf '%s tx-bytes %s\n' "$1" "$(($2 * $3))"
}

fdb() { vsctl --json fdb-show br0 || fail "fdb-show br0 failed"; }
fdb_count() { fdb | jq -r .count; }

# ---- learning frame, then known unicast ------------------------------------------
s0=$(snapshot)
send "$N2" --count 1 --len 60
expect "$s0" "$(rx "$H2" 1 60)" "$(tx "$H1" 1 60)" "$(tx "$H3" 1 60)" \
	"$(tx "ns:$N2" 1 60)" "$(rx "ns:$N1" 1 60)" "$(rx "ns:$N3" 1 60)"
fdb | jq -e --arg m "$M2" --arg p "$H2" 'any(.entries[]; .mac == $m and .port == $p)' >/dev/null ||
	fail "$N2's MAC not learned on $H2: $(vsctl fdb-show br0)"

N=1000
s0=$(snapshot)
send "$N1" --dst "$M2" --count $N --len 1514
expect "$s0" "$(rx "$H1" $N 1514)" "$(tx "$H2" $N 1514)" \
	"$(tx "ns:$N1" $N 1514)" "$(rx "ns:$N2" $N 1514)"
ok "$N unicast frames of 1514 bytes: exactly $N/$((N * 1514)) in on $H1, out on $H2 only, into $N2"

# ---- broadcast -------------------------------------------------------------------
s0=$(snapshot)
send "$N1" --count $N --len 60
expect "$s0" "$(rx "$H1" $N 60)" "$(tx "$H2" $N 60)" "$(tx "$H3" $N 60)" \
	"$(tx "ns:$N1" $N 60)" "$(rx "ns:$N2" $N 60)" "$(rx "ns:$N3" $N 60)"
ok "$N broadcast frames of 60 bytes: exactly $N in on $H1, out on $H2 and $H3"

# ---- malformed frames ----------------------------------------------------------
# Truncated VLAN tags: 0x8100 needs 4 bytes after the MAC addresses, these have 0..3.
s0=$(snapshot)
for len in 14 15 16 17; do
	send "$N1" --count 25 --len $len --ethertype 0x8100
done
# A double tag (802.1ad, then 802.1Q) whose inner tag is cut short: 14 + 4 + 2 bytes.
send "$N1" --count 25 --len 20 --ethertype 0x88a8 --payload 00648100
malformed_bytes=$((25 * (14 + 15 + 16 + 17 + 20)))
expect "$s0" "$H1 rx-packets 125" "$H1 rx-bytes $malformed_bytes" "$H1 drops.malformed 125" \
	"$H1 dropped 125" "ns:$N1 tx-packets 125"
ok "125 truncated VLAN frames counted as malformed drops and not forwarded"

s0=$(snapshot)
for len in 10 13; do
	if ip netns exec "$N1" python3 "$VS_LIB_DIR/sendframes.py" eth0 --count 1 --len $len \
		>/dev/null 2>"$VS_TMP/short.err"; then
		fail "the kernel sent a $len-byte frame; count it as malformed in this test"
	fi
	grep -q 'Invalid argument' "$VS_TMP/short.err" || fail "short frame: $(cat "$VS_TMP/short.err")"
done
expect "$s0"
ok "frames shorter than 14 bytes cannot be sent from a namespace (AF_PACKET: EINVAL)"

# ---- link-local destinations and invalid sources --------------------------------
s0=$(snapshot)
send "$N1" --count 50 --len 64 --dst 01:80:c2:00:00:00 # STP
send "$N1" --count 50 --len 64 --dst 01:80:c2:00:00:0e # LLDP
expect "$s0" "$(rx "$H1" 100 64)" "$H1 drops.link-local 100" "$H1 dropped 100" "$(tx "ns:$N1" 100 64)"
ok "100 frames to 01:80:c2:00:00:0x counted as link-local drops"

s0=$(snapshot)
send "$N1" --count 50 --len 64 --src 01:00:5e:00:00:01
send "$N1" --count 50 --len 64 --src 00:00:00:00:00:00 --dst "$M2"
expect "$s0" "$(rx "$H1" 100 64)" "$H1 drops.invalid-src-mac 100" "$H1 dropped 100" "$(tx "ns:$N1" 100 64)"
fdb | jq -e 'any(.entries[]; .mac == "01:00:5e:00:00:01" or .mac == "00:00:00:00:00:00") | not' \
	>/dev/null || fail "an invalid source MAC was learned: $(vsctl fdb-show br0)"
ok "100 frames with multicast or zero source MACs counted as invalid-src-mac drops, not learned"

# Hairpin: N1's own MAC is learned on H1, so frames from N1 to it have nowhere to go.
fdb | jq -e --arg m "$M1" --arg p "$H1" 'any(.entries[]; .mac == $m and .port == $p)' >/dev/null ||
	fail "$N1's MAC not learned on $H1: $(vsctl fdb-show br0)"
s0=$(snapshot)
send "$N1" --count 50 --len 64 --dst "$M1"
expect "$s0" "$(rx "$H1" 50 64)" "$H1 drops.hairpin 50" "$H1 dropped 50" "$(tx "ns:$N1" 50 64)"
ok "50 frames to a MAC learned on their own ingress port counted as hairpin drops"

human=$(vsctl port-stats "$H1") || fail "port-stats $H1"
for line in "drop malformed: 125" "drop link-local: 100" "drop invalid-src-mac: 100" "drop hairpin: 50"; do
	grep -qx "  $line" <<<"$human" || fail "port-stats $H1 lacks '  $line': $human"
done
grep -qE "^$H1 +br0 .* 375\$" <<<"$human" || fail "port-stats $H1: drops column not 375: $human"
ok "port-stats (human) lists each drop reason of $H1 and the total 375"

# ---- static entries ----------------------------------------------------------------
SMAC=02:00:00:aa:bb:cc
vsctl_ok fdb-add br0 $SMAC "$H3"
fdb | jq -e --arg m $SMAC --arg p "$H3" \
	'[.entries[] | select(.mac == $m)] == [{mac: $m, port: $p, type: "static", age: 0}]' \
	>/dev/null || fail "fdb-show: no static entry $SMAC on $H3: $(vsctl --json fdb-show br0)"
vsctl fdb-show br0 | grep -qE "^ *$H3 +$SMAC +static +0 *\$" || fail "fdb-show: $(vsctl fdb-show br0)"
s0=$(snapshot)
send "$N1" --count 500 --len 100 --dst $SMAC
expect "$s0" "$(rx "$H1" 500 100)" "$(tx "$H3" 500 100)" "$(tx "ns:$N1" 500 100)" "$(rx "ns:$N3" 500 100)"
# A frame from that MAC on another port does not move a static entry.
# (Once the frames are counted on egress, the PMD has queued its learning request, and
# the control thread applies queued requests before it answers the next command.)
s0=$(snapshot)
send "$N2" --count 5 --len 60 --src $SMAC
expect "$s0" "$(rx "$H2" 5 60)" "$(tx "$H1" 5 60)" "$(tx "$H3" 5 60)" \
	"$(tx "ns:$N2" 5 60)" "$(rx "ns:$N1" 5 60)" "$(rx "ns:$N3" 5 60)"
fdb | jq -e --arg m $SMAC --arg p "$H3" 'any(.entries[]; .mac == $m and .port == $p and .type == "static")' \
	>/dev/null || fail "static entry moved: $(vsctl fdb-show br0)"
ok "static entry: shown as static, forwards 500 frames to $H3 only, not moved by learning"

vsctl_fails 1 "vsctl: invalid MAC address: zz" fdb-add br0 zz "$H3"
vsctl_fails 1 "vsctl: MAC address 01:00:5e:00:00:01 is not a unicast address" fdb-add br0 01:00:5e:00:00:01 "$H3"
vsctl_fails 1 "vsctl: port ${P}xx is not on br0" fdb-add br0 02:00:00:00:00:01 "${P}xx"
vsctl_fails 1 "vsctl: bridge br9 does not exist" fdb-add br9 02:00:00:00:00:01 "$H3"

dyn=$(fdb | jq '[.entries[] | select(.type == "dynamic")] | length')
[ "$dyn" -ge 2 ] || fail "expected learned entries before fdb-flush: $(vsctl fdb-show br0)"
flushed=$(vsctl --json fdb-flush br0 | jq .flushed) || fail "fdb-flush failed"
[ "$flushed" -eq "$dyn" ] || fail "fdb-flush flushed $flushed, expected $dyn"
fdb | jq -e --arg m $SMAC '.count == 1 and .entries[0].mac == $m' >/dev/null ||
	fail "after fdb-flush only the static entry should be left: $(vsctl fdb-show br0)"
vsctl_ok fdb-del br0 $SMAC
[ "$(fdb_count)" -eq 0 ] || fail "fdb-del left entries: $(vsctl fdb-show br0)"
vsctl_fails 1 "vsctl: MAC $SMAC is not in the MAC table of br0" fdb-del br0 $SMAC
ok "fdb-flush removes the $dyn dynamic entries only; fdb-del removes the static one"

# ---- a full MAC table -----------------------------------------------------------
vsctl_ok set-bridge br0 mac-table-size=16
[ "$(vsctl --json show | jq '.bridges[0]."mac-table-size"')" -eq 16 ] || fail "show: mac-table-size not 16"
s0=$(snapshot)
# 100 source MACs, to a unicast destination nobody has: flooded to both other ports.
send "$N1" --count 100 --len 60 --src 02:00:00:01:00:00 --src-count 100 --dst 02:00:00:99:99:99
expect "$s0" "$(rx "$H1" 100 60)" "$(tx "$H2" 100 60)" "$(tx "$H3" 100 60)" \
	"$(tx "ns:$N1" 100 60)" "$(rx "ns:$N2" 100 60)" "$(rx "ns:$N3" 100 60)"
wait_until 5 eval '[ "$(fdb_count)" -eq 16 ]' || fail "fdb count $(fdb_count), expected 16"
f=$(fdb)
jq -e --arg p "$H1" '.count == 16 and .limit == 16 and (.entries | length) == 16 and
	([.entries[].port] | unique) == [$p] and ."learn-table-full" > 0' <<<"$f" >/dev/null ||
	fail "full MAC table: $f"
ok "100 source MACs into a 16-entry table: 16 learned, learn-table-full $(jq '."learn-table-full"' <<<"$f"), all 100 frames flooded"

# With the table full, N1's own MAC is unknown: frames to it from N2 are flooded.
s0=$(snapshot)
send "$N2" --count 100 --len 60 --dst "$M1"
expect "$s0" "$(rx "$H2" 100 60)" "$(tx "$H1" 100 60)" "$(tx "$H3" 100 60)" \
	"$(tx "ns:$N2" 100 60)" "$(rx "ns:$N1" 100 60)" "$(rx "ns:$N3" 100 60)"
[ "$(fdb_count)" -eq 16 ] || fail "fdb count grew past the limit: $(fdb_count)"
vsctl_fails 1 "vsctl: MAC table of br0 is full (16 entries)" fdb-add br0 02:00:00:00:00:01 "$H3"
[ "$(vsctl fdb-show br0 | tail -n1)" = "16 entries (limit 16), learn-table-full: $(fdb | jq '."learn-table-full"')" ] ||
	fail "fdb-show summary: $(vsctl fdb-show br0 | tail -n1)"
ok "full table: unknown destinations flood, fdb-add is refused"

vsctl_ok set-bridge br0 mac-table-size=32
send "$N1" --count 100 --len 60 --src 02:00:00:01:00:00 --src-count 100 --dst 02:00:00:99:99:99
wait_until 5 eval '[ "$(fdb_count)" -eq 32 ]' || fail "fdb count $(fdb_count), expected 32"
vsctl_fails 1 "vsctl: mac-table-size 16 is smaller than the 32 entries in the MAC table of br0" \
	set-bridge br0 mac-table-size=16
[ "$(vsctl --json fdb-flush br0 | jq .flushed)" -eq 32 ] || fail "fdb-flush did not flush 32"
vsctl_ok set-bridge br0 mac-table-size=16
ok "mac-table-size grows to 32; shrinking below the entry count is refused until a flush"

# ---- station moves and ageing ----------------------------------------------------
fdb_port_of() { fdb | jq -r --arg m "$1" '.entries[] | select(.mac == $m) | .port'; }
send "$N3" --count 1 --len 60
wait_until 5 eval '[ "$(fdb_port_of "$M3")" = "$H3" ]' || fail "$M3 not learned on $H3"
# The same source MAC now shows up on H2 (a station that moved): the entry follows it.
send "$N2" --count 1 --len 60 --src "$M3"
wait_until 5 eval '[ "$(fdb_port_of "$M3")" = "$H2" ]' ||
	fail "$M3 did not move to $H2: $(vsctl fdb-show br0)"
ok "a dynamic entry moves to the port its MAC is seen on"

vsctl_ok set-bridge br0 mac-aging=10
[ "$(vsctl --json show | jq '.bridges[0]."mac-aging"')" -eq 10 ] || fail "show: mac-aging not 10"
vsctl_ok fdb-add br0 $SMAC "$H3"
send "$N1" --count 1 --len 60
wait_until 5 eval '[ "$(fdb_port_of "$M1")" = "$H1" ]' || fail "$M1 not learned"
# Dynamic entries go once unused for 10 s (not before: the entry is seen at age 5 and
# more); the static one stays.
fdb_age_of() { fdb | jq -r --arg m "$1" '.entries[] | select(.mac == $m) | .age'; }
wait_until 15 eval '[ "$(fdb_age_of "$M1")" -ge 5 ] 2>/dev/null' ||
	fail "$M1 never reached age 5: $(vsctl fdb-show br0)"
wait_until 25 eval '[ "$(fdb_count)" -eq 1 ]' || fail "entries did not age out: $(vsctl fdb-show br0)"
[ "$(fdb_port_of $SMAC)" = "$H3" ] || fail "the static entry aged out"
ok "with mac-aging=10 the dynamic entries age out, the static entry stays"
vswitchd_alive || fail "vswitchd died"
