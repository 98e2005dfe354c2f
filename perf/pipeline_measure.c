// SPDX-License-Identifier: Apache-2.0
// pipeline_bench: measuring a row. A run times bursts of the row for --seconds (or a fixed
// --bursts) after one untimed pass over the pool, checks that the work took the path the row
// is about (nothing learned, dropped or changed by the checksum stage, the expected number
// of copies out), and the median of the runs is printed.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vs/drops.h>

#include "../pmd/port.h"
#include "bench_common.h"
#include "pipeline_bench.h"

// Sums the counters of the ports of 't'.
static void topo_counters(const struct topo *t, uint64_t *rx, uint64_t *tx, uint64_t *drops)
{
	*rx = *tx = *drops = 0;
	for (uint16_t p = 0; p < t->n_ports; p++) {
		struct vs_port_counters c;

		vs_port_counters_sum(t->port[p], &c);
		*rx += c.rx_packets;
		*tx += c.tx_packets;
		for (int d = 0; d < VS_DROP_MAX; d++)
			*drops += c.drops[d];
	}
}

// Checks that the measured work took the path the row is about.
static void check_row(const struct row *r, const uint64_t before[3], uint32_t learn_tail)
{
	uint64_t now[3];

	if (pb.pmd->learn->tail != learn_tail)
		die("%s: %u learning requests during the run: some MAC was not known", r->label,
		    pb.pmd->learn->tail - learn_tail);
	if (r->csum_out)
		die("%s: the checksum stage changed %llu frames", r->label,
		    (unsigned long long)r->csum_out);
	if (r->kind == K_L2 && r->topo->macvlan) {
		mv_check_l2(r);
	} else if (r->kind == K_L2) {
		for (uint32_t i = 0; i < POOL_FRAMES; i++) {
			const struct vs_pkt *p = &pb.meta[i];
			uint16_t want =
				p->in_port == r->topo->id[0] ? r->topo->id[1] : r->topo->id[0];

			if (p->drop != VS_DROP_NONE || p->out_port != want)
				die("%s: packet %u: drop %u, out_port %u (expected %u)", r->label,
				    i, p->drop, p->out_port, want);
		}
	}
	if (r->kind != K_FULL && r->kind != K_OUTPUT && r->kind != K_MV_FULL &&
	    r->kind != K_VX_ENCAP && r->kind != K_VX_DECAP && r->kind != K_VX_PLAIN)
		return;
	topo_counters(r->topo, &now[0], &now[1], &now[2]);
	if (now[2] != before[2])
		die("%s: %llu packets dropped", r->label, (unsigned long long)(now[2] - before[2]));
	if ((r->kind == K_FULL || r->kind == K_MV_FULL || r->kind == K_VX_ENCAP ||
	     r->kind == K_VX_DECAP || r->kind == K_VX_PLAIN) &&
	    now[1] - before[1] != (now[0] - before[0]) * r->copies)
		die("%s: %llu packets in, %llu out, expected %u out per packet", r->label,
		    (unsigned long long)(now[0] - before[0]),
		    (unsigned long long)(now[1] - before[1]), r->copies);
}

void measure(struct row *r, int i)
{
	uint64_t budget = (uint64_t)(pb.seconds * pb.tick_hz), before[3], t0, t1, n = 0;
	uint64_t c0, c1;
	uint32_t learn_tail;

	prepare(r);
	topo_counters(r->topo, &before[0], &before[1], &before[2]);
	learn_tail = pb.pmd->learn->tail;
	vs_pmd_clock(pb.pmd);
	run_bursts(r, POOL_BURSTS);
	c0 = bench_ns(CLOCK_THREAD_CPUTIME_ID);
	t0 = ticks();
	if (pb.bursts) { // a fixed amount of work, e.g. for instruction counts (perf/callgrind.sh)
		for (uint64_t k = 0; k < pb.bursts; k += CHUNK)
			run_bursts(r, (uint32_t)(pb.bursts - k < CHUNK ? pb.bursts - k : CHUNK));
		n = pb.bursts * VS_BURST;
		t1 = ticks();
	} else {
		do {
			run_bursts(r, CHUNK);
			n += CHUNK * VS_BURST;
			t1 = ticks();
		} while (t1 - t0 < budget);
	}
	c1 = bench_ns(CLOCK_THREAD_CPUTIME_ID);
	r->wall_ns += (double)(t1 - t0) / pb.tick_hz * 1e9;
	r->cpu_ns += (double)(c1 - c0);
	r->cpu_pp[i] = (double)(c1 - c0) / (double)n;
	r->res[i].packets = n;
	r->res[i].ticks_per_pkt = (double)(t1 - t0) / (double)n;
	r->tpp[i] = r->res[i].ticks_per_pkt;
	check_row(r, before, learn_tail);
}

static int cmp_result(const void *a, const void *b)
{
	const struct result *x = a, *y = b;

	return (x->ticks_per_pkt > y->ticks_per_pkt) - (x->ticks_per_pkt < y->ticks_per_pkt);
}

void report(struct row *r)
{
	struct result *res = r->res, *mid;
	double med, ns, spread;

	qsort(res, (size_t)pb.runs, sizeof(res[0]), cmp_result);
	mid = &res[(pb.runs - 1) / 2];
	med = pb.runs % 2 ? mid->ticks_per_pkt : (mid[0].ticks_per_pkt + mid[1].ticks_per_pkt) / 2;
	ns = med / pb.tick_hz * 1e9;
	r->med_ns = ns;
	spread = (res[pb.runs - 1].ticks_per_pkt - res[0].ticks_per_pkt) / med * 100;
	printf("%-24s %11llu %8.2f %10.1f %8.2f %7.1f%% %6.1f%%\n", r->label,
	       (unsigned long long)mid->packets, ns, med, 1e3 / ns, spread,
	       r->cpu_ns / r->wall_ns * 100);
}

double calibrate(void)
{
	uint64_t n0, n1, t0, t1;

	n0 = bench_ns(CLOCK_MONOTONIC);
	t0 = ticks();
	do
		n1 = bench_ns(CLOCK_MONOTONIC);
	while (n1 - n0 < 200000000u);
	t1 = ticks();
	n1 = bench_ns(CLOCK_MONOTONIC);
	return (double)(t1 - t0) / ((double)(n1 - n0) / 1e9);
}

double clock_cost_ns(void)
{
	uint64_t t0 = ticks();
	const int n = 1000000;

	for (int i = 0; i < n; i++)
		vs_pmd_clock(pb.pmd);
	return (double)(ticks() - t0) / n / pb.tick_hz * 1e9;
}

bool row_selected(const struct row *r)
{
	return pb.only_row == NULL || strcmp(r->label, pb.only_row) == 0;
}

const struct row *measured_row(const struct row *rows, size_t n, const char *label)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(rows[i].label, label) == 0 && rows[i].kind != K_SKIP &&
		    row_selected(&rows[i]))
			return &rows[i];
	return NULL;
}

double median_cpu_pp(const struct row *r)
{
	double v[MAX_RUNS];

	memcpy(v, r->cpu_pp, sizeof(v[0]) * (size_t)pb.runs);
	return bench_median(v, pb.runs);
}
