/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Eviction. The LRU, LFU and TTL policies keep a small pool of the best
 * candidates seen so far (highest idle time, lowest frequency, nearest
 * expiry), refill it each round with `maxmemory-samples` keys sampled from
 * every database, and evict the best one that still exists. The random
 * policies evict a random key, visiting databases in turn. Each call stops
 * once memory is within the limit or its time budget (set by
 * maxmemory-eviction-tenacity) is spent. Main thread only.
 */
#include "evict.h"

#include "alloc.h"
#include "db.h"
#include "lazyfree.h"
#include "log.h"
#include "propagate.h"
#include "server.h"
#include "str.h"
#include "util.h"

#include <math.h>
#include <string.h>
#include <unistd.h>

#define POOL_SIZE 16
#define SAMPLES_MAX 64

typedef struct poolEntry {
    unsigned long long score; /* higher = evict first */
    int dbid;
    str key; /* NULL = empty slot */
} poolEntry;

static poolEntry pool[POOL_SIZE];
static int random_db_cursor;

static int policyIsVolatile(void) {
    return server.maxmemory_policy <= MAXMEMORY_VOLATILE_TTL;
}

int evictPolicyIsLfu(void) {
    return server.maxmemory_policy == MAXMEMORY_VOLATILE_LFU ||
           server.maxmemory_policy == MAXMEMORY_ALLKEYS_LFU;
}

void evictApplyPolicy(void) {
    int tracks_access = server.maxmemory_policy == MAXMEMORY_VOLATILE_LRU ||
                        server.maxmemory_policy == MAXMEMORY_ALLKEYS_LRU || evictPolicyIsLfu();
    objSetAccessPolicy(evictPolicyIsLfu(), server.lfu_log_factor, server.lfu_decay_time,
                       server.maxmemory == 0 || !tracks_access);
}

static unsigned long long candidateScore(db *d, const dictEntry *de) {
    obj *o;
    switch (server.maxmemory_policy) {
        case MAXMEMORY_VOLATILE_TTL:
            /* Sampled from the expiry table: the nearest expiry goes first. */
            return ~0ULL - (unsigned long long)de->v.s64;
        case MAXMEMORY_VOLATILE_LFU:
        case MAXMEMORY_ALLKEYS_LFU:
            o = policyIsVolatile() ? dictFind(d->keys, de->key, strLen(de->key))->v.val
                                   : de->v.val;
            return 255 - (unsigned long long)objLfuFrequency(o);
        default:
            o = policyIsVolatile() ? dictFind(d->keys, de->key, strLen(de->key))->v.val
                                   : de->v.val;
            return (unsigned long long)objIdleMs(o);
    }
}

/* The pool is kept as a prefix of used slots sorted by ascending score (the
 * best candidate last). When full, a candidate better than the worst one
 * replaces it. */
static void poolInsert(int dbid, const str key, unsigned long long score) {
    int n = 0;
    while (n < POOL_SIZE && pool[n].key) {
        if (pool[n].dbid == dbid && !strCmp(pool[n].key, key)) return;
        n++;
    }
    int k = 0;
    while (k < n && pool[k].score < score) k++;
    if (n < POOL_SIZE) {
        memmove(&pool[k + 1], &pool[k], sizeof(poolEntry) * (size_t)(n - k));
    } else {
        if (k == 0) return; /* worse than everything held */
        strFree(pool[0].key);
        k--;
        memmove(&pool[0], &pool[1], sizeof(poolEntry) * (size_t)k);
    }
    pool[k] = (poolEntry){score, dbid, strDup(key)};
}

static void poolPopulate(void) {
    dictEntry *samples[SAMPLES_MAX];
    int want = server.maxmemory_samples > SAMPLES_MAX ? SAMPLES_MAX : server.maxmemory_samples;
    for (int i = 0; i < server.dbnum; i++) {
        db *d = &server.dbs[i];
        dict *from = policyIsVolatile() ? d->expires : d->keys;
        if (!dictSize(from)) continue;
        unsigned n = dictGetSomeKeys(from, samples, (unsigned)want);
        for (unsigned j = 0; j < n; j++)
            poolInsert(i, samples[j]->key, candidateScore(d, samples[j]));
    }
}

/* Takes the best candidate that still exists out of the pool (always the
 * last used slot, so the used slots stay a prefix). */
static int poolTakeBest(int *dbid, str *key) {
    for (int k = POOL_SIZE - 1; k >= 0; k--) {
        if (!pool[k].key) continue;
        str candidate = pool[k].key;
        int id = pool[k].dbid;
        pool[k].key = NULL;
        db *d = &server.dbs[id];
        dict *from = policyIsVolatile() ? d->expires : d->keys;
        if (dictFind(from, candidate, strLen(candidate))) {
            *dbid = id;
            *key = candidate;
            return 1;
        }
        strFree(candidate);
    }
    return 0;
}

static int pickRandom(int *dbid, str *key) {
    for (int i = 0; i < server.dbnum; i++) {
        int id = random_db_cursor++ % server.dbnum;
        db *d = &server.dbs[id];
        dictEntry *de = dictGetRandomKey(policyIsVolatile() ? d->expires : d->keys);
        if (de) {
            *dbid = id;
            *key = strDup(de->key);
            return 1;
        }
    }
    return 0;
}

static int pickVictim(int *dbid, str *key) {
    if (server.maxmemory_policy == MAXMEMORY_ALLKEYS_RANDOM ||
        server.maxmemory_policy == MAXMEMORY_VOLATILE_RANDOM)
        return pickRandom(dbid, key);
    for (int attempts = 0; attempts < 8; attempts++) {
        poolPopulate();
        if (poolTakeBest(dbid, key)) return 1;
    }
    return 0;
}

/* The time one call may spend evicting: 500 us at the default tenacity of
 * 10, growing 15% per step, unlimited at 100. */
static long long timeBudgetUs(void) {
    if (server.maxmemory_eviction_tenacity >= 100) return -1;
    return (long long)(500.0 * pow(1.15, server.maxmemory_eviction_tenacity - 10));
}

int evictPerform(void) {
    if (!server.maxmemory) return 0;
    size_t used = allocCountedBytes();
    if (used <= server.maxmemory) return 0;
    if (server.maxmemory_policy == MAXMEMORY_NO_EVICTION) return -1;
    long long start = ustime(), budget = timeBudgetUs();
    while (used > server.maxmemory) {
        int dbid;
        str key;
        if (!pickVictim(&dbid, &key)) return -1;
        propagateDeletion(&server.dbs[dbid], key, strLen(key));
        dbDeleteGeneric(&server.dbs[dbid], key, strLen(key), server.lazyfree_lazy_eviction);
        strFree(key);
        server.stat_evictedkeys++;
        server.dirty++;
        used = allocCountedBytes();
        if (budget >= 0 && ustime() - start > budget) break;
    }
    if (used > server.maxmemory && server.lazyfree_lazy_eviction && lazyfreePendingObjects()) {
        /* Evicted values may still be waiting for the lazy-free worker
         * (lazyfree-lazy-eviction): give it one time budget (1 ms when
         * unlimited) before failing the command. */
        usleep((useconds_t)(budget >= 0 ? budget : 1000));
        used = allocCountedBytes();
    }
    return used <= server.maxmemory ? 0 : -1;
}
