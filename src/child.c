/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Forking and reaping the server's one child (see child.h). Fork statistics
 * (INFO latest_fork_usec, total_forks) are kept in `server`.
 */
#include "child.h"

#include "bio.h"
#include "dict.h"
#include "log.h"
#include "server.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static struct {
    childKind kind;
    pid_t pid;
    long long start_ms;
    childDoneFn *done;
    int report_fd; /* parent: read end of the child's report pipe; child: write end */
} child = {CHILD_NONE, -1, 0, NULL, -1};

/* In the child: nothing of the parent's serving survives. */
static void prepareChild(void) {
    logSetRole('C');
    bioAfterForkChild();
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    signal(SIGUSR1, SIG_DFL);
    for (int i = 0; i < server.listener_count; i++)
        close(server.listeners[i].fd);
}

pid_t childStart(childKind kind, childDoneFn *done) {
    if (child.kind != CHILD_NONE) {
        errno = EBUSY;
        return -1;
    }
    int report[2];
    if (pipe2(report, O_CLOEXEC | O_NONBLOCK) < 0) return -1;
    long long start = ustime();
    pid_t pid = fork();
    if (pid == 0) {
        prepareChild();
        close(report[0]);
        child.report_fd = report[1];
        return 0;
    }
    close(report[1]);
    if (pid < 0) {
        int saved = errno;
        close(report[0]);
        errno = saved;
        return -1;
    }
    child.report_fd = report[0];
    dictSetResizeEnabled(0);
    server.stat_fork_time_us = ustime() - start;
    server.stat_total_forks++;
    child.kind = kind;
    child.pid = pid;
    child.start_ms = mstime();
    child.done = done;
    return pid;
}

childKind childActive(void) {
    return child.kind;
}
pid_t childPid(void) {
    return child.pid;
}

long long childElapsedSeconds(void) {
    return child.kind == CHILD_NONE ? -1 : (mstime() - child.start_ms) / 1000;
}

/* The child's report: its copy-on-write bytes, 0 when it sent none. */
static long long readReport(void) {
    long long cow = 0;
    if (read(child.report_fd, &cow, sizeof(cow)) != (ssize_t)sizeof(cow)) cow = 0;
    close(child.report_fd);
    child.report_fd = -1;
    return cow;
}

static void finish(int status, int killed_by_us) {
    childResult res = {0};
    res.cow_bytes = readReport();
    res.elapsed_ms = mstime() - child.start_ms;
    dictSetResizeEnabled(1);
    if (WIFEXITED(status)) {
        res.exit_code = WEXITSTATUS(status);
        res.ok = res.exit_code == 0;
    } else if (WIFSIGNALED(status)) {
        res.killed = 1;
        res.signal = WTERMSIG(status);
        res.killed_by_us = killed_by_us || res.signal == SIGUSR1;
    }
    pid_t pid = child.pid;
    childDoneFn *done = child.done;
    child.kind = CHILD_NONE;
    child.pid = -1;
    child.done = NULL;
    if (done) done(pid, &res);
}

void childCheckDone(void) {
    if (child.kind == CHILD_NONE) return;
    int status;
    pid_t pid = waitpid(child.pid, &status, WNOHANG);
    if (pid == child.pid) finish(status, 0);
}

void childKill(void) {
    if (child.kind == CHILD_NONE) return;
    kill(child.pid, SIGUSR1);
    int status;
    while (waitpid(child.pid, &status, 0) < 0 && errno == EINTR) {
    }
    finish(status, 1);
}

void childExit(int code) {
    _exit(code);
}
