/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Tests for util.c. The expected strings and accept/reject verdicts in the tables
 * were taken from redis-server 7.0.15: INCRBY (integers), INCRBYFLOAT (long
 * doubles), ZADD + ZSCORE/ZINCRBY with a skiplist-encoded zset (doubles), KEYS,
 * PUBSUB CHANNELS and CONFIG GET (glob matching), CONFIG SET maxmemory (memory
 * sizes). Every parser input is read from a copy that ends at a guard page, so
 * reading past len crashes the case.
 */
#include "test.h"

#include "util.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* A literal with its exact length, embedded NULs included. */
#define LIT(s) s, sizeof(s) - 1

static int guardedLL(const char *s, size_t len, long long *v) {
    char *g = testGuardedCopy(s, len);
    int ok = string2ll(g, len, v);
    testGuardedFree(g, len);
    return ok;
}

static int guardedLD(const char *s, size_t len, long double *v) {
    char *g = testGuardedCopy(s, len);
    int ok = string2ld(g, len, v);
    testGuardedFree(g, len);
    return ok;
}

static int guardedD(const char *s, size_t len, double *v) {
    char *g = testGuardedCopy(s, len);
    int ok = string2d(g, len, v);
    testGuardedFree(g, len);
    return ok;
}

static int guardedMatch(const char *p, size_t plen, const char *s, size_t slen, int nocase) {
    char *gp = testGuardedCopy(p, plen), *gs = testGuardedCopy(s, slen);
    int m = stringmatchlen(gp, plen, gs, slen, nocase);
    testGuardedFree(gp, plen);
    testGuardedFree(gs, slen);
    return m;
}

/* --- Integers ------------------------------------------------------------ */

int test_util_string2ll(void) {
    static const struct {
        const char *s;
        size_t len;
        int ok;
        long long v;
    } cases[] = {
        {LIT("0"), 1, 0},
        {LIT("1"), 1, 1},
        {LIT("-1"), 1, -1},
        {LIT("12345"), 1, 12345},
        {LIT("-12345"), 1, -12345},
        {LIT("9223372036854775807"), 1, LLONG_MAX},
        {LIT("-9223372036854775808"), 1, LLONG_MIN},
        {LIT("9223372036854775808"), 0, 0},
        {LIT("-9223372036854775809"), 0, 0},
        {LIT("92233720368547758070"), 0, 0},
        {LIT("18446744073709551615"), 0, 0},
        {LIT("18446744073709551616"), 0, 0},
        {LIT("999999999999999999999999999999"), 0, 0},
        {LIT("+1"), 0, 0},
        {LIT(" 1"), 0, 0},
        {LIT("1 "), 0, 0},
        {LIT("\t1"), 0, 0},
        {LIT("01"), 0, 0},
        {LIT("00"), 0, 0},
        {LIT("-0"), 0, 0},
        {LIT("-01"), 0, 0},
        {LIT(""), 0, 0},
        {LIT("-"), 0, 0},
        {LIT("--1"), 0, 0},
        {LIT("1\0"), 0, 0},
        {LIT("0x10"), 0, 0},
        {LIT("1e3"), 0, 0},
        {LIT("1.0"), 0, 0},
        {LIT("1a"), 0, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        long long v = 42;
        int ok = guardedLL(cases[i].s, cases[i].len, &v);
        if (ok != cases[i].ok) fprintf(stderr, "  input \"%s\"\n", cases[i].s);
        ASSERT_EQ(ok, cases[i].ok);
        if (ok)
            ASSERT_EQ(v, cases[i].v);
        else
            ASSERT_EQ(v, 42); /* untouched on failure */
        ASSERT_EQ(string2ll(cases[i].s, cases[i].len, NULL), cases[i].ok);
    }
    /* len bounds the parse: a prefix of a longer buffer. */
    long long v;
    ASSERT(string2ll("12345", 3, &v));
    ASSERT_EQ(v, 123);
    return 0;
}

int test_util_string2l_ull(void) {
    long l;
    ASSERT(string2l(LIT("-9223372036854775808"), &l));
    ASSERT_EQ(l, LONG_MIN);
    ASSERT(!string2l(LIT("01"), &l));
    ASSERT(!string2l(LIT(""), &l));

    static const struct {
        const char *s;
        size_t len;
        int ok;
        unsigned long long v;
    } cases[] = {
        {LIT("0"), 1, 0},
        {LIT("18446744073709551615"), 1, ULLONG_MAX},
        {LIT("9223372036854775808"), 1, 9223372036854775808ULL},
        {LIT("18446744073709551616"), 0, 0},
        {LIT("100000000000000000000"), 0, 0},
        {LIT("-0"), 0, 0},
        {LIT("-1"), 0, 0},
        {LIT("+1"), 0, 0},
        {LIT("01"), 0, 0},
        {LIT(" 1"), 0, 0},
        {LIT(""), 0, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *g = testGuardedCopy(cases[i].s, cases[i].len);
        unsigned long long v = 0;
        int ok = string2ull(g, cases[i].len, &v);
        testGuardedFree(g, cases[i].len);
        ASSERT_EQ(ok, cases[i].ok);
        if (ok) ASSERT(v == cases[i].v);
    }
    return 0;
}

int test_util_ll2string(void) {
    static const struct {
        long long v;
        const char *s;
    } cases[] = {
        {0, "0"},
        {7, "7"},
        {-7, "-7"},
        {10, "10"},
        {99, "99"},
        {100, "100"},
        {-100, "-100"},
        {123456789, "123456789"},
        {LLONG_MAX, "9223372036854775807"},
        {LLONG_MIN, "-9223372036854775808"},
    };
    char buf[UTIL_LONG_STR_SIZE];
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int n = ll2string(buf, sizeof(buf), cases[i].v);
        ASSERT_EQ(n, strlen(cases[i].s));
        ASSERT_STR_EQ(buf, cases[i].s);
    }
    ASSERT_EQ(ull2string(buf, sizeof(buf), ULLONG_MAX), 20);
    ASSERT_STR_EQ(buf, "18446744073709551615");

    /* Exactly enough room, one byte short, and none. */
    char small[8];
    ASSERT_EQ(ll2string(small, 4, 123), 3);
    ASSERT_STR_EQ(small, "123");
    ASSERT_EQ(ll2string(small, 3, 123), 0);
    ASSERT_STR_EQ(small, "");
    ASSERT_EQ(ll2string(small, 5, -123), 4);
    ASSERT_STR_EQ(small, "-123");
    ASSERT_EQ(ll2string(small, 4, -123), 0);
    ASSERT_STR_EQ(small, "");
    ASSERT_EQ(ull2string(small, 2, 10), 0);
    small[0] = 'x';
    ASSERT_EQ(ll2string(small, 0, 1), 0);
    ASSERT_EQ(small[0], 'x');
    return 0;
}

int test_util_digits10(void) {
    ASSERT_EQ(digits10(0), 1);
    unsigned long long p = 1;
    for (int d = 1; d <= 19; d++) {
        ASSERT_EQ(digits10(p), d);
        ASSERT_EQ(digits10(p * 10 - 1), d);
        p *= 10;
    }
    ASSERT_EQ(digits10(p), 20); /* 10^19 */
    ASSERT_EQ(digits10(ULLONG_MAX), 20);
    return 0;
}

/* ll2string/ull2string against printf, and back through string2ll. */
int test_util_integer_roundtrip(void) {
    char ours[UTIL_LONG_STR_SIZE], ref[32];
    for (int i = 0; i < 200000; i++) {
        uint64_t r = randomU64();
        /* Spread over all magnitudes, not just 19-20 digit numbers. */
        unsigned long long u = (unsigned long long)(r >> (r % 64));
        long long v = (i & 1) ? (long long)u : -(long long)(u >> 1);
        ASSERT_EQ(ll2string(ours, sizeof(ours), v), snprintf(ref, sizeof(ref), "%lld", v));
        ASSERT_STR_EQ(ours, ref);
        long long back;
        ASSERT(string2ll(ours, strlen(ours), &back));
        ASSERT_EQ(back, v);
        ASSERT_EQ(ull2string(ours, sizeof(ours), u), snprintf(ref, sizeof(ref), "%llu", u));
        ASSERT_STR_EQ(ours, ref);
        ASSERT_EQ(digits10(u), strlen(ref));
        unsigned long long uback;
        ASSERT(string2ull(ours, strlen(ours), &uback));
        ASSERT(uback == u);
    }
    return 0;
}

/* --- Floating point ------------------------------------------------------ */

int test_util_string2ld(void) {
    static const struct {
        const char *s;
        size_t len;
        int ok;
    } cases[] = {
        /* Accepted by INCRBYFLOAT (inf is accepted here; INCRBYFLOAT then says
         * "increment would produce NaN or Infinity"). */
        {LIT("0"), 1},
        {LIT("+1"), 1},
        {LIT("01"), 1},
        {LIT("-0"), 1},
        {LIT(".5"), 1},
        {LIT("5."), 1},
        {LIT("1e3"), 1},
        {LIT("1E3"), 1},
        {LIT("0x10"), 1},
        {LIT("0x1p3"), 1},
        {LIT("inf"), 1},
        {LIT("-inf"), 1},
        {LIT("+inf"), 1},
        {LIT("INF"), 1},
        {LIT("infinity"), 1},
        {LIT("1e4000"), 1},
        {LIT("1e-4940"), 1}, /* denormal */
        {LIT("1e-4950"), 1}, /* denormal, ERANGE */
        /* Rejected with "value is not a valid float". */
        {LIT(""), 0},
        {LIT("-"), 0},
        {LIT("."), 0},
        {LIT(" 1"), 0},
        {LIT("\t1"), 0},
        {LIT("1 "), 0},
        {LIT("1\n"), 0},
        {LIT("nan"), 0},
        {LIT("-nan"), 0},
        {LIT("NaN"), 0},
        {LIT("1e5000"), 0},
        {LIT("-1e5000"), 0},
        {LIT("1e-5000"), 0},
        {LIT("1\0"), 0},
        {LIT("1\0abc"), 0},
        {LIT("\0001"), 0},
        {LIT("1_0"), 0},
        {LIT("1e"), 0},
        {LIT("e1"), 0},
        {LIT("1.2.3"), 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        long double v;
        int ok = guardedLD(cases[i].s, cases[i].len, &v);
        if (ok != cases[i].ok) fprintf(stderr, "  input \"%s\"\n", cases[i].s);
        ASSERT_EQ(ok, cases[i].ok);
    }
    /* The length limit: "1." and zeros is accepted up to 5119 bytes. */
    char *big = malloc(UTIL_LONG_DOUBLE_STR_SIZE + 1);
    memset(big, '0', UTIL_LONG_DOUBLE_STR_SIZE + 1);
    big[0] = '1';
    big[1] = '.';
    long double v = 0;
    ASSERT(guardedLD(big, UTIL_LONG_DOUBLE_STR_SIZE - 1, &v));
    ASSERT(v == 1);
    ASSERT(!guardedLD(big, UTIL_LONG_DOUBLE_STR_SIZE, &v));
    free(big);
    return 0;
}

/* INCRBYFLOAT replies: the increment alone (key missing), and a stored value
 * plus an increment. */
int test_util_ld2string_incrbyfloat(void) {
    static const struct {
        const char *stored, *incr, *reply;
    } cases[] = {
        {NULL, "10.5", "10.5"},
        {NULL, "3.0e3", "3000"},
        {NULL, "5.0e3", "5000"},
        {NULL, "-0", "0"},
        {NULL, "-0.0", "0"},
        {NULL, "0", "0"},
        {NULL, "0.1", "0.1"},
        {NULL, "1e-20", "0"},
        {NULL, "-1e-20", "0"},
        {NULL, "123456789.123456789", "123456789.12345678899873747"},
        {NULL, "0x1p-3", "0.125"},
        {NULL, "1e17", "100000000000000000"},
        {NULL, "1e18", "1000000000000000000"},
        {NULL, "9007199254740993", "9007199254740993"},
        {NULL, "-5.5", "-5.5"},
        {NULL, "3.14159265358979323846", "3.14159265358979324"},
        {NULL, "1e20", "100000000000000000000"},
        {NULL, "1e21", "1000000000000000000000"},
        {NULL, "0.00001", "0.00001"},
        {NULL, "1.5e-7", "0.00000015"},
        {NULL, ".5", "0.5"},
        {NULL, "+7", "7"},
        {NULL, "01.50", "1.5"},
        {NULL, "-123.000", "-123"},
        {NULL, "1e-17", "0.00000000000000001"},
        {NULL, "5e-18", "0"},
        {NULL, "2.5e-17", "0.00000000000000002"},
        {"0.1", "0.2", "0.3"},
        {"1.1", "2.2", "3.3"},
        {"5.0e3", "-2", "4998"},
        {"10.5", "0.1", "10.6"},
        {"1e17", "1", "100000000000000001"},
        {"-1.5", "1.5", "0"},
        {"3.0", "1e-18", "3"},
        {"1", "-0.9", "0.1"},
        {"2.5", "-3", "-0.5"},
        {"1e18", "0.5", "1000000000000000000.5"},
        {"17179869184", "0.1", "17179869184.09999999962747097"},
        {"-0.1", "0.1", "0"},
        {"0.3", "-0.1", "0.2"},
    };
    char buf[UTIL_LONG_DOUBLE_STR_SIZE];
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        long double value = 0, incr;
        if (cases[i].stored) ASSERT(string2ld(cases[i].stored, strlen(cases[i].stored), &value));
        ASSERT(string2ld(cases[i].incr, strlen(cases[i].incr), &incr));
        value += incr;
        int n = ld2string(buf, sizeof(buf), value, 1);
        ASSERT_EQ(n, strlen(cases[i].reply));
        ASSERT_STR_EQ(buf, cases[i].reply);
    }

    /* Very large values print every integer digit of the binary value. */
    long double v;
    ASSERT(string2ld(LIT("1e300"), &v));
    ASSERT_EQ(ld2string(buf, sizeof(buf), v, 1), 301);
    ASSERT(!strncmp(buf, "1000000000000000000008997324079559193870", 40));
    ASSERT_STR_EQ(buf + 291, "5104006144");
    ASSERT(string2ld(LIT("1e4000"), &v));
    ASSERT_EQ(ld2string(buf, sizeof(buf), v, 1), 4000);
    ASSERT(!strncmp(buf, "9999999999999999999965463873099623784932", 40));
    ASSERT_STR_EQ(buf + 3995, "40672");
    /* The largest long double still fits the standard buffer, sign included. */
    ASSERT_GT(ld2string(buf, sizeof(buf), -LDBL_MAX, 1), 4930);
    return 0;
}

int test_util_ld2string_modes(void) {
    char buf[64];
    ASSERT_EQ(ld2string(buf, sizeof(buf), 1.0L / 0.0L, 1), 3);
    ASSERT_STR_EQ(buf, "inf");
    ASSERT_EQ(ld2string(buf, sizeof(buf), -1.0L / 0.0L, 0), 4);
    ASSERT_STR_EQ(buf, "-inf");
    ASSERT_EQ(ld2string(buf, sizeof(buf), nanl(""), 1), 3);
    ASSERT_STR_EQ(buf, "nan");
    ASSERT_EQ(ld2string(buf, sizeof(buf), 10.5L, 0), 4);
    ASSERT_STR_EQ(buf, "10.5");
    ASSERT_EQ(ld2string(buf, sizeof(buf), 1e30L, 0), 5);
    ASSERT_STR_EQ(buf, "1e+30");
    ASSERT_EQ(ld2string(buf, sizeof(buf), 1.0L / 3, 0), 19);
    ASSERT_STR_EQ(buf, "0.33333333333333333");
    ASSERT_EQ(ld2string(buf, sizeof(buf), 123456789.123456789L, 0), 18);
    ASSERT_STR_EQ(buf, "123456789.12345679");
    ASSERT_EQ(ld2string(buf, sizeof(buf), -0.0L, 0), 2);
    ASSERT_STR_EQ(buf, "-0");
    /* Room is needed for the untrimmed "%.17Lf" text ("10.50000000000000000"). */
    ASSERT_EQ(ld2string(buf, 20, 10.5L, 1), 0);
    ASSERT_STR_EQ(buf, "");
    ASSERT_EQ(ld2string(buf, 21, 10.5L, 1), 4);
    ASSERT_STR_EQ(buf, "10.5");
    ASSERT_EQ(ld2string(buf, 4, -1.0L / 0.0L, 1), 0);
    ASSERT_EQ(ld2string(buf, 5, -1.0L / 0.0L, 1), 4);
    return 0;
}

int test_util_string2d(void) {
    static const struct {
        const char *s;
        size_t len;
        int ok;
    } cases[] = {
        /* Accepted by ZADD. */
        {LIT("0"), 1},
        {LIT("+1"), 1},
        {LIT("01"), 1},
        {LIT("-0"), 1},
        {LIT("+0"), 1},
        {LIT(".5"), 1},
        {LIT("5."), 1},
        {LIT("1e3"), 1},
        {LIT("0x10"), 1},
        {LIT("0X1P3"), 1},
        {LIT("inf"), 1},
        {LIT("-inf"), 1},
        {LIT("+inf"), 1},
        {LIT("INF"), 1},
        {LIT("-Inf"), 1},
        {LIT("infinity"), 1},
        {LIT("+Infinity"), 1},
        {LIT("4e-320"), 1}, /* denormal */
        {LIT("1e-320"), 1},
        {LIT("1.7976931348623157e308"), 1},
        /* Rejected with "value is not a valid float". */
        {LIT(""), 0},
        {LIT("-"), 0},
        {LIT("."), 0},
        {LIT(" 1"), 0},
        {LIT("\t1"), 0},
        {LIT("1 "), 0},
        {LIT("1\n"), 0},
        {LIT("infin"), 0},
        {LIT("nan"), 0},
        {LIT("-nan"), 0},
        {LIT("nan(1)"), 0},
        {LIT("1e400"), 0},
        {LIT("-1e400"), 0},
        {LIT("1e-400"), 0},
        {LIT("1\0"), 0},
        {LIT("\0001"), 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        double v;
        int ok = guardedD(cases[i].s, cases[i].len, &v);
        if (ok != cases[i].ok) fprintf(stderr, "  input \"%s\"\n", cases[i].s);
        ASSERT_EQ(ok, cases[i].ok);
    }
    double v;
    ASSERT(guardedD(LIT("-inf"), &v));
    ASSERT(isinf(v) && v < 0);
    ASSERT(guardedD(LIT("-0"), &v));
    ASSERT(v == 0 && signbit(v));
    /* No length limit (ZADD accepts a 5121-byte "1.000..."): the heap path. */
    size_t len = 5121;
    char *big = malloc(len);
    memset(big, '0', len);
    big[0] = '1';
    big[1] = '.';
    ASSERT(guardedD(big, len, &v));
    ASSERT(v == 1);
    big[len - 1] = 'x';
    ASSERT(!guardedD(big, len, &v));
    free(big);
    return 0;
}

/* ZSCORE and ZINCRBY replies (skiplist encoding; a listpack-encoded zset turns a
 * -0 score into 0 before it reaches the formatter). */
int test_util_d2string_zscore(void) {
    static const struct {
        const char *score, *incr, *reply;
    } cases[] = {
        {"0", NULL, "0"},
        {"1", NULL, "1"},
        {"+1", NULL, "1"},
        {"-0", NULL, "-0"},
        {".5", NULL, "0.5"},
        {"1e3", NULL, "1000"},
        {"0x10", NULL, "16"},
        {"inf", NULL, "inf"},
        {"-Inf", NULL, "-inf"},
        {"+Infinity", NULL, "inf"},
        {"4e-320", NULL, "3.999955468730732e-320"},
        {"1e-320", NULL, "9.9998886718268301e-321"},
        {"1.1", NULL, "1.1000000000000001"},
        {"0.1", NULL, "0.10000000000000001"},
        {"10.5", NULL, "10.5"},
        {"3.0e3", NULL, "3000"},
        {"1e300", NULL, "1.0000000000000001e+300"},
        {"1e16", NULL, "10000000000000000"},
        {"1e17", NULL, "1e+17"},
        {"123456789012345678", NULL, "1.2345678901234568e+17"},
        {"4503599627370495", NULL, "4503599627370495"},
        {"4503599627370496", NULL, "4503599627370496"},
        {"9007199254740993", NULL, "9007199254740992"},
        {"-4503599627370495.5", NULL, "-4503599627370495.5"},
        {"1e21", NULL, "1e+21"},
        {"1e22", NULL, "1e+22"},
        {"1.7976931348623157e308", NULL, "1.7976931348623157e+308"},
        {"2.2250738585072014e-308", NULL, "2.2250738585072014e-308"},
        {"5e-324", NULL, "4.9406564584124654e-324"},
        {"0.3", NULL, "0.29999999999999999"},
        {"1e-5", NULL, "1.0000000000000001e-05"},
        {"0.0001", NULL, "0.0001"},
        {"123.456", NULL, "123.456"},
        {"-2.5", NULL, "-2.5"},
        {"1e15", NULL, "1000000000000000"},
        {"3.14159265358979323846", NULL, "3.1415926535897931"},
        {"0.1", "0.2", "0.30000000000000004"},
        {"1.1", "2.2", "3.3000000000000003"},
        {"5.0e3", "-2", "4998"},
        {"1e16", "1", "10000000000000000"},
        {"-1.5", "1.5", "0"},
        {"4503599627370495", "0.5", "4503599627370495.5"},
        {"9007199254740992", "2", "9007199254740994"},
        {"1e17", "-1", "1e+17"},
        {"-inf", "5", "-inf"},
        {"1e-7", "0", "9.9999999999999995e-08"},
    };
    char buf[UTIL_DOUBLE_STR_SIZE];
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        double score, incr = 0;
        ASSERT(string2d(cases[i].score, strlen(cases[i].score), &score));
        if (cases[i].incr) ASSERT(string2d(cases[i].incr, strlen(cases[i].incr), &incr));
        int n = d2string(buf, sizeof(buf), cases[i].incr ? score + incr : score);
        ASSERT_EQ(n, strlen(cases[i].reply));
        ASSERT_STR_EQ(buf, cases[i].reply);
    }
    ASSERT_EQ(d2string(buf, sizeof(buf), nan("")), 3);
    ASSERT_STR_EQ(buf, "nan");
    ASSERT_EQ(d2string(buf, sizeof(buf), -1.7976931348623157e308), 24);
    ASSERT_EQ(d2string(buf, 4, 1.5), 3);
    ASSERT_EQ(d2string(buf, 3, 1.5), 0);
    ASSERT_STR_EQ(buf, "");
    ASSERT_EQ(d2string(buf, 3, 100), 0);
    ASSERT_EQ(d2string(buf, 4, -INFINITY), 0);
    return 0;
}

/* Random bit patterns: d2string matches "%.17g" (the integer fast path included)
 * and string2d reads back the same double. */
int test_util_double_roundtrip(void) {
    char ours[UTIL_DOUBLE_STR_SIZE], ref[64];
    for (int i = 0; i < 200000; i++) {
        uint64_t bits = randomU64();
        double v;
        if (i % 4 == 0) {
            v = (double)(long long)(bits >> (bits % 64)) * ((i & 8) ? -1 : 1);
        } else {
            memcpy(&v, &bits, sizeof(v));
        }
        if (isnan(v)) continue;
        int n = d2string(ours, sizeof(ours), v);
        if (isinf(v))
            snprintf(ref, sizeof(ref), "%s", v > 0 ? "inf" : "-inf");
        else
            snprintf(ref, sizeof(ref), "%.17g", v);
        ASSERT_STR_EQ(ours, ref);
        double back;
        ASSERT(string2d(ours, (size_t)n, &back));
        ASSERT(memcmp(&back, &v, sizeof(v)) == 0);
    }
    return 0;
}

/* --- Glob matching ------------------------------------------------------- */

typedef struct {
    const char *pat;
    size_t patlen;
    const char *str;
    size_t strlen;
    int match;
} globCase;

#define GLOB(p, s, m)                                                                              \
    { p, sizeof(p) - 1, s, sizeof(s) - 1, m }

static int checkGlobCases(const globCase *cases, size_t n, int nocase) {
    for (size_t i = 0; i < n; i++) {
        int m = guardedMatch(cases[i].pat, cases[i].patlen, cases[i].str, cases[i].strlen, nocase);
        if (m != cases[i].match)
            fprintf(stderr, "  pattern \"%s\" string \"%s\" nocase %d\n", cases[i].pat,
                    cases[i].str, nocase);
        ASSERT_EQ(m, cases[i].match);
    }
    return 0;
}

/* Verdicts from KEYS (and PUBSUB CHANNELS for the empty string). */
int test_util_stringmatch(void) {
    static const globCase cases[] = {
        GLOB("", "", 1),
        GLOB("", "a", 0),
        GLOB("*", "", 0), /* KEYS answers "*" without matching; PUBSUB CHANNELS does not */
        GLOB("**", "", 0),
        GLOB("?", "", 0),
        GLOB("*", "anything", 1),
        GLOB("a*", "a", 1),
        GLOB("a**", "a", 1),
        GLOB("h?llo", "hello", 1),
        GLOB("h?llo", "hllo", 0),
        GLOB("h*llo", "hllo", 1),
        GLOB("h*llo", "heeeello", 1),
        GLOB("h*llo", "hello!", 0),
        GLOB("h[ae]llo", "hallo", 1),
        GLOB("h[ae]llo", "hillo", 0),
        GLOB("h[^e]llo", "hallo", 1),
        GLOB("h[^e]llo", "hello", 0),
        GLOB("h[a-b]llo", "hbllo", 1),
        GLOB("a*b*c", "aXXbYYc", 1),
        GLOB("a*b*c", "aXXbYYcd", 0),
        GLOB("*.txt", "notes.txt", 1),
        GLOB("user:*:name", "user:42:name", 1),
        GLOB("Hello", "hello", 0),
        /* Sets and ranges. */
        GLOB("[z-a]", "m", 1),
        GLOB("[z-a]", "z", 1),
        GLOB("[a-a]", "a", 1),
        GLOB("[--0]", "/", 1),
        GLOB("[^a-c]", "d", 1),
        GLOB("[^a-c]", "b", 0),
        GLOB("[a-b-c]", "-", 1),
        GLOB("[a-b-c]", "c", 1),
        GLOB("[-a]", "-", 1),
        GLOB("[a-]", "-", 0), /* "a-]" is the range ']'..'a' */
        GLOB("[a-]", "]", 1),
        GLOB("[a-", "-", 1), /* unterminated: literal 'a', '-' */
        GLOB("[a-", "a", 1),
        GLOB("[abc", "c", 1),
        GLOB("[abc", "d", 0),
        GLOB("[", "[", 0),
        GLOB("[", "a", 0),
        GLOB("[^", "a", 1),
        GLOB("a[", "a[", 0),
        GLOB("a[", "ab", 0),
        GLOB("*[", "x", 0),
        GLOB("[]", "]", 0),
        GLOB("[]a]", "]", 0),
        GLOB("[]a]", "a", 0),
        GLOB("[]a]", "]a]", 0),
        GLOB("[^]", "x", 1),
        GLOB("[^]]", "x", 0),
        GLOB("[^]]", "]", 0),
        /* Escapes. */
        GLOB("\\", "\\", 1),
        GLOB("a\\", "a\\", 1),
        GLOB("\\*", "*", 1),
        GLOB("\\*", "a", 0),
        GLOB("\\?", "?", 1),
        GLOB("\\?", "x", 0),
        GLOB("\\[a]", "[a]", 1),
        GLOB("\\[a]", "a", 0),
        GLOB("*\\", "x\\", 1),
        GLOB("[\\]]", "]", 1),
        GLOB("[a\\", "\\", 1),
        GLOB("[a\\", "a", 1),
        GLOB("[\\", "\\", 1),
        GLOB("[\\", "a", 0),
        GLOB("[a-\\z]", "b", 0), /* the range a..'\', then 'z' */
        GLOB("[a-\\z]", "\\", 1),
        GLOB("[a-\\z]", "z", 1),
        /* Binary bytes; ranges compare signed chars. */
        GLOB("[\x00]", "\x00", 1),
        GLOB("a\x00*", "a\000b", 1),
        GLOB("a\x00*", "a", 0),
        GLOB("[a-\xff]", "\xc0", 0),
        GLOB("[a-\xff]", "b", 0),
        GLOB("[a-\xff]", "A", 1),
        GLOB("[\x80-\xff]", "\xc0", 1),
        GLOB("[\x00-\x7f]", "\xc0", 0),
        GLOB("?", "\xff", 1),
    };
    if (checkGlobCases(cases, sizeof(cases) / sizeof(cases[0]), 0)) return 1;
    ASSERT(stringmatch("foo*", "foobar", 0));
    ASSERT(!stringmatch("foo*", "FOObar", 0));
    return 0;
}

/* Verdicts from CONFIG GET, which matches with nocase, against config names. */
int test_util_stringmatch_nocase(void) {
    static const globCase cases[] = {
        GLOB("MaxMem?ry", "maxmemory", 1),
        GLOB("maxmemory-pol*", "maxmemory-policy", 1),
        GLOB("[A-Z]axmemory", "maxmemory", 1),
        GLOB("[Z-A]AXMEMORY", "maxmemory", 1),
        GLOB("[^M]axmemory", "maxmemory", 0),
        GLOB("[^N]AXMEMORY", "maxmemory", 1),
        GLOB("MAXMEMORY-P[O]LICY", "maxmemory-policy", 1),
        GLOB("MAXMEMORY-P[a-z]LICY", "maxmemory-policy", 1),
        GLOB("MAXMEMORY-P[^o]LICY", "maxmemory-policy", 0),
        GLOB("MAXMEM[A-z]RY", "maxmemory", 1),
        /* An escaped byte in a set keeps its case; one outside a set does not. */
        GLOB("[\\M]axmemory", "maxmemory", 0),
        GLOB("[\\m]axmemory", "maxmemory", 1),
        GLOB("\\MAXMEMOR?", "maxmemory", 1),
        GLOB("MAXMEMOR\\Y*", "maxmemory-policy", 1),
        GLOB("*\\Y-policy", "maxmemory-policy", 1),
        /* Ranges fold after the ends are ordered: [a-Z] becomes z..a, empty. */
        GLOB("[a-Z]axmemory", "maxmemory", 0),
        GLOB("[Z-a]axmemory", "maxmemory", 0),
        GLOB("[[-a]axmemory", "maxmemory", 0),
        GLOB("[M-[]axmemory", "maxmemory", 0),
    };
    return checkGlobCases(cases, sizeof(cases) / sizeof(cases[0]), 1);
}

/* "a*a*...a*b" against a long run of 'a' is exponential for naive recursion. */
int test_util_stringmatch_pathological(void) {
    enum { STARS = 40, SLEN = 100000 };
    char pat[STARS * 2 + 2];
    size_t plen = 0;
    for (int i = 0; i < STARS; i++) {
        pat[plen++] = 'a';
        pat[plen++] = '*';
    }
    pat[plen++] = 'b';
    char *str = malloc(SLEN);
    memset(str, 'a', SLEN);
    long long start = monotonicUs();
    ASSERT_EQ(guardedMatch(pat, plen, str, SLEN, 0), 0);
    str[SLEN - 1] = 'b';
    ASSERT_EQ(guardedMatch(pat, plen, str, SLEN, 0), 1);
    str[SLEN - 1] = 'a';
    ASSERT_EQ(guardedMatch(pat, plen, str, SLEN, 1), 0);
    /* Many stars and a '?' tail, and a pattern of only stars. */
    char stars[200];
    memset(stars, '*', sizeof(stars));
    stars[sizeof(stars) - 1] = '?';
    ASSERT_EQ(guardedMatch(stars, sizeof(stars), str, SLEN, 0), 1);
    ASSERT_EQ(guardedMatch(stars, sizeof(stars) - 1, str, SLEN, 0), 1);
    /* Polynomial: well under the runner's timeout even with sanitizers. */
    ASSERT_LT(monotonicUs() - start, 10 * 1000000LL);
    free(str);
    return 0;
}

/* --- Config values ------------------------------------------------------- */

int test_util_memtoll(void) {
    static const struct {
        const char *s;
        int allow_negative, ok;
        long long v;
    } cases[] = {
        /* As CONFIG SET maxmemory takes them. */
        {"5", 0, 1, 5},
        {"0", 0, 1, 0},
        {"007", 0, 1, 7},
        {"1gb", 0, 1, 1073741824},
        {"1GB", 0, 1, 1073741824},
        {"1gB", 0, 1, 1073741824},
        {"1g", 0, 1, 1000000000},
        {"1G", 0, 1, 1000000000},
        {"512mb", 0, 1, 536870912},
        {"3m", 0, 1, 3000000},
        {"100k", 0, 1, 100000},
        {"100kb", 0, 1, 102400},
        {"100KB", 0, 1, 102400},
        {"100b", 0, 1, 100},
        {"100B", 0, 1, 100},
        {"", 0, 1, 0},
        {"kb", 0, 1, 0},
        {"b", 0, 1, 0},
        {"9223372036854775807", 0, 1, LLONG_MAX},
        {"+5", 0, 0, 0},
        {" 5", 0, 0, 0},
        {"5 ", 0, 0, 0},
        {"5 mb", 0, 0, 0},
        {"1.5gb", 0, 0, 0},
        {"-1", 0, 0, 0},
        {"-1kb", 0, 0, 0},
        {"-0", 0, 0, 0},
        {"5tb", 0, 0, 0},
        {"5kib", 0, 0, 0},
        {"1e3", 0, 0, 0},
        {"0x10", 0, 0, 0},
        /* Beyond long long: refused here (see memtoull for CONFIG SET's rules). */
        {"9223372036854775808", 0, 0, 0},
        {"8589934592gb", 0, 0, 0},
        {"8589934591gb", 0, 1, 9223372035781033984LL},
        /* Negative values, where allowed. */
        {"-1", 1, 1, -1},
        {"-1kb", 1, 1, -1024},
        {"-0", 1, 1, 0},
        {"-9223372036854775808", 1, 1, LLONG_MIN},
        {"-9223372036854775809", 1, 0, 0},
        {"-8gb", 1, 1, -8589934592LL},
        {"-", 1, 0, 0},
        {"-kb", 1, 0, 0},
        {"--5", 1, 0, 0},
        {"5", 1, 1, 5},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        long long v = 42;
        int ok = memtoll(cases[i].s, &v, cases[i].allow_negative);
        if (ok != cases[i].ok) fprintf(stderr, "  input \"%s\"\n", cases[i].s);
        ASSERT_EQ(ok, cases[i].ok);
        ASSERT_EQ(v, ok ? cases[i].v : 42);
    }
    return 0;
}

/* CONFIG SET maxmemory followed by CONFIG GET maxmemory. */
int test_util_memtoull(void) {
    static const struct {
        const char *s;
        int ok;
        unsigned long long v;
    } cases[] = {
        {"5", 1, 5},
        {"1gb", 1, 1073741824},
        {"", 1, 0},
        {"kb", 1, 0},
        {"9223372036854775808", 1, 9223372036854775808ULL},
        {"18446744073709551615", 1, 18446744073709551615ULL},
        {"18446744073709551616", 1, 18446744073709551615ULL},
        {"99999999999999999999", 1, 18446744073709551615ULL},
        {"10000000000gb", 1, 10737418240000000000ULL},
        {"100000000000gb", 1, 15140462031452241920ULL},
        {"17179869184gb", 1, 0},
        {"18014398509481984kb", 1, 0},
        {"-1", 0, 0},
        {"-0", 0, 0},
        {"+5", 0, 0},
        {" 5", 0, 0},
        {"1.5gb", 0, 0},
        {"5tb", 0, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        unsigned long long v = 42;
        int ok = memtoull(cases[i].s, &v);
        if (ok != cases[i].ok) fprintf(stderr, "  input \"%s\"\n", cases[i].s);
        ASSERT_EQ(ok, cases[i].ok);
        ASSERT(v == (ok ? cases[i].v : 42));
    }
    /* 127 digits are accepted (saturating), 128 are not. */
    char digits[140];
    memset(digits, '0', sizeof(digits));
    digits[0] = '1';
    strcpy(digits + 127, "kb");
    unsigned long long v;
    ASSERT(memtoull(digits, &v));
    ASSERT(v == 18446744073709550592ULL);
    digits[127] = '0';
    strcpy(digits + 128, "kb");
    ASSERT(!memtoull(digits, &v));
    return 0;
}

/* --- Time and randomness ------------------------------------------------- */

int test_util_time(void) {
    long long us = ustime(), ms = mstime();
    long long now = (long long)time(NULL);
    ASSERT_LE(llabs(us / 1000000 - now), 2);
    ASSERT_LE(llabs(ms - us / 1000), 1000);
    long long prev = monotonicUs();
    for (int i = 0; i < 1000; i++) {
        long long t = monotonicUs();
        ASSERT_GE(t, prev);
        prev = t;
    }
    usleep(2000);
    ASSERT_GE(monotonicUs() - prev, 2000);
    return 0;
}

int test_util_random(void) {
    unsigned char a[64], b[64], zero[64] = {0};
    getRandomBytes(a, sizeof(a));
    getRandomBytes(b, sizeof(b));
    ASSERT(memcmp(a, zero, sizeof(a)) != 0);
    ASSERT(memcmp(a, b, sizeof(a)) != 0);

    /* Exactly len hex characters, nothing written past them. */
    char *hex = testGuardedCopy(zero, 40);
    getRandomHexChars(hex, 40);
    int seen[16] = {0}, distinct = 0;
    for (int i = 0; i < 40; i++) {
        ASSERT((hex[i] >= '0' && hex[i] <= '9') || (hex[i] >= 'a' && hex[i] <= 'f'));
        int d = hex[i] <= '9' ? hex[i] - '0' : hex[i] - 'a' + 10;
        if (!seen[d]++) distinct++;
    }
    ASSERT_GE(distinct, 4);
    testGuardedFree(hex, 40);

    /* Every bit of randomU64 is set about half the time. */
    enum { DRAWS = 20000 };
    int ones[64] = {0};
    uint64_t first = randomU64(), any_repeat = 0;
    for (int i = 0; i < DRAWS; i++) {
        uint64_t r = randomU64();
        any_repeat |= r == first;
        for (int bit = 0; bit < 64; bit++)
            ones[bit] += (int)((r >> bit) & 1);
    }
    ASSERT_EQ(any_repeat, 0);
    for (int bit = 0; bit < 64; bit++) {
        ASSERT_GT(ones[bit], DRAWS * 45 / 100);
        ASSERT_LT(ones[bit], DRAWS * 55 / 100);
    }
    return 0;
}

/* --- Bug checks ---------------------------------------------------------- */

static int hook_fd = -1;

static void pipeHook(const char *expr, const char *file, int line) {
    dprintf(hook_fd, "hook:%s:%s:%d;", expr, file, line);
}

static void nestedHook(const char *expr, const char *file, int line) {
    pipeHook(expr, file, line);
    loomAssert(!"inside the hook");
}

/* The failing check the children run; ASSERT_LINE is the line it is on. */
enum { ASSERT_LINE = __LINE__ + 2 };
static void failCheck(int zero) {
    loomAssert(zero == 1);
}

/* Runs failCheck in a child with `hook` installed and stderr sent to the same
 * pipe; returns what was written, or NULL unless the child died of SIGABRT. */
static char *failInChild(void (*hook)(const char *, const char *, int), char *out, size_t outlen) {
    int fds[2];
    if (pipe(fds) != 0) return NULL;
    pid_t pid = fork();
    if (pid == 0) {
        struct rlimit no_core = {0, 0};
        setrlimit(RLIMIT_CORE, &no_core);
        close(fds[0]);
        dup2(fds[1], STDERR_FILENO);
        hook_fd = fds[1];
        setAssertHook(hook);
        failCheck(0);
        _exit(0);
    }
    close(fds[1]);
    size_t used = 0;
    ssize_t n;
    while (used + 1 < outlen && (n = read(fds[0], out + used, outlen - 1 - used)) > 0)
        used += (size_t)n;
    out[used] = '\0';
    close(fds[0]);
    int status;
    waitpid(pid, &status, 0);
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT ? out : NULL;
}

int test_util_assert(void) {
    char out[512], expect[512];
    loomAssert(1 + 1 == 2); /* a passing check does nothing */

    ASSERT(failInChild(pipeHook, out, sizeof(out)));
    snprintf(expect, sizeof(expect), "hook:zero == 1:%s:%d;", __FILE__, ASSERT_LINE);
    ASSERT_STR_EQ(out, expect);

    /* The default hook: one line on stderr. */
    ASSERT(failInChild(NULL, out, sizeof(out)));
    snprintf(expect, sizeof(expect), "loom: assertion failed: zero == 1 (%s:%d)\n", __FILE__,
             ASSERT_LINE);
    ASSERT_STR_EQ(out, expect);

    /* A hook that fails an assertion is not re-entered: the second failure goes to
     * stderr and the process aborts. */
    ASSERT(failInChild(nestedHook, out, sizeof(out)));
    ASSERT(strstr(out, "hook:zero == 1:") == out);
    ASSERT(strstr(out, "loom: assertion failed: !\"inside the hook\" ("));
    ASSERT(strstr(out + 1, "hook:") == NULL);
    return 0;
}
