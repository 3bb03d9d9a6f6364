/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The I/O thread pool. Each thread has a job ring (main -> thread) and a
 * completion ring (thread -> main). A thread peeks a job, runs it, pushes the
 * client on its completion ring and only then pops the job, so an empty job
 * ring means the thread is idle. The main thread never pushes more jobs to a
 * thread than a ring holds (it counts jobs whose completion it has not run),
 * so the completion ring can never be full.
 *
 * Wake-ups in both directions are coalesced: a thread parks only after
 * spinning briefly and the main thread signals only a parked thread; threads
 * write the notification pipe only when no notification is pending yet.
 */
#include "io_threads/io_threads.h"

#include "alloc.h"
#include "client.h"
#include "io_threads/ring.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#define IO_MAX_THREADS 128
/* Peeks of an empty ring before a thread parks. */
#define IO_SPIN_ROUNDS 2000
/* Loop iterations of low load before a thread is deactivated. */
#define IO_DEACTIVATE_AFTER 256

enum { JOB_READ = 1, JOB_WRITE, JOB_STOP };

typedef struct ioThread {
    int id; /* 1..count-1 */
    pthread_t tid;
    ring jobs;
    ring done;
    size_t outstanding; /* jobs pushed whose completion has not run (main only) */
    netioWorker worker;
    /* Counters written by the thread only (see netioCounterAdd). */
    _Atomic uint64_t read_jobs;
    _Atomic uint64_t write_jobs;
    _Atomic uint64_t busy_us;
    /* Parking: the thread stores is_parked and then re-checks its ring under
     * the lock before waiting; the main thread stores the ring's head and then
     * reads is_parked, signalling under the lock. All four accesses are
     * seq_cst, so in their single total order either the thread sees the job
     * or the main thread sees the flag. */
    _Atomic int is_parked;
    pthread_mutex_t lock;
    pthread_cond_t cond;
} ioThread;

static struct {
    aeEventLoop *el;
    const netioLimits *limits;
    ioThreadsCallbacks callbacks;
    ioThread *threads[IO_MAX_THREADS];
    int count;  /* threads in all, main included */
    int active; /* threads taking jobs, main included */
    int events_per_thread;
    int resize_to; /* requested size, 0 = none */
    int low_load_rounds;
    ioThreadStats retired; /* counters of threads stopped by a resize */
    int notify_pipe[2];
    /* Set by the first thread that notifies, cleared by the main thread
     * before it drains, so one pipe write covers any number of completions. */
    _Atomic int notify_pending;
    /* Set while the main thread waits for every job (ioThreadsDrain): it
     * collects the completions itself, so threads need not wake it. */
    _Atomic int main_draining;
} pool = {.notify_pipe = {-1, -1}};

/* --- The thread side ----------------------------------------------------- */

static void notifyMain(void) {
    if (atomic_load_explicit(&pool.main_draining, memory_order_relaxed)) return;
    if (atomic_exchange_explicit(&pool.notify_pending, 1, memory_order_acq_rel) == 0) {
        char b = 1;
        ssize_t ignored = write(pool.notify_pipe[1], &b, 1);
        (void)ignored; /* a full pipe already holds a wake-up */
    }
}

static void park(ioThread *t) {
    /* Give back the blocks this thread's allocator cache holds: a parked
     * thread should hold no memory, and INFO should not count it. */
    allocReleaseThreadCache();
    pthread_mutex_lock(&t->lock);
    atomic_store(&t->is_parked, 1);
    while (atomic_load(&t->is_parked) && ringIsEmpty(&t->jobs)) pthread_cond_wait(&t->cond, &t->lock);
    atomic_store(&t->is_parked, 0);
    pthread_mutex_unlock(&t->lock);
}

static void runJob(ioThread *t, const ringJob *job) {
    client *c = job->arg;
    long long start = monotonicUs();
    netioStatus st = job->kind == JOB_READ ? netioRead(&t->worker, c, pool.limits)
                                           : netioWrite(&t->worker, c);
    c->io_result = (int)st;
    c->last_io_thread = t->id;
    netioCounterAdd(job->kind == JOB_READ ? &t->read_jobs : &t->write_jobs, 1);
    netioCounterAdd(&t->busy_us, (uint64_t)(monotonicUs() - start));
    /* Release: the client's buffers are the main thread's again. */
    atomic_store_explicit(&c->io_state, CLIENT_IO_DONE, memory_order_release);
}

static void *threadMain(void *arg) {
    ioThread *t = arg;
    int idle_rounds = 0;
    for (;;) {
        ringJob job;
        if (!ringPeek(&t->jobs, &job)) {
            if (++idle_rounds < IO_SPIN_ROUNDS) continue;
            idle_rounds = 0;
            park(t);
            continue;
        }
        idle_rounds = 0;
        if (job.kind == JOB_STOP) {
            ringPop(&t->jobs);
            return NULL;
        }
        runJob(t, &job);
        bool pushed = ringPush(&t->done, job.kind, job.arg);
        loomAssert(pushed);
        /* Pop only after the job ran: an empty ring means an idle thread. */
        ringPop(&t->jobs);
        notifyMain();
    }
}

/* --- The main thread side ------------------------------------------------ */

static void wakeThread(ioThread *t) {
    if (!atomic_load(&t->is_parked)) return;
    pthread_mutex_lock(&t->lock);
    atomic_store(&t->is_parked, 0);
    pthread_cond_signal(&t->cond);
    pthread_mutex_unlock(&t->lock);
}

static int submit(client *c, int kind, int state, int index) {
    if (index < 1 || index >= pool.active) return -1;
    ioThread *t = pool.threads[index];
    if (t->outstanding == RING_SIZE) return -1;
    /* Release: everything the main thread wrote to the client is visible to
     * the thread that acquires it through the ring. */
    atomic_store_explicit(&c->io_state, state, memory_order_release);
    ringPush(&t->jobs, kind, c);
    t->outstanding++;
    wakeThread(t);
    return 0;
}

int ioThreadsSubmitRead(client *c, int index) {
    return submit(c, JOB_READ, CLIENT_IO_READ_PENDING, index);
}

int ioThreadsSubmitWrite(client *c, int index) {
    return submit(c, JOB_WRITE, CLIENT_IO_WRITE_PENDING, index);
}

static void complete(ioThread *t, const ringJob *job) {
    client *c = job->arg;
    t->outstanding--;
    /* Acquire: pairs with the thread's release of io_state. */
    int state = atomic_load_explicit(&c->io_state, memory_order_acquire);
    loomAssert(state == CLIENT_IO_DONE);
    atomic_store_explicit(&c->io_state, CLIENT_IO_IDLE, memory_order_relaxed);
    netioStatus st = (netioStatus)c->io_result;
    if (job->kind == JOB_READ) pool.callbacks.read_done(c, st);
    else pool.callbacks.write_done(c, st);
}

int ioThreadsProcessCompletions(void) {
    int processed = 0;
    for (int i = 1; i < pool.count; i++) {
        ioThread *t = pool.threads[i];
        ringJob job;
        while (ringPeek(&t->done, &job)) {
            ringPop(&t->done);
            complete(t, &job);
            processed++;
        }
    }
    return processed;
}

static void notifyHandler(aeEventLoop *el, int fd, void *data, int mask) {
    (void)el;
    (void)data;
    (void)mask;
    char buf[64];
    while (read(fd, buf, sizeof(buf)) > 0) {}
    /* Clear before draining: a completion pushed after this point notifies
     * again, so none is left waiting while the loop sleeps. */
    atomic_store_explicit(&pool.notify_pending, 0, memory_order_seq_cst);
    ioThreadsProcessCompletions();
}

void ioThreadsWaitIdle(void) {
    for (int i = 1; i < pool.count; i++) {
        ioThread *t = pool.threads[i];
        while (!ringIsEmpty(&t->jobs)) sched_yield();
    }
}


static ioThread *startThread(int id) {
    ioThread *t = lcalloc(sizeof(*t));
    t->id = id;
    ringInit(&t->jobs);
    ringInit(&t->done);
    netioWorkerInit(&t->worker);
    pthread_mutex_init(&t->lock, NULL);
    pthread_cond_init(&t->cond, NULL);
    if (pthread_create(&t->tid, NULL, threadMain, t) != 0) {
        pthread_mutex_destroy(&t->lock);
        pthread_cond_destroy(&t->cond);
        lfree(t);
        return NULL;
    }
    return t;
}

static void readStats(ioThread *t, ioThreadStats *st);

static void stopThread(ioThread *t) {
    bool pushed = ringPush(&t->jobs, JOB_STOP, NULL);
    loomAssert(pushed);
    wakeThread(t);
    pthread_join(t->tid, NULL);
    /* Keep its counters: the totals INFO reports never go backwards. */
    ioThreadStats st;
    readStats(t, &st);
    pool.retired.read_jobs += st.read_jobs;
    pool.retired.write_jobs += st.write_jobs;
    pool.retired.reads += st.reads;
    pool.retired.writes += st.writes;
    pool.retired.bytes_read += st.bytes_read;
    pool.retired.bytes_written += st.bytes_written;
    pool.retired.busy_us += st.busy_us;
    netioWorkerRelease(&t->worker);
    pthread_mutex_destroy(&t->lock);
    pthread_cond_destroy(&t->cond);
    lfree(t);
}

void ioThreadsDrain(void) {
    /* Every job queued so far has pushed its completion once its ring is
     * empty, so skipping the notifications cannot leave one behind. */
    atomic_store_explicit(&pool.main_draining, 1, memory_order_relaxed);
    ioThreadsWaitIdle();
    atomic_store_explicit(&pool.main_draining, 0, memory_order_relaxed);
    ioThreadsProcessCompletions();
}

int ioThreadsResize(int count) {
    if (count < 1) count = 1;
    if (count > IO_MAX_THREADS) count = IO_MAX_THREADS;
    ioThreadsDrain();
    while (pool.count > count) {
        pool.count--;
        stopThread(pool.threads[pool.count]);
        pool.threads[pool.count] = NULL;
    }
    while (pool.count < count) {
        ioThread *t = startThread(pool.count);
        if (!t) return -1;
        pool.threads[pool.count++] = t;
    }
    if (pool.active > pool.count) pool.active = pool.count;
    if (pool.events_per_thread == 0) pool.active = pool.count;
    return 0;
}

void ioThreadsRequestResize(int count) { pool.resize_to = count; }

int ioThreadsApplyResize(void) {
    if (!pool.resize_to) return 0;
    int count = pool.resize_to;
    pool.resize_to = 0;
    return count == pool.count ? 0 : ioThreadsResize(count);
}

int ioThreadsInit(aeEventLoop *el, int count, const netioLimits *limits,
                  const ioThreadsCallbacks *callbacks) {
    pool.el = el;
    pool.limits = limits;
    pool.callbacks = *callbacks;
    pool.count = 1;
    pool.active = 1;
    pool.threads[0] = NULL; /* the main thread */
    if (pipe2(pool.notify_pipe, O_NONBLOCK | O_CLOEXEC) < 0) return -1;
    if (aeCreateFileEvent(el, pool.notify_pipe[0], AE_READABLE, notifyHandler, NULL) < 0)
        return -1;
    return ioThreadsResize(count);
}

void ioThreadsShutdown(void) {
    ioThreadsResize(1);
    if (pool.notify_pipe[0] >= 0) {
        aeDeleteFileEvent(pool.el, pool.notify_pipe[0], AE_READABLE);
        close(pool.notify_pipe[0]);
        close(pool.notify_pipe[1]);
        pool.notify_pipe[0] = pool.notify_pipe[1] = -1;
    }
}

void ioThreadsSetEventsPerThread(int events) {
    pool.events_per_thread = events;
    /* 0 keeps every thread on; otherwise start from the main thread alone
     * and let the load decide. */
    pool.active = events == 0 ? pool.count : 1;
    pool.low_load_rounds = 0;
}

void ioThreadsAdjust(int io_events) {
    if (pool.count <= 1 || pool.events_per_thread == 0) return;
    int wanted = 1 + io_events / pool.events_per_thread;
    if (wanted > pool.count) wanted = pool.count;
    if (wanted >= pool.active) {
        pool.active = wanted;
        pool.low_load_rounds = 0;
    } else if (++pool.low_load_rounds >= IO_DEACTIVATE_AFTER) {
        /* Fall one step at a time, so a short lull does not bounce clients
         * between the main thread and the pool. */
        pool.active--;
        pool.low_load_rounds = 0;
    }
}

int ioThreadsActive(void) { return pool.active; }
int ioThreadsCount(void) { return pool.count; }

void ioThreadsGetStats(int index, ioThreadStats *st) {
    memset(st, 0, sizeof(*st));
    if (index < 1 || index >= pool.count) return;
    readStats(pool.threads[index], st);
}

void ioThreadsGetRetiredStats(ioThreadStats *st) { *st = pool.retired; }

static void readStats(ioThread *t, ioThreadStats *st) {
    st->read_jobs = atomic_load_explicit(&t->read_jobs, memory_order_relaxed);
    st->write_jobs = atomic_load_explicit(&t->write_jobs, memory_order_relaxed);
    st->reads = atomic_load_explicit(&t->worker.reads, memory_order_relaxed);
    st->writes = atomic_load_explicit(&t->worker.writes, memory_order_relaxed);
    st->bytes_read = atomic_load_explicit(&t->worker.bytes_read, memory_order_relaxed);
    st->bytes_written = atomic_load_explicit(&t->worker.bytes_written, memory_order_relaxed);
    st->busy_us = atomic_load_explicit(&t->busy_us, memory_order_relaxed);
    st->is_parked = atomic_load_explicit(&t->is_parked, memory_order_relaxed);
}
