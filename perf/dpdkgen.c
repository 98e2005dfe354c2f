// SPDX-License-Identifier: Apache-2.0
// dpdkgen: a pktgen-style traffic generator and sink on DPDK's ethdev, for topologies
// without a kernel in the path (memif). One lcore sends bursts of pre-built
// Ethernet/IPv4/UDP frames (perf/genframe.h) on --tx-port and receives and counts them on
// --rx-port, in one busy loop; the device under test forwards between the two.
//
//   dpdkgen [EAL options] -- [--tx-port 0] [--rx-port 1] [--size 60] [--rate PPS] ...
//
// e.g. against a device that serves two memif sockets:
//   dpdkgen -l 0 --no-huge -m 512 --no-pci --file-prefix gen
//     --vdev net_memif0,role=client,socket=/run/a.sock
//     --vdev net_memif1,role=client,socket=/run/b.sock -- --seconds 10 --json
// (one command line)
//
// Frames are sent from refcounted template mbufs: the burst takes one reference per
// frame and the driver drops it once the frame has left (memif and af_xdp copy at tx
// time; memif with zero-copy=yes hands the mbuf itself to the peer and drops it when the
// peer is done), so the loop neither allocates nor writes frames. Templates are never
// written while they may be in flight: warmup and measurement have their own set, and
// with more flows or MACs than templates each frame is a fresh copy of a template whose
// header is then rewritten.
//
// With --vxlan, one of the two ports is the underlay towards the device's VTEP and dpdkgen
// plays the remote VTEP (perf/genvxlan.h): it answers the device's ARP requests for --vtep
// there (and waits for the first one before it starts), and either sends its frames
// VXLAN-encapsulated to --dut-vtep (--vxlan tx: the device decapsulates) or counts only
// the VXLAN frames from --dut-vtep with --vni that arrive there, by their inner frame
// (--vxlan rx: the device encapsulates). --size is the inner frame's length either way.
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <vs/mac.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_memcpy.h>
#include <rte_mempool.h>

#include "genframe.h"
#include "genvxlan.h"

#define BURST 32
#define MAX_TEMPLATES 1024
#define N_DESC 1024
#define POOL_MBUFS 8191
#define DRAIN_NS 200000000ULL
#define DRAIN_IDLE_NS 50000000ULL
#define LEARN_EVERY_NS 1000000000ULL
#define LINK_WAIT_S 10
#define MAX_QUEUES 8

struct args {
	uint16_t tx_port, rx_port;
	uint16_t queues;    // tx queues per port; bursts go out on them in turn
	uint16_t rx_queues; // rx queues per port (default: as many), all received
	uint32_t link_wait; // seconds to wait for the links; a reconnect every link_wait / 5
	int dut_pid;	    // the device under test's process (--dut-pid), 0: none
	struct gen_opts g;
	struct gen_vxlan vx; // --vxlan: the remote VTEP dpdkgen plays
	uint32_t off;	     // where a sent frame's generated (inner) frame starts
	uint32_t len;	     // length of a sent frame (--size, plus GEN_VX_HDR with --vxlan tx)
};

static uint64_t arp_replies, arp_asker; // ARP requests for --vtep answered, the last asker

static volatile sig_atomic_t stop_req;

static void on_signal(int sig)
{
	(void)sig;
	stop_req = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: dpdkgen [EAL options] -- [OPTIONS]\n"
		"Sends UDP frames on one DPDK port and counts them on another, in one busy loop\n"
		"on the EAL main lcore (pin it with -l CPU); prints one line of results.\n"
		"  -t, --tx-port N      port frames leave from (default 0: the first --vdev)\n"
		"  -r, --rx-port N      port frames are counted on (default 1)\n"
		"  -Q, --queues N       rx and tx queues per port, 1-%d (default 1): bursts are\n"
		"                       sent on the queues in turn, every queue is received\n"
		"      --rx-queues N    rx queues per port, if not as many as --queues (a memif\n"
		"                       server's tx queues are the client's rx queues)\n"
		"      --dut-pid PID    also report how much CPU the device under test's process\n"
		"                       (all its threads) got and used during the measurement\n"
		"                       (JSON: dut_oncpu_pct, dut_cpu_ns, dut_ns_per_frame)\n"
		"      --link-wait S    wait up to S seconds for both links (default 10;\n"
		"                       more for a peer under valgrind)\n"
		"  -s, --size BYTES     frame length without FCS, %d-%d (default 60)\n"
		"  -R, --rate PPS       offered rate; 0 = as fast as possible (default 0)\n"
		"  -S, --seconds S      length of the measurement (default 10)\n"
		"  -n, --count N        stop the measurement after N frames sent\n"
		"  -w, --warmup S       send this long before measuring (default 1)\n"
		"  -f, --flows N        vary UDP source port and source IP over N flows (1)\n"
		"      --macs N         vary the source MAC over N addresses (1): --src-mac,\n"
		"                       then XX:XX:XX:80:00:01 on (its first 3 bytes)\n"
		"      --src-mac MAC    source MAC (default 02:76:73:00:00:01)\n"
		"      --dst-mac MAC    destination MAC; the rx port announces it (default\n"
		"                       02:76:73:00:00:02)\n"
		"      --vxlan tx|rx    play the remote VTEP of a device's vxlan port on the\n"
		"                       tx port (frames are sent VXLAN-encapsulated to\n"
		"                       --dut-vtep: the device decapsulates) or the rx port\n"
		"                       (only VXLAN frames from --dut-vtep with --vni count,\n"
		"                       by their inner frame:\n"
		"                       the device encapsulates); on that port dpdkgen answers\n"
		"                       ARP requests for --vtep and waits up to --link-wait for\n"
		"                       the first one before it sends; --size is the inner length\n"
		"      --vtep IP,MAC    the generator's VTEP on the underlay (with --vxlan)\n"
		"      --dut-vtep IP,MAC  the device's VTEP: its local_ip and underlay MAC\n"
		"      --vni N          VNI of the VXLAN frames (default 100)\n"
		"  -j, --json           print the results as one JSON object\n"
		"  -q, --quiet          no progress messages on stderr\n"
		"  -h, --help           this help\n",
		MAX_QUEUES, GEN_MIN_SIZE, GEN_MAX_SIZE);
}

static int parse_args(int argc, char **argv, struct args *a)
{
	static const struct option longopts[] = {
		{"tx-port", required_argument, NULL, 't'},
		{"rx-port", required_argument, NULL, 'r'},
		{"queues", required_argument, NULL, 'Q'},
		{"rx-queues", required_argument, NULL, 'X'},
		{"link-wait", required_argument, NULL, 'L'},
		{"dut-pid", required_argument, NULL, 'P'},
		{"vxlan", required_argument, NULL, 'V'},
		{"vtep", required_argument, NULL, 'E'},
		{"dut-vtep", required_argument, NULL, 'U'},
		{"vni", required_argument, NULL, 'I'},
		GEN_OPTS_LONG,
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	uint64_t v;
	int c, r;

	memset(a, 0, sizeof(*a));
	a->tx_port = 0;
	a->rx_port = 1;
	a->queues = 1;
	a->rx_queues = 0;
	a->link_wait = LINK_WAIT_S;
	a->vx.vni = 100;
	gen_opts_init(&a->g);
	optind = 1;
	while ((c = getopt_long(argc, argv, "t:r:Q:" GEN_OPTS_SHORT "h", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
		case 'r':
			if (gen_parse_u64(optarg, 0, RTE_MAX_ETHPORTS - 1, &v) < 0)
				goto bad;
			*(c == 't' ? &a->tx_port : &a->rx_port) = (uint16_t)v;
			break;
		case 'Q':
		case 'X':
			if (gen_parse_u64(optarg, 1, MAX_QUEUES, &v) < 0)
				goto bad;
			*(c == 'Q' ? &a->queues : &a->rx_queues) = (uint16_t)v;
			break;
		case 'L':
			if (gen_parse_u64(optarg, 1, 3600, &v) < 0)
				goto bad;
			a->link_wait = (uint32_t)v;
			break;
		case 'P':
			if (gen_parse_u64(optarg, 1, 4194304, &v) < 0)
				goto bad;
			a->dut_pid = (int)v;
			break;
		case 'V':
			if (gen_vx_parse_side(optarg, &a->vx.side) < 0)
				goto bad;
			break;
		case 'E':
		case 'U':
			if (gen_vx_parse_vtep(optarg, c == 'E' ? &a->vx.ip : &a->vx.dut_ip,
					      c == 'E' ? &a->vx.mac : &a->vx.dut_mac) < 0)
				goto bad;
			break;
		case 'I':
			if (gen_parse_u64(optarg, 0, 0xffffff, &v) < 0)
				goto bad;
			a->vx.vni = (uint32_t)v;
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
	if (optind < argc) {
		fprintf(stderr, "dpdkgen: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	if (a->rx_queues == 0)
		a->rx_queues = a->queues;
	if (a->tx_port == a->rx_port) {
		fprintf(stderr, "dpdkgen: --tx-port and --rx-port must differ\n");
		return -1;
	}
	if (a->vx.side != GEN_VX_NONE && (a->vx.ip == 0 || a->vx.dut_ip == 0)) {
		fprintf(stderr, "dpdkgen: --vxlan needs --vtep and --dut-vtep\n");
		return -1;
	}
	a->off = a->vx.side == GEN_VX_TX ? GEN_VX_HDR : 0;
	a->len = a->g.size + a->off;
	return 0;
bad:
	fprintf(stderr, "dpdkgen: invalid value for option %s: '%s' (see --help)\n",
		argv[optind - 1], optarg);
	return -1;
}

// Configures 'port' with 'nrx' rx and 'ntx' tx queues and starts it.
static int port_start(uint16_t port, uint16_t nrx, uint16_t ntx, struct rte_mempool *pool)
{
	struct rte_eth_conf conf;
	int ret;

	if (!rte_eth_dev_is_valid_port(port)) {
		fprintf(stderr, "dpdkgen: no port %u (give one --vdev per port)\n", port);
		return -1;
	}
	memset(&conf, 0, sizeof(conf));
	ret = rte_eth_dev_configure(port, nrx, ntx, &conf);
	for (uint16_t q = 0; q < nrx && ret == 0; q++)
		ret = rte_eth_rx_queue_setup(port, q, N_DESC, rte_eth_dev_socket_id(port), NULL,
					     pool);
	for (uint16_t q = 0; q < ntx && ret == 0; q++)
		ret = rte_eth_tx_queue_setup(port, q, N_DESC, rte_eth_dev_socket_id(port), NULL);
	// A memif client cannot connect while the server is still closing the previous
	// client's connection, or before it listens: retry for a while.
	for (int i = 0; ret == 0 && i < LINK_WAIT_S * 10 && !stop_req; i++) {
		ret = rte_eth_dev_start(port);
		if (ret == 0 || i == LINK_WAIT_S * 10 - 1)
			break;
		ret = 0;
		rte_delay_ms(100);
	}
	if (ret < 0) {
		fprintf(stderr, "dpdkgen: port %u: %s\n", port, rte_strerror(-ret));
		return -1;
	}
	return 0;
}

static int link_up(uint16_t port)
{
	struct rte_eth_link link;

	memset(&link, 0, sizeof(link));
	return rte_eth_link_get_nowait(port, &link) == 0 && link.link_status == RTE_ETH_LINK_UP;
}

// The port that is the underlay with --vxlan (RTE_MAX_ETHPORTS: none).
static uint16_t underlay_port(const struct args *a)
{
	return a->vx.side == GEN_VX_TX	 ? a->tx_port
	       : a->vx.side == GEN_VX_RX ? a->rx_port
					 : RTE_MAX_ETHPORTS;
}

// Frame 'm' arrived on the underlay: if it is an ARP request for --vtep, sends the reply
// back out (tx queue 0). Returns 1 if 'm' was ARP, answered or not.
static int arp_answer(const struct args *a, struct rte_mempool *pool, const struct rte_mbuf *m)
{
	struct rte_mbuf *r;
	uint8_t *d;
	int k;

	if (m->nb_segs != 1)
		return 0;
	r = rte_pktmbuf_alloc(pool);
	if (r == NULL)
		return 1;
	d = (uint8_t *)rte_pktmbuf_append(r, GEN_VX_ARP_FRAME);
	k = gen_vx_arp(&a->vx, rte_pktmbuf_mtod(m, const uint8_t *), m->pkt_len, d, &arp_asker);
	if (k == 1 && rte_eth_tx_burst(underlay_port(a), 0, &r, 1) == 1) {
		arp_replies++;
		return 1;
	}
	rte_pktmbuf_free(r);
	return k >= 0;
}

// Receives on every queue of 'port' and frees what arrived; returns the number of frames
// (ARP answered on the underlay not counted).
static uint16_t drain(const struct args *a, struct rte_mempool *pool, uint16_t port)
{
	struct rte_mbuf *m[BURST];
	uint16_t n, total = 0;

	for (uint16_t q = 0; q < a->rx_queues; q++) {
		n = rte_eth_rx_burst(port, q, m, BURST);
		for (uint16_t i = 0; i < n; i++)
			if (port != underlay_port(a) || !arp_answer(a, pool, m[i]))
				total++;
		if (n)
			rte_pktmbuf_free_bulk(m, n);
	}
	return total;
}

// --vxlan: waits up to --link-wait seconds for the device's first ARP request for --vtep
// and answers it, then gives the device's control thread 200 ms to take the answer in, so
// that no frame is sent while the device cannot encapsulate to --vtep yet.
static void arp_wait(const struct args *a, struct rte_mempool *pool, struct gen_stats *st)
{
	uint64_t t = gen_now_ns(), until = t + (uint64_t)a->link_wait * 1000000000ULL;

	if (a->vx.side == GEN_VX_NONE)
		return;
	while (arp_replies == 0 && gen_now_ns() < until && !stop_req) {
		st->stray += drain(a, pool, a->rx_port);
		st->tx_port_rx += drain(a, pool, a->tx_port);
	}
	if (arp_replies == 0) {
		fprintf(stderr,
			"dpdkgen: no ARP request for --vtep in %u s: the device may not "
			"know where to send VXLAN frames\n",
			a->link_wait);
		return;
	}
	for (t = gen_now_ns(); gen_now_ns() - t < 200000000ULL && !stop_req;) {
		st->stray += drain(a, pool, a->rx_port);
		st->tx_port_rx += drain(a, pool, a->tx_port);
	}
}

// Sends a few broadcast frames from --dst-mac out of the rx port, so that a learning
// device knows where that MAC is.
static void send_learn(const struct args *a, struct rte_mempool *pool, uint32_t run,
		       struct gen_stats *st)
{
	struct rte_mbuf *m[4];
	uint16_t k;

	if (rte_pktmbuf_alloc_bulk(pool, m, 4) < 0)
		return;
	// With --vxlan rx the rx port is the underlay: from behind the generator's VTEP.
	const uint32_t off = a->vx.side == GEN_VX_RX ? GEN_VX_HDR : 0;

	for (int i = 0; i < 4; i++) {
		uint8_t *d = (uint8_t *)rte_pktmbuf_append(m[i], (uint16_t)(GEN_MIN_SIZE + off));

		gen_build_frame(d + off, GEN_MIN_SIZE, 0xffffffffffffULL, a->g.dst_mac, LEARN_MAGIC,
				run);
		if (off)
			gen_vx_encap(&a->vx, d, GEN_MIN_SIZE, 49152);
	}
	k = rte_eth_tx_burst(a->rx_port, 0, m, 4);
	st->learn_sent += k;
	if (k < 4)
		rte_pktmbuf_free_bulk(m + k, 4u - k);
}

// ns on the CPU and ns runnable but waiting for it (/proc/.../schedstat), of this thread
// (pid 0) or summed over the threads of process 'pid'. -1 if it cannot be read.
static int sched_read(int pid, uint64_t *run, uint64_t *wait)
{
	char path[64];
	unsigned long long r, w;
	struct dirent *e;
	DIR *d;
	FILE *f;
	int n = 0;

	*run = *wait = 0;
	if (pid == 0) {
		f = fopen("/proc/thread-self/schedstat", "r");
		if (f == NULL)
			return -1;
		n = fscanf(f, "%llu %llu", &r, &w) == 2;
		fclose(f);
		*run = r;
		*wait = w;
		return n ? 0 : -1;
	}
	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	d = opendir(path);
	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%.16s/schedstat", pid, e->d_name);
		f = fopen(path, "r");
		if (f == NULL)
			continue; // the thread has just exited
		if (fscanf(f, "%llu %llu", &r, &w) == 2) {
			*run += r;
			*wait += w;
			n++;
		}
		fclose(f);
	}
	closedir(d);
	return n ? 0 : -1;
}

// Scheduling of the generator and the device (--dut-pid) at one moment.
struct sched_snap {
	int ok; // GEN_SCHED_* read
	uint64_t gen_run, gen_wait, dut_run, dut_wait;
};

static void sched_snap(int dut_pid, struct sched_snap *s)
{
	s->ok = 0;
	if (sched_read(0, &s->gen_run, &s->gen_wait) == 0)
		s->ok |= GEN_SCHED_GEN;
	if (dut_pid != 0 && sched_read(dut_pid, &s->dut_run, &s->dut_wait) == 0)
		s->ok |= GEN_SCHED_DUT;
}

struct span {
	uint64_t t_start, t_end;
	struct sched_snap s0, s1; // at t_start and t_end
};

// tmpl[0]: the warmup templates, tmpl[1] the measurement ones, n_tmpl of each.
static void run_loop(const struct args *a, struct rte_mempool *pool, struct rte_mbuf **tmpl[2],
		     uint32_t n_tmpl, uint32_t run, struct gen_stats *st, struct span *sp)
{
	struct rte_mbuf *rx[BURST], *tx[BURST];
	const uint64_t warm_ns = (uint64_t)(a->g.warmup * 1e9),
		       meas_ns = (uint64_t)(a->g.seconds * 1e9);
	uint64_t now = gen_now_ns(), last = now, phase_end = now + warm_ns, last_learn = now,
		 last_rx = now;
	int ph = warm_ns ? GEN_WARMUP : GEN_MEASURE;
	struct gen_vary v = {
		.flows = a->g.flows, .macs = a->g.macs, .n_tmpl = n_tmpl, .src_mac = a->g.src_mac};
	// More flows or MACs than templates: every frame is a copy, its header rewritten.
	const int copy = a->g.flows > n_tmpl || a->g.macs > n_tmpl;
	struct rte_mbuf **cur = tmpl[0];
	uint32_t next = 0;
	uint16_t txq = 0, rxq = 0;
	double tokens = 0, max_tokens = a->g.rate * 1e-3 > 4 * BURST ? a->g.rate * 1e-3 : 4 * BURST;

	if (ph == GEN_MEASURE) {
		cur = tmpl[1];
		sched_snap(a->dut_pid, &sp->s0);
		now = gen_now_ns();
		sp->t_start = now;
		phase_end = now + meas_ns;
	}
	for (;;) {
		uint16_t n, k;

		st->loops++;
		now = gen_now_ns();
		if (ph == GEN_WARMUP && (now >= phase_end || stop_req)) {
			ph = GEN_MEASURE;
			cur = tmpl[1];
			sched_snap(a->dut_pid, &sp->s0);
			now = gen_now_ns();
			sp->t_start = now;
			phase_end = now + meas_ns;
		}
		if (ph == GEN_MEASURE &&
		    (now >= phase_end || stop_req || (a->g.count && st->sent[0] >= a->g.count))) {
			ph = GEN_DRAIN;
			sp->t_end = now;
			sched_snap(a->dut_pid, &sp->s1);
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
		for (int b = 0; b < (a->g.rate > 0 ? 4 : 1) && ph != GEN_DRAIN; b++) {
			n = BURST;
			if (a->g.rate > 0)
				n = tokens < BURST ? (uint16_t)tokens : BURST;
			if (a->g.count && ph == GEN_MEASURE && st->sent[0] + n > a->g.count)
				n = (uint16_t)(a->g.count - st->sent[0]);
			if (n == 0)
				break;
			if (copy) {
				if (rte_pktmbuf_alloc_bulk(pool, tx, n) < 0) {
					st->tx_short++;
					break;
				}
				for (uint16_t i = 0; i < n; i++) {
					uint8_t *d = rte_pktmbuf_mtod(tx[i], uint8_t *);

					rte_memcpy(d, rte_pktmbuf_mtod(cur[next], const uint8_t *),
						   a->len);
					tx[i]->data_len = (uint16_t)a->len;
					tx[i]->pkt_len = a->len;
					gen_vary_next(&v, d + a->off);
					if (++next == n_tmpl)
						next = 0;
				}
			} else {
				for (uint16_t i = 0; i < n; i++) {
					struct rte_mbuf *m = cur[next];

					rte_mbuf_refcnt_update(m, 1);
					tx[i] = m;
					if (++next == n_tmpl)
						next = 0;
				}
			}
			k = rte_eth_tx_burst(a->tx_port, txq, tx, n);
			if (++txq == a->queues)
				txq = 0;
			if (copy && k < n)
				rte_pktmbuf_free_bulk(tx + k, (unsigned int)(n - k));
			for (uint16_t i = k; i < n && !copy; i++)
				rte_mbuf_refcnt_update(tx[i], -1);
			// Frames not taken are offered again next time, in the same order.
			next = (uint32_t)((next + n_tmpl - (uint32_t)(n - k)) % n_tmpl);
			gen_vary_unsend(&v, (uint32_t)(n - k));
			st->sent[ph == GEN_MEASURE ? 0 : 1] += k;
			tokens -= k;
			if (k < n) {
				st->tx_short++;
				break;
			}
		}
		// Up to 4 bursts in, so the sink keeps up with a device that batches; with several
		// queues, the next queue each loop.
		if (++rxq >= a->rx_queues)
			rxq = 0;
		for (int b = 0; b < 4 && (k = rte_eth_rx_burst(a->rx_port, rxq, rx, BURST)) > 0;
		     b++) {
			for (uint16_t i = 0; i < k; i++) {
				const struct rte_mbuf *m = rx[i];
				const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);
				uint32_t len = m->pkt_len;
				int c = -1;

				// --vxlan rx: VXLAN from the device's VTEP, by its inner frame.
				if (a->vx.side == GEN_VX_RX && m->nb_segs == 1) {
					if (gen_vx_match(&a->vx, d, len)) {
						d += GEN_VX_HDR;
						len -= GEN_VX_HDR;
					} else if (arp_answer(a, pool, m)) {
						continue;
					} else {
						len = 0;
					}
				}
				if (m->nb_segs == 1)
					c = gen_classify(d, len, a->g.size, run);
				if (c < 0) {
					st->stray++;
				} else {
					st->received[c]++;
					if (c == 0)
						st->rx_bytes += len;
				}
			}
			rte_pktmbuf_free_bulk(rx, k);
			last_rx = now;
		}
		if ((st->loops & 255) == 0) {
			st->tx_port_rx += drain(a, pool, a->tx_port);
			if (now - last_learn >= LEARN_EVERY_NS && ph != GEN_DRAIN) {
				send_learn(a, pool, run, st);
				last_learn = now;
			}
		}
	}
	if (sp->t_end == 0) {
		sp->t_end = now;
		sched_snap(a->dut_pid, &sp->s1);
	}
}

int main(int argc, char **argv)
{
	struct rte_mbuf *tmpl_buf[2][MAX_TEMPLATES], **tmpl[2] = {tmpl_buf[0], tmpl_buf[1]};
	struct rte_eth_stats s0, s1;
	struct rte_mempool *pool;
	char txname[RTE_ETH_NAME_MAX_LEN] = "", rxname[RTE_ETH_NAME_MAX_LEN] = "";
	char where[64];
	struct gen_stats st = {0};
	struct span sp = {0};
	uint32_t n_tmpl = 0, run;
	struct args a;
	int ret, rc = 1;

	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "dpdkgen: EAL initialisation failed: %s\n",
			rte_strerror(rte_errno));
		return 1;
	}
	argc -= ret;
	argv += ret;
	argv[0] = (char *)"dpdkgen";
	if (parse_args(argc, argv, &a) < 0) {
		rte_eal_cleanup();
		return 2;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	run = (uint32_t)getpid() ^ (uint32_t)gen_now_ns();

	pool = rte_pktmbuf_pool_create("dpdkgen", POOL_MBUFS * a.rx_queues, 256, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (pool == NULL) {
		fprintf(stderr, "dpdkgen: mbuf pool: %s\n", rte_strerror(rte_errno));
		goto out_eal;
	}
	if (port_start(a.tx_port, a.rx_queues, a.queues, pool) < 0 ||
	    port_start(a.rx_port, a.rx_queues, a.queues, pool) < 0)
		goto out;
	rte_eth_dev_get_name_by_port(a.tx_port, txname);
	rte_eth_dev_get_name_by_port(a.rx_port, rxname);
	// A memif handshake now and then never completes (seen with DPDK 22.11 under load):
	// reconnect every 2 s (link_wait / 5) until both links are up.
	for (uint32_t i = 1; i <= a.link_wait * 100 && !(link_up(a.tx_port) && link_up(a.rx_port));
	     i++) {
		if (stop_req)
			goto out;
		usleep(10000);
		if (i % (a.link_wait * 20) == 0) {
			for (uint16_t p = 0; p < 2; p++) {
				uint16_t port = p ? a.rx_port : a.tx_port;

				if (!link_up(port)) {
					rte_eth_dev_stop(port);
					rte_eth_dev_start(port);
				}
			}
		}
	}
	if (!link_up(a.tx_port) || !link_up(a.rx_port)) {
		fprintf(stderr,
			"dpdkgen: link of %s or %s not up after %d s (is the peer there?)\n",
			txname, rxname, a.link_wait);
		goto out;
	}

	n_tmpl = gen_n_templates(a.g.flows, a.g.macs, 4 * BURST, MAX_TEMPLATES);
	if (rte_pktmbuf_alloc_bulk(pool, tmpl[0], n_tmpl) < 0) {
		fprintf(stderr, "dpdkgen: cannot allocate 2 x %u template mbufs\n", n_tmpl);
		n_tmpl = 0;
		goto out;
	}
	if (rte_pktmbuf_alloc_bulk(pool, tmpl[1], n_tmpl) < 0) {
		fprintf(stderr, "dpdkgen: cannot allocate 2 x %u template mbufs\n", n_tmpl);
		rte_pktmbuf_free_bulk(tmpl[0], n_tmpl);
		n_tmpl = 0;
		goto out;
	}
	for (uint32_t p = 0; p < 2; p++) {
		for (uint32_t i = 0; i < n_tmpl; i++) {
			uint8_t *d = (uint8_t *)rte_pktmbuf_append(tmpl[p][i], (uint16_t)a.len);

			if (d == NULL) {
				fprintf(stderr, "dpdkgen: --size %u does not fit an mbuf\n",
					a.g.size);
				goto out;
			}
			gen_build_frame(d + a.off, a.g.size, a.g.dst_mac, a.g.src_mac, GEN_MAGIC,
					run);
			d[a.off + GEN_OFF_PHASE] = p ? GEN_MEASURE : GEN_WARMUP;
			gen_vary_template(&(struct gen_vary){.flows = a.g.flows,
							     .macs = a.g.macs,
							     .n_tmpl = n_tmpl,
							     .src_mac = a.g.src_mac},
					  d + a.off, i);
			// Outer UDP source ports spread as a VTEP hashes them (49152-65535).
			if (a.off)
				gen_vx_encap(&a.vx, d, a.g.size, (uint16_t)(49152 + i % 16384));
		}
	}

	// Tell a learning device where --dst-mac is, and give it time to apply it.
	arp_wait(&a, pool, &st);
	send_learn(&a, pool, run, &st);
	for (uint64_t t = gen_now_ns(); gen_now_ns() - t < 100000000ULL;) {
		st.stray += drain(&a, pool, a.rx_port);
		st.tx_port_rx += drain(&a, pool, a.tx_port);
	}
	rte_eth_stats_get(a.rx_port, &s0);
	snprintf(where, sizeof(where), "lcore %u (CPU %d)", rte_lcore_id(),
		 rte_lcore_to_cpu_id((int)rte_lcore_id()));
	gen_print_start("dpdkgen", txname, rxname, &a.g, where);

	run_loop(&a, pool, tmpl, n_tmpl, run, &st, &sp);
	if (a.vx.side != GEN_VX_NONE) {
		char mac[VS_MAC_STRLEN];

		vs_mac_format(arp_asker, mac);
		fprintf(stderr,
			"dpdkgen: answered %" PRIu64 " ARP request(s) for --vtep (last from %s)\n",
			arp_replies, mac);
	}

	rte_eth_stats_get(a.rx_port, &s1);
	{
		struct gen_result res = {
			.tx = txname,
			.rx = rxname,
			.cpu = rte_lcore_to_cpu_id((int)rte_lcore_id()),
			// The sink port's own losses: its rx ring full (imissed) and no mbuf
			// to receive into (rx_nombuf).
			.sink_rx_ring_full = s1.imissed - s0.imissed,
			.sink_rx_fill_empty = s1.rx_nombuf - s0.rx_nombuf,
		};

		gen_result_fill(&res, &a.g, &st, sp.t_start, sp.t_end);
		res.sched = sp.s0.ok & sp.s1.ok;
		res.gen_run_ns = sp.s1.gen_run - sp.s0.gen_run;
		res.gen_wait_ns = sp.s1.gen_wait - sp.s0.gen_wait;
		res.dut_run_ns = sp.s1.dut_run - sp.s0.dut_run;
		res.dut_wait_ns = sp.s1.dut_wait - sp.s0.dut_wait;
		gen_print_result(stdout, &res, a.g.json);
	}
	rc = 0;
out:
	for (uint32_t i = 0; i < n_tmpl; i++) {
		rte_pktmbuf_free(tmpl[0][i]);
		rte_pktmbuf_free(tmpl[1][i]);
	}
	rte_eth_dev_stop(a.tx_port);
	rte_eth_dev_stop(a.rx_port);
	rte_eth_dev_close(a.tx_port);
	rte_eth_dev_close(a.rx_port);
out_eal:
	rte_eal_cleanup();
	return rc;
}
