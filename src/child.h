/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The fork child: the server runs at most one at a time, writing either an
 * RDB snapshot (BGSAVE) or an AOF base (BGREWRITEAOF) from its copy-on-write
 * image of the keyspace. This module forks, prepares the child (its role in
 * the log, listeners closed, default signal dispositions), reaps it from the
 * cron, and tells the owner how it ended. While a child runs, the keyspace's
 * hash tables do not resize, which keeps copy-on-write small. Main thread
 * only.
 */
#ifndef LOOM_CHILD_H
#define LOOM_CHILD_H

#include <sys/types.h>

typedef enum { CHILD_NONE, CHILD_RDB, CHILD_AOF } childKind;

/* How a child ended: ok when it exited with status 0; killed when it died
 * by a signal (killed_by_us: the parent's own childKill). */
typedef struct childResult {
    int ok;
    int killed;
    int killed_by_us;
    int exit_code;
    int signal;
    long long cow_bytes;  /* memory the child's writes copied (Private_Dirty), 0 unknown */
    long long elapsed_ms; /* from fork to reaping */
} childResult;

typedef void childDoneFn(pid_t pid, const childResult *res);

/* Forks a child of `kind`. Returns 0 in the child, the child's pid in the
 * parent, or -1 with errno (fork failed, or a child already runs: EBUSY).
 * `done` runs on the main thread once the child has been reaped. */
pid_t childStart(childKind kind, childDoneFn *done);

childKind childActive(void);
pid_t childPid(void);
/* Seconds since the running child started (-1: none). */
long long childElapsedSeconds(void);

/* Reaps a finished child and calls its done function (cron). */
void childCheckDone(void);
/* Kills the running child with SIGUSR1 and waits for it; done is called. */
void childKill(void);

/* For the child itself: reports its copy-on-write size to the parent and
 * exits at once, without running atexit handlers or flushing stdio buffers
 * inherited from the parent. */
void childExit(int code) __attribute__((noreturn));

#endif
