// SPDX-License-Identifier: Apache-2.0
// Learning requests from a PMD thread to the control thread, which alone writes
// the MAC tables: a single-producer single-consumer ring per PMD thread.
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <vs/compiler.h>

#define VS_LEARN_RING 4096 // power of two

struct vs_learn_ev {
	uint64_t mac;
	uint16_t bridge; // bridge id
	uint16_t port;	 // port id the MAC was seen on
	uint32_t vtep;	 // remote VTEP it came from (vxlan ports), else 0
};

struct vs_learn_ring {
	uint32_t head VS_CACHE_ALIGNED; // consumer (cp): rw, producer: ro
	uint32_t tail VS_CACHE_ALIGNED; // producer (PMD): rw, consumer: ro
	uint64_t full;			// producer: rw: requests lost because the ring was full
	struct vs_learn_ev ev[VS_LEARN_RING];
};

// Called from: the producing PMD thread.
static inline bool vs_learn_push(struct vs_learn_ring *r, const struct vs_learn_ev *ev)
{
	uint32_t tail = r->tail, head = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);

	if (tail - head >= VS_LEARN_RING) {
		vs_ctr_add(&r->full, 1);
		return false;
	}
	r->ev[tail & (VS_LEARN_RING - 1)] = *ev;
	__atomic_store_n(&r->tail, tail + 1, __ATOMIC_RELEASE);
	return true;
}

// Called from: the control thread.
static inline bool vs_learn_pop(struct vs_learn_ring *r, struct vs_learn_ev *ev)
{
	uint32_t head = r->head, tail = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);

	if (head == tail)
		return false;
	*ev = r->ev[head & (VS_LEARN_RING - 1)];
	__atomic_store_n(&r->head, head + 1, __ATOMIC_RELEASE);
	return true;
}
