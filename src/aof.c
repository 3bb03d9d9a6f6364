/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The append-only file (aof.h): feeding, writing and fsyncing the current
 * increment, multi-part rewrites through the fork child, start-up loading,
 * BGREWRITEAOF and the INFO fields. File formats are aof_file.c's; the base a
 * rewrite writes is an RDB (aof-use-rdb-preamble yes) or commands
 * (aof_rewrite.c).
 *
 * Ordering: aofBeforeSleep runs before the pending replies are handed to the
 * writers, so with `appendfsync always` no reply leaves before its command is
 * on disk; a client whose reply waits on a writable event has that event
 * installed with AE_BARRIER (net.c), so it cannot be written earlier in the
 * same iteration either.
 */
#include "aof.h"

#include "aof_file.h"
#include "aof_rewrite.h"
#include "alloc.h"
#include "bio.h"
#include "child.h"
#include "client.h"
#include "command.h"
#include "dict.h"
#include "log.h"
#include "rdb.h"
#include "reply.h"
#include "server.h"
#include "snapshot.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { AOF_OFF, AOF_ON, AOF_WAIT_REWRITE };

/* The buffer keeps its allocation between writes unless it grew past this. */
#define BUF_KEEP_BYTES (64 * 1024)
/* With everysec, a write waits at most this long for a running fsync. */
#define MAX_POSTPONE_MS          2000
#define WRITE_ERROR_LOG_PERIOD_S 30

static struct {
    int state;
    int fd;                /* the increment being appended to, -1 */
    str buf;               /* fed, not yet written */
    int selected_db;       /* database of the last command in this increment; -1 */
    aofManifest *manifest; /* as on disk (while the first base is written: as it will be) */
    long long incr_size;   /* bytes in the current increment */
    long long other_size;  /* bytes in the base and the earlier increments */
    long long base_size;   /* the total when the last rewrite finished */
    long long last_fsync_ms;
    int unsynced;            /* written since the last fsync started */
    long long postponed_ms;  /* when a write first waited for a running fsync; 0 */
    long long delayed_fsync; /* writes that stopped waiting (INFO aof_delayed_fsync) */
    int write_errno;         /* of the last failed write; 0 after a good one */
    long long write_error_logged_s;
    /* Rewrites. */
    int rewrite_scheduled;
    long long rewrite_incr_seq; /* the increment opened when the running rewrite began */
    long long rewrite_start_ms;
    long long last_cow_bytes;
    long long last_rewrite_time_s;
    long long last_failure_ms;
    long long rewrites;
    long long consecutive_failures;
    int last_rewrite_ok;
} aof = {.fd = -1, .selected_db = -1, .last_rewrite_time_s = -1, .last_rewrite_ok = 1};

/* --- Paths and files ----------------------------------------------------- */

static void pathOf(char *buf, size_t len, const char *name) {
    snprintf(buf, len, "%s/%s", server.aof_dirname, name);
}

static void tempRewriteName(char *buf, size_t len, pid_t pid) {
    snprintf(buf, len, "%s/temp-rewriteaof-bg-%d.aof", server.aof_dirname, (int)pid);
}

static int ensureDir(void) {
    if (mkdir(server.aof_dirname, 0755) == 0 || errno == EEXIST) return 0;
    serverLog(LL_WARNING, "Can't create the append-only directory %s: %s", server.aof_dirname,
              strerror(errno));
    return -1;
}

static void fsyncDir(void) {
    int fd = open(server.aof_dirname, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    fsync(fd);
    close(fd);
}

static long long fileSize(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 ? (long long)st.st_size : 0;
}

/* Writes the manifest atomically: a temporary file, fsync, rename. */
static int persistManifest(const aofManifest *m) {
    char path[1024], tmp[1024];
    snprintf(path, sizeof(path), "%s/%s.manifest", server.aof_dirname, server.aof_filename);
    snprintf(tmp, sizeof(tmp), "%s/temp-%s.manifest", server.aof_dirname, server.aof_filename);
    str text = aofManifestFormat(m, strEmpty());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int ok = fd >= 0 && writeAll(fd, text, strLen(text)) == (ssize_t)strLen(text) && fsync(fd) == 0;
    int saved = errno;
    if (fd >= 0) close(fd);
    strFree(text);
    if (ok && rename(tmp, path) == 0) {
        fsyncDir();
        return 0;
    }
    if (ok) saved = errno;
    serverLog(LL_WARNING, "Can't write the AOF manifest %s: %s", path, strerror(saved));
    unlink(tmp);
    return -1;
}

static int openIncr(const char *name, int truncate) {
    char path[1024];
    pathOf(path, sizeof(path), name);
    int flags = O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | (truncate ? O_TRUNC : 0);
    int fd = open(path, flags, 0644);
    if (fd < 0)
        serverLog(LL_WARNING, "Can't open the append-only file %s: %s", path, strerror(errno));
    return fd;
}

static void unlinkJob(void *arg) {
    unlink(arg);
    lfree(arg);
}

/* Gives up the current increment: its last writes are fsynced and it is
 * closed in the background (the fsync queue runs the fsync, then hands the
 * close to the close-file thread), without blocking the main thread. */
static void retireFd(void) {
    if (aof.fd < 0) return;
    bioFsync(aof.fd);
    bioCloseFileAfterFsync(aof.fd);
    aof.fd = -1;
}

/* Deletes the files the manifest lists as history (on the close-file thread:
 * unlinking a large file can take a while). The manifest no longer names
 * them once this runs. */
static void deleteHistory(aofManifest *m) {
    for (int i = 0; i < m->history_count; i++) {
        char path[1024];
        pathOf(path, sizeof(path), m->history[i].name);
        bioSubmit(BIO_CLOSE_FILE, unlinkJob, lstrdup(path));
    }
    aofManifestClearHistory(m);
}

static void freeManifest(void) {
    if (!aof.manifest) return;
    aofManifestFree(aof.manifest);
    lfree(aof.manifest);
    aof.manifest = NULL;
}

/* The manifest on disk, or an empty one: a rewrite that turns the AOF on (or
 * runs while it is off) keeps counting from the files of an earlier run and
 * deletes them when it succeeds. */
static void loadManifestForRewrite(void) {
    freeManifest();
    char path[1024], err[256];
    snprintf(path, sizeof(path), "%s/%s.manifest", server.aof_dirname, server.aof_filename);
    aof.manifest = lcalloc(sizeof(*aof.manifest));
    if (aofManifestLoad(path, aof.manifest, err, sizeof(err)) < 0)
        memset(aof.manifest, 0, sizeof(*aof.manifest));
}

/* --- Feeding, writing, fsyncing -------------------------------------------- */

int aofIsFeeding(void) {
    return aof.state == AOF_ON || (aof.state == AOF_WAIT_REWRITE && childActive() == CHILD_AOF);
}

str *aofBufferFor(int dbid) {
    if (!aof.buf) aof.buf = strEmpty();
    if (dbid != aof.selected_db) {
        aof.buf = aofCatArrayHeader(aof.buf, 2);
        aof.buf = aofCatBulk(aof.buf, "SELECT", 6);
        aof.buf = aofCatBulkLongLong(aof.buf, dbid);
        aof.selected_db = dbid;
    }
    return &aof.buf;
}

static void startBackgroundFsync(void) {
    bioFsync(aof.fd);
    aof.last_fsync_ms = server.mstime;
    aof.unsynced = 0;
}

static void logWriteError(const char *what) {
    if (server.unixtime - aof.write_error_logged_s < WRITE_ERROR_LOG_PERIOD_S) return;
    aof.write_error_logged_s = server.unixtime;
    serverLog(LL_WARNING, "Error writing to the AOF file: %s", what);
}

/* A write that did not complete: remove a partial command from the file so
 * that the next attempt appends whole commands, and keep the buffer. */
static void handleWriteError(ssize_t written, int err) {
    if (written > 0) {
        if (ftruncate(aof.fd, (off_t)aof.incr_size) < 0) {
            /* The partial bytes stay: drop them from the buffer instead. */
            strRange(aof.buf, written, -1);
            aof.incr_size += written;
        }
    }
    aof.write_errno = err ? err : ENOSPC;
    logWriteError(strerror(aof.write_errno));
    if (server.aof_fsync == AOF_FSYNC_ALWAYS) {
        serverLog(LL_WARNING, "Can't recover from AOF write error when the AOF fsync policy is "
                              "'always'. Exiting...");
        exit(1);
    }
}

/* Writes the buffer to the current increment. `force`: do not wait for a
 * running background fsync (rewrites, shutdown). */
static void flush(int force) {
    if (aof.fd < 0) return;
    size_t len = aof.buf ? strLen(aof.buf) : 0;
    int everysec = server.aof_fsync == AOF_FSYNC_EVERYSEC;
    if (len == 0) {
        if (everysec && aof.unsynced && server.mstime - aof.last_fsync_ms >= 1000 &&
            !bioPending(BIO_AOF_FSYNC))
            startBackgroundFsync();
        return;
    }
    if (everysec && !force && bioPending(BIO_AOF_FSYNC)) {
        if (!aof.postponed_ms) aof.postponed_ms = server.mstime;
        if (server.mstime - aof.postponed_ms < MAX_POSTPONE_MS) return;
        aof.delayed_fsync++;
        serverLog(LL_NOTICE, "Asynchronous AOF fsync is taking too long (disk is busy?). Writing "
                             "the AOF buffer without waiting for fsync to complete, this may "
                             "slow down Redis.");
    }
    aof.postponed_ms = 0;
    ssize_t written = writeAll(aof.fd, aof.buf, len);
    if (written != (ssize_t)len) {
        handleWriteError(written, errno);
        return;
    }
    if (aof.write_errno) {
        serverLog(LL_WARNING, "AOF write error looks solved, Redis can write again.");
        aof.write_errno = 0;
    }
    aof.incr_size += written;
    if (strAllocSize(aof.buf) > BUF_KEEP_BYTES) {
        strFree(aof.buf);
        aof.buf = NULL;
    } else {
        strClear(aof.buf);
    }
    aof.unsynced = 1;
    if (server.aof_fsync == AOF_FSYNC_ALWAYS) {
        if (fdatasync(aof.fd) < 0) {
            serverLog(LL_WARNING,
                      "Can't persist AOF for fsync error when the AOF fsync policy is "
                      "'always': %s. Exiting...",
                      strerror(errno));
            exit(1);
        }
        aof.last_fsync_ms = server.mstime;
        aof.unsynced = 0;
    } else if (everysec && server.mstime - aof.last_fsync_ms >= 1000 &&
               !bioPending(BIO_AOF_FSYNC)) {
        startBackgroundFsync();
    }
}

void aofBeforeSleep(void) {
    flush(0);
}

int aofNeedsWriteBarrier(void) {
    return aof.state != AOF_OFF && server.aof_fsync == AOF_FSYNC_ALWAYS;
}

int aofWritesRefused(const char **msg) {
    if (aof.state == AOF_OFF || !aof.write_errno) return 0;
    static char text[256];
    snprintf(text, sizeof(text), "-MISCONF Errors writing to the AOF file: %s",
             strerror(aof.write_errno));
    *msg = text;
    return 1;
}

/* --- Rewrites ---------------------------------------------------------------- */

static void baseName(char *buf, size_t len, long long seq) {
    snprintf(buf, len, "%s.%lld.base.%s", server.aof_filename, seq,
             server.aof_use_rdb_preamble ? "rdb" : "aof");
}

static void incrName(char *buf, size_t len, long long seq) {
    snprintf(buf, len, "%s.%lld.incr.aof", server.aof_filename, seq);
}

/* Writes a full base of the keyspace to fd: an RDB or commands. */
static int writeBase(int fd, char *err, size_t errlen) {
    if (server.aof_use_rdb_preamble) {
        rdbSaveInfo info = snapshotSaveInfo();
        info.aof_base = 1;
        return rdbSaveToFd(fd, server.dbs, server.dbnum, &info, err, errlen);
    }
    return aofRewriteKeyspace(fd, err, errlen);
}

/* The fork child: writes the base to its temporary file and exits. */
static void rewriteChildMain(void) {
    char tmp[1024], err[1200];
    tempRewriteName(tmp, sizeof(tmp), getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int rc = fd < 0 ? -1 : writeBase(fd, err, sizeof(err));
    if (fd < 0) snprintf(err, sizeof(err), "open %s: %s", tmp, strerror(errno));
    if (rc == 0 && fsync(fd) < 0) {
        snprintf(err, sizeof(err), "fsync: %s", strerror(errno));
        rc = -1;
    }
    if (fd >= 0) close(fd);
    if (rc < 0) {
        serverLog(LL_WARNING, "Error writing the AOF base in the rewrite child: %s", err);
        childExit(1);
    }
    serverLog(LL_NOTICE, "Successfully created the temporary AOF base file %s", tmp);
    childExit(0);
}

static void rewriteFailed(const char *why) {
    serverLog(LL_WARNING, "Background AOF rewrite %s", why);
    aof.last_rewrite_ok = 0;
    aof.consecutive_failures++;
    aof.last_failure_ms = server.mstime;
}

static void rewriteDone(pid_t pid, const childResult *res) {
    char tmp[1024];
    tempRewriteName(tmp, sizeof(tmp), pid);
    aof.last_rewrite_time_s = (server.mstime - aof.rewrite_start_ms) / 1000;
    aof.last_cow_bytes = res->cow_bytes;
    if (!res->ok) {
        unlink(tmp);
        if (res->killed_by_us)
            rewriteFailed("was stopped");
        else if (res->killed)
            rewriteFailed("terminated by signal");
        else
            rewriteFailed("terminated with error");
        return;
    }
    long long seq = aof.manifest->base_seq + 1;
    char name[512], path[1024];
    baseName(name, sizeof(name), seq);
    pathOf(path, sizeof(path), name);
    if (rename(tmp, path) < 0) {
        serverLog(LL_WARNING, "Can't rename the temporary AOF base %s to %s: %s", tmp, path,
                  strerror(errno));
        unlink(tmp);
        rewriteFailed("failed");
        return;
    }
    aofManifest *next = aofManifestDup(aof.manifest);
    aofManifestRetireBefore(next, aof.rewrite_incr_seq);
    aofManifestSetBase(next, name, seq);
    aofManifest history = {0};
    history.history = next->history;
    history.history_count = next->history_count;
    next->history = NULL;
    next->history_count = 0;
    if (persistManifest(next) < 0) {
        aofManifestFree(next);
        lfree(next);
        unlink(path);
        aofManifestClearHistory(&history);
        rewriteFailed("failed");
        return;
    }
    deleteHistory(&history);
    aofManifestFree(aof.manifest);
    lfree(aof.manifest);
    aof.manifest = next;
    aof.other_size = fileSize(path);
    for (int i = 0; i + 1 < next->incr_count; i++) {
        char incr[1024];
        pathOf(incr, sizeof(incr), next->incrs[i].name);
        aof.other_size += fileSize(incr);
    }
    aof.base_size = aof.other_size + aof.incr_size;
    aof.last_rewrite_ok = 1;
    aof.consecutive_failures = 0;
    aof.rewrites++;
    if (aof.state == AOF_WAIT_REWRITE) {
        aof.state = AOF_ON;
        serverLog(LL_NOTICE, "Background AOF rewrite finished successfully");
    } else if (aof.state == AOF_OFF) {
        freeManifest();
    }
    serverLog(LL_NOTICE, "Background AOF rewrite terminated with success");
}

/* Starts a rewrite: from now on commands go to a new increment, and a child
 * writes the base that replaces everything before it. */
static int startRewrite(char *err, size_t errlen) {
    if (ensureDir() < 0) {
        snprintf(err, errlen, "can't create the append-only directory");
        return -1;
    }
    flush(1);
    if (aof.state == AOF_OFF) loadManifestForRewrite();
    long long seq = aof.manifest->incr_seq + 1;
    if (aof.state != AOF_OFF) {
        char name[512];
        incrName(name, sizeof(name), seq);
        int fd = openIncr(name, 1);
        if (fd < 0) {
            snprintf(err, errlen, "can't open a new append-only file");
            return -1;
        }
        aofManifest *next = aofManifestDup(aof.manifest);
        aofManifestAddIncr(next, name, seq);
        if (aof.state == AOF_ON && persistManifest(next) < 0) {
            close(fd);
            char path[1024];
            pathOf(path, sizeof(path), name);
            unlink(path);
            aofManifestFree(next);
            lfree(next);
            snprintf(err, errlen, "can't write the AOF manifest");
            return -1;
        }
        retireFd();
        aofManifestFree(aof.manifest);
        lfree(aof.manifest);
        aof.manifest = next;
        aof.fd = fd;
        aof.selected_db = -1;
        aof.other_size += aof.incr_size;
        aof.incr_size = 0;
    }
    aof.rewrite_start_ms = server.mstime;
    pid_t pid = childStart(CHILD_AOF, rewriteDone);
    if (pid == 0) rewriteChildMain();
    if (pid < 0) {
        serverLog(LL_WARNING, "Can't rewrite append only file in background: fork: %s",
                  strerror(errno));
        snprintf(err, errlen, "fork: %s", strerror(errno));
        rewriteFailed("failed");
        return -1;
    }
    aof.rewrite_scheduled = 0;
    aof.rewrite_incr_seq = aof.state == AOF_OFF ? seq + 1 : seq;
    serverLog(LL_NOTICE, "Background append only file rewriting started by pid %d", (int)pid);
    return 0;
}

int aofRewriteBackground(char *err, size_t errlen) {
    return startRewrite(err, errlen);
}

static void autoRewrite(void) {
    if (aof.state != AOF_ON || !server.aof_rewrite_perc) return;
    long long size = aof.other_size + aof.incr_size;
    if (size < server.aof_rewrite_min_size) return;
    long long base = aof.base_size ? aof.base_size : 1;
    long long growth = (size * 100 / base) - 100;
    if (growth < server.aof_rewrite_perc) return;
    serverLog(LL_NOTICE, "Starting automatic rewriting of AOF on %lld%% growth", growth);
    char err[128];
    startRewrite(err, sizeof(err));
}

void aofCron(void) {
    if (aof.write_errno)
        flush(0);
    else if (server.aof_fsync == AOF_FSYNC_EVERYSEC)
        flush(0);
    if (childActive() != CHILD_NONE) return;
    /* A failed rewrite is retried after a pause that grows with the failures. */
    long long pause = aof.consecutive_failures
                          ? 1000LL << (aof.consecutive_failures < 6 ? aof.consecutive_failures : 6)
                          : 0;
    if (server.mstime - aof.last_failure_ms < pause) return;
    char err[128];
    if (aof.rewrite_scheduled || aof.state == AOF_WAIT_REWRITE)
        startRewrite(err, sizeof(err));
    else
        autoRewrite();
}

/* --- Loading ------------------------------------------------------------------ */

typedef struct replayCtx {
    client *c;
    const char *path;
} replayCtx;

static int replayOne(void *ctx, int argc, char **argv, size_t *lens, char *err, size_t errlen) {
    client *c = ((replayCtx *)ctx)->c;
    if (c->argv_cap < argc) {
        c->argv_cap = argc;
        c->argv = lrealloc(c->argv, sizeof(arg) * (size_t)argc);
    }
    for (int i = 0; i < argc; i++)
        c->argv[i] = (arg){argv[i], lens[i]};
    c->argc = argc;
    if (!commandLookupArgv(c->argv, argc)) {
        snprintf(err, errlen, "Unknown command '%.64s'", argv[0]);
        return -1;
    }
    commandProcess(c, NULL);
    clientDiscardReplies(c);
    c->argc = 0;
    if (c->flags & CLIENT_BLOCKED) {
        snprintf(err, errlen, "a blocking command ('%.64s') would block", argv[0]);
        return -1;
    }
    return 0;
}

static void loadFailed(const char *path, const char *fmt, const char *detail)
    __attribute__((noreturn));
static void loadFailed(const char *path, const char *fmt, const char *detail) {
    serverLog(LL_WARNING, fmt, path, detail);
    exit(1);
}

/* Replays one command file; only the last file may end inside a command. */
static void replayFile(client *c, const char *path, int is_last) {
    replayCtx ctx = {c, path};
    aofReadResult res;
    char err[256];
    aofReadCommands(path, replayOne, &ctx, &res, err, sizeof(err));
    switch (res.status) {
        case AOF_READ_OK: return;
        case AOF_READ_IOERR: loadFailed(path, "Can't read the append only file %s: %s", err);
        case AOF_READ_STOPPED:
        case AOF_READ_CORRUPT: {
            char detail[400];
            snprintf(detail, sizeof(detail),
                     "%s at offset %lld. Make a backup of the file, then "
                     "use tools/loom-check-aof --fix on it",
                     err, res.offset);
            loadFailed(path, "Bad file format reading the append only file %s: %s", detail);
        }
        case AOF_READ_TRUNCATED: break;
    }
    if (!is_last || !server.aof_load_truncated) {
        serverLog(LL_WARNING,
                  "Unexpected end of file reading the append only file %s at offset "
                  "%lld. You can: 1) Make a backup of the file, then use "
                  "tools/loom-check-aof --fix on it. 2) Set the 'aof-load-truncated' "
                  "configuration option to yes and restart the server.",
                  path, res.valid_bytes);
        exit(1);
    }
    serverLog(LL_WARNING, "!!! Warning: short read while loading the AOF file %s!!!", path);
    serverLog(LL_WARNING, "!!! Truncating the AOF %s at offset %lld !!!", path, res.valid_bytes);
    if (truncate(path, (off_t)res.valid_bytes) < 0) {
        serverLog(LL_WARNING, "Error truncating the AOF file %s: %s", path, strerror(errno));
        exit(1);
    }
    serverLog(LL_WARNING, "AOF %s loaded anyway because aof-load-truncated is enabled", path);
}

/* The replay ran through the command machinery: its calls, hits and errors
 * are not the users' and its changes are already on disk (as Redis, which
 * replays without counting). */
static void forgetReplay(void) {
    commandResetStats();
    server.stat_numcommands = 0;
    server.stat_keyspace_hits = 0;
    server.stat_keyspace_misses = 0;
    server.stat_total_error_replies = 0;
    dictEmpty(server.errors, NULL, NULL);
    server.dirty = 0;
}

static void loadBase(client *c, const char *path, int is_last) {
    if (!aofFileIsRdb(path)) {
        replayFile(c, path, is_last);
        return;
    }
    rdbLoadStats stats;
    rdbLoadLimits limits = snapshotLoadLimits();
    limits.keep_expired = 1;
    char err[512];
    if (rdbLoadFile(path, server.dbs, server.dbnum, &limits, &stats, NULL, NULL, err,
                    sizeof(err)) < 0)
        loadFailed(path, "Can't load the AOF base %s: %s", err);
}

/* A new AOF: an empty base, the first increment, the manifest. */
static void createFresh(void) {
    aof.manifest = lcalloc(sizeof(*aof.manifest));
    char name[512], path[1024], err[256] = "";
    baseName(name, sizeof(name), 1);
    pathOf(path, sizeof(path), name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || writeBase(fd, err, sizeof(err)) < 0 || fsync(fd) < 0) {
        serverLog(LL_WARNING, "Can't create the AOF base %s: %s", path,
                  fd < 0 ? strerror(errno) : err);
        exit(1);
    }
    close(fd);
    aofManifestSetBase(aof.manifest, name, 1);
    aof.other_size = fileSize(path);
}

static void openLastIncr(void) {
    aofManifest *m = aof.manifest;
    char name[512];
    int fresh = m->incr_count == 0;
    if (fresh) {
        incrName(name, sizeof(name), m->incr_seq + 1);
        aofManifestAddIncr(m, name, m->incr_seq + 1);
    } else {
        snprintf(name, sizeof(name), "%s", m->incrs[m->incr_count - 1].name);
    }
    aof.fd = openIncr(name, fresh);
    if (aof.fd < 0 || (fresh && persistManifest(m) < 0)) exit(1);
    char path[1024];
    pathOf(path, sizeof(path), name);
    aof.incr_size = fileSize(path);
    if (!fresh) aof.other_size -= aof.incr_size;
}

int aofLoadAtStartup(void) {
    if (!server.aof_enabled) return 0;
    if (ensureDir() < 0) exit(1);
    char path[1024], err[256];
    snprintf(path, sizeof(path), "%s/%s.manifest", server.aof_dirname, server.aof_filename);
    aofManifest *m = lcalloc(sizeof(*m));
    if (aofManifestLoad(path, m, err, sizeof(err)) < 0) {
        lfree(m);
        if (errno != ENOENT) {
            serverLog(LL_WARNING, "Can't load the AOF manifest %s: %s", path, err);
            exit(1);
        }
        createFresh();
    } else {
        aof.manifest = m;
        long long start = ustime();
        client *c = clientCreate(-1, 0);
        server.loading = 1;
        char file[1024];
        for (int i = -1; i < m->incr_count; i++) {
            const aofFileInfo *f = i < 0 ? m->base : &m->incrs[i];
            if (!f) continue;
            pathOf(file, sizeof(file), f->name);
            if (access(file, R_OK) < 0) {
                serverLog(LL_WARNING, "The AOF file %s listed in the manifest can't be read: %s",
                          file, strerror(errno));
                exit(1);
            }
            int is_last = i == m->incr_count - 1;
            if (i < 0)
                loadBase(c, file, is_last);
            else
                replayFile(c, file, is_last);
            aof.other_size += fileSize(file);
        }
        server.loading = 0;
        clientFree(c);
        forgetReplay();
        serverLog(LL_NOTICE, "DB loaded from append only file: %.3f seconds",
                  (double)(ustime() - start) / 1e6);
        deleteHistory(m);
    }
    openLastIncr();
    aof.base_size = aof.other_size + aof.incr_size;
    aof.state = AOF_ON;
    aof.last_fsync_ms = mstime();
    return 1;
}

/* --- Turning it on and off ---------------------------------------------------- */

static void stopAof(void) {
    if (childActive() == CHILD_AOF) childKill();
    flush(1);
    if (aof.fd >= 0) fdatasync(aof.fd);
    retireFd();
    aof.state = AOF_OFF;
    aof.rewrite_scheduled = 0;
    strFree(aof.buf);
    aof.buf = NULL;
    aof.selected_db = -1;
    freeManifest();
}

int aofApplyEnabled(const char **err) {
    if (!server.aof_enabled) {
        if (aof.state != AOF_OFF) stopAof();
        return 0;
    }
    if (aof.state != AOF_OFF) return 0;
    if (ensureDir() < 0) {
        *err = "can't create the append-only directory";
        return -1;
    }
    loadManifestForRewrite();
    char msg[256];
    aof.state = AOF_WAIT_REWRITE;
    aof.other_size = aof.incr_size = 0;
    if (childActive() != CHILD_NONE) {
        aof.rewrite_scheduled = 1;
        return 0;
    }
    if (startRewrite(msg, sizeof(msg)) < 0) {
        stopAof();
        *err = "Unable to turn on AOF. Check server logs.";
        return -1;
    }
    return 0;
}

void aofShutdown(void) {
    if (childActive() == CHILD_AOF) childKill();
    if (aof.state == AOF_OFF) return;
    flush(1);
    if (aof.fd >= 0 && fdatasync(aof.fd) < 0)
        serverLog(LL_WARNING, "Error syncing the AOF at shutdown: %s", strerror(errno));
    bioDrain(BIO_AOF_FSYNC);
}

/* --- Commands and INFO ---------------------------------------------------------- */

static void bgrewriteaofCommand(client *c) {
    if (childActive() == CHILD_AOF) {
        replyError(c, "Background append only file rewriting already in progress");
        return;
    }
    if (childActive() != CHILD_NONE) {
        aof.rewrite_scheduled = 1;
        replyStatus(c, "Background append only file rewriting scheduled");
        return;
    }
    char err[128];
    if (startRewrite(err, sizeof(err)) < 0) {
        replyError(c, "Can't execute an AOF background rewriting. Please check the server logs "
                      "for more information.");
        return;
    }
    replyStatus(c, "Background append only file rewriting started");
}

command aofCommandTable[] = {
    {.name = "bgrewriteaof",
     .proc = bgrewriteaofCommand,
     .arity = 1,
     .flags = CMD_NOSCRIPT | CMD_ADMIN,
     .group = CMD_GROUP_SERVER,
     .since = "1.0.0",
     .complexity = "O(1)",
     .summary = "Asynchronously rewrites the append-only file to disk."},
    {0},
};

str aofInfo(str s) {
    int running = childActive() == CHILD_AOF;
    s = strCatFmt(s,
                  "aof_enabled:%d\r\n"
                  "aof_rewrite_in_progress:%d\r\n"
                  "aof_rewrite_scheduled:%d\r\n"
                  "aof_last_rewrite_time_sec:%lld\r\n"
                  "aof_current_rewrite_time_sec:%lld\r\n"
                  "aof_last_bgrewrite_status:%s\r\n"
                  "aof_rewrites:%lld\r\n"
                  "aof_rewrites_consecutive_failures:%lld\r\n"
                  "aof_last_write_status:%s\r\n"
                  "aof_last_cow_size:%lld\r\n"
                  "module_fork_in_progress:0\r\n"
                  "module_fork_last_cow_size:0\r\n",
                  aof.state != AOF_OFF, running, aof.rewrite_scheduled, aof.last_rewrite_time_s,
                  running ? childElapsedSeconds() : -1, aof.last_rewrite_ok ? "ok" : "err",
                  aof.rewrites, aof.consecutive_failures, aof.write_errno ? "err" : "ok",
                  aof.last_cow_bytes);
    if (aof.state == AOF_OFF) return s;
    return strCatFmt(s,
                     "aof_current_size:%lld\r\n"
                     "aof_base_size:%lld\r\n"
                     "aof_pending_rewrite:%d\r\n"
                     "aof_buffer_length:%zu\r\n"
                     "aof_pending_bio_fsync:%llu\r\n"
                     "aof_delayed_fsync:%lld\r\n",
                     aof.other_size + aof.incr_size, aof.base_size, aof.rewrite_scheduled,
                     aof.buf ? strLen(aof.buf) : 0, bioPending(BIO_AOF_FSYNC), aof.delayed_fsync);
}
