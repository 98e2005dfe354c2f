// SPDX-License-Identifier: Apache-2.0
#include "rcu.h"

#include <time.h>

static uint64_t epoch = 1; // cp: rw (seq_cst add), readers: ro
// Per reader: 0 when offline, else the last epoch it saw while quiescent. reader: rw, cp: ro.
static struct {
	uint64_t seen;
} VS_CACHE_ALIGNED readers[VS_MAX_PMDS];

void vs_rcu_online(unsigned id)
{
	__atomic_store_n(&readers[id].seen, __atomic_load_n(&epoch, __ATOMIC_ACQUIRE),
			 __ATOMIC_SEQ_CST);
}

void vs_rcu_offline(unsigned id)
{
	__atomic_store_n(&readers[id].seen, 0, __ATOMIC_RELEASE);
}

void vs_rcu_quiescent(unsigned id)
{
	__atomic_store_n(&readers[id].seen, __atomic_load_n(&epoch, __ATOMIC_ACQUIRE),
			 __ATOMIC_RELEASE);
}

void vs_rcu_synchronize(void)
{
	uint64_t target = __atomic_add_fetch(&epoch, 1, __ATOMIC_SEQ_CST);
	struct timespec pause = {.tv_sec = 0, .tv_nsec = 20000};

	for (unsigned i = 0; i < VS_MAX_PMDS; i++) {
		for (;;) {
			uint64_t seen = __atomic_load_n(&readers[i].seen, __ATOMIC_ACQUIRE);

			if (seen == 0 || seen >= target)
				break;
			nanosleep(&pause, NULL);
		}
	}
}
