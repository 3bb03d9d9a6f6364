/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Unit tests for the sorted-set skiplist: every structural invariant (order,
 * backward pointers, tail, spans at every level) checked after random
 * operations against a sorted-array model, ranks, score and lex ranges with
 * every inclusive/exclusive combination and infinite ends, range deletions with
 * their callbacks, score updates in place and by relinking, the range parsers,
 * and the level distribution.
 */
#include "test.h"

#include "alloc.h"
#include "skiplist.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

/* A deterministic generator for the tests (xorshift64). */
static uint64_t test_rng = 0x2545F4914F6CDD1DULL;
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

static int compareKeys(double s1, const char *m1, size_t l1, double s2, const char *m2, size_t l2) {
    if (s1 != s2) return s1 < s2 ? -1 : 1;
    return compareBytes(m1, l1, m2, l2);
}

/* Checks every invariant: level-0 order, backward pointers, tail, length, the
 * level count, and at each level that every span equals the level-0 steps to
 * the forward node (to the last node when forward is NULL). */
static int checkSkiplist(zskiplist *zsl) {
    zskiplistNode *prev = NULL;
    unsigned long n = 0;
    for (zskiplistNode *x = zsl->header->level[0].forward; x; x = x->level[0].forward) {
        ASSERT(x->backward == prev);
        ASSERT(x->member != NULL);
        if (prev)
            ASSERT_LT(compareKeys(prev->score, prev->member, strLen(prev->member), x->score,
                                  x->member, strLen(x->member)),
                      0);
        prev = x;
        n++;
    }
    ASSERT_EQ(n, zsl->length);
    ASSERT(zsl->tail == prev);
    ASSERT(zsl->header->backward == NULL && zsl->header->member == NULL);
    ASSERT(zsl->level >= 1 && zsl->level <= ZSKIPLIST_MAXLEVEL);
    if (zsl->level > 1) ASSERT(zsl->header->level[zsl->level - 1].forward != NULL);
    for (int i = zsl->level; i < ZSKIPLIST_MAXLEVEL; i++)
        ASSERT(zsl->header->level[i].forward == NULL);
    for (int i = 0; i < zsl->level; i++) {
        zskiplistNode *x = zsl->header, *walk = zsl->header;
        unsigned long rank = 0;
        for (;;) {
            zskiplistNode *f = x->level[i].forward;
            unsigned long steps = 0;
            if (f) {
                while (walk != f) {
                    walk = walk->level[0].forward;
                    ASSERT(walk != NULL);
                    steps++;
                }
            } else {
                steps = zsl->length - rank;
            }
            ASSERT_EQ(x->level[i].span, steps);
            if (!f) break;
            rank += steps;
            x = f;
        }
    }
    return 0;
}

/* --- The model: a sorted array of (score, member) ------------------------- */

#define MAX_MEMBERS 5000

typedef struct {
    double score;
    int id;
} modelEntry;

typedef struct {
    modelEntry *entries; /* sorted by (score, member) */
    size_t n;
    char name[MAX_MEMBERS][40]; /* memberName of each id */
    size_t name_len[MAX_MEMBERS];
    double score[MAX_MEMBERS];
    zskiplistNode *node[MAX_MEMBERS]; /* NULL when absent */
} model;

/* Member names of assorted lengths, some with NUL and 0xff bytes, and some
 * prefixes of others ("k10" of "k100" and of "k10\0"), so that byte order and
 * shorter-first both matter. Distinct for distinct ids below 65536. */
static size_t memberName(int id, char *buf) {
    switch (id % 5) {
        case 0: return (size_t)sprintf(buf, "k%d", id);
        case 1: return (size_t)sprintf(buf, "k%d", id - 1) + 1; /* with its NUL */
        case 2:
            buf[0] = (char)0xff;
            buf[1] = (char)(id >> 8);
            buf[2] = 0;
            buf[3] = (char)id;
            return 4;
        case 3: return (size_t)sprintf(buf, "member-with-a-longer-name-%d", id);
        default:
            buf[0] = 0;
            buf[1] = (char)(id >> 8);
            buf[2] = (char)id;
            return 3;
    }
}

static double randomScore(void) {
    static const double fixed[] = {-INFINITY, -2.5, -1, 0, 1, 1.5, 2, 3, INFINITY, -0.0};
    if (testRandom() % 2) return fixed[testRandom() % (sizeof(fixed) / sizeof(fixed[0]))];
    return (double)(testRandom() % 21) - 10;
}

static int compareEntries(const model *m, const modelEntry *a, const modelEntry *b) {
    return compareKeys(a->score, m->name[a->id], m->name_len[a->id], b->score, m->name[b->id],
                       m->name_len[b->id]);
}

static size_t modelIndex(const model *m, int id) {
    for (size_t i = 0; i < m->n; i++)
        if (m->entries[i].id == id) return i;
    return (size_t)-1;
}

static void modelInsert(model *m, int id, double score, zskiplistNode *node) {
    modelEntry e = {score, id};
    size_t i = 0;
    while (i < m->n && compareEntries(m, &m->entries[i], &e) < 0)
        i++;
    memmove(&m->entries[i + 1], &m->entries[i], (m->n - i) * sizeof(e));
    m->entries[i] = e;
    m->n++;
    m->score[id] = score;
    m->node[id] = node;
}

static void modelRemove(model *m, int id) {
    size_t i = modelIndex(m, id);
    memmove(&m->entries[i], &m->entries[i + 1], (m->n - i - 1) * sizeof(modelEntry));
    m->n--;
    m->node[id] = NULL;
}

static model *modelCreate(void) {
    model *m = lcalloc(sizeof(*m));
    m->entries = lmalloc(sizeof(modelEntry) * MAX_MEMBERS);
    for (int id = 0; id < MAX_MEMBERS; id++)
        m->name_len[id] = memberName(id, m->name[id]);
    return m;
}

static void modelFree(model *m) {
    lfree(m->entries);
    lfree(m);
}

/* The skiplist holds exactly the model's entries, in order. */
static int checkAgainstModel(zskiplist *zsl, const model *m) {
    if (checkSkiplist(zsl)) return 1;
    ASSERT_EQ(zsl->length, m->n);
    zskiplistNode *x = zsl->header->level[0].forward;
    for (size_t i = 0; i < m->n; i++, x = x->level[0].forward) {
        char buf[64];
        size_t len = memberName(m->entries[i].id, buf);
        ASSERT(x == m->node[m->entries[i].id]);
        ASSERT(x->score == m->entries[i].score);
        ASSERT_EQ(strLen(x->member), len);
        ASSERT_MEM_EQ(x->member, buf, len);
    }
    return 0;
}

static zskiplistNode *insertId(zskiplist *zsl, model *m, int id, double score) {
    char buf[64];
    size_t len = memberName(id, buf);
    zskiplistNode *x = zslInsert(zsl, score, buf, len);
    modelInsert(m, id, score, x);
    return x;
}

/* --- Cases ---------------------------------------------------------------- */

int test_skiplist_empty(void) {
    zskiplist *zsl = zslCreate();
    if (checkSkiplist(zsl)) return 1;
    ASSERT(zslGetElementByRank(zsl, 0) == NULL);
    ASSERT(zslGetElementByRank(zsl, 1) == NULL);
    ASSERT_EQ(zslGetRank(zsl, 1, "a", 1), 0);
    ASSERT_EQ(zslDelete(zsl, 1, "a", 1, NULL), 0);
    zrangespec all = {-INFINITY, INFINITY, 0, 0};
    ASSERT(!zslIsInRange(zsl, &all));
    ASSERT(zslFirstInRange(zsl, &all) == NULL && zslLastInRange(zsl, &all) == NULL);
    zlexrangespec lex;
    ASSERT_EQ(zslParseLexRange("-", 1, "+", 1, &lex), 0);
    ASSERT(!zslIsInLexRange(zsl, &lex));
    ASSERT(zslFirstInLexRange(zsl, &lex) == NULL && zslLastInLexRange(zsl, &lex) == NULL);
    ASSERT_EQ(zslDeleteRangeByLex(zsl, &lex, NULL, NULL), 0);
    zslFreeLexRange(&lex);
    ASSERT_EQ(zslDeleteRangeByScore(zsl, &all, NULL, NULL), 0);
    ASSERT_EQ(zslDeleteRangeByRank(zsl, 1, 10, NULL, NULL), 0);
    zslFree(zsl);
    return 0;
}

int test_skiplist_order_ties(void) {
    zskiplist *zsl = zslCreate();
    /* Inserted out of order; expected order: by score, then memcmp bytes with
     * the shorter first on a common prefix, bytes unsigned. */
    struct {
        double score;
        const char *member;
        size_t len;
    } want[] = {
        {-INFINITY, "z", 1}, {1, "", 0},     {1, "\0", 1}, {1, "\0\0", 2},     {1, "a", 1},
        {1, "a\0", 2},       {1, "aa", 2},   {1, "ab", 2}, {1, "b", 1},        {1, "\x7f", 1},
        {1, "\x80", 1},      {1, "\xff", 1}, {2, "", 0},   {INFINITY, "a", 1},
    };
    size_t n = sizeof(want) / sizeof(want[0]);
    for (size_t k = 0; k < n; k++) {
        size_t i = (k * 5) % n; /* 5 is coprime with 14: every index once */
        zskiplistNode *x = zslInsert(zsl, want[i].score, want[i].member, want[i].len);
        ASSERT_EQ(strLen(x->member), want[i].len);
        ASSERT_MEM_EQ(x->member, want[i].member, want[i].len);
        ASSERT_EQ(x->member[want[i].len], '\0');
    }
    if (checkSkiplist(zsl)) return 1;
    zskiplistNode *x = zsl->header->level[0].forward;
    for (size_t i = 0; i < n; i++, x = x->level[0].forward) {
        ASSERT(x->score == want[i].score);
        ASSERT_EQ(strLen(x->member), want[i].len);
        ASSERT_MEM_EQ(x->member, want[i].member, want[i].len);
        ASSERT_EQ(zslGetRank(zsl, want[i].score, want[i].member, want[i].len), i + 1);
        ASSERT(zslGetElementByRank(zsl, i + 1) == x);
    }
    ASSERT(zslGetElementByRank(zsl, n + 1) == NULL);
    /* Same member, other score: absent. */
    ASSERT_EQ(zslGetRank(zsl, 2, "a", 1), 0);
    ASSERT_EQ(zslDelete(zsl, 2, "a", 1, NULL), 0);
    ASSERT_EQ(zslGetRank(zsl, 1, "c", 1), 0);
    /* Backward walk from the tail visits all in reverse. */
    size_t back = 0;
    for (x = zsl->tail; x; x = x->backward)
        back++;
    ASSERT_EQ(back, n);
    zslFree(zsl);
    return 0;
}

int test_skiplist_random_model(void) {
    for (int round = 0; round < 3; round++) {
        zskiplist *zsl = zslCreate();
        model *m = modelCreate();
        int ops = round == 2 ? 30000 : 12000;
        int ids = round == 0 ? 300 : MAX_MEMBERS;
        for (int op = 0; op < ops; op++) {
            int id = (int)(testRandom() % (uint64_t)ids);
            char buf[64];
            size_t len = memberName(id, buf);
            unsigned long r = testRandom() % 10;
            if (!m->node[id] && r < 5) {
                insertId(zsl, m, id, randomScore());
            } else if (m->node[id] && r < 2) {
                zskiplistNode *out = NULL;
                /* The wrong score misses. */
                double wrong = isinf(m->score[id]) ? 0.25 : m->score[id] + 0.25;
                ASSERT_EQ(zslDelete(zsl, wrong, buf, len, NULL), 0);
                if (testRandom() % 2) {
                    ASSERT_EQ(zslDelete(zsl, m->score[id], buf, len, &out), 1);
                    ASSERT(out == m->node[id]);
                    ASSERT_MEM_EQ(out->member, buf, len);
                    zslFreeNode(out);
                } else {
                    ASSERT_EQ(zslDelete(zsl, m->score[id], buf, len, NULL), 1);
                }
                modelRemove(m, id);
            } else if (m->node[id] && r < 5) {
                double score = testRandom() % 4 ? randomScore() : m->score[id] + 0.001;
                zskiplistNode *node = m->node[id];
                zskiplistNode *x = zslUpdateScore(zsl, m->score[id], buf, len, score);
                ASSERT(x == node);
                ASSERT(x->score == score);
                modelRemove(m, id);
                modelInsert(m, id, score, x);
            } else if (m->node[id] && r < 8) {
                ASSERT_EQ(zslGetRank(zsl, m->score[id], buf, len), modelIndex(m, id) + 1);
                /* Update passing the node's own member as the key. */
                zskiplistNode *node = m->node[id];
                double score = randomScore();
                ASSERT(zslUpdateScore(zsl, node->score, node->member, strLen(node->member),
                                      score) == node);
                modelRemove(m, id);
                modelInsert(m, id, score, node);
            } else if (!m->node[id]) {
                ASSERT_EQ(zslGetRank(zsl, 0, buf, len), 0);
                ASSERT_EQ(zslDelete(zsl, 0, buf, len, NULL), 0);
            } else {
                unsigned long rank = (unsigned long)(testRandom() % (m->n + 2));
                zskiplistNode *x = zslGetElementByRank(zsl, rank);
                if (rank == 0 || rank > m->n)
                    ASSERT(x == NULL);
                else
                    ASSERT(x == m->node[m->entries[rank - 1].id]);
            }
            if (op % 1000 == 0 || op == ops - 1) {
                if (checkAgainstModel(zsl, m)) return 1;
                for (size_t i = 0; i < m->n; i += 7) {
                    int eid = m->entries[i].id;
                    len = memberName(eid, buf);
                    ASSERT_EQ(zslGetRank(zsl, m->score[eid], buf, len), i + 1);
                    ASSERT(zslGetElementByRank(zsl, i + 1) == m->node[eid]);
                }
            }
        }
        zslFree(zsl);
        modelFree(m);
    }
    return 0;
}

/* Updates that stay between the neighbours (in place) and that move the node,
 * including ties with a neighbour's score where the member decides. */
int test_skiplist_update_score(void) {
    zskiplist *zsl = zslCreate();
    zskiplistNode *a = zslInsert(zsl, 1, "a", 1);
    zskiplistNode *b = zslInsert(zsl, 2, "b", 1);
    zskiplistNode *c = zslInsert(zsl, 3, "c", 1);
    struct {
        zskiplistNode *node;
        double score;
        zskiplistNode *order[3];
    } steps[] = {
        {b, 1.5, {a, b, c}},       /* in place */
        {b, 1, {a, b, c}},         /* ties a's score, "a" < "b": still in place */
        {b, 3, {a, b, c}},         /* ties c's score, "b" < "c": still in place */
        {a, 4, {b, c, a}},         /* first to last */
        {c, -INFINITY, {c, b, a}}, /* middle to first */
        {c, INFINITY, {b, a, c}},  /* first to last */
        {a, 3, {a, b, c}},         /* middle to first: (3,a) < (3,b) */
        {a, 3, {a, b, c}},         /* same score */
        {b, 4, {a, b, c}},         /* in place */
        {c, 3.5, {a, c, b}},       /* last to middle */
        {a, 3.75, {c, a, b}},      /* first to middle */
        {a, -0.0, {a, c, b}},      /* middle to first */
        {b, 3.5, {a, b, c}},       /* last to middle: (3.5,b) < (3.5,c) */
        {c, 0.0, {a, c, b}},       /* ties -0.0: "a" < "c" */
    };
    for (size_t s = 0; s < sizeof(steps) / sizeof(steps[0]); s++) {
        zskiplistNode *x = steps[s].node;
        ASSERT(zslUpdateScore(zsl, x->score, x->member, 1, steps[s].score) == x);
        ASSERT(x->score == steps[s].score);
        if (checkSkiplist(zsl)) return 1;
        for (unsigned long r = 1; r <= 3; r++) {
            ASSERT(zslGetElementByRank(zsl, r) == steps[s].order[r - 1]);
            zskiplistNode *o = steps[s].order[r - 1];
            ASSERT_EQ(zslGetRank(zsl, o->score, o->member, 1), r);
        }
    }
    zslFree(zsl);
    return 0;
}

/* --- Score ranges --------------------------------------------------------- */

static const double range_ends[] = {-INFINITY, -3, -1, 0, 0.5, 1, 2, 7, INFINITY};
#define N_RANGE_ENDS (sizeof(range_ends) / sizeof(range_ends[0]))

static int inScoreRange(double s, const zrangespec *r) {
    int above = r->minex ? s > r->min : s >= r->min;
    int below = r->maxex ? s < r->max : s <= r->max;
    return above && below;
}

static zskiplist *buildScoreList(model *m, int n) {
    static const double scores[] = {-INFINITY, -3, -1, -1, 0, 0, 0, 1, 2, 2, 7, INFINITY};
    zskiplist *zsl = zslCreate();
    for (int id = 0; id < n; id++)
        insertId(zsl, m, id, scores[testRandom() % (sizeof(scores) / sizeof(scores[0]))]);
    return zsl;
}

int test_skiplist_score_ranges(void) {
    model *m = modelCreate();
    zskiplist *zsl = buildScoreList(m, 400);
    for (size_t i = 0; i < N_RANGE_ENDS; i++) {
        for (size_t j = 0; j < N_RANGE_ENDS; j++) {
            for (int ex = 0; ex < 4; ex++) {
                zrangespec r = {range_ends[i], range_ends[j], ex & 1, ex >> 1};
                size_t first = m->n, last = m->n;
                for (size_t k = 0; k < m->n; k++) {
                    if (!inScoreRange(m->entries[k].score, &r)) continue;
                    if (first == m->n) first = k;
                    last = k;
                }
                zskiplistNode *f = zslFirstInRange(zsl, &r), *l = zslLastInRange(zsl, &r);
                /* A quick test: 1 may still mean no node (the range falls between
                 * two scores), but 0 must mean none. */
                if (first != m->n) ASSERT(zslIsInRange(zsl, &r));
                if (first == m->n) {
                    ASSERT(f == NULL && l == NULL);
                    continue;
                }
                ASSERT(f == m->node[m->entries[first].id]);
                ASSERT(l == m->node[m->entries[last].id]);
                ASSERT_EQ(zslScoreGteMin(f->score, &r) && zslScoreLteMax(l->score, &r), 1);
            }
        }
    }
    /* Ranges that can hold nothing: min > max, or equal ends with one open. */
    zrangespec empty[] = {{1, 1, 1, 0}, {1, 1, 0, 1}, {2, 1, 0, 0}, {INFINITY, INFINITY, 1, 0}};
    for (size_t i = 0; i < sizeof(empty) / sizeof(empty[0]); i++) {
        ASSERT(!zslIsInRange(zsl, &empty[i]));
        ASSERT(zslFirstInRange(zsl, &empty[i]) == NULL);
        ASSERT_EQ(zslDeleteRangeByScore(zsl, &empty[i], NULL, NULL), 0);
    }
    zrangespec point = {1, 1, 0, 0};
    ASSERT(zslIsInRange(zsl, &point) == (zslFirstInRange(zsl, &point) != NULL));
    zslFree(zsl);
    modelFree(m);
    return 0;
}

/* Records what the delete callbacks see: copies of the members, in order. */
typedef struct {
    zskiplist *zsl;
    char members[512][64];
    size_t lens[512];
    int n;
    int bad;
} removedLog;

static void recordRemoval(void *ctx, zskiplistNode *node) {
    removedLog *log = ctx;
    size_t len = strLen(node->member);
    /* Unlinked already, still readable. */
    if (zslGetRank(log->zsl, node->score, node->member, len) != 0 || len > 64 || log->n >= 512) {
        log->bad = 1;
        return;
    }
    memcpy(log->members[log->n], node->member, len);
    log->lens[log->n++] = len;
}

static removedLog *logCreate(zskiplist *zsl) {
    removedLog *log = lcalloc(sizeof(*log));
    log->zsl = zsl;
    return log;
}

/* After a range deletion: the callback saw exactly the model entries [lo, hi)
 * in order; they are dropped from the model, and the rest is intact. */
static int checkRangeDeleted(zskiplist *zsl, model *m, removedLog *log, size_t lo, size_t hi,
                             unsigned long removed) {
    ASSERT_EQ(log->bad, 0);
    ASSERT_EQ(removed, hi - lo);
    ASSERT_EQ(log->n, hi - lo);
    int gone[MAX_MEMBERS];
    for (size_t k = lo; k < hi; k++) {
        char buf[64];
        size_t len = memberName(m->entries[k].id, buf);
        ASSERT_EQ(log->lens[k - lo], len);
        ASSERT_MEM_EQ(log->members[k - lo], buf, len);
        gone[k - lo] = m->entries[k].id;
    }
    for (size_t k = 0; k < hi - lo; k++)
        modelRemove(m, gone[k]);
    lfree(log);
    return checkAgainstModel(zsl, m);
}

int test_skiplist_delete_range_by_score(void) {
    for (size_t i = 0; i < N_RANGE_ENDS; i++) {
        for (size_t j = 0; j < N_RANGE_ENDS; j++) {
            for (int ex = 0; ex < 4; ex++) {
                model *m = modelCreate();
                zskiplist *zsl = buildScoreList(m, 60);
                zrangespec r = {range_ends[i], range_ends[j], ex & 1, ex >> 1};
                size_t lo = m->n, hi = m->n;
                for (size_t k = 0; k < m->n; k++) {
                    if (!inScoreRange(m->entries[k].score, &r)) continue;
                    if (lo == m->n) lo = k;
                    hi = k + 1;
                }
                removedLog *log = logCreate(zsl);
                unsigned long removed = zslDeleteRangeByScore(zsl, &r, recordRemoval, log);
                if (checkRangeDeleted(zsl, m, log, lo, hi, removed)) return 1;
                zslFree(zsl);
                modelFree(m);
            }
        }
    }
    return 0;
}

int test_skiplist_delete_range_by_rank(void) {
    for (unsigned long start = 1; start <= 45; start += 4) {
        for (unsigned long end = start; end <= 60; end += 3) {
            model *m = modelCreate();
            zskiplist *zsl = buildScoreList(m, 50);
            removedLog *log = logCreate(zsl);
            unsigned long removed = zslDeleteRangeByRank(zsl, start, end, recordRemoval, log);
            size_t lo = start - 1 < m->n ? start - 1 : m->n;
            size_t hi = end < m->n ? end : m->n;
            if (checkRangeDeleted(zsl, m, log, lo, hi, removed)) return 1;
            zslFree(zsl);
            modelFree(m);
        }
    }
    /* Everything, then nothing left. */
    model *m = modelCreate();
    zskiplist *zsl = buildScoreList(m, 50);
    ASSERT_EQ(zslDeleteRangeByRank(zsl, 1, m->n, NULL, NULL), m->n);
    ASSERT_EQ(zsl->length, 0);
    ASSERT(zsl->tail == NULL && zsl->level == 1);
    if (checkSkiplist(zsl)) return 1;
    zslFree(zsl);
    modelFree(m);
    return 0;
}

/* --- Lex ranges ----------------------------------------------------------- */

static const struct {
    const char *s;
    size_t len;
} lex_members[] = {
    {"", 0},   {"\0", 1},   {"a", 1},    {"a\0", 2},  {"aa", 2},
    {"ab", 2}, {"abc", 3},  {"b", 1},    {"ba", 2},   {"c", 1},
    {"d", 1},  {"\x7f", 1}, {"\x80", 1}, {"\xff", 1}, {"\xff\xff", 2},
};
#define N_LEX_MEMBERS (sizeof(lex_members) / sizeof(lex_members[0]))

/* Range ends: every member plus some that are not members, as range text. */
static size_t lexEndText(size_t k, char kind, char *buf) {
    static const struct {
        const char *s;
        size_t len;
    } others[] = {{"a0", 2}, {"bb", 2}, {"e", 1}, {"\x01", 1}};
    const char *s;
    size_t len;
    if (k < N_LEX_MEMBERS) {
        s = lex_members[k].s;
        len = lex_members[k].len;
    } else {
        s = others[k - N_LEX_MEMBERS].s;
        len = others[k - N_LEX_MEMBERS].len;
    }
    buf[0] = kind;
    memcpy(buf + 1, s, len);
    return len + 1;
}
#define N_LEX_ENDS (N_LEX_MEMBERS + 4 + 2) /* + "-" and "+" */

static size_t lexEnd(size_t k, int exclusive, char *buf) {
    if (k == N_LEX_ENDS - 2) return (size_t)sprintf(buf, "-");
    if (k == N_LEX_ENDS - 1) return (size_t)sprintf(buf, "+");
    return lexEndText(k, exclusive ? '(' : '[', buf);
}

/* Reference: is member within the range given as text? */
static int inLexRangeText(const char *m, size_t mlen, const char *min, size_t minlen,
                          const char *max, size_t maxlen) {
    int above, below;
    if (min[0] == '-')
        above = 1;
    else if (min[0] == '+')
        above = 0;
    else {
        int c = compareBytes(m, mlen, min + 1, minlen - 1);
        above = min[0] == '(' ? c > 0 : c >= 0;
    }
    if (max[0] == '+')
        below = 1;
    else if (max[0] == '-')
        below = 0;
    else {
        int c = compareBytes(m, mlen, max + 1, maxlen - 1);
        below = max[0] == '(' ? c < 0 : c <= 0;
    }
    return above && below;
}

static zskiplist *buildLexList(void) {
    zskiplist *zsl = zslCreate();
    for (size_t k = N_LEX_MEMBERS; k-- > 0;)
        zslInsert(zsl, 0, lex_members[k].s, lex_members[k].len);
    return zsl;
}

int test_skiplist_lex_ranges(void) {
    zskiplist *zsl = buildLexList();
    if (checkSkiplist(zsl)) return 1;
    for (size_t i = 0; i < N_LEX_ENDS; i++) {
        for (size_t j = 0; j < N_LEX_ENDS; j++) {
            for (int ex = 0; ex < 4; ex++) {
                char min[8], max[8];
                size_t minlen = lexEnd(i, ex & 1, min), maxlen = lexEnd(j, ex >> 1, max);
                zlexrangespec r;
                ASSERT_EQ(zslParseLexRange(min, minlen, max, maxlen, &r), 0);
                long first = -1, last = -1;
                for (size_t k = 0; k < N_LEX_MEMBERS; k++) {
                    if (!inLexRangeText(lex_members[k].s, lex_members[k].len, min, minlen, max,
                                        maxlen))
                        continue;
                    if (first < 0) first = (long)k;
                    last = (long)k;
                    ASSERT(zslLexGteMin(lex_members[k].s, lex_members[k].len, &r));
                    ASSERT(zslLexLteMax(lex_members[k].s, lex_members[k].len, &r));
                }
                if (first >= 0) ASSERT(zslIsInLexRange(zsl, &r));
                zskiplistNode *f = zslFirstInLexRange(zsl, &r), *l = zslLastInLexRange(zsl, &r);
                if (first < 0) {
                    ASSERT(f == NULL && l == NULL);
                } else {
                    ASSERT(f == zslGetElementByRank(zsl, (unsigned long)first + 1));
                    ASSERT(l == zslGetElementByRank(zsl, (unsigned long)last + 1));
                }

                zskiplist *victim = buildLexList();
                removedLog *log = logCreate(victim);
                unsigned long removed = zslDeleteRangeByLex(victim, &r, recordRemoval, log);
                ASSERT_EQ(removed, first < 0 ? 0 : last - first + 1);
                ASSERT_EQ(log->bad, 0);
                ASSERT_EQ(log->n, removed);
                for (int d = 0; d < log->n; d++) {
                    ASSERT_EQ(log->lens[d], lex_members[first + d].len);
                    ASSERT_MEM_EQ(log->members[d], lex_members[first + d].s, log->lens[d]);
                }
                lfree(log);
                ASSERT_EQ(victim->length, N_LEX_MEMBERS - removed);
                if (checkSkiplist(victim)) return 1;
                size_t k = 0;
                for (zskiplistNode *x = victim->header->level[0].forward; x;
                     x = x->level[0].forward, k++) {
                    if ((long)k == first) k += removed;
                    ASSERT_EQ(strLen(x->member), lex_members[k].len);
                    ASSERT_MEM_EQ(x->member, lex_members[k].s, lex_members[k].len);
                }
                zslFree(victim);
                zslFreeLexRange(&r);
                ASSERT(r.min == NULL && r.max == NULL);
            }
        }
    }
    zslFree(zsl);
    return 0;
}

int test_skiplist_parse_lex_range(void) {
    zlexrangespec r;
    ASSERT_EQ(zslParseLexRange("-", 1, "+", 1, &r), 0);
    ASSERT(r.min == zslLexMinusInf && r.max == zslLexPlusInf && r.minex && r.maxex);
    ASSERT_EQ(strLen(r.min), 0); /* readable as "" */
    zslFreeLexRange(&r);
    ASSERT_EQ(zslParseLexRange("+", 1, "-", 1, &r), 0);
    ASSERT(r.min == zslLexPlusInf && r.max == zslLexMinusInf);
    zslFreeLexRange(&r);
    ASSERT_EQ(zslParseLexRange("[a\0b", 4, "(", 1, &r), 0);
    ASSERT(!r.minex && r.maxex);
    ASSERT_EQ(strLen(r.min), 3);
    ASSERT_MEM_EQ(r.min, "a\0b", 3);
    ASSERT_EQ(strLen(r.max), 0);
    zslFreeLexRange(&r);
    ASSERT_EQ(zslParseLexRange("[", 1, "[+", 2, &r), 0);
    ASSERT_STR_EQ(r.max, "+");
    zslFreeLexRange(&r);

    /* Invalid: empty, no prefix, "+" or "-" with more bytes. Nothing leaks
     * when the max end fails after the min end parsed (checked under ASan). */
    const char *bad[] = {"", "a", "--", "++", "-a", "+a", "]a", " [a"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ASSERT_EQ(zslParseLexRange(bad[i], strlen(bad[i]), "+", 1, &r), -1);
        ASSERT_EQ(zslParseLexRange("[a", 2, bad[i], strlen(bad[i]), &r), -1);
        ASSERT(r.min == NULL && r.max == NULL);
    }
    /* Guarded: "-" and "+" are checked by length, never by reading past it. */
    char *g = testGuardedCopy("-", 1);
    ASSERT_EQ(zslParseLexRange(g, 1, g, 1, &r), 0);
    zslFreeLexRange(&r);
    testGuardedFree(g, 1);
    g = testGuardedCopy("", 0);
    ASSERT_EQ(zslParseLexRange(g, 0, "+", 1, &r), -1);
    testGuardedFree(g, 0);
    return 0;
}

int test_skiplist_parse_range(void) {
    struct {
        const char *s;
        size_t len;
        int ok;
        double value;
        int ex;
    } cases[] = {
        {"1.5", 3, 1, 1.5, 0},
        {"(1.5", 4, 1, 1.5, 1},
        {"-inf", 4, 1, -INFINITY, 0},
        {"+inf", 4, 1, INFINITY, 0},
        {"inf", 3, 1, INFINITY, 0},
        {"(inf", 4, 1, INFINITY, 1},
        {"(-inf", 5, 1, -INFINITY, 1},
        {"Infinity", 8, 1, INFINITY, 0},
        {"0x10", 4, 1, 16, 0},
        {"+1", 2, 1, 1, 0},
        {".5", 2, 1, 0.5, 0},
        {"1e400", 5, 1, INFINITY, 0}, /* strtod overflow, as redis-server */
        {"-1e400", 6, 1, -INFINITY, 0},
        {" 1", 2, 1, 1, 0}, /* strtod skips leading space */
        {"", 0, 1, 0, 0},   /* as redis-server: nothing to parse is 0 */
        {"(", 1, 1, 0, 1},
        {"1\0zz", 4, 1, 1, 0}, /* redis-server stops at a NUL */
        {"(1\0zz", 5, 1, 1, 1},
        {"1 ", 2, 0, 0, 0},
        {"nan", 3, 0, 0, 0},
        {"(nan", 4, 0, 0, 0},
        {"-nan", 4, 0, 0, 0},
        {"((1", 3, 0, 0, 0},
        {"[1", 2, 0, 0, 0},
        {"1x", 2, 0, 0, 0},
        {"abc", 3, 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        zrangespec r;
        char *g = testGuardedCopy(cases[i].s, cases[i].len);
        int rc = zslParseRange(g, cases[i].len, "+inf", 4, &r);
        if (cases[i].ok) {
            ASSERT_EQ(rc, 0);
            ASSERT(r.min == cases[i].value);
            ASSERT_EQ(r.minex, cases[i].ex);
            ASSERT(r.max == INFINITY && !r.maxex);
        } else {
            ASSERT_EQ(rc, -1);
        }
        rc = zslParseRange("0", 1, g, cases[i].len, &r);
        ASSERT_EQ(rc, cases[i].ok ? 0 : -1);
        if (cases[i].ok) ASSERT(r.max == cases[i].value && r.maxex == cases[i].ex);
        testGuardedFree(g, cases[i].len);
    }
    /* A long argument goes through a heap copy. */
    char longnum[300];
    memset(longnum, '0', sizeof(longnum));
    longnum[0] = '(';
    longnum[sizeof(longnum) - 1] = '7';
    zrangespec r;
    ASSERT_EQ(zslParseRange(longnum, sizeof(longnum), longnum + 1, sizeof(longnum) - 1, &r), 0);
    ASSERT(r.min == 7 && r.minex && r.max == 7 && !r.maxex);
    longnum[100] = 'x';
    ASSERT_EQ(zslParseRange(longnum, sizeof(longnum), "1", 1, &r), -1);
    return 0;
}

/* With p = 1/4 about n/4^i nodes reach level i+1. */
int test_skiplist_level_distribution(void) {
    zskiplist *zsl = zslCreate();
    const unsigned long n = 100000;
    for (unsigned long i = 0; i < n; i++) {
        char buf[16];
        zslInsert(zsl, (double)i, buf, (size_t)sprintf(buf, "%lu", i));
    }
    if (checkSkiplist(zsl)) return 1;
    double expected = (double)n;
    for (int level = 1; level <= 4; level++) {
        unsigned long count = 0;
        for (zskiplistNode *x = zsl->header->level[level].forward; x; x = x->level[level].forward)
            count++;
        expected /= 4;
        /* Many standard deviations of slack: sd is below sqrt(expected). */
        double slack = 6 * sqrt(expected) + 1;
        ASSERT(fabs((double)count - expected) < slack);
    }
    ASSERT(zsl->level >= 6 && zsl->level <= 16);
    /* Ranks at a few places, then free the lot by rank ranges. */
    for (unsigned long r = 1; r <= n; r += 9973) {
        zskiplistNode *x = zslGetElementByRank(zsl, r);
        ASSERT(x->score == (double)(r - 1));
        ASSERT_EQ(zslGetRank(zsl, x->score, x->member, strLen(x->member)), r);
    }
    ASSERT_EQ(zslDeleteRangeByRank(zsl, 50001, n, NULL, NULL), 50000);
    ASSERT_EQ(zslDeleteRangeByRank(zsl, 2, 49999, NULL, NULL), 49998);
    ASSERT_EQ(zsl->length, 2);
    if (checkSkiplist(zsl)) return 1;
    ASSERT(zsl->header->level[0].forward->score == 0 && zsl->tail->score == 49999);
    zslFree(zsl);
    return 0;
}
