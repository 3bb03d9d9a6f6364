/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The skiplist behind large sorted sets: nodes ordered by score, then by member
 * bytes (memcmp; on a common prefix the shorter member first), with a span per
 * level so ranks cost O(log n), and a backward pointer for reverse walks. Pugh's
 * parameters: p = 1/4, at most 32 levels. Also the parsing and testing of score
 * ranges (ZRANGEBYSCORE) and lex ranges (ZRANGEBYLEX) with Redis 7.0's syntax.
 *
 * Each node is one allocation holding its member, embedded after the level array
 * (see zskiplistNode). The skiplist knows nothing of the dict a sorted set pairs
 * it with (zset.h). Leaf module: no locks, one thread at a time per skiplist.
 */
#ifndef LOOM_SKIPLIST_H
#define LOOM_SKIPLIST_H

#include "str.h"

#include <stddef.h>

#define ZSKIPLIST_MAXLEVEL 32

/* One allocation: this struct, level[] with the node's 1..32 levels, then the
 * member as an embedded str (strEmbed). member is therefore read-only, lives
 * exactly as long as the node, and must never be passed to strFree; the zset's
 * dict uses it as its (unowned) key. Nodes never move while linked: a node
 * pointer stays valid until the node is deleted, even across zslUpdateScore.
 * Walk forward with level[0].forward and backward with backward (NULL at the
 * first node; the header is never reached). */
typedef struct zskiplistNode {
    double score;
    struct zskiplistNode *backward;
    str member; /* NULL only in the header */
    struct zskiplistLevel {
        struct zskiplistNode *forward;
        /* Level-0 steps from this node to forward; when forward is NULL, steps
         * to the last node. The header counts as position 0. */
        unsigned long span;
    } level[];
} zskiplistNode;

typedef struct zskiplist {
    zskiplistNode *header; /* sentinel with ZSKIPLIST_MAXLEVEL levels, no member */
    zskiplistNode *tail;   /* last node, NULL when empty */
    unsigned long length;
    int level; /* levels in use, at least 1 */
} zskiplist;

zskiplist *zslCreate(void);
void zslFree(zskiplist *zsl); /* frees every node */

/* Inserts (score, member) and returns the new node; member's bytes are copied into
 * it. The member must not be present and score must not be NaN (caller checks). */
zskiplistNode *zslInsert(zskiplist *zsl, double score, const char *member, size_t len);
/* Deletes the node with exactly this score and member: 1 if found, else 0. With
 * node != NULL the unlinked node is stored there for the caller to zslFreeNode;
 * otherwise it is freed. */
int zslDelete(zskiplist *zsl, double score, const char *member, size_t len, zskiplistNode **node);
void zslFreeNode(zskiplistNode *node);
/* Changes the score of the present node (curscore, member) and returns it. The
 * node stays where it is when its neighbours still enclose the new score;
 * otherwise it is unlinked and linked again at its new place. Either way it is
 * the same node (same address, same member). member may be node->member. */
zskiplistNode *zslUpdateScore(zskiplist *zsl, double curscore, const char *member, size_t len,
                              double newscore);

/* 1-based rank of (score, member), or 0 if absent. */
unsigned long zslGetRank(zskiplist *zsl, double score, const char *member, size_t len);
/* The node at 1-based rank, or NULL when rank is 0 or past the length. */
zskiplistNode *zslGetElementByRank(zskiplist *zsl, unsigned long rank);

/* Score ranges: min <= score <= max, each end exclusive when its flag is set.
 * Infinite ends are plain infinities. */
typedef struct {
    double min, max;
    int minex, maxex;
} zrangespec;

/* Parses ZRANGEBYSCORE-style ends as redis-server 7.0 does: an optional '(' (that
 * end exclusive), then text that C's strtod consumes up to a NUL ("1.5", "-inf",
 * "+inf", "inf", hex, leading spaces; "(" alone is an exclusive 0, as in Redis);
 * NaN is rejected. 0 if both parse, -1 otherwise (the caller replies "ERR min or
 * max is not a float"). */
int zslParseRange(const char *min, size_t minlen, const char *max, size_t maxlen, zrangespec *spec);
/* Whether a score is above the lower end / below the upper end. Shared with the
 * listpack encoding so both apply the same rules. */
int zslScoreGteMin(double score, const zrangespec *range);
int zslScoreLteMax(double score, const zrangespec *range);
/* A quick O(1) test: 0 when no node can be in the range (it is empty, as (1 1,
 * or lies wholly outside the first and last scores), else 1, even when the range
 * falls between two nodes. zslFirstInRange gives the exact answer. */
int zslIsInRange(zskiplist *zsl, const zrangespec *range);
/* First / last node in the range, or NULL. O(log n). */
zskiplistNode *zslFirstInRange(zskiplist *zsl, const zrangespec *range);
zskiplistNode *zslLastInRange(zskiplist *zsl, const zrangespec *range);

/* Lex ranges, meaningful when all scores are equal (ZRANGEBYLEX's contract).
 * min and max are owned strs, or one of the two sentinels below for "-" (before
 * every member) and "+" (after every member); compare them by address. The
 * sentinels are never freed and always come with the exclusive flag set. */
typedef struct {
    str min, max;
    int minex, maxex;
} zlexrangespec;

extern const str zslLexMinusInf; /* "-" */
extern const str zslLexPlusInf;  /* "+" */

/* Parses ZRANGEBYLEX ends: "[x" (inclusive), "(x" (exclusive), or exactly "-" or
 * "+". 0 if both parse (free with zslFreeLexRange), -1 otherwise with nothing
 * allocated (the caller replies "ERR min or max not valid string range item"). */
int zslParseLexRange(const char *min, size_t minlen, const char *max, size_t maxlen,
                     zlexrangespec *spec);
void zslFreeLexRange(zlexrangespec *spec);
int zslLexGteMin(const char *member, size_t len, const zlexrangespec *range);
int zslLexLteMax(const char *member, size_t len, const zlexrangespec *range);
/* The quick test as zslIsInRange, for lex ranges. */
int zslIsInLexRange(zskiplist *zsl, const zlexrangespec *range);
zskiplistNode *zslFirstInLexRange(zskiplist *zsl, const zlexrangespec *range);
zskiplistNode *zslLastInLexRange(zskiplist *zsl, const zlexrangespec *range);

/* Range deletions. Each removed node is unlinked, passed to cb (if not NULL, so
 * the caller can drop node->member from its dict), then freed. Return the number
 * removed. Ranks are 1-based and inclusive. */
typedef void zslRemoveCallback(void *ctx, zskiplistNode *node);
unsigned long zslDeleteRangeByScore(zskiplist *zsl, const zrangespec *range, zslRemoveCallback *cb,
                                    void *ctx);
unsigned long zslDeleteRangeByLex(zskiplist *zsl, const zlexrangespec *range, zslRemoveCallback *cb,
                                  void *ctx);
unsigned long zslDeleteRangeByRank(zskiplist *zsl, unsigned long start, unsigned long end,
                                   zslRemoveCallback *cb, void *ctx);

#endif
