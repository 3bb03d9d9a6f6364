/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The sorted-set skiplist (Pugh, "Skip Lists: A Probabilistic Alternative to
 * Balanced Trees", 1990), with a span per forward pointer so that a search also
 * counts ranks. Searches record, per level, the last node before the target and
 * its rank; insertion and unlinking then fix forward pointers and spans level by
 * level from those records. The parsers for score and lex range arguments live
 * here too, beside the comparisons they feed. Leaf module: any thread, one
 * thread per skiplist at a time.
 */
#include "skiplist.h"

#include "alloc.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The sentinels are valid empty strs (a 1-byte header of 0, then the NUL), so
 * that code which forgets to compare addresses reads "" instead of garbage. */
static char lex_minus_inf[2];
static char lex_plus_inf[2];
const str zslLexMinusInf = lex_minus_inf + 1;
const str zslLexPlusInf = lex_plus_inf + 1;

/* memcmp order, the shorter first on a common prefix. */
static int compareBytes(const char *a, size_t alen, const char *b, size_t blen) {
    size_t n = alen < blen ? alen : blen;
    int c = n ? memcmp(a, b, n) : 0;
    if (c != 0) return c;
    return alen < blen ? -1 : alen > blen;
}

static int memberIs(const zskiplistNode *x, const char *member, size_t len) {
    return strLen(x->member) == len && memcmp(x->member, member, len) == 0;
}

/* Whether x sorts strictly before (score, member). */
static int sortsBefore(const zskiplistNode *x, double score, const char *member, size_t len) {
    if (x->score != score) return x->score < score;
    return compareBytes(x->member, strLen(x->member), member, len) < 0;
}

/* A level in 1..ZSKIPLIST_MAXLEVEL, each level above 1 with probability 1/4:
 * one more level per pair of zero bits. 64 random bits cover the 31 pairs that
 * the highest level needs. */
static int randomLevel(void) {
    uint64_t r = randomU64();
    int level = 1;
    while ((r & 3) == 0 && level < ZSKIPLIST_MAXLEVEL) {
        level++;
        r >>= 2;
    }
    return level;
}

static zskiplistNode *createNode(int level, double score, const char *member, size_t len) {
    size_t levels_bytes = (size_t)level * sizeof(struct zskiplistLevel);
    size_t member_bytes = member ? strEmbedSize(len) : 0;
    zskiplistNode *x = lmalloc(sizeof(*x) + levels_bytes + member_bytes);
    x->score = score;
    x->backward = NULL;
    x->member = member ? strEmbed((char *)x->level + levels_bytes, member, len) : NULL;
    return x;
}

zskiplist *zslCreate(void) {
    zskiplist *zsl = lmalloc(sizeof(*zsl));
    zsl->header = createNode(ZSKIPLIST_MAXLEVEL, 0, NULL, 0);
    for (int i = 0; i < ZSKIPLIST_MAXLEVEL; i++) {
        zsl->header->level[i].forward = NULL;
        zsl->header->level[i].span = 0;
    }
    zsl->tail = NULL;
    zsl->length = 0;
    zsl->level = 1;
    return zsl;
}

void zslFreeNode(zskiplistNode *node) {
    lfree(node);
}

void zslFree(zskiplist *zsl) {
    zskiplistNode *x = zsl->header->level[0].forward;
    while (x) {
        zskiplistNode *next = x->level[0].forward;
        zslFreeNode(x);
        x = next;
    }
    lfree(zsl->header);
    lfree(zsl);
}

/* For every level in use, stores in update[i] the last node at level i that sorts
 * before (score, member), and in rank[i] (if rank is not NULL) its rank. */
static void findPredecessors(zskiplist *zsl, double score, const char *member, size_t len,
                             zskiplistNode **update, unsigned long *rank) {
    zskiplistNode *x = zsl->header;
    unsigned long traversed = 0;
    for (int i = zsl->level - 1; i >= 0; i--) {
        while (x->level[i].forward && sortsBefore(x->level[i].forward, score, member, len)) {
            traversed += x->level[i].span;
            x = x->level[i].forward;
        }
        update[i] = x;
        if (rank) rank[i] = traversed;
    }
}

/* Links x, which has `level` levels, right after update[0], with update[] and
 * rank[] as findPredecessors left them for x's key. */
static void linkNode(zskiplist *zsl, zskiplistNode *x, int level, zskiplistNode **update,
                     unsigned long *rank) {
    for (int i = zsl->level; i < level; i++) {
        update[i] = zsl->header;
        rank[i] = 0;
        zsl->header->level[i].span = zsl->length;
    }
    if (level > zsl->level) zsl->level = level;
    /* x's rank is rank[0] + 1; each level's span splits around it. */
    for (int i = 0; i < level; i++) {
        unsigned long before = rank[0] - rank[i];
        x->level[i].forward = update[i]->level[i].forward;
        x->level[i].span = update[i]->level[i].span - before;
        update[i]->level[i].forward = x;
        update[i]->level[i].span = before + 1;
    }
    /* Higher levels pass over x: one more step. */
    for (int i = level; i < zsl->level; i++)
        update[i]->level[i].span++;
    x->backward = update[0] == zsl->header ? NULL : update[0];
    if (x->level[0].forward)
        x->level[0].forward->backward = x;
    else
        zsl->tail = x;
    zsl->length++;
}

/* Unlinks x given its predecessors and returns how many levels it had: exactly
 * the levels at which its predecessor pointed at it. */
static int unlinkNode(zskiplist *zsl, zskiplistNode *x, zskiplistNode **update) {
    int level = 0;
    for (int i = 0; i < zsl->level; i++) {
        if (update[i]->level[i].forward == x) {
            update[i]->level[i].span += x->level[i].span - 1;
            update[i]->level[i].forward = x->level[i].forward;
            level++;
        } else {
            update[i]->level[i].span--;
        }
    }
    if (x->level[0].forward)
        x->level[0].forward->backward = x->backward;
    else
        zsl->tail = x->backward;
    while (zsl->level > 1 && zsl->header->level[zsl->level - 1].forward == NULL)
        zsl->level--;
    zsl->length--;
    return level;
}

zskiplistNode *zslInsert(zskiplist *zsl, double score, const char *member, size_t len) {
    zskiplistNode *update[ZSKIPLIST_MAXLEVEL];
    unsigned long rank[ZSKIPLIST_MAXLEVEL];
    findPredecessors(zsl, score, member, len, update, rank);
    int level = randomLevel();
    zskiplistNode *x = createNode(level, score, member, len);
    linkNode(zsl, x, level, update, rank);
    return x;
}

int zslDelete(zskiplist *zsl, double score, const char *member, size_t len, zskiplistNode **node) {
    zskiplistNode *update[ZSKIPLIST_MAXLEVEL];
    findPredecessors(zsl, score, member, len, update, NULL);
    zskiplistNode *x = update[0]->level[0].forward;
    if (!x || x->score != score || !memberIs(x, member, len)) return 0;
    unlinkNode(zsl, x, update);
    if (node)
        *node = x;
    else
        zslFreeNode(x);
    return 1;
}

zskiplistNode *zslUpdateScore(zskiplist *zsl, double curscore, const char *member, size_t len,
                              double newscore) {
    zskiplistNode *update[ZSKIPLIST_MAXLEVEL];
    unsigned long rank[ZSKIPLIST_MAXLEVEL];
    findPredecessors(zsl, curscore, member, len, update, NULL);
    zskiplistNode *x = update[0]->level[0].forward;
    loomAssert(x && x->score == curscore && memberIs(x, member, len));

    /* Members are unique, so the next node cannot tie with the new key. */
    zskiplistNode *next = x->level[0].forward;
    if ((!x->backward || sortsBefore(x->backward, newscore, member, len)) &&
        (!next || !sortsBefore(next, newscore, member, len))) {
        x->score = newscore;
        return x;
    }
    /* x stays allocated while unlinked, so member (possibly x->member) is still
     * readable for the second search. */
    int level = unlinkNode(zsl, x, update);
    findPredecessors(zsl, newscore, member, len, update, rank);
    x->score = newscore;
    linkNode(zsl, x, level, update, rank);
    return x;
}

unsigned long zslGetRank(zskiplist *zsl, double score, const char *member, size_t len) {
    zskiplistNode *x = zsl->header;
    unsigned long traversed = 0;
    for (int i = zsl->level - 1; i >= 0; i--) {
        /* Advance while the next node sorts at or before the key. */
        while (x->level[i].forward && (sortsBefore(x->level[i].forward, score, member, len) ||
                                       (x->level[i].forward->score == score &&
                                        memberIs(x->level[i].forward, member, len)))) {
            traversed += x->level[i].span;
            x = x->level[i].forward;
        }
        if (x != zsl->header && x->score == score && memberIs(x, member, len)) return traversed;
    }
    return 0;
}

zskiplistNode *zslGetElementByRank(zskiplist *zsl, unsigned long rank) {
    zskiplistNode *x = zsl->header;
    unsigned long traversed = 0;
    for (int i = zsl->level - 1; i >= 0; i--) {
        while (x->level[i].forward && traversed + x->level[i].span <= rank) {
            traversed += x->level[i].span;
            x = x->level[i].forward;
        }
        if (traversed == rank) return x == zsl->header ? NULL : x;
    }
    return NULL;
}

/* --- Score ranges --------------------------------------------------------- */

int zslScoreGteMin(double score, const zrangespec *range) {
    return range->minex ? score > range->min : score >= range->min;
}

int zslScoreLteMax(double score, const zrangespec *range) {
    return range->maxex ? score < range->max : score <= range->max;
}

int zslIsInRange(zskiplist *zsl, const zrangespec *range) {
    if (range->min > range->max || (range->min == range->max && (range->minex || range->maxex)))
        return 0;
    if (!zsl->tail || !zslScoreGteMin(zsl->tail->score, range)) return 0;
    return zslScoreLteMax(zsl->header->level[0].forward->score, range);
}

/* The last node whose score is below the range (possibly the header). */
static zskiplistNode *lastBelowRange(zskiplist *zsl, const zrangespec *range,
                                     zskiplistNode **update) {
    zskiplistNode *x = zsl->header;
    for (int i = zsl->level - 1; i >= 0; i--) {
        while (x->level[i].forward && !zslScoreGteMin(x->level[i].forward->score, range))
            x = x->level[i].forward;
        if (update) update[i] = x;
    }
    return x;
}

zskiplistNode *zslFirstInRange(zskiplist *zsl, const zrangespec *range) {
    if (!zslIsInRange(zsl, range)) return NULL;
    /* Not NULL: the tail is in range, so past the last node below it. */
    zskiplistNode *x = lastBelowRange(zsl, range, NULL)->level[0].forward;
    return zslScoreLteMax(x->score, range) ? x : NULL;
}

zskiplistNode *zslLastInRange(zskiplist *zsl, const zrangespec *range) {
    if (!zslIsInRange(zsl, range)) return NULL;
    zskiplistNode *x = zsl->header;
    for (int i = zsl->level - 1; i >= 0; i--)
        while (x->level[i].forward && zslScoreLteMax(x->level[i].forward->score, range))
            x = x->level[i].forward;
    /* Not the header: the first node is at or below the upper end. */
    return zslScoreGteMin(x->score, range) ? x : NULL;
}

/* One end of a score range. strtod over a NUL-terminated copy reproduces Redis's
 * acceptance exactly, including what it accepts before an embedded NUL. */
static int parseScoreEnd(const char *s, size_t len, double *value, int *exclusive) {
    *exclusive = 0;
    if (len > 0 && s[0] == '(') {
        *exclusive = 1;
        s++;
        len--;
    }
    char stack_buf[128];
    char *buf = len < sizeof(stack_buf) ? stack_buf : lmalloc(len + 1);
    memcpy(buf, s, len);
    buf[len] = '\0';
    char *end;
    *value = strtod(buf, &end);
    int ok = *end == '\0' && !isnan(*value);
    if (buf != stack_buf) lfree(buf);
    return ok ? 0 : -1;
}

int zslParseRange(const char *min, size_t minlen, const char *max, size_t maxlen,
                  zrangespec *spec) {
    if (parseScoreEnd(min, minlen, &spec->min, &spec->minex) != 0) return -1;
    return parseScoreEnd(max, maxlen, &spec->max, &spec->maxex);
}

/* --- Lex ranges ----------------------------------------------------------- */

/* Compares a member with a range end, which may be a sentinel. */
static int compareWithLexEnd(const char *member, size_t len, const str end) {
    if (end == zslLexMinusInf) return 1;
    if (end == zslLexPlusInf) return -1;
    return compareBytes(member, len, end, strLen(end));
}

/* Compares two range ends, either of which may be a sentinel. */
static int compareLexEnds(const str a, const str b) {
    if (a == b) return 0;
    if (a == zslLexMinusInf || b == zslLexPlusInf) return -1;
    if (a == zslLexPlusInf || b == zslLexMinusInf) return 1;
    return strCmp(a, b);
}

int zslLexGteMin(const char *member, size_t len, const zlexrangespec *range) {
    int c = compareWithLexEnd(member, len, range->min);
    return range->minex ? c > 0 : c >= 0;
}

int zslLexLteMax(const char *member, size_t len, const zlexrangespec *range) {
    int c = compareWithLexEnd(member, len, range->max);
    return range->maxex ? c < 0 : c <= 0;
}

static int nodeLexGteMin(const zskiplistNode *x, const zlexrangespec *range) {
    return zslLexGteMin(x->member, strLen(x->member), range);
}

static int nodeLexLteMax(const zskiplistNode *x, const zlexrangespec *range) {
    return zslLexLteMax(x->member, strLen(x->member), range);
}

int zslIsInLexRange(zskiplist *zsl, const zlexrangespec *range) {
    int c = compareLexEnds(range->min, range->max);
    if (c > 0 || (c == 0 && (range->minex || range->maxex))) return 0;
    if (!zsl->tail || !nodeLexGteMin(zsl->tail, range)) return 0;
    return nodeLexLteMax(zsl->header->level[0].forward, range);
}

static zskiplistNode *lastBelowLexRange(zskiplist *zsl, const zlexrangespec *range,
                                        zskiplistNode **update) {
    zskiplistNode *x = zsl->header;
    for (int i = zsl->level - 1; i >= 0; i--) {
        while (x->level[i].forward && !nodeLexGteMin(x->level[i].forward, range))
            x = x->level[i].forward;
        if (update) update[i] = x;
    }
    return x;
}

zskiplistNode *zslFirstInLexRange(zskiplist *zsl, const zlexrangespec *range) {
    if (!zslIsInLexRange(zsl, range)) return NULL;
    zskiplistNode *x = lastBelowLexRange(zsl, range, NULL)->level[0].forward;
    return nodeLexLteMax(x, range) ? x : NULL;
}

zskiplistNode *zslLastInLexRange(zskiplist *zsl, const zlexrangespec *range) {
    if (!zslIsInLexRange(zsl, range)) return NULL;
    zskiplistNode *x = zsl->header;
    for (int i = zsl->level - 1; i >= 0; i--)
        while (x->level[i].forward && nodeLexLteMax(x->level[i].forward, range))
            x = x->level[i].forward;
    return nodeLexGteMin(x, range) ? x : NULL;
}

static int parseLexEnd(const char *s, size_t len, str *end, int *exclusive) {
    if (len == 0) return -1;
    switch (s[0]) {
        case '+':
        case '-':
            if (len != 1) return -1;
            *end = s[0] == '+' ? zslLexPlusInf : zslLexMinusInf;
            *exclusive = 1;
            return 0;
        case '(':
        case '[':
            *end = strNewLen(s + 1, len - 1);
            *exclusive = s[0] == '(';
            return 0;
        default: return -1;
    }
}

int zslParseLexRange(const char *min, size_t minlen, const char *max, size_t maxlen,
                     zlexrangespec *spec) {
    spec->min = spec->max = NULL;
    if (parseLexEnd(min, minlen, &spec->min, &spec->minex) != 0) return -1;
    if (parseLexEnd(max, maxlen, &spec->max, &spec->maxex) != 0) {
        zslFreeLexRange(spec);
        return -1;
    }
    return 0;
}

void zslFreeLexRange(zlexrangespec *spec) {
    if (spec->min != zslLexMinusInf && spec->min != zslLexPlusInf) strFree(spec->min);
    if (spec->max != zslLexMinusInf && spec->max != zslLexPlusInf) strFree(spec->max);
    spec->min = spec->max = NULL;
}

/* --- Range deletions ------------------------------------------------------ */

/* Deleting from the first node after update[0] onwards keeps update[] valid:
 * every predecessor recorded there sorts before all the deleted nodes. */
static void deleteNode(zskiplist *zsl, zskiplistNode *x, zskiplistNode **update,
                       zslRemoveCallback *cb, void *ctx) {
    unlinkNode(zsl, x, update);
    if (cb) cb(ctx, x);
    zslFreeNode(x);
}

unsigned long zslDeleteRangeByScore(zskiplist *zsl, const zrangespec *range, zslRemoveCallback *cb,
                                    void *ctx) {
    zskiplistNode *update[ZSKIPLIST_MAXLEVEL];
    zskiplistNode *x = lastBelowRange(zsl, range, update)->level[0].forward;
    unsigned long removed = 0;
    while (x && zslScoreLteMax(x->score, range)) {
        zskiplistNode *next = x->level[0].forward;
        deleteNode(zsl, x, update, cb, ctx);
        removed++;
        x = next;
    }
    return removed;
}

unsigned long zslDeleteRangeByLex(zskiplist *zsl, const zlexrangespec *range, zslRemoveCallback *cb,
                                  void *ctx) {
    zskiplistNode *update[ZSKIPLIST_MAXLEVEL];
    zskiplistNode *x = lastBelowLexRange(zsl, range, update)->level[0].forward;
    unsigned long removed = 0;
    while (x && nodeLexLteMax(x, range)) {
        zskiplistNode *next = x->level[0].forward;
        deleteNode(zsl, x, update, cb, ctx);
        removed++;
        x = next;
    }
    return removed;
}

unsigned long zslDeleteRangeByRank(zskiplist *zsl, unsigned long start, unsigned long end,
                                   zslRemoveCallback *cb, void *ctx) {
    zskiplistNode *update[ZSKIPLIST_MAXLEVEL];
    zskiplistNode *x = zsl->header;
    unsigned long traversed = 0;
    for (int i = zsl->level - 1; i >= 0; i--) {
        while (x->level[i].forward && traversed + x->level[i].span < start) {
            traversed += x->level[i].span;
            x = x->level[i].forward;
        }
        update[i] = x;
    }
    x = x->level[0].forward;
    unsigned long removed = 0;
    for (traversed++; x && traversed <= end; traversed++) {
        zskiplistNode *next = x->level[0].forward;
        deleteNode(zsl, x, update, cb, ctx);
        removed++;
        x = next;
    }
    return removed;
}
