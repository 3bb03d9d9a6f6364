/* SPDX-License-Identifier: BSD-3-Clause
 *
 * RESP request parsing and reply encoding helpers.
 *
 * The parser is a pure, resumable function over a caller-owned buffer: it keeps
 * its position in a small state struct, writes the arguments it finds into a
 * caller-owned array as offsets into the buffer, never allocates, and never reads
 * past `len`. It accepts RESP multibulk requests ("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n")
 * and inline requests ("GET k\r\n", quotes allowed, unescaped in place), with
 * Redis 7.0's exact acceptance rules and error statuses (including its quirks: the
 * two bytes after a length line's '\r' and after bulk data are skipped unchecked,
 * and a NUL byte before a line end hides that line end).
 *
 * Any thread may run it on a buffer it owns.
 */
#ifndef LOOM_RESP_H
#define LOOM_RESP_H

#include <stddef.h>

/* An argument as parsed: `len` bytes at `off` from the start of the buffer. */
typedef struct respArg {
    size_t off;
    size_t len;
} respArg;

/* Limits the parser enforces. */
typedef struct respLimits {
    long long max_bulk_len; /* proto-max-bulk-len */
    size_t max_inline_len;  /* most bytes buffered from a line start without its end (64 KB) */
} respLimits;

typedef enum respStatus {
    RESP_COMMAND = 0, /* a whole command was parsed: args[0..*argc) */
    RESP_INCOMPLETE,  /* more bytes are needed; call again when they arrive */
    RESP_NEED_ARGS,   /* the args array is full: grow it, call again */
    /* Protocol errors; the connection cannot be resynchronised after one. */
    RESP_ERR_MULTIBULK_LEN,   /* invalid multibulk length */
    RESP_ERR_BULK_LEN,        /* invalid bulk length */
    RESP_ERR_EXPECTED_DOLLAR, /* expected '$', got 'c' (see respParser.bad_byte) */
    RESP_ERR_BIG_MBULK,       /* too big mbulk count string */
    RESP_ERR_BIG_BULK,        /* too big bulk count string */
    RESP_ERR_BIG_INLINE,      /* too big inline request */
    RESP_ERR_QUOTES,          /* unbalanced quotes in request */
} respStatus;

/* Resumable parser state. Zero-initialise (or respParserInit) before the first
 * call; after RESP_COMMAND it is ready for the next command. */
typedef struct respParser {
    size_t pos;             /* next byte to look at */
    size_t cmd_start;       /* where the command being parsed starts */
    long long multibulk;    /* items still expected; 0 = not inside a multibulk */
    long long bulk_len;     /* length of the bulk being read; -1 = expecting its header */
    int argc;               /* args stored so far for the current command */
    int in_inline;          /* 1 while an inline line is being split (after RESP_NEED_ARGS) */
    unsigned char bad_byte; /* the offending byte for RESP_ERR_EXPECTED_DOLLAR */
} respParser;

void respParserInit(respParser *p);

/* Parses at most one command from buf[0..len), starting at p->pos.
 *
 * Arguments are appended to args[] (capacity `cap`) after the p->argc entries
 * already stored for the current command, which the caller keeps in args[]
 * between calls; *argc is set on every return to the number stored so far. On
 * RESP_NEED_ARGS the caller grows args and calls again with the same state. On
 * RESP_COMMAND, *argc holds the number of arguments (0 for an empty command such
 * as a blank inline line or "*0\r\n", which the caller skips), p->pos and
 * p->cmd_start point past the command and p->argc is 0 again. The byte right
 * after each argument, buf[off + len], is still part of the command (framing or
 * the argument's own escaped source), so the caller may overwrite it, e.g. with
 * a NUL terminator.
 *
 * The result for a given byte stream does not depend on how it was split into
 * calls, except for the "too big" errors, which (as in Redis) fire when more
 * than max_inline_len bytes are buffered without the line end.
 *
 * Inline requests are unescaped in place, so buf must be writable. */
respStatus respParseCommand(respParser *p, char *buf, size_t len, respArg *args, int cap, int *argc,
                            const respLimits *limits);

/* After RESP_INCOMPLETE: the total buffer size (from offset 0) that would hold
 * the bulk being read in full, or 0 when the parser is not inside a bulk. Lets
 * the caller size its buffer once for a large argument. */
size_t respBytesWanted(const respParser *p);

/* The caller moved the buffer's bytes down by `shift` (shift <= p->cmd_start):
 * adjust the positions. The caller shifts the offsets of args it holds. */
void respParserRebase(respParser *p, size_t shift);

/* The Redis error text for a protocol error status, without "-ERR " or CRLF,
 * e.g. "Protocol error: invalid bulk length". Writes it into buf (buflen >= 1;
 * truncated to buflen - 1 bytes, NUL-terminated) and returns buf; "" for a status
 * that is not an error. In the expected-'$' message a '\r' or '\n' bad byte is
 * shown as a space, as Redis does; any other byte is kept as is (never NUL). */
const char *respErrorText(const respParser *p, respStatus status, char *buf, size_t buflen);

/* --- Encoding ---------------------------------------------------------------
 * Each writes a header such as "$5\r\n" or ":42\r\n" into dst (which must have
 * RESP_HEADER_MAX bytes) and returns the number of bytes written. */
#define RESP_HEADER_MAX 32
size_t respEncodeHeader(char *dst, char prefix, long long n);

#endif
