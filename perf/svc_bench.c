// SPDX-License-Identifier: Apache-2.0
// Service rows of pipeline_bench: see svc_bench.h and perf/README.md.
//
// Every row sends 64-byte IPv4/UDP frames from port "svc-c" (the client side) through
// vs_pmd_pipeline() and restores each frame from a pristine copy before it is used again
// (the DNAT rewrites it in place): a 64-byte copy per packet, paid by every row alike.
#include "svc_bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <vs/compiler.h>
#include <vs/drops.h>

#include "../pmd/mem.h"
#include "../vswitch/cp/service.h"
#include "../vswitch/cp/switch.h"
#include "../vswitch/dp/pmd.h"
#include "bench_common.h"

#define N_SVC 10000
#define N_BACKENDS_PER 10
#define FLOWS 1024	     // established flows, over all services
#define NEW_CONNS (1u << 20) // connections set up per run of the setup row
#define CT_SIZE (2u << 20)
#define LEN 64
#define MAC_C 0x02000000c001ULL
#define MAC_B 0x02000000b001ULL

static struct {
	struct vs_switch *sw;
	struct vs_pmd *pmd;
	struct vs_port *pc, *pb, *lc, *lb;
	uint8_t *pristine; // FLOWS frames
	uint8_t *frames;   // FLOWS frames
	double tick_hz;
} S;

static void die(const char *what, const char *msg)
{
	fprintf(stderr, "pipeline_bench: service rows: %s: %s\n", what, msg);
	exit(1);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void put32(uint8_t *p, uint32_t v)
{
	bench_put16(p, (uint16_t)(v >> 16));
	bench_put16(p + 2, (uint16_t)v);
}

// A 64-byte UDP frame with valid checksums.
static void frame(uint8_t *f, uint64_t dmac, uint32_t src, uint32_t dst, uint16_t sp, uint16_t dp)
{
	uint8_t *ip = f + 14, *u = ip + 20;
	uint32_t sum;

	memset(f, 0, LEN);
	bench_put_mac(f, dmac);
	bench_put_mac(f + 6, MAC_C);
	bench_put16(f + 12, 0x0800);
	ip[0] = 0x45;
	bench_put16(ip + 2, LEN - 14);
	ip[8] = 64;
	ip[9] = 17;
	put32(ip + 12, src);
	put32(ip + 16, dst);
	bench_put16(ip + 10, bench_csum_finish(bench_csum_acc(0, ip, 20)));
	bench_put16(u, sp);
	bench_put16(u + 2, dp);
	bench_put16(u + 4, LEN - 34);
	sum = (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + 17 + LEN - 34;
	bench_put16(u + 6, bench_csum_finish(bench_csum_acc(sum, u, LEN - 34)));
}

static uint32_t vip(uint32_t i)
{
	return 0x0a010000u + i + 1; // 10.1.x.y
}

static uint32_t backend(uint32_t i, uint32_t j)
{
	return 0x0a020000u + i * N_BACKENDS_PER + j + 1; // 10.2.x.y
}

static void method(const char *m, const char *params)
{
	json_t *p = json_loads(params, 0, NULL), *res = json_object();
	const char *code;
	char msg[512];

	if (p == NULL || vs_service_method(S.sw, m, p, res, &code, msg, sizeof(msg)) < 0)
		die(m, p ? msg : "bad JSON");
	json_decref(p);
	json_decref(res);
}

// Writes the services file and loads it; returns the seconds load-services took.
static double load(void)
{
	char path[] = "/tmp/svc_bench.XXXXXX", params[256];
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	double t0;

	if (f == NULL)
		die("mkstemp", path);
	for (uint32_t i = 0; i < N_SVC; i++) {
		uint32_t v = vip(i);

		fprintf(f, "s%u vip=%u.%u.%u.%u:80 proto=udp backends=", i, v >> 24,
			(v >> 16) & 255, (v >> 8) & 255, v & 255);
		for (uint32_t j = 0; j < N_BACKENDS_PER; j++) {
			uint32_t b = backend(i, j);

			fprintf(f, "%s%u.%u.%u.%u:8080", j ? "," : "", b >> 24, (b >> 16) & 255,
				(b >> 8) & 255, b & 255);
		}
		fputc('\n', f);
	}
	fclose(f);
	snprintf(params, sizeof(params), "{\"bridge\":\"svc\",\"file\":\"%s\"}", path);
	t0 = now_s();
	method("load-services", params);
	t0 = now_s() - t0;
	unlink(path);
	return t0;
}

static void add_bridge(const char *name, struct vs_port **c, struct vs_port **b)
{
	struct vs_bridge_opts o = {.conntrack_size = CT_SIZE};
	struct vs_opt opt = {.key = "tx-ring", .val = "4096"};
	char err[256], pn[32];

	if (vs_switch_add_bridge(S.sw, name, &o, err, sizeof(err)) < 0)
		die("add bridge", err);
	snprintf(pn, sizeof(pn), "%s-c", name);
	if (vs_switch_add_port(S.sw, name, pn, "mem", &opt, 1, err, sizeof(err)) < 0)
		die("add port", err);
	*c = S.sw->ports[vs_switch_port_id(S.sw, pn)];
	snprintf(pn, sizeof(pn), "%s-b", name);
	if (vs_switch_add_port(S.sw, name, pn, "mem", &opt, 1, err, sizeof(err)) < 0)
		die("add port", err);
	*b = S.sw->ports[vs_switch_port_id(S.sw, pn)];
	if (vs_fdb_add_static(vs_switch_bridge(S.sw, name)->fdb, MAC_B, (*b)->id) < 0 ||
	    vs_fdb_add_static(vs_switch_bridge(S.sw, name)->fdb, MAC_C, (*c)->id) < 0)
		die("fdb", name);
}

// Runs burst 'k' of the frames received on 'port', then restores them for their next turn
// (restoring them just before would make the pipeline's first reads wait for the copy).
static inline void burst(struct vs_port *port, uint32_t k)
{
	struct vs_pkt *pkts = S.pmd->pkts;
	uint32_t base = (k * VS_BURST) % FLOWS;

	for (uint32_t i = 0; i < VS_BURST; i++) {
		pkts[i].data = S.frames + (size_t)(base + i) * LEN;
		pkts[i].len = LEN;
		pkts[i].buf = base + i;
	}
	vs_pmd_pipeline(S.pmd, vs_conf_current(), port, VS_BURST);
	memcpy(S.frames + (size_t)base * LEN, S.pristine + (size_t)base * LEN,
	       (size_t)VS_BURST * LEN);
	vs_mem_tx_clear(S.lb);
	vs_mem_tx_clear(S.pb);
}

// CPU time of this thread in ns: the machine may be shared, and time spent descheduled
// must not count.
static double cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

// 64 bursts (two passes over the FLOWS frames) on 'port'. Not inlined, one function per
// row, so that callgrind can count one row's instructions: valgrind --tool=callgrind
// --toggle-collect=svc_chunk_est (or svc_chunk_l2), total Ir / (calls x 2048) packets.
static __attribute__((noinline)) void svc_chunk_l2(uint32_t *k)
{
	for (int c = 0; c < 64; c++)
		burst(S.lc, (*k)++);
}

static __attribute__((noinline)) void svc_chunk_est(uint32_t *k)
{
	for (int c = 0; c < 64; c++)
		burst(S.pc, (*k)++);
}

// CPU ns per packet of bursts on 'port' for 'seconds' of CPU time.
static double timed(struct vs_port *port, double seconds)
{
	double t0 = cpu_ns(), t1;
	uint64_t n = 0;
	uint32_t k = 0;

	do {
		if (port == S.pc)
			svc_chunk_est(&k);
		else
			svc_chunk_l2(&k);
		n += 64 * VS_BURST;
		t1 = cpu_ns();
	} while (t1 - t0 < seconds * 1e9);
	return (t1 - t0) / (double)n;
}

// Connection setup: NEW_CONNS packets of distinct 5-tuples to the 10,000 VIPs.
static double setup_run(void)
{
	struct vs_svc_br *dp = vs_services_dp(vs_switch_bridge(S.sw, "svc")->services);
	struct vs_ct *ct = dp->ct;
	double t0, t1;

	method("conntrack-flush", "{\"bridge\":\"svc\"}");
	vs_switch_housekeeping(S.sw);
	// A fresh table, its pages already faulted in, as in a running switch.
	{
		struct vs_bridge_opts o = {.conntrack_size =
						   ct->cap == CT_SIZE ? CT_SIZE + 1 : CT_SIZE};
		char err[256];

		if (vs_services_set_opts(vs_switch_bridge(S.sw, "svc")->services, &o, err,
					 sizeof(err)) < 0)
			die("conntrack-size", err);
		ct = dp->ct;
		memset(ct->conns, 0, (size_t)ct->cap * sizeof(ct->conns[0]));
		memset(ct->words, 0, (size_t)(ct->mask + 1) * VS_CT_BUCKET * sizeof(uint64_t));
	}
	t0 = cpu_ns();
	for (uint32_t k = 0; k < NEW_CONNS / VS_BURST; k++) {
		struct vs_pkt *pkts = S.pmd->pkts;
		uint32_t base = (k * VS_BURST) % FLOWS;

		for (uint32_t i = 0; i < VS_BURST; i++) {
			uint8_t *f = S.frames + (size_t)(base + i) * LEN;
			uint32_t c = k * VS_BURST + i;

			// A new client address and port for every packet.
			put32(f + 26, 0x0b000000u | (c >> 14));
			bench_put16(f + 34, (uint16_t)(1024 + (c & 0x3fff)));
			pkts[i].data = f;
			pkts[i].len = LEN;
			pkts[i].buf = base + i;
		}
		vs_pmd_pipeline(S.pmd, vs_conf_current(), S.pc, VS_BURST);
		memcpy(S.frames + (size_t)base * LEN, S.pristine + (size_t)base * LEN,
		       (size_t)VS_BURST * LEN);
		vs_mem_tx_clear(S.pb);
	}
	t1 = cpu_ns();
	return (t1 - t0) / NEW_CONNS;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void row(const char *label, double *t, int runs, uint64_t pkts)
{
	double ns;

	qsort(t, (size_t)runs, sizeof(*t), cmp);
	ns = t[(runs - 1) / 2];
	if (pkts)
		printf("%-32s %11llu", label, (unsigned long long)pkts);
	else
		printf("%-32s %11s", label, "-");
	printf(" %8.2f %10.1f %8.2f\n", ns, ns * S.tick_hz / 1e9, 1e3 / ns);
}

void svc_bench(struct vs_switch *sw, struct vs_pmd *pmd, double tick_hz, double seconds, int runs)
{
	double l2[101], est[101], setup[101], load_s;
	uint64_t drops0;
	struct vs_svc_br *dp;

	S.sw = sw;
	S.pmd = pmd;
	S.tick_hz = tick_hz;
	S.pristine = aligned_alloc(VS_CACHE_LINE, (size_t)FLOWS * LEN);
	S.frames = aligned_alloc(VS_CACHE_LINE, (size_t)FLOWS * LEN);
	if (S.pristine == NULL || S.frames == NULL)
		die("memory", "out of memory");
	add_bridge("l2", &S.lc, &S.lb);
	add_bridge("svc", &S.pc, &S.pb);
	load_s = load();
	// Every backend lives behind port svc-b, at MAC_B.
	dp = vs_services_dp(vs_switch_bridge(sw, "svc")->services);
	for (uint32_t i = 0; i <= dp->neigh->mask; i++)
		if (dp->neigh->ent[i].ip)
			dp->neigh->ent[i].mac = MAC_B;

	printf("\nservice rows: bridge with %u services, %u backends (load-services: %.2f s); "
	       "64-byte UDP, each frame restored by a 64-byte copy after use;\n"
	       "times are this thread's CPU time (time descheduled on a shared machine excluded)\n",
	       N_SVC, N_SVC * N_BACKENDS_PER, load_s);
	printf("%-32s %11s %8s %10s %8s\n", "row", "packets", "ns/pkt", "cycles/pkt", "Mpps");

	// L2 frames: client MAC -> backend MAC. Service frames: to FLOWS flows over the VIPs.
	for (uint32_t i = 0; i < FLOWS; i++)
		frame(S.pristine + (size_t)i * LEN, MAC_B, 0x0b000001u, vip((i * 7919u) % N_SVC),
		      (uint16_t)(1024 + i), 80);
	memcpy(S.frames, S.pristine, (size_t)FLOWS * LEN);
	for (int r = 0; r < runs; r++) {
		vs_pmd_clock(pmd);
		drops0 = vs_port_drops_total(S.pc);
		burst(S.pc, 0); // establishes the flows on the first pass
		for (uint32_t k = 0; k < FLOWS / VS_BURST; k++)
			burst(S.pc, k);
		l2[r] = timed(S.lc, seconds);
		est[r] = timed(S.pc, seconds);
		setup[r] = setup_run();
		if (vs_port_drops_total(S.pc) != drops0) {
			struct vs_port_counters c;

			vs_port_counters_sum(S.pc, &c);
			for (int d = 1; d < VS_DROP_MAX; d++)
				if (c.drops[d])
					fprintf(stderr, "%s: %llu\n", vs_drop_names[d],
						(unsigned long long)c.drops[d]);
			die("service rows", "packets were dropped");
		}
	}
	row("L2 unicast (same frames)", l2, runs, 0);
	row("service DNAT, established", est, runs, 0);
	row("service DNAT, new connection", setup, runs, NEW_CONNS);
	printf("established DNAT / plain L2 rate: %.0f%%; connection setup rate: %.2f M/s\n",
	       l2[(runs - 1) / 2] / est[(runs - 1) / 2] * 100, 1e3 / setup[(runs - 1) / 2]);
	free(S.pristine);
	free(S.frames);
}
