/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Databases: key lookup with passive expiry and hit/miss accounting, adding,
 * overwriting and deleting keys, and the expiry table. The expiry table shares
 * the key strings of the main table, so a key is always removed from the
 * expiry table first. Values leave through freeValue, which hands costly ones
 * to the lazy-free worker when the caller asks (the lazyfree-lazy-* configs).
 * Main thread only.
 */
#include "db.h"

#include "lazyfree.h"
#include "propagate.h"
#include "server.h"
#include "str.h"
#include "util.h"

static void freeObjectValue(void *val) { objDecrRef(val); }

static const dictType keyspace_dict_type = {.nocase = 0, .owns_keys = 1,
                                            .free_val = freeObjectValue};
static const dictType expires_dict_type = {.nocase = 0, .owns_keys = 0, .free_val = NULL};

void dbInit(db *d, int id) {
    d->keys = dictCreate(&keyspace_dict_type);
    d->expires = dictCreate(&expires_dict_type);
    d->id = id;
    d->avg_ttl = 0;
    d->expires_cursor = 0;
}

void dbRelease(db *d) {
    dictRelease(d->expires);
    dictRelease(d->keys);
}

long long dbGetExpire(db *d, const char *key, size_t len) {
    if (dictSize(d->expires) == 0) return -1;
    dictEntry *de = dictFind(d->expires, key, len);
    return de ? de->v.s64 : -1;
}

static void freeValue(obj *val, int lazy) {
    if (lazy) lazyfreeFreeObject(val);
    else objDecrRef(val);
}

int dbDeleteGeneric(db *d, const char *key, size_t len, int lazy) {
    obj *val = dbUnlinkValue(d, key, len);
    if (!val) return 0;
    freeValue(val, lazy);
    return 1;
}

int dbExpireIfNeeded(db *d, const char *key, size_t len) {
    /* While a file replays, its own DEL commands remove what expired. */
    if (server.loading) return 0;
    long long when = dbGetExpire(d, key, len);
    if (when < 0 || when > server.cmd_time_ms) return 0;
    propagateDeletion(d, key, len);
    dbDeleteGeneric(d, key, len, server.lazyfree_lazy_expire);
    server.stat_expiredkeys++;
    server.dirty++;
    return 1;
}

obj *dbLookup(db *d, const char *key, size_t len, int flags) {
    dictEntry *de = dictFind(d->keys, key, len);
    obj *val = NULL;
    if (de) {
        val = de->v.val;
        if (dbExpireIfNeeded(d, key, len)) val = NULL;
    }
    if (val) {
        if (!(flags & LOOKUP_NOTOUCH)) objTouch(val);
        if (!(flags & LOOKUP_WRITE)) server.stat_keyspace_hits++;
    } else if (!(flags & LOOKUP_WRITE)) {
        server.stat_keyspace_misses++;
    }
    return val;
}

void dbAdd(db *d, const char *key, size_t len, obj *val) {
    int rc = dictAdd(d->keys, strNewLen(key, len), val);
    loomAssert(rc == 0);
}

/* Stores val in the entry, then frees the old value (a server-side delete),
 * so a value may be replaced by itself when the caller holds a new reference. */
static void replaceValue(dictEntry *de, obj *val) {
    obj *old = de->v.val;
    de->v.val = val;
    freeValue(old, server.lazyfree_lazy_server_del);
}

void dbOverwrite(db *d, const char *key, size_t len, obj *val) {
    dictEntry *de = dictFind(d->keys, key, len);
    loomAssert(de != NULL);
    replaceValue(de, val);
}

void dbSetKey(db *d, const char *key, size_t len, obj *val, int keep_ttl) {
    dictEntry *de = dictFind(d->keys, key, len);
    if (!de) {
        dictAdd(d->keys, strNewLen(key, len), val);
        return;
    }
    replaceValue(de, val);
    if (!keep_ttl && dictSize(d->expires)) dictDelete(d->expires, key, len);
}

obj *dbUnshareStringValue(db *d, const char *key, size_t len, obj *o) {
    if (o->refcount == 1 && o->encoding == OBJ_ENC_RAW) return o;
    char buf[OBJ_INT_BUF];
    size_t n;
    const char *p = objStringBytes(o, buf, &n);
    obj *copy = objCreateRawString(p, n);
    dbOverwrite(d, key, len, copy); /* drops the table's reference to o */
    return copy;
}

int dbDelete(db *d, const char *key, size_t len) {
    return dbDeleteGeneric(d, key, len, server.lazyfree_lazy_server_del);
}

obj *dbUnlinkValue(db *d, const char *key, size_t len) {
    if (dictSize(d->expires)) dictDelete(d->expires, key, len);
    dictEntry *de = dictUnlink(d->keys, key, len);
    if (!de) return NULL;
    obj *val = de->v.val;
    de->v.val = NULL;
    dictFreeUnlinkedEntry(d->keys, de);
    return val;
}

void dbSetExpire(db *d, const char *key, size_t len, long long when_ms) {
    dictEntry *kde = dictFind(d->keys, key, len);
    loomAssert(kde != NULL);
    dictEntry *existing;
    dictEntry *de = dictAddRaw(d->expires, kde->key, &existing);
    (de ? de : existing)->v.s64 = when_ms;
}

int dbRemoveExpire(db *d, const char *key, size_t len) {
    return dictSize(d->expires) && dictDelete(d->expires, key, len) == 0;
}

long long dbEmpty(db *d) {
    long long removed = (long long)dictSize(d->keys);
    dictEmpty(d->expires, NULL, NULL);
    dictEmpty(d->keys, NULL, NULL);
    d->avg_ttl = 0;
    d->expires_cursor = 0;
    return removed;
}

long long dbEmptyLazy(db *d) {
    long long removed = (long long)dictSize(d->keys);
    if (removed == 0 && dictSize(d->expires) == 0) return 0;
    lazyfreeFreeDatabase(d->keys, d->expires);
    d->keys = dictCreate(&keyspace_dict_type);
    d->expires = dictCreate(&expires_dict_type);
    d->avg_ttl = 0;
    d->expires_cursor = 0;
    return removed;
}

void dbSwap(db *a, db *b) {
    dict *keys = a->keys, *expires = a->expires;
    long long avg_ttl = a->avg_ttl;
    unsigned long cursor = a->expires_cursor;
    a->keys = b->keys;
    a->expires = b->expires;
    a->avg_ttl = b->avg_ttl;
    a->expires_cursor = b->expires_cursor;
    b->keys = keys;
    b->expires = expires;
    b->avg_ttl = avg_ttl;
    b->expires_cursor = cursor;
}
