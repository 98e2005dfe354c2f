# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
#
# perf/fwd_memif_vxlan.sh: the memif VXLAN rows of perf/fwd_bench.sh (sourced by it; uses
# its variables and functions). One vswitchd (PMD on CPU 1) with bridge br0 = memif port m0
# ("container side", socket a.sock) + vxlan port vx0 (VNI 100, local_ip VXM_DUT_IP) whose
# DPDK underlay u0 is a second memif (socket b.sock, MAC VXM_DUT_MAC). dpdkgen is the memif
# client of both and plays the remote VTEP (VXM_GEN_IP, VXM_GEN_MAC) on the underlay: it
# answers vswitchd's ARP requests for it (dpdkgen --vxlan, perf/genvxlan.h).
#
#   memif_vxlan_encap: dpdkgen net_memif0 -> m0 [vswitchd: encap] u0 -> net_memif1 dpdkgen
#     plain frames in, VXLAN frames out (counted only when they are VXLAN from VXM_DUT_IP
#     to VXM_GEN_IP with VNI 100, by their inner frame)
#   memif_vxlan_decap: dpdkgen net_memif1 -> u0 [vswitchd: decap] m0 -> net_memif0 dpdkgen
#     VXLAN frames in (from VXM_GEN_IP to VXM_DUT_IP, to VXM_DUT_MAC), their inner frames out
#
# Both directions are known unicast: dpdkgen's learning frames come from behind the remote
# VTEP (encap: encapsulated on the underlay) or on m0 (decap); the decapsulated frames
# themselves teach vswitchd their source MAC behind the remote VTEP. Frame size is the
# inner frame's; on the underlay each frame is 50 bytes longer. The report compares both
# rows with the plain memif row (memif_vswitchd) of the same run and gives the combined
# figure of a frame that crosses the overlay (one encapsulating and one decapsulating
# switch, against two plain ones): 2 / (1/encap + 1/decap) / plain.

VXM_DUT_IP=198.18.20.1 VXM_DUT_MAC=02:76:73:00:14:01 # vswitchd's VTEP on the underlay
VXM_GEN_IP=198.18.20.2 VXM_GEN_MAC=02:76:73:00:14:02 # dpdkgen's (the remote VTEP)

# setup_memif_vxlan encap|decap
setup_memif_vxlan() {
	local out ul
	[ "$VS_DPDK" = 1 ] || { SETUP_NA="n/a (vswitchd built without DPDK)"; return 1; }
	[ "$HAVE_DPDKGEN" = 1 ] || { SETUP_NA="dpdkgen not built (needs libdpdk-dev)"; return 1; }
	start_vswitchd "" 1 --dpdk "$(dpdk_mem_args "${P}vs")" || return 1
	if grep -q 'built without DPDK' "$VSLOG"; then
		VS_DPDK=0
		SETUP_NA="n/a (vswitchd built without DPDK)"
		return 1
	fi
	local dir=$1 m0
	# shellcheck disable=SC2046
	set -- $(memif_vdevs server)
	m0=$1 ul="$2,mac=$VXM_DUT_MAC"
	out=$("$VSCTL" -s "$SOCK" add-br br0 2>&1) || { logf "add-br: $out"; return 1; }
	out=$("$VSCTL" -s "$SOCK" add-port br0 m0 type=dpdk "devargs=$m0" 2>&1) ||
		{ logf "add-port m0: $out"; return 1; }
	out=$("$VSCTL" -s "$SOCK" add-port br0 vx0 type=vxlan vni=100 "local_ip=$VXM_DUT_IP" \
		"remote_ip=$VXM_GEN_IP" underlay=u0 underlay_type=dpdk "underlay_devargs=$ul" 2>&1) ||
		{ logf "add-port vx0: $out"; return 1; }
	logf "vswitchd (memif VXLAN): $(vsj show | jq -c '[.bridges[0].ports[] | {name, options, remotes, mtu}]')"
	GEN_EXTRA=(--vtep "$VXM_GEN_IP,$VXM_GEN_MAC" --dut-vtep "$VXM_DUT_IP,$VXM_DUT_MAC" --vni 100)
	if [ "$dir" = decap ]; then # frames enter on the underlay
		GEN_EXTRA+=(--vxlan tx --tx-port 1 --rx-port 0)
	else
		GEN_EXTRA+=(--vxlan rx)
	fi
}
setup_memif_vxlan_encap() { setup_memif_vxlan encap; }
setup_memif_vxlan_decap() { setup_memif_vxlan decap; }

# After a generator run of a memif VXLAN row: the port counters (underlay u0 with its ARP
# figures, vx0 with its vxlan-* drops) into the log.
memif_vxlan_log() {
	logf "$1 port-stats after the run: $(vsj port-stats | jq -c '[.ports[] | {name, "rx-packets", "tx-packets", dropped, drops, device}]' 2>/dev/null)"
}

# Report lines: each memif VXLAN row against memif_vswitchd of the same run, by received
# Mpps and by the device's CPU time per frame, and the combined encap + decap figure.
memif_vxlan_targets() {
	awk -F'\t' -v t="$(feature_target vxlan)" '
		$1 == "memif" && $6 != "" { rx[$2, $4] = $6; ns[$2, $4] = $23; sz[$4] = 1 }
		END {
			for (s in sz) {
				p = rx["memif_vswitchd", s]; e = rx["memif_vxlan_encap", s]; d = rx["memif_vxlan_decap", s]
				pn = ns["memif_vswitchd", s]; en = ns["memif_vxlan_encap", s]; dn = ns["memif_vxlan_decap", s]
				if (p <= 0 || (e <= 0 && d <= 0))
					continue
				if (e > 0)
					printf "- VXLAN over memif, %s B: encap %.3f Mpps = %.2f x the plain memif vswitchd row (%.3f Mpps)%s.\n", s, e, e / p, p,
						(pn > 0 && en > 0) ? sprintf("; by device CPU time per frame %.2f (%.1f vs %.1f ns/frame)", pn / en, en, pn) : ""
				if (d > 0)
					printf "- VXLAN over memif, %s B: decap %.3f Mpps = %.2f x the plain memif vswitchd row (%.3f Mpps)%s.\n", s, d, d / p, p,
						(pn > 0 && dn > 0) ? sprintf("; by device CPU time per frame %.2f (%.1f vs %.1f ns/frame)", pn / dn, dn, pn) : ""
				if (e > 0 && d > 0) {
					c = 2 / (1 / e + 1 / d)
					printf "- Target VXLAN over memif, %s B: encap + decap >= %s x plain L2: 2 / (1/encap + 1/decap) = %.3f Mpps = %.2f x the plain memif vswitchd row, %s%s.\n",
						s, t, c, c / p, (c / p >= t) ? "met" : "missed",
						(pn > 0 && en > 0 && dn > 0) ? sprintf(" (by device CPU time per frame: %.2f, %.1f + %.1f vs 2 x %.1f ns/frame)", 2 * pn / (en + dn), en, dn, pn) : ""
				}
			}
		}' "$TSV"
}
