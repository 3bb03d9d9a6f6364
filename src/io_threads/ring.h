/* SPDX-License-Identifier: BSD-3-Clause
 *
 * A bounded single-producer/single-consumer ring of (kind, pointer) jobs.
 *
 * One thread pushes, one other thread peeks and pops. The producer publishes a
 * slot by storing `head` after writing it; the consumer reads `head` with
 * acquire order before reading the slot, and frees the slot by storing `tail`
 * with release order once it is done with it. The `head` store and
 * ringIsEmpty are sequentially consistent (not just release/acquire) so that
 * a consumer about to park and a producer about to wake it cannot both miss
 * each other (see io_threads.c). The consumer
 * may pop a job only after it ran, so an empty ring means the consumer is idle.
 * Head and tail sit on separate cache lines so the two threads do not contend.
 */
#ifndef LOOM_RING_H
#define LOOM_RING_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#define RING_SIZE 4096 /* a power of two */
#define RING_CACHE_LINE 64

typedef struct ringJob {
    int kind;
    void *arg;
} ringJob;

typedef struct ring {
    _Alignas(RING_CACHE_LINE) _Atomic size_t head; /* next slot to fill; written by the producer */
    _Alignas(RING_CACHE_LINE) _Atomic size_t tail; /* next slot to take; written by the consumer */
    _Alignas(RING_CACHE_LINE) ringJob slots[RING_SIZE];
} ring;

static inline void ringInit(ring *r) {
    atomic_init(&r->head, 0);
    atomic_init(&r->tail, 0);
}

/* Producer: false when the ring is full. */
static inline bool ringPush(ring *r, int kind, void *arg) {
    size_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
    size_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);
    if (head - tail == RING_SIZE) return false;
    r->slots[head & (RING_SIZE - 1)] = (ringJob){kind, arg};
    /* The slot's contents are visible before the new head (and the store is
     * in the single total order with the parking flag). */
    atomic_store_explicit(&r->head, head + 1, memory_order_seq_cst);
    return true;
}

/* Consumer: copies the oldest job into *job without removing it. */
static inline bool ringPeek(ring *r, ringJob *job) {
    size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
    /* Acquire: pairs with the producer's release of head. */
    size_t head = atomic_load_explicit(&r->head, memory_order_acquire);
    if (head == tail) return false;
    *job = r->slots[tail & (RING_SIZE - 1)];
    return true;
}

/* Consumer: removes the job last peeked. */
static inline void ringPop(ring *r) {
    size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
    /* Release: everything the consumer did for the job happens before the
     * producer sees the slot free (and the ring idle). */
    atomic_store_explicit(&r->tail, tail + 1, memory_order_release);
}

/* Either side: true when no job is queued or running. */
static inline bool ringIsEmpty(ring *r) {
    return atomic_load_explicit(&r->head, memory_order_seq_cst) ==
           atomic_load_explicit(&r->tail, memory_order_seq_cst);
}

#endif
