/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Allocation with one out-of-memory policy (report and abort), and the memory
 * figures INFO shows. jemalloc's statistics are read through mallctl after
 * bumping its epoch; with the C library's malloc (sanitizer builds) the
 * counted bytes below stand in.
 *
 * Every allocation made here is also counted, cheaply enough to check before
 * each command (maxmemory): each thread adds the usable size of what it
 * allocates and subtracts what it frees in its own cache-line-sized slot, and
 * the total is the sum of the slots. Thread-safe.
 */
#include "alloc.h"

#include <malloc.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef LOOM_JEMALLOC
#include <jemalloc/jemalloc.h>
#endif

#define ALLOC_SLOTS 64

/* Bytes allocated minus bytes freed by the threads using each slot. A block
 * freed by another thread than the one that allocated it moves bytes between
 * slots; only the sum means anything. */
static struct {
    _Alignas(64) _Atomic long long bytes;
} slots[ALLOC_SLOTS];
static _Atomic unsigned next_slot;
static _Thread_local int my_slot = -1;

static void count(long long delta) {
    if (my_slot < 0)
        my_slot = (int)(atomic_fetch_add_explicit(&next_slot, 1, memory_order_relaxed) %
                        ALLOC_SLOTS);
    /* Relaxed: a running total, read only as an estimate. Slots are shared
     * only past 64 threads, so the add rarely contends. */
    atomic_fetch_add_explicit(&slots[my_slot].bytes, delta, memory_order_relaxed);
}

size_t allocCountedBytes(void) {
    long long total = 0;
    unsigned used = atomic_load_explicit(&next_slot, memory_order_relaxed);
    if (used > ALLOC_SLOTS) used = ALLOC_SLOTS;
    for (unsigned i = 0; i < used; i++)
        total += atomic_load_explicit(&slots[i].bytes, memory_order_relaxed);
    return total > 0 ? (size_t)total : 0;
}

static void outOfMemory(size_t size) {
    fprintf(stderr, "loom: out of memory allocating %zu bytes\n", size);
    fflush(stderr);
    abort();
}

void *lmalloc(size_t size) {
    void *p = malloc(size ? size : 1);
    if (!p) outOfMemory(size);
    count((long long)malloc_usable_size(p));
    return p;
}

void *lcalloc(size_t size) {
    void *p = calloc(1, size ? size : 1);
    if (!p) outOfMemory(size);
    count((long long)malloc_usable_size(p));
    return p;
}

void *lrealloc(void *ptr, size_t size) {
    long long before = ptr ? (long long)malloc_usable_size(ptr) : 0;
    void *p = realloc(ptr, size ? size : 1);
    if (!p) outOfMemory(size);
    count((long long)malloc_usable_size(p) - before);
    return p;
}

void lfree(void *ptr) {
    if (!ptr) return;
    count(-(long long)malloc_usable_size(ptr));
    free(ptr);
}

char *lstrdup(const char *s) {
    size_t len = strlen(s) + 1;
    char *p = lmalloc(len);
    memcpy(p, s, len);
    return p;
}

size_t lmallocSize(void *ptr) { return malloc_usable_size(ptr); }

#ifdef LOOM_JEMALLOC
static size_t readStat(const char *name) {
    size_t value = 0, len = sizeof(value);
    if (mallctl(name, &value, &len, NULL, 0) != 0) return 0;
    return value;
}

void allocReleaseThreadCache(void) { mallctl("thread.tcache.flush", NULL, NULL, NULL, 0); }

void allocGetStats(allocStats *st) {
    uint64_t epoch = 1;
    size_t len = sizeof(epoch);
    /* Blocks freed into this thread's cache still count as allocated; flush
     * it so that freed memory shows up as freed. */
    allocReleaseThreadCache();
    /* Statistics are snapshots refreshed only when the epoch advances. */
    mallctl("epoch", &epoch, &len, &epoch, len);
    st->allocated = readStat("stats.allocated");
    st->active = readStat("stats.active");
    st->resident = readStat("stats.resident");
    st->mapped = readStat("stats.mapped");
}

const char *allocName(void) {
    static char name[64];
    if (!name[0]) {
        const char *version = JEMALLOC_VERSION;
        snprintf(name, sizeof(name), "jemalloc-%.*s", (int)strcspn(version, "-"), version);
    }
    return name;
}
#else
void allocReleaseThreadCache(void) {}

/* Sanitizer builds: the sanitizer's allocator answers no statistics, so the
 * counted bytes stand in. */
void allocGetStats(allocStats *st) {
    st->allocated = allocCountedBytes();
    st->active = st->allocated;
    st->resident = 0;
    st->mapped = 0;
}

const char *allocName(void) { return "libc"; }
#endif

size_t allocUsedMemory(void) {
    allocStats st;
    allocGetStats(&st);
    return st.allocated;
}
