/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The keyspace: numbered databases, each a hash table of keys to objects plus
 * an expiry table (key -> unix time in ms) for keys with a TTL. Lookups expire
 * keys whose time has passed (passive expiry) and count hits and misses; the
 * active expiry cycle lives in expire.c.
 *
 * Keys are passed as (bytes, length) and copied when stored. Main thread only.
 */
#ifndef LOOM_DB_H
#define LOOM_DB_H

#include "dict.h"
#include "object.h"

#include <stddef.h>

typedef struct db {
    dict *keys;    /* key (str, owned) -> obj */
    dict *expires; /* key (the same str as in keys) -> unix ms in v.s64 */
    int id;
    long long avg_ttl;            /* running estimate, for INFO keyspace */
    unsigned long expires_cursor; /* where the active expiry cycle resumes */
} db;

/* Lookup flags. */
#define LOOKUP_NONE 0
#define LOOKUP_NOTOUCH (1 << 0) /* leave the access clock alone (OBJECT, TYPE...) */
#define LOOKUP_WRITE (1 << 1)   /* a write lookup: no hit/miss statistics */

void dbInit(db *d, int id);
void dbRelease(db *d);

/* The value of key, or NULL when it does not exist or just expired. */
obj *dbLookup(db *d, const char *key, size_t len, int flags);
static inline obj *dbLookupRead(db *d, const char *key, size_t len) {
    return dbLookup(d, key, len, LOOKUP_NONE);
}
static inline obj *dbLookupWrite(db *d, const char *key, size_t len) {
    return dbLookup(d, key, len, LOOKUP_WRITE);
}

/* Adds a key that does not exist; the dict takes the reference to val. */
void dbAdd(db *d, const char *key, size_t len, obj *val);
/* Replaces the value of an existing key, keeping its TTL. */
void dbOverwrite(db *d, const char *key, size_t len, obj *val);
/* SET semantics: add or overwrite; the TTL is removed unless keep_ttl. */
void dbSetKey(db *d, const char *key, size_t len, obj *val, int keep_ttl);
/* Makes the string value `o` of key safe to modify in place: returns o if it
 * is "raw" and unshared, else stores and returns a raw copy. */
obj *dbUnshareStringValue(db *d, const char *key, size_t len, obj *o);
/* Returns 1 if the key existed and was deleted. With lazy, a value that is
 * costly to free goes to the lazy-free worker (see lazyfree.h). */
int dbDeleteGeneric(db *d, const char *key, size_t len, int lazy);
/* A server-side delete (a command removing or overwriting a key as a side
 * effect): lazy when lazyfree-lazy-server-del is set. dbOverwrite and
 * dbSetKey free the old value the same way; expiry follows
 * lazyfree-lazy-expire. */
int dbDelete(db *d, const char *key, size_t len);
/* Removes the key without freeing its value, returning the value (with its
 * reference) or NULL. */
obj *dbUnlinkValue(db *d, const char *key, size_t len);

/* Expiry. Times are unix milliseconds; -1 = no TTL. */
long long dbGetExpire(db *d, const char *key, size_t len);
/* The key must exist. */
void dbSetExpire(db *d, const char *key, size_t len, long long when_ms);
/* Returns 1 if a TTL was removed. */
int dbRemoveExpire(db *d, const char *key, size_t len);
/* Deletes the key if its TTL passed (and counts it); returns 1 if it did. */
int dbExpireIfNeeded(db *d, const char *key, size_t len);

static inline size_t dbSize(const db *d) { return dictSize(d->keys); }
/* Removes every key; returns how many were removed. */
long long dbEmpty(db *d);
/* The same, but the old tables go to the lazy-free worker: the database is
 * swapped to new empty tables at once. */
long long dbEmptyLazy(db *d);
/* Exchanges the contents of two databases (SWAPDB). */
void dbSwap(db *a, db *b);

#endif
