/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The BIO workers: per kind, a singly linked FIFO of jobs under a mutex, a
 * condition variable the worker sleeps on while the queue is empty, and one
 * the drainers sleep on until the kind has nothing left. This is the cold
 * path (a handful of jobs a second), so a lock per kind is simpler than
 * rings and costs nothing that matters.
 *
 * Runs on the main thread (submission, drain, start and stop) and on one
 * worker thread per kind (the jobs). A job is unlinked from the queue before
 * it runs and counted finished only after it ran, so pending == 0 means the
 * worker is idle.
 */
#include "bio.h"

#include "alloc.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/resource.h>
#include <unistd.h>

/* The nice value of the lazy-free worker (the main thread keeps 0). */
#define BIO_NICE 10

typedef struct bioJob {
    struct bioJob *next;
    bioJobFn *fn;
    void *arg;
} bioJob;

typedef struct bioWorker {
    /* lock guards head, tail, is_running and is_stopping; pending changes
     * only under it too, so that waiting on `idle` cannot miss the last
     * decrement. */
    pthread_mutex_t lock;
    pthread_cond_t has_work; /* signalled on submit and on stop */
    pthread_cond_t idle;     /* broadcast when pending drops to 0 */
    bioJob *head, *tail;
    int is_running;  /* a worker thread takes this kind's jobs */
    int is_stopping; /* bioShutdown asked the worker to finish and exit */
    int has_thread;  /* thread must be joined (main thread only) */
    pthread_t tid;
    /* Release on decrement and acquire on read, so a thread that sees a job
     * counted finished also sees what the job did. */
    _Atomic unsigned long long pending;
    _Atomic unsigned long long processed;
} bioWorker;

#define WORKER_INIT                                                                                \
    {                                                                                              \
        .lock = PTHREAD_MUTEX_INITIALIZER, .has_work = PTHREAD_COND_INITIALIZER,                   \
        .idle = PTHREAD_COND_INITIALIZER                                                           \
    }

static bioWorker workers[BIO_NUM_KINDS] = {[0 ... BIO_NUM_KINDS - 1] = WORKER_INIT};

static const char *const kind_names[BIO_NUM_KINDS] = {"close_file", "aof_fsync", "lazy_free",
                                                      "rdb_compress"};
/* Thread names are limited to 15 bytes on Linux, hence "rdbcompress". */
static const char *const thread_names[BIO_NUM_KINDS] = {"bio_close_file", "bio_aof_fsync",
                                                        "bio_lazy_free", "bio_rdbcompress"};

/* errno of the last background fsync, 0 on success. Relaxed: a status word
 * read on its own, not a guard for other memory. */
static _Atomic int last_fsync_errno;

const char *bioKindName(bioKind kind) {
    return kind >= 0 && kind < BIO_NUM_KINDS ? kind_names[kind] : "unknown";
}

unsigned long long bioPending(bioKind kind) {
    return atomic_load_explicit(&workers[kind].pending, memory_order_acquire);
}

unsigned long long bioProcessed(bioKind kind) {
    return atomic_load_explicit(&workers[kind].processed, memory_order_acquire);
}

int bioLastFsyncErrno(void) {
    return atomic_load_explicit(&last_fsync_errno, memory_order_relaxed);
}

/* Called with w->lock held, after a job ran. */
static void countFinished(bioWorker *w) {
    atomic_fetch_add_explicit(&w->processed, 1, memory_order_release);
    if (atomic_fetch_sub_explicit(&w->pending, 1, memory_order_release) == 1)
        pthread_cond_broadcast(&w->idle);
}

/* --- The worker side ----------------------------------------------------- */

static void setThreadName(const char *name) {
#if defined(__APPLE__)
    pthread_setname_np(name);
#elif defined(__linux__)
    pthread_setname_np(pthread_self(), name);
#else
    (void)name;
#endif
}

/* The lazy-free worker runs at a lower priority than the main thread, so
 * that on a machine with few cores freeing a huge value delays the event
 * loop as little as possible (nobody waits for a free to finish). Linux
 * applies a nice value to a single thread when given its id; elsewhere it
 * would renice the whole process, so it is left alone there. */
static void lowerPriority(long kind) {
#if defined(__linux__)
    if (kind == BIO_LAZY_FREE) setpriority(PRIO_PROCESS, (id_t)gettid(), BIO_NICE);
#else
    (void)kind;
#endif
}

static void *workerMain(void *arg) {
    bioWorker *w = arg;
    setThreadName(thread_names[w - workers]);
    lowerPriority(w - workers);
    int holds_freed_blocks = 0;
    pthread_mutex_lock(&w->lock);
    for (;;) {
        if (!w->head) {
            if (w->is_stopping) break;
            if (holds_freed_blocks) {
                /* Going idle: give the blocks the jobs freed back to the
                 * allocator, so INFO used_memory does not count them. */
                pthread_mutex_unlock(&w->lock);
                allocReleaseThreadCache();
                pthread_mutex_lock(&w->lock);
                holds_freed_blocks = 0;
                continue;
            }
            pthread_cond_wait(&w->has_work, &w->lock);
            continue;
        }
        bioJob *job = w->head;
        w->head = job->next;
        if (!w->head) w->tail = NULL;
        pthread_mutex_unlock(&w->lock);
        job->fn(job->arg);
        lfree(job);
        holds_freed_blocks = 1;
        pthread_mutex_lock(&w->lock);
        countFinished(w);
    }
    /* From here on, submissions run inline: nothing can be left queued
     * behind a worker that is gone. */
    w->is_running = 0;
    pthread_mutex_unlock(&w->lock);
    allocReleaseThreadCache();
    return NULL;
}

/* --- The submitting side ------------------------------------------------- */

void bioSubmit(bioKind kind, bioJobFn *fn, void *arg) {
    bioWorker *w = &workers[kind];
    pthread_mutex_lock(&w->lock);
    if (!w->is_running) {
        pthread_mutex_unlock(&w->lock);
        atomic_fetch_add_explicit(&w->pending, 1, memory_order_relaxed);
        fn(arg);
        pthread_mutex_lock(&w->lock);
        countFinished(w);
        pthread_mutex_unlock(&w->lock);
        return;
    }
    bioJob *job = lmalloc(sizeof(*job));
    job->next = NULL;
    job->fn = fn;
    job->arg = arg;
    if (w->tail)
        w->tail->next = job;
    else
        w->head = job;
    w->tail = job;
    atomic_fetch_add_explicit(&w->pending, 1, memory_order_relaxed);
    pthread_cond_signal(&w->has_work);
    pthread_mutex_unlock(&w->lock);
}

static void closeFileJob(void *arg) {
    close((int)(intptr_t)arg);
}

static void fsyncJob(void *arg) {
    int fd = (int)(intptr_t)arg;
#if defined(__linux__)
    int rc = fdatasync(fd);
#else
    int rc = fsync(fd);
#endif
    atomic_store_explicit(&last_fsync_errno, rc == 0 ? 0 : errno, memory_order_relaxed);
}

/* Runs on the aof-fsync worker, after the fsyncs queued before it. */
static void closeAfterFsyncJob(void *arg) {
    bioSubmit(BIO_CLOSE_FILE, closeFileJob, arg);
}

void bioCloseFile(int fd) {
    bioSubmit(BIO_CLOSE_FILE, closeFileJob, (void *)(intptr_t)fd);
}

void bioFsync(int fd) {
    bioSubmit(BIO_AOF_FSYNC, fsyncJob, (void *)(intptr_t)fd);
}

void bioCloseFileAfterFsync(int fd) {
    bioSubmit(BIO_AOF_FSYNC, closeAfterFsyncJob, (void *)(intptr_t)fd);
}

void bioDrain(bioKind kind) {
    bioWorker *w = &workers[kind];
    pthread_mutex_lock(&w->lock);
    while (w->is_running && atomic_load_explicit(&w->pending, memory_order_relaxed) > 0)
        pthread_cond_wait(&w->idle, &w->lock);
    pthread_mutex_unlock(&w->lock);
}

/* --- Start, stop, fork --------------------------------------------------- */

void bioInit(void) {
    /* The workers inherit the creating thread's signal mask: block every
     * signal but the synchronous faults while creating them, so that
     * SIGTERM, SIGINT and friends are delivered to the main thread only. */
    sigset_t blocked, saved;
    sigfillset(&blocked);
    sigdelset(&blocked, SIGSEGV);
    sigdelset(&blocked, SIGBUS);
    sigdelset(&blocked, SIGFPE);
    sigdelset(&blocked, SIGILL);
    sigdelset(&blocked, SIGABRT);
    pthread_sigmask(SIG_SETMASK, &blocked, &saved);
    for (int k = 0; k < BIO_NUM_KINDS; k++) {
        bioWorker *w = &workers[k];
        pthread_mutex_lock(&w->lock);
        if (!w->has_thread) {
            w->is_stopping = 0;
            w->is_running = 1;
            if (pthread_create(&w->tid, NULL, workerMain, w) == 0)
                w->has_thread = 1;
            else
                w->is_running = 0;
        }
        pthread_mutex_unlock(&w->lock);
    }
    pthread_sigmask(SIG_SETMASK, &saved, NULL);
}

int bioWorkersRunning(void) {
    int running = 0;
    for (int k = 0; k < BIO_NUM_KINDS; k++) {
        pthread_mutex_lock(&workers[k].lock);
        running += workers[k].is_running;
        pthread_mutex_unlock(&workers[k].lock);
    }
    return running;
}

void bioShutdown(void) {
    /* Every worker finishes its queue before it exits; one that has exited
     * runs later submissions inline, so a job handing work to a kind that
     * already stopped (close-after-fsync) still gets it done. */
    for (int k = 0; k < BIO_NUM_KINDS; k++) {
        bioWorker *w = &workers[k];
        pthread_mutex_lock(&w->lock);
        w->is_stopping = 1;
        pthread_cond_signal(&w->has_work);
        pthread_mutex_unlock(&w->lock);
    }
    for (int k = 0; k < BIO_NUM_KINDS; k++) {
        bioWorker *w = &workers[k];
        if (!w->has_thread) continue;
        pthread_join(w->tid, NULL);
        w->has_thread = 0;
    }
}

void bioAfterForkChild(void) {
    for (int k = 0; k < BIO_NUM_KINDS; k++) {
        bioWorker *w = &workers[k];
        /* The lock may have been held by a thread that does not exist here:
         * start from fresh objects rather than unlocking it. */
        pthread_mutex_init(&w->lock, NULL);
        pthread_cond_init(&w->has_work, NULL);
        pthread_cond_init(&w->idle, NULL);
        w->head = w->tail = NULL;
        w->is_running = 0;
        w->is_stopping = 0;
        w->has_thread = 0;
        atomic_store_explicit(&w->pending, 0, memory_order_relaxed);
        atomic_store_explicit(&w->processed, 0, memory_order_relaxed);
    }
    atomic_store_explicit(&last_fsync_errno, 0, memory_order_relaxed);
}
