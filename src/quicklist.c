/* SPDX-License-Identifier: BSD-3-Clause
 *
 * quicklist: nodes, their size limits and their compression (see quicklist.h).
 *
 * Compression invariant: the `compress` nodes at each end are raw; every other
 * node is compressed unless compression did not pay. A node that must be read
 * or changed is decompressed and flagged `recompress`. A change can move only
 * the nodes near the ends across the edge/inner boundary, besides the nodes it
 * touched, so it ends with settle() (fixes the ends, O(depth)) and finish() on
 * each node it touched (compresses it if inner). An iterator's current node
 * is "pinned": it stays raw and is recompressed when the iterator leaves it.
 *
 * Node fill follows Redis 7.0 so that lists split into the same nodes: an
 * element joins a node if the node's bytes plus the element's length plus 8
 * stay within the limit. Runs on whichever thread owns the list.
 */
#include "quicklist.h"

#include "alloc.h"
#include "listpack.h"
#include "util.h"

#include <lz4.h>
#include <stdint.h>
#include <string.h>

/* With an element-count fill, nodes still stay under this many bytes. */
#define SIZE_SAFETY_LIMIT 8192
/* What one more element may add beyond its length, in Redis's estimate. */
#define SIZE_ESTIMATE_OVERHEAD 8
/* Nodes smaller than this are not worth compressing. */
#define MIN_COMPRESS_BYTES 48
/* Compression must save at least this much to be kept. */
#define MIN_COMPRESS_IMPROVE 8
#define NODE_MAX_ENTRIES     65535

struct quicklistNode {
    quicklistNode *prev, *next;
    unsigned char *data; /* listpack, plain bytes, or lz4Block when compressed */
    /* Packed into 64 bits to keep the node at 32 bytes. */
    unsigned long long sz : 44;            /* uncompressed bytes */
    unsigned long long count : 16;         /* elements */
    unsigned long long is_plain : 1;       /* data is one element's raw bytes */
    unsigned long long is_compressed : 1;  /* data is an lz4Block */
    unsigned long long recompress : 1;     /* decompressed for access: compress when done */
    unsigned long long incompressible : 1; /* compression did not pay; retry after a change */
};

_Static_assert(sizeof(void *) != 8 || sizeof(struct quicklistNode) == 32,
               "a node is 32 bytes on 64-bit platforms");

struct quicklist {
    quicklistNode *head, *tail;
    unsigned long count; /* elements */
    unsigned long len;   /* nodes */
    int fill;
    int compress; /* nodes kept raw at each end; 0: no compression */
};

typedef struct lz4Block {
    uint32_t len; /* bytes of compressed data */
    unsigned char bytes[];
} lz4Block;

struct quicklistIter {
    quicklist *ql;
    quicklistNode *node; /* the node being walked; NULL at the end */
    unsigned char *pos;  /* in node: the element last returned, or the next one
                            when `ready`; NULL before entering the node */
    long offset;         /* index of pos in node; before entering, where to start */
    int direction;
    int ready; /* pos has not been returned yet */
};

/* ---- Limits ------------------------------------------------------------- */

static int clampFill(int fill) {
    if (fill < QUICKLIST_FILL_MIN) return QUICKLIST_FILL_MIN;
    if (fill == 0) return 1;
    return fill > QUICKLIST_FILL_MAX ? QUICKLIST_FILL_MAX : fill;
}

static size_t byteLimit(const quicklist *ql) {
    return ql->fill < 0 ? (size_t)4096 << (-ql->fill - 1) : SIZE_SAFETY_LIMIT;
}

static int withinLimits(const quicklist *ql, size_t bytes, unsigned long count) {
    if (bytes > byteLimit(ql) || count > NODE_MAX_ENTRIES) return 0;
    return ql->fill < 0 || count <= (unsigned long)ql->fill;
}

/* An element that could never share a node. */
static int isLarge(const quicklist *ql, size_t len) {
    return len > byteLimit(ql);
}

static int allowInsert(const quicklist *ql, const quicklistNode *n, size_t len) {
    return n && !n->is_plain &&
           withinLimits(ql, n->sz + len + SIZE_ESTIMATE_OVERHEAD, n->count + 1UL);
}

static int allowMerge(const quicklist *ql, const quicklistNode *a, const quicklistNode *b) {
    return a && b && !a->is_plain && !b->is_plain &&
           withinLimits(ql, a->sz + b->sz - (LP_HDR_SIZE + 1), (unsigned long)a->count + b->count);
}

/* ---- Compression -------------------------------------------------------- */

static void compressNode(quicklistNode *n) {
    n->recompress = 0;
    if (n->is_compressed || n->incompressible || n->sz < MIN_COMPRESS_BYTES ||
        n->sz > LZ4_MAX_INPUT_SIZE)
        return;
    /* Room only for a result that saves enough: LZ4 gives up (returns 0)
     * rather than write more. */
    size_t room = n->sz - MIN_COMPRESS_IMPROVE;
    lz4Block *b = lmalloc(room);
    int clen = LZ4_compress_default((const char *)n->data, (char *)b->bytes, (int)n->sz,
                                    (int)(room - sizeof(*b)));
    if (clen <= 0) {
        lfree(b);
        n->incompressible = 1;
        return;
    }
    b->len = (uint32_t)clen;
    b = lrealloc(b, sizeof(*b) + (size_t)clen);
    lfree(n->data);
    n->data = (unsigned char *)b;
    n->is_compressed = 1;
}

/* Decompresses a node's block into dst (node->sz bytes). */
static void inflate(const quicklistNode *n, unsigned char *dst) {
    const lz4Block *b = (const lz4Block *)n->data;
    int got = LZ4_decompress_safe((const char *)b->bytes, (char *)dst, (int)b->len, (int)n->sz);
    loomAssert(got >= 0 && (size_t)got == n->sz);
}

static void decompressNode(quicklistNode *n) {
    if (!n->is_compressed) return;
    unsigned char *raw = lmalloc(n->sz);
    inflate(n, raw);
    lfree(n->data);
    n->data = raw;
    n->is_compressed = 0;
}

/* Makes the node readable; it is compressed again by finish()/leaveNode(). */
static void accessNode(quicklistNode *n) {
    if (n->is_compressed) {
        decompressNode(n);
        n->recompress = 1;
    }
}

static void makeRaw(quicklistNode *n) {
    decompressNode(n);
    n->recompress = 0;
}

static void compressUnlessPinned(quicklistNode *n, const quicklistNode *pinned) {
    if (n == pinned)
        n->recompress = 1;
    else
        compressNode(n);
}

/* The most nodes one change adds (a split plus a new node between the halves),
 * which is how far a change can push the nodes near an end inwards. */
#define MAX_NODES_ADDED 2

/* Restores the invariant at both ends: a change can pull inner nodes into
 * the first `compress` at an end (removing nodes) or push edge nodes inwards
 * by up to MAX_NODES_ADDED places (adding them). */
static void settle(quicklist *ql, const quicklistNode *pinned) {
    unsigned long depth = (unsigned long)ql->compress, i;
    if (depth == 0) return;
    quicklistNode *f = ql->head, *b = ql->tail;
    for (i = 0; i < depth && f; i++, f = f->next)
        makeRaw(f);
    for (i = 0; i < depth && b; i++, b = b->prev)
        makeRaw(b);
    /* Index i from an end is inner when depth <= i < len - depth. */
    for (i = depth; i < depth + MAX_NODES_ADDED && i + depth < ql->len; i++) {
        compressUnlessPinned(f, pinned);
        compressUnlessPinned(b, pinned);
        f = f->next;
        b = b->prev;
    }
}

/* A node the change read or wrote: raw if within `compress` nodes of an end,
 * else compressed. */
static void finish(quicklist *ql, quicklistNode *n) {
    if (ql->compress == 0) return;
    quicklistNode *x = n;
    for (int i = 0; i < ql->compress && x; i++)
        x = x->prev;
    quicklistNode *y = n;
    for (int i = 0; i < ql->compress && y; i++)
        y = y->next;
    if (!x || !y)
        makeRaw(n);
    else
        compressNode(n);
}

/* ---- Nodes -------------------------------------------------------------- */

/* After the listpack of n changed. */
static void nodeChanged(quicklistNode *n) {
    n->sz = lpBytes(n->data);
    n->incompressible = 0;
}

static quicklistNode *newPackedNode(unsigned char *lp) {
    quicklistNode *n = lcalloc(sizeof(*n));
    n->data = lp;
    n->count = lpLength(lp);
    n->sz = lpBytes(lp);
    return n;
}

/* A copy of value[0..len) in a new allocation, for a plain node. */
static unsigned char *copyBytes(const void *value, size_t len) {
    unsigned char *p = lmalloc(len);
    if (len) memcpy(p, value, len);
    return p;
}

static quicklistNode *newValueNode(const quicklist *ql, const void *value, size_t len) {
    if (!isLarge(ql, len)) return newPackedNode(lpAppend(lpNew(0), value, len));
    quicklistNode *n = lcalloc(sizeof(*n));
    n->data = copyBytes(value, len);
    n->sz = len;
    n->count = 1;
    n->is_plain = 1;
    return n;
}

static void freeNode(quicklistNode *n) {
    lfree(n->data);
    lfree(n);
}

/* Links n after `at` (at NULL: as the new head). */
static void linkAfter(quicklist *ql, quicklistNode *at, quicklistNode *n) {
    n->prev = at;
    n->next = at ? at->next : ql->head;
    if (n->next)
        n->next->prev = n;
    else
        ql->tail = n;
    if (at)
        at->next = n;
    else
        ql->head = n;
    ql->len++;
}

static void linkBefore(quicklist *ql, quicklistNode *at, quicklistNode *n) {
    linkAfter(ql, at ? at->prev : ql->tail, n);
}

static void unlinkNode(quicklist *ql, quicklistNode *n) {
    if (n->prev)
        n->prev->next = n->next;
    else
        ql->head = n->next;
    if (n->next)
        n->next->prev = n->prev;
    else
        ql->tail = n->prev;
    ql->len--;
}

/* The node holding element index (already within range), and the element's
 * index in it, walking from the nearer end. */
static quicklistNode *locate(const quicklist *ql, unsigned long index, long *offset) {
    quicklistNode *n;
    if (index < ql->count / 2) {
        for (n = ql->head; index >= n->count; n = n->next)
            index -= n->count;
        *offset = (long)index;
    } else {
        unsigned long back = ql->count - 1 - index;
        for (n = ql->tail; back >= n->count; n = n->prev)
            back -= n->count;
        *offset = (long)(n->count - 1 - back);
    }
    return n;
}

static int normalizeIndex(const quicklist *ql, long index, unsigned long *out) {
    if (index < 0) index += (long)ql->count;
    if (index < 0 || (unsigned long)index >= ql->count) return 0;
    *out = (unsigned long)index;
    return 1;
}

/* Moves the entries from pos to the end of n (accessed, packed) into a new
 * node linked after n, which is returned. */
static quicklistNode *splitNode(quicklist *ql, quicklistNode *n, unsigned char *pos) {
    unsigned char *tail;
    n->data = lpSplit(n->data, pos, &tail);
    quicklistNode *m = newPackedNode(tail);
    n->count -= m->count;
    nodeChanged(n);
    linkAfter(ql, n, m);
    return m;
}

/* Moves b's entries to the end of a and frees b, if the result fits; both
 * must be neighbours (a before b). Returns 1 if merged. */
static int mergeNodes(quicklist *ql, quicklistNode *a, quicklistNode *b) {
    if (!allowMerge(ql, a, b)) return 0;
    accessNode(a);
    accessNode(b);
    a->data = lpConcat(a->data, b->data);
    a->count += b->count;
    nodeChanged(a);
    unlinkNode(ql, b);
    freeNode(b);
    return 1;
}

/* Puts value into n at the head or the tail of its listpack. */
static void addToNode(quicklistNode *n, const void *value, size_t len, int at_tail) {
    accessNode(n);
    n->data = at_tail ? lpAppend(n->data, value, len) : lpPrepend(n->data, value, len);
    n->count++;
    nodeChanged(n);
}

/* Inserts value next to the element at pos in n (accessed; pos is NULL for a
 * plain node). Every node read or written is finished here; ql->count is the
 * caller's. */
static void insertValue(quicklist *ql, quicklistNode *n, unsigned char *pos, int after,
                        const void *value, size_t len) {
    int at_edge =
        n->is_plain || (after ? lpNext(n->data, pos) == NULL : lpPrev(n->data, pos) == NULL);
    if (!isLarge(ql, len) && !n->is_plain && allowInsert(ql, n, len)) {
        n->data = lpInsert(n->data, value, len, pos, after ? LP_AFTER : LP_BEFORE, NULL);
        n->count++;
        nodeChanged(n);
        finish(ql, n);
        return;
    }
    if (at_edge) {
        /* Between n and its neighbour: into the neighbour if it has room. */
        quicklistNode *nb = after ? n->next : n->prev;
        quicklistNode *x;
        if (!isLarge(ql, len) && allowInsert(ql, nb, len)) {
            addToNode(nb, value, len, !after);
            x = nb;
        } else {
            x = newValueNode(ql, value, len);
            if (after)
                linkAfter(ql, n, x);
            else
                linkBefore(ql, n, x);
        }
        finish(ql, n);
        finish(ql, x);
        return;
    }
    /* In the middle of a full node: split it there and put the value at the
     * end of the first half, the start of the second, or between them. */
    quicklistNode *m = splitNode(ql, n, after ? lpNext(n->data, pos) : pos);
    quicklistNode *x = NULL;
    if (isLarge(ql, len)) {
        x = newValueNode(ql, value, len);
        linkAfter(ql, n, x);
    } else if (allowInsert(ql, n, len)) {
        addToNode(n, value, len, 1);
    } else if (allowInsert(ql, m, len)) {
        addToNode(m, value, len, 0);
    } else {
        x = newValueNode(ql, value, len);
        linkAfter(ql, n, x);
    }
    quicklistNode *left = n->prev;
    if (!mergeNodes(ql, left, n)) left = n;
    mergeNodes(ql, m, m->next);
    finish(ql, left);
    finish(ql, m);
    if (x) finish(ql, x);
}

/* Deletes the element at pos in n (accessed). Returns 1 if that emptied n,
 * which is then unlinked and freed. ql->count is the caller's. */
static int deleteFromNode(quicklist *ql, quicklistNode *n, unsigned char *pos,
                          unsigned char **next) {
    if (n->is_plain || n->count == 1) {
        unlinkNode(ql, n);
        freeNode(n);
        return 1;
    }
    n->data = lpDelete(n->data, pos, next);
    n->count--;
    nodeChanged(n);
    return 0;
}

/* Bytes of the listpack entry at pos in n. */
static size_t entryBytes(const quicklistNode *n, unsigned char *pos) {
    unsigned char *next = lpNext(n->data, pos);
    return (size_t)((next ? next : n->data + n->sz - 1) - pos);
}

/* Replacing when the value does not fit in place: deletes the element at pos
 * in n (accessed, holding others too) and inserts value where it was, which
 * splits the node as needed. */
static void reinsertValue(quicklist *ql, quicklistNode *n, unsigned char *pos, const void *value,
                          size_t len) {
    unsigned char *next;
    deleteFromNode(ql, n, pos, &next);
    if (next)
        insertValue(ql, n, next, 0, value, len);
    else
        insertValue(ql, n, lpLast(n->data), 1, value, len);
}

/* Sets the element at pos in n (accessed) to value. ql->count is unchanged. */
static void replaceValue(quicklist *ql, quicklistNode *n, unsigned char *pos, const void *value,
                         size_t len) {
    int large = isLarge(ql, len);
    if (large && (n->is_plain || n->count == 1)) {
        /* Allocate before freeing: value may be the old bytes. */
        unsigned char *bytes = copyBytes(value, len);
        lfree(n->data);
        n->data = bytes;
        n->sz = len;
        n->is_plain = 1;
        n->incompressible = 0;
    } else if (n->is_plain) {
        unsigned char *lp = lpAppend(lpNew(0), value, len);
        lfree(n->data);
        n->data = lp;
        n->is_plain = 0;
        nodeChanged(n);
    } else if (!large) {
        size_t old_bytes = entryBytes(n, pos), new_bytes = lpEntrySizeFor(value, len);
        if (new_bytes > old_bytes && n->count > 1 &&
            !withinLimits(ql, n->sz - old_bytes + new_bytes, n->count)) {
            reinsertValue(ql, n, pos, value, len);
            return;
        }
        /* A lone element is always replaced in place. */
        n->data = lpReplace(n->data, &pos, value, len);
        nodeChanged(n);
    } else {
        /* A large value in a node shared with others moves to a plain node. */
        reinsertValue(ql, n, pos, value, len);
        return;
    }
    finish(ql, n);
}

/* ---- The list ----------------------------------------------------------- */

quicklist *quicklistCreate(int fill, int compress_depth) {
    quicklist *ql = lcalloc(sizeof(*ql));
    quicklistSetOptions(ql, fill, compress_depth);
    return ql;
}

void quicklistRelease(quicklist *ql) {
    if (!ql) return;
    quicklistNode *n = ql->head;
    while (n) {
        quicklistNode *next = n->next;
        freeNode(n);
        n = next;
    }
    lfree(ql);
}

void quicklistSetOptions(quicklist *ql, int fill, int compress_depth) {
    ql->fill = clampFill(fill);
    if (compress_depth < 0) compress_depth = 0;
    if (compress_depth > QUICKLIST_COMPRESS_MAX) compress_depth = QUICKLIST_COMPRESS_MAX;
    if (compress_depth == ql->compress) return;
    ql->compress = compress_depth;
    for (quicklistNode *n = ql->head; n; n = n->next) {
        if (compress_depth == 0)
            makeRaw(n);
        else
            finish(ql, n);
    }
}

quicklist *quicklistDup(const quicklist *ql) {
    quicklist *copy = lcalloc(sizeof(*copy));
    copy->fill = ql->fill;
    copy->compress = ql->compress;
    for (const quicklistNode *n = ql->head; n; n = n->next) {
        quicklistNode *c = lmalloc(sizeof(*c));
        *c = *n;
        c->recompress = 0;
        size_t bytes = n->is_compressed ? sizeof(lz4Block) + ((lz4Block *)n->data)->len : n->sz;
        c->data = lmalloc(bytes ? bytes : 1);
        if (bytes) memcpy(c->data, n->data, bytes);
        linkAfter(copy, copy->tail, c);
    }
    copy->count = ql->count;
    return copy;
}

unsigned long quicklistCount(const quicklist *ql) {
    return ql->count;
}

unsigned long quicklistNodeCount(const quicklist *ql) {
    return ql->len;
}

size_t quicklistMemoryUsage(const quicklist *ql) {
    size_t bytes = lmallocSize((void *)ql);
    for (quicklistNode *n = ql->head; n; n = n->next)
        bytes += lmallocSize(n) + lmallocSize(n->data);
    return bytes;
}

void quicklistPush(quicklist *ql, const void *value, size_t len, int where) {
    int at_head = where == QUICKLIST_HEAD;
    quicklistNode *end = at_head ? ql->head : ql->tail;
    if (!isLarge(ql, len) && allowInsert(ql, end, len)) {
        addToNode(end, value, len, !at_head);
        finish(ql, end);
    } else {
        quicklistNode *n = newValueNode(ql, value, len);
        if (at_head)
            linkAfter(ql, NULL, n);
        else
            linkAfter(ql, ql->tail, n);
    }
    ql->count++;
    settle(ql, NULL);
}

int quicklistPop(quicklist *ql, int where, str *out) {
    quicklistNode *n = where == QUICKLIST_HEAD ? ql->head : ql->tail;
    if (!n) return 0;
    accessNode(n);
    unsigned char *pos = NULL;
    if (n->is_plain) {
        *out = strNewLen(n->data, n->sz);
    } else {
        unsigned char buf[LP_INTBUF_SIZE];
        unsigned int len;
        pos = where == QUICKLIST_HEAD ? lpFirst(n->data) : lpLast(n->data);
        const unsigned char *s = lpGetBytes(pos, &len, buf);
        *out = strNewLen(s, len);
    }
    if (!deleteFromNode(ql, n, pos, NULL)) finish(ql, n);
    ql->count--;
    settle(ql, NULL);
    return 1;
}

int quicklistReplaceAt(quicklist *ql, long index, const void *value, size_t len) {
    unsigned long i;
    long offset;
    if (!normalizeIndex(ql, index, &i)) return 0;
    quicklistNode *n = locate(ql, i, &offset);
    accessNode(n);
    replaceValue(ql, n, n->is_plain ? NULL : lpSeek(n->data, offset), value, len);
    settle(ql, NULL);
    return 1;
}

int quicklistDelRange(quicklist *ql, long start, long count) {
    unsigned long first;
    if (count <= 0 || !normalizeIndex(ql, start, &first)) return 0;
    unsigned long left = ql->count - first;
    if ((unsigned long)count < left) left = (unsigned long)count;
    long offset;
    quicklistNode *n = locate(ql, first, &offset);
    ql->count -= left;
    while (left > 0) {
        quicklistNode *next = n->next;
        if (offset == 0 && left >= n->count) {
            left -= n->count;
            unlinkNode(ql, n);
            freeNode(n);
        } else {
            unsigned long del = n->count - (unsigned long)offset;
            if (del > left) del = left;
            accessNode(n);
            n->data = lpDeleteRange(n->data, offset, del);
            n->count -= del;
            nodeChanged(n);
            finish(ql, n);
            left -= del;
        }
        offset = 0;
        n = next;
    }
    settle(ql, NULL);
    return 1;
}

int quicklistEntryEquals(const quicklistEntry *e, const void *s, size_t len) {
    if (e->value) return e->len == len && (len == 0 || memcmp(e->value, s, len) == 0);
    long long v;
    return len < LP_INTBUF_SIZE && string2ll(s, len, &v) && v == e->lval;
}

/* ---- Iteration ---------------------------------------------------------- */

static quicklistIter *newIterator(quicklist *ql, int direction, quicklistNode *n, long offset) {
    quicklistIter *it = lmalloc(sizeof(*it));
    it->ql = ql;
    it->node = n;
    it->pos = NULL;
    it->offset = offset;
    it->direction = direction;
    it->ready = 0;
    return it;
}

quicklistIter *quicklistGetIterator(quicklist *ql, int direction) {
    if (direction == QUICKLIST_HEAD) return newIterator(ql, direction, ql->head, 0);
    return newIterator(ql, direction, ql->tail, ql->tail ? (long)ql->tail->count - 1 : 0);
}

quicklistIter *quicklistGetIteratorAtIdx(quicklist *ql, int direction, long idx) {
    unsigned long i;
    long offset;
    if (!normalizeIndex(ql, idx, &i)) return NULL;
    quicklistNode *n = locate(ql, i, &offset);
    return newIterator(ql, direction, n, offset);
}

quicklistIter *quicklistGetIteratorEntryAtIdx(quicklist *ql, long idx, quicklistEntry *e) {
    quicklistIter *it = quicklistGetIteratorAtIdx(ql, QUICKLIST_HEAD, idx);
    if (it) quicklistNext(it, e);
    return it;
}

/* Steps to the next node in the iterator's direction, recompressing the one
 * it leaves if that was only decompressed for the walk. */
static void leaveNode(quicklistIter *it, quicklistNode *next) {
    if (it->node && it->pos && it->node->recompress) compressNode(it->node);
    it->node = next;
    it->pos = NULL;
    it->ready = 0;
    it->offset = next && it->direction != QUICKLIST_HEAD ? (long)next->count - 1 : 0;
}

static void fillEntry(quicklistEntry *e, quicklistNode *n, unsigned char *pos, long offset) {
    e->node = n;
    e->pos = pos;
    e->offset = offset;
    e->lval = 0;
    if (n->is_plain) {
        e->value = n->data;
        e->len = n->sz;
    } else {
        unsigned int len = 0;
        e->value = lpGetValue(pos, &len, &e->lval);
        e->len = len;
    }
}

int quicklistNext(quicklistIter *it, quicklistEntry *e) {
    int forward = it->direction == QUICKLIST_HEAD;
    while (it->node) {
        quicklistNode *n = it->node;
        unsigned char *p;
        if (!it->pos) {
            accessNode(n);
            p = n->is_plain ? n->data : lpSeek(n->data, it->offset);
        } else if (it->ready) {
            p = it->pos;
        } else if (n->is_plain) {
            p = NULL;
        } else {
            p = forward ? lpNext(n->data, it->pos) : lpPrev(n->data, it->pos);
            it->offset += forward ? 1 : -1;
        }
        if (p) {
            it->pos = p;
            it->ready = 0;
            fillEntry(e, n, p, it->offset);
            return 1;
        }
        leaveNode(it, forward ? n->next : n->prev);
    }
    return 0;
}

void quicklistReleaseIterator(quicklistIter *it) {
    if (!it) return;
    leaveNode(it, NULL);
    lfree(it);
}

void quicklistDelEntry(quicklistIter *it, quicklistEntry *e) {
    quicklist *ql = it->ql;
    quicklistNode *n = it->node;
    loomAssert(n && e->node == n && e->pos == it->pos && !it->ready);
    int forward = it->direction == QUICKLIST_HEAD;
    quicklistNode *after_n = forward ? n->next : n->prev;
    unsigned char *next;
    ql->count--;
    if (deleteFromNode(ql, n, it->pos, &next)) {
        it->node = NULL; /* freed: nothing to recompress */
        settle(ql, NULL);
        leaveNode(it, after_n);
        return;
    }
    /* n changed: compress it when the iterator leaves, unless it is an edge
     * node, which settle() decides. */
    if (ql->compress) n->recompress = 1;
    settle(ql, n);
    if (forward && next) {
        it->pos = next;
        it->ready = 1;
    } else if (!forward && it->offset > 0) {
        it->pos = next ? lpPrev(n->data, next) : lpLast(n->data);
        it->offset--;
        it->ready = 1;
    } else {
        leaveNode(it, after_n);
    }
}

/* Ends the iteration after an edit through it: the edit finished every node
 * it touched, including the iterator's. */
static void endIteration(quicklistIter *it) {
    it->node = NULL;
    it->pos = NULL;
}

static void insertAtEntry(quicklistIter *it, quicklistEntry *e, int after, const void *value,
                          size_t len) {
    loomAssert(it->node && e->node == it->node && e->pos == it->pos);
    quicklist *ql = it->ql;
    insertValue(ql, e->node, e->node->is_plain ? NULL : e->pos, after, value, len);
    ql->count++;
    settle(ql, NULL);
    endIteration(it);
}

void quicklistInsertBefore(quicklistIter *it, quicklistEntry *e, const void *value, size_t len) {
    insertAtEntry(it, e, 0, value, len);
}

void quicklistInsertAfter(quicklistIter *it, quicklistEntry *e, const void *value, size_t len) {
    insertAtEntry(it, e, 1, value, len);
}

void quicklistReplaceEntry(quicklistIter *it, quicklistEntry *e, const void *value, size_t len) {
    loomAssert(it->node && e->node == it->node && e->pos == it->pos);
    replaceValue(it->ql, e->node, e->node->is_plain ? NULL : e->pos, value, len);
    settle(it->ql, NULL);
    endIteration(it);
}

/* ---- Nodes, for RDB ----------------------------------------------------- */

quicklistNode *quicklistFirstNode(const quicklist *ql) {
    return ql->head;
}

quicklistNode *quicklistNextNode(const quicklistNode *node) {
    return node->next;
}

unsigned int quicklistNodeEntries(const quicklistNode *node) {
    return node->count;
}

int quicklistNodeIsPlain(const quicklistNode *node) {
    return node->is_plain;
}

int quicklistNodeIsCompressed(const quicklistNode *node) {
    return node->is_compressed;
}

size_t quicklistNodeSize(const quicklistNode *node) {
    return node->sz;
}

const unsigned char *quicklistNodeStoredBytes(const quicklistNode *node, size_t *len) {
    if (node->is_compressed) {
        const lz4Block *b = (const lz4Block *)node->data;
        *len = b->len;
        return b->bytes;
    }
    *len = node->sz;
    return node->data;
}

const unsigned char *quicklistNodeRawBytes(const quicklistNode *node, size_t *len,
                                           unsigned char **to_free) {
    *len = node->sz;
    if (!node->is_compressed) {
        *to_free = NULL;
        return node->data;
    }
    *to_free = lmalloc(node->sz);
    inflate(node, *to_free);
    return *to_free;
}

int quicklistAppendListpack(quicklist *ql, unsigned char *lp) {
    unsigned long count = lpLength(lp);
    if (count == 0 || count > NODE_MAX_ENTRIES) return 0;
    quicklistNode *n = newPackedNode(lp);
    linkAfter(ql, ql->tail, n);
    ql->count += count;
    settle(ql, NULL);
    return 1;
}

void quicklistAppendPlain(quicklist *ql, unsigned char *data, size_t len) {
    quicklistNode *n = lcalloc(sizeof(*n));
    n->data = data;
    n->sz = len;
    n->count = 1;
    n->is_plain = 1;
    linkAfter(ql, ql->tail, n);
    ql->count++;
    settle(ql, NULL);
}
