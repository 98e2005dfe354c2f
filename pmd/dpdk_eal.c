// SPDX-License-Identifier: Apache-2.0
// DPDK port driver: the EAL (initialisation, clean-up, its log into vswitchd's), the state
// "vsctl" reports, and the mbuf pools shared by the ports. See pmd/dpdk_int.h.
#include "dpdk.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vs/log.h>

#include "dpdk_int.h"
#include "dpdk_opts.h"

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_version.h>

VS_LOG_MODULE("dpdk");

struct vs_dpdk_global vs_dpdk_g;

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
		if (len > 0 && level <= VS_LOG_WARN && pthread_equal(pthread_self(), vs_dpdk_g.control) &&
		    vs_dpdk_g.capture && memmem(p, (size_t)len, "ttach", 5) == NULL) {
			size_t used = strlen(vs_dpdk_g.captured);

			if (used + 3 < sizeof(vs_dpdk_g.captured))
				snprintf(vs_dpdk_g.captured + used, sizeof(vs_dpdk_g.captured) - used, "%s%.*s",
					 used ? "; " : "", len, p);
		}
		p += len + 1;
	}
	return (ssize_t)size;
}

enum vs_dpdk_state vs_dpdk_state(void)
{
	return vs_dpdk_g.state;
}

const char *vs_dpdk_eal_args(void)
{
	return vs_dpdk_g.args;
}

const char *vs_dpdk_error(void)
{
	return vs_dpdk_g.error;
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
	vs_dpdk_g.state = VS_DPDK_FAILED;
	vs_dpdk_g.control = pthread_self();
	argc = vs_dpdk_eal_argv(args, main_lcore, buf, sizeof(buf), argv, VS_DPDK_EAL_MAX_ARGS,
				vs_dpdk_g.error, sizeof(vs_dpdk_g.error));
	if (argc < 0) {
		snprintf(err, errlen, "%s", vs_dpdk_g.error);
		return argc;
	}
	for (int i = 1; i < argc; i++)
		len += (size_t)snprintf(vs_dpdk_g.args + len,
					len < sizeof(vs_dpdk_g.args) ? sizeof(vs_dpdk_g.args) - len : 0, "%s%s",
					i > 1 ? " " : "", argv[i]);
	VS_LOG(INFO, "initialising DPDK %s: EAL arguments %s", rte_version(), vs_dpdk_g.args);
	vs_dpdk_g.log = fopencookie(NULL, "w", (cookie_io_functions_t){.write = eal_log_write});
	if (vs_dpdk_g.log != NULL) {
		setvbuf(vs_dpdk_g.log, NULL, _IOFBF, 4096);
		rte_openlog_stream(vs_dpdk_g.log);
	}
	ret = rte_eal_init(argc, argv);
	// The EAL pins the calling thread to its main lcore; the control thread keeps its CPUs.
	sched_setaffinity(0, sizeof(saved), &saved);
	if (ret < 0) {
		snprintf(vs_dpdk_g.error, sizeof(vs_dpdk_g.error),
			 "EAL initialisation failed: %s (vswitchd's log has the EAL's messages)",
			 rte_strerror(rte_errno));
		snprintf(err, errlen, "%s", vs_dpdk_g.error);
		return -(rte_errno ? rte_errno : EINVAL);
	}
	if (ret < argc - 1)
		VS_LOG(WARN, "EAL ignored its arguments from '%s' on", argv[ret + 1]);
	vs_dpdk_g.state = VS_DPDK_RUNNING;
	vs_dpdk_g.error[0] = '\0';
	VS_LOG(NOTICE, "DPDK %s running: %s, %u NUMA node(s)", rte_version(), vs_dpdk_g.args,
	       rte_socket_count());
	return 0;
}

void vs_dpdk_fini(void)
{
	if (vs_dpdk_g.state != VS_DPDK_RUNNING)
		return;
	for (unsigned i = 0; i < vs_dpdk_g.n_pools; i++) {
		rte_mempool_free(vs_dpdk_g.pools[i].mp);
		vs_dpdk_g.pools[i].mp = NULL;
	}
	vs_dpdk_g.n_pools = 0;
	rte_eal_cleanup();
	vs_dpdk_g.state = VS_DPDK_OFF;
	if (vs_dpdk_g.log != NULL) {
		rte_openlog_stream(NULL);
		fclose(vs_dpdk_g.log);
		vs_dpdk_g.log = NULL;
	}
}

unsigned vs_dpdk_pools(struct vs_dpdk_pool_info *out, unsigned max)
{
	for (unsigned i = 0; i < vs_dpdk_g.n_pools && i < max; i++) {
		const struct dpdk_pool *p = &vs_dpdk_g.pools[i];

		snprintf(out[i].name, sizeof(out[i].name), "%s", p->mp->name);
		// Where its memory is (it may have landed elsewhere than asked for).
		out[i].socket = p->mp->socket_id >= 0 ? p->mp->socket_id : p->socket;
		out[i].size = p->size;
		out[i].in_use = rte_mempool_in_use_count(p->mp);
		out[i].data_room = p->data_room;
		out[i].ports = p->ports;
	}
	return vs_dpdk_g.n_pools;
}

// A pool on 'socket' whose mbufs hold 'data_room' bytes with 'need' mbufs to spare, created
// when there is none. NULL with a reason in 'err' if memory runs out.
struct dpdk_pool *vs_dpdk_pool_get(int socket, uint32_t data_room, uint32_t need, char *err,
				   size_t errlen)
{
	struct dpdk_pool *p;
	struct rte_mempool *mp;
	uint32_t size = POOL_MIN;
	char name[RTE_MEMPOOL_NAMESIZE];

	for (unsigned i = 0; i < vs_dpdk_g.n_pools; i++) {
		p = &vs_dpdk_g.pools[i];
		if (p->socket == socket && p->data_room == data_room &&
		    p->reserved + need + POOL_SLACK <= p->size)
			return p;
	}
	if (vs_dpdk_g.n_pools == MAX_POOLS) {
		snprintf(err, errlen, "too many mbuf pools (at most %d)", MAX_POOLS);
		return NULL;
	}
	while (size < need + POOL_SLACK)
		size = size * 2 + 1;
	snprintf(name, sizeof(name), "vs%d_%u_%u", socket, data_room, vs_dpdk_g.n_pools);
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
	p = &vs_dpdk_g.pools[vs_dpdk_g.n_pools];
	*p = (struct dpdk_pool){.mp = mp, .socket = socket, .data_room = data_room, .size = size};
	// PMD threads walk the pools when they stop (cache flush): publish the entry first.
	__atomic_store_n(&vs_dpdk_g.n_pools, vs_dpdk_g.n_pools + 1, __ATOMIC_RELEASE);
	VS_LOG(INFO, "mbuf pool %s: %u mbufs of %u bytes on NUMA node %d", name, size, data_room,
	       mp->socket_id);
	return p;
}
