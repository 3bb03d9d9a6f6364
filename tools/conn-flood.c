/* SPDX-License-Identifier: BSD-3-Clause
 *
 * conn-flood: opens many client connections to a Redis-compatible server, then either
 * holds them idle or has each one send a command at a fixed interval, and reports
 * connection counts, reply latency percentiles and the server's memory per connection.
 * One thread runs one epoll loop over non-blocking sockets; a separate blocking
 * "control" connection asks the server for INFO before and after the flood, and the
 * server's VmRSS is read from /proc. Standalone: it links nothing from loom, so it can
 * be pointed at redis-server just the same. Usage and exit status: see usage() below.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define EXIT_RUN_ERRORS  1 /* connect failures, error replies, closes, unanswered */
#define EXIT_USAGE       2
#define EXIT_SETUP       3 /* cannot raise the fd limit, resolve, or reach the server */
#define EXIT_INTERRUPTED 130

#define MAX_CONNS         1000000L
#define MAX_INTERVAL_MS   3600000L
#define MAX_PENDING       16 /* requests in flight per connection before a send is skipped */
#define READ_BUF_BYTES    65536
#define LINE_MAX_BYTES    65536         /* longest RESP header/simple line accepted in a reply */
#define FD_MARGIN         64            /* stdio, epoll, control connection, headroom */
#define SEND_BURST        256           /* sends between two looks at the replies */
#define REPLY_WAIT_NS     5000000000ULL /* idle --ping-once: wait for the replies */
#define ACCEPT_WAIT_NS    5000000000ULL /* wait for the server to accept the connections */
#define ACCEPT_SETTLE_NS  1000000000ULL /* ... or for connected_clients to stop changing */
#define DRAIN_NS          2000000000ULL /* after --duration: wait for replies in flight */
#define CONTROL_TIMEOUT_S 5
#define MAX_ERRNO_KINDS   8
#define FIRST_ERROR_BYTES 128
#define NS_PER_MS         1000000ULL
#define NS_PER_S          1000000000ULL

/* Latency histogram in nanoseconds, log-linear: every power-of-two range is split into
 * 64 sub-buckets, so a percentile is off by less than 1/64 of its value, in fixed memory
 * however long the run. Values below 128 ns land in a bucket of their own. */
#define HIST_SUB_BITS 6
#define HIST_SUB      (1u << HIST_SUB_BITS)
#define HIST_BUCKETS  ((65 - HIST_SUB_BITS) * HIST_SUB)

typedef struct histogram {
    uint64_t counts[HIST_BUCKETS];
    uint64_t total;
    uint64_t max;
} histogram;

typedef struct options {
    const char *host;
    const char *port;
    long conns;
    long interval_ms; /* 0: idle mode */
    double duration_s;
    const char *command;
    bool key_per_conn;
    bool ping_once;
    long pid; /* 0: ask the server (INFO server process_id) */
    bool json;
    long batch; /* connects in flight at once */
    double connect_timeout_s;
} options;

enum { CONN_UNUSED, CONN_CONNECTING, CONN_OPEN, CONN_CLOSED };

/* One flooding connection. The reply parser is streaming: it keeps only how many values
 * the current top-level reply still needs, how much of a bulk body is left to skip, and
 * the unfinished tail of a header line, so a reply may be split anywhere across reads. */
typedef struct conn {
    int fd;
    uint8_t state;
    char frame_type;   /* type byte that opened the reply being parsed */
    uint8_t pend_head; /* ring of write times of requests awaiting a reply */
    uint8_t pend_count;
    int64_t values_left; /* values still needed to finish the reply; 0 between replies */
    int64_t bulk_left;   /* bytes of bulk body plus CRLF still to skip */
    uint64_t started_ns; /* when connect() was called */
    uint64_t sent_ns[MAX_PENDING];
    char *line; /* partial line carried over to the next read */
    uint32_t line_len, line_cap;
    char *out; /* bytes a short write left unsent */
    uint32_t out_len, out_cap;
    const char *cmd; /* this connection's encoded request */
    uint32_t cmd_len;
} conn;

/* What the server looked like at one moment; -1 means unknown. */
typedef struct memSample {
    long long rss_kb;
    long long used_memory;
    long open; /* flooding connections open at the time */
} memSample;

typedef struct flood {
    options opt;
    struct addrinfo *addr;
    int epfd;
    conn *conns;
    char *arena; /* every connection's encoded request */
    char *rbuf;
    /* connect phase */
    long next_to_start, inflight, oldest;
    /* counters */
    long established, failed, closed_by_server, open;
    int fail_errno[MAX_ERRNO_KINDS];
    long fail_count[MAX_ERRNO_KINDS];
    uint64_t sent, completed, error_replies, skipped, unsolicited, pushes, protocol_errors;
    uint64_t outstanding, unanswered;
    uint64_t max_lag_ns;
    char first_error[FIRST_ERROR_BYTES];
    histogram hist;
} flood;

static volatile sig_atomic_t interrupted;

static void onSignal(int sig) {
    (void)sig;
    interrupted = 1;
}

static void die(int status, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("conn-flood: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(status);
}

static void *allocOrDie(void *old, size_t bytes) {
    void *p = realloc(old, bytes);
    if (p == NULL) die(EXIT_SETUP, "out of memory (%zu bytes)", bytes);
    return p;
}

static uint64_t nowNs(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

/* epoll_wait timeout for a wait of `ns`: rounded up, so a wakeup is never early. */
static int msCeil(uint64_t ns) {
    uint64_t ms = (ns + NS_PER_MS - 1) / NS_PER_MS;
    return ms > INT_MAX ? INT_MAX : (int)ms;
}

static double msOf(uint64_t ns) {
    return (double)ns / (double)NS_PER_MS;
}

/* ---- latency histogram ---- */

static unsigned histIndex(uint64_t v) {
    if (v < 2 * HIST_SUB) return (unsigned)v;
    unsigned shift = (unsigned)(63 - __builtin_clzll(v)) - HIST_SUB_BITS;
    return (shift + 1) * HIST_SUB + (unsigned)((v >> shift) - HIST_SUB);
}

/* The largest value that lands in bucket i. */
static uint64_t histUpper(unsigned i) {
    if (i < 2 * HIST_SUB) return i;
    unsigned shift = i / HIST_SUB - 1;
    uint64_t sub = i % HIST_SUB + HIST_SUB;
    return ((sub + 1) << shift) - 1;
}

static void histRecord(histogram *h, uint64_t v) {
    h->counts[histIndex(v)]++;
    h->total++;
    if (v > h->max) h->max = v;
}

/* The smallest bucket bound at or below which p percent of the samples fall, capped at
 * the exact maximum; 0 when there are no samples. */
static uint64_t histPercentile(const histogram *h, double p) {
    if (h->total == 0) return 0;
    double exact = p / 100.0 * (double)h->total;
    uint64_t target = (uint64_t)exact;
    if ((double)target < exact || target == 0) target++;
    uint64_t seen = 0;
    for (unsigned i = 0; i < HIST_BUCKETS; i++) {
        seen += h->counts[i];
        if (seen >= target) {
            uint64_t v = histUpper(i);
            return v < h->max ? v : h->max;
        }
    }
    return h->max;
}

/* ---- options ---- */

static void usage(FILE *to) {
    fputs("usage: conn-flood [-h host] [-p port] [-n conns] [--interval ms] [--duration s]\n"
          "                  [--command \"...\"] [--key-per-conn] [--ping-once] [--pid pid]\n"
          "                  [--batch n] [--connect-timeout s] [--json]\n"
          "\n"
          "Opens conns connections (default 10000) to host:port (default 127.0.0.1:6379).\n"
          "  --interval 0     idle mode (default): hold the connections for --duration\n"
          "  --ping-once      idle mode: send the command (PING unless --command) once on each\n"
          "                   connection first and wait up to 5 s for the replies\n"
          "  --interval MS    active mode: each connection sends the command every MS ms, at\n"
          "                   evenly spread phases; latency is measured from write to reply\n"
          "  --duration S     how long to hold or send, after connecting (default 10)\n"
          "  --command \"...\"  the request, split on spaces, quotes group (default PING)\n"
          "  --key-per-conn   append :<connection number> to the command's first argument\n"
          "  --pid PID        server pid for VmRSS (default: INFO process_id, loopback only)\n"
          "  --batch N        connections between connect() and the server's accept() at once\n"
          "                   (default 500; keep it below the server's tcp-backlog)\n"
          "  --connect-timeout S  give up on one connect after S seconds (default 5)\n"
          "  --json           print the report as one JSON object\n"
          "\n"
          "A separate control connection reads INFO before and after, so the server must\n"
          "accept conns + 1 clients. At most 16 requests wait per connection; a send due\n"
          "while 16 are unanswered is skipped and counted. After --duration the tool waits\n"
          "up to 2 s for replies in flight, then closes everything.\n"
          "Exit status: 0 all good, 1 connect failures, error replies, connections closed\n"
          "by the server or unanswered requests, 2 bad usage, 3 setup failed, 130 interrupted.\n",
          to);
}

static void badUsage(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("conn-flood: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputs("\n\n", stderr);
    va_end(ap);
    usage(stderr);
    exit(EXIT_USAGE);
}

static long parseLongArg(const char *name, const char *s, long min, long max) {
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
        badUsage("%s wants an integer from %ld to %ld, got \"%s\"", name, min, max, s);
    return v;
}

static double parseSecondsArg(const char *name, const char *s) {
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0' || !(v > 0) || v > 86400)
        badUsage("%s wants seconds, more than 0 and at most 86400, got \"%s\"", name, s);
    return v;
}

static void parseOptions(int argc, char **argv, options *opt) {
    enum {
        OPT_INTERVAL = 256,
        OPT_DURATION,
        OPT_COMMAND,
        OPT_KEY_PER_CONN,
        OPT_PING_ONCE,
        OPT_PID,
        OPT_JSON,
        OPT_BATCH,
        OPT_CONNECT_TIMEOUT,
        OPT_HELP
    };
    static const struct option longopts[] = {
        {"host", required_argument, NULL, 'h'},
        {"port", required_argument, NULL, 'p'},
        {"conns", required_argument, NULL, 'n'},
        {"interval", required_argument, NULL, OPT_INTERVAL},
        {"duration", required_argument, NULL, OPT_DURATION},
        {"command", required_argument, NULL, OPT_COMMAND},
        {"key-per-conn", no_argument, NULL, OPT_KEY_PER_CONN},
        {"ping-once", no_argument, NULL, OPT_PING_ONCE},
        {"pid", required_argument, NULL, OPT_PID},
        {"json", no_argument, NULL, OPT_JSON},
        {"batch", required_argument, NULL, OPT_BATCH},
        {"connect-timeout", required_argument, NULL, OPT_CONNECT_TIMEOUT},
        {"help", no_argument, NULL, OPT_HELP},
        {NULL, 0, NULL, 0},
    };
    *opt = (options){.host = "127.0.0.1",
                     .port = "6379",
                     .conns = 10000,
                     .duration_s = 10,
                     .command = "PING",
                     .batch = 500,
                     .connect_timeout_s = 5};
    int ch;
    while ((ch = getopt_long(argc, argv, "h:p:n:", longopts, NULL)) != -1) {
        switch (ch) {
            case 'h': opt->host = optarg; break;
            case 'p': opt->port = optarg; break;
            case 'n': opt->conns = parseLongArg("-n", optarg, 1, MAX_CONNS); break;
            case OPT_INTERVAL:
                opt->interval_ms = parseLongArg("--interval", optarg, 0, MAX_INTERVAL_MS);
                break;
            case OPT_DURATION: opt->duration_s = parseSecondsArg("--duration", optarg); break;
            case OPT_COMMAND: opt->command = optarg; break;
            case OPT_KEY_PER_CONN: opt->key_per_conn = true; break;
            case OPT_PING_ONCE: opt->ping_once = true; break;
            case OPT_PID: opt->pid = parseLongArg("--pid", optarg, 1, INT_MAX); break;
            case OPT_JSON: opt->json = true; break;
            case OPT_BATCH: opt->batch = parseLongArg("--batch", optarg, 1, MAX_CONNS); break;
            case OPT_CONNECT_TIMEOUT:
                opt->connect_timeout_s = parseSecondsArg("--connect-timeout", optarg);
                break;
            case OPT_HELP: usage(stdout); exit(0);
            default: usage(stderr); exit(EXIT_USAGE);
        }
    }
    if (optind < argc) badUsage("unexpected argument \"%s\"", argv[optind]);
    if (opt->ping_once && opt->interval_ms > 0)
        badUsage("--ping-once is for idle mode (--interval 0)");
}

/* ---- requests ---- */

/* Splits a command line on blanks; '...' and "..." group (no escapes). Returns the
 * number of arguments, or -1 on an unterminated quote. `words` gets pointers into
 * `buf`, a writable copy of the line that the words are cut out of. */
static int splitCommand(char *buf, char ***words) {
    int n = 0, cap = 8;
    char **w = allocOrDie(NULL, (size_t)cap * sizeof(*w));
    char *r = buf, *wp = buf;
    for (;;) {
        while (*r == ' ' || *r == '\t')
            r++;
        if (*r == '\0') break;
        if (n == cap) w = allocOrDie(w, (size_t)(cap *= 2) * sizeof(*w));
        w[n++] = wp;
        while (*r != '\0' && *r != ' ' && *r != '\t') {
            if (*r == '"' || *r == '\'') {
                char q = *r++;
                while (*r != '\0' && *r != q)
                    *wp++ = *r++;
                if (*r != q) {
                    free(w);
                    return -1;
                }
                r++;
            } else {
                *wp++ = *r++;
            }
        }
        bool at_end = *r == '\0';
        *wp++ = '\0';
        if (at_end) break;
        r++;
    }
    *words = w;
    return n;
}

/* Encodes the request of every connection as a RESP multibulk into one arena; with
 * --key-per-conn, connection i's first argument gets ":i" appended. */
static void buildRequests(flood *f) {
    char *line = allocOrDie(NULL, strlen(f->opt.command) + 1);
    strcpy(line, f->opt.command);
    char **words;
    int argc = splitCommand(line, &words);
    if (argc < 0) badUsage("unterminated quote in --command");
    if (argc == 0) badUsage("--command is empty");
    if (f->opt.key_per_conn && argc < 2)
        badUsage("--key-per-conn needs a command with an argument, e.g. \"GET key\"");

    long ncmds = f->opt.key_per_conn ? f->opt.conns : 1;
    /* per request: "*argc" and per argument "$len", CRLFs and the ":i" suffix */
    size_t per_cmd = 32;
    for (int i = 0; i < argc; i++)
        per_cmd += strlen(words[i]) + 32;
    size_t cap = per_cmd * (size_t)ncmds + 1, len = 0; /* + sprintf's final NUL */
    char *arena = allocOrDie(NULL, cap);
    size_t *offsets = allocOrDie(NULL, (size_t)ncmds * sizeof(*offsets));
    for (long c = 0; c < ncmds; c++) {
        offsets[c] = len;
        len += (size_t)sprintf(arena + len, "*%d\r\n", argc);
        for (int i = 0; i < argc; i++) {
            char suffix[24] = "";
            if (i == 1 && f->opt.key_per_conn) snprintf(suffix, sizeof(suffix), ":%ld", c);
            len += (size_t)sprintf(arena + len, "$%zu\r\n%s%s\r\n",
                                   strlen(words[i]) + strlen(suffix), words[i], suffix);
        }
    }
    for (long i = 0; i < f->opt.conns; i++) {
        long c = f->opt.key_per_conn ? i : 0;
        size_t end = c + 1 < ncmds ? offsets[c + 1] : len;
        f->conns[i].cmd = arena + offsets[c];
        f->conns[i].cmd_len = (uint32_t)(end - offsets[c]);
    }
    f->arena = arena;
    free(offsets);
    free(words);
    free(line);
}

/* ---- connections ---- */

static void recordFailure(flood *f, int err) {
    f->failed++;
    for (int i = 0; i < MAX_ERRNO_KINDS; i++) {
        if (f->fail_count[i] == 0) f->fail_errno[i] = err;
        if (f->fail_errno[i] == err) {
            f->fail_count[i]++;
            return;
        }
    }
    f->fail_count[MAX_ERRNO_KINDS - 1]++; /* too many kinds: lump into the last */
}

static void watch(flood *f, conn *c, int op, uint32_t events) {
    struct epoll_event ev = {.events = events, .data.u64 = (uint64_t)(c - f->conns)};
    if (epoll_ctl(f->epfd, op, c->fd, &ev) < 0) die(EXIT_SETUP, "epoll_ctl: %s", strerror(errno));
}

/* Closes an open connection. Requests still waiting on it count as unanswered. */
static void closeConn(flood *f, conn *c, bool by_server) {
    close(c->fd);
    c->fd = -1;
    c->state = CONN_CLOSED;
    f->open--;
    if (by_server) f->closed_by_server++;
    f->unanswered += c->pend_count;
    f->outstanding -= c->pend_count;
    c->pend_count = 0;
    free(c->line);
    free(c->out);
    c->line = c->out = NULL;
    c->line_len = c->line_cap = c->out_len = c->out_cap = 0;
}

static void failConnect(flood *f, conn *c, int err) {
    if (c->state == CONN_CONNECTING) f->inflight--;
    if (c->fd >= 0) close(c->fd);
    c->fd = -1;
    c->state = CONN_CLOSED;
    recordFailure(f, err);
}

static void markOpen(flood *f, conn *c) {
    if (c->state == CONN_CONNECTING) f->inflight--;
    c->state = CONN_OPEN;
    f->established++;
    f->open++;
}

static void startConnect(flood *f, conn *c) {
    const struct addrinfo *ai = f->addr;
    c->started_ns = nowNs();
    c->fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0) {
        failConnect(f, c, errno);
        return;
    }
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (connect(c->fd, ai->ai_addr, ai->ai_addrlen) == 0) {
        markOpen(f, c);
        watch(f, c, EPOLL_CTL_ADD, EPOLLIN);
    } else if (errno == EINPROGRESS) {
        c->state = CONN_CONNECTING;
        f->inflight++;
        watch(f, c, EPOLL_CTL_ADD, EPOLLOUT);
    } else {
        failConnect(f, c, errno);
    }
}

static void finishConnect(flood *f, conn *c) {
    int err = 0;
    socklen_t len = sizeof(err);
    if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) err = errno;
    if (err != 0) {
        failConnect(f, c, err);
        return;
    }
    markOpen(f, c);
    watch(f, c, EPOLL_CTL_MOD, EPOLLIN);
}

static void appendBytes(char **buf, uint32_t *len, uint32_t *cap, const char *p, size_t n) {
    if (*len + n > *cap) {
        size_t want = *cap ? *cap : 64;
        while (want < *len + n)
            want *= 2;
        *buf = allocOrDie(*buf, want);
        *cap = (uint32_t)want;
    }
    memcpy(*buf + *len, p, n);
    *len += (uint32_t)n;
}

/* Writes what a short write left behind; stops watching for writability once done. */
static void flushOut(flood *f, conn *c) {
    while (c->out_len > 0) {
        ssize_t n = send(c->fd, c->out, c->out_len, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN) return;
            closeConn(f, c, true);
            return;
        }
        memmove(c->out, c->out + n, c->out_len - (size_t)n);
        c->out_len -= (uint32_t)n;
    }
    watch(f, c, EPOLL_CTL_MOD, EPOLLIN);
}

/* Sends this connection's request and notes its write time; skipped (and counted) when
 * MAX_PENDING requests are already unanswered. Returns the write time, 0 if skipped. */
static uint64_t sendRequest(flood *f, conn *c) {
    if (c->pend_count == MAX_PENDING) {
        f->skipped++;
        return 0;
    }
    uint64_t t = nowNs();
    size_t done = 0;
    if (c->out_len == 0) {
        ssize_t n = send(c->fd, c->cmd, c->cmd_len, MSG_NOSIGNAL);
        if (n < 0 && errno != EAGAIN && errno != EINTR) {
            closeConn(f, c, true);
            return t;
        }
        done = n > 0 ? (size_t)n : 0;
        if (done < c->cmd_len) watch(f, c, EPOLL_CTL_MOD, EPOLLIN | EPOLLOUT);
    }
    if (done < c->cmd_len)
        appendBytes(&c->out, &c->out_len, &c->out_cap, c->cmd + done, c->cmd_len - done);
    c->sent_ns[(c->pend_head + c->pend_count) % MAX_PENDING] = t;
    c->pend_count++;
    f->sent++;
    f->outstanding++;
    return t;
}

/* ---- reply parsing ---- */

static void finishReply(flood *f, conn *c, uint64_t now) {
    if (c->frame_type == '>') { /* RESP3 push: out of band, answers no request */
        f->pushes++;
        return;
    }
    if (c->frame_type == '-' || c->frame_type == '!') f->error_replies++;
    if (c->pend_count == 0) {
        f->unsolicited++;
        return;
    }
    uint64_t sent = c->sent_ns[c->pend_head];
    c->pend_head = (uint8_t)((c->pend_head + 1) % MAX_PENDING);
    c->pend_count--;
    f->outstanding--;
    f->completed++;
    histRecord(&f->hist, now > sent ? now - sent : 0);
}

static void finishValue(flood *f, conn *c, uint64_t now) {
    if (--c->values_left == 0) finishReply(f, c, now);
}

/* A RESP length: -1 (nil) or 0..INT32_MAX. Returns -2 when malformed. */
static long long parseLength(const char *p, size_t n) {
    if (n == 2 && p[0] == '-' && p[1] == '1') return -1;
    if (n == 0 || n > 10) return -2;
    long long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') return -2;
        v = v * 10 + (p[i] - '0');
    }
    return v > INT32_MAX ? -2 : v;
}

/* Handles one complete line (ending in CRLF) of a reply. Returns -1 on a protocol error. */
static int handleLine(flood *f, conn *c, const char *line, size_t len, uint64_t now) {
    if (len < 3 || line[len - 2] != '\r') return -1;
    char type = line[0];
    const char *body = line + 1;
    size_t body_len = len - 3;
    if (c->values_left == 0) {
        c->values_left = 1;
        c->frame_type = type;
        if (type == '-' && f->first_error[0] == '\0') {
            size_t n = body_len < FIRST_ERROR_BYTES - 1 ? body_len : FIRST_ERROR_BYTES - 1;
            memcpy(f->first_error, body, n);
            f->first_error[n] = '\0';
        }
    }
    switch (type) {
        case '+':
        case '-':
        case ':':
        case '_':
        case '#':
        case ',':
        case '(': finishValue(f, c, now); return 0;
        case '$':
        case '=':
        case '!': {
            long long n = parseLength(body, body_len);
            if (n == -2) return -1;
            if (n == -1)
                finishValue(f, c, now);
            else
                c->bulk_left = n + 2;
            return 0;
        }
        case '*':
        case '~':
        case '>':
        case '%':
        case '|': {
            long long n = parseLength(body, body_len);
            if (n == -2) return -1;
            if (n == -1) {
                finishValue(f, c, now);
                return 0;
            }
            c->values_left += (type == '%' || type == '|') ? 2 * n : n;
            /* an attribute annotates the value after it and fills no slot itself */
            if (type != '|') finishValue(f, c, now);
            return 0;
        }
        default: return -1;
    }
}

/* Feeds bytes read from the connection to the parser. Returns -1 on a protocol error. */
static int parseReplies(flood *f, conn *c, const char *p, size_t len, uint64_t now) {
    const char *end = p + len;
    while (p < end) {
        if (c->bulk_left > 0) {
            size_t take = (size_t)(end - p);
            if ((uint64_t)c->bulk_left < take) take = (size_t)c->bulk_left;
            p += take;
            c->bulk_left -= (int64_t)take;
            if (c->bulk_left == 0) finishValue(f, c, now);
            continue;
        }
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl + 1 - p) : (size_t)(end - p);
        if (nl == NULL || c->line_len > 0) {
            if (c->line_len + n > LINE_MAX_BYTES) return -1;
            appendBytes(&c->line, &c->line_len, &c->line_cap, p, n);
        }
        p += n;
        if (nl == NULL) break;
        const char *line = c->line_len > 0 ? c->line : nl + 1 - n;
        size_t line_len = c->line_len > 0 ? c->line_len : n;
        c->line_len = 0;
        if (handleLine(f, c, line, line_len, now) < 0) return -1;
    }
    return 0;
}

static void readReplies(flood *f, conn *c) {
    for (;;) {
        ssize_t n = read(c->fd, f->rbuf, READ_BUF_BYTES);
        if (n > 0) {
            if (parseReplies(f, c, f->rbuf, (size_t)n, nowNs()) < 0) {
                f->protocol_errors++;
                closeConn(f, c, false);
                return;
            }
            if (n < READ_BUF_BYTES) return;
        } else if (n == 0) {
            closeConn(f, c, true);
            return;
        } else if (errno != EINTR) {
            if (errno != EAGAIN) closeConn(f, c, true);
            return;
        }
    }
}

/* Waits up to timeout_ms for socket events and handles them. */
static void pollEvents(flood *f, int timeout_ms) {
    struct epoll_event ev[1024];
    int n = epoll_wait(f->epfd, ev, 1024, timeout_ms);
    if (n < 0) {
        if (errno == EINTR) return;
        die(EXIT_SETUP, "epoll_wait: %s", strerror(errno));
    }
    for (int i = 0; i < n; i++) {
        conn *c = &f->conns[ev[i].data.u64];
        if (c->state == CONN_CONNECTING) {
            finishConnect(f, c);
            continue;
        }
        if (c->state != CONN_OPEN) continue;
        if (ev[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) readReplies(f, c);
        if (c->state == CONN_OPEN && (ev[i].events & EPOLLOUT)) flushOut(f, c);
    }
}

/* ---- phases ---- */

/* Handles events until no request is in flight or `deadline` passes. */
static void awaitReplies(flood *f, uint64_t deadline) {
    uint64_t now;
    while (!interrupted && f->outstanding > 0 && (now = nowNs()) < deadline)
        pollEvents(f, msCeil(deadline - now));
}

/* The traffic (or idle hold) phase, from t0 to end. In active mode connection i sends at
 * t0 + i * interval / N + k * interval, so sends are spread evenly over every interval;
 * a cursor walks the connections in that order. A send that falls behind is made late,
 * not dropped (its lateness goes to max_lag_ns), unless MAX_PENDING are unanswered.
 * While catching up, replies are read every SEND_BURST sends, so they do not wait. */
static void runTraffic(flood *f, uint64_t t0, uint64_t end) {
    uint64_t interval_ns = (uint64_t)f->opt.interval_ms * NS_PER_MS;
    uint64_t n = (uint64_t)f->opt.conns, cursor = 0, cycle_start = t0;
    for (;;) {
        uint64_t now = nowNs(), wake = end;
        if (interrupted || now >= end) return;
        for (int burst = 0; interval_ns > 0; burst++) {
            uint64_t due = cycle_start + cursor * interval_ns / n;
            if (due >= end) break;
            if (due > now || burst == SEND_BURST) {
                wake = due > now ? due : now;
                break;
            }
            conn *c = &f->conns[cursor];
            if (c->state == CONN_OPEN) {
                uint64_t t = sendRequest(f, c);
                if (t > due && t - due > f->max_lag_ns) f->max_lag_ns = t - due;
            }
            if (++cursor == n) {
                cursor = 0;
                cycle_start += interval_ns;
            }
        }
        pollEvents(f, msCeil(wake - now));
    }
}

/* ---- the control connection and server memory ---- */

static int openControl(const struct addrinfo *ai) {
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    struct timeval tv = {.tv_sec = CONTROL_TIMEOUT_S};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
        int err = errno;
        close(fd);
        errno = err;
        return -1;
    }
    return fd;
}

/* Sends INFO <section> and returns the reply body (malloc'd, NUL-terminated), or NULL
 * when the connection failed or the server answered something other than a bulk string. */
static char *queryInfo(int fd, const char *section) {
    char req[128];
    int req_len =
        snprintf(req, sizeof(req), "*2\r\n$4\r\nINFO\r\n$%zu\r\n%s\r\n", strlen(section), section);
    if (send(fd, req, (size_t)req_len, MSG_NOSIGNAL) != req_len) return NULL;
    size_t len = 0, cap = 4096, want = 0;
    char *buf = allocOrDie(NULL, cap);
    for (;;) {
        if (len == cap) buf = allocOrDie(buf, cap *= 2);
        ssize_t n = recv(fd, buf + len, cap - len, 0);
        if (n <= 0) break;
        len += (size_t)n;
        if (want == 0) {
            char *crlf = memchr(buf, '\n', len);
            if (crlf == NULL) continue;
            long body_len = buf[0] == '$' ? strtol(buf + 1, NULL, 10) : -1;
            if (body_len < 0) break;
            want = (size_t)(crlf + 1 - buf) + (size_t)body_len + 2;
            if (want > cap) buf = allocOrDie(buf, cap = want + 1);
        }
        if (len >= want) {
            size_t head = (size_t)((char *)memchr(buf, '\n', len) + 1 - buf);
            memmove(buf, buf + head, want - head - 2);
            buf[want - head - 2] = '\0';
            return buf;
        }
    }
    free(buf);
    return NULL;
}

/* The value of field `name` in INFO `section`, or -1. */
static long long infoField(int fd, const char *section, const char *name) {
    char *text = queryInfo(fd, section);
    if (text == NULL) return -1;
    long long v = -1;
    size_t name_len = strlen(name);
    for (char *line = text; line != NULL && *line != '\0';) {
        if (strncmp(line, name, name_len) == 0 && line[name_len] == ':') {
            v = strtoll(line + name_len + 1, NULL, 10);
            break;
        }
        line = strchr(line, '\n');
        if (line != NULL) line++;
    }
    free(text);
    return v;
}

static long long readRssKb(long pid) {
    if (pid <= 0) return -1;
    char path[64], line[256];
    snprintf(path, sizeof(path), "/proc/%ld/status", pid);
    FILE *fp = fopen(path, "r");
    if (fp == NULL) return -1;
    long long kb = -1;
    while (fgets(line, sizeof(line), fp) != NULL) {
        if (strncmp(line, "VmRSS:", 6) == 0) {
            kb = strtoll(line + 6, NULL, 10);
            break;
        }
    }
    fclose(fp);
    return kb;
}

static memSample sampleMemory(const flood *f, int ctl, long pid) {
    return (memSample){.rss_kb = readRssKb(pid),
                       .used_memory = infoField(ctl, "memory", "used_memory"),
                       .open = f->open};
}

static bool isLoopback(const struct addrinfo *ai) {
    if (ai->ai_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)ai->ai_addr;
        return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
    }
    if (ai->ai_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ai->ai_addr;
        return IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
    }
    return false;
}

/* Gives the server time to accept what the kernel has already connected: waits until
 * INFO clients shows every open connection plus the control one, or the count stops
 * changing for a second, or 5 s pass. Handles socket events meanwhile, so connections
 * the server closes are noticed. */
static void awaitAccepted(flood *f, int ctl) {
    uint64_t start = nowNs(), changed = start;
    long long prev = -1;
    while (!interrupted) {
        pollEvents(f, 0);
        long long clients = infoField(ctl, "clients", "connected_clients");
        uint64_t now = nowNs();
        if (clients < 0 || clients >= f->open + 1) return;
        if (clients != prev) {
            prev = clients;
            changed = now;
        } else if (now - changed >= ACCEPT_SETTLE_NS) {
            return;
        }
        if (now - start >= ACCEPT_WAIT_NS) return;
        pollEvents(f, 50);
    }
}

/* Opens every connection, keeping at most --batch of them between connect() and the
 * server's accept(): connects in flight plus connections the kernel has completed but
 * the server has not accepted yet, which sit in its listen backlog (tcp-backlog, 511 by
 * default) and are dropped when it overflows, costing a SYN retransmit of a second or
 * more. How many the server accepted comes from INFO clients on the control connection;
 * when that is unavailable, or makes no progress for --connect-timeout, only connects in
 * flight are limited. Connects start in index order, so the oldest one in flight is the
 * lowest such index and its deadline is the next to expire. */
static void connectAll(flood *f, int ctl) {
    uint64_t timeout_ns = (uint64_t)(f->opt.connect_timeout_s * (double)NS_PER_S);
    long long base_clients = infoField(ctl, "clients", "connected_clients");
    bool paced = base_clients >= 0;
    long accepted = 0;
    uint64_t progress_ns = nowNs();
    while (!interrupted) {
        while (f->next_to_start < f->opt.conns &&
               f->inflight + (paced ? f->established - accepted : 0) < f->opt.batch)
            startConnect(f, &f->conns[f->next_to_start++]);
        if (f->inflight == 0 && f->next_to_start == f->opt.conns) return;
        uint64_t now = nowNs(), deadline = UINT64_MAX;
        bool waiting_for_server = f->next_to_start < f->opt.conns && paced;
        if (waiting_for_server) {
            long long clients = infoField(ctl, "clients", "connected_clients");
            now = nowNs();
            long taken = (long)(clients - base_clients) + f->closed_by_server;
            if (clients >= 0 && taken > accepted) {
                accepted = taken;
                progress_ns = now;
                continue;
            }
            if (clients < 0 || now - progress_ns >= timeout_ns) {
                paced = false;
                continue;
            }
            deadline = now + NS_PER_MS;
        }
        if (f->inflight > 0) {
            while (f->conns[f->oldest].state != CONN_CONNECTING)
                f->oldest++;
            uint64_t expiry = f->conns[f->oldest].started_ns + timeout_ns;
            if (expiry <= now) {
                failConnect(f, &f->conns[f->oldest], ETIMEDOUT);
                continue;
            }
            if (expiry < deadline) deadline = expiry;
        }
        pollEvents(f, msCeil(deadline - now));
    }
}

/* ---- the report ---- */

typedef struct report {
    long pid;
    memSample base, with, end;
    double connect_s; /* how long opening the connections took */
    double traffic_s;
    double tool_cpu_pct;   /* this process's CPU time over traffic and drain */
    double server_cpu_pct; /* the server's, over the same window; < 0 when unknown */
} report;

static double toolCpuSeconds(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* The server's user plus system CPU time from /proc/<pid>/stat, or -1. */
static double serverCpuSeconds(long pid) {
    if (pid <= 0) return -1;
    char path[64], buf[1024];
    snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
    FILE *fp = fopen(path, "r");
    if (fp == NULL) return -1;
    size_t n = fread(buf, 1, sizeof(buf) - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    /* fields after the command name, which may hold spaces: state is field 3, utime 14 */
    char *p = strrchr(buf, ')');
    unsigned long long utime, stime;
    if (p == NULL || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime,
                            &stime) != 2)
        return -1;
    return (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
}

/* Server growth per open connection since the baseline, in bytes (`unit` bytes per
 * count). False when either sample is unknown or no connection is open. */
static bool perConn(long long base, long long now, long open, long long unit, long long *out) {
    if (base < 0 || now < 0 || open <= 0) return false;
    *out = (now - base) * unit / open;
    return true;
}

static void printJsonNumber(const char *key, bool known, long long v, bool comma) {
    if (known)
        printf("\"%s\":%lld%s", key, v, comma ? "," : "");
    else
        printf("\"%s\":null%s", key, comma ? "," : "");
}

static void printJsonString(const char *s) {
    putchar('"');
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            printf("\\%c", ch);
        else if (ch < 0x20)
            printf("\\u%04x", ch);
        else
            putchar(ch);
    }
    putchar('"');
}

static void printMemJson(const char *key, const memSample *m, const memSample *base, bool comma) {
    printf("\"%s\":{", key);
    printf("\"open\":%ld,", m->open);
    printJsonNumber("rss_bytes", m->rss_kb >= 0, m->rss_kb * 1024, true);
    printJsonNumber("used_memory", m->used_memory >= 0, m->used_memory, base != NULL);
    if (base != NULL) {
        long long pc = 0;
        bool known = perConn(base->rss_kb, m->rss_kb, m->open, 1024, &pc);
        printJsonNumber("rss_per_conn_bytes", known, pc, true);
        known = perConn(base->used_memory, m->used_memory, m->open, 1, &pc);
        printJsonNumber("used_memory_per_conn_bytes", known, pc, false);
    }
    printf("}%s", comma ? "," : "");
}

static void printJson(const flood *f, const report *r) {
    const options *o = &f->opt;
    const histogram *h = &f->hist;
    printf("{\"host\":");
    printJsonString(o->host);
    printf(",\"port\":");
    printJsonString(o->port);
    printf(",\"mode\":\"%s\",\"interval_ms\":%ld,\"duration_s\":%g,\"command\":",
           o->interval_ms > 0 ? "active" : "idle", o->interval_ms, o->duration_s);
    printJsonString(o->command);
    printf(",\"key_per_conn\":%s,\"interrupted\":%s,", o->key_per_conn ? "true" : "false",
           interrupted ? "true" : "false");
    printf("\"connections\":{\"requested\":%ld,\"established\":%ld,\"failed\":%ld,"
           "\"closed_by_server\":%ld,\"failures\":{",
           o->conns, f->established, f->failed, f->closed_by_server);
    for (int i = 0; i < MAX_ERRNO_KINDS && f->fail_count[i] > 0; i++) {
        printf("%s", i ? "," : "");
        printJsonString(strerror(f->fail_errno[i]));
        printf(":%ld", f->fail_count[i]);
    }
    printf("}},\"requests\":{\"sent\":%" PRIu64 ",\"completed\":%" PRIu64
           ",\"error_replies\":%" PRIu64 ",\"skipped\":%" PRIu64 ",\"unanswered\":%" PRIu64
           ",\"unsolicited_replies\":%" PRIu64 ",\"push_messages\":%" PRIu64
           ",\"protocol_errors\":%" PRIu64 ",\"first_error\":",
           f->sent, f->completed, f->error_replies, f->skipped, f->unanswered, f->unsolicited,
           f->pushes, f->protocol_errors);
    if (f->first_error[0])
        printJsonString(f->first_error);
    else
        printf("null");
    printf(",\"traffic_seconds\":%.3f,\"throughput_rps\":%.1f},", r->traffic_s,
           r->traffic_s > 0 ? (double)f->completed / r->traffic_s : 0.0);
    printf("\"latency_ms\":{\"samples\":%" PRIu64 ",\"p50\":%.3f,\"p90\":%.3f,\"p99\":%.3f,"
           "\"p99_9\":%.3f,\"max\":%.3f},",
           h->total, msOf(histPercentile(h, 50)), msOf(histPercentile(h, 90)),
           msOf(histPercentile(h, 99)), msOf(histPercentile(h, 99.9)), msOf(h->max));
    printf("\"server\":{");
    printJsonNumber("pid", r->pid > 0, r->pid, true);
    printMemJson("baseline", &r->base, NULL, true);
    printMemJson("with_connections", &r->with, &r->base, true);
    printMemJson("end", &r->end, &r->base, false);
    printf("},\"server_cpu_percent\":");
    if (r->server_cpu_pct >= 0)
        printf("%.1f", r->server_cpu_pct);
    else
        printf("null");
    printf(",\"connect_seconds\":%.3f,\"tool\":{\"cpu_percent\":%.1f,\"max_send_lag_ms\":%.3f}}\n",
           r->connect_s, r->tool_cpu_pct, msOf(f->max_lag_ns));
}

static void printMemText(const char *label, const memSample *m, const memSample *base) {
    long long pc;
    printf("  %-17s", label);
    if (m->rss_kb >= 0)
        printf(" RSS %8.2f MiB", (double)m->rss_kb / 1024);
    else
        printf(" RSS %12s", "n/a");
    if (base != NULL && perConn(base->rss_kb, m->rss_kb, m->open, 1024, &pc))
        printf(" (%lld B/conn)", pc);
    if (m->used_memory >= 0)
        printf("  used_memory %8.2f MiB", (double)m->used_memory / 1048576);
    else
        printf("  used_memory n/a");
    if (base != NULL && perConn(base->used_memory, m->used_memory, m->open, 1, &pc))
        printf(" (%lld B/conn)", pc);
    if (base != NULL) printf("  [%ld open]", m->open);
    putchar('\n');
}

static void printText(const flood *f, const report *r) {
    const options *o = &f->opt;
    const histogram *h = &f->hist;
    printf("conn-flood %s:%s  %ld connections  ", o->host, o->port, o->conns);
    if (o->interval_ms > 0)
        printf("active: \"%s\" every %ld ms%s", o->command, o->interval_ms,
               o->key_per_conn ? " (key per connection)" : "");
    else
        printf("idle%s", o->ping_once ? ", one request each" : "");
    printf(" for %g s%s\n", o->duration_s, interrupted ? "  [INTERRUPTED]" : "");
    printf("connections: requested %ld, established %ld (in %.2f s), failed %ld, "
           "closed by server %ld\n",
           o->conns, f->established, r->connect_s, f->failed, f->closed_by_server);
    for (int i = 0; i < MAX_ERRNO_KINDS && f->fail_count[i] > 0; i++)
        printf("  connect failed: %s: %ld\n", strerror(f->fail_errno[i]), f->fail_count[i]);
    printf("requests: sent %" PRIu64 ", completed %" PRIu64 ", error replies %" PRIu64
           ", skipped %" PRIu64 ", unanswered %" PRIu64 "\n",
           f->sent, f->completed, f->error_replies, f->skipped, f->unanswered);
    if (f->unsolicited || f->pushes || f->protocol_errors)
        printf("  unsolicited replies %" PRIu64 ", push messages %" PRIu64
               ", protocol errors %" PRIu64 "\n",
               f->unsolicited, f->pushes, f->protocol_errors);
    if (f->first_error[0]) printf("  first error reply: -%s\n", f->first_error);
    if (o->interval_ms > 0)
        printf("throughput: %.0f replies/s over %.2f s\n",
               r->traffic_s > 0 ? (double)f->completed / r->traffic_s : 0.0, r->traffic_s);
    if (h->total > 0)
        printf("latency ms: p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f  (%" PRIu64
               " samples)\n",
               msOf(histPercentile(h, 50)), msOf(histPercentile(h, 90)),
               msOf(histPercentile(h, 99)), msOf(histPercentile(h, 99.9)), msOf(h->max), h->total);
    if (r->pid > 0)
        printf("server pid %ld:\n", r->pid);
    else
        printf("server pid unknown (pass --pid for RSS):\n");
    printMemText("baseline", &r->base, NULL);
    printMemText("with connections", &r->with, &r->base);
    printMemText("end", &r->end, &r->base);
    printf("cpu during the run: ");
    if (r->server_cpu_pct >= 0) printf("server %.0f%%, ", r->server_cpu_pct);
    printf("conn-flood %.0f%% of one core", r->tool_cpu_pct);
    if (o->interval_ms > 0) printf("; max send lag %.3f ms", msOf(f->max_lag_ns));
    printf("\n");
}

/* ---- setup ---- */

static void raiseFdLimit(long conns) {
    rlim_t need = (rlim_t)conns + FD_MARGIN;
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0) die(EXIT_SETUP, "getrlimit: %s", strerror(errno));
    if (rl.rlim_cur >= need) return;
    rl.rlim_cur = need;
    if (rl.rlim_max < need) rl.rlim_max = need;
    if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
        struct rlimit cur;
        getrlimit(RLIMIT_NOFILE, &cur);
        die(EXIT_SETUP,
            "%ld connections need %llu file descriptors, but RLIMIT_NOFILE is %llu (hard "
            "%llu) and cannot be raised: %s (try `ulimit -n`)",
            conns, (unsigned long long)need, (unsigned long long)cur.rlim_cur,
            (unsigned long long)cur.rlim_max, strerror(errno));
    }
}

static struct addrinfo *resolve(const char *host, const char *port) {
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_family = AF_UNSPEC};
    struct addrinfo *res;
    int rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0) die(EXIT_SETUP, "cannot resolve %s:%s: %s", host, port, gai_strerror(rc));
    return res;
}

static void installSignals(void) {
    struct sigaction sa = {.sa_handler = onSignal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

static int exitStatus(const flood *f) {
    if (interrupted) return EXIT_INTERRUPTED;
    if (f->failed || f->closed_by_server || f->error_replies || f->unanswered || f->protocol_errors)
        return EXIT_RUN_ERRORS;
    return 0;
}

int main(int argc, char **argv) {
    static flood fl; /* large (the histogram); zeroed */
    flood *f = &fl;
    parseOptions(argc, argv, &f->opt);
    const options *o = &f->opt;
    raiseFdLimit(o->conns);
    f->addr = resolve(o->host, o->port);
    installSignals();

    f->conns = allocOrDie(NULL, (size_t)o->conns * sizeof(conn));
    memset(f->conns, 0, (size_t)o->conns * sizeof(conn));
    for (long i = 0; i < o->conns; i++)
        f->conns[i].fd = -1;
    buildRequests(f);
    f->rbuf = allocOrDie(NULL, READ_BUF_BYTES);
    f->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (f->epfd < 0) die(EXIT_SETUP, "epoll_create1: %s", strerror(errno));

    int ctl = openControl(f->addr);
    if (ctl < 0) die(EXIT_SETUP, "cannot connect to %s:%s: %s", o->host, o->port, strerror(errno));
    report r = {.pid = o->pid};
    if (r.pid == 0 && isLoopback(f->addr)) r.pid = (long)infoField(ctl, "server", "process_id");
    r.base = sampleMemory(f, ctl, r.pid);

    uint64_t connect_start = nowNs();
    connectAll(f, ctl);
    r.connect_s = (double)(nowNs() - connect_start) / (double)NS_PER_S;
    if (o->interval_ms == 0 && o->ping_once) {
        for (long i = 0; i < o->conns; i++)
            if (f->conns[i].state == CONN_OPEN) sendRequest(f, &f->conns[i]);
        awaitReplies(f, nowNs() + REPLY_WAIT_NS);
    }
    awaitAccepted(f, ctl);
    r.with = sampleMemory(f, ctl, r.pid);

    double tool_cpu0 = toolCpuSeconds(), server_cpu0 = serverCpuSeconds(r.pid);
    uint64_t t0 = nowNs();
    runTraffic(f, t0, t0 + (uint64_t)(o->duration_s * (double)NS_PER_S));
    uint64_t t1 = nowNs();
    awaitReplies(f, t1 + DRAIN_NS);
    double window_s = (double)(nowNs() - t0) / (double)NS_PER_S;
    double server_cpu1 = serverCpuSeconds(r.pid);
    r.traffic_s = (double)(t1 - t0) / (double)NS_PER_S;
    r.tool_cpu_pct = 100.0 * (toolCpuSeconds() - tool_cpu0) / window_s;
    r.server_cpu_pct =
        server_cpu0 >= 0 && server_cpu1 >= 0 ? 100.0 * (server_cpu1 - server_cpu0) / window_s : -1;
    r.end = sampleMemory(f, ctl, r.pid);

    for (long i = 0; i < o->conns; i++)
        if (f->conns[i].state == CONN_OPEN) closeConn(f, &f->conns[i], false);
    close(ctl);
    close(f->epfd);

    if (o->json)
        printJson(f, &r);
    else
        printText(f, &r);
    fflush(stdout);
    freeaddrinfo(f->addr);
    free(f->rbuf);
    free(f->arena);
    free(f->conns);
    return exitStatus(f);
}
