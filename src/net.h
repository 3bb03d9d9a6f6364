/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The main thread's side of networking: listeners and batched accept, the
 * read and write event handlers, running the commands a read parsed, writing
 * pending replies before the loop sleeps, and closing clients.
 *
 * Main thread only.
 */
#ifndef LOOM_NET_H
#define LOOM_NET_H

#include "client.h"

#include <stddef.h>
#include <stdint.h>

/* Opens the configured listeners (bind/port, unixsocket) and registers their
 * accept handlers. Logs and returns -1 if a required address cannot be bound. */
int netOpenListeners(void);
void netCloseListeners(void);
/* Re-opens the TCP listeners after CONFIG SET bind/port. Returns 0, or -1
 * with the old listeners kept and err filled in. */
int netRebindTcp(char *err, size_t errlen);

/* I/O totals over the main thread and every I/O thread. */
typedef struct netIoStats {
    uint64_t reads, writes, bytes_read, bytes_written;
    uint64_t threaded_reads, threaded_writes; /* jobs done by I/O threads */
} netIoStats;
void netIoTotals(netIoStats *st);

/* Starts the I/O thread pool with `count` threads in all (io-threads). */
int netInitIoThreads(int count);

/* Called before the event loop sleeps: frees clients marked for closing and
 * writes pending replies. */
void netBeforeSleep(void);
/* Called by the cron: idle timeouts and trimming idle clients' buffers. */
void netClientsCron(void);

/* Marks a client to be closed before the loop sleeps (safe from inside any
 * command, including one of the client's own). */
void netCloseClientAsync(client *c);
/* Makes sure the client's pending replies are written before the loop sleeps. */
void netQueueWrite(client *c);
/* A parked client was served or unblocked: before the loop sleeps its reply
 * is written, reading resumes, and its pipelined commands run. */
void netResumeClient(client *c);

/* Describes a client in CLIENT LIST format (one line, no newline). */
str netClientInfoString(str s, client *c);

#endif
