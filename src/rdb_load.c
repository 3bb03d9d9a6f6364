/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The RDB parser (format: rdb.h). It reads the file through a 1 MB buffer
 * (large strings go straight to their destination), checksums what it consumes,
 * checks every length against the bytes left in the file and every blob
 * (listpack, intset, ziplist) before using it, refuses duplicate members and
 * unordered sorted sets, builds each value in the encoding loom would choose
 * under the caller's thresholds, and hands (db, key, value, expiry) to a sink.
 * The first problem stops the parse with its byte offset and the key.
 *
 * Nothing here knows `server` or the keyspace: rdbLoadFile (rdb.c) passes a sink
 * that adds keys to server.dbs, and rdbCheckFile a sink that drops them. Runs on
 * whichever thread calls it, one parse per call, no shared state.
 */
#include "rdb.h"

#include "alloc.h"
#include "dict.h"
#include "intset.h"
#include "listpack.h"
#include "lzf.h"
#include "quicklist.h"
#include "str.h"
#include "util.h"
#include "zset.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <lz4.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crc64.h"

#define READ_BUF_BYTES (1u << 20)
#define PROGRESS_EVERY (2LL << 20)
/* LZF and LZ4 expand at most ~255 times: a bigger claimed length is corrupt,
 * and checking it first keeps a corrupt file from asking for terabytes. */
#define MAX_EXPANSION 256

const rdbLoadLimits rdbDefaultLimits = {
    .list_max_listpack_size = -2,
    .list_compress_depth = 0,
    .hash_max_listpack_entries = 512,
    .hash_max_listpack_value = 64,
    .set_max_intset_entries = 512,
    .set_max_listpack_entries = 128,
    .set_max_listpack_value = 64,
    .zset_max_listpack_entries = 128,
    .zset_max_listpack_value = 64,
};

typedef struct scratch {
    unsigned char *p;
    size_t cap;
} scratch;

/* One member of a collection blob, for the duplicate check: integers (and
 * strings that read as integers, which listpacks would store as integers)
 * compare by value, everything else by bytes. */
typedef struct member {
    const unsigned char *p; /* NULL for an integer */
    size_t len;
    long long v;
} member;

typedef struct reader {
    int fd;
    unsigned char *buf;
    size_t pos, end;   /* buf[pos..end) is read from the file but not consumed */
    long long buf_off; /* file offset of buf[0] */
    long long size;    /* file size at open */
    uint64_t crc;      /* of the file up to buf[crc_pos] */
    size_t crc_pos;
    int version;
    int dbid;
    long long next_progress;
    const rdbLoadLimits *lim;
    const rdbLoadSink *sink;
    rdbLoadStats *stats;
    scratch key, s1, s2, zin;
    member *members;
    size_t members_cap;
    int in_key; /* reading a key's value: key.p[0..key_len) names it in messages */
    size_t key_len;
    char *err;
    size_t errlen;
    int failed;
} reader;

/* --- Errors ------------------------------------------------------------------- */

/* The key in r->key, escaped and shortened, for a message. */
static void describeKey(const reader *r, char *out, size_t cap) {
    escapeForMessage(r->key.p, r->key_len, out, cap);
}

/* Records the first failure: "<what> at offset N (key "k" in db D)". Returns -1. */
__attribute__((format(printf, 3, 4))) static int fail(reader *r, long long off, const char *fmt,
                                                      ...) {
    if (r->failed) return -1;
    r->failed = 1;
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    if (r->in_key) {
        char key[96];
        describeKey(r, key, sizeof(key));
        snprintf(r->err, r->errlen, "%s at offset %lld (key \"%s\" in db %d)", what, off, key,
                 r->dbid);
    } else {
        snprintf(r->err, r->errlen, "%s at offset %lld", what, off);
    }
    errno = EINVAL;
    return -1;
}

/* --- Reading bytes ------------------------------------------------------------ */

static long long tell(const reader *r) {
    return r->buf_off + (long long)r->pos;
}
static long long left(const reader *r) {
    return r->size - tell(r);
}

/* Folds the consumed bytes not yet checksummed into the CRC. */
static void checksumConsumed(reader *r) {
    r->crc = crc64(r->crc, r->buf + r->crc_pos, r->pos - r->crc_pos);
    r->crc_pos = r->pos;
}

/* Drops the consumed bytes from the buffer, keeping the unread ones. */
static void compact(reader *r) {
    checksumConsumed(r);
    size_t unread = r->end - r->pos;
    memmove(r->buf, r->buf + r->pos, unread);
    r->buf_off += (long long)r->pos;
    r->pos = 0;
    r->crc_pos = 0;
    r->end = unread;
}

static ssize_t readSome(reader *r, void *dst, size_t n) {
    for (;;) {
        ssize_t got = read(r->fd, dst, n);
        if (got >= 0 || errno != EINTR) return got;
    }
}

/* Makes n <= READ_BUF_BYTES bytes available at buf + pos. */
static int need(reader *r, size_t n) {
    if (r->end - r->pos >= n) return 0;
    compact(r);
    while (r->end < n) {
        ssize_t got = readSome(r, r->buf + r->end, READ_BUF_BYTES - r->end);
        if (got < 0) {
            int e = errno;
            fail(r, tell(r), "Read error (%s)", strerror(e));
            errno = e;
            return -1;
        }
        if (got == 0) return fail(r, r->buf_off + (long long)r->end, "Unexpected end of file");
        r->end += (size_t)got;
    }
    return 0;
}

static int readBytes(reader *r, void *dst, size_t n) {
    size_t avail = r->end - r->pos;
    if (n <= avail || n <= READ_BUF_BYTES / 2) {
        if (need(r, n) < 0) return -1;
        memcpy(dst, r->buf + r->pos, n);
        r->pos += n;
        return 0;
    }
    /* Large: take what is buffered, then read the rest in place. */
    memcpy(dst, r->buf + r->pos, avail);
    r->pos += avail;
    compact(r);
    unsigned char *d = (unsigned char *)dst + avail;
    size_t rest = n - avail;
    while (rest) {
        ssize_t got = readSome(r, d, rest);
        if (got <= 0) {
            if (got < 0) return fail(r, tell(r), "Read error (%s)", strerror(errno));
            return fail(r, tell(r), "Unexpected end of file");
        }
        r->crc = crc64(r->crc, d, (size_t)got);
        r->buf_off += got;
        d += got;
        rest -= (size_t)got;
    }
    return 0;
}

static int readByte(reader *r, unsigned *b) {
    if (need(r, 1) < 0) return -1;
    *b = r->buf[r->pos++];
    return 0;
}

static uint64_t loadLE(const unsigned char *p, int n) {
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static uint64_t loadBE(const unsigned char *p, int n) {
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

static int readLE(reader *r, int n, uint64_t *v) {
    if (need(r, (size_t)n) < 0) return -1;
    *v = loadLE(r->buf + r->pos, n);
    r->pos += (size_t)n;
    return 0;
}

static unsigned char *growScratch(scratch *s, size_t n) {
    if (n > s->cap) {
        size_t cap = s->cap ? s->cap : 64;
        while (cap < n)
            cap *= 2;
        lfree(s->p);
        s->p = lmalloc(cap);
        s->cap = cap;
    }
    return s->p;
}

/* --- Lengths and strings ------------------------------------------------------ */

/* A length, or (*special = 1) the number of a special string encoding. */
static int readLenOrEnc(reader *r, uint64_t *len, int *special) {
    long long off = tell(r);
    unsigned b;
    if (readByte(r, &b) < 0) return -1;
    *special = 0;
    switch (b >> 6) {
        case 0: *len = b & 0x3f; return 0;
        case 1: {
            unsigned lo;
            if (readByte(r, &lo) < 0) return -1;
            *len = (uint64_t)(b & 0x3f) << 8 | lo;
            return 0;
        }
        case 2:
            if (b != 0x80 && b != 0x81) return fail(r, off, "Invalid length encoding 0x%02x", b);
            if (need(r, b == 0x80 ? 4 : 8) < 0) return -1;
            *len = loadBE(r->buf + r->pos, b == 0x80 ? 4 : 8);
            r->pos += b == 0x80 ? 4 : 8;
            return 0;
        default:
            *special = 1;
            *len = b & 0x3f;
            return 0;
    }
}

static int readLen(reader *r, uint64_t *len) {
    long long off = tell(r);
    int special;
    if (readLenOrEnc(r, len, &special) < 0) return -1;
    if (special) return fail(r, off, "Expected a length, found a string encoding");
    return 0;
}

/* A collection's element count: each element takes at least min_bytes of the
 * rest of the file. */
static int readCount(reader *r, uint64_t *n, unsigned min_bytes) {
    long long off = tell(r);
    if (readLen(r, n) < 0) return -1;
    if (*n > (uint64_t)left(r) / min_bytes)
        return fail(r, off, "Element count %llu is more than the rest of the file holds",
                    (unsigned long long)*n);
    return 0;
}

/* Where readString puts the bytes once the final length is known. */
enum { INTO_SCRATCH, INTO_ALLOC, INTO_VALUE };

typedef struct strOut {
    unsigned char *p;
    size_t len;
    int is_str; /* INTO_VALUE: p is a new str (long strings), else it is in the scratch */
} strOut;

static unsigned char *destFor(int mode, scratch *s, size_t len, int *is_str) {
    *is_str = 0;
    if (mode == INTO_ALLOC) return lmalloc(len ? len : 1);
    if (mode == INTO_VALUE && len > OBJ_EMBSTR_MAX) {
        *is_str = 1;
        return (unsigned char *)strNewLen(NULL, len);
    }
    return growScratch(s, len + 1);
}

static void dropDest(int mode, unsigned char *p, int is_str) {
    if (is_str)
        strFree((str)p);
    else if (mode == INTO_ALLOC)
        lfree(p);
}

static int readCompressed(reader *r, int enc, int mode, scratch *s, strOut *out, long long off) {
    uint64_t clen, ulen;
    if (readLen(r, &clen) < 0 || readLen(r, &ulen) < 0) return -1;
    const char *name = enc == RDB_ENC_LZF ? "LZF" : "LZ4";
    if (clen == 0 || clen > (uint64_t)left(r))
        return fail(r, off, "%s string of %llu bytes runs past the end of the file", name,
                    (unsigned long long)clen);
    if (ulen == 0 || ulen / MAX_EXPANSION > clen + 16 || ulen > (uint64_t)SSIZE_MAX ||
        (enc == RDB_ENC_LZ4 && (clen > INT_MAX || ulen > INT_MAX)))
        return fail(r, off, "Impossible %s string lengths (%llu bytes to %llu)", name,
                    (unsigned long long)clen, (unsigned long long)ulen);
    unsigned char *in = growScratch(&r->zin, clen);
    if (readBytes(r, in, clen) < 0) return -1;
    unsigned char *dst = destFor(mode, s, ulen, &out->is_str);
    size_t got;
    if (enc == RDB_ENC_LZF) {
        got = lzfDecompress(in, clen, dst, ulen);
    } else {
        int n = LZ4_decompress_safe((const char *)in, (char *)dst, (int)clen, (int)ulen);
        got = n < 0 ? 0 : (size_t)n;
    }
    if (got != ulen) {
        dropDest(mode, dst, out->is_str);
        return fail(r, off, "Corrupt %s-compressed string", name);
    }
    out->p = dst;
    out->len = ulen;
    return 0;
}

/* Reads one string in any encoding. INTO_SCRATCH: out->p is in s (NUL-
 * terminated, valid until s is reused); INTO_ALLOC: a new lmalloc'd buffer of
 * exactly out->len bytes for the caller; INTO_VALUE: as INTO_SCRATCH up to
 * OBJ_EMBSTR_MAX bytes, else a new str (out->is_str). */
static int readString(reader *r, int mode, scratch *s, strOut *out) {
    long long off = tell(r);
    uint64_t len;
    int special;
    if (readLenOrEnc(r, &len, &special) < 0) return -1;
    out->is_str = 0;
    if (special) {
        if (len == RDB_ENC_LZF || len == RDB_ENC_LZ4)
            return readCompressed(r, (int)len, mode, s, out, off);
        if (len > RDB_ENC_INT32)
            return fail(r, off, "Unknown string encoding %llu", (unsigned long long)len);
        int bytes = 1 << len;
        uint64_t u;
        if (readLE(r, bytes, &u) < 0) return -1;
        int shift = 64 - 8 * bytes;
        long long v = (long long)(u << shift) >> shift; /* sign-extend */
        char digits[UTIL_LONG_STR_SIZE];
        size_t n = (size_t)ll2string(digits, sizeof(digits), v);
        out->p = destFor(mode, s, n, &out->is_str);
        memcpy(out->p, digits, n);
        out->len = n;
    } else {
        if (len > (uint64_t)left(r))
            return fail(r, off, "String of %llu bytes runs past the end of the file",
                        (unsigned long long)len);
        out->p = destFor(mode, s, len, &out->is_str);
        if (readBytes(r, out->p, len) < 0) {
            dropDest(mode, out->p, out->is_str);
            return -1;
        }
        out->len = len;
    }
    if (mode != INTO_ALLOC && !out->is_str) out->p[out->len] = '\0';
    return 0;
}

static int readStringObject(reader *r, obj **o) {
    strOut s;
    if (readString(r, INTO_VALUE, &r->s1, &s) < 0) return -1;
    *o = s.is_str ? objCreateFromStr((char *)s.p) : objCreateStringValue((char *)s.p, s.len);
    return 0;
}

/* A zset score: 8 bytes LE (ZSET_2) or a length byte and text (ZSET, with
 * 253/254/255 meaning nan/+inf/-inf). */
static int readScore(reader *r, int binary, double *score) {
    long long off = tell(r);
    if (binary) {
        uint64_t u;
        if (readLE(r, 8, &u) < 0) return -1;
        memcpy(score, &u, sizeof(*score));
    } else {
        unsigned len;
        if (readByte(r, &len) < 0) return -1;
        if (len == 253)
            *score = NAN;
        else if (len == 254)
            *score = INFINITY;
        else if (len == 255)
            *score = -INFINITY;
        else {
            char text[256];
            if (readBytes(r, text, len) < 0) return -1;
            text[len] = '\0';
            char *end;
            *score = strtod(text, &end);
            if (len == 0 || end != text + len) return fail(r, off, "Invalid score \"%s\"", text);
        }
    }
    if (isnan(*score)) return fail(r, off, "Score is not a number");
    return 0;
}

/* --- Members of compact blobs ------------------------------------------------- */

static member *memberSlot(reader *r, size_t i) {
    if (i >= r->members_cap) {
        r->members_cap = r->members_cap ? r->members_cap * 2 : 64;
        r->members = lrealloc(r->members, r->members_cap * sizeof(member));
    }
    return &r->members[i];
}

static void memberFrom(member *m, const unsigned char *p, size_t len, long long v) {
    if (p && len <= 20 && string2ll((const char *)p, len, &v)) p = NULL;
    m->p = p;
    m->len = len;
    m->v = v;
}

static int compareMembers(const void *a, const void *b) {
    const member *x = a, *y = b;
    if (!x->p || !y->p) {
        if (x->p || y->p) return x->p ? 1 : -1;
        return x->v < y->v ? -1 : x->v > y->v;
    }
    int c = memcmp(x->p, y->p, x->len < y->len ? x->len : y->len);
    return c ? c : x->len < y->len ? -1 : x->len > y->len;
}

/* 1 if members[0..n) has no two equal members. */
static int membersUnique(reader *r, size_t n) {
    if (n < 2) return 1;
    qsort(r->members, n, sizeof(member), compareMembers);
    for (size_t i = 1; i < n; i++)
        if (compareMembers(&r->members[i - 1], &r->members[i]) == 0) return 0;
    return 1;
}

/* What a listpack holds, for its validation callback. */
enum { LP_LIST, LP_SET, LP_HASH, LP_ZSET };

typedef struct lpCheck {
    reader *r;
    int kind;
    size_t n;                                  /* entries seen */
    size_t members;                            /* members collected into r->members */
    const char *why;                           /* set when the callback rejects */
    const unsigned char *member, *prev_member; /* sorted sets: the last two members */
    double prev_score;
} lpCheck;

static double entryScore(const unsigned char *p, int *ok) {
    unsigned int len;
    long long v;
    const unsigned char *s = lpGetValue(p, &len, &v);
    *ok = 1;
    if (!s) return (double)v;
    double d;
    *ok = string2d((const char *)s, len, &d);
    return d;
}

/* Byte order of two entries (integers as their decimal text), shorter first
 * on a common prefix: the order of equal scores in a sorted set. */
static int entryBytesCompare(const unsigned char *a, const unsigned char *b) {
    unsigned char abuf[LP_INTBUF_SIZE], bbuf[LP_INTBUF_SIZE];
    unsigned int alen, blen;
    const unsigned char *x = lpGetBytes(a, &alen, abuf), *y = lpGetBytes(b, &blen, bbuf);
    int c = memcmp(x, y, alen < blen ? alen : blen);
    return c ? c : alen < blen ? -1 : alen > blen;
}

/* lpValidateWith's callback: collects members (every entry of a set, the even
 * entries of a hash or sorted set) and checks sorted-set scores and order. */
static int checkEntry(const unsigned char *p, void *arg) {
    lpCheck *c = arg;
    size_t i = c->n++;
    if (c->kind == LP_LIST || (c->kind == LP_HASH && i % 2 == 1)) return 1;
    if (c->kind == LP_ZSET && i % 2 == 1) {
        int ok;
        double score = entryScore(p, &ok);
        if (!ok) {
            c->why = "invalid score";
            return 0;
        }
        if (c->prev_member &&
            (score < c->prev_score ||
             (score == c->prev_score && entryBytesCompare(c->prev_member, c->member) > 0))) {
            c->why = "members out of order";
            return 0;
        }
        c->prev_member = c->member;
        c->prev_score = score;
        return 1;
    }
    c->member = p;
    unsigned int len;
    long long v = 0;
    const unsigned char *s = lpGetValue(p, &len, &v);
    memberFrom(memberSlot(c->r, c->members++), s, len, v);
    return 1;
}

static const char *const kind_names[] = {"list", "set", "hash", "sorted set"};

/* Validates lp[0..len) as a listpack of the given kind: entries, pairs,
 * scores and order, no duplicate members. *count gets its entries. */
static int checkListpack(reader *r, const unsigned char *lp, size_t len, int kind, long long off,
                         unsigned long *count) {
    lpCheck c = {.r = r, .kind = kind};
    if (!lpValidateWith(lp, len, checkEntry, &c))
        return fail(r, off, "Invalid %s listpack%s%s", kind_names[kind], c.why ? ": " : "",
                    c.why ? c.why : "");
    if ((kind == LP_HASH || kind == LP_ZSET) && c.n % 2)
        return fail(r, off, "Invalid %s listpack: odd number of entries", kind_names[kind]);
    if (!membersUnique(r, c.members))
        return fail(r, off, "Duplicate %s in %s listpack", kind == LP_HASH ? "field" : "member",
                    kind_names[kind]);
    *count = c.n;
    return 0;
}

/* The longest element that counts against the *-max-listpack-value settings:
 * every entry, except the scores of a sorted set. */
static size_t listpackMaxLen(unsigned char *lp, int kind) {
    size_t maxlen = 0;
    for (unsigned char *p = lpFirst(lp); p; p = lpNext(lp, p)) {
        unsigned int len;
        long long v;
        if (lpGetValue(p, &len, &v) && len > maxlen) maxlen = len;
        if (kind == LP_ZSET && !(p = lpNext(lp, p))) break;
    }
    return maxlen;
}

/* Reads a string that must be a listpack of the given kind and validates it.
 * *lp is a new allocation of exactly its size. */
static int readListpack(reader *r, int kind, unsigned char **lp, unsigned long *count) {
    long long off = tell(r);
    strOut s;
    if (readString(r, INTO_ALLOC, NULL, &s) < 0) return -1;
    if (checkListpack(r, s.p, s.len, kind, off, count) < 0) {
        lfree(s.p);
        return -1;
    }
    *lp = s.p;
    return 0;
}
/* --- Ziplists (RDB 7 to 9) -------------------------------------------------- */

/* The size of the ziplist entry at p (prevlen, encoding and data), or 0 if it
 * does not fit in avail bytes or is malformed. Integers come back in *v with
 * *s NULL; strings as *s / *slen. */
static size_t ziplistEntry(const unsigned char *p, size_t avail, const unsigned char **s,
                           size_t *slen, long long *v, size_t *prevlen) {
    if (avail < 2) return 0;
    size_t h = 1;
    if (p[0] < 254) {
        *prevlen = p[0];
    } else if (p[0] == 254) {
        if (avail < 6) return 0;
        *prevlen = (size_t)loadLE(p + 1, 4);
        h = 5;
    } else {
        return 0;
    }
    unsigned e = p[h];
    size_t data = 0, enc = 1;
    *s = NULL;
    switch (e >> 6) {
        case 0: data = e & 0x3f; break;
        case 1:
            if (avail < h + 2) return 0;
            data = (size_t)(e & 0x3f) << 8 | p[h + 1];
            enc = 2;
            break;
        case 2:
            if (e != 0x80 || avail < h + 5) return 0;
            data = (size_t)loadBE(p + h + 1, 4);
            enc = 5;
            break;
        default: break;
    }
    if (e >> 6 != 3) {
        if (data > avail - h - enc) return 0;
        *s = p + h + enc;
        *slen = data;
        return h + enc + data;
    }
    int bytes;
    switch (e) {
        case 0xC0: bytes = 2; break;
        case 0xD0: bytes = 4; break;
        case 0xE0: bytes = 8; break;
        case 0xF0: bytes = 3; break;
        case 0xFE: bytes = 1; break;
        default:
            if (e < 0xF1 || e > 0xFD) return 0;
            *v = (long long)(e & 0x0f) - 1;
            return h + 1;
    }
    if ((size_t)bytes > avail - h - 1) return 0;
    int shift = 64 - 8 * bytes;
    *v = (long long)(loadLE(p + h + 1, bytes) << shift) >> shift;
    return h + 1 + (size_t)bytes;
}

/* Converts an untrusted ziplist to a new listpack with the same entries, or
 * NULL if it is malformed (sizes, tail offset, count, prevlen links, end). */
static unsigned char *ziplistToListpack(const unsigned char *zl, size_t size) {
    if (size < 11 || loadLE(zl, 4) != size || zl[size - 1] != 0xFF) return NULL;
    size_t tail = (size_t)loadLE(zl + 4, 4), count_hdr = (size_t)loadLE(zl + 8, 2);
    size_t pos = 10, prev = 0, last = 10, n = 0;
    unsigned char *lp = lpNew(size);
    while (pos < size - 1) {
        const unsigned char *s;
        size_t slen = 0, prevlen;
        long long v = 0;
        size_t len = ziplistEntry(zl + pos, size - 1 - pos, &s, &slen, &v, &prevlen);
        if (len == 0 || prevlen != prev) {
            lpFree(lp);
            return NULL;
        }
        lp = s ? lpAppend(lp, s, slen) : lpAppendInteger(lp, v);
        last = pos;
        prev = len;
        pos += len;
        n++;
    }
    if (tail != last || (count_hdr != 65535 && count_hdr != n)) {
        lpFree(lp);
        return NULL;
    }
    return lp;
}

/* Reads a ziplist string and validates it as a listpack of kind would be;
 * *lp is the equivalent listpack. */
static int readZiplist(reader *r, int kind, unsigned char **lp, unsigned long *count) {
    long long off = tell(r);
    strOut s;
    if (readString(r, INTO_SCRATCH, &r->s2, &s) < 0) return -1;
    unsigned char *conv = ziplistToListpack(s.p, s.len);
    if (!conv) return fail(r, off, "Invalid %s ziplist", kind_names[kind]);
    if (checkListpack(r, conv, lpBytes(conv), kind, off, count) < 0) {
        lpFree(conv);
        return -1;
    }
    *lp = lpShrinkToFit(conv);
    return 0;
}

/* --- Building values ------------------------------------------------------------ */

/* The bytes of a listpack entry (integers formatted into buf). */
static const char *entryBytes(const unsigned char *p, size_t *len, unsigned char *buf) {
    unsigned int n;
    const unsigned char *s = lpGetBytes(p, &n, buf);
    *len = n;
    return (const char *)s;
}

/* A score as loom's sorted-set listpacks store it: a whole number within
 * +-2^62 as an integer entry, anything else as its shortest round-trip text
 * (the rule t_zset.c follows, so loaded sets are byte-identical to built ones). */
static unsigned char *appendScore(unsigned char *lp, double score) {
    const double limit = (double)(LLONG_MAX / 2);
    if (score >= -limit && score <= limit && (double)(long long)score == score)
        return lpAppendInteger(lp, (long long)score);
    char buf[UTIL_DOUBLE_STR_SIZE];
    size_t len = (size_t)d2string(buf, sizeof(buf), score);
    return lpAppend(lp, (unsigned char *)buf, len);
}

/* The conversions below take a listpack that passed checkListpack, so
 * members are unique and sorted-set scores parse. Each frees lp. */
static obj *hashFromListpack(unsigned char *lp) {
    dict *d = dictCreate(&objHashDictType);
    dictExpand(d, lpLength(lp) / 2);
    unsigned char fbuf[LP_INTBUF_SIZE], vbuf[LP_INTBUF_SIZE];
    for (unsigned char *p = lpFirst(lp); p; p = lpNext(lp, p)) {
        size_t flen, vlen;
        const char *f = entryBytes(p, &flen, fbuf);
        p = lpNext(lp, p);
        const char *v = entryBytes(p, &vlen, vbuf);
        dictAdd(d, strNewLen(f, flen), strNewLen(v, vlen));
    }
    lpFree(lp);
    return objCreateEncoded(OBJ_HASH, OBJ_ENC_HT, d);
}

static obj *setFromListpack(unsigned char *lp) {
    dict *d = dictCreate(&objSetDictType);
    dictExpand(d, lpLength(lp));
    unsigned char buf[LP_INTBUF_SIZE];
    for (unsigned char *p = lpFirst(lp); p; p = lpNext(lp, p)) {
        size_t len;
        const char *m = entryBytes(p, &len, buf);
        dictAdd(d, strNewLen(m, len), NULL);
    }
    lpFree(lp);
    return objCreateEncoded(OBJ_SET, OBJ_ENC_HT, d);
}

static obj *zsetFromListpack(unsigned char *lp) {
    zset *zs = zsetCreate();
    dictExpand(zs->dict, lpLength(lp) / 2);
    unsigned char buf[LP_INTBUF_SIZE];
    for (unsigned char *p = lpFirst(lp); p; p = lpNext(lp, p)) {
        size_t len;
        const char *m = entryBytes(p, &len, buf);
        p = lpNext(lp, p);
        int ok, flags;
        zsetAdd(zs, entryScore(p, &ok), m, len, 0, &flags, NULL);
    }
    lpFree(lp);
    return objCreateEncoded(OBJ_ZSET, OBJ_ENC_SKIPLIST, zs);
}

/* Adds a validated, non-empty listpack to ql as a node, or element by element
 * when a node cannot count that many. Takes lp. */
static void appendListpackNode(quicklist *ql, unsigned char *lp) {
    if (quicklistAppendListpack(ql, lp)) return;
    unsigned char buf[LP_INTBUF_SIZE];
    for (unsigned char *p = lpFirst(lp); p; p = lpNext(lp, p)) {
        size_t len;
        const char *e = entryBytes(p, &len, buf);
        quicklistPush(ql, e, len, QUICKLIST_TAIL);
    }
    lpFree(lp);
}

/* A validated compact blob of a hash, set or sorted set, in the encoding its
 * size calls for. NULL (and lp freed) when it is empty. */
static obj *fromListpack(const rdbLoadLimits *lim, int kind, unsigned char *lp,
                         unsigned long entries) {
    if (entries == 0) {
        lpFree(lp);
        return NULL;
    }
    size_t maxlen = listpackMaxLen(lp, kind);
    switch (kind) {
        case LP_HASH:
            if (entries / 2 > (unsigned long)lim->hash_max_listpack_entries ||
                maxlen > (size_t)lim->hash_max_listpack_value)
                return hashFromListpack(lp);
            return objCreateEncoded(OBJ_HASH, OBJ_ENC_LISTPACK, lp);
        case LP_ZSET:
            if (entries / 2 > (unsigned long)lim->zset_max_listpack_entries ||
                maxlen > (size_t)lim->zset_max_listpack_value)
                return zsetFromListpack(lp);
            return objCreateEncoded(OBJ_ZSET, OBJ_ENC_LISTPACK, lp);
        case LP_SET:
            if (entries > (unsigned long)lim->set_max_listpack_entries ||
                maxlen > (size_t)lim->set_max_listpack_value)
                return setFromListpack(lp);
            return objCreateEncoded(OBJ_SET, OBJ_ENC_LISTPACK, lp);
        default: {
            quicklist *ql = quicklistCreate(lim->list_max_listpack_size, lim->list_compress_depth);
            appendListpackNode(ql, lp);
            return objCreateEncoded(OBJ_LIST, OBJ_ENC_QUICKLIST, ql);
        }
    }
}

/* LIST (1): a count, then each element as a string. */
static int readPlainList(reader *r, obj **o) {
    uint64_t n;
    if (readCount(r, &n, 1) < 0) return -1;
    quicklist *ql = quicklistCreate(r->lim->list_max_listpack_size, r->lim->list_compress_depth);
    for (uint64_t i = 0; i < n; i++) {
        strOut s;
        if (readString(r, INTO_SCRATCH, &r->s1, &s) < 0) {
            quicklistRelease(ql);
            return -1;
        }
        quicklistPush(ql, s.p, s.len, QUICKLIST_TAIL);
    }
    if (n == 0) {
        quicklistRelease(ql);
        *o = NULL;
        return 0;
    }
    *o = objCreateEncoded(OBJ_LIST, OBJ_ENC_QUICKLIST, ql);
    return 0;
}

/* LIST_QUICKLIST (14: ziplist nodes) and LIST_QUICKLIST_2 (18: a container
 * kind per node, then a listpack or one plain element). */
static int readQuicklist(reader *r, int v2, obj **o) {
    uint64_t n;
    if (readCount(r, &n, v2 ? 2 : 1) < 0) return -1;
    quicklist *ql = quicklistCreate(r->lim->list_max_listpack_size, r->lim->list_compress_depth);
    obj *list = objCreateEncoded(OBJ_LIST, OBJ_ENC_QUICKLIST, ql);
    for (uint64_t i = 0; i < n; i++) {
        long long off = tell(r);
        uint64_t container = RDB_NODE_PACKED;
        if (v2 && readLen(r, &container) < 0) goto fail;
        if (container == RDB_NODE_PLAIN) {
            strOut s;
            if (readString(r, INTO_ALLOC, NULL, &s) < 0) goto fail;
            quicklistAppendPlain(ql, s.p, s.len);
            continue;
        }
        if (container != RDB_NODE_PACKED) {
            fail(r, off, "Unknown quicklist node container %llu", (unsigned long long)container);
            goto fail;
        }
        unsigned char *lp;
        unsigned long entries;
        if ((v2 ? readListpack(r, LP_LIST, &lp, &entries)
                : readZiplist(r, LP_LIST, &lp, &entries)) < 0)
            goto fail;
        if (entries == 0)
            lpFree(lp); /* Redis skips empty nodes too */
        else
            appendListpackNode(ql, lp);
    }
    if (quicklistCount(ql) == 0) {
        objDecrRef(list);
        list = NULL;
    }
    *o = list;
    return 0;
fail:
    objDecrRef(list);
    return -1;
}

/* SET (2): members as strings, into a hashtable first (which finds
 * duplicates), then into an intset or listpack if the set is small enough. */
static int readPlainSet(reader *r, obj **o) {
    long long off = tell(r);
    uint64_t n;
    if (readCount(r, &n, 1) < 0) return -1;
    dict *d = dictCreate(&objSetDictType);
    dictExpand(d, (size_t)n);
    int all_int = 1;
    size_t maxlen = 0;
    for (uint64_t i = 0; i < n; i++) {
        strOut s;
        if (readString(r, INTO_SCRATCH, &r->s1, &s) < 0) goto fail;
        long long v;
        if (all_int && !string2ll((const char *)s.p, s.len, &v)) all_int = 0;
        if (s.len > maxlen) maxlen = s.len;
        str m = strNewLen(s.p, s.len);
        if (dictAdd(d, m, NULL) < 0) {
            strFree(m);
            fail(r, off, "Duplicate set member");
            goto fail;
        }
    }
    if (n == 0) {
        dictRelease(d);
        *o = NULL;
        return 0;
    }
    const rdbLoadLimits *lim = r->lim;
    if (all_int && n <= (uint64_t)lim->set_max_intset_entries) {
        intset *is = intsetNew();
        dictIterator *it = dictGetIterator(d);
        for (dictEntry *de; (de = dictNext(it));) {
            long long v;
            string2ll(de->key, strLen(de->key), &v);
            is = intsetAdd(is, v, NULL);
        }
        dictReleaseIterator(it);
        dictRelease(d);
        *o = objCreateEncoded(OBJ_SET, OBJ_ENC_INTSET, is);
    } else if (n <= (uint64_t)lim->set_max_listpack_entries &&
               maxlen <= (size_t)lim->set_max_listpack_value) {
        unsigned char *lp = lpNew(0);
        dictIterator *it = dictGetIterator(d);
        for (dictEntry *de; (de = dictNext(it));)
            lp = lpAppend(lp, (unsigned char *)de->key, strLen(de->key));
        dictReleaseIterator(it);
        dictRelease(d);
        *o = objCreateEncoded(OBJ_SET, OBJ_ENC_LISTPACK, lp);
    } else {
        *o = objCreateEncoded(OBJ_SET, OBJ_ENC_HT, d);
    }
    return 0;
fail:
    dictRelease(d);
    return -1;
}

/* HASH (4): field/value pairs, into a hashtable, then a listpack if small. */
static int readPlainHash(reader *r, obj **o) {
    long long off = tell(r);
    uint64_t n;
    if (readCount(r, &n, 2) < 0) return -1;
    dict *d = dictCreate(&objHashDictType);
    dictExpand(d, (size_t)n);
    size_t maxlen = 0;
    for (uint64_t i = 0; i < n; i++) {
        strOut f, v;
        if (readString(r, INTO_SCRATCH, &r->s1, &f) < 0) goto fail;
        str field = strNewLen(f.p, f.len);
        if (readString(r, INTO_SCRATCH, &r->s2, &v) < 0) {
            strFree(field);
            goto fail;
        }
        if (f.len > maxlen) maxlen = f.len;
        if (v.len > maxlen) maxlen = v.len;
        str value = strNewLen(v.p, v.len);
        if (dictAdd(d, field, value) < 0) {
            strFree(field);
            strFree(value);
            fail(r, off, "Duplicate hash field");
            goto fail;
        }
    }
    if (n == 0) {
        dictRelease(d);
        *o = NULL;
        return 0;
    }
    if (n <= (uint64_t)r->lim->hash_max_listpack_entries &&
        maxlen <= (size_t)r->lim->hash_max_listpack_value) {
        unsigned char *lp = lpNew(0);
        dictIterator *it = dictGetIterator(d);
        for (dictEntry *de; (de = dictNext(it));) {
            lp = lpAppend(lp, (unsigned char *)de->key, strLen(de->key));
            lp = lpAppend(lp, (unsigned char *)de->v.val, strLen(de->v.val));
        }
        dictReleaseIterator(it);
        dictRelease(d);
        *o = objCreateEncoded(OBJ_HASH, OBJ_ENC_LISTPACK, lp);
    } else {
        *o = objCreateEncoded(OBJ_HASH, OBJ_ENC_HT, d);
    }
    return 0;
fail:
    dictRelease(d);
    return -1;
}

/* ZSET (3, text scores) and ZSET_2 (5, binary scores): into a skiplist, then
 * a listpack in score order if small. */
static int readPlainZset(reader *r, int binary, obj **o) {
    long long off = tell(r);
    uint64_t n;
    if (readCount(r, &n, binary ? 9 : 2) < 0) return -1;
    zset *zs = zsetCreate();
    dictExpand(zs->dict, (size_t)n);
    size_t maxlen = 0;
    for (uint64_t i = 0; i < n; i++) {
        strOut m;
        double score;
        if (readString(r, INTO_SCRATCH, &r->s1, &m) < 0 || readScore(r, binary, &score) < 0)
            goto fail;
        if (m.len > maxlen) maxlen = m.len;
        int flags = 0;
        if (zsetAdd(zs, score, (const char *)m.p, m.len, ZSET_IN_NX, &flags, NULL) < 0 ||
            !(flags & ZSET_OUT_ADDED)) {
            fail(r, off, "Duplicate sorted set member");
            goto fail;
        }
    }
    if (n == 0) {
        zsetFree(zs);
        *o = NULL;
        return 0;
    }
    if (n <= (uint64_t)r->lim->zset_max_listpack_entries &&
        maxlen <= (size_t)r->lim->zset_max_listpack_value) {
        unsigned char *lp = lpNew(0);
        for (zskiplistNode *x = zs->zsl->header->level[0].forward; x; x = x->level[0].forward)
            lp = appendScore(lpAppend(lp, (unsigned char *)x->member, strLen(x->member)), x->score);
        zsetFree(zs);
        *o = objCreateEncoded(OBJ_ZSET, OBJ_ENC_LISTPACK, lp);
    } else {
        *o = objCreateEncoded(OBJ_ZSET, OBJ_ENC_SKIPLIST, zs);
    }
    return 0;
fail:
    zsetFree(zs);
    return -1;
}

/* SET_INTSET (11): the intset's own bytes. */
static int readIntset(reader *r, obj **o) {
    long long off = tell(r);
    strOut s;
    if (readString(r, INTO_ALLOC, NULL, &s) < 0) return -1;
    if (!intsetValidate(s.p, s.len, 1)) {
        lfree(s.p);
        return fail(r, off, "Invalid intset");
    }
    intset *is = (intset *)s.p;
    if (intsetLen(is) <= (uint32_t)r->lim->set_max_intset_entries) {
        *o = objCreateEncoded(OBJ_SET, OBJ_ENC_INTSET, is);
        return 0;
    }
    dict *d = dictCreate(&objSetDictType);
    dictExpand(d, intsetLen(is));
    int64_t v;
    for (uint32_t i = 0; intsetGet(is, i, &v); i++) {
        char buf[UTIL_LONG_STR_SIZE];
        int len = ll2string(buf, sizeof(buf), v);
        dictAdd(d, strNewLen(buf, (size_t)len), NULL);
    }
    intsetFree(is);
    *o = objCreateEncoded(OBJ_SET, OBJ_ENC_HT, d);
    return 0;
}

/* A compact blob type: a listpack (or ziplist) of the kind. */
static int readBlob(reader *r, int kind, int ziplist, obj **o) {
    unsigned char *lp;
    unsigned long entries;
    if ((ziplist ? readZiplist(r, kind, &lp, &entries) : readListpack(r, kind, &lp, &entries)) < 0)
        return -1;
    *o = fromListpack(r->lim, kind, lp, entries);
    return 0;
}

/* One value of the given type; *o is NULL for an empty collection. */
static int readValue(reader *r, unsigned type, long long off, obj **o) {
    *o = NULL;
    switch (type) {
        case RDB_TYPE_STRING: return readStringObject(r, o);
        case RDB_TYPE_LIST: return readPlainList(r, o);
        case RDB_TYPE_SET: return readPlainSet(r, o);
        case RDB_TYPE_ZSET: return readPlainZset(r, 0, o);
        case RDB_TYPE_ZSET_2: return readPlainZset(r, 1, o);
        case RDB_TYPE_HASH: return readPlainHash(r, o);
        case RDB_TYPE_LIST_ZIPLIST: return readBlob(r, LP_LIST, 1, o);
        case RDB_TYPE_SET_INTSET: return readIntset(r, o);
        case RDB_TYPE_ZSET_ZIPLIST: return readBlob(r, LP_ZSET, 1, o);
        case RDB_TYPE_HASH_ZIPLIST: return readBlob(r, LP_HASH, 1, o);
        case RDB_TYPE_LIST_QUICKLIST: return readQuicklist(r, 0, o);
        case RDB_TYPE_HASH_LISTPACK: return readBlob(r, LP_HASH, 0, o);
        case RDB_TYPE_ZSET_LISTPACK: return readBlob(r, LP_ZSET, 0, o);
        case RDB_TYPE_LIST_QUICKLIST_2: return readQuicklist(r, 1, o);
        case RDB_TYPE_SET_LISTPACK: return readBlob(r, LP_SET, 0, o);
        case RDB_TYPE_STREAM_LISTPACKS:
        case RDB_TYPE_STREAM_LISTPACKS_2:
        case RDB_TYPE_STREAM_LISTPACKS_3:
            return fail(r, off, "Stream values are not supported (type %u)", type);
        case RDB_TYPE_MODULE:
        case RDB_TYPE_MODULE_2: return fail(r, off, "Module values are not supported");
        case RDB_TYPE_HASH_ZIPMAP:
            return fail(r, off, "Zipmap hashes (RDB before version 4) are not supported");
        default: return fail(r, off, "Unknown value type %u", type);
    }
}

/* --- The file ------------------------------------------------------------------- */

static int readMagic(reader *r) {
    unsigned char magic[9];
    if (readBytes(r, magic, 9) < 0) return -1;
    if (memcmp(magic, "REDIS", 5) != 0) return fail(r, 0, "Wrong signature (not an RDB file)");
    int version = 0;
    for (int i = 5; i < 9; i++) {
        if (magic[i] < '0' || magic[i] > '9') return fail(r, 5, "Invalid RDB version");
        version = version * 10 + (magic[i] - '0');
    }
    if (version < 1 || version > RDB_VERSION_MAX)
        return fail(r, 5, "Can't handle RDB format version %d", version);
    r->version = version;
    r->stats->version = version;
    return 0;
}

static int readAux(reader *r) {
    strOut name, value;
    if (readString(r, INTO_SCRATCH, &r->s1, &name) < 0 ||
        readString(r, INTO_SCRATCH, &r->s2, &value) < 0)
        return -1;
    if (name.len == 9 && !memcmp(name.p, "redis-ver", 9)) {
        size_t n = value.len < sizeof(r->stats->redis_ver) - 1 ? value.len
                                                               : sizeof(r->stats->redis_ver) - 1;
        memcpy(r->stats->redis_ver, value.p, n);
        r->stats->redis_ver[n] = '\0';
    } else if (name.len == 5 && !memcmp(name.p, "ctime", 5)) {
        long long v;
        if (string2ll((const char *)value.p, value.len, &v)) r->stats->ctime = v;
    }
    return 0;
}

/* One key: [expiry] type, key, value; hands it to the sink. */
static int readKey(reader *r, unsigned type, long long type_off, long long expire_ms) {
    strOut k;
    if (readString(r, INTO_SCRATCH, &r->key, &k) < 0) return -1;
    r->in_key = 1;
    r->key_len = k.len;
    obj *val;
    if (readValue(r, type, type_off, &val) < 0) return -1;
    rdbLoadStats *st = r->stats;
    const rdbLoadSink *sink = r->sink;
    if (!val) {
        st->empty_skipped++;
    } else if (expire_ms != -1 && sink->expired_before_ms && expire_ms < sink->expired_before_ms) {
        st->expired_skipped++;
        objDecrRef(val);
    } else {
        int t = val->type;
        if (sink->key) {
            char why[160] = "";
            if (sink->key(sink->ctx, r->dbid, (const char *)k.p, k.len, val, expire_ms, type_off,
                          why, sizeof(why)) < 0)
                return fail(r, type_off, "%s", why);
        } else {
            objDecrRef(val);
        }
        st->keys++;
        if (expire_ms != -1) st->expires++;
        st->per_type[t]++;
    }
    r->in_key = 0;
    return 0;
}

static int readBody(reader *r) {
    long long expire_ms = -1;
    for (;;) {
        long long off = tell(r);
        unsigned type;
        uint64_t a, b;
        if (readByte(r, &type) < 0) return -1;
        switch (type) {
            case RDB_OPCODE_EOF: return 0;
            case RDB_OPCODE_EXPIRETIME_MS:
                if (readLE(r, 8, &a) < 0) return -1;
                expire_ms = (long long)a;
                continue;
            case RDB_OPCODE_EXPIRETIME:
                if (readLE(r, 4, &a) < 0) return -1;
                expire_ms = (long long)a * 1000;
                continue;
            case RDB_OPCODE_IDLE:
                if (readLen(r, &a) < 0) return -1;
                continue;
            case RDB_OPCODE_FREQ: {
                unsigned f;
                if (readByte(r, &f) < 0) return -1;
                continue;
            }
            case RDB_OPCODE_AUX:
                if (readAux(r) < 0) return -1;
                continue;
            case RDB_OPCODE_RESIZEDB:
                if (readLen(r, &a) < 0 || readLen(r, &b) < 0) return -1;
                /* A hint only: never size for more keys than the file can hold. */
                if (r->sink->resize) {
                    unsigned long long cap = (unsigned long long)left(r) / 3;
                    r->sink->resize(r->sink->ctx, r->dbid, a < cap ? a : cap, b < cap ? b : cap);
                }
                continue;
            case RDB_OPCODE_SELECTDB:
                if (readLen(r, &a) < 0) return -1;
                if (a >= (uint64_t)r->sink->dbnum)
                    return fail(r, off, "Database %llu is out of range (databases %d)",
                                (unsigned long long)a, r->sink->dbnum);
                r->dbid = (int)a;
                continue;
            case RDB_OPCODE_FUNCTION2: {
                strOut code;
                if (readString(r, INTO_SCRATCH, &r->s1, &code) < 0) return -1;
                r->stats->functions_skipped++;
                continue;
            }
            case RDB_OPCODE_FUNCTION_PRE_GA:
                return fail(r, off,
                            "Function libraries from Redis 7.0 release candidates "
                            "are not supported");
            case RDB_OPCODE_MODULE_AUX: return fail(r, off, "Module data is not supported");
            default:
                if (readKey(r, type, off, expire_ms) < 0) return -1;
                expire_ms = -1;
                if (r->sink->progress && tell(r) >= r->next_progress) {
                    r->sink->progress(r->sink->progress_ctx, tell(r), r->size);
                    r->next_progress = tell(r) + PROGRESS_EVERY;
                }
        }
    }
}

static int readTrailer(reader *r) {
    if (r->version < 5) return 0;
    checksumConsumed(r);
    uint64_t computed = r->crc, stored;
    long long off = tell(r);
    if (readLE(r, 8, &stored) < 0) return -1;
    if (stored == 0) return 0;
    if (stored != computed)
        return fail(r, off, "Wrong RDB checksum (stored %016llx, computed %016llx)",
                    (unsigned long long)stored, (unsigned long long)computed);
    r->stats->checksum_verified = 1;
    return 0;
}

int rdbParseFile(const char *path, const rdbLoadLimits *limits, const rdbLoadSink *sink,
                 rdbLoadStats *stats, char *err, size_t errlen) {
    rdbLoadStats local;
    if (!stats) stats = &local;
    memset(stats, 0, sizeof(*stats));
    stats->ctime = -1;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        snprintf(err, errlen, "%s: %s", path, strerror(e));
        errno = e;
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) < 0) {
        int e = errno;
        snprintf(err, errlen, "%s: %s", path, strerror(e));
        close(fd);
        errno = e;
        return -1;
    }
    reader r = {.fd = fd,
                .size = st.st_size,
                .lim = limits,
                .sink = sink,
                .stats = stats,
                .err = err,
                .errlen = errlen,
                .next_progress = PROGRESS_EVERY};
    stats->bytes = st.st_size;
    r.buf = lmalloc(READ_BUF_BYTES);
    posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    int rc = readMagic(&r);
    if (rc == 0) rc = readBody(&r);
    if (rc == 0) rc = readTrailer(&r);
    int e = errno;
    lfree(r.buf);
    lfree(r.key.p);
    lfree(r.s1.p);
    lfree(r.s2.p);
    lfree(r.zin.p);
    lfree(r.members);
    close(fd);
    if (rc < 0) {
        errno = e;
        return -1;
    }
    return 0;
}

/* rdbCheckFile's sink: drops values, remembers keys (prefixed by their
 * database) to find duplicates, as a load would. */
static const dictType check_keys_type = {.owns_keys = 1};

static int checkKey(void *ctx, int dbid, const char *key, size_t len, obj *val, long long expire_ms,
                    long long offset, char *err, size_t errlen) {
    (void)expire_ms;
    (void)offset;
    objDecrRef(val);
    str k = strNewLen(&dbid, sizeof(dbid));
    k = strCatLen(k, key, len);
    if (dictAdd(ctx, k, NULL) < 0) {
        strFree(k);
        snprintf(err, errlen, "Duplicate key");
        return -1;
    }
    return 0;
}

int rdbCheckFile(const char *path, rdbLoadStats *stats, char *err, size_t errlen) {
    dict *seen = dictCreate(&check_keys_type);
    rdbLoadSink sink = {.dbnum = INT_MAX, .key = checkKey, .ctx = seen};
    int rc = rdbParseFile(path, &rdbDefaultLimits, &sink, stats, err, errlen);
    int e = errno;
    dictRelease(seen);
    errno = e;
    return rc;
}
