/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Connection and server commands: PING, ECHO, QUIT, SELECT, SWAPDB, DBSIZE,
 * FLUSHDB, FLUSHALL, TIME, SHUTDOWN and DEBUG. Main thread only.
 */
#include "command.h"
#include "dict.h"
#include "intset.h"
#include "listpack.h"
#include "quicklist.h"
#include "zset.h"
#include "db.h"
#include "log.h"
#include "reply.h"
#include "server.h"
#include "snapshot.h"
#include "str.h"
#include "util.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static void pingCommand(client *c) {
    if (c->argc > 2) {
        replyArityError(c);
        return;
    }
    if (c->argc == 2) replyBulk(c, c->argv[1].ptr, c->argv[1].len);
    else replyStatus(c, "PONG");
}

/* HELLO [protover [AUTH user pass] [SETNAME name]]: switches the protocol
 * (RESP2 or RESP3) and answers with a map describing the server. loom has no
 * users but "default", which needs no password. */
static void helloCommand(client *c) {
    long long ver = 0;
    const arg *setname = NULL;
    if (c->argc >= 2) {
        if (argToLongLongOrReply(c, &c->argv[1], &ver,
                                 "Protocol version is not an integer or out of range") < 0)
            return;
        if (ver < 2 || ver > 3) {
            replyError(c, "-NOPROTO unsupported protocol version");
            return;
        }
    }
    for (int j = 2; j < c->argc; j++) {
        int left = c->argc - j - 1;
        if (argEquals(&c->argv[j], "auth") && left >= 2) {
            if (!argEquals(&c->argv[j + 1], "default")) {
                replyError(c, "-WRONGPASS invalid username-password pair or user is disabled.");
                return;
            }
            j += 2;
        } else if (argEquals(&c->argv[j], "setname") && left >= 1) {
            setname = &c->argv[++j];
            if (argToClientNameOrReply(c, setname) < 0) return;
        } else {
            replyErrorFormat(c, "Syntax error in HELLO option '%.*s'", (int)c->argv[j].len,
                             c->argv[j].ptr);
            return;
        }
    }
    if (setname) {
        strFree(c->name);
        c->name = setname->len ? strNewLen(setname->ptr, setname->len) : NULL;
    }
    if (ver) c->resp = (int)ver;
    replyMapLen(c, 7);
    replyBulkCString(c, "server");
    replyBulkCString(c, "redis");
    replyBulkCString(c, "version");
    replyBulkCString(c, LOOM_REDIS_VERSION);
    replyBulkCString(c, "proto");
    replyLongLong(c, c->resp);
    replyBulkCString(c, "id");
    replyLongLong(c, (long long)c->id);
    replyBulkCString(c, "mode");
    replyBulkCString(c, "standalone");
    replyBulkCString(c, "role");
    replyBulkCString(c, "master");
    replyBulkCString(c, "modules");
    replyArrayLen(c, 0);
}

static void echoCommand(client *c) { replyBulk(c, c->argv[1].ptr, c->argv[1].len); }

static void quitCommand(client *c) {
    replyOk(c);
    c->flags |= CLIENT_CLOSE_AFTER_REPLY;
}

static void selectCommand(client *c) {
    int id;
    if (argToDbIdOrReply(c, &c->argv[1], &id) < 0) return;
    c->db = &server.dbs[id];
    replyOk(c);
}

static void swapdbCommand(client *c) {
    int a, b;
    if (argToIntOrReply(c, &c->argv[1], &a, "invalid first DB index") < 0) return;
    if (argToIntOrReply(c, &c->argv[2], &b, "invalid second DB index") < 0) return;
    if (a < 0 || a >= server.dbnum || b < 0 || b >= server.dbnum) {
        replyError(c, "DB index is out of range");
        return;
    }
    /* Clients keep pointing at the same db slot, so they see the swap. */
    if (a != b) dbSwap(&server.dbs[a], &server.dbs[b]);
    server.dirty++;
    replyOk(c);
}

static void dbsizeCommand(client *c) { replyLongLong(c, (long long)dbSize(c->db)); }

/* FLUSHDB/FLUSHALL take an optional ASYNC or SYNC; without one,
 * lazyfree-lazy-user-flush decides. Sets *lazy, or replies and returns -1. */
static int flushArgsOrReply(client *c, int *lazy) {
    *lazy = server.lazyfree_lazy_user_flush;
    if (c->argc == 2 && argEquals(&c->argv[1], "async")) *lazy = 1;
    else if (c->argc == 2 && argEquals(&c->argv[1], "sync")) *lazy = 0;
    else if (c->argc != 1) {
        replySyntaxError(c);
        return -1;
    }
    return 0;
}

static long long flushDb(db *d, int lazy) { return lazy ? dbEmptyLazy(d) : dbEmpty(d); }

static void flushdbCommand(client *c) {
    int lazy;
    if (flushArgsOrReply(c, &lazy) < 0) return;
    server.dirty += flushDb(c->db, lazy);
    replyOk(c);
}

/* As Redis: FLUSHALL stops a running BGSAVE and, with save points, leaves
 * an empty snapshot behind (so dirty ends at 1, counting the flush). */
static void flushallSave(void) {
    snapshotStopChild();
    if (snapshotHasSavePoints()) snapshotSaveNow();
}

static void flushallCommand(client *c) {
    int lazy;
    if (flushArgsOrReply(c, &lazy) < 0) return;
    for (int i = 0; i < server.dbnum; i++) server.dirty += flushDb(&server.dbs[i], lazy);
    flushallSave();
    server.dirty++;
    replyOk(c);
}

static void timeCommand(client *c) {
    long long us = ustime();
    replyArrayLen(c, 2);
    replyBulkLongLong(c, us / 1000000);
    replyBulkLongLong(c, us % 1000000);
}

static void shutdownCommand(client *c) {
    int nosave = 0, save = 0, abort_requested = 0, force = 0, now = 0;
    for (int j = 1; j < c->argc; j++) {
        const arg *a = &c->argv[j];
        if (argEquals(a, "nosave")) nosave = 1;
        else if (argEquals(a, "save")) save = 1;
        else if (argEquals(a, "now")) now = 1;
        else if (argEquals(a, "force")) force = 1;
        else if (argEquals(a, "abort")) abort_requested = 1;
        else {
            replySyntaxError(c);
            return;
        }
    }
    if ((abort_requested && (nosave || save || now || force)) || (nosave && save)) {
        replySyntaxError(c);
        return;
    }
    if (abort_requested) {
        /* Shutdown is immediate here (no replicas to wait for), so there is
         * never one in progress to abort. */
        replyError(c, "No shutdown in progress.");
        return;
    }
    int how = save ? SHUTDOWN_SAVE : nosave ? SHUTDOWN_NOSAVE : SHUTDOWN_DEFAULT;
    if (serverShutdown(how, force) < 0) replyError(c, "Errors trying to SHUTDOWN. Check logs.");
}

/* --- DEBUG --------------------------------------------------------------- */

static void debugSleep(client *c) {
    long double seconds;
    if (argToLongDoubleOrReply(c, &c->argv[2], &seconds, NULL) < 0) return;
    if (seconds > 0) usleep((useconds_t)(seconds * 1000000));
    replyOk(c);
}

/* The size of a length prefix in the RDB encoding. */
static size_t lengthPrefixBytes(size_t len) { return len < 64 ? 1 : len < 16384 ? 2 : 5; }

static size_t stringSerializedLength(const char *p, size_t len) {
    long long v;
    if (len <= 11 && string2ll(p, len, &v) && v >= INT32_MIN && v <= INT32_MAX)
        return v >= -128 && v <= 127 ? 2 : v >= -32768 && v <= 32767 ? 3 : 5;
    return lengthPrefixBytes(len) + len;
}

/* What the value would take in an uncompressed RDB file: compact encodings
 * are stored as their blob, hashtables and skiplists element by element. */
static size_t serializedLength(const obj *o) {
    char buf[OBJ_INT_BUF];
    size_t len, total = 0;
    switch (o->encoding) {
        case OBJ_ENC_INT:
        case OBJ_ENC_EMBSTR:
        case OBJ_ENC_RAW: {
            const char *p = objStringBytes(o, buf, &len);
            return stringSerializedLength(p, len);
        }
        case OBJ_ENC_LISTPACK: len = lpBytes(o->ptr); return lengthPrefixBytes(len) + len;
        case OBJ_ENC_INTSET: len = intsetBlobLen(o->ptr); return lengthPrefixBytes(len) + len;
        case OBJ_ENC_QUICKLIST:
            for (quicklistNode *n = quicklistFirstNode(o->ptr); n; n = quicklistNextNode(n)) {
                quicklistNodeStoredBytes(n, &len);
                total += 1 + lengthPrefixBytes(len) + len;
            }
            return lengthPrefixBytes(quicklistNodeCount(o->ptr)) + total;
        case OBJ_ENC_HT: {
            dictIterator *it = dictGetIterator(o->ptr);
            dictEntry *de;
            while ((de = dictNext(it))) {
                total += stringSerializedLength(de->key, strLen(de->key));
                if (o->type == OBJ_HASH) total += stringSerializedLength(de->v.val, strLen(de->v.val));
            }
            dictReleaseIterator(it);
            return lengthPrefixBytes(dictSize(o->ptr)) + total;
        }
        case OBJ_ENC_SKIPLIST: {
            zset *zs = o->ptr;
            for (zskiplistNode *n = zs->zsl->header->level[0].forward; n; n = n->level[0].forward)
                total += stringSerializedLength(n->member, strLen(n->member)) + 8;
            return lengthPrefixBytes(zs->zsl->length) + total;
        }
        default: return 0;
    }
}

static void debugObject(client *c) {
    obj *o = dbLookup(c->db, c->argv[2].ptr, c->argv[2].len, LOOKUP_NOTOUCH);
    if (!o) {
        replyError(c, "no such key");
        return;
    }
    str status = strCatFmt(strEmpty(),
                           "Value at:%p refcount:%d encoding:%s serializedlength:%zu lru:%u "
                           "lru_seconds_idle:%lld",
                           (void *)o, o->refcount, objEncodingName(o->encoding),
                           serializedLength(o), (unsigned)o->lru, objIdleMs(o) / 1000);
    if (o->encoding == OBJ_ENC_QUICKLIST) {
        /* Redis adds the quicklist's shape. */
        quicklist *ql = o->ptr;
        unsigned long nodes = quicklistNodeCount(ql), compressed = 0;
        size_t raw = 0;
        for (quicklistNode *n = quicklistFirstNode(ql); n; n = quicklistNextNode(n)) {
            raw += quicklistNodeSize(n);
            compressed += quicklistNodeIsCompressed(n);
        }
        status = strCatFmt(status,
                           " ql_nodes:%lu ql_avg_node:%.2f ql_listpack_max:%d ql_compressed:%d "
                           "ql_uncompressed_size:%zu",
                           nodes, nodes ? (double)quicklistCount(ql) / nodes : 0.0,
                           server.list_max_listpack_size, compressed != 0, raw);
    }
    replyStatusLen(c, status, strLen(status));
    strFree(status);
}

static void debugSetActiveExpire(client *c) {
    long long v;
    if (argToLongLongOrReply(c, &c->argv[2], &v, NULL) < 0) return;
    server.active_expire_enabled = v != 0;
    replyOk(c);
}

static void debugHtstats(client *c) {
    long long id;
    if (argToLongLongOrReply(c, &c->argv[2], &id, NULL) < 0) return;
    if (id < 0 || id >= server.dbnum) {
        replyError(c, "Out of range database");
        return;
    }
    char buf[4096];
    db *d = &server.dbs[id];
    str out = strCatFmt(strEmpty(), "[Dictionary HT]\n");
    dictGetStats(d->keys, buf, sizeof(buf));
    out = strCat(out, buf);
    out = strCat(out, "[Expires HT]\n");
    dictGetStats(d->expires, buf, sizeof(buf));
    out = strCat(out, buf);
    replyVerbatim(c, out, strLen(out));
    strFree(out);
}

/* Saves, empties every database and loads the snapshot back. */
static void debugReload(client *c) {
    if (snapshotSaveNow() < 0) {
        replyError(c, "Error trying to save the DB");
        return;
    }
    for (int i = 0; i < server.dbnum; i++) dbEmpty(&server.dbs[i]);
    if (snapshotLoad() < 0) {
        replyError(c, "Error trying to load the RDB dump, check server logs.");
        return;
    }
    replyOk(c);
}

static void debugHelp(client *c);

typedef struct debugSubcommand {
    const char *name;
    int argc; /* exact argument count including DEBUG and the subcommand */
    void (*fn)(client *c);
} debugSubcommand;

static const debugSubcommand debug_subcommands[] = {
    {"sleep", 3, debugSleep},
    {"object", 3, debugObject},
    {"set-active-expire", 3, debugSetActiveExpire},
    {"htstats", 3, debugHtstats},
    {"reload", 2, debugReload},
    {"help", 2, debugHelp},
};

static void debugHelp(client *c) {
    static const char *const help[] = {
        "HTSTATS <dbid>",
        "    Return hash table statistics of the specified Redis database.",
        "OBJECT <key>",
        "    Show low level info about `key` and associated value.",
        "RELOAD",
        "    Save the RDB on disk and reload it back to memory.",
        "SET-ACTIVE-EXPIRE <0|1>",
        "    Setting it to 0 disables expiring keys in background when they are not",
        "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
        "    default.",
        "SLEEP <seconds>",
        "    Stop the server for <seconds>. Decimals allowed.",
        NULL};
    replyHelpLines(c, help);
}

static void debugCommand(client *c) {
    for (size_t i = 0; i < sizeof(debug_subcommands) / sizeof(debug_subcommands[0]); i++) {
        const debugSubcommand *sub = &debug_subcommands[i];
        if (!argEquals(&c->argv[1], sub->name)) continue;
        if (c->argc != sub->argc) break;
        sub->fn(c);
        return;
    }
    replyErrorFormat(c,
                     "unknown subcommand or wrong number of arguments for '%.*s'. Try DEBUG HELP.",
                     c->argv[1].len < 128 ? (int)c->argv[1].len : 128, c->argv[1].ptr);
}

#define G CMD_GROUP_SERVER
#define GC CMD_GROUP_CONNECTION

command serverCommandTable[] = {
    {"ping", pingCommand, -1, CMD_FAST | CMD_SENTINEL, 0, 0, 0, GC, "1.0.0", "O(1)",
     "Ping the server", NULL},
    {"echo", echoCommand, 2, CMD_FAST, 0, 0, 0, GC, "1.0.0", "O(1)", "Echo the given string",
     NULL},
    {"hello", helloCommand, -1,
     CMD_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_FAST | CMD_NO_AUTH | CMD_SENTINEL | CMD_ALLOW_BUSY,
     0, 0, 0, GC, "6.0.0", "O(1)", "Handshake with Redis", NULL},
    {"quit", quitCommand, -1,
     CMD_ALLOW_BUSY | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_FAST | CMD_NO_AUTH, 0, 0, 0, GC,
     "1.0.0", "O(1)", "Close the connection", NULL},
    {"select", selectCommand, 2, CMD_LOADING | CMD_STALE | CMD_FAST, 0, 0, 0, GC, "1.0.0", "O(1)",
     "Change the selected database for the current connection", NULL},
    {"swapdb", swapdbCommand, 3, CMD_WRITE | CMD_FAST, 0, 0, 0, G, "4.0.0",
     "O(N) where N is the count of clients watching or blocking on keys from both databases.",
     "Swaps two Redis databases", NULL},
    {"dbsize", dbsizeCommand, 1, CMD_READONLY | CMD_FAST, 0, 0, 0, G, "1.0.0", "O(1)",
     "Return the number of keys in the selected database", NULL},
    {"flushdb", flushdbCommand, -1, CMD_WRITE, 0, 0, 0, G, "1.0.0",
     "O(N) where N is the number of keys in the selected database",
     "Remove all keys from the current database", NULL},
    {"flushall", flushallCommand, -1, CMD_WRITE, 0, 0, 0, G, "1.0.0",
     "O(N) where N is the total number of keys in all databases",
     "Remove all keys from all databases", NULL},
    {"time", timeCommand, 1, CMD_LOADING | CMD_STALE | CMD_FAST, 0, 0, 0, G, "2.6.0", "O(1)",
     "Return the current server time", NULL},
    {"shutdown", shutdownCommand, -1,
     CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_NO_MULTI | CMD_SENTINEL |
         CMD_ALLOW_BUSY,
     0, 0, 0, G, "1.0.0",
     "O(N) when saving, where N is the total number of keys in all databases when saving data, "
     "otherwise O(1)",
     "Synchronously save the dataset to disk and then shut down the server", NULL},
    {"debug", debugCommand, -2,
     CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_PROTECTED, 0, 0, 0, G, "1.0.0",
     "Depends on subcommand.", "A container for debugging commands", NULL},
    {0}};
