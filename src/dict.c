/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The hash table: two power-of-two arrays of chain heads. Normally only
 * table[0] exists; a resize allocates table[1] and moves table[0]'s buckets
 * into it a few at a time (rehash_idx is the next bucket to move), after which
 * table[1] becomes table[0]. While rehashing, lookups search both tables and
 * adds go to table[1]. Hashes are not stored: moving an entry rehashes its key.
 * Safe iterators and scans pause rehashing; started safe iterators are listed in
 * the dict so that deleting the entry one would return next moves it along.
 *
 * The random generator for sampling is a splitmix64 sequence seeded from the
 * hash seed. Main thread only (see dict.h for shared read-only dicts).
 */
#include "dict.h"

#include "alloc.h"
#include "siphash.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
    DICT_MIN_SIZE = 4,           /* slots of a new table, and the floor for shrinking */
    DICT_FORCE_RATIO = 4,        /* load factor that grows a table while resizing is off */
    DICT_SHRINK_RATIO = 8,       /* shrink when fewer than 1/8 of the slots are used */
    DICT_EMPTY_VISITS = 10,      /* empty buckets a rehash step may skip, per bucket moved */
    DICT_PROGRESS_EVERY = 65536, /* buckets between dictEmpty progress callbacks */
    DICT_RANDOM_PROBES = 256,    /* random bucket probes before dictGetRandomKey walks */
    DICT_STATS_CHAINS = 50,      /* chain lengths tracked in the histogram (last = or longer) */
};

struct dict {
    const dictType *type;
    dictEntry **table[2];
    size_t size[2]; /* slots; 0 when the table is not allocated */
    size_t used[2];
    size_t rehash_idx;               /* next bucket of table[0] to move, while size[1] != 0 */
    unsigned pause_count;            /* live safe iterators and scans: no rehash steps */
    struct dictIterator *safe_iters; /* started safe iterators, to fix up on unlink */
};

struct dictIterator {
    dict *d;
    int table;
    int safe;
    int started;
    size_t index; /* next bucket to visit in table */
    dictEntry *next_entry;
    uint64_t fingerprint;
    struct dictIterator *next_safe, **prev_safe; /* in d->safe_iters */
};

static uint8_t hash_seed[16];
static int resize_enabled = 1;
static uint64_t rng_state = 0x853c49e6748fea9bULL;

/* splitmix64 (Steele, Lea, Flood 2014): a Weyl sequence through a mixer. */
static uint64_t nextRandom(void) {
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* A uniform value in [0, n) without division (Lemire's multiply-shift). */
static size_t randomBelow(size_t n) {
    return (size_t)(((unsigned __int128)nextRandom() * n) >> 64);
}

void dictSetHashSeed(const uint8_t seed[16]) {
    memcpy(hash_seed, seed, sizeof(hash_seed));
    rng_state = siphash("dict-random", 11, seed);
}

void dictSetResizeEnabled(int enabled) {
    resize_enabled = enabled;
}

uint64_t dictHashKey(const dict *d, const void *key, size_t len) {
    return d->type->nocase ? siphashNoCase(key, len, hash_seed) : siphash(key, len, hash_seed);
}

static inline int isRehashing(const dict *d) {
    return d->size[1] != 0;
}

static inline unsigned char lowerAscii(unsigned char c) {
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c + ('a' - 'A')) : c;
}

static int equalNoCase(const char *a, const char *b, size_t len) {
    for (size_t i = 0; i < len; i++)
        if (lowerAscii((unsigned char)a[i]) != lowerAscii((unsigned char)b[i])) return 0;
    return 1;
}

static inline int keyMatches(const dict *d, const dictEntry *e, const void *key, size_t len) {
    if (strLen(e->key) != len) return 0;
    if (d->type->nocase) return equalNoCase(e->key, key, len);
    return memcmp(e->key, key, len) == 0;
}

dict *dictCreate(const dictType *type) {
    dict *d = lcalloc(sizeof(*d));
    d->type = type;
    return d;
}

size_t dictSize(const dict *d) {
    return d->used[0] + d->used[1];
}

size_t dictBuckets(const dict *d) {
    return d->size[0] + d->size[1];
}

int dictIsRehashing(const dict *d) {
    return isRehashing(d);
}

static void freeEntry(dict *d, dictEntry *e) {
    if (d->type->owns_keys) strFree(e->key);
    if (d->type->free_val && e->v.val) d->type->free_val(e->v.val);
    lfree(e);
}

void dictFreeUnlinkedEntry(dict *d, dictEntry *e) {
    if (e) freeEntry(d, e);
}

/* Frees every entry of table t and the table itself. *done counts buckets
 * across both tables for the progress callback. */
static void clearTable(dict *d, int t, void (*progress)(void *), void *arg, size_t *done) {
    for (size_t i = 0; i < d->size[t]; i++) {
        dictEntry *e = d->table[t][i];
        while (e) {
            dictEntry *next = e->next;
            freeEntry(d, e);
            e = next;
        }
        if (progress && ++*done % DICT_PROGRESS_EVERY == 0) progress(arg);
    }
    lfree(d->table[t]);
    d->table[t] = NULL;
    d->size[t] = d->used[t] = 0;
}

void dictEmpty(dict *d, void (*progress)(void *), void *arg) {
    size_t done = 0;
    clearTable(d, 0, progress, arg, &done);
    clearTable(d, 1, progress, arg, &done);
    d->rehash_idx = 0;
}

void dictRelease(dict *d) {
    dictEmpty(d, NULL, NULL);
    lfree(d);
}

/* Moves up to n buckets from table[0] to table[1]; finishes the rehash when
 * table[0] is empty. Returns 1 if more remains. */
static int rehash(dict *d, int n) {
    size_t empty_visits = (size_t)n * DICT_EMPTY_VISITS;
    if (!isRehashing(d)) return 0;
    size_t mask1 = d->size[1] - 1;
    while (n-- > 0 && d->used[0] != 0) {
        /* used[0] != 0 guarantees a non-empty bucket at or after rehash_idx. */
        while (d->table[0][d->rehash_idx] == NULL) {
            d->rehash_idx++;
            if (--empty_visits == 0) return 1;
        }
        dictEntry *e = d->table[0][d->rehash_idx];
        while (e) {
            dictEntry *next = e->next;
            size_t idx = dictHashKey(d, e->key, strLen(e->key)) & mask1;
            e->next = d->table[1][idx];
            d->table[1][idx] = e;
            d->used[0]--;
            d->used[1]++;
            e = next;
        }
        d->table[0][d->rehash_idx++] = NULL;
    }
    if (d->used[0] != 0) return 1;
    lfree(d->table[0]);
    d->table[0] = d->table[1];
    d->size[0] = d->size[1];
    d->used[0] = d->used[1];
    d->table[1] = NULL;
    d->size[1] = d->used[1] = 0;
    d->rehash_idx = 0;
    return 0;
}

/* The one rehash step done by finds, adds and deletes. */
static inline void rehashStep(dict *d) {
    if (isRehashing(d) && d->pause_count == 0) rehash(d, 1);
}

int dictRehashSteps(dict *d, int n) {
    if (d->pause_count) return 0;
    return rehash(d, n);
}

static long long monotonicMicros(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int dictRehashMicroseconds(dict *d, long long us) {
    if (d->pause_count) return 0;
    if (!isRehashing(d)) return 0;
    long long start = monotonicMicros();
    int steps = 0, more;
    do {
        more = rehash(d, 100);
        steps += 100;
    } while (more && monotonicMicros() - start < us);
    return steps;
}

/* The smallest power of two >= n (and >= DICT_MIN_SIZE); 0 if it would not fit
 * an allocation of pointers. */
static size_t tableSizeFor(size_t n) {
    if (n > (SIZE_MAX / sizeof(dictEntry *)) / 2) return 0;
    size_t size = DICT_MIN_SIZE;
    while (size < n)
        size *= 2;
    return size;
}

/* Allocates a table of size slots: table[0] when the dict has none, else the
 * rehash target table[1]. The caller checked the dict is not rehashing. */
static void startResize(dict *d, size_t size) {
    dictEntry **table = lcalloc(size * sizeof(*table));
    if (d->size[0] == 0) {
        d->table[0] = table;
        d->size[0] = size;
    } else {
        d->table[1] = table;
        d->size[1] = size;
        d->rehash_idx = 0;
    }
}

static void expandIfNeeded(dict *d) {
    if (isRehashing(d)) return;
    if (d->size[0] == 0) {
        startResize(d, DICT_MIN_SIZE);
        return;
    }
    size_t used = d->used[0], size = d->size[0];
    if (used < size) return;
    if (!resize_enabled && used <= DICT_FORCE_RATIO * size) return;
    size_t target = tableSizeFor(used * 2);
    if (target > size) startResize(d, target);
}

int dictExpand(dict *d, size_t size) {
    if (isRehashing(d)) return -1;
    size_t target = tableSizeFor(size);
    if (target == 0) return -1;
    if (target > d->size[0]) startResize(d, target);
    return 0;
}

int dictTryShrink(dict *d) {
    if (!resize_enabled || isRehashing(d) || d->size[0] <= DICT_MIN_SIZE) return 0;
    if (d->used[0] * DICT_SHRINK_RATIO >= d->size[0]) return 0;
    startResize(d, tableSizeFor(d->used[0]));
    return 1;
}

dictEntry *dictFind(dict *d, const void *key, size_t len) {
    if (dictSize(d) == 0) return NULL;
    rehashStep(d);
    uint64_t h = dictHashKey(d, key, len);
    for (int t = 0;; t++) {
        for (dictEntry *e = d->table[t][h & (d->size[t] - 1)]; e; e = e->next)
            if (keyMatches(d, e, key, len)) return e;
        if (t == 1 || !isRehashing(d)) return NULL;
    }
}

dictEntry *dictAddRaw(dict *d, str key, dictEntry **existing) {
    size_t len = strLen(key);
    rehashStep(d);
    expandIfNeeded(d);
    uint64_t h = dictHashKey(d, key, len);
    for (int t = 0; t <= isRehashing(d); t++) {
        for (dictEntry *e = d->table[t][h & (d->size[t] - 1)]; e; e = e->next) {
            if (keyMatches(d, e, key, len)) {
                if (existing) *existing = e;
                return NULL;
            }
        }
    }
    int t = isRehashing(d);
    dictEntry **bucket = &d->table[t][h & (d->size[t] - 1)];
    dictEntry *e = lmalloc(sizeof(*e));
    e->next = *bucket;
    e->key = key;
    e->v.u64 = 0;
    *bucket = e;
    d->used[t]++;
    return e;
}

int dictAdd(dict *d, str key, void *val) {
    dictEntry *e = dictAddRaw(d, key, NULL);
    if (!e) return -1;
    e->v.val = val;
    return 0;
}

dictEntry *dictUnlink(dict *d, const void *key, size_t len) {
    if (dictSize(d) == 0) return NULL;
    rehashStep(d);
    uint64_t h = dictHashKey(d, key, len);
    for (int t = 0; t <= isRehashing(d); t++) {
        dictEntry **link = &d->table[t][h & (d->size[t] - 1)];
        for (dictEntry *e = *link; e; link = &e->next, e = e->next) {
            if (keyMatches(d, e, key, len)) {
                *link = e->next;
                /* A safe iterator about to return e skips to what follows it. */
                for (dictIterator *it = d->safe_iters; it; it = it->next_safe)
                    if (it->next_entry == e) it->next_entry = e->next;
                e->next = NULL;
                d->used[t]--;
                return e;
            }
        }
    }
    return NULL;
}

int dictDelete(dict *d, const void *key, size_t len) {
    dictEntry *e = dictUnlink(d, key, len);
    if (!e) return -1;
    freeEntry(d, e);
    return 0;
}

void dictSetVal(dict *d, dictEntry *e, void *val) {
    void *old = e->v.val;
    e->v.val = val;
    if (d->type->free_val && old) d->type->free_val(old);
}

/* Iteration. */

static uint64_t mix64(uint64_t h, uint64_t x) {
    h ^= x + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    return h * 0xff51afd7ed558ccdULL;
}

/* A digest of the dict's shape: any add, delete or rehash step changes it. */
static uint64_t fingerprint(const dict *d) {
    uint64_t h = 0;
    for (int t = 0; t < 2; t++) {
        h = mix64(h, (uint64_t)(uintptr_t)d->table[t]);
        h = mix64(h, d->size[t]);
        h = mix64(h, d->used[t]);
    }
    return mix64(h, d->rehash_idx);
}

static dictIterator *newIterator(dict *d, int safe) {
    dictIterator *it = lcalloc(sizeof(*it));
    it->d = d;
    it->safe = safe;
    return it;
}

dictIterator *dictGetIterator(dict *d) {
    return newIterator(d, 0);
}

dictIterator *dictGetSafeIterator(dict *d) {
    return newIterator(d, 1);
}

dictEntry *dictNext(dictIterator *it) {
    dict *d = it->d;
    if (!it->started) {
        it->started = 1;
        if (it->safe) {
            d->pause_count++;
            it->next_safe = d->safe_iters;
            if (it->next_safe) it->next_safe->prev_safe = &it->next_safe;
            it->prev_safe = &d->safe_iters;
            d->safe_iters = it;
        } else {
            it->fingerprint = fingerprint(d);
        }
    }
    /* next_entry is saved before an entry is returned, so the caller may
     * delete the entry it holds; dictUnlink moves a safe iterator's
     * next_entry along if that one is deleted. */
    while (!it->next_entry) {
        if (it->index >= d->size[it->table]) {
            if (it->table == 1 || !isRehashing(d)) return NULL;
            it->table = 1;
            it->index = 0;
            continue;
        }
        it->next_entry = d->table[it->table][it->index++];
    }
    dictEntry *e = it->next_entry;
    it->next_entry = e->next;
    return e;
}

void dictReleaseIterator(dictIterator *it) {
    if (it->started && it->safe) {
        it->d->pause_count--;
        *it->prev_safe = it->next_safe;
        if (it->next_safe) it->next_safe->prev_safe = it->prev_safe;
    }
    /* An unsafe iterator's dict was modified while iterating: a caller bug. */
    if (it->started && !it->safe && it->fingerprint != fingerprint(it->d)) abort();
    lfree(it);
}

/* SCAN. */

static unsigned long reverseBits(unsigned long v) {
    unsigned long mask = ~0UL;
    for (unsigned shift = sizeof(v) * 8 / 2; shift > 0; shift >>= 1) {
        mask ^= mask << shift;
        v = ((v >> shift) & mask) | ((v << shift) & ~mask);
    }
    return v;
}

/* Advances the cursor: its bits under mask, read in reverse (most significant
 * bit as the lowest), are incremented. Setting the bits above the mask first
 * lets the carry run through them, so only the masked bits change (and wrap
 * to 0 when the table has been covered). */
static unsigned long nextCursor(unsigned long v, unsigned long mask) {
    v |= ~mask;
    v = reverseBits(v);
    v++;
    return reverseBits(v);
}

static void scanBucket(const dictEntry *e, dictScanFunction *fn, void *privdata) {
    while (e) {
        const dictEntry *next = e->next;
        fn(privdata, e);
        e = next;
    }
}

unsigned long dictScan(dict *d, unsigned long cursor, dictScanFunction *fn, void *privdata) {
    if (dictSize(d) == 0) return 0;
    /* No bucket may move while fn runs (it might look keys up). */
    d->pause_count++;
    if (!isRehashing(d)) {
        unsigned long mask = d->size[0] - 1;
        scanBucket(d->table[0][cursor & mask], fn, privdata);
        cursor = nextCursor(cursor, mask);
    } else {
        int small = d->size[0] <= d->size[1] ? 0 : 1, large = !small;
        unsigned long mask_s = d->size[small] - 1, mask_l = d->size[large] - 1;
        scanBucket(d->table[small][cursor & mask_s], fn, privdata);
        /* Then every bucket of the larger table that the small bucket expands
         * to: those whose low bits equal the cursor's under mask_s. */
        do {
            scanBucket(d->table[large][cursor & mask_l], fn, privdata);
            cursor = nextCursor(cursor, mask_l);
        } while (cursor & (mask_s ^ mask_l));
    }
    d->pause_count--;
    return cursor;
}

/* Random access. */

/* Bucket i of the range that can hold entries: table[0] from rehash_idx on,
 * then table[1]. */
static dictEntry *liveBucket(const dict *d, size_t i) {
    size_t first = isRehashing(d) ? d->size[0] - d->rehash_idx : d->size[0];
    if (i < first) return d->table[0][d->rehash_idx + i];
    return d->table[1][i - first];
}

dictEntry *dictGetRandomKey(dict *d) {
    if (dictSize(d) == 0) return NULL;
    rehashStep(d);
    size_t start = isRehashing(d) ? d->rehash_idx : 0;
    size_t buckets = d->size[0] - start + d->size[1];
    dictEntry *head = NULL;
    for (int probe = 0; !head && probe < DICT_RANDOM_PROBES; probe++)
        head = liveBucket(d, randomBelow(buckets));
    /* A very sparse table: walk from a random bucket instead (always ends, as
     * the dict is not empty). */
    for (size_t i = randomBelow(buckets); !head; i = (i + 1) % buckets)
        head = liveBucket(d, i);

    size_t chain = 0;
    for (dictEntry *e = head; e; e = e->next)
        chain++;
    dictEntry *e = head;
    for (size_t skip = randomBelow(chain); skip > 0; skip--)
        e = e->next;
    return e;
}

unsigned int dictGetSomeKeys(dict *d, dictEntry **des, unsigned int count) {
    if (dictSize(d) < count) count = (unsigned int)dictSize(d);
    if (count == 0) return 0;
    rehashStep(d);
    int tables = isRehashing(d) ? 2 : 1;
    size_t max_size = d->size[0] > d->size[1] ? d->size[0] : d->size[1];
    size_t mask = max_size - 1;
    size_t steps = (size_t)count * 10;
    if (steps > max_size) steps = max_size;
    size_t i = (size_t)nextRandom() & mask;
    unsigned int stored = 0;

    /* Each index is visited at most once, so no entry is stored twice. */
    for (; steps > 0 && stored < count; steps--, i = (i + 1) & mask) {
        for (int t = 0; t < tables; t++) {
            /* table[0] below rehash_idx is empty; a smaller table ends early. */
            if (i >= d->size[t] || (t == 0 && tables == 2 && i < d->rehash_idx)) continue;
            for (dictEntry *e = d->table[t][i]; e && stored < count; e = e->next)
                des[stored++] = e;
        }
    }
    if (stored == 0) des[stored++] = dictGetRandomKey(d);
    return stored;
}

/* Statistics. */

/* Appends to buf at *at, never past size (the result stays NUL-terminated). */
static void appendf(char *buf, size_t size, size_t *at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void appendf(char *buf, size_t size, size_t *at, const char *fmt, ...) {
    if (*at + 1 >= size) return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + *at, size - *at, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    *at = (size_t)n >= size - *at ? size - 1 : *at + (size_t)n;
}

static void tableStats(const dict *d, int t, char *buf, size_t size, size_t *at) {
    size_t chains[DICT_STATS_CHAINS] = {0};
    size_t slots = 0, max_chain = 0, total_chain = 0;
    for (size_t i = 0; i < d->size[t]; i++) {
        size_t len = 0;
        for (const dictEntry *e = d->table[t][i]; e; e = e->next)
            len++;
        chains[len < DICT_STATS_CHAINS ? len : DICT_STATS_CHAINS - 1]++;
        if (len == 0) continue;
        slots++;
        total_chain += len;
        if (len > max_chain) max_chain = len;
    }
    appendf(buf, size, at,
            "Hash table %d stats (%s):\n"
            " table size: %zu\n"
            " number of elements: %zu\n"
            " different slots: %zu\n"
            " max chain length: %zu\n"
            " avg chain length (counted): %.02f\n"
            " avg chain length (computed): %.02f\n"
            " Chain length distribution:\n",
            t, t == 0 ? "main hash table" : "rehashing target", d->size[t], d->used[t], slots,
            max_chain, slots ? (double)total_chain / (double)slots : 0.0,
            slots ? (double)d->used[t] / (double)slots : 0.0);
    for (size_t len = 0; len < DICT_STATS_CHAINS; len++) {
        if (chains[len] == 0) continue;
        appendf(buf, size, at, "   %s%zu: %zu (%.02f%%)\n",
                len == DICT_STATS_CHAINS - 1 ? ">=" : "", len, chains[len],
                100.0 * (double)chains[len] / (double)d->size[t]);
    }
}

void dictGetStats(dict *d, char *buf, size_t bufsize) {
    size_t at = 0;
    if (bufsize == 0) return;
    buf[0] = '\0';
    if (dictSize(d) == 0) {
        appendf(buf, bufsize, &at, "No stats available for empty dictionaries\n");
        return;
    }
    tableStats(d, 0, buf, bufsize, &at);
    if (isRehashing(d)) tableStats(d, 1, buf, bufsize, &at);
}
