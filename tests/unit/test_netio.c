/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Unit tests for netio.c over socketpairs: reading and parsing pipelined,
 * byte-by-byte and large requests (query buffer growth), protocol errors,
 * the query buffer limit, peer close, compaction by netioConsumeCommands and
 * the worker's spare buffer, the command lookup callback; writing replies
 * from the fixed buffer and blocks, partial writes, the per-call write cap,
 * EPIPE, and the worker counters.
 */
#include "test.h"

#include "alloc.h"
#include "client.h"
#include "netio.h"
#include "reply.h"
#include "str.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#define NETIO_WRITE_CAP (256 * 1024) /* netio.c's per-call write bound */

typedef struct fixture {
    client *c;
    int peer;
    netioWorker w;
    netioLimits lim;
} fixture;

static int setUp(fixture *f) {
    int sv[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    f->c = clientCreate(sv[0], 1);
    f->peer = sv[1];
    netioWorkerInit(&f->w);
    f->lim = (netioLimits){1024 * 1024 * 1024, 512LL * 1024 * 1024, NULL};
    return 0;
}

static void tearDown(fixture *f) {
    clientFree(f->c);
    if (f->peer >= 0) close(f->peer);
    netioWorkerRelease(&f->w);
}

static void sendAll(int fd, const void *p, size_t len) {
    const char *b = p;
    while (len) {
        ssize_t n = write(fd, b, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) abort();
        b += n;
        len -= (size_t)n;
    }
}

static void sendStr(int fd, const char *s) {
    sendAll(fd, s, strlen(s));
}

/* Runs every parsed command (here: nothing) and consumes them, as the
 * server does after executing. */
static void runAll(fixture *f) {
    f->c->cmds_next = f->c->cmds_count;
    netioConsumeCommands(&f->w, f->c);
}

/* Checks parsed command `idx`: argc and each argument's bytes. */
static int checkCommand(const client *c, int idx, int argc, const char *const *want, int line) {
    if (idx >= c->cmds_count) {
        fprintf(stderr, "  line %d: command %d not parsed (%d parsed)\n", line, idx, c->cmds_count);
        return 1;
    }
    const parsedCommand *pc = &c->cmds[idx];
    if (pc->argc != argc) {
        fprintf(stderr, "  line %d: command %d has %d args, expected %d\n", line, idx, pc->argc,
                argc);
        return 1;
    }
    for (int i = 0; i < argc; i++) {
        const respArg *a = &c->args[pc->first + i];
        size_t len = strlen(want[i]);
        if (a->len != len || a->off + a->len > c->qbuf_len ||
            memcmp(c->qbuf + a->off, want[i], len) != 0) {
            fprintf(stderr, "  line %d: command %d arg %d differs\n", line, idx, i);
            testPrintMem_("got     ", c->qbuf + a->off,
                          a->off + a->len <= c->qbuf_len ? a->len : 0);
            testPrintMem_("expected", want[i], len);
            return 1;
        }
    }
    return 0;
}

#define EXPECT_CMD(c, idx, ...)                                                                    \
    do {                                                                                           \
        static const char *const want_[] = {__VA_ARGS__};                                          \
        if (checkCommand((c), (idx), (int)(sizeof(want_) / sizeof(want_[0])), want_, __LINE__))    \
            return 1;                                                                              \
    } while (0)

/* The command lookup: known names map to distinct table entries. */
static int cmd_ping, cmd_set, cmd_get, cmd_echo;
static struct {
    int calls;
    char names[16][32];
} looked_up;

static struct command *lookupCommand(const char *name, size_t len) {
    if (looked_up.calls < 16) {
        size_t n = len < 31 ? len : 31;
        memcpy(looked_up.names[looked_up.calls], name, n);
        looked_up.names[looked_up.calls][n] = '\0';
    }
    looked_up.calls++;
    static const struct {
        const char *name;
        int *entry;
    } table[] = {{"PING", &cmd_ping}, {"SET", &cmd_set}, {"GET", &cmd_get}, {"ECHO", &cmd_echo}};
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        if (strlen(table[i].name) == len && memcmp(table[i].name, name, len) == 0)
            return (struct command *)table[i].entry;
    }
    return NULL;
}

/* Reads from a non-blocking fd until it has nothing more; appends to *out. */
static size_t drainPeer(int fd, str *out) {
    char buf[65536];
    size_t total = 0;
    for (;;) {
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n > 0) {
            *out = strCatLen(*out, buf, (size_t)n);
            total += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        return total;
    }
}

static void setNonBlocking(int fd) {
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

/* --- Reading ------------------------------------------------------------- */

int test_netio_pipeline(void) {
    fixture f;
    if (setUp(&f)) return 1;
    f.lim.lookup = lookupCommand;
    static const char req[] = "*1\r\n$4\r\nPING\r\n"
                              "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\n"
                              "ECHO \"a b\"  x\r\n"
                              "\r\n" /* an empty inline line: skipped */
                              "*2\r\n$3\r\nXYZ\r\n$0\r\n\r\n"
                              "*0\r\n"; /* an empty multibulk: skipped */
    sendAll(f.peer, req, sizeof(req) - 1);
    ASSERT_EQ(netioRead(&f.w, f.c, &f.lim), NETIO_OK);
    ASSERT_EQ(f.c->cmds_count, 4);
    ASSERT_EQ(f.c->cmds_next, 0);
    ASSERT_EQ(f.c->read_error, 0);
    EXPECT_CMD(f.c, 0, "PING");
    EXPECT_CMD(f.c, 1, "SET", "k", "hello");
    EXPECT_CMD(f.c, 2, "ECHO", "a b", "x");
    EXPECT_CMD(f.c, 3, "XYZ", "");
    ASSERT_EQ(f.c->qbuf_len, sizeof(req) - 1);

    /* The lookup saw each name once, in order; its results are stored. */
    ASSERT_EQ(looked_up.calls, 4);
    ASSERT_STR_EQ(looked_up.names[0], "PING");
    ASSERT_STR_EQ(looked_up.names[1], "SET");
    ASSERT_STR_EQ(looked_up.names[2], "ECHO");
    ASSERT_STR_EQ(looked_up.names[3], "XYZ");
    ASSERT(f.c->cmds[0].cmd == (struct command *)&cmd_ping);
    ASSERT(f.c->cmds[1].cmd == (struct command *)&cmd_set);
    ASSERT(f.c->cmds[2].cmd == (struct command *)&cmd_echo);
    ASSERT(f.c->cmds[3].cmd == NULL);

    ASSERT_EQ(atomic_load(&f.w.reads), 1);
    ASSERT_EQ(atomic_load(&f.w.bytes_read), sizeof(req) - 1);
    ASSERT_EQ(atomic_load(&f.w.writes), 0);

    /* While parsed commands wait, netioRead leaves the socket alone. */
    static const char get[] = "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n";
    sendStr(f.peer, get);
    ASSERT_EQ(netioRead(&f.w, f.c, &f.lim), NETIO_AGAIN);
    ASSERT_EQ(atomic_load(&f.w.reads), 1);
    ASSERT_EQ(f.c->cmds_count, 4);
    f.c->cmds_next = 2; /* half run: still not idle */
    ASSERT_EQ(netioRead(&f.w, f.c, &f.lim), NETIO_AGAIN);
    ASSERT_EQ(atomic_load(&f.w.reads), 1);

    runAll(&f);
    ASSERT(f.c->qbuf == NULL);
    ASSERT_EQ(netioRead(&f.w, f.c, &f.lim), NETIO_OK);
    ASSERT_EQ(f.c->cmds_count, 1);
    EXPECT_CMD(f.c, 0, "GET", "k");
    ASSERT(f.c->cmds[0].cmd == (struct command *)&cmd_get);
    ASSERT_EQ(atomic_load(&f.w.reads), 2);
    ASSERT_EQ(atomic_load(&f.w.bytes_read), sizeof(req) - 1 + sizeof(get) - 1);

    /* Nothing to read. */
    runAll(&f);
    ASSERT_EQ(netioRead(&f.w, f.c, &f.lim), NETIO_AGAIN);
    ASSERT_EQ(atomic_load(&f.w.reads), 2);

    /* Without a lookup function, cmd stays NULL. */
    f.lim.lookup = NULL;
    sendStr(f.peer, "PING\r\n");
    ASSERT_EQ(netioRead(&f.w, f.c, &f.lim), NETIO_OK);
    EXPECT_CMD(f.c, 0, "PING");
    ASSERT(f.c->cmds[0].cmd == NULL);
    ASSERT_EQ(looked_up.calls, 5);
    tearDown(&f);
    return 0;
}

/* The request stream used by the byte-by-byte tests, and what it parses to. */
static str splitStream(void) {
    str s = strEmpty();
    static const char set[] = "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$6\r\nv\r\n\0\xff!\r\n";
    s = strCatLen(s, set, sizeof(set) - 1);
    s = strCat(s, "GET 'quoted arg' \"x\\ty\"\r\n");
    s = strCat(s, "*40\r\n$5\r\nMSET2\r\n");
    for (int i = 1; i < 40; i++)
        s = strCatFmt(s, "$%d\r\n%d\r\n", i < 10 ? 1 : 2, i);
    s = strCat(s, "*1\r\n$4\r\nPING\r\n");
    return s;
}

static int checkSplitCommand(const client *c, int seq) {
    switch (seq) {
        case 0: {
            const parsedCommand *pc = &c->cmds[0];
            ASSERT_EQ(pc->argc, 3);
            const respArg *a = &c->args[pc->first];
            ASSERT_EQ(a[0].len, 3);
            ASSERT_MEM_EQ(c->qbuf + a[0].off, "SET", 3);
            ASSERT_EQ(a[1].len, 3);
            ASSERT_MEM_EQ(c->qbuf + a[1].off, "key", 3);
            ASSERT_EQ(a[2].len, 6);
            ASSERT_MEM_EQ(c->qbuf + a[2].off, "v\r\n\0\xff!", 6);
            break;
        }
        case 1: EXPECT_CMD(c, 0, "GET", "quoted arg", "x\ty"); break;
        case 2: {
            ASSERT_EQ(c->cmds[0].argc, 40);
            const respArg *a = &c->args[c->cmds[0].first];
            ASSERT_MEM_EQ(c->qbuf + a[0].off, "MSET2", 5);
            for (int i = 1; i < 40; i++) {
                char want[8];
                int n = snprintf(want, sizeof(want), "%d", i);
                ASSERT_EQ(a[i].len, n);
                ASSERT_MEM_EQ(c->qbuf + a[i].off, want, (size_t)n);
            }
            break;
        }
        case 3: EXPECT_CMD(c, 0, "PING"); break;
        default: TEST_FAIL_("unexpected command %d", seq);
    }
    return 0;
}

/* Sends the stream one byte per read; with consume_always, the buffer is
 * compacted after every read (as the server does), else only after a
 * command completed. */
static int splitBytes(int consume_always) {
    fixture f;
    if (setUp(&f)) return 1;
    str s = splitStream();
    size_t len = strLen(s);
    int seen = 0;
    for (size_t i = 0; i < len; i++) {
        sendAll(f.peer, s + i, 1);
        ASSERT_EQ(netioRead(&f.w, f.c, &f.lim), NETIO_OK);
        ASSERT_EQ(f.c->read_error, 0);
        ASSERT_LE(f.c->cmds_count, 1);
        if (f.c->cmds_count) {
            if (checkSplitCommand(f.c, seen)) {
                fprintf(stderr, "  (command %d, completed at byte %zu)\n", seen, i);
                return 1;
            }
            seen++;
            runAll(&f);
        } else if (consume_always) {
            runAll(&f);
        }
    }
    ASSERT_EQ(seen, 4);
    ASSERT(f.c->qbuf == NULL);
    ASSERT_EQ(atomic_load(&f.w.reads), len);
    ASSERT_EQ(atomic_load(&f.w.bytes_read), len);
    strFree(s);
    tearDown(&f);
    return 0;
}

int test_netio_split_bytes(void) {
    return splitBytes(1);
}
int test_netio_split_bytes_no_compaction(void) {
    return splitBytes(0);
}

/* Sends a SET with a value of `value_len` bytes in pieces of `piece` bytes,
 * reading after each piece until nothing is left. */
int test_netio_big_bulk(void) {
    fixture f;
    if (setUp(&f)) return 1;
    const size_t value_len = 1024 * 1024, piece = 64 * 1024;
    char *value = lmalloc(value_len);
    for (size_t i = 0; i < value_len; i++)
        value[i] = (char)(i % 251);
    char hdr[64];
    int hdr_len = snprintf(hdr, sizeof(hdr), "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$%zu\r\n", value_len);
    sendAll(f.peer, hdr, (size_t)hdr_len);
    ASSERT_EQ(netioRead(&f.w, f.c, &f.lim), NETIO_OK);
    ASSERT_EQ(f.c->cmds_count, 0);
    ASSERT_LE(f.c->qbuf_cap, NETIO_READ_CHUNK);

    /* The buffer grows with what arrived, never straight to the bulk size. */
    size_t worst_cap = 0, worst_len = 0;
    size_t sent = 0;
    while (sent < value_len + 2) {
        size_t n = value_len + 2 - sent < piece ? value_len + 2 - sent : piece;
        if (sent + n <= value_len)
            sendAll(f.peer, value + sent, n);
        else {
            sendAll(f.peer, value + sent, value_len - sent);
            sendAll(f.peer, "\r\n", 2);
        }
        sent += n;
        netioStatus st;
        while ((st = netioRead(&f.w, f.c, &f.lim)) == NETIO_OK) {
            if (f.c->qbuf_cap > 2 * f.c->qbuf_len + NETIO_READ_CHUNK && !worst_cap) {
                worst_cap = f.c->qbuf_cap;
                worst_len = f.c->qbuf_len;
            }
            if (f.c->cmds_count) break;
        }
        ASSERT(st == NETIO_OK || st == NETIO_AGAIN);
    }
    ASSERT_EQ(f.c->cmds_count, 1);
    const respArg *a = &f.c->args[f.c->cmds[0].first];
    ASSERT_EQ(f.c->cmds[0].argc, 3);
    ASSERT_EQ(a[2].len, value_len);
    ASSERT(memcmp(f.c->qbuf + a[2].off, value, value_len) == 0);
    ASSERT_MEM_EQ(f.c->qbuf + a[1].off, "k", 1);
    ASSERT_EQ(atomic_load(&f.w.bytes_read), (size_t)hdr_len + value_len + 2);
    if (worst_cap) {
        fprintf(stderr, "  qbuf_cap %zu with only %zu bytes buffered\n", worst_cap, worst_len);
        ASSERT_LE(worst_cap, 2 * worst_len + NETIO_READ_CHUNK);
    }
    ASSERT_LE(f.c->qbuf_cap, 2 * ((size_t)hdr_len + value_len + 2) + NETIO_READ_CHUNK);

    /* A grown buffer is freed, not kept as the worker's spare. */
    runAll(&f);
    ASSERT(f.c->qbuf == NULL);
    ASSERT(f.w.spare_qbuf == NULL);
    lfree(value);
    tearDown(&f);
    return 0;
}

/* A header declaring a 100 MB bulk, then a trickle of bytes: the buffer must
 * stay proportional to what arrived, however many reads happen. */
int test_netio_big_bulk_header_only(void) {
    fixture f;
    if (setUp(&f)) return 1;
    static const char hdr[] = "*2\r\n$3\r\nSET\r\n$104857600\r\nabc";
    sendStr(f.peer, hdr);
    ASSERT_EQ(netioRead(&f.w, f.c, &f.lim), NETIO_OK);
    ASSERT_EQ(f.c->cmds_count, 0);
    ASSERT_LE(f.c->qbuf_cap, 2 * f.c->qbuf_len + NETIO_READ_CHUNK);
    for (int i = 0; i < 30; i++) {
        sendAll(f.peer, "x", 1);
        ASSERT_EQ(netioRead(&f.w, f.c, &f.lim), NETIO_OK);
        /* Reads that find nothing must not grow the buffer either. */
        ASSERT_EQ(netioRead(&f.w, f.c, &f.lim), NETIO_AGAIN);
        if (f.c->qbuf_cap > 2 * f.c->qbuf_len + NETIO_READ_CHUNK) {
            TEST_FAIL_("after %d one-byte reads: qbuf_cap %zu for %zu bytes buffered", i + 1,
                       f.c->qbuf_cap, f.c->qbuf_len);
        }
    }
    ASSERT_EQ(f.c->qbuf_len, sizeof(hdr) - 1 + 30);
    tearDown(&f);
    return 0;
}

int test_netio_protocol_error(void) {
    static const struct {
        const char *req;
        int commands;
        int error;
    } cases[] = {
        {"PING\r\n*1\r\n$x\r\n", 1, RESP_ERR_BULK_LEN},
        {"*1\r\n$3\r\nGET\r\n*1\r\n$3\r\nGET\r\n*a\r\n", 2, RESP_ERR_MULTIBULK_LEN},
        {"*1\r\nX\r\n", 0, RESP_ERR_EXPECTED_DOLLAR},
        {"PING\r\nSET \"a\r\n", 1, RESP_ERR_QUOTES},
        {"*1\r\n$4\r\nPING\r\n*1\r\n$-1\r\n", 1, RESP_ERR_BULK_LEN},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        fixture f;
        if (setUp(&f)) return 1;
        size_t len = strlen(cases[i].req);
        sendAll(f.peer, cases[i].req, len);
        ASSERT_EQ(netioRead(&f.w, f.c, &f.lim), NETIO_OK);
        if (f.c->cmds_count != cases[i].commands || f.c->read_error != cases[i].error)
            fprintf(stderr, "  case %zu\n", i);
        ASSERT_EQ(f.c->cmds_count, cases[i].commands);
        ASSERT_EQ(f.c->read_error, cases[i].error);
        for (int k = 0; k < cases[i].commands; k++)
            ASSERT_GE(f.c->cmds[k].argc, 1);
        if (cases[i].commands) {
            const respArg *a = &f.c->args[f.c->cmds[0].first];
            ASSERT(a->len == 3 || a->len == 4);
        }
        if (cases[i].error == RESP_ERR_EXPECTED_DOLLAR) ASSERT_EQ(f.c->parser.bad_byte, 'X');

        /* The commands before the error still run; nothing more is read. */
        sendStr(f.peer, "PING\r\n");
        ASSERT_EQ(netioRead(&f.w, f.c, &f.lim), NETIO_AGAIN);
        runAll(&f);
        ASSERT_EQ(f.c->read_error, cases[i].error);
        ASSERT_EQ(netioRead(&f.w, f.c, &f.lim), NETIO_AGAIN);
        ASSERT_EQ(netioParse(f.c, &f.lim), 0);
        ASSERT_EQ(atomic_load(&f.w.reads), 1);
        ASSERT_EQ(atomic_load(&f.w.bytes_read), len);
        tearDown(&f);
    }

    /* proto-max-bulk-len comes from the limits. */
    fixture f;
    if (setUp(&f)) return 1;
    f.lim.proto_max_bulk_len = 100;
    sendStr(f.peer, "*2\r\n$3\r\nGET\r\n$100\r\n");
    ASSERT_EQ(netioRead(&f.w, f.c, &f.lim), NETIO_OK);
    ASSERT_EQ(f.c->read_error, 0);
    tearDown(&f);
    if (setUp(&f)) return 1;
    f.lim.proto_max_bulk_len = 100;
    sendStr(f.peer, "*2\r\n$3\r\nGET\r\n$101\r\n");
    ASSERT_EQ(netioRead(&f.w, f.c, &f.lim), NETIO_OK);
    ASSERT_EQ(f.c->read_error, RESP_ERR_BULK_LEN);
    tearDown(&f);
    return 0;
}

int test_netio_qbuf_limit(void) {
    fixture f;
    if (setUp(&f)) return 1;
    f.lim.qbuf_limit = 1024;
    static const char hdr[] = "*2\r\n$3\r\nSET\r\n$5000\r\n";
    char fill[1100];
    memset(fill, 'x', sizeof(fill));
    sendAll(f.peer, hdr, sizeof(hdr) - 1);
    sendAll(f.peer, fill, 1024 - (sizeof(hdr) - 1));
    /* Exactly at the limit is allowed. */
    ASSERT_EQ(netioRead(&f.w, f.c, &f.lim), NETIO_OK);
    ASSERT_EQ(f.c->qbuf_len, 1024);
    sendAll(f.peer, fill, 1);
    ASSERT_EQ(netioRead(&f.w, f.c, &f.lim), NETIO_QBUF_LIMIT);
    ASSERT_EQ(f.c->qbuf_len, 1025);
    tearDown(&f);

    /* Complete commands that are run and consumed never add up to it. */
    if (setUp(&f)) return 1;
    f.lim.qbuf_limit = 1024;
    str one = strEmpty();
    one = strCat(one, "*2\r\n$4\r\nECHO\r\n$600\r\n");
    one = strCatLen(one, fill, 600);
    one = strCat(one, "\r\n");
    for (int i = 0; i < 10; i++) {
        sendAll(f.peer, one, strLen(one));
        ASSERT_EQ(netioRead(&f.w, f.c, &f.lim), NETIO_OK);
        ASSERT_EQ(f.c->cmds_count, 1);
        runAll(&f);
    }
    strFree(one);
    tearDown(&f);
    return 0;
}

int test_netio_closed(void) {
    fixture f;
    if (setUp(&f)) return 1;
    sendStr(f.peer, "PING\r\n");
    close(f.peer);
    f.peer = -1;
    /* Data sent before the close is still read and parsed first. */
    ASSERT_EQ(netioRead(&f.w, f.c, &f.lim), NETIO_OK);
    EXPECT_CMD(f.c, 0, "PING");
    runAll(&f);
    ASSERT_EQ(netioRead(&f.w, f.c, &f.lim), NETIO_CLOSED);
    ASSERT_EQ(netioRead(&f.w, f.c, &f.lim), NETIO_CLOSED);
    ASSERT_EQ(atomic_load(&f.w.reads), 1);
    ASSERT_EQ(atomic_load(&f.w.bytes_read), 6);
    tearDown(&f);

    /* A half-close (shutdown of the peer's writing side) reads as closed too,
     * also in the middle of a command. */
    if (setUp(&f)) return 1;
    sendStr(f.peer, "*2\r\n$3\r\nGET\r\n");
    ASSERT_EQ(shutdown(f.peer, SHUT_WR), 0);
    ASSERT_EQ(netioRead(&f.w, f.c, &f.lim), NETIO_OK);
    ASSERT_EQ(f.c->cmds_count, 0);
    ASSERT_EQ(netioRead(&f.w, f.c, &f.lim), NETIO_CLOSED);
    tearDown(&f);
    return 0;
}

int test_netio_consume_compacts(void) {
    fixture f;
    if (setUp(&f)) return 1;
    static const char partial[] = "*2\r\n$3\r\nGET\r\n$1";
    sendStr(f.peer, "*1\r\n$4\r\nPING\r\n");
    sendStr(f.peer, partial);
    ASSERT_EQ(netioRead(&f.w, f.c, &f.lim), NETIO_OK);
    ASSERT_EQ(f.c->cmds_count, 1);
    char *q = f.c->qbuf;
    ASSERT(q != NULL);
    ASSERT(f.w.spare_qbuf == NULL);

    /* The partial command moves to the start of the same buffer. */
    runAll(&f);
    ASSERT(f.c->qbuf == q);
    ASSERT_EQ(f.c->qbuf_len, sizeof(partial) - 1);
    ASSERT_MEM_EQ(f.c->qbuf, partial, sizeof(partial) - 1);
    ASSERT_EQ(f.c->cmds_count, 0);
    ASSERT_EQ(f.c->cmds_next, 0);
    ASSERT_EQ(f.c->args_used, 0);
    ASSERT_EQ(f.c->parser.argc, 1);
    ASSERT_EQ(f.c->args[0].off, 8);
    ASSERT_EQ(f.c->args[0].len, 3);
    ASSERT(f.w.spare_qbuf == NULL);

    sendStr(f.peer, "\r\nk\r\n*1\r\n$4\r\nPI");
    ASSERT_EQ(netioRead(&f.w, f.c, &f.lim), NETIO_OK);
    ASSERT_EQ(f.c->cmds_count, 1);
    EXPECT_CMD(f.c, 0, "GET", "k");
    ASSERT_EQ(f.c->args[1].off, 17);

    /* Consuming twice in a row (nothing ran in between) changes nothing. */
    runAll(&f);
    ASSERT_EQ(f.c->qbuf_len, 10);
    runAll(&f);
    ASSERT_EQ(f.c->qbuf_len, 10);
    ASSERT_MEM_EQ(f.c->qbuf, "*1\r\n$4\r\nPI", 10);
    sendStr(f.peer, "NG\r\n");
    ASSERT_EQ(netioRead(&f.w, f.c, &f.lim), NETIO_OK);
    EXPECT_CMD(f.c, 0, "PING");

    /* An emptied buffer goes to the worker's spare slot... */
    runAll(&f);
    ASSERT(f.c->qbuf == NULL);
    ASSERT_EQ(f.c->qbuf_len, 0);
    ASSERT_EQ(f.c->qbuf_cap, 0);
    ASSERT(f.w.spare_qbuf == q);

    /* ...and the next read, by this client or another, takes it from there. */
    sendStr(f.peer, "PING\r\n");
    ASSERT_EQ(netioRead(&f.w, f.c, &f.lim), NETIO_OK);
    ASSERT(f.c->qbuf == q);
    ASSERT(f.w.spare_qbuf == NULL);
    runAll(&f);
    ASSERT(f.w.spare_qbuf == q);

    fixture g;
    if (setUp(&g)) return 1;
    sendStr(g.peer, "PING\r\n");
    ASSERT_EQ(netioRead(&f.w, g.c, &g.lim), NETIO_OK);
    ASSERT(g.c->qbuf == q);
    ASSERT(f.w.spare_qbuf == NULL);
    /* Two clients, one spare slot: the second emptied buffer is freed. */
    sendStr(f.peer, "PING\r\n");
    ASSERT_EQ(netioRead(&f.w, f.c, &f.lim), NETIO_OK);
    ASSERT(f.c->qbuf != NULL && f.c->qbuf != q);
    g.c->cmds_next = g.c->cmds_count;
    netioConsumeCommands(&f.w, g.c);
    ASSERT(f.w.spare_qbuf == q);
    runAll(&f);
    ASSERT(f.c->qbuf == NULL);
    ASSERT(f.w.spare_qbuf == q);
    ASSERT_EQ(atomic_load(&f.w.reads), 6);
    tearDown(&g);
    tearDown(&f);
    return 0;
}

/* --- Writing ------------------------------------------------------------- */

/* The pending output in send order (a copy; free with strFree). */
static str pendingOutput(const client *c) {
    str s = strEmpty();
    if (c->bufpos) s = strCatLen(s, c->buf + c->sentlen, c->bufpos - c->sentlen);
    size_t skip = c->bufpos ? 0 : c->sentlen;
    for (const replyBlock *b = c->reply_head; b; b = b->next) {
        s = strCatLen(s, b->data + skip, b->used - skip);
        skip = 0;
    }
    return s;
}

int test_netio_write_order(void) {
    fixture f;
    if (setUp(&f)) return 1;
    setNonBlocking(f.peer);

    /* Nothing pending: nothing written. */
    ASSERT_EQ(netioWrite(&f.w, f.c), NETIO_OK);
    ASSERT_EQ(atomic_load(&f.w.writes), 0);

    /* Only the fixed buffer. */
    replyOk(f.c);
    replyBulk(f.c, "value", 5);
    ASSERT_EQ(netioWrite(&f.w, f.c), NETIO_OK);
    str got = strEmpty();
    drainPeer(f.peer, &got);
    ASSERT_EQ(strLen(got), 16);
    ASSERT_MEM_EQ(got, "+OK\r\n$5\r\nvalue\r\n", 16);
    ASSERT_EQ(atomic_load(&f.w.writes), 1);
    ASSERT_EQ(atomic_load(&f.w.bytes_written), 16);
    ASSERT_EQ(f.c->bufpos, 0);
    ASSERT_EQ(f.c->sentlen, 0);

    /* The fixed buffer, then more blocks than one writev takes (deferred
     * lengths make many small blocks). */
    char fill[3000];
    for (size_t i = 0; i < sizeof(fill); i++)
        fill[i] = (char)('A' + i % 23);
    replyRaw(f.c, fill, sizeof(fill));
    for (int i = 0; i < 30; i++) {
        void *h = replyDeferredLen(f.c);
        replyLongLong(f.c, i);
        replyBulk(f.c, fill, (size_t)i * 10);
        replySetDeferredArrayLen(f.c, h, 2);
    }
    replyStatus(f.c, "END");
    int blocks = 0;
    for (replyBlock *b = f.c->reply_head; b; b = b->next)
        blocks++;
    ASSERT_GT(blocks, 32);
    str want = pendingOutput(f.c);
    ASSERT_EQ(clientPendingReplyBytes(f.c), strLen(want));
    ASSERT_EQ(netioWrite(&f.w, f.c), NETIO_OK);
    ASSERT(!clientHasPendingReplies(f.c));
    ASSERT(f.c->reply_head == NULL && f.c->reply_tail == NULL);
    ASSERT_EQ(f.c->reply_bytes, 0);
    ASSERT_EQ(f.c->bufpos, 0);
    ASSERT_EQ(f.c->sentlen, 0);
    strClear(got);
    drainPeer(f.peer, &got);
    ASSERT_EQ(strLen(got), strLen(want));
    ASSERT(memcmp(got, want, strLen(want)) == 0);
    ASSERT_MEM_EQ(got + strLen(got) - 6, "+END\r\n", 6);
    ASSERT_GE(atomic_load(&f.w.writes), 1 + 3); /* at most 16 iovecs per writev */
    ASSERT_EQ(atomic_load(&f.w.bytes_written), 16 + strLen(want));
    ASSERT_EQ(atomic_load(&f.w.reads), 0);
    strFree(got);
    strFree(want);
    tearDown(&f);
    return 0;
}

/* The peer does not read: netioWrite sends what the socket takes and returns
 * NETIO_AGAIN; replies added meanwhile go after everything pending. */
int test_netio_write_partial(void) {
    fixture f;
    if (setUp(&f)) return 1;
    setNonBlocking(f.peer);
    int small = 4096;
    ASSERT_EQ(setsockopt(f.c->fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof(small)), 0);
    ASSERT_EQ(setsockopt(f.peer, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small)), 0);

    char *big = lmalloc(300 * 1024);
    for (size_t i = 0; i < 300 * 1024; i++)
        big[i] = (char)(i * 13 + i / 4099);
    replyStatus(f.c, "first");
    replyBulk(f.c, big, 300 * 1024);
    str want = pendingOutput(f.c);

    str got = strEmpty();
    int again = 0, appended = 0;
    size_t written = 0;
    netioStatus st;
    while ((st = netioWrite(&f.w, f.c)) == NETIO_AGAIN) {
        again++;
        size_t now = atomic_load(&f.w.bytes_written);
        ASSERT_GT(now, written); /* every call made progress */
        written = now;
        /* Append a reply mid-way, also when the fixed buffer is fully sent
         * but blocks remain. */
        if (again % 5 == 1 && appended < 20) {
            char line[32];
            snprintf(line, sizeof(line), "mid%d", appended++);
            replyStatus(f.c, line);
            want = strCatFmt(want, "+%s\r\n", line);
        }
        drainPeer(f.peer, &got);
    }
    ASSERT_EQ(st, NETIO_OK);
    ASSERT_GT(again, 5);
    ASSERT_GT(appended, 1);
    drainPeer(f.peer, &got);
    ASSERT_EQ(strLen(got), strLen(want));
    ASSERT(memcmp(got, want, strLen(want)) == 0);
    ASSERT_EQ(atomic_load(&f.w.bytes_written), strLen(want));
    ASSERT_GE(atomic_load(&f.w.writes), (uint64_t)again);
    ASSERT_EQ(f.c->reply_bytes, 0);
    ASSERT(!clientHasPendingReplies(f.c));
    lfree(big);
    strFree(got);
    strFree(want);
    tearDown(&f);
    return 0;
}

/* Makes the client's socket able to take megabytes at once, so only netio's
 * own bound limits a call (SO_SNDBUFFORCE needs CAP_NET_ADMIN; otherwise
 * net.core.wmem_max caps SO_SNDBUF and the kernel bounds the write). */
static void bigSendBuffer(int fd) {
    int size = 16 * 1024 * 1024;
    if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)) != 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
}

/* Writes until done, checking the bytes of each call; returns the number of
 * calls, or -1 with a message when a call wrote more than `max_per_call`. */
static int writeAllBounded(fixture *f, str *got, size_t max_per_call) {
    int calls = 0;
    size_t before = atomic_load(&f->w.bytes_written);
    for (;;) {
        netioStatus st = netioWrite(&f->w, f->c);
        calls++;
        size_t now = atomic_load(&f->w.bytes_written);
        if (now - before > max_per_call) {
            fprintf(stderr, "  call %d wrote %zu bytes (bound %zu)\n", calls, now - before,
                    max_per_call);
            return -1;
        }
        before = now;
        drainPeer(f->peer, got);
        if (st == NETIO_OK) return calls;
        if (st != NETIO_AGAIN) return -1;
    }
}

int test_netio_write_cap_blocks(void) {
    fixture f;
    if (setUp(&f)) return 1;
    setNonBlocking(f.peer);
    bigSendBuffer(f.c->fd);
    char *chunk = lmalloc(32 * 1024);
    memset(chunk, 'c', 32 * 1024);
    for (int i = 0; i < 64; i++)
        replyBulk(f.c, chunk, 32 * 1024); /* ~2 MB in blocks */
    str want = pendingOutput(f.c);
    str got = strEmpty();
    /* One call stops once it sent the bound; it may finish the iovec batch
     * that crossed it (one block here: a 32 KB reply, up to 40 KB with its
     * allocation's slack). */
    size_t bound = NETIO_WRITE_CAP + 64 * 1024;
    int calls = writeAllBounded(&f, &got, bound);
    ASSERT_GE(calls, (int)(strLen(want) / bound));
    ASSERT_EQ(strLen(got), strLen(want));
    ASSERT(memcmp(got, want, strLen(want)) == 0);
    ASSERT_EQ(atomic_load(&f.w.bytes_written), strLen(want));
    lfree(chunk);
    strFree(got);
    strFree(want);
    tearDown(&f);
    return 0;
}

/* One huge reply (GET of a 4 MB value) is one block: the per-call bound
 * ("so one client with a huge reply does not delay the others") must hold
 * for it too. */
int test_netio_write_cap_single_reply(void) {
    fixture f;
    if (setUp(&f)) return 1;
    setNonBlocking(f.peer);
    bigSendBuffer(f.c->fd);
    size_t len = 4 * 1024 * 1024;
    char *value = lmalloc(len);
    for (size_t i = 0; i < len; i++)
        value[i] = (char)(i % 241);
    replyBulk(f.c, value, len);
    str want = pendingOutput(f.c);
    str got = strEmpty();
    int calls = writeAllBounded(&f, &got, NETIO_WRITE_CAP + 64 * 1024);
    ASSERT_GT(calls, 0);
    ASSERT_EQ(strLen(got), strLen(want));
    ASSERT(memcmp(got, want, strLen(want)) == 0);
    lfree(value);
    strFree(got);
    strFree(want);
    tearDown(&f);
    return 0;
}

int test_netio_write_epipe(void) {
    signal(SIGPIPE, SIG_IGN);
    fixture f;
    if (setUp(&f)) return 1;
    close(f.peer);
    f.peer = -1;
    replyOk(f.c);
    ASSERT_EQ(netioWrite(&f.w, f.c), NETIO_ERROR);
    ASSERT_EQ(f.c->io_errno, EPIPE);
    ASSERT_EQ(atomic_load(&f.w.writes), 0);
    ASSERT_EQ(atomic_load(&f.w.bytes_written), 0);
    /* Nothing was consumed. */
    ASSERT(clientHasPendingReplies(f.c));
    ASSERT_EQ(clientPendingReplyBytes(f.c), 5);

    /* The same with blocks (writev). */
    char fill[5000];
    memset(fill, 'e', sizeof(fill));
    replyRaw(f.c, fill, sizeof(fill));
    f.c->io_errno = 0;
    ASSERT_EQ(netioWrite(&f.w, f.c), NETIO_ERROR);
    ASSERT_EQ(f.c->io_errno, EPIPE);
    tearDown(&f);
    return 0;
}

/* Reads and writes on one worker add up in its counters. */
int test_netio_counters(void) {
    fixture f;
    if (setUp(&f)) return 1;
    setNonBlocking(f.peer);
    uint64_t in = 0, out = 0;
    str got = strEmpty();
    for (int i = 0; i < 50; i++) {
        char req[128];
        int n = snprintf(req, sizeof(req), "*2\r\n$4\r\nECHO\r\n$%d\r\n%0*d\r\n", i + 1, i + 1, 0);
        sendAll(f.peer, req, (size_t)n);
        in += (uint64_t)n;
        ASSERT_EQ(netioRead(&f.w, f.c, &f.lim), NETIO_OK);
        ASSERT_EQ(f.c->cmds_count, 1);
        const respArg *a = &f.c->args[f.c->cmds[0].first + 1];
        replyBulk(f.c, f.c->qbuf + a->off, a->len);
        out += (uint64_t)snprintf(NULL, 0, "$%d\r\n", i + 1) + (uint64_t)i + 1 + 2;
        runAll(&f);
        ASSERT_EQ(netioWrite(&f.w, f.c), NETIO_OK);
    }
    drainPeer(f.peer, &got);
    ASSERT_EQ(strLen(got), out);
    ASSERT_EQ(atomic_load(&f.w.reads), 50);
    ASSERT_EQ(atomic_load(&f.w.writes), 50);
    ASSERT_EQ(atomic_load(&f.w.bytes_read), in);
    ASSERT_EQ(atomic_load(&f.w.bytes_written), out);
    /* Calls that move no bytes count nothing. */
    ASSERT_EQ(netioRead(&f.w, f.c, &f.lim), NETIO_AGAIN);
    ASSERT_EQ(netioWrite(&f.w, f.c), NETIO_OK);
    ASSERT_EQ(atomic_load(&f.w.reads), 50);
    ASSERT_EQ(atomic_load(&f.w.writes), 50);
    strFree(got);
    tearDown(&f);
    return 0;
}
