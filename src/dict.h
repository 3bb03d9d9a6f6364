/* SPDX-License-Identifier: BSD-3-Clause
 *
 * dict: a chained hash table keyed by byte strings (stored as str), with
 * incremental rehashing between two power-of-two tables so that growing or
 * shrinking never stops the server: while rehashing, every find, add and delete
 * moves one bucket, and the cron moves more. Used for the keyspace, the expiry
 * table, the hash and set types, the command table and the config table.
 *
 * Lookups take (pointer, length), so callers never allocate to look up. Keys are
 * hashed with SipHash-1-2 under one process-wide seed.
 *
 * Not thread-safe. A lookup may move a bucket while the dict is rehashing, so a
 * dict read by several threads at once (the command table) must be fully
 * rehashed before it is shared: loop on dictRehashSteps until it returns 0.
 */
#ifndef LOOM_DICT_H
#define LOOM_DICT_H

#include "str.h"

#include <stddef.h>
#include <stdint.h>

/* Public so hot callers can read the key and value directly. 24 bytes. */
typedef struct dictEntry {
    struct dictEntry *next;
    str key;
    union {
        void *val;
        int64_t s64;
        uint64_t u64;
        double d;
    } v;
} dictEntry;

typedef struct dictType {
    int nocase;                  /* ASCII case-insensitive hashing and comparison */
    int owns_keys;               /* dictRelease/dictEmpty/dictDelete strFree the key */
    void (*free_val)(void *val); /* NULL: values are not freed; never called with NULL */
} dictType;

typedef struct dict dict;

/* The type must outlive the dict. */
dict *dictCreate(const dictType *type);
/* Frees every entry (keys and values per type) and the dict. */
void dictRelease(dict *d);
/* Removes every entry (keys and values per type) and frees the tables. For
 * huge dicts, progress(arg) is called after every 65536 buckets (NULL: none). */
void dictEmpty(dict *d, void (*progress)(void *), void *arg);

size_t dictSize(const dict *d);
size_t dictBuckets(const dict *d); /* slots of both tables */

dictEntry *dictFind(dict *d, const void *key, size_t len);

/* Adds key unless present. On success returns the new entry, whose value is
 * zeroed for the caller to set, and the key belongs to the dict if the type
 * owns keys. If the key is present, returns NULL, sets *existing (if not NULL)
 * to its entry and leaves key with the caller. */
dictEntry *dictAddRaw(dict *d, str key, dictEntry **existing);
/* 0 if added; -1 if the key exists (key and val stay with the caller). */
int dictAdd(dict *d, str key, void *val);
/* 0 if deleted (key and value freed per type), -1 if not found. */
int dictDelete(dict *d, const void *key, size_t len);
/* Removes the entry without freeing anything, so the caller can still use the
 * value. Then call dictFreeUnlinkedEntry (which frees per type: set v.val to
 * NULL first to keep the value), or free key/value yourself and lfree the
 * entry. NULL if not found. */
dictEntry *dictUnlink(dict *d, const void *key, size_t len);
void dictFreeUnlinkedEntry(dict *d, dictEntry *e); /* NULL is fine */
/* Stores val, then frees the old value per type. As the old value is freed
 * after the store, a reference-counted value may be replaced by itself when
 * the caller passes a new reference. */
void dictSetVal(dict *d, dictEntry *e, void *val);

uint64_t dictHashKey(const dict *d, const void *key, size_t len);
/* Process-wide hash seed; call once at start, before any dict has entries.
 * It also seeds the generator used for random sampling. */
void dictSetHashSeed(const uint8_t seed[16]);

/* Sizing. A dict grows when an add finds as many entries as slots (load factor
 * 1), to the next power of two >= twice the entries. While resizing is
 * disabled (a fork child is alive and copy-on-write pages matter) it grows only
 * past load factor 4, and never shrinks. */
void dictSetResizeEnabled(int enabled);
/* Pre-sizes to at least size slots (rounded up to a power of two). 0 if done or
 * already that large; -1 if not possible now (rehashing, or size too big). */
int dictExpand(dict *d, size_t size);
/* Starts shrinking to fit (the next power of two >= entries, at least 4 slots)
 * when fewer than 1/8 of the slots are used. 1 if a shrink started. For the
 * cron, and for data types after deleting many members. */
int dictTryShrink(dict *d);
int dictIsRehashing(const dict *d);
/* Moves up to n buckets to the new table, visiting at most 10*n empty ones.
 * Returns 1 if rehashing remains to do, 0 if it is done or paused (a safe
 * iterator is alive). */
int dictRehashSteps(dict *d, int n);
/* Rehashes in batches of 100 steps until us microseconds have passed or it is
 * done. Returns the steps done (0 while paused). */
int dictRehashMicroseconds(dict *d, long long us);

/* Iteration. An iterator is heap-allocated. A safe iterator allows finds, adds
 * and deletes of any entry (the one just returned or others) while it is
 * alive: it pauses rehashing until released. Every entry present for the whole
 * iteration is returned exactly once; entries deleted before being reached are
 * not returned; entries added meanwhile may or may not be. dictEmpty and
 * dictRelease are not allowed while it is alive. An unsafe iterator allows no
 * change to the dict, not even a dictFind (which may move a bucket): its
 * release aborts if the dict changed since the first dictNext. */
typedef struct dictIterator dictIterator;
dictIterator *dictGetIterator(dict *d);
dictIterator *dictGetSafeIterator(dict *d);
dictEntry *dictNext(dictIterator *it); /* NULL at the end */
void dictReleaseIterator(dictIterator *it);

/* SCAN. Start with cursor 0 and call again with the returned cursor until it
 * returns 0. Every entry present for the whole scan is returned at least once
 * (some may be returned more than once), across grows, shrinks and rehashing
 * between calls: the cursor counts with its bits reversed, so a bucket's
 * images in a larger or smaller table are visited together. fn must not
 * modify the dict. */
typedef void dictScanFunction(void *privdata, const dictEntry *de);
unsigned long dictScan(dict *d, unsigned long cursor, dictScanFunction *fn, void *privdata);

/* Random access, for RANDOMKEY, expiry sampling and eviction. dictGetRandomKey
 * picks a random non-empty bucket, then a random entry in its chain (NULL if
 * the dict is empty). dictGetSomeKeys stores up to count distinct entries found
 * walking consecutive buckets from a random place, visiting at most about
 * 10*count buckets; it returns how many it stored, which is 0 only when the dict
 * is empty. */
dictEntry *dictGetRandomKey(dict *d);
unsigned int dictGetSomeKeys(dict *d, dictEntry **des, unsigned int count);

/* Human-readable statistics for DEBUG HTSTATS: per table its size, entries,
 * used slots, chain lengths and their distribution. Always NUL-terminated;
 * truncated to bufsize. */
void dictGetStats(dict *d, char *buf, size_t bufsize);

#endif
