// SPDX-License-Identifier: Apache-2.0
// DPDK port driver (type "dpdk") and the EAL around it. See pmd/dpdk.h and docs/dpdk.md.
//
// Buffers: every received frame is an mbuf; pkt->buf holds its pointer. mbufs come from
// pools shared per (NUMA node, data room) that live as long as the process, so an mbuf
// received on one port can wait in another port's tx ring after its own port is gone. A
// pool's data room fits the largest frame of its ports (MTU + 22), so frames are never
// split across segments on receive; a driver that still chains segments gets them gathered
// into the first one, and a frame larger than the port's largest frame is dropped and counted
// as rx-too-big.
//
// Transmit: a frame that arrived on a dpdk port leaves in the same mbuf, with one more
// reference for each egress port (flooding shares the mbuf; nothing is copied). A frame
// from any other port (AF_XDP UMEM, ...) is copied once into an mbuf of the egress port's
// pool. The PMD threads are registered with the EAL (rte_thread_register) so they have
// mempool caches.
#include "dpdk.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <vs/log.h>

#include "dpdk_opts.h"

#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_interrupts.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_version.h>

VS_LOG_MODULE("dpdk");

#define L2_OVERHEAD 22	// Ethernet header and two VLAN tags: max_frame = mtu + 22
#define POOL_MIN 8191	// mbufs in a pool at least (2^n - 1 suits the ring)
#define POOL_CACHE 256	// per-lcore mempool cache
#define POOL_SLACK 2048 // mbufs of a pool kept for caches and frames in flight
#define MAX_POOLS 32
#define RSS_HF (RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP)

struct dpdk_pool {
	struct rte_mempool *mp;
	int socket;
	uint32_t data_room; // frame bytes per mbuf (headroom not counted)
	uint32_t size;
	uint32_t reserved; // mbufs promised to the rings of its ports
	uint32_t ports;
};

struct dpdk_port {
	uint16_t port_id;
	bool gate; // bursts pass through the thread's burst gate (net_memif, see munmap())
	struct rte_device *dev;
	struct dpdk_pool *pool;
	uint32_t need; // mbufs reserved in 'pool'
	bool rss;
	struct vs_dpdk_opts o;
	char driver[32];
	struct {
		uint64_t too_big; // PMD: rw, cp: ro (relaxed)
	} VS_CACHE_ALIGNED rxq[VS_DPDK_MAX_QUEUES];
	struct {
		uint64_t shared; // frames sent in their ingress mbuf (PMD owning the queue: rw)
		uint64_t copied; // frames sent in a copy
	} VS_CACHE_ALIGNED txq[VS_DPDK_MAX_QUEUES];
};

static struct {
	enum vs_dpdk_state state;
	char args[1024];
	char error[256];
	struct dpdk_pool pools[MAX_POOLS];
	unsigned n_pools;		     // cp: rw (release), PMD threads: ro (acquire)
	struct vs_port *ports[VS_MAX_PORTS]; // open dpdk ports (control thread)
	FILE *log;			     // DPDK's log stream, into vswitchd's log
	bool capture;			     // keep error messages in 'captured' (control thread)
	pthread_t control;		     // the thread that initialised the EAL
	char captured[512];
} g;

// Burst gates. DPDK 22.11's memif driver tears a connection down in the EAL interrupt thread
// (memif_disconnect(): clears its "connected" flag, then unmaps the shared memory) without
// waiting for a data-path thread that is inside rx/tx burst on that connection: when the
// peer goes away under traffic, a PMD thread may write into the unmapped ring and crash
// (reproduced here: vswitchd, and testpmd, die of SIGSEGV in librte_net_memif). Each PMD
// thread has a gate whose sequence number is odd while it is inside a burst on a memif port;
// munmap() called from the EAL interrupt thread first waits until every thread that was
// inside such a burst has left it. A burst that starts later sees the cleared flag and
// returns nothing (the fences order the flag against the sequence number both ways).
#define MAX_GATES 128
static struct burst_gate {
	uint64_t seq;	// odd: inside a burst
	bool owned;	// claimed by a thread
} VS_CACHE_ALIGNED gates[MAX_GATES];
static __thread struct burst_gate *my_gate;
static int (*real_munmap)(void *, size_t);

static inline struct burst_gate *gate_enter(const struct dpdk_port *dp)
{
	struct burst_gate *gt = dp->gate ? my_gate : NULL;

	// A locked exchange is the store and the full fence in one instruction (cheaper than a
	// store followed by mfence, once per burst).
	if (gt != NULL)
		__atomic_exchange_n(&gt->seq, gt->seq + 1, __ATOMIC_SEQ_CST);
	return gt;
}

static inline void gate_exit(struct burst_gate *gt)
{
	if (gt != NULL)
		__atomic_store_n(&gt->seq, gt->seq + 1, __ATOMIC_RELEASE);
}

// Waits until no thread is still inside a burst it had entered when this was called.
static void gates_wait(void)
{
	uint64_t seen[MAX_GATES];

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (unsigned i = 0; i < MAX_GATES; i++)
		seen[i] = __atomic_load_n(&gates[i].seq, __ATOMIC_ACQUIRE);
	for (unsigned i = 0; i < MAX_GATES; i++)
		if (seen[i] & 1)
			while (__atomic_load_n(&gates[i].seq, __ATOMIC_ACQUIRE) == seen[i])
				sched_yield(); // the PMD thread may share this CPU
}

// The munmap() that munmap() below calls: the C library's, or a sanitizer's interceptor.
__attribute__((constructor)) static void find_munmap(void)
{
	*(void **)&real_munmap = dlsym(RTLD_NEXT, "munmap");
}

// Interposes on munmap() for the whole process: only the EAL interrupt thread waits for the
// gates (it is the one that unmaps a memif connection's memory); everyone else goes straight
// to the C library's (or a sanitizer's) munmap.
int munmap(void *addr, size_t len)
{
	if (g.state == VS_DPDK_RUNNING && rte_thread_is_intr())
		gates_wait();
	if (real_munmap != NULL)
		return real_munmap(addr, len);
	return (int)syscall(SYS_munmap, addr, len);
}

// DPDK writes each log message to its stream and flushes it: the message goes to vswitchd's
// log at its level. While the control thread probes a device, error messages are also kept,
// so that vsctl can say why the probe failed.
static ssize_t eal_log_write(void *cookie, const char *buf, size_t size)
{
	// RTE_LOG_ERR (4) -> VS_LOG_ERR (3), ...; DPDK's INFO messages (device set-up steps,
	// vhost-user negotiation) are details: debug.
	int level = (int)rte_log_cur_msg_loglevel() - 1;
	const char *p = buf, *end = buf + size;

	(void)cookie;
	if (level < VS_LOG_ERR)
		level = VS_LOG_ERR;
	if (level >= VS_LOG_INFO)
		level = VS_LOG_DEBUG;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		int len = (int)((nl ? nl : end) - p);

		if (len > 0 && level <= vs_log_level)
			vs_log_write(level, "dpdk", "%.*s", len, p);
		// The EAL's own "Failed to attach device" lines say nothing the error does not.
		if (len > 0 && level <= VS_LOG_WARN && pthread_equal(pthread_self(), g.control) &&
		    g.capture && memmem(p, (size_t)len, "ttach", 5) == NULL) {
			size_t used = strlen(g.captured);

			if (used + 3 < sizeof(g.captured))
				snprintf(g.captured + used, sizeof(g.captured) - used, "%s%.*s",
					 used ? "; " : "", len, p);
		}
		p += len + 1;
	}
	return (ssize_t)size;
}

enum vs_dpdk_state vs_dpdk_state(void)
{
	return g.state;
}

const char *vs_dpdk_eal_args(void)
{
	return g.args;
}

const char *vs_dpdk_error(void)
{
	return g.error;
}

const char *vs_dpdk_version(void)
{
	return rte_version();
}

int vs_dpdk_init(const char *args, char *err, size_t errlen)
{
	char buf[2048], *argv[VS_DPDK_EAL_MAX_ARGS];
	int argc, ret, main_lcore = -1;
	cpu_set_t saved;
	size_t len = 0;

	if (sched_getaffinity(0, sizeof(saved), &saved) == 0)
		for (int c = 0; c < CPU_SETSIZE && main_lcore < 0; c++)
			if (CPU_ISSET(c, &saved))
				main_lcore = c;
	g.state = VS_DPDK_FAILED;
	g.control = pthread_self();
	argc = vs_dpdk_eal_argv(args, main_lcore, buf, sizeof(buf), argv, VS_DPDK_EAL_MAX_ARGS,
				g.error, sizeof(g.error));
	if (argc < 0) {
		snprintf(err, errlen, "%s", g.error);
		return argc;
	}
	for (int i = 1; i < argc; i++)
		len += (size_t)snprintf(g.args + len,
					len < sizeof(g.args) ? sizeof(g.args) - len : 0, "%s%s",
					i > 1 ? " " : "", argv[i]);
	VS_LOG(INFO, "initialising DPDK %s: EAL arguments %s", rte_version(), g.args);
	g.log = fopencookie(NULL, "w", (cookie_io_functions_t){.write = eal_log_write});
	if (g.log != NULL) {
		setvbuf(g.log, NULL, _IOFBF, 4096);
		rte_openlog_stream(g.log);
	}
	ret = rte_eal_init(argc, argv);
	// The EAL pins the calling thread to its main lcore; the control thread keeps its CPUs.
	sched_setaffinity(0, sizeof(saved), &saved);
	if (ret < 0) {
		snprintf(g.error, sizeof(g.error),
			 "EAL initialisation failed: %s (vswitchd's log has the EAL's messages)",
			 rte_strerror(rte_errno));
		snprintf(err, errlen, "%s", g.error);
		return -(rte_errno ? rte_errno : EINVAL);
	}
	if (ret < argc - 1)
		VS_LOG(WARN, "EAL ignored its arguments from '%s' on", argv[ret + 1]);
	g.state = VS_DPDK_RUNNING;
	g.error[0] = '\0';
	VS_LOG(NOTICE, "DPDK %s running: %s, %u NUMA node(s)", rte_version(), g.args,
	       rte_socket_count());
	return 0;
}

void vs_dpdk_fini(void)
{
	if (g.state != VS_DPDK_RUNNING)
		return;
	for (unsigned i = 0; i < g.n_pools; i++) {
		rte_mempool_free(g.pools[i].mp);
		g.pools[i].mp = NULL;
	}
	g.n_pools = 0;
	rte_eal_cleanup();
	g.state = VS_DPDK_OFF;
	if (g.log != NULL) {
		rte_openlog_stream(NULL);
		fclose(g.log);
		g.log = NULL;
	}
}

unsigned vs_dpdk_pools(struct vs_dpdk_pool_info *out, unsigned max)
{
	for (unsigned i = 0; i < g.n_pools && i < max; i++) {
		const struct dpdk_pool *p = &g.pools[i];

		snprintf(out[i].name, sizeof(out[i].name), "%s", p->mp->name);
		// Where its memory is (it may have landed elsewhere than asked for).
		out[i].socket = p->mp->socket_id >= 0 ? p->mp->socket_id : p->socket;
		out[i].size = p->size;
		out[i].in_use = rte_mempool_in_use_count(p->mp);
		out[i].data_room = p->data_room;
		out[i].ports = p->ports;
	}
	return g.n_pools;
}

// A pool on 'socket' whose mbufs hold 'data_room' bytes with 'need' mbufs to spare, created
// when there is none. NULL with a reason in 'err' if memory runs out.
static struct dpdk_pool *pool_get(int socket, uint32_t data_room, uint32_t need, char *err,
				  size_t errlen)
{
	struct dpdk_pool *p;
	struct rte_mempool *mp;
	uint32_t size = POOL_MIN;
	char name[RTE_MEMPOOL_NAMESIZE];

	for (unsigned i = 0; i < g.n_pools; i++) {
		p = &g.pools[i];
		if (p->socket == socket && p->data_room == data_room &&
		    p->reserved + need + POOL_SLACK <= p->size)
			return p;
	}
	if (g.n_pools == MAX_POOLS) {
		snprintf(err, errlen, "too many mbuf pools (at most %d)", MAX_POOLS);
		return NULL;
	}
	while (size < need + POOL_SLACK)
		size = size * 2 + 1;
	snprintf(name, sizeof(name), "vs%d_%u_%u", socket, data_room, g.n_pools);
	mp = rte_pktmbuf_pool_create(name, size, POOL_CACHE, 0,
				     (uint16_t)(data_room + RTE_PKTMBUF_HEADROOM), socket);
	if (mp == NULL) {
		VS_LOG(WARN, "no memory for %u mbufs on NUMA node %d (%s); trying any node", size,
		       socket, rte_strerror(rte_errno));
		mp = rte_pktmbuf_pool_create(name, size, POOL_CACHE, 0,
					     (uint16_t)(data_room + RTE_PKTMBUF_HEADROOM),
					     SOCKET_ID_ANY);
	}
	if (mp == NULL) {
		snprintf(err, errlen,
			 "cannot allocate %u mbufs of %u bytes: %s (give the EAL more memory: -m "
			 "or hugepages)",
			 size, data_room, rte_strerror(rte_errno));
		return NULL;
	}
	p = &g.pools[g.n_pools];
	*p = (struct dpdk_pool){.mp = mp, .socket = socket, .data_room = data_room, .size = size};
	// PMD threads walk the pools when they stop (cache flush): publish the entry first.
	__atomic_store_n(&g.n_pools, g.n_pools + 1, __ATOMIC_RELEASE);
	VS_LOG(INFO, "mbuf pool %s: %u mbufs of %u bytes on NUMA node %d", name, size, data_room,
	       mp->socket_id);
	return p;
}

#define ERR(code, ...) (snprintf(err, errlen, __VA_ARGS__), -(code))

// Starts keeping the driver's error messages for the next step of dpdk_open().
static void capture_start(void)
{
	g.captured[0] = '\0';
	g.capture = true;
}

// Why a step failed with 'ret': errno's text, and what the driver logged meanwhile.
static const char *reason(int ret, char *buf, size_t len)
{
	if (g.captured[0])
		snprintf(buf, len, "%s (%s)", rte_strerror(-ret), g.captured);
	else
		snprintf(buf, len, "%s", rte_strerror(-ret));
	return buf;
}

// The ethdev port of a probed device: by its name, else by matching the devargs.
static int find_port(const struct vs_dpdk_opts *o, uint16_t *out)
{
	struct rte_dev_iterator it;
	uint16_t pid;
	bool found = false;

	if (rte_eth_dev_get_port_by_name(o->dev_name, out) == 0)
		return 0;
	RTE_ETH_FOREACH_MATCHING_DEV(pid, o->devargs, &it)
	{
		if (!found)
			*out = pid;
		found = true;
	}
	return found ? 0 : -ENODEV;
}

// Removes the device of a closed port unless another ethdev port still uses it.
static void remove_device(struct rte_device *dev, const char *name)
{
	uint16_t pid;
	int ret;

	RTE_ETH_FOREACH_DEV_OF(pid, dev)
	return;
	ret = rte_dev_remove(dev);
	if (ret < 0)
		VS_LOG(WARN, "%s: cannot remove device: %s", name, rte_strerror(-ret));
}

// Removes the device 'dev_name' that has no ethernet port to find it by (e.g. a crypto
// vdev): a virtual device, else a PCI one.
static void remove_by_name(const char *dev_name, const char *name)
{
	int ret = rte_eal_hotplug_remove("vdev", dev_name);

	if (ret < 0)
		ret = rte_eal_hotplug_remove("pci", dev_name);
	if (ret < 0)
		VS_LOG(WARN, "%s: cannot remove device %s: %s", name, dev_name, rte_strerror(-ret));
}

static int dpdk_open(struct vs_port *port, const struct vs_opt *opts, size_t n_opts, char *err,
		     size_t errlen)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	struct dpdk_port *dp;
	uint16_t pid, rxd, txd, mtu;
	bool probed = false, configured = false, have_pid = false;
	uint32_t data_room, overhead, max_mtu;
	char why[600];
	int ret, socket;

	if (g.state == VS_DPDK_OFF)
		return ERR(EINVAL,
			   "%s: DPDK is not initialised: start vswitchd with --dpdk \"EAL ARGS\" "
			   "(e.g. --dpdk \"--no-huge -m 512 --no-pci\"; see docs/dpdk.md)",
			   port->name);
	if (g.state != VS_DPDK_RUNNING)
		return ERR(EINVAL,
			   "%s: DPDK is not initialised: %s; restart vswitchd with working --dpdk "
			   "arguments",
			   port->name, g.error);
	dp = calloc(1, sizeof(*dp));
	if (dp == NULL)
		return ERR(ENOMEM, "%s: out of memory", port->name);
	ret = vs_dpdk_opts_parse(port->name, opts, n_opts, &dp->o, err, errlen);
	if (ret < 0)
		goto err;
	for (unsigned i = 0; i < VS_MAX_PORTS; i++) {
		const struct dpdk_port *other = g.ports[i] ? g.ports[i]->priv : NULL;

		if (other != NULL && strcmp(other->o.dev_name, dp->o.dev_name) == 0) {
			ret = ERR(EBUSY, "%s: device %s is already port %s", port->name,
				  dp->o.dev_name, g.ports[i]->name);
			goto err;
		}
	}
	capture_start();
	ret = rte_dev_probe(dp->o.devargs);
	g.capture = false;
	if (ret < 0 && ret != -EEXIST) {
		ret = ERR(EINVAL, "%s: cannot probe device '%s': %s", port->name, dp->o.devargs,
			  g.captured[0] ? g.captured
					: "no such device, or no driver of that name (see "
					  "vswitchd's log)");
		goto err;
	}
	probed = ret == 0;
	if (find_port(&dp->o, &pid) < 0) {
		ret = ERR(ENODEV, "%s: device '%s' has no ethernet port", port->name,
			  dp->o.devargs);
		goto err_remove;
	}
	dp->port_id = pid;
	have_pid = true;
	ret = rte_eth_dev_info_get(pid, &info);
	if (ret < 0) {
		ret = ERR(EIO, "%s: cannot query device %s: %s", port->name, dp->o.dev_name,
			  rte_strerror(-ret));
		goto err_remove;
	}
	dp->dev = info.device;
	snprintf(dp->driver, sizeof(dp->driver), "%s", info.driver_name);
	dp->gate = strcmp(info.driver_name, "net_memif") == 0;
	if (dp->o.n_rxq > info.max_rx_queues || dp->o.n_txq > info.max_tx_queues) {
		ret = ERR(EINVAL, "%s: %s (%s) has at most %u rx and %u tx queues", port->name,
			  dp->o.dev_name, info.driver_name, info.max_rx_queues, info.max_tx_queues);
		goto err_remove;
	}
	if (dp->o.mtu) {
		mtu = (uint16_t)dp->o.mtu;
	} else if (rte_eth_dev_get_mtu(pid, &mtu) < 0) {
		mtu = RTE_ETHER_MTU;
	}
	// As ethdev checks it: the largest frame the device receives bounds the MTU.
	overhead = info.max_mtu != UINT16_MAX && info.max_rx_pktlen > info.max_mtu
			   ? info.max_rx_pktlen - info.max_mtu
			   : RTE_ETHER_HDR_LEN + RTE_ETHER_CRC_LEN;
	max_mtu = info.max_rx_pktlen > overhead ? info.max_rx_pktlen - overhead : 0;
	if (max_mtu > info.max_mtu)
		max_mtu = info.max_mtu;
	if (mtu < info.min_mtu || mtu > max_mtu) {
		ret = ERR(EINVAL,
			  "%s: mtu %u is out of the range of %s (%u-%u: frames up to %u bytes)",
			  port->name, mtu, info.driver_name, info.min_mtu, max_mtu,
			  info.max_rx_pktlen);
		goto err_remove;
	}
	memset(&conf, 0, sizeof(conf));
	conf.rxmode.mtu = mtu;
	if (dp->o.n_rxq > 1 && (info.flow_type_rss_offloads & RSS_HF)) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf = info.flow_type_rss_offloads & RSS_HF;
		dp->rss = true;
	}
	capture_start();
	ret = rte_eth_dev_configure(pid, dp->o.n_rxq, dp->o.n_txq, &conf);
	if (ret < 0) {
		ret = ERR(EINVAL, "%s: cannot configure %s with %u rx / %u tx queues, mtu %u: %s",
			  port->name, dp->o.dev_name, dp->o.n_rxq, dp->o.n_txq, mtu,
			  reason(ret, why, sizeof(why)));
		goto err_remove;
	}
	configured = true;
	rxd = dp->o.rxq_size;
	txd = dp->o.txq_size;
	rte_eth_dev_adjust_nb_rx_tx_desc(pid, &rxd, &txd);
	socket = rte_eth_dev_socket_id(pid);
	port->numa_node = socket >= 0 ? socket : -1;
	if (socket < 0)
		socket = (int)rte_socket_id();
	data_room = RTE_MBUF_DEFAULT_DATAROOM;
	while (data_room < (uint32_t)mtu + L2_OVERHEAD)
		data_room += 1024;
	dp->need = (uint32_t)dp->o.n_rxq * rxd + (uint32_t)dp->o.n_txq * txd;
	dp->pool = pool_get(socket, data_room, dp->need, err, errlen);
	if (dp->pool == NULL) {
		snprintf(why, sizeof(why), "%s", err);
		ret = ERR(ENOMEM, "%s: %s", port->name, why);
		goto err_remove;
	}
	dp->pool->reserved += dp->need;
	dp->pool->ports++;
	capture_start();
	for (uint16_t q = 0; q < dp->o.n_rxq; q++) {
		ret = rte_eth_rx_queue_setup(pid, q, rxd, (unsigned)socket, NULL, dp->pool->mp);
		if (ret < 0) {
			ret = ERR(EINVAL, "%s: cannot set up rx queue %u (%u descriptors): %s",
				  port->name, q, rxd, reason(ret, why, sizeof(why)));
			goto err_pool;
		}
	}
	for (uint16_t q = 0; q < dp->o.n_txq; q++) {
		ret = rte_eth_tx_queue_setup(pid, q, txd, (unsigned)socket, NULL);
		if (ret < 0) {
			ret = ERR(EINVAL, "%s: cannot set up tx queue %u (%u descriptors): %s",
				  port->name, q, txd, reason(ret, why, sizeof(why)));
			goto err_pool;
		}
	}
	ret = rte_eth_dev_start(pid);
	if (ret < 0) {
		ret = ERR(EIO, "%s: cannot start %s: %s", port->name, dp->o.dev_name,
			  reason(ret, why, sizeof(why)));
		goto err_pool;
	}
	g.capture = false;
	// A bridge port receives frames for every MAC.
	ret = rte_eth_promiscuous_enable(pid);
	if (ret < 0 && ret != -ENOTSUP)
		VS_LOG(WARN, "%s: cannot enable promiscuous mode: %s", port->name,
		       rte_strerror(-ret));
	for (unsigned i = 0; i < VS_MAX_PORTS; i++)
		if (g.ports[i] == NULL) {
			g.ports[i] = port;
			break;
		}
	port->priv = dp;
	port->n_rxq = dp->o.n_rxq;
	port->n_txq = dp->o.n_txq;
	port->max_frame = (uint32_t)mtu + L2_OVERHEAD;
	// memif descriptors carry no offload flags: a peer cannot hand over a frame with a
	// partial checksum, so the pipeline's checksum completion has nothing to do.
	port->rx_csum_full = dp->gate;
	vs_port_set_opt(port, "n_rxq", "%u", dp->o.n_rxq);
	vs_port_set_opt(port, "n_txq", "%u", dp->o.n_txq);
	vs_port_set_opt(port, "rxq_size", "%u", rxd);
	vs_port_set_opt(port, "txq_size", "%u", txd);
	vs_port_set_opt(port, "mtu", "%u", mtu);
	vs_port_set_opt(port, "rss", "%s", dp->rss ? "on" : "off");
	VS_LOG(INFO,
	       "%s: %s (%s), ethdev port %u, NUMA node %d, %u rx / %u tx queues, mtu %u, pool %s",
	       port->name, dp->o.devargs, info.driver_name, pid, port->numa_node, dp->o.n_rxq,
	       dp->o.n_txq, mtu, dp->pool->mp->name);
	return 0;

err_pool:
	g.capture = false;
	dp->pool->reserved -= dp->need;
	dp->pool->ports--;
err_remove:
	g.capture = false;
	// A device this call probed goes away again; one that was there before stays.
	if (probed) {
		if (have_pid)
			rte_eth_dev_close(pid);
		if (dp->dev != NULL)
			remove_device(dp->dev, port->name);
		else
			remove_by_name(dp->o.dev_name, port->name);
	} else if (configured) {
		rte_eth_dev_close(pid);
	}
err:
	free(dp);
	return ret;
}

static void dpdk_close(struct vs_port *port)
{
	struct dpdk_port *dp = port->priv;
	int ret;

	if (dp == NULL)
		return;
	for (unsigned i = 0; i < VS_MAX_PORTS; i++)
		if (g.ports[i] == port)
			g.ports[i] = NULL;
	ret = rte_eth_dev_stop(dp->port_id);
	if (ret < 0)
		VS_LOG(WARN, "%s: cannot stop: %s", port->name, rte_strerror(-ret));
	rte_eth_dev_close(dp->port_id);
	remove_device(dp->dev, port->name);
	dp->pool->reserved -= dp->need;
	dp->pool->ports--;
	VS_LOG(INFO, "%s: closed and removed %s", port->name, dp->o.devargs);
	free(dp);
	port->priv = NULL;
}

static uint16_t dpdk_rx_burst(struct vs_port *port, uint16_t q, struct vs_pkt *pkts, uint16_t n)
{
	struct dpdk_port *dp = port->priv;
	const uint32_t max_frame = port->max_frame; // not reloaded after each store to pkts[]
	struct rte_mbuf *m[VS_BURST];
	uint16_t got, k = 0;

	struct burst_gate *gt = gate_enter(dp);

	got = rte_eth_rx_burst(dp->port_id, q, m, n < VS_BURST ? n : VS_BURST);
	gate_exit(gt);
	for (uint16_t i = 0; i < got; i++) {
		struct rte_mbuf *mb = m[i];

		if (VS_UNLIKELY(mb->pkt_len > max_frame ||
				(mb->nb_segs > 1 && rte_pktmbuf_linearize(mb) < 0))) {
			vs_ctr_add(&dp->rxq[q].too_big, 1);
			rte_pktmbuf_free(mb);
			continue;
		}
		pkts[k].data = rte_pktmbuf_mtod(mb, uint8_t *);
		pkts[k].len = mb->data_len;
		pkts[k].buf = (uint64_t)(uintptr_t)mb;
		k++;
	}
	return k;
}

// Frees the mbufs of the burst that are still ours: a unicast frame sent in its own mbuf
// was handed to the egress device (buf 0, see dpdk_tx_burst()).
static void dpdk_rx_done(struct vs_port *port, uint16_t q, struct vs_pkt *pkts, uint16_t n)
{
	struct rte_mbuf *m[VS_BURST];
	unsigned k = 0;

	(void)port;
	(void)q;
	for (uint16_t i = 0; i < n; i++)
		if (pkts[i].buf != 0)
			m[k++] = (struct rte_mbuf *)(uintptr_t)pkts[i].buf;
	if (k != 0)
		rte_pktmbuf_free_bulk(m, k);
}

// The mbuf of 'pkt' if it can be sent as it is: received on a dpdk port, and still
// describing the frame exactly (no stage moved its start or changed its length). It has
// one segment: dpdk_rx_burst() linearised it or dropped it.
static inline struct rte_mbuf *own_mbuf(const struct vs_pkt *pkt)
{
	struct rte_mbuf *mb;

	if (pkt->rx_port == NULL || pkt->rx_port->ops != &vs_dpdk_ops)
		return NULL;
	mb = (struct rte_mbuf *)(uintptr_t)pkt->buf;
	if (rte_pktmbuf_mtod(mb, uint8_t *) != pkt->data || mb->data_len != pkt->len)
		return NULL;
	return mb;
}

// A frame received on a dpdk port leaves in its own mbuf. When this port is its only
// destination (out_port, not a flood), the mbuf itself is handed to the device: no reference
// is added, and once the device took it, pkt->buf becomes 0 so that dpdk_rx_done() does not
// free it. This keeps the reference count at 1, so the device frees the mbuf without an
// atomic operation (a locked instruction per packet, which also waits for the device's
// stores into shared memory to drain: about 15% of the PMD's cycles on memif). A flooded
// frame gets one more reference per egress port instead.
static uint16_t dpdk_tx_burst(struct vs_port *port, uint16_t q, struct vs_pkt *const *pkts,
			      uint16_t n)
{
	struct dpdk_port *dp = port->priv;
	struct rte_mbuf *m[VS_BURST];
	uint64_t shared = 0; // bit i: m[i] is the ingress mbuf
	uint64_t moved = 0;  // bit i: ... handed over without a new reference
	struct burst_gate *gt;
	const uint16_t id = port->id; // not reloaded after each mbuf write
	uint16_t k, sent, n_shared;

	if (n > VS_BURST)
		n = VS_BURST;
	for (k = 0; k < n; k++) {
		const struct vs_pkt *pkt = pkts[k];
		struct rte_mbuf *mb = own_mbuf(pkt);

		if (mb != NULL) {
			if (pkt->out_port == id)
				moved |= 1ull << k;
			else
				rte_mbuf_refcnt_update(mb, 1);
			shared |= 1ull << k;
		} else {
			mb = rte_pktmbuf_alloc(dp->pool->mp);
			if (VS_UNLIKELY(mb == NULL))
				break;
			if (VS_UNLIKELY(rte_pktmbuf_append(mb, (uint16_t)pkt->len) == NULL)) {
				rte_pktmbuf_free(mb);
				break;
			}
			memcpy(rte_pktmbuf_mtod(mb, void *), pkt->data, pkt->len);
		}
		m[k] = mb;
	}
	gt = gate_enter(dp);
	sent = rte_eth_tx_burst(dp->port_id, q, m, k);
	gate_exit(gt);
	n_shared = (uint16_t)__builtin_popcountll(shared & ((1ull << sent) - 1));
	vs_ctr_add(&dp->txq[q].shared, n_shared);
	vs_ctr_add(&dp->txq[q].copied, (uint64_t)(sent - n_shared));
	for (uint64_t b = moved & ((1ull << sent) - 1); b != 0; b &= b - 1)
		pkts[__builtin_ctzll(b)]->buf = 0; // the device owns it now
	for (uint16_t i = sent; i < k; i++)
		if (!(moved & (1ull << i))) // a moved mbuf not sent stays with rx_done()
			rte_pktmbuf_free(m[i]);
	return sent;
}

static void dpdk_driver_drops(struct vs_port *port, uint64_t drops[VS_DROP_MAX])
{
	struct dpdk_port *dp = port->priv;
	struct rte_eth_stats st;

	if (rte_eth_stats_get(dp->port_id, &st) == 0) {
		drops[VS_DROP_RX_RING_FULL] += st.imissed;
		drops[VS_DROP_RX_FILL_EMPTY] += st.rx_nombuf;
	}
	for (uint16_t q = 0; q < dp->o.n_rxq; q++)
		drops[VS_DROP_RX_TOO_BIG] += vs_ctr_read(&dp->rxq[q].too_big);
}

static const char *link_state(uint16_t pid, struct rte_eth_link *link)
{
	memset(link, 0, sizeof(*link));
	if (rte_eth_link_get_nowait(pid, link) < 0)
		return "unknown";
	return link->link_status == RTE_ETH_LINK_UP ? "up" : "down";
}

static void dpdk_show_info(struct vs_port *port, struct vs_port_info *info)
{
	struct dpdk_port *dp = port->priv;
	struct rte_eth_dev_info di;
	struct rte_ether_addr mac;
	struct rte_eth_link link;
	char buf[RTE_ETHER_ADDR_FMT_SIZE];
	uint16_t mtu;

	info->str(info, "devargs", dp->o.devargs);
	info->str(info, "driver", dp->driver);
	info->u64(info, "dpdk-port", dp->port_id);
	info->str(info, "mempool", dp->pool->mp->name);
	info->u64(info, "ifindex", rte_eth_dev_info_get(dp->port_id, &di) == 0 ? di.if_index : 0);
	if (rte_eth_macaddr_get(dp->port_id, &mac) == 0) {
		rte_ether_format_addr(buf, sizeof(buf), &mac);
		info->str(info, "mac", buf);
	}
	if (rte_eth_dev_get_mtu(dp->port_id, &mtu) == 0)
		info->u64(info, "mtu", mtu);
	info->str(info, "link", link_state(dp->port_id, &link));
	if (port->numa_node >= 0)
		info->u64(info, "numa", (uint64_t)port->numa_node);
}

static void dpdk_stats_info(struct vs_port *port, struct vs_port_info *info)
{
	struct dpdk_port *dp = port->priv;
	struct rte_eth_xstat_name *names = NULL;
	struct rte_eth_xstat *xs = NULL;
	struct rte_eth_link link;
	int n;

	uint64_t shared = 0, copied = 0;

	info->str(info, "link", link_state(dp->port_id, &link));
	for (uint16_t q = 0; q < dp->o.n_txq; q++) {
		shared += vs_ctr_read(&dp->txq[q].shared);
		copied += vs_ctr_read(&dp->txq[q].copied);
	}
	// Frames handed to the device in their ingress mbuf, and frames copied into one.
	info->u64(info, "tx-mbuf-shared", shared);
	info->u64(info, "tx-mbuf-copied", copied);
	if (link.link_status == RTE_ETH_LINK_UP && link.link_speed != RTE_ETH_SPEED_NUM_NONE &&
	    link.link_speed != RTE_ETH_SPEED_NUM_UNKNOWN)
		info->u64(info, "link-speed-mbps", link.link_speed);
	n = rte_eth_xstats_get_names(dp->port_id, NULL, 0);
	if (n <= 0)
		return;
	names = calloc((size_t)n, sizeof(*names));
	xs = calloc((size_t)n, sizeof(*xs));
	if (names != NULL && xs != NULL && rte_eth_xstats_get_names(dp->port_id, names, n) == n &&
	    rte_eth_xstats_get(dp->port_id, xs, (unsigned)n) == n)
		for (int i = 0; i < n; i++)
			if (xs[i].id < (uint64_t)n)
				info->u64(info, names[xs[i].id].name, xs[i].value);
	free(names);
	free(xs);
}

static void dpdk_thread_init(void)
{
	if (g.state != VS_DPDK_RUNNING)
		return;
	for (unsigned i = 0; i < MAX_GATES && my_gate == NULL; i++)
		if (!__atomic_exchange_n(&gates[i].owned, true, __ATOMIC_ACQUIRE))
			my_gate = &gates[i];
	if (my_gate == NULL)
		VS_LOG(WARN, "more than %d PMD threads: this one's memif bursts are not protected "
			     "against a peer disconnecting", MAX_GATES);
	if (rte_lcore_id() != LCORE_ID_ANY)
		return;
	if (rte_thread_register() < 0)
		VS_LOG(WARN,
		       "cannot register PMD thread with the EAL (%s): mbuf pools work "
		       "without a per-thread cache",
		       rte_strerror(rte_errno));
	else
		VS_LOG(DEBUG, "PMD thread registered as lcore %u", rte_lcore_id());
}

static void dpdk_thread_exit(void)
{
	unsigned n = __atomic_load_n(&g.n_pools, __ATOMIC_ACQUIRE), lcore = rte_lcore_id();

	if (my_gate != NULL) { // its sequence number is even: outside any burst
		__atomic_store_n(&my_gate->owned, false, __ATOMIC_RELEASE);
		my_gate = NULL;
	}
	if (g.state != VS_DPDK_RUNNING || lcore == LCORE_ID_ANY)
		return;
	// mbufs cached by this lcore go back to their pools before the lcore id is reused.
	for (unsigned i = 0; i < n; i++) {
		struct rte_mempool *mp = g.pools[i].mp;
		struct rte_mempool_cache *c = mp ? rte_mempool_default_cache(mp, lcore) : NULL;

		if (c != NULL)
			rte_mempool_cache_flush(c, mp);
	}
	rte_thread_unregister();
}

const struct vs_port_ops vs_dpdk_ops = {
	.type = "dpdk",
	.open = dpdk_open,
	.close = dpdk_close,
	.rx_burst = dpdk_rx_burst,
	.rx_done = dpdk_rx_done,
	.tx_burst = dpdk_tx_burst,
	.driver_drops = dpdk_driver_drops,
	.show_info = dpdk_show_info,
	.stats_info = dpdk_stats_info,
	.thread_init = dpdk_thread_init,
	.thread_exit = dpdk_thread_exit,
};
