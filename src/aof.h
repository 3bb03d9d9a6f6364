/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The append-only file on the server side: commands that changed the keyspace
 * are appended to a buffer as they run (aofFeed), written to the current
 * increment file just before the event loop sleeps and before any reply
 * goes out (aofBeforeSleep), and fsynced per `appendfsync`: `always` on the
 * main thread before replies are written, `everysec` on the aof-fsync BIO
 * thread, `no` by the kernel. BGREWRITEAOF forks a child that writes a new
 * base from its snapshot while the parent logs to a fresh increment file;
 * when the child succeeds the manifest (aof_file.h) switches to the new base
 * and the files it replaces are deleted. Start-up replays base and
 * increments. Main thread only.
 */
#ifndef LOOM_AOF_H
#define LOOM_AOF_H

#include "str.h"

#include <stddef.h>

/* appendfsync */
enum { AOF_FSYNC_NO, AOF_FSYNC_ALWAYS, AOF_FSYNC_EVERYSEC };

/* True when changes must be fed (appendonly on, or its first base being
 * written). */
int aofIsFeeding(void);
/* The buffer to append RESP-encoded commands of database dbid to (a SELECT
 * is added first when the previous command was for another database). Only
 * while aofIsFeeding(); the pointer is valid until the command returns. */
str *aofBufferFor(int dbid);

/* True when writable events must be installed with AE_BARRIER (appendfsync
 * always: a reply may not leave before beforeSleep logged its command). */
int aofNeedsWriteBarrier(void);
/* Writes the buffer and fsyncs as the policy says; before replies go out. */
void aofBeforeSleep(void);
/* Once per cron tick: everysec fsync, retrying failed writes, automatic
 * rewrites, a rewrite scheduled behind a running BGSAVE. */
void aofCron(void);

/* Start-up: with appendonly yes, loads the AOF (exits with a log line when it
 * is corrupt), or creates it. Returns 1 if the AOF was the data source (the
 * RDB must not be loaded), else 0. */
int aofLoadAtStartup(void);
/* Shutdown: writes and fsyncs what is buffered; kills a rewrite child. */
void aofShutdown(void);

/* Starts BGREWRITEAOF. Returns 0, or -1 with a reason in err. */
int aofRewriteBackground(char *err, size_t errlen);

/* True, with Redis's error text, when a failed AOF write refuses writes. */
int aofWritesRefused(const char **msg);

/* CONFIG SET appendonly: starts or stops the AOF to match server.aof_enabled. */
int aofApplyEnabled(const char **err);

/* The AOF fields of INFO persistence. */
str aofInfo(str s);

#endif
