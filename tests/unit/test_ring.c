/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Unit tests for the SPSC job ring (src/io_threads/ring.h): FIFO order, peek
 * without removal, a full ring refusing a push, index wrap-around, and a
 * producer and a consumer thread moving a million jobs whose payloads the
 * consumer checks. Build with SANITIZE=thread to check the memory ordering.
 */
#include "test.h"

#include "alloc.h"
#include "io_threads/ring.h"

#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <time.h>

static void *tag(uintptr_t v) {
    return (void *)v;
}

int test_ring_order(void) {
    ring *r = lmalloc(sizeof(*r));
    ringInit(r);
    ringJob job;
    ASSERT(ringIsEmpty(r));
    ASSERT(!ringPeek(r, &job));

    for (int i = 0; i < 10; i++)
        ASSERT(ringPush(r, i, tag(100 + (uintptr_t)i)));
    ASSERT(!ringIsEmpty(r));
    for (int i = 0; i < 10; i++) {
        /* Peeking twice shows the same job: it stays until popped. */
        ASSERT(ringPeek(r, &job));
        ASSERT_EQ(job.kind, i);
        ASSERT(job.arg == tag(100 + (uintptr_t)i));
        job.kind = -1;
        ASSERT(ringPeek(r, &job));
        ASSERT_EQ(job.kind, i);
        /* A peeked job still counts: the ring is not empty until it is popped. */
        ASSERT(!ringIsEmpty(r));
        ringPop(r);
    }
    ASSERT(ringIsEmpty(r));
    ASSERT(!ringPeek(r, &job));

    /* Interleaved pushes and pops keep FIFO order. */
    ASSERT(ringPush(r, 1, NULL));
    ASSERT(ringPush(r, 2, NULL));
    ASSERT(ringPeek(r, &job));
    ASSERT_EQ(job.kind, 1);
    ringPop(r);
    ASSERT(ringPush(r, 3, NULL));
    ASSERT(ringPeek(r, &job));
    ASSERT_EQ(job.kind, 2);
    ringPop(r);
    ASSERT(ringPeek(r, &job));
    ASSERT_EQ(job.kind, 3);
    ringPop(r);
    ASSERT(ringIsEmpty(r));
    lfree(r);
    return 0;
}

int test_ring_full(void) {
    ring *r = lmalloc(sizeof(*r));
    ringInit(r);
    for (int i = 0; i < RING_SIZE; i++)
        ASSERT(ringPush(r, i, tag((uintptr_t)i)));
    ASSERT(!ringPush(r, -1, NULL));
    ASSERT(!ringPush(r, -2, NULL));

    /* Popping one slot makes room for exactly one more. */
    ringJob job;
    ASSERT(ringPeek(r, &job));
    ASSERT_EQ(job.kind, 0);
    ringPop(r);
    ASSERT(ringPush(r, RING_SIZE, tag(RING_SIZE)));
    ASSERT(!ringPush(r, -3, NULL));

    /* The refused pushes left no trace. */
    for (int i = 1; i <= RING_SIZE; i++) {
        ASSERT(ringPeek(r, &job));
        ASSERT_EQ(job.kind, i);
        ASSERT(job.arg == tag((uintptr_t)i));
        ringPop(r);
    }
    ASSERT(ringIsEmpty(r));
    lfree(r);
    return 0;
}

int test_ring_wraparound(void) {
    ring *r = lmalloc(sizeof(*r));
    ringInit(r);
    ringJob job;
    int next_push = 0, next_pop = 0;
    /* Batches of varying sizes walk the indexes around the ring many times. */
    for (int round = 0; round < 200; round++) {
        int batch = (round * 37) % (RING_SIZE / 2) + 1;
        for (int i = 0; i < batch; i++) {
            ASSERT(ringPush(r, next_push, tag((uintptr_t)next_push * 3)));
            next_push++;
        }
        int take = round % 3 == 0 ? batch : batch / 2 + 1;
        for (int i = 0; i < take; i++) {
            ASSERT(ringPeek(r, &job));
            ASSERT_EQ(job.kind, next_pop);
            ASSERT(job.arg == tag((uintptr_t)next_pop * 3));
            ringPop(r);
            next_pop++;
        }
        /* Drain whenever the backlog could overflow the next batch. */
        while (next_push - next_pop > RING_SIZE / 2) {
            ASSERT(ringPeek(r, &job));
            ASSERT_EQ(job.kind, next_pop);
            ringPop(r);
            next_pop++;
        }
    }
    while (ringPeek(r, &job)) {
        ASSERT_EQ(job.kind, next_pop);
        ringPop(r);
        next_pop++;
    }
    ASSERT_EQ(next_pop, next_push);
    ASSERT_GT(next_push, 20 * RING_SIZE);
    ASSERT(ringIsEmpty(r));
    lfree(r);
    return 0;
}

/* --- Two threads --------------------------------------------------------- */

#define RING_JOBS 1000000
/* Payload slots: twice the ring, so the producer rewrites a slot only after
 * its previous job was popped (a push of job n succeeds only once job
 * n - RING_SIZE was popped, and slot n was last used by n - 2 * RING_SIZE). */
#define RING_PAYLOADS (2 * RING_SIZE)

/* A job's payload, written by the producer before the push and read by the
 * consumer after the peek. */
typedef struct payload {
    uint64_t seq;
    uint64_t check;
} payload;

typedef struct ringShared {
    ring *r;
    payload payloads[RING_PAYLOADS];
} ringShared;

static uint64_t checkOf(uint64_t seq) {
    return seq * 0x9e3779b97f4a7c15ULL ^ 0xabcdefULL;
}

static void *produce(void *arg) {
    ringShared *sh = arg;
    for (uint64_t seq = 0; seq < RING_JOBS; seq++) {
        payload *p = &sh->payloads[seq % RING_PAYLOADS];
        p->seq = seq;
        p->check = checkOf(seq);
        while (!ringPush(sh->r, (int)(seq & 0x7fffffff), p))
            sched_yield();
    }
    return NULL;
}

/* A million jobs with sequence numbers through one ring: the consumer sees
 * every one, in order, with the payload the producer wrote before pushing
 * (release on head, acquire in peek). The consumer pauses now and then so
 * the ring also runs full. */
int test_ring_threads(void) {
    ringShared *sh = lcalloc(sizeof(*sh));
    sh->r = lmalloc(sizeof(*sh->r));
    ringInit(sh->r);
    pthread_t t;
    ASSERT_EQ(pthread_create(&t, NULL, produce, sh), 0);

    uint64_t bad_order = 0, bad_payload = 0;
    ringJob job;
    for (uint64_t seq = 0; seq < RING_JOBS; seq++) {
        while (!ringPeek(sh->r, &job))
            sched_yield();
        const payload *p = job.arg;
        if (job.kind != (int)(seq & 0x7fffffff) || p != &sh->payloads[seq % RING_PAYLOADS])
            bad_order++;
        else if (p->seq != seq || p->check != checkOf(seq))
            bad_payload++;
        ringPop(sh->r);
        if (seq % 100000 == 99999) {
            struct timespec pause = {0, 2 * 1000 * 1000};
            nanosleep(&pause, NULL);
        }
    }
    ASSERT_EQ(pthread_join(t, NULL), 0);
    ASSERT_EQ(bad_order, 0);
    ASSERT_EQ(bad_payload, 0);
    ASSERT(ringIsEmpty(sh->r));
    ASSERT(!ringPeek(sh->r, &job));
    lfree(sh->r);
    lfree(sh);
    return 0;
}
