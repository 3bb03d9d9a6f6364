/* SPDX-License-Identifier: BSD-3-Clause
 *
 * libFuzzer target for the RESP request parser (src/resp.c). Parses the input
 * as one query buffer, growing a small args array on RESP_NEED_ARGS, until it
 * is incomplete or a protocol error stops it; then parses it again fed in two
 * chunks split at a point derived from the data (compacting the buffer with
 * respParserRebase between them when the data says so), and aborts if the two
 * runs disagree on the commands or the final status. ASan catches any read past `len`, because each
 * call sees a heap copy of exactly `len` bytes. Build with `make fuzz`.
 */
#include "resp.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A run's outcome: every command as "<argc>:" then "<len>:<bytes>" per arg. */
typedef struct {
    unsigned char *log;
    size_t log_len, log_cap;
    respStatus status;
    unsigned char bad_byte;
    size_t consumed; /* input bytes before the unfinished command */
} runLog;

static void *xrealloc(void *p, size_t n) {
    p = realloc(p, n ? n : 1);
    if (!p) abort();
    return p;
}

static void logBytes(runLog *l, const void *p, size_t n) {
    if (l->log_len + n > l->log_cap) {
        l->log_cap = (l->log_len + n) * 2;
        l->log = xrealloc(l->log, l->log_cap);
    }
    memcpy(l->log + l->log_len, p, n);
    l->log_len += n;
}

static void logNumber(runLog *l, size_t n) {
    char tmp[32];
    int k = snprintf(tmp, sizeof(tmp), "%zu:", n);
    logBytes(l, tmp, (size_t)k);
}

/* Whether log b starts with all of log a. */
static int logIsPrefix(const runLog *a, const runLog *b) {
    return a->log_len <= b->log_len && (a->log_len == 0 || !memcmp(a->log, b->log, a->log_len));
}

static void check(int ok, const char *what) {
    if (!ok) {
        fprintf(stderr, "fuzz_resp: %s\n", what);
        abort();
    }
}

typedef struct {
    respParser p;
    respArg *args;
    int cap;
} parseState;

/* Parses every complete command in buf[0..len); the buffer is a fresh heap
 * copy of exactly len bytes so ASan sees any overread. */
static respStatus parseAll(parseState *s, char **bufp, size_t len, const respLimits *lim,
                           runLog *l) {
    for (;;) {
        char *exact = xrealloc(NULL, len);
        memcpy(exact, *bufp, len);
        int argc = -1;
        respStatus st = respParseCommand(&s->p, exact, len, s->args, s->cap, &argc, lim);
        memcpy(*bufp, exact, len);
        free(exact);
        check(s->p.pos <= len, "pos past len");
        check(s->p.cmd_start <= s->p.pos, "cmd_start past pos");
        if (st == RESP_COMMAND) {
            check(s->p.argc == 0 && s->p.cmd_start == s->p.pos, "state after command");
            logNumber(l, (size_t)argc);
            for (int i = 0; i < argc; i++) {
                check(s->args[i].off + s->args[i].len < s->p.pos, "arg ends past command");
                logNumber(l, s->args[i].len);
                logBytes(l, *bufp + s->args[i].off, s->args[i].len);
            }
            continue;
        }
        check(argc == s->p.argc, "argc out of step");
        if (st == RESP_NEED_ARGS) {
            check(argc == s->cap, "NEED_ARGS with room left");
            s->cap = s->cap ? s->cap * 2 : 1;
            s->args = xrealloc(s->args, (size_t)s->cap * sizeof(*s->args));
            continue;
        }
        if (st == RESP_INCOMPLETE) {
            size_t want = respBytesWanted(&s->p);
            check(want == 0 || want > len, "bytes wanted already buffered");
        } else {
            char text[128];
            respErrorText(&s->p, st, text, sizeof(text));
            check(strncmp(text, "Protocol error: ", 16) == 0, "error text");
        }
        return st;
    }
}

/* Feeds data[0..size) split at the given points (ascending, ending at size). */
static void runSplit(const uint8_t *data, size_t size, const size_t *cuts, int ncuts, int compact,
                     const respLimits *lim, runLog *l) {
    parseState s;
    respParserInit(&s.p);
    s.cap = 1;
    s.args = xrealloc(NULL, sizeof(*s.args));
    char *buf = xrealloc(NULL, size);
    size_t len = 0, base = 0, fed = 0;
    respStatus st = RESP_INCOMPLETE;
    for (int c = 0; c < ncuts; c++) {
        memcpy(buf + len, data + fed, cuts[c] - fed);
        len += cuts[c] - fed;
        fed = cuts[c];
        st = parseAll(&s, &buf, len, lim, l);
        if (st != RESP_INCOMPLETE) break;
        /* Compact like a real caller does between reads. */
        size_t shift = s.p.cmd_start;
        if (shift && compact) {
            memmove(buf, buf + shift, len - shift);
            len -= shift;
            base += shift;
            for (int i = 0; i < s.p.argc; i++)
                s.args[i].off -= shift;
            respParserRebase(&s.p, shift);
        }
    }
    l->status = st;
    l->bad_byte = s.p.bad_byte;
    l->consumed = base + s.p.cmd_start;
    free(buf);
    free(s.args);
}

static int isTooBig(respStatus st) {
    return st == RESP_ERR_BIG_MBULK || st == RESP_ERR_BIG_BULK || st == RESP_ERR_BIG_INLINE;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    /* A hash of the data (FNV-1a) picks the limits (small, so that every error
     * is reachable), the split point, and whether the buffer is compacted. */
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < size; i++)
        h = (h ^ data[i]) * 16777619u;
    respLimits lim = {(long long)((h >> 16) % 128), 8 + (size_t)((h >> 24) % 64)};
    int compact = (int)((h >> 8) & 1);

    runLog whole = {0}, split = {0};
    size_t cut_whole[1] = {size};
    runSplit(data, size, cut_whole, 1, compact, &lim, &whole);
    size_t cuts[2] = {h % size, size};
    if (cuts[0] == 0)
        runSplit(data, size, cut_whole, 1, compact, &lim, &split);
    else
        runSplit(data, size, cuts, 2, compact, &lim, &split);

    /* The "too big" errors depend on how much was buffered without a line end,
     * so the split run may hit one where the whole run found the line end; up
     * to that point the runs must agree. */
    if (isTooBig(split.status)) {
        check(logIsPrefix(&split, &whole), "split run diverged before a too-big error");
    } else {
        check(split.status == whole.status, "status differs between whole and split");
        check(split.log_len == whole.log_len && logIsPrefix(&split, &whole),
              "commands differ between whole and split");
        if (whole.status == RESP_INCOMPLETE)
            check(split.consumed == whole.consumed, "consumed differs");
        if (whole.status == RESP_ERR_EXPECTED_DOLLAR)
            check(split.bad_byte == whole.bad_byte, "bad byte differs");
    }
    free(whole.log);
    free(split.log);
    return 0;
}
