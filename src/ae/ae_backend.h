/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The interface between the event loop (ae.c) and its multiplexer backends
 * (ae_epoll.c, ae_kqueue.c, ae_poll.c, ae_select.c). A backend fills in one
 * aeBackend table; the loop calls it with the old and new interest masks, so a
 * backend never reads the loop's internals. A backend keeps its own state behind
 * the opaque pointer set with aeBackendSetState() and reports ready fds with
 * aeBackendSetFired(). Only the loop's thread runs this code.
 */
#ifndef LOOM_AE_BACKEND_H
#define LOOM_AE_BACKEND_H

#include "ae/ae.h"

#include <limits.h>

typedef struct aeBackend {
    /* As shown in INFO and accepted by aeCreateEventLoop(). */
    const char *name;
    /* Allocates the backend state for aeGetSetSize(el) fds and stores it with
     * aeBackendSetState(). Returns 0, or -1 with errno (nothing left allocated). */
    int (*create)(aeEventLoop *el);
    /* Makes room for fds below setsize (aeGetSetSize(el) still returns the old
     * size). The loop guarantees that no fd >= setsize is registered. Returns 0,
     * or -1 with errno and the old size still usable. */
    int (*resize)(aeEventLoop *el, int setsize);
    /* Frees everything create() and resize() allocated. */
    void (*destroy)(aeEventLoop *el);
    /* Changes the interest on fd from old_mask to new_mask (AE_READABLE and
     * AE_WRITABLE bits only; they differ). Returns 0, or -1 with errno and the
     * old interest unchanged. The loop ignores failures when only removing. */
    int (*update)(aeEventLoop *el, int fd, int old_mask, int new_mask);
    /* Waits up to timeout_us (-1: forever, 0: just check) and reports each ready
     * fd once with aeBackendSetFired(el, i, ...) for i = 0, 1, ... Returns the
     * number reported (0 on timeout or EINTR), or -1 with errno. Errors and
     * hang-ups must be reported as readiness, so that a handler's next read or
     * write returns them. */
    int (*poll)(aeEventLoop *el, long long timeout_us);
} aeBackend;

void *aeBackendGetState(aeEventLoop *el);
void aeBackendSetState(aeEventLoop *el, void *state);
/* Records the index-th ready fd of the current poll; index < aeGetSetSize(el). */
void aeBackendSetFired(aeEventLoop *el, int index, int fd, int mask);

/* A poll timeout in whole milliseconds for poll() and epoll_wait(), rounded up so
 * that a timer is never woken for before it is due. */
static inline int aeBackendTimeoutMs(long long timeout_us) {
    if (timeout_us < 0) return -1;
    long long ms = timeout_us / 1000 + (timeout_us % 1000 != 0);
    return ms > INT_MAX ? INT_MAX : (int)ms;
}

/* The tables. Each exists only where the platform has the syscall (ae.c names
 * them under the same conditions the Makefile uses to compile them). */
extern const aeBackend aeBackendEpoll;
extern const aeBackend aeBackendKqueue;
extern const aeBackend aeBackendPoll;
extern const aeBackend aeBackendSelect;

#endif
