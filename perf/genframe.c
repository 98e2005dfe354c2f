// SPDX-License-Identifier: Apache-2.0
// genframe: frames, options and results shared by vsgen and dpdkgen (see genframe.h).
#include "genframe.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <vs/mac.h>

#define OFF_IP 14
#define OFF_UDP 34
#define OFF_MAGIC 42
#define OFF_RUN 46
#define UDP_DPORT 9
#define SRC_IP 0xc6120001u // 198.18.0.1
#define DST_IP 0xc6130001u // 198.19.0.1

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_mac(uint8_t *p, uint64_t mac)
{
	for (int i = 5; i >= 0; i--, mac >>= 8)
		p[i] = (uint8_t)mac;
}

static uint16_t ip_csum(const uint8_t *hdr)
{
	uint32_t sum = 0;

	for (int i = 0; i < 20; i += 2)
		sum += (uint32_t)(hdr[i] << 8 | hdr[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

void gen_set_flow(uint8_t *f, uint32_t flow)
{
	put16(f + OFF_UDP, (uint16_t)(1024 + flow % 60000));
	put32(f + OFF_IP + 12, SRC_IP + flow / 60000);
	put16(f + OFF_IP + 10, 0);
	put16(f + OFF_IP + 10, ip_csum(f + OFF_IP));
}

void gen_set_src_mac(uint8_t *f, uint64_t base, uint32_t i)
{
	// MAC 0 is 'base'; the others are in the upper half of base's /24 block, away from
	// the default destination (02:76:73:00:00:02) and the default base itself.
	put_mac(f + 6, i == 0 ? base : (base & ~0xffffffULL) | 0x800000 | (i & 0x7fffff));
}

uint32_t gen_n_templates(uint32_t flows, uint32_t macs, uint32_t min, uint32_t max)
{
	uint32_t n = flows > macs ? flows : macs;

	if (n > max)
		n = max;
	return n < min ? min : n;
}

void gen_vary_template(const struct gen_vary *v, uint8_t *f, uint32_t i)
{
	gen_set_flow(f, v->flows <= v->n_tmpl ? i % v->flows : 0);
	gen_set_src_mac(f, v->src_mac, v->macs <= v->n_tmpl ? i % v->macs : 0);
}

void gen_vary_next(struct gen_vary *v, uint8_t *f)
{
	if (v->flows > v->n_tmpl) {
		gen_set_flow(f, v->flow);
		if (++v->flow == v->flows)
			v->flow = 0;
	}
	if (v->macs > v->n_tmpl) {
		gen_set_src_mac(f, v->src_mac, v->mac);
		if (++v->mac == v->macs)
			v->mac = 0;
	}
}

void gen_vary_unsend(struct gen_vary *v, uint32_t n)
{
	if (v->flows > v->n_tmpl)
		v->flow = (v->flow + v->flows - n % v->flows) % v->flows;
	if (v->macs > v->n_tmpl)
		v->mac = (v->mac + v->macs - n % v->macs) % v->macs;
}

void gen_build_frame(uint8_t *f, uint32_t size, uint64_t dst, uint64_t src, uint32_t magic,
		     uint32_t run)
{
	memset(f, 0, size);
	put_mac(f, dst);
	put_mac(f + 6, src);
	put16(f + 12, 0x0800);
	f[OFF_IP] = 0x45;
	put16(f + OFF_IP + 2, (uint16_t)(size - OFF_IP));
	put16(f + OFF_IP + 6, 0x4000); // DF
	f[OFF_IP + 8] = 64;
	f[OFF_IP + 9] = 17;
	put32(f + OFF_IP + 16, DST_IP);
	put16(f + OFF_UDP + 2, UDP_DPORT);
	put16(f + OFF_UDP + 4, (uint16_t)(size - OFF_UDP));
	put32(f + OFF_MAGIC, magic);
	put32(f + OFF_RUN, run);
	f[GEN_OFF_PHASE] = GEN_WARMUP;
	for (uint32_t i = GEN_OFF_PHASE + 1; i < size; i++)
		f[i] = (uint8_t)i;
	gen_set_flow(f, 0);
}

int gen_classify(const uint8_t *data, uint32_t len, uint32_t size, uint32_t run)
{
	if (len != size || get32(data + OFF_MAGIC) != GEN_MAGIC || get32(data + OFF_RUN) != run ||
	    data[12] != 0x08 || data[13] != 0x00)
		return -1;
	return data[GEN_OFF_PHASE] == GEN_MEASURE ? 0 : 1;
}

int gen_parse_double(const char *s, double min, double max, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return errno || *end || end == s || !(*out >= min && *out <= max) ? -1 : 0;
}

int gen_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;

	if (*s == '-')
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno || *end || end == s || *out < min || *out > max ? -1 : 0;
}

uint64_t gen_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void gen_opts_init(struct gen_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->size = GEN_MIN_SIZE;
	o->seconds = 10;
	o->warmup = 1;
	o->flows = 1;
	o->macs = 1;
	o->src_mac = 0x027673000001ULL;
	o->dst_mac = 0x027673000002ULL;
}

int gen_opts_parse(struct gen_opts *o, int c, const char *arg)
{
	uint64_t v;

	switch (c) {
	case 's':
		if (gen_parse_u64(arg, GEN_MIN_SIZE, GEN_MAX_SIZE, &v) < 0)
			return -1;
		o->size = (uint32_t)v;
		return 1;
	case 'R':
		return gen_parse_double(arg, 0, 1e9, &o->rate) < 0 ? -1 : 1;
	case 'S':
		return gen_parse_double(arg, 0.01, 1e6, &o->seconds) < 0 ? -1 : 1;
	case 'n':
		return gen_parse_u64(arg, 1, UINT64_MAX, &o->count) < 0 ? -1 : 1;
	case 'w':
		return gen_parse_double(arg, 0, 1e6, &o->warmup) < 0 ? -1 : 1;
	case 'f':
		if (gen_parse_u64(arg, 1, 1u << 24, &v) < 0)
			return -1;
		o->flows = (uint32_t)v;
		return 1;
	case 'A':
		if (gen_parse_u64(arg, 1, 1u << 23, &v) < 0)
			return -1;
		o->macs = (uint32_t)v;
		return 1;
	case 'M':
	case 'D': {
		uint64_t *mac = c == 'M' ? &o->src_mac : &o->dst_mac;

		return vs_mac_parse(arg, mac) < 0 || vs_mac_is_multicast(*mac) ? -1 : 1;
	}
	case 'j':
		o->json = 1;
		return 1;
	case 'q':
		o->quiet = 1;
		return 1;
	default:
		return 0;
	}
}

void gen_print_start(const char *prog, const char *tx, const char *rx, const struct gen_opts *o,
		     const char *where)
{
	if (o->quiet)
		return;
	fprintf(stderr,
		"%s: %s -> %s, %u-byte frames, %u flow(s), %u MAC(s), rate %.0f pps%s, %s\n", prog,
		tx, rx, o->size, o->flows, o->macs, o->rate,
		o->rate > 0 ? "" : " (as fast as possible)", where);
}

void gen_result_fill(struct gen_result *r, const struct gen_opts *o, const struct gen_stats *st,
		     uint64_t t_start, uint64_t t_end)
{
	r->size = o->size;
	r->flows = o->flows;
	r->macs = o->macs;
	r->rate = o->rate;
	r->seconds = (double)(t_end - t_start) * 1e-9;
	r->sent = st->sent[0];
	r->received = st->received[0];
	r->rx_bytes = st->rx_bytes;
	r->warmup_sent = st->sent[1];
	r->warmup_received = st->received[1];
	r->stray = st->stray;
	r->tx_short = st->tx_short;
	r->tx_port_rx = st->tx_port_rx;
	r->learn_sent = st->learn_sent;
	r->loops = st->loops;
}

static double pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0;
}

void gen_print_result(FILE *f, const struct gen_result *r, int json)
{
	uint64_t lost = r->sent > r->received ? r->sent - r->received : 0;
	double loss = r->sent ? 100.0 * (double)lost / (double)r->sent : 0;
	double tx_mpps = r->seconds > 0 ? (double)r->sent / r->seconds / 1e6 : 0;
	double rx_mpps = r->seconds > 0 ? (double)r->received / r->seconds / 1e6 : 0;
	double gbps = r->seconds > 0
			      ? ((double)r->rx_bytes + (double)r->received * GEN_WIRE_OVERHEAD) *
					8 / r->seconds / 1e9
			      : 0;

	if (json) {
		fprintf(f,
			"{\"tx\":\"%s\",\"rx\":\"%s\",\"cpu\":%d,\"size\":%u,\"wire_size\":%u,"
			"\"flows\":%u,\"macs\":%u,\"rate_pps\":%.0f,\"seconds\":%.6f,\"sent\":"
			"%" PRIu64 ",\"received\":%" PRIu64 ",\"lost\":%" PRIu64
			",\"loss_pct\":%.4f,"
			"\"tx_mpps\":%.6f,\"rx_mpps\":%.6f,\"rx_gbps\":%.6f,"
			"\"warmup_sent\":%" PRIu64 ",\"warmup_received\":%" PRIu64
			",\"stray\":%" PRIu64 ",\"tx_short\":%" PRIu64 ",\"tx_port_rx\":%" PRIu64
			",\"learn_sent\":%" PRIu64 ",\"loops\":%" PRIu64
			",\"sink_rx_ring_full\":%" PRIu64 ",\"sink_rx_fill_empty\":%" PRIu64,
			r->tx, r->rx, r->cpu, r->size, r->size + GEN_WIRE_OVERHEAD, r->flows,
			r->macs, r->rate, r->seconds, r->sent, r->received, lost, loss, tx_mpps,
			rx_mpps, gbps, r->warmup_sent, r->warmup_received, r->stray, r->tx_short,
			r->tx_port_rx, r->learn_sent, r->loops, r->sink_rx_ring_full,
			r->sink_rx_fill_empty);
		// Share of its CPU each side got while runnable (a busy poller always is), and the
		// device's CPU time per frame delivered.
		if (r->sched & GEN_SCHED_GEN)
			fprintf(f, ",\"gen_oncpu_pct\":%.1f",
				pct(r->gen_run_ns, r->gen_run_ns + r->gen_wait_ns));
		if (r->sched & GEN_SCHED_DUT)
			fprintf(f,
				",\"dut_oncpu_pct\":%.1f,\"dut_cpu_ns\":%" PRIu64
				",\"dut_ns_per_frame\":%.1f",
				pct(r->dut_run_ns, r->dut_run_ns + r->dut_wait_ns), r->dut_run_ns,
				r->received ? (double)r->dut_run_ns / (double)r->received : 0);
		fputs("}\n", f);
		return;
	}
	fprintf(f,
		"%u B (+4 FCS), %u flow(s), %u MAC(s), %.2f s: sent %" PRIu64 ", received %" PRIu64
		", lost %" PRIu64 " (%.2f%%), tx %.3f Mpps, rx %.3f Mpps, rx %.3f Gbit/s (frame + "
		"FCS + 20 B preamble/IFG); sink rx-ring-full %" PRIu64 ", rx-fill-empty %" PRIu64
		", stray %" PRIu64 "\n",
		r->size, r->flows, r->macs, r->seconds, r->sent, r->received, lost, loss, tx_mpps,
		rx_mpps, gbps, r->sink_rx_ring_full, r->sink_rx_fill_empty, r->stray);
}
