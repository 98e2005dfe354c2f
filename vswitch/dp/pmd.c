// SPDX-License-Identifier: Apache-2.0
#include "pmd.h"

#include <errno.h>
#include <numa.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <vs/log.h>

#include "csum.h"
#include "l2.h"
#include "output.h"
#include "parse.h"
#include "rcu.h"
#include "svc.h"
#include "vxlan.h"

VS_LOG_MODULE("pmd");

// The coarse clock is a plain memory read in the vDSO (the precise one can cost a
// system call in a VM); a few milliseconds of resolution suit ageing and dedup.
uint32_t vs_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint32_t)ts.tv_sec;
}

void vs_pmd_clock(struct vs_pmd *pmd)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	pmd->now_s = (uint32_t)ts.tv_sec;
	pmd->now_ms = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

struct vs_pmd *vs_pmd_create(uint16_t id, int cpu)
{
	struct vs_pmd *pmd;

	if (id >= VS_MAX_PMDS) {
		errno = EINVAL;
		return NULL;
	}
	// aligned_alloc() needs a size that is a multiple of the alignment (C11 7.22.3.1).
	pmd = aligned_alloc(VS_CACHE_LINE,
			    (sizeof(*pmd) + VS_CACHE_LINE - 1) & ~(size_t)(VS_CACHE_LINE - 1));
	if (pmd == NULL)
		return NULL;
	memset(pmd, 0, sizeof(*pmd));
	pmd->learn = aligned_alloc(VS_CACHE_LINE, sizeof(*pmd->learn));
	if (pmd->learn == NULL) {
		free(pmd);
		return NULL;
	}
	memset(pmd->learn, 0, sizeof(*pmd->learn));
	pmd->id = id;
	pmd->cpu = cpu;
	pmd->numa_node = cpu >= 0 && numa_available() >= 0 ? numa_node_of_cpu(cpu) : -1;
	vs_pmd_clock(pmd);
	return pmd;
}

void vs_pmd_destroy(struct vs_pmd *pmd)
{
	if (pmd == NULL)
		return;
	free(pmd->learn);
	free(pmd);
}

// A burst of a local port of a learning bridge whose frames all carry one MAC pair (a bulk
// transfer between two hosts, traffic to or from a gateway), known unicast to another port
// of the same driver, which can send the burst as it was received (tx_rx_burst): sent there
// whole, parsed no further. False, having sent nothing, for any other burst. Only for ports
// whose frames need no checksum completion (rx_csum_full): nothing else reads the frames.
static inline __attribute__((always_inline)) bool
pass_through(struct vs_pmd *pmd, const struct vs_conf *conf, const struct vs_dp_bridge *br,
	     struct vs_fdb_table *t, struct vs_port *port, uint16_t n)
{
	struct vs_port_counters *c = &port->ctr[pmd->id];
	struct vs_pair p;
	uint16_t out;

	if (!vs_parse_pair(pmd->pkts, n, &p))
		return false;
	out = vs_l2_pair_out(pmd, conf, br, t->slots, t->mask, port->id, p.dst, p.src);
	if (out == VS_PORT_NONE ||
	    !vs_output_pass(pmd, conf, port, pmd->pkts, n, out, p.bytes, p.len_or))
		return false;
	vs_ctr_add(&c->rx_packets, n);
	vs_ctr_add(&c->rx_bytes, p.bytes);
	return true;
}

// The pipeline of a burst whose frames are all frames of 'port' (received on 'rx_port', whose
// driver owns their buffers: the same port but for frames decapsulated from a VXLAN underlay,
// 'decap', which keep the VTEP that sent them): one pass sets up, parses, completes checksums
// and starts the MAC table's lines loading; on a learning bridge without services one more
// learns, switches and stages.
static inline __attribute__((always_inline)) void
pipeline_one_port(struct vs_pmd *pmd, const struct vs_conf *conf, struct vs_port *port,
		  struct vs_port *rx_port, uint16_t n, const bool decap)
{
	const struct vs_dp_bridge *br = conf->bridge_of[port->id];
	struct vs_fdb_table *t = NULL;
	struct vs_rx_prep prep;
	bool fast;

	// The L2 stage proper runs on frames no earlier stage answered: a bridge with a service
	// table runs its stage first; macvlan bridges demultiplex instead of learning.
	fast = br != NULL && br->type != VS_BRIDGE_MACVLAN && br->svc == NULL &&
	       (t = vs_fdb_table_get(br->fdb)) != NULL;
	if (fast && !decap && rx_port->ops->tx_rx_burst != NULL && rx_port->rx_csum_full &&
	    pass_through(pmd, conf, br, t, port, n))
		return;
	prep.slots = fast ? t->slots : NULL;
	prep.mask = fast ? t->mask : 0;
	prep.hashed = fast && vs_l2_prefetch_wanted(br);
	prep.decap = decap;
	vs_parse_rx_burst(pmd->pkts, n, port->id, rx_port, !rx_port->rx_csum_full, &prep);
	if (!decap) { // vs_vxlan_rx_underlay() counted the underlay's and the vxlan port's
		struct vs_port_counters *c = &port->ctr[pmd->id];

		vs_ctr_add(&c->rx_packets, n);
		vs_ctr_add(&c->rx_bytes, prep.bytes);
	}
	if (!rx_port->rx_csum_full)
		vs_ctr_add(&rx_port->ctr[pmd->id].rx_csum_completed, prep.fixed);
	if (fast && prep.dropped == 0) {
		uint16_t i = vs_l2_fast_burst(pmd, conf, br, &prep, pmd->pkts, n);

		if (i < n)
			vs_output_burst(pmd, conf, pmd->pkts + i, (uint16_t)(n - i));
	} else {
		if (conf->any_svc)
			vs_svc_burst(pmd, conf, pmd->pkts, n);
		vs_l2_burst(pmd, conf, pmd->pkts, n);
		vs_output_burst(pmd, conf, pmd->pkts, n);
	}
	vs_output_flush(pmd, conf);
}

// A burst of a VXLAN underlay: decapsulated first; the frames of one vxlan port (the common
// case) then go on as a burst of that port, those of several stage by stage.
static __attribute__((noinline)) void pipeline_underlay(struct vs_pmd *pmd,
							const struct vs_conf *conf,
							const struct vs_vxlan_underlay *ul,
							struct vs_port *port, uint16_t n)
{
	uint16_t one;

	if ((n = vs_vxlan_rx_underlay(pmd, conf, ul, pmd->pkts, n, &one)) == 0)
		return;
	if (VS_LIKELY(one != VS_PORT_NONE)) {
		pipeline_one_port(pmd, conf, conf->ports[one], port, n, true);
		return;
	}
	// Decapsulation set in_port and vtep.
	for (uint16_t i = 0; i < n; i++) {
		pmd->pkts[i].rx_port = port;
		pmd->pkts[i].out_port = VS_PORT_NONE;
		pmd->pkts[i].drop = VS_DROP_NONE;
	}
	if (!port->rx_csum_full)
		vs_ctr_add(&port->ctr[pmd->id].rx_csum_completed, vs_parse_csum_burst(pmd->pkts, n));
	else
		vs_parse_burst(pmd->pkts, n);
	// The service stage works on one bridge at a time: hand it runs of one ingress port.
	for (uint16_t i = 0, j; conf->any_svc && i < n; i = j) {
		for (j = i + 1; j < n && pmd->pkts[j].in_port == pmd->pkts[i].in_port; j++)
			;
		vs_svc_burst(pmd, conf, pmd->pkts + i, (uint16_t)(j - i));
	}
	vs_l2_burst(pmd, conf, pmd->pkts, n);
	vs_output_burst(pmd, conf, pmd->pkts, n);
	vs_output_flush(pmd, conf);
}

void vs_pmd_pipeline(struct vs_pmd *pmd, const struct vs_conf *conf, struct vs_port *port,
		     uint16_t n)
{
	const struct vs_vxlan_underlay *ul = vs_vxlan_underlay_of(conf, port);

	if (VS_LIKELY(ul == NULL))
		pipeline_one_port(pmd, conf, port, port, n, false);
	else
		pipeline_underlay(pmd, conf, ul, port, n);
}

uint32_t vs_pmd_poll_once(struct vs_pmd *pmd, const struct vs_conf *conf)
{
	const struct vs_pmd_conf *pc = &conf->pmd[pmd->id];
	uint32_t total = 0;

	for (uint16_t r = 0; r < pc->n_rxq; r++) {
		struct vs_port *port = pc->rxq[r].port;
		uint16_t q = pc->rxq[r].qid, n;

		n = port->ops->rx_burst(port, q, pmd->pkts, VS_BURST);
		if (conf->vxlan != NULL)
			vs_vxlan_ctl_drain(pmd, conf, port, q);
		if (n == 0)
			continue;
		vs_ctr_add(&pmd->stats.rx_bursts, 1);
		vs_pmd_pipeline(pmd, conf, port, n);
		port->ops->rx_done(port, q, pmd->pkts, n);
		total += n;
	}
	for (uint16_t t = 0; t < pc->n_txport; t++) {
		struct vs_port *port = pc->txport[t];
		uint16_t q = vs_conf_txq(port, pmd->id);
		bool shared = conf->tx_shared[port->id];

		if (port->ops->tx_flush == NULL)
			continue;
		if (shared)
			vs_port_tx_lock(port, q);
		port->ops->tx_flush(port, q);
		if (shared)
			vs_port_tx_unlock(port, q);
	}
	vs_ctr_add(&pmd->stats.rx_packets, total);
	return total;
}

// Adaptive idle: sleeps in poll() on this thread's rx queues until one has frames or
// 'timeout_ms' passes. Offline meanwhile, so configuration changes do not wait for it.
static void pmd_sleep(struct vs_pmd *pmd, const struct vs_conf *conf, int timeout_ms)
{
	const struct vs_pmd_conf *pc = &conf->pmd[pmd->id];
	struct pollfd fds[VS_MAX_PORTS];
	nfds_t n = 0;

	for (uint16_t r = 0; r < pc->n_rxq && n < VS_MAX_PORTS; r++) {
		struct vs_port *port = pc->rxq[r].port;
		int fd = port->ops->rx_fd ? port->ops->rx_fd(port, pc->rxq[r].qid) : -1;

		if (fd < 0)
			return; // a queue that cannot wake us: keep polling
		fds[n].fd = fd;
		fds[n].events = POLLIN;
		n++;
	}
	vs_ctr_add(&pmd->stats.sleeps, 1);
	// The snapshot may be freed (and a port's socket closed) once we are offline: only the
	// fd numbers are used from here on, and a stale one costs at most one timeout.
	vs_rcu_offline(pmd->id);
	poll(fds, n, timeout_ms);
	vs_rcu_online(pmd->id);
}

// How often the loop refreshes now_s/now_ms, in vs_cycles() units: 2^20 TSC cycles are 0.2-1 ms
// at 1-5 GHz (on machines without a TSC, vs_cycles() counts nanoseconds: 1 ms).
#define PMD_CLOCK_CYCLES (1ull << 20)

static void *pmd_main(void *arg)
{
	struct vs_pmd *pmd = arg;
	struct timespec idle = {.tv_sec = 0, .tv_nsec = 1000000};
	uint64_t t0, t1, last_rx, clock_at, idle_cycles = 0;
	uint32_t n;
	char name[16];

	if (pmd->idle_us) {
		// Calibrate the cycle counter once: idle_us in cycles.
		struct timespec a, b, w = {.tv_sec = 0, .tv_nsec = 10 * 1000 * 1000};
		uint64_t c0, c1;

		clock_gettime(CLOCK_MONOTONIC, &a);
		c0 = vs_cycles();
		nanosleep(&w, NULL);
		c1 = vs_cycles();
		clock_gettime(CLOCK_MONOTONIC, &b);
		idle_cycles = (uint64_t)((double)(c1 - c0) * pmd->idle_us * 1000.0 /
					 (double)((b.tv_sec - a.tv_sec) * 1000000000L +
						  (b.tv_nsec - a.tv_nsec)));
	}

	snprintf(name, sizeof(name), "pmd%u", pmd->id);
	pthread_setname_np(pthread_self(), name);
	VS_LOG(INFO, "pmd%u running on cpu %d", pmd->id, pmd->cpu);
	vs_port_drivers_thread_init();
	vs_rcu_online(pmd->id);
	// One TSC read per loop iteration (a read costs about 10 ns in a VM, where a burst of 32
	// frames over memif takes about 2 us): an iteration's cycles run from the previous read
	// to its own, the loop's bookkeeping included; the time slept is left out.
	t0 = last_rx = vs_cycles();
	clock_at = t0 - PMD_CLOCK_CYCLES; // the first iteration reads it
	while (!__atomic_load_n(&pmd->stop, __ATOMIC_RELAXED)) {
		const struct vs_conf *conf = vs_conf_current();

		// The coarse clock only moves once per kernel tick (1-10 ms): reading it once every
		// PMD_CLOCK_CYCLES, not in every iteration, saves a vDSO call per burst (0.2-0.4%
		// of the thread's cycles over memif) and makes it at most that much staler.
		if (t0 - clock_at >= PMD_CLOCK_CYCLES) {
			vs_pmd_clock(pmd);
			clock_at = t0;
		}
		if (conf == NULL || conf->pmd[pmd->id].n_rxq == 0) {
			// Nothing to poll: sleep offline rather than spin on an empty list.
			vs_rcu_offline(pmd->id);
			nanosleep(&idle, NULL);
			vs_rcu_online(pmd->id);
			t0 = vs_cycles();
			continue;
		}
		n = vs_pmd_poll_once(pmd, conf);
		t1 = vs_cycles();
		vs_ctr_add(n ? &pmd->stats.cycles_busy : &pmd->stats.cycles_idle, t1 - t0);
		t0 = t1;
		vs_ctr_add(&pmd->stats.loops, 1);
		if (n) {
			last_rx = t1;
		} else if (idle_cycles && t1 - last_rx > idle_cycles) {
			pmd_sleep(pmd, conf, 10);
			t0 = vs_cycles();
		}
		vs_rcu_quiescent(pmd->id);
	}
	vs_rcu_offline(pmd->id);
	vs_port_drivers_thread_exit();
	return NULL;
}

int vs_pmd_start(struct vs_pmd *pmd)
{
	pthread_attr_t attr;
	cpu_set_t set;
	int ret;

	pthread_attr_init(&attr);
	if (pmd->cpu >= 0) {
		CPU_ZERO(&set);
		CPU_SET(pmd->cpu, &set);
		pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
	}
	pmd->stop = false;
	ret = pthread_create(&pmd->thread, &attr, pmd_main, pmd);
	pthread_attr_destroy(&attr);
	if (ret != 0)
		return -ret;
	pmd->running = true;
	return 0;
}

void vs_pmd_stop(struct vs_pmd *pmd)
{
	if (!pmd->running)
		return;
	__atomic_store_n(&pmd->stop, true, __ATOMIC_RELAXED);
	pthread_join(pmd->thread, NULL);
	pmd->running = false;
}
