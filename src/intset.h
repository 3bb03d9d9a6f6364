/* SPDX-License-Identifier: BSD-3-Clause
 *
 * intset: a sorted set of 64-bit integers in one allocation, for small sets of
 * integers (SADD of numbers). The bytes are exactly Redis's intset format, so an
 * intset is also its own RDB payload: a uint32 encoding (2, 4 or 8: bytes per
 * element), a uint32 element count, then the elements in ascending order, all
 * little-endian. The whole set widens to the next encoding when a value does not
 * fit and never narrows. The allocation is always exactly intsetBlobLen bytes.
 *
 * An intset pointer points at those bytes: writing intsetBlobLen(is) bytes from
 * (const unsigned char *)is saves it, and an lmalloc'd buffer that passed
 * intsetValidate(buf, size, 1) may be used as an intset. Leaf module: no locks,
 * one thread at a time per set.
 */
#ifndef LOOM_INTSET_H
#define LOOM_INTSET_H

#include <stddef.h>
#include <stdint.h>

typedef struct intset intset;

/* An empty set with the 16-bit encoding. */
intset *intsetNew(void);
void intsetFree(intset *is); /* NULL is fine */
intset *intsetDup(const intset *is);

/* Add and remove may move the set: always use the returned pointer. *added and
 * *removed (either may be NULL) are set to 1 if the set changed, else 0. Removing
 * keeps the encoding. */
intset *intsetAdd(intset *is, int64_t value, int *added);
intset *intsetRemove(intset *is, int64_t value, int *removed);

/* 1 if value is in the set, else 0. O(log n). */
int intsetFind(const intset *is, int64_t value);
/* 1 and *value = the element at pos (0 is the smallest), or 0 if pos >= length. */
int intsetGet(const intset *is, uint32_t pos, int64_t *value);
uint32_t intsetLen(const intset *is);
/* Total bytes: the 8-byte header plus length * encoding. */
size_t intsetBlobLen(const intset *is);
/* The encoding in use: 2, 4 or 8 bytes per element. */
uint32_t intsetEncoding(const intset *is);

/* A uniformly chosen element, and the extremes. The set must not be empty. */
int64_t intsetRandom(const intset *is);
int64_t intsetMin(const intset *is);
int64_t intsetMax(const intset *is);

/* Checks untrusted bytes (an RDB payload) without reading outside buf[0..size):
 * the encoding is 2, 4 or 8, size is exactly 8 + length * encoding, and the set
 * is not empty (Redis never stores an empty set). With deep != 0 it also checks
 * that the elements are strictly ascending. 1 if valid, else 0. */
int intsetValidate(const unsigned char *buf, size_t size, int deep);

#endif
