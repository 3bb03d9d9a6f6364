/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The skiplist + dict pairing for large sorted sets, and ZADD's update rules.
 * The dict maps a member to its skiplist node; its key is the str embedded in
 * that node, so a dict entry must go before its node is freed. Nodes keep their
 * address when a score changes (zslUpdateScore), so dict values never need
 * rewriting. Leaf module: one thread at a time per zset.
 */
#include "zset.h"

#include "alloc.h"
#include "util.h"

#include <math.h>

/* Keys belong to the skiplist nodes; values are node pointers, not freed. */
static const dictType zset_dict_type = {.nocase = 0, .owns_keys = 0, .free_val = NULL};

zset *zsetCreate(void) {
    zset *zs = lmalloc(sizeof(*zs));
    zs->dict = dictCreate(&zset_dict_type);
    zs->zsl = zslCreate();
    return zs;
}

void zsetFree(zset *zs) {
    /* The dict first: its keys live in the nodes. */
    dictRelease(zs->dict);
    zslFree(zs->zsl);
    lfree(zs);
}

unsigned long zsetLength(const zset *zs) {
    return zs->zsl->length;
}

int zsetAdd(zset *zs, double score, const char *member, size_t len, int in_flags, int *out_flags,
            double *newscore) {
    *out_flags = 0;
    if (isnan(score)) return -1;
    dictEntry *de = dictFind(zs->dict, member, len);
    if (!de) {
        if (in_flags & ZSET_IN_XX) {
            *out_flags = ZSET_OUT_NOP;
            return 0;
        }
        zskiplistNode *node = zslInsert(zs->zsl, score, member, len);
        de = dictAddRaw(zs->dict, node->member, NULL);
        de->v.val = node;
        *out_flags = ZSET_OUT_ADDED;
        if (newscore) *newscore = score;
        return 0;
    }

    zskiplistNode *node = de->v.val;
    double cur = node->score;
    if (in_flags & ZSET_IN_NX) {
        *out_flags = ZSET_OUT_NOP;
        return 0;
    }
    if (in_flags & ZSET_IN_INCR) {
        score += cur;
        if (isnan(score)) return -1;
    }
    if (((in_flags & ZSET_IN_GT) && score <= cur) || ((in_flags & ZSET_IN_LT) && score >= cur)) {
        *out_flags = ZSET_OUT_NOP;
        return 0;
    }
    if (newscore) *newscore = score;
    /* 0.0 and -0.0 compare equal: no update, as in Redis. */
    if (score != cur) {
        zslUpdateScore(zs->zsl, cur, node->member, strLen(node->member), score);
        *out_flags = ZSET_OUT_UPDATED;
    }
    return 0;
}

int zsetRemove(zset *zs, const char *member, size_t len) {
    dictEntry *de = dictUnlink(zs->dict, member, len);
    if (!de) return 0;
    zskiplistNode *node = de->v.val;
    dictFreeUnlinkedEntry(zs->dict, de);
    int deleted = zslDelete(zs->zsl, node->score, node->member, strLen(node->member), NULL);
    loomAssert(deleted);
    dictTryShrink(zs->dict);
    return 1;
}

int zsetScore(zset *zs, const char *member, size_t len, double *score) {
    dictEntry *de = dictFind(zs->dict, member, len);
    if (!de) return -1;
    *score = ((zskiplistNode *)de->v.val)->score;
    return 0;
}

long zsetRank(zset *zs, const char *member, size_t len, int reverse) {
    dictEntry *de = dictFind(zs->dict, member, len);
    if (!de) return -1;
    zskiplistNode *node = de->v.val;
    unsigned long rank = zslGetRank(zs->zsl, node->score, node->member, len);
    loomAssert(rank != 0);
    return reverse ? (long)(zs->zsl->length - rank) : (long)(rank - 1);
}

/* Range deletions unlink each node from the skiplist first; its dict entry goes
 * here, while the node (and so the key) is still allocated. */
static void dropFromDict(void *ctx, zskiplistNode *node) {
    zset *zs = ctx;
    int deleted = dictDelete(zs->dict, node->member, strLen(node->member));
    loomAssert(deleted == 0);
}

unsigned long zsetDeleteRangeByScore(zset *zs, const zrangespec *range) {
    unsigned long removed = zslDeleteRangeByScore(zs->zsl, range, dropFromDict, zs);
    if (removed) dictTryShrink(zs->dict);
    return removed;
}

unsigned long zsetDeleteRangeByLex(zset *zs, const zlexrangespec *range) {
    unsigned long removed = zslDeleteRangeByLex(zs->zsl, range, dropFromDict, zs);
    if (removed) dictTryShrink(zs->dict);
    return removed;
}

unsigned long zsetDeleteRangeByRank(zset *zs, unsigned long start, unsigned long end) {
    unsigned long removed = zslDeleteRangeByRank(zs->zsl, start, end, dropFromDict, zs);
    if (removed) dictTryShrink(zs->dict);
    return removed;
}
