// SPDX-License-Identifier: Apache-2.0
// Every packet vswitchd drops is counted under one of these named reasons,
// against the port it arrived on (rx side) or was to leave by (tx side).
// The list expands into the enum and the name table; docs/counters.md explains each.
#pragma once

#define VS_DROP_REASONS(_)                                                                         \
	_(RX_RING_FULL, "rx-ring-full")	      /* kernel: socket rx ring was full */                \
	_(RX_FILL_EMPTY, "rx-fill-empty")     /* kernel: no free buffer in the fill ring */        \
	_(RX_KERNEL, "rx-kernel")	      /* kernel: frame refused (e.g. larger than a         \
						 UMEM frame) */                                    \
	_(RX_TOO_BIG, "rx-too-big")	      /* frame larger than the port's largest frame */     \
	_(MALFORMED, "malformed")	      /* truncated Ethernet or VLAN header */              \
	_(INVALID_SRC_MAC, "invalid-src-mac") /* multicast or zero source MAC */                   \
	_(LINK_LOCAL, "link-local")	      /* 01:80:c2:00:00:0x, never bridged */               \
	_(NO_BRIDGE, "no-bridge")	      /* port not (or no longer) on a bridge */            \
	_(HAIRPIN, "hairpin")		      /* destination learned on the ingress port */        \
	_(NO_DESTINATION, "no-destination")   /* flood with no other port on the bridge */         \
	_(TX_RING_FULL, "tx-ring-full")	      /* egress tx ring or its buffers exhausted */        \
	_(OVERSIZED, "oversized")	      /* frame larger than the egress port can send */    \
	_(MACVLAN_UNKNOWN_DST, "macvlan-unknown-dst") /* parent: unicast to no child's MAC */      \
	_(MACVLAN_SPOOFED, "macvlan-spoofed-src")     /* child: source is not its MAC */           \
	_(MACVLAN_PRIVATE, "macvlan-private")	      /* child to child in private mode */         \
	_(MACVLAN_REFLECTED, "macvlan-reflected")     /* a child's own multicast came back */ \
	_(SVC_ARP_LOCAL, "service-arp-local") /* ARP reply to the switch's own MAC, consumed */ \
	_(SVC_RESET, "service-reset")	      /* RST or packet of a connection being reset */     \
	_(SVC_NO_BACKEND, "service-no-backend") /* UDP to a service without backends */         \
	_(CONNTRACK_FULL, "conntrack-full")   /* new service connection, table full */ \
	_(VXLAN_TRUNCATED, "vxlan-truncated") /* outer Ethernet/IPv4/UDP/VXLAN header cut short */ \
	_(VXLAN_NOT_VXLAN, "vxlan-not-vxlan") /* underlay frame not IPv4/UDP to the local VTEP */  \
	_(VXLAN_FRAGMENT, "vxlan-fragment")   /* outer IPv4 fragment */                            \
	_(VXLAN_BAD_OUTER, "vxlan-bad-outer") /* outer IPv4 header invalid (version, checksum) */  \
	_(VXLAN_BAD_FLAGS, "vxlan-bad-flags") /* VXLAN I flag clear or other flags set */          \
	_(VXLAN_UNKNOWN_VNI, "vxlan-unknown-vni")	/* no vxlan port for this VNI */           \
	_(VXLAN_UNKNOWN_VTEP, "vxlan-unknown-vtep")	/* sender not in the port's remote_ip */   \
	_(VXLAN_INNER_TRUNCATED, "vxlan-inner-truncated") /* inner frame shorter than Ethernet */  \
	_(VXLAN_TOO_BIG, "vxlan-too-big")	/* tx: inner frame + 50 bytes over underlay MTU */ \
	_(VXLAN_UNRESOLVED, "vxlan-unresolved") /* tx: remote VTEP's next-hop MAC not known yet */

enum vs_drop {
	VS_DROP_NONE = 0,
#define VS_DROP_ENUM_(e, s) VS_DROP_##e,
	VS_DROP_REASONS(VS_DROP_ENUM_)
#undef VS_DROP_ENUM_
	VS_DROP_MAX,
};

extern const char *const vs_drop_names[VS_DROP_MAX];
