/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Logging in Redis's line format: "pid:role dd Mon yyyy hh:mm:ss.mmm L message",
 * where L is '.' debug, '-' verbose, '*' notice, '#' warning. Lines go to the log
 * file, or to stdout when none is set. Any thread may log: each line is written
 * with one write(2) on an O_APPEND descriptor.
 */
#ifndef LOOM_LOG_H
#define LOOM_LOG_H

enum { LL_DEBUG = 0, LL_VERBOSE, LL_NOTICE, LL_WARNING, LL_NOTHING };

/* Opens `path` for appending ("" or NULL: stdout). Returns 0, or -1 with errno;
 * on failure the previous destination stays. Main thread, at start-up. */
int logOpen(const char *path);
void logSetLevel(int level);
int logGetLevel(void);
/* The role letter: 'M' for the server, 'C' in a fork child. */
void logSetRole(char role);

void serverLog(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Logs the current thread's stack (after a failed assertion or a crash). */
void logBacktrace(void);

#endif
