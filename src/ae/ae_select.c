/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The select() backend, the last resort on any POSIX system. An fd_set holds
 * only fds below FD_SETSIZE, so this backend refuses a set size past FD_SETSIZE
 * (EINVAL) at create and resize; the loop then rejects larger fds with ERANGE
 * before any fd_set is touched. Each wait costs O(highest watched fd). Runs on
 * the loop's thread.
 */
#include "ae/ae_backend.h"
#include "alloc.h"

#include <errno.h>
#include <limits.h>
#include <sys/select.h>

typedef struct selectState {
    fd_set read_fds;  /* interest */
    fd_set write_fds; /* interest */
    int maxfd;        /* highest fd in either set, -1 when both are empty */
} selectState;

static int selectCreate(aeEventLoop *el) {
    if (aeGetSetSize(el) > FD_SETSIZE) {
        errno = EINVAL;
        return -1;
    }
    selectState *st = lmalloc(sizeof(*st));
    FD_ZERO(&st->read_fds);
    FD_ZERO(&st->write_fds);
    st->maxfd = -1;
    aeBackendSetState(el, st);
    return 0;
}

static int selectResize(aeEventLoop *el, int setsize) {
    (void)el;
    if (setsize > FD_SETSIZE) {
        errno = EINVAL;
        return -1;
    }
    return 0;
}

static void selectDestroy(aeEventLoop *el) {
    lfree(aeBackendGetState(el));
}

static int selectUpdate(aeEventLoop *el, int fd, int old_mask, int new_mask) {
    (void)old_mask;
    selectState *st = aeBackendGetState(el);
    if (new_mask & AE_READABLE)
        FD_SET(fd, &st->read_fds);
    else
        FD_CLR(fd, &st->read_fds);
    if (new_mask & AE_WRITABLE)
        FD_SET(fd, &st->write_fds);
    else
        FD_CLR(fd, &st->write_fds);
    if (new_mask != AE_NONE && fd > st->maxfd) {
        st->maxfd = fd;
    } else if (new_mask == AE_NONE && fd == st->maxfd) {
        while (st->maxfd >= 0 && !FD_ISSET(st->maxfd, &st->read_fds) &&
               !FD_ISSET(st->maxfd, &st->write_fds))
            st->maxfd--;
    }
    return 0;
}

static int selectPoll(aeEventLoop *el, long long timeout_us) {
    selectState *st = aeBackendGetState(el);
    fd_set readable = st->read_fds, writable = st->write_fds;
    struct timeval tv, *tvp = NULL;
    if (timeout_us >= 0) {
        /* Capped like the other backends' millisecond timeouts; some systems
         * reject a longer one with EINVAL. A timer further away just costs an
         * extra wakeup. */
        if (timeout_us > (long long)INT_MAX * 1000) timeout_us = (long long)INT_MAX * 1000;
        tv.tv_sec = (time_t)(timeout_us / 1000000);
        tv.tv_usec = (suseconds_t)(timeout_us % 1000000);
        tvp = &tv;
    }
    int n = select(st->maxfd + 1, &readable, &writable, NULL, tvp);
    if (n < 0) return errno == EINTR ? 0 : -1;
    int fired = 0;
    for (int fd = 0; n > 0 && fd <= st->maxfd; fd++) {
        int mask = 0;
        if (FD_ISSET(fd, &readable)) mask |= AE_READABLE;
        if (FD_ISSET(fd, &writable)) mask |= AE_WRITABLE;
        if (mask != 0) aeBackendSetFired(el, fired++, fd, mask);
    }
    return fired;
}

const aeBackend aeBackendSelect = {
    .name = "select",
    .create = selectCreate,
    .resize = selectResize,
    .destroy = selectDestroy,
    .update = selectUpdate,
    .poll = selectPoll,
};
