/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Connection handling on the main thread. A readable client is read and parsed
 * by netio, then each parsed command runs here in order; replies accumulate in
 * the client's buffers and the client joins server.clients_pending_write. Just
 * before the loop sleeps, pending replies are written; only a write that could
 * not finish installs a writable handler. Clients are never freed while one of
 * their commands runs: they are marked and freed before the loop sleeps.
 */
#include "aof.h"
#include "alloc.h"
#include "net.h"

#include "block.h"
#include "command.h"
#include "io_threads/io_threads.h"
#include "listen.h"
#include "log.h"
#include "reply.h"
#include "server.h"
#include "str.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Connections accepted per readable event on a listener, so a connection
 * storm cannot starve the clients already connected. */
#define MAX_ACCEPTS_PER_CALL 1000
/* Clients idle longer than this give back their buffers. */
#define CLIENT_IDLE_TRIM_S 2

static void readHandler(aeEventLoop *el, int fd, void *data, int mask);
static void writeHandler(aeEventLoop *el, int fd, void *data, int mask);

/* Clients that needed a read or a write in this loop iteration: the load the
 * I/O thread pool adapts to. */
static int io_events;
/* Readable clients gathered in this iteration while I/O threads are active;
 * their reads are spread over the threads and the main thread before the
 * loop sleeps. */
static ilist pending_reads = {&pending_reads, &pending_reads};
/* Clients unparked by a blocking-command wake-up, resumed before sleeping. */
static ilist unblocked = {&unblocked, &unblocked};

/* Frees the client, or, while an I/O thread owns it, marks it so that its
 * completion frees it. */
static void freeClientNow(client *c) {
    if (!clientIoIsIdle(c)) {
        netCloseClientAsync(c);
        return;
    }
    if (clientIsBlocked(c)) blockUnblockClient(c, UNBLOCK_DISCONNECT);
    if (c->fd >= 0) aeDeleteFileEvent(server.el, c->fd, AE_READABLE | AE_WRITABLE);
    if (ilistLinked(&c->pending_node)) ilistRemove(&c->pending_node);
    if (ilistLinked(&c->read_node)) ilistRemove(&c->read_node);
    if (ilistLinked(&c->unblocked_node)) ilistRemove(&c->unblocked_node);
    if (ilistLinked(&c->close_node)) ilistRemove(&c->close_node);
    if (server.current_client == c) server.current_client = NULL;
    clientFree(c);
}

void netCloseClientAsync(client *c) {
    if (c->flags & CLIENT_CLOSE_ASAP) return;
    c->flags |= CLIENT_CLOSE_ASAP;
    ilistAppend(&server.clients_to_close, &c->close_node);
}

void netQueueWrite(client *c) {
    if (c->flags & CLIENT_PENDING_WRITE) return;
    c->flags |= CLIENT_PENDING_WRITE;
    ilistAppend(&server.clients_pending_write, &c->pending_node);
}

/* --- Accepting ----------------------------------------------------------- */

static void rejectConnection(int fd, const char *msg) {
    /* Best effort: the socket is new, so a short write almost always fits. */
    ssize_t ignored = write(fd, msg, strlen(msg));
    (void)ignored;
    close(fd);
    server.stat_rejected_conn++;
}

static void acceptConnection(int fd, int is_unix) {
    if (clientCount() >= server.maxclients) {
        rejectConnection(fd, "-ERR max number of clients reached\r\n");
        return;
    }
    client *c = clientCreate(fd, is_unix);
    if (!is_unix) {
        listenSetNoDelay(fd);
        if (server.tcpkeepalive) listenSetKeepAlive(fd, server.tcpkeepalive);
    }
    if (aeCreateFileEvent(server.el, fd, AE_READABLE, readHandler, c) < 0) {
        serverLog(LL_WARNING, "Error registering fd event for the new client: %s (fd=%d)",
                  strerror(errno), fd);
        c->fd = -1;
        clientFree(c);
        rejectConnection(fd, "-ERR max number of clients reached\r\n");
        return;
    }
    c->db = &server.dbs[0];
    server.stat_numconnections++;
    if (logGetLevel() <= LL_VERBOSE) serverLog(LL_VERBOSE, "Accepted %s", clientAddress(c));
}

static void acceptHandler(aeEventLoop *el, int fd, void *data, int mask) {
    (void)el;
    (void)mask;
    int is_unix = (int)(intptr_t)data;
    for (int i = 0; i < MAX_ACCEPTS_PER_CALL; i++) {
        int cfd = listenAccept(fd);
        if (cfd < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                serverLog(LL_WARNING, "Accepting client connection: %s", strerror(errno));
            return;
        }
        acceptConnection(cfd, is_unix);
    }
}

static int addListener(int fd, int is_unix) {
    listener *l = &server.listeners[server.listener_count];
    l->fd = fd;
    l->is_unix = is_unix;
    /* The handler gets the listener kind, not a pointer: entries may move. */
    if (aeCreateFileEvent(server.el, fd, AE_READABLE, acceptHandler, (void *)(intptr_t)is_unix) <
        0) {
        close(fd);
        return -1;
    }
    server.listener_count++;
    return 0;
}

/* Opens every bind address; an address prefixed with '-' is optional (skipped
 * when the host does not have it). Fills fds and returns how many, or -1. */
static int openTcpListeners(int *fds, char *err, size_t errlen) {
    int count = 0;
    if (!server.port) return 0;
    for (int i = 0; i < server.bindaddr_count; i++) {
        const char *addr = server.bindaddr[i];
        int optional = addr[0] == '-';
        if (optional) addr++;
        int fd = listenTcp(addr, server.port, server.tcp_backlog);
        if (fd >= 0) {
            fds[count++] = fd;
            continue;
        }
        if (optional && (errno == EADDRNOTAVAIL || errno == EAFNOSUPPORT ||
                         errno == EPROTONOSUPPORT || errno == ESOCKTNOSUPPORT)) {
            serverLog(LL_NOTICE, "Skipping optional bind address %s:%d: %s", addr, server.port,
                      strerror(errno));
            continue;
        }
        snprintf(err, errlen, "Failed listening on port %d (tcp) on %s: %s", server.port, addr,
                 strerror(errno));
        for (int j = 0; j < count; j++) close(fds[j]);
        return -1;
    }
    return count;
}

int netOpenListeners(void) {
    int fds[CONFIG_BINDADDR_MAX];
    char err[256];
    int count = openTcpListeners(fds, err, sizeof(err));
    if (count < 0) {
        serverLog(LL_WARNING, "%s", err);
        return -1;
    }
    for (int i = 0; i < count; i++)
        if (addListener(fds[i], 0) < 0) return -1;
    if (server.unixsocket && server.unixsocket[0]) {
        int fd = listenUnix(server.unixsocket, server.unixsocketperm, server.tcp_backlog);
        if (fd < 0 || addListener(fd, 1) < 0) {
            serverLog(LL_WARNING, "Failed opening Unix socket %s: %s", server.unixsocket,
                      strerror(errno));
            return -1;
        }
    }
    if (server.listener_count == 0) {
        serverLog(LL_WARNING, "Configured to not listen anywhere, exiting.");
        return -1;
    }
    return 0;
}

static void closeListener(listener *l) {
    aeDeleteFileEvent(server.el, l->fd, AE_READABLE);
    close(l->fd);
}

void netCloseListeners(void) {
    for (int i = 0; i < server.listener_count; i++) closeListener(&server.listeners[i]);
    server.listener_count = 0;
    if (server.unixsocket && server.unixsocket[0]) unlink(server.unixsocket);
}

int netRebindTcp(char *err, size_t errlen) {
    int fds[CONFIG_BINDADDR_MAX];
    int count = openTcpListeners(fds, err, errlen);
    if (count < 0) return -1;
    /* Keep the Unix listener; replace the TCP ones. */
    int kept = 0;
    for (int i = 0; i < server.listener_count; i++) {
        if (server.listeners[i].is_unix) server.listeners[kept++] = server.listeners[i];
        else closeListener(&server.listeners[i]);
    }
    server.listener_count = kept;
    for (int i = 0; i < count; i++) addListener(fds[i], 0);
    return 0;
}

/* --- Reading and running commands ---------------------------------------- */

static void prepareArgv(client *c, const parsedCommand *pc) {
    if (c->argv_cap < pc->argc) {
        c->argv_cap = pc->argc < 16 ? 16 : pc->argc;
        c->argv = lrealloc(c->argv, (size_t)c->argv_cap * sizeof(arg));
    }
    const respArg *a = c->args + pc->first;
    for (int i = 0; i < pc->argc; i++) {
        c->argv[i].ptr = c->qbuf + a[i].off;
        c->argv[i].len = a[i].len;
        /* The byte after an argument is framing the parser already consumed
         * (CR of a bulk, a separator of an inline line), so handlers may treat
         * arguments as C strings too. */
        c->argv[i].ptr[a[i].len] = '\0';
    }
    c->argc = pc->argc;
}

static void replyProtocolError(client *c) {
    char text[128];
    respErrorText(&c->parser, (respStatus)c->read_error, text, sizeof(text));
    if (logGetLevel() <= LL_VERBOSE) {
        str info = netClientInfoString(strEmpty(), c);
        serverLog(LL_VERBOSE, "Protocol error (%s) from client: %s", text, info);
        strFree(info);
    }
    replyError(c, text);
    c->flags |= CLIENT_CLOSE_AFTER_REPLY;
}

/* Closes a client whose pending output passed its class's hard limit, or
 * stayed over the soft limit for longer than allowed. Loom's clients are all
 * of the normal class. */
static void checkOutputLimits(client *c) {
    const obufLimit *limit = &server.obuf_limits[CLIENT_CLASS_NORMAL];
    size_t used = c->reply_bytes;
    int over_hard = limit->hard_bytes && used >= limit->hard_bytes;
    int over_soft = limit->soft_bytes && used >= limit->soft_bytes;
    if (!over_soft) c->obuf_soft_limit_since_s = 0;
    else if (!c->obuf_soft_limit_since_s) c->obuf_soft_limit_since_s = server.unixtime;
    int soft_expired = over_soft && server.unixtime - c->obuf_soft_limit_since_s > limit->soft_seconds;
    if (!over_hard && !soft_expired) return;
    str info = netClientInfoString(strEmpty(), c);
    serverLog(LL_WARNING,
              "Client %s scheduled to be closed ASAP for overcoming of output buffer limits.", info);
    strFree(info);
    server.stat_client_outbuf_limit_disconnections++;
    netCloseClientAsync(c);
}

/* A parked client with commands waiting stops reading (level-triggered
 * readiness would otherwise report it over and over) until it is resumed. */
static void pauseReads(client *c) {
    if (c->flags & CLIENT_READ_PAUSED) return;
    aeDeleteFileEvent(server.el, c->fd, AE_READABLE);
    c->flags |= CLIENT_READ_PAUSED;
}

static void resumeReads(client *c) {
    if (!(c->flags & CLIENT_READ_PAUSED)) return;
    c->flags &= ~CLIENT_READ_PAUSED;
    if (aeCreateFileEvent(server.el, c->fd, AE_READABLE, readHandler, c) < 0)
        netCloseClientAsync(c);
}

/* Runs the client's parsed commands in order until they are done or the
 * client must stop (closing, or parked by a blocking command). */
static void runParsedCommands(client *c) {
    while (c->cmds_next < c->cmds_count) {
        if (c->flags & (CLIENT_CLOSE_AFTER_REPLY | CLIENT_CLOSE_ASAP)) return;
        if (clientIsBlocked(c)) {
            pauseReads(c);
            return;
        }
        const parsedCommand *pc = &c->cmds[c->cmds_next++];
        prepareArgv(c, pc);
        server.current_client = c;
        commandProcess(c, pc->cmd);
        server.current_client = NULL;
        c->argc = 0;
        if (c->reply_head) checkOutputLimits(c);
        if (blockHasReadyKeys()) blockHandleReadyKeys();
    }
    if (clientIsBlocked(c)) return;
    netioConsumeCommands(&server.main_io, c);
    if (c->read_error && !(c->flags & CLIENT_CLOSE_AFTER_REPLY)) replyProtocolError(c);
}

/* After a read (by this thread or an I/O thread): handles the outcome and
 * runs what was parsed. */
static void readDone(client *c, netioStatus st);

static void readInline(client *c) {
    c->last_io_thread = 0;
    readDone(c, netioRead(&server.main_io, c, &server.io_limits));
}

static void readDone(client *c, netioStatus st) {
    if (c->flags & CLIENT_CLOSE_ASAP) {
        freeClientNow(c);
        return;
    }
    switch (st) {
        case NETIO_OK: break;
        case NETIO_AGAIN: return;
        case NETIO_CLOSED:
            serverLog(LL_VERBOSE, "Client closed connection id=%llu", (unsigned long long)c->id);
            freeClientNow(c);
            return;
        case NETIO_ERROR:
            serverLog(LL_VERBOSE, "Reading from client: %s", strerror(c->io_errno));
            freeClientNow(c);
            return;
        case NETIO_QBUF_LIMIT: {
            str info = netClientInfoString(strEmpty(), c);
            serverLog(LL_WARNING, "Closing client that reached max query buffer length: %s", info);
            strFree(info);
            server.stat_client_qbuf_limit_disconnections++;
            freeClientNow(c);
            return;
        }
    }
    c->last_interaction_s = server.unixtime;
    runParsedCommands(c);
    if (clientHasPendingReplies(c)) netQueueWrite(c);
}

static void readHandler(aeEventLoop *el, int fd, void *data, int mask) {
    (void)el;
    (void)fd;
    (void)mask;
    client *c = data;
    /* Owned by an I/O thread, closing, or with a reply about to be written:
     * level-triggered readiness reports it again next iteration. */
    if (!clientIoIsIdle(c) || ilistLinked(&c->read_node) ||
        (c->flags & (CLIENT_CLOSE_AFTER_REPLY | CLIENT_CLOSE_ASAP | CLIENT_PENDING_WRITE)))
        return;
    io_events++;
    if (ioThreadsActive() > 1) {
        ilistAppend(&pending_reads, &c->read_node);
        return;
    }
    readInline(c);
}

/* Spreads the gathered reads over the active I/O threads and the main
 * thread, then waits for them all, so that every read of this iteration is
 * done (and its commands ran) before the loop polls again. Waiting here is
 * what keeps the poll from reporting in-flight clients over and over. */
static void handlePendingReads(void) {
    if (ilistEmpty(&pending_reads)) return;
    int active = ioThreadsActive();
    ilist mine;
    ilistInit(&mine);
    int next = 0;
    while (!ilistEmpty(&pending_reads)) {
        client *c = ILIST_ENTRY(pending_reads.next, client, read_node);
        ilistRemove(&c->read_node);
        int index = next++ % active;
        if (index == 0 || ioThreadsSubmitRead(c, index) < 0) ilistAppend(&mine, &c->read_node);
    }
    while (!ilistEmpty(&mine)) {
        client *c = ILIST_ENTRY(mine.next, client, read_node);
        ilistRemove(&c->read_node);
        readInline(c);
    }
    ioThreadsDrain();
}

/* --- Writing ------------------------------------------------------------- */

/* After a write (by this thread or an I/O thread): waits for writability if
 * the reply is not all out, closes the client if it asked for it. */
static void writeDone(client *c, netioStatus st) {
    if (st == NETIO_ERROR) {
        serverLog(LL_VERBOSE, "Error writing to client: %s", strerror(c->io_errno));
        c->flags |= CLIENT_CLOSE_ASAP;
    }
    if (c->flags & CLIENT_CLOSE_ASAP) {
        freeClientNow(c);
        return;
    }
    c->last_interaction_s = server.unixtime;
    if (st == NETIO_AGAIN) {
        if (!(c->flags & CLIENT_WRITE_INSTALLED)) {
            /* The barrier keeps a reply from going out in the iteration whose
             * commands are not yet in the AOF. */
            int mask = AE_WRITABLE | (aofNeedsWriteBarrier() ? AE_BARRIER : 0);
            if (aeCreateFileEvent(server.el, c->fd, mask, writeHandler, c) < 0) {
                freeClientNow(c);
                return;
            }
            c->flags |= CLIENT_WRITE_INSTALLED;
        }
        return;
    }
    if (c->flags & CLIENT_WRITE_INSTALLED) {
        aeDeleteFileEvent(server.el, c->fd, AE_WRITABLE);
        c->flags &= ~CLIENT_WRITE_INSTALLED;
    }
    if (c->flags & CLIENT_CLOSE_AFTER_REPLY) freeClientNow(c);
}

/* Writes the client's pending reply on I/O thread `index`, or on the main
 * thread for index 0 (or when the thread's queue is full). */
static void writeClient(client *c, int index) {
    io_events++;
    if (index > 0 && ioThreadsSubmitWrite(c, index) == 0) return;
    c->last_io_thread = 0;
    writeDone(c, netioWrite(&server.main_io, c));
}

static void writeHandler(aeEventLoop *el, int fd, void *data, int mask) {
    (void)el;
    (void)fd;
    (void)mask;
    client *c = data;
    if (clientIoIsIdle(c)) writeClient(c, 0);
}

void netResumeClient(client *c) {
    if (!ilistLinked(&c->unblocked_node)) ilistAppend(&unblocked, &c->unblocked_node);
}

static void resumeUnblocked(void) {
    ilist later;
    ilistInit(&later);
    while (!ilistEmpty(&unblocked)) {
        client *c = ILIST_ENTRY(unblocked.next, client, unblocked_node);
        ilistRemove(&c->unblocked_node);
        if (c->flags & CLIENT_CLOSE_ASAP) continue;
        if (!clientIoIsIdle(c)) {
            /* Still flushing earlier replies on an I/O thread. */
            ilistAppend(&later, &c->unblocked_node);
            continue;
        }
        resumeReads(c);
        runParsedCommands(c);
        if (clientHasPendingReplies(c)) netQueueWrite(c);
    }
    while (!ilistEmpty(&later)) {
        ilist *node = later.next;
        ilistRemove(node);
        ilistAppend(&unblocked, node);
    }
}

void netBeforeSleep(void) {
    handlePendingReads();
    ioThreadsProcessCompletions();
    resumeUnblocked();
    if (ioThreadsApplyResize() < 0)
        serverLog(LL_WARNING, "Failed to start the I/O threads: %s", strerror(errno));
    ILIST_FOREACH_SAFE(&server.clients_to_close, it, tmp) {
        freeClientNow(ILIST_ENTRY(it, client, close_node));
    }
    ioThreadsAdjust(io_events);
    io_events = 0;
    /* Every command of this iteration has run: log them before any reply
     * goes out (appendfsync always: on disk before the client hears). */
    aofBeforeSleep();
    /* Writes are spread like reads, but not waited for: a client whose write
     * is in flight is not readable again before it gets its reply. */
    int active = ioThreadsActive(), next = 0;
    ilist busy;
    ilistInit(&busy);
    while (!ilistEmpty(&server.clients_pending_write)) {
        client *c = ILIST_ENTRY(server.clients_pending_write.next, client, pending_node);
        ilistRemove(&c->pending_node);
        if (!clientIoIsIdle(c)) {
            /* Its read is still running on an I/O thread: try next time. */
            ilistAppend(&busy, &c->pending_node);
            continue;
        }
        c->flags &= ~CLIENT_PENDING_WRITE;
        /* A client waiting for writability is written by its handler. */
        if (c->flags & CLIENT_WRITE_INSTALLED) continue;
        if (clientHasPendingReplies(c)) writeClient(c, next++ % active);
        else if (c->flags & CLIENT_CLOSE_AFTER_REPLY) freeClientNow(c);
    }
    while (!ilistEmpty(&busy)) {
        ilist *node = busy.next;
        ilistRemove(node);
        ilistAppend(&server.clients_pending_write, node);
    }
}

void netIoTotals(netIoStats *st) {
    memset(st, 0, sizeof(*st));
    st->reads = atomic_load_explicit(&server.main_io.reads, memory_order_relaxed);
    st->writes = atomic_load_explicit(&server.main_io.writes, memory_order_relaxed);
    st->bytes_read = atomic_load_explicit(&server.main_io.bytes_read, memory_order_relaxed);
    st->bytes_written = atomic_load_explicit(&server.main_io.bytes_written, memory_order_relaxed);
    for (int i = 0; i < ioThreadsCount(); i++) {
        ioThreadStats t;
        if (i == 0) ioThreadsGetRetiredStats(&t);
        else ioThreadsGetStats(i, &t);
        st->reads += t.reads;
        st->writes += t.writes;
        st->bytes_read += t.bytes_read;
        st->bytes_written += t.bytes_written;
        st->threaded_reads += t.read_jobs;
        st->threaded_writes += t.write_jobs;
    }
}

int netInitIoThreads(int count) {
    static const ioThreadsCallbacks callbacks = {readDone, writeDone};
    return ioThreadsInit(server.el, count, &server.io_limits, &callbacks);
}

/* --- Cron ---------------------------------------------------------------- */

/* Returns 1 if the client was freed. */
static int checkTimeout(client *c) {
    if (!server.maxidletime) return 0;
    if (server.unixtime - c->last_interaction_s <= server.maxidletime) return 0;
    serverLog(LL_VERBOSE, "Closing idle client");
    freeClientNow(c);
    return 1;
}

static void trackBufferPeaks(client *c) {
    if (c->qbuf_peak > server.client_recent_max_input_buffer)
        server.client_recent_max_input_buffer = c->qbuf_peak;
    size_t out = clientPendingReplyBytes(c);
    if (out > server.client_recent_max_output_buffer) server.client_recent_max_output_buffer = out;
}

void netClientsCron(void) {
    ilist *all = clientList();
    unsigned long count = clientCount();
    /* Visit every client about once a second: count/hz per call, at least a
     * few, rotating the list so each call starts where the last one ended. */
    unsigned long iterations = count / (unsigned long)server.hz;
    if (iterations < 5) iterations = count < 5 ? count : 5;
    server.client_recent_max_input_buffer = 0;
    server.client_recent_max_output_buffer = 0;
    while (iterations-- && !ilistEmpty(all)) {
        ilist *node = all->next;
        ilistRemove(node);
        ilistAppend(all, node);
        client *c = clientFromNode(node);
        if ((c->flags & (CLIENT_CLOSE_ASAP | CLIENT_EXECUTING)) || !clientIoIsIdle(c)) continue;
        if (checkTimeout(c)) continue;
        trackBufferPeaks(c);
        if (server.unixtime - c->last_interaction_s >= CLIENT_IDLE_TRIM_S) clientTrimIdle(c);
    }
}

/* --- CLIENT LIST format -------------------------------------------------- */

static const char *clientFlagsString(const client *c, char *buf) {
    char *p = buf;
    if (c->flags & CLIENT_CLOSE_AFTER_REPLY) *p++ = 'c';
    if (c->flags & CLIENT_BLOCKED) *p++ = 'b';
    if (c->flags & CLIENT_UNIX_SOCKET) *p++ = 'U';
    if (c->flags & CLIENT_CLOSE_ASAP) *p++ = 'A';
    if (p == buf) *p++ = 'N';
    *p = '\0';
    return buf;
}

static size_t replyBlockCount(const client *c) {
    size_t n = 0;
    for (const replyBlock *b = c->reply_head; b; b = b->next) n++;
    return n;
}

str netClientInfoString(str s, client *c) {
    char flags[8];
    const char *events = (c->flags & CLIENT_WRITE_INSTALLED) ? "rw" : "r";
    size_t argv_mem = 0;
    for (int i = 0; i < c->argc; i++) argv_mem += c->argv[i].len;
    const char *cmd = c->lastcmd ? c->lastcmd->fullname : "NULL";
    if (c->cmd) cmd = c->cmd->fullname;
    size_t qbuf = c->qbuf_len, qbuf_free = c->qbuf ? c->qbuf_cap - c->qbuf_len : 0;
    return strCatFmt(
        s,
        "id=%llu addr=%s laddr=%s fd=%d name=%s age=%lld idle=%lld flags=%s db=%d sub=0 psub=0 "
        "ssub=0 multi=-1 qbuf=%zu qbuf-free=%zu argv-mem=%zu multi-mem=0 rbs=%d rbp=%zu obl=%zu "
        "oll=%zu omem=%zu tot-mem=%zu events=%s cmd=%s user=default redir=-1 resp=%d "
        "io-thread=%d",
        (unsigned long long)c->id, clientAddress(c), clientLocalAddress(c), c->fd, c->name ? c->name : "",
        server.unixtime - c->ctime_s, server.unixtime - c->last_interaction_s,
        clientFlagsString(c, flags), c->db ? c->db->id : 0, qbuf, qbuf_free, argv_mem,
        c->buf ? CLIENT_BUF_BYTES : 0, c->bufpos, c->bufpos, replyBlockCount(c), c->reply_bytes, clientMemoryUsage(c), events, cmd, c->resp, c->last_io_thread);
}
