/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Tests for listpack.c: byte-exact encodings (the expected bytes were taken
 * from redis-server 7.0.15 with DUMP and rdbcompression off), random edits
 * against an array model with values around every encoding boundary,
 * validation of truncated and corrupted buffers at a guard page, search,
 * split/concat, the unknown-count header and random sampling.
 */
#include "test.h"

#include "alloc.h"
#include "listpack.h"
#include "util.h"

#include <stdint.h>
#include <stdlib.h>

/* ---- Helpers ------------------------------------------------------------ */

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

/* A seeded generator, so that a failure replays the same way. */
static uint64_t rnd(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static size_t unhex(const char *hex, unsigned char *out) {
    size_t n = 0;
    for (; hex[0] && hex[1]; hex += 2) {
        char byte[3] = {hex[0], hex[1], 0};
        out[n++] = (unsigned char)strtoul(byte, NULL, 16);
    }
    return n;
}

typedef struct val {
    unsigned char *s;
    size_t len;
} val;

typedef struct model {
    val *v;
    size_t n, cap;
} model;

static void modelInsert(model *m, size_t at, const unsigned char *s, size_t len) {
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 16;
        m->v = realloc(m->v, m->cap * sizeof(val));
    }
    memmove(m->v + at + 1, m->v + at, (m->n - at) * sizeof(val));
    m->v[at].s = malloc(len ? len : 1);
    if (len) memcpy(m->v[at].s, s, len);
    m->v[at].len = len;
    m->n++;
}

static void modelDelete(model *m, size_t at, size_t count) {
    for (size_t i = at; i < at + count; i++)
        free(m->v[i].s);
    memmove(m->v + at, m->v + at + count, (m->n - at - count) * sizeof(val));
    m->n -= count;
}

static void modelFree(model *m) {
    modelDelete(m, 0, m->n);
    free(m->v);
}

/* Integers at every encoding boundary, and strings near them that must stay
 * strings. */
static const long long boundary_ints[] = {
    0,         1,        127,      128,          -1,           -4096,         -4097,
    4095,      4096,     32767,    32768,        -32768,       -32769,        8388607,
    8388608,   -8388608, -8388609, 2147483647LL, 2147483648LL, -2147483648LL, -2147483649LL,
    INT64_MAX, INT64_MIN};
static const char *not_ints[] = {"01",
                                 "-0",
                                 "+1",
                                 " 1",
                                 "1 ",
                                 "",
                                 "-",
                                 "99999999999999999999",
                                 "-9223372036854775809",
                                 "9223372036854775808",
                                 "1.5",
                                 "0x10"};
static const size_t str_lens[] = {1,   2,   5,   10,   62,   63,   64,  65,
                                  100, 125, 126, 4094, 4095, 4096, 4097};

/* A random value into buf (room for 5000 bytes); returns its length. */
static size_t genValue(unsigned char *buf) {
    switch (rnd() % 4) {
        case 0: {
            long long v = boundary_ints[rnd() % (sizeof(boundary_ints) / sizeof(*boundary_ints))];
            if (v != INT64_MAX && v != INT64_MIN) v += (long long)(rnd() % 3) - 1;
            return (size_t)ll2string((char *)buf, 32, v);
        }
        case 1: {
            const char *s = not_ints[rnd() % (sizeof(not_ints) / sizeof(*not_ints))];
            memcpy(buf, s, strlen(s));
            return strlen(s);
        }
        default: {
            size_t len = str_lens[rnd() % (sizeof(str_lens) / sizeof(*str_lens))];
            for (size_t i = 0; i < len; i++)
                buf[i] = (unsigned char)('a' + rnd() % 26);
            return len;
        }
    }
}

/* The size an entry must take, computed from the format rules independently
 * of listpack.c. */
static size_t backlenBytes(size_t l) {
    if (l <= 127) return 1;
    if (l < 16383) return 2;
    if (l < 2097151) return 3;
    if (l < 268435455) return 4;
    return 5;
}

static size_t expectedEntrySize(const unsigned char *s, size_t len) {
    long long v;
    size_t l;
    if (len <= 20 && string2ll((const char *)s, len, &v)) {
        if (v >= 0 && v <= 127)
            l = 1;
        else if (v >= -4096 && v <= 4095)
            l = 2;
        else if (v >= -32768 && v <= 32767)
            l = 3;
        else if (v >= -8388608 && v <= 8388607)
            l = 4;
        else if (v >= INT32_MIN && v <= INT32_MAX)
            l = 5;
        else
            l = 9;
    } else {
        l = (len < 64 ? 1 : len < 4096 ? 2 : 5) + len;
    }
    return l + backlenBytes(l);
}

static int entryIs(const unsigned char *p, const val *v) {
    unsigned char buf[LP_INTBUF_SIZE];
    unsigned int len;
    const unsigned char *s = lpGetBytes(p, &len, buf);
    return len == v->len && (len == 0 || memcmp(s, v->s, len) == 0);
}

/* The listpack holds exactly the model: length, values both ways, integer
 * encoding of integer-like strings, exact size, validity. */
static int checkAgainst(unsigned char *lp, const model *m) {
    ASSERT_EQ(lpLength(lp), m->n);
    size_t bytes = LP_HDR_SIZE + 1;
    unsigned char *p = lpFirst(lp);
    for (size_t i = 0; i < m->n; i++) {
        ASSERT(p != NULL);
        ASSERT(entryIs(p, &m->v[i]));
        long long v, iv;
        unsigned int len;
        int is_int = m->v[i].len <= 20 && string2ll((char *)m->v[i].s, m->v[i].len, &v);
        ASSERT_EQ(lpGetValue(p, &len, &iv) == NULL, is_int);
        if (is_int) ASSERT_EQ(iv, v);
        bytes += expectedEntrySize(m->v[i].s, m->v[i].len);
        p = lpNext(lp, p);
    }
    ASSERT(p == NULL);
    p = lpLast(lp);
    for (size_t i = m->n; i-- > 0;) {
        ASSERT(p != NULL);
        ASSERT(entryIs(p, &m->v[i]));
        p = lpPrev(lp, p);
    }
    ASSERT(p == NULL);
    ASSERT_EQ(lpBytes(lp), bytes);
    ASSERT(lpValidate(lp, lpBytes(lp)));
    return 0;
}

static unsigned char *buildFromStrings(const char **items, size_t n) {
    unsigned char *lp = lpNew(0);
    for (size_t i = 0; i < n; i++)
        lp = lpAppend(lp, (const unsigned char *)items[i], strlen(items[i]));
    return lp;
}

/* ---- Byte-exact encodings ----------------------------------------------- */

int test_listpack_bytes_small(void) {
    /* RPUSH l 1 -1 hello */
    const char *items[] = {"1", "-1", "hello"};
    unsigned char *lp = buildFromStrings(items, 3);
    unsigned char want[64];
    size_t n = unhex("13000000"
                     "0300"
                     "0101"
                     "dfff02"
                     "8568656c6c6f06"
                     "ff",
                     want);
    ASSERT_EQ(lpBytes(lp), n);
    ASSERT_MEM_EQ(lp, want, n);
    lpFree(lp);

    /* An empty listpack. */
    lp = lpNew(0);
    n = unhex("070000000000ff", want);
    ASSERT_EQ(lpBytes(lp), 7);
    ASSERT_MEM_EQ(lp, want, n);
    ASSERT(lpFirst(lp) == NULL && lpLast(lp) == NULL && lpSeek(lp, 0) == NULL);
    lpFree(lp);
    return 0;
}

int test_listpack_bytes_integers(void) {
    const char *items[] = {"0",
                           "127",
                           "128",
                           "-1",
                           "4095",
                           "4096",
                           "-4096",
                           "-4097",
                           "32767",
                           "32768",
                           "-32768",
                           "-32769",
                           "8388607",
                           "8388608",
                           "-8388608",
                           "-8388609",
                           "2147483647",
                           "2147483648",
                           "-2147483648",
                           "-2147483649",
                           "9223372036854775807",
                           "-9223372036854775808",
                           "01",
                           "-0",
                           "+1",
                           " 1",
                           "1 ",
                           "99999999999999999999"};
    unsigned char *lp = buildFromStrings(items, sizeof(items) / sizeof(*items));
    static const char *hex =
        "a50000001c0000017f01c08002dfff02cfff02f1001003d00002f1ffef03f1ff7f03f200800004f1"
        "008003f2ff7fff04f2ffff7f04f30000800005f200008004f3ffff7fff05f3ffffff7f05f4000000"
        "800000000009f30000008005f4ffffff7fffffffff09f4ffffffffffffff7f09f400000000000000"
        "800982303103822d3003822b31038220310382312003943939393939393939393939393939393939"
        "39393915ff";
    unsigned char want[256];
    size_t n = unhex(hex, want);
    ASSERT_EQ(n, 165);
    ASSERT_EQ(lpBytes(lp), n);
    ASSERT_MEM_EQ(lp, want, n);
    /* And they read back as the integers they encode. */
    unsigned char *p = lpFirst(lp);
    for (size_t i = 0; i < 22; i++, p = lpNext(lp, p)) {
        unsigned int len;
        long long v;
        ASSERT(lpGetValue(p, &len, &v) == NULL);
        char buf[32];
        ll2string(buf, sizeof(buf), v);
        ASSERT_STR_EQ(buf, items[i]);
    }
    lpFree(lp);

    /* lpAppendInteger writes the same bytes as the decimal string. */
    lp = lpNew(0);
    for (size_t i = 0; i < 22; i++)
        lp = lpAppendInteger(lp, strtoll(items[i], NULL, 10));
    for (size_t i = 22; i < sizeof(items) / sizeof(*items); i++)
        lp = lpAppend(lp, (const unsigned char *)items[i], strlen(items[i]));
    ASSERT_MEM_EQ(lp, want, n);
    lpFree(lp);
    return 0;
}

/* Strings at the 6/12/32-bit length boundaries and backlens of 1 to 4 bytes. */
int test_listpack_bytes_strings(void) {
    unsigned char *big = malloc(2097146);
    memset(big, 'x', 2097146);
    unsigned char want[64];
    size_t n;

    /* A 4096-byte string: 32-bit length, backlen 4101 in two bytes. */
    unsigned char *lp = lpAppend(lpNew(0), big, 4096);
    ASSERT_EQ(lpBytes(lp), 4110);
    n = unhex("0e1000000100f000100000", want);
    ASSERT_MEM_EQ(lp, want, n);
    n = unhex("782085ff", want);
    ASSERT_MEM_EQ(lp + 4110 - n, want, n);
    lpFree(lp);

    /* 4095 'y', 64 'z', 63 'w', "": 12-bit, 12-bit, 6-bit, 6-bit empty. */
    memset(big, 'y', 4095);
    lp = lpAppend(lpNew(0), big, 4095);
    memset(big, 'z', 64);
    lp = lpAppend(lp, big, 64);
    memset(big, 'w', 63);
    lp = lpAppend(lp, big, 63);
    lp = lpAppend(lp, big, 0);
    ASSERT_EQ(lpBytes(lp), 4240);
    n = unhex("901000000400efff", want);
    ASSERT_MEM_EQ(lp, want, n);
    n = unhex("7979792081e0407a7a7a", want);
    ASSERT_MEM_EQ(lp + 4100, want, n);
    n = unhex("7a42bf77", want);
    ASSERT_MEM_EQ(lp + 4170, want, n); /* the last z, its backlen, then w */
    n = unhex("77408001ff", want);
    ASSERT_MEM_EQ(lp + 4240 - n, want, n);
    lpFree(lp);

    /* 500 bytes: backlen 502 is 03 f6 (high group first). */
    memset(big, 'x', 2097146);
    lp = lpAppend(lpNew(0), big, 500);
    ASSERT_EQ(lpBytes(lp), 511);
    n = unhex("ff0100000100e1f478", want);
    ASSERT_MEM_EQ(lp, want, n);
    n = unhex("7803f6ff", want);
    ASSERT_MEM_EQ(lp + 511 - n, want, n);
    lpFree(lp);

    /* Entry lengths 16382 (2-byte backlen) and 16383 (already 3 bytes). */
    lp = lpAppend(lpNew(0), big, 16377);
    n = unhex("787ffeff", want);
    ASSERT_EQ(lpBytes(lp), 16391);
    ASSERT_MEM_EQ(lp + 16391 - n, want, n);
    lpFree(lp);
    lp = lpAppend(lpNew(0), big, 16378);
    n = unhex("7800ffffff", want);
    ASSERT_EQ(lpBytes(lp), 16393);
    ASSERT_MEM_EQ(lp + 16393 - n, want, n);
    lpFree(lp);

    /* Entry lengths 2097150 (3-byte backlen) and 2097151 (4 bytes). */
    lp = lpAppend(lpNew(0), big, 2097145);
    ASSERT_EQ(lpBytes(lp), 2097160);
    n = unhex("080020000100f0f9ff1f0078", want);
    ASSERT_MEM_EQ(lp, want, n);
    n = unhex("787ffffeff", want);
    ASSERT_MEM_EQ(lp + 2097160 - n, want, n);
    ASSERT(lpValidate(lp, lpBytes(lp)));
    ASSERT(lpLast(lp) == lpFirst(lp));
    lpFree(lp);
    lp = lpAppend(lpNew(0), big, 2097146);
    lp = lpAppend(lp, (const unsigned char *)"y", 1);
    ASSERT_EQ(lpBytes(lp), 2097162 + 3);
    n = unhex("0d0020000200f0faff1f0078", want);
    ASSERT_MEM_EQ(lp, want, n);
    n = unhex("7800ffffff817902ff", want);
    ASSERT_MEM_EQ(lp + lpBytes(lp) - n, want, n);
    ASSERT(lpPrev(lp, lpLast(lp)) == lpFirst(lp));
    ASSERT(lpValidate(lp, lpBytes(lp)));
    lpFree(lp);

    /* Entry lengths 127 and 128 around the 1-byte backlen. */
    lp = lpAppend(lpNew(0), big, 125);
    lp = lpAppend(lp, big, 126);
    n = unhex("e07d", want);
    ASSERT_MEM_EQ(lp + 6, want, n);
    ASSERT_EQ(lp[6 + 127], 127);
    ASSERT_EQ(lp[6 + 128], 0xE0);
    n = unhex("0180ff", want);
    ASSERT_MEM_EQ(lp + lpBytes(lp) - n, want, n);
    ASSERT_EQ(lpBytes(lp), 7 + 128 + 130);
    lpFree(lp);
    free(big);
    return 0;
}

/* 10 field/value pairs of 8-byte strings, as HSET writes them: 207 bytes. */
int test_listpack_bytes_hash(void) {
    unsigned char *lp = lpNew(0);
    char buf[32];
    for (int i = 0; i < 10; i++) {
        snprintf(buf, sizeof(buf), "field%03d", i);
        lp = lpAppend(lp, (unsigned char *)buf, 8);
        snprintf(buf, sizeof(buf), "value%03d", i);
        lp = lpAppend(lp, (unsigned char *)buf, 8);
    }
    unsigned char want[256];
    size_t n = unhex("cf0000001400886669656c64303030098876616c756530303009", want);
    ASSERT_EQ(lpBytes(lp), 207);
    ASSERT_MEM_EQ(lp, want, n);
    ASSERT_EQ(lp[206], 0xFF);
    lpFree(lp);

    /* 100 short strings "elem0".."elem99", as one list node: 797 bytes. */
    lp = lpNew(0);
    for (int i = 0; i < 100; i++) {
        int len = snprintf(buf, sizeof(buf), "elem%d", i);
        lp = lpAppend(lp, (unsigned char *)buf, (size_t)len);
    }
    ASSERT_EQ(lpBytes(lp), 797);
    lpFree(lp);
    return 0;
}

/* ---- Editing against a model -------------------------------------------- */

int test_listpack_random_ops(void) {
    unsigned char *buf = malloc(5000);
    for (int round = 0; round < 4; round++) {
        model m = {0};
        unsigned char *lp = lpNew(round == 3 ? 1000 : 0);
        for (int op = 0; op < 1500; op++) {
            size_t len = genValue(buf);
            unsigned long n = m.n;
            switch (rnd() % 10) {
                case 0:
                    lp = lpAppend(lp, buf, len);
                    modelInsert(&m, n, buf, len);
                    break;
                case 1:
                    lp = lpPrepend(lp, buf, len);
                    modelInsert(&m, 0, buf, len);
                    break;
                case 2:
                case 3: {
                    if (n == 0) break;
                    size_t i = rnd() % n;
                    int where = (int)(rnd() % 2);
                    unsigned char *newp;
                    lp = lpInsert(lp, buf, len, lpSeek(lp, (long)i), where, &newp);
                    modelInsert(&m, i + (size_t)where, buf, len);
                    ASSERT(entryIs(newp, &m.v[i + (size_t)where]));
                    break;
                }
                case 4: {
                    if (n == 0) break;
                    size_t i = rnd() % n;
                    unsigned char *p = lpSeek(lp, -(long)(n - i));
                    lp = lpReplace(lp, &p, buf, len);
                    modelDelete(&m, i, 1);
                    modelInsert(&m, i, buf, len);
                    ASSERT(entryIs(p, &m.v[i]));
                    break;
                }
                case 5: {
                    if (n == 0) break;
                    size_t i = rnd() % n;
                    unsigned char *p = lpSeek(lp, (long)i), *next;
                    lp = lpDelete(lp, p, &next);
                    modelDelete(&m, i, 1);
                    if (i < m.n)
                        ASSERT(entryIs(next, &m.v[i]));
                    else
                        ASSERT(next == NULL);
                    break;
                }
                case 6: {
                    if (n == 0) break;
                    size_t i = rnd() % n, count = rnd() % 5;
                    long index = rnd() % 2 ? (long)i : (long)i - (long)n;
                    lp = lpDeleteRange(lp, index, count);
                    modelDelete(&m, i, count < n - i ? count : n - i);
                    break;
                }
                case 7: {
                    if (n == 0) break;
                    size_t i = rnd() % n;
                    long long v = (long long)(rnd() % 100000) - 50000;
                    unsigned char *p = lpSeek(lp, (long)i);
                    lp = lpReplaceInteger(lp, &p, v);
                    char s[32];
                    int slen = ll2string(s, sizeof(s), v);
                    modelDelete(&m, i, 1);
                    modelInsert(&m, i, (unsigned char *)s, (size_t)slen);
                    break;
                }
                case 8: {
                    /* Search for a value known to be there, and one not. */
                    if (n == 0) break;
                    size_t i = rnd() % n;
                    unsigned char *p = lpFind(lp, lpFirst(lp), m.v[i].s, m.v[i].len, 0);
                    ASSERT(p != NULL);
                    size_t first = 0;
                    while (m.v[first].len != m.v[i].len ||
                           (m.v[i].len && memcmp(m.v[first].s, m.v[i].s, m.v[i].len)))
                        first++;
                    ASSERT(p == lpSeek(lp, (long)first));
                    ASSERT(lpCompare(p, m.v[i].s, m.v[i].len));
                    ASSERT(lpFind(lp, lpFirst(lp), (const unsigned char *)"absent!", 7, 0) == NULL);
                    break;
                }
                default:
                    lp = lpAppendInteger(lp, (long long)rnd());
                    {
                        unsigned int l;
                        long long v;
                        unsigned char *p = lpLast(lp);
                        ASSERT(lpGetValue(p, &l, &v) == NULL);
                        char s[32];
                        int slen = ll2string(s, sizeof(s), v);
                        modelInsert(&m, n, (unsigned char *)s, (size_t)slen);
                    }
                    break;
            }
            if (m.n > 300) {
                lp = lpDeleteRange(lp, 0, 150);
                modelDelete(&m, 0, 150);
            }
            ASSERT_EQ(checkAgainst(lp, &m), 0);
        }
        lp = lpShrinkToFit(lp);
        ASSERT_EQ(checkAgainst(lp, &m), 0);
        lpFree(lp);
        modelFree(&m);
    }
    free(buf);
    return 0;
}

/* Inserting a copy of an entry's own bytes, which move as the buffer grows. */
int test_listpack_insert_own_bytes(void) {
    unsigned char s[300];
    memset(s, 'q', sizeof(s));
    unsigned char *lp = lpAppend(lpNew(0), s, sizeof(s));
    for (int i = 0; i < 20; i++) {
        unsigned int len;
        long long v;
        const unsigned char *own = lpGetValue(lpFirst(lp), &len, &v);
        lp = lpAppend(lp, own, len);
    }
    unsigned char *p = lpLast(lp);
    unsigned int len;
    long long v;
    const unsigned char *own = lpGetValue(lpFirst(lp), &len, &v);
    lp = lpReplace(lp, &p, own, len);
    ASSERT_EQ(lpLength(lp), 21);
    for (p = lpFirst(lp); p; p = lpNext(lp, p))
        ASSERT(lpCompare(p, s, sizeof(s)));
    lpFree(lp);
    return 0;
}

int test_listpack_seek_and_ranges(void) {
    unsigned char *lp = lpNew(0);
    for (int i = 0; i < 100; i++)
        lp = lpAppendInteger(lp, i * 1000);
    for (long i = -100; i < 100; i++) {
        unsigned char *p = lpSeek(lp, i);
        ASSERT(p != NULL);
        unsigned int len;
        long long v;
        lpGetValue(p, &len, &v);
        ASSERT_EQ(v, ((i + 100) % 100) * 1000);
    }
    ASSERT(lpSeek(lp, 100) == NULL && lpSeek(lp, -101) == NULL);

    /* Ranges: out of range is a no-op, count is clipped. */
    size_t bytes = lpBytes(lp);
    lp = lpDeleteRange(lp, 100, 5);
    lp = lpDeleteRange(lp, -101, 5);
    lp = lpDeleteRange(lp, 3, 0);
    ASSERT_EQ(lpBytes(lp), bytes);
    lp = lpDeleteRange(lp, -3, 100); /* the last three */
    ASSERT_EQ(lpLength(lp), 97);
    lp = lpDeleteRange(lp, 0, 7);
    ASSERT_EQ(lpLength(lp), 90);
    unsigned char *p = lpFirst(lp);
    unsigned int len;
    long long v;
    lpGetValue(p, &len, &v);
    ASSERT_EQ(v, 7000);
    p = lpSeek(lp, 10);
    lp = lpDeleteRangeWithEntry(lp, &p, 5);
    lpGetValue(p, &len, &v);
    ASSERT_EQ(v, 22000);
    p = lpSeek(lp, -2);
    lp = lpDeleteRangeWithEntry(lp, &p, 10);
    ASSERT(p == NULL);
    ASSERT_EQ(lpLength(lp), 83);
    ASSERT(lpValidate(lp, lpBytes(lp)));
    lp = lpDeleteRange(lp, 0, 1000);
    ASSERT_EQ(lpBytes(lp), 7);
    ASSERT_EQ(lpLength(lp), 0);
    lpFree(lp);
    return 0;
}

int test_listpack_find_compare(void) {
    /* field/value pairs where values look like the fields searched for. */
    const char *items[] = {"a", "1", "1", "b", "b", "x", "01", "c", "-5", "d", "d", "e"};
    unsigned char *lp = buildFromStrings(items, 12);
    unsigned char *first = lpFirst(lp);
    struct {
        const char *key;
        long expect; /* index of the matching field, -1 for none */
    } cases[] = {{"a", 0},  {"1", 2},  {"b", 4},  {"x", -1}, {"01", 6},
                 {"-5", 8}, {"d", 10}, {"e", -1}, {"5", -1}, {"", -1}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        unsigned char *p =
            lpFind(lp, first, (const unsigned char *)cases[i].key, strlen(cases[i].key), 1);
        if (cases[i].expect < 0)
            ASSERT(p == NULL);
        else
            ASSERT(p == lpSeek(lp, cases[i].expect));
    }
    /* Without skipping, the value "1" at index 1 is found first. */
    ASSERT(lpFind(lp, first, (const unsigned char *)"1", 1, 0) == lpSeek(lp, 1));
    ASSERT(lpFind(lp, lpSeek(lp, 1), (const unsigned char *)"x", 1, 1) == lpSeek(lp, 5));
    /* An integer entry equals only its canonical decimal form. */
    unsigned char *one = lpSeek(lp, 1);
    ASSERT(lpCompare(one, (const unsigned char *)"1", 1));
    ASSERT(!lpCompare(one, (const unsigned char *)"01", 2));
    ASSERT(!lpCompare(one, (const unsigned char *)"1 ", 2));
    ASSERT(!lpCompare(lpSeek(lp, 6), (const unsigned char *)"1", 1));
    ASSERT(lpCompare(lpSeek(lp, 6), (const unsigned char *)"01", 2));
    lpFree(lp);
    return 0;
}

int test_listpack_concat_split(void) {
    const char *a[] = {"one", "2", "three"}, *b[] = {"4", "five", "-6000000"};
    unsigned char *x = buildFromStrings(a, 3), *y = buildFromStrings(b, 3);
    x = lpConcat(x, y);
    const char *all[] = {"one", "2", "three", "4", "five", "-6000000"};
    unsigned char *z = buildFromStrings(all, 6);
    ASSERT_EQ(lpBytes(x), lpBytes(z));
    ASSERT_MEM_EQ(x, z, lpBytes(z));
    unsigned char *empty = lpNew(0);
    x = lpConcat(x, empty);
    ASSERT_MEM_EQ(x, z, lpBytes(z));

    unsigned char *tail;
    x = lpSplit(x, lpSeek(x, 3), &tail);
    unsigned char *a2 = buildFromStrings(a, 3);
    ASSERT_EQ(lpBytes(x), lpBytes(a2));
    ASSERT_MEM_EQ(x, a2, lpBytes(a2));
    ASSERT_EQ(lpBytes(tail), lpBytes(y));
    ASSERT_MEM_EQ(tail, y, lpBytes(y));
    /* Splitting at the first entry leaves an empty listpack. */
    unsigned char *tail2;
    x = lpSplit(x, lpFirst(x), &tail2);
    ASSERT_MEM_EQ(x, empty, 7);
    ASSERT_MEM_EQ(tail2, a2, lpBytes(a2));
    lpFree(x);
    lpFree(y);
    lpFree(z);
    lpFree(a2);
    lpFree(tail);
    lpFree(tail2);
    lpFree(empty);
    return 0;
}

/* 65535 or more entries: the header count reads "unknown" and lpLength walks. */
int test_listpack_unknown_count(void) {
    /* Reserved up front: growing 65536 times is slow under sanitizers. */
    unsigned char *lp = lpNew(140000);
    for (int i = 0; i < 65534; i++)
        lp = lpAppendInteger(lp, i % 100);
    ASSERT_EQ(lp[4] | lp[5] << 8, 65534);
    lp = lpAppendInteger(lp, 1);
    ASSERT_EQ(lp[4] | lp[5] << 8, 65535);
    ASSERT_EQ(lpLength(lp), 65535);
    lp = lpAppendInteger(lp, 1);
    ASSERT_EQ(lpLength(lp), 65536);
    ASSERT(lpValidate(lp, lpBytes(lp)));
    ASSERT(lpSeek(lp, 65535) != NULL && lpSeek(lp, 65536) == NULL);
    /* Deleting keeps it unknown (Redis does the same), and valid. */
    lp = lpDeleteRange(lp, 0, 10);
    ASSERT_EQ(lp[4] | lp[5] << 8, 65535);
    ASSERT_EQ(lpLength(lp), 65526);
    ASSERT(lpValidate(lp, lpBytes(lp)));
    /* A split counts both halves again. */
    unsigned char *tail;
    lp = lpSplit(lp, lpSeek(lp, 60000), &tail);
    ASSERT_EQ(lp[4] | lp[5] << 8, 60000);
    ASSERT_EQ(tail[4] | tail[5] << 8, 5526);
    lp = lpConcat(lp, tail);
    ASSERT_EQ(lp[4] | lp[5] << 8, 65526);
    ASSERT(lpValidate(lp, lpBytes(lp)));
    /* A wrong stated count is corrupt; "unknown" is not. */
    unsigned char *small = lpAppendInteger(lpAppendInteger(lpNew(0), 1), 2);
    small[4] = 3;
    ASSERT(!lpValidate(small, lpBytes(small)));
    small[4] = 0xFF;
    small[5] = 0xFF;
    ASSERT(lpValidate(small, lpBytes(small)));
    ASSERT_EQ(lpLength(small), 2);
    lpFree(small);
    lpFree(lp);
    lpFree(tail);
    return 0;
}

/* ---- Validation --------------------------------------------------------- */

/* Walks a listpack that passed lpValidate; at a guard page, reading outside
 * it would crash. */
static unsigned long walkAll(unsigned char *lp) {
    unsigned long n = 0;
    unsigned char buf[LP_INTBUF_SIZE];
    for (unsigned char *p = lpFirst(lp); p; p = lpNext(lp, p)) {
        unsigned int len;
        lpGetBytes(p, &len, buf);
        n++;
    }
    for (unsigned char *p = lpLast(lp); p; p = lpPrev(lp, p))
        n--;
    return n;
}

static int validateGuarded(const unsigned char *lp, size_t size, int *ok) {
    char *g = testGuardedCopy(lp, size);
    *ok = lpValidate((unsigned char *)g, size);
    if (*ok) ASSERT_EQ(walkAll((unsigned char *)g), 0);
    testGuardedFree(g, size);
    return 0;
}

static unsigned char *sampleListpack(int which) {
    unsigned char s[5000];
    memset(s, 's', sizeof(s));
    unsigned char *lp = lpNew(0);
    switch (which) {
        case 0: return lp;
        case 1: return lpAppend(lp, (const unsigned char *)"hello", 5);
        case 2:
            for (size_t i = 0; i < sizeof(boundary_ints) / sizeof(*boundary_ints); i++)
                lp = lpAppendInteger(lp, boundary_ints[i]);
            return lp;
        default:
            lp = lpAppend(lp, s, 63);
            lp = lpAppend(lp, s, 64);
            lp = lpAppend(lp, s, 200);
            lp = lpAppend(lp, s, 4096);
            lp = lpAppendInteger(lp, -77);
            return lp;
    }
}

int test_listpack_validate_truncated(void) {
    for (int which = 0; which < 4; which++) {
        unsigned char *lp = sampleListpack(which);
        size_t size = lpBytes(lp);
        int ok;
        ASSERT_EQ(validateGuarded(lp, size, &ok), 0);
        ASSERT(ok);
        unsigned char *copy = malloc(size);
        for (size_t cut = 0; cut < size; cut++) {
            /* Cut as is (total bytes now wrong), and with the total fixed
             * up and a terminator put at the new end. */
            ASSERT_EQ(validateGuarded(lp, cut, &ok), 0);
            ASSERT(!ok);
            if (cut < LP_HDR_SIZE + 1) continue;
            memcpy(copy, lp, cut);
            copy[0] = cut & 0xFF;
            copy[1] = (cut >> 8) & 0xFF;
            copy[2] = (cut >> 16) & 0xFF;
            copy[3] = 0;
            copy[cut - 1] = LP_EOF;
            /* Now fewer entries than the header counts. */
            ASSERT_EQ(validateGuarded(copy, cut, &ok), 0);
            ASSERT(!ok);
        }
        free(copy);
        lpFree(lp);
    }
    return 0;
}

int test_listpack_validate_corrupt(void) {
    for (int which = 1; which < 4; which++) {
        unsigned char *lp = sampleListpack(which);
        size_t size = lpBytes(lp);
        unsigned char *copy = malloc(size);
        /* Every position: flip to a few values, including every encoding
         * byte for the first bytes of entries; never crash, and whatever
         * passes must walk safely. */
        for (size_t pos = 0; pos < size; pos++) {
            int tries = size > 1000 && pos > 300 && pos < size - 300 ? 2 : 24;
            for (int t = 0; t < tries; t++) {
                memcpy(copy, lp, size);
                unsigned char b = t < 16 ? (unsigned char)(0xF0 + t) : (unsigned char)rnd();
                if (b == lp[pos]) continue;
                copy[pos] = b;
                int ok;
                ASSERT_EQ(validateGuarded(copy, size, &ok), 0);
                if (pos < 4 || pos == size - 1) ASSERT(!ok); /* total or terminator */
            }
        }
        free(copy);
        lpFree(lp);
    }

    /* Specific corruptions. */
    unsigned char good[64], bad[64];
    size_t n = unhex("13000000"
                     "0300"
                     "0101"
                     "dfff02"
                     "8568656c6c6f06"
                     "ff",
                     good);
    ASSERT(lpValidate(good, n));
    struct {
        size_t pos;
        unsigned char b;
    } cases[] = {
        {6, 0xF5},  /* unused encoding */
        {6, 0xFE},  /* unused encoding */
        {6, 0xFF},  /* terminator too early */
        {7, 0x02},  /* backlen of the first entry */
        {10, 0x03}, /* backlen of the second */
        {11, 0x86}, /* string longer than what is left */
        {11, 0x84}, /* string shorter: the backlen no longer matches */
        {17, 0x86}, /* backlen with a "more bytes" bit */
        {11, 0xF0}, /* 32-bit length cut off by the terminator */
        {4, 0x04},  /* count */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        memcpy(bad, good, n);
        bad[cases[i].pos] = cases[i].b;
        int ok;
        ASSERT_EQ(validateGuarded(bad, n, &ok), 0);
        if (ok) TEST_FAIL_("corruption %zu accepted", i);
    }
    /* Too small, and a size that disagrees with the header. */
    ASSERT(!lpValidate(good, 6));
    memcpy(bad, good, n);
    bad[n] = 0xFF;
    ASSERT(!lpValidate(bad, n + 1));
    /* A 32-bit string length near 4 GB must not wrap the bounds check. */
    n = unhex("0d0000000100f0fcffffff05ff", bad);
    int ok;
    ASSERT_EQ(validateGuarded(bad, n, &ok), 0);
    ASSERT(!ok);
    return 0;
}

static int rejectThree(const unsigned char *p, void *arg) {
    (*(int *)arg)++;
    return !lpCompare(p, (const unsigned char *)"3", 1);
}

int test_listpack_validate_callback(void) {
    unsigned char *lp = lpNew(0);
    for (int i = 0; i < 5; i++)
        lp = lpAppendInteger(lp, i);
    int calls = 0;
    ASSERT(!lpValidateWith(lp, lpBytes(lp), rejectThree, &calls));
    ASSERT_EQ(calls, 4);
    lp = lpDeleteRange(lp, 3, 1);
    calls = 0;
    ASSERT(lpValidateWith(lp, lpBytes(lp), rejectThree, &calls));
    ASSERT_EQ(calls, 4);
    lpFree(lp);
    return 0;
}

/* ---- Random sampling ---------------------------------------------------- */

int test_listpack_random(void) {
    unsigned char *lp = lpNew(0);
    ASSERT(lpRandom(lp) == NULL);
    unsigned char *out[64];
    ASSERT_EQ(lpRandomSampleUnique(lp, 2, 5, out), 0);
    /* 10 pairs: field i -> value 100+i. */
    for (int i = 0; i < 10; i++) {
        lp = lpAppendInteger(lp, i);
        lp = lpAppendInteger(lp, 100 + i);
    }
    int hits[20] = {0};
    for (int i = 0; i < 20000; i++) {
        unsigned char *p = lpRandom(lp);
        unsigned int len;
        long long v;
        lpGetValue(p, &len, &v);
        hits[v >= 100 ? 10 + v - 100 : v]++;
    }
    for (int i = 0; i < 20; i++)
        ASSERT(hits[i] > 700 && hits[i] < 1300);

    int field_hits[10] = {0};
    for (int round = 0; round < 200; round++) {
        lpRandomSample(lp, 2, 64, out);
        for (int i = 0; i < 64; i++) {
            unsigned int len;
            long long k, v;
            lpGetValue(out[i], &len, &k);
            lpGetValue(lpNext(lp, out[i]), &len, &v);
            ASSERT(k >= 0 && k < 10);
            ASSERT_EQ(v, 100 + k);
            field_hits[k]++;
        }
    }
    for (int i = 0; i < 10; i++)
        ASSERT(field_hits[i] > 900 && field_hits[i] < 1700);

    /* Unique: distinct, in listpack order, and every field gets picked. */
    int picked[10] = {0};
    for (int round = 0; round < 2000; round++) {
        unsigned long got = lpRandomSampleUnique(lp, 2, 3, out);
        ASSERT_EQ(got, 3);
        long long prev = -1;
        for (unsigned long i = 0; i < got; i++) {
            unsigned int len;
            long long k;
            lpGetValue(out[i], &len, &k);
            ASSERT(k > prev);
            prev = k;
            picked[k]++;
        }
    }
    for (int i = 0; i < 10; i++)
        ASSERT(picked[i] > 450 && picked[i] < 750);
    ASSERT_EQ(lpRandomSampleUnique(lp, 2, 50, out), 10);
    ASSERT_EQ(lpRandomSampleUnique(lp, 1, 50, out), 20);
    for (int i = 0; i < 20; i++)
        ASSERT(out[i] == lpSeek(lp, i));
    lpFree(lp);
    return 0;
}

int test_listpack_safe_to_add(void) {
    unsigned char *lp = lpNew(0);
    ASSERT(lpSafeToAdd(lp, 1000));
    ASSERT(lpSafeToAdd(NULL, (1UL << 30) - 7));
    ASSERT(!lpSafeToAdd(lp, 1UL << 30));
    ASSERT(!lpSafeToAdd(lp, SIZE_MAX));
    ASSERT_EQ(lpEntrySizeFor((const unsigned char *)"hello", 5), 7);
    ASSERT_EQ(lpEntrySizeFor((const unsigned char *)"100", 3), 2);
    ASSERT_EQ(lpEntrySizeFor((const unsigned char *)"1000", 4), 3);
    lpFree(lp);
    return 0;
}
