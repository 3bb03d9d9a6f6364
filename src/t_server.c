/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Connection and server commands: PING, ECHO, QUIT, SELECT, SWAPDB, DBSIZE,
 * FLUSHDB, FLUSHALL, TIME, SHUTDOWN and DEBUG. Main thread only.
 */
#include "command.h"
#include "db.h"
#include "log.h"
#include "reply.h"
#include "server.h"
#include "str.h"
#include "util.h"

#include <limits.h>
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

/* FLUSHDB/FLUSHALL take an optional ASYNC or SYNC. */
static int flushArgsOk(client *c) {
    if (c->argc > 2 || (c->argc == 2 && !argEquals(&c->argv[1], "async") &&
                        !argEquals(&c->argv[1], "sync"))) {
        replySyntaxError(c);
        return 0;
    }
    return 1;
}

static void flushdbCommand(client *c) {
    if (!flushArgsOk(c)) return;
    server.dirty += dbEmpty(c->db);
    replyOk(c);
}

static void flushallCommand(client *c) {
    if (!flushArgsOk(c)) return;
    for (int i = 0; i < server.dbnum; i++) server.dirty += dbEmpty(&server.dbs[i]);
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
    int nosave = 0, save = 0, abort_requested = 0, other = 0;
    for (int j = 1; j < c->argc; j++) {
        const arg *a = &c->argv[j];
        if (argEquals(a, "nosave")) nosave = 1;
        else if (argEquals(a, "save")) save = 1;
        else if (argEquals(a, "now") || argEquals(a, "force")) other = 1;
        else if (argEquals(a, "abort")) abort_requested = 1;
        else {
            replySyntaxError(c);
            return;
        }
    }
    if ((abort_requested && (nosave || save || other)) || (nosave && save)) {
        replySyntaxError(c);
        return;
    }
    if (abort_requested) {
        /* Shutdown is immediate here, so there is never one to abort. */
        replyError(c, "No shutdown in progress.");
        return;
    }
    if (save) {
        serverLog(LL_WARNING, "Error trying to save the DB: loom has no RDB persistence yet");
        replyError(c, "Errors trying to SHUTDOWN. Check logs.");
        return;
    }
    serverRequestShutdown(0);
}

/* --- DEBUG --------------------------------------------------------------- */

static void debugSleep(client *c) {
    long double seconds;
    if (argToLongDoubleOrReply(c, &c->argv[2], &seconds, NULL) < 0) return;
    if (seconds > 0) usleep((useconds_t)(seconds * 1000000));
    replyOk(c);
}

static void debugObject(client *c) {
    obj *o = dbLookup(c->db, c->argv[2].ptr, c->argv[2].len, LOOKUP_NOTOUCH);
    if (!o) {
        replyError(c, "no such key");
        return;
    }
    /* The length the value takes in an uncompressed RDB string encoding. */
    size_t len = objStringLen(o);
    size_t serialized = o->encoding == OBJ_ENC_INT ? (len <= 3 ? 2 : len <= 5 ? 3 : 5)
                                                   : len + (len < 64 ? 1 : len < 16384 ? 2 : 5);
    char status[256];
    snprintf(status, sizeof(status),
             "Value at:%p refcount:%d encoding:%s serializedlength:%zu lru:%u "
             "lru_seconds_idle:%lld",
             (void *)o, o->refcount, objEncodingName(o->encoding), serialized, (unsigned)o->lru,
             objIdleMs(o) / 1000);
    replyStatus(c, status);
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
    {"help", 2, debugHelp},
};

static void debugHelp(client *c) {
    static const char *const help[] = {
        "HTSTATS <dbid>",
        "    Return hash table statistics of the specified Redis database.",
        "OBJECT <key>",
        "    Show low level info about `key` and associated value.",
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
