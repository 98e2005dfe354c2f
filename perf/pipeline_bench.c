// SPDX-License-Identifier: Apache-2.0
// pipeline_bench: in-memory microbenchmark of the datapath pipeline on one pinned core.
//
// No kernel device and no PMD thread. The switch is set up as in a unit test
// (bridges of "mem" ports, one PMD context that is never started) and every
// burst of VS_BURST pre-built frames goes through vs_pmd_pipeline() in
// vswitch/dp/pmd.c (or, in the stage-only rows, one stage function). The mem driver's rx copy
// (vs_mem_inject) is bypassed: packets point straight at the pre-built frames,
// as they would at the buffers of a zero-copy driver. Its tx copy (a memcpy
// of each frame into the tx ring) is kept: every real port pays a copy or a
// descriptor write there. See perf/README.md for what each row means.
//
// Usage: pipeline_bench [--cpu N] [--seconds S] [--runs N]
//
// The sources are listed in pipeline_bench.h; this file holds the options, the CPU pinning and
// the order of the set-up and of the rows' runs.
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vs/log.h>

#include "../pmd/mem.h"
#include "../pmd/port.h"
#include "mt_bench.h"
#include "pipeline_bench.h"
#include "svc_bench.h"

struct pipeline_bench pb;

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "pipeline_bench: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

// --- CPU ---------------------------------------------------------------------

static int last_allowed_cpu(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		die("sched_getaffinity: %s", strerror(errno));
	for (int c = CPU_SETSIZE - 1; c >= 0; c--)
		if (CPU_ISSET(c, &set))
			return c;
	die("no CPU in the affinity mask");
	return -1;
}

// The first CPU this process may use other than 'cpu', -1 if none.
static int other_allowed_cpu(int cpu)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		die("sched_getaffinity: %s", strerror(errno));
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (c != cpu && CPU_ISSET(c, &set))
			return c;
	return -1;
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) < 0)
		die("cannot pin to CPU %d: %s", cpu, strerror(errno));
}

// The model name of 'cpu' from /proc/cpuinfo (the first one listed if 'cpu' is not found).
static void cpu_model(int cpu, char *out, size_t len)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[512];
	int cur = -1;

	snprintf(out, len, "unknown");
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *v = strchr(line, ':');

		if (v == NULL)
			continue;
		v++;
		v += strspn(v, " \t");
		v[strcspn(v, "\n")] = '\0';
		if (strncmp(line, "processor", 9) == 0) {
			cur = atoi(v);
		} else if (strncmp(line, "model name", 10) == 0 &&
			   (cur == cpu || strcmp(out, "unknown") == 0)) {
			snprintf(out, len, "%s", v);
			if (cur == cpu)
				break;
		}
	}
	fclose(f);
}

// --- main --------------------------------------------------------------------

static void usage(FILE *f)
{
	fprintf(f, "usage: pipeline_bench [--cpu N] [--seconds S] [--runs N]\n"
		   "  --cpu N      pin to CPU N (default: the last CPU this process may use)\n"
		   "  --seconds S  length of one run of a row (default 0.5)\n"
		   "  --runs N     runs per row, the median is printed (default 5)\n"
		   "  --row LABEL  measure only the row named LABEL (as printed)\n"
		   "  --bursts N   time N bursts per run instead of --seconds (fixed work)\n"
		   "  --no-services  skip the service rows (loading them takes seconds)\n"
		   "  --cpu2 N     CPU of the second thread of the two-thread rows (default: the\n"
		   "               first other CPU this process may use)\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"cpu", required_argument, NULL, 'c'},
		{"seconds", required_argument, NULL, 's'},
		{"runs", required_argument, NULL, 'r'},
		{"row", required_argument, NULL, 'o'},
		{"bursts", required_argument, NULL, 'b'},
		{"help", no_argument, NULL, 'h'},
		{"no-services", no_argument, NULL, 'n'},
		{"cpu2", required_argument, NULL, '2'},
		{NULL, 0, NULL, 0},
	};
	char model[256], *end;
	int cpu = -1, opt;

	pb.seconds = 0.5;
	pb.runs = 5;
	pb.cpu2 = -1;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			cpu = (int)strtol(optarg, &end, 10);
			if (*end || end == optarg || cpu < 0 || cpu >= CPU_SETSIZE)
				die("invalid --cpu: %s", optarg);
			break;
		case 's':
			pb.seconds = strtod(optarg, &end);
			if (*end || end == optarg || !(pb.seconds > 0 && pb.seconds <= 3600))
				die("invalid --seconds: %s", optarg);
			break;
		case 'r':
			pb.runs = (int)strtol(optarg, &end, 10);
			if (*end || end == optarg || pb.runs < 1 || pb.runs > MAX_RUNS)
				die("invalid --runs: %s (1-%d)", optarg, MAX_RUNS);
			break;
		case 'o':
			pb.only_row = optarg;
			break;
		case 'b':
			pb.bursts = strtoull(optarg, &end, 10);
			if (*end || end == optarg || pb.bursts == 0 || pb.bursts > (1ull << 40))
				die("invalid --bursts: %s", optarg);
			break;
		case 'n':
			pb.no_services = true;
			break;
		case '2':
			pb.cpu2 = (int)strtol(optarg, &end, 10);
			if (*end || end == optarg || pb.cpu2 < 0 || pb.cpu2 >= CPU_SETSIZE)
				die("invalid --cpu2: %s", optarg);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (cpu < 0)
		cpu = last_allowed_cpu();
	if (pb.cpu2 < 0)
		pb.cpu2 = other_allowed_cpu(cpu);
	else if (pb.cpu2 == cpu)
		die("--cpu2 must differ from --cpu (%d)", cpu);
	pin(cpu);
	cpu_model(cpu, model, sizeof(model));

	vs_log_level = VS_LOG_WARN;
	vs_switch_init(&pb.sw);
	vs_port_driver_register(&vs_mem_ops);
	pb.pmd = vs_pmd_create(0, -1);
	if (pb.pmd == NULL)
		die("vs_pmd_create: %s", strerror(errno));
	pb.sw.pmds[0] = pb.pmd;
	pb.sw.n_pmds = 1;
	rows_add_topos();
	pool_init();
	rows_add_late_topos();
	pb.conf = vs_conf_current();
	pb.tick_hz = calibrate();

	printf("vswitch pipeline_bench: datapath pipeline in memory, one core, no kernel I/O\n");
	printf("cpu %d: %s\n", cpu, model);
	printf("%s %.1f MHz (calibrated against CLOCK_MONOTONIC); cycles below are %s ticks\n",
	       TICK_NAME, pb.tick_hz / 1e6, TICK_NAME);
	printf("%d-byte IPv4/UDP frames, bursts of %d, a pool of %d frames (%d KiB) walked in "
	       "order\n",
	       FRAME_LEN, VS_BURST, POOL_FRAMES, POOL_FRAMES * FRAME_LEN / 1024);
	printf("median of %d runs of %.2f s per row, the rows taking turns; spread = (slowest - "
	       "fastest) / median;\non-cpu = share of the runs' time this thread got the CPU "
	       "(below ~99%%: the CPU was shared, numbers are inflated)\n\n",
	       pb.runs, pb.seconds);
	printf("%-24s %11s %8s %10s %8s %8s %7s\n", "row", "packets", "ns/pkt", "cycles/pkt",
	       "Mpps", "spread", "on-cpu");

	if (pb.only_row) { // the row must exist; only its bridge is learned and only it is measured
		struct topo *t = NULL;

		for (size_t i = 0; i < pb_n_rows; i++)
			if (strcmp(pb_rows[i].label, pb.only_row) == 0)
				t = pb_rows[i].topo;
		if (t == NULL)
			die("no row named '%s'", pb.only_row);
		for (size_t i = 0; i < pb_n_rows; i++)
			if (pb_rows[i].topo != t)
				pb_rows[i].kind = K_SKIP;
	}
	// Learn the MACs of each bridge from the frames of its first row.
	for (size_t i = 0; i < pb_n_rows; i++) {
		if (pb_rows[i].kind != K_FULL)
			continue;
		// A table larger than the pool is learned in several pools, the last one checked.
		for (uint32_t m = POOL_FRAMES; m < pb_rows[i].n_macs; m += POOL_FRAMES) {
			prepare(&pb_rows[i]);
			learn(pb_rows[i].topo, 0);
		}
		prepare(&pb_rows[i]);
		learn(pb_rows[i].topo, pb_rows[i].n_macs ? pb_rows[i].n_macs : 1);
	}
	// Run i of every row, then run i + 1: noise lasting seconds spreads over all rows.
	for (int i = 0; i < pb.runs; i++)
		for (size_t r = 0; r < pb_n_rows; r++)
			if (row_selected(&pb_rows[r]))
				measure(&pb_rows[r], i);
	for (size_t r = 0; r < pb_n_rows; r++)
		if (row_selected(&pb_rows[r]))
			report(&pb_rows[r]);
	vxlan_summary(pb_rows, pb_n_rows);
	printf("\nvs_pmd_clock(), paid once per PMD loop iteration outside these rows: %.1f ns\n",
	       clock_cost_ns());
	if (!pb.no_services)
		svc_bench(&pb.sw, pb.pmd, pb.tick_hz, pb.seconds, pb.runs);
	if (pb.only_row == NULL)
		mt_bench(&pb.sw, pb.seconds, pb.runs, cpu, pb.cpu2);

	vs_switch_clear(&pb.sw);
	vs_conf_free(vs_conf_publish(NULL));
	vs_pmd_destroy(pb.pmd);
	pool_free();
	vxlan_free();
	return 0;
}
