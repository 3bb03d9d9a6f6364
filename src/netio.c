/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Reading, parsing and writing for one client on the thread that owns it.
 *
 * The query buffer is taken from the worker's spare slot when a read starts and
 * given back when every byte in it was consumed, so idle clients hold no query
 * buffer and a thread serving many clients reuses one. A large bulk grows the
 * buffer geometrically as its bytes arrive (never to the declared size up
 * front, so a header alone cannot make the server allocate). Parsed arguments
 * are offsets into the buffer; the buffer is only moved by
 * netioConsumeCommands, once all parsed commands ran.
 */
#include "netio.h"

#include "alloc.h"
#include "client.h"
#include "resp.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

/* Most bytes one netioWrite call sends, so one client with a huge reply does
 * not delay the others for long. */
#define NETIO_MAX_WRITE_PER_CALL (256 * 1024)
#define NETIO_MAX_IOV 16
#define ARGS_INITIAL 16
#define CMDS_INITIAL 8

void netioWorkerInit(netioWorker *w) {
    w->spare_qbuf = NULL;
    atomic_init(&w->reads, 0);
    atomic_init(&w->writes, 0);
    atomic_init(&w->bytes_read, 0);
    atomic_init(&w->bytes_written, 0);
}

void netioWorkerRelease(netioWorker *w) {
    lfree(w->spare_qbuf);
    w->spare_qbuf = NULL;
}

static void releaseQueryBuffer(netioWorker *w, client *c);

/* Makes room in the query buffer for the next read. */
static void prepareQueryBuffer(netioWorker *w, client *c) {
    if (!c->qbuf) {
        if (w->spare_qbuf) {
            c->qbuf = w->spare_qbuf;
            w->spare_qbuf = NULL;
        } else {
            c->qbuf = lmalloc(NETIO_READ_CHUNK);
        }
        c->qbuf_cap = NETIO_READ_CHUNK;
        c->qbuf_len = 0;
    }
    /* Grow only when the buffer is nearly full, so a client trickling bytes
     * cannot make it grow faster than what it actually sent. */
    if (c->qbuf_cap - c->qbuf_len >= NETIO_READ_CHUNK / 4) return;
    size_t cap = c->qbuf_cap * 2;
    if (cap < c->qbuf_len + NETIO_READ_CHUNK) cap = c->qbuf_len + NETIO_READ_CHUNK;
    /* Inside a bulk, grow no further than the bulk needs. */
    size_t want = respBytesWanted(&c->parser);
    if (want > c->qbuf_len && cap > want) cap = want;
    c->qbuf = lrealloc(c->qbuf, cap);
    c->qbuf_cap = cap;
}

static void pushCommand(client *c, int argc, const netioLimits *lim) {
    if (c->cmds_count == c->cmds_cap) {
        c->cmds_cap = c->cmds_cap ? c->cmds_cap * 2 : CMDS_INITIAL;
        c->cmds = lrealloc(c->cmds, (size_t)c->cmds_cap * sizeof(*c->cmds));
    }
    parsedCommand *pc = &c->cmds[c->cmds_count++];
    pc->argc = argc;
    pc->first = c->args_used;
    const respArg *name = &c->args[pc->first];
    pc->cmd = lim->lookup ? lim->lookup(c->qbuf + name->off, name->len) : NULL;
    c->args_used += argc;
}

int netioParse(client *c, const netioLimits *lim) {
    respLimits limits = {lim->proto_max_bulk_len, NETIO_INLINE_MAX};
    while (!c->read_error && c->qbuf) {
        if (c->args_cap - c->args_used < 1) {
            c->args_cap = c->args_cap ? c->args_cap * 2 : ARGS_INITIAL;
            c->args = lrealloc(c->args, (size_t)c->args_cap * sizeof(*c->args));
        }
        int argc = c->parser.argc;
        respStatus st = respParseCommand(&c->parser, c->qbuf, c->qbuf_len, c->args + c->args_used,
                                         c->args_cap - c->args_used, &argc, &limits);
        if (st == RESP_COMMAND) {
            if (argc > 0) pushCommand(c, argc, lim);
        } else if (st == RESP_NEED_ARGS) {
            c->args_cap *= 2;
            c->args = lrealloc(c->args, (size_t)c->args_cap * sizeof(*c->args));
        } else if (st == RESP_INCOMPLETE) {
            break;
        } else {
            c->read_error = (int)st;
        }
    }
    return c->cmds_count - c->cmds_next;
}

netioStatus netioRead(netioWorker *w, client *c, const netioLimits *lim) {
    if (c->read_error || c->cmds_next < c->cmds_count) return NETIO_AGAIN;
    prepareQueryBuffer(w, c);
    ssize_t n = read(c->fd, c->qbuf + c->qbuf_len, c->qbuf_cap - c->qbuf_len);
    if (n <= 0 && c->qbuf_len == 0) releaseQueryBuffer(w, c);
    if (n <= 0) {
        if (n == 0) return NETIO_CLOSED;
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return NETIO_AGAIN;
        c->io_errno = errno;
        return NETIO_ERROR;
    }
    c->qbuf_len += (size_t)n;
    if (c->qbuf_len > c->qbuf_peak) c->qbuf_peak = c->qbuf_len;
    netioCounterAdd(&w->reads, 1);
    netioCounterAdd(&w->bytes_read, (uint64_t)n);
    if (c->qbuf_len > lim->qbuf_limit) return NETIO_QBUF_LIMIT;
    netioParse(c, lim);
    return NETIO_OK;
}

/* Gives an empty query buffer back: to the worker's spare slot when that is
 * free and the buffer has the standard size, else to the allocator. */
static void releaseQueryBuffer(netioWorker *w, client *c) {
    if (!w->spare_qbuf && c->qbuf_cap == NETIO_READ_CHUNK) w->spare_qbuf = c->qbuf;
    else lfree(c->qbuf);
    c->qbuf = NULL;
    c->qbuf_cap = 0;
}

void netioConsumeCommands(netioWorker *w, client *c) {
    c->cmds_count = c->cmds_next = 0;
    /* The partial command's args sit after the complete ones: move them down
     * and make their offsets relative to the compacted buffer. */
    size_t start = c->parser.cmd_start;
    int partial = c->parser.argc;
    if (partial && c->args_used) memmove(c->args, c->args + c->args_used, partial * sizeof(respArg));
    for (int i = 0; i < partial; i++) c->args[i].off -= start;
    c->args_used = 0;
    if (!c->qbuf) return;
    if (start) {
        memmove(c->qbuf, c->qbuf + start, c->qbuf_len - start);
        c->qbuf_len -= start;
        respParserRebase(&c->parser, start);
    }
    if (c->qbuf_len == 0) releaseQueryBuffer(w, c);
}

/* Drops `n` written bytes from the front of the reply. */
static void consumeWritten(client *c, size_t n) {
    if (c->bufpos) {
        size_t in_buf = c->bufpos - c->sentlen;
        if (n < in_buf) {
            c->sentlen += n;
            return;
        }
        n -= in_buf;
        c->bufpos = c->sentlen = 0;
    }
    while (c->reply_head) {
        replyBlock *b = c->reply_head;
        size_t left = b->used - c->sentlen;
        if (n < left) {
            c->sentlen += n;
            return;
        }
        n -= left;
        c->sentlen = 0;
        c->reply_head = b->next;
        if (!c->reply_head) c->reply_tail = NULL;
        c->reply_bytes -= b->size;
        lfree(b);
    }
}

netioStatus netioWrite(netioWorker *w, client *c) {
    size_t total = 0;
    while (clientHasPendingReplies(c)) {
        struct iovec iov[NETIO_MAX_IOV];
        int iovcnt = 0;
        size_t want = 0;
        /* This call may still send `budget` bytes. */
        size_t budget = NETIO_MAX_WRITE_PER_CALL - total;
        if (c->bufpos) {
            iov[0].iov_base = c->buf + c->sentlen;
            iov[0].iov_len = c->bufpos - c->sentlen;
            want = iov[0].iov_len;
            iovcnt = 1;
        }
        size_t skip = c->bufpos ? 0 : c->sentlen;
        for (replyBlock *b = c->reply_head; b && iovcnt < NETIO_MAX_IOV && want < budget;
             b = b->next) {
            if (b->used > skip) {
                size_t n = b->used - skip;
                if (n > budget - want) n = budget - want;
                iov[iovcnt].iov_base = b->data + skip;
                iov[iovcnt].iov_len = n;
                want += n;
                iovcnt++;
            }
            skip = 0;
        }
        if (want == 0) {
            consumeWritten(c, 0); /* only empty blocks remain */
            continue;
        }
        ssize_t n = iovcnt == 1 ? write(c->fd, iov[0].iov_base, iov[0].iov_len)
                                : writev(c->fd, iov, iovcnt);
        if (n <= 0) {
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
                return NETIO_AGAIN;
            c->io_errno = n < 0 ? errno : EPIPE;
            return NETIO_ERROR;
        }
        netioCounterAdd(&w->writes, 1);
        netioCounterAdd(&w->bytes_written, (uint64_t)n);
        consumeWritten(c, (size_t)n);
        total += (size_t)n;
        if ((size_t)n < want) return NETIO_AGAIN;
        if (total >= NETIO_MAX_WRITE_PER_CALL)
            return clientHasPendingReplies(c) ? NETIO_AGAIN : NETIO_OK;
    }
    return NETIO_OK;
}
