/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Set commands (SADD ... SSCAN) and the set type beneath them. A set is an
 * intset while every member is an integer (string2ll's strict rules) and it
 * has at most set-max-intset-entries members; a listpack while it is small
 * (set-max-listpack-entries members of at most set-max-listpack-value bytes);
 * otherwise a hashtable of members without values. As in Redis 7.2, a living
 * set only moves up (intset -> listpack -> hashtable, or intset -> hashtable),
 * never back; the results of the *STORE commands are built fresh and get the
 * encoding their members call for. Commands follow Redis 7.0. Main thread only.
 */
#include "t_set.h"

#include "alloc.h"
#include "command.h"
#include "db.h"
#include "propagate.h"
#include "dict.h"
#include "intset.h"
#include "listpack.h"
#include "reply.h"
#include "server.h"
#include "str.h"
#include "util.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* SPOP with a count keeps the remaining members in a new set, rather than
 * popping one by one, when fewer than count / SPOP_MOVE_STRATEGY_MUL would
 * remain. */
#define SPOP_MOVE_STRATEGY_MUL 5
/* SRANDMEMBER with a positive count copies the whole set and removes random
 * members when count * SRANDMEMBER_SUB_STRATEGY_MUL exceeds the set's size;
 * otherwise it draws random members until it has count distinct ones. */
#define SRANDMEMBER_SUB_STRATEGY_MUL 3
/* SRANDMEMBER with a negative count samples a listpack this many at a time. */
#define SRANDMEMBER_SAMPLE_BATCH 1000
/* A "fair" random hashtable member is drawn among this many candidates. */
#define FAIR_RANDOM_SAMPLE 15

/* --- Members -------------------------------------------------------------- */

/* A member as the encodings hand it out: bytes p[0..len), or, when p is NULL,
 * the integer v (intset elements and integer listpack entries). */
typedef struct member {
    const char *p;
    size_t len;
    long long v;
} member;

static member argMember(const arg *a) {
    return (member){a->ptr, a->len, 0};
}

/* The member's bytes; an integer is formatted into buf (LP_INTBUF_SIZE). */
static const char *memberBytes(const member *m, char *buf, size_t *len) {
    if (m->p) {
        *len = m->len;
        return m->p;
    }
    *len = (size_t)ll2string(buf, LP_INTBUF_SIZE, m->v);
    return buf;
}

/* 1 and *v if the member is an integer an intset may hold. */
static int memberInteger(const member *m, long long *v) {
    if (!m->p) {
        *v = m->v;
        return 1;
    }
    return string2ll(m->p, m->len, v);
}

static void entryMember(const unsigned char *entry, member *m) {
    unsigned int len;
    long long v;
    m->p = (const char *)lpGetValue(entry, &len, &v);
    m->len = len;
    m->v = v;
}

static unsigned char *appendMember(unsigned char *lp, const member *m) {
    return m->p ? lpAppend(lp, (const unsigned char *)m->p, m->len) : lpAppendInteger(lp, m->v);
}

static void replyMember(client *c, const member *m) {
    if (m->p)
        replyBulk(c, m->p, m->len);
    else
        replyBulkLongLong(c, m->v);
}

/* A growable array of members pointing into sets that do not change while it
 * lives. */
typedef struct memberVec {
    member *items;
    unsigned long count, cap;
} memberVec;

static void vecPush(memberVec *v, const member *m) {
    if (v->count == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 16;
        v->items = lrealloc(v->items, v->cap * sizeof(*v->items));
    }
    v->items[v->count++] = *m;
}

/* --- Iteration ------------------------------------------------------------ */

typedef struct memberIter {
    obj *set;
    uint32_t index;       /* intset: the next position */
    unsigned char *entry; /* listpack: the entry last returned, NULL before the first */
    dictIterator *di;     /* hashtable: an unsafe iterator (the set must not change) */
} memberIter;

static void iterStart(memberIter *it, obj *set) {
    it->set = set;
    it->index = 0;
    it->entry = NULL;
    it->di = set->encoding == OBJ_ENC_HT ? dictGetIterator(set->ptr) : NULL;
}

static int iterNext(memberIter *it, member *m) {
    obj *o = it->set;
    if (o->encoding == OBJ_ENC_INTSET) {
        int64_t v;
        if (!intsetGet(o->ptr, it->index, &v)) return 0;
        it->index++;
        m->p = NULL;
        m->v = v;
        return 1;
    }
    if (o->encoding == OBJ_ENC_LISTPACK) {
        it->entry = it->entry ? lpNext(o->ptr, it->entry) : lpFirst(o->ptr);
        if (!it->entry) return 0;
        entryMember(it->entry, m);
        return 1;
    }
    dictEntry *de = dictNext(it->di);
    if (!de) return 0;
    m->p = de->key;
    m->len = strLen(de->key);
    return 1;
}

static void iterStop(memberIter *it) {
    if (it->di) dictReleaseIterator(it->di);
}

struct setTypeIter {
    memberIter it;
    char buf[LP_INTBUF_SIZE];
};

setTypeIter *setTypeIterCreate(obj *set) {
    setTypeIter *si = lmalloc(sizeof(*si));
    iterStart(&si->it, set);
    return si;
}

int setTypeIterNext(setTypeIter *si, const char **member_bytes, size_t *len) {
    member m;
    if (!iterNext(&si->it, &m)) return 0;
    *member_bytes = memberBytes(&m, si->buf, len);
    return 1;
}

void setTypeIterRelease(setTypeIter *si) {
    iterStop(&si->it);
    lfree(si);
}

/* --- The set type --------------------------------------------------------- */

unsigned long setTypeSize(const obj *o) {
    if (o->encoding == OBJ_ENC_INTSET) return intsetLen(o->ptr);
    if (o->encoding == OBJ_ENC_LISTPACK) return lpLength(o->ptr);
    return dictSize(o->ptr);
}

/* An intset indexes with 32 bits; Redis caps the setting at 2^30. */
static unsigned long intsetMaxEntries(void) {
    unsigned long max = (unsigned long)server.set_max_intset_entries;
    return max > (1ul << 30) ? 1ul << 30 : max;
}

static int listpackHasRoomFor(const unsigned char *lp, size_t len) {
    return lpLength(lp) < (unsigned long)server.set_max_listpack_entries &&
           len <= (size_t)server.set_max_listpack_value && lpSafeToAdd(lp, len);
}

/* An empty set for its first member, chosen as Redis 7.2 does. */
static obj *createSetFor(const member *first) {
    long long v;
    if (memberInteger(first, &v) && intsetMaxEntries() >= 1) return objCreateIntsetValue();
    if (server.set_max_listpack_entries >= 1) return objCreateListpackValue(OBJ_SET);
    return objCreateEncoded(OBJ_SET, OBJ_ENC_HT, dictCreate(&objSetDictType));
}

static void freeContents(obj *o) {
    if (o->encoding == OBJ_ENC_INTSET)
        intsetFree(o->ptr);
    else if (o->encoding == OBJ_ENC_LISTPACK)
        lpFree(o->ptr);
    else
        dictRelease(o->ptr);
}

/* Rebuilds an intset or listpack set as a hashtable sized for cap members. */
static void convertToHashtable(obj *o, unsigned long cap) {
    dict *d = dictCreate(&objSetDictType);
    dictExpand(d, cap);
    memberIter it;
    member m;
    char buf[LP_INTBUF_SIZE];
    iterStart(&it, o);
    while (iterNext(&it, &m)) {
        size_t len;
        const char *p = memberBytes(&m, buf, &len);
        dictAdd(d, strNewLen(p, len), NULL);
    }
    iterStop(&it);
    freeContents(o);
    o->encoding = OBJ_ENC_HT;
    o->ptr = d;
}

static void convertIntsetToListpack(obj *o) {
    unsigned char *lp = lpNew(0);
    int64_t v;
    for (uint32_t i = 0; intsetGet(o->ptr, i, &v); i++)
        lp = lpAppendInteger(lp, v);
    intsetFree(o->ptr);
    o->encoding = OBJ_ENC_LISTPACK;
    o->ptr = lp;
}

/* A set whose members are all integers becomes an intset if it fits one
 * (the SINTERSTORE result). */
static void convertToIntsetIfFits(obj *o) {
    if (o->encoding == OBJ_ENC_INTSET || setTypeSize(o) > intsetMaxEntries()) return;
    intset *is = intsetNew();
    memberIter it;
    member m;
    iterStart(&it, o);
    while (iterNext(&it, &m)) {
        long long v;
        loomAssert(memberInteger(&m, &v));
        is = intsetAdd(is, v, NULL);
    }
    iterStop(&it);
    freeContents(o);
    o->encoding = OBJ_ENC_INTSET;
    o->ptr = is;
}

static int decimalLength(long long v) {
    return v < 0 ? digits10(0ULL - (unsigned long long)v) + 1 : digits10((unsigned long long)v);
}

/* Whether an intset plus one string of len bytes stays within the listpack
 * limits. Integer entries take at most 10 bytes each. */
static int intsetFitsListpack(const intset *is, size_t len) {
    uint32_t n = intsetLen(is);
    if (n >= (unsigned long)server.set_max_listpack_entries) return 0;
    if (len > (size_t)server.set_max_listpack_value) return 0;
    if (n > 0) {
        int longest = decimalLength(intsetMin(is));
        if (decimalLength(intsetMax(is)) > longest) longest = decimalLength(intsetMax(is));
        if (longest > server.set_max_listpack_value) return 0;
    }
    return lpSafeToAdd(NULL, (size_t)n * 10 + len);
}

/* Adds m; 1 if it was not a member yet. Converts the encoding when m does
 * not fit the current one. */
static int setAdd(obj *o, const member *m) {
    long long v;
    if (o->encoding == OBJ_ENC_INTSET) {
        if (memberInteger(m, &v)) {
            int added;
            o->ptr = intsetAdd(o->ptr, v, &added);
            if (added && intsetLen(o->ptr) > intsetMaxEntries())
                convertToHashtable(o, intsetLen(o->ptr));
            return added;
        }
        /* Not an integer, so certainly new: the listpack when the result
         * stays small, else the hashtable. */
        if (intsetFitsListpack(o->ptr, m->len))
            convertIntsetToListpack(o);
        else
            convertToHashtable(o, intsetLen(o->ptr) + 1);
    }
    char buf[LP_INTBUF_SIZE];
    size_t len;
    const char *p = memberBytes(m, buf, &len);
    if (o->encoding == OBJ_ENC_LISTPACK) {
        unsigned char *lp = o->ptr, *first = lpFirst(lp);
        if (first && lpFind(lp, first, (const unsigned char *)p, len, 0)) return 0;
        if (listpackHasRoomFor(lp, len)) {
            o->ptr = appendMember(lp, m);
            return 1;
        }
        convertToHashtable(o, lpLength(lp) + 1);
    }
    if (dictFind(o->ptr, p, len)) return 0;
    dictAdd(o->ptr, strNewLen(p, len), NULL);
    return 1;
}

/* Removes m; 1 if it was a member. */
static int setRemove(obj *o, const member *m) {
    long long v;
    if (o->encoding == OBJ_ENC_INTSET) {
        int removed = 0;
        if (memberInteger(m, &v)) o->ptr = intsetRemove(o->ptr, v, &removed);
        return removed;
    }
    char buf[LP_INTBUF_SIZE];
    size_t len;
    const char *p = memberBytes(m, buf, &len);
    if (o->encoding == OBJ_ENC_LISTPACK) {
        unsigned char *lp = o->ptr, *first = lpFirst(lp), *e;
        if (!first || !(e = lpFind(lp, first, (const unsigned char *)p, len, 0))) return 0;
        o->ptr = lpDelete(lp, e, NULL);
        return 1;
    }
    if (dictDelete(o->ptr, p, len) < 0) return 0;
    /* As Redis 7.0 does after every delete: give memory back once the
     * table is mostly empty. */
    dictTryShrink(o->ptr);
    return 1;
}

static int setHas(obj *o, const member *m) {
    long long v;
    if (o->encoding == OBJ_ENC_INTSET) return memberInteger(m, &v) && intsetFind(o->ptr, v);
    char buf[LP_INTBUF_SIZE];
    size_t len;
    const char *p = memberBytes(m, buf, &len);
    if (o->encoding == OBJ_ENC_LISTPACK) {
        unsigned char *lp = o->ptr, *first = lpFirst(lp);
        return first && lpFind(lp, first, (const unsigned char *)p, len, 0) != NULL;
    }
    return dictFind(o->ptr, p, len) != NULL;
}

/* A random entry, drawn among several so that entries in long chains are
 * not less likely than others. The dict must not be empty. */
static dictEntry *fairRandomEntry(dict *d) {
    dictEntry *des[FAIR_RANDOM_SAMPLE];
    unsigned int n = dictGetSomeKeys(d, des, FAIR_RANDOM_SAMPLE);
    return des[randomU64() % n];
}

/* A random member of a non-empty set. */
static void randomMember(obj *o, member *m) {
    if (o->encoding == OBJ_ENC_INTSET) {
        m->p = NULL;
        m->v = intsetRandom(o->ptr);
    } else if (o->encoding == OBJ_ENC_LISTPACK) {
        entryMember(lpRandom(o->ptr), m);
    } else {
        dictEntry *de = fairRandomEntry(o->ptr);
        m->p = de->key;
        m->len = strLen(de->key);
    }
}

/* Every member as a set reply (an array in RESP2). */
static void replyMembers(client *c, obj *o) {
    memberIter it;
    member m;
    replySetLen(c, (long)setTypeSize(o));
    iterStart(&it, o);
    while (iterNext(&it, &m))
        replyMember(c, &m);
    iterStop(&it);
}

/* --- SADD, SREM, SMOVE ---------------------------------------------------- */

static void saddCommand(client *c) {
    const arg *key = &c->argv[1];
    int wrongtype;
    obj *o = lookupTypedWrite(c, key, OBJ_SET, &wrongtype);
    if (wrongtype) return;
    if (!o) {
        member first = argMember(&c->argv[2]);
        o = createSetFor(&first);
        dbAdd(c->db, key->ptr, key->len, o);
    }
    long long added = 0;
    for (int j = 2; j < c->argc; j++) {
        member m = argMember(&c->argv[j]);
        added += setAdd(o, &m);
    }
    server.dirty += added;
    replyLongLong(c, added);
}

static void sremCommand(client *c) {
    const arg *key = &c->argv[1];
    int wrongtype;
    obj *o = lookupTypedWrite(c, key, OBJ_SET, &wrongtype);
    if (wrongtype) return;
    long long deleted = 0;
    for (int j = 2; o && j < c->argc; j++) {
        member m = argMember(&c->argv[j]);
        if (!setRemove(o, &m)) continue;
        deleted++;
        if (setTypeSize(o) == 0) {
            dbDelete(c->db, key->ptr, key->len);
            break;
        }
    }
    server.dirty += deleted;
    replyLongLong(c, deleted);
}

static void smoveCommand(client *c) {
    const arg *srckey = &c->argv[1], *dstkey = &c->argv[2];
    obj *src = dbLookupWrite(c->db, srckey->ptr, srckey->len);
    obj *dst = dbLookupWrite(c->db, dstkey->ptr, dstkey->len);
    member m = argMember(&c->argv[3]);
    /* As Redis: a missing source answers 0 before any type check. */
    if (!src) {
        replyLongLong(c, 0);
        return;
    }
    if (src->type != OBJ_SET || (dst && dst->type != OBJ_SET)) {
        replyWrongType(c);
        return;
    }
    if (src == dst) {
        replyLongLong(c, setHas(src, &m));
        return;
    }
    if (!setRemove(src, &m)) {
        replyLongLong(c, 0);
        return;
    }
    if (setTypeSize(src) == 0) dbDelete(c->db, srckey->ptr, srckey->len);
    if (!dst) {
        dst = createSetFor(&m);
        dbAdd(c->db, dstkey->ptr, dstkey->len, dst);
    }
    server.dirty++;
    if (setAdd(dst, &m)) server.dirty++;
    replyLongLong(c, 1);
}

/* --- SISMEMBER, SMISMEMBER, SCARD, SMEMBERS ------------------------------ */

static void sismemberCommand(client *c) {
    int wrongtype;
    obj *o = lookupTypedRead(c, &c->argv[1], OBJ_SET, &wrongtype);
    if (wrongtype) return;
    member m = argMember(&c->argv[2]);
    replyLongLong(c, o ? setHas(o, &m) : 0);
}

static void smismemberCommand(client *c) {
    int wrongtype;
    obj *o = lookupTypedRead(c, &c->argv[1], OBJ_SET, &wrongtype);
    if (wrongtype) return;
    replyArrayLen(c, c->argc - 2);
    for (int j = 2; j < c->argc; j++) {
        member m = argMember(&c->argv[j]);
        replyLongLong(c, o ? setHas(o, &m) : 0);
    }
}

static void scardCommand(client *c) {
    int wrongtype;
    obj *o = lookupTypedRead(c, &c->argv[1], OBJ_SET, &wrongtype);
    if (wrongtype) return;
    replyLongLong(c, o ? (long long)setTypeSize(o) : 0);
}

static void smembersCommand(client *c) {
    int wrongtype;
    obj *o = lookupTypedRead(c, &c->argv[1], OBJ_SET, &wrongtype);
    if (wrongtype) return;
    if (o)
        replyMembers(c, o);
    else
        replySetLen(c, 0);
}

/* --- SPOP ----------------------------------------------------------------- */

/* Replies with a member SPOP removes (before it is removed); the pop
 * replays as SREM of that member. */
static void replyPopped(client *c, const arg *key, const member *m) {
    replyMember(c, m);
    char buf[32];
    arg argv[3] = {{"SREM", 4}, *key,
                   m->p ? (arg){(char *)m->p, m->len} : propagateArgFromLongLong(buf, sizeof(buf), m->v)};
    propagateReplace(c, 3, argv);
}

/* Replies with a random member and removes it. */
static void popRandomToReply(client *c, const arg *key, obj *o) {
    if (o->encoding == OBJ_ENC_INTSET) {
        int64_t v = intsetRandom(o->ptr);
        replyPopped(c, key, &(member){NULL, 0, v});
        o->ptr = intsetRemove(o->ptr, v, NULL);
    } else if (o->encoding == OBJ_ENC_LISTPACK) {
        unsigned char *e = lpRandom(o->ptr);
        member m;
        entryMember(e, &m);
        replyPopped(c, key, &m);
        o->ptr = lpDelete(o->ptr, e, NULL);
    } else {
        dictEntry *de = fairRandomEntry(o->ptr);
        str m = de->key;
        replyPopped(c, key, &(member){m, strLen(m), 0});
        dictDelete(o->ptr, m, strLen(m));
        dictTryShrink(o->ptr);
    }
}

/* SPOP with a count on a listpack: n distinct entries are drawn; with
 * pop_drawn they are replied and removed, else they are the ones kept and
 * every other entry is replied and removed. One walk, one rebuild. */
static void popListpackSample(client *c, const arg *key, obj *o, unsigned long n, int pop_drawn) {
    unsigned char *lp = o->ptr;
    unsigned char **drawn = lmalloc(n * sizeof(*drawn));
    unsigned long got = lpRandomSampleUnique(lp, 1, n, drawn), next = 0;
    unsigned char *kept = lpNew(0);
    for (unsigned char *p = lpFirst(lp); p; p = lpNext(lp, p)) {
        int is_drawn = next < got && drawn[next] == p;
        member m;
        next += (unsigned long)is_drawn;
        entryMember(p, &m);
        if (is_drawn == pop_drawn)
            replyPopped(c, key, &m);
        else
            kept = appendMember(kept, &m);
    }
    lfree(drawn);
    lpFree(lp);
    o->ptr = kept;
}

/* SPOP with a count close to the size of an intset or hashtable: `keep`
 * random members move to a new container, then the rest are replied and
 * the old container freed. */
static void popAllButRandom(client *c, const arg *key, obj *o, unsigned long keep) {
    void *kept;
    if (o->encoding == OBJ_ENC_INTSET) {
        intset *is = intsetNew();
        while (keep--) {
            int64_t v = intsetRandom(o->ptr);
            is = intsetAdd(is, v, NULL);
            o->ptr = intsetRemove(o->ptr, v, NULL);
        }
        kept = is;
    } else {
        dict *d = dictCreate(&objSetDictType);
        dictExpand(d, keep);
        while (keep--) {
            /* Move the member's string instead of copying it. */
            str key = fairRandomEntry(o->ptr)->key;
            dictEntry *de = dictUnlink(o->ptr, key, strLen(key));
            dictAdd(d, key, NULL);
            lfree(de);
        }
        kept = d;
    }
    memberIter it;
    member m;
    iterStart(&it, o);
    while (iterNext(&it, &m))
        replyPopped(c, key, &m);
    iterStop(&it);
    freeContents(o);
    o->ptr = kept;
}

static void spopWithCount(client *c) {
    const arg *key = &c->argv[1];
    long requested;
    if (argToPositiveLongOrReply(c, &c->argv[2], &requested,
                                 "value is out of range, must be positive") < 0)
        return;
    int wrongtype;
    obj *o = lookupTypedWrite(c, key, OBJ_SET, &wrongtype);
    if (wrongtype) return;
    unsigned long count = (unsigned long)requested;
    if (!o || count == 0) {
        replySetLen(c, 0);
        return;
    }
    unsigned long size = setTypeSize(o);
    if (count >= size) {
        replyMembers(c, o);
        dbDelete(c->db, key->ptr, key->len);
        arg argv[2] = {{"DEL", 3}, *key};
        propagateReplace(c, 2, argv);
        server.dirty += (long long)size;
        return;
    }
    server.dirty += (long long)count;
    replySetLen(c, (long)count);
    unsigned long remaining = size - count;
    int few = remaining * SPOP_MOVE_STRATEGY_MUL > count;
    if (o->encoding == OBJ_ENC_LISTPACK) {
        popListpackSample(c, key, o, few ? count : remaining, few);
    } else if (few) {
        for (unsigned long i = 0; i < count; i++)
            popRandomToReply(c, key, o);
    } else {
        popAllButRandom(c, key, o, remaining);
    }
}

static void spopCommand(client *c) {
    if (c->argc == 3) {
        spopWithCount(c);
        return;
    }
    if (c->argc > 3) {
        replySyntaxError(c);
        return;
    }
    const arg *key = &c->argv[1];
    int wrongtype;
    obj *o = lookupTypedWrite(c, key, OBJ_SET, &wrongtype);
    if (wrongtype) return;
    if (!o) {
        replyNull(c);
        return;
    }
    popRandomToReply(c, key, o);
    if (setTypeSize(o) == 0) dbDelete(c->db, key->ptr, key->len);
    server.dirty++;
}

/* --- SRANDMEMBER ---------------------------------------------------------- */

/* count members drawn independently (repeats allowed), in draw order. */
static void replyRandomWithRepeats(client *c, obj *o, unsigned long count) {
    replyArrayLen(c, (long)count);
    if (o->encoding == OBJ_ENC_LISTPACK && count > 1) {
        unsigned long batch = count < SRANDMEMBER_SAMPLE_BATCH ? count : SRANDMEMBER_SAMPLE_BATCH;
        unsigned char **entries = lmalloc(batch * sizeof(*entries));
        while (count && !(c->flags & CLIENT_CLOSE_ASAP)) {
            unsigned long n = count < batch ? count : batch;
            lpRandomSample(o->ptr, 1, n, entries);
            for (unsigned long i = 0; i < n; i++) {
                member m;
                entryMember(entries[i], &m);
                replyMember(c, &m);
            }
            count -= n;
        }
        lfree(entries);
        return;
    }
    /* A client past its output limit is closed anyway: stop early. */
    while (count-- && !(c->flags & CLIENT_CLOSE_ASAP)) {
        member m;
        randomMember(o, &m);
        replyMember(c, &m);
    }
}

/* count distinct members of an intset or hashtable, count < its size. */
static void replyRandomUnique(client *c, obj *o, unsigned long count) {
    unsigned long size = setTypeSize(o);
    dict *d = dictCreate(&objSetDictType);
    char buf[LP_INTBUF_SIZE];
    member m;
    size_t len;
    const char *p;
    if (count * SRANDMEMBER_SUB_STRATEGY_MUL > size) {
        /* Close to the whole set: copy it and remove random members. */
        memberIter it;
        dictExpand(d, size);
        iterStart(&it, o);
        while (iterNext(&it, &m)) {
            p = memberBytes(&m, buf, &len);
            dictAdd(d, strNewLen(p, len), NULL);
        }
        iterStop(&it);
        while (dictSize(d) > count) {
            str key = fairRandomEntry(d)->key;
            dictDelete(d, key, strLen(key));
        }
    } else {
        dictExpand(d, count);
        while (dictSize(d) < count) {
            randomMember(o, &m);
            p = memberBytes(&m, buf, &len);
            if (!dictFind(d, p, len)) dictAdd(d, strNewLen(p, len), NULL);
        }
    }
    replyArrayLen(c, (long)count);
    dictIterator *di = dictGetIterator(d);
    dictEntry *de;
    while ((de = dictNext(di)))
        replyBulk(c, de->key, strLen(de->key));
    dictReleaseIterator(di);
    dictRelease(d);
}

static void srandmemberWithCount(client *c) {
    long requested;
    if (argToRandomCountOrReply(c, &c->argv[2], &requested) < 0) return;
    /* A negative count allows the same member more than once. */
    int unique = requested >= 0;
    unsigned long count = (unsigned long)(unique ? requested : -requested);
    int wrongtype;
    obj *o = lookupTypedRead(c, &c->argv[1], OBJ_SET, &wrongtype);
    if (wrongtype) return;
    if (!o || count == 0) {
        replyArrayLen(c, 0);
        return;
    }
    if (!unique || count == 1) {
        replyRandomWithRepeats(c, o, count);
        return;
    }
    unsigned long size = setTypeSize(o);
    if (count >= size) {
        memberIter it;
        member m;
        replyArrayLen(c, (long)size);
        iterStart(&it, o);
        while (iterNext(&it, &m))
            replyMember(c, &m);
        iterStop(&it);
        return;
    }
    if (o->encoding == OBJ_ENC_LISTPACK) {
        /* Distinct entries in listpack order, drawn in one walk. */
        unsigned char **entries = lmalloc(count * sizeof(*entries));
        unsigned long n = lpRandomSampleUnique(o->ptr, 1, count, entries);
        replyArrayLen(c, (long)n);
        for (unsigned long i = 0; i < n; i++) {
            member m;
            entryMember(entries[i], &m);
            replyMember(c, &m);
        }
        lfree(entries);
        return;
    }
    replyRandomUnique(c, o, count);
}

static void srandmemberCommand(client *c) {
    if (c->argc == 3) {
        srandmemberWithCount(c);
        return;
    }
    if (c->argc > 3) {
        replySyntaxError(c);
        return;
    }
    int wrongtype;
    obj *o = lookupTypedRead(c, &c->argv[1], OBJ_SET, &wrongtype);
    if (wrongtype) return;
    if (!o) {
        replyNull(c);
        return;
    }
    member m;
    randomMember(o, &m);
    replyMember(c, &m);
}

/* --- SINTER, SINTERCARD, SINTERSTORE ------------------------------------- */

/* Looks up keys[0..n) as sets: sets[i] is NULL for a missing key. Every key
 * is checked: WRONGTYPE is replied (and -1 returned) for the first key of
 * another type, even after a missing one. */
static int lookupSets(client *c, const arg *keys, int n, obj **sets) {
    for (int i = 0; i < n; i++) {
        int wrongtype;
        sets[i] = lookupTypedRead(c, &keys[i], OBJ_SET, &wrongtype);
        if (wrongtype) return -1;
    }
    return 0;
}

static int compareSizeAscending(const void *a, const void *b) {
    unsigned long x = setTypeSize(*(obj *const *)a), y = setTypeSize(*(obj *const *)b);
    return x < y ? -1 : x > y;
}

/* Missing sets (NULL) count as empty. */
static int compareSizeDescending(const void *a, const void *b) {
    obj *const *x = a, *const *y = b;
    unsigned long sx = *x ? setTypeSize(*x) : 0, sy = *y ? setTypeSize(*y) : 0;
    return sx > sy ? -1 : sx < sy;
}

/* Stores a built result in dstkey and replies its size; an empty result
 * deletes dstkey instead and replies 0. Takes the reference to result. */
static void storeResult(client *c, const arg *dstkey, obj *result) {
    unsigned long size = setTypeSize(result);
    if (size == 0) {
        objDecrRef(result);
        if (dbDelete(c->db, dstkey->ptr, dstkey->len)) server.dirty++;
        replyLongLong(c, 0);
        return;
    }
    if (result->encoding == OBJ_ENC_LISTPACK) result->ptr = lpShrinkToFit(result->ptr);
    dbSetKey(c->db, dstkey->ptr, dstkey->len, result, 0);
    server.dirty++;
    replyLongLong(c, (long long)size);
}

/* Whether every set but the first (which m comes from) holds m. */
static int inAllOthers(obj **sets, int n, const member *m) {
    for (int j = 1; j < n; j++) {
        /* The same key given twice: the iterated set is not touched. */
        if (sets[j] == sets[0]) continue;
        if (!setHas(sets[j], m)) return 0;
    }
    return 1;
}

enum { INTER_REPLY, INTER_CARD, INTER_STORE };

/* The intersection of keys[0..n), walking the smallest set and probing the
 * others. INTER_REPLY replies the members as a set, INTER_CARD the count (up
 * to limit, 0 = no limit), INTER_STORE stores it in dstkey. */
static void interGeneric(client *c, const arg *keys, int n, int mode, unsigned long limit,
                         const arg *dstkey) {
    obj **sets = lmalloc((size_t)n * sizeof(*sets));
    if (lookupSets(c, keys, n, sets) < 0) goto done;
    for (int i = 0; i < n; i++) {
        if (sets[i]) continue;
        /* A missing key is an empty set: so is the intersection. */
        if (mode == INTER_STORE)
            storeResult(c, dstkey, objCreateIntsetValue());
        else if (mode == INTER_CARD)
            replyLongLong(c, 0);
        else
            replySetLen(c, 0);
        goto done;
    }
    qsort(sets, (size_t)n, sizeof(*sets), compareSizeAscending);

    /* The result of a store starts in the compact encoding of the smallest
     * set and grows as members arrive; integers only end as an intset. */
    obj *result = NULL;
    if (mode == INTER_STORE)
        result = sets[0]->encoding == OBJ_ENC_INTSET ? objCreateIntsetValue()
                                                     : objCreateListpackValue(OBJ_SET);
    memberVec found = {0};
    unsigned long card = 0;
    int only_integers = 1;
    memberIter it;
    member m;
    iterStart(&it, sets[0]);
    while (iterNext(&it, &m)) {
        if (!inAllOthers(sets, n, &m)) continue;
        if (mode == INTER_CARD) {
            if (++card == limit) break;
        } else if (mode == INTER_REPLY) {
            vecPush(&found, &m);
        } else {
            if (m.p && !string2ll(m.p, m.len, NULL)) only_integers = 0;
            setAdd(result, &m);
        }
    }
    iterStop(&it);

    if (mode == INTER_CARD) {
        replyLongLong(c, (long long)card);
    } else if (mode == INTER_REPLY) {
        replySetLen(c, (long)found.count);
        for (unsigned long i = 0; i < found.count; i++)
            replyMember(c, &found.items[i]);
        lfree(found.items);
    } else {
        if (only_integers) convertToIntsetIfFits(result);
        storeResult(c, dstkey, result);
    }
done:
    lfree(sets);
}

static void sinterCommand(client *c) {
    interGeneric(c, &c->argv[1], c->argc - 1, INTER_REPLY, 0, NULL);
}

static void sinterstoreCommand(client *c) {
    interGeneric(c, &c->argv[2], c->argc - 2, INTER_STORE, 0, &c->argv[1]);
}

static void sintercardCommand(client *c) {
    const char *numkeys_err = "numkeys should be greater than 0";
    long numkeys, limit = 0;
    if (argToLongOrReply(c, &c->argv[1], &numkeys, numkeys_err) < 0) return;
    if (numkeys < 1) {
        replyError(c, numkeys_err);
        return;
    }
    if (numkeys > c->argc - 2) {
        replyError(c, "Number of keys can't be greater than number of args");
        return;
    }
    for (int j = 2 + (int)numkeys; j < c->argc; j++) {
        if (argEquals(&c->argv[j], "limit") && j + 1 < c->argc) {
            if (argToPositiveLongOrReply(c, &c->argv[++j], &limit, "LIMIT can't be negative") < 0)
                return;
        } else {
            replySyntaxError(c);
            return;
        }
    }
    interGeneric(c, &c->argv[2], (int)numkeys, INTER_CARD, (unsigned long)limit, NULL);
}

/* --- SUNION, SDIFF and their STORE forms --------------------------------- */

enum { SET_UNION, SET_DIFF };

/* SDIFF by walking the first set and probing the others (sorted largest
 * first, so that a member found anywhere is found early). */
static void diffByProbing(obj **sets, int n, obj *result) {
    memberIter it;
    member m;
    iterStart(&it, sets[0]);
    while (iterNext(&it, &m)) {
        int j;
        for (j = 1; j < n; j++) {
            if (!sets[j]) continue;
            if (sets[j] == sets[0] || setHas(sets[j], &m)) break;
        }
        if (j == n) setAdd(result, &m);
    }
    iterStop(&it);
}

/* SDIFF by copying the first set and removing every member of the others. */
static void diffByRemoving(obj **sets, int n, obj *result) {
    for (int j = 0; j < n && (j == 0 || setTypeSize(result) > 0); j++) {
        if (!sets[j]) continue;
        memberIter it;
        member m;
        iterStart(&it, sets[j]);
        while (iterNext(&it, &m)) {
            if (j == 0)
                setAdd(result, &m);
            else
                setRemove(result, &m);
        }
        iterStop(&it);
    }
}

/* The union or difference of keys[0..n), built as a fresh set that starts
 * as an intset and converts as members arrive; replied, or stored in dstkey
 * when not NULL. */
static void unionDiffGeneric(client *c, const arg *keys, int n, int op, const arg *dstkey) {
    obj **sets = lmalloc((size_t)n * sizeof(*sets));
    if (lookupSets(c, keys, n, sets) < 0) goto done;
    obj *result = objCreateIntsetValue();
    if (op == SET_UNION) {
        for (int j = 0; j < n; j++) {
            if (!sets[j]) continue;
            memberIter it;
            member m;
            iterStart(&it, sets[j]);
            while (iterNext(&it, &m))
                setAdd(result, &m);
            iterStop(&it);
        }
    } else if (sets[0]) {
        /* Probing costs about |first| per other set, removing costs the
         * total size; probing gets an advantage for its better constants. */
        unsigned long long probe_work = 0, remove_work = 0;
        for (int j = 0; j < n; j++) {
            if (!sets[j]) continue;
            probe_work += setTypeSize(sets[0]);
            remove_work += setTypeSize(sets[j]);
        }
        if (probe_work / 2 <= remove_work) {
            qsort(sets + 1, (size_t)n - 1, sizeof(*sets), compareSizeDescending);
            diffByProbing(sets, n, result);
        } else {
            diffByRemoving(sets, n, result);
        }
    }
    if (dstkey) {
        storeResult(c, dstkey, result);
    } else {
        replyMembers(c, result);
        objDecrRef(result);
    }
done:
    lfree(sets);
}

static void sunionCommand(client *c) {
    unionDiffGeneric(c, &c->argv[1], c->argc - 1, SET_UNION, NULL);
}

static void sunionstoreCommand(client *c) {
    unionDiffGeneric(c, &c->argv[2], c->argc - 2, SET_UNION, &c->argv[1]);
}

static void sdiffCommand(client *c) {
    unionDiffGeneric(c, &c->argv[1], c->argc - 1, SET_DIFF, NULL);
}

static void sdiffstoreCommand(client *c) {
    unionDiffGeneric(c, &c->argv[2], c->argc - 2, SET_DIFF, &c->argv[1]);
}

/* --- SSCAN ---------------------------------------------------------------- */

static void collectMember(void *privdata, const dictEntry *de) {
    member m = {de->key, strLen(de->key), 0};
    vecPush(privdata, &m);
}

static void sscanCommand(client *c) {
    unsigned long cursor;
    scanOptions opt;
    obj *o = scanCollectionOrReply(c, OBJ_SET, &cursor, &opt);
    if (!o) return;
    char buf[LP_INTBUF_SIZE];
    size_t len;
    const char *p;
    if (o->encoding != OBJ_ENC_HT) {
        /* Compact encodings are small: everything in one call. */
        memberIter it;
        member m;
        long shown = 0;
        scanReplyCursor(c, 0);
        void *handle = replyDeferredLen(c);
        iterStart(&it, o);
        while (iterNext(&it, &m)) {
            p = memberBytes(&m, buf, &len);
            if (!scanPatternMatches(&opt, p, len)) continue;
            replyBulk(c, p, len);
            shown++;
        }
        iterStop(&it);
        replySetDeferredArrayLen(c, handle, shown);
        return;
    }
    /* Visit buckets until COUNT members were collected, bounded so that a
     * sparse table cannot make one call run for long. */
    memberVec batch = {0};
    long max_iterations = opt.count > LONG_MAX / 10 ? LONG_MAX : opt.count * 10;
    do {
        cursor = dictScan(o->ptr, cursor, collectMember, &batch);
    } while (cursor && max_iterations-- && batch.count < (unsigned long)opt.count);
    scanReplyCursor(c, cursor);
    void *handle = replyDeferredLen(c);
    long shown = 0;
    for (unsigned long i = 0; i < batch.count; i++) {
        const member *m = &batch.items[i];
        if (!scanPatternMatches(&opt, m->p, m->len)) continue;
        replyBulk(c, m->p, m->len);
        shown++;
    }
    replySetDeferredArrayLen(c, handle, shown);
    lfree(batch.items);
}

/* --- Command table -------------------------------------------------------- */

#define RO_FAST   (CMD_READONLY | CMD_FAST)
#define W_FAST    (CMD_WRITE | CMD_FAST)
#define W_DENYOOM (CMD_WRITE | CMD_DENYOOM)
#define G         CMD_GROUP_SET
#define INTER_COMPLEXITY                                                                           \
    "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of "     \
    "sets."
#define TOTAL_COMPLEXITY "O(N) where N is the total number of elements in all given sets."

command setCommandTable[] = {
    {"sadd", saddCommand, -3, W_DENYOOM | CMD_FAST, 1, 1, 1, G, "1.0.0",
     "O(1) for each element added, so O(N) to add N elements when the command is called with "
     "multiple arguments.",
     "Add one or more members to a set", NULL},
    {"srem", sremCommand, -3, W_FAST, 1, 1, 1, G, "1.0.0",
     "O(N) where N is the number of members to be removed.",
     "Remove one or more members from a set", NULL},
    {"smembers", smembersCommand, 2, CMD_READONLY, 1, 1, 1, G, "1.0.0",
     "O(N) where N is the set cardinality.", "Get all the members in a set", NULL},
    {"sismember", sismemberCommand, 3, RO_FAST, 1, 1, 1, G, "1.0.0", "O(1)",
     "Determine if a given value is a member of a set", NULL},
    {"smismember", smismemberCommand, -3, RO_FAST, 1, 1, 1, G, "6.2.0",
     "O(N) where N is the number of elements being checked for membership",
     "Returns the membership associated with the given elements for a set", NULL},
    {"scard", scardCommand, 2, RO_FAST, 1, 1, 1, G, "1.0.0", "O(1)",
     "Get the number of members in a set", NULL},
    {"spop", spopCommand, -2, W_FAST, 1, 1, 1, G, "1.0.0",
     "Without the count argument O(1), otherwise O(N) where N is the value of the passed count.",
     "Remove and return one or multiple random members from a set", NULL},
    {"srandmember", srandmemberCommand, -2, CMD_READONLY, 1, 1, 1, G, "1.0.0",
     "Without the count argument O(1), otherwise O(N) where N is the absolute value of the "
     "passed count.",
     "Get one or multiple random members from a set", NULL},
    {"smove", smoveCommand, 4, W_FAST, 1, 2, 1, G, "1.0.0", "O(1)",
     "Move a member from one set to another", NULL},
    {"sinter", sinterCommand, -2, CMD_READONLY, 1, -1, 1, G, "1.0.0", INTER_COMPLEXITY,
     "Intersect multiple sets", NULL},
    {"sintercard", sintercardCommand, -3, CMD_READONLY | CMD_MOVABLE_KEYS, 0, 0, 0, G, "7.0.0",
     INTER_COMPLEXITY,
     "Intersect multiple sets and return the cardinality of the result", NULL},
    {"sinterstore", sinterstoreCommand, -3, W_DENYOOM, 1, -1, 1, G, "1.0.0", INTER_COMPLEXITY,
     "Intersect multiple sets and store the resulting set in a key", NULL},
    {"sunion", sunionCommand, -2, CMD_READONLY, 1, -1, 1, G, "1.0.0", TOTAL_COMPLEXITY,
     "Add multiple sets", NULL},
    {"sunionstore", sunionstoreCommand, -3, W_DENYOOM, 1, -1, 1, G, "1.0.0", TOTAL_COMPLEXITY,
     "Add multiple sets and store the resulting set in a key", NULL},
    {"sdiff", sdiffCommand, -2, CMD_READONLY, 1, -1, 1, G, "1.0.0", TOTAL_COMPLEXITY,
     "Subtract multiple sets", NULL},
    {"sdiffstore", sdiffstoreCommand, -3, W_DENYOOM, 1, -1, 1, G, "1.0.0", TOTAL_COMPLEXITY,
     "Subtract multiple sets and store the resulting set in a key", NULL},
    {"sscan", sscanCommand, -3, CMD_READONLY, 1, 1, 1, G, "2.8.0",
     "O(1) for every call. O(N) for a complete iteration, including enough command calls for "
     "the cursor to return back to 0. N is the number of elements inside the collection..",
     "Incrementally iterate Set elements", NULL},
    {0}};
