/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The poll() backend, available on every POSIX system. The watched fds are kept
 * packed in the pollfd array handed to poll(), with an fd -> slot map so that
 * adding, changing or removing interest is O(1) (removal moves the last slot into
 * the hole). Each wait costs O(watched fds). Runs on the loop's thread.
 */
#include "ae/ae_backend.h"
#include "alloc.h"

#include <errno.h>
#include <poll.h>

typedef struct pollState {
    struct pollfd *fds; /* the watched fds in [0, count); setsize entries */
    int *slot_of;       /* fd -> index in fds, -1 when not watched; setsize entries */
    int count;
} pollState;

static void markUnwatched(int *slot_of, int from, int to) {
    for (int fd = from; fd < to; fd++)
        slot_of[fd] = -1;
}

static int pollCreate(aeEventLoop *el) {
    int setsize = aeGetSetSize(el);
    pollState *st = lmalloc(sizeof(*st));
    st->fds = lmalloc(sizeof(*st->fds) * (size_t)setsize);
    st->slot_of = lmalloc(sizeof(*st->slot_of) * (size_t)setsize);
    markUnwatched(st->slot_of, 0, setsize);
    st->count = 0;
    aeBackendSetState(el, st);
    return 0;
}

/* Shrinking is safe: the loop guarantees every watched fd is below setsize, so
 * at most setsize slots are in use. */
static int pollResize(aeEventLoop *el, int setsize) {
    pollState *st = aeBackendGetState(el);
    int old_setsize = aeGetSetSize(el);
    st->fds = lrealloc(st->fds, sizeof(*st->fds) * (size_t)setsize);
    st->slot_of = lrealloc(st->slot_of, sizeof(*st->slot_of) * (size_t)setsize);
    if (setsize > old_setsize) markUnwatched(st->slot_of, old_setsize, setsize);
    return 0;
}

static void pollDestroy(aeEventLoop *el) {
    pollState *st = aeBackendGetState(el);
    lfree(st->fds);
    lfree(st->slot_of);
    lfree(st);
}

static int pollUpdate(aeEventLoop *el, int fd, int old_mask, int new_mask) {
    pollState *st = aeBackendGetState(el);
    int slot = st->slot_of[fd];
    if (new_mask == AE_NONE) {
        int last = --st->count;
        st->fds[slot] = st->fds[last];
        st->slot_of[st->fds[slot].fd] = slot;
        st->slot_of[fd] = -1;
        return 0;
    }
    if (old_mask == AE_NONE) {
        slot = st->count++;
        st->slot_of[fd] = slot;
        st->fds[slot].fd = fd;
    }
    st->fds[slot].events = 0;
    if (new_mask & AE_READABLE) st->fds[slot].events |= POLLIN;
    if (new_mask & AE_WRITABLE) st->fds[slot].events |= POLLOUT;
    return 0;
}

static int pollPoll(aeEventLoop *el, long long timeout_us) {
    pollState *st = aeBackendGetState(el);
    int n = poll(st->fds, (nfds_t)st->count, aeBackendTimeoutMs(timeout_us));
    if (n < 0) return errno == EINTR ? 0 : -1;
    int fired = 0;
    for (int i = 0; i < st->count && fired < n; i++) {
        short got = st->fds[i].revents;
        if (got == 0) continue;
        int mask = 0;
        if (got & POLLIN) mask |= AE_READABLE;
        if (got & POLLOUT) mask |= AE_WRITABLE;
        /* Errors, hang-ups and a closed fd go to both handlers, whose next read
         * or write returns the error. */
        if (got & (POLLERR | POLLHUP | POLLNVAL)) mask |= AE_READABLE | AE_WRITABLE;
        aeBackendSetFired(el, fired++, st->fds[i].fd, mask);
    }
    return fired;
}

const aeBackend aeBackendPoll = {
    .name = "poll",
    .create = pollCreate,
    .resize = pollResize,
    .destroy = pollDestroy,
    .update = pollUpdate,
    .poll = pollPoll,
};
