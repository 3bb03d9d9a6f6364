/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Unit tests for the leaves under the RDB module: crc64 (the check value of
 * the Jones polynomial, a checksum from a redis-server 7.0 DUMP payload,
 * piecewise computation, and the sliced loop against a bit-at-a-time model)
 * and lzfDecompress (three payloads that redis-server 7.0 compressed, taken
 * from its DUMP output, plus truncated, corrupted and random inputs that end
 * at guard pages, which must fail without reading or writing out of bounds).
 */
#include "test.h"

#include "crc64.h"
#include "lzf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t test_rng = 0x2545F4914F6CDD1DULL;
static uint64_t testRandom(void) {
    test_rng ^= test_rng << 13;
    test_rng ^= test_rng >> 7;
    test_rng ^= test_rng << 17;
    return test_rng;
}

/* The definition, one bit at a time, to check the table-driven code against. */
static uint64_t crc64Model(uint64_t crc, const unsigned char *p, size_t len) {
    for (size_t i = 0; i < len; i++) {
        crc ^= p[i];
        for (int bit = 0; bit < 8; bit++)
            crc = crc & 1 ? (crc >> 1) ^ 0x95ac9329ac4bc9b5ULL : crc >> 1;
    }
    return crc;
}

int test_crc64_check_value(void) {
    ASSERT(crc64(0, "123456789", 9) == 0xe9c6d914c4b8d9caULL);
    ASSERT(crc64(0, "", 0) == 0);
    ASSERT(crc64(0x1234, "", 0) == 0x1234);
    return 0;
}

/* DUMP of the string "hello" in redis-server 7.0.15: type, value, RDB version
 * 10, then the CRC64 of everything before it, little-endian. */
int test_crc64_redis_dump_payload(void) {
    static const unsigned char dump[] = {0x00, 0x05, 'h',  'e',  'l',  'l',  'o',
                                         0x0a, 0x00, 0x63, 0x72, 0xdf, 0x76, 0x65,
                                         0x34, 0x20, 0x0a};
    uint64_t stored = 0;
    for (int i = 0; i < 8; i++) stored |= (uint64_t)dump[9 + i] << (8 * i);
    ASSERT(crc64(0, dump, 9) == stored);
    return 0;
}

int test_crc64_piecewise_and_model(void) {
    enum { N = 4099 };
    unsigned char *buf = malloc(N);
    for (size_t i = 0; i < N; i++) buf[i] = (unsigned char)testRandom();
    uint64_t whole = crc64(0, buf, N);
    ASSERT(whole == crc64Model(0, buf, N));
    for (int round = 0; round < 200; round++) {
        /* Split at random points, including unaligned starts and short tails. */
        size_t a = testRandom() % N, b = testRandom() % N;
        if (a > b) {
            size_t t = a;
            a = b;
            b = t;
        }
        uint64_t crc = crc64(0, buf, a);
        crc = crc64(crc, buf + a, b - a);
        crc = crc64(crc, buf + b, N - b);
        ASSERT(crc == whole);
        size_t off = testRandom() % 64, len = testRandom() % 200;
        ASSERT(crc64(0, buf + off, len) == crc64Model(0, buf + off, len));
    }
    free(buf);
    return 0;
}

/* Compressed by redis-server 7.0.15 (DUMP of SET rep "abc" x 100). */
static const unsigned char lzf_rep[] = {0x03, 0x61, 0x62, 0x63, 0x61, 0xe0, 0xff,
                                        0x02, 0xe1, 0x15, 0x07, 0x01, 0x62, 0x63};
/* "The quick brown fox jumps over the lazy dog. " x 3 + "Pack my box with five
 * dozen liquor jugs. The quick brown fox again!" */
static const unsigned char lzf_text[] = {
    0x1f, 0x54, 0x68, 0x65, 0x20, 0x71, 0x75, 0x69, 0x63, 0x6b, 0x20, 0x62, 0x72, 0x6f, 0x77,
    0x6e, 0x20, 0x66, 0x6f, 0x78, 0x20, 0x6a, 0x75, 0x6d, 0x70, 0x73, 0x20, 0x6f, 0x76, 0x65,
    0x72, 0x20, 0x74, 0x20, 0x1e, 0x0a, 0x6c, 0x61, 0x7a, 0x79, 0x20, 0x64, 0x6f, 0x67, 0x2e,
    0x20, 0x54, 0x20, 0x0d, 0xe0, 0x4d, 0x2c, 0x01, 0x50, 0x61, 0x20, 0x81, 0x03, 0x6d, 0x79,
    0x20, 0x62, 0x20, 0x7e, 0x08, 0x77, 0x69, 0x74, 0x68, 0x20, 0x66, 0x69, 0x76, 0x65, 0x20,
    0x74, 0x09, 0x7a, 0x65, 0x6e, 0x20, 0x6c, 0x69, 0x71, 0x75, 0x6f, 0x72, 0x20, 0x95, 0x01,
    0x67, 0x73, 0xe0, 0x0d, 0x82, 0x05, 0x61, 0x67, 0x61, 0x69, 0x6e, 0x21};
/* "x" x 1000 + "y" x 300 + "0123456789" x 20: long references (length byte). */
static const unsigned char lzf_runs[] = {
    0x01, 0x78, 0x78, 0xe0, 0xff, 0x00, 0xe0, 0xff, 0x00, 0xe0, 0xff, 0x00, 0xe0, 0xc5,
    0x00, 0x00, 0x79, 0xe0, 0xff, 0x00, 0xe0, 0x1a, 0x00, 0x09, 0x30, 0x31, 0x32, 0x33,
    0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0xe0, 0xb3, 0x09, 0x01, 0x38, 0x39};

typedef struct lzfSample {
    const unsigned char *comp;
    size_t comp_len;
    char *plain;
    size_t plain_len;
} lzfSample;

static char *repeat(const char *unit, int times, char *dst) {
    size_t n = strlen(unit);
    for (int i = 0; i < times; i++) memcpy(dst + i * n, unit, n);
    return dst + times * n;
}

/* Fills s[0..3) with the samples and their expected output (malloc'ed). */
static void makeSamples(lzfSample *s) {
    s[0] = (lzfSample){lzf_rep, sizeof(lzf_rep), malloc(300), 300};
    repeat("abc", 100, s[0].plain);
    s[1] = (lzfSample){lzf_text, sizeof(lzf_text), malloc(202), 202};
    char *p = repeat("The quick brown fox jumps over the lazy dog. ", 3, s[1].plain);
    repeat("Pack my box with five dozen liquor jugs. The quick brown fox again!", 1, p);
    s[2] = (lzfSample){lzf_runs, sizeof(lzf_runs), malloc(1500), 1500};
    p = repeat("x", 1000, s[2].plain);
    p = repeat("y", 300, p);
    repeat("0123456789", 20, p);
}

static void freeSamples(lzfSample *s) {
    for (int i = 0; i < 3; i++) free(s[i].plain);
}

int test_lzf_redis_samples(void) {
    lzfSample s[3];
    makeSamples(s);
    for (int i = 0; i < 3; i++) {
        /* Input and output both end at guard pages. */
        char *in = testGuardedCopy(s[i].comp, s[i].comp_len);
        char *out = testGuardedCopy(s[i].plain, s[i].plain_len);
        memset(out, 0, s[i].plain_len);
        ASSERT_EQ(lzfDecompress(in, s[i].comp_len, out, s[i].plain_len), s[i].plain_len);
        ASSERT_MEM_EQ(out, s[i].plain, s[i].plain_len);
        /* One byte short of room: refused, never written past the end. */
        char *small = testGuardedCopy(s[i].plain, s[i].plain_len - 1);
        ASSERT_EQ(lzfDecompress(in, s[i].comp_len, small, s[i].plain_len - 1), 0);
        testGuardedFree(small, s[i].plain_len - 1);
        testGuardedFree(in, s[i].comp_len);
        testGuardedFree(out, s[i].plain_len);
    }
    freeSamples(s);
    return 0;
}

int test_lzf_truncated_and_corrupt(void) {
    lzfSample s[3];
    makeSamples(s);
    char out[2048];
    for (int i = 0; i < 3; i++) {
        /* Every prefix either fails or yields a strict prefix of the output. */
        for (size_t cut = 0; cut < s[i].comp_len; cut++) {
            char *in = testGuardedCopy(s[i].comp, cut);
            size_t got = lzfDecompress(in, cut, out, s[i].plain_len);
            ASSERT_LT(got, s[i].plain_len);
            ASSERT_MEM_EQ(out, s[i].plain, got);
            testGuardedFree(in, cut);
        }
        /* Every single-byte corruption stays within bounds. */
        for (size_t pos = 0; pos < s[i].comp_len; pos++) {
            for (int v = 0; v < 256; v += 17) {
                char *in = testGuardedCopy(s[i].comp, s[i].comp_len);
                in[pos] = (char)v;
                char *dst = testGuardedCopy(s[i].plain, s[i].plain_len);
                ASSERT_LE(lzfDecompress(in, s[i].comp_len, dst, s[i].plain_len), s[i].plain_len);
                testGuardedFree(dst, s[i].plain_len);
                testGuardedFree(in, s[i].comp_len);
            }
        }
    }
    freeSamples(s);
    /* A back reference before the start of the output. */
    static const unsigned char before_start[] = {0x00, 'a', 0x20, 0x05};
    ASSERT_EQ(lzfDecompress(before_start, sizeof(before_start), out, sizeof(out)), 0);
    /* A literal run longer than the rest of the input. */
    static const unsigned char long_run[] = {0x05, 'a', 'b'};
    ASSERT_EQ(lzfDecompress(long_run, sizeof(long_run), out, sizeof(out)), 0);
    /* A reference missing its offset byte, and its length byte. */
    static const unsigned char no_offset[] = {0x00, 'a', 0x20};
    ASSERT_EQ(lzfDecompress(no_offset, sizeof(no_offset), out, sizeof(out)), 0);
    static const unsigned char no_length[] = {0x00, 'a', 0xe0};
    ASSERT_EQ(lzfDecompress(no_length, sizeof(no_length), out, sizeof(out)), 0);
    /* The smallest valid reference: one byte back, overlapping its own output. */
    static const unsigned char overlap[] = {0x00, 'z', 0x20, 0x00};
    ASSERT_EQ(lzfDecompress(overlap, sizeof(overlap), out, sizeof(out)), 4);
    ASSERT_MEM_EQ(out, "zzzz", 4);
    return 0;
}

int test_lzf_random_input(void) {
    for (int round = 0; round < 3000; round++) {
        size_t in_len = 1 + testRandom() % 300, out_cap = testRandom() % 2000;
        static unsigned char src[2000];
        for (size_t i = 0; i < in_len; i++) src[i] = (unsigned char)testRandom();
        /* Mostly small control bytes, so that runs and references parse. */
        for (size_t i = 0; i < in_len; i += 1 + testRandom() % 8) src[i] &= 0x3f;
        char *in = testGuardedCopy(src, in_len);
        char *out = testGuardedCopy(src, out_cap);
        ASSERT_LE(lzfDecompress(in, in_len, out, out_cap), out_cap);
        testGuardedFree(out, out_cap);
        testGuardedFree(in, in_len);
    }
    return 0;
}
