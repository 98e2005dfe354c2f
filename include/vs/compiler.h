// SPDX-License-Identifier: Apache-2.0
// Small compiler helpers used across vswitch.
#pragma once

#include <stdint.h>
#include <time.h>

#define VS_CACHE_LINE 64
#define VS_CACHE_ALIGNED __attribute__((aligned(VS_CACHE_LINE)))
#define VS_LIKELY(x) __builtin_expect(!!(x), 1)
#define VS_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define VS_UNUSED __attribute__((unused))
#define VS_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define VS_PRINTF(f, a) __attribute__((format(printf, f, a)))

// A cheap, monotonic cycle counter: the TSC on x86, nanoseconds elsewhere.
static inline uint64_t vs_cycles(void)
{
#if defined(__x86_64__) || defined(__i386__)
	return __builtin_ia32_rdtsc();
#else
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
#endif
}

// Spin-wait hint.
static inline void vs_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

static inline void vs_prefetch0(const void *p)
{
	__builtin_prefetch(p, 0, 3);
}

// Counters written by one thread and read by another: relaxed atomics keep both
// sides free of locks and of torn reads.
static inline void vs_ctr_add(uint64_t *c, uint64_t n)
{
	__atomic_store_n(c, __atomic_load_n(c, __ATOMIC_RELAXED) + n, __ATOMIC_RELAXED);
}

static inline uint64_t vs_ctr_read(const uint64_t *c)
{
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}
