/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Assertion macros for loom's C unit tests. A test is a function
 * `int test_<module>_<case>(void)` returning 0 on success; every case is listed
 * once in list.h and run in its own forked child by runner.c, so a crash or a
 * hang fails only that case. On failure the macros print the expression, both
 * values, and the file and line, then return 1 from the test function.
 */
#ifndef LOOM_TEST_H
#define LOOM_TEST_H

#include <stdio.h>
#include <string.h>

#define TEST_FAIL_(fmt, ...)                                                                       \
    do {                                                                                           \
        fprintf(stderr, "  %s:%d: " fmt "\n", __FILE__, __LINE__, __VA_ARGS__);                   \
        return 1;                                                                                  \
    } while (0)

#define ASSERT(expr)                                                                               \
    do {                                                                                           \
        if (!(expr)) TEST_FAIL_("assertion failed: %s", #expr);                                    \
    } while (0)

#define ASSERT_INT_OP_(a, op, b)                                                                   \
    do {                                                                                           \
        long long a_ = (long long)(a), b_ = (long long)(b);                                        \
        if (!(a_ op b_)) TEST_FAIL_("%s %s %s (%lld vs %lld)", #a, #op, #b, a_, b_);               \
    } while (0)

#define ASSERT_EQ(a, b) ASSERT_INT_OP_(a, ==, b)
#define ASSERT_NE(a, b) ASSERT_INT_OP_(a, !=, b)
#define ASSERT_LT(a, b) ASSERT_INT_OP_(a, <, b)
#define ASSERT_LE(a, b) ASSERT_INT_OP_(a, <=, b)
#define ASSERT_GT(a, b) ASSERT_INT_OP_(a, >, b)
#define ASSERT_GE(a, b) ASSERT_INT_OP_(a, >=, b)

#define ASSERT_STR_EQ(a, b)                                                                        \
    do {                                                                                           \
        const char *a_ = (a), *b_ = (b);                                                           \
        if (strcmp(a_, b_) != 0) TEST_FAIL_("%s == %s (\"%s\" vs \"%s\")", #a, #b, a_, b_);        \
    } while (0)

/* Compares `len` bytes; prints both sides with non-printable bytes escaped. */
#define ASSERT_MEM_EQ(a, b, len)                                                                   \
    do {                                                                                           \
        const void *a_ = (a), *b_ = (b);                                                           \
        size_t len_ = (len);                                                                       \
        if (memcmp(a_, b_, len_) != 0) {                                                           \
            testPrintMem_("left ", a_, len_);                                                      \
            testPrintMem_("right", b_, len_);                                                      \
            TEST_FAIL_("%s == %s (%zu bytes)", #a, #b, len_);                                      \
        }                                                                                          \
    } while (0)

void testPrintMem_(const char *label, const void *p, size_t len);

/* Returns a buffer of `len` bytes holding a copy of `src` that ends exactly at an
 * unreadable guard page, so a parser that reads one byte too far crashes. Free it
 * with testGuardedFree(). */
char *testGuardedCopy(const void *src, size_t len);
void testGuardedFree(char *p, size_t len);

#endif
