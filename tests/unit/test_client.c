/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Unit tests for client.c: creation and freeing with the client list (count,
 * lookup by id, iteration order, the socket made non-blocking and closed),
 * recorded addresses, pending reply bytes at every stage of a partial write,
 * memory usage, and clientTrimIdle.
 */
#include "test.h"

#include "alloc.h"
#include "client.h"
#include "netio.h"
#include "reply.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

static int fdIsOpen(int fd) {
    return fcntl(fd, F_GETFD) != -1 || errno != EBADF;
}

/* The ids of the listed clients, oldest first; returns how many. */
static int listIds(uint64_t *ids, int cap) {
    int n = 0;
    ILIST_FOREACH(clientList(), it) {
        if (n < cap) ids[n] = clientFromNode(it)->id;
        n++;
    }
    return n;
}

int test_client_list(void) {
    ASSERT_EQ(clientCount(), 0);
    ASSERT(ilistEmpty(clientList()));
    ASSERT(clientLookupById(1) == NULL);

    int fds[3][2];
    client *c[3];
    for (int i = 0; i < 3; i++) {
        ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds[i]), 0);
        c[i] = clientCreate(fds[i][0], 1);
        ASSERT_EQ(clientCount(), (unsigned long)i + 1);
        ASSERT(c[i]->fd == fds[i][0]);
        /* The socket is made non-blocking. */
        ASSERT(fcntl(fds[i][0], F_GETFL) & O_NONBLOCK);
    }
    ASSERT(c[0]->id < c[1]->id && c[1]->id < c[2]->id);
    ASSERT_EQ(c[0]->id, 1);
    for (int i = 0; i < 3; i++)
        ASSERT(clientLookupById(c[i]->id) == c[i]);
    ASSERT(clientLookupById(c[2]->id + 1) == NULL);
    ASSERT(clientLookupById(0) == NULL);

    uint64_t ids[8];
    ASSERT_EQ(listIds(ids, 8), 3);
    for (int i = 0; i < 3; i++)
        ASSERT_EQ(ids[i], c[i]->id);

    /* A fresh client's state. */
    client *x = c[1];
    ASSERT_EQ(x->resp, 2);
    ASSERT_EQ(x->flags, CLIENT_UNIX_SOCKET);
    ASSERT(clientIoIsIdle(x));
    ASSERT(x->qbuf == NULL);
    ASSERT_EQ(x->bufpos, 0);
    ASSERT(!clientHasPendingReplies(x));
    ASSERT_EQ(clientPendingReplyBytes(x), 0);
    ASSERT(x->name == NULL);
    ASSERT(!ilistLinked(&x->pending_node));
    ASSERT(!ilistLinked(&x->read_node));
    ASSERT(!ilistLinked(&x->close_node));
    ASSERT(ilistLinked(&x->node));
    ASSERT_GT(x->ctime_s, 0);
    ASSERT_EQ(x->last_interaction_s, x->ctime_s);

    /* Freeing the middle one unlinks it and closes its socket. */
    uint64_t gone = c[1]->id;
    clientFree(c[1]);
    ASSERT_EQ(clientCount(), 2);
    ASSERT(clientLookupById(gone) == NULL);
    ASSERT(!fdIsOpen(fds[1][0]));
    char byte;
    ASSERT_EQ(read(fds[1][1], &byte, 1), 0); /* the peer sees the close */
    ASSERT_EQ(listIds(ids, 8), 2);
    ASSERT_EQ(ids[0], c[0]->id);
    ASSERT_EQ(ids[1], c[2]->id);

    /* New clients go last, with ids never reused; fd -1 has no socket. */
    client *d = clientCreate(-1, 0);
    ASSERT_GT(d->id, c[2]->id);
    ASSERT_EQ(d->flags, 0);
    ASSERT_EQ(listIds(ids, 8), 3);
    ASSERT_EQ(ids[2], d->id);
    clientFree(c[0]);
    clientFree(d);
    ASSERT_EQ(listIds(ids, 8), 1);
    ASSERT_EQ(ids[0], c[2]->id);
    clientFree(c[2]);
    ASSERT_EQ(clientCount(), 0);
    ASSERT(ilistEmpty(clientList()));
    for (int i = 0; i < 3; i++)
        close(fds[i][1]);
    return 0;
}

/* A client freed with buffers in every field releases them all (checked by
 * the sanitizers and valgrind). */
int test_client_free_buffers(void) {
    int sv[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    client *c = clientCreate(sv[0], 1);
    netioWorker w;
    netioWorkerInit(&w);
    netioLimits lim = {1 << 30, 1 << 29, NULL};
    static const char req[] = "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*3\r\n$3\r\nSET\r\n$1";
    ASSERT_EQ(write(sv[1], req, sizeof(req) - 1), (long long)sizeof(req) - 1);
    ASSERT_EQ(netioRead(&w, c, &lim), NETIO_OK);
    ASSERT_EQ(c->cmds_count, 1);
    c->argv = lmalloc(4 * sizeof(arg));
    c->argv_cap = 4;
    c->name = strNew("conn-name");
    char fill[3000];
    memset(fill, 'f', sizeof(fill));
    replyRaw(c, fill, sizeof(fill));
    void *h = replyDeferredLen(c);
    replyOk(c);
    replySetDeferredArrayLen(c, h, 1);
    ASSERT(c->reply_head != NULL);
    clientFree(c);
    ASSERT(!fdIsOpen(sv[0]));
    close(sv[1]);
    netioWorkerRelease(&w);
    return 0;
}

int test_client_addresses(void) {
    /* TCP: "ip:port" for both ends. */
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    ASSERT(ls >= 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = 0};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(bind(ls, (struct sockaddr *)&sa, sizeof(sa)), 0);
    ASSERT_EQ(listen(ls, 4), 0);
    socklen_t len = sizeof(sa);
    ASSERT_EQ(getsockname(ls, (struct sockaddr *)&sa, &len), 0);
    int server_port = ntohs(sa.sin_port);
    int cs = socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_EQ(connect(cs, (struct sockaddr *)&sa, sizeof(sa)), 0);
    struct sockaddr_in local;
    len = sizeof(local);
    ASSERT_EQ(getsockname(cs, (struct sockaddr *)&local, &len), 0);
    int fd = accept(ls, NULL, NULL);
    ASSERT(fd >= 0);
    client *c = clientCreate(fd, 0);
    char want[64];
    snprintf(want, sizeof(want), "127.0.0.1:%d", ntohs(local.sin_port));
    ASSERT_STR_EQ(clientAddress(c), want);
    ASSERT_STR_EQ(clientAddress(c), want); /* kept after the first lookup */
    snprintf(want, sizeof(want), "127.0.0.1:%d", server_port);
    ASSERT_STR_EQ(clientLocalAddress(c), want);
    ASSERT_EQ(c->flags & CLIENT_UNIX_SOCKET, 0);
    clientFree(c);
    close(cs);
    close(ls);

    /* An unnamed Unix socket: an empty path and ":0". */
    int sv[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    c = clientCreate(sv[0], 1);
    ASSERT_STR_EQ(clientAddress(c), ":0");
    ASSERT_STR_EQ(clientLocalAddress(c), ":0");
    clientFree(c);
    close(sv[1]);
    return 0;
}

/* clientPendingReplyBytes matches what is still to be written at every
 * stage: fixed buffer partly sent, fixed buffer done and the first block
 * partly sent, later blocks. */
int test_client_pending_reply_bytes(void) {
    int sv[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    client *c = clientCreate(sv[0], 1);
    fcntl(sv[1], F_SETFL, fcntl(sv[1], F_GETFL) | O_NONBLOCK);
    int small = 4096;
    ASSERT_EQ(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small)), 0);
    netioWorker w;
    netioWorkerInit(&w);

    ASSERT_EQ(clientPendingReplyBytes(c), 0);
    replyOk(c);
    ASSERT_EQ(clientPendingReplyBytes(c), 5);
    char *fill = lmalloc(100000);
    memset(fill, 'p', 100000);
    replyRaw(c, fill, CLIENT_BUF_BYTES - 5);
    ASSERT_EQ(clientPendingReplyBytes(c), CLIENT_BUF_BYTES);
    ASSERT(c->reply_head == NULL);
    replyRaw(c, fill, 100000);
    replyBulk(c, fill, 50000);
    size_t total = CLIENT_BUF_BYTES + 100000 + 8 + 50000 + 2;
    ASSERT_EQ(clientPendingReplyBytes(c), total);

    /* Write in steps of what the small socket buffer takes, emptying it
     * between steps. */
    int seen_block_partial = 0;
    char sink[3000];
    for (int step = 0; step < 100000 && clientHasPendingReplies(c); step++) {
        netioStatus st = netioWrite(&w, c);
        ASSERT(st == NETIO_OK || st == NETIO_AGAIN);
        size_t left = total - atomic_load(&w.bytes_written);
        if (!c->bufpos && c->sentlen) seen_block_partial = 1;
        if (clientPendingReplyBytes(c) != left) {
            TEST_FAIL_("step %d: pending %zu, expected %zu (bufpos %zu sentlen %zu)", step,
                       clientPendingReplyBytes(c), left, c->bufpos, c->sentlen);
        }
        ASSERT_EQ(clientHasPendingReplies(c), left > 0);
        while (read(sv[1], sink, sizeof(sink)) > 0) {
        }
    }
    ASSERT(!clientHasPendingReplies(c));
    ASSERT_EQ(clientPendingReplyBytes(c), 0);
    ASSERT(seen_block_partial);

    /* The fixed buffer partly sent, set up directly. */
    replyRaw(c, fill, 500);
    c->sentlen = 200;
    ASSERT_EQ(clientPendingReplyBytes(c), 300);
    replyRaw(c, fill, 1000);
    ASSERT_EQ(clientPendingReplyBytes(c), 1300);
    lfree(fill);
    clientFree(c);
    close(sv[1]);
    netioWorkerRelease(&w);
    return 0;
}

int test_client_memory_usage(void) {
    client *c = clientCreate(-1, 0);
    size_t base = clientMemoryUsage(c);
    ASSERT_GE(base, sizeof(client));
    char fill[5000];
    memset(fill, 'm', sizeof(fill));
    replyRaw(c, fill, sizeof(fill));
    ASSERT_GE(clientMemoryUsage(c), base + c->reply_bytes);
    ASSERT_GE(c->reply_bytes, REPLY_BLOCK_BYTES);
    clientFree(c);
    return 0;
}

int test_client_trim_idle(void) {
    int sv[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    client *c = clientCreate(sv[0], 1);
    netioWorker w;
    netioWorkerInit(&w);
    netioLimits lim = {1 << 30, 1 << 29, NULL};

    /* After a command ran: the args arrays stay (a read that found nothing
     * gives the empty query buffer back to the worker at once); the trim
     * releases them. */
    ASSERT_EQ(write(sv[1], "PING\r\n", 6), 6);
    ASSERT_EQ(netioRead(&w, c, &lim), NETIO_OK);
    c->cmds_next = c->cmds_count;
    netioConsumeCommands(&w, c);
    c->argv = lmalloc(16 * sizeof(arg));
    c->argv_cap = 16;
    ASSERT_EQ(netioRead(&w, c, &lim), NETIO_AGAIN);
    ASSERT(c->qbuf == NULL);
    ASSERT(w.spare_qbuf != NULL);
    ASSERT(c->args != NULL && c->cmds != NULL);
    size_t before = clientMemoryUsage(c);
    c->qbuf_peak = 6;
    clientTrimIdle(c);
    ASSERT(c->qbuf == NULL);
    ASSERT_EQ(c->qbuf_cap, 0);
    ASSERT(c->args == NULL && c->cmds == NULL && c->argv == NULL);
    ASSERT_EQ(c->args_cap, 0);
    ASSERT_EQ(c->cmds_cap, 0);
    ASSERT_EQ(c->argv_cap, 0);
    ASSERT_EQ(c->qbuf_peak, 0);
    ASSERT_EQ(clientMemoryUsage(c), sizeof(client));
    ASSERT_LT(clientMemoryUsage(c), before);
    /* Trimming again is harmless, and the client still works. */
    clientTrimIdle(c);
    ASSERT_EQ(write(sv[1], "*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\n", 22), 22);
    ASSERT_EQ(netioRead(&w, c, &lim), NETIO_OK);
    ASSERT_EQ(c->cmds_count, 1);
    ASSERT_EQ(c->cmds[0].argc, 2);
    c->cmds_next = c->cmds_count;
    netioConsumeCommands(&w, c);

    /* Parsed commands not run yet: nothing is released. */
    ASSERT_EQ(write(sv[1], "PING\r\nPING\r\n", 12), 12);
    ASSERT_EQ(netioRead(&w, c, &lim), NETIO_OK);
    ASSERT_EQ(c->cmds_count, 2);
    clientTrimIdle(c);
    ASSERT(c->qbuf != NULL && c->args != NULL && c->cmds != NULL);
    ASSERT_EQ(c->qbuf_peak, c->qbuf_len);
    c->cmds_next = c->cmds_count;
    netioConsumeCommands(&w, c);
    ASSERT(c->qbuf == NULL);
    clientFree(c);
    close(sv[1]);
    netioWorkerRelease(&w);
    return 0;
}

/* An idle client in the middle of a multibulk request: the arguments parsed
 * so far live in c->args (the parser keeps only their count), so the trim
 * must keep them, and the command must arrive intact. */
int test_client_trim_idle_partial_command(void) {
    int sv[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    client *c = clientCreate(sv[0], 1);
    netioWorker w;
    netioWorkerInit(&w);
    netioLimits lim = {1 << 30, 1 << 29, NULL};

    static const char head[] = "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nva";
    ASSERT_EQ(write(sv[1], head, sizeof(head) - 1), (long long)sizeof(head) - 1);
    ASSERT_EQ(netioRead(&w, c, &lim), NETIO_OK);
    ASSERT_EQ(c->cmds_count, 0);
    c->cmds_next = c->cmds_count;
    netioConsumeCommands(&w, c); /* as after every read */
    ASSERT_EQ(c->parser.argc, 2);

    clientTrimIdle(c);
    ASSERT(c->qbuf != NULL);
    ASSERT_EQ(c->qbuf_len, sizeof(head) - 1);
    ASSERT(c->args != NULL);
    ASSERT_GE(c->args_cap, c->parser.argc);

    ASSERT_EQ(write(sv[1], "lue\r\n", 5), 5);
    ASSERT_EQ(netioRead(&w, c, &lim), NETIO_OK);
    ASSERT_EQ(c->cmds_count, 1);
    ASSERT_EQ(c->cmds[0].argc, 3);
    const respArg *a = &c->args[c->cmds[0].first];
    ASSERT_EQ(a[0].len, 3);
    ASSERT_MEM_EQ(c->qbuf + a[0].off, "SET", 3);
    ASSERT_EQ(a[1].len, 3);
    ASSERT_MEM_EQ(c->qbuf + a[1].off, "key", 3);
    ASSERT_EQ(a[2].len, 5);
    ASSERT_MEM_EQ(c->qbuf + a[2].off, "value", 5);
    clientFree(c);
    close(sv[1]);
    netioWorkerRelease(&w);
    return 0;
}
