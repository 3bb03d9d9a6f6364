/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Socket I/O for a client: read into the query buffer and parse every complete
 * command into args; write the reply buffers with write/writev.
 *
 * These functions run on whichever thread owns the client (the main thread, or
 * an I/O thread between hand-off and hand-back). They touch only that client and
 * the calling thread's netioWorker: no globals, no event loop, no logging. What
 * the caller must do next (close, install a writable event, report an error) is
 * returned as a status.
 */
#ifndef LOOM_NETIO_H
#define LOOM_NETIO_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

struct client;
struct command;

/* Settings the I/O code needs, handed over by the main thread. Replaced only
 * while no other thread is using it. */
typedef struct netioLimits {
    size_t qbuf_limit;           /* client-query-buffer-limit */
    long long proto_max_bulk_len;
    /* Resolves a command name while parsing, so the main thread only runs
     * it. Must only read data that never changes while I/O threads run (the
     * command table); NULL leaves parsedCommand.cmd unset. */
    struct command *(*lookup)(const char *name, size_t len);
} netioLimits;

/* Per-thread state: one spare query buffer (so an idle client holds none and a
 * busy thread does not allocate per read) and the thread's counters. Only the
 * owning thread writes the counters (plain load + store, no locked add); the
 * main thread reads them for INFO, hence the relaxed atomics. */
typedef struct netioWorker {
    char *spare_qbuf;
    _Atomic uint64_t reads;  /* read calls that returned data */
    _Atomic uint64_t writes; /* write calls that sent data */
    _Atomic uint64_t bytes_read;
    _Atomic uint64_t bytes_written;
} netioWorker;

/* Adds to a counter that only the calling thread writes. */
static inline void netioCounterAdd(_Atomic uint64_t *counter, uint64_t n) {
    atomic_store_explicit(counter, atomic_load_explicit(counter, memory_order_relaxed) + n,
                          memory_order_relaxed);
}

/* Size of a fresh query buffer and of each read. */
#define NETIO_READ_CHUNK (16 * 1024)
/* Longest inline request or header line. */
#define NETIO_INLINE_MAX (64 * 1024)

typedef enum netioStatus {
    NETIO_OK = 0,       /* progress made (read: data read and parsed; write: all sent) */
    NETIO_AGAIN,        /* read: nothing to read now; write: more to send, wait writable */
    NETIO_CLOSED,       /* the peer closed the connection */
    NETIO_ERROR,        /* a socket error (errno set) */
    NETIO_QBUF_LIMIT,   /* the query buffer passed client-query-buffer-limit */
} netioStatus;

void netioWorkerInit(netioWorker *w);
void netioWorkerRelease(netioWorker *w);

/* Reads once from the client's socket and parses every complete command into
 * c->cmds. A protocol error stops parsing and is left in c->read_error (the
 * commands parsed before it stay runnable). Does nothing to a client that
 * already has a protocol error or unexecuted commands. */
netioStatus netioRead(netioWorker *w, struct client *c, const netioLimits *lim);

/* Parses what is already buffered (after commands ran and the buffer was
 * compacted). Returns the number of commands now parsed. */
int netioParse(struct client *c, const netioLimits *lim);

/* After every parsed command ran: drops their bytes, keeps a partial command at
 * the start of the buffer, and gives an empty buffer back to w's spare slot. */
void netioConsumeCommands(netioWorker *w, struct client *c);

/* Writes as much of the reply as the socket takes (bounded per call so one
 * client cannot starve the others). Returns NETIO_OK when all was written,
 * NETIO_AGAIN when some remains, NETIO_ERROR on a socket error. */
netioStatus netioWrite(netioWorker *w, struct client *c);

#endif
