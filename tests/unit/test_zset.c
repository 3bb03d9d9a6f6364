/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Unit tests for zset, the skiplist + dict pairing: ZADD's NX/XX/GT/LT/INCR
 * rules and NaN results, ranks in both directions, range removals keeping the
 * dict in step, and random operations against a model with the two structures
 * cross-checked (same size; every dict key is its node's own member).
 */
#include "test.h"

#include "alloc.h"
#include "zset.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

/* A deterministic generator for the tests (xorshift64). */
static uint64_t test_rng = 0x853C49E6748FEA9BULL;
static uint64_t testRandom(void) {
    test_rng ^= test_rng << 13;
    test_rng ^= test_rng >> 7;
    test_rng ^= test_rng << 17;
    return test_rng;
}

static int compareBytes(const char *a, size_t alen, const char *b, size_t blen) {
    size_t n = alen < blen ? alen : blen;
    int c = n ? memcmp(a, b, n) : 0;
    if (c) return c;
    return alen < blen ? -1 : alen > blen;
}

static int nodeBefore(const zskiplistNode *a, const zskiplistNode *b) {
    if (a->score != b->score) return a->score < b->score;
    return compareBytes(a->member, strLen(a->member), b->member, strLen(b->member)) < 0;
}

/* The dict and the skiplist describe the same members; the skiplist is sorted
 * with correct backward links and ranks. */
static int checkZset(zset *zs) {
    ASSERT_EQ(dictSize(zs->dict), zs->zsl->length);
    ASSERT_EQ(zsetLength(zs), zs->zsl->length);
    zskiplistNode *prev = NULL;
    unsigned long rank = 0;
    for (zskiplistNode *x = zs->zsl->header->level[0].forward; x; x = x->level[0].forward) {
        ASSERT(x->backward == prev);
        if (prev) ASSERT(nodeBefore(prev, x));
        prev = x;
        ASSERT(zslGetElementByRank(zs->zsl, ++rank) == x);
        dictEntry *de = dictFind(zs->dict, x->member, strLen(x->member));
        ASSERT(de != NULL);
        ASSERT(de->key == x->member);
        ASSERT(de->v.val == x);
        double score;
        ASSERT_EQ(zsetScore(zs, x->member, strLen(x->member), &score), 0);
        ASSERT(score == x->score);
    }
    return 0;
}

typedef struct {
    double start; /* score of "m" before, or NAN for absent */
    int flags;    /* ZSET_IN_* */
    double score; /* argument */
    int rc;       /* zsetAdd's return */
    int out;      /* ZSET_OUT_* */
    double after; /* score of "m" after, or NAN for absent */
} addCase;

int test_zset_add_rules(void) {
    const int NX = ZSET_IN_NX, XX = ZSET_IN_XX, GT = ZSET_IN_GT, LT = ZSET_IN_LT;
    const int INCR = ZSET_IN_INCR;
    const int ADDED = ZSET_OUT_ADDED, UPDATED = ZSET_OUT_UPDATED, NOP = ZSET_OUT_NOP;
    addCase cases[] = {
        /* Existing member, score 5. */
        {5, 0, 7, 0, UPDATED, 7},
        {5, 0, 5, 0, 0, 5},
        {5, 0, -5, 0, UPDATED, -5},
        {5, NX, 7, 0, NOP, 5},
        {5, XX, 7, 0, UPDATED, 7},
        {5, XX, 5, 0, 0, 5},
        {5, GT, 7, 0, UPDATED, 7},
        {5, GT, 3, 0, NOP, 5},
        {5, GT, 5, 0, NOP, 5},
        {5, LT, 3, 0, UPDATED, 3},
        {5, LT, 7, 0, NOP, 5},
        {5, LT, 5, 0, NOP, 5},
        {5, XX | GT, 7, 0, UPDATED, 7},
        {5, XX | LT, 7, 0, NOP, 5},
        {5, INCR, 2, 0, UPDATED, 7},
        {5, INCR, 0, 0, 0, 5},
        {5, INCR, -INFINITY, 0, UPDATED, -INFINITY},
        {5, INCR | NX, 2, 0, NOP, 5},
        {5, INCR | XX, 1, 0, UPDATED, 6},
        {5, INCR | GT, 2, 0, UPDATED, 7},
        {5, INCR | GT, -1, 0, NOP, 5},
        {5, INCR | GT, 0, 0, NOP, 5},
        {5, INCR | LT, -1, 0, UPDATED, 4},
        {5, INCR | LT, 1, 0, NOP, 5},
        {INFINITY, INCR, 1, 0, 0, INFINITY},
        {INFINITY, INCR, -INFINITY, -1, 0, INFINITY},
        {-INFINITY, INCR, INFINITY, -1, 0, -INFINITY},
        {5, 0, NAN, -1, 0, 5},
        {0.0, 0, -0.0, 0, 0, 0.0}, /* equal scores: no update */
        /* Absent member. */
        {NAN, 0, 3, 0, ADDED, 3},
        {NAN, NX, 3, 0, ADDED, 3},
        {NAN, XX, 3, 0, NOP, NAN},
        {NAN, GT, 3, 0, ADDED, 3},
        {NAN, LT, 3, 0, ADDED, 3},
        {NAN, INCR, 2, 0, ADDED, 2},
        {NAN, INCR | XX, 2, 0, NOP, NAN},
        {NAN, INCR | GT, -2, 0, ADDED, -2},
        {NAN, 0, NAN, -1, 0, NAN},
        {NAN, INCR, NAN, -1, 0, NAN},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        addCase *c = &cases[i];
        zset *zs = zsetCreate();
        int out = -1;
        double newscore = 12345;
        /* Neighbours on both sides so updates move through a real list. */
        ASSERT_EQ(zsetAdd(zs, -1, "a", 1, 0, &out, NULL), 0);
        ASSERT_EQ(zsetAdd(zs, 6.5, "z", 1, 0, &out, NULL), 0);
        if (!isnan(c->start)) ASSERT_EQ(zsetAdd(zs, c->start, "m", 1, 0, &out, NULL), 0);
        int rc = zsetAdd(zs, c->score, "m", 1, c->flags, &out, &newscore);
        if (rc != c->rc || (rc == 0 && out != c->out))
            fprintf(stderr, "  case %zu: rc %d out %d\n", i, rc, out);
        ASSERT_EQ(rc, c->rc);
        if (rc == 0) {
            ASSERT_EQ(out, c->out);
            if (!(out & ZSET_OUT_NOP)) ASSERT(newscore == c->after);
        }
        double score;
        if (isnan(c->after)) {
            ASSERT_EQ(zsetScore(zs, "m", 1, &score), -1);
        } else {
            ASSERT_EQ(zsetScore(zs, "m", 1, &score), 0);
            ASSERT(score == c->after);
            ASSERT(signbit(score) == signbit(c->after));
        }
        if (checkZset(zs)) return 1;
        zsetFree(zs);
    }
    return 0;
}

int test_zset_rank_reverse(void) {
    zset *zs = zsetCreate();
    int out;
    const char *names[] = {"d", "a", "c", "b", "e"};
    const double scores[] = {2, 1, 2, 1, -INFINITY};
    for (int i = 0; i < 5; i++)
        ASSERT_EQ(zsetAdd(zs, scores[i], names[i], 1, 0, &out, NULL), 0);
    /* Order: e(-inf) a(1) b(1) c(2) d(2). */
    const char *order = "eabcd";
    for (long r = 0; r < 5; r++) {
        ASSERT_EQ(zsetRank(zs, &order[r], 1, 0), r);
        ASSERT_EQ(zsetRank(zs, &order[r], 1, 1), 4 - r);
    }
    ASSERT_EQ(zsetRank(zs, "x", 1, 0), -1);
    ASSERT_EQ(zsetRank(zs, "x", 1, 1), -1);
    ASSERT_EQ(zsetRank(zs, "", 0, 0), -1);
    ASSERT_EQ(zsetAdd(zs, 3, "a", 1, 0, &out, NULL), 0);
    ASSERT_EQ(out, ZSET_OUT_UPDATED);
    ASSERT_EQ(zsetRank(zs, "a", 1, 0), 4);
    ASSERT_EQ(zsetRank(zs, "a", 1, 1), 0);
    ASSERT_EQ(zsetRemove(zs, "e", 1), 1);
    ASSERT_EQ(zsetRemove(zs, "e", 1), 0);
    ASSERT_EQ(zsetRank(zs, "b", 1, 0), 0);
    ASSERT_EQ(zsetRank(zs, "b", 1, 1), 3);
    if (checkZset(zs)) return 1;
    zsetFree(zs);
    return 0;
}

static zset *buildNumbered(int n) {
    zset *zs = zsetCreate();
    for (int i = 0; i < n; i++) {
        char buf[16];
        int out;
        /* Scores 0,0,1,1,2,2,...: pairs tie and are ordered by member. */
        zsetAdd(zs, (double)(i / 2), buf, (size_t)sprintf(buf, "n%03d", i), 0, &out, NULL);
    }
    return zs;
}

static int hasMember(zset *zs, int i) {
    char buf[16];
    double score;
    return zsetScore(zs, buf, (size_t)sprintf(buf, "n%03d", i), &score) == 0;
}

int test_zset_range_deletes(void) {
    zset *zs = buildNumbered(100);
    zrangespec r = {10, 20, 1, 0}; /* (10 20: scores 11..20, members n022..n041 */
    ASSERT_EQ(zsetDeleteRangeByScore(zs, &r), 20);
    if (checkZset(zs)) return 1;
    for (int i = 0; i < 100; i++)
        ASSERT_EQ(hasMember(zs, i), i < 22 || i > 41);
    r = (zrangespec){-INFINITY, INFINITY, 1, 1};
    ASSERT_EQ(zsetDeleteRangeByScore(zs, &r), 80);
    ASSERT_EQ(zsetLength(zs), 0);
    if (checkZset(zs)) return 1;
    zsetFree(zs);

    zs = buildNumbered(100);
    ASSERT_EQ(zsetDeleteRangeByRank(zs, 1, 10), 10);
    ASSERT_EQ(zsetDeleteRangeByRank(zs, 81, 1000), 10);
    ASSERT_EQ(zsetDeleteRangeByRank(zs, 81, 1000), 0);
    if (checkZset(zs)) return 1;
    for (int i = 0; i < 100; i++)
        ASSERT_EQ(hasMember(zs, i), i >= 10 && i < 90);
    zsetFree(zs);

    /* Lex ranges on equal scores. */
    zs = zsetCreate();
    for (int i = 0; i < 100; i++) {
        char buf[16];
        int out;
        zsetAdd(zs, 0, buf, (size_t)sprintf(buf, "n%03d", i), 0, &out, NULL);
    }
    zlexrangespec lex;
    ASSERT_EQ(zslParseLexRange("(n010", 5, "[n019", 5, &lex), 0);
    ASSERT_EQ(zsetDeleteRangeByLex(zs, &lex), 9);
    zslFreeLexRange(&lex);
    ASSERT_EQ(zslParseLexRange("[n09", 4, "+", 1, &lex), 0);
    ASSERT_EQ(zsetDeleteRangeByLex(zs, &lex), 10);
    zslFreeLexRange(&lex);
    if (checkZset(zs)) return 1;
    for (int i = 0; i < 100; i++)
        ASSERT_EQ(hasMember(zs, i), !(i > 10 && i <= 19) && i < 90);
    ASSERT_EQ(zslParseLexRange("-", 1, "+", 1, &lex), 0);
    ASSERT_EQ(zsetDeleteRangeByLex(zs, &lex), 81);
    zslFreeLexRange(&lex);
    if (checkZset(zs)) return 1;
    /* Usable after being emptied. */
    int out;
    ASSERT_EQ(zsetAdd(zs, 1, "again", 5, 0, &out, NULL), 0);
    ASSERT_EQ(out, ZSET_OUT_ADDED);
    if (checkZset(zs)) return 1;
    zsetFree(zs);

    /* The dict shrinks after mass removals, by range and one by one. */
    zs = buildNumbered(1000);
    ASSERT_GE(dictBuckets(zs->dict), 1000);
    ASSERT_EQ(zsetDeleteRangeByRank(zs, 3, 1000), 998);
    while (dictRehashSteps(zs->dict, 100))
        continue;
    ASSERT_LE(dictBuckets(zs->dict), 8);
    if (checkZset(zs)) return 1;
    zsetFree(zs);
    zs = buildNumbered(1000);
    for (int i = 0; i < 999; i++) {
        char buf[16];
        ASSERT_EQ(zsetRemove(zs, buf, (size_t)sprintf(buf, "n%03d", i)), 1);
    }
    while (dictRehashSteps(zs->dict, 100))
        continue;
    ASSERT_LE(dictBuckets(zs->dict), 8);
    if (checkZset(zs)) return 1;
    zsetFree(zs);
    return 0;
}

#define RANDOM_IDS 3000

typedef struct {
    int id;
    double score;
} sortedEntry;

static size_t randomName(int id, char *buf) {
    /* Some names are prefixes of others ("r1", "r10", "r100"). */
    return (size_t)sprintf(buf, "r%d", id);
}

static int compareSorted(const void *pa, const void *pb) {
    const sortedEntry *a = pa, *b = pb;
    if (a->score != b->score) return a->score < b->score ? -1 : 1;
    char ma[16], mb[16];
    size_t la = randomName(a->id, ma), lb = randomName(b->id, mb);
    return compareBytes(ma, la, mb, lb);
}

static double randomScore(void) {
    static const double fixed[] = {-INFINITY, -1.5, 0, 0.25, 1, 2, INFINITY};
    if (testRandom() % 3 == 0) return fixed[testRandom() % 7];
    return (double)(int)(testRandom() % 50) - 25;
}

int test_zset_random_model(void) {
    zset *zs = zsetCreate();
    static int present[RANDOM_IDS];
    static double scores[RANDOM_IDS];
    static sortedEntry sorted[RANDOM_IDS];
    for (int op = 0; op < 40000; op++) {
        int id = (int)(testRandom() % RANDOM_IDS);
        char buf[16];
        size_t len = randomName(id, buf);
        unsigned long r = testRandom() % 100;
        if (r < 60) {
            static const int flag_sets[] = {0,
                                            0,
                                            ZSET_IN_NX,
                                            ZSET_IN_XX,
                                            ZSET_IN_GT,
                                            ZSET_IN_LT,
                                            ZSET_IN_INCR,
                                            ZSET_IN_INCR | ZSET_IN_XX,
                                            ZSET_IN_INCR | ZSET_IN_GT,
                                            ZSET_IN_XX | ZSET_IN_LT};
            int flags = flag_sets[testRandom() % 10];
            double score = randomScore();
            /* Expected outcome, by ZADD's rules. */
            int rc = 0, want_out;
            double want = score;
            if (!present[id]) {
                want_out = flags & ZSET_IN_XX ? ZSET_OUT_NOP : ZSET_OUT_ADDED;
            } else if (flags & ZSET_IN_NX) {
                want_out = ZSET_OUT_NOP;
            } else {
                if (flags & ZSET_IN_INCR) want = scores[id] + score;
                if (isnan(want)) rc = -1;
                if ((flags & ZSET_IN_GT && want <= scores[id]) ||
                    (flags & ZSET_IN_LT && want >= scores[id]))
                    want_out = ZSET_OUT_NOP;
                else
                    want_out = want != scores[id] ? ZSET_OUT_UPDATED : 0;
            }
            int out;
            double newscore;
            ASSERT_EQ(zsetAdd(zs, score, buf, len, flags, &out, &newscore), rc);
            if (rc == 0) {
                ASSERT_EQ(out, want_out);
                if (!(out & ZSET_OUT_NOP)) {
                    ASSERT(newscore == want);
                    present[id] = 1;
                    if (out) scores[id] = want;
                }
            }
        } else if (r < 80) {
            ASSERT_EQ(zsetRemove(zs, buf, len), present[id]);
            present[id] = 0;
        } else if (r < 99) {
            double score;
            ASSERT_EQ(zsetScore(zs, buf, len, &score), present[id] ? 0 : -1);
            if (present[id]) ASSERT(score == scores[id]);
        } else {
            /* A range removal by score through the pair. */
            double a = randomScore(), b = randomScore();
            zrangespec range = {a < b ? a : b, a < b ? b : a, (int)(testRandom() % 2),
                                (int)(testRandom() % 2)};
            unsigned long want = 0;
            for (int i = 0; i < RANDOM_IDS; i++) {
                if (!present[i] || !zslScoreGteMin(scores[i], &range) ||
                    !zslScoreLteMax(scores[i], &range))
                    continue;
                present[i] = 0;
                want++;
            }
            ASSERT_EQ(zsetDeleteRangeByScore(zs, &range), want);
        }
        if (op % 2000 == 0 || op == 39999) {
            if (checkZset(zs)) return 1;
            size_t n = 0;
            for (int i = 0; i < RANDOM_IDS; i++)
                if (present[i]) sorted[n++] = (sortedEntry){i, scores[i]};
            qsort(sorted, n, sizeof(sorted[0]), compareSorted);
            ASSERT_EQ(zsetLength(zs), n);
            for (size_t k = 0; k < n; k++) {
                len = randomName(sorted[k].id, buf);
                ASSERT_EQ(zsetRank(zs, buf, len, 0), k);
                ASSERT_EQ(zsetRank(zs, buf, len, 1), n - 1 - k);
            }
        }
    }
    zsetFree(zs);
    return 0;
}
