/* SPDX-License-Identifier: BSD-3-Clause
 *
 * List commands. Lists are always quicklists (as in Redis 7.0). Pushes mark
 * the key ready for blocked clients; the blocking commands (BLPOP, BRPOP,
 * BLMOVE, BRPOPLPUSH, BLMPOP) park the client when every key is empty, and
 * are simply run again when a push arrives (block.c). Main thread only.
 */
#include "block.h"
#include "command.h"
#include "db.h"
#include "propagate.h"
#include "quicklist.h"
#include "reply.h"
#include "server.h"
#include "str.h"
#include "util.h"

#include <limits.h>
#include <string.h>

#define LIST_HEAD QUICKLIST_HEAD
#define LIST_TAIL QUICKLIST_TAIL

static obj *createList(void) {
    return objCreateList(server.list_max_listpack_size, server.list_compress_depth);
}

/* An entry as a bulk reply (integers are stored as such). */
static void replyEntry(client *c, const quicklistEntry *e) {
    if (e->value) {
        replyBulk(c, e->value, e->len);
    } else {
        char buf[32];
        int n = ll2string(buf, sizeof(buf), e->lval);
        replyBulk(c, buf, (size_t)n);
    }
}

/* Removes the key when its last element went. */
static void deleteIfEmpty(client *c, const arg *key, obj *o) {
    if (quicklistCount(o->ptr) == 0) dbDelete(c->db, key->ptr, key->len);
}

/* "LEFT"/"RIGHT" as an end of the list, or -2 (syntax error replied). */
static int parseEnd(client *c, const arg *a) {
    if (argEquals(a, "left")) return LIST_HEAD;
    if (argEquals(a, "right")) return LIST_TAIL;
    replySyntaxError(c);
    return -2;
}

/* --- Pushes -------------------------------------------------------------- */

static void pushGeneric(client *c, int where, int only_existing) {
    const arg *key = &c->argv[1];
    int wrongtype;
    obj *o = lookupTypedWrite(c, key, OBJ_LIST, &wrongtype);
    if (wrongtype) return;
    if (!o) {
        if (only_existing) {
            replyLongLong(c, 0);
            return;
        }
        o = createList();
        dbAdd(c->db, key->ptr, key->len, o);
    }
    for (int j = 2; j < c->argc; j++) quicklistPush(o->ptr, c->argv[j].ptr, c->argv[j].len, where);
    server.dirty += c->argc - 2;
    blockSignalKeyReady(c->db, key->ptr, key->len);
    replyLongLong(c, (long long)quicklistCount(o->ptr));
}

static void lpushCommand(client *c) { pushGeneric(c, LIST_HEAD, 0); }
static void rpushCommand(client *c) { pushGeneric(c, LIST_TAIL, 0); }
static void lpushxCommand(client *c) { pushGeneric(c, LIST_HEAD, 1); }
static void rpushxCommand(client *c) { pushGeneric(c, LIST_TAIL, 1); }

/* --- Pops ---------------------------------------------------------------- */

/* Pops up to `count` elements from one end into the reply as an array (or a
 * single bulk when !as_array), deleting the key if emptied. Every pop (LPOP,
 * BLPOP, LMPOP...) propagates as the LPOP or RPOP with the count it took. */
static void popToReply(client *c, const arg *key, obj *o, int where, long count, int as_array) {
    long available = (long)quicklistCount(o->ptr);
    if (count > available) count = available;
    char buf[32];
    arg argv[3] = {where == LIST_HEAD ? (arg){"LPOP", 4} : (arg){"RPOP", 4}, *key,
                   propagateArgFromLongLong(buf, sizeof(buf), count)};
    propagateReplace(c, 3, argv);
    if (as_array) replyArrayLen(c, count);
    for (long i = 0; i < count; i++) {
        str value;
        quicklistPop(o->ptr, where, &value);
        replyBulk(c, value, strLen(value));
        strFree(value);
    }
    server.dirty += count;
    deleteIfEmpty(c, key, o);
}

static void popGeneric(client *c, int where) {
    long count = 1;
    int has_count = c->argc == 3;
    if (c->argc > 3) {
        replyArityError(c);
        return;
    }
    if (has_count &&
        argToPositiveLongOrReply(c, &c->argv[2], &count, "value is out of range, must be positive") <
            0)
        return;
    int wrongtype;
    obj *o = lookupTypedWrite(c, &c->argv[1], OBJ_LIST, &wrongtype);
    if (wrongtype) return;
    if (!o) {
        if (has_count) replyNullArray(c);
        else replyNull(c);
        return;
    }
    if (has_count && count == 0) {
        replyArrayLen(c, 0);
        return;
    }
    popToReply(c, &c->argv[1], o, where, count, has_count);
}

static void lpopCommand(client *c) { popGeneric(c, LIST_HEAD); }
static void rpopCommand(client *c) { popGeneric(c, LIST_TAIL); }

/* --- Reading ------------------------------------------------------------- */

static void llenCommand(client *c) {
    int wrongtype;
    obj *o = lookupTypedRead(c, &c->argv[1], OBJ_LIST, &wrongtype);
    if (wrongtype) return;
    replyLongLong(c, o ? (long long)quicklistCount(o->ptr) : 0);
}

/* Clamps [start, end] (negative from the tail) to the list; returns the
 * number of elements in range (0 when empty). */
static long clampRange(long long start, long long end, long long len, long long *from) {
    if (start < 0) start += len;
    if (end < 0) end += len;
    if (start < 0) start = 0;
    if (start > end || start >= len) return 0;
    if (end >= len) end = len - 1;
    *from = start;
    return (long)(end - start + 1);
}

static void lrangeCommand(client *c) {
    long long start, end, from = 0;
    if (argToLongLongOrReply(c, &c->argv[2], &start, NULL) < 0) return;
    if (argToLongLongOrReply(c, &c->argv[3], &end, NULL) < 0) return;
    int wrongtype;
    obj *o = lookupTypedRead(c, &c->argv[1], OBJ_LIST, &wrongtype);
    if (wrongtype) return;
    if (!o) {
        replyArrayLen(c, 0);
        return;
    }
    long count = clampRange(start, end, (long long)quicklistCount(o->ptr), &from);
    replyArrayLen(c, count);
    if (!count) return;
    quicklistIter *it = quicklistGetIteratorAtIdx(o->ptr, LIST_HEAD, (long)from);
    quicklistEntry e;
    while (count-- && quicklistNext(it, &e)) replyEntry(c, &e);
    quicklistReleaseIterator(it);
}

static void lindexCommand(client *c) {
    long long index;
    if (argToLongLongOrReply(c, &c->argv[2], &index, NULL) < 0) return;
    int wrongtype;
    obj *o = lookupTypedRead(c, &c->argv[1], OBJ_LIST, &wrongtype);
    if (wrongtype) return;
    quicklistEntry e;
    quicklistIter *it = o ? quicklistGetIteratorEntryAtIdx(o->ptr, (long)index, &e) : NULL;
    if (!it) {
        replyNull(c);
        return;
    }
    replyEntry(c, &e);
    quicklistReleaseIterator(it);
}

/* --- Changing elements --------------------------------------------------- */

static void lsetCommand(client *c) {
    long long index;
    if (argToLongLongOrReply(c, &c->argv[2], &index, NULL) < 0) return;
    int wrongtype;
    obj *o = lookupTypedWrite(c, &c->argv[1], OBJ_LIST, &wrongtype);
    if (wrongtype) return;
    if (!o) {
        replyError(c, "no such key");
        return;
    }
    const arg *v = &c->argv[3];
    if (!quicklistReplaceAt(o->ptr, (long)index, v->ptr, v->len)) {
        replyError(c, "index out of range");
        return;
    }
    server.dirty++;
    replyOk(c);
}

static void linsertCommand(client *c) {
    int after;
    if (argEquals(&c->argv[2], "after")) after = 1;
    else if (argEquals(&c->argv[2], "before")) after = 0;
    else {
        replySyntaxError(c);
        return;
    }
    int wrongtype;
    obj *o = lookupTypedWrite(c, &c->argv[1], OBJ_LIST, &wrongtype);
    if (wrongtype) return;
    if (!o) {
        replyLongLong(c, 0);
        return;
    }
    const arg *pivot = &c->argv[3], *v = &c->argv[4];
    quicklistIter *it = quicklistGetIterator(o->ptr, LIST_HEAD);
    quicklistEntry e;
    int inserted = 0;
    while (quicklistNext(it, &e)) {
        if (!quicklistEntryEquals(&e, pivot->ptr, pivot->len)) continue;
        if (after) quicklistInsertAfter(it, &e, v->ptr, v->len);
        else quicklistInsertBefore(it, &e, v->ptr, v->len);
        inserted = 1;
        break;
    }
    quicklistReleaseIterator(it);
    if (!inserted) {
        replyLongLong(c, -1);
        return;
    }
    server.dirty++;
    blockSignalKeyReady(c->db, c->argv[1].ptr, c->argv[1].len);
    replyLongLong(c, (long long)quicklistCount(o->ptr));
}

static void lremCommand(client *c) {
    long long toremove;
    if (argToLongLongOrReply(c, &c->argv[2], &toremove, NULL) < 0) return;
    int wrongtype;
    obj *o = lookupTypedWrite(c, &c->argv[1], OBJ_LIST, &wrongtype);
    if (wrongtype) return;
    if (!o) {
        replyLongLong(c, 0);
        return;
    }
    const arg *v = &c->argv[3];
    /* A negative count removes from the tail towards the head. */
    quicklistIter *it = quicklistGetIterator(o->ptr, toremove < 0 ? LIST_TAIL : LIST_HEAD);
    if (toremove < 0) toremove = -toremove;
    quicklistEntry e;
    long long removed = 0;
    while (quicklistNext(it, &e)) {
        if (!quicklistEntryEquals(&e, v->ptr, v->len)) continue;
        quicklistDelEntry(it, &e);
        removed++;
        if (toremove && removed == toremove) break;
    }
    quicklistReleaseIterator(it);
    server.dirty += removed;
    if (removed) deleteIfEmpty(c, &c->argv[1], o);
    replyLongLong(c, removed);
}

static void ltrimCommand(client *c) {
    long long start, end, from = 0;
    if (argToLongLongOrReply(c, &c->argv[2], &start, NULL) < 0) return;
    if (argToLongLongOrReply(c, &c->argv[3], &end, NULL) < 0) return;
    int wrongtype;
    obj *o = lookupTypedWrite(c, &c->argv[1], OBJ_LIST, &wrongtype);
    if (wrongtype) return;
    if (!o) {
        replyOk(c);
        return;
    }
    long long len = (long long)quicklistCount(o->ptr);
    long keep = clampRange(start, end, len, &from);
    if (keep == 0) {
        server.dirty += len;
        dbDelete(c->db, c->argv[1].ptr, c->argv[1].len);
    } else {
        quicklistDelRange(o->ptr, 0, (long)from);
        quicklistDelRange(o->ptr, keep, (long)(len - from - keep));
        server.dirty += len - keep;
    }
    replyOk(c);
}

static void lposCommand(client *c) {
    long long rank = 1, count = -1, maxlen = 0;
    for (int j = 3; j < c->argc; j++) {
        const arg *opt = &c->argv[j];
        if (j + 1 >= c->argc) {
            replySyntaxError(c);
            return;
        }
        const arg *val = &c->argv[++j];
        if (argEquals(opt, "rank")) {
            if (argToLongLongOrReply(c, val, &rank, NULL) < 0) return;
            if (rank == 0) {
                replyError(c, "RANK can't be zero: use 1 to start from the first match, 2 from "
                              "the second ... or use negative to start from the end of the list");
                return;
            }
            /* Redis negates the rank in signed arithmetic; LLONG_MIN stays
             * negative there and behaves as -1. Do the same without the
             * overflow. */
            if (rank == LLONG_MIN) rank = -1;
        } else if (argEquals(opt, "count")) {
            if (argToLongLongOrReply(c, val, &count, NULL) < 0) return;
            if (count < 0) {
                replyError(c, "COUNT can't be negative");
                return;
            }
        } else if (argEquals(opt, "maxlen")) {
            if (argToLongLongOrReply(c, val, &maxlen, NULL) < 0) return;
            if (maxlen < 0) {
                replyError(c, "MAXLEN can't be negative");
                return;
            }
        } else {
            replySyntaxError(c);
            return;
        }
    }
    int wrongtype;
    obj *o = lookupTypedRead(c, &c->argv[1], OBJ_LIST, &wrongtype);
    if (wrongtype) return;
    int with_count = count != -1;
    if (!o) {
        if (with_count) replyArrayLen(c, 0);
        else replyNull(c);
        return;
    }
    const arg *v = &c->argv[2];
    quicklistIter *it = quicklistGetIterator(o->ptr, rank < 0 ? LIST_TAIL : LIST_HEAD);
    long long len = (long long)quicklistCount(o->ptr);
    long long skip = (rank < 0 ? -rank : rank) - 1;
    void *handle = with_count ? replyDeferredLen(c) : NULL;
    long long index = 0, matches = 0;
    quicklistEntry e;
    while (quicklistNext(it, &e) && (maxlen == 0 || index < maxlen)) {
        if (quicklistEntryEquals(&e, v->ptr, v->len)) {
            if (skip) {
                skip--;
            } else {
                long long pos = rank < 0 ? len - index - 1 : index;
                matches++;
                if (!with_count) {
                    replyLongLong(c, pos);
                    break;
                }
                replyLongLong(c, pos);
                if (count && matches == count) break;
            }
        }
        index++;
    }
    quicklistReleaseIterator(it);
    if (with_count) replySetDeferredArrayLen(c, handle, (long)matches);
    else if (!matches) replyNull(c);
}

/* --- Moving between lists ------------------------------------------------ */

/* Pops from `src` (known non-empty) and pushes onto `dstkey`, creating it;
 * replies with the element. */
static void moveElement(client *c, const arg *srckey, obj *src, const arg *dstkey, int from,
                        int to) {
    arg argv[5] = {{"LMOVE", 5}, *srckey, *dstkey,
                   from == LIST_HEAD ? (arg){"LEFT", 4} : (arg){"RIGHT", 5},
                   to == LIST_HEAD ? (arg){"LEFT", 4} : (arg){"RIGHT", 5}};
    propagateReplace(c, 5, argv);
    str value;
    quicklistPop(src->ptr, from, &value);
    /* Drop an emptied source before looking at the destination: when both
     * are the same key, the element then goes into a fresh list. */
    if (quicklistCount(src->ptr) == 0) dbDelete(c->db, srckey->ptr, srckey->len);
    obj *dst = dbLookupWrite(c->db, dstkey->ptr, dstkey->len);
    if (!dst) {
        dst = createList();
        dbAdd(c->db, dstkey->ptr, dstkey->len, dst);
    }
    quicklistPush(dst->ptr, value, strLen(value), to);
    replyBulk(c, value, strLen(value));
    strFree(value);
    server.dirty++;
    blockSignalKeyReady(c->db, dstkey->ptr, dstkey->len);
}

/* Checks the destination holds a list (or nothing); replies WRONGTYPE. */
static int destinationOk(client *c, const arg *dstkey) {
    obj *dst = dbLookupWrite(c->db, dstkey->ptr, dstkey->len);
    if (dst && dst->type != OBJ_LIST) {
        replyWrongType(c);
        return 0;
    }
    return 1;
}

/* LMOVE and BLMOVE's common body: returns 1 if an element moved (replied),
 * 0 if the source is empty (nothing replied), -1 on error (replied). */
static int tryMove(client *c, const arg *srckey, const arg *dstkey, int from, int to) {
    int wrongtype;
    obj *src = lookupTypedWrite(c, srckey, OBJ_LIST, &wrongtype);
    if (wrongtype) return -1;
    if (!src) return 0;
    if (!destinationOk(c, dstkey)) return -1;
    moveElement(c, srckey, src, dstkey, from, to);
    return 1;
}

static void lmoveCommand(client *c) {
    int from = parseEnd(c, &c->argv[3]);
    if (from == -2) return;
    int to = parseEnd(c, &c->argv[4]);
    if (to == -2) return;
    if (tryMove(c, &c->argv[1], &c->argv[2], from, to) == 0) replyNull(c);
}

static void rpoplpushCommand(client *c) {
    if (tryMove(c, &c->argv[1], &c->argv[2], LIST_TAIL, LIST_HEAD) == 0) replyNull(c);
}

static void blmoveGeneric(client *c, int from, int to, const arg *timeout) {
    long long deadline;
    if (blockParseTimeout(c, timeout, &deadline) < 0) return;
    if (tryMove(c, &c->argv[1], &c->argv[2], from, to) != 0) return;
    blockClientOnKeys(c, &c->argv[1], 1, deadline);
}

static void blmoveCommand(client *c) {
    int from = parseEnd(c, &c->argv[3]);
    if (from == -2) return;
    int to = parseEnd(c, &c->argv[4]);
    if (to == -2) return;
    blmoveGeneric(c, from, to, &c->argv[5]);
}

static void brpoplpushCommand(client *c) {
    blmoveGeneric(c, LIST_TAIL, LIST_HEAD, &c->argv[3]);
}

/* --- Blocking pops ------------------------------------------------------- */

static void blockingPopGeneric(client *c, int where) {
    long long deadline;
    if (blockParseTimeout(c, &c->argv[c->argc - 1], &deadline) < 0) return;
    for (int j = 1; j < c->argc - 1; j++) {
        int wrongtype;
        obj *o = lookupTypedWrite(c, &c->argv[j], OBJ_LIST, &wrongtype);
        if (wrongtype) return;
        if (!o) continue;
        replyArrayLen(c, 2);
        replyBulk(c, c->argv[j].ptr, c->argv[j].len);
        popToReply(c, &c->argv[j], o, where, 1, 0);
        return;
    }
    blockClientOnKeys(c, &c->argv[1], c->argc - 2, deadline);
}

static void blpopCommand(client *c) { blockingPopGeneric(c, LIST_HEAD); }
static void brpopCommand(client *c) { blockingPopGeneric(c, LIST_TAIL); }

/* Pops from the first non-empty key. Returns 1 when it replied (served or
 * WRONGTYPE), 0 when every key is empty. */
static int mpopFirstNonEmpty(client *c, const mpopArgs *a) {
    for (int j = 0; j < a->numkeys; j++) {
        const arg *key = &c->argv[a->first_key + j];
        int wrongtype;
        obj *o = lookupTypedWrite(c, key, OBJ_LIST, &wrongtype);
        if (wrongtype) return 1;
        if (!o) continue;
        replyArrayLen(c, 2);
        replyBulk(c, key->ptr, key->len);
        popToReply(c, key, o, a->end ? LIST_TAIL : LIST_HEAD, a->count, 1);
        return 1;
    }
    return 0;
}

static void lmpopCommand(client *c) {
    mpopArgs a;
    if (mpopParseOrReply(c, 1, "left", "right", &a) < 0) return;
    if (!mpopFirstNonEmpty(c, &a)) replyNullArray(c);
}

static void blmpopCommand(client *c) {
    long long deadline;
    if (blockParseTimeout(c, &c->argv[1], &deadline) < 0) return;
    mpopArgs a;
    if (mpopParseOrReply(c, 2, "left", "right", &a) < 0) return;
    if (mpopFirstNonEmpty(c, &a)) return;
    blockClientOnKeys(c, &c->argv[a.first_key], a.numkeys, deadline);
}

#define G CMD_GROUP_LIST
#define W_DENYOOM_FAST (CMD_WRITE | CMD_DENYOOM | CMD_FAST)
#define W_FAST (CMD_WRITE | CMD_FAST)
#define W_BLOCK (CMD_WRITE | CMD_NOSCRIPT | CMD_BLOCKING)

command listCommandTable[] = {
    {"lpush", lpushCommand, -3, W_DENYOOM_FAST, 1, 1, 1, G, "1.0.0",
     "O(1) for each element added, so O(N) to add N elements when the command is called with "
     "multiple arguments.",
     "Prepend one or multiple elements to a list", NULL},
    {"rpush", rpushCommand, -3, W_DENYOOM_FAST, 1, 1, 1, G, "1.0.0",
     "O(1) for each element added, so O(N) to add N elements when the command is called with "
     "multiple arguments.",
     "Append one or multiple elements to a list", NULL},
    {"lpushx", lpushxCommand, -3, W_DENYOOM_FAST, 1, 1, 1, G, "2.2.0",
     "O(1) for each element added, so O(N) to add N elements when the command is called with "
     "multiple arguments.",
     "Prepend an element to a list, only if the list exists", NULL},
    {"rpushx", rpushxCommand, -3, W_DENYOOM_FAST, 1, 1, 1, G, "2.2.0",
     "O(1) for each element added, so O(N) to add N elements when the command is called with "
     "multiple arguments.",
     "Append an element to a list, only if the list exists", NULL},
    {"lpop", lpopCommand, -2, W_FAST, 1, 1, 1, G, "1.0.0",
     "O(N) where N is the number of elements returned", "Remove and get the first elements in a list",
     NULL},
    {"rpop", rpopCommand, -2, W_FAST, 1, 1, 1, G, "1.0.0",
     "O(N) where N is the number of elements returned", "Remove and get the last elements in a list",
     NULL},
    {"llen", llenCommand, 2, CMD_READONLY | CMD_FAST, 1, 1, 1, G, "1.0.0", "O(1)",
     "Get the length of a list", NULL},
    {"lrange", lrangeCommand, 4, CMD_READONLY, 1, 1, 1, G, "1.0.0",
     "O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end "
     "(HEAD or TAIL) for large lists; and N is the number of elements in the specified range.",
     "Get a range of elements from a list", NULL},
    {"lindex", lindexCommand, 3, CMD_READONLY, 1, 1, 1, G, "1.0.0",
     "O(N) where N is the number of elements to traverse to get to the element at index. This "
     "makes asking for the first or the last element of the list O(1).",
     "Get an element from a list by its index", NULL},
    {"lset", lsetCommand, 4, CMD_WRITE | CMD_DENYOOM, 1, 1, 1, G, "1.0.0",
     "O(N) where N is the length of the list. Setting either the first or the last element of "
     "the list is O(1).",
     "Set the value of an element in a list by its index", NULL},
    {"linsert", linsertCommand, 5, CMD_WRITE | CMD_DENYOOM, 1, 1, 1, G, "2.2.0",
     "O(N) where N is the number of elements to traverse before seeing the value pivot. This "
     "means that inserting somewhere on the left end on the list (head) can be considered O(1) "
     "and inserting somewhere on the right end (tail) is O(N).",
     "Insert an element before or after another element in a list", NULL},
    {"lrem", lremCommand, 4, CMD_WRITE, 1, 1, 1, G, "1.0.0",
     "O(N+M) where N is the length of the list and M is the number of elements removed.",
     "Remove elements from a list", NULL},
    {"ltrim", ltrimCommand, 4, CMD_WRITE, 1, 1, 1, G, "1.0.0",
     "O(N) where N is the number of elements to be removed by the operation.",
     "Trim a list to the specified range", NULL},
    {"lpos", lposCommand, -3, CMD_READONLY, 1, 1, 1, G, "6.0.6",
     "O(N) where N is the number of elements in the list, for the average case. When searching "
     "for elements near the head or the tail of the list, or when the MAXLEN option is provided, "
     "the command may run in constant time.",
     "Return the index of matching elements on a list", NULL},
    {"lmove", lmoveCommand, 5, CMD_WRITE | CMD_DENYOOM, 1, 2, 1, G, "6.2.0", "O(1)",
     "Pop an element from a list, push it to another list and return it", NULL},
    {"rpoplpush", rpoplpushCommand, 3, CMD_WRITE | CMD_DENYOOM, 1, 2, 1, G, "1.2.0", "O(1)",
     "Remove the last element in a list, prepend it to another list and return it", NULL},
    {"lmpop", lmpopCommand, -4, CMD_WRITE | CMD_MOVABLE_KEYS, 0, 0, 0, G, "7.0.0",
     "O(N+M) where N is the number of provided keys and M is the number of elements returned.",
     "Pop elements from a list", NULL},
    {"blpop", blpopCommand, -3, W_BLOCK, 1, -2, 1, G, "2.0.0",
     "O(N) where N is the number of provided keys.",
     "Remove and get the first element in a list, or block until one is available", NULL},
    {"brpop", brpopCommand, -3, W_BLOCK, 1, -2, 1, G, "2.0.0",
     "O(N) where N is the number of provided keys.",
     "Remove and get the last element in a list, or block until one is available", NULL},
    {"blmove", blmoveCommand, 6, W_BLOCK | CMD_DENYOOM, 1, 2, 1, G, "6.2.0", "O(1)",
     "Pop an element from a list, push it to another list and return it; or block until one is "
     "available",
     NULL},
    {"brpoplpush", brpoplpushCommand, 4, W_BLOCK | CMD_DENYOOM, 1, 2, 1, G, "2.2.0", "O(1)",
     "Pop an element from a list, push it to another list and return it; or block until one is "
     "available",
     NULL},
    {"blmpop", blmpopCommand, -5, CMD_WRITE | CMD_BLOCKING | CMD_MOVABLE_KEYS, 0, 0, 0, G, "7.0.0",
     "O(N+M) where N is the number of provided keys and M is the number of elements returned.",
     "Pop elements from a list, or block until one is available", NULL},
    {0}};
