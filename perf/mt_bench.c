// SPDX-License-Identifier: Apache-2.0
// Two-thread rows of pipeline_bench: see mt_bench.h and perf/README.md.
//
// Bridge "mt" has four mem ports. Worker w forwards known unicast between ports 2w and 2w+1
// with its own 1,024 MACs (512 behind each port), from its own pool of 65,536 pre-built
// 64-byte IPv4/UDP frames (4 MiB, walked in order, bursts alternating between its two
// ports), through vs_pmd_pipeline() on its own PMD context (its own counters, staging and
// learning ring). Nothing is shared between the workers but the configuration snapshot and
// the bridge's MAC table, both read-only here: per-core state, no locks, as in vswitchd with
// two PMD threads whose rx queues are on different ports.
#include "mt_bench.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <vs/compiler.h>
#include <vs/drops.h>

#include "../pmd/mem.h"
#include "../vswitch/cp/switch.h"
#include "../vswitch/dp/pmd.h"
#include "bench_common.h"

#define MT_LEN 64
#define MT_FRAMES 65536
#define MT_BURSTS (MT_FRAMES / VS_BURST)
#define MT_MACS 1024 // per worker, half behind each of its ports
#define MT_CHUNK 64  // bursts between two reads of the clock
#define MT_MAX_RUNS 101

struct worker {
	int id, cpu;
	struct vs_pmd *pmd;
	struct vs_port *port[2];
	uint8_t *frames;
	uint16_t in_port[MT_BURSTS];
	uint64_t macs[2][MT_MACS / 2];
	uint32_t pos;
	pthread_t thread;
	// Results of the last run.
	uint64_t packets;
	double wall_ns, cpu_ns;
	int err; // pthread or affinity error (errno value)
};

static struct {
	const struct vs_conf *conf;
	struct worker w[2];
	pthread_barrier_t start;
	double seconds;
} M;

static void die(const char *what, const char *msg)
{
	fprintf(stderr, "pipeline_bench: two-thread rows: %s: %s\n", what, msg);
	exit(1);
}

// Worker 'w''s MACs (distinct from every other row's: 0x06... is locally administered and
// used by no other row), frames and ingress ports.
static void fill(struct worker *w)
{
	for (uint32_t s = 0; s < 2; s++)
		for (uint32_t i = 0; i < MT_MACS / 2; i++)
			w->macs[s][i] = 0x060000000000ULL | (uint64_t)w->id << 24 | s << 16 | i;
	for (uint32_t b = 0; b < MT_BURSTS; b++) {
		unsigned side = b & 1;

		w->in_port[b] = w->port[side]->id;
		for (uint32_t j = 0; j < VS_BURST; j++) {
			uint32_t m = ((b >> 1) * VS_BURST + j) % (MT_MACS / 2);

			// The same frame as the single-thread unicast rows use.
			bench_udp_frame(w->frames + (size_t)(b * VS_BURST + j) * MT_LEN, MT_LEN,
					w->macs[!side][m], w->macs[side][m]);
		}
	}
}

static void bursts(struct worker *w, uint32_t n)
{
	struct vs_pkt *pkts = w->pmd->pkts;

	for (uint32_t k = 0; k < n; k++) {
		uint32_t b = w->pos;

		for (uint32_t i = 0; i < VS_BURST; i++) {
			pkts[i].data = w->frames + (size_t)(b * VS_BURST + i) * MT_LEN;
			pkts[i].len = MT_LEN;
			pkts[i].buf = b * VS_BURST + i;
		}
		vs_pmd_pipeline(w->pmd, M.conf, M.conf->ports[w->in_port[b]], VS_BURST);
		vs_mem_tx_clear(w->port[0]);
		vs_mem_tx_clear(w->port[1]);
		w->pos = (b + 1) % MT_BURSTS;
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	uint64_t t0, c0, budget = (uint64_t)(M.seconds * 1e9), n = 0;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(w->cpu, &set);
	w->err = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	vs_pmd_clock(w->pmd);
	bursts(w, MT_BURSTS); // untimed pass: the pool and the table into the caches
	pthread_barrier_wait(&M.start);
	t0 = bench_ns(CLOCK_MONOTONIC);
	c0 = bench_ns(CLOCK_THREAD_CPUTIME_ID);
	do {
		bursts(w, MT_CHUNK);
		n += MT_CHUNK * VS_BURST;
	} while (bench_ns(CLOCK_MONOTONIC) - t0 < budget);
	w->wall_ns = (double)(bench_ns(CLOCK_MONOTONIC) - t0);
	w->cpu_ns = (double)(bench_ns(CLOCK_THREAD_CPUTIME_ID) - c0);
	w->packets = n;
	return NULL;
}

// Runs 'n' workers at once; returns their summed rate in Mpps, and in '*cpu_mpps' the sum of
// their rates per second of CPU time they got.
static double run(int n, double *cpu_mpps)
{
	double mpps = 0;
	int ret;

	if ((ret = pthread_barrier_init(&M.start, NULL, (unsigned)n)) != 0)
		die("pthread_barrier_init", strerror(ret));
	for (int i = 0; i < n; i++)
		if ((ret = pthread_create(&M.w[i].thread, NULL, worker_main, &M.w[i])) != 0)
			die("pthread_create", strerror(ret));
	for (int i = 0; i < n; i++) {
		pthread_join(M.w[i].thread, NULL);
		if (M.w[i].err)
			die("cannot pin a worker", strerror(M.w[i].err));
		mpps += (double)M.w[i].packets / M.w[i].wall_ns * 1e3;
		*cpu_mpps += (double)M.w[i].packets / M.w[i].cpu_ns * 1e3;
	}
	pthread_barrier_destroy(&M.start);
	return mpps;
}

// Every frame forwarded once, none dropped, nothing to learn.
static void check(void)
{
	uint64_t rx = 0, tx = 0, drops = 0;

	for (int i = 0; i < 2; i++) {
		if (M.w[i].pmd->learn->tail != 0)
			die("check", "a MAC was not known (learning requests)");
		for (int p = 0; p < 2; p++) {
			struct vs_port_counters c;

			vs_port_counters_sum(M.w[i].port[p], &c);
			rx += c.rx_packets;
			tx += c.tx_packets;
			for (int d = 0; d < VS_DROP_MAX; d++)
				drops += c.drops[d];
		}
	}
	if (drops || rx != tx)
		die("check", "frames dropped or not forwarded once");
}

void mt_bench(struct vs_switch *sw, double seconds, int runs, int cpu, int cpu2)
{
	struct vs_opt opt = {.key = "tx-ring", .val = "4096"};
	struct vs_bridge_opts o = {0};
	double one[MT_MAX_RUNS], two[MT_MAX_RUNS], on1[MT_MAX_RUNS], on2[2][MT_MAX_RUNS];
	double per[2][MT_MAX_RUNS], c1[MT_MAX_RUNS], c2[MT_MAX_RUNS];
	char err[256], name[32];
	struct vs_fdb *fdb;

	printf("\ntwo threads: known unicast, 1k MACs per thread, through vs_pmd_pipeline()\n");
	if (cpu2 < 0) {
		printf("skipped: only one CPU may be used (see --cpu2)\n");
		return;
	}
	if (runs > MT_MAX_RUNS)
		runs = MT_MAX_RUNS;
	M.seconds = seconds;
	if (vs_switch_add_bridge(sw, "mt", &o, err, sizeof(err)) < 0)
		die("add bridge", err);
	for (int i = 0; i < 2; i++) {
		struct worker *w = &M.w[i];

		w->id = i;
		w->cpu = i ? cpu2 : cpu;
		// PMD ids 1 and 2: counters and learning rings apart from the other rows' (id 0).
		w->pmd = vs_pmd_create((uint16_t)(i + 1), w->cpu);
		w->frames = aligned_alloc(VS_CACHE_LINE, (size_t)MT_FRAMES * MT_LEN);
		if (w->pmd == NULL || w->frames == NULL)
			die("set-up", strerror(errno));
		for (int p = 0; p < 2; p++) {
			snprintf(name, sizeof(name), "mt-%d", 2 * i + p);
			if (vs_switch_add_port(sw, "mt", name, "mem", &opt, 1, err, sizeof(err)) < 0)
				die("add port", err);
			w->port[p] = sw->ports[vs_switch_port_id(sw, name)];
		}
	}
	fdb = vs_switch_bridge(sw, "mt")->fdb;
	for (int i = 0; i < 2; i++) {
		fill(&M.w[i]);
		for (int s = 0; s < 2; s++)
			for (uint32_t m = 0; m < MT_MACS / 2; m++)
				if (vs_fdb_learn(fdb, M.w[i].macs[s][m], M.w[i].port[s]->id,
						 vs_now_s()) < 0)
					die("learn", "the MAC table is full");
	}
	M.conf = vs_conf_current();

	// Run i of one thread, then run i of two: noise lasting seconds hits both rows.
	for (int r = 0; r < runs; r++) {
		c1[r] = c2[r] = 0;
		one[r] = run(1, &c1[r]);
		on1[r] = M.w[0].cpu_ns / M.w[0].wall_ns * 100;
		two[r] = run(2, &c2[r]);
		for (int i = 0; i < 2; i++) {
			per[i][r] = (double)M.w[i].packets / M.w[i].wall_ns * 1e3;
			on2[i][r] = M.w[i].cpu_ns / M.w[i].wall_ns * 100;
		}
		check();
	}
	printf("each thread: its own PMD context, 4 MiB frame pool and two mem ports of bridge "
	       "\"mt\" (shared MAC table);\nmedian of %d runs of %.2f s per row, the rows taking "
	       "turns; on-cpu = share of the run the thread got its CPU;\ncpu Mpps = the "
	       "threads' rates per second of CPU time they got (summed), for a shared machine\n",
	       runs, seconds);
	printf("%-28s %8s %9s %s\n", "row", "Mpps", "cpu Mpps", "on-cpu");
	{
		double m1 = bench_median(one, runs), m2 = bench_median(two, runs);
		double k1 = bench_median(c1, runs), k2 = bench_median(c2, runs);
		double p0 = bench_median(per[0], runs), p1 = bench_median(per[1], runs);
		char label[64];

		snprintf(label, sizeof(label), "1 thread (CPU %d)", cpu);
		printf("%-28s %8.2f %9.2f %5.1f%%\n", label, m1, k1, bench_median(on1, runs));
		snprintf(label, sizeof(label), "2 threads (CPUs %d and %d)", cpu, cpu2);
		printf("%-28s %8.2f %9.2f %5.1f%% / %.1f%% (CPU %d: %.2f Mpps, CPU %d: %.2f)\n",
		       label, m2, k2, bench_median(on2[0], runs), bench_median(on2[1], runs), cpu, p0, cpu2,
		       p1);
		printf("2 threads / 1 thread: %.2f (cpu Mpps: %.2f; 2.00 = linear scaling)\n",
		       m2 / m1, k2 / k1);
	}
	for (int i = 0; i < 2; i++) {
		vs_pmd_destroy(M.w[i].pmd);
		free(M.w[i].frames);
	}
}
