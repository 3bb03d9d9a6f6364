/* SPDX-License-Identifier: BSD-3-Clause
 *
 * SAVE, BGSAVE, LASTSAVE, save points and the start-up load. A background
 * save forks (child.c): the child writes temp-<pid>.rdb in `dir`, fsyncs it
 * and exits 0 or 1; once it is reaped the parent, on success only, renames
 * the file over dbfilename, so dump.rdb is always a whole snapshot. Main
 * thread only.
 */
#include "snapshot.h"

#include "child.h"
#include "command.h"
#include "dict.h"
#include "log.h"
#include "rdb.h"
#include "reply.h"
#include "server.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A failed BGSAVE is retried by save points only after this long. */
#define BGSAVE_RETRY_DELAY_S 5

static void tempFileName(char *buf, size_t len, pid_t pid) {
    snprintf(buf, len, "temp-%d.rdb", (int)pid);
}

rdbSaveInfo snapshotSaveInfo(void) {
    rdbSaveInfo info = {.compression = server.rdb_compression,
                        .checksum = server.rdb_checksum,
                        .redis_ver = LOOM_REDIS_VERSION,
                        .loom_ver = LOOM_VERSION,
                        .key_save_delay_us = server.rdb_key_save_delay};
    return info;
}

rdbLoadLimits snapshotLoadLimits(void) {
    rdbLoadLimits lim = {
        .list_max_listpack_size = server.list_max_listpack_size,
        .list_compress_depth = server.list_compress_depth,
        .hash_max_listpack_entries = server.hash_max_listpack_entries,
        .hash_max_listpack_value = server.hash_max_listpack_value,
        .set_max_intset_entries = server.set_max_intset_entries,
        .set_max_listpack_entries = server.set_max_listpack_entries,
        .set_max_listpack_value = server.set_max_listpack_value,
        .zset_max_listpack_entries = server.zset_max_listpack_entries,
        .zset_max_listpack_value = server.zset_max_listpack_value,
    };
    return lim;
}

int snapshotHasSavePoints(void) {
    return server.save_params_count > 0;
}

int snapshotWritesRefused(void) {
    return server.stop_writes_on_bgsave_err && snapshotHasSavePoints() &&
           !server.rdb_last_bgsave_ok;
}

int snapshotSaveNow(void) {
    char err[256];
    if (childActive() == CHILD_RDB) {
        serverLog(LL_WARNING, "Background save already in progress");
        return -1;
    }
    long long start = ustime();
    rdbSaveInfo info = snapshotSaveInfo();
    if (rdbSaveFile(server.rdb_filename, server.dbs, server.dbnum, &info, err, sizeof(err)) < 0) {
        serverLog(LL_WARNING, "Error saving DB on disk: %s", err);
        return -1;
    }
    serverLog(LL_NOTICE, "DB saved on disk");
    server.dirty = 0;
    server.lastsave = time(NULL);
    server.rdb_last_bgsave_ok = 1;
    server.rdb_saves++;
    serverLog(LL_VERBOSE, "SAVE took %lld ms", (ustime() - start) / 1000);
    return 0;
}

/* The BGSAVE child: writes temp-<pid>.rdb and exits 0 or 1. */
static void childMain(void) {
    char tmp[64], err[256] = "";
    tempFileName(tmp, sizeof(tmp), getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        char cwd[1024];
        if (!getcwd(cwd, sizeof(cwd))) snprintf(cwd, sizeof(cwd), "unknown");
        serverLog(LL_WARNING,
                  "Failed opening the temp RDB file %s (in server root dir %s) for saving: %s", tmp,
                  cwd, strerror(errno));
        childExit(1);
    }
    rdbSaveInfo info = snapshotSaveInfo();
    int rc = rdbSaveToFd(fd, server.dbs, server.dbnum, &info, err, sizeof(err));
    if (rc == 0 && fsync(fd) < 0) {
        snprintf(err, sizeof(err), "fsync: %s", strerror(errno));
        rc = -1;
    }
    if (close(fd) < 0 && rc == 0) {
        snprintf(err, sizeof(err), "close: %s", strerror(errno));
        rc = -1;
    }
    if (rc < 0) {
        serverLog(LL_WARNING, "Write error saving DB on disk: %s", err);
        childExit(1);
    }
    serverLog(LL_NOTICE, "DB saved on disk");
    childExit(0);
}

static void bgsaveDone(pid_t pid, const childResult *res) {
    char tmp[64];
    tempFileName(tmp, sizeof(tmp), pid);
    int ok = res->ok;
    if (ok && rename(tmp, server.rdb_filename) < 0) {
        serverLog(LL_WARNING, "Error moving temp DB file %s on the final destination %s: %s", tmp,
                  server.rdb_filename, strerror(errno));
        ok = 0;
    }
    server.rdb_last_save_duration_s = res->elapsed_ms / 1000;
    if (ok) {
        serverLog(LL_NOTICE, "Background saving terminated with success");
        server.dirty -= server.dirty_before_bgsave;
        server.lastsave = time(NULL);
        server.rdb_saves++;
        server.rdb_last_cow_bytes = res->cow_bytes;
        if (res->cow_bytes)
            serverLog(LL_NOTICE, "Fork CoW for RDB: current %lld MB", res->cow_bytes >> 20);
    } else if (res->killed_by_us) {
        /* Stopped on purpose (shutdown, FLUSHALL): not a failure. */
        serverLog(LL_WARNING, "Background saving terminated by signal %d", res->signal);
        unlink(tmp);
        return;
    } else {
        serverLog(LL_WARNING, "Background saving error");
        unlink(tmp);
    }
    server.rdb_last_bgsave_ok = ok;
}

int snapshotBackgroundSave(void) {
    if (childActive() != CHILD_NONE) return -1;
    server.dirty_before_bgsave = server.dirty;
    server.lastbgsave_try = time(NULL);
    server.rdb_bgsave_scheduled = 0;
    pid_t pid = childStart(CHILD_RDB, bgsaveDone);
    if (pid == 0) childMain();
    if (pid < 0) {
        server.rdb_last_bgsave_ok = 0;
        serverLog(LL_WARNING, "Can't save in background: fork: %s", strerror(errno));
        return -1;
    }
    serverLog(LL_NOTICE, "Background saving started by pid %d", (int)pid);
    return 0;
}

void snapshotStopChild(void) {
    if (childActive() == CHILD_RDB) childKill();
}

void snapshotCron(void) {
    if (childActive() != CHILD_NONE) return;
    if (server.rdb_bgsave_scheduled) {
        snapshotBackgroundSave();
        return;
    }
    time_t now = time(NULL);
    for (int i = 0; i < server.save_params_count; i++) {
        const saveParam *sp = &server.save_params[i];
        /* After a failure, retry only after a delay, as Redis does. */
        if (server.dirty >= sp->changes && now - server.lastsave > sp->seconds &&
            (server.rdb_last_bgsave_ok || now - server.lastbgsave_try > BGSAVE_RETRY_DELAY_S)) {
            serverLog(LL_NOTICE, "%d changes in %d seconds. Saving...", sp->changes,
                      (int)sp->seconds);
            snapshotBackgroundSave();
            return;
        }
    }
}

/* Logs loading progress at most once a second (the parser reports every 2 MB). */
static void loadProgress(void *ctx, long long pos, long long total) {
    long long *last_log_us = ctx;
    long long now = ustime();
    if (now - *last_log_us < 1000000) return;
    *last_log_us = now;
    serverLog(LL_NOTICE, "Loading RDB: %lld of %lld bytes (%d%%)", pos, total,
              total ? (int)(pos * 100 / total) : 100);
}

int snapshotLoad(void) {
    struct stat st;
    if (stat(server.rdb_filename, &st) < 0) return 0;
    long long start = ustime(), last_log_us = start;
    rdbLoadStats stats;
    char err[320];
    server.loading = 1;
    rdbLoadLimits lim = snapshotLoadLimits();
    int rc = rdbLoadFile(server.rdb_filename, server.dbs, server.dbnum, &lim, &stats, loadProgress,
                         &last_log_us, err, sizeof(err));
    server.loading = 0;
    if (rc < 0) {
        serverLog(LL_WARNING, "Fatal error loading the DB (%s): %s", server.rdb_filename, err);
        return -1;
    }
    server.rdb_last_load_keys_loaded = stats.keys;
    server.rdb_last_load_keys_expired = stats.expired_skipped;
    if (stats.redis_ver[0])
        serverLog(LL_NOTICE, "Loading RDB produced by version %s", stats.redis_ver);
    if (stats.ctime >= 0)
        serverLog(LL_NOTICE, "RDB age %lld seconds", (long long)time(NULL) - stats.ctime);
    if (stats.functions_skipped)
        serverLog(LL_WARNING, "Skipped %lld function libraries (loom has no functions)",
                  stats.functions_skipped);
    serverLog(LL_NOTICE, "Done loading RDB, keys loaded: %lld, keys expired: %lld.", stats.keys,
              stats.expired_skipped);
    serverLog(LL_NOTICE, "DB loaded from disk: %.3f seconds", (ustime() - start) / 1e6);
    return 0;
}

/* --- Commands ------------------------------------------------------------ */

static void saveCommand(client *c) {
    if (childActive() == CHILD_RDB) {
        replyError(c, "Background save already in progress");
        return;
    }
    if (snapshotSaveNow() == 0)
        replyOk(c);
    else
        replyError(c, "-ERR");
}

/* As Redis 7.0: with another child (an AOF rewrite) running, BGSAVE is
 * refused and BGSAVE SCHEDULE runs it as soon as that child is done. */
static void bgsaveCommand(client *c) {
    int schedule = c->argc == 2 && argEquals(&c->argv[1], "schedule");
    if (c->argc > 1 && !schedule) {
        replySyntaxError(c);
        return;
    }
    if (childActive() == CHILD_RDB) {
        replyError(c, "Background save already in progress");
        return;
    }
    if (childActive() != CHILD_NONE) {
        if (!schedule) {
            replyError(c, "Another child process is active (AOF?): can't BGSAVE right now. Use "
                          "BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.");
            return;
        }
        server.rdb_bgsave_scheduled = 1;
        replyStatus(c, "Background saving scheduled");
        return;
    }
    if (snapshotBackgroundSave() == 0)
        replyStatus(c, "Background saving started");
    else
        replyError(c, "-ERR");
}

static void lastsaveCommand(client *c) {
    replyLongLong(c, (long long)server.lastsave);
}

command snapshotCommandTable[] = {
    {"save", saveCommand, 1, CMD_ADMIN | CMD_NOSCRIPT | CMD_NO_MULTI, 0, 0, 0, CMD_GROUP_SERVER,
     "1.0.0", "O(N) where N is the total number of keys in all databases",
     "Synchronously save the dataset to disk", NULL},
    {"bgsave", bgsaveCommand, -1, CMD_ADMIN | CMD_NOSCRIPT, 0, 0, 0, CMD_GROUP_SERVER, "1.0.0",
     "O(1)", "Asynchronously save the dataset to disk", NULL},
    {"lastsave", lastsaveCommand, 1, CMD_LOADING | CMD_STALE | CMD_FAST, 0, 0, 0, CMD_GROUP_SERVER,
     "1.0.0", "O(1)", "Get the UNIX time stamp of the last successful save to disk", NULL},
    {0}};
