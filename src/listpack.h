/* SPDX-License-Identifier: BSD-3-Clause
 *
 * listpack: a sequence of strings and integers packed into one allocation, in
 * exactly the byte format of Redis 7.0 (RDB files embed listpacks verbatim):
 *
 *   <total bytes: uint32 LE> <count: uint16 LE, 65535 = unknown> <entry>... <0xFF>
 *   entry = <encoding + data> <backlen: size of encoding + data, 7 bits per byte,
 *                              readable from right to left>
 *
 * Strings that parse as integers (string2ll's strict rules) are stored with the
 * integer encodings, so "123" costs 2 bytes. Used by the list (quicklist nodes),
 * hash, set and sorted set types for small values. Every change reallocates to
 * the exact size needed. Not thread-safe: a listpack belongs to one thread.
 */
#ifndef LOOM_LISTPACK_H
#define LOOM_LISTPACK_H

#include <stddef.h>

/* A listpack is a plain byte buffer. Functions that change it may move it and
 * return the new pointer: always use the returned value. Entry positions
 * (unsigned char *p, pointing at an entry's first byte) are invalidated by any
 * change except where a function returns the new position. */

#define LP_HDR_SIZE          6 /* total bytes + count */
#define LP_HDR_COUNT_UNKNOWN 65535
#define LP_EOF               0xFF
/* Room lpGetBytes needs to format any integer entry. */
#define LP_INTBUF_SIZE 21
#define LP_BEFORE      0
#define LP_AFTER       1

/* An empty listpack (7 bytes), with room for `capacity` bytes reserved. */
unsigned char *lpNew(size_t capacity);
void lpFree(unsigned char *lp); /* NULL is fine */
/* Gives back any room reserved beyond lpBytes (after lpNew with a capacity). */
unsigned char *lpShrinkToFit(unsigned char *lp);
size_t lpBytes(const unsigned char *lp);
/* The number of entries; walks the listpack when the header says "unknown". */
unsigned long lpLength(const unsigned char *lp);

/* Navigation. Each returns NULL when there is no such entry. */
unsigned char *lpFirst(unsigned char *lp);
unsigned char *lpLast(unsigned char *lp);
unsigned char *lpNext(unsigned char *lp, unsigned char *p);
unsigned char *lpPrev(unsigned char *lp, unsigned char *p);
/* The entry at index (negative counts from the end: -1 is the last). */
unsigned char *lpSeek(unsigned char *lp, long index);

/* The value at p: a string returns a pointer to its bytes and sets *len; an
 * integer returns NULL and sets *ival. */
const unsigned char *lpGetValue(const unsigned char *p, unsigned int *len, long long *ival);
/* Same, but always as bytes: an integer is formatted into buf (at least
 * LP_INTBUF_SIZE bytes), which is returned. */
const unsigned char *lpGetBytes(const unsigned char *p, unsigned int *len, unsigned char *buf);

/* Bytes an entry holding s would take (encoding, data and backlen). */
size_t lpEntrySizeFor(const unsigned char *s, size_t len);
/* 1 if adding `add` bytes keeps the listpack under the 1 GB safety limit. */
int lpSafeToAdd(const unsigned char *lp, size_t add);

/* Insertion. s may point into lp itself. A listpack may not grow past
 * 4 GB - 1 bytes (the header's limit): callers keep far below it (lpSafeToAdd),
 * and going past it is a bug that fails an assertion. */
unsigned char *lpAppend(unsigned char *lp, const unsigned char *s, size_t len);
unsigned char *lpPrepend(unsigned char *lp, const unsigned char *s, size_t len);
unsigned char *lpAppendInteger(unsigned char *lp, long long v);
/* Inserts before (LP_BEFORE) or after (LP_AFTER) the entry at p; *newp (if not
 * NULL) gets the inserted entry's position. */
unsigned char *lpInsert(unsigned char *lp, const unsigned char *s, size_t len, unsigned char *p,
                        int where, unsigned char **newp);
/* Replaces the entry at *p; *p is set to the replacement's position. */
unsigned char *lpReplace(unsigned char *lp, unsigned char **p, const unsigned char *s, size_t len);
unsigned char *lpReplaceInteger(unsigned char *lp, unsigned char **p, long long v);

/* Deletion. lpDelete sets *newp (if not NULL) to the entry that followed p, or
 * NULL if p was the last. */
unsigned char *lpDelete(unsigned char *lp, unsigned char *p, unsigned char **newp);
/* Deletes up to count entries from index (negative counts from the end); an
 * index out of range deletes nothing. */
unsigned char *lpDeleteRange(unsigned char *lp, long index, unsigned long count);
/* Deletes up to count entries starting at *p; *p is set to the entry that now
 * takes its place, or NULL if none followed. */
unsigned char *lpDeleteRangeWithEntry(unsigned char *lp, unsigned char **p, unsigned long count);

/* Moving entries between listpacks (quicklist splits and merges). */
/* Appends every entry of src to dst; src is left unchanged. */
unsigned char *lpConcat(unsigned char *dst, const unsigned char *src);
/* Cuts lp at p: the entries from p to the end move to a new listpack, returned
 * in *tail; the shortened listpack is returned. */
unsigned char *lpSplit(unsigned char *lp, unsigned char *p, unsigned char **tail);

/* Compares the entry at p with s: 1 if equal, else 0. An integer entry equals
 * the string that is its decimal form. */
int lpCompare(const unsigned char *p, const unsigned char *s, size_t len);
/* The first entry equal to s, starting at p and looking only at every
 * (skip+1)-th entry (skip = 1 searches the keys of key/value pairs); NULL if
 * none. */
unsigned char *lpFind(unsigned char *lp, unsigned char *p, const unsigned char *s, size_t len,
                      unsigned int skip);

/* Integrity check of `size` bytes of untrusted input (RDB, RESTORE): header,
 * total bytes equal to size, every entry's encoding, length and backlen, the
 * terminator, and the count when the header states one. Never reads outside
 * lp[0..size). 1 if well formed, 0 if corrupt. */
int lpValidate(const unsigned char *lp, size_t size);
/* lpValidate, also calling entry_cb on every entry in order, each right after
 * that entry has been checked (so entry_cb may read the entry at p and the ones
 * before it, nothing after); entry_cb returns 0 to reject (duplicate hash
 * fields, an unsorted sorted set, ...). */
int lpValidateWith(const unsigned char *lp, size_t size,
                   int (*entry_cb)(const unsigned char *p, void *arg), void *arg);

/* Random sampling (SRANDMEMBER, HRANDFIELD, ZRANDMEMBER); uses randomU64. A
 * "group" is `stride` consecutive entries (1 for sets, 2 for field/value and
 * member/score pairs); the functions return the position of a group's first
 * entry, and lpNext reaches the rest. The listpack's length must be a
 * multiple of stride. */
/* A uniformly random entry, NULL if empty. */
unsigned char *lpRandom(unsigned char *lp);
/* count groups drawn independently (repeats possible), in draw order, into
 * out[0..count). The listpack must not be empty. */
void lpRandomSample(unsigned char *lp, unsigned int stride, unsigned long count,
                    unsigned char **out);
/* min(count, groups) distinct groups, uniformly chosen, in listpack order,
 * into out; returns how many. */
unsigned long lpRandomSampleUnique(unsigned char *lp, unsigned int stride, unsigned long count,
                                   unsigned char **out);

#endif
