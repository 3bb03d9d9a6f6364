/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Reply encoding into a client's output buffers: the fixed buffer first, then a
 * chain of reply blocks. Appending never writes to the socket; the network layer
 * notices pending replies after the command ran. Main thread only.
 */
#include "reply.h"

#include "alloc.h"
#include "client.h"
#include "resp.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static replyErrorObserver *error_observer;

void replySetErrorObserver(replyErrorObserver *observer) { error_observer = observer; }

static replyBlock *newBlock(client *c, size_t min_size) {
    size_t want = min_size > REPLY_BLOCK_BYTES ? min_size : REPLY_BLOCK_BYTES;
    replyBlock *b = lmalloc(sizeof(*b) + want);
    b->size = lmallocSize(b) - sizeof(*b);
    b->used = 0;
    b->next = NULL;
    if (c->reply_tail) c->reply_tail->next = b;
    else c->reply_head = b;
    c->reply_tail = b;
    c->reply_bytes += b->size;
    return b;
}

static void appendToBlocks(client *c, const char *p, size_t len) {
    replyBlock *tail = c->reply_tail;
    if (tail && tail->size > tail->used) {
        size_t n = tail->size - tail->used;
        if (n > len) n = len;
        memcpy(tail->data + tail->used, p, n);
        tail->used += n;
        p += n;
        len -= n;
    }
    if (len) {
        replyBlock *b = newBlock(c, len);
        memcpy(b->data, p, len);
        b->used = len;
    }
}

void replyRaw(client *c, const char *p, size_t len) {
    if (!c->reply_head) {
        if (!c->buf) c->buf = lmalloc(CLIENT_BUF_BYTES);
        size_t avail = CLIENT_BUF_BYTES - c->bufpos;
        size_t n = len < avail ? len : avail;
        memcpy(c->buf + c->bufpos, p, n);
        c->bufpos += n;
        if (n == len) return;
        p += n;
        len -= n;
    }
    appendToBlocks(c, p, len);
}

/* Room for `len` contiguous bytes at the end of the fixed buffer, or NULL. */
static char *fixedBufferRoom(client *c, size_t len) {
    if (c->reply_head || CLIENT_BUF_BYTES - c->bufpos < len) return NULL;
    if (!c->buf) c->buf = lmalloc(CLIENT_BUF_BYTES);
    return c->buf + c->bufpos;
}

static void replyHeader(client *c, char prefix, long long n) {
    char hdr[RESP_HEADER_MAX];
    replyRaw(c, hdr, respEncodeHeader(hdr, prefix, n));
}

void replyOk(client *c) { replyRaw(c, "+OK\r\n", 5); }

void replyStatusLen(client *c, const char *status, size_t len) {
    char *dst = fixedBufferRoom(c, len + 3);
    if (dst) {
        dst[0] = '+';
        memcpy(dst + 1, status, len);
        memcpy(dst + 1 + len, "\r\n", 2);
        c->bufpos += len + 3;
        return;
    }
    replyRaw(c, "+", 1);
    replyRaw(c, status, len);
    replyRaw(c, "\r\n", 2);
}

void replyStatus(client *c, const char *status) { replyStatusLen(c, status, strlen(status)); }

void replyErrorLen(client *c, const char *err, size_t len) {
    const char *code = "ERR";
    size_t code_len = 3;
    if (len && err[0] == '-') {
        code = err + 1;
        code_len = 0;
        while (code_len < len - 1 && code[code_len] != ' ' && code[code_len] != '\r' &&
               code[code_len] != '\n')
            code_len++;
    } else {
        replyRaw(c, "-ERR ", 5);
    }
    /* A CR or LF would end the error early and desynchronise the client. */
    while (len) {
        size_t plain = 0;
        while (plain < len && err[plain] != '\r' && err[plain] != '\n') plain++;
        replyRaw(c, err, plain);
        if (plain == len) break;
        replyRaw(c, " ", 1);
        err += plain + 1;
        len -= plain + 1;
    }
    replyRaw(c, "\r\n", 2);
    if (error_observer) error_observer(c, code, code_len);
}

void replyError(client *c, const char *err) { replyErrorLen(c, err, strlen(err)); }

void replyErrorFormat(client *c, const char *fmt, ...) {
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (n < 0) n = 0;
    if (n >= (int)sizeof(msg)) n = (int)sizeof(msg) - 1;
    replyErrorLen(c, msg, (size_t)n);
}

void replyLongLong(client *c, long long v) {
    char *dst = fixedBufferRoom(c, RESP_HEADER_MAX);
    if (dst) {
        c->bufpos += respEncodeHeader(dst, ':', v);
        return;
    }
    replyHeader(c, ':', v);
}

void replyBulk(client *c, const void *p, size_t len) {
    char *dst = fixedBufferRoom(c, RESP_HEADER_MAX + len + 2);
    if (dst) {
        size_t n = respEncodeHeader(dst, '$', (long long)len);
        memcpy(dst + n, p, len);
        memcpy(dst + n + len, "\r\n", 2);
        c->bufpos += n + len + 2;
        return;
    }
    replyHeader(c, '$', (long long)len);
    replyRaw(c, p, len);
    replyRaw(c, "\r\n", 2);
}

void replyBulkCString(client *c, const char *s) {
    if (s) replyBulk(c, s, strlen(s));
    else replyNull(c);
}

void replyBulkLongLong(client *c, long long v) {
    char digits[32];
    int n = ll2string(digits, sizeof(digits), v);
    replyBulk(c, digits, (size_t)n);
}

void replyNull(client *c) {
    if (c->resp >= 3) replyRaw(c, "_\r\n", 3);
    else replyRaw(c, "$-1\r\n", 5);
}

void replyNullArray(client *c) {
    if (c->resp >= 3) replyRaw(c, "_\r\n", 3);
    else replyRaw(c, "*-1\r\n", 5);
}

void replyArrayLen(client *c, long len) { replyHeader(c, '*', len); }

void replyMapLen(client *c, long pairs) {
    if (c->resp >= 3) replyHeader(c, '%', pairs);
    else replyHeader(c, '*', pairs * 2);
}

void replySetLen(client *c, long len) { replyHeader(c, c->resp >= 3 ? '~' : '*', len); }

void replyDouble(client *c, double d) {
    char digits[128];
    int n = d2string(digits, sizeof(digits), d);
    if (c->resp >= 3) {
        replyRaw(c, ",", 1);
        replyRaw(c, digits, (size_t)n);
        replyRaw(c, "\r\n", 2);
    } else {
        replyBulk(c, digits, (size_t)n);
    }
}

void replyBool(client *c, int b) {
    if (c->resp >= 3) replyRaw(c, b ? "#t\r\n" : "#f\r\n", 4);
    else replyRaw(c, b ? ":1\r\n" : ":0\r\n", 4);
}

void replyVerbatim(client *c, const char *p, size_t len) {
    if (c->resp < 3) {
        replyBulk(c, p, len);
        return;
    }
    replyHeader(c, '=', (long long)len + 4);
    replyRaw(c, "txt:", 4);
    replyRaw(c, p, len);
    replyRaw(c, "\r\n", 2);
}

void replyHelp(client *c, const char *const *lines) {
    long count = 0;
    while (lines[count]) count++;
    replyArrayLen(c, count);
    for (long i = 0; i < count; i++) replyStatus(c, lines[i]);
}

/* A deferred length is an empty block that later replies skip over: the
 * header is written into it once the length is known. */
void *replyDeferredLen(client *c) {
    replyBlock *b = lmalloc(sizeof(*b) + RESP_HEADER_MAX);
    b->size = 0;
    b->used = 0;
    b->next = NULL;
    if (c->reply_tail) c->reply_tail->next = b;
    else c->reply_head = b;
    c->reply_tail = b;
    return b;
}

static void setDeferred(client *c, replyBlock *b, char prefix, long len) {
    b->used = b->size = respEncodeHeader(b->data, prefix, len);
    c->reply_bytes += b->size;
}

void replySetDeferredArrayLen(client *c, void *handle, long len) {
    setDeferred(c, handle, '*', len);
}

void replySetDeferredMapLen(client *c, void *handle, long pairs) {
    if (c->resp >= 3) setDeferred(c, handle, '%', pairs);
    else setDeferred(c, handle, '*', pairs * 2);
}
