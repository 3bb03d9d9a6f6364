/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The sorted-set type as other command files see it (SORT): the length of a zset
 * object and an iterator over its members in score order (ties by member bytes),
 * whichever its encoding: a listpack of (member, score) pairs or a skiplist + dict
 * (zset.h). The commands themselves live in t_zset.c. Main thread only.
 */
#ifndef LOOM_T_ZSET_H
#define LOOM_T_ZSET_H

#include "listpack.h"
#include "object.h"
#include "skiplist.h"

#include <stddef.h>

/* A position in a zset object, on the stack. The zset must not change while an
 * iterator over it is in use. */
typedef struct zsetTypeIterator {
    unsigned char *lp;                 /* listpack encoding: the listpack; NULL for a skiplist */
    unsigned char *p;                  /* listpack: the next member's entry, NULL at the end */
    zskiplistNode *node;               /* skiplist: the next node, NULL at the end */
    int reverse;                       /* walking from the highest score down */
    unsigned char buf[LP_INTBUF_SIZE]; /* an integer member, formatted */
} zsetTypeIterator;

/* The number of members of a zset object (OBJ_ZSET). */
unsigned long zsetTypeLength(const obj *o);

/* Starts at the member of 0-based `rank` counted in the walking direction (with
 * reverse, rank 0 is the highest score). A rank past the end gives an iterator
 * that is already at its end. */
void zsetTypeIterInit(zsetTypeIterator *it, obj *o, unsigned long rank, int reverse);

/* The next member: 1 with *member / *len (and *score unless score is NULL), or 0
 * at the end. The bytes stay valid until the next call or a change to the zset. */
int zsetTypeIterNext(zsetTypeIterator *it, const char **member, size_t *len, double *score);

#endif
