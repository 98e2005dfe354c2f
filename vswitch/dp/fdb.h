// SPDX-License-Identifier: Apache-2.0
// The MAC table (FDB) of one bridge.
//
// Concurrency: the control thread is the only writer; PMD threads read it
// without locks. Each entry is one 64-bit word, (mac << 16) | port id, stored
// and loaded atomically, so a reader sees either the old or the new entry,
// never a torn one. Deleted entries become tombstones; when they pile up the
// writer rebuilds the table into a new allocation and swaps the pointer, and
// the old table is freed only after every PMD thread went through a quiescent
// state (vswitch/dp/rcu.h). PMD threads refresh an entry's last-seen time
// (coarse seconds) next to it; the writer reads it to age entries.
//
// Entries learned on a vxlan port also name the remote VTEP (IPv4) the MAC sits
// behind ('vtep', 0 for local ports). The writer stores it before the entry word
// (release), and readers load it after the entry word (acquire), so a reader sees
// the VTEP of the entry it found or a newer one.
//
// Layout: the entry word, its VTEP and its last-seen second share one 16-byte slot, so a
// lookup that finds its MAC, reads the VTEP and refreshes the time touches one cache line.
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VS_FDB_EMPTY 0ULL
#define VS_FDB_TOMB UINT64_MAX
#define VS_FDB_F_STATIC 0x1

struct vs_fdb_slot {
	uint64_t e;    // entry word: cp: rw (atomic store), dp: ro (atomic load)
	uint32_t vtep; // remote VTEP of the entry (vxlan ports), 0 if none: cp: rw, dp: ro
	uint32_t seen; // last-seen second: dp: rw (relaxed), cp: rw
};

struct vs_fdb_table {
	uint32_t mask;		   // capacity - 1 (capacity is a power of two)
	struct vs_fdb_slot *slots; // capacity slots, cache-line aligned
	uint8_t *flags;		   // cp only
};

struct vs_fdb {
	struct vs_fdb_table *tab; // cp: rw (swap), dp: ro (acquire, per lookup)
	uint32_t limit;		  // cp only: maximum number of entries
	uint32_t count;		  // cp: rw, others: relaxed read
	uint32_t tombs;		  // cp only
	uint64_t learn_full;	  // cp: rw: learning attempts refused because full
	uint64_t gen;		  // cp only: bumped by every entry written or removed
};

static inline uint32_t vs_fdb_hash(uint64_t mac)
{
	return (uint32_t)((mac * 0x9E3779B97F4A7C15ULL) >> 29);
}

// &slots[vs_fdb_hash(mac) & mask]: the slot a lookup of 'mac' begins with, in a table of
// 'slots' and 'mask' (the hash's bits picked right where a slot's offset wants them).
static inline struct vs_fdb_slot *vs_fdb_first_slot(struct vs_fdb_slot *slots, uint32_t mask,
						    uint64_t mac)
{
	_Static_assert(sizeof(struct vs_fdb_slot) == 16, "a slot is 16 bytes");
	uint64_t off = ((mac * 0x9E3779B97F4A7C15ULL) >> (29 - 4)) & ((uint64_t)mask << 4);

	return (struct vs_fdb_slot *)((char *)slots + off);
}

static inline struct vs_fdb_table *vs_fdb_table_get(const struct vs_fdb *fdb)
{
	return __atomic_load_n(&fdb->tab, __ATOMIC_ACQUIRE);
}

// Looks 'mac' up in 't', starting at slot 'h' & mask where 'h' is vs_fdb_hash(mac) (a caller
// that prefetched the slot passes the hash it computed). Returns the slot index, or -1 if
// absent; '*e' gets the entry word. Called from: any thread (lock-free).
static inline int32_t vs_fdb_find_h(const struct vs_fdb_table *t, uint64_t mac, uint32_t h,
				    uint64_t *e)
{
	const struct vs_fdb_slot *slots = t->slots;
	uint32_t mask = t->mask, i = h & mask;

	for (uint32_t n = 0; n <= mask; n++, i = (i + 1) & mask) {
		uint64_t v = __atomic_load_n(&slots[i].e, __ATOMIC_ACQUIRE);

		if (v == VS_FDB_EMPTY)
			return -1;
		if (v != VS_FDB_TOMB && (v >> 16) == mac) {
			*e = v;
			return (int32_t)i;
		}
	}
	return -1;
}

// vs_fdb_find_h() for a unicast 'mac' (group bit clear), as the L2 stage looks up: a tombstone
// (all ones) can never match it, so one test per probed slot less.
static inline int32_t vs_fdb_find_uc(const struct vs_fdb_table *t, uint64_t mac, uint32_t h,
				     uint64_t *e)
{
	// A table never changes size or place: read its shape once, not after every (acquire)
	// load of an entry.
	const struct vs_fdb_slot *slots = t->slots;
	uint32_t mask = t->mask, i = h & mask;

	for (uint32_t n = 0; n <= mask; n++, i = (i + 1) & mask) {
		uint64_t v = __atomic_load_n(&slots[i].e, __ATOMIC_ACQUIRE);

		if (v == VS_FDB_EMPTY) // first: the MAC 0 is unicast too
			return -1;
		if ((v >> 16) == mac) {
			*e = v;
			return (int32_t)i;
		}
	}
	return -1;
}

// What vs_fdb_slot_find_uc() found: the entry word (VS_FDB_EMPTY: nothing) and its slot.
struct vs_fdb_hit {
	uint64_t e;
	struct vs_fdb_slot *slot;
};

// vs_fdb_find_uc() on the slots and mask of a table the caller read once (they never change
// for a table). The first slot probed, where a table at most half full keeps most MACs, is
// tested inline; the rest of the probe sequence in vs_fdb_slot_probe(). Returned by value
// (in registers): a hit's entry word is never VS_FDB_EMPTY, so 'e' alone tells a hit.
struct vs_fdb_hit vs_fdb_slot_probe(struct vs_fdb_slot *slots, uint32_t mask, uint64_t mac,
				    uint32_t i);
static inline struct vs_fdb_hit vs_fdb_slot_find_uc(struct vs_fdb_slot *slots, uint32_t mask,
						    uint64_t mac, uint32_t h)
{
	uint32_t i = h & mask;
	uint64_t v = __atomic_load_n(&slots[i].e, __ATOMIC_ACQUIRE);

	// An empty slot (0) ends the probe sequence, even for the MAC 0.
	if (__builtin_expect((v >> 16) == mac && v != VS_FDB_EMPTY, 1))
		return (struct vs_fdb_hit){.e = v, .slot = &slots[i]};
	if (v == VS_FDB_EMPTY)
		return (struct vs_fdb_hit){.e = VS_FDB_EMPTY, .slot = NULL};
	return vs_fdb_slot_probe(slots, mask, mac, (i + 1) & mask);
}

// Looks 'mac' up in 't'. Returns the slot index, or -1 if absent; '*port' gets the port id.
// Called from: any thread (lock-free).
static inline int32_t vs_fdb_lookup(const struct vs_fdb_table *t, uint64_t mac, uint16_t *port)
{
	uint64_t e;
	int32_t i = vs_fdb_find_h(t, mac, vs_fdb_hash(mac), &e);

	if (i >= 0)
		*port = (uint16_t)e;
	return i;
}

// Starts loading the slot a lookup of hash 'h' begins with. Called from: any thread.
static inline void vs_fdb_prefetch(const struct vs_fdb_table *t, uint32_t h)
{
	__builtin_prefetch(&t->slots[h & t->mask], 0, 3);
}

// The remote VTEP of slot 'i' (0: a local port, or every remote VTEP). Called from: any thread.
static inline uint32_t vs_fdb_vtep(const struct vs_fdb_table *t, uint32_t i)
{
	return __atomic_load_n(&t->slots[i].vtep, __ATOMIC_RELAXED);
}

// Refreshes the last-seen time of slot 'i'; no store (the line stays clean) when it already
// holds 'now'. Called from: PMD threads.
static inline void vs_fdb_touch(struct vs_fdb_table *t, uint32_t i, uint32_t now)
{
	if (__atomic_load_n(&t->slots[i].seen, __ATOMIC_RELAXED) != now)
		__atomic_store_n(&t->slots[i].seen, now, __ATOMIC_RELAXED);
}

// --- writer side: control thread only ---

// Creates an empty table holding at most 'limit' entries. NULL + errno on failure.
struct vs_fdb *vs_fdb_create(uint32_t limit);
// Frees the table; the caller guarantees no reader can still see it.
void vs_fdb_destroy(struct vs_fdb *fdb);
void vs_fdb_table_free(struct vs_fdb_table *t);

// Learns or moves a dynamic entry. Returns 1 if the table changed, 0 if the entry
// was already there, -ENOSPC if the table is full, -EPERM if a static entry owns 'mac'.
int vs_fdb_learn(struct vs_fdb *fdb, uint64_t mac, uint16_t port, uint32_t now);
// The same for a MAC behind remote VTEP 'vtep' of vxlan port 'port' (0: a local port); an
// entry that moves to another VTEP of the same port is updated.
int vs_fdb_learn_vtep(struct vs_fdb *fdb, uint64_t mac, uint16_t port, uint32_t vtep, uint32_t now);
// Adds or replaces an entry as static. Returns 0 or -ENOSPC.
int vs_fdb_add_static(struct vs_fdb *fdb, uint64_t mac, uint16_t port);
// Removes 'mac'. Returns 0 or -ENOENT.
int vs_fdb_del(struct vs_fdb *fdb, uint64_t mac);
// Removes entries of 'port' (any port if VS_PORT_ANY); static ones too if 'statics'.
// Returns the number removed.
#define VS_FDB_PORT_ANY 0xffffffffu
uint32_t vs_fdb_flush(struct vs_fdb *fdb, uint32_t port, bool statics);
// Removes the dynamic entries of 'port' behind a remote VTEP that is not among keep[0..n_keep).
// Returns the number removed.
uint32_t vs_fdb_flush_vteps(struct vs_fdb *fdb, uint16_t port, const uint32_t *keep,
			    uint32_t n_keep);
// Removes dynamic entries not seen for more than 'aging' seconds. Returns the number removed.
uint32_t vs_fdb_age(struct vs_fdb *fdb, uint32_t now, uint32_t aging);

// Tombstones are numerous enough that the table should be rebuilt.
bool vs_fdb_needs_rebuild(const struct vs_fdb *fdb);
// Rebuilds the table for 'limit' entries (limit >= count) and swaps it in. Returns the old
// table, to be freed with vs_fdb_table_free() once readers are quiescent; NULL + errno on
// failure (then nothing changed).
struct vs_fdb_table *vs_fdb_rebuild(struct vs_fdb *fdb, uint32_t limit);

struct vs_fdb_entry {
	uint64_t mac;
	uint16_t port;
	bool is_static;
	uint32_t seen;
	uint32_t vtep; // remote VTEP (vxlan ports), 0 if none
};
// Copies up to 'max' entries into 'out'; returns the number of entries in the table.
uint32_t vs_fdb_dump(const struct vs_fdb *fdb, struct vs_fdb_entry *out, uint32_t max);
