/* SPDX-License-Identifier: BSD-3-Clause
 *
 * loom-check-aof: checks an append-only file, or every file a manifest lists,
 * with the same reader the server loads them with (src/aof_file.c).
 *
 *   loom-check-aof [--fix] FILE
 *
 * FILE is a command file (a base written without the RDB preamble, or an
 * increment) or a "*.manifest". It prints the commands found and, for a bad
 * file, the offset where the first incomplete or malformed command starts.
 * --fix truncates a command file there (after asking nothing: keep a copy),
 * which is what the server itself does to a truncated tail with
 * aof-load-truncated yes. An RDB base is validated as loom-check-rdb does.
 * Exit status: 0 valid (or fixed), 1 invalid.
 */
#include "aof_file.h"
#include "object.h"
#include "rdb.h"

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int countCommand(void *ctx, int argc, char **argv, size_t *lens, char *err, size_t errlen) {
    (void)ctx;
    (void)argc;
    (void)argv;
    (void)lens;
    (void)err;
    (void)errlen;
    return 0;
}

static const char *statusText(aofReadStatus st) {
    switch (st) {
        case AOF_READ_OK: return "valid";
        case AOF_READ_TRUNCATED: return "truncated";
        case AOF_READ_CORRUPT: return "corrupt";
        case AOF_READ_IOERR: return "unreadable";
        case AOF_READ_STOPPED: break;
    }
    return "invalid";
}

/* Checks one command file; with fix, cuts it at the first bad command. */
static int checkCommandFile(const char *path, int fix) {
    aofReadResult res;
    char err[256];
    aofReadCommands(path, countCommand, NULL, &res, err, sizeof(err));
    if (res.status == AOF_READ_OK) {
        printf("%s: %lld commands, %lld bytes: AOF is valid\n", path, res.commands, res.size);
        return 0;
    }
    if (res.status == AOF_READ_IOERR) {
        printf("%s: %s\n", path, err);
        return 1;
    }
    long long at = res.status == AOF_READ_TRUNCATED ? res.valid_bytes : res.offset;
    printf("%s: %s at offset %lld%s%s (%lld valid commands before it, %lld of %lld bytes)\n", path,
           statusText(res.status), at, err[0] ? ": " : "", err, res.commands, res.valid_bytes,
           res.size);
    if (!fix) return 1;
    if (truncate(path, (off_t)res.valid_bytes) < 0) {
        printf("%s: can't truncate: %s\n", path, strerror(errno));
        return 1;
    }
    printf("%s: truncated to %lld bytes: AOF is valid\n", path, res.valid_bytes);
    return 0;
}

/* A base written with the RDB preamble: validated as loom-check-rdb does. */
static int checkRdbBase(const char *path) {
    rdbLoadStats stats;
    char err[512];
    if (rdbCheckFile(path, &stats, err, sizeof(err)) < 0) {
        printf("%s: invalid RDB base: %s\n", path, err);
        return 1;
    }
    printf("%s: RDB base, %lld keys, %lld bytes: valid\n", path, stats.keys, stats.bytes);
    return 0;
}

static int checkManifest(const char *path, int fix) {
    aofManifest m;
    char err[256];
    if (aofManifestLoad(path, &m, err, sizeof(err)) < 0) {
        printf("%s: invalid manifest: %s\n", path, err);
        return 1;
    }
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s", path);
    const char *base_dir = dirname(dir);
    int rc = 0;
    for (int i = -1; i < m.incr_count && rc == 0; i++) {
        const aofFileInfo *f = i < 0 ? m.base : &m.incrs[i];
        if (!f) continue;
        char file[8192];
        snprintf(file, sizeof(file), "%s/%s", base_dir, f->name);
        if (access(file, R_OK) < 0) {
            printf("%s: listed in the manifest but %s\n", file, strerror(errno));
            rc = 1;
        } else if (aofFileIsRdb(file)) {
            rc = checkRdbBase(file);
        } else {
            /* Only the last file may be cut: elsewhere a fix would lose what follows. */
            rc = checkCommandFile(file, fix && i == m.incr_count - 1);
        }
    }
    aofManifestFree(&m);
    return rc;
}

int main(int argc, char **argv) {
    int fix = 0, first = 1;
    if (argc > 1 && !strcmp(argv[1], "--fix")) {
        fix = 1;
        first = 2;
    }
    if (argc != first + 1) {
        fprintf(stderr, "Usage: %s [--fix] <file.aof | file.manifest>\n", argv[0]);
        return 2;
    }
    const char *path = argv[first];
    objInit();
    size_t len = strlen(path);
    if (len > 9 && !strcmp(path + len - 9, ".manifest")) return checkManifest(path, fix);
    return checkCommandFile(path, fix);
}
