/* SPDX-License-Identifier: BSD-3-Clause
 *
 * RESP request parsing (multibulk and inline) and reply header encoding.
 *
 * Owns no state: every function works on the parser struct and buffer it is
 * given, never allocates and never reads past the buffer's length, so any
 * thread may run it on a client it owns. Acceptance rules and error choices
 * follow redis-server 7.0 byte for byte (see resp.h for the quirks kept).
 * Does not execute, log or reply; the caller turns a status into a reply.
 */
#include "resp.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Characters in the longest long long, "-9223372036854775808". */
#define LONGLONG_CHARS_MAX 20

void respParserInit(respParser *p) {
    memset(p, 0, sizeof(*p));
    p->bulk_len = -1;
}

static int hasNul(const char *s, size_t n) {
    return memchr(s, '\0', n) != NULL;
}

/* Redis finds line ends with strchr on a NUL-terminated buffer, so a NUL byte
 * before the line end hides it: the line counts as not yet complete, and as
 * too long once more than max_inline bytes are buffered. This is the status for
 * a line that has no visible end; `big` is the "too big" error for its kind. */
static respStatus noLineEnd(size_t avail, size_t max_inline, respStatus big) {
    return avail > max_inline ? big : RESP_INCOMPLETE;
}

/* Reads a complete, valid length line at line[0..avail): `prefix`, then the
 * value as Redis's string2ll accepts it ("0", or an optional '-' and a digit
 * 1-9 then digits, fitting a long long: no '+', spaces or leading zeros, no
 * "-0"), then '\r' and one more byte, which Redis skips unchecked. The value
 * must lie in [min, max]. Returns the line length without the '\r' and sets
 * *value; returns 0 for a line that is incomplete or not valid, which
 * rejectLengthLine then tells apart. One pass, no search: this is the hot path. */
static size_t readLengthLine(const char *line, size_t avail, char prefix, long long min,
                             long long max, long long *value) {
    if (avail < 4 || line[0] != prefix) return 0;
    int negative = line[1] == '-';
    size_t first = negative ? 2 : 1, i = first;
    size_t end = avail < first + 19 ? avail : first + 19; /* 19 digits fit in 64 bits */
    unsigned long long v = 0;
    while (i < end) {
        unsigned d = (unsigned char)line[i] - (unsigned)'0';
        if (d > 9) break;
        v = v * 10 + d;
        i++;
    }
    if (i == first || i + 1 >= avail || line[i] != '\r') return 0;
    if (line[first] == '0' && (i > first + 1 || negative)) return 0;
    long long x;
    if (negative) {
        if (v > (unsigned long long)LLONG_MAX + 1) return 0;
        x = v == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN : -(long long)v;
    } else {
        if (v > (unsigned long long)LLONG_MAX) return 0;
        x = (long long)v;
    }
    if (x < min || x > max) return 0;
    *value = x;
    return i;
}

/* Judges a length line that readLengthLine did not accept, as Redis would:
 * returns RESP_INCOMPLETE or `big` when the line end is not (visibly) there
 * yet, or `invalid` once the '\r' and the byte after it are buffered. */
static respStatus rejectLengthLine(const char *line, size_t avail, size_t max_inline,
                                   respStatus big, respStatus invalid) {
    const char *cr = memchr(line, '\r', avail);
    if (!cr) return noLineEnd(avail, max_inline, big);
    size_t n = (size_t)(cr - line);
    if (hasNul(line, n)) return noLineEnd(avail, max_inline, big);
    if (n + 2 > avail) return RESP_INCOMPLETE; /* the '\r' is the last byte */
    return invalid;
}

/* Reads "*<n>\r\n" at p->pos (buf[p->pos] is '*'). On RESP_COMMAND the header
 * was consumed and p->multibulk holds the item count (0: empty command). */
static respStatus readMultibulkHeader(respParser *p, const char *buf, size_t len,
                                      const respLimits *limits) {
    const char *line = buf + p->pos;
    size_t avail = len - p->pos;
    long long count;
    size_t n = readLengthLine(line, avail, '*', LLONG_MIN, INT_MAX, &count);
    if (!n)
        return rejectLengthLine(line, avail, limits->max_inline_len, RESP_ERR_BIG_MBULK,
                                RESP_ERR_MULTIBULK_LEN);
    p->pos += n + 2;
    p->multibulk = count > 0 ? count : 0;
    p->bulk_len = -1;
    return RESP_COMMAND;
}

/* Reads "$<len>\r\n" at p->pos. On RESP_COMMAND it was consumed and
 * p->bulk_len is set. */
static respStatus readBulkHeader(respParser *p, const char *buf, size_t len,
                                 const respLimits *limits) {
    const char *line = buf + p->pos;
    size_t avail = len - p->pos;
    long long bulk_len;
    size_t n = readLengthLine(line, avail, '$', 0, limits->max_bulk_len, &bulk_len);
    if (n) {
        p->pos += n + 2;
        p->bulk_len = bulk_len;
        return RESP_COMMAND;
    }
    /* Redis checks the '$' only once the whole line is there. */
    respStatus st =
        rejectLengthLine(line, avail, limits->max_inline_len, RESP_ERR_BIG_BULK, RESP_ERR_BULK_LEN);
    if (st == RESP_ERR_BULK_LEN && line[0] != '$') {
        p->bad_byte = (unsigned char)line[0];
        return RESP_ERR_EXPECTED_DOLLAR;
    }
    return st;
}

/* Reads the remaining bulks of a multibulk command. */
static respStatus readBulks(respParser *p, const char *buf, size_t len, respArg *args, int cap,
                            const respLimits *limits) {
    while (p->multibulk > 0) {
        if (p->bulk_len < 0) {
            respStatus st = readBulkHeader(p, buf, len, limits);
            if (st != RESP_COMMAND) return st;
        }
        /* The data and the two bytes after it, which Redis skips unchecked. */
        size_t avail = len - p->pos;
        if (avail < 2 || avail - 2 < (unsigned long long)p->bulk_len) return RESP_INCOMPLETE;
        if (p->argc == cap) return RESP_NEED_ARGS;
        args[p->argc].off = p->pos;
        args[p->argc].len = (size_t)p->bulk_len;
        p->argc++;
        p->pos += (size_t)p->bulk_len + 2;
        p->bulk_len = -1;
        p->multibulk--;
    }
    return RESP_COMMAND;
}

/* --- Inline requests ---------------------------------------------------------
 * Split like Redis's sdssplitargs: blanks (C-locale isspace) separate
 * arguments; an unquoted argument ends at ' ', '\t', '\r' or '\n' (so '\v' and
 * '\f' inside it are kept); "double quotes" take \xHH, \n, \r, \t, \b, \a and
 * backslash-anything escapes; 'single quotes' take only \'; a closing quote
 * must be followed by a blank or the end of the line; quotes may open in the
 * middle of an argument (a"b c" is one argument). The line never contains a
 * NUL, so 0 stands for its end. */

static int isBlank(int c) {
    return c == ' ' || (c >= '\t' && c <= '\r');
}

static int hexValue(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static int byteAt(const char *buf, size_t i, size_t end) {
    return i < end ? (unsigned char)buf[i] : 0;
}

static char unescapeChar(int c) {
    switch (c) {
        case 'n': return '\n';
        case 'r': return '\r';
        case 't': return '\t';
        case 'b': return '\b';
        case 'a': return '\a';
        default: return (char)c;
    }
}

/* Unescapes the argument starting at buf[*pos] (not a blank) in place: its
 * bytes are written from buf[*pos] on, never ahead of the byte being read, so
 * the rest of the line stays intact. Sets *pos past the argument and *arg_len.
 * Returns 0, or -1 for unbalanced quotes. */
static int unescapeArg(char *buf, size_t *pos, size_t end, size_t *arg_len) {
    size_t start = *pos, r = start, w = start;
    int quote = 0; /* the open quote character, or 0 */
    for (;;) {
        int c = byteAt(buf, r, end);
        if (!quote) {
            if (c == 0 || c == ' ' || c == '\t' || c == '\r' || c == '\n') break;
            if (c == '"' || c == '\'')
                quote = c;
            else
                buf[w++] = (char)c;
            r++;
        } else if (c == 0) {
            return -1;
        } else if (c == quote) {
            int next = byteAt(buf, r + 1, end);
            if (next != 0 && !isBlank(next)) return -1;
            r++;
            break;
        } else if (c == '\\' && quote == '"') {
            int e = byteAt(buf, r + 1, end);
            int hi = hexValue(byteAt(buf, r + 2, end)), lo = hexValue(byteAt(buf, r + 3, end));
            if (e == 'x' && hi >= 0 && lo >= 0) {
                buf[w++] = (char)(hi * 16 + lo);
                r += 4;
            } else if (e != 0) {
                buf[w++] = unescapeChar(e);
                r += 2;
            } else {
                return -1; /* a backslash ending the line leaves the quote open */
            }
        } else if (c == '\\' && quote == '\'' && byteAt(buf, r + 1, end) == '\'') {
            buf[w++] = '\'';
            r += 2;
        } else {
            buf[w++] = (char)c;
            r++;
        }
    }
    *pos = r;
    *arg_len = w - start;
    return 0;
}

/* Splits the rest of the inline line that ends at buf[end] == '\n', from
 * p->pos. A '\r' before the '\n' needs no stripping: as a last byte it is a
 * blank or ends an argument, and inside open quotes the line is unbalanced
 * either way. */
static respStatus splitInline(respParser *p, char *buf, size_t end, respArg *args, int cap) {
    for (;;) {
        while (p->pos < end && isBlank((unsigned char)buf[p->pos]))
            p->pos++;
        if (p->pos == end) break;
        if (p->argc == cap) return RESP_NEED_ARGS;
        size_t start = p->pos, arg_len;
        if (unescapeArg(buf, &p->pos, end, &arg_len) != 0) return RESP_ERR_QUOTES;
        args[p->argc].off = start;
        args[p->argc].len = arg_len;
        p->argc++;
    }
    p->pos = end + 1;
    p->in_inline = 0;
    return RESP_COMMAND;
}

/* Starts an inline request at p->pos. */
static respStatus readInline(respParser *p, char *buf, size_t len, respArg *args, int cap,
                             const respLimits *limits) {
    const char *line = buf + p->pos;
    size_t avail = len - p->pos;
    const char *nl = memchr(line, '\n', avail);
    if (!nl || hasNul(line, (size_t)(nl - line)))
        return noLineEnd(avail, limits->max_inline_len, RESP_ERR_BIG_INLINE);
    p->in_inline = 1;
    return splitInline(p, buf, (size_t)(nl - buf), args, cap);
}

respStatus respParseCommand(respParser *p, char *buf, size_t len, respArg *args, int cap, int *argc,
                            const respLimits *limits) {
    respStatus st;
    if (p->multibulk > 0) {
        st = readBulks(p, buf, len, args, cap, limits);
    } else if (p->in_inline) {
        /* Resuming after RESP_NEED_ARGS: the unread part of the line is intact. */
        const char *nl = memchr(buf + p->pos, '\n', len - p->pos);
        st = splitInline(p, buf, (size_t)(nl - buf), args, cap);
    } else if (p->pos >= len) {
        st = RESP_INCOMPLETE;
    } else if (buf[p->pos] == '*') {
        st = readMultibulkHeader(p, buf, len, limits);
        if (st == RESP_COMMAND && p->multibulk > 0) st = readBulks(p, buf, len, args, cap, limits);
    } else {
        st = readInline(p, buf, len, args, cap, limits);
    }
    *argc = p->argc;
    if (st == RESP_COMMAND) {
        p->argc = 0;
        p->cmd_start = p->pos;
    }
    return st;
}

size_t respBytesWanted(const respParser *p) {
    if (p->multibulk <= 0 || p->bulk_len < 0) return 0;
    unsigned long long rest = (unsigned long long)p->bulk_len + 2; /* data + CRLF */
    if (rest > SIZE_MAX - p->pos) return SIZE_MAX;
    return p->pos + (size_t)rest;
}

void respParserRebase(respParser *p, size_t shift) {
    p->pos -= shift;
    p->cmd_start -= shift;
}

const char *respErrorText(const respParser *p, respStatus status, char *buf, size_t buflen) {
    const char *text = "";
    switch (status) {
        case RESP_COMMAND:
        case RESP_INCOMPLETE:
        case RESP_NEED_ARGS: break;
        case RESP_ERR_MULTIBULK_LEN: text = "Protocol error: invalid multibulk length"; break;
        case RESP_ERR_BULK_LEN: text = "Protocol error: invalid bulk length"; break;
        case RESP_ERR_BIG_MBULK: text = "Protocol error: too big mbulk count string"; break;
        case RESP_ERR_BIG_BULK: text = "Protocol error: too big bulk count string"; break;
        case RESP_ERR_BIG_INLINE: text = "Protocol error: too big inline request"; break;
        case RESP_ERR_QUOTES: text = "Protocol error: unbalanced quotes in request"; break;
        case RESP_ERR_EXPECTED_DOLLAR: {
            /* Redis maps CR and LF in error text to spaces to keep the reply one line. */
            int c = p->bad_byte == '\r' || p->bad_byte == '\n' ? ' ' : p->bad_byte;
            snprintf(buf, buflen, "Protocol error: expected '$', got '%c'", c);
            return buf;
        }
    }
    snprintf(buf, buflen, "%s", text);
    return buf;
}

/* --- Encoding --------------------------------------------------------------- */

static const char digit_pairs[201] = "00010203040506070809"
                                     "10111213141516171819"
                                     "20212223242526272829"
                                     "30313233343536373839"
                                     "40414243444546474849"
                                     "50515253545556575859"
                                     "60616263646566676869"
                                     "70717273747576777879"
                                     "80818283848586878889"
                                     "90919293949596979899";

size_t respEncodeHeader(char *dst, char prefix, long long n) {
    char tmp[LONGLONG_CHARS_MAX];
    size_t i = sizeof(tmp);
    unsigned long long v = n < 0 ? 0ULL - (unsigned long long)n : (unsigned long long)n;
    while (v >= 100) {
        unsigned idx = (unsigned)(v % 100) * 2;
        v /= 100;
        tmp[--i] = digit_pairs[idx + 1];
        tmp[--i] = digit_pairs[idx];
    }
    if (v >= 10) {
        tmp[--i] = digit_pairs[v * 2 + 1];
        tmp[--i] = digit_pairs[v * 2];
    } else {
        tmp[--i] = (char)('0' + v);
    }
    if (n < 0) tmp[--i] = '-';
    size_t digits = sizeof(tmp) - i;
    dst[0] = prefix;
    memcpy(dst + 1, tmp + i, digits);
    dst[1 + digits] = '\r';
    dst[2 + digits] = '\n';
    return digits + 3;
}
