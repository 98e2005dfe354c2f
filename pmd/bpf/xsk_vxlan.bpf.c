// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// XDP program of AF_XDP ports opened with xdp-filter=vxlan (VXLAN underlays): only
// IPv4/UDP frames to the local VTEP (vs_vtep: address and UDP port) are redirected to
// the queue's AF_XDP socket; everything else (ARP, the host's own traffic, other UDP)
// goes on to the kernel. Later IPv4 fragments carry no UDP header and are left to the
// kernel; first fragments to the VTEP port come to vswitchd, which counts and drops them.
// Loaded as "xdp.frags", like xsk_redirect.bpf.c.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct vs_vtep {
	__u32 ip;   // network order
	__u16 port; // network order
	__u16 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vs_vtep);
} vs_vtep SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u32);
} vs_xsks SEC(".maps");

SEC("xdp.frags")
int vs_xsk_vxlan(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct vs_vtep *vtep;
	struct udphdr *udp;
	struct iphdr *ip;
	__u32 key = 0;

	if ((void *)(eth + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end || ip->ihl < 5 || ip->protocol != IPPROTO_UDP)
		return XDP_PASS;
	if (ip->frag_off & bpf_htons(0x1fff)) // not the first fragment: no UDP header
		return XDP_PASS;
	udp = (void *)ip + ip->ihl * 4;
	if ((void *)(udp + 1) > end)
		return XDP_PASS;
	vtep = bpf_map_lookup_elem(&vs_vtep, &key);
	if (vtep == NULL || ip->daddr != vtep->ip || udp->dest != vtep->port)
		return XDP_PASS;
	return bpf_redirect_map(&vs_xsks, ctx->rx_queue_index, XDP_PASS);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
