/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The sorted-set commands (ZADD ... ZSCAN, the blocking pops, the set algebra)
 * and the sorted-set type over its two encodings: a listpack of (member, score)
 * pairs while the zset is small, converted once to a skiplist + dict (zset.h)
 * when it outgrows zset-max-listpack-entries or zset-max-listpack-value, never
 * back; results of the *STORE commands are built fresh in the encoding
 * redis-server 7.0 would give them. Sets are accepted as inputs of the set
 * algebra (every member with score 1) by reading their encodings directly.
 * Main thread only.
 */
#include "t_zset.h"

#include "alloc.h"
#include "block.h"
#include "command.h"
#include "db.h"
#include "propagate.h"
#include "dict.h"
#include "intset.h"
#include "reply.h"
#include "server.h"
#include "str.h"
#include "util.h"
#include "zset.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define arg_key(a) (a)->ptr, (a)->len

/* --- The listpack encoding -----------------------------------------------
 * Entries come in pairs, member then score, ordered as the skiplist orders its
 * nodes (score, then member bytes). As redis-server 7.0 writes them, a score that
 * is a whole number within +-2^62 is stored as an integer entry (so -0 becomes
 * 0) and any other score as its "%.17g" text; either way it reads back as the
 * same double, and the bytes, so the memory use, match Redis's. */

static size_t formatStoredScore(char *buf, size_t cap, double score) {
    const double limit = (double)(LLONG_MAX / 2);
    if (score >= -limit && score <= limit) {
        long long ll = (long long)score;
        if ((double)ll == score) return (size_t)ll2string(buf, cap, ll);
    }
    return (size_t)d2string(buf, cap, score);
}

static double scoreAt(const unsigned char *sp) {
    unsigned int len;
    long long ival;
    const unsigned char *s = lpGetValue(sp, &len, &ival);
    if (!s) return (double)ival;
    char buf[128];
    if (len >= sizeof(buf)) len = sizeof(buf) - 1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    return strtod(buf, NULL);
}

static const char *memberAt(const unsigned char *p, size_t *len, unsigned char *buf) {
    unsigned int n;
    const unsigned char *s = lpGetBytes(p, &n, buf);
    *len = n;
    return (const char *)s;
}

/* memcmp order; on a common prefix the shorter member first (as the skiplist). */
static int compareMembers(const char *a, size_t alen, const char *b, size_t blen) {
    int cmp = memcmp(a, b, alen < blen ? alen : blen);
    if (cmp) return cmp;
    return alen < blen ? -1 : alen > blen;
}

static unsigned char *appendScore(unsigned char *lp, double score) {
    char buf[UTIL_DOUBLE_STR_SIZE];
    size_t len = formatStoredScore(buf, sizeof(buf), score);
    return lpAppend(lp, (unsigned char *)buf, len);
}

/* The member's entry, or NULL; *score (if not NULL) gets its score. */
static unsigned char *findPair(unsigned char *lp, const char *m, size_t len, double *score) {
    unsigned char *p = lpFirst(lp);
    if (p) p = lpFind(lp, p, (const unsigned char *)m, len, 1);
    if (p && score) *score = scoreAt(lpNext(lp, p));
    return p;
}

/* Inserts a member known to be absent at its place in the order. */
static unsigned char *insertPair(unsigned char *lp, const char *m, size_t len, double score) {
    unsigned char buf[LP_INTBUF_SIZE];
    unsigned char *p = lpFirst(lp);
    while (p) {
        unsigned char *sp = lpNext(lp, p);
        double s = scoreAt(sp);
        if (s > score) break;
        if (s == score) {
            size_t plen;
            const char *pm = memberAt(p, &plen, buf);
            if (compareMembers(pm, plen, m, len) > 0) break;
        }
        p = lpNext(lp, sp);
    }
    if (!p) return appendScore(lpAppend(lp, (const unsigned char *)m, len), score);
    char sbuf[UTIL_DOUBLE_STR_SIZE];
    size_t slen = formatStoredScore(sbuf, sizeof(sbuf), score);
    unsigned char *mp;
    lp = lpInsert(lp, (const unsigned char *)m, len, p, LP_BEFORE, &mp);
    return lpInsert(lp, (unsigned char *)sbuf, slen, mp, LP_AFTER, NULL);
}

static unsigned char *deletePair(unsigned char *lp, unsigned char *p) {
    return lpDeleteRangeWithEntry(lp, &p, 2);
}

/* --- The sorted-set type over both encodings ----------------------------- */

unsigned long zsetTypeLength(const obj *o) {
    if (o->encoding == OBJ_ENC_LISTPACK) return lpLength(o->ptr) / 2;
    return zsetLength(o->ptr);
}

static obj *createSkiplistZset(void) {
    return objCreateEncoded(OBJ_ZSET, OBJ_ENC_SKIPLIST, zsetCreate());
}

/* A new zset for ZADD / ZINCRBY, encoded as redis-server 7.0 decides from the
 * first member alone: a listpack unless listpacks are disabled or that member is
 * too long for one. */
static obj *createZsetFor(size_t first_len) {
    if (server.zset_max_listpack_entries == 0 || first_len > (size_t)server.zset_max_listpack_value)
        return createSkiplistZset();
    return objCreateListpackValue(OBJ_ZSET);
}

static void convertToSkiplist(obj *o) {
    unsigned char *lp = o->ptr, buf[LP_INTBUF_SIZE];
    zset *zs = zsetCreate();
    /* From the highest score down, so each insert lands at the head. */
    unsigned char *sp = lpLast(lp);
    while (sp) {
        unsigned char *p = lpPrev(lp, sp);
        size_t len;
        const char *m = memberAt(p, &len, buf);
        int out;
        zsetAdd(zs, scoreAt(sp), m, len, 0, &out, NULL);
        sp = lpPrev(lp, p);
    }
    lpFree(lp);
    o->ptr = zs;
    o->encoding = OBJ_ENC_SKIPLIST;
}

/* For results built as a skiplist: the listpack encoding when they fit in one.
 * maxlen is the longest member, totlen all members' bytes. */
static void convertToListpackIfFits(obj *o, size_t maxlen, size_t totlen) {
    zset *zs = o->ptr;
    if (zsetLength(zs) > (unsigned long)server.zset_max_listpack_entries ||
        maxlen > (size_t)server.zset_max_listpack_value || !lpSafeToAdd(NULL, totlen))
        return;
    unsigned char *lp = lpNew(0);
    for (zskiplistNode *n = zs->zsl->header->level[0].forward; n; n = n->level[0].forward) {
        lp = lpAppend(lp, (unsigned char *)n->member, strLen(n->member));
        lp = appendScore(lp, n->score);
    }
    zsetFree(zs);
    o->ptr = lp;
    o->encoding = OBJ_ENC_LISTPACK;
}

/* zsetAdd (zset.h) for either encoding, with the same flags and results. A new
 * member that would take a listpack past its limits converts it first. */
static int addMember(obj *o, double score, const char *m, size_t len, int in_flags, int *out_flags,
                     double *newscore) {
    *out_flags = 0;
    if (isnan(score)) return -1;
    if (o->encoding == OBJ_ENC_SKIPLIST)
        return zsetAdd(o->ptr, score, m, len, in_flags, out_flags, newscore);

    double cur;
    unsigned char *p = findPair(o->ptr, m, len, &cur);
    if (p) {
        if (in_flags & ZSET_IN_NX) {
            *out_flags = ZSET_OUT_NOP;
            return 0;
        }
        if (in_flags & ZSET_IN_INCR) {
            score += cur;
            if (isnan(score)) return -1;
        }
        if (((in_flags & ZSET_IN_GT) && score <= cur) ||
            ((in_flags & ZSET_IN_LT) && score >= cur)) {
            *out_flags = ZSET_OUT_NOP;
            return 0;
        }
        if (newscore) *newscore = score;
        /* 0 and -0 compare equal: no update, as in Redis. */
        if (score != cur) {
            o->ptr = insertPair(deletePair(o->ptr, p), m, len, score);
            *out_flags = ZSET_OUT_UPDATED;
        }
        return 0;
    }
    if (in_flags & ZSET_IN_XX) {
        *out_flags = ZSET_OUT_NOP;
        return 0;
    }
    if (zsetTypeLength(o) + 1 > (unsigned long)server.zset_max_listpack_entries ||
        len > (size_t)server.zset_max_listpack_value || !lpSafeToAdd(o->ptr, len)) {
        convertToSkiplist(o);
        return zsetAdd(o->ptr, score, m, len, in_flags, out_flags, newscore);
    }
    o->ptr = insertPair(o->ptr, m, len, score);
    if (newscore) *newscore = score;
    *out_flags = ZSET_OUT_ADDED;
    return 0;
}

/* 1 if the member was removed. The caller deletes the key when it empties. */
static int removeMember(obj *o, const char *m, size_t len) {
    if (o->encoding == OBJ_ENC_SKIPLIST) return zsetRemove(o->ptr, m, len);
    unsigned char *p = findPair(o->ptr, m, len, NULL);
    if (!p) return 0;
    o->ptr = deletePair(o->ptr, p);
    return 1;
}

/* 0 and *score if the member is present, else -1. */
static int scoreOf(obj *o, const char *m, size_t len, double *score) {
    if (o->encoding == OBJ_ENC_SKIPLIST) return zsetScore(o->ptr, m, len, score);
    return findPair(o->ptr, m, len, score) ? 0 : -1;
}

/* 0-based rank (from the highest score with reverse), or -1 if absent. */
static long rankOf(obj *o, const char *m, size_t len, int reverse) {
    if (o->encoding == OBJ_ENC_SKIPLIST) return zsetRank(o->ptr, m, len, reverse);
    unsigned char *lp = o->ptr;
    long rank = 0;
    for (unsigned char *p = lpFirst(lp); p; p = lpNext(lp, lpNext(lp, p)), rank++) {
        if (lpCompare(p, (const unsigned char *)m, len))
            return reverse ? (long)zsetTypeLength(o) - 1 - rank : rank;
    }
    return -1;
}

/* --- Iteration ----------------------------------------------------------- */

void zsetTypeIterInit(zsetTypeIterator *it, obj *o, unsigned long rank, int reverse) {
    it->reverse = reverse;
    it->lp = o->encoding == OBJ_ENC_LISTPACK ? o->ptr : NULL;
    it->p = NULL;
    it->node = NULL;
    unsigned long len = zsetTypeLength(o);
    if (rank >= len) return;
    unsigned long index = reverse ? len - 1 - rank : rank;
    if (it->lp)
        it->p = lpSeek(it->lp, (long)(2 * index));
    else
        it->node = zslGetElementByRank(((zset *)o->ptr)->zsl, index + 1);
}

int zsetTypeIterNext(zsetTypeIterator *it, const char **member, size_t *len, double *score) {
    if (it->lp) {
        unsigned char *p = it->p;
        if (!p) return 0;
        unsigned char *sp = lpNext(it->lp, p);
        *member = memberAt(p, len, it->buf);
        if (score) *score = scoreAt(sp);
        if (it->reverse) {
            unsigned char *prev = lpPrev(it->lp, p);
            it->p = prev ? lpPrev(it->lp, prev) : NULL;
        } else {
            it->p = lpNext(it->lp, sp);
        }
        return 1;
    }
    zskiplistNode *n = it->node;
    if (!n) return 0;
    *member = n->member;
    *len = strLen(n->member);
    if (score) *score = n->score;
    it->node = it->reverse ? n->backward : n->level[0].forward;
    return 1;
}

/* --- Score and lex ranges ------------------------------------------------- */

enum { RANGE_AUTO, RANGE_RANK, RANGE_SCORE, RANGE_LEX };

typedef struct rangeQuery {
    int kind; /* RANGE_SCORE or RANGE_LEX (RANGE_RANK: ranks travel separately) */
    zrangespec score;
    zlexrangespec lex;
} rangeQuery;

static int parseRangeOrReply(client *c, int kind, const arg *min, const arg *max, rangeQuery *q) {
    q->kind = kind;
    if (kind == RANGE_SCORE) {
        if (zslParseRange(min->ptr, min->len, max->ptr, max->len, &q->score) == 0) return 0;
        replyError(c, "min or max is not a float");
        return -1;
    }
    if (zslParseLexRange(min->ptr, min->len, max->ptr, max->len, &q->lex) == 0) return 0;
    replyError(c, "min or max not valid string range item");
    return -1;
}

static void freeRange(rangeQuery *q) {
    if (q->kind == RANGE_LEX) zslFreeLexRange(&q->lex);
}

static int aboveMin(const rangeQuery *q, const char *m, size_t len, double score) {
    return q->kind == RANGE_SCORE ? zslScoreGteMin(score, &q->score)
                                  : zslLexGteMin(m, len, &q->lex);
}

static int belowMax(const rangeQuery *q, const char *m, size_t len, double score) {
    return q->kind == RANGE_SCORE ? zslScoreLteMax(score, &q->score)
                                  : zslLexLteMax(m, len, &q->lex);
}

/* Whether a member reached walking from one end of the range is still inside
 * the other end. */
static int withinFarEnd(const rangeQuery *q, int reverse, const char *m, size_t len, double score) {
    return reverse ? aboveMin(q, m, len, score) : belowMax(q, m, len, score);
}

static zskiplistNode *firstInRange(zskiplist *zsl, const rangeQuery *q) {
    return q->kind == RANGE_SCORE ? zslFirstInRange(zsl, &q->score)
                                  : zslFirstInLexRange(zsl, &q->lex);
}

static zskiplistNode *lastInRange(zskiplist *zsl, const rangeQuery *q) {
    return q->kind == RANGE_SCORE ? zslLastInRange(zsl, &q->score)
                                  : zslLastInLexRange(zsl, &q->lex);
}

static int compareLexEnds(const str a, const str b) {
    if (a == b) return 0;
    if (a == zslLexMinusInf || b == zslLexPlusInf) return -1;
    if (a == zslLexPlusInf || b == zslLexMinusInf) return 1;
    return strCmp(a, b);
}

/* redis-server 7.0's quick test before it walks a listpack range (the skiplist
 * functions make the same one): the range is not empty, the last member is above
 * its min and the first below its max. On sorted members this changes no answer;
 * for lex ranges over members of different scores, whose result Redis leaves
 * unspecified, it keeps the answers Redis gives. */
static int listpackMayHold(unsigned char *lp, const rangeQuery *q) {
    if (q->kind == RANGE_SCORE) {
        const zrangespec *r = &q->score;
        if (r->min > r->max || (r->min == r->max && (r->minex || r->maxex))) return 0;
    } else {
        int cmp = compareLexEnds(q->lex.min, q->lex.max);
        if (cmp > 0 || (cmp == 0 && (q->lex.minex || q->lex.maxex))) return 0;
    }
    unsigned char buf[LP_INTBUF_SIZE], *last = lpSeek(lp, -2), *first = lpFirst(lp);
    if (!last) return 0;
    size_t len;
    const char *m = memberAt(last, &len, buf);
    if (!aboveMin(q, m, len, scoreAt(lpNext(lp, last)))) return 0;
    m = memberAt(first, &len, buf);
    return belowMax(q, m, len, scoreAt(lpNext(lp, first)));
}

/* Starts it at the first member inside q's near end (with reverse, the last one
 * below its max); the caller checks each member against the far end. */
static void iterInitRange(zsetTypeIterator *it, obj *o, const rangeQuery *q, int reverse) {
    zsetTypeIterInit(it, o, 0, reverse);
    if (!it->lp) {
        zskiplist *zsl = ((zset *)o->ptr)->zsl;
        it->node = reverse ? lastInRange(zsl, q) : firstInRange(zsl, q);
        return;
    }
    if (!listpackMayHold(it->lp, q)) {
        it->p = NULL;
        return;
    }
    for (;;) {
        unsigned char *at = it->p;
        const char *m;
        size_t len;
        double score;
        if (!zsetTypeIterNext(it, &m, &len, &score)) return;
        if (reverse ? belowMax(q, m, len, score) : aboveMin(q, m, len, score)) {
            it->p = at;
            return;
        }
    }
}

static unsigned long countInRange(obj *o, const rangeQuery *q) {
    if (o->encoding == OBJ_ENC_SKIPLIST) {
        zskiplist *zsl = ((zset *)o->ptr)->zsl;
        zskiplistNode *first = firstInRange(zsl, q);
        if (!first) return 0;
        zskiplistNode *last = lastInRange(zsl, q);
        return zslGetRank(zsl, last->score, last->member, strLen(last->member)) -
               zslGetRank(zsl, first->score, first->member, strLen(first->member)) + 1;
    }
    zsetTypeIterator it;
    iterInitRange(&it, o, q, 0);
    unsigned long count = 0;
    const char *m;
    size_t len;
    double score;
    while (zsetTypeIterNext(&it, &m, &len, &score) && belowMax(q, m, len, score))
        count++;
    return count;
}

/* Removes the members in q's range, or with q == NULL the 0-based ranks
 * start..end (already clamped to the zset). Returns how many went. */
static unsigned long removeRange(obj *o, const rangeQuery *q, long start, long end) {
    if (o->encoding == OBJ_ENC_SKIPLIST) {
        zset *zs = o->ptr;
        if (!q) return zsetDeleteRangeByRank(zs, (unsigned long)start + 1, (unsigned long)end + 1);
        if (q->kind == RANGE_SCORE) return zsetDeleteRangeByScore(zs, &q->score);
        return zsetDeleteRangeByLex(zs, &q->lex);
    }
    if (q) {
        if (!listpackMayHold(o->ptr, q)) return 0;
        zsetTypeIterator it;
        zsetTypeIterInit(&it, o, 0, 0);
        long below = 0, inside = 0;
        const char *m;
        size_t len;
        double score;
        while (zsetTypeIterNext(&it, &m, &len, &score)) {
            if (!inside && !aboveMin(q, m, len, score)) {
                below++;
                continue;
            }
            if (!belowMax(q, m, len, score)) break;
            inside++;
        }
        if (!inside) return 0;
        start = below;
        end = below + inside - 1;
    }
    unsigned long n = (unsigned long)(end - start + 1);
    o->ptr = lpDeleteRange(o->ptr, 2 * start, 2 * n);
    return n;
}

/* --- Replies ------------------------------------------------------------- */

/* A member, with its score when asked: in RESP3 the two as a [member, score]
 * pair, in RESP2 side by side in the enclosing flat array. */
static void replyMember(client *c, const char *m, size_t len, double score, int withscores) {
    if (withscores && c->resp > 2) replyArrayLen(c, 2);
    replyBulk(c, m, len);
    if (withscores) replyDouble(c, score);
}

/* The array header for n members (doubled in RESP2 with scores). */
static void replyMembersLen(client *c, unsigned long n, int withscores) {
    replyArrayLen(c, (long)(withscores && c->resp == 2 ? 2 * n : n));
}

static int argToScoreOrReply(client *c, const arg *a, double *d, const char *msg) {
    if (string2d(a->ptr, a->len, d)) return 0;
    replyError(c, msg ? msg : "value is not a valid float");
    return -1;
}

/* A *STORE command's result: stored at dstkey (replacing any value and its TTL)
 * with its length as the reply; an empty result deletes dstkey instead. Takes
 * the reference to dst. */
static void storeResult(client *c, const arg *dstkey, obj *dst) {
    unsigned long len = zsetTypeLength(dst);
    if (len) {
        dbSetKey(c->db, arg_key(dstkey), dst, 0);
        server.dirty++;
        blockSignalKeyReady(c->db, arg_key(dstkey));
        replyLongLong(c, (long long)len);
        return;
    }
    objDecrRef(dst);
    if (dbDelete(c->db, arg_key(dstkey))) server.dirty++;
    replyLongLong(c, 0);
}

/* --- ZADD, ZINCRBY, ZREM, ZCARD, ZSCORE, ZMSCORE, ZRANK ------------------- */

static void zaddGeneric(client *c, int in_flags) {
    const arg *key = &c->argv[1];
    int ch = 0, first = 2;
    for (; first < c->argc; first++) {
        const arg *a = &c->argv[first];
        if (argEquals(a, "nx"))
            in_flags |= ZSET_IN_NX;
        else if (argEquals(a, "xx"))
            in_flags |= ZSET_IN_XX;
        else if (argEquals(a, "ch"))
            ch = 1;
        else if (argEquals(a, "incr"))
            in_flags |= ZSET_IN_INCR;
        else if (argEquals(a, "gt"))
            in_flags |= ZSET_IN_GT;
        else if (argEquals(a, "lt"))
            in_flags |= ZSET_IN_LT;
        else
            break;
    }
    int incr = in_flags & ZSET_IN_INCR, nx = in_flags & ZSET_IN_NX, xx = in_flags & ZSET_IN_XX;
    int gt = in_flags & ZSET_IN_GT, lt = in_flags & ZSET_IN_LT;
    int args = c->argc - first, pairs = args / 2;
    if (args % 2 || pairs == 0) {
        replySyntaxError(c);
        return;
    }
    if (nx && xx) {
        replyError(c, "XX and NX options at the same time are not compatible");
        return;
    }
    if ((gt && nx) || (lt && nx) || (gt && lt)) {
        replyError(c, "GT, LT, and/or NX options at the same time are not compatible");
        return;
    }
    if (incr && pairs > 1) {
        replyError(c, "INCR option supports a single increment-element pair");
        return;
    }

    double *scores = lmalloc(sizeof(double) * (size_t)pairs);
    long long added = 0, updated = 0, processed = 0;
    double score = 0;
    for (int i = 0; i < pairs; i++)
        if (argToScoreOrReply(c, &c->argv[first + 2 * i], &scores[i], NULL) < 0) goto done;
    int wrongtype;
    obj *o = lookupTypedWrite(c, key, OBJ_ZSET, &wrongtype);
    if (wrongtype) goto done;
    if (!o) {
        if (xx) goto reply; /* nothing to update */
        o = createZsetFor(c->argv[first + 1].len);
        dbAdd(c->db, arg_key(key), o);
    }
    for (int i = 0; i < pairs; i++) {
        const arg *m = &c->argv[first + 2 * i + 1];
        int out;
        double newscore;
        if (addMember(o, scores[i], m->ptr, m->len, in_flags, &out, &newscore) < 0) {
            replyError(c, "resulting score is not a number (NaN)");
            goto done;
        }
        if (out & ZSET_OUT_ADDED) added++;
        if (out & ZSET_OUT_UPDATED) updated++;
        if (!(out & ZSET_OUT_NOP)) {
            processed++;
            score = newscore;
        }
    }
    server.dirty += added + updated;
    if (added) blockSignalKeyReady(c->db, arg_key(key));
reply:
    if (!incr)
        replyLongLong(c, ch ? added + updated : added);
    else if (processed)
        replyDouble(c, score);
    else
        replyNull(c);
done:
    lfree(scores);
}

static void zaddCommand(client *c) {
    zaddGeneric(c, 0);
}
static void zincrbyCommand(client *c) {
    zaddGeneric(c, ZSET_IN_INCR);
}

static void zremCommand(client *c) {
    const arg *key = &c->argv[1];
    int wrongtype;
    obj *o = lookupTypedWrite(c, key, OBJ_ZSET, &wrongtype);
    if (!o) {
        if (!wrongtype) replyLongLong(c, 0);
        return;
    }
    long long deleted = 0;
    for (int j = 2; j < c->argc; j++) {
        deleted += removeMember(o, arg_key(&c->argv[j]));
        if (zsetTypeLength(o) == 0) {
            dbDelete(c->db, arg_key(key));
            break;
        }
    }
    server.dirty += deleted;
    replyLongLong(c, deleted);
}

static void zcardCommand(client *c) {
    int wrongtype;
    obj *o = lookupTypedRead(c, &c->argv[1], OBJ_ZSET, &wrongtype);
    if (!wrongtype) replyLongLong(c, o ? (long long)zsetTypeLength(o) : 0);
}

static void zscoreCommand(client *c) {
    int wrongtype;
    obj *o = lookupTypedRead(c, &c->argv[1], OBJ_ZSET, &wrongtype);
    if (wrongtype) return;
    double score;
    if (o && scoreOf(o, arg_key(&c->argv[2]), &score) == 0)
        replyDouble(c, score);
    else
        replyNull(c);
}

static void zmscoreCommand(client *c) {
    int wrongtype;
    obj *o = lookupTypedRead(c, &c->argv[1], OBJ_ZSET, &wrongtype);
    if (wrongtype) return;
    replyArrayLen(c, c->argc - 2);
    for (int j = 2; j < c->argc; j++) {
        double score;
        if (o && scoreOf(o, arg_key(&c->argv[j]), &score) == 0)
            replyDouble(c, score);
        else
            replyNull(c);
    }
}

static void rankGeneric(client *c, int reverse) {
    int wrongtype;
    obj *o = lookupTypedRead(c, &c->argv[1], OBJ_ZSET, &wrongtype);
    if (wrongtype) return;
    long rank = o ? rankOf(o, arg_key(&c->argv[2]), reverse) : -1;
    if (rank < 0)
        replyNull(c);
    else
        replyLongLong(c, rank);
}

static void zrankCommand(client *c) {
    rankGeneric(c, 0);
}
static void zrevrankCommand(client *c) {
    rankGeneric(c, 1);
}

/* --- ZCOUNT, ZLEXCOUNT, ZREMRANGEBY* -------------------------------------- */

static void countGeneric(client *c, int kind) {
    rangeQuery q;
    if (parseRangeOrReply(c, kind, &c->argv[2], &c->argv[3], &q) < 0) return;
    int wrongtype;
    obj *o = lookupTypedRead(c, &c->argv[1], OBJ_ZSET, &wrongtype);
    if (!wrongtype) replyLongLong(c, o ? (long long)countInRange(o, &q) : 0);
    freeRange(&q);
}

static void zcountCommand(client *c) {
    countGeneric(c, RANGE_SCORE);
}
static void zlexcountCommand(client *c) {
    countGeneric(c, RANGE_LEX);
}

static void remrangeGeneric(client *c, int kind) {
    const arg *key = &c->argv[1];
    rangeQuery q, *range = NULL;
    long start = 0, end = 0;
    if (kind == RANGE_RANK) {
        if (argToLongOrReply(c, &c->argv[2], &start, NULL) < 0 ||
            argToLongOrReply(c, &c->argv[3], &end, NULL) < 0)
            return;
    } else {
        if (parseRangeOrReply(c, kind, &c->argv[2], &c->argv[3], &q) < 0) return;
        range = &q;
    }
    int wrongtype;
    obj *o = lookupTypedWrite(c, key, OBJ_ZSET, &wrongtype);
    if (!o) {
        if (!wrongtype) replyLongLong(c, 0);
        goto done;
    }
    if (kind == RANGE_RANK) {
        long len = (long)zsetTypeLength(o);
        if (start < 0) start += len;
        if (end < 0) end += len;
        if (start < 0) start = 0;
        if (start > end || start >= len) {
            replyLongLong(c, 0);
            goto done;
        }
        if (end >= len) end = len - 1;
    }
    unsigned long removed = removeRange(o, range, start, end);
    if (zsetTypeLength(o) == 0) dbDelete(c->db, arg_key(key));
    server.dirty += (long long)removed;
    replyLongLong(c, (long long)removed);
done:
    if (range) freeRange(range);
}

static void zremrangebyrankCommand(client *c) {
    remrangeGeneric(c, RANGE_RANK);
}
static void zremrangebyscoreCommand(client *c) {
    remrangeGeneric(c, RANGE_SCORE);
}
static void zremrangebylexCommand(client *c) {
    remrangeGeneric(c, RANGE_LEX);
}

/* --- ZRANGE and its variants, ZRANGESTORE --------------------------------- */

/* Where a range goes: to the client, or into a new zset stored at dstkey. */
typedef struct rangeOutput {
    client *c;
    const arg *dstkey; /* ZRANGESTORE's destination, else NULL */
    obj *dst;          /* the zset being stored */
    int withscores;
    void *deferred; /* the reply's length, when not known up front */
    unsigned long count;
} rangeOutput;

/* length is the number of members to come, or -1 when not known yet. */
static void beginOutput(rangeOutput *out, long length) {
    out->count = 0;
    out->deferred = NULL;
    if (out->dstkey) {
        /* As redis-server 7.0: a skiplist when the length is known to be past the
         * listpack limit, else a listpack that converts if it must. */
        out->dst = length > (long)server.zset_max_listpack_entries
                       ? createSkiplistZset()
                       : objCreateListpackValue(OBJ_ZSET);
        return;
    }
    if (length < 0)
        out->deferred = replyDeferredLen(out->c);
    else
        replyMembersLen(out->c, (unsigned long)length, out->withscores);
}

static void emitOutput(rangeOutput *out, const char *m, size_t len, double score) {
    out->count++;
    if (out->dst) {
        int flags;
        addMember(out->dst, score, m, len, 0, &flags, NULL);
    } else {
        replyMember(out->c, m, len, score, out->withscores);
    }
}

static void endOutput(rangeOutput *out) {
    client *c = out->c;
    if (out->dst) {
        storeResult(c, out->dstkey, out->dst);
    } else if (out->deferred) {
        unsigned long n = out->withscores && c->resp == 2 ? 2 * out->count : out->count;
        replySetDeferredArrayLen(c, out->deferred, (long)n);
    }
}

static void rangeByRank(rangeOutput *out, obj *o, long start, long end, int reverse) {
    long len = (long)zsetTypeLength(o);
    if (start < 0) start += len;
    if (end < 0) end += len;
    if (start < 0) start = 0;
    if (start > end || start >= len) {
        beginOutput(out, 0);
        endOutput(out);
        return;
    }
    if (end >= len) end = len - 1;
    long n = end - start + 1;
    beginOutput(out, n);
    zsetTypeIterator it;
    zsetTypeIterInit(&it, o, (unsigned long)start, reverse);
    const char *m;
    size_t mlen;
    double score = 0;
    int need_score = out->withscores || out->dst;
    while (n-- > 0 && zsetTypeIterNext(&it, &m, &mlen, need_score ? &score : NULL))
        emitOutput(out, m, mlen, score);
    endOutput(out);
}

/* BYSCORE and BYLEX: offset members of the range are skipped, then at most limit
 * (all when negative) are emitted; a negative offset gives nothing, as in Redis. */
static void rangeByQuery(rangeOutput *out, obj *o, const rangeQuery *q, long offset, long limit,
                         int reverse) {
    if (offset < 0 || (offset > 0 && (unsigned long)offset >= zsetTypeLength(o))) {
        beginOutput(out, 0);
        endOutput(out);
        return;
    }
    beginOutput(out, -1);
    zsetTypeIterator it;
    iterInitRange(&it, o, q, reverse);
    const char *m;
    size_t len;
    double score;
    while (limit != 0 && zsetTypeIterNext(&it, &m, &len, &score)) {
        if (!withinFarEnd(q, reverse, m, len, score)) break;
        if (offset > 0) {
            offset--;
            continue;
        }
        emitOutput(out, m, len, score);
        if (limit > 0) limit--;
    }
    endOutput(out);
}

/* ZRANGE and every variant: key (at argv[first]), min, max, then options. kind
 * and reverse are fixed by the older commands (RANGE_AUTO / -1: from options). */
static void zrangeGeneric(client *c, int first, const arg *dstkey, int kind, int reverse) {
    int withscores = 0;
    long offset = 0, limit = -1;
    for (int j = first + 3; j < c->argc; j++) {
        const arg *a = &c->argv[j];
        int left = c->argc - j - 1;
        if (!dstkey && argEquals(a, "withscores")) {
            withscores = 1;
        } else if (argEquals(a, "limit") && left >= 2) {
            if (argToLongOrReply(c, &c->argv[j + 1], &offset, NULL) < 0 ||
                argToLongOrReply(c, &c->argv[j + 2], &limit, NULL) < 0)
                return;
            j += 2;
        } else if (reverse == -1 && argEquals(a, "rev")) {
            reverse = 1;
        } else if (kind == RANGE_AUTO && argEquals(a, "bylex")) {
            kind = RANGE_LEX;
        } else if (kind == RANGE_AUTO && argEquals(a, "byscore")) {
            kind = RANGE_SCORE;
        } else {
            replySyntaxError(c);
            return;
        }
    }
    if (reverse == -1) reverse = 0;
    if (kind == RANGE_AUTO) kind = RANGE_RANK;
    if (limit != -1 && kind == RANGE_RANK) {
        replyError(c, "syntax error, LIMIT is only supported in combination with either BYSCORE "
                      "or BYLEX");
        return;
    }
    if (withscores && kind == RANGE_LEX) {
        replyError(c, "syntax error, WITHSCORES not supported in combination with BYLEX");
        return;
    }
    /* Score and lex ranges are given as max, min when reversed. */
    const arg *min = &c->argv[first + 1], *max = &c->argv[first + 2];
    if (reverse && kind != RANGE_RANK) {
        const arg *t = min;
        min = max;
        max = t;
    }
    long start = 0, end = 0;
    rangeQuery q;
    if (kind == RANGE_RANK) {
        if (argToLongOrReply(c, min, &start, NULL) < 0 || argToLongOrReply(c, max, &end, NULL) < 0)
            return;
    } else if (parseRangeOrReply(c, kind, min, max, &q) < 0) {
        return;
    }

    rangeOutput out = {.c = c, .dstkey = dstkey, .withscores = withscores};
    int wrongtype;
    obj *o = lookupTypedRead(c, &c->argv[first], OBJ_ZSET, &wrongtype);
    if (wrongtype) goto done;
    if (!o) {
        beginOutput(&out, 0);
        endOutput(&out);
    } else if (kind == RANGE_RANK) {
        rangeByRank(&out, o, start, end, reverse);
    } else {
        rangeByQuery(&out, o, &q, offset, limit, reverse);
    }
done:
    if (kind != RANGE_RANK) freeRange(&q);
}

static void zrangeCommand(client *c) {
    zrangeGeneric(c, 1, NULL, RANGE_AUTO, -1);
}
static void zrangestoreCommand(client *c) {
    zrangeGeneric(c, 2, &c->argv[1], RANGE_AUTO, -1);
}
static void zrevrangeCommand(client *c) {
    zrangeGeneric(c, 1, NULL, RANGE_RANK, 1);
}
static void zrangebyscoreCommand(client *c) {
    zrangeGeneric(c, 1, NULL, RANGE_SCORE, 0);
}
static void zrevrangebyscoreCommand(client *c) {
    zrangeGeneric(c, 1, NULL, RANGE_SCORE, 1);
}
static void zrangebylexCommand(client *c) {
    zrangeGeneric(c, 1, NULL, RANGE_LEX, 0);
}
static void zrevrangebylexCommand(client *c) {
    zrangeGeneric(c, 1, NULL, RANGE_LEX, 1);
}

/* --- Pops ---------------------------------------------------------------- */

/* Reply shapes of the pops, as redis-server 7.0 sends them. */
enum {
    POP_FLAT,       /* ZPOPMIN/ZPOPMAX (RESP2, or RESP3 without COUNT): member, score, ... */
    POP_NESTED,     /* ZPOPMIN/ZPOPMAX with COUNT in RESP3: [member, score], ... */
    POP_KEYED_FLAT, /* BZPOPMIN/BZPOPMAX: key, member, score */
    POP_KEYED,      /* ZMPOP/BZMPOP: key, [[member, score], ...] */
};

/* Pops up to count members from the low end (or high end with max) of the
 * non-empty zset o stored at key, replying with them in `shape`. Every pop
 * (blocking or not) replays as ZPOPMIN or ZPOPMAX with the count it took. */
static void popAndReply(client *c, const arg *key, obj *o, int max, unsigned long count,
                        int shape) {
    unsigned long len = zsetTypeLength(o), n = count < len ? count : len;
    char buf[32];
    arg argv[3] = {max ? (arg){"ZPOPMAX", 7} : (arg){"ZPOPMIN", 7}, *key,
                   propagateArgFromLongLong(buf, sizeof(buf), (long long)n)};
    propagateReplace(c, 3, argv);
    switch (shape) {
        case POP_FLAT: replyArrayLen(c, (long)(2 * n)); break;
        case POP_NESTED: replyArrayLen(c, (long)n); break;
        case POP_KEYED_FLAT:
            replyArrayLen(c, (long)(2 * n + 1));
            replyBulk(c, arg_key(key));
            break;
        default:
            replyArrayLen(c, 2);
            replyBulk(c, arg_key(key));
            replyArrayLen(c, (long)n);
            break;
    }
    int nested = shape == POP_NESTED || shape == POP_KEYED;
    zsetTypeIterator it;
    zsetTypeIterInit(&it, o, 0, max);
    const char *m;
    size_t mlen;
    double score;
    for (unsigned long i = 0; i < n && zsetTypeIterNext(&it, &m, &mlen, &score); i++) {
        if (nested) replyArrayLen(c, 2);
        replyBulk(c, m, mlen);
        replyDouble(c, score);
    }
    if (o->encoding == OBJ_ENC_LISTPACK)
        o->ptr = lpDeleteRange(o->ptr, max ? -(long)(2 * n) : 0, 2 * n);
    else if (max)
        zsetDeleteRangeByRank(o->ptr, len - n + 1, len);
    else
        zsetDeleteRangeByRank(o->ptr, 1, n);
    server.dirty += (long long)n;
    if (n == len) dbDelete(c->db, arg_key(key));
}

static void zpopGeneric(client *c, int max) {
    if (c->argc > 3) {
        replySyntaxError(c);
        return;
    }
    long count = -1;
    if (c->argc == 3 && argToPositiveLongOrReply(c, &c->argv[2], &count,
                                                 "value is out of range, must be positive") < 0)
        return;
    int wrongtype;
    obj *o = lookupTypedWrite(c, &c->argv[1], OBJ_ZSET, &wrongtype);
    if (wrongtype) return;
    if (!o || count == 0) {
        replyArrayLen(c, 0);
        return;
    }
    int shape = c->resp > 2 && count != -1 ? POP_NESTED : POP_FLAT;
    popAndReply(c, &c->argv[1], o, max, count == -1 ? 1 : (unsigned long)count, shape);
}

static void zpopminCommand(client *c) {
    zpopGeneric(c, 0);
}
static void zpopmaxCommand(client *c) {
    zpopGeneric(c, 1);
}

/* Pops from the first of keys[0..numkeys) that exists. 1 when it replied (the
 * pop, or WRONGTYPE from a key of another type met first), 0 if none exists. */
static int popFirstExisting(client *c, const arg *keys, long numkeys, int max, unsigned long count,
                            int shape) {
    for (long j = 0; j < numkeys; j++) {
        int wrongtype;
        obj *o = lookupTypedWrite(c, &keys[j], OBJ_ZSET, &wrongtype);
        if (wrongtype) return 1;
        if (!o) continue;
        popAndReply(c, &keys[j], o, max, count, shape);
        return 1;
    }
    return 0;
}

static void bzpopGeneric(client *c, int max) {
    long long deadline;
    if (blockParseTimeout(c, &c->argv[c->argc - 1], &deadline) < 0) return;
    if (popFirstExisting(c, &c->argv[1], c->argc - 2, max, 1, POP_KEYED_FLAT)) return;
    blockClientOnKeys(c, &c->argv[1], c->argc - 2, deadline);
}

static void bzpopminCommand(client *c) {
    bzpopGeneric(c, 0);
}
static void bzpopmaxCommand(client *c) {
    bzpopGeneric(c, 1);
}


static void zmpopCommand(client *c) {
    mpopArgs a;
    if (mpopParseOrReply(c, 1, "min", "max", &a) < 0) return;
    if (!popFirstExisting(c, &c->argv[2], a.numkeys, a.end, (unsigned long)a.count, POP_KEYED))
        replyNullArray(c);
}

static void bzmpopCommand(client *c) {
    mpopArgs a;
    if (mpopParseOrReply(c, 2, "min", "max", &a) < 0) return;
    long long deadline;
    if (blockParseTimeout(c, &c->argv[1], &deadline) < 0) return;
    if (popFirstExisting(c, &c->argv[3], a.numkeys, a.end, (unsigned long)a.count, POP_KEYED))
        return;
    blockClientOnKeys(c, &c->argv[3], a.numkeys, deadline);
}

/* --- ZRANDMEMBER --------------------------------------------------------- */

/* Members drawn at a time from a listpack for a negative count. */
#define RANDOM_SAMPLE_BATCH 1000

static void replyListpackPair(client *c, unsigned char *lp, unsigned char *p, int withscores) {
    unsigned char buf[LP_INTBUF_SIZE];
    size_t len;
    const char *m = memberAt(p, &len, buf);
    replyMember(c, m, len, withscores ? scoreAt(lpNext(lp, p)) : 0, withscores);
}

static zskiplistNode *randomNode(obj *o) {
    zskiplist *zsl = ((zset *)o->ptr)->zsl;
    return zslGetElementByRank(zsl, randomU64() % zsl->length + 1);
}

/* count members drawn independently (repeats possible), in draw order. */
static void replyRandomRepeats(client *c, obj *o, unsigned long count, int withscores) {
    replyMembersLen(c, count, withscores);
    if (o->encoding == OBJ_ENC_SKIPLIST) {
        while (count-- && !(c->flags & CLIENT_CLOSE_ASAP)) {
            zskiplistNode *n = randomNode(o);
            replyMember(c, n->member, strLen(n->member), n->score, withscores);
        }
        return;
    }
    unsigned char *picks[RANDOM_SAMPLE_BATCH];
    while (count && !(c->flags & CLIENT_CLOSE_ASAP)) {
        unsigned long n = count < RANDOM_SAMPLE_BATCH ? count : RANDOM_SAMPLE_BATCH;
        lpRandomSample(o->ptr, 2, n, picks);
        for (unsigned long i = 0; i < n; i++)
            replyListpackPair(c, o->ptr, picks[i], withscores);
        count -= n;
    }
}

static const dictType picked_dict_type = {.nocase = 0, .owns_keys = 0, .free_val = NULL};

/* count distinct members, fewer than the zset has. */
static void replyRandomDistinct(client *c, obj *o, unsigned long count, int withscores) {
    unsigned long size = zsetTypeLength(o);
    replyMembersLen(c, count, withscores);
    if (o->encoding == OBJ_ENC_LISTPACK) {
        unsigned char **picks = lmalloc(sizeof(*picks) * count);
        unsigned long n = lpRandomSampleUnique(o->ptr, 2, count, picks);
        for (unsigned long i = 0; i < n; i++)
            replyListpackPair(c, o->ptr, picks[i], withscores);
        lfree(picks);
        return;
    }
    if (count * 3 > size) {
        /* Most of the zset: one walk choosing each member with probability
         * still needed / still left (selection sampling), so in order. */
        zsetTypeIterator it;
        zsetTypeIterInit(&it, o, 0, 0);
        const char *m;
        size_t len;
        double score;
        unsigned long left = size;
        while (count && zsetTypeIterNext(&it, &m, &len, &score)) {
            if (randomU64() % left-- < count) {
                replyMember(c, m, len, score, withscores);
                count--;
            }
        }
        return;
    }
    /* A small part: random ranks until count distinct members came up. */
    dict *picked = dictCreate(&picked_dict_type);
    while (count) {
        zskiplistNode *n = randomNode(o);
        if (dictAdd(picked, n->member, NULL) < 0) continue;
        replyMember(c, n->member, strLen(n->member), n->score, withscores);
        count--;
    }
    dictRelease(picked);
}

static void randmemberWithCount(client *c, long l, int withscores) {
    int wrongtype;
    obj *o = lookupTypedRead(c, &c->argv[1], OBJ_ZSET, &wrongtype);
    if (!o) {
        if (!wrongtype) replyArrayLen(c, 0);
        return;
    }
    unsigned long size = zsetTypeLength(o);
    unsigned long count = l >= 0 ? (unsigned long)l : (unsigned long)-l;
    if (count == 0) {
        replyArrayLen(c, 0);
    } else if (l < 0 || count == 1) {
        replyRandomRepeats(c, o, count, withscores);
    } else if (count >= size) {
        /* The whole zset, from the highest score down as redis-server 7.0 sends it. */
        replyMembersLen(c, size, withscores);
        zsetTypeIterator it;
        zsetTypeIterInit(&it, o, 0, 1);
        const char *m;
        size_t len;
        double score;
        while (zsetTypeIterNext(&it, &m, &len, &score))
            replyMember(c, m, len, score, withscores);
    } else {
        replyRandomDistinct(c, o, count, withscores);
    }
}

static void zrandmemberCommand(client *c) {
    if (c->argc >= 3) {
        long l;
        if (argToRandomCountOrReply(c, &c->argv[2], &l) < 0) return;
        if (c->argc > 4 || (c->argc == 4 && !argEquals(&c->argv[3], "withscores"))) {
            replySyntaxError(c);
            return;
        }
        int withscores = c->argc == 4;
        if (withscores && (l < -LONG_MAX / 2 || l > LONG_MAX / 2)) {
            replyError(c, "value is out of range");
            return;
        }
        randmemberWithCount(c, l, withscores);
        return;
    }
    int wrongtype;
    obj *o = lookupTypedRead(c, &c->argv[1], OBJ_ZSET, &wrongtype);
    if (!o) {
        if (!wrongtype) replyNull(c);
        return;
    }
    if (o->encoding == OBJ_ENC_SKIPLIST) {
        zskiplistNode *n = randomNode(o);
        replyBulk(c, n->member, strLen(n->member));
    } else {
        unsigned char *p;
        lpRandomSample(o->ptr, 2, 1, &p);
        replyListpackPair(c, o->ptr, p, 0);
    }
}

/* --- ZUNION, ZINTER, ZDIFF, their STORE forms, ZINTERCARD ----------------- */

/* An input: a zset, or a set whose members all score 1. */
typedef struct zsource {
    obj *o; /* NULL for a missing key, which counts as empty */
    unsigned long length;
    double weight;
    long index; /* position among the keys, so sorting by length is stable */
} zsource;

static unsigned long sourceLength(const obj *o) {
    if (!o) return 0;
    if (o->type == OBJ_ZSET) return zsetTypeLength(o);
    switch (o->encoding) {
        case OBJ_ENC_INTSET: return intsetLen(o->ptr);
        case OBJ_ENC_LISTPACK: return lpLength(o->ptr);
        default: return dictSize(o->ptr);
    }
}

typedef struct sourceIter {
    obj *o;
    zsetTypeIterator zit; /* zset */
    uint32_t pos;         /* intset */
    unsigned char *p;     /* listpack set */
    dictIterator *di;     /* hashtable set */
    unsigned char buf[LP_INTBUF_SIZE];
} sourceIter;

static void sourceIterInit(sourceIter *it, obj *o) {
    it->o = o;
    it->pos = 0;
    it->p = NULL;
    it->di = NULL;
    if (o->type == OBJ_ZSET)
        zsetTypeIterInit(&it->zit, o, 0, 0);
    else if (o->encoding == OBJ_ENC_LISTPACK)
        it->p = lpFirst(o->ptr);
    else if (o->encoding == OBJ_ENC_HT)
        it->di = dictGetSafeIterator(o->ptr);
}

static int sourceIterNext(sourceIter *it, const char **m, size_t *len, double *score) {
    obj *o = it->o;
    if (o->type == OBJ_ZSET) return zsetTypeIterNext(&it->zit, m, len, score);
    *score = 1.0;
    if (o->encoding == OBJ_ENC_INTSET) {
        int64_t v;
        if (!intsetGet(o->ptr, it->pos++, &v)) return 0;
        *len = (size_t)ll2string((char *)it->buf, sizeof(it->buf), v);
        *m = (const char *)it->buf;
        return 1;
    }
    if (o->encoding == OBJ_ENC_LISTPACK) {
        if (!it->p) return 0;
        *m = memberAt(it->p, len, it->buf);
        it->p = lpNext(o->ptr, it->p);
        return 1;
    }
    dictEntry *de = dictNext(it->di);
    if (!de) return 0;
    *m = de->key;
    *len = strLen(de->key);
    return 1;
}

static void sourceIterRelease(sourceIter *it) {
    if (it->di) dictReleaseIterator(it->di);
}

/* 1 and the member's score (1 in a set) if the source holds it, else 0. */
static int findInSource(obj *o, const char *m, size_t len, double *score) {
    if (!o) return 0;
    if (o->type == OBJ_ZSET) return scoreOf(o, m, len, score) == 0;
    *score = 1.0;
    if (o->encoding == OBJ_ENC_INTSET) {
        long long v;
        return string2ll(m, len, &v) && intsetFind(o->ptr, v);
    }
    if (o->encoding == OBJ_ENC_LISTPACK) {
        unsigned char *p = lpFirst(o->ptr);
        return p && lpFind(o->ptr, p, (const unsigned char *)m, len, 0) != NULL;
    }
    return dictFind(o->ptr, m, len) != NULL;
}

enum { OP_UNION, OP_INTER, OP_DIFF };
enum { AGGREGATE_SUM, AGGREGATE_MIN, AGGREGATE_MAX };

/* Combining scores: SUM turns inf + -inf (NaN) into 0, MIN and MAX ignore NaN. */
static void aggregate(double *target, double value, int how) {
    if (how == AGGREGATE_SUM) {
        *target += value;
        if (isnan(*target)) *target = 0.0;
    } else if (how == AGGREGATE_MIN) {
        if (value < *target) *target = value;
    } else if (value > *target) {
        *target = value;
    }
}

static int compareByLength(const void *a, const void *b) {
    const zsource *x = a, *y = b;
    if (x->length != y->length) return x->length < y->length ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

static int compareByLengthDesc(const void *a, const void *b) {
    const zsource *x = a, *y = b;
    if (x->length != y->length) return x->length > y->length ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* What a set operation produced: the zset (absent for ZINTERCARD), its
 * cardinality, and its members' longest and total lengths for the encoding. */
typedef struct opResult {
    zset *zs;
    unsigned long card;
    size_t maxlen, totlen;
} opResult;

static void addToResult(opResult *r, const char *m, size_t len, double score) {
    int out;
    zsetAdd(r->zs, score, m, len, 0, &out, NULL);
    if (len > r->maxlen) r->maxlen = len;
    r->totlen += len;
}

static const dictType accumulator_dict_type = {.nocase = 0, .owns_keys = 1, .free_val = NULL};

/* Sources sorted by length, smallest first. */
static void unionOf(zsource *src, long n, int how, opResult *r) {
    dict *acc = dictCreate(&accumulator_dict_type);
    dictExpand(acc, src[n - 1].length);
    for (long i = 0; i < n; i++) {
        if (!src[i].length) continue;
        sourceIter it;
        sourceIterInit(&it, src[i].o);
        const char *m;
        size_t len;
        double score;
        while (sourceIterNext(&it, &m, &len, &score)) {
            score *= src[i].weight;
            if (isnan(score)) score = 0; /* 0 * inf */
            dictEntry *de = dictFind(acc, m, len);
            if (de) {
                aggregate(&de->v.d, score, how);
            } else {
                de = dictAddRaw(acc, strNewLen(m, len), NULL);
                de->v.d = score;
            }
        }
        sourceIterRelease(&it);
    }
    dictExpand(r->zs->dict, dictSize(acc));
    dictIterator *di = dictGetIterator(acc);
    dictEntry *de;
    while ((de = dictNext(di)))
        addToResult(r, de->key, strLen(de->key), de->v.d);
    dictReleaseIterator(di);
    dictRelease(acc);
}

/* Sources sorted by length, smallest first. With limit (ZINTERCARD), counting
 * stops there; with r->zs NULL, members are only counted. */
static void interOf(zsource *src, long n, int how, unsigned long limit, opResult *r) {
    if (!src[0].length) return; /* then every source is empty or absent */
    sourceIter it;
    sourceIterInit(&it, src[0].o);
    const char *m;
    size_t len;
    double first;
    while (sourceIterNext(&it, &m, &len, &first)) {
        double score = first * src[0].weight, value;
        if (isnan(score)) score = 0;
        long j;
        for (j = 1; j < n; j++) {
            if (src[j].o == src[0].o)
                value = first;
            else if (!findInSource(src[j].o, m, len, &value))
                break;
            aggregate(&score, value * src[j].weight, how);
        }
        if (j < n) continue;
        r->card++;
        if (r->zs)
            addToResult(r, m, len, score);
        else if (limit && r->card >= limit)
            break;
    }
    sourceIterRelease(&it);
}

/* Members of src[0] absent from every other source, with src[0]'s scores. The
 * cheaper of two ways, estimated as redis-server does: probe the other sources
 * for each member of the first, or copy the first and delete what the others
 * hold. */
static void diffOf(zsource *src, long n, opResult *r) {
    if (!src[0].length) return;
    long long probe_work = 0, delete_work = 0;
    for (long j = 0; j < n; j++) {
        if (j > 0 && src[j].o == src[0].o) return; /* everything goes */
        probe_work += (long long)src[0].length;
        delete_work += (long long)src[j].length;
    }
    const char *m;
    size_t len;
    double score, unused;
    sourceIter it;
    if (probe_work / 2 <= delete_work) {
        /* Larger sources first: a member present elsewhere is found sooner. */
        qsort(src + 1, (size_t)(n - 1), sizeof(*src), compareByLengthDesc);
        sourceIterInit(&it, src[0].o);
        while (sourceIterNext(&it, &m, &len, &score)) {
            long j = 1;
            while (j < n && !findInSource(src[j].o, m, len, &unused))
                j++;
            if (j == n) addToResult(r, m, len, score);
        }
        sourceIterRelease(&it);
        r->card = zsetLength(r->zs);
        return;
    }
    sourceIterInit(&it, src[0].o);
    while (sourceIterNext(&it, &m, &len, &score)) {
        int out;
        zsetAdd(r->zs, score, m, len, 0, &out, NULL);
    }
    sourceIterRelease(&it);
    for (long j = 1; j < n && zsetLength(r->zs); j++) {
        if (!src[j].length) continue;
        sourceIterInit(&it, src[j].o);
        while (zsetLength(r->zs) && sourceIterNext(&it, &m, &len, &score))
            zsetRemove(r->zs, m, len);
        sourceIterRelease(&it);
    }
    for (zskiplistNode *node = r->zs->zsl->header->level[0].forward; node;
         node = node->level[0].forward) {
        size_t l = strLen(node->member);
        if (l > r->maxlen) r->maxlen = l;
        r->totlen += l;
    }
    r->card = zsetLength(r->zs);
}

/* Options after the keys: WEIGHTS and AGGREGATE (not for ZDIFF or ZINTERCARD),
 * WITHSCORES (only when replying with members), LIMIT (only ZINTERCARD). */
typedef struct opOptions {
    int how;
    int withscores;
    long limit;
} opOptions;

static int parseOpOptionsOrReply(client *c, int j, zsource *src, long n, int op, int card_only,
                                 int store, opOptions *opt) {
    opt->how = AGGREGATE_SUM;
    opt->withscores = 0;
    opt->limit = 0;
    int algebra = op != OP_DIFF && !card_only;
    while (j < c->argc) {
        const arg *a = &c->argv[j];
        long remaining = c->argc - j;
        if (algebra && remaining >= n + 1 && argEquals(a, "weights")) {
            j++;
            for (long i = 0; i < n; i++, j++)
                if (argToScoreOrReply(c, &c->argv[j], &src[i].weight,
                                      "weight value is not a float") < 0)
                    return -1;
        } else if (algebra && remaining >= 2 && argEquals(a, "aggregate")) {
            const arg *how = &c->argv[j + 1];
            if (argEquals(how, "sum"))
                opt->how = AGGREGATE_SUM;
            else if (argEquals(how, "min"))
                opt->how = AGGREGATE_MIN;
            else if (argEquals(how, "max"))
                opt->how = AGGREGATE_MAX;
            else {
                replySyntaxError(c);
                return -1;
            }
            j += 2;
        } else if (!store && !card_only && argEquals(a, "withscores")) {
            opt->withscores = 1;
            j++;
        } else if (card_only && remaining >= 2 && argEquals(a, "limit")) {
            if (argToPositiveLongOrReply(c, &c->argv[j + 1], &opt->limit,
                                         "LIMIT can't be negative") < 0)
                return -1;
            j += 2;
        } else {
            replySyntaxError(c);
            return -1;
        }
    }
    return 0;
}

static void setOperationGeneric(client *c, const arg *dstkey, int numkeys_index, int op,
                                int card_only) {
    long n;
    if (argToLongOrReply(c, &c->argv[numkeys_index], &n, NULL) < 0) return;
    if (n < 1) {
        replyErrorFormat(c, "at least 1 input key is needed for '%s' command", c->cmd->fullname);
        return;
    }
    if (n > c->argc - (numkeys_index + 1)) {
        replySyntaxError(c);
        return;
    }
    zsource *src = lcalloc(sizeof(*src) * (size_t)n);
    for (long i = 0; i < n; i++) {
        const arg *key = &c->argv[numkeys_index + 1 + i];
        obj *o = dbLookupRead(c->db, arg_key(key));
        if (o && o->type != OBJ_ZSET && o->type != OBJ_SET) {
            replyWrongType(c);
            goto done;
        }
        src[i] = (zsource){.o = o, .length = sourceLength(o), .weight = 1.0, .index = i};
    }
    opOptions opt;
    if (parseOpOptionsOrReply(c, numkeys_index + 1 + (int)n, src, n, op, card_only, dstkey != NULL,
                              &opt) < 0)
        goto done;

    /* Smallest first: the intersection walks the smallest input. */
    if (op != OP_DIFF) qsort(src, (size_t)n, sizeof(*src), compareByLength);
    opResult r = {.zs = card_only ? NULL : zsetCreate()};
    if (op == OP_UNION)
        unionOf(src, n, opt.how, &r);
    else if (op == OP_INTER)
        interOf(src, n, opt.how, (unsigned long)opt.limit, &r);
    else
        diffOf(src, n, &r);

    if (card_only) {
        replyLongLong(c, (long long)r.card);
    } else if (dstkey) {
        obj *dst = objCreateEncoded(OBJ_ZSET, OBJ_ENC_SKIPLIST, r.zs);
        if (zsetLength(r.zs)) convertToListpackIfFits(dst, r.maxlen, r.totlen);
        storeResult(c, dstkey, dst);
    } else {
        replyMembersLen(c, zsetLength(r.zs), opt.withscores);
        for (zskiplistNode *node = r.zs->zsl->header->level[0].forward; node;
             node = node->level[0].forward)
            replyMember(c, node->member, strLen(node->member), node->score, opt.withscores);
        zsetFree(r.zs);
    }
done:
    lfree(src);
}

static void zunionCommand(client *c) {
    setOperationGeneric(c, NULL, 1, OP_UNION, 0);
}
static void zinterCommand(client *c) {
    setOperationGeneric(c, NULL, 1, OP_INTER, 0);
}
static void zdiffCommand(client *c) {
    setOperationGeneric(c, NULL, 1, OP_DIFF, 0);
}
static void zintercardCommand(client *c) {
    setOperationGeneric(c, NULL, 1, OP_INTER, 1);
}
static void zunionstoreCommand(client *c) {
    setOperationGeneric(c, &c->argv[1], 2, OP_UNION, 0);
}
static void zinterstoreCommand(client *c) {
    setOperationGeneric(c, &c->argv[1], 2, OP_INTER, 0);
}
static void zdiffstoreCommand(client *c) {
    setOperationGeneric(c, &c->argv[1], 2, OP_DIFF, 0);
}

/* --- ZSCAN --------------------------------------------------------------- */

typedef struct nodeBatch {
    zskiplistNode **nodes;
    long count, cap;
} nodeBatch;

static void collectNode(void *privdata, const dictEntry *de) {
    nodeBatch *b = privdata;
    if (b->count == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 16;
        b->nodes = lrealloc(b->nodes, sizeof(*b->nodes) * (size_t)b->cap);
    }
    b->nodes[b->count++] = de->v.val;
}

/* A listpack zset comes back whole with cursor 0, each score as its stored entry
 * reads ("0" for -0, "100000000000000000" for 1e17); a skiplist is scanned
 * through its dict, scores formatted as "%.17g". As in Redis, either way. */
static void zscanCommand(client *c) {
    unsigned long cursor;
    scanOptions opt;
    obj *o = scanCollectionOrReply(c, OBJ_ZSET, &cursor, &opt);
    if (!o) return;

    if (o->encoding == OBJ_ENC_LISTPACK) {
        unsigned char *lp = o->ptr, mbuf[LP_INTBUF_SIZE], sbuf[LP_INTBUF_SIZE];
        scanReplyCursor(c, 0);
        void *handle = replyDeferredLen(c);
        long shown = 0;
        for (unsigned char *p = lpFirst(lp); p; p = lpNext(lp, lpNext(lp, p))) {
            size_t mlen, slen;
            const char *m = memberAt(p, &mlen, mbuf);
            if (!scanPatternMatches(&opt, m, mlen)) continue;
            const char *s = memberAt(lpNext(lp, p), &slen, sbuf);
            replyBulk(c, m, mlen);
            replyBulk(c, s, slen);
            shown += 2;
        }
        replySetDeferredArrayLen(c, handle, shown);
        return;
    }
    zset *zs = o->ptr;
    nodeBatch batch = {0};
    long max_iterations = opt.count * 10;
    do {
        cursor = dictScan(zs->dict, cursor, collectNode, &batch);
    } while (cursor && max_iterations-- && batch.count < opt.count);
    scanReplyCursor(c, cursor);
    void *handle = replyDeferredLen(c);
    long shown = 0;
    for (long i = 0; i < batch.count; i++) {
        zskiplistNode *n = batch.nodes[i];
        size_t len = strLen(n->member);
        if (!scanPatternMatches(&opt, n->member, len)) continue;
        char buf[UTIL_DOUBLE_STR_SIZE];
        int slen = d2string(buf, sizeof(buf), n->score);
        replyBulk(c, n->member, len);
        replyBulk(c, buf, (size_t)slen);
        shown += 2;
    }
    lfree(batch.nodes);
    replySetDeferredArrayLen(c, handle, shown);
}

/* --- The command table --------------------------------------------------- */

#define G                 CMD_GROUP_SORTED_SET
#define RO_FAST           (CMD_READONLY | CMD_FAST)
#define W_DENYOOM         (CMD_WRITE | CMD_DENYOOM)
#define W_DENYOOM_FAST    (CMD_WRITE | CMD_DENYOOM | CMD_FAST)
#define W_FAST            (CMD_WRITE | CMD_FAST)
#define W_BLOCK_FAST      (CMD_WRITE | CMD_NOSCRIPT | CMD_BLOCKING | CMD_FAST)
#define RO_MOVABLE        (CMD_READONLY | CMD_MOVABLE_KEYS)
#define W_DENYOOM_MOVABLE (CMD_WRITE | CMD_DENYOOM | CMD_MOVABLE_KEYS)
#define RANGE_COMPLEXITY                                                                           \
    "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "       \
    "elements being returned. If M is constant (e.g. always asking for the first 10 elements "     \
    "with LIMIT), you can consider it O(log(N))."
#define REMRANGE_COMPLEXITY                                                                        \
    "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "       \
    "elements removed by the operation."
#define POP_COMPLEXITY                                                                             \
    "O(log(N)*M) with N being the number of elements in the sorted set, and M being the "          \
    "number of elements popped."
#define MPOP_COMPLEXITY                                                                            \
    "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of "            \
    "elements in the sorted set, and M being the number of elements popped."
#define UNION_COMPLEXITY(mlogm)                                                                    \
    "O(N)+O(" mlogm ") with N being the sum of the sizes of the input sorted sets, and M "         \
    "being the number of elements in the resulting sorted set."
#define INTER_COMPLEXITY                                                                           \
    "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the "       \
    "number of input sorted sets and M being the number of elements in the resulting sorted "      \
    "set."
#define DIFF_COMPLEXITY                                                                            \
    "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, "      \
    "N is the size of the first set, and K is the size of the result set."

command zsetCommandTable[] = {
    {"zadd", zaddCommand, -4, W_DENYOOM_FAST, 1, 1, 1, G, "1.2.0",
     "O(log(N)) for each item added, where N is the number of elements in the sorted set.",
     "Add one or more members to a sorted set, or update its score if it already exists", NULL},
    {"zincrby", zincrbyCommand, 4, W_DENYOOM_FAST, 1, 1, 1, G, "1.2.0",
     "O(log(N)) where N is the number of elements in the sorted set.",
     "Increment the score of a member in a sorted set", NULL},
    {"zrem", zremCommand, -3, W_FAST, 1, 1, 1, G, "1.2.0",
     "O(M*log(N)) with N being the number of elements in the sorted set and M the number of "
     "elements to be removed.",
     "Remove one or more members from a sorted set", NULL},
    {"zcard", zcardCommand, 2, RO_FAST, 1, 1, 1, G, "1.2.0", "O(1)",
     "Get the number of members in a sorted set", NULL},
    {"zcount", zcountCommand, 4, RO_FAST, 1, 1, 1, G, "2.0.0",
     "O(log(N)) with N being the number of elements in the sorted set.",
     "Count the members in a sorted set with scores within the given values", NULL},
    {"zlexcount", zlexcountCommand, 4, RO_FAST, 1, 1, 1, G, "2.8.9",
     "O(log(N)) with N being the number of elements in the sorted set.",
     "Count the number of members in a sorted set between a given lexicographical range", NULL},
    {"zscore", zscoreCommand, 3, RO_FAST, 1, 1, 1, G, "1.2.0", "O(1)",
     "Get the score associated with the given member in a sorted set", NULL},
    {"zmscore", zmscoreCommand, -3, RO_FAST, 1, 1, 1, G, "6.2.0",
     "O(N) where N is the number of members being requested.",
     "Get the score associated with the given members in a sorted set", NULL},
    {"zrank", zrankCommand, 3, RO_FAST, 1, 1, 1, G, "2.0.0", "O(log(N))",
     "Determine the index of a member in a sorted set", NULL},
    {"zrevrank", zrevrankCommand, 3, RO_FAST, 1, 1, 1, G, "2.0.0", "O(log(N))",
     "Determine the index of a member in a sorted set, with scores ordered from high to low", NULL},
    {"zrange", zrangeCommand, -4, CMD_READONLY, 1, 1, 1, G, "1.2.0",
     "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
     "elements returned.",
     "Return a range of members in a sorted set", NULL},
    {"zrangestore", zrangestoreCommand, -5, W_DENYOOM, 1, 2, 1, G, "6.2.0",
     "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
     "elements stored into the destination key.",
     "Store a range of members from sorted set into another key", NULL},
    {"zrangebyscore", zrangebyscoreCommand, -4, CMD_READONLY, 1, 1, 1, G, "1.0.5", RANGE_COMPLEXITY,
     "Return a range of members in a sorted set, by score", NULL},
    {"zrevrangebyscore", zrevrangebyscoreCommand, -4, CMD_READONLY, 1, 1, 1, G, "2.2.0",
     RANGE_COMPLEXITY,
     "Return a range of members in a sorted set, by score, with scores ordered from high to low",
     NULL},
    {"zrangebylex", zrangebylexCommand, -4, CMD_READONLY, 1, 1, 1, G, "2.8.9", RANGE_COMPLEXITY,
     "Return a range of members in a sorted set, by lexicographical range", NULL},
    {"zrevrangebylex", zrevrangebylexCommand, -4, CMD_READONLY, 1, 1, 1, G, "2.8.9",
     RANGE_COMPLEXITY,
     "Return a range of members in a sorted set, by lexicographical range, ordered from higher "
     "to lower strings.",
     NULL},
    {"zrevrange", zrevrangeCommand, -4, CMD_READONLY, 1, 1, 1, G, "1.2.0",
     "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
     "elements returned.",
     "Return a range of members in a sorted set, by index, with scores ordered from high to low",
     NULL},
    {"zremrangebyrank", zremrangebyrankCommand, 4, CMD_WRITE, 1, 1, 1, G, "2.0.0",
     REMRANGE_COMPLEXITY, "Remove all members in a sorted set within the given indexes", NULL},
    {"zremrangebyscore", zremrangebyscoreCommand, 4, CMD_WRITE, 1, 1, 1, G, "1.2.0",
     REMRANGE_COMPLEXITY, "Remove all members in a sorted set within the given scores", NULL},
    {"zremrangebylex", zremrangebylexCommand, 4, CMD_WRITE, 1, 1, 1, G, "2.8.9",
     REMRANGE_COMPLEXITY,
     "Remove all members in a sorted set between the given lexicographical range", NULL},
    {"zpopmin", zpopminCommand, -2, W_FAST, 1, 1, 1, G, "5.0.0", POP_COMPLEXITY,
     "Remove and return members with the lowest scores in a sorted set", NULL},
    {"zpopmax", zpopmaxCommand, -2, W_FAST, 1, 1, 1, G, "5.0.0", POP_COMPLEXITY,
     "Remove and return members with the highest scores in a sorted set", NULL},
    {"bzpopmin", bzpopminCommand, -3, W_BLOCK_FAST, 1, -2, 1, G, "5.0.0",
     "O(log(N)) with N being the number of elements in the sorted set.",
     "Remove and return the member with the lowest score from one or more sorted sets, or block "
     "until one is available",
     NULL},
    {"bzpopmax", bzpopmaxCommand, -3, W_BLOCK_FAST, 1, -2, 1, G, "5.0.0",
     "O(log(N)) with N being the number of elements in the sorted set.",
     "Remove and return the member with the highest score from one or more sorted sets, or "
     "block until one is available",
     NULL},
    {"zmpop", zmpopCommand, -4, CMD_WRITE | CMD_MOVABLE_KEYS, 0, 0, 0, G, "7.0.0", MPOP_COMPLEXITY,
     "Remove and return members with scores in a sorted set", NULL},
    {"bzmpop", bzmpopCommand, -5, CMD_WRITE | CMD_BLOCKING | CMD_MOVABLE_KEYS, 0, 0, 0, G, "7.0.0",
     MPOP_COMPLEXITY,
     "Remove and return members with scores in a sorted set or block until one is available", NULL},
    {"zrandmember", zrandmemberCommand, -2, CMD_READONLY, 1, 1, 1, G, "6.2.0",
     "O(N) where N is the number of elements returned",
     "Get one or multiple random elements from a sorted set", NULL},
    {"zunion", zunionCommand, -3, RO_MOVABLE, 0, 0, 0, G, "6.2.0", UNION_COMPLEXITY("M*log(M)"),
     "Add multiple sorted sets", NULL},
    {"zunionstore", zunionstoreCommand, -4, W_DENYOOM_MOVABLE, 1, 1, 1, G, "2.0.0",
     UNION_COMPLEXITY("M log(M)"),
     "Add multiple sorted sets and store the resulting sorted set in a new key", NULL},
    {"zinter", zinterCommand, -3, RO_MOVABLE, 0, 0, 0, G, "6.2.0", INTER_COMPLEXITY,
     "Intersect multiple sorted sets", NULL},
    {"zinterstore", zinterstoreCommand, -4, W_DENYOOM_MOVABLE, 1, 1, 1, G, "2.0.0",
     INTER_COMPLEXITY,
     "Intersect multiple sorted sets and store the resulting sorted set in a new key", NULL},
    {"zintercard", zintercardCommand, -3, RO_MOVABLE, 0, 0, 0, G, "7.0.0",
     "O(N*K) worst case with N being the smallest input sorted set, K being the number of input "
     "sorted sets.",
     "Intersect multiple sorted sets and return the cardinality of the result", NULL},
    {"zdiff", zdiffCommand, -3, RO_MOVABLE, 0, 0, 0, G, "6.2.0", DIFF_COMPLEXITY,
     "Subtract multiple sorted sets", NULL},
    {"zdiffstore", zdiffstoreCommand, -4, W_DENYOOM_MOVABLE, 1, 1, 1, G, "6.2.0", DIFF_COMPLEXITY,
     "Subtract multiple sorted sets and store the resulting sorted set in a new key", NULL},
    {"zscan", zscanCommand, -3, CMD_READONLY, 1, 1, 1, G, "2.8.0",
     "O(1) for every call. O(N) for a complete iteration, including enough command calls for "
     "the cursor to return back to 0. N is the number of elements inside the collection..",
     "Incrementally iterate sorted sets elements and associated scores", NULL},
    {0}};
