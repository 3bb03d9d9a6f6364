/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The I/O thread pool: threads that read and parse queries and write replies
 * for the main thread, so the main thread only runs commands.
 *
 * `io-threads N` counts the main thread as one, so N-1 threads are created.
 * A client is handed to a thread by ownership: the main thread sets the
 * client's io_state (release), pushes a job on that thread's ring and stops
 * touching the client; the thread runs netioRead or netioWrite, publishes
 * io_state = done (release) and pushes the client on its completion ring; the
 * main thread reads io_state (acquire) and runs the completion callback. No
 * mutex is taken on this path. Idle threads park on a condition variable.
 *
 * How many threads take jobs follows the load: with fewer clients doing I/O
 * in a loop iteration than `io-threads-events-per-thread`, the main thread
 * does the I/O itself and the threads stay parked.
 *
 * Every function here is for the main thread only.
 */
#ifndef LOOM_IO_THREADS_H
#define LOOM_IO_THREADS_H

#include "ae/ae.h"
#include "netio.h"

#include <stdint.h>

struct client;

/* Completion callbacks, run on the main thread with the client owned by it
 * again (io_state idle) and the status netioRead/netioWrite returned. */
typedef struct ioThreadsCallbacks {
    void (*read_done)(struct client *c, netioStatus status);
    void (*write_done)(struct client *c, netioStatus status);
} ioThreadsCallbacks;

/* Creates the pool with `count` threads in all (main included: count-1 are
 * started). `limits` must stay valid; change it only while the pool is idle
 * (ioThreadsWaitIdle). Returns 0, or -1 with errno. */
int ioThreadsInit(aeEventLoop *el, int count, const netioLimits *limits,
                  const ioThreadsCallbacks *callbacks);
/* Drains in-flight jobs, then grows or shrinks the pool to `count`. Not from
 * inside a command: a command asks with ioThreadsRequestResize instead. */
int ioThreadsResize(int count);
/* Asks for a resize, applied by ioThreadsApplyResize before the loop sleeps
 * (a command may run inside a completion callback, where the pool cannot
 * change). */
void ioThreadsRequestResize(int count);
/* Applies a requested resize; returns -1 if threads could not be started. */
int ioThreadsApplyResize(void);
/* Stops every thread after draining. */
void ioThreadsShutdown(void);

/* Sets how many clients with I/O in one loop iteration activate one more
 * thread (0: every thread is always active). */
void ioThreadsSetEventsPerThread(int events);
/* Called once per loop iteration with the number of clients that needed I/O:
 * activates threads at once when the load rises, parks them after a while
 * when it falls. */
void ioThreadsAdjust(int io_events);
/* Threads currently taking jobs, the main thread included (1 = main only). */
int ioThreadsActive(void);
/* Threads in the pool, the main thread included (the io-threads setting). */
int ioThreadsCount(void);

/* Hands the client's read (or write) to I/O thread `index` (1..active-1).
 * Returns 0 when the job was queued (the client now belongs to the thread
 * until its completion runs), -1 when the main thread must do it itself. */
int ioThreadsSubmitRead(struct client *c, int index);
int ioThreadsSubmitWrite(struct client *c, int index);

/* Runs the completion callbacks of finished jobs; returns how many ran. */
int ioThreadsProcessCompletions(void);
/* Waits until no job is queued or running on any thread. Completions are not
 * run, so callers may use it inside a command; afterwards every client's I/O
 * fields may be read by the main thread. */
void ioThreadsWaitIdle(void);
/* Waits until every job finished and runs all completions. */
void ioThreadsDrain(void);

/* Per-thread counters for INFO (index 1..count-1). */
typedef struct ioThreadStats {
    uint64_t read_jobs;
    uint64_t write_jobs;
    uint64_t reads;  /* read calls that returned data */
    uint64_t writes; /* write calls that sent data */
    uint64_t bytes_read;
    uint64_t bytes_written;
    uint64_t busy_us;
    int is_parked;
} ioThreadStats;
void ioThreadsGetStats(int index, ioThreadStats *st);
/* The summed counters of threads that a resize stopped. */
void ioThreadsGetRetiredStats(ioThreadStats *st);

#endif
