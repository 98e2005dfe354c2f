// SPDX-License-Identifier: Apache-2.0
// Shared cmocka fixture of the pipeline unit tests (see swfix.h).
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <vs/log.h>

#include "swfix.h"

struct vs_switch sw;
struct vs_pmd *pmd;
bool swfix_housekeeping;

void swfix_setup(int log_level)
{
	vs_log_level = log_level;
	swfix_housekeeping = false;
	vs_switch_init(&sw);
	vs_port_driver_register(&vs_mem_ops);
	pmd = vs_pmd_create(0, -1);
	assert_non_null(pmd);
	sw.pmds[0] = pmd;
	sw.n_pmds = 1;
}

void swfix_teardown(void)
{
	vs_switch_clear(&sw);
	vs_pmd_destroy(pmd);
}

void add_br(const char *name)
{
	struct vs_bridge_opts o = {0};
	char err[256];

	if (vs_switch_add_bridge(&sw, name, &o, err, sizeof(err)) != 0)
		fail_msg("add-br %s: %s", name, err);
}

struct vs_port *P(const char *name)
{
	int id = vs_switch_port_id(&sw, name);

	if (id < 0)
		fail_msg("no port %s", name);
	return sw.ports[id];
}

uint32_t run(void)
{
	uint32_t total = 0, n;

	while ((n = vs_pmd_poll_once(pmd, vs_conf_current())) > 0)
		total += n;
	if (swfix_housekeeping)
		vs_switch_housekeeping(&sw);
	return total;
}

void tx_frame_len(const char *port, uint64_t dst, uint64_t src, uint32_t len)
{
	struct pb b;

	pb_simple(&b, dst, src, len);
	assert_int_equal(vs_mem_inject(P(port), b.buf, b.len), 0);
	assert_int_equal(run(), 1);
}

void tx_frame(const char *port, uint64_t dst, uint64_t src)
{
	tx_frame_len(port, dst, src, 64);
}

uint32_t ntx(const char *port)
{
	return vs_mem_tx_count(P(port));
}

void clear_tx(void)
{
	for (unsigned i = 0; i < VS_MAX_PORTS; i++)
		if (sw.ports[i] != NULL)
			vs_mem_tx_clear(sw.ports[i]);
}

uint64_t port_drops(struct vs_port *port, enum vs_drop d)
{
	struct vs_port_counters c;

	vs_port_counters_sum(port, &c);
	return c.drops[d];
}

