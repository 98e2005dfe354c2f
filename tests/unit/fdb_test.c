// SPDX-License-Identifier: Apache-2.0
// Unit tests of the MAC table (vswitch/dp/fdb.c).
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pktbuild.h"
#include "vswitch/dp/fdb.h"

#define A 0x020000000001ULL
#define B 0x020000000002ULL
#define C 0x020000000003ULL

// Port of 'mac' in the current table, or -1.
static int port_of(const struct vs_fdb *fdb, uint64_t mac)
{
	uint16_t port = 0xbeef;

	if (vs_fdb_lookup(vs_fdb_table_get(fdb), mac, &port) < 0)
		return -1;
	return port;
}

static int32_t slot_of(const struct vs_fdb *fdb, uint64_t mac)
{
	uint16_t port;

	return vs_fdb_lookup(vs_fdb_table_get(fdb), mac, &port);
}

// The dump entry of 'mac' (asserts it is there exactly once).
static struct vs_fdb_entry entry_of(const struct vs_fdb *fdb, uint64_t mac)
{
	struct vs_fdb_entry ents[64], found = {0};
	uint32_t n = vs_fdb_dump(fdb, ents, 64), hits = 0;

	assert_true(n <= 64);
	for (uint32_t i = 0; i < n; i++) {
		if (ents[i].mac == mac) {
			found = ents[i];
			hits++;
		}
	}
	assert_int_equal(hits, 1);
	return found;
}

static void test_learn_lookup(void **state)
{
	struct vs_fdb *fdb = vs_fdb_create(100);

	(void)state;
	assert_non_null(fdb);
	assert_int_equal(fdb->count, 0);
	assert_int_equal(fdb->limit, 100);
	assert_int_equal(port_of(fdb, A), -1);
	assert_int_equal(vs_fdb_learn(fdb, A, 3, 10), 1);
	assert_int_equal(vs_fdb_learn(fdb, B, 4, 10), 1);
	assert_int_equal(port_of(fdb, A), 3);
	assert_int_equal(port_of(fdb, B), 4);
	assert_int_equal(port_of(fdb, C), -1);
	assert_int_equal(fdb->count, 2);
	// Learning again on the same port changes nothing but the seen time.
	assert_int_equal(vs_fdb_learn(fdb, A, 3, 20), 0);
	assert_int_equal(fdb->count, 2);
	assert_int_equal(entry_of(fdb, A).seen, 20);
	assert_false(entry_of(fdb, A).is_static);
	// Port 0 and the largest port id are ordinary ports.
	assert_int_equal(vs_fdb_learn(fdb, C, 0, 10), 1);
	assert_int_equal(port_of(fdb, C), 0);
	assert_int_equal(vs_fdb_learn(fdb, 0x0affffffffffULL, 1023, 10), 1);
	assert_int_equal(port_of(fdb, 0x0affffffffffULL), 1023);
	vs_fdb_destroy(fdb);
}

static void test_move(void **state)
{
	struct vs_fdb *fdb = vs_fdb_create(100);

	(void)state;
	assert_int_equal(vs_fdb_learn(fdb, A, 1, 10), 1);
	assert_int_equal(vs_fdb_learn(fdb, A, 2, 11), 1);
	assert_int_equal(port_of(fdb, A), 2);
	assert_int_equal(fdb->count, 1);
	assert_int_equal(entry_of(fdb, A).seen, 11);
	assert_int_equal(vs_fdb_learn(fdb, A, 1, 12), 1);
	assert_int_equal(port_of(fdb, A), 1);
	assert_int_equal(fdb->count, 1);
	assert_int_equal(fdb->tombs, 0);
	vs_fdb_destroy(fdb);
}

static void test_limit(void **state)
{
	struct vs_fdb *fdb = vs_fdb_create(4);

	(void)state;
	for (uint32_t i = 0; i < 4; i++)
		assert_int_equal(vs_fdb_learn(fdb, pb_mac(i + 1), 1, 10), 1);
	assert_int_equal(vs_fdb_learn(fdb, pb_mac(5), 1, 10), -ENOSPC);
	assert_int_equal(vs_fdb_add_static(fdb, pb_mac(6), 1), -ENOSPC);
	assert_int_equal(fdb->count, 4);
	assert_int_equal(port_of(fdb, pb_mac(5)), -1);
	// learn_full is counted by the control plane, not by vs_fdb_learn.
	assert_int_equal(fdb->learn_full, 0);
	// Known MACs still refresh and move when the table is full.
	assert_int_equal(vs_fdb_learn(fdb, pb_mac(1), 1, 11), 0);
	assert_int_equal(vs_fdb_learn(fdb, pb_mac(1), 2, 11), 1);
	assert_int_equal(port_of(fdb, pb_mac(1)), 2);
	// A freed place can be taken again.
	assert_int_equal(vs_fdb_del(fdb, pb_mac(2)), 0);
	assert_int_equal(vs_fdb_learn(fdb, pb_mac(5), 3, 12), 1);
	assert_int_equal(port_of(fdb, pb_mac(5)), 3);
	assert_int_equal(fdb->count, 4);
	vs_fdb_destroy(fdb);
}

static void test_static(void **state)
{
	struct vs_fdb *fdb = vs_fdb_create(100);
	struct vs_fdb_entry e;

	(void)state;
	assert_int_equal(vs_fdb_add_static(fdb, A, 2), 0);
	assert_int_equal(port_of(fdb, A), 2);
	e = entry_of(fdb, A);
	assert_true(e.is_static);
	assert_int_equal(e.port, 2);
	// Learning never moves nor refreshes a static entry.
	assert_int_equal(vs_fdb_learn(fdb, A, 3, 50), -EPERM);
	assert_int_equal(vs_fdb_learn(fdb, A, 2, 50), -EPERM);
	assert_int_equal(port_of(fdb, A), 2);
	assert_true(entry_of(fdb, A).is_static);
	// Never aged, however old.
	assert_int_equal(vs_fdb_age(fdb, 1000000, 10), 0);
	assert_int_equal(port_of(fdb, A), 2);
	// A static entry replaces a dynamic one and can be re-pointed.
	assert_int_equal(vs_fdb_learn(fdb, B, 1, 10), 1);
	assert_int_equal(vs_fdb_add_static(fdb, B, 4), 0);
	assert_int_equal(port_of(fdb, B), 4);
	assert_true(entry_of(fdb, B).is_static);
	assert_int_equal(vs_fdb_add_static(fdb, B, 5), 0);
	assert_int_equal(port_of(fdb, B), 5);
	assert_int_equal(fdb->count, 2);
	// Deleted, the MAC is learnable again.
	assert_int_equal(vs_fdb_del(fdb, A), 0);
	assert_int_equal(vs_fdb_learn(fdb, A, 3, 60), 1);
	assert_false(entry_of(fdb, A).is_static);
	assert_int_equal(port_of(fdb, A), 3);
	vs_fdb_destroy(fdb);
}

static void test_delete(void **state)
{
	struct vs_fdb *fdb = vs_fdb_create(100);

	(void)state;
	vs_fdb_learn(fdb, A, 1, 10);
	vs_fdb_learn(fdb, B, 2, 10);
	assert_int_equal(vs_fdb_del(fdb, A), 0);
	assert_int_equal(port_of(fdb, A), -1);
	assert_int_equal(port_of(fdb, B), 2);
	assert_int_equal(fdb->count, 1);
	assert_int_equal(fdb->tombs, 1);
	assert_int_equal(vs_fdb_del(fdb, A), -ENOENT);
	assert_int_equal(vs_fdb_del(fdb, C), -ENOENT);
	// Edge values are not confused with empty or deleted slots.
	assert_int_equal(vs_fdb_del(fdb, 0), -ENOENT);
	assert_int_equal(vs_fdb_del(fdb, PB_BROADCAST), -ENOENT);
	assert_int_equal(port_of(fdb, PB_BROADCAST), -1);
	assert_int_equal(port_of(fdb, 0), -1);
	assert_int_equal(fdb->count, 1);
	vs_fdb_destroy(fdb);
}

static void test_flush(void **state)
{
	struct vs_fdb *fdb = vs_fdb_create(100);

	(void)state;
	vs_fdb_learn(fdb, pb_mac(1), 1, 10);
	vs_fdb_learn(fdb, pb_mac(2), 1, 10);
	vs_fdb_learn(fdb, pb_mac(3), 2, 10);
	vs_fdb_add_static(fdb, pb_mac(4), 1);
	vs_fdb_add_static(fdb, pb_mac(5), 2);
	assert_int_equal(fdb->count, 5);

	// By port, dynamic only.
	assert_int_equal(vs_fdb_flush(fdb, 1, false), 2);
	assert_int_equal(port_of(fdb, pb_mac(1)), -1);
	assert_int_equal(port_of(fdb, pb_mac(2)), -1);
	assert_int_equal(port_of(fdb, pb_mac(3)), 2);
	assert_int_equal(port_of(fdb, pb_mac(4)), 1);
	assert_int_equal(fdb->count, 3);
	assert_int_equal(vs_fdb_flush(fdb, 7, false), 0);

	// All ports, statics kept.
	vs_fdb_learn(fdb, pb_mac(6), 3, 10);
	assert_int_equal(vs_fdb_flush(fdb, VS_FDB_PORT_ANY, false), 2);
	assert_int_equal(fdb->count, 2);
	assert_int_equal(port_of(fdb, pb_mac(4)), 1);
	assert_int_equal(port_of(fdb, pb_mac(5)), 2);

	// By port with statics.
	assert_int_equal(vs_fdb_flush(fdb, 1, true), 1);
	assert_int_equal(port_of(fdb, pb_mac(4)), -1);
	assert_int_equal(port_of(fdb, pb_mac(5)), 2);

	// Everything.
	vs_fdb_learn(fdb, pb_mac(7), 3, 10);
	assert_int_equal(vs_fdb_flush(fdb, VS_FDB_PORT_ANY, true), 2);
	assert_int_equal(fdb->count, 0);
	assert_int_equal(vs_fdb_dump(fdb, NULL, 0), 0);
	vs_fdb_destroy(fdb);
}

static void test_ageing(void **state)
{
	struct vs_fdb *fdb = vs_fdb_create(100);
	struct vs_fdb_table *t;

	(void)state;
	vs_fdb_learn(fdb, A, 1, 100);
	vs_fdb_learn(fdb, B, 1, 120);
	vs_fdb_learn(fdb, C, 1, 200); // seen "in the future"
	vs_fdb_add_static(fdb, pb_mac(9), 2);

	assert_int_equal(vs_fdb_age(fdb, 150, 60), 0);
	assert_int_equal(vs_fdb_age(fdb, 160, 60), 0); // exactly 'aging' old: kept
	assert_int_equal(vs_fdb_age(fdb, 161, 60), 1);
	assert_int_equal(port_of(fdb, A), -1);
	assert_int_equal(port_of(fdb, B), 1);
	assert_int_equal(port_of(fdb, C), 1);

	// A refresh by the datapath (touch) or by learning keeps an entry alive.
	t = vs_fdb_table_get(fdb);
	vs_fdb_touch(t, (uint32_t)slot_of(fdb, B), 170);
	assert_int_equal(entry_of(fdb, B).seen, 170);
	assert_int_equal(vs_fdb_age(fdb, 200, 60), 0);
	assert_int_equal(vs_fdb_learn(fdb, B, 1, 250), 0);
	assert_int_equal(vs_fdb_age(fdb, 261, 60), 1); // C (200) goes, B (250) stays
	assert_int_equal(port_of(fdb, C), -1);
	assert_int_equal(port_of(fdb, B), 1);
	assert_int_equal(vs_fdb_age(fdb, 311, 60), 1);
	assert_int_equal(port_of(fdb, B), -1);
	assert_int_equal(port_of(fdb, pb_mac(9)), 2);
	assert_int_equal(fdb->count, 1);
	vs_fdb_destroy(fdb);
}

static void test_rebuild(void **state)
{
	struct vs_fdb *fdb = vs_fdb_create(64);
	struct vs_fdb_table *old, *before;
	struct vs_fdb_entry e;

	(void)state;
	for (uint32_t i = 1; i <= 60; i++)
		assert_int_equal(vs_fdb_learn(fdb, pb_mac(i), (uint16_t)(i % 7), 1000 + i), 1);
	vs_fdb_add_static(fdb, pb_mac(100), 5);
	vs_fdb_del(fdb, pb_mac(100));
	vs_fdb_add_static(fdb, pb_mac(101), 6);
	for (uint32_t i = 1; i <= 40; i++)
		assert_int_equal(vs_fdb_del(fdb, pb_mac(i)), 0);
	assert_int_equal(fdb->count, 21);
	assert_true(fdb->tombs >= 40);		// pb_mac(101) may have reused pb_mac(100)'s slot
	assert_true(vs_fdb_needs_rebuild(fdb)); // more than 128 / 4

	// Shrinking below the number of entries is refused and changes nothing.
	before = vs_fdb_table_get(fdb);
	errno = 0;
	assert_null(vs_fdb_rebuild(fdb, 20));
	assert_int_equal(errno, ENOSPC);
	assert_ptr_equal(vs_fdb_table_get(fdb), before);
	assert_int_equal(fdb->limit, 64);

	old = vs_fdb_rebuild(fdb, 64);
	assert_ptr_equal(old, before);
	assert_ptr_not_equal(vs_fdb_table_get(fdb), old);
	vs_fdb_table_free(old);
	assert_int_equal(fdb->tombs, 0);
	assert_int_equal(fdb->count, 21);
	assert_false(vs_fdb_needs_rebuild(fdb));
	for (uint32_t i = 41; i <= 60; i++) {
		e = entry_of(fdb, pb_mac(i));
		assert_int_equal(e.port, i % 7);
		assert_int_equal(e.seen, 1000 + i);
		assert_false(e.is_static);
	}
	assert_true(entry_of(fdb, pb_mac(101)).is_static);
	assert_int_equal(port_of(fdb, pb_mac(101)), 6);
	for (uint32_t i = 1; i <= 40; i++)
		assert_int_equal(port_of(fdb, pb_mac(i)), -1);

	// Growing: the new limit applies.
	old = vs_fdb_rebuild(fdb, 1000);
	assert_non_null(old);
	vs_fdb_table_free(old);
	assert_int_equal(fdb->limit, 1000);
	assert_int_equal(vs_fdb_table_get(fdb)->mask + 1, 2048);
	for (uint32_t i = 0; i < 900; i++)
		assert_true(vs_fdb_learn(fdb, pb_mac(10000 + i), 1, 5) == 1);
	assert_int_equal(fdb->count, 921);
	assert_int_equal(port_of(fdb, pb_mac(50)), 50 % 7);

	// Shrinking to exactly the number of entries is allowed.
	assert_int_equal(vs_fdb_flush(fdb, 1, false), 900 + 3);
	old = vs_fdb_rebuild(fdb, fdb->count);
	assert_non_null(old);
	vs_fdb_table_free(old);
	assert_int_equal(fdb->limit, 18);
	assert_int_equal(vs_fdb_learn(fdb, pb_mac(20000), 1, 5), -ENOSPC);
	vs_fdb_destroy(fdb);
}

// Finds a MAC other than 'mac' whose probe sequence starts at the same slot of 't'.
static uint64_t colliding(const struct vs_fdb_table *t, uint64_t mac, uint32_t start)
{
	for (uint32_t n = start;; n++) {
		uint64_t m = pb_mac(n);

		if (m != mac && (vs_fdb_hash(m) & t->mask) == (vs_fdb_hash(mac) & t->mask))
			return m;
	}
}

static void test_tombstones(void **state)
{
	struct vs_fdb *fdb = vs_fdb_create(16);
	const struct vs_fdb_table *t = vs_fdb_table_get(fdb);
	uint64_t x = pb_mac(1), y = colliding(t, x, 2), z = colliding(t, x, (uint32_t)y + 1);
	int32_t sx, sy;

	(void)state;
	assert_true(y != z);
	assert_int_equal(vs_fdb_learn(fdb, x, 1, 10), 1);
	assert_int_equal(vs_fdb_learn(fdb, y, 2, 10), 1);
	sx = slot_of(fdb, x);
	sy = slot_of(fdb, y);
	assert_int_equal(sy, (sx + 1) & (int32_t)t->mask);

	// A tombstone in front of an entry does not hide it.
	assert_int_equal(vs_fdb_del(fdb, x), 0);
	assert_int_equal(fdb->tombs, 1);
	assert_int_equal(port_of(fdb, y), 2);
	// Re-learning an entry that lies past a tombstone must not duplicate it.
	assert_int_equal(vs_fdb_learn(fdb, y, 2, 11), 0);
	assert_int_equal(vs_fdb_learn(fdb, y, 3, 12), 1);
	assert_int_equal(fdb->count, 1);
	assert_int_equal(vs_fdb_dump(fdb, NULL, 0), 1);
	assert_int_equal(slot_of(fdb, y), sy);
	assert_int_equal(fdb->tombs, 1);

	// A new entry takes the tombstone's slot.
	assert_int_equal(vs_fdb_learn(fdb, z, 4, 10), 1);
	assert_int_equal(slot_of(fdb, z), sx);
	assert_int_equal(fdb->tombs, 0);
	assert_int_equal(port_of(fdb, y), 3);
	assert_int_equal(port_of(fdb, z), 4);
	assert_int_equal(fdb->count, 2);

	// Delete/re-add cycles do not grow the number of used slots.
	for (int i = 0; i < 1000; i++) {
		assert_int_equal(vs_fdb_del(fdb, z), 0);
		assert_int_equal(vs_fdb_learn(fdb, z, 4, 10), 1);
	}
	assert_int_equal(fdb->tombs, 0);
	assert_int_equal(fdb->count, 2);
	vs_fdb_destroy(fdb);
}

static int cmp_entry(const void *a, const void *b)
{
	const struct vs_fdb_entry *x = a, *y = b;

	return x->mac < y->mac ? -1 : x->mac > y->mac;
}

static void test_dump(void **state)
{
	struct vs_fdb *fdb = vs_fdb_create(100);
	struct vs_fdb_entry ents[8];

	(void)state;
	assert_int_equal(vs_fdb_dump(fdb, ents, 8), 0);
	vs_fdb_learn(fdb, pb_mac(3), 7, 33);
	vs_fdb_learn(fdb, pb_mac(1), 5, 11);
	vs_fdb_add_static(fdb, pb_mac(2), 6);
	vs_fdb_learn(fdb, pb_mac(4), 8, 44);
	vs_fdb_del(fdb, pb_mac(4));
	memset(ents, 0, sizeof(ents));
	assert_int_equal(vs_fdb_dump(fdb, ents, 8), 3);
	qsort(ents, 3, sizeof(ents[0]), cmp_entry);
	assert_true(ents[0].mac == pb_mac(1));
	assert_int_equal(ents[0].port, 5);
	assert_false(ents[0].is_static);
	assert_int_equal(ents[0].seen, 11);
	assert_true(ents[1].mac == pb_mac(2));
	assert_int_equal(ents[1].port, 6);
	assert_true(ents[1].is_static);
	assert_true(ents[2].mac == pb_mac(3));
	assert_int_equal(ents[2].port, 7);
	assert_int_equal(ents[2].seen, 33);
	// A short buffer: the total is still returned, only 'max' entries are written.
	memset(ents, 0xee, sizeof(ents));
	assert_int_equal(vs_fdb_dump(fdb, ents, 2), 3);
	assert_true(ents[0].mac != 0xeeeeeeeeeeeeeeeeULL);
	assert_true(ents[1].mac != 0xeeeeeeeeeeeeeeeeULL);
	assert_true(ents[2].mac == 0xeeeeeeeeeeeeeeeeULL);
	vs_fdb_destroy(fdb);
}

#define MANY 100000

static uint64_t many_mac(uint32_t i)
{
	// Distinct (odd multiplier modulo 2^40) and spread over the low five bytes.
	return 0x020000000000ULL | (((uint64_t)i * 0x9e3779b1ULL) & 0xffffffffffULL);
}

static void test_many(void **state)
{
	struct vs_fdb *fdb = vs_fdb_create(MANY);
	struct vs_fdb_entry *ents;
	struct vs_fdb_table *old;

	(void)state;
	for (uint32_t i = 0; i < MANY; i++)
		if (vs_fdb_learn(fdb, many_mac(i), (uint16_t)(i % 1024), i) != 1)
			fail_msg("learning entry %u failed", i);
	assert_int_equal(fdb->count, MANY);
	assert_int_equal(vs_fdb_learn(fdb, pb_mac(0xabcdef), 1, 1), -ENOSPC);
	for (uint32_t i = 0; i < MANY; i++)
		if (port_of(fdb, many_mac(i)) != (int)(i % 1024))
			fail_msg("entry %u not found", i);

	ents = calloc(MANY, sizeof(*ents));
	assert_non_null(ents);
	assert_int_equal(vs_fdb_dump(fdb, ents, MANY), MANY);
	free(ents);

	// Delete three entries out of four, rebuild, check again.
	for (uint32_t i = 0; i < MANY; i++)
		if (i % 4 != 3)
			assert_int_equal(vs_fdb_del(fdb, many_mac(i)), 0);
	assert_int_equal(fdb->count, MANY / 4);
	assert_true(vs_fdb_needs_rebuild(fdb));
	for (uint32_t i = 0; i < MANY; i++)
		if (port_of(fdb, many_mac(i)) != (i % 4 == 3 ? (int)(i % 1024) : -1))
			fail_msg("entry %u wrong after deletes", i);
	old = vs_fdb_rebuild(fdb, MANY);
	assert_non_null(old);
	vs_fdb_table_free(old);
	for (uint32_t i = 0; i < MANY; i++)
		if (port_of(fdb, many_mac(i)) != (i % 4 == 3 ? (int)(i % 1024) : -1))
			fail_msg("entry %u wrong after rebuild", i);
	assert_int_equal(vs_fdb_table_get(fdb)->mask + 1, 262144);
	assert_int_equal(fdb->tombs, 0);
	vs_fdb_destroy(fdb);
}

// Entries of vxlan ports name their remote VTEP; learning moves them between VTEPs,
// flush_vteps forgets those behind VTEPs no longer listed, rebuilds keep the VTEP.
static void test_vtep(void **state)
{
	struct vs_fdb *fdb = vs_fdb_create(16);
	struct vs_fdb_table *old;
	const uint32_t keep[] = {0xc6120a02};

	(void)state;
	assert_non_null(fdb);
	assert_int_equal(vs_fdb_learn_vtep(fdb, A, 5, 0xc6120a02, 10), 1);
	assert_int_equal(vs_fdb_learn_vtep(fdb, A, 5, 0xc6120a02, 11), 0); // refresh only
	assert_int_equal(vs_fdb_vtep(vs_fdb_table_get(fdb), (uint32_t)slot_of(fdb, A)), 0xc6120a02);
	assert_int_equal(vs_fdb_learn_vtep(fdb, A, 5, 0xc6120a03, 12), 1); // moved VTEP
	assert_int_equal(entry_of(fdb, A).vtep, 0xc6120a03);
	assert_int_equal(vs_fdb_learn_vtep(fdb, B, 5, 0xc6120a02, 12), 1);
	assert_int_equal(vs_fdb_learn(fdb, C, 5, 12), 1); // vtep 0: the whole flood list
	assert_int_equal(entry_of(fdb, C).vtep, 0);
	old = vs_fdb_rebuild(fdb, 32);
	assert_non_null(old);
	vs_fdb_table_free(old);
	assert_int_equal(entry_of(fdb, B).vtep, 0xc6120a02);
	// Only A (behind .3) goes; B's VTEP is kept, C has none.
	assert_int_equal(vs_fdb_flush_vteps(fdb, 5, keep, 1), 1);
	assert_int_equal(port_of(fdb, A), -1);
	assert_int_equal(port_of(fdb, B), 5);
	assert_int_equal(port_of(fdb, C), 5);
	// A MAC moving from a VTEP to a local port loses its VTEP.
	assert_int_equal(vs_fdb_learn(fdb, B, 2, 13), 1);
	assert_int_equal(entry_of(fdb, B).vtep, 0);
	vs_fdb_destroy(fdb);
}

// vs_fdb_first_slot(), the L2 stage's way to the slot a lookup begins with, is
// &slots[vs_fdb_hash(mac) & mask] for every table size.
static void test_first_slot(void **state)
{
	static struct vs_fdb_slot slots[1 << 17];
	uint64_t x = 0x9e3779b97f4a7c15ULL;

	(void)state;
	for (uint32_t bits = 0; bits <= 17; bits++) {
		uint32_t mask = (1u << bits) - 1;

		for (int i = 0; i < 10000; i++) {
			uint64_t mac;

			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			mac = i < 3 ? (uint64_t)i * 0xffffffffffffULL / 2 : x & 0xffffffffffffULL;
			assert_ptr_equal(vs_fdb_first_slot(slots, mask, mac),
					 &slots[vs_fdb_hash(mac) & mask]);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_learn_lookup), cmocka_unit_test(test_move),
		cmocka_unit_test(test_limit),	     cmocka_unit_test(test_static),
		cmocka_unit_test(test_delete),	     cmocka_unit_test(test_flush),
		cmocka_unit_test(test_ageing),	     cmocka_unit_test(test_rebuild),
		cmocka_unit_test(test_tombstones),   cmocka_unit_test(test_dump),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_vtep),
		cmocka_unit_test(test_first_slot),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
