// SPDX-License-Identifier: Apache-2.0
// Unit tests of the quiescent-state RCU (vswitch/dp/rcu.c) with real reader threads.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include <cmocka.h>

#include "vswitch/dp/rcu.h"

#define LIVE 0x11fe11fe11fe11feULL
#define DEAD 0xdeaddeaddeaddeadULL
#define NDATA 8
#define GRAVEYARD 256 // poisoned objects kept before being freed
#define ROUNDS 3000

struct obj {
	uint64_t magic;
	uint64_t seq;
	uint64_t data[NDATA]; // each ~seq
};

static struct obj *published; // writer: atomic store, readers: acquire load
static bool stop;
static unsigned started; // readers that are online and went through one iteration

struct reader {
	unsigned id;
	pthread_t thread;
	uint64_t iterations;
	uint64_t updates; // times the published object changed under the reader
	uint64_t bad;	  // reads of a poisoned or inconsistent object
};

static uint64_t rd(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static void wr(uint64_t *p, uint64_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELAXED);
}

static struct obj *obj_new(uint64_t seq)
{
	struct obj *o = malloc(sizeof(*o));

	assert_non_null(o);
	o->seq = seq;
	for (int i = 0; i < NDATA; i++)
		o->data[i] = ~seq;
	o->magic = LIVE;
	return o;
}

static void obj_poison(struct obj *o)
{
	wr(&o->magic, DEAD);
	wr(&o->seq, DEAD);
	for (int i = 0; i < NDATA; i++)
		wr(&o->data[i], DEAD);
}

static void *reader_main(void *arg)
{
	struct reader *r = arg;
	uint64_t last = 0;

	vs_rcu_online(r->id);
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		const struct obj *o = __atomic_load_n(&published, __ATOMIC_ACQUIRE);
		uint64_t seq = rd(&o->seq);

		// Keep the reference for a while, as a PMD thread does for a burst.
		for (int k = 0; k < 64; k++) {
			if (rd(&o->magic) != LIVE || rd(&o->seq) != seq ||
			    rd(&o->data[k % NDATA]) != ~seq)
				r->bad++;
		}
		if (seq != last)
			r->updates++;
		last = seq;
		if (r->iterations++ == 0)
			__atomic_add_fetch(&started, 1, __ATOMIC_RELEASE);
		vs_rcu_quiescent(r->id);
	}
	vs_rcu_offline(r->id);
	return NULL;
}

static void test_readers_never_see_freed(void **state)
{
	struct reader readers[] = {{.id = 0}, {.id = 5}, {.id = VS_MAX_PMDS - 1}};
	const unsigned nr = sizeof(readers) / sizeof(readers[0]);
	struct obj *grave[GRAVEYARD] = {0};

	(void)state;
	published = obj_new(1);
	stop = false;
	started = 0;
	for (unsigned i = 0; i < nr; i++)
		assert_int_equal(pthread_create(&readers[i].thread, NULL, reader_main, &readers[i]),
				 0);
	// A reader not online yet would not be waited for: let them all start first.
	while (__atomic_load_n(&started, __ATOMIC_ACQUIRE) < nr)
		sched_yield();
	for (uint64_t seq = 2; seq < ROUNDS + 2; seq++) {
		struct obj *old = __atomic_exchange_n(&published, obj_new(seq), __ATOMIC_ACQ_REL);

		vs_rcu_synchronize();
		// No reader can hold 'old' any more: poison it, free it a while later (so that a
		// reader that still had it would see the poison rather than a recycled object).
		obj_poison(old);
		free(grave[seq % GRAVEYARD]);
		grave[seq % GRAVEYARD] = old;
	}
	__atomic_store_n(&stop, true, __ATOMIC_RELAXED);
	for (unsigned i = 0; i < nr; i++)
		assert_int_equal(pthread_join(readers[i].thread, NULL), 0);
	for (unsigned i = 0; i < nr; i++) {
		assert_int_equal(readers[i].bad, 0);
		assert_true(readers[i].iterations > 0);
		// Every update waited for every reader, so each saw a good share of them.
		assert_true(readers[i].updates > ROUNDS / 10);
	}
	for (unsigned i = 0; i < GRAVEYARD; i++)
		free(grave[i]);
	free(published);
	published = NULL;
}

// --- synchronize against readers in controlled states ---

static sem_t sync_done;

static void *sync_main(void *arg)
{
	(void)arg;
	vs_rcu_synchronize();
	sem_post(&sync_done);
	return NULL;
}

// Waits up to 'ms' for 's'. Returns true if it was posted.
static bool sem_wait_ms(sem_t *s, long ms)
{
	struct timespec ts;
	int ret;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	while ((ret = sem_timedwait(s, &ts)) < 0 && errno == EINTR)
		;
	return ret == 0;
}

// A reader driven step by step by the test.
enum step { STEP_ONLINE, STEP_QUIESCENT, STEP_OFFLINE, STEP_EXIT };

struct puppet {
	unsigned id;
	pthread_t thread;
	sem_t cmd, ack;
	enum step step;
};

static void *puppet_main(void *arg)
{
	struct puppet *p = arg;

	for (;;) {
		sem_wait(&p->cmd);
		switch (p->step) {
		case STEP_ONLINE:
			vs_rcu_online(p->id);
			break;
		case STEP_QUIESCENT:
			vs_rcu_quiescent(p->id);
			break;
		case STEP_OFFLINE:
			vs_rcu_offline(p->id);
			break;
		case STEP_EXIT:
			sem_post(&p->ack);
			return NULL;
		}
		sem_post(&p->ack);
	}
}

static void puppet_start(struct puppet *p, unsigned id)
{
	p->id = id;
	sem_init(&p->cmd, 0, 0);
	sem_init(&p->ack, 0, 0);
	assert_int_equal(pthread_create(&p->thread, NULL, puppet_main, p), 0);
}

static void puppet_do(struct puppet *p, enum step step)
{
	p->step = step;
	sem_post(&p->cmd);
	assert_true(sem_wait_ms(&p->ack, 5000));
}

static void puppet_exit(struct puppet *p)
{
	puppet_do(p, STEP_EXIT);
	pthread_join(p->thread, NULL);
	sem_destroy(&p->cmd);
	sem_destroy(&p->ack);
}

static void puppet_stop(struct puppet *p)
{
	puppet_do(p, STEP_OFFLINE);
	puppet_exit(p);
}

static pthread_t sync_start(void)
{
	pthread_t t;

	assert_int_equal(pthread_create(&t, NULL, sync_main, NULL), 0);
	return t;
}

// Has reader 'p' report quiescent states until the pending synchronize() returns (it may not
// have begun yet, and a quiescent state from before it began does not count). Returns false if
// it never returned.
static bool quiesce_until_synced(struct puppet *p)
{
	for (int i = 0; i < 200; i++) {
		puppet_do(p, STEP_QUIESCENT);
		if (sem_wait_ms(&sync_done, 25))
			return true;
	}
	return false;
}

static void test_no_readers(void **state)
{
	pthread_t t;

	(void)state;
	sem_init(&sync_done, 0, 0);
	t = sync_start();
	assert_true(sem_wait_ms(&sync_done, 5000));
	pthread_join(t, NULL);
	sem_destroy(&sync_done);
}

static void test_offline_reader_does_not_block(void **state)
{
	struct puppet p;
	pthread_t t;

	(void)state;
	sem_init(&sync_done, 0, 0);
	puppet_start(&p, 7);
	puppet_do(&p, STEP_ONLINE);
	puppet_do(&p, STEP_OFFLINE); // then sleeps, never quiescent
	t = sync_start();
	assert_true(sem_wait_ms(&sync_done, 5000));
	pthread_join(t, NULL);
	// Many times over.
	for (int i = 0; i < 100; i++)
		vs_rcu_synchronize();
	puppet_exit(&p);
	sem_destroy(&sync_done);
}

static void test_online_reader_blocks_until_quiescent(void **state)
{
	struct puppet p;
	pthread_t t;

	(void)state;
	sem_init(&sync_done, 0, 0);
	puppet_start(&p, 9);
	puppet_do(&p, STEP_ONLINE);
	t = sync_start();
	assert_false(sem_wait_ms(&sync_done, 100)); // still waiting for the reader
	assert_true(quiesce_until_synced(&p));
	pthread_join(t, NULL);
	// The quiescent states reported during the previous call do not count for the next one.
	t = sync_start();
	assert_false(sem_wait_ms(&sync_done, 100));
	assert_true(quiesce_until_synced(&p));
	pthread_join(t, NULL);
	puppet_stop(&p);
	sem_destroy(&sync_done);
}

static void test_reader_going_offline_unblocks(void **state)
{
	struct puppet p, q;
	pthread_t t;

	(void)state;
	sem_init(&sync_done, 0, 0);
	puppet_start(&p, 11);
	puppet_start(&q, 12);
	puppet_do(&p, STEP_ONLINE);
	puppet_do(&q, STEP_ONLINE);
	t = sync_start();
	assert_false(sem_wait_ms(&sync_done, 50));
	puppet_do(&p, STEP_OFFLINE);
	assert_false(sem_wait_ms(&sync_done, 50)); // q still holds it up
	puppet_do(&q, STEP_OFFLINE);
	assert_true(sem_wait_ms(&sync_done, 5000));
	pthread_join(t, NULL);
	// Back online: it counts again.
	puppet_do(&p, STEP_ONLINE);
	t = sync_start();
	assert_false(sem_wait_ms(&sync_done, 50));
	assert_true(quiesce_until_synced(&p));
	pthread_join(t, NULL);
	puppet_stop(&p);
	puppet_exit(&q);
	sem_destroy(&sync_done);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_readers_never_see_freed),
		cmocka_unit_test(test_no_readers),
		cmocka_unit_test(test_offline_reader_does_not_block),
		cmocka_unit_test(test_online_reader_blocks_until_quiescent),
		cmocka_unit_test(test_reader_going_offline_unblocks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
