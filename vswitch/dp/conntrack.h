// SPDX-License-Identifier: Apache-2.0
// Connection tracking of one bridge's service traffic, shared by all PMD threads.
//
// A connection is one 64-byte record in 'conns' holding both directions' tuples: [ORIG]
// as the client sends (client -> VIP) and [REPLY] as the backend sends (backend ->
// client, or -> VIP when source-NATed). The index is an array of 64-byte buckets of eight
// 64-bit words, (tag << 32) | (record + 1) << 1 | direction; a tuple may live in either of
// two buckets. Both directions of a connection are in the index, so a reply handled by
// another PMD thread than the request finds the same record.
//
// Concurrency: lock-free. PMD threads take a free record (a bump allocator while records
// were never used, then a per-PMD ring the control thread refills with recycled ones),
// fill it, set VS_CT_F_USED and publish it with a compare-and-swap of an empty index word
// (release; lookups load with acquire). After that a PMD thread only ORs flag bits and
// stores the last-seen second. The control thread alone removes: it clears the index
// words, and recycles the record after vs_rcu_synchronize(), when no PMD thread can
// still hold it. Removing never moves other words, so there are no tombstones.
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <vs/compiler.h>

#include "../../pmd/port.h"

#define VS_CT_ORIG 0
#define VS_CT_REPLY 1
#define VS_CT_BUCKET 8	// index words per bucket (one cache line)
#define VS_CT_RING 1024 // recycled records per PMD ring (power of two)
#define VS_CT_MAX_SIZE (1u << 24)

#define VS_CT_KIND_CONN 0
#define VS_CT_KIND_AFFINITY 1 // client-ip affinity: ORIG = {client, 0, vip, vport}

// Flag bits of a record.
#define VS_CT_F_USED 0x001   // record filled (set before it is published)
#define VS_CT_F_SYN 0x002    // client SYN seen
#define VS_CT_F_SYNACK 0x004 // backend SYN+ACK seen
#define VS_CT_F_EST 0x008    // client ACK after the SYN+ACK (or picked up mid-stream)
#define VS_CT_F_FIN_O 0x010  // FIN from the client
#define VS_CT_F_FIN_R 0x020  // FIN from the backend
#define VS_CT_F_RST 0x040    // RST seen or sent
#define VS_CT_F_DOOMED 0x080 // its backend was removed: answer with RST
#define VS_CT_F_SNAT 0x100   // hairpin: the client is the backend, source NATed to the VIP
#define VS_CT_F_SEEN_R 0x200 // a packet from the backend was seen

// A 5-tuple, host byte order. Built and hashed as two 64-bit words, so that the datapath
// writes it with two stores (no store-forwarding stalls when it is read back as words).
struct vs_ct_key {
	union {
		struct {
			uint32_t src, dst;
			uint16_t sport, dport;
			uint8_t proto;
			uint8_t kind;
			uint16_t pad; // always 0
		};
		uint64_t w[2];
	};
};

static inline struct vs_ct_key vs_ct_key_make(uint32_t src, uint32_t dst, uint16_t sport,
					      uint16_t dport, uint8_t proto, uint8_t kind)
{
	struct vs_ct_key k;

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	k.w[0] = (uint64_t)dst << 32 | src;
	k.w[1] = (uint64_t)kind << 40 | (uint64_t)proto << 32 | (uint64_t)dport << 16 | sport;
#else
	k.w[0] = (uint64_t)src << 32 | dst;
	k.w[1] = (uint64_t)sport << 48 | (uint64_t)dport << 32 | (uint64_t)proto << 24 |
		 (uint64_t)kind << 16;
#endif
	return k;
}

struct vs_ct_conn {
	struct vs_ct_key key[2]; // [VS_CT_ORIG], [VS_CT_REPLY]
	uint64_t client_mac;	 // destination MAC of replies
	uint64_t backend_mac;	 // destination MAC towards the backend
	uint32_t flags;		 // dp: rw (atomic or), cp: rw
	uint32_t seen;		 // last-seen second: dp: rw (relaxed), cp: ro
	uint32_t svc_id;	 // service the connection belongs to
	uint32_t timeout;	 // affinity records: idle timeout in seconds
};

struct vs_ct_ring {
	uint32_t head VS_CACHE_ALIGNED; // consumer (PMD): rw
	uint32_t tail VS_CACHE_ALIGNED; // producer (cp): rw
	uint32_t idx[VS_CT_RING];
};

struct vs_ct {
	uint32_t cap;		  // most records (conntrack-size)
	uint32_t mask;		  // buckets - 1
	uint64_t *words;	  // (mask + 1) * VS_CT_BUCKET
	struct vs_ct_conn *conns; // cap records
	uint32_t next;		  // bump allocator: records [0, next) were handed out (atomic)
	struct vs_ct_ring *rings; // [VS_MAX_PMDS]: recycled records, cp -> PMD
	// Control thread only.
	uint32_t *pending; // removed, waiting for a grace period
	uint32_t n_pending;
	uint32_t *stash; // recycled, not yet in a ring
	uint32_t n_stash;
	uint32_t live; // records in use at the last scan
};

static inline uint64_t vs_ct_mix(uint64_t x)
{
	x ^= x >> 32;
	x *= 0xd6e8feb86659fd93ULL;
	x ^= x >> 32;
	x *= 0xd6e8feb86659fd93ULL;
	x ^= x >> 32;
	return x;
}

static inline uint64_t vs_ct_hash(const struct vs_ct_key *k)
{
	return vs_ct_mix(k->w[0] ^ vs_ct_mix(k->w[1] ^ 0x9e3779b97f4a7c15ULL));
}

static inline bool vs_ct_key_eq(const struct vs_ct_key *a, const struct vs_ct_key *b)
{
	return a->w[0] == b->w[0] && a->w[1] == b->w[1];
}

// The second bucket of tuple hash 'h' (the first is h & mask).
static inline uint32_t vs_ct_bucket2(uint64_t h, uint32_t mask)
{
	uint32_t t = (uint32_t)(h >> 32);

	return ((t * 0x9e3779b1u) ^ (t >> 15)) & mask;
}

// vs_ct_lookup(), inlined into the datapath's per-packet loop.
static inline const struct vs_ct_conn *vs_ct_find(const struct vs_ct *ct, const struct vs_ct_key *k,
						  uint64_t h, unsigned *dir)
{
	uint32_t b[2] = {(uint32_t)h & ct->mask, vs_ct_bucket2(h, ct->mask)};
	uint32_t tag = (uint32_t)(h >> 32);

	for (unsigned j = 0; j < 2; j++) {
		const uint64_t *w = &ct->words[(size_t)b[j] * VS_CT_BUCKET];

		if (j == 1 && b[1] == b[0])
			break;
		for (unsigned i = 0; i < VS_CT_BUCKET; i++) {
			uint64_t e = __atomic_load_n(&w[i], __ATOMIC_ACQUIRE);
			uint32_t lo = (uint32_t)e, idx;
			const struct vs_ct_conn *c;

			if (e == 0 || (uint32_t)(e >> 32) != tag)
				continue;
			idx = (lo >> 1) - 1;
			if (idx >= ct->cap)
				continue;
			c = &ct->conns[idx];
			if (vs_ct_key_eq(&c->key[lo & 1], k)) {
				*dir = lo & 1;
				return c;
			}
		}
	}
	return NULL;
}

// Looks up tuple 'k' (hash 'h'). Returns the record, with '*dir' the direction it matched,
// or NULL. Called from: any thread.
const struct vs_ct_conn *vs_ct_lookup(const struct vs_ct *ct, const struct vs_ct_key *k, uint64_t h,
				      unsigned *dir);
// Prefetches the first bucket of tuple hash 'h'.
static inline void vs_ct_prefetch(const struct vs_ct *ct, uint64_t h)
{
	__builtin_prefetch(&ct->words[(size_t)((uint32_t)h & ct->mask) * VS_CT_BUCKET], 0, 3);
}

// Takes a free record for PMD thread 'pmd'. Returns its index or -1 (table full).
int64_t vs_ct_alloc(struct vs_ct *ct, unsigned pmd);
// Publishes record 'idx' (filled, flags set): its ORIG tuple, and its REPLY tuple unless
// it is an affinity record. Returns 0, or -1 if a bucket was full: then the record is
// left for the control thread to reclaim. Called from: PMD threads.
int vs_ct_insert(struct vs_ct *ct, uint32_t idx);
// ORs 'bits' into a record's flags. Called from: any thread.
static inline void vs_ct_set_flags(struct vs_ct_conn *c, uint32_t bits)
{
	if ((__atomic_load_n(&c->flags, __ATOMIC_RELAXED) & bits) != bits)
		__atomic_fetch_or(&c->flags, bits, __ATOMIC_RELAXED);
}

// --- control thread ---

// Creates a table of 'cap' records (1..VS_CT_MAX_SIZE). NULL + errno on failure.
struct vs_ct *vs_ct_create(uint32_t cap);
void vs_ct_destroy(struct vs_ct *ct);
// Unlinks record 'idx' from the index; it is recycled by vs_ct_reclaim().
void vs_ct_remove(struct vs_ct *ct, uint32_t idx);
// Records removed since the last vs_ct_reclaim().
static inline uint32_t vs_ct_n_pending(const struct vs_ct *ct)
{
	return ct->n_pending;
}
// Recycles removed records. Call only after vs_rcu_synchronize() following the removals.
void vs_ct_reclaim(struct vs_ct *ct, unsigned n_pmds);
// Records handed out so far: scan [0, this) for records with VS_CT_F_USED.
static inline uint32_t vs_ct_extent(const struct vs_ct *ct)
{
	uint32_t n = __atomic_load_n(&ct->next, __ATOMIC_ACQUIRE);

	return n < ct->cap ? n : ct->cap;
}

// Timeouts in seconds, by state.
struct vs_ct_timeouts {
	uint32_t tcp_syn;
	uint32_t tcp_est;
	uint32_t tcp_fin;
	uint32_t tcp_close;
	uint32_t udp;
};

// The state name of record 'c' ("syn-sent", "established", ..., "udp", "affinity") and
// its idle timeout.
const char *vs_ct_state(const struct vs_ct_conn *c, const struct vs_ct_timeouts *t,
			uint32_t *timeout);
