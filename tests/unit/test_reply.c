/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Unit tests for reply.c: the exact RESP2 and RESP3 bytes of every reply
 * function, error prefixing and the error observer, deferred lengths, spilling
 * from the fixed buffer into reply blocks, and reply_bytes accounting. The
 * output is read back by concatenating the fixed buffer and the blocks, and in
 * one case by writing it to a socketpair with netioWrite.
 */
#include "test.h"

#include "alloc.h"
#include "client.h"
#include "netio.h"
#include "reply.h"
#include "util.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

/* The unsent reply bytes, in the order netioWrite would send them, in a new
 * lmalloc'd buffer (*len bytes). */
static char *pendingOutput(const client *c, size_t *len) {
    size_t total = c->bufpos - (c->bufpos ? c->sentlen : 0);
    for (const replyBlock *b = c->reply_head; b; b = b->next)
        total += b->used;
    if (!c->bufpos && c->reply_head) total -= c->sentlen;
    char *out = lmalloc(total + 1);
    size_t n = 0;
    if (c->bufpos) {
        memcpy(out, c->buf + c->sentlen, c->bufpos - c->sentlen);
        n = c->bufpos - c->sentlen;
    }
    size_t skip = c->bufpos ? 0 : c->sentlen;
    for (const replyBlock *b = c->reply_head; b; b = b->next) {
        memcpy(out + n, b->data + skip, b->used - skip);
        n += b->used - skip;
        skip = 0;
    }
    *len = n;
    return out;
}

/* Checks the block invariants: used <= size, and reply_bytes is the sum of
 * the block sizes. */
static int checkBlocks(const client *c) {
    size_t sum = 0;
    const replyBlock *last = NULL;
    for (const replyBlock *b = c->reply_head; b; b = b->next) {
        ASSERT_LE(b->used, b->size);
        sum += b->size;
        last = b;
    }
    ASSERT(last == c->reply_tail);
    ASSERT_EQ(c->reply_bytes, sum);
    return 0;
}

/* Compares the pending output with exp[0..len), then empties the output. */
static int expectOutput(client *c, const char *exp, size_t len, int line) {
    if (checkBlocks(c)) {
        fprintf(stderr, "  (checked from line %d)\n", line);
        return 1;
    }
    size_t n;
    char *out = pendingOutput(c, &n);
    int bad = n != len || memcmp(out, exp, len) != 0;
    if (bad) {
        fprintf(stderr, "  line %d: output differs (%zu bytes, expected %zu)\n", line, n, len);
        testPrintMem_("got     ", out, n);
        testPrintMem_("expected", exp, len);
    }
    lfree(out);
    replyBlock *b = c->reply_head;
    while (b) {
        replyBlock *next = b->next;
        lfree(b);
        b = next;
    }
    c->reply_head = c->reply_tail = NULL;
    c->reply_bytes = 0;
    c->bufpos = c->sentlen = 0;
    return bad;
}

#define EXPECT_OUT(c, lit)                                                                         \
    do {                                                                                           \
        if (expectOutput((c), (lit), sizeof(lit) - 1, __LINE__)) return 1;                         \
    } while (0)

#define EXPECT_OUT_LEN(c, p, len)                                                                  \
    do {                                                                                           \
        if (expectOutput((c), (p), (len), __LINE__)) return 1;                                     \
    } while (0)

static int countBlocks(const client *c) {
    int n = 0;
    for (const replyBlock *b = c->reply_head; b; b = b->next)
        n++;
    return n;
}

/* What the error observer saw. */
static struct {
    int calls;
    client *last_client;
    char code[64];
} observed;

static void observeError(client *c, const char *code, size_t code_len) {
    observed.calls++;
    observed.last_client = c;
    if (code_len >= sizeof(observed.code)) code_len = sizeof(observed.code) - 1;
    memcpy(observed.code, code, code_len);
    observed.code[code_len] = '\0';
}

int test_reply_status(void) {
    client *c = clientCreate(-1, 0);
    for (int resp = 2; resp <= 3; resp++) {
        c->resp = resp;
        replyOk(c);
        EXPECT_OUT(c, "+OK\r\n");
        replyStatus(c, "PONG");
        EXPECT_OUT(c, "+PONG\r\n");
        replyStatus(c, "");
        EXPECT_OUT(c, "+\r\n");
        replyStatusLen(c, "QUEUED!", 6);
        EXPECT_OUT(c, "+QUEUED\r\n");
        replyRaw(c, "abc", 3);
        replyRaw(c, "", 0);
        replyOk(c);
        EXPECT_OUT(c, "abc+OK\r\n");
    }
    clientFree(c);
    return 0;
}

int test_reply_error(void) {
    client *c = clientCreate(-1, 0);
    replySetErrorObserver(observeError);
    for (int resp = 2; resp <= 3; resp++) {
        c->resp = resp;
        memset(&observed, 0, sizeof(observed));

        replyError(c, "unknown command");
        EXPECT_OUT(c, "-ERR unknown command\r\n");
        ASSERT_EQ(observed.calls, 1);
        ASSERT(observed.last_client == c);
        ASSERT_STR_EQ(observed.code, "ERR");

        /* A leading '-' means the code is already there. */
        replyError(c, "-WRONGTYPE Operation against a key holding the wrong kind of value");
        EXPECT_OUT(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
        ASSERT_EQ(observed.calls, 2);
        ASSERT_STR_EQ(observed.code, "WRONGTYPE");

        replyError(c, "-NOSCRIPT");
        EXPECT_OUT(c, "-NOSCRIPT\r\n");
        ASSERT_STR_EQ(observed.code, "NOSCRIPT");

        /* Text that merely starts with a code word still gets "-ERR ". */
        replyError(c, "ERR already");
        EXPECT_OUT(c, "-ERR ERR already\r\n");
        ASSERT_STR_EQ(observed.code, "ERR");

        replyError(c, "");
        EXPECT_OUT(c, "-ERR \r\n");
        ASSERT_STR_EQ(observed.code, "ERR");

        /* CR and LF each become a space, wherever they are. */
        replyError(c, "a\r\nb\nc\r");
        EXPECT_OUT(c, "-ERR a  b c \r\n");
        replyError(c, "-BUSY x\ny");
        EXPECT_OUT(c, "-BUSY x y\r\n");
        ASSERT_STR_EQ(observed.code, "BUSY");
        replyError(c, "-CODE\r\nrest");
        EXPECT_OUT(c, "-CODE  rest\r\n");
        ASSERT_STR_EQ(observed.code, "CODE");

        /* The length bounds the message and the code. */
        replyErrorLen(c, "-NOAUTH Authentication required.", 7);
        EXPECT_OUT(c, "-NOAUTH\r\n");
        ASSERT_STR_EQ(observed.code, "NOAUTH");
        replyErrorLen(c, "-WRONGTYPE x", 4);
        EXPECT_OUT(c, "-WRO\r\n");
        ASSERT_STR_EQ(observed.code, "WRO");
        replyErrorLen(c, "bad\0byte", 8);
        EXPECT_OUT(c, "-ERR bad\0byte\r\n");

        replyErrorFormat(c, "unknown command '%s', with args beginning with: %d", "foo", 7);
        EXPECT_OUT(c, "-ERR unknown command 'foo', with args beginning with: 7\r\n");
        ASSERT_STR_EQ(observed.code, "ERR");
        replyErrorFormat(c, "-%s key %s\r\n", "MOVED", "x");
        EXPECT_OUT(c, "-MOVED key x  \r\n");
        ASSERT_STR_EQ(observed.code, "MOVED");
        ASSERT_EQ(observed.calls, 13);
    }

    /* Without an observer errors are still sent. */
    replySetErrorObserver(NULL);
    observed.calls = 0;
    replyError(c, "x");
    EXPECT_OUT(c, "-ERR x\r\n");
    ASSERT_EQ(observed.calls, 0);
    clientFree(c);
    return 0;
}

/* replyErrorLen must read only len bytes: here the message ends exactly at an
 * unreadable page, with no NUL after it. */
int test_reply_error_len_bounded(void) {
    client *c = clientCreate(-1, 0);
    replySetErrorObserver(observeError);
    static const char *const msgs[] = {"-NOSCRIPT", "-WRONGTYPE", "-", "plain", "-A\r\nB"};
    static const char *const want[] = {"-NOSCRIPT\r\n", "-WRONGTYPE\r\n", "-\r\n", "-ERR plain\r\n",
                                       "-A  B\r\n"};
    static const char *const codes[] = {"NOSCRIPT", "WRONGTYPE", "", "ERR", "A"};
    for (size_t i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
        size_t len = strlen(msgs[i]);
        char *p = testGuardedCopy(msgs[i], len);
        replyErrorLen(c, p, len);
        testGuardedFree(p, len);
        EXPECT_OUT_LEN(c, want[i], strlen(want[i]));
        ASSERT_STR_EQ(observed.code, codes[i]);
    }
    clientFree(c);
    return 0;
}

int test_reply_integers(void) {
    client *c = clientCreate(-1, 0);
    for (int resp = 2; resp <= 3; resp++) {
        c->resp = resp;
        replyLongLong(c, 0);
        replyLongLong(c, -1);
        replyLongLong(c, 42);
        EXPECT_OUT(c, ":0\r\n:-1\r\n:42\r\n");
        replyLongLong(c, LLONG_MAX);
        EXPECT_OUT(c, ":9223372036854775807\r\n");
        replyLongLong(c, LLONG_MIN);
        EXPECT_OUT(c, ":-9223372036854775808\r\n");
        replyBulkLongLong(c, -123);
        EXPECT_OUT(c, "$4\r\n-123\r\n");
        replyBulkLongLong(c, 0);
        EXPECT_OUT(c, "$1\r\n0\r\n");
        replyBulkLongLong(c, LLONG_MIN);
        EXPECT_OUT(c, "$20\r\n-9223372036854775808\r\n");
        replyBulkLongLong(c, LLONG_MAX);
        EXPECT_OUT(c, "$19\r\n9223372036854775807\r\n");
    }
    clientFree(c);
    return 0;
}

int test_reply_bulk(void) {
    client *c = clientCreate(-1, 0);
    for (int resp = 2; resp <= 3; resp++) {
        c->resp = resp;
        replyBulk(c, "foo", 3);
        EXPECT_OUT(c, "$3\r\nfoo\r\n");
        replyBulk(c, "", 0);
        EXPECT_OUT(c, "$0\r\n\r\n");
        replyBulk(c, "a\0\r\nb", 5);
        EXPECT_OUT(c, "$5\r\na\0\r\nb\r\n");
        replyBulkCString(c, "bar");
        EXPECT_OUT(c, "$3\r\nbar\r\n");
        replyBulkCString(c, "");
        EXPECT_OUT(c, "$0\r\n\r\n");
        replyBulkCString(c, NULL);
        if (resp == 2)
            EXPECT_OUT(c, "$-1\r\n");
        else
            EXPECT_OUT(c, "_\r\n");

        char big[1000];
        memset(big, 'x', sizeof(big));
        replyBulk(c, big, sizeof(big));
        char want[1010];
        memcpy(want, "$1000\r\n", 7);
        memcpy(want + 7, big, sizeof(big));
        memcpy(want + 7 + sizeof(big), "\r\n", 2);
        EXPECT_OUT_LEN(c, want, 1009);
    }
    clientFree(c);
    return 0;
}

int test_reply_null_and_aggregates(void) {
    client *c = clientCreate(-1, 0);
    c->resp = 2;
    replyNull(c);
    EXPECT_OUT(c, "$-1\r\n");
    replyNullArray(c);
    EXPECT_OUT(c, "*-1\r\n");
    replyArrayLen(c, 3);
    replyArrayLen(c, 0);
    replyArrayLen(c, -1);
    EXPECT_OUT(c, "*3\r\n*0\r\n*-1\r\n");
    replyMapLen(c, 2);
    replyMapLen(c, 0);
    EXPECT_OUT(c, "*4\r\n*0\r\n");
    replySetLen(c, 5);
    EXPECT_OUT(c, "*5\r\n");
    replyArrayLen(c, 1234567890123L);
    EXPECT_OUT(c, "*1234567890123\r\n");

    c->resp = 3;
    replyNull(c);
    EXPECT_OUT(c, "_\r\n");
    replyNullArray(c);
    EXPECT_OUT(c, "_\r\n");
    replyArrayLen(c, 3);
    replyArrayLen(c, 0);
    EXPECT_OUT(c, "*3\r\n*0\r\n");
    replyMapLen(c, 2);
    replyMapLen(c, 0);
    EXPECT_OUT(c, "%2\r\n%0\r\n");
    replySetLen(c, 5);
    EXPECT_OUT(c, "~5\r\n");
    clientFree(c);
    return 0;
}

int test_reply_double(void) {
    client *c = clientCreate(-1, 0);
    c->resp = 2;
    replyDouble(c, 1.5);
    EXPECT_OUT(c, "$3\r\n1.5\r\n");
    replyDouble(c, 3.0);
    EXPECT_OUT(c, "$1\r\n3\r\n");
    replyDouble(c, INFINITY);
    EXPECT_OUT(c, "$3\r\ninf\r\n");
    replyDouble(c, -INFINITY);
    EXPECT_OUT(c, "$4\r\n-inf\r\n");
    replyDouble(c, -0.0);
    EXPECT_OUT(c, "$2\r\n-0\r\n");
    replyDouble(c, 1.1);
    EXPECT_OUT(c, "$18\r\n1.1000000000000001\r\n");
    replyDouble(c, 1e17);
    EXPECT_OUT(c, "$5\r\n1e+17\r\n");

    c->resp = 3;
    replyDouble(c, 1.5);
    EXPECT_OUT(c, ",1.5\r\n");
    replyDouble(c, 3.0);
    EXPECT_OUT(c, ",3\r\n");
    replyDouble(c, INFINITY);
    EXPECT_OUT(c, ",inf\r\n");
    replyDouble(c, -INFINITY);
    EXPECT_OUT(c, ",-inf\r\n");
    replyDouble(c, -2.5e-10);
    EXPECT_OUT(c, ",-2.5000000000000002e-10\r\n");

    /* The text is exactly util's d2string, for any value. */
    static const double values[] = {0.1, -123.456, 1e300, 5e-324, 9007199254740993.0, 42.0};
    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        char digits[UTIL_DOUBLE_STR_SIZE], want[64];
        int n = d2string(digits, sizeof(digits), values[i]);
        ASSERT_GT(n, 0);
        replyDouble(c, values[i]);
        int wn = snprintf(want, sizeof(want), ",%s\r\n", digits);
        EXPECT_OUT_LEN(c, want, (size_t)wn);
    }
    clientFree(c);
    return 0;
}

int test_reply_bool_verbatim_help(void) {
    client *c = clientCreate(-1, 0);
    static const char *const lines[] = {"CONFIG <subcommand>", "GET <pattern>", NULL};
    static const char *const none[] = {NULL};

    c->resp = 2;
    replyBool(c, 1);
    replyBool(c, 0);
    replyBool(c, 7);
    EXPECT_OUT(c, ":1\r\n:0\r\n:1\r\n");
    replyVerbatim(c, "hello", 5);
    EXPECT_OUT(c, "$5\r\nhello\r\n");
    replyVerbatim(c, "", 0);
    EXPECT_OUT(c, "$0\r\n\r\n");
    replyHelp(c, lines);
    EXPECT_OUT(c, "*2\r\n+CONFIG <subcommand>\r\n+GET <pattern>\r\n");
    replyHelp(c, none);
    EXPECT_OUT(c, "*0\r\n");

    c->resp = 3;
    replyBool(c, 1);
    replyBool(c, 0);
    EXPECT_OUT(c, "#t\r\n#f\r\n");
    replyVerbatim(c, "hello", 5);
    EXPECT_OUT(c, "=9\r\ntxt:hello\r\n");
    replyVerbatim(c, "a\r\nb", 4);
    EXPECT_OUT(c, "=8\r\ntxt:a\r\nb\r\n");
    replyVerbatim(c, "", 0);
    EXPECT_OUT(c, "=4\r\ntxt:\r\n");
    replyHelp(c, lines);
    EXPECT_OUT(c, "*2\r\n+CONFIG <subcommand>\r\n+GET <pattern>\r\n");
    clientFree(c);
    return 0;
}

int test_reply_deferred(void) {
    client *c = clientCreate(-1, 0);
    for (int resp = 2; resp <= 3; resp++) {
        c->resp = resp;

        /* Into an empty output. */
        void *h = replyDeferredLen(c);
        replyBulk(c, "a", 1);
        replyBulk(c, "bc", 2);
        replyLongLong(c, 7);
        replySetDeferredArrayLen(c, h, 3);
        EXPECT_OUT(c, "*3\r\n$1\r\na\r\n$2\r\nbc\r\n:7\r\n");

        /* After bytes already in the fixed buffer. */
        replyOk(c);
        replyStatus(c, "x");
        h = replyDeferredLen(c);
        replyBulk(c, "k", 1);
        replyBulk(c, "v", 1);
        replySetDeferredMapLen(c, h, 1);
        if (resp == 2)
            EXPECT_OUT(c, "+OK\r\n+x\r\n*2\r\n$1\r\nk\r\n$1\r\nv\r\n");
        else
            EXPECT_OUT(c, "+OK\r\n+x\r\n%1\r\n$1\r\nk\r\n$1\r\nv\r\n");

        /* Set right away, then more replies; an empty aggregate. */
        h = replyDeferredLen(c);
        replySetDeferredArrayLen(c, h, 0);
        replyOk(c);
        EXPECT_OUT(c, "*0\r\n+OK\r\n");

        /* Several deferred lengths, nested and in sequence, set out of order. */
        replyArrayLen(c, 2);
        void *outer = replyDeferredLen(c);
        void *inner1 = replyDeferredLen(c);
        replyLongLong(c, 1);
        replyLongLong(c, 2);
        void *inner2 = replyDeferredLen(c);
        replyBulk(c, "z", 1);
        replySetDeferredArrayLen(c, inner2, 1);
        replySetDeferredArrayLen(c, inner1, 2);
        replySetDeferredArrayLen(c, outer, 2);
        void *last = replyDeferredLen(c);
        replySetDeferredArrayLen(c, last, 12345);
        EXPECT_OUT(c, "*2\r\n*2\r\n*2\r\n:1\r\n:2\r\n*1\r\n$1\r\nz\r\n*12345\r\n");

        /* A deferred length right after the fixed buffer filled up exactly. */
        char fill[CLIENT_BUF_BYTES];
        memset(fill, 'f', sizeof(fill));
        replyRaw(c, fill, sizeof(fill));
        ASSERT_EQ(c->bufpos, CLIENT_BUF_BYTES);
        h = replyDeferredLen(c);
        replyOk(c);
        replySetDeferredArrayLen(c, h, 1);
        char want[CLIENT_BUF_BYTES + 9];
        memcpy(want, fill, sizeof(fill));
        memcpy(want + sizeof(fill), "*1\r\n+OK\r\n", 9);
        EXPECT_OUT_LEN(c, want, sizeof(want));

        /* A deferred length while the output already spilled into blocks. */
        char big[CLIENT_BUF_BYTES + 100];
        memset(big, 'g', sizeof(big));
        replyRaw(c, big, sizeof(big));
        ASSERT_EQ(countBlocks(c), 1);
        h = replyDeferredLen(c);
        replyBulk(c, "q", 1);
        replySetDeferredArrayLen(c, h, 1);
        char want2[CLIENT_BUF_BYTES + 100 + 11];
        memcpy(want2, big, sizeof(big));
        memcpy(want2 + sizeof(big), "*1\r\n$1\r\nq\r\n", 11);
        EXPECT_OUT_LEN(c, want2, sizeof(want2));
    }
    clientFree(c);
    return 0;
}

/* A reply with deferred lengths written to a socket comes out as built. */
int test_reply_deferred_written(void) {
    int sv[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    client *c = clientCreate(sv[0], 0);
    netioWorker w;
    netioWorkerInit(&w);
    replyOk(c);
    void *outer = replyDeferredLen(c);
    for (int i = 0; i < 20; i++) {
        void *h = replyDeferredLen(c);
        replyLongLong(c, i);
        replySetDeferredArrayLen(c, h, 1);
    }
    void *empty = replyDeferredLen(c);
    replySetDeferredArrayLen(c, empty, 0);
    replySetDeferredArrayLen(c, outer, 21);

    size_t len;
    char *want = pendingOutput(c, &len);
    ASSERT_EQ(netioWrite(&w, c), NETIO_OK);
    ASSERT(!clientHasPendingReplies(c));
    ASSERT_EQ(c->reply_bytes, 0);
    char got[1024];
    ASSERT_LE(len, sizeof(got));
    ASSERT_EQ(read(sv[1], got, sizeof(got)), (long long)len);
    ASSERT_MEM_EQ(got, want, len);
    static const char head[] = "+OK\r\n*21\r\n*1\r\n:0\r\n*1\r\n:1\r\n";
    ASSERT_MEM_EQ(got, head, sizeof(head) - 1);
    ASSERT_MEM_EQ(got + len - 13, "*1\r\n:19\r\n*0\r\n", 13);
    ASSERT_EQ(atomic_load(&w.bytes_written), len);
    lfree(want);
    clientFree(c);
    close(sv[1]);
    netioWorkerRelease(&w);
    return 0;
}

int test_reply_spill_exact(void) {
    client *c = clientCreate(-1, 0);
    char data[CLIENT_BUF_BYTES + 1];
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (char)('a' + i % 26);

    /* Exactly CLIENT_BUF_BYTES stay in the fixed buffer; one more spills. */
    replyRaw(c, data, CLIENT_BUF_BYTES);
    ASSERT_EQ(c->bufpos, CLIENT_BUF_BYTES);
    ASSERT(c->reply_head == NULL);
    ASSERT_EQ(c->reply_bytes, 0);
    replyRaw(c, data + CLIENT_BUF_BYTES, 1);
    ASSERT_EQ(c->bufpos, CLIENT_BUF_BYTES);
    ASSERT_EQ(countBlocks(c), 1);
    ASSERT_EQ(c->reply_head->used, 1);
    ASSERT_GE(c->reply_head->size, REPLY_BLOCK_BYTES);
    ASSERT_EQ(c->reply_bytes, c->reply_head->size);
    /* Later small replies go into the same block, after the spilled byte. */
    replyOk(c);
    replyLongLong(c, 5);
    ASSERT_EQ(countBlocks(c), 1);
    char want[CLIENT_BUF_BYTES + 1 + 9];
    memcpy(want, data, sizeof(data));
    memcpy(want + sizeof(data), "+OK\r\n:5\r\n", 9);
    EXPECT_OUT_LEN(c, want, sizeof(want));

    /* One write larger than the fixed buffer splits exactly at its end. */
    replyRaw(c, data, sizeof(data));
    ASSERT_EQ(c->bufpos, CLIENT_BUF_BYTES);
    ASSERT_EQ(c->reply_head->used, 1);
    EXPECT_OUT_LEN(c, data, sizeof(data));

    /* A bulk whose encoding ("$<len>\r\n" + len + CRLF) is exactly
     * CLIENT_BUF_BYTES fits the fixed buffer without a block. */
    char want2[CLIENT_BUF_BYTES + 32];
    size_t blen = CLIENT_BUF_BYTES;
    while ((size_t)snprintf(want2, 32, "$%zu\r\n", blen) + blen + 2 > CLIENT_BUF_BYTES)
        blen--;
    size_t hlen = (size_t)snprintf(want2, 32, "$%zu\r\n", blen);
    ASSERT_EQ(hlen + blen + 2, CLIENT_BUF_BYTES);
    replyBulk(c, data, blen);
    ASSERT_EQ(c->bufpos, CLIENT_BUF_BYTES);
    ASSERT(c->reply_head == NULL);
    memcpy(want2 + hlen, data, blen);
    memcpy(want2 + hlen + blen, "\r\n", 2);
    EXPECT_OUT_LEN(c, want2, CLIENT_BUF_BYTES);

    /* Headers and statuses that do not fit whole are split across the
     * boundary, in order. */
    replyRaw(c, data, CLIENT_BUF_BYTES - 10);
    replyLongLong(c, 12345);   /* 8 bytes: fits */
    replyLongLong(c, 1);       /* 4 bytes: 2 in the buffer, 2 in a block */
    replyStatus(c, "spilled"); /* in the block */
    replyBulk(c, "tail", 4);   /* in the block */
    ASSERT_EQ(c->bufpos, CLIENT_BUF_BYTES);
    ASSERT_EQ(countBlocks(c), 1);
    char want3[CLIENT_BUF_BYTES + 100];
    size_t n = CLIENT_BUF_BYTES - 10;
    memcpy(want3, data, n);
    memcpy(want3 + n, ":12345\r\n:1\r\n+spilled\r\n$4\r\ntail\r\n", 32);
    EXPECT_OUT_LEN(c, want3, n + 32);

    /* Fast paths must not write into the fixed buffer once blocks exist,
     * even when it has room (the output would reorder). */
    replyRaw(c, data, sizeof(data));
    c->bufpos = 0; /* as after netioWrite sent the whole fixed buffer */
    replyStatus(c, "s");
    replyLongLong(c, 9);
    replyBulk(c, "b", 1);
    ASSERT_EQ(c->bufpos, 0);
    char want4[] = "?+s\r\n:9\r\n$1\r\nb\r\n";
    want4[0] = data[CLIENT_BUF_BYTES]; /* the byte that spilled */
    EXPECT_OUT_LEN(c, want4, sizeof(want4) - 1);
    clientFree(c);
    return 0;
}

int test_reply_large(void) {
    client *c = clientCreate(-1, 0);
    size_t big_len = 5 * REPLY_BLOCK_BYTES + 123;
    char *big = lmalloc(big_len);
    for (size_t i = 0; i < big_len; i++)
        big[i] = (char)(i * 7 + i / 251);

    /* A single bulk bigger than a block: one block holds the rest of it. */
    replyBulk(c, big, big_len);
    ASSERT_EQ(c->bufpos, CLIENT_BUF_BYTES);
    ASSERT_LE(countBlocks(c), 2);
    ASSERT_GE(c->reply_head->size, big_len - CLIENT_BUF_BYTES);
    size_t hdr_len = (size_t)snprintf(NULL, 0, "$%zu\r\n", big_len);
    char *want = lmalloc(2 * big_len + 64);
    snprintf(want, 64, "$%zu\r\n", big_len);
    memcpy(want + hdr_len, big, big_len);
    memcpy(want + hdr_len + big_len, "\r\n", 2);
    size_t want_len = hdr_len + big_len + 2;
    ASSERT_EQ(clientPendingReplyBytes(c), want_len);
    EXPECT_OUT_LEN(c, want, want_len);

    /* After a partly filled block: its room is used first, then one new
     * block for the remainder. */
    replyRaw(c, big, CLIENT_BUF_BYTES + 100);
    ASSERT_EQ(countBlocks(c), 1);
    size_t first_size = c->reply_head->size;
    replyRaw(c, big, big_len);
    ASSERT_EQ(countBlocks(c), 2);
    ASSERT_EQ(c->reply_head->used, first_size);
    ASSERT_EQ(c->reply_tail->used, big_len - (first_size - 100));
    ASSERT_EQ(c->reply_bytes, first_size + c->reply_tail->size);
    memcpy(want, big, CLIENT_BUF_BYTES + 100);
    memcpy(want + CLIENT_BUF_BYTES + 100, big, big_len);
    EXPECT_OUT_LEN(c, want, CLIENT_BUF_BYTES + 100 + big_len);

    /* reply_bytes counts each block's capacity and grows with each block. */
    size_t prev = 0;
    replyRaw(c, big, CLIENT_BUF_BYTES);
    for (int i = 0; i < 10; i++) {
        replyBulk(c, big, REPLY_BLOCK_BYTES / 2);
        ASSERT_GE(c->reply_bytes, prev);
        prev = c->reply_bytes;
        if (checkBlocks(c)) return 1;
    }
    ASSERT_GE(c->reply_bytes, 5 * REPLY_BLOCK_BYTES);
    ASSERT_EQ(clientPendingReplyBytes(c), CLIENT_BUF_BYTES + 10 * (REPLY_BLOCK_BYTES / 2 + 9));
    lfree(want);
    lfree(big);
    clientFree(c);
    return 0;
}
