// SPDX-License-Identifier: Apache-2.0
#include "conntrack.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static inline uint32_t bucket2(uint64_t h, uint32_t mask)
{
	return vs_ct_bucket2(h, mask);
}

static inline uint64_t word_of(uint64_t h, uint32_t idx, unsigned dir)
{
	return (h & 0xffffffff00000000ULL) | (uint64_t)(((idx + 1) << 1) | dir);
}

const struct vs_ct_conn *vs_ct_lookup(const struct vs_ct *ct, const struct vs_ct_key *k, uint64_t h,
				      unsigned *dir)
{
	return vs_ct_find(ct, k, h, dir);
}

int64_t vs_ct_alloc(struct vs_ct *ct, unsigned pmd)
{
	struct vs_ct_ring *r = &ct->rings[pmd];
	uint32_t head = r->head, tail = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE), n;

	if (head != tail) {
		uint32_t idx = r->idx[head & (VS_CT_RING - 1)];

		__atomic_store_n(&r->head, head + 1, __ATOMIC_RELEASE);
		return idx;
	}
	n = __atomic_load_n(&ct->next, __ATOMIC_RELAXED);
	while (n < ct->cap)
		if (__atomic_compare_exchange_n(&ct->next, &n, n + 1, false, __ATOMIC_ACQ_REL,
						__ATOMIC_RELAXED))
			return n;
	return -1;
}

static unsigned empties(const uint64_t *w)
{
	unsigned n = 0;

	for (unsigned i = 0; i < VS_CT_BUCKET; i++)
		n += __atomic_load_n(&w[i], __ATOMIC_RELAXED) == 0;
	return n;
}

// Stores 'word' for tuple hash 'h' in an empty slot of the emptier of its two buckets
// (two choices keep the fullest bucket far below eight words), else of the other one.
static uint64_t *put(struct vs_ct *ct, uint64_t h, uint64_t word)
{
	uint64_t *w[2] = {&ct->words[(size_t)((uint32_t)h & ct->mask) * VS_CT_BUCKET],
			  &ct->words[(size_t)bucket2(h, ct->mask) * VS_CT_BUCKET]};

	if (empties(w[1]) > empties(w[0])) {
		uint64_t *t = w[0];

		w[0] = w[1];
		w[1] = t;
	}
	for (unsigned j = 0; j < 2; j++) {
		for (unsigned i = 0; i < VS_CT_BUCKET; i++) {
			uint64_t zero = 0;

			if (__atomic_load_n(&w[j][i], __ATOMIC_RELAXED) == 0 &&
			    __atomic_compare_exchange_n(&w[j][i], &zero, word, false,
							__ATOMIC_RELEASE, __ATOMIC_RELAXED))
				return &w[j][i];
		}
	}
	return NULL;
}

int vs_ct_insert(struct vs_ct *ct, uint32_t idx)
{
	struct vs_ct_conn *c = &ct->conns[idx];
	uint64_t h0 = vs_ct_hash(&c->key[0]), h1;
	uint64_t *w0 = put(ct, h0, word_of(h0, idx, VS_CT_ORIG));

	if (w0 == NULL)
		goto fail;
	if (c->key[0].kind == VS_CT_KIND_AFFINITY)
		return 0;
	h1 = vs_ct_hash(&c->key[1]);
	if (put(ct, h1, word_of(h1, idx, VS_CT_REPLY)) != NULL)
		return 0;
	__atomic_store_n(w0, 0, __ATOMIC_RELEASE);
fail:
	// Not reachable by lookups: let the control thread reclaim it soon.
	vs_ct_set_flags(c, VS_CT_F_RST);
	return -1;
}

static void *map(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

struct vs_ct *vs_ct_create(uint32_t cap)
{
	struct vs_ct *ct;
	uint32_t nb = 4;

	if (cap == 0 || cap > VS_CT_MAX_SIZE) {
		errno = EINVAL;
		return NULL;
	}
	// Two words per connection, at most half of the slots used.
	while (nb < cap / 2)
		nb <<= 1;
	ct = calloc(1, sizeof(*ct));
	if (ct == NULL)
		return NULL;
	ct->cap = cap;
	ct->mask = nb - 1;
	ct->words = map((size_t)nb * VS_CT_BUCKET * sizeof(uint64_t));
	ct->conns = map((size_t)cap * sizeof(struct vs_ct_conn));
	ct->rings = map((size_t)VS_MAX_PMDS * sizeof(struct vs_ct_ring));
	ct->pending = malloc((size_t)cap * sizeof(uint32_t));
	ct->stash = malloc((size_t)cap * sizeof(uint32_t));
	if (ct->words == NULL || ct->conns == NULL || ct->rings == NULL || ct->pending == NULL ||
	    ct->stash == NULL) {
		vs_ct_destroy(ct);
		errno = ENOMEM;
		return NULL;
	}
	return ct;
}

void vs_ct_destroy(struct vs_ct *ct)
{
	if (ct == NULL)
		return;
	if (ct->words)
		munmap(ct->words, (size_t)(ct->mask + 1) * VS_CT_BUCKET * sizeof(uint64_t));
	if (ct->conns)
		munmap(ct->conns, (size_t)ct->cap * sizeof(struct vs_ct_conn));
	if (ct->rings)
		munmap(ct->rings, (size_t)VS_MAX_PMDS * sizeof(struct vs_ct_ring));
	free(ct->pending);
	free(ct->stash);
	free(ct);
}

static void unlink_word(struct vs_ct *ct, const struct vs_ct_key *k, uint32_t idx, unsigned dir)
{
	uint64_t h = vs_ct_hash(k), word = word_of(h, idx, dir);
	uint32_t b[2] = {(uint32_t)h & ct->mask, bucket2(h, ct->mask)};

	for (unsigned j = 0; j < 2; j++) {
		uint64_t *w = &ct->words[(size_t)b[j] * VS_CT_BUCKET];

		for (unsigned i = 0; i < VS_CT_BUCKET; i++) {
			uint64_t expect = word;

			if (__atomic_compare_exchange_n(&w[i], &expect, 0, false, __ATOMIC_RELEASE,
							__ATOMIC_RELAXED))
				return;
		}
	}
}

void vs_ct_remove(struct vs_ct *ct, uint32_t idx)
{
	struct vs_ct_conn *c = &ct->conns[idx];

	if (!(__atomic_load_n(&c->flags, __ATOMIC_ACQUIRE) & VS_CT_F_USED))
		return;
	unlink_word(ct, &c->key[0], idx, VS_CT_ORIG);
	if (c->key[0].kind != VS_CT_KIND_AFFINITY)
		unlink_word(ct, &c->key[1], idx, VS_CT_REPLY);
	__atomic_store_n(&c->flags, 0, __ATOMIC_RELEASE);
	ct->pending[ct->n_pending++] = idx;
}

void vs_ct_reclaim(struct vs_ct *ct, unsigned n_pmds)
{
	bool room = true;

	memcpy(&ct->stash[ct->n_stash], ct->pending, (size_t)ct->n_pending * sizeof(uint32_t));
	ct->n_stash += ct->n_pending;
	ct->n_pending = 0;
	if (n_pmds == 0)
		n_pmds = 1;
	// Deal the recycled records out to the PMD threads' rings, one each in turn.
	while (ct->n_stash > 0 && room) {
		room = false;
		for (unsigned p = 0; p < n_pmds && ct->n_stash > 0; p++) {
			struct vs_ct_ring *r = &ct->rings[p];
			uint32_t tail = r->tail, head = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);

			if (tail - head >= VS_CT_RING)
				continue;
			r->idx[tail & (VS_CT_RING - 1)] = ct->stash[--ct->n_stash];
			__atomic_store_n(&r->tail, tail + 1, __ATOMIC_RELEASE);
			room = true;
		}
	}
}

const char *vs_ct_state(const struct vs_ct_conn *c, const struct vs_ct_timeouts *t,
			uint32_t *timeout)
{
	uint32_t f = __atomic_load_n(&c->flags, __ATOMIC_RELAXED);

	if (c->key[0].kind == VS_CT_KIND_AFFINITY)
		return *timeout = c->timeout, "affinity";
	if (c->key[0].proto != 6)
		return *timeout = t->udp, "udp";
	if (f & VS_CT_F_RST)
		return *timeout = t->tcp_close, "close";
	if ((f & VS_CT_F_FIN_O) && (f & VS_CT_F_FIN_R))
		return *timeout = t->tcp_close, "time-wait";
	if (f & (VS_CT_F_FIN_O | VS_CT_F_FIN_R))
		return *timeout = t->tcp_fin, "fin-wait";
	if (f & VS_CT_F_EST)
		return *timeout = t->tcp_est, "established";
	if (f & VS_CT_F_SYNACK)
		return *timeout = t->tcp_syn, "syn-recv";
	return *timeout = t->tcp_syn, "syn-sent";
}
