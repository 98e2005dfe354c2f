// SPDX-License-Identifier: Apache-2.0
// Unit tests of the connection table (vswitch/dp/conntrack.c): both directions found,
// bounded size, removal and recycling through the per-PMD rings, states and timeouts,
// and concurrent inserts from several threads.
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "vswitch/dp/conntrack.h"

static struct vs_ct_key k(uint32_t src, uint32_t dst, uint16_t sp, uint16_t dp)
{
	return (struct vs_ct_key){.src = src, .dst = dst, .sport = sp, .dport = dp, .proto = 6};
}

// Adds a connection client:sp -> vip:80 -> backend:8080 for PMD 'pmd'. Returns its index.
static int64_t add(struct vs_ct *ct, unsigned pmd, uint32_t client, uint16_t sp)
{
	int64_t idx = vs_ct_alloc(ct, pmd);
	struct vs_ct_conn *c;

	if (idx < 0)
		return -1;
	c = &ct->conns[idx];
	c->key[0] = k(client, 0x0a000064, sp, 80);
	c->key[1] = k(0x0a00000b, client, 8080, sp);
	c->seen = 100;
	__atomic_store_n(&c->flags, VS_CT_F_USED | VS_CT_F_SYN, __ATOMIC_RELEASE);
	if (vs_ct_insert(ct, (uint32_t)idx) < 0)
		return -1;
	return idx;
}

static const struct vs_ct_conn *find(struct vs_ct *ct, struct vs_ct_key key, unsigned *dir)
{
	return vs_ct_lookup(ct, &key, vs_ct_hash(&key), dir);
}

static void test_both_directions(void **state)
{
	struct vs_ct *ct = vs_ct_create(1000);
	unsigned dir = 9;
	int64_t idx;

	(void)state;
	assert_non_null(ct);
	idx = add(ct, 0, 0x0a000001, 40000);
	assert_true(idx >= 0);
	assert_ptr_equal(find(ct, k(0x0a000001, 0x0a000064, 40000, 80), &dir), &ct->conns[idx]);
	assert_int_equal(dir, VS_CT_ORIG);
	assert_ptr_equal(find(ct, k(0x0a00000b, 0x0a000001, 8080, 40000), &dir), &ct->conns[idx]);
	assert_int_equal(dir, VS_CT_REPLY);
	assert_null(find(ct, k(0x0a000001, 0x0a000064, 40001, 80), &dir));
	assert_null(find(ct, k(0x0a000064, 0x0a000001, 80, 40000), &dir));
	vs_ct_destroy(ct);
}

static void test_full_and_recycle(void **state)
{
	struct vs_ct *ct = vs_ct_create(100);
	int64_t idx[100];
	unsigned dir;

	(void)state;
	for (int i = 0; i < 100; i++) {
		idx[i] = add(ct, 0, 0x0a000001, (uint16_t)(1000 + i));
		assert_true(idx[i] >= 0);
	}
	assert_int_equal(vs_ct_alloc(ct, 0), -1); // full
	vs_ct_remove(ct, (uint32_t)idx[5]);
	assert_null(find(ct, k(0x0a000001, 0x0a000064, 1005, 80), &dir));
	assert_null(find(ct, k(0x0a00000b, 0x0a000001, 8080, 1005), &dir));
	assert_int_equal(vs_ct_alloc(ct, 0), -1); // not before the grace period
	vs_ct_reclaim(ct, 2);
	// Dealt to the first PMD's ring.
	assert_int_equal(vs_ct_alloc(ct, 1), -1);
	assert_int_equal(add(ct, 0, 0x0a000002, 7), idx[5]);
	assert_non_null(find(ct, k(0x0a000002, 0x0a000064, 7, 80), &dir));
	// Every other connection is still there.
	for (int i = 0; i < 100; i++)
		if (i != 5)
			assert_non_null(find(
				ct, k(0x0a000001, 0x0a000064, (uint16_t)(1000 + i), 80), &dir));
	vs_ct_destroy(ct);
}

static void test_states(void **state)
{
	struct vs_ct_timeouts t = {
		.tcp_syn = 1, .tcp_est = 2, .tcp_fin = 3, .tcp_close = 4, .udp = 5};
	struct vs_ct_conn c = {.flags = VS_CT_F_USED | VS_CT_F_SYN};
	uint32_t to;

	(void)state;
	c.key[0].proto = 6;
	assert_string_equal(vs_ct_state(&c, &t, &to), "syn-sent");
	assert_int_equal(to, 1);
	c.flags |= VS_CT_F_SYNACK;
	assert_string_equal(vs_ct_state(&c, &t, &to), "syn-recv");
	c.flags |= VS_CT_F_EST;
	assert_string_equal(vs_ct_state(&c, &t, &to), "established");
	assert_int_equal(to, 2);
	c.flags |= VS_CT_F_FIN_O;
	assert_string_equal(vs_ct_state(&c, &t, &to), "fin-wait");
	assert_int_equal(to, 3);
	c.flags |= VS_CT_F_FIN_R;
	assert_string_equal(vs_ct_state(&c, &t, &to), "time-wait");
	assert_int_equal(to, 4);
	c.flags = VS_CT_F_USED | VS_CT_F_RST;
	assert_string_equal(vs_ct_state(&c, &t, &to), "close");
	c.key[0].proto = 17;
	assert_string_equal(vs_ct_state(&c, &t, &to), "udp");
	assert_int_equal(to, 5);
	c.key[0].kind = VS_CT_KIND_AFFINITY;
	c.timeout = 77;
	assert_string_equal(vs_ct_state(&c, &t, &to), "affinity");
	assert_int_equal(to, 77);
}

struct worker {
	struct vs_ct *ct;
	unsigned pmd;
	int inserted;
};

static void *insert_many(void *arg)
{
	struct worker *w = arg;

	for (int i = 0; i < 20000; i++)
		if (add(w->ct, w->pmd, 0x0b000000u + w->pmd, (uint16_t)i) >= 0)
			w->inserted++;
	return NULL;
}

static void test_concurrent(void **state)
{
	struct vs_ct *ct = vs_ct_create(100000);
	struct worker w[4];
	pthread_t th[4];
	unsigned dir;

	(void)state;
	for (unsigned i = 0; i < 4; i++) {
		w[i] = (struct worker){.ct = ct, .pmd = i};
		assert_int_equal(pthread_create(&th[i], NULL, insert_many, &w[i]), 0);
	}
	for (unsigned i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(w[i].inserted, 20000);
		for (int p = 0; p < 20000; p += 97) {
			const struct vs_ct_conn *c =
				find(ct, k(0x0a00000b, 0x0b000000u + i, 8080, (uint16_t)p), &dir);

			assert_non_null(c);
			assert_int_equal(dir, VS_CT_REPLY);
			assert_int_equal(c->key[0].src, 0x0b000000u + i);
		}
	}
	assert_int_equal(vs_ct_extent(ct), 80000);
	vs_ct_destroy(ct);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_both_directions),
		cmocka_unit_test(test_full_and_recycle),
		cmocka_unit_test(test_states),
		cmocka_unit_test(test_concurrent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
