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
// Before sending, the sink port sends a few broadcast frames from --dst-mac (or --sink-mac)
// so that a learning switch knows where that MAC is (and again once a second); with
// --sink-ip they are gratuitous ARP requests, so that a switch also learns the sink as the
// holder of that address (a service backend, see perf/fwd_bench.sh's service rows).
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
#include "genframe.h"

#define MAX_TEMPLATES 1024 // pre-built frames; more flows rewrite headers per frame
#define TEMPLATE_SIZE 2048
#define MIN_SIZE GEN_MIN_SIZE
#define MAX_SIZE GEN_MAX_SIZE
#define DRAIN_NS 200000000ULL	  // keep receiving this long after the last frame was sent
#define DRAIN_IDLE_NS 50000000ULL // ... or until nothing arrived for this long
#define LEARN_EVERY_NS 1000000000ULL

struct args {
	const char *tx_if, *rx_if, *xdp_mode;
	int cpu;
	struct gen_opts g;
	uint64_t sink_mac; // the MAC the sink port announces (default: dst_mac)
	uint32_t sink_ip;  // != 0: the sink announces itself with gratuitous ARP from this IP
};

static volatile sig_atomic_t stop_req;

static void on_signal(int sig)
{
	(void)sig;
	stop_req = 1;
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
		"      --macs N         vary the source MAC over N addresses (1): --src-mac,\n"
		"                       then XX:XX:XX:80:00:01 on (its first 3 bytes)\n"
		"      --src-mac MAC    source MAC of the frames (default 02:76:73:00:00:01)\n"
		"      --dst-mac MAC    destination MAC; the sink port announces it (default\n"
		"                       02:76:73:00:00:02)\n"
		"      --sink-mac MAC   the MAC the sink port announces, when frames are sent\n"
		"                       to another (e.g. a service MAC; default: --dst-mac)\n"
		"      --sink-ip IP     the sink announces itself with gratuitous ARP (sender\n"
		"                       IP, sink MAC) instead of a UDP broadcast (a switch's\n"
		"                       service stage learns backend MACs from ARP), and counts\n"
		"                       only frames to IP as received (DNATed to it)\n"
		"  -x, --xdp-mode MODE  xdp-mode of both ports: auto, native or generic (auto)\n"
		"  -j, --json           print the results as one JSON object\n"
		"  -q, --quiet          no progress messages on stderr\n"
		"  -h, --help           this help\n"
		"Gbit/s counts each frame as it occupies an Ethernet link: the frame plus 4 bytes\n"
		"of FCS plus 20 bytes of preamble and inter-frame gap.\n",
		MIN_SIZE, MAX_SIZE);
}

static int parse_args(int argc, char **argv, struct args *a)
{
	static const struct option longopts[] = {
		{"tx", required_argument, NULL, 't'},
		{"rx", required_argument, NULL, 'r'},
		{"cpu", required_argument, NULL, 'c'},
		GEN_OPTS_LONG,
		{"sink-mac", required_argument, NULL, 'K'},
		{"sink-ip", required_argument, NULL, 'I'},
		{"xdp-mode", required_argument, NULL, 'x'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	uint64_t v;
	int c, r;

	memset(a, 0, sizeof(*a));
	a->xdp_mode = "auto";
	gen_opts_init(&a->g);
	while ((c = getopt_long(argc, argv, "t:r:c:" GEN_OPTS_SHORT "x:h", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			a->tx_if = optarg;
			break;
		case 'r':
			a->rx_if = optarg;
			break;
		case 'c':
			if (gen_parse_u64(optarg, 0, CPU_SETSIZE - 1, &v) < 0)
				goto bad;
			a->cpu = (int)v;
			break;
		case 'K':
			if (vs_mac_parse(optarg, &a->sink_mac) < 0 || vs_mac_is_multicast(a->sink_mac) ||
			    a->sink_mac == 0)
				goto bad;
			break;
		case 'I': {
			struct in_addr in;

			if (inet_pton(AF_INET, optarg, &in) != 1 || in.s_addr == 0)
				goto bad;
			a->sink_ip = ntohl(in.s_addr);
			break;
		}
		case 'x':
			a->xdp_mode = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			r = gen_opts_parse(&a->g, c, optarg);
			if (r < 0)
				goto bad;
			if (r > 0)
				break;
			usage(stderr);
			return -1;
		}
	}
	if (a->sink_mac == 0)
		a->sink_mac = a->g.dst_mac;
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

// Which frame of ours 'p' is: 0 = measurement, 1 = warmup, -1 = not ours.
static inline int classify(const struct vs_pkt *p, uint32_t size, uint32_t run)
{
	return gen_classify(p->data, p->len, size, run);
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

static void send_learn(struct vs_port *rx, const uint8_t *learn, struct gen_stats *st)
{
	struct vs_pkt lp = {.data = (uint8_t *)learn, .len = MIN_SIZE};
	struct vs_pkt *lpp[4] = {&lp, &lp, &lp, &lp};

	st->learn_sent += rx->ops->tx_burst(rx, 0, lpp, 4);
	if (rx->ops->tx_flush)
		rx->ops->tx_flush(rx, 0);
}

// A gratuitous ARP request (sender and target 'ip', sender 'mac'), broadcast from 'mac',
// padded to MIN_SIZE.
static void build_garp(uint8_t *f, uint64_t mac, uint32_t ip)
{
	static const uint8_t hdr[8] = {0, 1, 8, 0, 6, 4, 0, 1}; // Ethernet, IPv4, request
	uint8_t m[6], a[4] = {(uint8_t)(ip >> 24), (uint8_t)(ip >> 16), (uint8_t)(ip >> 8),
			      (uint8_t)ip};

	for (int i = 5; i >= 0; i--, mac >>= 8)
		m[i] = (uint8_t)mac;
	memset(f, 0, MIN_SIZE);
	memset(f, 0xff, 6);
	memcpy(f + 6, m, 6);
	f[12] = 0x08;
	f[13] = 0x06;
	memcpy(f + 14, hdr, sizeof(hdr));
	memcpy(f + 22, m, 6);
	memcpy(f + 28, a, 4);
	memcpy(f + 38, a, 4);
}

// Destination IPv4 address of one of our frames (Ethernet/IPv4 without options).
static inline uint32_t ip_dst(const uint8_t *f)
{
	return (uint32_t)f[30] << 24 | (uint32_t)f[31] << 16 | (uint32_t)f[32] << 8 | f[33];
}

struct run {
	uint64_t t_start, t_end; // measurement phase
	double offered_rate;	 // measured tx rate
};

static void run_loop(const struct args *a, struct vs_port *tx, struct vs_port *rx, uint8_t *tmpl,
		     uint32_t n_tmpl, const uint8_t *learn, uint32_t run_id, struct gen_stats *st,
		     struct run *r)
{
	struct vs_pkt pkts[VS_BURST], txp[VS_BURST], *txpp[VS_BURST];
	const uint64_t warm_ns = (uint64_t)(a->g.warmup * 1e9),
		       meas_ns = (uint64_t)(a->g.seconds * 1e9);
	uint64_t now = gen_now_ns(), last = now, phase_end = now + warm_ns, last_learn = now,
		 last_rx = now;
	int ph = warm_ns ? GEN_WARMUP : GEN_MEASURE;
	struct gen_vary v = {
		.flows = a->g.flows, .macs = a->g.macs, .n_tmpl = n_tmpl, .src_mac = a->g.src_mac};
	uint32_t next = 0;
	// At most 1 ms of frames (and at least 4 bursts) accumulate while the loop is slow.
	double tokens = 0,
	       max_tokens = a->g.rate * 1e-3 > 4 * VS_BURST ? a->g.rate * 1e-3 : 4 * VS_BURST;

	for (uint32_t i = 0; i < VS_BURST; i++) {
		txp[i].len = a->g.size;
		txpp[i] = &txp[i];
	}
	if (ph == GEN_MEASURE) { // no warmup: frames carry the measurement phase from the start
		for (uint32_t i = 0; i < n_tmpl; i++)
			tmpl[(size_t)i * TEMPLATE_SIZE + GEN_OFF_PHASE] = GEN_MEASURE;
		r->t_start = now;
		phase_end = now + meas_ns;
	}
	for (;;) {
		uint16_t n = 0, k;

		st->loops++;
		now = gen_now_ns();
		if (ph == GEN_WARMUP && (now >= phase_end || stop_req)) {
			ph = GEN_MEASURE;
			for (uint32_t i = 0; i < n_tmpl; i++)
				tmpl[(size_t)i * TEMPLATE_SIZE + GEN_OFF_PHASE] = GEN_MEASURE;
			r->t_start = now;
			phase_end = now + meas_ns;
		}
		if (ph == GEN_MEASURE &&
		    (now >= phase_end || stop_req || (a->g.count && st->sent[0] >= a->g.count))) {
			ph = GEN_DRAIN;
			r->t_end = now;
			phase_end = now + DRAIN_NS;
			last_rx = now;
		}
		if (ph == GEN_DRAIN && (now >= phase_end || now - last_rx >= DRAIN_IDLE_NS))
			break;

		if (a->g.rate > 0 && ph != GEN_DRAIN) {
			tokens += (double)(now - last) * a->g.rate * 1e-9;
			if (tokens > max_tokens)
				tokens = max_tokens;
		}
		last = now;
		// Rate-limited, up to 4 bursts per loop to catch up after a slow iteration.
		for (int b = 0; b < (a->g.rate > 0 ? 4 : 1) && ph != GEN_DRAIN; b++) {
			n = VS_BURST;
			if (a->g.rate > 0)
				n = tokens < VS_BURST ? (uint16_t)tokens : VS_BURST;
			if (a->g.count && ph == GEN_MEASURE && st->sent[0] + n > a->g.count)
				n = (uint16_t)(a->g.count - st->sent[0]);
			if (n == 0)
				break;
			for (uint16_t i = 0; i < n; i++) {
				uint8_t *f = tmpl + (size_t)next * TEMPLATE_SIZE;

				gen_vary_next(&v, f);
				txp[i].data = f;
				if (++next == n_tmpl)
					next = 0;
			}
			k = tx->ops->tx_burst(tx, 0, txpp, n);
			// Frames not taken are offered again next time, in the same order.
			next = (uint32_t)((next + n_tmpl - (n - k)) % n_tmpl);
			gen_vary_unsend(&v, (uint32_t)(n - k));
			st->sent[ph == GEN_MEASURE ? 0 : 1] += k;
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
				int c = classify(&pkts[i], a->g.size, run_id);

				// A backend (--sink-ip) counts only frames addressed to it (DNATed).
				if (c >= 0 && a->sink_ip && ip_dst(pkts[i].data) != a->sink_ip)
					c = -1;

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
			if (now - last_learn >= LEARN_EVERY_NS && ph != GEN_DRAIN) {
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
	struct gen_stats st = {0};
	struct run r = {0};
	uint8_t *tmpl = NULL, learn[MIN_SIZE];
	uint32_t n_tmpl, run_id;
	char where[32];
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
	run_id = (uint32_t)getpid() ^ (uint32_t)gen_now_ns();

	// At least a few bursts of distinct buffers, so one flow still walks a few frames.
	n_tmpl = gen_n_templates(a.g.flows, a.g.macs, 4 * VS_BURST, MAX_TEMPLATES);
	tmpl = aligned_alloc(64, (size_t)n_tmpl * TEMPLATE_SIZE);
	if (tmpl == NULL) {
		fprintf(stderr, "vsgen: out of memory\n");
		return 1;
	}
	for (uint32_t i = 0; i < n_tmpl; i++) {
		uint8_t *f = tmpl + (size_t)i * TEMPLATE_SIZE;

		gen_build_frame(f, a.g.size, a.g.dst_mac, a.g.src_mac, GEN_MAGIC, run_id);
		gen_vary_template(&(struct gen_vary){.flows = a.g.flows,
						     .macs = a.g.macs,
						     .n_tmpl = n_tmpl,
						     .src_mac = a.g.src_mac},
				  f, i);
	}
	if (a.sink_ip)
		build_garp(learn, a.sink_mac, a.sink_ip);
	else
		gen_build_frame(learn, MIN_SIZE, 0xffffffffffffULL, a.sink_mac, LEARN_MAGIC, run_id);

	vs_port_driver_register(&vs_afxdp_ops);
	tx = open_port(a.tx_if, a.xdp_mode);
	if (tx == NULL)
		goto out;
	rx = open_port(a.rx_if, a.xdp_mode);
	if (rx == NULL)
		goto out;
	if (a.g.size > tx->max_frame) {
		fprintf(stderr, "vsgen: --size %u is larger than %s can send (%u)\n", a.g.size,
			a.tx_if, tx->max_frame);
		goto out;
	}

	// Tell a learning device where --dst-mac is, and let it apply what it learned.
	send_learn(rx, learn, &st);
	for (uint64_t t = gen_now_ns(); gen_now_ns() - t < 100000000ULL;) {
		st.stray += drain_port(rx, pkts);
		st.tx_port_rx += drain_port(tx, pkts);
		if (rx->ops->tx_flush)
			rx->ops->tx_flush(rx, 0);
	}
	port_drops(rx, drops_rx0);
	snprintf(where, sizeof(where), "CPU %d", a.cpu);
	gen_print_start("vsgen", a.tx_if, a.rx_if, &a.g, where);

	run_loop(&a, tx, rx, tmpl, n_tmpl, learn, run_id, &st, &r);

	port_drops(rx, drops_rx1);
	{
		struct gen_result res = {
			.tx = a.tx_if,
			.rx = a.rx_if,
			.cpu = a.cpu,
			.sink_rx_ring_full =
				drops_rx1[VS_DROP_RX_RING_FULL] - drops_rx0[VS_DROP_RX_RING_FULL],
			.sink_rx_fill_empty =
				drops_rx1[VS_DROP_RX_FILL_EMPTY] - drops_rx0[VS_DROP_RX_FILL_EMPTY],
		};

		gen_result_fill(&res, &a.g, &st, r.t_start, r.t_end);
		gen_print_result(stdout, &res, a.g.json);
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
