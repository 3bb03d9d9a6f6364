/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Unit tests for str: header types at every size boundary, growth, length
 * adjustments, appending (including from itself), formatting, quoting,
 * ranges, shrinking, comparison, argument splitting and embedded strings.
 */
#include "test.h"

#include "str.h"

#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static int typeOf(const str s) {
    return (unsigned char)s[-1] & STR_TYPE_MASK;
}

/* Runs fn in a child process; 1 if the child died of SIGABRT. */
static int abortsIn(void (*fn)(void)) {
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        fn();
        _exit(0);
    }
    int status;
    waitpid(pid, &status, 0);
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

int test_str_new(void) {
    str s = strNew("hello");
    ASSERT_EQ(strLen(s), 5);
    ASSERT_EQ(strAvail(s), 0);
    ASSERT_STR_EQ(s, "hello");
    ASSERT_EQ(typeOf(s), STR_TYPE_TINY);
    ASSERT_EQ(strAllocSize(s), 1 + 5 + 1);

    str z = strNewLen(NULL, 10);
    ASSERT_EQ(strLen(z), 10);
    ASSERT_MEM_EQ(z, "\0\0\0\0\0\0\0\0\0\0\0", 11);

    str b = strNewLen("a\0b\0c", 5);
    ASSERT_EQ(strLen(b), 5);
    ASSERT_MEM_EQ(b, "a\0b\0c\0", 6);
    str d = strDup(b);
    ASSERT(d != b);
    ASSERT_EQ(strLen(d), 5);
    ASSERT_MEM_EQ(d, "a\0b\0c\0", 6);

    str e = strEmpty();
    ASSERT_EQ(strLen(e), 0);
    ASSERT_EQ(e[0], '\0');
    ASSERT_EQ(typeOf(e), STR_TYPE_8);

    /* A 16-byte key costs 18 bytes: fits a 24-byte allocation. */
    str k = strNew("0123456789abcdef");
    ASSERT_EQ(strAllocSize(k), 18);

    strFree(s);
    strFree(z);
    strFree(b);
    strFree(d);
    strFree(e);
    strFree(k);
    strFree(NULL);
    return 0;
}

int test_str_header_boundaries(void) {
    static const struct {
        size_t len;
        int type;
        size_t hdr;
    } cases[] = {
        {0, STR_TYPE_TINY, 1},   {31, STR_TYPE_TINY, 1}, {32, STR_TYPE_8, 3},
        {255, STR_TYPE_8, 3},    {256, STR_TYPE_16, 5},  {65535, STR_TYPE_16, 5},
        {65536, STR_TYPE_32, 9},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t len = cases[i].len;
        char *buf = malloc(len + 1);
        for (size_t j = 0; j < len; j++)
            buf[j] = (char)('a' + j % 26);
        str s = strNewLen(buf, len);
        ASSERT_EQ(typeOf(s), cases[i].type);
        ASSERT_EQ(strLen(s), len);
        ASSERT_EQ(s[len], '\0');
        ASSERT_MEM_EQ(s, buf, len);
        ASSERT_GE(strAllocSize(s), cases[i].hdr + len + 1);
        ASSERT_EQ(strAllocSize(s), cases[i].hdr + len + strAvail(s) + 1);
        if (cases[i].type == STR_TYPE_TINY) ASSERT_EQ(strAllocSize(s), len + 2);

        /* One more byte appended: same content, room for it, maybe a new type. */
        s = strCatLen(s, "!", 1);
        ASSERT_EQ(strLen(s), len + 1);
        ASSERT_MEM_EQ(s, buf, len);
        ASSERT_MEM_EQ(s + len, "!", 2);
        ASSERT_NE(typeOf(s), STR_TYPE_TINY);

        /* Shrinking back gives the smallest type for the length. */
        strSetLen(s, len);
        s = strRemoveFreeSpace(s);
        ASSERT_EQ(typeOf(s), cases[i].type);
        ASSERT_EQ(strLen(s), len);
        ASSERT_MEM_EQ(s, buf, len);
        ASSERT_EQ(s[len], '\0');

        size_t esize = strEmbedSize(len);
        ASSERT_EQ(esize, cases[i].hdr + len + 1);
        char *mem = malloc(esize);
        str e = strEmbed(mem, buf, len);
        ASSERT_EQ(typeOf(e), cases[i].type);
        ASSERT_EQ(e, mem + cases[i].hdr);
        ASSERT_EQ(strLen(e), len);
        ASSERT_EQ(strAvail(e), 0);
        ASSERT_MEM_EQ(e, buf, len);
        ASSERT_EQ(e[len], '\0');
        free(mem);
        strFree(s);
        free(buf);
    }
    return 0;
}

int test_str_growth(void) {
    /* Appending byte by byte across every header type up to 32-bit. */
    str s = strNew("");
    ASSERT_EQ(typeOf(s), STR_TYPE_TINY);
    for (size_t i = 0; i < 70000; i++) {
        char c = (char)('A' + i % 23);
        s = strCatLen(s, &c, 1);
        if (i + 1 == 32) ASSERT_NE(typeOf(s), STR_TYPE_TINY);
        if (i + 1 == 300) ASSERT_GE(typeOf(s), STR_TYPE_16);
        if (i + 1 == 70000) ASSERT_EQ(typeOf(s), STR_TYPE_32);
    }
    ASSERT_EQ(strLen(s), 70000);
    for (size_t i = 0; i < 70000; i++)
        if (s[i] != (char)('A' + i % 23)) ASSERT_EQ(i, -1);
    ASSERT_EQ(s[70000], '\0');
    strFree(s);

    /* Doubling below 1 MB. */
    s = strNewLen(NULL, 100);
    s = strMakeRoom(s, 10);
    ASSERT_GE(strAvail(s), 110 * 2 - 100);
    ASSERT_EQ(strLen(s), 100);
    /* Enough room already: nothing moves. */
    str same = strMakeRoom(s, strAvail(s));
    ASSERT(same == s);
    strFree(s);

    /* Linear (+1 MB) above it. */
    size_t big = 2 * 1024 * 1024;
    s = strNewLen(NULL, big);
    size_t slack = strAvail(s); /* what the allocator rounded up to */
    s = strMakeRoom(s, slack + 1);
    ASSERT_GE(strAvail(s), 1024 * 1024 + slack + 1);
    ASSERT_LT(strAvail(s), 2 * 1024 * 1024 + slack); /* doubling would give more */
    strFree(s);

    /* Exact growth. */
    s = strNew("abc");
    s = strMakeRoomExact(s, 1000);
    ASSERT_GE(strAvail(s), 1000);
    ASSERT_LT(strAvail(s), 1100);
    ASSERT_STR_EQ(s, "abc");
    strFree(s);
    return 0;
}

static void incrPastCapacity(void) {
    str s = strEmpty();
    s = strMakeRoomExact(s, 10);
    strIncrLen(s, (long long)strAvail(s) + 1);
}

static void decrPastStart(void) {
    str s = strNew("abc");
    strIncrLen(s, -4);
}

static void setLenPastCapacity(void) {
    str s = strNew("abc");
    strSetLen(s, 4);
}

int test_str_incr_len(void) {
    str s = strNew("ab");
    s = strMakeRoom(s, 10);
    memcpy(s + 2, "cdef", 4);
    strIncrLen(s, 4);
    ASSERT_EQ(strLen(s), 6);
    ASSERT_STR_EQ(s, "abcdef");
    strIncrLen(s, -2);
    ASSERT_STR_EQ(s, "abcd");
    strSetLen(s, 1);
    ASSERT_STR_EQ(s, "a");
    strClear(s);
    ASSERT_EQ(strLen(s), 0);
    ASSERT_EQ(s[0], '\0');
    strFree(s);

    /* A tiny string can shrink in place. */
    s = strNew("hello");
    strIncrLen(s, -5);
    ASSERT_EQ(strLen(s), 0);
    strFree(s);

    ASSERT(abortsIn(incrPastCapacity));
    ASSERT(abortsIn(decrPastStart));
    ASSERT(abortsIn(setLenPastCapacity));
    return 0;
}

int test_str_cat(void) {
    str s = strNew("foo");
    s = strCat(s, "bar");
    ASSERT_STR_EQ(s, "foobar");
    str t = strNewLen("\0x", 2);
    s = strCatStr(s, t);
    ASSERT_EQ(strLen(s), 8);
    ASSERT_MEM_EQ(s, "foobar\0x", 9);
    strFree(t);

    /* Appending a string to itself, including across reallocation. */
    strFree(s);
    s = strNew("0123456789");
    for (int i = 0; i < 12; i++)
        s = strCatStr(s, s);
    ASSERT_EQ(strLen(s), 10 << 12);
    for (size_t i = 0; i < strLen(s); i++)
        if (s[i] != (char)('0' + i % 10)) ASSERT_EQ(i, -1);
    s = strCatLen(s, s + 5, 3);
    ASSERT_MEM_EQ(s + (10 << 12), "567", 4);
    strFree(s);
    return 0;
}

int test_str_cat_fmt(void) {
    str s = strNew("n=");
    s = strCatFmt(s, "%d,%s,%lld", 42, "x", -9223372036854775807LL - 1);
    ASSERT_STR_EQ(s, "n=42,x,-9223372036854775808");

    char longarg[3000];
    memset(longarg, 'z', sizeof(longarg) - 1);
    longarg[sizeof(longarg) - 1] = '\0';
    s = strCatFmt(s, "[%s]", longarg);
    ASSERT_EQ(strLen(s), 27 + 2 + 2999);
    ASSERT_EQ(s[27], '[');
    ASSERT_EQ(s[27 + 1 + 2999], ']');
    ASSERT_EQ(s[strLen(s)], '\0');

    str e = strCatFmt(strEmpty(), "%s", "");
    ASSERT_EQ(strLen(e), 0);
    strFree(e);
    strFree(s);
    return 0;
}

int test_str_cat_repr(void) {
    str s = strCatRepr(strEmpty(), "a\"b\\c\n\r\t\a\b\x01\x7f\xff ~", 15);
    ASSERT_STR_EQ(s, "\"a\\\"b\\\\c\\n\\r\\t\\a\\b\\x01\\x7f\\xff ~\"");
    strFree(s);

    s = strCatRepr(strNew("pre:"), "", 0);
    ASSERT_STR_EQ(s, "pre:\"\"");
    strFree(s);

    /* Every byte value survives repr followed by strSplitArgs. */
    char all[256];
    for (int i = 0; i < 256; i++)
        all[i] = (char)i;
    s = strCatRepr(strEmpty(), all, sizeof(all));
    int argc;
    str *argv = strSplitArgs(s, &argc);
    ASSERT(argv != NULL);
    ASSERT_EQ(argc, 1);
    ASSERT_EQ(strLen(argv[0]), 256);
    ASSERT_MEM_EQ(argv[0], all, 256);
    strFreeSplit(argv, argc);
    strFree(s);
    return 0;
}

int test_str_grow_zero(void) {
    str s = strNew("ab");
    s = strGrowZero(s, 40);
    ASSERT_EQ(strLen(s), 40);
    ASSERT_MEM_EQ(s, "ab\0\0\0\0", 6);
    for (int i = 2; i <= 40; i++)
        ASSERT_EQ(s[i], 0);
    s = strGrowZero(s, 10);
    ASSERT_EQ(strLen(s), 40);
    strFree(s);
    return 0;
}

static int rangeIs(long long start, long long end, const char *want) {
    str s = strNew("hello world");
    strRange(s, start, end);
    int ok = strLen(s) == strlen(want) && strcmp(s, want) == 0;
    if (!ok) fprintf(stderr, "  range(%lld, %lld) = \"%s\", want \"%s\"\n", start, end, s, want);
    strFree(s);
    return ok;
}

int test_str_range(void) {
    ASSERT(rangeIs(0, -1, "hello world"));
    ASSERT(rangeIs(0, 4, "hello"));
    ASSERT(rangeIs(6, -1, "world"));
    ASSERT(rangeIs(-5, -1, "world"));
    ASSERT(rangeIs(1, -2, "ello worl"));
    ASSERT(rangeIs(3, 3, "l"));
    ASSERT(rangeIs(5, 2, ""));
    ASSERT(rangeIs(11, 20, ""));
    ASSERT(rangeIs(100, 200, ""));
    ASSERT(rangeIs(-100, 1, "he"));
    ASSERT(rangeIs(0, 100, "hello world"));
    ASSERT(rangeIs(0, -100, ""));
    ASSERT(rangeIs(-1, -1, "d"));
    ASSERT(rangeIs(-100, -100, ""));
    ASSERT(rangeIs(-9223372036854775807LL - 1, 9223372036854775807LL, "hello world"));

    str e = strEmpty();
    strRange(e, 0, -1);
    ASSERT_EQ(strLen(e), 0);
    strRange(e, 1, 5);
    ASSERT_EQ(strLen(e), 0);
    strFree(e);

    /* A longer string keeps its header and capacity. */
    str s = strNewLen(NULL, 1000);
    memset(s, 'x', 1000);
    s[500] = 'y';
    strRange(s, 500, 502);
    ASSERT_STR_EQ(s, "yxx");
    ASSERT_GE(strAvail(s), 997);
    strFree(s);
    return 0;
}

int test_str_remove_free_space(void) {
    str s = strEmpty();
    s = strCat(s, "short");
    s = strMakeRoom(s, 5000);
    ASSERT_GE(strAvail(s), 5000);
    s = strRemoveFreeSpace(s);
    ASSERT_EQ(typeOf(s), STR_TYPE_TINY);
    ASSERT_EQ(strAvail(s), 0);
    ASSERT_EQ(strAllocSize(s), 7);
    ASSERT_STR_EQ(s, "short");
    strFree(s);

    s = strNewLen(NULL, 300);
    memset(s, 'q', 300);
    s = strMakeRoom(s, 100000);
    ASSERT_EQ(typeOf(s), STR_TYPE_32);
    s = strRemoveFreeSpace(s);
    ASSERT_EQ(typeOf(s), STR_TYPE_16);
    ASSERT_EQ(strLen(s), 300);
    ASSERT_LT(strAllocSize(s), 400);
    ASSERT_EQ(s[299], 'q');
    ASSERT_EQ(s[300], '\0');
    strFree(s);
    return 0;
}

int test_str_lower_cmp(void) {
    str s = strNewLen("HeLLo\xC1 W0rld\0Z", 14);
    strToLower(s);
    ASSERT_MEM_EQ(s, "hello\xC1 w0rld\0z", 15);
    strFree(s);

    str a = strNew("abc"), b = strNew("abd"), c = strNew("ab"), d = strNew("abc");
    str hi = strNew("\xff"), lo = strNew("\x01");
    ASSERT_LT(strCmp(a, b), 0);
    ASSERT_GT(strCmp(b, a), 0);
    ASSERT_GT(strCmp(a, c), 0);
    ASSERT_LT(strCmp(c, a), 0);
    ASSERT_EQ(strCmp(a, d), 0);
    ASSERT_GT(strCmp(hi, lo), 0); /* unsigned byte order */
    str e1 = strEmpty(), e2 = strNew("");
    ASSERT_EQ(strCmp(e1, e2), 0);
    ASSERT_LT(strCmp(e1, a), 0);
    strFree(a);
    strFree(b);
    strFree(c);
    strFree(d);
    strFree(hi);
    strFree(lo);
    strFree(e1);
    strFree(e2);
    return 0;
}

/* Splits line (read from a copy ending at a guard page) and compares with the
 * expected arguments; want == NULL expects a parse error. */
static int splitIs(const char *line, int want_argc, const char *const *want, const size_t *lens) {
    size_t len = strlen(line) + 1;
    char *copy = testGuardedCopy(line, len);
    int argc = -1;
    str *argv = strSplitArgs(copy, &argc);
    int ok = 1;
    if (want_argc < 0) {
        ok = argv == NULL && argc == 0;
    } else if (!argv || argc != want_argc) {
        ok = 0;
    } else {
        for (int i = 0; i < argc; i++) {
            size_t wl = lens ? lens[i] : strlen(want[i]);
            if (strLen(argv[i]) != wl || memcmp(argv[i], want[i], wl) != 0) ok = 0;
        }
    }
    if (!ok) fprintf(stderr, "  split failed for [%s] (argc %d)\n", line, argc);
    strFreeSplit(argv, argc);
    testGuardedFree(copy, len);
    return ok;
}

#define SPLIT_OK(line, ...)                                                                        \
    do {                                                                                           \
        static const char *const want_[] = {__VA_ARGS__};                                          \
        ASSERT(splitIs(line, (int)(sizeof(want_) / sizeof(want_[0])), want_, NULL));               \
    } while (0)
#define SPLIT_ERR(line) ASSERT(splitIs(line, -1, NULL, NULL))

int test_str_split_args(void) {
    ASSERT(splitIs("", 0, NULL, NULL));
    ASSERT(splitIs("   \t\r\n ", 0, NULL, NULL));
    SPLIT_OK("set key value", "set", "key", "value");
    SPLIT_OK("  lead  and\ttrail \n", "lead", "and", "trail");
    SPLIT_OK("a\"b c\" d", "ab c", "d");
    SPLIT_OK("a'b c'", "ab c");
    SPLIT_OK("set \"foo bar\" 'it\\'s'", "set", "foo bar", "it's");
    SPLIT_OK("\"\\x41\\x4a\\n\\r\\t\\a\\b\\\\\\\"\\q\"", "AJ\n\r\t\a\b\\\"q");
    SPLIT_OK("\"\\xZZ\\x4\"", "xZZx4");
    SPLIT_OK("'a\\b\\n\"c'", "a\\b\\n\"c");
    SPLIT_OK("\"\" ''", "", "");
    SPLIT_OK("\"x\"\t'y'", "x", "y");
    SPLIT_OK("back\\slash", "back\\slash");
    {
        static const char *const want[] = {"\xff\0z"};
        static const size_t lens[] = {3};
        ASSERT(splitIs("\"\\xff\\x00z\"", 1, want, lens));
    }
    SPLIT_ERR("\"unbalanced");
    SPLIT_ERR("ok 'unbalanced");
    SPLIT_ERR("\"closed\"x");
    SPLIT_ERR("a\"b c\"d");
    SPLIT_ERR("'closed'x");
    SPLIT_ERR("\"ends with backslash\\");
    SPLIT_ERR("'\\'");
    SPLIT_ERR("a b c \"");
    return 0;
}

int test_str_split_many(void) {
    str line = strEmpty();
    for (int i = 0; i < 1000; i++)
        line = strCatFmt(line, "arg%d ", i);
    int argc;
    str *argv = strSplitArgs(line, &argc);
    ASSERT(argv != NULL);
    ASSERT_EQ(argc, 1000);
    for (int i = 0; i < argc; i++) {
        char want[16];
        snprintf(want, sizeof(want), "arg%d", i);
        ASSERT_STR_EQ(argv[i], want);
    }
    strFreeSplit(argv, argc);
    strFreeSplit(NULL, 0);
    strFree(line);
    return 0;
}

int test_str_embed(void) {
    ASSERT_EQ(strEmbedSize(0), 2);
    ASSERT_EQ(strEmbedSize(16), 18);
    ASSERT_EQ(strEmbedSize(44), 48); /* 16-byte object + 48 = 64 */
    union {
        char bytes[64];
        uint64_t align;
    } mem;
    memset(mem.bytes, 0x55, sizeof(mem.bytes));
    str s = strEmbed(mem.bytes, "embedded", 8);
    ASSERT_EQ(s, mem.bytes + 1);
    ASSERT_STR_EQ(s, "embedded");
    ASSERT_EQ(strLen(s), 8);
    ASSERT_EQ((unsigned char)mem.bytes[10], 0x55); /* nothing written past the NUL */

    const char *longer = "0123456789012345678901234567890123456789abcd";
    s = strEmbed(mem.bytes, longer, 44);
    ASSERT_EQ(strLen(s), 44);
    ASSERT_EQ(typeOf(s), STR_TYPE_8);
    ASSERT_STR_EQ(s, longer);
    /* Usable as an ordinary read-only str. */
    str copy = strDup(s);
    ASSERT_EQ(strCmp(copy, s), 0);
    strFree(copy);
    return 0;
}
