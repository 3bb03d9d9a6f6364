/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Allocation with one out-of-memory policy (report and abort), and the memory
 * figures INFO shows. jemalloc's statistics are read through mallctl after
 * bumping its epoch; with the C library's malloc (sanitizer builds) mallinfo2
 * stands in. Thread-safe.
 */
#include "alloc.h"

#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef LOOM_JEMALLOC
#include <jemalloc/jemalloc.h>
#endif

static void outOfMemory(size_t size) {
    fprintf(stderr, "loom: out of memory allocating %zu bytes\n", size);
    fflush(stderr);
    abort();
}

void *lmalloc(size_t size) {
    void *p = malloc(size ? size : 1);
    if (!p) outOfMemory(size);
    return p;
}

void *lcalloc(size_t size) {
    void *p = calloc(1, size ? size : 1);
    if (!p) outOfMemory(size);
    return p;
}

void *lrealloc(void *ptr, size_t size) {
    void *p = realloc(ptr, size ? size : 1);
    if (!p) outOfMemory(size);
    return p;
}

void lfree(void *ptr) { free(ptr); }

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

void allocGetStats(allocStats *st) {
    uint64_t epoch = 1;
    size_t len = sizeof(epoch);
    /* Blocks freed into this thread's cache still count as allocated; flush
     * it so that freed memory shows up as freed. */
    mallctl("thread.tcache.flush", NULL, NULL, NULL, 0);
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
void allocGetStats(allocStats *st) {
    struct mallinfo2 mi = mallinfo2();
    st->allocated = mi.uordblks + mi.hblkhd;
    st->active = st->allocated;
    st->resident = 0;
    st->mapped = mi.arena + mi.hblkhd;
}

const char *allocName(void) { return "libc"; }
#endif

size_t allocUsedMemory(void) {
    allocStats st;
    allocGetStats(&st);
    return st.allocated;
}
