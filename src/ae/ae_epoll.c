/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The epoll backend (Linux only; the Makefile compiles this file nowhere else).
 * Interest changes map one-to-one onto EPOLL_CTL_ADD/MOD/DEL, and epoll_wait()
 * fills an array of setsize events that is copied into the loop's fired list.
 * Level-triggered, like every backend. Runs on the loop's thread.
 */
#include "ae/ae_backend.h"
#include "alloc.h"

#include <errno.h>
#include <sys/epoll.h>
#include <unistd.h>

typedef struct epollState {
    int epfd;
    int max_events;             /* the loop's setsize: one event per fd at most */
    struct epoll_event *events; /* max_events entries, filled by epoll_wait() */
} epollState;

static int epollCreate(aeEventLoop *el) {
    int epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0) return -1;
    epollState *st = lmalloc(sizeof(*st));
    st->epfd = epfd;
    st->max_events = aeGetSetSize(el);
    st->events = lmalloc(sizeof(*st->events) * (size_t)st->max_events);
    aeBackendSetState(el, st);
    return 0;
}

static int epollResize(aeEventLoop *el, int setsize) {
    epollState *st = aeBackendGetState(el);
    st->events = lrealloc(st->events, sizeof(*st->events) * (size_t)setsize);
    st->max_events = setsize;
    return 0;
}

static void epollDestroy(aeEventLoop *el) {
    epollState *st = aeBackendGetState(el);
    close(st->epfd);
    lfree(st->events);
    lfree(st);
}

static int epollUpdate(aeEventLoop *el, int fd, int old_mask, int new_mask) {
    epollState *st = aeBackendGetState(el);
    struct epoll_event ev = {.events = 0, .data.fd = fd};
    if (new_mask & AE_READABLE) ev.events |= EPOLLIN;
    if (new_mask & AE_WRITABLE) ev.events |= EPOLLOUT;
    int op = new_mask == AE_NONE   ? EPOLL_CTL_DEL
             : old_mask == AE_NONE ? EPOLL_CTL_ADD
                                   : EPOLL_CTL_MOD;
    return epoll_ctl(st->epfd, op, fd, &ev);
}

static int epollPoll(aeEventLoop *el, long long timeout_us) {
    epollState *st = aeBackendGetState(el);
    int n = epoll_wait(st->epfd, st->events, st->max_events, aeBackendTimeoutMs(timeout_us));
    if (n < 0) return errno == EINTR ? 0 : -1;
    for (int i = 0; i < n; i++) {
        uint32_t got = st->events[i].events;
        int mask = 0;
        if (got & EPOLLIN) mask |= AE_READABLE;
        if (got & EPOLLOUT) mask |= AE_WRITABLE;
        /* Hand errors and hang-ups to both handlers: their next read or write
         * returns the error, and epoll reports these even when not asked. */
        if (got & (EPOLLERR | EPOLLHUP)) mask |= AE_READABLE | AE_WRITABLE;
        aeBackendSetFired(el, i, st->events[i].data.fd, mask);
    }
    return n;
}

const aeBackend aeBackendEpoll = {
    .name = "epoll",
    .create = epollCreate,
    .resize = epollResize,
    .destroy = epollDestroy,
    .update = epollUpdate,
    .poll = epollPoll,
};
