/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Client creation, destruction and the list of all clients. Creating a client
 * makes its socket non-blocking and records its addresses; freeing one releases
 * every buffer and closes the socket. The list and the id counter are
 * main-thread state.
 */
#include "client.h"

#include "alloc.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* An idle connection costs its struct and nothing else: keep it small. */
_Static_assert(sizeof(client) <= 448, "client outgrew its allocation size class");

static ilist all_clients = {&all_clients, &all_clients};
static unsigned long client_count;
static uint64_t next_client_id = 1;

/* Formats a socket address as Redis does: "ip:port", "[ipv6]:port", or
 * "path:0" for a Unix socket. */
static void formatAddress(const struct sockaddr_storage *sa, char *out, size_t outlen,
                          const char *unix_path) {
    char ip[INET6_ADDRSTRLEN];
    if (sa->ss_family == AF_INET) {
        const struct sockaddr_in *s = (const struct sockaddr_in *)sa;
        inet_ntop(AF_INET, &s->sin_addr, ip, sizeof(ip));
        snprintf(out, outlen, "%s:%d", ip, ntohs(s->sin_port));
    } else if (sa->ss_family == AF_INET6) {
        const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)sa;
        inet_ntop(AF_INET6, &s->sin6_addr, ip, sizeof(ip));
        snprintf(out, outlen, "[%s]:%d", ip, ntohs(s->sin6_port));
    } else {
        snprintf(out, outlen, "%.107s:0", unix_path ? unix_path : "");
    }
}

#define ADDR_TEXT_MAX 128

static str lookupAddress(client *c, int local) {
    char text[ADDR_TEXT_MAX] = "";
    struct sockaddr_storage sa;
    socklen_t len = sizeof(sa);
    memset(&sa, 0, sizeof(sa));
    int rc = local ? getsockname(c->fd, (struct sockaddr *)&sa, &len)
                   : getpeername(c->fd, (struct sockaddr *)&sa, &len);
    if (rc == 0 && sa.ss_family == AF_UNIX && !local) {
        /* A Unix peer has no name: Redis shows the socket's own path. */
        len = sizeof(sa);
        rc = getsockname(c->fd, (struct sockaddr *)&sa, &len);
    }
    if (rc == 0)
        formatAddress(&sa, text, sizeof(text),
                      sa.ss_family == AF_UNIX ? ((struct sockaddr_un *)&sa)->sun_path : NULL);
    return strNew(text);
}

const char *clientAddress(client *c) {
    if (!c->addr) c->addr = lookupAddress(c, 0);
    return c->addr;
}

const char *clientLocalAddress(client *c) {
    if (!c->laddr) c->laddr = lookupAddress(c, 1);
    return c->laddr;
}

client *clientCreate(int fd, int unix_socket) {
    client *c = lcalloc(sizeof(*c));
    c->id = next_client_id++;
    c->fd = fd;
    c->resp = 2;
    c->flags = unix_socket ? CLIENT_UNIX_SOCKET : 0;
    respParserInit(&c->parser);
    c->ctime_s = c->last_interaction_s = (long long)time(NULL);
    ilistInit(&c->pending_node);
    ilistInit(&c->read_node);
    ilistInit(&c->unblocked_node);
    ilistInit(&c->close_node);
    if (fd >= 0) {
        int flags = fcntl(fd, F_GETFL);
        fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    }
    ilistAppend(&all_clients, &c->node);
    client_count++;
    return c;
}

static void freeReplyBlocks(client *c) {
    replyBlock *b = c->reply_head;
    while (b) {
        replyBlock *next = b->next;
        lfree(b);
        b = next;
    }
    c->reply_head = c->reply_tail = NULL;
    c->reply_bytes = 0;
}

void clientDiscardReplies(client *c) {
    freeReplyBlocks(c);
    c->bufpos = 0;
    c->sentlen = 0;
}

void clientFree(client *c) {
    ilistRemove(&c->node);
    client_count--;
    if (c->fd >= 0) close(c->fd);
    freeReplyBlocks(c);
    lfree(c->buf);
    lfree(c->qbuf);
    lfree(c->args);
    lfree(c->cmds);
    lfree(c->argv);
    strFree(c->name);
    strFree(c->addr);
    strFree(c->laddr);
    lfree(c);
}

ilist *clientList(void) { return &all_clients; }
unsigned long clientCount(void) { return client_count; }

client *clientLookupById(uint64_t id) {
    ILIST_FOREACH(&all_clients, it) {
        client *c = clientFromNode(it);
        if (c->id == id) return c;
    }
    return NULL;
}

size_t clientPendingReplyBytes(const client *c) {
    size_t n = 0;
    for (const replyBlock *b = c->reply_head; b; b = b->next) n += b->used;
    /* sentlen counts into the fixed buffer while it has bytes, else into
     * the first block. */
    return c->bufpos ? n + c->bufpos - c->sentlen : n - c->sentlen;
}

size_t clientMemoryUsage(const client *c) {
    return sizeof(*c) + (c->buf ? CLIENT_BUF_BYTES : 0) + c->qbuf_cap + c->reply_bytes + (size_t)c->args_cap * sizeof(respArg) +
           (size_t)c->cmds_cap * sizeof(parsedCommand) + (size_t)c->argv_cap * sizeof(arg);
}

void clientTrimIdle(client *c) {
    if (c->buf && c->bufpos == 0) {
        lfree(c->buf);
        c->buf = NULL;
    }
    if (c->qbuf && c->qbuf_len == 0) {
        lfree(c->qbuf);
        c->qbuf = NULL;
        c->qbuf_cap = 0;
    }
    /* The args array also holds a partial command's arguments. */
    if (c->cmds_count == 0 && c->args_used == 0 && c->parser.argc == 0) {
        lfree(c->args);
        lfree(c->cmds);
        lfree(c->argv);
        c->args = NULL;
        c->cmds = NULL;
        c->argv = NULL;
        c->args_cap = c->cmds_cap = c->argv_cap = 0;
    }
    c->qbuf_peak = c->qbuf_len;
}
