/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Lazy free: the cost estimate, the hand-over of objects and database tables
 * to the BIO_LAZY_FREE worker, and its two counters. The jobs run on the
 * worker (or inline when the BIO workers are not running); everything else
 * runs on the main thread. An object handed over has reference count 1 and
 * is reachable from nowhere else, so the worker's objDecrRef is the only
 * access to it from then on.
 */
#include "lazyfree.h"

#include "alloc.h"
#include "bio.h"
#include "quicklist.h"
#include "zset.h"

#include <stdatomic.h>

/* Relaxed: counters read on their own (INFO, tests); nothing else is
 * published through them. */
static _Atomic unsigned long long pending_objects;
static _Atomic unsigned long long freed_objects;

typedef struct databaseJob {
    dict *keys;
    dict *expires;
    unsigned long long count;
} databaseJob;

size_t lazyfreeEffort(const obj *o) {
    switch (o->encoding) {
        case OBJ_ENC_QUICKLIST: return quicklistNodeCount(o->ptr);
        case OBJ_ENC_HT: return dictSize(o->ptr);
        case OBJ_ENC_SKIPLIST: return ((const zset *)o->ptr)->zsl->length;
        default: return 1;
    }
}

static void countFreed(unsigned long long n) {
    /* The freed blocks sit in this thread's allocator cache: give them back
     * first, so that once the counters say "freed", used_memory agrees. */
    allocReleaseThreadCache();
    atomic_fetch_add_explicit(&freed_objects, n, memory_order_relaxed);
    atomic_fetch_sub_explicit(&pending_objects, n, memory_order_relaxed);
}

static void freeObjectJob(void *arg) {
    objDecrRef(arg);
    countFreed(1);
}

static void freeDatabaseJob(void *arg) {
    databaseJob *job = arg;
    dictRelease(job->expires);
    dictRelease(job->keys);
    countFreed(job->count);
    lfree(job);
}

void lazyfreeFreeObject(obj *o) {
    if (o->refcount != 1 || lazyfreeEffort(o) <= LAZYFREE_THRESHOLD) {
        objDecrRef(o);
        return;
    }
    atomic_fetch_add_explicit(&pending_objects, 1, memory_order_relaxed);
    bioSubmit(BIO_LAZY_FREE, freeObjectJob, o);
}

void lazyfreeFreeDatabase(dict *keys, dict *expires) {
    databaseJob *job = lmalloc(sizeof(*job));
    job->keys = keys;
    job->expires = expires;
    job->count = dictSize(keys);
    atomic_fetch_add_explicit(&pending_objects, job->count, memory_order_relaxed);
    bioSubmit(BIO_LAZY_FREE, freeDatabaseJob, job);
}

unsigned long long lazyfreePendingObjects(void) {
    return atomic_load_explicit(&pending_objects, memory_order_relaxed);
}

unsigned long long lazyfreedObjects(void) {
    return atomic_load_explicit(&freed_objects, memory_order_relaxed);
}

void lazyfreeResetStats(void) {
    atomic_store_explicit(&freed_objects, 0, memory_order_relaxed);
}
