/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Unit tests for the event loop (src/ae/). Every loop scenario runs once per
 * backend compiled in, in aeBackendNames() order, and a failure names the
 * backend. Fds come from pipes and socketpairs; timings are only checked as lower
 * bounds, so a slow machine cannot fail them.
 */
#include "test.h"
#include "ae/ae.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Runs scenario once per backend; on failure, says which backend failed. */
static int forEachBackend(int (*scenario)(const char *backend)) {
    for (const char *const *name = aeBackendNames(); *name; name++) {
        if (scenario(*name) != 0) {
            fprintf(stderr, "  (with backend \"%s\")\n", *name);
            return 1;
        }
    }
    return 0;
}

static long long nowMs(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleepMs(long ms) {
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* What the file handlers saw. `order` logs each call as fd * 10 + mask. */
typedef struct fileLog {
    int calls;
    int last_fd;
    int last_mask;
    int order[16];
    int norder;
} fileLog;

static void logCall(fileLog *log, int fd, int mask) {
    log->calls++;
    log->last_fd = fd;
    log->last_mask = mask;
    if (log->norder < 16) log->order[log->norder++] = fd * 10 + mask;
}

/* Logs the call; a readable handler drains what it can so the fd goes quiet. */
static void logHandler(aeEventLoop *el, int fd, void *client_data, int mask) {
    (void)el;
    logCall(client_data, fd, mask);
    if (mask == AE_READABLE) {
        char buf[256];
        (void)!read(fd, buf, sizeof(buf));
    }
}

/* Logs the call and leaves the data in place. */
static void peekHandler(aeEventLoop *el, int fd, void *client_data, int mask) {
    (void)el;
    logCall(client_data, fd, mask);
}

static int scenarioReadable(const char *backend) {
    aeEventLoop *el = aeCreateEventLoop(64, backend);
    ASSERT(el != NULL);
    ASSERT_STR_EQ(aeGetApiName(el), backend);
    ASSERT_EQ(aeGetSetSize(el), 64);

    int p[2], sv[2];
    ASSERT_EQ(pipe(p), 0);
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    fileLog log_pipe = {0}, log_sock = {0};
    ASSERT_EQ(aeCreateFileEvent(el, p[0], AE_READABLE, logHandler, &log_pipe), 0);
    ASSERT_EQ(aeCreateFileEvent(el, sv[0], AE_READABLE, logHandler, &log_sock), 0);
    ASSERT_EQ(aeGetFileEvents(el, p[0]), AE_READABLE);

    /* Nothing to read yet. */
    ASSERT_EQ(aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT), 0);
    ASSERT_EQ(log_pipe.calls + log_sock.calls, 0);

    ASSERT_EQ(write(p[1], "x", 1), 1);
    ASSERT_EQ(aeProcessEvents(el, AE_FILE_EVENTS), 1);
    ASSERT_EQ(log_pipe.calls, 1);
    ASSERT_EQ(log_pipe.last_fd, p[0]);
    ASSERT_EQ(log_pipe.last_mask, AE_READABLE);
    ASSERT_EQ(log_sock.calls, 0);

    ASSERT_EQ(write(sv[1], "yz", 2), 2);
    ASSERT_EQ(aeProcessEvents(el, AE_FILE_EVENTS), 1);
    ASSERT_EQ(log_sock.calls, 1);
    ASSERT_EQ(log_sock.last_fd, sv[0]);
    ASSERT_EQ(log_pipe.calls, 1);

    /* Both ready in one iteration. */
    ASSERT_EQ(write(p[1], "x", 1), 1);
    ASSERT_EQ(write(sv[1], "y", 1), 1);
    ASSERT_EQ(aeProcessEvents(el, AE_FILE_EVENTS), 2);
    ASSERT_EQ(log_pipe.calls, 2);
    ASSERT_EQ(log_sock.calls, 2);

    /* Time events only: the file handlers are not called. */
    ASSERT_EQ(write(p[1], "x", 1), 1);
    ASSERT_EQ(aeProcessEvents(el, AE_TIME_EVENTS | AE_DONT_WAIT), 0);
    ASSERT_EQ(log_pipe.calls, 2);
    ASSERT_EQ(aeProcessEvents(el, AE_FILE_EVENTS), 1);

    /* Removed: data no longer calls the handler. */
    aeDeleteFileEvent(el, p[0], AE_READABLE);
    ASSERT_EQ(aeGetFileEvents(el, p[0]), AE_NONE);
    ASSERT_EQ(write(p[1], "x", 1), 1);
    ASSERT_EQ(aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT), 0);
    ASSERT_EQ(log_pipe.calls, 3);

    /* A peer's close reaches the readable handler (it then reads EOF). */
    close(sv[1]);
    ASSERT_EQ(aeProcessEvents(el, AE_FILE_EVENTS), 1);
    ASSERT_EQ(log_sock.calls, 3);
    ASSERT_EQ(log_sock.last_mask, AE_READABLE);

    aeDeleteFileEvent(el, sv[0], AE_READABLE);
    /* With no fd and no timer, a file-only iteration returns at once. */
    ASSERT_EQ(aeProcessEvents(el, AE_FILE_EVENTS), 0);
    close(p[0]);
    close(p[1]);
    close(sv[0]);
    aeDeleteEventLoop(el);
    return 0;
}

int test_ae_readable(void) {
    return forEachBackend(scenarioReadable);
}

static int scenarioWritable(const char *backend) {
    aeEventLoop *el = aeCreateEventLoop(64, backend);
    ASSERT(el != NULL);
    int sv[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    fileLog log = {0};
    ASSERT_EQ(aeCreateFileEvent(el, sv[0], AE_READABLE, logHandler, &log), 0);
    ASSERT_EQ(aeCreateFileEvent(el, sv[0], AE_WRITABLE, logHandler, &log), 0);
    ASSERT_EQ(aeGetFileEvents(el, sv[0]), AE_READABLE | AE_WRITABLE);

    /* Writable at once, and nothing to read. */
    ASSERT_EQ(aeProcessEvents(el, AE_FILE_EVENTS), 1);
    ASSERT_EQ(log.calls, 1);
    ASSERT_EQ(log.last_fd, sv[0]);
    ASSERT_EQ(log.last_mask, AE_WRITABLE);

    /* Level-triggered: still writable next time. */
    ASSERT_EQ(aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT), 1);
    ASSERT_EQ(log.calls, 2);

    /* Removing writable keeps readable. */
    aeDeleteFileEvent(el, sv[0], AE_WRITABLE);
    ASSERT_EQ(aeGetFileEvents(el, sv[0]), AE_READABLE);
    ASSERT_EQ(aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT), 0);
    ASSERT_EQ(log.calls, 2);

    aeDeleteFileEvent(el, sv[0], AE_READABLE | AE_WRITABLE);
    close(sv[0]);
    close(sv[1]);
    aeDeleteEventLoop(el);
    return 0;
}

int test_ae_writable(void) {
    return forEachBackend(scenarioWritable);
}

/* Each handler removes the other fd's readable event. */
typedef struct deleter {
    int *calls;
    int other_fd;
    int other_mask;
} deleter;

static void deleteOtherHandler(aeEventLoop *el, int fd, void *client_data, int mask) {
    (void)fd;
    (void)mask;
    deleter *d = client_data;
    (*d->calls)++;
    aeDeleteFileEvent(el, d->other_fd, d->other_mask);
}

/* Logs the call; the handler for deleter_mask removes the same fd's victim_mask.
 * One context serves both handlers, since client data is per fd. */
typedef struct siblingCtx {
    fileLog log;
    int deleter_mask;
    int victim_mask;
} siblingCtx;

static void deleteSiblingHandler(aeEventLoop *el, int fd, void *client_data, int mask) {
    siblingCtx *c = client_data;
    logCall(&c->log, fd, mask);
    if (mask == c->deleter_mask) aeDeleteFileEvent(el, fd, c->victim_mask);
}

static int scenarioDeletePending(const char *backend) {
    aeEventLoop *el = aeCreateEventLoop(64, backend);
    ASSERT(el != NULL);

    /* Two fds ready at once; whichever handler runs first removes the other. */
    int a[2], b[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, a), 0);
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, b), 0);
    int calls = 0;
    deleter da = {&calls, b[0], AE_READABLE}, db = {&calls, a[0], AE_READABLE};
    ASSERT_EQ(aeCreateFileEvent(el, a[0], AE_READABLE, deleteOtherHandler, &da), 0);
    ASSERT_EQ(aeCreateFileEvent(el, b[0], AE_READABLE, deleteOtherHandler, &db), 0);
    ASSERT_EQ(write(a[1], "x", 1), 1);
    ASSERT_EQ(write(b[1], "x", 1), 1);
    ASSERT_EQ(aeProcessEvents(el, AE_FILE_EVENTS), 1);
    ASSERT_EQ(calls, 1);
    ASSERT(aeGetFileEvents(el, a[0]) == AE_NONE || aeGetFileEvents(el, b[0]) == AE_NONE);
    aeDeleteFileEvent(el, a[0], AE_READABLE);
    aeDeleteFileEvent(el, b[0], AE_READABLE);

    /* One fd readable and writable: the readable handler (first, no barrier)
     * removes the writable event, which then must not run. */
    int sv[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    siblingCtx rw = {.deleter_mask = AE_READABLE, .victim_mask = AE_WRITABLE};
    ASSERT_EQ(aeCreateFileEvent(el, sv[0], AE_READABLE, deleteSiblingHandler, &rw), 0);
    ASSERT_EQ(aeCreateFileEvent(el, sv[0], AE_WRITABLE, deleteSiblingHandler, &rw), 0);
    ASSERT_EQ(write(sv[1], "x", 1), 1);
    ASSERT_EQ(aeProcessEvents(el, AE_FILE_EVENTS), 1);
    ASSERT_EQ(rw.log.calls, 1);
    ASSERT_EQ(rw.log.last_mask, AE_READABLE);
    ASSERT_EQ(aeGetFileEvents(el, sv[0]), AE_READABLE);

    /* With a barrier the writable handler runs first and removes the readable. */
    aeDeleteFileEvent(el, sv[0], AE_READABLE);
    siblingCtx wr = {.deleter_mask = AE_WRITABLE, .victim_mask = AE_READABLE};
    ASSERT_EQ(aeCreateFileEvent(el, sv[0], AE_READABLE, deleteSiblingHandler, &wr), 0);
    ASSERT_EQ(aeCreateFileEvent(el, sv[0], AE_WRITABLE | AE_BARRIER, deleteSiblingHandler, &wr), 0);
    ASSERT_EQ(aeProcessEvents(el, AE_FILE_EVENTS), 1);
    ASSERT_EQ(wr.log.calls, 1);
    ASSERT_EQ(wr.log.last_mask, AE_WRITABLE);
    ASSERT_EQ(aeGetFileEvents(el, sv[0]), AE_WRITABLE | AE_BARRIER);

    aeDeleteFileEvent(el, sv[0], AE_READABLE | AE_WRITABLE);
    for (int i = 0; i < 2; i++) {
        close(a[i]);
        close(b[i]);
        close(sv[i]);
    }
    aeDeleteEventLoop(el);
    return 0;
}

int test_ae_delete_pending(void) {
    return forEachBackend(scenarioDeletePending);
}

static int scenarioBarrier(const char *backend) {
    aeEventLoop *el = aeCreateEventLoop(64, backend);
    ASSERT(el != NULL);
    int sv[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    ASSERT_EQ(write(sv[1], "x", 1), 1); /* sv[0] is readable and writable */
    int fd = sv[0];

    fileLog log = {0};
    ASSERT_EQ(aeCreateFileEvent(el, fd, AE_READABLE, peekHandler, &log), 0);
    ASSERT_EQ(aeCreateFileEvent(el, fd, AE_WRITABLE, peekHandler, &log), 0);
    ASSERT_EQ(aeProcessEvents(el, AE_FILE_EVENTS), 2);
    ASSERT_EQ(log.norder, 2);
    ASSERT_EQ(log.order[0], fd * 10 + AE_READABLE);
    ASSERT_EQ(log.order[1], fd * 10 + AE_WRITABLE);

    /* Adding the barrier to the writable event turns the order round. */
    memset(&log, 0, sizeof(log));
    ASSERT_EQ(aeCreateFileEvent(el, fd, AE_WRITABLE | AE_BARRIER, peekHandler, &log), 0);
    ASSERT_EQ(aeGetFileEvents(el, fd), AE_READABLE | AE_WRITABLE | AE_BARRIER);
    ASSERT_EQ(aeProcessEvents(el, AE_FILE_EVENTS), 2);
    ASSERT_EQ(log.norder, 2);
    ASSERT_EQ(log.order[0], fd * 10 + AE_WRITABLE);
    ASSERT_EQ(log.order[1], fd * 10 + AE_READABLE);

    /* Deleting the writable event clears the barrier too. */
    aeDeleteFileEvent(el, fd, AE_WRITABLE);
    ASSERT_EQ(aeGetFileEvents(el, fd), AE_READABLE);
    ASSERT_EQ(aeCreateFileEvent(el, fd, AE_WRITABLE, peekHandler, &log), 0);
    memset(&log, 0, sizeof(log));
    ASSERT_EQ(aeProcessEvents(el, AE_FILE_EVENTS), 2);
    ASSERT_EQ(log.order[0], fd * 10 + AE_READABLE);
    ASSERT_EQ(log.order[1], fd * 10 + AE_WRITABLE);

    aeDeleteFileEvent(el, fd, AE_READABLE | AE_WRITABLE);
    close(sv[0]);
    close(sv[1]);
    aeDeleteEventLoop(el);
    return 0;
}

int test_ae_barrier(void) {
    return forEachBackend(scenarioBarrier);
}

/* A timer's log: which timers ran, in order, and how often finalizers ran. */
typedef struct timerLog {
    int order[16];
    int norder;
    int finalized;
} timerLog;

typedef struct timerCtx {
    timerLog *log;
    int tag;
    int runs;
    int max_runs;       /* returns AE_NOMORE on this run */
    int next_ms;        /* what the proc returns before that */
    long long victim;   /* a timer to delete when run, -1 for none */
    long long *created; /* if set, creates a 0 ms timer logging tag + 1 */
    struct timerCtx *child;
} timerCtx;

static void countFinalizer(aeEventLoop *el, void *client_data) {
    (void)el;
    timerCtx *t = client_data;
    t->log->finalized++;
}

static int tagTimer(aeEventLoop *el, long long id, void *client_data) {
    (void)id;
    timerCtx *t = client_data;
    t->runs++;
    if (t->log->norder < 16) t->log->order[t->log->norder++] = t->tag;
    if (t->victim >= 0) aeDeleteTimeEvent(el, t->victim);
    if (t->created) *t->created = aeCreateTimeEvent(el, 0, tagTimer, t->child, countFinalizer);
    if (t->max_runs && t->runs >= t->max_runs) return AE_NOMORE;
    return t->next_ms;
}

static timerCtx oneShot(timerLog *log, int tag) {
    return (timerCtx){.log = log, .tag = tag, .max_runs = 1, .victim = -1};
}

static int scenarioTimerOrder(const char *backend) {
    aeEventLoop *el = aeCreateEventLoop(64, backend);
    ASSERT(el != NULL);

    /* Waiting: each iteration sleeps until the nearest timer. */
    timerLog log = {0};
    timerCtx t30 = oneShot(&log, 30), t10 = oneShot(&log, 10), t20 = oneShot(&log, 20);
    long long start = nowMs();
    ASSERT_GE(aeCreateTimeEvent(el, 30, tagTimer, &t30, countFinalizer), 0);
    ASSERT_GE(aeCreateTimeEvent(el, 10, tagTimer, &t10, countFinalizer), 0);
    ASSERT_GE(aeCreateTimeEvent(el, 20, tagTimer, &t20, countFinalizer), 0);
    for (int i = 0; i < 20 && log.norder < 3; i++)
        ASSERT_GE(aeProcessEvents(el, AE_TIME_EVENTS), 0);
    ASSERT_EQ(log.norder, 3);
    ASSERT_GE(nowMs() - start, 30);
    ASSERT_EQ(log.order[0], 10);
    ASSERT_EQ(log.order[1], 20);
    ASSERT_EQ(log.order[2], 30);

    /* All due in one pass: still earliest first. */
    timerLog log2 = {0};
    timerCtx u30 = oneShot(&log2, 30), u10 = oneShot(&log2, 10), u20 = oneShot(&log2, 20);
    ASSERT_GE(aeCreateTimeEvent(el, 30, tagTimer, &u30, NULL), 0);
    ASSERT_GE(aeCreateTimeEvent(el, 10, tagTimer, &u10, NULL), 0);
    ASSERT_GE(aeCreateTimeEvent(el, 20, tagTimer, &u20, NULL), 0);
    sleepMs(40);
    ASSERT_EQ(aeProcessEvents(el, AE_TIME_EVENTS | AE_DONT_WAIT), 3);
    ASSERT_EQ(log2.norder, 3);
    ASSERT_EQ(log2.order[0], 10);
    ASSERT_EQ(log2.order[1], 20);
    ASSERT_EQ(log2.order[2], 30);

    /* A timer is not run before it is due. */
    timerLog log3 = {0};
    timerCtx late = oneShot(&log3, 1);
    ASSERT_GE(aeCreateTimeEvent(el, 10000, tagTimer, &late, NULL), 0);
    ASSERT_EQ(aeProcessEvents(el, AE_ALL_EVENTS | AE_DONT_WAIT), 0);
    ASSERT_EQ(log3.norder, 0);

    aeDeleteEventLoop(el);
    ASSERT_EQ(log.finalized, 3);
    return 0;
}

int test_ae_timer_order(void) {
    return forEachBackend(scenarioTimerOrder);
}

static int scenarioTimerRearm(const char *backend) {
    aeEventLoop *el = aeCreateEventLoop(64, backend);
    ASSERT(el != NULL);
    timerLog log = {0};
    timerCtx t = {.log = &log, .tag = 7, .max_runs = 3, .next_ms = 5, .victim = -1};
    long long start = nowMs();
    long long id = aeCreateTimeEvent(el, 5, tagTimer, &t, countFinalizer);
    ASSERT_GE(id, 0);
    for (int i = 0; i < 50 && t.runs < 3; i++)
        ASSERT_GE(aeProcessEvents(el, AE_TIME_EVENTS), 0);
    ASSERT_EQ(t.runs, 3);
    ASSERT_GE(nowMs() - start, 15);
    /* AE_NOMORE deleted it: it is gone, and its finalizer runs exactly once. */
    ASSERT_EQ(aeDeleteTimeEvent(el, id), -1);
    ASSERT_EQ(aeProcessEvents(el, AE_TIME_EVENTS | AE_DONT_WAIT), 0);
    ASSERT_EQ(aeProcessEvents(el, AE_TIME_EVENTS | AE_DONT_WAIT), 0);
    ASSERT_EQ(t.runs, 3);
    ASSERT_EQ(log.finalized, 1);
    aeDeleteEventLoop(el);
    ASSERT_EQ(log.finalized, 1);
    return 0;
}

int test_ae_timer_rearm(void) {
    return forEachBackend(scenarioTimerRearm);
}

static int scenarioTimerDelete(const char *backend) {
    aeEventLoop *el = aeCreateEventLoop(64, backend);
    ASSERT(el != NULL);

    /* aeDeleteTimeEvent marks; the finalizer runs on the next pass. */
    timerLog log = {0};
    timerCtx t = oneShot(&log, 1);
    long long id = aeCreateTimeEvent(el, 10000, tagTimer, &t, countFinalizer);
    ASSERT_GE(id, 0);
    ASSERT_EQ(aeDeleteTimeEvent(el, id), 0);
    ASSERT_EQ(log.finalized, 0);
    ASSERT_EQ(aeDeleteTimeEvent(el, id), -1);
    ASSERT_EQ(aeProcessEvents(el, AE_TIME_EVENTS | AE_DONT_WAIT), 0);
    ASSERT_EQ(log.finalized, 1);
    ASSERT_EQ(t.runs, 0);
    ASSERT_EQ(aeDeleteTimeEvent(el, 12345), -1);

    /* With only a deleted timer left, a waiting iteration does not wait for it. */
    timerCtx far = oneShot(&log, 2);
    ASSERT_EQ(aeDeleteTimeEvent(el, aeCreateTimeEvent(el, 60000, tagTimer, &far, NULL)), 0);
    timerCtx near = oneShot(&log, 3);
    ASSERT_GE(aeCreateTimeEvent(el, 1, tagTimer, &near, NULL), 0);
    for (int i = 0; i < 20 && near.runs == 0; i++)
        ASSERT_GE(aeProcessEvents(el, AE_TIME_EVENTS), 0);
    ASSERT_EQ(near.runs, 1);
    ASSERT_EQ(far.runs, 0);

    /* One timer deletes another due in the same pass: the victim never runs. */
    timerLog log2 = {0};
    timerCtx killer = oneShot(&log2, 1), victim = oneShot(&log2, 2);
    ASSERT_GE(aeCreateTimeEvent(el, 5, tagTimer, &killer, countFinalizer), 0);
    killer.victim = aeCreateTimeEvent(el, 5, tagTimer, &victim, countFinalizer);
    ASSERT_GE(killer.victim, 0);
    sleepMs(20);
    ASSERT_EQ(aeProcessEvents(el, AE_TIME_EVENTS | AE_DONT_WAIT), 1);
    ASSERT_EQ(killer.runs, 1);
    ASSERT_EQ(victim.runs, 0);
    ASSERT_EQ(aeProcessEvents(el, AE_TIME_EVENTS | AE_DONT_WAIT), 0);
    ASSERT_EQ(victim.runs, 0);
    ASSERT_EQ(log2.finalized, 2);

    /* A timer that deletes itself and asks to run again does not run again. */
    timerLog log3 = {0};
    timerCtx selfish = {.log = &log3, .tag = 1, .next_ms = 0};
    selfish.victim = aeCreateTimeEvent(el, 0, tagTimer, &selfish, countFinalizer);
    for (int i = 0; i < 3; i++)
        ASSERT_GE(aeProcessEvents(el, AE_TIME_EVENTS | AE_DONT_WAIT), 0);
    ASSERT_EQ(selfish.runs, 1);
    ASSERT_EQ(log3.finalized, 1);

    /* A timer created during a pass waits for the next pass. */
    timerLog log4 = {0};
    long long child_id = -1;
    timerCtx child = oneShot(&log4, 2);
    timerCtx parent = oneShot(&log4, 1);
    parent.created = &child_id;
    parent.child = &child;
    ASSERT_GE(aeCreateTimeEvent(el, 0, tagTimer, &parent, NULL), 0);
    ASSERT_EQ(aeProcessEvents(el, AE_TIME_EVENTS | AE_DONT_WAIT), 1);
    ASSERT_GE(child_id, 0);
    ASSERT_EQ(parent.runs, 1);
    ASSERT_EQ(child.runs, 0);
    ASSERT_EQ(aeProcessEvents(el, AE_TIME_EVENTS | AE_DONT_WAIT), 1);
    ASSERT_EQ(child.runs, 1);

    /* Deleting the loop finalizes the timers still there. */
    timerLog log5 = {0};
    timerCtx left = oneShot(&log5, 1), gone = oneShot(&log5, 2);
    ASSERT_GE(aeCreateTimeEvent(el, 10000, tagTimer, &left, countFinalizer), 0);
    ASSERT_EQ(aeDeleteTimeEvent(el, aeCreateTimeEvent(el, 10000, tagTimer, &gone, countFinalizer)),
              0);
    aeDeleteEventLoop(el);
    ASSERT_EQ(log5.finalized, 2);
    return 0;
}

int test_ae_timer_delete(void) {
    return forEachBackend(scenarioTimerDelete);
}

/* Hooks log into one global string, since they get no client data. */
static char hook_trace[64];

static void traceChar(char c) {
    size_t n = strlen(hook_trace);
    if (n + 1 < sizeof(hook_trace)) hook_trace[n] = c;
}

static void beforeSleep(aeEventLoop *el) {
    (void)el;
    traceChar('B');
}

static void afterSleep(aeEventLoop *el) {
    (void)el;
    traceChar('A');
}

static void traceHandler(aeEventLoop *el, int fd, void *client_data, int mask) {
    (void)el;
    (void)fd;
    (void)client_data;
    (void)mask;
    traceChar('H');
}

static int stopAfterThree(aeEventLoop *el, long long id, void *client_data) {
    (void)id;
    int *runs = client_data;
    if (++*runs == 3) aeStop(el);
    return 1;
}

static int scenarioSleepHooks(const char *backend) {
    aeEventLoop *el = aeCreateEventLoop(64, backend);
    ASSERT(el != NULL);
    aeSetBeforeSleepProc(el, beforeSleep);
    aeSetAfterSleepProc(el, afterSleep);
    int sv[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    ASSERT_EQ(aeCreateFileEvent(el, sv[0], AE_WRITABLE, traceHandler, NULL), 0);

    memset(hook_trace, 0, sizeof(hook_trace));
    ASSERT_EQ(aeProcessEvents(el, AE_ALL_EVENTS | AE_CALL_BEFORE_SLEEP | AE_CALL_AFTER_SLEEP), 1);
    ASSERT_STR_EQ(hook_trace, "BAH");

    memset(hook_trace, 0, sizeof(hook_trace));
    ASSERT_EQ(aeProcessEvents(el, AE_ALL_EVENTS | AE_CALL_BEFORE_SLEEP), 1);
    ASSERT_STR_EQ(hook_trace, "BH");

    memset(hook_trace, 0, sizeof(hook_trace));
    ASSERT_EQ(aeProcessEvents(el, AE_ALL_EVENTS), 1);
    ASSERT_STR_EQ(hook_trace, "H");
    aeDeleteFileEvent(el, sv[0], AE_WRITABLE);

    /* aeMain passes both hook flags and runs until aeStop(). */
    memset(hook_trace, 0, sizeof(hook_trace));
    int runs = 0;
    long long id = aeCreateTimeEvent(el, 1, stopAfterThree, &runs, NULL);
    ASSERT_GE(id, 0);
    aeMain(el);
    ASSERT_EQ(runs, 3);
    ASSERT_GE(strlen(hook_trace), 6);
    ASSERT_EQ(hook_trace[0], 'B');
    ASSERT_EQ(hook_trace[1], 'A');
    ASSERT_EQ(aeDeleteTimeEvent(el, id), 0);

    /* aeSetDontWait: the wait does not block even with a distant timer. */
    timerLog log = {0};
    timerCtx far = oneShot(&log, 1);
    ASSERT_GE(aeCreateTimeEvent(el, 60000, tagTimer, &far, NULL), 0);
    aeSetDontWait(el, 1);
    memset(hook_trace, 0, sizeof(hook_trace));
    long long start = nowMs();
    ASSERT_EQ(aeProcessEvents(el, AE_ALL_EVENTS | AE_CALL_BEFORE_SLEEP | AE_CALL_AFTER_SLEEP), 0);
    ASSERT_LT(nowMs() - start, 5000);
    ASSERT_STR_EQ(hook_trace, "BA");
    aeSetDontWait(el, 0);

    close(sv[0]);
    close(sv[1]);
    aeDeleteEventLoop(el);
    return 0;
}

int test_ae_sleep_hooks(void) {
    return forEachBackend(scenarioSleepHooks);
}

/* From inside a handler, removes every fd in `fds` and shrinks the set to one
 * slot, while the rest of the iteration's fired list is still to be walked. */
typedef struct shrinker {
    int calls;
    int fds[2];
    int resize_rc;
} shrinker;

static void shrinkHandler(aeEventLoop *el, int fd, void *client_data, int mask) {
    (void)fd;
    (void)mask;
    shrinker *s = client_data;
    s->calls++;
    for (int i = 0; i < 2; i++)
        aeDeleteFileEvent(el, s->fds[i], AE_READABLE);
    s->resize_rc = aeResizeSetSize(el, 1);
}

static int scenarioResize(const char *backend) {
    aeEventLoop *el = aeCreateEventLoop(16, backend);
    ASSERT(el != NULL);
    int p[2];
    ASSERT_EQ(pipe(p), 0);
    int high = fcntl(p[0], F_DUPFD, 40);
    ASSERT_GE(high, 40);
    fileLog log = {0};

    errno = 0;
    ASSERT_EQ(aeCreateFileEvent(el, high, AE_READABLE, logHandler, &log), -1);
    ASSERT_EQ(errno, ERANGE);

    /* Grow, then use an fd that needed the bigger set. */
    ASSERT_EQ(aeResizeSetSize(el, high + 10), 0);
    ASSERT_EQ(aeGetSetSize(el), high + 10);
    ASSERT_EQ(aeCreateFileEvent(el, high, AE_READABLE, logHandler, &log), 0);
    ASSERT_EQ(write(p[1], "x", 1), 1);
    ASSERT_EQ(aeProcessEvents(el, AE_FILE_EVENTS), 1);
    ASSERT_EQ(log.last_fd, high);

    /* Shrinking below a registered fd is refused and changes nothing. */
    errno = 0;
    ASSERT_EQ(aeResizeSetSize(el, 16), -1);
    ASSERT_EQ(errno, EBUSY);
    ASSERT_EQ(aeGetSetSize(el), high + 10);
    ASSERT_EQ(write(p[1], "x", 1), 1);
    ASSERT_EQ(aeProcessEvents(el, AE_FILE_EVENTS), 1);
    ASSERT_EQ(log.calls, 2);

    /* Once it is gone, the shrink succeeds, and the fd is out of range again. */
    aeDeleteFileEvent(el, high, AE_READABLE);
    ASSERT_EQ(aeResizeSetSize(el, 16), 0);
    ASSERT_EQ(aeGetSetSize(el), 16);
    errno = 0;
    ASSERT_EQ(aeCreateFileEvent(el, high, AE_READABLE, logHandler, &log), -1);
    ASSERT_EQ(errno, ERANGE);

    /* A handler empties and shrinks the set while another fd's event is pending:
     * that event is dropped, and nothing reads past the shrunk tables. */
    int sv[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    shrinker s = {.fds = {p[0], sv[0]}, .resize_rc = -2};
    ASSERT_EQ(aeCreateFileEvent(el, p[0], AE_READABLE, shrinkHandler, &s), 0);
    ASSERT_EQ(aeCreateFileEvent(el, sv[0], AE_READABLE, shrinkHandler, &s), 0);
    ASSERT_EQ(write(p[1], "x", 1), 1);
    ASSERT_EQ(write(sv[1], "x", 1), 1);
    ASSERT_EQ(aeProcessEvents(el, AE_FILE_EVENTS), 1);
    ASSERT_EQ(s.calls, 1);
    ASSERT_EQ(s.resize_rc, 0);
    ASSERT_EQ(aeGetSetSize(el), 1);
    int top = sv[0] > p[0] ? sv[0] : p[0];
    ASSERT_EQ(aeResizeSetSize(el, top + 1), 0);

    /* select cannot go past FD_SETSIZE; the others can. */
    errno = 0;
    int rc = aeResizeSetSize(el, FD_SETSIZE + 1);
    if (strcmp(backend, "select") == 0) {
        ASSERT_EQ(rc, -1);
        ASSERT_EQ(errno, EINVAL);
        ASSERT_EQ(aeGetSetSize(el), top + 1);
        errno = 0;
        ASSERT(aeCreateEventLoop(FD_SETSIZE + 1, backend) == NULL);
        ASSERT_EQ(errno, EINVAL);
    } else {
        ASSERT_EQ(rc, 0);
        aeEventLoop *big = aeCreateEventLoop(FD_SETSIZE + 1, backend);
        ASSERT(big != NULL);
        aeDeleteEventLoop(big);
    }

    close(high);
    close(p[0]);
    close(p[1]);
    close(sv[0]);
    close(sv[1]);
    aeDeleteEventLoop(el);
    return 0;
}

int test_ae_resize(void) {
    return forEachBackend(scenarioResize);
}

/* Makes fd FD_SETSIZE usable by raising RLIMIT_NOFILE if needed; 0 when it can't. */
static int allowFdSetSizeFd(void) {
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return 0;
    if (rl.rlim_cur > FD_SETSIZE) return 1;
    if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max <= FD_SETSIZE) return 0;
    rl.rlim_cur = FD_SETSIZE + 16;
    return setrlimit(RLIMIT_NOFILE, &rl) == 0;
}

static int scenarioFdSetSize(const char *backend) {
    if (!allowFdSetSizeFd()) {
        fprintf(stderr, "  skipped: cannot raise RLIMIT_NOFILE past FD_SETSIZE\n");
        return 0;
    }
    int p[2];
    ASSERT_EQ(pipe(p), 0);
    int big = dup2(p[0], FD_SETSIZE);
    ASSERT_EQ(big, FD_SETSIZE);
    fileLog log = {0};
    if (strcmp(backend, "select") == 0) {
        aeEventLoop *el = aeCreateEventLoop(FD_SETSIZE, backend);
        ASSERT(el != NULL);
        errno = 0;
        ASSERT_EQ(aeCreateFileEvent(el, big, AE_READABLE, logHandler, &log), -1);
        ASSERT_EQ(errno, ERANGE);
        ASSERT_EQ(aeGetFileEvents(el, big), AE_NONE);
        ASSERT_EQ(write(p[1], "x", 1), 1);
        ASSERT_EQ(aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT), 0);
        aeDeleteEventLoop(el);
    } else {
        aeEventLoop *el = aeCreateEventLoop(FD_SETSIZE + 1, backend);
        ASSERT(el != NULL);
        ASSERT_EQ(aeCreateFileEvent(el, big, AE_READABLE, logHandler, &log), 0);
        ASSERT_EQ(write(p[1], "x", 1), 1);
        ASSERT_EQ(aeProcessEvents(el, AE_FILE_EVENTS), 1);
        ASSERT_EQ(log.last_fd, big);
        aeDeleteFileEvent(el, big, AE_READABLE);
        aeDeleteEventLoop(el);
    }
    close(big);
    close(p[0]);
    close(p[1]);
    return 0;
}

int test_ae_fd_setsize(void) {
    return forEachBackend(scenarioFdSetSize);
}

static int scenarioRange(const char *backend) {
    aeEventLoop *el = aeCreateEventLoop(8, backend);
    ASSERT(el != NULL);
    fileLog log = {0};
    errno = 0;
    ASSERT_EQ(aeCreateFileEvent(el, 8, AE_READABLE, logHandler, &log), -1);
    ASSERT_EQ(errno, ERANGE);
    errno = 0;
    ASSERT_EQ(aeCreateFileEvent(el, 1000, AE_WRITABLE, logHandler, &log), -1);
    ASSERT_EQ(errno, ERANGE);
    errno = 0;
    ASSERT_EQ(aeCreateFileEvent(el, -1, AE_READABLE, logHandler, &log), -1);
    ASSERT_EQ(errno, ERANGE);
    ASSERT_EQ(aeGetFileEvents(el, 8), AE_NONE);
    ASSERT_EQ(aeGetFileEvents(el, -1), AE_NONE);
    aeDeleteFileEvent(el, 8, AE_READABLE);
    aeDeleteFileEvent(el, -1, AE_READABLE);
    errno = 0;
    ASSERT_EQ(aeResizeSetSize(el, 0), -1);
    ASSERT_EQ(errno, EINVAL);
    aeDeleteEventLoop(el);
    errno = 0;
    ASSERT(aeCreateEventLoop(0, backend) == NULL);
    ASSERT_EQ(errno, EINVAL);
    return 0;
}

int test_ae_range(void) {
    return forEachBackend(scenarioRange);
}

int test_ae_backend_names(void) {
    const char *const *names = aeBackendNames();
    ASSERT(names[0] != NULL);
    int has_poll = 0, has_select = 0;
    for (const char *const *n = names; *n; n++) {
        aeEventLoop *el = aeCreateEventLoop(32, *n);
        if (el == NULL)
            TEST_FAIL_("backend \"%s\" listed but not created: %s", *n, strerror(errno));
        ASSERT_STR_EQ(aeGetApiName(el), *n);
        aeDeleteEventLoop(el);
        has_poll |= strcmp(*n, "poll") == 0;
        has_select |= strcmp(*n, "select") == 0;
    }
    ASSERT(has_poll && has_select);
#ifdef __linux__
    ASSERT_STR_EQ(names[0], "epoll");
#endif

    aeEventLoop *el = aeCreateEventLoop(32, "auto");
    ASSERT(el != NULL);
    ASSERT_STR_EQ(aeGetApiName(el), names[0]);
    aeDeleteEventLoop(el);
    el = aeCreateEventLoop(32, NULL);
    ASSERT(el != NULL);
    ASSERT_STR_EQ(aeGetApiName(el), names[0]);
    aeDeleteEventLoop(el);

    const char *unknown[] = {"nope", "", "EPOLL", "devpoll"};
    for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
        errno = 0;
        ASSERT(aeCreateEventLoop(32, unknown[i]) == NULL);
        ASSERT_EQ(errno, ENOENT);
    }
#ifndef __linux__
    errno = 0;
    ASSERT(aeCreateEventLoop(32, "epoll") == NULL);
    ASSERT_EQ(errno, ENOENT);
#endif
    return 0;
}

int test_ae_wait(void) {
    int p[2];
    ASSERT_EQ(pipe(p), 0);
    long long start = nowMs();
    ASSERT_EQ(aeWait(p[0], AE_READABLE, 20), 0);
    ASSERT_GE(nowMs() - start, 20);
    ASSERT_EQ(aeWait(p[1], AE_WRITABLE, 0), AE_WRITABLE);
    ASSERT_EQ(write(p[1], "x", 1), 1);
    ASSERT_EQ(aeWait(p[0], AE_READABLE, 1000), AE_READABLE);
    ASSERT_EQ(aeWait(p[0], AE_READABLE, -1), AE_READABLE);
    /* A hang-up counts as ready. */
    char c;
    ASSERT_EQ(read(p[0], &c, 1), 1);
    close(p[1]);
    ASSERT_EQ(aeWait(p[0], AE_READABLE, 1000), AE_READABLE);
    close(p[0]);
    errno = 0;
    ASSERT_EQ(aeWait(p[0], AE_READABLE, 0), -1);
    ASSERT_EQ(errno, EBADF);
    return 0;
}
