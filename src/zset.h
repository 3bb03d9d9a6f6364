/* SPDX-License-Identifier: BSD-3-Clause
 *
 * zset: the large sorted-set encoding, a skiplist for order and ranks paired
 * with a dict for O(1) member lookups. The dict's key is the member str embedded
 * in the skiplist node (the dict does not own it) and its value (v.val) is the
 * node itself, so the score is stored once and a member costs one node plus one
 * dict entry. Everything that removes members goes through this module, which
 * keeps the two in step. Leaf module: one thread at a time per zset.
 */
#ifndef LOOM_ZSET_H
#define LOOM_ZSET_H

#include "dict.h"
#include "skiplist.h"

#include <stddef.h>

typedef struct zset {
    dict *dict; /* member -> zskiplistNode * (in v.val); keys owned by the nodes */
    zskiplist *zsl;
} zset;

/* zsetAdd input flags, as ZADD's options. Incompatible combinations (NX with
 * XX, GT or LT; GT with LT) are the caller's to reject before calling. */
#define ZSET_IN_NX   (1 << 0) /* only add new members */
#define ZSET_IN_XX   (1 << 1) /* only update existing members */
#define ZSET_IN_GT   (1 << 2) /* update only when the new score is greater */
#define ZSET_IN_LT   (1 << 3) /* update only when the new score is less */
#define ZSET_IN_INCR (1 << 4) /* score is an increment (ZINCRBY, ZADD INCR) */

/* zsetAdd output flags: exactly one of them, or none when an existing member's
 * score stayed the same. */
#define ZSET_OUT_ADDED   (1 << 0) /* the member is new */
#define ZSET_OUT_UPDATED (1 << 1) /* an existing member's score changed */
#define ZSET_OUT_NOP     (1 << 2) /* NX, XX, GT or LT prevented the operation */

zset *zsetCreate(void);
void zsetFree(zset *zs);
unsigned long zsetLength(const zset *zs);

/* Adds or updates member following ZADD's rules for in_flags. On success returns 0,
 * sets *out_flags, and (unless NULL) *newscore to the member's score afterwards,
 * which is meaningful unless ZSET_OUT_NOP. Returns -1 and changes nothing when
 * score or the incremented score is NaN (as from inf + -inf): the caller replies
 * "ERR resulting score is not a number (NaN)". member is copied. */
int zsetAdd(zset *zs, double score, const char *member, size_t len, int in_flags, int *out_flags,
            double *newscore);
/* 1 if member was removed, 0 if it was absent. */
int zsetRemove(zset *zs, const char *member, size_t len);
/* 0 and *score if member is present, else -1. */
int zsetScore(zset *zs, const char *member, size_t len, double *score);
/* 0-based rank of member (ZRANK; with reverse, ZREVRANK), or -1 if absent. */
long zsetRank(zset *zs, const char *member, size_t len, int reverse);

/* Range removals (ZREMRANGEBYSCORE, ZREMRANGEBYLEX, ZREMRANGEBYRANK) from both
 * structures. Ranks are 1-based and inclusive. Return the number removed. */
unsigned long zsetDeleteRangeByScore(zset *zs, const zrangespec *range);
unsigned long zsetDeleteRangeByLex(zset *zs, const zlexrangespec *range);
unsigned long zsetDeleteRangeByRank(zset *zs, unsigned long start, unsigned long end);

#endif
