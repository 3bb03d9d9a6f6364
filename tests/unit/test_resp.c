/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Unit tests for resp.c: request parsing (multibulk, inline, every protocol
 * error, resumption at any byte boundary, argument-array growth, rebasing) and
 * header encoding. Every parser call sees its input through testGuardedCopy(),
 * so reading one byte past `len` crashes the case. The expected behaviour is
 * redis-server 7.0's, checked against it by hand for each quirk tested here.
 */
#include "test.h"

#include "alloc.h"
#include "resp.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>

#define S(lit) lit, sizeof(lit) - 1

static const respLimits default_limits = {512LL * 1024 * 1024, 64 * 1024};

/* --- Harness -----------------------------------------------------------------
 * feedInput() plays the caller: it appends the input chunk by chunk to a
 * buffer, parses every complete command after each chunk (growing the args
 * array on RESP_NEED_ARGS), optionally compacts the buffer with
 * respParserRebase between chunks, and records each command as
 * "*<argc>\n" followed by "$<len>\n<bytes>\n" per argument. */

enum { FEED_WHOLE, FEED_BYTES, FEED_RANDOM };

typedef struct {
    char *out;
    size_t out_len, out_cap;
    int commands;
    respStatus status;      /* RESP_INCOMPLETE when the input ran out without an error */
    unsigned char bad_byte; /* for RESP_ERR_EXPECTED_DOLLAR */
    size_t consumed;        /* input bytes before the first one of an unfinished command */
    int pending_argc;       /* args stored for the unfinished command */
} feedResult;

static uint64_t rngNext(uint64_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void outAppend(feedResult *r, const void *p, size_t n) {
    if (r->out_len + n > r->out_cap) {
        r->out_cap = (r->out_len + n) * 2 + 64;
        r->out = lrealloc(r->out, r->out_cap);
    }
    memcpy(r->out + r->out_len, p, n);
    r->out_len += n;
}

static void outNumber(feedResult *r, char prefix, size_t n) {
    char tmp[32];
    int k = snprintf(tmp, sizeof(tmp), "%c%zu\n", prefix, n);
    outAppend(r, tmp, (size_t)k);
}

static void feedResultFree(feedResult *r) {
    lfree(r->out);
    memset(r, 0, sizeof(*r));
}

/* Size of the next chunk: whole, one byte, or random (mostly small). */
static size_t nextChunk(int mode, uint64_t *rng, size_t left) {
    if (mode == FEED_WHOLE) return left;
    if (mode == FEED_BYTES || left == 1) return 1;
    uint64_t x = rngNext(rng);
    size_t most = (x & 3) == 0 ? left : (left < 8 ? left : 8);
    return 1 + (size_t)((x >> 2) % most);
}

/* Parses everything in data[0..*len) through a guarded copy. */
static int parseBuffered(respParser *p, char *data, size_t len, respArg **args, int *cap,
                         const respLimits *lim, feedResult *r, respStatus *st_out) {
    for (;;) {
        char *g = testGuardedCopy(data, len);
        int argc = -1;
        respStatus st = respParseCommand(p, g, len, *args, *cap, &argc, lim);
        if (len) memcpy(data, g, len); /* inline requests are unescaped in place */
        testGuardedFree(g, len);
        if (st == RESP_COMMAND) {
            ASSERT_EQ(p->argc, 0);
            ASSERT_EQ(p->cmd_start, p->pos);
            ASSERT_GE(argc, 0);
            ASSERT_LE(p->pos, len);
            outNumber(r, '*', (size_t)argc);
            for (int i = 0; i < argc; i++) {
                /* The byte after each argument belongs to the command. */
                ASSERT_LT((*args)[i].off + (*args)[i].len, p->pos);
                outNumber(r, '$', (*args)[i].len);
                outAppend(r, data + (*args)[i].off, (*args)[i].len);
                outAppend(r, "\n", 1);
            }
            r->commands++;
            continue;
        }
        ASSERT_EQ(argc, p->argc);
        if (st == RESP_NEED_ARGS) {
            ASSERT_EQ(argc, *cap);
            *cap = *cap ? *cap * 2 : 1;
            *args = lrealloc(*args, (size_t)*cap * sizeof(**args));
            continue;
        }
        *st_out = st;
        return 0;
    }
}

static int feedInput(const char *in, size_t in_len, int mode, uint64_t seed, int compact,
                     int args_cap, const respLimits *lim, feedResult *r) {
    memset(r, 0, sizeof(*r));
    respParser p;
    respParserInit(&p);
    char *data = lmalloc(in_len + 1);
    size_t len = 0, base = 0, fed = 0;
    respArg *args = lmalloc(sizeof(*args) * (size_t)(args_cap ? args_cap : 1));
    uint64_t rng = seed | 1;
    respStatus st = RESP_INCOMPLETE;
    int failed = 0;
    do {
        size_t chunk = in_len ? nextChunk(mode, &rng, in_len - fed) : 0;
        memcpy(data + len, in + fed, chunk);
        len += chunk;
        fed += chunk;
        if (parseBuffered(&p, data, len, &args, &args_cap, lim, r, &st)) {
            failed = 1;
            break;
        }
        if (st != RESP_INCOMPLETE) break;
        if (compact && p.cmd_start > 0) {
            size_t shift = p.cmd_start;
            memmove(data, data + shift, len - shift);
            len -= shift;
            base += shift;
            for (int i = 0; i < p.argc; i++)
                args[i].off -= shift;
            respParserRebase(&p, shift);
        }
    } while (fed < in_len);
    r->status = st;
    r->bad_byte = p.bad_byte;
    r->consumed = base + p.cmd_start;
    r->pending_argc = p.argc;
    lfree(data);
    lfree(args);
    return failed;
}

static int sameResult(const feedResult *a, const feedResult *b) {
    ASSERT_EQ(a->status, b->status);
    ASSERT_EQ(a->commands, b->commands);
    ASSERT_EQ(a->out_len, b->out_len);
    ASSERT_MEM_EQ(a->out, b->out, a->out_len);
    if (a->status == RESP_INCOMPLETE) {
        ASSERT_EQ(a->consumed, b->consumed);
        ASSERT_EQ(a->pending_argc, b->pending_argc);
    }
    if (a->status == RESP_ERR_EXPECTED_DOLLAR) ASSERT_EQ(a->bad_byte, b->bad_byte);
    return 0;
}

/* Parses `in` whole and checks the commands, the final status and how much
 * was consumed. */
static int expectParse(const char *in, size_t in_len, const char *out, size_t out_len,
                       respStatus status, const respLimits *lim) {
    feedResult r;
    if (feedInput(in, in_len, FEED_WHOLE, 0, 0, 4, lim, &r)) return 1;
    if (r.status != status || r.out_len != out_len || memcmp(r.out, out, out_len) != 0) {
        testPrintMem_("input   ", in, in_len);
        testPrintMem_("got     ", r.out, r.out_len);
        testPrintMem_("expected", out, out_len);
        fprintf(stderr, "  status %d, expected %d\n", (int)r.status, (int)status);
        feedResultFree(&r);
        return 1;
    }
    feedResultFree(&r);
    return 0;
}

/* Runs one parser call on a guarded copy of `in`; returns the status. */
static respStatus parseOnce(respParser *p, const char *in, size_t len, respArg *args, int cap,
                            int *argc, const respLimits *lim) {
    char *g = testGuardedCopy(in, len);
    respStatus st = respParseCommand(p, g, len, args, cap, argc, lim);
    testGuardedFree(g, len);
    return st;
}

static respStatus statusOf(const char *in, size_t len, const respLimits *lim) {
    feedResult r;
    if (feedInput(in, len, FEED_WHOLE, 0, 0, 4, lim, &r)) return (respStatus)-1;
    respStatus st = r.status;
    feedResultFree(&r);
    return st;
}

/* --- Valid requests: whole, byte by byte, random splits ---------------------- */

typedef struct {
    const char *in;
    size_t in_len;
    const char *out;
    size_t out_len;
} validCase;

#define V(in, out)                                                                                 \
    { in, sizeof(in) - 1, out, sizeof(out) - 1 }

static const validCase valid_cases[] = {
    V("*1\r\n$4\r\nPING\r\n", "*1\n$4\nPING\n"),
    V("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nvalue\r\n", "*3\n$3\nSET\n$1\nk\n$5\nvalue\n"),
    V("*2\r\n$3\r\nGET\r\n$0\r\n\r\n", "*2\n$3\nGET\n$0\n\n"),
    V("*2\r\n$4\r\nECHO\r\n$12\r\nhello world!\r\n", "*2\n$4\nECHO\n$12\nhello world!\n"),
    V("*0\r\n", "*0\n"),
    V("*-1\r\n", "*0\n"),
    V("*-9223372036854775808\r\n", "*0\n"),
    /* Binary data: CRLF, NUL, protocol characters inside a bulk. */
    V("*2\r\n$4\r\nECHO\r\n$9\r\na\r\n\0\r*$\nb\r\n", "*2\n$4\nECHO\n$9\na\r\n\0\r*$\nb\n"),
    /* Redis skips the byte after a length line's '\r' and the two bytes after
     * bulk data without looking at them. */
    V("*1\rX$4\rYPINGxy", "*1\n$4\nPING\n"),
    V("*1\r\r$4\r\nPING\r\n", "*1\n$4\nPING\n"),
    V("*2\r\n$1\r\naXY$1\r\nc\r\n", "*2\n$1\na\n$1\nc\n"),
    V("*1\r\n$1\r\nPING\r\n", "*1\n$1\nP\n*1\n$1\nG\n"),
    V("PING\r\n", "*1\n$4\nPING\n"),
    V("PING\n", "*1\n$4\nPING\n"),
    V("SET k v\r\n", "*3\n$3\nSET\n$1\nk\n$1\nv\n"),
    V("  SET   k\t v  \r\n", "*3\n$3\nSET\n$1\nk\n$1\nv\n"),
    V("\r\n", "*0\n"),
    V("\n", "*0\n"),
    V(" \t\v\f\r\n", "*0\n"),
    V("\r\n\n   \r\nPING\n", "*0\n*0\n*0\n*1\n$4\nPING\n"),
    V("ECHO \"a\\x41\\x4g\\n\\r\\t\\b\\a\\\\\\\"\\z\"\r\n",
      "*2\n$4\nECHO\n$13\naAx4g\n\r\t\b\a\\\"z\n"),
    V("ECHO \"\\xff\\x00z\\xFf\"\n", "*2\n$4\nECHO\n$4\n\xff\0z\xff\n"),
    V("ECHO \"a\\x4\"\r\n", "*2\n$4\nECHO\n$3\nax4\n"),
    V("ECHO 'a\\'b\\\\c\\nd'\r\n", "*2\n$4\nECHO\n$9\na'b\\\\c\\nd\n"),
    V("ECHO '\\\\''\n", "*2\n$4\nECHO\n$2\n\\'\n"),
    V("ECHO a\"b c\"\r\n", "*2\n$4\nECHO\n$4\nab c\n"),
    V("ECHO \"\" ''\r\n", "*3\n$4\nECHO\n$0\n\n$0\n\n"),
    V("ECHO \"abc\"\v\r\n", "*2\n$4\nECHO\n$3\nabc\n"),
    V("ECHO a\vb\n", "*2\n$4\nECHO\n$3\na\vb\n"),
    V("\vECHO ab\r\n", "*2\n$4\nECHO\n$2\nab\n"),
    V("ECHO \"a\"\f\"b\"\n", "*3\n$4\nECHO\n$1\na\n$1\nb\n"),
    V("ECHO abc\r\r\n", "*2\n$4\nECHO\n$3\nabc\n"),
    V("ECHO \"abc\"\r\r\n", "*2\n$4\nECHO\n$3\nabc\n"),
    V("ECHO \"abc\r\"\r\n", "*2\n$4\nECHO\n$4\nabc\r\n"),
    V("ECHO a\rb\n", "*3\n$4\nECHO\n$1\na\n$1\nb\n"),
    V("ECHO \xff\xfe\n", "*2\n$4\nECHO\n$2\n\xff\xfe\n"),
    V("*2\r\n$3\r\nGET\r\n$1\r\nk\r\nPING\r\n*0\r\n", "*2\n$3\nGET\n$1\nk\n*1\n$4\nPING\n*0\n"),
};

#define NUM_VALID (sizeof(valid_cases) / sizeof(valid_cases[0]))

static int checkValidCase(const validCase *c, int mode, uint64_t seed, int compact) {
    feedResult r;
    if (feedInput(c->in, c->in_len, mode, seed, compact, 1, &default_limits, &r)) return 1;
    int bad = r.status != RESP_INCOMPLETE || r.consumed != c->in_len || r.pending_argc != 0 ||
              r.out_len != c->out_len || memcmp(r.out, c->out, c->out_len) != 0;
    if (bad) {
        testPrintMem_("input   ", c->in, c->in_len);
        testPrintMem_("got     ", r.out, r.out_len);
        testPrintMem_("expected", c->out, c->out_len);
        fprintf(stderr, "  mode %d seed %llu: status %d consumed %zu of %zu\n", mode,
                (unsigned long long)seed, (int)r.status, r.consumed, c->in_len);
    }
    feedResultFree(&r);
    return bad;
}

int test_resp_valid_whole(void) {
    for (size_t i = 0; i < NUM_VALID; i++)
        ASSERT_EQ(checkValidCase(&valid_cases[i], FEED_WHOLE, 0, 0), 0);
    return 0;
}

int test_resp_valid_bytewise(void) {
    for (size_t i = 0; i < NUM_VALID; i++) {
        ASSERT_EQ(checkValidCase(&valid_cases[i], FEED_BYTES, 0, 0), 0);
        ASSERT_EQ(checkValidCase(&valid_cases[i], FEED_BYTES, 0, 1), 0);
    }
    return 0;
}

int test_resp_valid_random_splits(void) {
    for (size_t i = 0; i < NUM_VALID; i++)
        for (uint64_t seed = 1; seed <= 40; seed++)
            ASSERT_EQ(checkValidCase(&valid_cases[i], FEED_RANDOM, seed * 7919 + i, seed & 1), 0);
    return 0;
}

/* All valid cases back to back, then the whole stream split every way. */
int test_resp_pipeline(void) {
    size_t in_len = 0, out_len = 0;
    for (int rep = 0; rep < 30; rep++)
        for (size_t i = 0; i < NUM_VALID; i++) {
            in_len += valid_cases[i].in_len;
            out_len += valid_cases[i].out_len;
        }
    char *in = lmalloc(in_len), *out = lmalloc(out_len);
    size_t ip = 0, op = 0;
    for (int rep = 0; rep < 30; rep++)
        for (size_t i = 0; i < NUM_VALID; i++) {
            memcpy(in + ip, valid_cases[i].in, valid_cases[i].in_len);
            memcpy(out + op, valid_cases[i].out, valid_cases[i].out_len);
            ip += valid_cases[i].in_len;
            op += valid_cases[i].out_len;
        }
    feedResult whole;
    ASSERT_EQ(feedInput(in, in_len, FEED_WHOLE, 0, 0, 1, &default_limits, &whole), 0);
    ASSERT_EQ(whole.status, RESP_INCOMPLETE);
    ASSERT_EQ(whole.consumed, in_len);
    ASSERT_EQ(whole.out_len, out_len);
    ASSERT_MEM_EQ(whole.out, out, out_len);
    for (uint64_t seed = 1; seed <= 5; seed++) {
        feedResult split;
        ASSERT_EQ(
            feedInput(in, in_len, FEED_RANDOM, seed, (int)(seed & 1), 2, &default_limits, &split),
            0);
        ASSERT_EQ(sameResult(&whole, &split), 0);
        feedResultFree(&split);
    }
    feedResult bytes;
    ASSERT_EQ(feedInput(in, in_len, FEED_BYTES, 0, 1, 1, &default_limits, &bytes), 0);
    ASSERT_EQ(sameResult(&whole, &bytes), 0);
    feedResultFree(&bytes);
    feedResultFree(&whole);
    lfree(in);
    lfree(out);
    return 0;
}

/* Many small commands in one buffer, all parsed from a single read. */
int test_resp_pipeline_many(void) {
    enum { N = 2000 };
    char *in = lmalloc(N * 40);
    size_t len = 0;
    for (int i = 0; i < N; i++) {
        char key[16];
        int klen = snprintf(key, sizeof(key), "key:%d", i);
        if (i % 3 == 2)
            len += (size_t)sprintf(in + len, "GET %s\r\n", key);
        else
            len += (size_t)sprintf(in + len, "*2\r\n$3\r\nGET\r\n$%d\r\n%s\r\n", klen, key);
    }
    char *g = testGuardedCopy(in, len);
    respParser p;
    respParserInit(&p);
    respArg args[4];
    for (int i = 0; i < N; i++) {
        int argc;
        ASSERT_EQ(respParseCommand(&p, g, len, args, 4, &argc, &default_limits), RESP_COMMAND);
        ASSERT_EQ(argc, 2);
        char key[16];
        int klen = snprintf(key, sizeof(key), "key:%d", i);
        ASSERT_EQ(args[0].len, 3);
        ASSERT_MEM_EQ(g + args[0].off, "GET", 3);
        ASSERT_EQ(args[1].len, (size_t)klen);
        ASSERT_MEM_EQ(g + args[1].off, key, (size_t)klen);
    }
    int argc;
    ASSERT_EQ(respParseCommand(&p, g, len, args, 4, &argc, &default_limits), RESP_INCOMPLETE);
    ASSERT_EQ(argc, 0);
    ASSERT_EQ(p.pos, len);
    testGuardedFree(g, len);
    lfree(in);
    return 0;
}

/* --- Multibulk count ---------------------------------------------------------- */

int test_resp_multibulk_len_errors(void) {
    static const struct {
        const char *in;
        size_t len;
    } bad[] = {
        {S("*\r\n")},
        {S("*-0\r\n")},
        {S("*01\r\n")},
        {S("*+1\r\n")},
        {S("* 1\r\n")},
        {S("*1 \r\n")},
        {S("*1x\r\n")},
        {S("*2147483648\r\n")},
        {S("*9223372036854775807\r\n")},
        {S("*9223372036854775808\r\n")},
        {S("*-9223372036854775809\r\n")},
        {S("*99999999999999999999\r\n")},
        {S("*100000000000000000000\r\n")},
        {S("*--1\r\n")},
        {S("*-\r\n")},
        {S("*1\n\n$4\r\nPING\r\n")}, /* the '\r' found is the one after "$4" */
    };
    char buf[128];
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ASSERT_EQ(statusOf(bad[i].in, bad[i].len, &default_limits), RESP_ERR_MULTIBULK_LEN);
        /* The same error after a valid command, at any split. */
        char in[96];
        size_t n = (size_t)snprintf(in, sizeof(in), "*1\r\n$4\r\nPING\r\n");
        memcpy(in + n, bad[i].in, bad[i].len);
        feedResult r;
        ASSERT_EQ(feedInput(in, n + bad[i].len, FEED_BYTES, 0, 1, 1, &default_limits, &r), 0);
        ASSERT_EQ(r.status, RESP_ERR_MULTIBULK_LEN);
        ASSERT_EQ(r.commands, 1);
        feedResultFree(&r);
    }
    respParser p;
    respParserInit(&p);
    ASSERT_STR_EQ(respErrorText(&p, RESP_ERR_MULTIBULK_LEN, buf, sizeof(buf)),
                  "Protocol error: invalid multibulk length");
    return 0;
}

/* Reference for length lines: "0", or an optional '-' then a digit 1-9 then
 * digits, fitting in a long long (strtoll alone accepts too much). */
static int referenceLength(const char *s, long long *v) {
    const char *d = s[0] == '-' ? s + 1 : s;
    if (strcmp(s, "0") != 0 && (d[0] < '1' || d[0] > '9')) return 0;
    for (const char *c = d; *c; c++)
        if (*c < '0' || *c > '9') return 0;
    errno = 0;
    *v = strtoll(s, NULL, 10);
    return errno == 0;
}

/* Multibulk counts and bulk lengths of every shape, both as "*<s>" and "$<s>",
 * against the reference, whole and byte by byte. */
int test_resp_length_lines(void) {
    static const char *fixed[] = {"0",
                                  "00",
                                  "-0",
                                  "1",
                                  "01",
                                  "-1",
                                  "9",
                                  "10",
                                  "2147483647",
                                  "2147483648",
                                  "-2147483648",
                                  "-2147483649",
                                  "99",
                                  "100",
                                  "1000",
                                  "1001",
                                  "999999999999999999",
                                  "1000000000000000000",
                                  "9999999999999999999",
                                  "9223372036854775807",
                                  "9223372036854775808",
                                  "-9223372036854775808",
                                  "-9223372036854775809",
                                  "18446744073709551615",
                                  "18446744073709551616",
                                  "99999999999999999999",
                                  "000000000000000000001",
                                  "",
                                  "-",
                                  "+1",
                                  "1-",
                                  "1a",
                                  " 1",
                                  "1 ",
                                  "12345678901234567890123",
                                  "-00",
                                  "536870912",
                                  "536870913"};
    respLimits lim = {536870912, 64 * 1024};
    uint64_t rng = 12345;
    for (int i = 0; i < 2000 + (int)(sizeof(fixed) / sizeof(fixed[0])); i++) {
        char s[32];
        if (i < (int)(sizeof(fixed) / sizeof(fixed[0]))) {
            snprintf(s, sizeof(s), "%s", fixed[i]);
        } else {
            uint64_t x = rngNext(&rng);
            size_t n = 0, digits = 1 + x % 21;
            if ((x >> 8) % 4 == 0) s[n++] = '-';
            for (size_t k = 0; k < digits; k++) {
                x = rngNext(&rng);
                s[n++] = (char)((x >> 10) % 4 == 0 && k == 0 ? '0' : '0' + x % 10);
            }
            s[n] = 0;
        }
        long long v = 0;
        int ok = referenceLength(s, &v);
        char in[64];
        /* Multibulk count. */
        size_t len = (size_t)snprintf(in, sizeof(in), "*%s\r\n", s);
        respStatus want = !ok || v > INT_MAX ? RESP_ERR_MULTIBULK_LEN : RESP_INCOMPLETE;
        feedResult r;
        for (int mode = FEED_WHOLE; mode <= FEED_BYTES; mode++) {
            ASSERT_EQ(feedInput(in, len, mode, 0, 1, 1, &lim, &r), 0);
            if (r.status != want) fprintf(stderr, "  count \"%s\"\n", s);
            ASSERT_EQ(r.status, want);
            ASSERT_EQ(r.commands, ok && v <= 0 ? 1 : 0);
            feedResultFree(&r);
        }
        /* Bulk length. */
        len = (size_t)snprintf(in, sizeof(in), "*1\r\n$%s\r\n", s);
        want = !ok || v < 0 || v > lim.max_bulk_len ? RESP_ERR_BULK_LEN : RESP_INCOMPLETE;
        for (int mode = FEED_WHOLE; mode <= FEED_BYTES; mode++) {
            ASSERT_EQ(feedInput(in, len, mode, 0, 1, 1, &lim, &r), 0);
            if (r.status != want) fprintf(stderr, "  length \"%s\"\n", s);
            ASSERT_EQ(r.status, want);
            ASSERT_EQ(r.commands, 0);
            feedResultFree(&r);
        }
    }
    return 0;
}

int test_resp_multibulk_int_max(void) {
    respParser p;
    respParserInit(&p);
    respArg args[2];
    int argc;
    ASSERT_EQ(parseOnce(&p, S("*2147483647\r\n"), args, 2, &argc, &default_limits),
              RESP_INCOMPLETE);
    ASSERT_EQ(p.multibulk, INT_MAX);
    ASSERT_EQ(p.pos, 13);
    ASSERT_EQ(argc, 0);
    ASSERT_EQ(respBytesWanted(&p), 0);
    /* The bulks keep coming. */
    ASSERT_EQ(parseOnce(&p, S("*2147483647\r\n$1\r\na\r\n$2\r\n"), args, 2, &argc, &default_limits),
              RESP_INCOMPLETE);
    ASSERT_EQ(argc, 1);
    ASSERT_EQ(p.multibulk, INT_MAX - 1);
    ASSERT_EQ(p.bulk_len, 2);
    return 0;
}

int test_resp_empty_commands(void) {
    ASSERT_EQ(expectParse(S("*0\r\n*-1\r\n*-2147483649\r\n\r\n \n*1\r\n$1\r\nx\r\n"),
                          S("*0\n*0\n*0\n*0\n*0\n*1\n$1\nx\n"), RESP_INCOMPLETE, &default_limits),
              0);
    /* An empty command needs no room in args. */
    respParser p;
    respParserInit(&p);
    int argc = -1;
    ASSERT_EQ(parseOnce(&p, S("*0\r\n"), NULL, 0, &argc, &default_limits), RESP_COMMAND);
    ASSERT_EQ(argc, 0);
    ASSERT_EQ(p.pos, 4);
    ASSERT_EQ(parseOnce(&p, S("*0\r\n\r\n"), NULL, 0, &argc, &default_limits), RESP_COMMAND);
    ASSERT_EQ(argc, 0);
    ASSERT_EQ(p.pos, 6);
    return 0;
}

/* --- Bulk headers --------------------------------------------------------------- */

int test_resp_bulk_len_errors(void) {
    static const struct {
        const char *in;
        size_t len;
    } bad[] = {
        {S("*1\r\n$-1\r\n")},
        {S("*1\r\n$\r\n")},
        {S("*1\r\n$04\r\nPING\r\n")},
        {S("*1\r\n$-0\r\n")},
        {S("*1\r\n$ 4\r\nPING\r\n")},
        {S("*1\r\n$4 \r\nPING\r\n")},
        {S("*1\r\n$+4\r\nPING\r\n")},
        {S("*1\r\n$536870913\r\n")},
        {S("*1\r\n$9223372036854775807\r\n")},
        {S("*1\r\n$9223372036854775808\r\n")},
        {S("*1\r\n$-9223372036854775808\r\n")},
        {S("*2\r\n$3\r\nGET\r\n$x\r\n")},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ASSERT_EQ(statusOf(bad[i].in, bad[i].len, &default_limits), RESP_ERR_BULK_LEN);
        feedResult r;
        ASSERT_EQ(feedInput(bad[i].in, bad[i].len, FEED_BYTES, 0, 1, 1, &default_limits, &r), 0);
        ASSERT_EQ(r.status, RESP_ERR_BULK_LEN);
        feedResultFree(&r);
    }
    /* proto-max-bulk-len is inclusive. */
    respLimits lim = {10, 64 * 1024};
    ASSERT_EQ(expectParse(S("*1\r\n$10\r\n0123456789\r\n"), S("*1\n$10\n0123456789\n"),
                          RESP_INCOMPLETE, &lim),
              0);
    ASSERT_EQ(statusOf(S("*1\r\n$11\r\n"), &lim), RESP_ERR_BULK_LEN);
    ASSERT_EQ(statusOf(S("*1\r\n$536870912\r\n"), &default_limits), RESP_INCOMPLETE);
    respParser p;
    respParserInit(&p);
    char buf[128];
    ASSERT_STR_EQ(respErrorText(&p, RESP_ERR_BULK_LEN, buf, sizeof(buf)),
                  "Protocol error: invalid bulk length");
    return 0;
}

static int checkExpectedDollar(const char *in, size_t len, unsigned char bad, const char *text) {
    feedResult r;
    ASSERT_EQ(feedInput(in, len, FEED_WHOLE, 0, 0, 2, &default_limits, &r), 0);
    ASSERT_EQ(r.status, RESP_ERR_EXPECTED_DOLLAR);
    ASSERT_EQ(r.bad_byte, bad);
    feedResultFree(&r);
    ASSERT_EQ(feedInput(in, len, FEED_BYTES, 0, 1, 1, &default_limits, &r), 0);
    ASSERT_EQ(r.status, RESP_ERR_EXPECTED_DOLLAR);
    ASSERT_EQ(r.bad_byte, bad);
    feedResultFree(&r);
    respParser p;
    respParserInit(&p);
    p.bad_byte = bad;
    char buf[128];
    ASSERT_STR_EQ(respErrorText(&p, RESP_ERR_EXPECTED_DOLLAR, buf, sizeof(buf)), text);
    return 0;
}

int test_resp_expected_dollar(void) {
    ASSERT_EQ(checkExpectedDollar(S("*1\r\nX4\r\n"), 'X', "Protocol error: expected '$', got 'X'"),
              0);
    ASSERT_EQ(checkExpectedDollar(S("*2\r\n$3\r\nGET\r\n*1\r\n"), '*',
                                  "Protocol error: expected '$', got '*'"),
              0);
    /* A line that is just "\r\n": the bad byte is '\r', shown as a space. */
    ASSERT_EQ(checkExpectedDollar(S("*1\r\n\r\n"), '\r', "Protocol error: expected '$', got ' '"),
              0);
    ASSERT_EQ(checkExpectedDollar(S("*1\r\n\rx"), '\r', "Protocol error: expected '$', got ' '"),
              0);
    ASSERT_EQ(
        checkExpectedDollar(S("*1\r\n\n4\r\n"), '\n', "Protocol error: expected '$', got ' '"), 0);
    ASSERT_EQ(checkExpectedDollar(S("*1\r\n\xff\x34\r\n"), 0xff,
                                  "Protocol error: expected '$', got '\xff'"),
              0);
    ASSERT_EQ(checkExpectedDollar(S("*1\r\n\x01\x34\r\n"), 0x01,
                                  "Protocol error: expected '$', got '\x01'"),
              0);
    return 0;
}

/* --- Line ends ------------------------------------------------------------------ */

int test_resp_cr_last_byte(void) {
    respParser p;
    respParserInit(&p);
    respArg args[2];
    int argc;
    /* The '\r' alone is not enough: Redis wants one more byte (any byte). */
    ASSERT_EQ(parseOnce(&p, S("*1\r"), args, 2, &argc, &default_limits), RESP_INCOMPLETE);
    ASSERT_EQ(p.pos, 0);
    ASSERT_EQ(parseOnce(&p, S("*1\r\n$4\r"), args, 2, &argc, &default_limits), RESP_INCOMPLETE);
    ASSERT_EQ(p.pos, 4);
    ASSERT_EQ(parseOnce(&p, S("*1\r\n$4\r\nPING\r"), args, 2, &argc, &default_limits),
              RESP_INCOMPLETE);
    ASSERT_EQ(respBytesWanted(&p), 14);
    ASSERT_EQ(parseOnce(&p, S("*1\r\n$4\r\nPING\r\n"), args, 2, &argc, &default_limits),
              RESP_COMMAND);
    ASSERT_EQ(argc, 1);
    ASSERT_EQ(statusOf(S("*1\r\n\r"), &default_limits), RESP_INCOMPLETE);
    return 0;
}

/* Redis looks for line ends with strchr, so a NUL before the line end hides it:
 * the request waits for more bytes, and fails as too big past the limit. */
int test_resp_nul_hides_line_end(void) {
    respLimits lim = {512LL * 1024 * 1024, 16};
    ASSERT_EQ(statusOf(S("*1\0\r\n"), &lim), RESP_INCOMPLETE);
    ASSERT_EQ(statusOf(S("*1\r\n$4\0\r\nPING\r\n"), &lim), RESP_INCOMPLETE);
    ASSERT_EQ(statusOf(S("*1\r\n\0\r\n"), &lim), RESP_INCOMPLETE);
    ASSERT_EQ(statusOf(S("*1\r\n$\0\r\n"), &lim), RESP_INCOMPLETE);
    ASSERT_EQ(statusOf(S("PING\0\n"), &lim), RESP_INCOMPLETE);
    ASSERT_EQ(statusOf(S("\0\n"), &lim), RESP_INCOMPLETE);
    /* Past the 16-byte limit (counted from the start of the line) it is too big. */
    ASSERT_EQ(statusOf(S("*1\0\r\n0123456789a"), &lim), RESP_INCOMPLETE); /* 16 bytes */
    ASSERT_EQ(statusOf(S("*1\0\r\n0123456789ab"), &lim), RESP_ERR_BIG_MBULK);
    ASSERT_EQ(statusOf(S("*1\r\n$4\0\r\nPING\r\nxxxxx"), &lim), RESP_INCOMPLETE);
    ASSERT_EQ(statusOf(S("*1\r\n$4\0\r\nPING\r\nxxxxxx"), &lim), RESP_ERR_BIG_BULK);
    ASSERT_EQ(statusOf(S("*1\r\nX\0\r\nPING\r\nxxxxxxx"), &lim), RESP_ERR_BIG_BULK);
    ASSERT_EQ(statusOf(S("PING\0\nxxxxxxxxxx"), &lim), RESP_INCOMPLETE);
    ASSERT_EQ(statusOf(S("PING\0\nxxxxxxxxxxx"), &lim), RESP_ERR_BIG_INLINE);
    /* The '\r' is the last byte and a NUL hides it: the size limit applies. */
    ASSERT_EQ(statusOf(S("*1\r\n$4\0xxxxxxxxxxxxx\r"), &lim), RESP_ERR_BIG_BULK);
    ASSERT_EQ(statusOf(S("*1\r\n$4\0xxxxxxxxxxxx\r"), &lim), RESP_INCOMPLETE);
    ASSERT_EQ(statusOf(S("*1\r\n$4xxxxxxxxxxxxxx\r"), &lim), RESP_INCOMPLETE);
    ASSERT_EQ(statusOf(S("*1\0xxxxxxxxxxxxxxx\r"), &lim), RESP_ERR_BIG_MBULK);
    /* NULs inside bulk data and after a line end are ordinary bytes. */
    ASSERT_EQ(expectParse(S("*1\r\n$2\r\n\0\0\r\n\0"), S("*1\n$2\n\0\0\n"), RESP_INCOMPLETE, &lim),
              0);
    return 0;
}

int test_resp_too_big(void) {
    respLimits lim = {512LL * 1024 * 1024, 16};
    /* More than max_inline_len bytes without a line end, counted from the start
     * of the line; exactly the limit waits. */
    static const char *prefixes[] = {"", "*1\r\n", "*2\r\n$1\r\na\r\n", "PING\r\n"};
    static const char lines[] = {'*', '$', '$', 'G'};
    static const respStatus too_big[] = {RESP_ERR_BIG_MBULK, RESP_ERR_BIG_BULK, RESP_ERR_BIG_BULK,
                                         RESP_ERR_BIG_INLINE};
    for (int i = 0; i < 4; i++) {
        char in[64];
        size_t plen = strlen(prefixes[i]);
        memcpy(in, prefixes[i], plen);
        in[plen] = lines[i];
        memset(in + plen + 1, '1', 20);
        ASSERT_EQ(statusOf(in, plen + 16, &lim), RESP_INCOMPLETE);
        ASSERT_EQ(statusOf(in, plen + 17, &lim), too_big[i]);
        feedResult r;
        ASSERT_EQ(feedInput(in, plen + 17, FEED_BYTES, 0, 1, 1, &lim, &r), 0);
        ASSERT_EQ(r.status, too_big[i]);
        feedResultFree(&r);
    }
    /* A line end anywhere in the buffer is enough, however long the line. */
    ASSERT_EQ(expectParse(S("ECHO aaaaaaaaaaaaaaaaaaaaaaaaaa\n"),
                          S("*2\n$4\nECHO\n$26\naaaaaaaaaaaaaaaaaaaaaaaaaa\n"), RESP_INCOMPLETE,
                          &lim),
              0);
    ASSERT_EQ(statusOf(S("*1111111111111111111111111\r\n"), &lim), RESP_ERR_MULTIBULK_LEN);
    ASSERT_EQ(statusOf(S("*1\r\n$111111111111111111111111\r\n"), &lim), RESP_ERR_BULK_LEN);

    /* With Redis's 64 KB limit. */
    size_t n = 64 * 1024 + 1;
    char *big = lmalloc(n + 16);
    big[0] = '*';
    memset(big + 1, '1', n - 1);
    ASSERT_EQ(statusOf(big, n - 1, &default_limits), RESP_INCOMPLETE);
    ASSERT_EQ(statusOf(big, n, &default_limits), RESP_ERR_BIG_MBULK);
    memcpy(big + n, "\r\n", 2);
    ASSERT_EQ(statusOf(big, n + 2, &default_limits), RESP_ERR_MULTIBULK_LEN);
    memset(big, 'x', n);
    ASSERT_EQ(statusOf(big, n, &default_limits), RESP_ERR_BIG_INLINE);
    lfree(big);

    respParser p;
    respParserInit(&p);
    char buf[128];
    ASSERT_STR_EQ(respErrorText(&p, RESP_ERR_BIG_MBULK, buf, sizeof(buf)),
                  "Protocol error: too big mbulk count string");
    ASSERT_STR_EQ(respErrorText(&p, RESP_ERR_BIG_BULK, buf, sizeof(buf)),
                  "Protocol error: too big bulk count string");
    ASSERT_STR_EQ(respErrorText(&p, RESP_ERR_BIG_INLINE, buf, sizeof(buf)),
                  "Protocol error: too big inline request");
    return 0;
}

/* --- Inline quoting ------------------------------------------------------------- */

int test_resp_inline_unbalanced(void) {
    static const struct {
        const char *in;
        size_t len;
    } bad[] = {
        {S("ECHO \"abc\"def\r\n")},
        {S("ECHO 'abc'def\r\n")},
        {S("ECHO \"abc\r\n")},
        {S("ECHO 'abc\r\n")},
        {S("ECHO a\"b c\"d\r\n")},
        {S("ECHO \"a\\\r\n")},
        {S("ECHO \"a\\\"\r\n")},
        {S("ECHO 'a\\\\'\n")},
        {S("ECHO 'a\\'\n")},
        {S("\"\n")},
        {S("'\n")},
        {S("ECHO \"a\"\"b\"\n")},
        {S("ECHO \"a\"'b'\n")},
        {S("ECHO \"a\\x4\n")},
        {S("ECHO \"\\x41\n")},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        feedResult r;
        ASSERT_EQ(feedInput(bad[i].in, bad[i].len, FEED_WHOLE, 0, 0, 4, &default_limits, &r), 0);
        if (r.status != RESP_ERR_QUOTES) testPrintMem_("input", bad[i].in, bad[i].len);
        ASSERT_EQ(r.status, RESP_ERR_QUOTES);
        ASSERT_EQ(r.commands, 0);
        feedResultFree(&r);
        /* Also when the args array fills up on the way. */
        ASSERT_EQ(feedInput(bad[i].in, bad[i].len, FEED_BYTES, 0, 1, 0, &default_limits, &r), 0);
        ASSERT_EQ(r.status, RESP_ERR_QUOTES);
        feedResultFree(&r);
    }
    respParser p;
    respParserInit(&p);
    char buf[128];
    ASSERT_STR_EQ(respErrorText(&p, RESP_ERR_QUOTES, buf, sizeof(buf)),
                  "Protocol error: unbalanced quotes in request");
    return 0;
}

/* Unescaping happens in place and never overwrites what is still unread. */
int test_resp_inline_in_place(void) {
    static const char in[] = "SET \"\\x41\\x42\\x43\" 'x\\'y' \"q\\\"\\n\" plain\r\nPING\r\n";
    size_t len = sizeof(in) - 1;
    char *g = testGuardedCopy(in, len);
    respParser p;
    respParserInit(&p);
    respArg args[8];
    int argc;
    ASSERT_EQ(respParseCommand(&p, g, len, args, 8, &argc, &default_limits), RESP_COMMAND);
    ASSERT_EQ(argc, 5);
    static const char *want[] = {"SET", "ABC", "x'y", "q\"\n", "plain"};
    for (int i = 0; i < 5; i++) {
        ASSERT_EQ(args[i].len, strlen(want[i]));
        ASSERT_MEM_EQ(g + args[i].off, want[i], args[i].len);
        ASSERT_LT(args[i].off, p.pos);
    }
    /* Each argument is written from where its source starts. */
    ASSERT_EQ(args[1].off, 4);
    ASSERT_EQ(p.pos, len - 6);
    ASSERT_MEM_EQ(g + p.pos, "PING\r\n", 6);
    ASSERT_EQ(respParseCommand(&p, g, len, args, 8, &argc, &default_limits), RESP_COMMAND);
    ASSERT_EQ(argc, 1);
    ASSERT_MEM_EQ(g + args[0].off, "PING", 4);
    testGuardedFree(g, len);
    return 0;
}

/* --- Large bulks, argument growth, rebasing ------------------------------------ */

int test_resp_bytes_wanted(void) {
    enum { BULK = 1000000 };
    static const char head[] = "*2\r\n$3\r\nSET\r\n$1000000\r\n";
    size_t hlen = sizeof(head) - 1, total = hlen + BULK + 2;
    char *in = lmalloc(total);
    memcpy(in, head, hlen);
    for (size_t i = 0; i < BULK; i++)
        in[hlen + i] = (char)('a' + i % 26);
    memcpy(in + hlen + BULK, "\r\n", 2);

    respParser p;
    respParserInit(&p);
    ASSERT_EQ(respBytesWanted(&p), 0);
    respArg args[2];
    int argc;
    ASSERT_EQ(parseOnce(&p, in, 6, args, 2, &argc, &default_limits), RESP_INCOMPLETE);
    ASSERT_EQ(respBytesWanted(&p), 0); /* inside the multibulk, not yet inside a bulk */
    ASSERT_EQ(parseOnce(&p, in, hlen, args, 2, &argc, &default_limits), RESP_INCOMPLETE);
    ASSERT_EQ(argc, 1);
    ASSERT_EQ(respBytesWanted(&p), total);
    ASSERT_EQ(parseOnce(&p, in, hlen + BULK / 2, args, 2, &argc, &default_limits), RESP_INCOMPLETE);
    ASSERT_EQ(respBytesWanted(&p), total);
    ASSERT_EQ(parseOnce(&p, in, total - 1, args, 2, &argc, &default_limits), RESP_INCOMPLETE);
    ASSERT_EQ(respBytesWanted(&p), total);
    ASSERT_EQ(parseOnce(&p, in, total, args, 2, &argc, &default_limits), RESP_COMMAND);
    ASSERT_EQ(argc, 2);
    ASSERT_EQ(args[1].off, hlen);
    ASSERT_EQ(args[1].len, BULK);
    ASSERT_MEM_EQ(in + args[1].off, in + hlen, BULK);
    ASSERT_EQ(respBytesWanted(&p), 0);

    /* Behind a command that the caller then compacts away. */
    respParserInit(&p);
    size_t plen = 14; /* "*1\r\n$4\r\nPING\r\n" */
    char *in2 = lmalloc(plen + total);
    memcpy(in2, "*1\r\n$4\r\nPING\r\n", plen);
    memcpy(in2 + plen, in, total);
    ASSERT_EQ(parseOnce(&p, in2, plen + hlen + 5, args, 2, &argc, &default_limits), RESP_COMMAND);
    ASSERT_EQ(parseOnce(&p, in2, plen + hlen + 5, args, 2, &argc, &default_limits),
              RESP_INCOMPLETE);
    ASSERT_EQ(respBytesWanted(&p), plen + total);
    ASSERT_EQ(p.cmd_start, plen);
    respParserRebase(&p, plen);
    for (int i = 0; i < argc; i++)
        args[i].off -= plen;
    ASSERT_EQ(respBytesWanted(&p), total);
    ASSERT_EQ(parseOnce(&p, in, total, args, 2, &argc, &default_limits), RESP_COMMAND);
    ASSERT_EQ(argc, 2);
    ASSERT_MEM_EQ(in + args[0].off, "SET", 3);
    ASSERT_EQ(args[1].len, BULK);
    lfree(in2);

    /* An empty bulk still wants its CRLF. */
    respParserInit(&p);
    ASSERT_EQ(parseOnce(&p, S("*1\r\n$0\r\n"), args, 2, &argc, &default_limits), RESP_INCOMPLETE);
    ASSERT_EQ(respBytesWanted(&p), 10);
    lfree(in);
    return 0;
}

int test_resp_need_args_multibulk(void) {
    enum { N = 100 };
    char *in = lmalloc(N * 16 + 16);
    size_t len = (size_t)sprintf(in, "*%d\r\n", N);
    for (int i = 0; i < N; i++)
        len += (size_t)sprintf(in + len, "$%d\r\n%d\r\n", i < 10 ? 1 : 2, i);
    char *g = testGuardedCopy(in, len);
    respParser p;
    respParserInit(&p);
    respArg *args = NULL;
    int cap = 0, argc = -1, need = 0;
    respStatus st;
    while ((st = respParseCommand(&p, g, len, args, cap, &argc, &default_limits)) ==
           RESP_NEED_ARGS) {
        ASSERT_EQ(argc, cap);
        ASSERT_EQ(p.argc, cap);
        need++;
        cap++; /* the smallest growth: one more slot each time */
        args = lrealloc(args, (size_t)cap * sizeof(*args));
    }
    ASSERT_EQ(st, RESP_COMMAND);
    ASSERT_EQ(argc, N);
    ASSERT_EQ(need, N);
    for (int i = 0; i < N; i++) {
        char want[8];
        int wl = snprintf(want, sizeof(want), "%d", i);
        ASSERT_EQ(args[i].len, (size_t)wl);
        ASSERT_MEM_EQ(g + args[i].off, want, (size_t)wl);
    }
    ASSERT_EQ(p.pos, len);
    testGuardedFree(g, len);
    lfree(args);
    lfree(in);
    return 0;
}

int test_resp_need_args_inline(void) {
    static const char in[] = "CMD a \"b c\" 'd' e\\x \"\\x41\" f g h i j k \"\" l\r\n";
    static const char *want[] = {"CMD", "a", "b c", "d", "e\\x", "A", "f",
                                 "g",   "h", "i",   "j", "k",    "",  "l"};
    enum { N = sizeof(want) / sizeof(want[0]) };
    for (int step = 1; step <= 3; step++) {
        size_t len = sizeof(in) - 1;
        char *g = testGuardedCopy(in, len);
        respParser p;
        respParserInit(&p);
        respArg *args = NULL;
        int cap = 0, argc = -1;
        respStatus st;
        while ((st = respParseCommand(&p, g, len, args, cap, &argc, &default_limits)) ==
               RESP_NEED_ARGS) {
            ASSERT_EQ(argc, cap);
            cap += step;
            args = lrealloc(args, (size_t)cap * sizeof(*args));
        }
        ASSERT_EQ(st, RESP_COMMAND);
        ASSERT_EQ(argc, N);
        for (int i = 0; i < N; i++) {
            ASSERT_EQ(args[i].len, strlen(want[i]));
            ASSERT_MEM_EQ(g + args[i].off, want[i], args[i].len);
        }
        ASSERT_EQ(p.pos, len);
        ASSERT_EQ(p.in_inline, 0);
        testGuardedFree(g, len);
        lfree(args);
    }
    return 0;
}

/* The caller compacts its buffer while a command is half parsed. */
int test_resp_rebase_mid_command(void) {
    static const char in[] = "*1\r\n$4\r\nPING\r\n*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n";
    size_t first = 14, len = sizeof(in) - 1;
    respParser p;
    respParserInit(&p);
    respArg args[4];
    int argc;
    /* Everything up to the middle of "value". */
    size_t cut = len - 5;
    ASSERT_EQ(parseOnce(&p, in, cut, args, 4, &argc, &default_limits), RESP_COMMAND);
    ASSERT_EQ(parseOnce(&p, in, cut, args, 4, &argc, &default_limits), RESP_INCOMPLETE);
    ASSERT_EQ(argc, 2);
    ASSERT_EQ(p.cmd_start, first);
    size_t wanted = respBytesWanted(&p);
    ASSERT_EQ(wanted, len);
    respParserRebase(&p, first);
    for (int i = 0; i < argc; i++)
        args[i].off -= first;
    ASSERT_EQ(p.cmd_start, 0);
    ASSERT_EQ(respBytesWanted(&p), wanted - first);
    ASSERT_EQ(parseOnce(&p, in + first, len - first, args, 4, &argc, &default_limits),
              RESP_COMMAND);
    ASSERT_EQ(argc, 3);
    static const char *want[] = {"SET", "key", "value"};
    for (int i = 0; i < 3; i++) {
        ASSERT_EQ(args[i].len, strlen(want[i]));
        ASSERT_MEM_EQ(in + first + args[i].off, want[i], args[i].len);
    }
    ASSERT_EQ(p.pos, len - first);

    /* Rebase while a bulk header is awaited, by less than cmd_start. */
    respParserInit(&p);
    ASSERT_EQ(parseOnce(&p, in, first + 14, args, 4, &argc, &default_limits), RESP_COMMAND);
    ASSERT_EQ(parseOnce(&p, in, first + 14, args, 4, &argc, &default_limits), RESP_INCOMPLETE);
    ASSERT_EQ(argc, 1);
    respParserRebase(&p, 5);
    args[0].off -= 5;
    ASSERT_EQ(parseOnce(&p, in + 5, len - 5, args, 4, &argc, &default_limits), RESP_COMMAND);
    ASSERT_EQ(argc, 3);
    ASSERT_MEM_EQ(in + 5 + args[0].off, "SET", 3);
    ASSERT_MEM_EQ(in + 5 + args[2].off, "value", 5);

    /* Rebase of an inline request waiting for more room in args. */
    static const char inl[] = "PING\r\nSET \"k\\x31\" 'v'\r\n";
    size_t ilen = sizeof(inl) - 1;
    char *buf = lmalloc(ilen);
    memcpy(buf, inl, ilen);
    respParserInit(&p);
    char *g = testGuardedCopy(buf, ilen);
    ASSERT_EQ(respParseCommand(&p, g, ilen, args, 1, &argc, &default_limits), RESP_COMMAND);
    ASSERT_EQ(respParseCommand(&p, g, ilen, args, 1, &argc, &default_limits), RESP_NEED_ARGS);
    ASSERT_EQ(argc, 1);
    memcpy(buf, g, ilen);
    testGuardedFree(g, ilen);
    memmove(buf, buf + 6, ilen - 6);
    respParserRebase(&p, 6);
    args[0].off -= 6;
    g = testGuardedCopy(buf, ilen - 6);
    ASSERT_EQ(respParseCommand(&p, g, ilen - 6, args, 4, &argc, &default_limits), RESP_COMMAND);
    ASSERT_EQ(argc, 3);
    ASSERT_MEM_EQ(g + args[0].off, "SET", 3);
    ASSERT_EQ(args[1].len, 2);
    ASSERT_MEM_EQ(g + args[1].off, "k1", 2);
    ASSERT_MEM_EQ(g + args[2].off, "v", 1);
    testGuardedFree(g, ilen - 6);
    lfree(buf);
    return 0;
}

/* A zeroed struct works like respParserInit, and errors do not depend on the
 * args array. */
int test_resp_zero_init(void) {
    respParser p;
    memset(&p, 0, sizeof(p));
    respArg args[2];
    int argc;
    ASSERT_EQ(parseOnce(&p, S("*2\r\n$0\r\n\r\n$1\r\nx\r\n"), args, 2, &argc, &default_limits),
              RESP_COMMAND);
    ASSERT_EQ(argc, 2);
    ASSERT_EQ(args[0].len, 0);
    ASSERT_EQ(args[1].len, 1);
    memset(&p, 0, sizeof(p));
    ASSERT_EQ(parseOnce(&p, NULL, 0, args, 2, &argc, &default_limits), RESP_INCOMPLETE);
    ASSERT_EQ(argc, 0);
    ASSERT_EQ(parseOnce(&p, S("*1\r\n"), args, 2, &argc, &default_limits), RESP_INCOMPLETE);
    ASSERT_EQ(respBytesWanted(&p), 0);
    return 0;
}

/* --- Error text and encoding ------------------------------------------------------ */

int test_resp_error_text(void) {
    respParser p;
    respParserInit(&p);
    char buf[128];
    ASSERT_STR_EQ(respErrorText(&p, RESP_COMMAND, buf, sizeof(buf)), "");
    ASSERT_STR_EQ(respErrorText(&p, RESP_INCOMPLETE, buf, sizeof(buf)), "");
    ASSERT_STR_EQ(respErrorText(&p, RESP_NEED_ARGS, buf, sizeof(buf)), "");
    /* Truncated to the buffer, always terminated. */
    char small[9];
    ASSERT_STR_EQ(respErrorText(&p, RESP_ERR_BULK_LEN, small, sizeof(small)), "Protocol");
    p.bad_byte = 'q';
    ASSERT_STR_EQ(respErrorText(&p, RESP_ERR_EXPECTED_DOLLAR, small, sizeof(small)), "Protocol");
    return 0;
}

static int checkHeader(char prefix, long long n, const char *want) {
    char dst[RESP_HEADER_MAX];
    memset(dst, 0x55, sizeof(dst));
    size_t len = respEncodeHeader(dst, prefix, n);
    ASSERT_EQ(len, strlen(want));
    ASSERT_MEM_EQ(dst, want, len);
    return 0;
}

int test_resp_encode_header(void) {
    ASSERT_EQ(checkHeader('$', 5, "$5\r\n"), 0);
    ASSERT_EQ(checkHeader('$', -1, "$-1\r\n"), 0);
    ASSERT_EQ(checkHeader('*', -1, "*-1\r\n"), 0);
    ASSERT_EQ(checkHeader('*', 0, "*0\r\n"), 0);
    ASSERT_EQ(checkHeader(':', 42, ":42\r\n"), 0);
    ASSERT_EQ(checkHeader('%', 10, "%10\r\n"), 0);
    ASSERT_EQ(checkHeader('~', 99, "~99\r\n"), 0);
    ASSERT_EQ(checkHeader('>', 100, ">100\r\n"), 0);
    ASSERT_EQ(checkHeader(':', -10, ":-10\r\n"), 0);
    ASSERT_EQ(checkHeader(':', 1234567, ":1234567\r\n"), 0);
    ASSERT_EQ(checkHeader(':', LLONG_MAX, ":9223372036854775807\r\n"), 0);
    ASSERT_EQ(checkHeader(':', LLONG_MIN, ":-9223372036854775808\r\n"), 0);
    /* Every length of number, both signs. */
    long long v = 1;
    for (int digits = 1; digits <= 18; digits++, v *= 10) {
        char want[48];
        snprintf(want, sizeof(want), ":%lld\r\n", v);
        ASSERT_EQ(checkHeader(':', v, want), 0);
        snprintf(want, sizeof(want), ":%lld\r\n", v - 1);
        ASSERT_EQ(checkHeader(':', v - 1, want), 0);
        snprintf(want, sizeof(want), ":%lld\r\n", -v);
        ASSERT_EQ(checkHeader(':', -v, want), 0);
        snprintf(want, sizeof(want), "$%lld\r\n", v * 7 + 3);
        ASSERT_EQ(checkHeader('$', v * 7 + 3, want), 0);
    }
    return 0;
}
