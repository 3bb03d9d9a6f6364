/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Generic keyspace commands that work on keys of any type: deletion,
 * existence, renaming, copying and moving, listing (KEYS, SCAN, RANDOMKEY),
 * TTLs (EXPIRE family, TTL, PERSIST, EXPIRETIME) and OBJECT. Main thread only.
 */
#include "alloc.h"
#include "command.h"
#include "db.h"
#include "propagate.h"
#include "reply.h"
#include "server.h"
#include "str.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>

#define arg_key(c, i) (c)->argv[i].ptr, (c)->argv[i].len

/* --- DEL, UNLINK, EXISTS, TOUCH, TYPE ------------------------------------ */

static void delGeneric(client *c, int lazy) {
    long long deleted = 0;
    for (int j = 1; j < c->argc; j++) {
        dbExpireIfNeeded(c->db, arg_key(c, j));
        deleted += dbDeleteGeneric(c->db, arg_key(c, j), lazy);
    }
    server.dirty += deleted;
    replyLongLong(c, deleted);
}

static void delCommand(client *c) { delGeneric(c, server.lazyfree_lazy_user_del); }
/* UNLINK: the value is freed on the lazy-free worker when that is worth it. */
static void unlinkCommand(client *c) { delGeneric(c, 1); }

static void existsCommand(client *c) {
    long long count = 0;
    for (int j = 1; j < c->argc; j++)
        if (dbLookup(c->db, arg_key(c, j), LOOKUP_NOTOUCH)) count++;
    replyLongLong(c, count);
}

static void touchCommand(client *c) {
    long long count = 0;
    for (int j = 1; j < c->argc; j++)
        if (dbLookupRead(c->db, arg_key(c, j))) count++;
    replyLongLong(c, count);
}

static void typeCommand(client *c) {
    obj *o = dbLookup(c->db, arg_key(c, 1), LOOKUP_NOTOUCH);
    replyStatus(c, o ? objTypeName(o->type) : "none");
}

/* --- RENAME, COPY, MOVE -------------------------------------------------- */

static int sameKey(const arg *a, const arg *b) {
    return a->len == b->len && memcmp(a->ptr, b->ptr, a->len) == 0;
}

static void renameGeneric(client *c, int nx) {
    const arg *src = &c->argv[1], *dst = &c->argv[2];
    obj *o = dbLookupWrite(c->db, src->ptr, src->len);
    if (!o) {
        replyError(c, "no such key");
        return;
    }
    if (sameKey(src, dst)) {
        if (nx) replyLongLong(c, 0);
        else replyOk(c);
        return;
    }
    if (dbLookupWrite(c->db, dst->ptr, dst->len)) {
        if (nx) {
            replyLongLong(c, 0);
            return;
        }
        dbDelete(c->db, dst->ptr, dst->len);
    }
    long long expire = dbGetExpire(c->db, src->ptr, src->len);
    o = dbUnlinkValue(c->db, src->ptr, src->len);
    dbAdd(c->db, dst->ptr, dst->len, o);
    if (expire >= 0) dbSetExpire(c->db, dst->ptr, dst->len, expire);
    server.dirty++;
    if (nx) replyLongLong(c, 1);
    else replyOk(c);
}

static void renameCommand(client *c) { renameGeneric(c, 0); }
static void renamenxCommand(client *c) { renameGeneric(c, 1); }

static void copyCommand(client *c) {
    const arg *src = &c->argv[1], *dst = &c->argv[2];
    int replace = 0, dbid = c->db->id;
    for (int j = 3; j < c->argc; j++) {
        if (argEquals(&c->argv[j], "replace")) {
            replace = 1;
        } else if (argEquals(&c->argv[j], "db") && j + 1 < c->argc) {
            if (argToDbIdOrReply(c, &c->argv[++j], &dbid) < 0) return;
        } else {
            replySyntaxError(c);
            return;
        }
    }
    db *dstdb = &server.dbs[dbid];
    if (dstdb == c->db && sameKey(src, dst)) {
        replyError(c, "source and destination objects are the same");
        return;
    }
    obj *o = dbLookupWrite(c->db, src->ptr, src->len);
    if (!o) {
        replyLongLong(c, 0);
        return;
    }
    long long expire = dbGetExpire(c->db, src->ptr, src->len);
    if (dbLookupWrite(dstdb, dst->ptr, dst->len)) {
        if (!replace) {
            replyLongLong(c, 0);
            return;
        }
        dbDelete(dstdb, dst->ptr, dst->len);
    }
    dbAdd(dstdb, dst->ptr, dst->len, objDup(o));
    if (expire >= 0) dbSetExpire(dstdb, dst->ptr, dst->len, expire);
    server.dirty++;
    replyLongLong(c, 1);
}

static void moveCommand(client *c) {
    const arg *key = &c->argv[1];
    int id;
    if (argToDbIdOrReply(c, &c->argv[2], &id) < 0) return;
    db *dst = &server.dbs[id];
    if (dst == c->db) {
        replyError(c, "source and destination objects are the same");
        return;
    }
    if (!dbLookupWrite(c->db, key->ptr, key->len) || dbLookupWrite(dst, key->ptr, key->len)) {
        replyLongLong(c, 0);
        return;
    }
    long long expire = dbGetExpire(c->db, key->ptr, key->len);
    obj *o = dbUnlinkValue(c->db, key->ptr, key->len);
    dbAdd(dst, key->ptr, key->len, o);
    if (expire >= 0) dbSetExpire(dst, key->ptr, key->len, expire);
    server.dirty++;
    replyLongLong(c, 1);
}

/* --- KEYS, SCAN, RANDOMKEY ----------------------------------------------- */

static int keyIsExpired(db *d, const str key) {
    long long when = dbGetExpire(d, key, strLen(key));
    return when >= 0 && when <= server.cmd_time_ms;
}

static void keysCommand(client *c) {
    const arg *pattern = &c->argv[1];
    int all = pattern->len == 1 && pattern->ptr[0] == '*';
    void *handle = replyDeferredLen(c);
    long count = 0;
    dictIterator *it = dictGetSafeIterator(c->db->keys);
    dictEntry *de;
    while ((de = dictNext(it))) {
        str key = de->key;
        if (!all && !stringmatchlen(pattern->ptr, pattern->len, key, strLen(key), 0)) continue;
        if (keyIsExpired(c->db, key)) continue;
        replyBulk(c, key, strLen(key));
        count++;
    }
    dictReleaseIterator(it);
    replySetDeferredArrayLen(c, handle, count);
}

typedef struct scanBatch {
    str *keys;
    long count, cap;
} scanBatch;

static void collectKey(void *privdata, const dictEntry *de) {
    scanBatch *b = privdata;
    if (b->count == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 16;
        b->keys = lrealloc(b->keys, (size_t)b->cap * sizeof(str));
    }
    b->keys[b->count++] = strDup(de->key);
}

int scanParseCursorOrReply(client *c, const arg *a, unsigned long *cursor) {
    char *end;
    errno = 0;
    *cursor = strtoul(a->ptr, &end, 10);
    if (isspace((unsigned char)a->ptr[0]) || end != a->ptr + a->len || errno == ERANGE) {
        replyError(c, "invalid cursor");
        return -1;
    }
    return 0;
}

int scanParseOptionsOrReply(client *c, int first, int allow_type, scanOptions *opt) {
    opt->pattern = NULL;
    opt->type = NULL;
    opt->count = 10;
    for (int j = first; j < c->argc; j++) {
        const arg *a = &c->argv[j];
        int has_value = j + 1 < c->argc;
        if (argEquals(a, "count") && has_value) {
            if (argToLongOrReply(c, &c->argv[++j], &opt->count, NULL) < 0) return -1;
            if (opt->count < 1) {
                replySyntaxError(c);
                return -1;
            }
        } else if (argEquals(a, "match") && has_value) {
            opt->pattern = &c->argv[++j];
            /* "*" matches everything, even what a glob would not (""). */
            if (opt->pattern->len == 1 && opt->pattern->ptr[0] == '*') opt->pattern = NULL;
        } else if (allow_type && argEquals(a, "type") && has_value) {
            opt->type = &c->argv[++j];
        } else {
            replySyntaxError(c);
            return -1;
        }
    }
    return 0;
}

int scanPatternMatches(const scanOptions *opt, const char *s, size_t len) {
    return !opt->pattern || stringmatchlen(opt->pattern->ptr, opt->pattern->len, s, len, 0);
}

void scanReplyCursor(client *c, unsigned long cursor) {
    char digits[32];
    int n = ull2string(digits, sizeof(digits), cursor);
    replyArrayLen(c, 2);
    replyBulk(c, digits, (size_t)n);
}

static void scanCommand(client *c) {
    unsigned long cursor;
    scanOptions opt;
    if (scanParseCursorOrReply(c, &c->argv[1], &cursor) < 0) return;
    if (scanParseOptionsOrReply(c, 2, 1, &opt) < 0) return;
    /* Visit buckets until `count` keys were collected, bounded so a sparse
     * table cannot make one call run for long. */
    scanBatch batch = {0};
    long max_iterations = opt.count * 10;
    do {
        cursor = dictScan(c->db->keys, cursor, collectKey, &batch);
    } while (cursor && max_iterations-- && batch.count < opt.count);

    scanReplyCursor(c, cursor);
    void *handle = replyDeferredLen(c);
    long shown = 0;
    for (long i = 0; i < batch.count; i++) {
        str key = batch.keys[i];
        size_t len = strLen(key);
        int keep = scanPatternMatches(&opt, key, len);
        if (keep && dbExpireIfNeeded(c->db, key, len)) keep = 0;
        if (keep && opt.type) {
            obj *o = dbLookup(c->db, key, len, LOOKUP_NOTOUCH | LOOKUP_WRITE);
            const char *name = o ? objTypeName(o->type) : "";
            keep = o && strlen(name) == opt.type->len &&
                   !strncasecmp(name, opt.type->ptr, opt.type->len);
        }
        if (keep) {
            replyBulk(c, key, len);
            shown++;
        }
        strFree(key);
    }
    lfree(batch.keys);
    replySetDeferredArrayLen(c, handle, shown);
}

static void randomkeyCommand(client *c) {
    for (;;) {
        dictEntry *de = dictGetRandomKey(c->db->keys);
        if (!de) {
            replyNull(c);
            return;
        }
        str key = strDup(de->key);
        int expired = dbExpireIfNeeded(c->db, key, strLen(key));
        if (!expired) replyBulk(c, key, strLen(key));
        strFree(key);
        if (!expired) return;
    }
}

/* --- TTLs ---------------------------------------------------------------- */

#define EXPIRE_NX (1 << 0)
#define EXPIRE_XX (1 << 1)
#define EXPIRE_GT (1 << 2)
#define EXPIRE_LT (1 << 3)

static int parseExpireFlags(client *c, int *flags) {
    *flags = 0;
    for (int j = 3; j < c->argc; j++) {
        const arg *a = &c->argv[j];
        if (argEquals(a, "nx")) *flags |= EXPIRE_NX;
        else if (argEquals(a, "xx")) *flags |= EXPIRE_XX;
        else if (argEquals(a, "gt")) *flags |= EXPIRE_GT;
        else if (argEquals(a, "lt")) *flags |= EXPIRE_LT;
        else {
            replyErrorFormat(c, "Unsupported option %.*s", (int)a->len, a->ptr);
            return -1;
        }
    }
    if ((*flags & EXPIRE_NX) && (*flags & (EXPIRE_XX | EXPIRE_GT | EXPIRE_LT))) {
        replyError(c, "NX and XX, GT or LT options at the same time are not compatible");
        return -1;
    }
    if ((*flags & EXPIRE_GT) && (*flags & EXPIRE_LT)) {
        replyError(c, "GT and LT options at the same time are not compatible");
        return -1;
    }
    return 0;
}

/* Whether the new time passes the NX/XX/GT/LT condition (no TTL counts as
 * an infinite one). */
static int expireConditionHolds(int flags, long long current, long long when) {
    if ((flags & EXPIRE_NX) && current != -1) return 0;
    if ((flags & EXPIRE_XX) && current == -1) return 0;
    if ((flags & EXPIRE_GT) && (current == -1 || when <= current)) return 0;
    if ((flags & EXPIRE_LT) && current != -1 && when >= current) return 0;
    return 1;
}

static void expireGeneric(client *c, long long basetime_ms, int in_seconds) {
    const arg *key = &c->argv[1];
    int flags;
    long long when;
    if (parseExpireFlags(c, &flags) < 0) return;
    if (argToLongLongOrReply(c, &c->argv[2], &when, NULL) < 0) return;
    if (in_seconds) {
        if (when > LLONG_MAX / 1000 || when < LLONG_MIN / 1000) goto invalid;
        when *= 1000;
    }
    if (when > LLONG_MAX - basetime_ms) goto invalid;
    when += basetime_ms;
    if (!dbLookupWrite(c->db, key->ptr, key->len)) {
        replyLongLong(c, 0);
        return;
    }
    if (!expireConditionHolds(flags, dbGetExpire(c->db, key->ptr, key->len), when)) {
        replyLongLong(c, 0);
        return;
    }
    /* Replayed as what happened: a deletion, or the absolute time. */
    char buf[32];
    arg argv[3] = {{"PEXPIREAT", 9}, *key, propagateArgFromLongLong(buf, sizeof(buf), when)};
    if (when <= server.cmd_time_ms) {
        dbDelete(c->db, key->ptr, key->len);
        argv[0] = (arg){"DEL", 3};
        propagateReplace(c, 2, argv);
    } else {
        dbSetExpire(c->db, key->ptr, key->len, when);
        propagateReplace(c, 3, argv);
    }
    server.dirty++;
    replyLongLong(c, 1);
    return;
invalid:
    replyErrorFormat(c, "invalid expire time in '%s' command", c->cmd->fullname);
}

static void expireCommand(client *c) { expireGeneric(c, server.cmd_time_ms, 1); }
static void pexpireCommand(client *c) { expireGeneric(c, server.cmd_time_ms, 0); }
static void expireatCommand(client *c) { expireGeneric(c, 0, 1); }
static void pexpireatCommand(client *c) { expireGeneric(c, 0, 0); }

static void ttlGeneric(client *c, int in_ms, int absolute) {
    const arg *key = &c->argv[1];
    if (!dbLookup(c->db, key->ptr, key->len, LOOKUP_NOTOUCH)) {
        replyLongLong(c, -2);
        return;
    }
    long long expire = dbGetExpire(c->db, key->ptr, key->len);
    if (expire < 0) {
        replyLongLong(c, -1);
        return;
    }
    long long ttl = absolute ? expire : expire - server.cmd_time_ms;
    if (ttl < 0) ttl = 0;
    /* Rounding to seconds in unsigned arithmetic: ttl + 500 overflows a long
     * long for times near LLONG_MAX, and redis-server answers the unsigned
     * result there (EXPIRETIME after PEXPIREAT LLONG_MAX: 9223372036854776). */
    long long seconds = (long long)(((unsigned long long)ttl + 500ULL) / 1000);
    replyLongLong(c, in_ms ? ttl : seconds);
}

static void ttlCommand(client *c) { ttlGeneric(c, 0, 0); }
static void pttlCommand(client *c) { ttlGeneric(c, 1, 0); }
static void expiretimeCommand(client *c) { ttlGeneric(c, 0, 1); }
static void pexpiretimeCommand(client *c) { ttlGeneric(c, 1, 1); }

static void persistCommand(client *c) {
    const arg *key = &c->argv[1];
    int removed = dbLookupWrite(c->db, key->ptr, key->len) &&
                  dbRemoveExpire(c->db, key->ptr, key->len);
    if (removed) server.dirty++;
    replyLongLong(c, removed);
}

/* --- OBJECT -------------------------------------------------------------- */

static obj *objectLookupOrReply(client *c) {
    obj *o = dbLookup(c->db, arg_key(c, 2), LOOKUP_NOTOUCH);
    if (!o) replyNull(c);
    return o;
}

static void objectEncodingCommand(client *c) {
    obj *o = objectLookupOrReply(c);
    if (o) replyBulkCString(c, objEncodingName(o->encoding));
}

static void objectRefcountCommand(client *c) {
    obj *o = objectLookupOrReply(c);
    if (o) replyLongLong(c, o->refcount);
}

static void objectIdletimeCommand(client *c) {
    obj *o = objectLookupOrReply(c);
    if (!o) return;
    if (objAccessIsLfu()) {
        replyError(c, "An LFU maxmemory policy is selected, idle time not tracked. Please note "
                      "that when switching between policies at runtime LRU and LFU data will "
                      "take some time to adjust.");
        return;
    }
    replyLongLong(c, objIdleMs(o) / 1000);
}

static void objectFreqCommand(client *c) {
    obj *o = objectLookupOrReply(c);
    if (!o) return;
    if (!objAccessIsLfu()) {
        replyError(c, "An LFU maxmemory policy is not selected, access frequency not tracked. "
                      "Please note that when switching between policies at runtime LRU and LFU "
                      "data will take some time to adjust.");
        return;
    }
    replyLongLong(c, objLfuFrequency(o));
}

static void objectHelpCommand(client *c) {
    static const char *const help[] = {
        "ENCODING <key>",
        "    Return the kind of internal representation used in order to store the value",
        "    associated with a <key>.",
        "FREQ <key>",
        "    Return the access frequency index of the <key>. The returned integer is",
        "    proportional to the logarithm of the recent access frequency of the key.",
        "IDLETIME <key>",
        "    Return the idle time of the <key>, that is the approximated number of",
        "    seconds elapsed since the last access to the key.",
        "REFCOUNT <key>",
        "    Return the number of references of the value associated with the specified",
        "    <key>.",
        NULL};
    replyHelpLines(c, help);
}

#define OBJ_FLAGS (CMD_READONLY)
#define G CMD_GROUP_GENERIC

static command objectSubcommands[] = {
    {"encoding", objectEncodingCommand, 3, OBJ_FLAGS, 2, 2, 1, G, "2.2.3", "O(1)",
     "Inspect the internal encoding of a Redis object", NULL},
    {"freq", objectFreqCommand, 3, OBJ_FLAGS, 2, 2, 1, G, "4.0.0", "O(1)",
     "Get the logarithmic access frequency counter of a Redis object", NULL},
    {"idletime", objectIdletimeCommand, 3, OBJ_FLAGS, 2, 2, 1, G, "2.2.3", "O(1)",
     "Get the time since a Redis object was last accessed", NULL},
    {"refcount", objectRefcountCommand, 3, OBJ_FLAGS, 2, 2, 1, G, "2.2.3", "O(1)",
     "Get the number of references to the value of the key", NULL},
    {"help", objectHelpCommand, 2, CMD_LOADING | CMD_STALE, 0, 0, 0, G, "6.2.0", "O(1)",
     "Show helpful text about the different subcommands", NULL},
    {0}};

command keysCommandTable[] = {
    {"del", delCommand, -2, CMD_WRITE, 1, -1, 1, G, "1.0.0",
     "O(N) where N is the number of keys that will be removed.", "Delete a key", NULL},
    {"unlink", unlinkCommand, -2, CMD_WRITE | CMD_FAST, 1, -1, 1, G, "4.0.0",
     "O(1) for each key removed regardless of its size.",
     "Delete a key asynchronously in another thread. Otherwise it is just as DEL, but non "
     "blocking.",
     NULL},
    {"exists", existsCommand, -2, CMD_READONLY | CMD_FAST, 1, -1, 1, G, "1.0.0",
     "O(N) where N is the number of keys to check.", "Determine if a key exists", NULL},
    {"touch", touchCommand, -2, CMD_READONLY | CMD_FAST, 1, -1, 1, G, "3.2.1",
     "O(N) where N is the number of keys that will be touched.",
     "Alters the last access time of a key(s). Returns the number of existing keys specified.",
     NULL},
    {"type", typeCommand, 2, CMD_READONLY | CMD_FAST, 1, 1, 1, G, "1.0.0", "O(1)",
     "Determine the type stored at key", NULL},
    {"rename", renameCommand, 3, CMD_WRITE, 1, 2, 1, G, "1.0.0", "O(1)", "Rename a key", NULL},
    {"renamenx", renamenxCommand, 3, CMD_WRITE | CMD_FAST, 1, 2, 1, G, "1.0.0", "O(1)",
     "Rename a key, only if the new key does not exist", NULL},
    {"copy", copyCommand, -3, CMD_WRITE | CMD_DENYOOM, 1, 2, 1, G, "6.2.0",
     "O(N) worst case for collections, where N is the number of nested items. O(1) for string "
     "values.",
     "Copy a key", NULL},
    {"move", moveCommand, 3, CMD_WRITE | CMD_FAST, 1, 1, 1, G, "1.0.0", "O(1)",
     "Move a key to another database", NULL},
    {"keys", keysCommand, 2, CMD_READONLY, 0, 0, 0, G, "1.0.0",
     "O(N) with N being the number of keys in the database, under the assumption that the key "
     "names in the database and the given pattern have limited length.",
     "Find all keys matching the given pattern", NULL},
    {"scan", scanCommand, -2, CMD_READONLY, 0, 0, 0, G, "2.8.0",
     "O(1) for every call. O(N) for a complete iteration, including enough command calls for the "
     "cursor to return back to 0. N is the number of elements inside the collection.",
     "Incrementally iterate the keys space", NULL},
    {"randomkey", randomkeyCommand, 1, CMD_READONLY, 0, 0, 0, G, "1.0.0", "O(1)",
     "Return a random key from the keyspace", NULL},
    {"expire", expireCommand, -3, CMD_WRITE | CMD_FAST, 1, 1, 1, G, "1.0.0", "O(1)",
     "Set a key's time to live in seconds", NULL},
    {"pexpire", pexpireCommand, -3, CMD_WRITE | CMD_FAST, 1, 1, 1, G, "2.6.0", "O(1)",
     "Set a key's time to live in milliseconds", NULL},
    {"expireat", expireatCommand, -3, CMD_WRITE | CMD_FAST, 1, 1, 1, G, "1.2.0", "O(1)",
     "Set the expiration for a key as a UNIX timestamp", NULL},
    {"pexpireat", pexpireatCommand, -3, CMD_WRITE | CMD_FAST, 1, 1, 1, G, "2.6.0", "O(1)",
     "Set the expiration for a key as a UNIX timestamp specified in milliseconds", NULL},
    {"ttl", ttlCommand, 2, CMD_READONLY | CMD_FAST, 1, 1, 1, G, "1.0.0", "O(1)",
     "Get the time to live for a key in seconds", NULL},
    {"pttl", pttlCommand, 2, CMD_READONLY | CMD_FAST, 1, 1, 1, G, "2.6.0", "O(1)",
     "Get the time to live for a key in milliseconds", NULL},
    {"expiretime", expiretimeCommand, 2, CMD_READONLY | CMD_FAST, 1, 1, 1, G, "7.0.0", "O(1)",
     "Get the expiration Unix timestamp for a key", NULL},
    {"pexpiretime", pexpiretimeCommand, 2, CMD_READONLY | CMD_FAST, 1, 1, 1, G, "7.0.0", "O(1)",
     "Get the expiration Unix timestamp for a key in milliseconds", NULL},
    {"persist", persistCommand, 2, CMD_WRITE | CMD_FAST, 1, 1, 1, G, "2.2.0", "O(1)",
     "Remove the expiration from a key", NULL},
    {"object", NULL, -2, 0, 0, 0, 0, G, "2.2.3", "Depends on subcommand.",
     "A container for object introspection commands", objectSubcommands},
    {0}};
