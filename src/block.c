/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Blocked clients. A parked client keeps a copy of its command and the keys
 * it waits on; each database maps a watched key to its waiters in arrival
 * order. Writes that add elements mark the key ready; blockHandleReadyKeys
 * then re-runs each waiter's command, oldest first, and stops at the first
 * one that blocks again (the key has nothing left for the later ones). A
 * re-run command that succeeds has replied: the client is unparked and its
 * pipelined commands resume. Main thread only.
 */
#include "block.h"

#include "alloc.h"
#include "command.h"
#include "db.h"
#include "net.h"
#include "reply.h"
#include "server.h"
#include "str.h"
#include "util.h"

#include "io_threads/io_threads.h"

#include <limits.h>
#include <math.h>
#include <string.h>

/* The waiters of one key, oldest first. */
typedef struct waitList {
    client **clients;
    int count, cap;
} waitList;

typedef struct blockState {
    int argc;
    str *argv;        /* the command, run again when a key is ready */
    int dbid;
    int numkeys;
    str *keys;
    long long deadline_ms; /* 0 = forever */
    client *client;
    ilist node;       /* in blocked_clients */
} blockState;

static ilist blocked_clients = {&blocked_clients, &blocked_clients};
static unsigned long blocked_count;
/* Keys marked ready since the last blockHandleReadyKeys, per database. */
static dict **ready_keys;
static int any_ready;
/* Set while a waiter's command is being re-run. */
static client *rerunning;
static int rerun_blocked_again;

static void freeWaitList(void *val) {
    waitList *w = val;
    lfree(w->clients);
    lfree(w);
}

static const dictType waiters_dict_type = {.nocase = 0, .owns_keys = 1, .free_val = freeWaitList};
static const dictType ready_dict_type = {.nocase = 0, .owns_keys = 1, .free_val = NULL};

/* Each database's key -> waitList map, created on first use. */
static dict **waiters;

static void ensureTables(void) {
    if (waiters) return;
    waiters = lcalloc(sizeof(dict *) * (size_t)server.dbnum);
    ready_keys = lcalloc(sizeof(dict *) * (size_t)server.dbnum);
    for (int i = 0; i < server.dbnum; i++) {
        waiters[i] = dictCreate(&waiters_dict_type);
        ready_keys[i] = dictCreate(&ready_dict_type);
    }
}

unsigned long blockedClientCount(void) { return blocked_count; }

int blockParseTimeout(client *c, const arg *a, long long *deadline_ms) {
    long double seconds;
    if (!string2ld(a->ptr, a->len, &seconds) || isnan(seconds)) {
        replyError(c, "timeout is not a float or out of range");
        return -1;
    }
    long double ms = seconds * 1000;
    /* Redis converts to a long long without a range check, and on x86 a value
     * past the range (inf, 1e30) comes out negative: it says "negative". */
    if (ms < 0 || ms >= 9223372036854775808.0L) {
        replyError(c, "timeout is negative");
        return -1;
    }
    /* Round up so a tiny positive timeout still waits a little; a deadline
     * past the clock's range means forever. */
    long long wait_ms = (long long)ceill(ms);
    if (wait_ms == 0) *deadline_ms = 0;
    else if (wait_ms > LLONG_MAX - server.cmd_time_ms) *deadline_ms = LLONG_MAX;
    else *deadline_ms = server.cmd_time_ms + wait_ms;
    return 0;
}

static waitList *waitListFor(int dbid, const str key, int create) {
    dictEntry *de = dictFind(waiters[dbid], key, strLen(key));
    if (de) return de->v.val;
    if (!create) return NULL;
    waitList *w = lcalloc(sizeof(*w));
    dictAdd(waiters[dbid], strDup(key), w);
    return w;
}

void blockClientOnKeys(client *c, const arg *keys, int numkeys, long long deadline_ms) {
    if (c == rerunning) {
        /* Still nothing for it: it keeps its place in every queue. */
        rerun_blocked_again = 1;
        return;
    }
    ensureTables();
    blockState *bs = lcalloc(sizeof(*bs));
    bs->argc = c->argc;
    bs->argv = lmalloc(sizeof(str) * (size_t)c->argc);
    for (int i = 0; i < c->argc; i++) bs->argv[i] = strNewLen(c->argv[i].ptr, c->argv[i].len);
    bs->dbid = c->db->id;
    bs->keys = lmalloc(sizeof(str) * (size_t)numkeys);
    for (int i = 0; i < numkeys; i++) {
        str key = strNewLen(keys[i].ptr, keys[i].len);
        /* A key named twice waits once. */
        int dup = 0;
        for (int j = 0; j < bs->numkeys; j++) dup |= !strCmp(bs->keys[j], key);
        if (dup) {
            strFree(key);
            continue;
        }
        bs->keys[bs->numkeys++] = key;
        waitList *w = waitListFor(bs->dbid, key, 1);
        if (w->count == w->cap) {
            w->cap = w->cap ? w->cap * 2 : 4;
            w->clients = lrealloc(w->clients, sizeof(client *) * (size_t)w->cap);
        }
        w->clients[w->count++] = c;
    }
    bs->deadline_ms = deadline_ms;
    bs->client = c;
    ilistAppend(&blocked_clients, &bs->node);
    blocked_count++;
    c->block = bs;
    c->flags |= CLIENT_BLOCKED;
}

static void removeFromWaitLists(client *c) {
    blockState *bs = c->block;
    for (int i = 0; i < bs->numkeys; i++) {
        waitList *w = waitListFor(bs->dbid, bs->keys[i], 0);
        if (!w) continue;
        for (int j = 0; j < w->count; j++) {
            if (w->clients[j] != c) continue;
            memmove(&w->clients[j], &w->clients[j + 1], sizeof(client *) * (size_t)(w->count - j - 1));
            w->count--;
            break;
        }
        if (w->count == 0) dictDelete(waiters[bs->dbid], bs->keys[i], strLen(bs->keys[i]));
    }
}

static void freeBlockState(blockState *bs) {
    for (int i = 0; i < bs->argc; i++) strFree(bs->argv[i]);
    for (int i = 0; i < bs->numkeys; i++) strFree(bs->keys[i]);
    lfree(bs->argv);
    lfree(bs->keys);
    lfree(bs);
}

/* Unparks without replying. */
static void unpark(client *c) {
    blockState *bs = c->block;
    removeFromWaitLists(c);
    ilistRemove(&bs->node);
    blocked_count--;
    c->block = NULL;
    c->flags &= ~CLIENT_BLOCKED;
    freeBlockState(bs);
}

/* Makes sure no I/O thread is writing the client's replies before more are
 * appended (a parked client may still be flushing earlier ones). */
static void ownReplyBuffers(client *c) {
    if (!clientIoIsIdle(c)) ioThreadsWaitIdle();
}

void blockUnblockClient(client *c, int reason) {
    if (!clientIsBlocked(c)) return;
    if (reason != UNBLOCK_DISCONNECT) ownReplyBuffers(c);
    unpark(c);
    if (reason == UNBLOCK_DISCONNECT) return;
    /* Every blocking command times out with a null array, as in Redis. */
    if (reason == UNBLOCK_ERROR) replyError(c, "-UNBLOCKED client unblocked via CLIENT UNBLOCK");
    else replyNullArray(c);
    netResumeClient(c);
}

void blockSignalKeyReady(db *d, const char *key, size_t len) {
    if (!waiters || !dictFind(waiters[d->id], key, len)) return;
    if (!dictFind(ready_keys[d->id], key, len)) dictAdd(ready_keys[d->id], strNewLen(key, len), NULL);
    any_ready = 1;
}

/* Runs the client's saved command again. Returns 1 if it was served (and
 * unparked), 0 if it stays blocked. */
static int rerun(client *c) {
    blockState *bs = c->block;
    ownReplyBuffers(c);
    arg *argv = lmalloc(sizeof(arg) * (size_t)bs->argc);
    for (int i = 0; i < bs->argc; i++) argv[i] = (arg){bs->argv[i], strLen(bs->argv[i])};
    int saved_argc = c->argc;
    arg *saved_argv = c->argv;
    db *saved_db = c->db;
    c->argc = bs->argc;
    c->argv = argv;
    c->db = &server.dbs[bs->dbid];
    rerunning = c;
    rerun_blocked_again = 0;
    server.current_client = c;
    commandProcess(c, NULL);
    server.current_client = NULL;
    rerunning = NULL;
    c->argc = saved_argc;
    c->argv = saved_argv;
    c->db = saved_db;
    lfree(argv);
    if (rerun_blocked_again) return 0;
    unpark(c);
    netResumeClient(c);
    return 1;
}

/* Serves the waiters of one ready key in arrival order. */
static void serveKey(int dbid, const str key) {
    for (;;) {
        waitList *w = waitListFor(dbid, key, 0);
        if (!w || w->count == 0) return;
        if (!rerun(w->clients[0])) return;
    }
}

int blockHasReadyKeys(void) { return any_ready; }

void blockHandleReadyKeys(void) {
    /* Serving may push to other watched keys (BLMOVE): loop until quiet. */
    while (any_ready) {
        any_ready = 0;
        for (int i = 0; i < server.dbnum; i++) {
            if (!dictSize(ready_keys[i])) continue;
            dict *ready = ready_keys[i];
            ready_keys[i] = dictCreate(&ready_dict_type);
            dictIterator *it = dictGetIterator(ready);
            dictEntry *de;
            while ((de = dictNext(it))) serveKey(i, de->key);
            dictReleaseIterator(it);
            dictRelease(ready);
        }
    }
}

void blockTimeoutsCron(void) {
    long long now = mstime();
    ILIST_FOREACH_SAFE(&blocked_clients, it, tmp) {
        blockState *bs = ILIST_ENTRY(it, blockState, node);
        if (bs->deadline_ms && bs->deadline_ms <= now) blockUnblockClient(bs->client, UNBLOCK_TIMEOUT);
    }
}
