/* SPDX-License-Identifier: BSD-3-Clause
 *
 * What other command files need from the set type (t_set.c): the size of a
 * set and its members as bytes, whatever the encoding (intset, listpack or
 * hashtable). SORT uses it to read a set. Main thread only.
 */
#ifndef LOOM_T_SET_H
#define LOOM_T_SET_H

#include <stddef.h>

struct obj;

/* The number of members of a set object. */
unsigned long setTypeSize(const struct obj *set);

/* Iterates over a set's members in the encoding's order (ascending for an
 * intset, insertion order for a listpack, table order for a hashtable). The
 * set must not change while the iterator is alive. */
typedef struct setTypeIter setTypeIter;
setTypeIter *setTypeIterCreate(struct obj *set);
/* 1 and the next member in *member / *len, or 0 at the end. The bytes stay
 * valid until the next call (integers are formatted into the iterator) and
 * are not NUL-terminated. */
int setTypeIterNext(setTypeIter *it, const char **member, size_t *len);
void setTypeIterRelease(setTypeIter *it);

#endif
