// SPDX-License-Identifier: Apache-2.0
// Unit tests of NUMA-aware rx queue placement (vswitch/cp/switch.c): a port whose device is
// on a known NUMA node is polled by PMD threads on that node when there are any; ports on
// an unknown node (or a node without PMD threads) are spread over all threads. Also checks
// that pmd-stats reports the nodes.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <vs/log.h>

#include "pmd/mem.h"
#include "vswitch/cp/query.h"
#include "vswitch/cp/switch.h"

static struct vs_switch sw;
static char err[256];

// Four PMD threads (not started): 0 and 1 on node 0, 2 and 3 on node 1.
static int setup(void **state)
{
	(void)state;
	vs_log_level = VS_LOG_WARN;
	vs_switch_init(&sw);
	vs_port_driver_register(&vs_mem_ops);
	for (uint16_t p = 0; p < 4; p++) {
		sw.pmds[p] = vs_pmd_create(p, -1);
		assert_non_null(sw.pmds[p]);
		sw.pmds[p]->numa_node = p / 2;
	}
	sw.n_pmds = 4;
	assert_int_equal(
		vs_switch_add_bridge(&sw, "br0", &(struct vs_bridge_opts){0}, err, sizeof(err)), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vs_switch_clear(&sw);
	for (unsigned p = 0; p < 4; p++)
		vs_pmd_destroy(sw.pmds[p]);
	vs_conf_free(vs_conf_publish(NULL));
	return 0;
}

// Adds a mem port and puts its device on 'node'; returns it.
static struct vs_port *add(const char *name, int node)
{
	int id;

	assert_int_equal(vs_switch_add_port(&sw, "br0", name, "mem", NULL, 0, err, sizeof(err)), 0);
	id = vs_switch_port_id(&sw, name);
	assert_true(id >= 0);
	sw.ports[id]->numa_node = node;
	assert_int_equal(vs_switch_publish(&sw), 0);
	return sw.ports[id];
}

// The PMD thread that polls queue 0 of 'port' in the current snapshot, or -1.
static int poller(const struct vs_port *port)
{
	const struct vs_conf *conf = vs_conf_current();

	for (unsigned p = 0; p < conf->n_pmds; p++)
		for (uint16_t i = 0; i < conf->pmd[p].n_rxq; i++)
			if (conf->pmd[p].rxq[i].port == port)
				return (int)p;
	return -1;
}

static void test_local_node(void **state)
{
	struct vs_port *a, *b, *c, *d;

	(void)state;
	a = add("a", 1);
	b = add("b", 1);
	c = add("c", 0);
	d = add("d", 1);
	// Node 1 ports on threads 2 and 3, round-robin; the node 0 port on 0 or 1.
	assert_true(poller(a) >= 2);
	assert_true(poller(b) >= 2);
	assert_true(poller(d) >= 2);
	assert_int_not_equal(poller(a), poller(b));
	assert_true(poller(c) >= 0 && poller(c) <= 1);
}

static void test_unknown_or_remote_node(void **state)
{
	struct vs_port *ports[8];
	int seen[4] = {0};
	char name[8];

	(void)state;
	// Unknown node (-1) and a node without PMD threads (5): every thread gets some.
	for (int i = 0; i < 8; i++) {
		snprintf(name, sizeof(name), "u%d", i);
		ports[i] = add(name, i % 2 ? -1 : 5);
	}
	for (int i = 0; i < 8; i++) {
		int p = poller(ports[i]);

		assert_true(p >= 0 && p < 4);
		seen[p]++;
	}
	for (int p = 0; p < 4; p++)
		assert_true(seen[p] > 0);
}

static void test_pmd_stats_report_nodes(void **state)
{
	struct vs_port *a;
	json_t *pmds, *rxq;
	int p;

	(void)state;
	a = add("a", 1);
	p = poller(a);
	pmds = vs_query_pmd_stats(&sw);
	assert_int_equal(
		json_integer_value(json_object_get(json_array_get(pmds, (size_t)p), "numa")), 1);
	rxq = json_array_get(json_object_get(json_array_get(pmds, (size_t)p), "rxqs"), 0);
	assert_string_equal(json_string_value(json_object_get(rxq, "port")), "a");
	assert_int_equal(json_integer_value(json_object_get(rxq, "numa")), 1);
	json_decref(pmds);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_local_node, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_or_remote_node, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pmd_stats_report_nodes, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
