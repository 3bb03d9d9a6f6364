/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The event loop: file events (readable, writable, with an AE_BARRIER option that
 * runs the write handler before the read handler), time events, and hooks run
 * before and after each wait. The readiness wait itself is done by one of several
 * multiplexer backends (epoll, kqueue, poll, select), chosen at run time by name.
 *
 * The loop knows nothing about clients or the server. It is not thread-safe: one
 * thread creates a loop and is the only one that calls into it.
 */
#ifndef LOOM_AE_H
#define LOOM_AE_H

#include <stddef.h>

#define AE_NONE     0
#define AE_READABLE 1
#define AE_WRITABLE 2
/* With AE_WRITABLE: in the same iteration, run the writable handler before the
 * readable one (e.g. to send a reply before reading more from the peer). */
#define AE_BARRIER 4

/* aeProcessEvents flags. */
#define AE_FILE_EVENTS     (1 << 0)
#define AE_TIME_EVENTS     (1 << 1)
#define AE_ALL_EVENTS      (AE_FILE_EVENTS | AE_TIME_EVENTS)
#define AE_DONT_WAIT       (1 << 2)
#define AE_CALL_BEFORE_SLEEP (1 << 3)
#define AE_CALL_AFTER_SLEEP  (1 << 4)

/* A time event proc returns the delay in ms until it should run again, or
 * AE_NOMORE to be deleted. */
#define AE_NOMORE -1

typedef struct aeEventLoop aeEventLoop;

/* A file handler is called with the one event it was registered for as mask
 * (AE_READABLE or AE_WRITABLE). */
typedef void aeFileProc(aeEventLoop *el, int fd, void *client_data, int mask);
typedef int aeTimeProc(aeEventLoop *el, long long id, void *client_data);
typedef void aeEventFinalizerProc(aeEventLoop *el, void *client_data);
typedef void aeBeforeSleepProc(aeEventLoop *el);

/* Creates a loop that can watch fds below setsize, using the backend named
 * `backend` ("epoll", "kqueue", "poll", "select") or the best available one for
 * "auto" or NULL. Returns NULL with errno set when the backend is unknown or not
 * available here (ENOENT), cannot be created, or cannot hold setsize (select:
 * EINVAL past FD_SETSIZE). */
aeEventLoop *aeCreateEventLoop(int setsize, const char *backend);
/* Frees the loop; the finalizer of every time event still present runs first. */
void aeDeleteEventLoop(aeEventLoop *el);

/* Runs aeProcessEvents(el, AE_ALL_EVENTS | AE_CALL_BEFORE_SLEEP |
 * AE_CALL_AFTER_SLEEP) until aeStop() is called. */
void aeMain(aeEventLoop *el);
void aeStop(aeEventLoop *el);

/* Waits for and handles events once; returns the number of handlers and time
 * procs called, or -1 with errno when the wait failed (time events still ran). */
int aeProcessEvents(aeEventLoop *el, int flags);

/* Adds `mask` to the events watched on fd. client_data belongs to the fd, not to
 * the event: the last value set is passed to both handlers. Returns 0, or -1 with
 * errno: ERANGE when fd >= the set size, or the backend's error. */
int aeCreateFileEvent(aeEventLoop *el, int fd, int mask, aeFileProc *proc, void *client_data);
/* Removes `mask` from fd's events; deleting AE_WRITABLE also clears AE_BARRIER.
 * A handler removed while events are pending in the current iteration is not
 * called. */
void aeDeleteFileEvent(aeEventLoop *el, int fd, int mask);
int aeGetFileEvents(aeEventLoop *el, int fd);

/* Returns the event id (>= 0). */
long long aeCreateTimeEvent(aeEventLoop *el, long long delay_ms, aeTimeProc *proc,
                            void *client_data, aeEventFinalizerProc *finalizer);
/* Returns 0, or -1 when no such event exists. The finalizer runs later, once the
 * event is unlinked (never from inside this call). */
int aeDeleteTimeEvent(aeEventLoop *el, long long id);

void aeSetBeforeSleepProc(aeEventLoop *el, aeBeforeSleepProc *proc);
void aeSetAfterSleepProc(aeEventLoop *el, aeBeforeSleepProc *proc);
/* When set, the next wait does not block (used when work is left pending). */
void aeSetDontWait(aeEventLoop *el, int no_wait);

int aeGetSetSize(aeEventLoop *el);
/* Resizes the fd set. Returns 0, or -1 (errno EBUSY) when an fd >= setsize is in
 * use, or the backend cannot hold setsize (select past FD_SETSIZE: EINVAL). */
int aeResizeSetSize(aeEventLoop *el, int setsize);
/* The name of the backend in use, as shown in INFO (e.g. "epoll"). */
const char *aeGetApiName(aeEventLoop *el);

/* The names of the backends compiled in, best first, NULL-terminated. */
const char *const *aeBackendNames(void);

/* Waits up to `timeout_ms` for `mask` on one fd, outside any loop. Returns the
 * ready mask, 0 on timeout, -1 on error. */
int aeWait(int fd, int mask, long long timeout_ms);

#endif
