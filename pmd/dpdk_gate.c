// SPDX-License-Identifier: Apache-2.0
// DPDK port driver, the PMD threads' side: the memif burst gates with the munmap()
// interposition that waits for them, and each PMD thread's set-up and clean-up (its gate,
// its EAL lcore, its mempool caches). See pmd/dpdk_int.h.
#include <dlfcn.h>
#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <vs/log.h>

#include "dpdk_int.h"

#include <rte_errno.h>
#include <rte_interrupts.h>
#include <rte_lcore.h>
#include <rte_mempool.h>

VS_LOG_MODULE("dpdk");

static struct burst_gate gates[MAX_GATES];
__thread struct burst_gate *vs_dpdk_my_gate;
static int (*real_munmap)(void *, size_t);

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
	if (vs_dpdk_g.state == VS_DPDK_RUNNING && rte_thread_is_intr())
		gates_wait();
	if (real_munmap != NULL)
		return real_munmap(addr, len);
	return (int)syscall(SYS_munmap, addr, len);
}

void vs_dpdk_thread_init(void)
{
	if (vs_dpdk_g.state != VS_DPDK_RUNNING)
		return;
	for (unsigned i = 0; i < MAX_GATES && vs_dpdk_my_gate == NULL; i++)
		if (!__atomic_exchange_n(&gates[i].owned, true, __ATOMIC_ACQUIRE))
			vs_dpdk_my_gate = &gates[i];
	if (vs_dpdk_my_gate == NULL)
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

void vs_dpdk_thread_exit(void)
{
	unsigned n = __atomic_load_n(&vs_dpdk_g.n_pools, __ATOMIC_ACQUIRE), lcore = rte_lcore_id();

	if (vs_dpdk_my_gate != NULL) { // its sequence number is even: outside any burst
		__atomic_store_n(&vs_dpdk_my_gate->owned, false, __ATOMIC_RELEASE);
		vs_dpdk_my_gate = NULL;
	}
	if (vs_dpdk_g.state != VS_DPDK_RUNNING || lcore == LCORE_ID_ANY)
		return;
	// mbufs cached by this lcore go back to their pools before the lcore id is reused.
	for (unsigned i = 0; i < n; i++) {
		struct rte_mempool *mp = vs_dpdk_g.pools[i].mp;
		struct rte_mempool_cache *c = mp ? rte_mempool_default_cache(mp, lcore) : NULL;

		if (c != NULL)
			rte_mempool_cache_flush(c, mp);
	}
	rte_thread_unregister();
}
