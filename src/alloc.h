/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The allocator wrapper: jemalloc in normal builds, the C library's malloc in
 * sanitizer builds. Out-of-memory is one policy here: log to stderr and abort,
 * so callers never check for NULL. Any thread may call these functions.
 */
#ifndef LOOM_ALLOC_H
#define LOOM_ALLOC_H

#include <stddef.h>

void *lmalloc(size_t size);
void *lcalloc(size_t size);
void *lrealloc(void *ptr, size_t size);
void lfree(void *ptr);
char *lstrdup(const char *s);
/* The usable size of an allocation (>= what was asked for). */
size_t lmallocSize(void *ptr);

/* Bytes currently held through lmalloc and friends, from the per-thread
 * counters: cheap enough to check before every command. */
size_t allocCountedBytes(void);
/* Returns the calling thread's cached free blocks to the allocator (jemalloc's
 * thread cache); a no-op elsewhere. */
void allocReleaseThreadCache(void);
/* Bytes currently allocated by the process, as the allocator counts them
 * (jemalloc's stats.allocated). Cheap enough for INFO and cron, not per command. */
size_t allocUsedMemory(void);
/* Resident and allocator-level figures for INFO memory; 0 when unknown. */
typedef struct allocStats {
    size_t allocated; /* stats.allocated */
    size_t active;    /* stats.active */
    size_t resident;  /* stats.resident */
    size_t mapped;    /* stats.mapped */
} allocStats;
void allocGetStats(allocStats *st);
/* The allocator's name and version as shown by INFO ("jemalloc-5.3.0", "libc"). */
const char *allocName(void);

#endif
