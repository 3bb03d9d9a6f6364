/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Unit tests for intset: the exact byte format (checked against blobs taken from
 * redis-server 7.0 DUMP payloads), upgrades at the 16/32/64-bit boundaries,
 * removals keeping the encoding, random operations against a sorted-array model,
 * random picks, and validation of corrupted or truncated buffers that end at a
 * guard page.
 */
#include "test.h"

#include "alloc.h"
#include "intset.h"

#include <stdint.h>
#include <stdlib.h>

/* A deterministic generator for the tests (xorshift64). */
static uint64_t test_rng = 0x9E3779B97F4A7C15ULL;
static uint64_t testRandom(void) {
    test_rng ^= test_rng << 13;
    test_rng ^= test_rng >> 7;
    test_rng ^= test_rng << 17;
    return test_rng;
}

static intset *fromValues(const int64_t *values, size_t n) {
    intset *is = intsetNew();
    for (size_t i = 0; i < n; i++)
        is = intsetAdd(is, values[i], NULL);
    return is;
}

int test_intset_basic(void) {
    intset *is = intsetNew();
    ASSERT_EQ(intsetLen(is), 0);
    ASSERT_EQ(intsetBlobLen(is), 8);
    ASSERT_EQ(intsetEncoding(is), 2);
    ASSERT(!intsetFind(is, 0));
    int64_t v = 99;
    ASSERT(!intsetGet(is, 0, &v));
    ASSERT_EQ(v, 99);

    int added;
    is = intsetAdd(is, 5, &added);
    ASSERT_EQ(added, 1);
    is = intsetAdd(is, -7, &added);
    ASSERT_EQ(added, 1);
    is = intsetAdd(is, 5, &added);
    ASSERT_EQ(added, 0);
    is = intsetAdd(is, 100, &added);
    ASSERT_EQ(added, 1);
    ASSERT_EQ(intsetLen(is), 3);
    ASSERT_EQ(intsetBlobLen(is), 8 + 3 * 2);
    ASSERT_EQ(lmallocSize(is) >= intsetBlobLen(is), 1);
    ASSERT(intsetFind(is, -7) && intsetFind(is, 5) && intsetFind(is, 100));
    ASSERT(!intsetFind(is, 6) && !intsetFind(is, 1LL << 40) && !intsetFind(is, INT64_MIN));
    ASSERT_EQ(intsetMin(is), -7);
    ASSERT_EQ(intsetMax(is), 100);
    ASSERT(intsetGet(is, 0, &v));
    ASSERT_EQ(v, -7);
    ASSERT(intsetGet(is, 2, &v));
    ASSERT_EQ(v, 100);
    ASSERT(!intsetGet(is, 3, &v));

    intset *copy = intsetDup(is);
    ASSERT_EQ(intsetBlobLen(copy), intsetBlobLen(is));
    ASSERT_MEM_EQ(copy, is, intsetBlobLen(is));
    intsetFree(copy);

    int removed;
    is = intsetRemove(is, 5, &removed);
    ASSERT_EQ(removed, 1);
    is = intsetRemove(is, 5, &removed);
    ASSERT_EQ(removed, 0);
    is = intsetRemove(is, 1LL << 40, &removed);
    ASSERT_EQ(removed, 0);
    ASSERT_EQ(intsetLen(is), 2);
    ASSERT_EQ(intsetBlobLen(is), 8 + 2 * 2);
    is = intsetRemove(is, -7, NULL);
    is = intsetRemove(is, 100, NULL);
    ASSERT_EQ(intsetLen(is), 0);
    ASSERT_EQ(intsetBlobLen(is), 8);
    intsetFree(is);
    intsetFree(NULL);
    return 0;
}

/* Blobs from redis-server 7.0: SADD then DUMP, the RDB_TYPE_SET_INTSET string. */
int test_intset_redis_bytes(void) {
    static const unsigned char blob32[] = {
        0x04, 0, 0,    0, 0x05, 0, 0,    0,    0xfd, 0xff, 0xff, 0xff, 0x01, 0,
        0,    0, 0x02, 0, 0,    0, 0x2c, 0x01, 0,    0,    0x70, 0x11, 0x01, 0,
    };
    static const unsigned char blob64[] = {
        0x08, 0,    0,    0,    0x04, 0,    0,    0,    0xff, 0x7f, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xf7, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x05, 0,    0,    0,
        0,    0,    0,    0,    0x00, 0x1a, 0x71, 0x18, 0x02, 0,    0,    0,
    };
    static const unsigned char blob16[] = {
        0x02, 0, 0, 0, 0x03, 0, 0, 0, 0xfe, 0xff, 0x07, 0x00, 0xff, 0x7f,
    };
    static const int64_t v32[] = {1, 2, -3, 70000, 300};
    static const int64_t v64[] = {5, -32769, 9000000000LL, -9};
    static const int64_t v16[] = {7, -2, 32767};
    struct {
        const unsigned char *blob;
        size_t size;
        const int64_t *values;
        size_t n;
    } cases[] = {
        {blob32, sizeof(blob32), v32, 5},
        {blob64, sizeof(blob64), v64, 4},
        {blob16, sizeof(blob16), v16, 3},
    };
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        intset *is = fromValues(cases[c].values, cases[c].n);
        ASSERT_EQ(intsetBlobLen(is), cases[c].size);
        ASSERT_MEM_EQ(is, cases[c].blob, cases[c].size);
        ASSERT(intsetValidate(cases[c].blob, cases[c].size, 1));
        intsetFree(is);

        /* A validated blob in an lmalloc'd buffer is an intset. */
        intset *loaded = lmalloc(cases[c].size);
        memcpy(loaded, cases[c].blob, cases[c].size);
        ASSERT_EQ(intsetLen(loaded), cases[c].n);
        for (size_t i = 0; i < cases[c].n; i++)
            ASSERT(intsetFind(loaded, cases[c].values[i]));
        loaded = intsetAdd(loaded, 12345, NULL);
        ASSERT(intsetFind(loaded, 12345));
        intsetFree(loaded);
    }
    return 0;
}

/* Checks that is holds exactly want[0..n) (ascending) with encoding enc. */
static int checkContents(const intset *is, const int64_t *want, size_t n, uint32_t enc) {
    ASSERT_EQ(intsetLen(is), n);
    ASSERT_EQ(intsetEncoding(is), enc);
    ASSERT_EQ(intsetBlobLen(is), 8 + n * enc);
    ASSERT(intsetValidate((const unsigned char *)is, intsetBlobLen(is), 1) || n == 0);
    for (size_t i = 0; i < n; i++) {
        int64_t v;
        ASSERT(intsetGet(is, (uint32_t)i, &v));
        ASSERT_EQ(v, want[i]);
    }
    return 0;
}

int test_intset_upgrade_boundaries(void) {
    struct {
        int64_t value;
        uint32_t enc;
    } cases[] = {
        {0, 2},
        {INT16_MAX, 2},
        {INT16_MIN, 2},
        {(int64_t)INT16_MAX + 1, 4},
        {(int64_t)INT16_MIN - 1, 4},
        {INT32_MAX, 4},
        {INT32_MIN, 4},
        {(int64_t)INT32_MAX + 1, 8},
        {(int64_t)INT32_MIN - 1, 8},
        {INT64_MAX, 8},
        {INT64_MIN, 8},
    };
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        /* Alone in a new set. */
        intset *is = intsetAdd(intsetNew(), cases[c].value, NULL);
        ASSERT_EQ(intsetEncoding(is), cases[c].enc);
        ASSERT_EQ(intsetMin(is), cases[c].value);
        intsetFree(is);

        /* Added to a set of small values: goes first or last on an upgrade. */
        int64_t small[] = {-3, -1, 2, 9};
        is = fromValues(small, 4);
        int added;
        is = intsetAdd(is, cases[c].value, &added);
        ASSERT_EQ(added, 1);
        int64_t want[5];
        size_t n = 0;
        for (size_t i = 0; i < 4; i++)
            if (small[i] < cases[c].value) want[n++] = small[i];
        want[n++] = cases[c].value;
        for (size_t i = 0; i < 4; i++)
            if (small[i] > cases[c].value) want[n++] = small[i];
        if (checkContents(is, want, n, cases[c].enc)) return 1;
        intsetFree(is);
    }

    /* Chained upgrades 16 -> 32 -> 64, with elements on both sides. */
    int64_t seq[] = {10, -10, 40000, -40000, 5000000000LL, -5000000000LL, 0};
    intset *is = fromValues(seq, 2);
    if (checkContents(is, (int64_t[]){-10, 10}, 2, 2)) return 1;
    is = intsetAdd(is, seq[2], NULL);
    is = intsetAdd(is, seq[3], NULL);
    if (checkContents(is, (int64_t[]){-40000, -10, 10, 40000}, 4, 4)) return 1;
    is = intsetAdd(is, seq[4], NULL);
    if (checkContents(is, (int64_t[]){-40000, -10, 10, 40000, 5000000000LL}, 5, 8)) return 1;
    is = intsetAdd(is, seq[5], NULL);
    is = intsetAdd(is, seq[6], NULL);
    if (checkContents(is, (int64_t[]){-5000000000LL, -40000, -10, 0, 10, 40000, 5000000000LL}, 7,
                      8))
        return 1;
    /* Direct 16 -> 64. */
    intset *direct = fromValues((int64_t[]){1, 2, 3}, 3);
    direct = intsetAdd(direct, INT64_MIN, NULL);
    if (checkContents(direct, (int64_t[]){INT64_MIN, 1, 2, 3}, 4, 8)) return 1;
    intsetFree(direct);
    intsetFree(is);
    return 0;
}

int test_intset_remove_keeps_encoding(void) {
    intset *is = fromValues((int64_t[]){1, 2, 3, (int64_t)INT32_MAX + 1}, 4);
    ASSERT_EQ(intsetEncoding(is), 8);
    int removed;
    is = intsetRemove(is, (int64_t)INT32_MAX + 1, &removed);
    ASSERT_EQ(removed, 1);
    if (checkContents(is, (int64_t[]){1, 2, 3}, 3, 8)) return 1;
    is = intsetRemove(is, 2, NULL);
    if (checkContents(is, (int64_t[]){1, 3}, 2, 8)) return 1;
    is = intsetRemove(is, 1, NULL);
    is = intsetRemove(is, 3, NULL);
    if (checkContents(is, NULL, 0, 8)) return 1;
    /* An emptied set keeps the encoding too; a small add does not narrow it. */
    is = intsetAdd(is, 7, NULL);
    if (checkContents(is, (int64_t[]){7}, 1, 8)) return 1;
    intsetFree(is);

    /* The allocation shrinks with the set. */
    is = intsetNew();
    for (int64_t v = 0; v < 1000; v++)
        is = intsetAdd(is, v << 40, NULL);
    ASSERT_GE(lmallocSize(is), 8 + 1000 * 8);
    for (int64_t v = 1; v < 1000; v++)
        is = intsetRemove(is, v << 40, NULL);
    if (checkContents(is, (int64_t[]){0}, 1, 8)) return 1;
    ASSERT_LT(lmallocSize(is), 64);
    intsetFree(is);

    is = fromValues((int64_t[]){-70000, 5}, 2);
    is = intsetRemove(is, -70000, NULL);
    if (checkContents(is, (int64_t[]){5}, 1, 4)) return 1;
    /* Values wider than the encoding are absent, never found by truncation. */
    is = intsetRemove(is, 5 + (1LL << 32), &removed);
    ASSERT_EQ(removed, 0);
    ASSERT(!intsetFind(is, 5 + (1LL << 32)));
    ASSERT(!intsetFind(is, 5 + (1LL << 16)));
    intsetFree(is);
    return 0;
}

static int compareI64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int64_t randomValue(void) {
    uint64_t r = testRandom();
    switch (r % 8) {
        case 0: return (int64_t)(testRandom() % 64) - 32;
        case 1: return (int64_t)(int16_t)testRandom();
        case 2: return (int64_t)(int32_t)testRandom();
        case 3: return (int64_t)testRandom();
        case 4: return INT16_MIN + (int64_t)(testRandom() % 3) - 1;
        case 5: return INT16_MAX + (int64_t)(testRandom() % 3) - 1;
        case 6: return (int64_t)(testRandom() % 400) - 200;
        default: return (int64_t)(testRandom() % 2000);
    }
}

static uint32_t encodingFor(int64_t v) {
    if (v < INT32_MIN || v > INT32_MAX) return 8;
    if (v < INT16_MIN || v > INT16_MAX) return 4;
    return 2;
}

int test_intset_random_ops(void) {
    for (int round = 0; round < 4; round++) {
        intset *is = intsetNew();
        int64_t *model = lmalloc(sizeof(int64_t) * 6000);
        size_t n = 0;
        uint32_t enc = 2;
        for (int op = 0; op < 6000; op++) {
            int64_t v = randomValue();
            /* Make some rounds mostly narrow so the 16-bit paths stay busy. */
            if (round == 0) v = (int64_t)(int16_t)v;
            int in_model = bsearch(&v, model, n, sizeof(int64_t), compareI64) != NULL;
            ASSERT_EQ(intsetFind(is, v), in_model);
            if (testRandom() % 3 != 0) {
                int added;
                is = intsetAdd(is, v, &added);
                ASSERT_EQ(added, !in_model);
                if (!in_model) {
                    model[n++] = v;
                    qsort(model, n, sizeof(int64_t), compareI64);
                    if (encodingFor(v) > enc) enc = encodingFor(v);
                }
            } else {
                /* Remove an existing element half of the time. */
                if (n && testRandom() % 2) v = model[testRandom() % n];
                in_model = bsearch(&v, model, n, sizeof(int64_t), compareI64) != NULL;
                int removed;
                is = intsetRemove(is, v, &removed);
                ASSERT_EQ(removed, in_model);
                if (in_model) {
                    int64_t *at = bsearch(&v, model, n, sizeof(int64_t), compareI64);
                    memmove(at, at + 1, (size_t)(model + n - at - 1) * sizeof(int64_t));
                    n--;
                }
            }
            if (op % 97 == 0 || op == 5999) {
                if (checkContents(is, model, n, enc)) return 1;
                if (n) {
                    ASSERT_EQ(intsetMin(is), model[0]);
                    ASSERT_EQ(intsetMax(is), model[n - 1]);
                }
            }
        }
        lfree(model);
        intsetFree(is);
    }
    return 0;
}

int test_intset_random_pick(void) {
    int64_t values[] = {-100000, -3, 0, 8, 1LL << 40};
    intset *is = fromValues(values, 5);
    int seen[5] = {0};
    for (int i = 0; i < 2000; i++) {
        int64_t v = intsetRandom(is);
        int found = 0;
        for (int j = 0; j < 5; j++)
            if (values[j] == v) {
                seen[j]++;
                found = 1;
            }
        ASSERT(found);
    }
    /* Each of 5 values is expected 400 times; 200 is far below chance. */
    for (int j = 0; j < 5; j++)
        ASSERT_GT(seen[j], 200);
    intsetFree(is);
    return 0;
}

/* Runs intsetValidate on a guarded copy, so any read past size faults. */
static int validateGuarded(const unsigned char *buf, size_t size, int deep) {
    char *copy = testGuardedCopy(buf, size);
    int ok = intsetValidate((const unsigned char *)copy, size, deep);
    testGuardedFree(copy, size);
    return ok;
}

static void putU32(unsigned char *p, uint32_t v) {
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

int test_intset_validate(void) {
    intset *is = fromValues((int64_t[]){-5, 1, 2, 300, 70000, 9}, 6);
    size_t size = intsetBlobLen(is);
    unsigned char buf[64];
    memcpy(buf, is, size);
    intsetFree(is);
    ASSERT(validateGuarded(buf, size, 0));
    ASSERT(validateGuarded(buf, size, 1));

    /* Every truncation, and every extension by a stray byte, is rejected. */
    for (size_t len = 0; len < size; len++) {
        ASSERT(!validateGuarded(buf, len, 0));
        ASSERT(!validateGuarded(buf, len, 1));
    }
    buf[size] = 0;
    ASSERT(!validateGuarded(buf, size + 1, 1));

    unsigned char bad[64] = {0};
    /* Encodings other than 2, 4, 8. */
    uint32_t encodings[] = {0, 1, 3, 5, 6, 7, 16, 0x04000000, 0xffffffff};
    for (size_t i = 0; i < sizeof(encodings) / sizeof(encodings[0]); i++) {
        memcpy(bad, buf, size);
        putU32(bad, encodings[i]);
        ASSERT(!validateGuarded(bad, size, 0));
    }
    /* Lengths that disagree with the size, including ones that would overflow a
     * 32-bit multiplication (0x40000000 * 4 == 0 mod 2^32), and the empty set. */
    uint32_t lengths[] = {0, 5, 7, 0x40000000, 0x80000000, 0xffffffff};
    for (size_t i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
        memcpy(bad, buf, size);
        putU32(bad + 4, lengths[i]);
        ASSERT(!validateGuarded(bad, size, 0));
        ASSERT(!validateGuarded(bad, size, 1));
    }
    unsigned char empty[8] = {4, 0, 0, 0, 0, 0, 0, 0};
    ASSERT(!validateGuarded(empty, 8, 1));

    /* Out of order and duplicates pass the shallow check only. */
    memcpy(bad, buf, size);
    memcpy(bad + 8, buf + 12, 4);
    memcpy(bad + 12, buf + 8, 4);
    ASSERT(validateGuarded(bad, size, 0));
    ASSERT(!validateGuarded(bad, size, 1));
    memcpy(bad, buf, size);
    memcpy(bad + 12, buf + 8, 4);
    ASSERT(!validateGuarded(bad, size, 1));

    /* Random corruption never reads out of bounds; whatever passes the deep
     * check is a usable set. */
    for (int round = 0; round < 3000; round++) {
        size_t len = (size_t)(testRandom() % (size + 9));
        memcpy(bad, buf, size);
        bad[size] = 0;
        for (int flips = (int)(testRandom() % 3) + 1; flips > 0; flips--)
            bad[testRandom() % (size + 1)] ^= (unsigned char)(1u << (testRandom() % 8));
        if (round % 3 == 0) putU32(bad + 4, (uint32_t)testRandom());
        if (!validateGuarded(bad, len, 1)) continue;
        ASSERT(validateGuarded(bad, len, 0));
        intset *loaded = lmalloc(len);
        memcpy(loaded, bad, len);
        ASSERT_EQ(intsetBlobLen(loaded), len);
        for (uint32_t i = 0; i < intsetLen(loaded); i++) {
            int64_t v;
            ASSERT(intsetGet(loaded, i, &v));
            ASSERT(intsetFind(loaded, v));
        }
        intsetFree(loaded);
    }
    return 0;
}
