/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Lazy free: dropping values and whole databases without paying for the free
 * on the main thread. The main thread decides (cost, sharing) and unlinks;
 * the lazy-free BIO worker does the freeing. Values that are cheap to free
 * (a single allocation, or up to LAZYFREE_THRESHOLD pieces) are freed at once,
 * since handing them over would cost more than freeing them.
 *
 * The decision functions run on the main thread (object reference counts are
 * not atomic); the counters may be read from any thread.
 */
#ifndef LOOM_LAZYFREE_H
#define LOOM_LAZYFREE_H

#include "dict.h"
#include "object.h"

#include <stddef.h>

/* Values whose free costs more than this many units go to the worker. */
#define LAZYFREE_THRESHOLD 64

/* The cost of freeing a value, in allocations that scale with its size:
 * quicklist nodes, hashtable or skiplist elements; 1 for everything that is
 * one or two allocations (strings, listpacks, intsets). */
size_t lazyfreeEffort(const obj *o);

/* Drops the caller's reference to o. When it is the only reference and the
 * free is costly, the object goes to the lazy-free worker and the caller must
 * not touch it again (nobody else can: it is unshared); else it is released
 * now with objDecrRef. Main thread. */
void lazyfreeFreeObject(obj *o);

/* Frees a database's two tables on the worker: `keys` (whose type frees the
 * values) and `expires` (whose keys may point into `keys`: it is released
 * first). Both belong to the job; every value in them must be referenced by
 * them alone (or be a shared object, which is never written). Counts
 * dictSize(keys) objects. Main thread. */
void lazyfreeFreeDatabase(dict *keys, dict *expires);

/* Objects handed to the worker and not yet freed (INFO lazyfree_pending_objects)
 * and objects it freed since start-up or the last reset (lazyfreed_objects). */
unsigned long long lazyfreePendingObjects(void);
unsigned long long lazyfreedObjects(void);
/* Zeroes lazyfreed_objects (CONFIG RESETSTAT). */
void lazyfreeResetStats(void);

#endif
