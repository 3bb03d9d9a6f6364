/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Tests for bio.c (order per kind, ownership, drain, counters, close-file,
 * fsync status, shutdown, fork child, thread names and signal masks) and for
 * lazyfree.c (what goes to the worker, the counters, freeing a database).
 * Each case runs in its own process, so each starts with no workers running.
 */
#include "test.h"

#include "alloc.h"
#include "bio.h"
#include "dict.h"
#include "lazyfree.h"
#include "object.h"
#include "quicklist.h"
#include "str.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#if defined(__SANITIZE_THREAD__)
#define UNDER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define UNDER_TSAN 1
#endif
#endif
#ifndef UNDER_TSAN
#define UNDER_TSAN 0
#endif

#define JOBS_PER_KIND 2000

static void sleepMs(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int fdIsOpen(int fd) {
    return fcntl(fd, F_GETFD) != -1 || errno != EBADF;
}

/* --- Order, ownership, counters ------------------------------------------ */

typedef struct orderLog {
    int seen[JOBS_PER_KIND];
    int count; /* written by the kind's worker only */
} orderLog;

typedef struct orderJob {
    orderLog *log;
    int seq;
} orderJob;

/* The job owns its argument and frees it. */
static void recordOrder(void *arg) {
    orderJob *job = arg;
    job->log->seen[job->log->count++] = job->seq;
    lfree(job);
}

int test_bio_order_per_kind(void) {
    static orderLog logs[BIO_NUM_KINDS];
    bioInit();
    ASSERT_EQ(bioWorkersRunning(), BIO_NUM_KINDS);
    size_t before = allocCountedBytes();
    /* Interleave kinds so that every worker runs while the others do. */
    for (int i = 0; i < JOBS_PER_KIND; i++) {
        for (int k = 0; k < BIO_NUM_KINDS; k++) {
            orderJob *job = lmalloc(sizeof(*job));
            job->log = &logs[k];
            job->seq = i;
            bioSubmit((bioKind)k, recordOrder, job);
        }
    }
    for (int k = 0; k < BIO_NUM_KINDS; k++) {
        bioDrain((bioKind)k);
        ASSERT_EQ(bioPending((bioKind)k), 0);
        ASSERT_EQ(bioProcessed((bioKind)k), JOBS_PER_KIND);
        ASSERT_EQ(logs[k].count, JOBS_PER_KIND);
        for (int i = 0; i < JOBS_PER_KIND; i++)
            ASSERT_EQ(logs[k].seen[i], i);
    }
    /* Every job's argument and queue entry was freed (on the workers). */
    ASSERT_EQ(allocCountedBytes(), before);
    bioShutdown();
    return 0;
}

/* --- Drain and pending ---------------------------------------------------- */

static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cond = PTHREAD_COND_INITIALIZER;
static int gate_open;
static _Atomic int gated_done;

/* Waits until the test opens the gate: the worker is busy until then. */
static void gatedJob(void *arg) {
    (void)arg;
    pthread_mutex_lock(&gate_lock);
    while (!gate_open)
        pthread_cond_wait(&gate_cond, &gate_lock);
    pthread_mutex_unlock(&gate_lock);
    atomic_fetch_add(&gated_done, 1);
}

static void openGate(void) {
    pthread_mutex_lock(&gate_lock);
    gate_open = 1;
    pthread_cond_broadcast(&gate_cond);
    pthread_mutex_unlock(&gate_lock);
}

static void *openGateLater(void *arg) {
    (void)arg;
    sleepMs(50);
    openGate();
    return NULL;
}

int test_bio_drain_waits_for_running_job(void) {
    bioInit();
    bioSubmit(BIO_LAZY_FREE, gatedJob, NULL);
    bioSubmit(BIO_LAZY_FREE, gatedJob, NULL);
    /* Submitted and not finished: one running (blocked), one queued. */
    ASSERT_EQ(bioPending(BIO_LAZY_FREE), 2);
    ASSERT_EQ(bioProcessed(BIO_LAZY_FREE), 0);
    /* Other kinds are independent of the blocked one. */
    ASSERT_EQ(bioPending(BIO_CLOSE_FILE), 0);
    bioDrain(BIO_CLOSE_FILE);
    pthread_t opener;
    ASSERT_EQ(pthread_create(&opener, NULL, openGateLater, NULL), 0);
    bioDrain(BIO_LAZY_FREE);
    ASSERT_EQ(atomic_load(&gated_done), 2);
    ASSERT_EQ(bioPending(BIO_LAZY_FREE), 0);
    ASSERT_EQ(bioProcessed(BIO_LAZY_FREE), 2);
    pthread_join(opener, NULL);
    bioShutdown();
    return 0;
}

/* --- Inline execution when no worker runs --------------------------------- */

static _Atomic int inline_ran;
static pthread_t inline_thread;

static void noteInline(void *arg) {
    (void)arg;
    inline_thread = pthread_self();
    atomic_fetch_add(&inline_ran, 1);
}

int test_bio_inline_without_workers(void) {
    /* Before bioInit: the job runs at once, on the caller. */
    bioSubmit(BIO_RDB_COMPRESS, noteInline, NULL);
    ASSERT_EQ(atomic_load(&inline_ran), 1);
    ASSERT(pthread_equal(inline_thread, pthread_self()));
    ASSERT_EQ(bioPending(BIO_RDB_COMPRESS), 0);
    ASSERT_EQ(bioProcessed(BIO_RDB_COMPRESS), 1);
    bioDrain(BIO_RDB_COMPRESS); /* returns at once */
    ASSERT_EQ(bioWorkersRunning(), 0);
    return 0;
}

int test_bio_shutdown_runs_queued_jobs(void) {
    gate_open = 0;
    atomic_store(&gated_done, 0);
    bioInit();
    for (int i = 0; i < 5; i++)
        bioSubmit(BIO_AOF_FSYNC, gatedJob, NULL);
    pthread_t opener;
    ASSERT_EQ(pthread_create(&opener, NULL, openGateLater, NULL), 0);
    bioShutdown();
    ASSERT_EQ(atomic_load(&gated_done), 5);
    ASSERT_EQ(bioProcessed(BIO_AOF_FSYNC), 5);
    ASSERT_EQ(bioWorkersRunning(), 0);
    pthread_join(opener, NULL);
    /* After shutdown, submissions run inline. */
    bioSubmit(BIO_AOF_FSYNC, noteInline, NULL);
    ASSERT_EQ(atomic_load(&inline_ran), 1);
    /* And the workers can be started again. */
    bioInit();
    ASSERT_EQ(bioWorkersRunning(), BIO_NUM_KINDS);
    bioSubmit(BIO_AOF_FSYNC, noteInline, NULL);
    bioDrain(BIO_AOF_FSYNC);
    ASSERT_EQ(atomic_load(&inline_ran), 2);
    ASSERT(!pthread_equal(inline_thread, pthread_self()));
    bioShutdown();
    return 0;
}

/* --- Files ---------------------------------------------------------------- */

int test_bio_close_file(void) {
    int p[2];
    ASSERT_EQ(pipe(p), 0);
    bioInit();
    bioCloseFile(p[1]);
    bioDrain(BIO_CLOSE_FILE);
    ASSERT(!fdIsOpen(p[1]));
    char b;
    ASSERT_EQ(read(p[0], &b, 1), 0); /* the only write end is closed: EOF */
    ASSERT_EQ(bioProcessed(BIO_CLOSE_FILE), 1);
    close(p[0]);
    bioShutdown();
    return 0;
}

int test_bio_fsync_status(void) {
    char path[] = "/tmp/loom-test-bio-XXXXXX";
    int fd = mkstemp(path);
    ASSERT(fd >= 0);
    unlink(path);
    ASSERT_EQ(write(fd, "data", 4), 4);
    bioInit();
    ASSERT_EQ(bioLastFsyncErrno(), 0);
    bioFsync(-1); /* fails: EBADF is recorded */
    bioDrain(BIO_AOF_FSYNC);
    ASSERT_EQ(bioLastFsyncErrno(), EBADF);
    bioFsync(fd); /* a later success clears it */
    bioDrain(BIO_AOF_FSYNC);
    ASSERT_EQ(bioLastFsyncErrno(), 0);
    ASSERT_EQ(bioProcessed(BIO_AOF_FSYNC), 2);
    close(fd);
    bioShutdown();
    return 0;
}

int test_bio_close_after_fsync_keeps_order(void) {
    gate_open = 0;
    char path[] = "/tmp/loom-test-bio-XXXXXX";
    int fd = mkstemp(path);
    ASSERT(fd >= 0);
    unlink(path);
    bioInit();
    /* A slow job ahead on the fsync queue: the fsync and the close wait. */
    bioSubmit(BIO_AOF_FSYNC, gatedJob, NULL);
    bioFsync(fd);
    bioCloseFileAfterFsync(fd);
    sleepMs(20);
    ASSERT(fdIsOpen(fd)); /* the close-file worker is idle, yet it has not closed it */
    openGate();
    bioDrain(BIO_AOF_FSYNC);
    bioDrain(BIO_CLOSE_FILE);
    ASSERT_EQ(bioLastFsyncErrno(), 0); /* the fsync saw an open fd */
    ASSERT(!fdIsOpen(fd));
    ASSERT_EQ(bioProcessed(BIO_CLOSE_FILE), 1);
    bioShutdown();
    return 0;
}

/* --- Threads: names, signals, fork ---------------------------------------- */

int test_bio_thread_names(void) {
    bioInit();
    static const char *const want[] = {"bio_close_file", "bio_aof_fsync", "bio_lazy_free",
                                       "bio_rdbcompress"};
    int found[4] = {0};
    /* A name is set by the thread itself; give them a moment. */
    for (int tries = 0; tries < 100; tries++) {
        DIR *dir = opendir("/proc/self/task");
        ASSERT(dir != NULL);
        struct dirent *de;
        while ((de = readdir(dir))) {
            if (de->d_name[0] == '.') continue;
            char path[300], comm[32] = {0};
            snprintf(path, sizeof(path), "/proc/self/task/%s/comm", de->d_name);
            FILE *fp = fopen(path, "r");
            if (!fp) continue;
            if (fgets(comm, sizeof(comm), fp)) comm[strcspn(comm, "\n")] = '\0';
            fclose(fp);
            for (int k = 0; k < 4; k++)
                if (!strcmp(comm, want[k])) found[k] = 1;
        }
        closedir(dir);
        if (found[0] && found[1] && found[2] && found[3]) break;
        sleepMs(10);
    }
    for (int k = 0; k < 4; k++)
        ASSERT(found[k]);
    bioShutdown();
    return 0;
}

static _Atomic int term_blocked, segv_blocked;

static void readSignalMask(void *arg) {
    (void)arg;
    sigset_t cur;
    pthread_sigmask(SIG_BLOCK, NULL, &cur);
    atomic_store(&term_blocked, sigismember(&cur, SIGTERM) + 10 * sigismember(&cur, SIGINT));
    atomic_store(&segv_blocked, sigismember(&cur, SIGSEGV));
}

int test_bio_signals_blocked(void) {
    bioInit();
    bioSubmit(BIO_CLOSE_FILE, readSignalMask, NULL);
    bioDrain(BIO_CLOSE_FILE);
    ASSERT_EQ(atomic_load(&term_blocked), 11);
    ASSERT_EQ(atomic_load(&segv_blocked), 0);
    /* The caller's own mask is unchanged. */
    sigset_t cur;
    pthread_sigmask(SIG_BLOCK, NULL, &cur);
    ASSERT_EQ(sigismember(&cur, SIGTERM), 0);
    bioShutdown();
    return 0;
}

static _Atomic int worker_nice = -100;

static void readNice(void *arg) {
    (void)arg;
    errno = 0;
    atomic_store(&worker_nice, getpriority(PRIO_PROCESS, (id_t)gettid()));
}

int test_bio_lazy_free_worker_is_niced(void) {
    bioInit();
    bioSubmit(BIO_LAZY_FREE, readNice, NULL);
    bioDrain(BIO_LAZY_FREE);
    ASSERT_EQ(atomic_load(&worker_nice), 10);
    bioSubmit(BIO_AOF_FSYNC, readNice, NULL); /* I/O-bound kinds keep the default */
    bioDrain(BIO_AOF_FSYNC);
    ASSERT_EQ(atomic_load(&worker_nice), getpriority(PRIO_PROCESS, 0));
    bioShutdown();
    return 0;
}

static int checkForkChild(void) {
    bioAfterForkChild();
    ASSERT_EQ(bioWorkersRunning(), 0);
    ASSERT_EQ(bioPending(BIO_LAZY_FREE), 0);
    ASSERT_EQ(bioProcessed(BIO_LAZY_FREE), 0);
    bioSubmit(BIO_LAZY_FREE, noteInline, NULL); /* inline: no worker here */
    ASSERT_EQ(atomic_load(&inline_ran), 1);
    ASSERT(pthread_equal(inline_thread, pthread_self()));
    bioDrain(BIO_LAZY_FREE);
    /* TSan does not support starting threads after a multi-threaded fork. */
    if (!UNDER_TSAN) {
        bioInit();
        ASSERT_EQ(bioWorkersRunning(), BIO_NUM_KINDS);
        bioSubmit(BIO_LAZY_FREE, noteInline, NULL);
        bioDrain(BIO_LAZY_FREE);
        ASSERT_EQ(atomic_load(&inline_ran), 2);
        bioShutdown();
    }
    return 0;
}

static void doNothing(void *arg) {
    (void)arg;
}

int test_bio_after_fork_child(void) {
    gate_open = 0;
    bioInit();
    /* Let every worker finish starting up first: ASan's allocator does not
     * survive a fork taken while another thread is inside it. */
    for (int k = 0; k < BIO_NUM_KINDS; k++) {
        bioSubmit((bioKind)k, doNothing, NULL);
        bioDrain((bioKind)k);
    }
    /* The parent's worker is busy and holds a queued job at the fork. */
    bioSubmit(BIO_LAZY_FREE, gatedJob, NULL);
    bioSubmit(BIO_LAZY_FREE, gatedJob, NULL);
    sleepMs(10); /* the worker is now waiting inside the first job */
    fflush(NULL);
    pid_t pid = fork();
    ASSERT(pid >= 0);
    if (pid == 0) _exit(checkForkChild());
    int status;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT(WIFEXITED(status));
    ASSERT_EQ(WEXITSTATUS(status), 0);
    openGate();
    bioDrain(BIO_LAZY_FREE);
    ASSERT_EQ(atomic_load(&gated_done), 2);
    ASSERT_EQ(bioProcessed(BIO_LAZY_FREE), 3); /* the child's counts stayed there */
    bioShutdown();
    return 0;
}

/* --- Lazy free ------------------------------------------------------------- */

static obj *newHashtableSet(int members) {
    dict *d = dictCreate(&objSetDictType);
    char buf[32];
    for (int i = 0; i < members; i++) {
        int n = snprintf(buf, sizeof(buf), "member:%d", i);
        dictAdd(d, strNewLen(buf, (size_t)n), NULL);
    }
    return objCreateEncoded(OBJ_SET, OBJ_ENC_HT, d);
}

int test_bio_lazyfree_effort(void) {
    objInit();
    obj *small = newHashtableSet(LAZYFREE_THRESHOLD);
    obj *big = newHashtableSet(LAZYFREE_THRESHOLD + 1);
    obj *s = objCreateString("hello", 5);
    obj *l = objCreateList(-2, 0);
    for (int i = 0; i < 100000; i++)
        quicklistPush(l->ptr, "xxxxxxxxxxxxxxxx", 16, 1);
    ASSERT_EQ(lazyfreeEffort(small), LAZYFREE_THRESHOLD);
    ASSERT_EQ(lazyfreeEffort(big), LAZYFREE_THRESHOLD + 1);
    ASSERT_EQ(lazyfreeEffort(s), 1);
    ASSERT_EQ(lazyfreeEffort(l), quicklistNodeCount(l->ptr)); /* nodes, not elements */
    ASSERT_GT(lazyfreeEffort(l), LAZYFREE_THRESHOLD);
    objDecrRef(small);
    objDecrRef(big);
    objDecrRef(s);
    objDecrRef(l);
    return 0;
}

int test_bio_lazyfree_object(void) {
    objInit();
    bioInit();
    size_t before = allocCountedBytes();
    obj *big = newHashtableSet(1000);
    obj *small = newHashtableSet(10);
    obj *shared = newHashtableSet(1000);
    objIncrRef(shared); /* two references: never handed over */

    lazyfreeFreeObject(small); /* cheap: freed now */
    ASSERT_EQ(lazyfreedObjects(), 0);
    ASSERT_EQ(bioProcessed(BIO_LAZY_FREE), 0);
    lazyfreeFreeObject(shared);
    ASSERT_EQ(shared->refcount, 1);
    ASSERT_EQ(bioProcessed(BIO_LAZY_FREE), 0);

    lazyfreeFreeObject(big);
    bioDrain(BIO_LAZY_FREE);
    ASSERT_EQ(lazyfreePendingObjects(), 0);
    ASSERT_EQ(lazyfreedObjects(), 1);
    ASSERT_EQ(bioProcessed(BIO_LAZY_FREE), 1);

    lazyfreeFreeObject(shared); /* now the last reference: lazy */
    bioDrain(BIO_LAZY_FREE);
    ASSERT_EQ(lazyfreedObjects(), 2);
    /* Bytes freed on the worker are subtracted from the same total. */
    ASSERT_EQ(allocCountedBytes(), before);
    lazyfreeResetStats();
    ASSERT_EQ(lazyfreedObjects(), 0);
    bioShutdown();
    return 0;
}

static void freeObjectValue(void *val) {
    objDecrRef(val);
}

int test_bio_lazyfree_database(void) {
    static const dictType keys_type = {.owns_keys = 1, .free_val = freeObjectValue};
    static const dictType expires_type = {.owns_keys = 0, .free_val = NULL};
    objInit();
    bioInit();
    size_t before = allocCountedBytes();
    dict *keys = dictCreate(&keys_type);
    dict *expires = dictCreate(&expires_type);
    char buf[32];
    for (int i = 0; i < 5000; i++) {
        int n = snprintf(buf, sizeof(buf), "key:%d", i);
        obj *val = i % 2 ? objCreateStringFromLongLong(i % 100) /* shared */
                         : newHashtableSet(i % 200);
        dictEntry *de = dictAddRaw(keys, strNewLen(buf, (size_t)n), NULL);
        de->v.val = val;
        /* The expiry table shares the key strings. */
        if (i % 3 == 0) dictAddRaw(expires, de->key, NULL)->v.s64 = i;
    }
    gate_open = 0;
    bioSubmit(BIO_LAZY_FREE, gatedJob, NULL); /* hold the worker */
    lazyfreeFreeDatabase(keys, expires);
    ASSERT_EQ(lazyfreePendingObjects(), 5000);
    openGate();
    bioDrain(BIO_LAZY_FREE);
    ASSERT_EQ(lazyfreePendingObjects(), 0);
    ASSERT_EQ(lazyfreedObjects(), 5000);
    ASSERT_EQ(allocCountedBytes(), before);
    bioShutdown();
    return 0;
}
