// SPDX-License-Identifier: Apache-2.0
// Unit tests of Maglev table building (vswitch/dp/maglev.c): every slot filled, balance,
// minimal disruption when a backend leaves or joins, table sizing.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "vswitch/dp/maglev.h"

static uint64_t key(uint32_t i)
{
	return (uint64_t)(0xc6120000u + i) << 16 | 8080;
}

static uint16_t *build(const uint64_t *keys, uint32_t n, uint32_t m)
{
	uint16_t *t = malloc(m * sizeof(*t));

	assert_non_null(t);
	assert_int_equal(vs_maglev_build(keys, n, m, t), 0);
	return t;
}

static void test_balance(void **state)
{
	uint64_t keys[10];
	uint32_t m = vs_maglev_size(10, 0), count[10] = {0};
	uint16_t *t;

	(void)state;
	for (uint32_t i = 0; i < 10; i++)
		keys[i] = key(i);
	assert_true(m >= 640);
	t = build(keys, 10, m);
	for (uint32_t j = 0; j < m; j++) {
		assert_true(t[j] < 10);
		count[t[j]]++;
	}
	// Round-robin filling: every backend gets M/N slots, give or take one.
	for (uint32_t i = 0; i < 10; i++)
		assert_true(count[i] >= m / 10 - 1 && count[i] <= m / 10 + 1);
	free(t);
}

static void test_disruption(void **state)
{
	uint64_t keys[20], fewer[19], more[21];
	uint32_t m = vs_maglev_size(20, 0), moved = 0, lost = 0;
	uint16_t *a, *b, *c;

	(void)state;
	for (uint32_t i = 0; i < 21; i++)
		more[i] = key(i);
	for (uint32_t i = 0; i < 20; i++)
		keys[i] = key(i);
	// Remove backend 7: the others keep their slots (almost all of them).
	for (uint32_t i = 0, k = 0; i < 20; i++)
		if (i != 7)
			fewer[k++] = key(i);
	assert_int_equal(vs_maglev_size(19, m), m); // the size is kept
	a = build(keys, 20, m);
	b = build(fewer, 19, m);
	for (uint32_t j = 0; j < m; j++) {
		uint64_t before = keys[a[j]], after = fewer[b[j]];

		if (a[j] == 7)
			lost++;
		else if (before != after)
			moved++;
	}
	assert_true(lost > 0);
	// Flows of remaining backends that moved: a small fraction of the table.
	assert_true(moved * 100 < m * 5);
	// Adding a backend takes about 1/21 of the slots, mostly from everyone equally.
	c = build(more, 21, m);
	moved = 0;
	for (uint32_t j = 0; j < m; j++)
		if (keys[a[j]] != more[c[j]] && c[j] != 20)
			moved++;
	assert_true(moved * 100 < m * 5);
	free(a);
	free(b);
	free(c);
}

static void test_sizes(void **state)
{
	uint16_t t[67];
	uint64_t k = key(1);

	(void)state;
	assert_int_equal(vs_maglev_size(1, 0), 67);
	assert_int_equal(vs_maglev_build(&k, 1, 67, t), 0);
	for (int j = 0; j < 67; j++)
		assert_int_equal(t[j], 0);
	assert_int_equal(vs_maglev_build(&k, 0, 67, t), -22);
	assert_int_equal(vs_maglev_build(&k, 70000, 67, t), -22);
	// Grows when the count outgrows the table; a new size is a prime near 64 per backend.
	assert_int_not_equal(vs_maglev_size(100, 67), 67);
	assert_true(vs_maglev_size(100, 0) >= 6400 && vs_maglev_size(100, 0) < 6500);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_balance),
		cmocka_unit_test(test_disruption),
		cmocka_unit_test(test_sizes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
