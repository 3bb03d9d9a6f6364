/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The kqueue backend (macOS and the BSDs; the Makefile compiles this file only
 * there). Readable and writable are separate filters, so one fd can come back as
 * two kevents; a poll merges them into one fired entry per fd, keeping the order
 * in which the fds first appeared. A peer's close or an error arrives as the
 * filter firing with EV_EOF, so the handler's next read or write sees it.
 * Level-triggered. Runs on the loop's thread.
 */
#include "ae/ae_backend.h"
#include "alloc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/types.h>
#include <sys/event.h>
#include <sys/time.h>
#include <unistd.h>

typedef struct kqueueState {
    int kq;
    int setsize;
    struct kevent *events; /* setsize entries, filled by kevent() */
    unsigned char *ready;  /* fd -> mask merged during a poll; all zero between polls */
} kqueueState;

static int kqueueCreate(aeEventLoop *el) {
    int kq = kqueue();
    if (kq < 0) return -1;
    if (fcntl(kq, F_SETFD, FD_CLOEXEC) < 0) {
        int saved = errno;
        close(kq);
        errno = saved;
        return -1;
    }
    kqueueState *st = lmalloc(sizeof(*st));
    st->kq = kq;
    st->setsize = aeGetSetSize(el);
    st->events = lmalloc(sizeof(*st->events) * (size_t)st->setsize);
    st->ready = lcalloc((size_t)st->setsize);
    aeBackendSetState(el, st);
    return 0;
}

static int kqueueResize(aeEventLoop *el, int setsize) {
    kqueueState *st = aeBackendGetState(el);
    st->events = lrealloc(st->events, sizeof(*st->events) * (size_t)setsize);
    st->ready = lrealloc(st->ready, (size_t)setsize);
    if (setsize > st->setsize) memset(st->ready + st->setsize, 0, (size_t)(setsize - st->setsize));
    st->setsize = setsize;
    return 0;
}

static void kqueueDestroy(aeEventLoop *el) {
    kqueueState *st = aeBackendGetState(el);
    close(st->kq);
    lfree(st->events);
    lfree(st->ready);
    lfree(st);
}

static int changeFilter(int kq, int fd, int filter, int flags) {
    struct kevent change;
    EV_SET(&change, fd, filter, flags, 0, 0, 0); /* udata is intptr_t on older NetBSD */
    return kevent(kq, &change, 1, NULL, 0, NULL);
}

static int kqueueUpdate(aeEventLoop *el, int fd, int old_mask, int new_mask) {
    kqueueState *st = aeBackendGetState(el);
    int added = new_mask & ~old_mask;
    int removed = old_mask & ~new_mask;
    if ((added & AE_READABLE) && changeFilter(st->kq, fd, EVFILT_READ, EV_ADD) < 0) return -1;
    if ((added & AE_WRITABLE) && changeFilter(st->kq, fd, EVFILT_WRITE, EV_ADD) < 0) {
        /* Leave the interest as it was, as the interface promises. */
        int saved = errno;
        if (added & AE_READABLE) changeFilter(st->kq, fd, EVFILT_READ, EV_DELETE);
        errno = saved;
        return -1;
    }
    /* Failures to remove are ignored: closing an fd already removed its filters. */
    if (removed & AE_READABLE) changeFilter(st->kq, fd, EVFILT_READ, EV_DELETE);
    if (removed & AE_WRITABLE) changeFilter(st->kq, fd, EVFILT_WRITE, EV_DELETE);
    return 0;
}

static int kqueuePoll(aeEventLoop *el, long long timeout_us) {
    kqueueState *st = aeBackendGetState(el);
    struct timespec ts, *tsp = NULL;
    if (timeout_us >= 0) {
        /* Capped like the other backends' millisecond timeouts; a timer further
         * away just costs an extra wakeup. */
        if (timeout_us > (long long)INT_MAX * 1000) timeout_us = (long long)INT_MAX * 1000;
        ts.tv_sec = (time_t)(timeout_us / 1000000);
        ts.tv_nsec = (long)(timeout_us % 1000000) * 1000;
        tsp = &ts;
    }
    int n = kevent(st->kq, NULL, 0, st->events, st->setsize, tsp);
    if (n < 0) return errno == EINTR ? 0 : -1;
    for (int i = 0; i < n; i++) {
        int fd = (int)st->events[i].ident;
        st->ready[fd] |= st->events[i].filter == EVFILT_READ ? AE_READABLE : AE_WRITABLE;
    }
    int fired = 0;
    for (int i = 0; i < n; i++) {
        int fd = (int)st->events[i].ident;
        if (st->ready[fd] == 0) continue; /* the fd's second filter, already merged */
        aeBackendSetFired(el, fired++, fd, st->ready[fd]);
        st->ready[fd] = 0;
    }
    return fired;
}

const aeBackend aeBackendKqueue = {
    .name = "kqueue",
    .create = kqueueCreate,
    .resize = kqueueResize,
    .destroy = kqueueDestroy,
    .update = kqueueUpdate,
    .poll = kqueuePoll,
};
