/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The client: one connection's socket, query buffer, parsed commands, reply
 * buffers and bookkeeping, plus the list of all clients.
 *
 * Threads: the main thread creates, lists and frees clients. The I/O fields
 * (query buffer, parser, parsed commands, reply buffers, socket) belong to
 * whichever thread currently owns the client: the main thread, or an I/O thread
 * between hand-off and hand-back (see io_state). The list functions are
 * main-thread only.
 */
#ifndef LOOM_CLIENT_H
#define LOOM_CLIENT_H

#include "ilist.h"
#include "resp.h"
#include "str.h"

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

struct blockState;
struct command;
struct db;

/* Who owns the client's I/O fields (io_state). */
#define CLIENT_IO_IDLE 0          /* the main thread */
#define CLIENT_IO_READ_PENDING 1  /* an I/O thread, reading */
#define CLIENT_IO_WRITE_PENDING 2 /* an I/O thread, writing */
#define CLIENT_IO_DONE 3          /* the main thread; the completion has not run yet */

/* Client flags. */
#define CLIENT_CLOSE_AFTER_REPLY (1 << 0) /* close once the reply is written (QUIT, protocol error) */
#define CLIENT_CLOSE_ASAP (1 << 1)        /* close before sleeping (KILL, limits) */
#define CLIENT_UNIX_SOCKET (1 << 2)
#define CLIENT_PENDING_WRITE (1 << 3)     /* in the pending-write list */
#define CLIENT_WRITE_INSTALLED (1 << 4)   /* a writable handler is installed */
#define CLIENT_EXECUTING (1 << 5)         /* a command of this client is running */
#define CLIENT_READ_PAUSED (1 << 6)       /* parsed commands wait; don't read more */
#define CLIENT_BLOCKED (1 << 7)           /* parked by a blocking command (block.h) */

/* An argument of the command being executed: `len` bytes at `ptr`, inside the
 * client's query buffer and followed by a NUL, valid until the command returns. */
typedef struct arg {
    char *ptr;
    size_t len;
} arg;

/* A parsed command waiting to run: argc args starting at args[first], and
 * the command table entry its name resolved to (NULL: not looked up, or no
 * such command). */
typedef struct parsedCommand {
    int argc;
    int first;
    struct command *cmd;
} parsedCommand;

/* A block of reply bytes beyond the client's fixed buffer. */
typedef struct replyBlock {
    struct replyBlock *next;
    size_t size; /* capacity of data[] */
    size_t used; /* bytes filled */
    char data[];
} replyBlock;

/* Bytes of the fixed reply buffer: enough for pipelines of small replies. It
 * is allocated with the first reply and given back when the client idles, so
 * an idle client costs only its struct. */
#define CLIENT_BUF_BYTES 1024
/* Minimum size of a reply block. */
#define REPLY_BLOCK_BYTES (16 * 1024)


typedef struct client {
    uint64_t id;
    int fd;
    int flags;
    int resp;           /* protocol version: 2 or 3 */
    int last_io_thread; /* who did this client's last read or write (0 = main) */
    /* I/O hand-off state (CLIENT_IO_*): written with release by the side that
     * gives the client up, read with acquire by the side that takes it. */
    _Atomic int io_state;
    int io_result; /* the netioStatus of the last threaded job */
    int io_errno;  /* errno of the last NETIO_ERROR */
    struct db *db;

    /* --- Input: owned by the thread that owns the client. --- */
    char *qbuf;        /* NULL while nothing is buffered (idle clients hold none) */
    size_t qbuf_len;   /* bytes in qbuf */
    size_t qbuf_cap;
    size_t qbuf_peak;  /* largest qbuf_len since the last cron check */
    respParser parser;
    respArg *args;     /* args of parsed commands, then the partial command's */
    int args_cap;
    int args_used;
    parsedCommand *cmds; /* complete commands, in order */
    int cmds_cap;
    int cmds_count;
    int cmds_next;       /* next command to execute */
    int read_error;      /* respStatus of a protocol error after the parsed commands */

    /* --- The command being executed (main thread). --- */
    int argc;
    arg *argv;
    int argv_cap;
    struct command *cmd;     /* the command running now */
    struct command *lastcmd; /* the last command run */

    /* --- Output: appended to by the main thread, written by the owner. --- */
    char *buf;        /* the fixed reply buffer (CLIENT_BUF_BYTES), NULL until needed */
    size_t bufpos;    /* bytes in buf */
    size_t sentlen;   /* bytes of buf, or of the first block when buf is done, already sent */
    replyBlock *reply_head, *reply_tail;
    size_t reply_bytes; /* bytes allocated for blocks */

    /* --- Bookkeeping (main thread). --- */
    str name;
    long long ctime_s;          /* creation time */
    long long last_interaction_s;
    long long obuf_soft_limit_since_s; /* when the output first passed the soft limit; 0 = not over */
    ilist node;                 /* in the list of all clients */
    ilist pending_node;         /* in server.clients_pending_write */
    ilist read_node;            /* in the reads gathered for the I/O threads */
    ilist unblocked_node;       /* in the clients to resume before sleeping */
    struct blockState *block;   /* while CLIENT_BLOCKED */
    ilist close_node;           /* in the list of clients to close */
    str addr;  /* peer address, filled in by clientAddress() */
    str laddr; /* local address, filled in by clientLocalAddress() */
} client;

/* Creates a client for a connected socket (made non-blocking here) and links it
 * into the client list. `unix_socket` marks a Unix-domain connection. */
client *clientCreate(int fd, int unix_socket);
/* Unlinks and frees the client, closing its socket. The caller has removed its
 * event handlers. */
void clientFree(client *c);

/* Drops every reply byte not yet written (a client with no connection, such
 * as the one replaying the AOF). */
void clientDiscardReplies(client *c);
/* The list of all clients, oldest first; iterate with ILIST_FOREACH and
 * clientFromNode. */
ilist *clientList(void);
/* The peer and local addresses as Redis shows them ("1.2.3.4:5", "[::1]:5",
 * "/path/sock:0"), looked up on first use and kept. Main thread. */
const char *clientAddress(client *c);
const char *clientLocalAddress(client *c);
static inline client *clientFromNode(ilist *node) { return ILIST_ENTRY(node, client, node); }
unsigned long clientCount(void);
client *clientLookupById(uint64_t id);

/* True when no I/O thread owns the client and no completion is pending. */
static inline int clientIoIsIdle(client *c) {
    return atomic_load_explicit(&c->io_state, memory_order_acquire) == CLIENT_IO_IDLE;
}

/* True when the client has reply bytes not yet written. */
static inline int clientHasPendingReplies(const client *c) {
    return c->bufpos > c->sentlen || c->reply_head != NULL;
}
/* Bytes of reply not yet written (for CLIENT LIST omem and output limits). */
size_t clientPendingReplyBytes(const client *c);
/* Memory used by the client's buffers (for INFO and CLIENT LIST tot-mem). */
size_t clientMemoryUsage(const client *c);

/* Releases the buffers an idle client does not need (cron). */
void clientTrimIdle(client *c);

#endif
