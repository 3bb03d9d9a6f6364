/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The intset: Redis's byte format (uint32 encoding, uint32 length, ascending
 * little-endian elements) kept in one exact-size allocation. Lookups binary
 * search; adds and removes shift the tail with memmove and resize with lrealloc.
 * Every read of an element goes through memcpy and an explicit little-endian
 * conversion, so the bytes are the same on any host and nothing relies on
 * alignment. Leaf module: any thread, one thread per set at a time.
 */
#include "intset.h"

#include "alloc.h"
#include "util.h"

#include <string.h>

#define ENC_16 ((uint32_t)sizeof(int16_t))
#define ENC_32 ((uint32_t)sizeof(int32_t))
#define ENC_64 ((uint32_t)sizeof(int64_t))

struct intset {
    uint32_t encoding_le; /* bytes per element, little-endian */
    uint32_t length_le;   /* element count, little-endian */
    unsigned char contents[];
};

#define HEADER_BYTES ((size_t)sizeof(struct intset))

#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define LE16(x) __builtin_bswap16(x)
#define LE32(x) __builtin_bswap32(x)
#define LE64(x) __builtin_bswap64(x)
#else
#define LE16(x) (x)
#define LE32(x) (x)
#define LE64(x) (x)
#endif

static uint32_t encodingOf(const intset *is) {
    return LE32(is->encoding_le);
}
static uint32_t lengthOf(const intset *is) {
    return LE32(is->length_le);
}
static void setEncoding(intset *is, uint32_t enc) {
    is->encoding_le = LE32(enc);
}
static void setLength(intset *is, uint32_t len) {
    is->length_le = LE32(len);
}

/* The narrowest encoding that holds v. */
static uint32_t encodingFor(int64_t v) {
    if (v < INT32_MIN || v > INT32_MAX) return ENC_64;
    if (v < INT16_MIN || v > INT16_MAX) return ENC_32;
    return ENC_16;
}

/* Reads element pos of an array of enc-byte little-endian integers. */
static int64_t readAt(const unsigned char *base, uint32_t enc, uint32_t pos) {
    const unsigned char *p = base + (size_t)pos * enc;
    if (enc == ENC_64) {
        uint64_t v;
        memcpy(&v, p, sizeof(v));
        return (int64_t)LE64(v);
    }
    if (enc == ENC_32) {
        uint32_t v;
        memcpy(&v, p, sizeof(v));
        return (int32_t)LE32(v);
    }
    uint16_t v;
    memcpy(&v, p, sizeof(v));
    return (int16_t)LE16(v);
}

static void writeAt(unsigned char *base, uint32_t enc, uint32_t pos, int64_t value) {
    unsigned char *p = base + (size_t)pos * enc;
    if (enc == ENC_64) {
        uint64_t v = LE64((uint64_t)value);
        memcpy(p, &v, sizeof(v));
    } else if (enc == ENC_32) {
        uint32_t v = LE32((uint32_t)(int32_t)value);
        memcpy(p, &v, sizeof(v));
    } else {
        uint16_t v = LE16((uint16_t)(int16_t)value);
        memcpy(p, &v, sizeof(v));
    }
}

static int64_t elementAt(const intset *is, uint32_t pos) {
    return readAt(is->contents, encodingOf(is), pos);
}

static size_t bytesFor(uint32_t enc, uint32_t len) {
    return HEADER_BYTES + (size_t)enc * len;
}

static intset *resize(intset *is, uint32_t enc, uint32_t len) {
    return lrealloc(is, bytesFor(enc, len));
}

/* Binary search. Returns 1 and *pos = the index of value if present; otherwise 0
 * and *pos = the index where it would be inserted. */
static int search(const intset *is, int64_t value, uint32_t *pos) {
    uint32_t lo = 0, hi = lengthOf(is);
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int64_t cur = elementAt(is, mid);
        if (cur == value) {
            *pos = mid;
            return 1;
        }
        if (cur < value)
            lo = mid + 1;
        else
            hi = mid;
    }
    *pos = lo;
    return 0;
}

intset *intsetNew(void) {
    intset *is = lmalloc(HEADER_BYTES);
    setEncoding(is, ENC_16);
    setLength(is, 0);
    return is;
}

void intsetFree(intset *is) {
    lfree(is);
}

intset *intsetDup(const intset *is) {
    size_t bytes = intsetBlobLen(is);
    intset *copy = lmalloc(bytes);
    memcpy(copy, is, bytes);
    return copy;
}

/* Widens every element to enc and adds value, which does not fit the old
 * encoding and so is either below or above every element: it goes first or
 * last. Elements are rewritten from the end so none is overwritten before it is
 * read (the new slots are wider than the old ones). */
static intset *upgradeAndAdd(intset *is, uint32_t enc, int64_t value) {
    uint32_t old_enc = encodingOf(is), len = lengthOf(is);
    uint32_t shift = value < 0 ? 1 : 0;
    is = resize(is, enc, len + 1);
    for (uint32_t i = len; i-- > 0;)
        writeAt(is->contents, enc, i + shift, readAt(is->contents, old_enc, i));
    writeAt(is->contents, enc, shift ? 0 : len, value);
    setEncoding(is, enc);
    setLength(is, len + 1);
    return is;
}

intset *intsetAdd(intset *is, int64_t value, int *added) {
    if (added) *added = 0;
    uint32_t enc = encodingOf(is);
    if (encodingFor(value) > enc) {
        if (added) *added = 1;
        return upgradeAndAdd(is, encodingFor(value), value);
    }
    uint32_t pos, len = lengthOf(is);
    if (search(is, value, &pos)) return is;
    is = resize(is, enc, len + 1);
    memmove(is->contents + (size_t)(pos + 1) * enc, is->contents + (size_t)pos * enc,
            (size_t)(len - pos) * enc);
    writeAt(is->contents, enc, pos, value);
    setLength(is, len + 1);
    if (added) *added = 1;
    return is;
}

intset *intsetRemove(intset *is, int64_t value, int *removed) {
    if (removed) *removed = 0;
    uint32_t enc = encodingOf(is), pos, len = lengthOf(is);
    /* A value wider than the encoding cannot be present. */
    if (encodingFor(value) > enc || !search(is, value, &pos)) return is;
    memmove(is->contents + (size_t)pos * enc, is->contents + (size_t)(pos + 1) * enc,
            (size_t)(len - pos - 1) * enc);
    setLength(is, len - 1);
    if (removed) *removed = 1;
    return resize(is, enc, len - 1);
}

int intsetFind(const intset *is, int64_t value) {
    uint32_t pos;
    return encodingFor(value) <= encodingOf(is) && search(is, value, &pos);
}

int intsetGet(const intset *is, uint32_t pos, int64_t *value) {
    if (pos >= lengthOf(is)) return 0;
    *value = elementAt(is, pos);
    return 1;
}

uint32_t intsetLen(const intset *is) {
    return lengthOf(is);
}

size_t intsetBlobLen(const intset *is) {
    return bytesFor(encodingOf(is), lengthOf(is));
}

uint32_t intsetEncoding(const intset *is) {
    return encodingOf(is);
}

int64_t intsetRandom(const intset *is) {
    uint32_t len = lengthOf(is);
    loomAssert(len > 0);
    return elementAt(is, (uint32_t)(randomU64() % len));
}

int64_t intsetMin(const intset *is) {
    loomAssert(lengthOf(is) > 0);
    return elementAt(is, 0);
}

int64_t intsetMax(const intset *is) {
    loomAssert(lengthOf(is) > 0);
    return elementAt(is, lengthOf(is) - 1);
}

int intsetValidate(const unsigned char *buf, size_t size, int deep) {
    if (size < HEADER_BYTES) return 0;
    uint32_t enc, len;
    memcpy(&enc, buf, sizeof(enc));
    memcpy(&len, buf + sizeof(enc), sizeof(len));
    enc = LE32(enc);
    len = LE32(len);
    if (enc != ENC_16 && enc != ENC_32 && enc != ENC_64) return 0;
    /* In 64 bits: enc * len cannot overflow, whatever the header claims. */
    if (len == 0 || (uint64_t)size - HEADER_BYTES != (uint64_t)enc * len) return 0;
    if (!deep) return 1;
    const unsigned char *contents = buf + HEADER_BYTES;
    int64_t prev = readAt(contents, enc, 0);
    for (uint32_t i = 1; i < len; i++) {
        int64_t cur = readAt(contents, enc, i);
        if (cur <= prev) return 0;
        prev = cur;
    }
    return 1;
}
