// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// XDP program of vswitchd's AF_XDP ports: frames arriving on a queue that has an
// AF_XDP socket bound are redirected to it; everything else goes on to the kernel.
// Loaded as "xdp.frags", so multi-buffer frames (jumbo MTU) are accepted too.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u32);
} vs_xsks SEC(".maps");

SEC("xdp.frags")
int vs_xsk_redirect(struct xdp_md *ctx)
{
	return bpf_redirect_map(&vs_xsks, ctx->rx_queue_index, XDP_PASS);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
