// SPDX-License-Identifier: Apache-2.0
// VXLAN decapsulation, the common case in few instructions (private to vxlan.c and
// vxlan_decap.c).
//
// Almost every frame on an underlay is a VXLAN frame whose outer headers have exactly the
// shape this VTEP sends: IPv4 without options, not a fragment, UDP to local_ip:dst_port,
// the I flag, and nothing but the VXLAN packet in the frame (IPv4 total length len - 14,
// UDP length len - 34). vs_vxlan_rx_shape() checks all of that with one range test of the
// frame's length, two masked 16-byte compares of bytes 12..43 whose wanted bytes carry the
// two lengths (SSE2; four 64-bit ones elsewhere; struct vs_vxlan_rx, set up once per burst)
// and the IPv4 checksum (add, adc, adc over bytes 14..33); vs_vxlan_rx_fast() then maps
// (VNI, sending VTEP) to a vxlan port through a one-entry cache (the VNIs and VTEPs of a
// burst rarely change). Any other frame, valid or not (Ethernet padding, IPv4 options, a
// UDP datagram shorter than the IPv4 payload, and every invalid one), goes through
// vs_vxlan_decap_slow() (vxlan_decap.c), which checks everything in order and names the
// reason of a drop: the fast path never decides a drop on its own but for an unknown VNI or
// VTEP, which it looks up exactly as the slow path does. The fuzz target
// (tests/fuzz/vxlan_decap_fuzz.c) checks that both agree on every input and that the fast
// path takes every frame of the common shape; tests/unit/vxlan_test.c
// (test_decap_fast_split) that each comparison it fails leaves the frame to the slow path.
#pragma once

#include <string.h>
#include <vs/compiler.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <vs/drops.h>

#include "vxlan.h"

#define VS_VXLAN_RX_SLOW 0xff // vs_vxlan_rx_fast(): not the common shape, take the slow path

// The longest frame the fast path takes: its IPv4 total length, len - 14, fits 16 bits.
#define VS_VXLAN_RX_MAX_LEN (65535 + 14)

struct vs_vxlan_rx {
	// Bytes 12..43 of a frame (4 words, memory order) that the fast path accepts:
	// (word ^ want ^ lengths) & mask == 0. Ethertype, version/IHL, IPv4 total length,
	// fragment bits, protocol, destination address, UDP destination port, UDP length,
	// VXLAN flags. The two lengths depend on the frame's (vs_vxlan_rx_lens()); want
	// holds zeros there.
	uint64_t want[4], mask[4];
	const struct vs_vxlan_conf *vc;
	const struct vs_vxlan_underlay *ul;
	// The last (VNI, VTEP) that decapsulated, both raw from the frame (the VNI's 3 bytes
	// only: vs_vxlan_rx_vni()), and what a frame of it gets: the vxlan port's id and the
	// VTEP in host order.
	uint32_t vni, src; // vni UINT32_MAX: none yet (a raw VNI never is)
	uint32_t vtep;
	uint16_t port_id;
};

static inline uint64_t vs_vxlan_ld64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint32_t vs_vxlan_ld32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

// A big-endian 16-bit field.
static inline uint32_t vs_vxlan_be16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap16(v);
#endif
	return v;
}

static inline uint32_t vs_vxlan_be32(const uint8_t *p)
{
	uint32_t v = vs_vxlan_ld32(p);

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap32(v);
#endif
	return v;
}

// A 16-bit value as it lies in memory in big-endian order.
static inline uint16_t be16_mem(uint32_t v)
{
	uint16_t x = (uint16_t)v;

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	x = __builtin_bswap16(x);
#endif
	return x;
}

// The word (memory order) whose bytes 'k' and k + 1 hold 'v' big-endian, the others zero.
static inline uint64_t vs_vxlan_be16_at(uint32_t v, unsigned k)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return (uint64_t)__builtin_bswap16((uint16_t)v) << (8 * k);
#else
	return (uint64_t)(uint16_t)v << (8 * (6 - k));
#endif
}

// The VNI of a VXLAN frame as it lies in memory (bytes 46..48; byte 49, reserved, masked).
static inline uint32_t vs_vxlan_rx_vni(const uint8_t *d)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return vs_vxlan_ld32(d + 46) & 0x00ffffffu;
#else
	return vs_vxlan_ld32(d + 46) & 0xffffff00u;
#endif
}

// Decapsulation of an underlay's frames without the fast path's cache: every frame
// checked in order, drops named. Same contract as vs_vxlan_decap_one().
uint8_t vs_vxlan_decap_slow(const struct vs_vxlan_conf *vc, const struct vs_vxlan_underlay *ul,
			    struct vs_pkt *pkt);

static inline void vs_vxlan_rx_init(struct vs_vxlan_rx *rx, const struct vs_vxlan_conf *vc,
				    const struct vs_vxlan_underlay *ul)
{
	// Frame bytes 12..43 (index 0 is byte 12), what the compiler folds into constants.
	static const uint8_t w[32] = {
		[0] = 0x08,		// ethertype IPv4 (0x0800)
		[2] = 0x45,		// version 4, no options
		[11] = 17,		// UDP
		[30] = VS_VXLAN_FLAG_I, // VXLAN flags: the I flag only
	};
	static const uint8_t m[32] = {
		[0] = 0xff,  [1] = 0xff,  [2] = 0xff,		    // ethertype, version/IHL
		[4] = 0xff,  [5] = 0xff,			    // total length: the frame's
		[8] = 0x3f,  [9] = 0xff,			    // no fragment: MF, offset zero
		[11] = 0xff,					    // protocol
		[18] = 0xff, [19] = 0xff, [20] = 0xff, [21] = 0xff, // destination: local_ip
		[24] = 0xff, [25] = 0xff,			    // UDP destination port
		[26] = 0xff, [27] = 0xff,			    // UDP length: the frame's
		[30] = 0xff,					    // VXLAN flags
	};

	for (int i = 0; i < 4; i++) {
		rx->want[i] = vs_vxlan_ld64(w + 8 * i);
		rx->mask[i] = vs_vxlan_ld64(m + 8 * i);
	}
	rx->want[2] |= vs_vxlan_be16_at(ul->local_ip >> 16, 2) | // bytes 30..33 (word 2: 2..5)
		       vs_vxlan_be16_at(ul->local_ip & 0xffff, 4);
	rx->want[3] |= vs_vxlan_be16_at(ul->dst_port, 0); // bytes 36..37 (word 3: 0..1)
	rx->vc = vc;
	rx->ul = ul;
	rx->vni = UINT32_MAX; // no VNI: the first frame looks up
	rx->src = 0;
	rx->vtep = 0;
	rx->port_id = VS_PORT_NONE;
}

// Looks up VNI 'vni' of the underlay and checks VTEP 'src' (host order) against its vxlan
// port's remotes. Returns VS_DROP_NONE with '*vp' set, or the reason.
static inline uint8_t vs_vxlan_rx_lookup(const struct vs_vxlan_conf *vc,
					 const struct vs_vxlan_underlay *ul, uint32_t vni,
					 uint32_t src, const struct vs_vxlan_vni **vp)
{
	const struct vs_vxlan_vni *v = &vc->vni[ul->first_vni], *end = v + ul->n_vni;

	while (v < end && v->vni != vni)
		v++;
	if (v == end)
		return VS_DROP_VXLAN_UNKNOWN_VNI;
	if (vs_vxlan_remote_find(vs_vxlan_tx_get(v->port->priv), src) < 0)
		return VS_DROP_VXLAN_UNKNOWN_VTEP;
	*vp = v;
	return VS_DROP_NONE;
}

// Has the 'len'-byte frame at 'd' the common shape (see above)? Exactly: Ethernet type
// IPv4, IPv4 without options with a correct header checksum, not a fragment, UDP to
// local_ip:dst_port, the I flag alone, and the lengths of a frame that is all VXLAN
// packet (IPv4 total length len - 14, UDP length len - 34, 64 <= len <= 65549: at least an
// inner Ethernet header). Anything else (Ethernet padding or trailers, options, a UDP
// datagram shorter than the IPv4 payload...), valid or not, is the slow path's to judge.
// Reads nothing beyond 'len'.
static inline bool vs_vxlan_rx_shape(const struct vs_vxlan_rx *rx, const uint8_t *d, uint32_t len)
{
	uint64_t sum;
	bool bad;

	if (VS_UNLIKELY(len - 64 > VS_VXLAN_RX_MAX_LEN - 64))
		return false;
		// The lengths the frame's own length gives, compared with the other fields: IPv4
		// total length in bytes 16-17 (word 0, bytes 4-5), UDP length in bytes 38-39 (word
		// 3, 2-3).
#ifdef __SSE2__
	{
		// Bytes 12..27 and 28..43: (bytes & mask) == want, byte by byte; the lengths are
		// 16-bit lanes 2 and 5 of the wanted bytes.
		const __m128i *w = (const __m128i *)(const void *)rx->want;
		const __m128i *m = (const __m128i *)(const void *)rx->mask;
		__m128i v0 = _mm_loadu_si128((const __m128i *)(const void *)(d + 12));
		__m128i v1 = _mm_loadu_si128((const __m128i *)(const void *)(d + 28));
		__m128i w0 = _mm_insert_epi16(_mm_loadu_si128(w), (int)be16_mem(len - 14), 2);
		__m128i w1 = _mm_insert_epi16(_mm_loadu_si128(w + 1), (int)be16_mem(len - 34), 5);
		__m128i eq0 = _mm_cmpeq_epi8(_mm_and_si128(v0, _mm_loadu_si128(m)), w0);
		__m128i eq1 = _mm_cmpeq_epi8(_mm_and_si128(v1, _mm_loadu_si128(m + 1)), w1);

		bad = _mm_movemask_epi8(_mm_and_si128(eq0, eq1)) != 0xffff;
	}
#else
	bad = (((vs_vxlan_ld64(d + 12) ^ rx->want[0] ^ vs_vxlan_be16_at(len - 14, 4)) &
		rx->mask[0]) |
	       ((vs_vxlan_ld64(d + 20) ^ rx->want[1]) & rx->mask[1]) |
	       ((vs_vxlan_ld64(d + 28) ^ rx->want[2]) & rx->mask[2]) |
	       ((vs_vxlan_ld64(d + 36) ^ rx->want[3] ^ vs_vxlan_be16_at(len - 34, 2)) &
		rx->mask[3])) != 0;
#endif
	// IPv4 header checksum: the 20 bytes 14..33 summed as two 64-bit words and a 32-bit one
	// with the carries added back (a sum modulo 2^64 - 1, which 0xffff divides, and 2^16 = 1
	// modulo 0xffff: each 16-bit field counts with its value). The one's complement sum of the
	// header is 0xffff exactly when that sum is a multiple of 0xffff (never 0: the bytes
	// above passed, so byte 14 is 0x45). A multiple of the odd 0xffff, without a division: n
	// is one exactly when n x (the inverse of 0xffff modulo 2^64), modulo 2^64, is at most
	// (2^64 - 1) / 0xffff (multiplying by the inverse maps the multiples k x 0xffff onto k,
	// and every other n above that bound).
#ifdef __x86_64__
	// add, adc, adc: the compiler makes no better of it, and _addcarry_u64() goes through
	// memory.
	{
		uint64_t c = vs_vxlan_ld32(d + 30);

		sum = vs_vxlan_ld64(d + 14);
		__asm__("add %1, %0\n\tadc %2, %0\n\tadc $0, %0"
			: "+r"(sum)
			: "m"(*(const uint64_t *)(const void *)(d + 22)), "r"(c)
			: "cc");
	}
#else
	uint64_t t;

	sum = vs_vxlan_ld64(d + 14);
	t = vs_vxlan_ld64(d + 22);
	sum += t;
	sum += sum < t;
	t = vs_vxlan_ld32(d + 30);
	sum += t;
	sum += sum < t;
#endif
	return !bad && sum * 0xfffefffefffeffffULL <= 0x1000100010001ULL;
}

// The cache missed: looks up the frame's (VNI, VTEP) as the slow path does and, on success,
// makes it the cached one. Returns VS_DROP_NONE or the reason (cache unchanged).
static inline uint8_t vs_vxlan_rx_miss(struct vs_vxlan_rx *rx, const uint8_t *d)
{
	const struct vs_vxlan_vni *v;
	uint32_t vtep = vs_vxlan_be32(d + 26);
	uint8_t drop = vs_vxlan_rx_lookup(rx->vc, rx->ul, vs_vxlan_be32(d + 46) >> 8, vtep, &v);

	if (drop != VS_DROP_NONE)
		return drop;
	rx->vni = vs_vxlan_rx_vni(d);
	rx->src = vs_vxlan_ld32(d + 26);
	rx->vtep = vtep;
	rx->port_id = v->port_id;
	return VS_DROP_NONE;
}

// Decapsulates 'pkt' if it has the common shape (see above). Returns VS_DROP_NONE (pkt is
// now the inner frame, as vs_vxlan_decap_one() leaves it), VS_DROP_VXLAN_UNKNOWN_VNI or
// _UNKNOWN_VTEP, or VS_VXLAN_RX_SLOW (pkt untouched). Reads nothing beyond pkt->len.
static inline uint8_t vs_vxlan_rx_fast(struct vs_vxlan_rx *rx, struct vs_pkt *pkt)
{
	const uint8_t *d = pkt->data;
	uint32_t len = pkt->len;

	if (VS_UNLIKELY(!vs_vxlan_rx_shape(rx, d, len)))
		return VS_VXLAN_RX_SLOW;
	if (VS_UNLIKELY(vs_vxlan_rx_vni(d) != rx->vni || vs_vxlan_ld32(d + 26) != rx->src)) {
		uint8_t drop = vs_vxlan_rx_miss(rx, d);

		if (drop != VS_DROP_NONE)
			return drop;
	}
	pkt->data += VS_VXLAN_HLEN;
	pkt->len = len - VS_VXLAN_HLEN;
	pkt->in_port = rx->port_id;
	pkt->vtep = rx->vtep;
	return VS_DROP_NONE;
}
