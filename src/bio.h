/* SPDX-License-Identifier: BSD-3-Clause
 *
 * BIO: background workers for slow work that must stay off the main thread
 * (closing files, fsync, freeing large values, compressing RDB data). One
 * thread per job kind, each with its own FIFO queue, so a slow fsync never
 * delays a lazy free. A job is a function and an argument handed over with
 * ownership: once submitted, the submitter must not touch the argument again.
 *
 * Submission and the counters may be used from any thread (a job may submit a
 * job of another kind). bioInit, bioShutdown and bioAfterForkChild belong to
 * the thread that owns the process's start-up and exit (the main thread).
 * While the workers are not running (before bioInit, after bioShutdown, in a
 * fork child after bioAfterForkChild) a submitted job runs at once on the
 * submitting thread, so callers need no second code path.
 */
#ifndef LOOM_BIO_H
#define LOOM_BIO_H

typedef enum {
    BIO_CLOSE_FILE,
    BIO_AOF_FSYNC,
    BIO_LAZY_FREE,
    BIO_RDB_COMPRESS,
    BIO_NUM_KINDS
} bioKind;

typedef void bioJobFn(void *arg);

/* Starts one worker per kind, with every signal but the synchronous fault
 * signals blocked and the thread named after its kind ("bio_close_file").
 * A kind whose thread cannot be started keeps running its jobs inline:
 * bioWorkersRunning tells the caller, which decides whether to warn. */
void bioInit(void);
/* How many kinds have a running worker (BIO_NUM_KINDS after a good bioInit). */
int bioWorkersRunning(void);

/* Queues fn(arg) on kind's worker; jobs of one kind run one at a time, in
 * submission order. arg belongs to the job from now on. Never fails (the
 * queue entry comes from lmalloc, which aborts on out-of-memory). */
void bioSubmit(bioKind kind, bioJobFn *fn, void *arg);

/* close(fd) on the close-file worker: the last close of a large, unlinked file
 * frees its blocks, which can take long. */
void bioCloseFile(int fd);

/* fdatasync(fd) (fsync where fdatasync is missing) on the aof-fsync worker;
 * the outcome is what bioLastFsyncErrno reports.
 *
 * Ordering rule: the fd must stay open until the fsync ran. Queues are
 * independent, so closing it with bioCloseFile right away could close it
 * first (and a new file could even take the number). Either call
 * bioDrain(BIO_AOF_FSYNC) before closing it, or close it with
 * bioCloseFileAfterFsync, which never blocks the caller. */
void bioFsync(int fd);

/* Closes fd on the close-file worker once every fsync queued before this
 * call has run: the close is queued behind them on the aof-fsync queue, and
 * that job hands it to the close-file queue. */
void bioCloseFileAfterFsync(int fd);

/* 0 when the last background fsync succeeded (or none ran yet), else its
 * errno. Any thread. */
int bioLastFsyncErrno(void);

/* Blocks until every job of kind submitted before the call has finished.
 * Returns at once when the workers are not running. */
void bioDrain(bioKind kind);

/* Jobs submitted and not yet finished, and jobs finished since start-up.
 * Atomic reads: any thread, no lock. */
unsigned long long bioPending(bioKind kind);
unsigned long long bioProcessed(bioKind kind);

/* "close_file", "aof_fsync", "lazy_free", "rdb_compress" (INFO field suffixes). */
const char *bioKindName(bioKind kind);

/* Runs every queued job, then stops and joins the workers. Jobs submitted
 * afterwards run inline. For server exit. */
void bioShutdown(void);

/* In a fork child: the workers did not survive the fork. Forgets the queued
 * jobs (they belong to the parent's workers; their memory is left to the
 * child's exit), resets the locks and counters, and switches to inline
 * execution; the child may call bioInit again. */
void bioAfterForkChild(void);

#endif
