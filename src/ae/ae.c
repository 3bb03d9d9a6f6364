/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The event loop core: the per-fd table of handlers, the list of fds the backend
 * reported ready in the current iteration, the timers, and the before/after-sleep
 * hooks. The readiness wait is delegated to one backend from the list below, picked
 * by name when the loop is created. Knows nothing about clients; never logs or
 * exits. Only the thread that created a loop runs its code.
 */
#include "ae/ae.h"
#include "ae/ae_backend.h"
#include "alloc.h"
#include "ilist.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <string.h>
#include <time.h>

#define IO_MASK (AE_READABLE | AE_WRITABLE)

#if defined(__APPLE__) || defined(__FreeBSD__) || defined(__OpenBSD__) || defined(__NetBSD__) ||   \
    defined(__DragonFly__)
#define HAVE_KQUEUE 1
#endif

/* The backends compiled in, best first; "auto" takes the first whose create()
 * succeeds. The two lists must stay in step. */
static const aeBackend *const backends[] = {
#ifdef __linux__
    &aeBackendEpoll,
#endif
#ifdef HAVE_KQUEUE
    &aeBackendKqueue,
#endif
    &aeBackendPoll,
    &aeBackendSelect,
};
static const char *const backend_names[] = {
#ifdef __linux__
    "epoll",
#endif
#ifdef HAVE_KQUEUE
    "kqueue",
#endif
    "poll",   /* any POSIX system */
    "select", /* any POSIX system, fds below FD_SETSIZE only */
    NULL,
};

typedef struct aeFileEvent {
    int mask; /* AE_READABLE | AE_WRITABLE | AE_BARRIER; AE_NONE when unused */
    aeFileProc *read_proc;
    aeFileProc *write_proc;
    void *client_data;
} aeFileEvent;

typedef struct aeFiredEvent {
    int fd;
    int mask;
} aeFiredEvent;

typedef struct aeTimeEvent {
    ilist node; /* in el->timers, sorted by when_us, equal times in creation order */
    long long id;
    long long when_us; /* CLOCK_MONOTONIC */
    aeTimeProc *proc;
    aeEventFinalizerProc *finalizer;
    void *client_data;
    unsigned long long last_pass; /* the processing pass that last ran it */
    int is_deleted;               /* unlinked and finalized by the next pass */
    int is_running;               /* its proc is on the stack: never run nor freed */
} aeTimeEvent;

struct aeEventLoop {
    const aeBackend *backend;
    void *backend_state;
    int setsize;
    int maxfd;           /* highest fd whose mask is not AE_NONE, -1 when none */
    aeFileEvent *events; /* setsize slots, indexed by fd */
    aeFiredEvent *fired; /* filled by backend->poll(); fired_cap >= setsize */
    int fired_cap;
    ilist timers;
    long long next_timer_id;
    unsigned long long timer_pass;
    aeBeforeSleepProc *before_sleep;
    aeBeforeSleepProc *after_sleep;
    int is_stopped;
    int dont_wait;
};

static long long monotonicUs(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* The monotonic time delay_ms from now; a negative delay means now, and a delay
 * too large to represent saturates instead of overflowing. */
static long long deadlineAfterMs(long long delay_ms) {
    long long now = monotonicUs();
    if (delay_ms <= 0) return now;
    if (delay_ms > (LLONG_MAX - now) / 1000) return LLONG_MAX;
    return now + delay_ms * 1000;
}

static void freeLoop(aeEventLoop *el) {
    lfree(el->events);
    lfree(el->fired);
    lfree(el);
}

aeEventLoop *aeCreateEventLoop(int setsize, const char *backend) {
    if (setsize <= 0) {
        errno = EINVAL;
        return NULL;
    }
    int is_auto = backend == NULL || strcmp(backend, "auto") == 0;
    aeEventLoop *el = lcalloc(sizeof(*el));
    el->setsize = setsize;
    el->maxfd = -1;
    el->events = lcalloc(sizeof(*el->events) * (size_t)setsize); /* AE_NONE is 0 */
    el->fired = lmalloc(sizeof(*el->fired) * (size_t)setsize);
    el->fired_cap = setsize;
    ilistInit(&el->timers);

    int err = ENOENT;
    for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]); i++) {
        if (!is_auto && strcmp(backend, backends[i]->name) != 0) continue;
        if (backends[i]->create(el) == 0) {
            el->backend = backends[i];
            return el;
        }
        err = errno;
        if (!is_auto) break;
    }
    freeLoop(el);
    errno = err;
    return NULL;
}

/* Runs the finalizer of every timer still linked, deleted or not, so whatever
 * client_data they own is released with the loop. */
void aeDeleteEventLoop(aeEventLoop *el) {
    if (el == NULL) return;
    /* Finalizers may still call into the loop, so it stays whole until they ran. */
    while (!ilistEmpty(&el->timers)) {
        aeTimeEvent *te = ILIST_ENTRY(el->timers.next, aeTimeEvent, node);
        ilistRemove(&te->node);
        if (te->finalizer) te->finalizer(el, te->client_data);
        lfree(te);
    }
    el->backend->destroy(el);
    freeLoop(el);
}

void aeStop(aeEventLoop *el) {
    el->is_stopped = 1;
}

void aeMain(aeEventLoop *el) {
    el->is_stopped = 0;
    while (!el->is_stopped)
        aeProcessEvents(el, AE_ALL_EVENTS | AE_CALL_BEFORE_SLEEP | AE_CALL_AFTER_SLEEP);
}

int aeCreateFileEvent(aeEventLoop *el, int fd, int mask, aeFileProc *proc, void *client_data) {
    if (fd < 0 || fd >= el->setsize) {
        errno = ERANGE;
        return -1;
    }
    aeFileEvent *fe = &el->events[fd];
    int old_io = fe->mask & IO_MASK;
    int new_io = (fe->mask | mask) & IO_MASK;
    if (new_io != old_io && el->backend->update(el, fd, old_io, new_io) < 0) return -1;
    fe->mask |= mask;
    if (mask & AE_READABLE) fe->read_proc = proc;
    if (mask & AE_WRITABLE) fe->write_proc = proc;
    fe->client_data = client_data;
    if (fe->mask != AE_NONE && fd > el->maxfd) el->maxfd = fd;
    return 0;
}

void aeDeleteFileEvent(aeEventLoop *el, int fd, int mask) {
    if (fd < 0 || fd >= el->setsize) return;
    aeFileEvent *fe = &el->events[fd];
    if (fe->mask == AE_NONE) return;
    /* A barrier orders the write handler; without one it means nothing. */
    if (mask & AE_WRITABLE) mask |= AE_BARRIER;
    int new_mask = fe->mask & ~mask;
    if (!(new_mask & IO_MASK)) new_mask = AE_NONE;
    int old_io = fe->mask & IO_MASK;
    int new_io = new_mask & IO_MASK;
    /* Removal is never refused: if the backend fails (say the fd was closed
     * first), the kernel has dropped the interest already, and the loop forgets
     * the handler either way. */
    if (new_io != old_io) (void)el->backend->update(el, fd, old_io, new_io);
    fe->mask = new_mask;
    if (new_mask == AE_NONE && fd == el->maxfd) {
        while (el->maxfd >= 0 && el->events[el->maxfd].mask == AE_NONE)
            el->maxfd--;
    }
}

int aeGetFileEvents(aeEventLoop *el, int fd) {
    if (fd < 0 || fd >= el->setsize) return AE_NONE;
    return el->events[fd].mask;
}

/* Keeps el->timers sorted by when_us; a timer goes after those due at the same
 * time, so equal deadlines run in the order they were set. */
static void insertTimer(aeEventLoop *el, aeTimeEvent *te) {
    ilist *pos = el->timers.prev;
    while (pos != &el->timers && ILIST_ENTRY(pos, aeTimeEvent, node)->when_us > te->when_us)
        pos = pos->prev;
    ilistInsertAfter(pos, &te->node);
}

long long aeCreateTimeEvent(aeEventLoop *el, long long delay_ms, aeTimeProc *proc,
                            void *client_data, aeEventFinalizerProc *finalizer) {
    aeTimeEvent *te = lcalloc(sizeof(*te));
    te->id = el->next_timer_id++;
    te->when_us = deadlineAfterMs(delay_ms);
    te->proc = proc;
    te->finalizer = finalizer;
    te->client_data = client_data;
    insertTimer(el, te);
    return te->id;
}

int aeDeleteTimeEvent(aeEventLoop *el, long long id) {
    ILIST_FOREACH(&el->timers, it) {
        aeTimeEvent *te = ILIST_ENTRY(it, aeTimeEvent, node);
        if (te->id == id && !te->is_deleted) {
            te->is_deleted = 1;
            return 0;
        }
    }
    errno = ENOENT;
    return -1;
}

/* Unlinks and finalizes the timers marked deleted. They are moved to a private
 * list first, so a finalizer that calls back into the loop (even into
 * aeProcessEvents) never sees a half-walked list. */
static void sweepDeletedTimers(aeEventLoop *el) {
    ilist doomed;
    ilistInit(&doomed);
    ILIST_FOREACH_SAFE(&el->timers, it, tmp) {
        aeTimeEvent *te = ILIST_ENTRY(it, aeTimeEvent, node);
        if (!te->is_deleted || te->is_running) continue;
        ilistRemove(it);
        ilistAppend(&doomed, it);
    }
    while (!ilistEmpty(&doomed)) {
        aeTimeEvent *te = ILIST_ENTRY(doomed.next, aeTimeEvent, node);
        ilistRemove(&te->node);
        if (te->finalizer) te->finalizer(el, te->client_data);
        lfree(te);
    }
}

/* Runs every timer that was due when the pass started, earliest first. A timer
 * created during the pass waits for the next one, and a timer deleted by an
 * earlier proc in the pass does not run. Procs may create, delete or re-enter the
 * loop, so the list is searched again from the head after each call instead of
 * keeping an iterator across it. */
static int processTimeEvents(aeEventLoop *el) {
    sweepDeletedTimers(el);
    unsigned long long pass = ++el->timer_pass;
    long long max_id = el->next_timer_id - 1;
    long long now = monotonicUs();
    int processed = 0;
    for (;;) {
        aeTimeEvent *due = NULL;
        ILIST_FOREACH(&el->timers, it) {
            aeTimeEvent *te = ILIST_ENTRY(it, aeTimeEvent, node);
            if (te->when_us > now) break;
            if (te->is_deleted || te->is_running || te->id > max_id || te->last_pass == pass)
                continue;
            due = te;
            break;
        }
        if (due == NULL) break;
        due->last_pass = pass;
        due->is_running = 1;
        int next_ms = due->proc(el, due->id, due->client_data);
        due->is_running = 0;
        processed++;
        if (next_ms == AE_NOMORE) {
            due->is_deleted = 1;
        } else if (!due->is_deleted) {
            ilistRemove(&due->node);
            due->when_us = deadlineAfterMs(next_ms);
            insertTimer(el, due);
        }
    }
    return processed;
}

/* The wait before the earliest live timer, -1 when there is none. */
static long long usUntilNextTimer(aeEventLoop *el) {
    ILIST_FOREACH(&el->timers, it) {
        aeTimeEvent *te = ILIST_ENTRY(it, aeTimeEvent, node);
        if (te->is_deleted || te->is_running) continue;
        long long now = monotonicUs();
        return te->when_us > now ? te->when_us - now : 0;
    }
    return -1;
}

/* Calls fd's handler for `which` if the backend reported it and it is still
 * registered. The slot is read afresh: an earlier handler in this iteration may
 * have removed the event or resized the table. */
static int callFileHandler(aeEventLoop *el, int fd, int fired_mask, int which) {
    if (fd >= el->setsize) return 0;
    aeFileEvent *fe = &el->events[fd];
    if (!(fe->mask & fired_mask & which)) return 0;
    aeFileProc *proc = which == AE_READABLE ? fe->read_proc : fe->write_proc;
    proc(el, fd, fe->client_data, which);
    return 1;
}

static int processFileEvents(aeEventLoop *el, int numevents) {
    int processed = 0;
    for (int j = 0; j < numevents; j++) {
        int fd = el->fired[j].fd;
        int fired_mask = el->fired[j].mask;
        if (fd >= el->setsize) continue; /* the set shrank under an earlier handler */
        /* Normally input is read before the reply is written; AE_BARRIER turns
         * that round, e.g. so that a reply made durable in before-sleep is sent
         * before more input is read in the same iteration. */
        int write_first = el->events[fd].mask & AE_BARRIER;
        if (!write_first) processed += callFileHandler(el, fd, fired_mask, AE_READABLE);
        processed += callFileHandler(el, fd, fired_mask, AE_WRITABLE);
        if (write_first) processed += callFileHandler(el, fd, fired_mask, AE_READABLE);
    }
    return processed;
}

int aeProcessEvents(aeEventLoop *el, int flags) {
    if (!(flags & AE_ALL_EVENTS)) return 0;
    int processed = 0;
    int wait_errno = 0;
    /* With no fd registered the wait still serves as the sleep until the next
     * timer, unless the caller wants no waiting at all. */
    if (el->maxfd != -1 || ((flags & AE_TIME_EVENTS) && !(flags & AE_DONT_WAIT))) {
        if (el->before_sleep && (flags & AE_CALL_BEFORE_SLEEP)) el->before_sleep(el);
        /* Computed after before-sleep, which may add timers or ask not to wait. */
        long long timeout_us = -1;
        if ((flags & AE_DONT_WAIT) || el->dont_wait)
            timeout_us = 0;
        else if (flags & AE_TIME_EVENTS)
            timeout_us = usUntilNextTimer(el);
        int numevents = el->backend->poll(el, timeout_us);
        if (numevents < 0) {
            wait_errno = errno;
            numevents = 0;
        }
        if (el->after_sleep && (flags & AE_CALL_AFTER_SLEEP)) el->after_sleep(el);
        if (flags & AE_FILE_EVENTS) processed += processFileEvents(el, numevents);
    }
    if (flags & AE_TIME_EVENTS) processed += processTimeEvents(el);
    if (wait_errno) {
        errno = wait_errno;
        return -1;
    }
    return processed;
}

void aeSetBeforeSleepProc(aeEventLoop *el, aeBeforeSleepProc *proc) {
    el->before_sleep = proc;
}
void aeSetAfterSleepProc(aeEventLoop *el, aeBeforeSleepProc *proc) {
    el->after_sleep = proc;
}
void aeSetDontWait(aeEventLoop *el, int no_wait) {
    el->dont_wait = no_wait != 0;
}

int aeGetSetSize(aeEventLoop *el) {
    return el->setsize;
}

int aeResizeSetSize(aeEventLoop *el, int setsize) {
    if (setsize <= 0) {
        errno = EINVAL;
        return -1;
    }
    if (setsize == el->setsize) return 0;
    if (el->maxfd >= setsize) {
        errno = EBUSY;
        return -1;
    }
    if (el->backend->resize(el, setsize) < 0) return -1;
    el->events = lrealloc(el->events, sizeof(*el->events) * (size_t)setsize);
    if (setsize > el->setsize) {
        memset(el->events + el->setsize, 0, sizeof(*el->events) * (size_t)(setsize - el->setsize));
    }
    /* The fired list only grows: a handler may resize the set while the loop is
     * still walking the list that the last poll filled. */
    if (setsize > el->fired_cap) {
        el->fired = lrealloc(el->fired, sizeof(*el->fired) * (size_t)setsize);
        el->fired_cap = setsize;
    }
    el->setsize = setsize;
    return 0;
}

const char *aeGetApiName(aeEventLoop *el) {
    return el->backend->name;
}

const char *const *aeBackendNames(void) {
    return backend_names;
}

int aeWait(int fd, int mask, long long timeout_ms) {
    struct pollfd pfd = {.fd = fd, .events = 0};
    if (mask & AE_READABLE) pfd.events |= POLLIN;
    if (mask & AE_WRITABLE) pfd.events |= POLLOUT;
    long long deadline_us = timeout_ms < 0 ? -1 : deadlineAfterMs(timeout_ms);
    for (;;) {
        long long left_us = -1;
        if (deadline_us >= 0) {
            left_us = deadline_us - monotonicUs();
            if (left_us < 0) left_us = 0;
        }
        int n = poll(&pfd, 1, aeBackendTimeoutMs(left_us));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return n;
        if (pfd.revents & POLLNVAL) {
            errno = EBADF;
            return -1;
        }
        int ready = 0;
        if (pfd.revents & POLLIN) ready |= AE_READABLE;
        if (pfd.revents & POLLOUT) ready |= AE_WRITABLE;
        /* Report an error or hang-up as ready, so the caller's next read or write
         * returns it. */
        if (pfd.revents & (POLLERR | POLLHUP)) ready |= mask & IO_MASK;
        return ready;
    }
}

void *aeBackendGetState(aeEventLoop *el) {
    return el->backend_state;
}
void aeBackendSetState(aeEventLoop *el, void *state) {
    el->backend_state = state;
}

void aeBackendSetFired(aeEventLoop *el, int index, int fd, int mask) {
    el->fired[index].fd = fd;
    el->fired[index].mask = mask;
}
