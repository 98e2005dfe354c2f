#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# DPDK ports given bad input, and frames too big for a DPDK port:
# 1. vswitchd without --dpdk: type=dpdk is refused with the way to enable it.
# 2. vswitchd whose EAL fails to initialise (a bad EAL argument): it runs, show says why,
#    type=dpdk is refused with the reason, AF_XDP ports work.
# 3. A running EAL: unknown devargs, a driver that fails to probe, bad options, a device
#    already in use, more queues than the device has: each a clear one-line error that
#    changes nothing (the same device probes fine afterwards).
# 4. Jumbo frames: a DPDK port at mtu 1500 drops a 4000-byte frame under "oversized" while
#    small ones pass; an MTU beyond what the device receives is refused.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/dpdk_lib.sh"

P=vse$$
N1=${P}n1 N2=${P}n2 N3=${P}n3 H1=${P}h1 H2=${P}h2 TAP=${P}t
IP1=198.18.6.1 IP2=198.18.6.2 IP3=198.18.6.3

# ---- 1. no --dpdk ----------------------------------------------------------
start_vswitchd
vsctl_ok add-br br0
vsctl_fails 1 "tap0: DPDK is not initialised: start vswitchd with --dpdk" \
	add-port br0 tap0 type=dpdk devargs=net_tap0,iface=$TAP
[ -z "$(vsctl list-ports br0)" ] || fail "a refused port is on br0: $(vsctl list-ports br0)"
[ "$(jvsctl '.dpdk.state' show)" = "not initialised (no --dpdk)" ] ||
	fail "show: dpdk state: $(jvsctl .dpdk show)"
stop_vswitchd || fail "vswitchd exited with an error"
ok "without --dpdk: type=dpdk refused, show says DPDK is not initialised"

# ---- 2. EAL initialisation fails -------------------------------------------
start_vswitchd --dpdk "$DPDK_EAL --no-such-eal-option"
[ "$(jvsctl '.dpdk.state' show)" = failed ] || fail "show: dpdk state: $(jvsctl .dpdk show)"
jvsctl '.dpdk.error' show | grep -q "EAL initialisation failed" ||
	fail "show: no EAL error: $(jvsctl .dpdk show)"
vsctl show | grep -q "^dpdk: failed" || fail "show (human): $(vsctl show)"
vsctl_ok add-br br0
vsctl_fails 1 "tap0: DPDK is not initialised: EAL initialisation failed" \
	add-port br0 tap0 type=dpdk devargs=net_tap0,iface=$TAP
add_container "$N1" "$H1" "$IP1/24"
add_container "$N2" "$H2" "$IP2/24"
vsctl_ok add-port br0 "$H1"
vsctl_ok add-port br0 "$H2"
wait_ping "$N1" "$IP2"
stop_vswitchd || fail "vswitchd exited with an error"
ok "EAL failure: vswitchd runs, show and add-port say why, AF_XDP ports forward"

# ---- 3. bad ports on a running EAL ------------------------------------------
ip link del "$H2"
start_vswitchd_dpdk
vsctl_ok add-br br0
vsctl_ok add-port br0 "$H1"
vsctl_fails 1 "d0: cannot probe device 'net_bogus0': EAL: failed to parse device \"net_bogus0\"" \
	add-port br0 d0 type=dpdk devargs=net_bogus0
vsctl_fails 1 "d0: cannot probe device 'net_af_packet0,iface=${P}zz':" \
	add-port br0 d0 type=dpdk devargs=net_af_packet0,iface=${P}zz
grep -q "No such device" "$VS_TMP/vsctl.err" || fail "probe error lacks the driver's reason: $(cat "$VS_TMP/vsctl.err")"
# A device that is not an ethernet port is removed again: the second try creates it anew.
for i in 1 2; do
	vsctl_fails 1 "d0: device 'crypto_null0' has no ethernet port" \
		add-port br0 d0 type=dpdk devargs=crypto_null0
done
[ "$(grep -c "Creating cryptodev crypto_null0" "$VS_LOG")" -eq 2 ] ||
	fail "crypto_null0 was not removed after the failed add-port"
vsctl_fails 1 "d0: a dpdk port needs devargs=DEVICE" add-port br0 d0 type=dpdk
vsctl_fails 1 "d0: unknown option 'queues' for a dpdk port" \
	add-port br0 d0 type=dpdk devargs=net_tap0 queues=2
vsctl_fails 1 "d0: invalid n_rxq '0' (1-16)" add-port br0 d0 type=dpdk devargs=net_tap0 n_rxq=0
vsctl_fails 1 "d0: invalid rxq_size '1000' (64-16384, a power of 2)" \
	add-port br0 d0 type=dpdk devargs=net_tap0 rxq_size=1000
vsctl_fails 1 "d0: invalid mtu 'big' (68-9600)" add-port br0 d0 type=dpdk devargs=net_tap0 mtu=big
vsctl_fails 1 "port $H1 is already on br0" add-port br0 "$H1" type=dpdk devargs=net_tap0
vsctl_fails 1 "has at most 1 rx and 1 tx queues" \
	add-port br0 d0 type=dpdk devargs=net_af_packet0,iface=$H1 n_rxq=2
[ "$(vsctl list-ports br0)" = "$H1" ] || fail "refused ports on br0: $(vsctl list-ports br0)"
vsctl_ok add-port br0 tap0 type=dpdk devargs=net_tap0,iface=$TAP
vsctl_fails 1 "d1: device net_tap0 is already port tap0" \
	add-port br0 d1 type=dpdk devargs=net_tap0,iface=${P}u
vswitchd_alive || fail "vswitchd died"
ok "bad devargs, probe failure, bad options, busy device: one-line errors, nothing changed"

# ---- 4. jumbo frames ------------------------------------------------------------
add_empty_ns "$N3"
move_tap "$TAP" "$N3" "$IP3/24"
ip link set "$H1" mtu 9000 && ip -n "$N1" link set eth0 mtu 9000 || fail "mtu 9000 on $H1"
ip -n "$N3" link set "$TAP" mtu 9000 || fail "mtu 9000 on $TAP"
wait_ping "$N1" "$IP3"
ov0=$(port_stat tap0 drops oversized)
ip netns exec "$N1" ping -c 3 -i 0.2 -W 1 -s 4000 -M dont "$IP3" >/dev/null 2>&1 &&
	fail "a 4000-byte ping crossed tap0 at mtu 1500"
ov=$(($(port_stat tap0 drops oversized) - ov0))
[ "$ov" -ge 3 ] || fail "tap0 counted $ov oversized drops for 3 big pings"
ping_ok "$N1" "$IP3" || fail "small pings stopped"
ok "mtu 1500: 4000-byte frames dropped as oversized on tap0 ($ov), small ones pass"
# net_tap receives frames of at most 1522 bytes (DPDK 22.11): a larger MTU is refused.
vsctl_fails 1 "tap1: mtu 9000 is out of the range of net_tap (46-1504: frames up to 1522 bytes)" \
	add-port br0 tap1 type=dpdk devargs=net_tap1,iface=${P}u mtu=9000
ip link show dev "${P}u" >/dev/null 2>&1 && fail "the refused net_tap1 left its tap ${P}u behind"
[ "$(vsctl list-ports br0)" = "$(printf '%s\n' "$H1" tap0 | sort)" ] ||
	fail "list-ports br0: $(vsctl list-ports br0)"
ok "mtu=9000 on net_tap: refused with the device's limit, the probed vdev removed again"
