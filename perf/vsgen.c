// SPDX-License-Identifier: Apache-2.0
// vsgen: a pktgen-style traffic generator and sink on vswitch's own port layer.
//
// One thread, pinned to one CPU, opens two AF_XDP ports (pmd/afxdp.c): it transmits
// bursts of pre-built Ethernet/IPv4/UDP frames on the --tx port and receives and counts
// them on the --rx port, in one busy loop. The device under test forwards between the
// two (see perf/fwd_bench.sh and perf/README.md).
//
// Frames carry a magic, a per-run id and a phase byte (warmup or measurement) in their
// UDP payload: the sink counts only frames of this run and of the measurement phase, so
// stray kernel traffic and frames still in flight from the warmup are not counted.
// Before sending, the sink port sends a few broadcast frames from --dst-mac so that a
// learning switch knows where that MAC is (and again once a second).
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <vs/log.h>
#include <vs/mac.h>

#include "../pmd/afxdp.h"
#include "../pmd/port.h"

#define GEN_MAGIC 0x76736765u	// "vsge": a generated frame
#define LEARN_MAGIC 0x76736c6eu // "vsln": a learning frame from the sink port
#define MAX_TEMPLATES 1024	// pre-built frames; more flows rewrite headers per frame
#define TEMPLATE_SIZE 2048
#define MIN_SIZE 60
#define MAX_SIZE 1518
#define WIRE_OVERHEAD 24      // FCS (4) + preamble and start delimiter (8) + inter-frame gap (12)
#define DRAIN_NS 200000000ULL // keep receiving this long after the last frame was sent
#define DRAIN_IDLE_NS 50000000ULL // ... or until nothing arrived for this long
#define LEARN_EVERY_NS 1000000000ULL
#define UDP_DPORT 9
#define SRC_IP 0xc6120001u // 198.18.0.1
#define DST_IP 0xc6130001u // 198.19.0.1

// Payload offsets (after Ethernet 14 + IPv4 20 + UDP 8).
#define OFF_IP 14
#define OFF_UDP 34
#define OFF_MAGIC 42
#define OFF_RUN 46
#define OFF_PHASE 50

enum phase { PH_WARMUP, PH_MEASURE, PH_DRAIN };

struct args {
	const char *tx_if, *rx_if, *xdp_mode;
	int cpu;
	uint32_t size;
	double rate; // pps, 0: as fast as possible
	double seconds, warmup;
	uint64_t count; // 0: no limit
	uint32_t flows;
	uint64_t src_mac, dst_mac;
	int json, quiet;
};

struct stats {
	uint64_t sent[2];     // [phase] frames accepted by tx_burst
	uint64_t received[2]; // [phase] our frames back on the rx port
	uint64_t rx_bytes;    // measurement phase
	uint64_t stray;	      // frames on the rx port that are not ours
	uint64_t tx_short;    // tx bursts that took fewer frames than offered
	uint64_t tx_port_rx;  // frames arriving on the tx port (e.g. flooded learning frames)
	uint64_t learn_sent;
	uint64_t loops;
};

static volatile sig_atomic_t stop_req;

static void on_signal(int sig)
{
	(void)sig;
	stop_req = 1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: vsgen --tx IFACE --rx IFACE [OPTIONS]\n"
		"Sends UDP frames on --tx and counts them on --rx (AF_XDP ports of vswitch's\n"
		"port layer), in one busy loop on one CPU; prints one line of results.\n"
		"  -t, --tx IFACE       generator side: frames leave here\n"
		"  -r, --rx IFACE       sink side: frames are counted here\n"
		"  -c, --cpu N          CPU to run on (default 0)\n"
		"  -s, --size BYTES     frame length without FCS, %d-%d (default 60, i.e. a\n"
		"                       64-byte Ethernet frame)\n"
		"  -R, --rate PPS       offered rate; 0 = as fast as possible (default 0)\n"
		"  -S, --seconds S      length of the measurement (default 10)\n"
		"  -n, --count N        stop the measurement after N frames sent (default: none)\n"
		"  -w, --warmup S       send this long before measuring (default 1)\n"
		"  -f, --flows N        vary UDP source port and source IP over N flows (1)\n"
		"      --src-mac MAC    source MAC of the frames (default 02:76:73:00:00:01)\n"
		"      --dst-mac MAC    destination MAC; the sink port announces it (default\n"
		"                       02:76:73:00:00:02)\n"
		"  -x, --xdp-mode MODE  xdp-mode of both ports: auto, native or generic (auto)\n"
		"  -j, --json           print the results as one JSON object\n"
		"  -q, --quiet          no progress messages on stderr\n"
		"  -h, --help           this help\n"
		"Gbit/s counts each frame as it occupies an Ethernet link: the frame plus 4 bytes\n"
		"of FCS plus 20 bytes of preamble and inter-frame gap.\n",
		MIN_SIZE, MAX_SIZE);
}

static int parse_double(const char *s, double min, double max, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return errno || *end || end == s || !(*out >= min && *out <= max) ? -1 : 0;
}

static int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;

	if (*s == '-')
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno || *end || end == s || *out < min || *out > max ? -1 : 0;
}

static int parse_args(int argc, char **argv, struct args *a)
{
	static const struct option longopts[] = {
		{"tx", required_argument, NULL, 't'},
		{"rx", required_argument, NULL, 'r'},
		{"cpu", required_argument, NULL, 'c'},
		{"size", required_argument, NULL, 's'},
		{"rate", required_argument, NULL, 'R'},
		{"seconds", required_argument, NULL, 'S'},
		{"count", required_argument, NULL, 'n'},
		{"warmup", required_argument, NULL, 'w'},
		{"flows", required_argument, NULL, 'f'},
		{"src-mac", required_argument, NULL, 'M'},
		{"dst-mac", required_argument, NULL, 'D'},
		{"xdp-mode", required_argument, NULL, 'x'},
		{"json", no_argument, NULL, 'j'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	uint64_t v;
	int c;

	memset(a, 0, sizeof(*a));
	a->xdp_mode = "auto";
	a->size = MIN_SIZE;
	a->seconds = 10;
	a->warmup = 1;
	a->flows = 1;
	a->src_mac = 0x027673000001ULL;
	a->dst_mac = 0x027673000002ULL;
	while ((c = getopt_long(argc, argv, "t:r:c:s:R:S:n:w:f:x:jqh", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			a->tx_if = optarg;
			break;
		case 'r':
			a->rx_if = optarg;
			break;
		case 'c':
			if (parse_u64(optarg, 0, CPU_SETSIZE - 1, &v) < 0)
				goto bad;
			a->cpu = (int)v;
			break;
		case 's':
			if (parse_u64(optarg, MIN_SIZE, MAX_SIZE, &v) < 0)
				goto bad;
			a->size = (uint32_t)v;
			break;
		case 'R':
			if (parse_double(optarg, 0, 1e9, &a->rate) < 0)
				goto bad;
			break;
		case 'S':
			if (parse_double(optarg, 0.01, 1e6, &a->seconds) < 0)
				goto bad;
			break;
		case 'n':
			if (parse_u64(optarg, 1, UINT64_MAX, &a->count) < 0)
				goto bad;
			break;
		case 'w':
			if (parse_double(optarg, 0, 1e6, &a->warmup) < 0)
				goto bad;
			break;
		case 'f':
			if (parse_u64(optarg, 1, 1u << 24, &v) < 0)
				goto bad;
			a->flows = (uint32_t)v;
			break;
		case 'M':
		case 'D':
			if (vs_mac_parse(optarg, c == 'M' ? &a->src_mac : &a->dst_mac) < 0 ||
			    vs_mac_is_multicast(c == 'M' ? a->src_mac : a->dst_mac))
				goto bad;
			break;
		case 'x':
			a->xdp_mode = optarg;
			break;
		case 'j':
			a->json = 1;
			break;
		case 'q':
			a->quiet = 1;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vsgen: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	if (a->tx_if == NULL || a->rx_if == NULL) {
		fprintf(stderr, "vsgen: --tx and --rx are required\n");
		return -1;
	}
	if (strcmp(a->tx_if, a->rx_if) == 0) {
		fprintf(stderr, "vsgen: --tx and --rx must be different interfaces\n");
		return -1;
	}
	return 0;
bad:
	fprintf(stderr, "vsgen: invalid value for option %s: '%s' (see --help)\n", argv[optind - 1],
		optarg);
	return -1;
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

// Sets the flow of frame 'f': UDP source port and IPv4 source address, and the IPv4
// checksum (the UDP checksum is 0: none, allowed over IPv4).
static void set_flow(uint8_t *f, uint32_t flow)
{
	put16(f + OFF_UDP, (uint16_t)(1024 + flow % 60000));
	put32(f + OFF_IP + 12, SRC_IP + flow / 60000);
	put16(f + OFF_IP + 10, 0);
	put16(f + OFF_IP + 10, ip_csum(f + OFF_IP));
}

// An Ethernet/IPv4/UDP frame of 'size' bytes with 'magic', the run id and phase 0.
static void build_frame(uint8_t *f, uint32_t size, uint64_t dst, uint64_t src, uint32_t magic,
			uint32_t run)
{
	memset(f, 0, size);
	vs_mac_to_bytes(dst, f);
	vs_mac_to_bytes(src, f + 6);
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
	for (uint32_t i = OFF_PHASE + 1; i < size; i++)
		f[i] = (uint8_t)i;
	set_flow(f, 0);
}

// Which frame of ours 'p' is: 0 = measurement, 1 = warmup, -1 = not ours.
static inline int classify(const struct vs_pkt *p, uint32_t size, uint32_t run)
{
	if (p->len != size || get32(p->data + OFF_MAGIC) != GEN_MAGIC ||
	    get32(p->data + OFF_RUN) != run || p->data[12] != 0x08 || p->data[13] != 0x00)
		return -1;
	return p->data[OFF_PHASE] == PH_MEASURE ? 0 : 1;
}

static int pin_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) < 0 ? -errno : 0;
}

static struct vs_port *open_port(const char *name, const char *mode)
{
	struct vs_opt opt = {"xdp-mode", mode};
	struct vs_port *port;
	char err[256] = "";

	port = vs_port_open("afxdp", name, &opt, 1, err, sizeof(err));
	if (port == NULL)
		fprintf(stderr, "vsgen: cannot open %s: %s\n", name,
			err[0] ? err : strerror(errno));
	return port;
}

static void port_drops(struct vs_port *port, uint64_t drops[VS_DROP_MAX])
{
	struct vs_port_counters c;

	vs_port_counters_sum(port, &c);
	memcpy(drops, c.drops, sizeof(c.drops));
}

// Receives on 'port' and gives the buffers back; returns the number of frames.
static uint16_t drain_port(struct vs_port *port, struct vs_pkt *pkts)
{
	uint16_t n = port->ops->rx_burst(port, 0, pkts, VS_BURST);

	if (n)
		port->ops->rx_done(port, 0, pkts, n);
	return n;
}

static void send_learn(struct vs_port *rx, const uint8_t *learn, struct stats *st)
{
	struct vs_pkt lp = {.data = (uint8_t *)learn, .len = MIN_SIZE};
	struct vs_pkt *lpp[4] = {&lp, &lp, &lp, &lp};

	st->learn_sent += rx->ops->tx_burst(rx, 0, lpp, 4);
	if (rx->ops->tx_flush)
		rx->ops->tx_flush(rx, 0);
}

struct run {
	uint64_t t_start, t_end; // measurement phase
	double offered_rate;	 // measured tx rate
};

static void run_loop(const struct args *a, struct vs_port *tx, struct vs_port *rx, uint8_t *tmpl,
		     uint32_t n_tmpl, const uint8_t *learn, uint32_t run_id, struct stats *st,
		     struct run *r)
{
	struct vs_pkt pkts[VS_BURST], txp[VS_BURST], *txpp[VS_BURST];
	const uint64_t warm_ns = (uint64_t)(a->warmup * 1e9),
		       meas_ns = (uint64_t)(a->seconds * 1e9);
	uint64_t now = now_ns(), last = now, phase_end = now + warm_ns, last_learn = now,
		 last_rx = now;
	enum phase ph = warm_ns ? PH_WARMUP : PH_MEASURE;
	uint32_t next = 0, flow = 0;
	// At most 1 ms of frames (and at least 4 bursts) accumulate while the loop is slow.
	double tokens = 0,
	       max_tokens = a->rate * 1e-3 > 4 * VS_BURST ? a->rate * 1e-3 : 4 * VS_BURST;

	for (uint32_t i = 0; i < VS_BURST; i++) {
		txp[i].len = a->size;
		txpp[i] = &txp[i];
	}
	if (ph == PH_MEASURE) { // no warmup: frames carry the measurement phase from the start
		for (uint32_t i = 0; i < n_tmpl; i++)
			tmpl[(size_t)i * TEMPLATE_SIZE + OFF_PHASE] = PH_MEASURE;
		r->t_start = now;
		phase_end = now + meas_ns;
	}
	for (;;) {
		uint16_t n = 0, k;

		st->loops++;
		now = now_ns();
		if (ph == PH_WARMUP && (now >= phase_end || stop_req)) {
			ph = PH_MEASURE;
			for (uint32_t i = 0; i < n_tmpl; i++)
				tmpl[(size_t)i * TEMPLATE_SIZE + OFF_PHASE] = PH_MEASURE;
			r->t_start = now;
			phase_end = now + meas_ns;
		}
		if (ph == PH_MEASURE &&
		    (now >= phase_end || stop_req || (a->count && st->sent[0] >= a->count))) {
			ph = PH_DRAIN;
			r->t_end = now;
			phase_end = now + DRAIN_NS;
			last_rx = now;
		}
		if (ph == PH_DRAIN && (now >= phase_end || now - last_rx >= DRAIN_IDLE_NS))
			break;

		if (a->rate > 0 && ph != PH_DRAIN) {
			tokens += (double)(now - last) * a->rate * 1e-9;
			if (tokens > max_tokens)
				tokens = max_tokens;
		}
		last = now;
		// Rate-limited, up to 4 bursts per loop to catch up after a slow iteration.
		for (int b = 0; b < (a->rate > 0 ? 4 : 1) && ph != PH_DRAIN; b++) {
			n = VS_BURST;
			if (a->rate > 0)
				n = tokens < VS_BURST ? (uint16_t)tokens : VS_BURST;
			if (a->count && ph == PH_MEASURE && st->sent[0] + n > a->count)
				n = (uint16_t)(a->count - st->sent[0]);
			if (n == 0)
				break;
			for (uint16_t i = 0; i < n; i++) {
				uint8_t *f = tmpl + (size_t)next * TEMPLATE_SIZE;

				if (a->flows > n_tmpl) {
					set_flow(f, flow);
					if (++flow == a->flows)
						flow = 0;
				}
				txp[i].data = f;
				if (++next == n_tmpl)
					next = 0;
			}
			k = tx->ops->tx_burst(tx, 0, txpp, n);
			// Frames not taken are offered again next time, in the same order.
			next = (uint32_t)((next + n_tmpl - (n - k)) % n_tmpl);
			if (a->flows > n_tmpl)
				flow = (uint32_t)((flow + a->flows - (n - k) % a->flows) %
						  a->flows);
			st->sent[ph == PH_MEASURE ? 0 : 1] += k;
			tokens -= k;
			if (k < n) {
				st->tx_short++;
				break;
			}
		}
		if (tx->ops->tx_flush)
			tx->ops->tx_flush(tx, 0);

		k = rx->ops->rx_burst(rx, 0, pkts, VS_BURST);
		if (k) {
			for (uint16_t i = 0; i < k; i++) {
				int c = classify(&pkts[i], a->size, run_id);

				if (c < 0) {
					st->stray++;
				} else {
					st->received[c]++;
					if (c == 0)
						st->rx_bytes += pkts[i].len;
				}
			}
			rx->ops->rx_done(rx, 0, pkts, k);
			last_rx = now;
		}
		if ((st->loops & 255) == 0) {
			st->tx_port_rx += drain_port(tx, pkts);
			if (now - last_learn >= LEARN_EVERY_NS && ph != PH_DRAIN) {
				send_learn(rx, learn, st);
				last_learn = now;
			}
			if (rx->ops->tx_flush)
				rx->ops->tx_flush(rx, 0);
		}
	}
	if (r->t_end == 0)
		r->t_end = now;
}

int main(int argc, char **argv)
{
	struct vs_pkt pkts[VS_BURST];
	uint64_t drops_rx0[VS_DROP_MAX], drops_rx1[VS_DROP_MAX];
	struct vs_port *tx = NULL, *rx = NULL;
	struct stats st = {0};
	struct run r = {0};
	uint8_t *tmpl = NULL, learn[MIN_SIZE];
	uint32_t n_tmpl, run_id;
	struct args a;
	int ret = 1;

	if (parse_args(argc, argv, &a) < 0)
		return 2;
	vs_log_level = VS_LOG_WARN;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (pin_cpu(a.cpu) < 0) {
		fprintf(stderr, "vsgen: cannot run on CPU %d: %s\n", a.cpu, strerror(errno));
		return 1;
	}
	run_id = (uint32_t)getpid() ^ (uint32_t)now_ns();

	n_tmpl = a.flows < MAX_TEMPLATES ? a.flows : MAX_TEMPLATES;
	// At least a full burst of distinct buffers, so one flow still walks a few frames.
	if (n_tmpl < 4 * VS_BURST)
		n_tmpl = 4 * VS_BURST;
	tmpl = aligned_alloc(64, (size_t)n_tmpl * TEMPLATE_SIZE);
	if (tmpl == NULL) {
		fprintf(stderr, "vsgen: out of memory\n");
		return 1;
	}
	for (uint32_t i = 0; i < n_tmpl; i++) {
		uint8_t *f = tmpl + (size_t)i * TEMPLATE_SIZE;

		build_frame(f, a.size, a.dst_mac, a.src_mac, GEN_MAGIC, run_id);
		set_flow(f, a.flows <= MAX_TEMPLATES ? i % a.flows : 0);
	}
	build_frame(learn, MIN_SIZE, 0xffffffffffffULL, a.dst_mac, LEARN_MAGIC, run_id);

	vs_port_driver_register(&vs_afxdp_ops);
	tx = open_port(a.tx_if, a.xdp_mode);
	if (tx == NULL)
		goto out;
	rx = open_port(a.rx_if, a.xdp_mode);
	if (rx == NULL)
		goto out;
	if (a.size > tx->max_frame) {
		fprintf(stderr, "vsgen: --size %u is larger than %s can send (%u)\n", a.size,
			a.tx_if, tx->max_frame);
		goto out;
	}

	// Tell a learning device where --dst-mac is, and let it apply what it learned.
	send_learn(rx, learn, &st);
	for (uint64_t t = now_ns(); now_ns() - t < 100000000ULL;) {
		st.stray += drain_port(rx, pkts);
		st.tx_port_rx += drain_port(tx, pkts);
		if (rx->ops->tx_flush)
			rx->ops->tx_flush(rx, 0);
	}
	port_drops(rx, drops_rx0);
	if (!a.quiet)
		fprintf(stderr,
			"vsgen: %s -> %s, %u-byte frames, %u flow(s), rate %.0f pps%s, CPU %d\n",
			a.tx_if, a.rx_if, a.size, a.flows, a.rate,
			a.rate > 0 ? "" : " (as fast as possible)", a.cpu);

	run_loop(&a, tx, rx, tmpl, n_tmpl, learn, run_id, &st, &r);

	port_drops(rx, drops_rx1);
	{
		double secs = (double)(r.t_end - r.t_start) * 1e-9;
		uint64_t sent = st.sent[0], recv = st.received[0];
		uint64_t lost = sent > recv ? sent - recv : 0;
		double loss = sent ? 100.0 * (double)lost / (double)sent : 0;
		double tx_mpps = secs > 0 ? (double)sent / secs / 1e6 : 0;
		double rx_mpps = secs > 0 ? (double)recv / secs / 1e6 : 0;
		double gbps = secs > 0 ? ((double)st.rx_bytes + (double)recv * WIRE_OVERHEAD) * 8 /
						 secs / 1e9
				       : 0;
		uint64_t ring_full =
			drops_rx1[VS_DROP_RX_RING_FULL] - drops_rx0[VS_DROP_RX_RING_FULL];
		uint64_t fill_empty =
			drops_rx1[VS_DROP_RX_FILL_EMPTY] - drops_rx0[VS_DROP_RX_FILL_EMPTY];

		if (a.json) {
			printf("{\"tx\":\"%s\",\"rx\":\"%s\",\"cpu\":%d,\"size\":%u,"
			       "\"wire_size\":%u,\"flows\":%u,\"rate_pps\":%.0f,"
			       "\"seconds\":%.6f,\"sent\":%" PRIu64 ",\"received\":%" PRIu64
			       ",\"lost\":%" PRIu64 ",\"loss_pct\":%.4f,\"tx_mpps\":%.6f,"
			       "\"rx_mpps\":%.6f,\"rx_gbps\":%.6f,\"warmup_sent\":%" PRIu64
			       ",\"warmup_received\":%" PRIu64 ",\"stray\":%" PRIu64
			       ",\"tx_short\":%" PRIu64 ",\"tx_port_rx\":%" PRIu64
			       ",\"learn_sent\":%" PRIu64 ",\"loops\":%" PRIu64
			       ",\"sink_rx_ring_full\":%" PRIu64 ",\"sink_rx_fill_empty\":%" PRIu64
			       "}\n",
			       a.tx_if, a.rx_if, a.cpu, a.size, a.size + WIRE_OVERHEAD, a.flows,
			       a.rate, secs, sent, recv, lost, loss, tx_mpps, rx_mpps, gbps,
			       st.sent[1], st.received[1], st.stray, st.tx_short, st.tx_port_rx,
			       st.learn_sent, st.loops, ring_full, fill_empty);
		} else {
			printf("%u B (+4 FCS), %u flow(s), %.2f s: sent %" PRIu64
			       ", received %" PRIu64 ", lost %" PRIu64
			       " (%.2f%%), tx %.3f Mpps, rx %.3f Mpps, rx %.3f Gbit/s (frame + FCS "
			       "+ "
			       "20 B preamble/IFG); sink rx-ring-full %" PRIu64
			       ", rx-fill-empty %" PRIu64 ", stray %" PRIu64 "\n",
			       a.size, a.flows, secs, sent, recv, lost, loss, tx_mpps, rx_mpps,
			       gbps, ring_full, fill_empty, st.stray);
		}
	}
	ret = 0;
out:
	if (tx)
		vs_port_close(tx);
	if (rx)
		vs_port_close(rx);
	free(tmpl);
	return ret;
}
