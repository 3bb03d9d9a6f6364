/* SPDX-License-Identifier: BSD-3-Clause
 *
 * quicklist: the list type's encoding, a doubly linked list of nodes that each
 * hold a listpack of elements, or, for one element larger than a node may
 * grow ("plain" node), that element's raw bytes. Node size follows Redis's
 * list-max-listpack-size (`fill`) and nodes away from the ends are
 * LZ4-compressed per list-compress-depth, transparently to callers.
 *
 * Not thread-safe: a quicklist belongs to one thread at a time (the main
 * thread; a BIO thread when it frees one; the fork child when it saves one).
 */
#ifndef LOOM_QUICKLIST_H
#define LOOM_QUICKLIST_H

#include "str.h"

#include <stddef.h>

typedef struct quicklist quicklist;
typedef struct quicklistNode quicklistNode;
typedef struct quicklistIter quicklistIter;

/* Ends, for push and pop, and iteration directions: QUICKLIST_HEAD iterates
 * from the head towards the tail, QUICKLIST_TAIL from the tail towards the head. */
#define QUICKLIST_HEAD 0
#define QUICKLIST_TAIL -1

/* fill: a positive value is the most elements per node (up to
 * QUICKLIST_FILL_MAX; 0 counts as 1), -1..-5 cap each node's listpack at
 * 4/8/16/32/64 KB (values below -5 count as -5). Redis's default is -2.
 * A node with an element limit also stays under 8 KB unless it holds a single
 * element. An element that could never share a node (longer than the byte cap,
 * or 8 KB with an element limit) gets a plain node of its own.
 * compress_depth: how many nodes at each end stay uncompressed; 0 disables
 * compression. Inner nodes of at least 48 bytes are stored LZ4-compressed
 * when that saves at least 8 bytes. */
#define QUICKLIST_FILL_MIN     -5
#define QUICKLIST_FILL_MAX     32767
#define QUICKLIST_COMPRESS_MAX 65535
quicklist *quicklistCreate(int fill, int compress_depth);
void quicklistRelease(quicklist *ql); /* NULL is fine */
/* Applies to nodes filled from now on; a new depth recompresses every node. */
void quicklistSetOptions(quicklist *ql, int fill, int compress_depth);
/* A deep copy (compressed nodes are copied compressed). */
quicklist *quicklistDup(const quicklist *ql);

unsigned long quicklistCount(const quicklist *ql);     /* elements */
unsigned long quicklistNodeCount(const quicklist *ql); /* nodes */
/* Bytes held by the list: its struct, its nodes and their data, compressed
 * where compressed, as the allocator sized them (for MEMORY USAGE). */
size_t quicklistMemoryUsage(const quicklist *ql);

/* Values passed in are copied. They must not point into the list itself (at
 * an element the iterator returned): the call may move or free that memory
 * before it is done reading. */

/* Adds a copy of value[0..len) at the head or the tail. */
void quicklistPush(quicklist *ql, const void *value, size_t len, int where);
/* Removes the element at the head or the tail. Returns 0 if the list is
 * empty; else 1 with *out set to a new str holding the element's bytes
 * (integers in decimal), which the caller frees with strFree. */
int quicklistPop(quicklist *ql, int where, str *out);
/* Sets the element at index (negative counts from the tail) to a copy of
 * value. Returns 1, or 0 if index is out of range. */
int quicklistReplaceAt(quicklist *ql, long index, const void *value, size_t len);
/* Deletes up to count elements from start (negative counts from the tail)
 * towards the tail. Returns 1 if anything was deleted, 0 if start is out of
 * range or count <= 0. */
int quicklistDelRange(quicklist *ql, long start, long count);

/* One element as the iterator returns it. value/len/lval describe it: a string
 * element has value pointing at its bytes (len of them); an element stored as
 * an integer has value NULL and its value in lval. The pointer stays valid
 * until the iterator moves on, changes the list, or is released. The other
 * fields locate the element for quicklistDelEntry and friends. */
typedef struct quicklistEntry {
    const unsigned char *value;
    size_t len;
    long long lval;
    quicklistNode *node; /* private */
    unsigned char *pos;  /* private */
    long offset;         /* private: index within the node */
} quicklistEntry;

/* 1 if the entry's element equals s[0..len) byte for byte (an integer element
 * equals its decimal form). */
int quicklistEntryEquals(const quicklistEntry *e, const void *s, size_t len);

/* Iteration. While an iterator is live, change the list only through it, and
 * keep at most one iterator per list: the node it stands on is decompressed
 * while it is there, and recompressed when it moves on or is released. */
quicklistIter *quicklistGetIterator(quicklist *ql, int direction);
/* Starts at the element at idx (negative counts from the tail) and moves in
 * direction. NULL if idx is out of range. */
quicklistIter *quicklistGetIteratorAtIdx(quicklist *ql, int direction, long idx);
/* Lookup by index (LINDEX): an iterator already on the element at idx, which
 * is in *e; NULL if idx is out of range. Release it when done with *e. */
quicklistIter *quicklistGetIteratorEntryAtIdx(quicklist *ql, long idx, quicklistEntry *e);
/* Fills *e with the next element and returns 1; 0 at the end. */
int quicklistNext(quicklistIter *it, quicklistEntry *e);
void quicklistReleaseIterator(quicklistIter *it); /* NULL is fine */

/* Edits through the iterator; e must be the element quicklistNext returned
 * last. quicklistDelEntry deletes it and iteration goes on with the element
 * that followed it in the iterator's direction (LREM). */
void quicklistDelEntry(quicklistIter *it, quicklistEntry *e);
/* These end the iteration: quicklistNext returns 0 afterwards; release the
 * iterator. Inserting next to the element (LINSERT), or replacing it. */
void quicklistInsertBefore(quicklistIter *it, quicklistEntry *e, const void *value, size_t len);
void quicklistInsertAfter(quicklistIter *it, quicklistEntry *e, const void *value, size_t len);
void quicklistReplaceEntry(quicklistIter *it, quicklistEntry *e, const void *value, size_t len);

/* Nodes, for RDB save and load and for tests. Walk with
 * quicklistFirstNode/quicklistNextNode; no iterator may be live. */
quicklistNode *quicklistFirstNode(const quicklist *ql);
quicklistNode *quicklistNextNode(const quicklistNode *node); /* NULL after the tail */
unsigned int quicklistNodeEntries(const quicklistNode *node);
int quicklistNodeIsPlain(const quicklistNode *node);
int quicklistNodeIsCompressed(const quicklistNode *node);
/* The node's uncompressed size: its listpack's bytes, or a plain element's. */
size_t quicklistNodeSize(const quicklistNode *node);
/* The bytes as stored: a compressed node's LZ4 block (LZ4_decompress_safe
 * gives back quicklistNodeSize bytes), else the listpack or plain element. */
const unsigned char *quicklistNodeStoredBytes(const quicklistNode *node, size_t *len);
/* The uncompressed bytes. For a compressed node they are decompressed into a
 * new allocation returned in *to_free (lfree it); otherwise *to_free is NULL
 * and the node's own bytes are returned. Leaves the node unchanged, so it is
 * safe in a fork child. */
const unsigned char *quicklistNodeRawBytes(const quicklistNode *node, size_t *len,
                                           unsigned char **to_free);
/* Appends a node that takes ownership of lp, a listpack already validated.
 * Returns 0, leaving lp to the caller, if it is empty or holds more than
 * 65535 elements (more than a node can count). */
int quicklistAppendListpack(quicklist *ql, unsigned char *lp);
/* Appends a plain node that takes ownership of data (lmalloc'ed, len bytes). */
void quicklistAppendPlain(quicklist *ql, unsigned char *data, size_t len);

#endif
