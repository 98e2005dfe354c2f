#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Port life cycle: del-port stops delivery and detaches XDP, add-port restores it;
# adding and removing ports while other ports carry a ping flood does not disturb them;
# xdp-mode=generic and queues=N; add-port errors; SIGTERM detaches everything and
# removes the control socket.
. "$(dirname "$0")/lib.sh"

P=vsl$$
NS=("${P}n1" "${P}n2" "${P}n3" "${P}n4" "${P}n5" "${P}n6")
HOST=("${P}h1" "${P}h2" "${P}h3" "${P}h4" "${P}h5" "${P}h6")
IP=(198.18.2.1 198.18.2.2 198.18.2.3 198.18.2.4 198.18.2.5 198.18.2.6)

start_vswitchd
vsctl_ok add-br br0
for i in 0 1 2 3; do
	add_container "${NS[$i]}" "${HOST[$i]}" "${IP[$i]}/24"
done
# n5's veth has a single queue pair; n6's has exactly two.
add_container "${NS[4]}" "${HOST[4]}" "${IP[4]}/24" 1
add_container "${NS[5]}" "${HOST[5]}" "${IP[5]}/24" 2
for i in 0 1 2; do
	vsctl_ok add-port br0 "${HOST[$i]}"
done
H1=${HOST[0]} H2=${HOST[1]} H3=${HOST[2]} H4=${HOST[3]} H5=${HOST[4]} H6=${HOST[5]}
N1=${NS[0]} N2=${NS[1]} N3=${NS[2]} N4=${NS[3]}

xdp_mode() { vsctl --json show | jq -r --arg p "$1" '.bridges[].ports[] | select(.name == $p) | .options."xdp-mode"'; }
fdb_has_port() { vsctl --json fdb-show br0 | jq -e --arg p "$1" 'any(.entries[]; .port == $p)' >/dev/null; }
fdb_has_mac() { vsctl --json fdb-show br0 | jq -e --arg m "$1" 'any(.entries[]; .mac == $m)' >/dev/null; }
port_listed() { vsctl list-ports br0 | grep -qx "$1"; }

# ---- del-port stops delivery, add-port restores it ---------------------------
wait_ping "$N1" "${IP[2]}"
wait_ping "$N2" "${IP[2]}"
fdb_has_port "$H3" || fail "no MAC learned on $H3"
has_xdp "$H3" || fail "$H3 has no XDP program while it is a port"

vsctl_ok del-port br0 "$H3"
port_listed "$H3" && fail "$H3 still listed after del-port"
has_xdp "$H3" && fail "$H3 still has an XDP program after del-port: $(ip -d link show dev "$H3")"
fdb_has_port "$H3" && fail "MAC entries of $H3 survive del-port: $(vsctl fdb-show br0)"
fdb_has_mac "$(ns_mac "$N3")" && fail "$N3's MAC survives del-port"
got=$(ping_received "$N1" "${IP[2]}" 3)
[ "$got" -eq 0 ] || fail "$N1 still reaches $N3 after del-port ($got replies)"
fdb_has_port "$H3" && fail "MAC learned on $H3 after del-port"
wait_ping "$N1" "${IP[1]}" # the others are unaffected
ok "del-port: delivery stops, MAC entries and XDP program are gone"

vsctl_ok add-port br0 "$H3"
has_xdp "$H3" || fail "$H3 has no XDP program after add-port"
[ "$(xdp_mode "$H3")" = native ] || fail "re-added $H3 is in xdp-mode '$(xdp_mode "$H3")', not native"
wait_ping "$N1" "${IP[2]}"
got=$(ping_received "$N1" "${IP[2]}" 3)
[ "$got" -eq 3 ] || fail "$N1 -> $N3 after re-add: $got of 3 replies"
fdb_has_port "$H3" || fail "no MAC learned on $H3 after re-add"
ok "re-added port delivers again"

# ---- hot add/delete under a ping flood ----------------------------------------
wait_ping "$N1" "${IP[1]}"
ip netns exec "$N1" ping -q -i 0.01 -c 800 -W 1 "${IP[1]}" >"$VS_TMP/flood.log" 2>&1 &
flood=$!
VS_PIDS+=("$flood")
VS_EXTRA_LOGS+=("$VS_TMP/flood.log")
# A port added again right after its removal must come back, in the same (native) mode.
cycles=0
for _ in 1 2 3 4 5 6; do
	vsctl_ok del-port br0 "$H3"
	vsctl_ok add-port br0 "$H4"
	vsctl_ok add-port br0 "$H3"
	[ "$(xdp_mode "$H3")" = native ] || fail "re-added $H3 is in xdp-mode '$(xdp_mode "$H3")'"
	vsctl_ok del-port br0 "$H4"
	vsctl_ok add-br br1
	vsctl_ok add-port br1 "$H4"
	[ "$(xdp_mode "$H4")" = native ] || fail "re-added $H4 is in xdp-mode '$(xdp_mode "$H4")'"
	vsctl_ok del-br br1
	cycles=$((cycles + 1))
done
wait_pid_gone "$flood" 60 || fail "ping flood did not finish"
wait "$flood"
untrack "$flood"
sent=$(sed -n 's/^\([0-9]\+\) packets transmitted.*/\1/p' "$VS_TMP/flood.log")
got=$(sed -n 's/.* \([0-9]\+\) received.*/\1/p' "$VS_TMP/flood.log")
[ "$sent" = 800 ] || fail "ping flood sent '$sent' requests: $(cat "$VS_TMP/flood.log")"
# Reconfiguration must not disturb other ports: nearly every reply arrives.
[ "${got:-0}" -ge 780 ] || fail "ping flood $N1 -> $N2 lost $((800 - ${got:-0})) of 800 during hot add/del"
ok "ping flood $N1 -> $N2: $got of 800 replies during $cycles add/del cycles"
has_xdp "$H4" && fail "$H4 still has an XDP program after del-br"
port_listed "$H4" && fail "$H4 still on br0"
wait_ping "$N1" "${IP[2]}"
wait_ping "$N3" "${IP[1]}"
[ "$(xdp_mode "$H3")" = native ] || fail "after the cycles $H3 is in xdp-mode '$(xdp_mode "$H3")'"
ok "after the cycles $H3 works in native mode and $H4 is detached"

# ---- xdp-mode=generic ----------------------------------------------------------
vsctl_ok add-port br0 "$H4" xdp-mode=generic
mode=$(xdp_mode "$H4")
[ "$mode" = generic ] || fail "show: $H4 xdp-mode '$mode', expected generic"
vsctl show | awk -v p="    Port $H4" '$0 == p { on = 1; next } !/^        / { on = 0 } on' |
	grep -qx '        xdp-mode: generic' || fail "show (human): $H4 not xdp-mode: generic"
ip -d link show dev "$H4" | grep -q xdpgeneric || fail "$H4: no generic XDP program: $(ip -d link show dev "$H4")"
wait_ping "$N4" "${IP[0]}"
got=$(ping_received "$N4" "${IP[1]}" 5)
[ "$got" -eq 5 ] || fail "$N4 (generic) -> $N2: $got of 5"
got=$(ping_received "$N1" "${IP[3]}" 5)
[ "$got" -eq 5 ] || fail "$N1 -> $N4 (generic): $got of 5"
vsctl_ok del-port br0 "$H4"
has_xdp "$H4" && fail "$H4 keeps a generic XDP program after del-port"
ok "xdp-mode=generic port is shown as generic and forwards both ways"

# ---- queues ---------------------------------------------------------------------
vsctl_fails 1 "vsctl: $H5 has 1 rx queue, cannot use queues=2" add-port br0 "$H5" queues=2
port_listed "$H5" && fail "$H5 was added despite the error"
has_xdp "$H5" && fail "$H5 has an XDP program after a failed add-port"
vsctl_ok add-port br0 "$H6" queues=2
q=$(vsctl --json show | jq -r --arg p "$H6" '.bridges[0].ports[] | select(.name == $p) | .options.queues | tostring')
[ "$q" = 2 ] || fail "show: $H6 queues '$q', expected 2"
wait_ping "${NS[5]}" "${IP[0]}"
got=$(ping_received "$N1" "${IP[5]}" 5)
[ "$got" -eq 5 ] || fail "$N1 -> ${NS[5]} (2 queues): $got of 5"
ok "queues=2 refused on a 1-queue veth, accepted and forwarding on a 2-queue veth"

# ---- add-port errors ------------------------------------------------------------
vsctl_fails 1 "vsctl: no such network device: ${P}zz" add-port br0 "${P}zz"
vsctl_ok add-br br1
vsctl_fails 1 "vsctl: port $H1 is already on br0" add-port br1 "$H1"
vsctl_fails 1 "vsctl: port $H1 is already on br0" add-port br0 "$H1"
[ -z "$(vsctl list-ports br1)" ] || fail "br1 has ports: $(vsctl list-ports br1)"
wait_ping "$N2" "${IP[0]}" # H1 still works on br0
ok "add-port errors: missing device, port already on a bridge"

# ---- SIGTERM --------------------------------------------------------------------
vsctl_ok add-port br1 "$H5"
for h in "$H1" "$H2" "$H3" "$H5" "$H6"; do
	has_xdp "$h" || fail "$h should have an XDP program before SIGTERM"
done
stop_vswitchd || fail "vswitchd exited with status $? on SIGTERM"
for h in "${HOST[@]}"; do
	has_xdp "$h" && fail "$h still has an XDP program after vswitchd exited: $(ip -d link show dev "$h")"
done
[ ! -e "$SOCK" ] || fail "control socket $SOCK left behind after SIGTERM"
ok "SIGTERM: exit status 0, no XDP program left on any veth, socket removed"
