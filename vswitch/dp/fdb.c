// SPDX-License-Identifier: Apache-2.0
// MAC table: single writer (control thread), lock-free readers (PMD threads).
#include "fdb.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <vs/compiler.h>

static uint32_t capacity_for(uint32_t limit)
{
	uint32_t cap = 16;

	// Keep the load factor at or below 50% so probe sequences stay short.
	while (cap < 2 * (uint64_t)limit)
		cap <<= 1;
	return cap;
}

static struct vs_fdb_table *table_alloc(uint32_t cap)
{
	struct vs_fdb_table *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->mask = cap - 1;
	// cap >= 16 slots of 16 bytes: a multiple of the alignment, as aligned_alloc() wants.
	t->slots = aligned_alloc(VS_CACHE_LINE, cap * sizeof(*t->slots));
	t->flags = calloc(cap, sizeof(*t->flags));
	if (t->slots != NULL)
		memset(t->slots, 0, cap * sizeof(*t->slots));
	if (t->slots == NULL || t->flags == NULL) {
		vs_fdb_table_free(t);
		errno = ENOMEM;
		return NULL;
	}
	return t;
}

void vs_fdb_table_free(struct vs_fdb_table *t)
{
	if (t == NULL)
		return;
	free(t->slots);
	free(t->flags);
	free(t);
}

struct vs_fdb *vs_fdb_create(uint32_t limit)
{
	struct vs_fdb *fdb = calloc(1, sizeof(*fdb));

	if (fdb == NULL)
		return NULL;
	fdb->tab = table_alloc(capacity_for(limit));
	if (fdb->tab == NULL) {
		free(fdb);
		return NULL;
	}
	fdb->limit = limit;
	return fdb;
}

void vs_fdb_destroy(struct vs_fdb *fdb)
{
	if (fdb == NULL)
		return;
	vs_fdb_table_free(fdb->tab);
	free(fdb);
}

struct vs_fdb_hit vs_fdb_slot_probe(struct vs_fdb_slot *slots, uint32_t mask, uint64_t mac,
				    uint32_t i)
{
	// The caller probed the slot before 'i': at most mask more.
	for (uint32_t n = 0; n < mask; n++, i = (i + 1) & mask) {
		uint64_t v = __atomic_load_n(&slots[i].e, __ATOMIC_ACQUIRE);

		if (v == VS_FDB_EMPTY)
			break;
		if ((v >> 16) == mac)
			return (struct vs_fdb_hit){.e = v, .slot = &slots[i]};
	}
	return (struct vs_fdb_hit){.e = VS_FDB_EMPTY, .slot = NULL};
}

static void slot_store(struct vs_fdb_table *t, uint32_t i, uint64_t v)
{
	__atomic_store_n(&t->slots[i].e, v, __ATOMIC_RELEASE);
}

// Finds 'mac' (returns its slot) or, if absent, returns -1 and sets '*free_slot' to the
// first reusable slot on its probe sequence.
static int32_t find(const struct vs_fdb_table *t, uint64_t mac, int32_t *free_slot)
{
	uint32_t i = vs_fdb_hash(mac) & t->mask;

	*free_slot = -1;
	for (uint32_t n = 0; n <= t->mask; n++, i = (i + 1) & t->mask) {
		uint64_t e = t->slots[i].e;

		if (e == VS_FDB_EMPTY) {
			if (*free_slot < 0)
				*free_slot = (int32_t)i;
			return -1;
		}
		if (e == VS_FDB_TOMB) {
			if (*free_slot < 0)
				*free_slot = (int32_t)i;
			continue;
		}
		if ((e >> 16) == mac)
			return (int32_t)i;
	}
	return -1;
}

static int insert(struct vs_fdb *fdb, uint64_t mac, uint16_t port, uint8_t flags, uint32_t vtep,
		  uint32_t now)
{
	struct vs_fdb_table *t = fdb->tab;
	int32_t free_slot, i = find(t, mac, &free_slot);

	if (i >= 0) {
		fdb->gen++;
		__atomic_store_n(&t->slots[i].seen, now, __ATOMIC_RELAXED);
		__atomic_store_n(&t->slots[i].vtep, vtep, __ATOMIC_RELAXED);
		t->flags[i] = flags;
		slot_store(t, (uint32_t)i, mac << 16 | port);
		return 1;
	}
	if (fdb->count >= fdb->limit || free_slot < 0)
		return -ENOSPC;
	fdb->gen++;
	if (t->slots[free_slot].e == VS_FDB_TOMB)
		fdb->tombs--;
	__atomic_store_n(&t->slots[free_slot].seen, now, __ATOMIC_RELAXED);
	__atomic_store_n(&t->slots[free_slot].vtep, vtep, __ATOMIC_RELAXED);
	t->flags[free_slot] = flags;
	slot_store(t, (uint32_t)free_slot, mac << 16 | port);
	__atomic_store_n(&fdb->count, fdb->count + 1, __ATOMIC_RELAXED);
	return 1;
}

int vs_fdb_learn(struct vs_fdb *fdb, uint64_t mac, uint16_t port, uint32_t now)
{
	return vs_fdb_learn_vtep(fdb, mac, port, 0, now);
}

int vs_fdb_learn_vtep(struct vs_fdb *fdb, uint64_t mac, uint16_t port, uint32_t vtep, uint32_t now)
{
	struct vs_fdb_table *t = fdb->tab;
	int32_t free_slot, i = find(t, mac, &free_slot);

	if (i >= 0) {
		if (t->flags[i] & VS_FDB_F_STATIC)
			return -EPERM;
		if ((uint16_t)t->slots[i].e == port && t->slots[i].vtep == vtep) {
			__atomic_store_n(&t->slots[i].seen, now, __ATOMIC_RELAXED);
			return 0;
		}
	}
	return insert(fdb, mac, port, 0, vtep, now);
}

int vs_fdb_add_static(struct vs_fdb *fdb, uint64_t mac, uint16_t port)
{
	int ret = insert(fdb, mac, port, VS_FDB_F_STATIC, 0, 0);

	return ret < 0 ? ret : 0;
}

static void remove_slot(struct vs_fdb *fdb, uint32_t i)
{
	slot_store(fdb->tab, i, VS_FDB_TOMB);
	fdb->tab->flags[i] = 0;
	fdb->gen++;
	fdb->tombs++;
	__atomic_store_n(&fdb->count, fdb->count - 1, __ATOMIC_RELAXED);
}

int vs_fdb_del(struct vs_fdb *fdb, uint64_t mac)
{
	int32_t free_slot, i = find(fdb->tab, mac, &free_slot);

	if (i < 0)
		return -ENOENT;
	remove_slot(fdb, (uint32_t)i);
	return 0;
}

static bool live(uint64_t e)
{
	return e != VS_FDB_EMPTY && e != VS_FDB_TOMB;
}

uint32_t vs_fdb_flush(struct vs_fdb *fdb, uint32_t port, bool statics)
{
	struct vs_fdb_table *t = fdb->tab;
	uint32_t removed = 0;

	for (uint32_t i = 0; i <= t->mask; i++) {
		uint64_t e = t->slots[i].e;

		if (!live(e))
			continue;
		if (port != VS_FDB_PORT_ANY && (uint16_t)e != port)
			continue;
		if (!statics && (t->flags[i] & VS_FDB_F_STATIC))
			continue;
		remove_slot(fdb, i);
		removed++;
	}
	return removed;
}

uint32_t vs_fdb_flush_vteps(struct vs_fdb *fdb, uint16_t port, const uint32_t *keep,
			    uint32_t n_keep)
{
	struct vs_fdb_table *t = fdb->tab;
	uint32_t removed = 0;

	for (uint32_t i = 0; i <= t->mask; i++) {
		uint64_t e = t->slots[i].e;
		uint32_t k;

		if (!live(e) || (uint16_t)e != port || t->slots[i].vtep == 0 ||
		    (t->flags[i] & VS_FDB_F_STATIC))
			continue;
		for (k = 0; k < n_keep && keep[k] != t->slots[i].vtep; k++)
			;
		if (k < n_keep)
			continue;
		remove_slot(fdb, i);
		removed++;
	}
	return removed;
}

uint32_t vs_fdb_age(struct vs_fdb *fdb, uint32_t now, uint32_t aging)
{
	struct vs_fdb_table *t = fdb->tab;
	uint32_t removed = 0;

	for (uint32_t i = 0; i <= t->mask; i++) {
		uint32_t seen;

		if (!live(t->slots[i].e) || (t->flags[i] & VS_FDB_F_STATIC))
			continue;
		seen = __atomic_load_n(&t->slots[i].seen, __ATOMIC_RELAXED);
		// 'seen' may be a little ahead of 'now' when a PMD thread read the clock later.
		if (now > seen && now - seen > aging) {
			remove_slot(fdb, i);
			removed++;
		}
	}
	return removed;
}

bool vs_fdb_needs_rebuild(const struct vs_fdb *fdb)
{
	// Tombstones lengthen probe sequences of lookups that miss.
	return fdb->tombs > (fdb->tab->mask + 1) / 4;
}

struct vs_fdb_table *vs_fdb_rebuild(struct vs_fdb *fdb, uint32_t limit)
{
	struct vs_fdb_table *old = fdb->tab, *t;

	if (limit < fdb->count) {
		errno = ENOSPC;
		return NULL;
	}
	t = table_alloc(capacity_for(limit));
	if (t == NULL)
		return NULL;
	for (uint32_t i = 0; i <= old->mask; i++) {
		uint64_t e = old->slots[i].e;
		int32_t free_slot;

		if (!live(e))
			continue;
		find(t, e >> 16, &free_slot);
		t->slots[free_slot].e = e;
		t->slots[free_slot].seen = __atomic_load_n(&old->slots[i].seen, __ATOMIC_RELAXED);
		t->flags[free_slot] = old->flags[i];
		t->slots[free_slot].vtep = old->slots[i].vtep;
	}
	fdb->limit = limit;
	fdb->tombs = 0;
	__atomic_store_n(&fdb->tab, t, __ATOMIC_RELEASE);
	return old;
}

uint32_t vs_fdb_dump(const struct vs_fdb *fdb, struct vs_fdb_entry *out, uint32_t max)
{
	const struct vs_fdb_table *t = fdb->tab;
	uint32_t n = 0;

	for (uint32_t i = 0; i <= t->mask; i++) {
		uint64_t e = t->slots[i].e;

		if (!live(e))
			continue;
		if (n < max) {
			out[n].mac = e >> 16;
			out[n].port = (uint16_t)e;
			out[n].is_static = t->flags[i] & VS_FDB_F_STATIC;
			out[n].seen = __atomic_load_n(&t->slots[i].seen, __ATOMIC_RELAXED);
			out[n].vtep = t->slots[i].vtep;
		}
		n++;
	}
	return n;
}
