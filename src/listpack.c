/* SPDX-License-Identifier: BSD-3-Clause
 *
 * listpack: encoding, navigation, in-place edits and validation of the Redis
 * 7.0 listpack byte format (see listpack.h for the layout). Every edit is one
 * "splice": open or close a gap at an offset, then write the new entry into
 * it, so there is one place that moves bytes and fixes the header. The buffer
 * grows only when the allocator's usable size is exceeded and shrinks to the
 * exact size, as Redis does, so memory use matches Redis's.
 *
 * Functions that take trusted listpacks assume a well-formed buffer; only
 * lpValidate reads untrusted bytes. Any thread may run this code on a
 * listpack it owns.
 */
#include "listpack.h"

#include "alloc.h"
#include "util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Encoding bytes. The first byte of an entry selects the encoding: */
#define ENC_7BIT_UINT      0x00 /* 0xxxxxxx: value 0..127 */
#define ENC_7BIT_UINT_MASK 0x80
#define ENC_6BIT_STR       0x80 /* 10llllll: string of up to 63 bytes */
#define ENC_6BIT_STR_MASK  0xC0
#define ENC_13BIT_INT      0xC0 /* 110vvvvv vvvvvvvv: -4096..4095, high bits first */
#define ENC_13BIT_INT_MASK 0xE0
#define ENC_12BIT_STR      0xE0 /* 1110llll llllllll: string of up to 4095 bytes */
#define ENC_12BIT_STR_MASK 0xF0
#define ENC_32BIT_STR      0xF0 /* then a 32-bit LE length */
#define ENC_16BIT_INT      0xF1 /* then the value, LE two's complement */
#define ENC_24BIT_INT      0xF2
#define ENC_32BIT_INT      0xF3
#define ENC_64BIT_INT      0xF4

/* Longest string that can hold an integer: "-9223372036854775808". */
#define INT_STR_MAX 20
/* lpSafeToAdd's limit, far below the header's 4 GB. */
#define LP_SAFETY_SIZE (1UL << 30)
#define LP_MIN_BYTES   (LP_HDR_SIZE + 1)

/* ---- Header ------------------------------------------------------------- */

static uint32_t readTotal(const unsigned char *lp) {
    return (uint32_t)lp[0] | (uint32_t)lp[1] << 8 | (uint32_t)lp[2] << 16 | (uint32_t)lp[3] << 24;
}

static void writeTotal(unsigned char *lp, uint32_t v) {
    lp[0] = v & 0xFF;
    lp[1] = (v >> 8) & 0xFF;
    lp[2] = (v >> 16) & 0xFF;
    lp[3] = (v >> 24) & 0xFF;
}

static unsigned readCount(const unsigned char *lp) {
    return (unsigned)lp[4] | (unsigned)lp[5] << 8;
}

/* Stores n, or "unknown" when n does not fit below 65535. */
static void writeCount(unsigned char *lp, unsigned long n) {
    if (n > LP_HDR_COUNT_UNKNOWN) n = LP_HDR_COUNT_UNKNOWN;
    lp[4] = n & 0xFF;
    lp[5] = (n >> 8) & 0xFF;
}

/* An unknown count stays unknown until someone counts (as in Redis). */
static void adjustCount(unsigned char *lp, long delta) {
    unsigned n = readCount(lp);
    if (n != LP_HDR_COUNT_UNKNOWN) writeCount(lp, (unsigned long)((long)n + delta));
}

/* ---- Entry layout ------------------------------------------------------- */

static uint64_t readLE(const unsigned char *p, int n) {
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static void writeLE(unsigned char *p, uint64_t v, int n) {
    for (int i = 0; i < n; i++, v >>= 8)
        p[i] = v & 0xFF;
}

/* Bytes of the backlen that stores entry length l. The thresholds are Redis's
 * (16383 already takes three bytes), which the format's readers check. */
static unsigned backlenSize(uint64_t l) {
    if (l <= 127) return 1;
    if (l < 16383) return 2;
    if (l < 2097151) return 3;
    if (l < 268435455) return 4;
    return 5;
}

/* Writes the backlen of l: the most significant 7-bit group first with its
 * high bit clear, every later group with the high bit set ("more bytes to the
 * left" when read from the right). Returns its size. */
static unsigned writeBacklen(unsigned char *buf, uint64_t l) {
    unsigned n = backlenSize(l);
    for (unsigned i = 0; i < n; i++) {
        unsigned char group = (l >> (7 * (n - 1 - i))) & 127;
        buf[i] = i == 0 ? group : (group | 128);
    }
    return n;
}

/* Reads the backlen whose last byte is at p, walking left. */
static uint64_t readBacklen(const unsigned char *p) {
    uint64_t v = 0;
    unsigned shift = 0;
    for (;;) {
        v |= (uint64_t)(*p & 127) << shift;
        if (!(*p & 128)) return v;
        shift += 7;
        p--;
    }
}

/* Bytes of the encoding and data of the entry at p (without the backlen). */
static size_t encodedLen(const unsigned char *p) {
    unsigned char b = p[0];
    if ((b & ENC_7BIT_UINT_MASK) == ENC_7BIT_UINT) return 1;
    if ((b & ENC_6BIT_STR_MASK) == ENC_6BIT_STR) return 1 + (size_t)(b & 0x3F);
    if ((b & ENC_13BIT_INT_MASK) == ENC_13BIT_INT) return 2;
    if ((b & ENC_12BIT_STR_MASK) == ENC_12BIT_STR) return 2 + ((size_t)(b & 0x0F) << 8 | p[1]);
    switch (b) {
        case ENC_32BIT_STR: return 5 + (size_t)readLE(p + 1, 4);
        case ENC_16BIT_INT: return 3;
        case ENC_24BIT_INT: return 4;
        case ENC_32BIT_INT: return 5;
        case ENC_64BIT_INT: return 9;
        default: return 0; /* unused encodings and EOF */
    }
}

static size_t entrySize(const unsigned char *p) {
    size_t l = encodedLen(p);
    return l + backlenSize(l);
}

/* ---- Encoding values ---------------------------------------------------- */

/* An entry ready to be written: head (encoding, plus the value for integers),
 * then data (string bytes), then the backlen. */
typedef struct encoded {
    unsigned char head[9];
    unsigned head_len;
    const unsigned char *data; /* NULL for integers */
    size_t data_len;
    unsigned char back[5];
    unsigned back_len;
} encoded;

static size_t encodedSize(const encoded *e) {
    return e->head_len + e->data_len + e->back_len;
}

static void encodeInteger(long long v, encoded *e) {
    uint64_t u = (uint64_t)v;
    e->data = NULL;
    e->data_len = 0;
    if (v >= 0 && v <= 127) {
        e->head[0] = (unsigned char)v;
        e->head_len = 1;
    } else if (v >= -4096 && v <= 4095) {
        u &= 0x1FFF; /* 13-bit two's complement */
        e->head[0] = ENC_13BIT_INT | (unsigned char)(u >> 8);
        e->head[1] = u & 0xFF;
        e->head_len = 2;
    } else {
        int n;
        if (v >= INT16_MIN && v <= INT16_MAX) {
            e->head[0] = ENC_16BIT_INT;
            n = 2;
        } else if (v >= -(1LL << 23) && v < (1LL << 23)) {
            e->head[0] = ENC_24BIT_INT;
            n = 3;
        } else if (v >= INT32_MIN && v <= INT32_MAX) {
            e->head[0] = ENC_32BIT_INT;
            n = 4;
        } else {
            e->head[0] = ENC_64BIT_INT;
            n = 8;
        }
        writeLE(e->head + 1, u, n);
        e->head_len = 1 + (unsigned)n;
    }
    e->back_len = writeBacklen(e->back, e->head_len);
}

/* Strings that string2ll accepts become integers, as in Redis. */
static void encodeString(const unsigned char *s, size_t len, encoded *e) {
    long long v;
    if (len <= INT_STR_MAX && string2ll((const char *)s, len, &v)) {
        encodeInteger(v, e);
        return;
    }
    loomAssert(len <= UINT32_MAX);
    if (len < 64) {
        e->head[0] = ENC_6BIT_STR | (unsigned char)len;
        e->head_len = 1;
    } else if (len < 4096) {
        e->head[0] = ENC_12BIT_STR | (unsigned char)(len >> 8);
        e->head[1] = len & 0xFF;
        e->head_len = 2;
    } else {
        e->head[0] = ENC_32BIT_STR;
        writeLE(e->head + 1, len, 4);
        e->head_len = 5;
    }
    e->data = s;
    e->data_len = len;
    e->back_len = writeBacklen(e->back, e->head_len + len);
}

static void writeEncoded(unsigned char *dst, const encoded *e) {
    memcpy(dst, e->head, e->head_len);
    dst += e->head_len;
    if (e->data_len) memcpy(dst, e->data, e->data_len);
    memcpy(dst + e->data_len, e->back, e->back_len);
}

/* ---- Reading values ----------------------------------------------------- */

/* Decodes an integer entry; returns 0 if p holds a string. */
static int readInteger(const unsigned char *p, long long *v) {
    unsigned char b = p[0];
    int n;
    if ((b & ENC_7BIT_UINT_MASK) == ENC_7BIT_UINT) {
        *v = b;
        return 1;
    }
    if ((b & ENC_13BIT_INT_MASK) == ENC_13BIT_INT) {
        unsigned u = (unsigned)(b & 0x1F) << 8 | p[1];
        *v = u >= 4096 ? (long long)u - 8192 : (long long)u;
        return 1;
    }
    switch (b) {
        case ENC_16BIT_INT: n = 2; break;
        case ENC_24BIT_INT: n = 3; break;
        case ENC_32BIT_INT: n = 4; break;
        case ENC_64BIT_INT: n = 8; break;
        default: return 0;
    }
    uint64_t u = readLE(p + 1, n);
    if (n < 8 && (u >> (8 * n - 1))) u |= ~0ULL << (8 * n); /* sign-extend */
    int64_t s;
    memcpy(&s, &u, sizeof(s));
    *v = s;
    return 1;
}

/* The bytes of a string entry; NULL if p holds an integer. */
static const unsigned char *readString(const unsigned char *p, size_t *len) {
    unsigned char b = p[0];
    if ((b & ENC_6BIT_STR_MASK) == ENC_6BIT_STR) {
        *len = b & 0x3F;
        return p + 1;
    }
    if ((b & ENC_12BIT_STR_MASK) == ENC_12BIT_STR) {
        *len = (size_t)(b & 0x0F) << 8 | p[1];
        return p + 2;
    }
    if (b == ENC_32BIT_STR) {
        *len = (size_t)readLE(p + 1, 4);
        return p + 5;
    }
    return NULL;
}

const unsigned char *lpGetValue(const unsigned char *p, unsigned int *len, long long *ival) {
    size_t slen;
    const unsigned char *s = readString(p, &slen);
    if (s) {
        *len = (unsigned int)slen;
        return s;
    }
    readInteger(p, ival);
    return NULL;
}

const unsigned char *lpGetBytes(const unsigned char *p, unsigned int *len, unsigned char *buf) {
    long long v;
    const unsigned char *s = lpGetValue(p, len, &v);
    if (s) return s;
    *len = (unsigned int)ll2string((char *)buf, LP_INTBUF_SIZE, v);
    return buf;
}

/* ---- Creation and navigation -------------------------------------------- */

unsigned char *lpNew(size_t capacity) {
    unsigned char *lp = lmalloc(capacity > LP_MIN_BYTES ? capacity : LP_MIN_BYTES);
    writeTotal(lp, LP_MIN_BYTES);
    writeCount(lp, 0);
    lp[LP_HDR_SIZE] = LP_EOF;
    return lp;
}

void lpFree(unsigned char *lp) {
    lfree(lp);
}

unsigned char *lpShrinkToFit(unsigned char *lp) {
    size_t bytes = readTotal(lp);
    return lmallocSize(lp) > bytes ? lrealloc(lp, bytes) : lp;
}

size_t lpBytes(const unsigned char *lp) {
    return readTotal(lp);
}

unsigned long lpLength(const unsigned char *lp) {
    unsigned n = readCount(lp);
    if (n != LP_HDR_COUNT_UNKNOWN) return n;
    unsigned long count = 0;
    for (const unsigned char *p = lp + LP_HDR_SIZE; *p != LP_EOF; p += entrySize(p))
        count++;
    return count;
}

unsigned char *lpFirst(unsigned char *lp) {
    unsigned char *p = lp + LP_HDR_SIZE;
    return *p == LP_EOF ? NULL : p;
}

/* The entry that ends just before q (an entry or the terminator). */
static unsigned char *entryBefore(unsigned char *lp, unsigned char *q) {
    if (q == lp + LP_HDR_SIZE) return NULL;
    uint64_t l = readBacklen(q - 1);
    return q - backlenSize(l) - l;
}

unsigned char *lpLast(unsigned char *lp) {
    return entryBefore(lp, lp + readTotal(lp) - 1);
}

unsigned char *lpNext(unsigned char *lp, unsigned char *p) {
    (void)lp;
    p += entrySize(p);
    return *p == LP_EOF ? NULL : p;
}

unsigned char *lpPrev(unsigned char *lp, unsigned char *p) {
    return entryBefore(lp, p);
}

unsigned char *lpSeek(unsigned char *lp, long index) {
    unsigned long count = lpLength(lp);
    if (index < 0) index += (long)count;
    if (index < 0 || (unsigned long)index >= count) return NULL;
    unsigned char *p;
    if ((unsigned long)index <= count / 2) {
        p = lpFirst(lp);
        while (index--)
            p += entrySize(p);
    } else {
        p = lpLast(lp);
        for (unsigned long i = count - 1; i > (unsigned long)index; i--)
            p = entryBefore(lp, p);
    }
    return p;
}

/* ---- Editing ------------------------------------------------------------ */

/* Replaces the old_len bytes at offset off with a gap of new_len bytes for
 * the caller to fill, moving the tail and updating the total. The count is
 * the caller's. */
static unsigned char *splice(unsigned char *lp, size_t off, size_t old_len, size_t new_len) {
    size_t total = readTotal(lp);
    size_t new_total = total - old_len + new_len;
    loomAssert(new_total <= UINT32_MAX);
    size_t tail = total - off - old_len;
    if (new_len > old_len) {
        if (new_total > lmallocSize(lp)) lp = lrealloc(lp, new_total);
        memmove(lp + off + new_len, lp + off + old_len, tail);
    } else if (new_len < old_len) {
        memmove(lp + off + new_len, lp + off + old_len, tail);
        lp = lrealloc(lp, new_total);
    }
    writeTotal(lp, (uint32_t)new_total);
    return lp;
}

/* Writes e over the old_len bytes at off. The string bytes may live inside lp
 * (copying an entry within a listpack): they are copied out first, since the
 * buffer may move. */
static unsigned char *putEntry(unsigned char *lp, size_t off, size_t old_len, encoded *e) {
    unsigned char *copy = NULL;
    if (e->data && e->data >= lp && e->data < lp + readTotal(lp)) {
        copy = lmalloc(e->data_len);
        memcpy(copy, e->data, e->data_len);
        e->data = copy;
    }
    lp = splice(lp, off, old_len, encodedSize(e));
    writeEncoded(lp + off, e);
    lfree(copy);
    return lp;
}

static unsigned char *insertEncoded(unsigned char *lp, size_t off, encoded *e) {
    lp = putEntry(lp, off, 0, e);
    adjustCount(lp, 1);
    return lp;
}

unsigned char *lpAppend(unsigned char *lp, const unsigned char *s, size_t len) {
    encoded e;
    encodeString(s, len, &e);
    return insertEncoded(lp, readTotal(lp) - 1, &e);
}

unsigned char *lpPrepend(unsigned char *lp, const unsigned char *s, size_t len) {
    encoded e;
    encodeString(s, len, &e);
    return insertEncoded(lp, LP_HDR_SIZE, &e);
}

unsigned char *lpAppendInteger(unsigned char *lp, long long v) {
    encoded e;
    encodeInteger(v, &e);
    return insertEncoded(lp, readTotal(lp) - 1, &e);
}

unsigned char *lpInsert(unsigned char *lp, const unsigned char *s, size_t len, unsigned char *p,
                        int where, unsigned char **newp) {
    size_t off = (size_t)(p - lp) + (where == LP_AFTER ? entrySize(p) : 0);
    encoded e;
    encodeString(s, len, &e);
    lp = insertEncoded(lp, off, &e);
    if (newp) *newp = lp + off;
    return lp;
}

static unsigned char *replaceEncoded(unsigned char *lp, unsigned char **p, encoded *e) {
    size_t off = (size_t)(*p - lp);
    lp = putEntry(lp, off, entrySize(*p), e);
    *p = lp + off;
    return lp;
}

unsigned char *lpReplace(unsigned char *lp, unsigned char **p, const unsigned char *s, size_t len) {
    encoded e;
    encodeString(s, len, &e);
    return replaceEncoded(lp, p, &e);
}

unsigned char *lpReplaceInteger(unsigned char *lp, unsigned char **p, long long v) {
    encoded e;
    encodeInteger(v, &e);
    return replaceEncoded(lp, p, &e);
}

unsigned char *lpDeleteRangeWithEntry(unsigned char *lp, unsigned char **p, unsigned long count) {
    size_t off = (size_t)(*p - lp);
    unsigned char *end = *p;
    unsigned long n = 0;
    while (n < count && *end != LP_EOF) {
        end += entrySize(end);
        n++;
    }
    lp = splice(lp, off, (size_t)(end - *p), 0);
    adjustCount(lp, -(long)n);
    *p = lp[off] == LP_EOF ? NULL : lp + off;
    return lp;
}

unsigned char *lpDelete(unsigned char *lp, unsigned char *p, unsigned char **newp) {
    lp = lpDeleteRangeWithEntry(lp, &p, 1);
    if (newp) *newp = p;
    return lp;
}

unsigned char *lpDeleteRange(unsigned char *lp, long index, unsigned long count) {
    unsigned char *p = lpSeek(lp, index);
    if (!p || count == 0) return lp;
    return lpDeleteRangeWithEntry(lp, &p, count);
}

unsigned char *lpConcat(unsigned char *dst, const unsigned char *src) {
    size_t bytes = readTotal(src) - LP_MIN_BYTES;
    unsigned long n = lpLength(src);
    if (n == 0) return dst;
    size_t off = readTotal(dst) - 1;
    dst = splice(dst, off, 0, bytes);
    memcpy(dst + off, src + LP_HDR_SIZE, bytes);
    adjustCount(dst, (long)n);
    return dst;
}

unsigned char *lpSplit(unsigned char *lp, unsigned char *p, unsigned char **tail) {
    size_t off = (size_t)(p - lp);
    size_t bytes = readTotal(lp) - 1 - off;
    unsigned long moved = 0;
    for (unsigned char *q = p; *q != LP_EOF; q += entrySize(q))
        moved++;
    unsigned char *t = lmalloc(LP_MIN_BYTES + bytes);
    writeTotal(t, (uint32_t)(LP_MIN_BYTES + bytes));
    writeCount(t, moved);
    memcpy(t + LP_HDR_SIZE, p, bytes);
    t[LP_HDR_SIZE + bytes] = LP_EOF;
    *tail = t;

    unsigned count = readCount(lp);
    lp = splice(lp, off, bytes, 0);
    if (count != LP_HDR_COUNT_UNKNOWN)
        writeCount(lp, count - moved);
    else
        writeCount(lp, lpLength(lp)); /* still unknown: walk to learn it */
    return lp;
}

/* ---- Searching ---------------------------------------------------------- */

/* A search key parsed once: its integer value when entries stored as
 * integers can equal it. */
typedef struct needle {
    const unsigned char *s;
    size_t len;
    int is_int;
    long long v;
} needle;

static void makeNeedle(needle *n, const unsigned char *s, size_t len) {
    n->s = s;
    n->len = len;
    n->is_int = len <= INT_STR_MAX && string2ll((const char *)s, len, &n->v);
}

static int matches(const unsigned char *p, const needle *n) {
    size_t len;
    const unsigned char *s = readString(p, &len);
    if (s) return len == n->len && (len == 0 || memcmp(s, n->s, len) == 0);
    long long v;
    readInteger(p, &v);
    return n->is_int && v == n->v;
}

int lpCompare(const unsigned char *p, const unsigned char *s, size_t len) {
    needle n;
    makeNeedle(&n, s, len);
    return matches(p, &n);
}

unsigned char *lpFind(unsigned char *lp, unsigned char *p, const unsigned char *s, size_t len,
                      unsigned int skip) {
    (void)lp;
    needle n;
    makeNeedle(&n, s, len);
    unsigned int to_skip = 0;
    while (p && *p != LP_EOF) {
        if (to_skip == 0) {
            if (matches(p, &n)) return p;
            to_skip = skip;
        } else {
            to_skip--;
        }
        p += entrySize(p);
    }
    return NULL;
}

size_t lpEntrySizeFor(const unsigned char *s, size_t len) {
    encoded e;
    encodeString(s, len, &e);
    return encodedSize(&e);
}

int lpSafeToAdd(const unsigned char *lp, size_t add) {
    size_t have = lp ? readTotal(lp) : 0;
    return add <= LP_SAFETY_SIZE && have + add <= LP_SAFETY_SIZE;
}

/* ---- Validation --------------------------------------------------------- */

/* encodedLen for untrusted bytes: reads only p[0..avail) and returns 0 for an
 * invalid encoding or one whose length field is cut off. */
static size_t encodedLenBounded(const unsigned char *p, size_t avail) {
    unsigned char b = p[0];
    if ((b & ENC_12BIT_STR_MASK) == ENC_12BIT_STR && avail < 2) return 0;
    if (b == ENC_32BIT_STR && avail < 5) return 0;
    return encodedLen(p);
}

int lpValidateWith(const unsigned char *lp, size_t size,
                   int (*entry_cb)(const unsigned char *p, void *arg), void *arg) {
    if (size < LP_MIN_BYTES || size > UINT32_MAX) return 0;
    if (readTotal(lp) != size || lp[size - 1] != LP_EOF) return 0;
    const unsigned char *p = lp + LP_HDR_SIZE;
    const unsigned char *end = lp + size - 1; /* the terminator */
    unsigned long count = 0;
    while (p < end) {
        size_t avail = (size_t)(end - p);
        size_t l = encodedLenBounded(p, avail);
        if (l == 0 || l > avail) return 0;
        unsigned char back[5];
        unsigned back_len = writeBacklen(back, l);
        /* Only the canonical backlen, the one Redis writes, is accepted. */
        if (back_len > avail - l || memcmp(p + l, back, back_len) != 0) return 0;
        if (entry_cb && !entry_cb(p, arg)) return 0;
        p += l + back_len;
        count++;
    }
    unsigned header_count = readCount(lp);
    return header_count == LP_HDR_COUNT_UNKNOWN || header_count == count;
}

int lpValidate(const unsigned char *lp, size_t size) {
    return lpValidateWith(lp, size, NULL, NULL);
}

/* ---- Random sampling ---------------------------------------------------- */

unsigned char *lpRandom(unsigned char *lp) {
    unsigned long n = lpLength(lp);
    return n ? lpSeek(lp, (long)(randomU64() % n)) : NULL;
}

typedef struct pick {
    unsigned long group;
    unsigned long order;
} pick;

static int comparePicks(const void *a, const void *b) {
    const pick *x = a, *y = b;
    return x->group < y->group ? -1 : x->group > y->group;
}

void lpRandomSample(unsigned char *lp, unsigned int stride, unsigned long count,
                    unsigned char **out) {
    unsigned long groups = lpLength(lp) / stride;
    loomAssert(groups > 0);
    if (count == 0) return;
    /* Draw, sort by position, and collect them in one walk. */
    pick *picks = lmalloc(count * sizeof(*picks));
    for (unsigned long i = 0; i < count; i++) {
        picks[i].group = randomU64() % groups;
        picks[i].order = i;
    }
    qsort(picks, count, sizeof(*picks), comparePicks);
    unsigned char *p = lpFirst(lp);
    unsigned long at = 0; /* group index of p */
    for (unsigned long i = 0; i < count; i++) {
        for (; at < picks[i].group; at++)
            for (unsigned int k = 0; k < stride; k++)
                p += entrySize(p);
        out[picks[i].order] = p;
    }
    lfree(picks);
}

unsigned long lpRandomSampleUnique(unsigned char *lp, unsigned int stride, unsigned long count,
                                   unsigned char **out) {
    unsigned long groups = lpLength(lp) / stride;
    if (count > groups) count = groups;
    unsigned long picked = 0;
    unsigned char *p = lpFirst(lp);
    /* Selection sampling (Knuth's algorithm S): take group i with probability
     * (still needed) / (still left), which picks every subset equally likely. */
    for (unsigned long i = 0; i < groups && picked < count; i++) {
        if (randomU64() % (groups - i) < count - picked) out[picked++] = p;
        for (unsigned int k = 0; k < stride; k++)
            p += entrySize(p);
    }
    return picked;
}
