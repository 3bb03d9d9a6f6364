/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The log: level filter, destination and line format. The level and role are
 * atomics because I/O threads log too; the destination is set at start-up
 * before any thread exists and never changes afterwards.
 */
#include "log.h"

#include <execinfo.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static int log_fd = STDOUT_FILENO;
static _Atomic int log_level = LL_NOTICE;
static _Atomic char log_role = 'M';

int logOpen(const char *path) {
    if (!path || !path[0]) {
        log_fd = STDOUT_FILENO;
        return 0;
    }
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return -1;
    if (log_fd != STDOUT_FILENO) close(log_fd);
    log_fd = fd;
    return 0;
}

void logSetLevel(int level) { atomic_store_explicit(&log_level, level, memory_order_relaxed); }
int logGetLevel(void) { return atomic_load_explicit(&log_level, memory_order_relaxed); }
void logSetRole(char role) { atomic_store_explicit(&log_role, role, memory_order_relaxed); }

void serverLog(int level, const char *fmt, ...) {
    if (level < logGetLevel()) return;
    static const char marks[] = ".-*#";
    char line[1024];
    struct timeval tv;
    struct tm tm;
    gettimeofday(&tv, NULL);
    localtime_r(&tv.tv_sec, &tm);
    int n = snprintf(line, sizeof(line), "%d:%c ", (int)getpid(),
                     atomic_load_explicit(&log_role, memory_order_relaxed));
    n += (int)strftime(line + n, sizeof(line) - n, "%d %b %Y %H:%M:%S", &tm);
    n += snprintf(line + n, sizeof(line) - n, ".%03d %c ", (int)(tv.tv_usec / 1000),
                  marks[level < 0 || level > LL_WARNING ? LL_WARNING : level]);
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
    va_end(ap);
    if (m < 0) m = 0;
    n += m;
    if (n > (int)sizeof(line) - 2) n = (int)sizeof(line) - 2;
    line[n++] = '\n';
    ssize_t ignored = write(log_fd, line, (size_t)n);
    (void)ignored;
}

void logBacktrace(void) {
    void *frames[64];
    int count = backtrace(frames, 64);
    serverLog(LL_WARNING, "------ STACK TRACE ------");
    backtrace_symbols_fd(frames, count, log_fd);
}
