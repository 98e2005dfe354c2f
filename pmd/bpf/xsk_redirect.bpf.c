// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// XDP program of vswitchd's AF_XDP ports: frames arriving on a queue that has an
// AF_XDP socket bound are redirected to it; everything else goes on to the kernel.
// Loaded as "xdp.frags", so multi-buffer frames (jumbo MTU) are accepted too, and the fast
// path forwards them as well.
//
// On ports of a bridge with fastpath=xdp a first stage forwards plain known unicast
// straight to the egress AF_XDP port's device (bpf_redirect_map into a DEVMAP), see
// docs/xdp-fastpath.md. It only takes a frame when every condition below holds;
// anything else goes to the socket exactly as without it.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "xsk_fastpath.h"

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u32);
} vs_xsks SEC(".maps");

// The three maps below are shared by every port's program (vswitchd creates them once
// and hands them to each object with bpf_map__reuse_fd).
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VS_FP_FDB_ENTRIES);
	__type(key, struct vs_fp_key);
	__type(value, struct vs_fp_val);
} vs_fp_fdb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, VS_FP_MAX_PORTS);
	__type(key, __u32);
	__type(value, __u32);
} vs_fp_tx SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, VS_FP_MAX_PORTS);
	__type(key, __u32);
	__type(value, struct vs_fp_ctr);
} vs_fp_ctrs SEC(".maps");

// This port's fast-path configuration (vswitchd writes it through the mmapped .bss).
struct vs_fp_port vs_fp_cfg;

static __always_inline __u32 fold(__u32 s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return s;
}

// Sum of 'n' 16-bit big-endian words at 'p' (bounds checked by the caller).
static __always_inline __u32 sum16(const __u8 *p, int n)
{
	__u32 s = 0;

#pragma unroll
	for (int i = 0; i < n; i++)
		s += (__u32)p[2 * i] << 8 | p[2 * i + 1];
	return s;
}

// Kernel functions (kfuncs, kernel 6.4+) for reading multi-buffer frames in place. Weak:
// on a kernel without them libbpf resolves them to NULL, the verifier drops the branch
// that calls them, and the program copies with bpf_xdp_load_bytes() instead.
extern int bpf_dynptr_from_xdp(struct xdp_md *xdp, __u64 flags,
			       struct bpf_dynptr *ptr__uninit) __ksym __weak;
extern void *bpf_dynptr_slice(const struct bpf_dynptr *ptr, __u32 offset, void *buffer__opt,
			      __u32 buffer__szk) __ksym __weak;

#ifndef barrier_var
#define barrier_var(var) asm volatile("" : "+r"(var))
#endif

#define VS_FP_CHUNK 256	    // bytes copied to the stack and summed at once
#define VS_FP_MAX_CHUNKS 64 // so the L4 segment summed is at most 16 KiB
#define VS_FP_BIG 1024	    // bytes of the linear part summed in place at once
#define VS_FP_OFF_MASK 0x3fff // bounds an offset into the linear part for the verifier

// Sums 'n' (a constant multiple of 4) bytes at offset *o of the frame in place, if they
// are all in the linear part: one bpf_csum_diff() on the packet memory itself, no copy.
// Returns 1 if it did (*o and *len advanced, *s updated), 0 if not, -1 on error.
static __always_inline int sum_in_place(struct xdp_md *ctx, __u32 *o, __u32 *len, __s64 *s,
					const __u32 n)
{
	const __u8 *end = (const void *)(long)ctx->data_end;
	const __u8 *p = (const __u8 *)(long)ctx->data;
	__u64 v = *o;

	// An offset beyond the mask is left to the caller's other path (the mask below must
	// never change it: that would sum the wrong bytes).
	if (*len < n || v > VS_FP_OFF_MASK)
		return 0;
	// Masked so that the verifier knows the pointer stays far inside the packet range
	// (the barrier keeps clang from dropping it).
	barrier_var(v);
	v &= VS_FP_OFF_MASK;
	p += v;
	if (p + n > end)
		return 0;
	*s = bpf_csum_diff(NULL, 0, (__be32 *)p, n, (__wsum)*s);
	if (*s < 0)
		return -1;
	*o += n;
	*len -= n;
	return 1;
}

// The ones-complement sum of 'len' bytes at offset 'off' of the frame (linear part and
// frags alike) as the host sums them: 16-bit folded, in the byte order of the host's loads
// (byte-swap it for the network order value). bpf_csum_diff() (the kernel's
// csum_partial()) sums them; chunks of a multiple of 4 bytes chain through its seed.
// What of the segment is in the linear part (all of it in frames up to about 3.5 KiB) is
// summed in place, in chunks of 1024 and then 256 bytes: no copy, and 2 helper calls
// for 1280 of a 1500-byte frame's 1480 bytes. The frags of a multi-buffer frame are read
// in 256-byte chunks with bpf_dynptr_slice() (in place unless a chunk straddles two
// buffers), the last 0-255 bytes copied out with bpf_xdp_load_bytes() and zero-padded
// to a multiple of 4, so an odd last byte is the first of a 16-bit word padded with 0.
// Returns the folded sum, or -1 if the bytes cannot be read.
static __always_inline int sum_frame(struct xdp_md *ctx, __u32 off, __u32 len)
{
	__u8 buf[VS_FP_CHUNK];
	struct bpf_dynptr dp;
	int in_place;
	__s64 s = 0;
	__u64 rem, n;
	__u32 i;
	int k;

	if (off > VS_FP_OFF_MASK || len > VS_FP_CHUNK * VS_FP_MAX_CHUNKS)
		return -1;
	for (i = 0; i < VS_FP_CHUNK * VS_FP_MAX_CHUNKS / VS_FP_BIG; i++) {
		k = sum_in_place(ctx, &off, &len, &s, VS_FP_BIG);
		if (k < 0)
			return -1;
		if (k == 0)
			break;
	}
	for (i = 0; i < VS_FP_BIG / VS_FP_CHUNK; i++) {
		k = sum_in_place(ctx, &off, &len, &s, VS_FP_CHUNK);
		if (k < 0)
			return -1;
		if (k == 0)
			break;
	}
	// The rest of a multi-buffer frame, 256 bytes at a time: bpf_dynptr_slice() gives
	// them in place when they lie in one buffer (a frag is a page), and copies them to
	// 'buf' only where they straddle two (without the kfuncs: always copied).
	in_place = &bpf_dynptr_from_xdp != NULL && &bpf_dynptr_slice != NULL;
	if (in_place && bpf_dynptr_from_xdp(ctx, 0, &dp) < 0)
		return -1;
	for (i = 0; i < VS_FP_MAX_CHUNKS && len >= VS_FP_CHUNK; i++) {
		const __u8 *q = buf;

		if (in_place)
			q = bpf_dynptr_slice(&dp, off, buf, VS_FP_CHUNK);
		else if (bpf_xdp_load_bytes(ctx, off, buf, VS_FP_CHUNK) < 0)
			return -1;
		if (q == NULL)
			return -1;
		s = bpf_csum_diff(NULL, 0, (__be32 *)q, VS_FP_CHUNK, (__wsum)s);
		if (s < 0)
			return -1;
		off += VS_FP_CHUNK;
		len -= VS_FP_CHUNK;
	}
	if (len >= VS_FP_CHUNK)
		return -1;
	// len < VS_FP_CHUNK here: the mask changes nothing but bounds 'rem' for the verifier
	// (the barrier keeps clang from dropping it).
	rem = len;
	barrier_var(rem);
	rem &= VS_FP_CHUNK - 1;
	if (rem) {
		__builtin_memset(buf, 0, sizeof(buf));
		if (bpf_xdp_load_bytes(ctx, off, buf, rem) < 0)
			return -1;
		n = (rem + 3) & ~3u;
		barrier_var(n);
		if (n > VS_FP_CHUNK)
			return -1;
		s = bpf_csum_diff(NULL, 0, (__be32 *)buf, n, (__wsum)s);
		if (s < 0)
			return -1;
	}
	return (int)fold((__u32)s);
}

// Checks the L4 checksum of IPv4/IPv6 TCP/UDP frames. A frame whose check field holds just
// the folded pseudo-header sum is a candidate for CHECKSUM_PARTIAL (a container at its
// default offloads leaves the checksum to "the hardware", a state XDP does not carry): if
// its full checksum does not verify, the program completes it, exactly as userspace does
// (vswitch/dp/csum.c). Returns 0 if the frame may go on (unchanged or completed), -1 if it
// must go to userspace (it cannot be checked here).
static __always_inline int csum_fix(struct xdp_md *ctx, const __u8 *d, const __u8 *end,
				    __u16 proto, __u64 frame_len)
{
	__u32 pseudo, l4_len, full, off, l4_off;
	__u8 *l4, *c, l4proto;
	__u16 check, sum;
	int f;

	if (proto == bpf_htons(ETH_P_IP)) {
		const struct iphdr *ip = (const void *)d;
		__u32 ihl, tot;

		if ((const __u8 *)(ip + 1) > end || ip->version != 4)
			return 0;
		ihl = ip->ihl * 4;
		tot = bpf_ntohs(ip->tot_len);
		if (ihl < 20 || tot < ihl || (ip->frag_off & bpf_htons(0x3fff)))
			return 0;
		if (ip->protocol != IPPROTO_TCP && ip->protocol != IPPROTO_UDP)
			return 0;
		l4proto = ip->protocol;
		l4_len = tot - ihl;
		pseudo = sum16((const __u8 *)&ip->saddr, 4) + l4proto + l4_len;
		l4 = (__u8 *)d + (ihl & 0x3c);
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		const struct ipv6hdr *ip6 = (const void *)d;

		if ((const __u8 *)(ip6 + 1) > end || ip6->version != 6)
			return 0;
		if (ip6->nexthdr != IPPROTO_TCP && ip6->nexthdr != IPPROTO_UDP)
			return 0;
		l4proto = ip6->nexthdr;
		l4_len = bpf_ntohs(ip6->payload_len);
		pseudo = sum16((const __u8 *)&ip6->saddr, 16) + l4proto + l4_len;
		l4 = (__u8 *)(ip6 + 1);
	} else {
		return 0;
	}
	off = l4proto == IPPROTO_TCP ? 16 : 6;
	if (l4_len < (l4proto == IPPROTO_TCP ? 20u : 8u))
		return 0;
	c = l4 + off;
	if (c + 2 > end)
		return 0;
	check = (__u16)(c[0] << 8 | c[1]);
	if (check != fold(pseudo))
		return 0;
	// A candidate: the whole segment must be in the frame to check it. The headers are in
	// the linear part; in a multi-buffer frame (jumbo MTU) the segment goes on in frags.
	l4_off = (__u32)(l4 - (const __u8 *)(long)ctx->data);
	if (l4_len > VS_FP_CHUNK * VS_FP_MAX_CHUNKS || (__u64)l4_off + l4_len > frame_len)
		return -1;
	f = sum_frame(ctx, l4_off, l4_len);
	if (f < 0)
		return -1;
	full = (__u32)f;
	full = fold(pseudo + (__u16)__builtin_bswap16((__u16)full));
	if (full == 0xffff)
		return 0; // complete already
	sum = (__u16)~fold(full + (__u16)~check);
	if (sum == 0 && l4proto == IPPROTO_UDP)
		sum = 0xffff; // zero means "no checksum" for UDP
	if (c + 2 > end)
		return -1;
	c[0] = (__u8)(sum >> 8);
	c[1] = (__u8)sum;
	return 1;
}

static __always_inline void count(__u32 port, int tx, __u64 len, int csum)
{
	struct vs_fp_ctr *c = bpf_map_lookup_elem(&vs_fp_ctrs, &port);

	if (c == NULL)
		return;
	if (tx) {
		c->tx_packets++;
		c->tx_bytes += len;
	} else {
		c->rx_packets++;
		c->rx_bytes += len;
		c->rx_csum += csum;
	}
}

// XDP_REDIRECT if the frame was forwarded to its egress device, else XDP_ABORTED (meaning:
// not for the fast path).
static __always_inline int fastpath(struct xdp_md *ctx)
{
	const __u8 *d = (const void *)(long)ctx->data, *end = (const void *)(long)ctx->data_end;
	const struct ethhdr *eth = (const void *)d;
	struct vs_fp_key key = {.bridge = vs_fp_cfg.bridge};
	struct vs_fp_val *src, *dst;
	__u64 len = bpf_xdp_get_buff_len(ctx), now;
	__u32 idx, *ifindex;
	int act, fixed;

	if ((const __u8 *)(eth + 1) > end)
		return XDP_ABORTED;
	// Unicast destination only (broadcast/multicast floods in userspace).
	if (eth->h_dest[0] & 1)
		return XDP_ABORTED;
	__builtin_memcpy(key.mac, eth->h_dest, 6);
	dst = bpf_map_lookup_elem(&vs_fp_fdb, &key);
	if (dst == NULL || !(dst->flags & VS_FP_F_EGRESS) || dst->port == vs_fp_cfg.port ||
	    len > dst->max_len)
		return XDP_ABORTED;
	// A multi-buffer frame only to a device that takes them (else the kernel drops it).
	if (len != (__u64)(end - d) && !(dst->flags & VS_FP_F_SG))
		return XDP_ABORTED;
	// The source must already be known on this very port: learning and MAC moves stay
	// with userspace (the control thread is the only writer of the MAC table).
	__builtin_memcpy(key.mac, eth->h_source, 6);
	src = bpf_map_lookup_elem(&vs_fp_fdb, &key);
	if (src == NULL || src->port != vs_fp_cfg.port)
		return XDP_ABORTED;
	// VLAN-tagged frames and partial checksums go to userspace.
	if (eth->h_proto == bpf_htons(ETH_P_8021Q) || eth->h_proto == bpf_htons(ETH_P_8021AD))
		return XDP_ABORTED;
	// Partial checksums are completed here (or the frame goes to userspace, which does).
	fixed = csum_fix(ctx, (__u8 *)d + sizeof(*eth), end, eth->h_proto, len);
	if (fixed < 0)
		return XDP_ABORTED;
	// The devmap slot must still hold the device the entry names (a port id may be reused).
	idx = dst->port;
	ifindex = bpf_map_lookup_elem(&vs_fp_tx, &idx);
	if (ifindex == NULL || *ifindex != dst->ifindex)
		return XDP_ABORTED;
	act = bpf_redirect_map(&vs_fp_tx, idx, XDP_ABORTED);
	if (act != XDP_REDIRECT)
		return XDP_ABORTED;
	// Last-seen for MAC ageing, written at most every half second to spare the cache line.
	// The coarse clock (CLOCK_MONOTONIC_COARSE: CLOCK_MONOTONIC as of the last tick, a few
	// ms behind at most) costs no clock read per frame; ageing needs seconds.
	now = bpf_ktime_get_coarse_ns();
	if (now - src->seen_ns > 500000000ULL)
		src->seen_ns = now;
	count(vs_fp_cfg.port, 0, len, fixed);
	count(idx, 1, len, 0);
	return XDP_REDIRECT;
}

SEC("xdp.frags")
int vs_xsk_redirect(struct xdp_md *ctx)
{
	if (vs_fp_cfg.enabled && fastpath(ctx) == XDP_REDIRECT)
		return XDP_REDIRECT;
	return bpf_redirect_map(&vs_xsks, ctx->rx_queue_index, XDP_PASS);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
