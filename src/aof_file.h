/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The append-only file's formats, without the server: the manifest that lists
 * a multi-part AOF's files, the RESP encoding of commands as they are logged,
 * and the reader that replays a command file. The server (aof.c) and
 * tools/loom-check-aof both use it. Any thread; no shared state.
 *
 * Layout (Redis 7's multi-part AOF): in `appenddirname`, the manifest
 * "<appendfilename>.manifest" has one line per file:
 *     file <name> seq <n> type <b|h|i>
 * b: the base (a full snapshot, "<appendfilename>.<n>.base.rdb" when written
 * with an RDB preamble, else ".base.aof"), i: an increment (commands logged
 * after the base, "<appendfilename>.<n>.incr.aof"), h: history, no longer
 * needed and deleted. Loading replays the base, then every increment in order.
 */
#ifndef LOOM_AOF_FILE_H
#define LOOM_AOF_FILE_H

#include "str.h"

#include <stddef.h>

typedef struct aofFileInfo {
    char *name; /* file name inside the AOF directory */
    long long seq;
    char type; /* 'b', 'h' or 'i' */
} aofFileInfo;

typedef struct aofManifest {
    aofFileInfo *base;  /* NULL: no base yet */
    aofFileInfo *incrs; /* in replay order */
    int incr_count;
    aofFileInfo *history;
    int history_count;
    long long base_seq; /* highest seq used for a base */
    long long incr_seq; /* highest seq used for an increment */
} aofManifest;

/* Parses a manifest file. Returns 0; -1 with errno ENOENT when it does not
 * exist; -1 with a reason in err ("line 2: unknown type 'x'"). */
int aofManifestLoad(const char *path, aofManifest *m, char *err, size_t errlen);
/* The manifest's text. */
str aofManifestFormat(const aofManifest *m, str s);
void aofManifestFree(aofManifest *m);
void aofManifestSetBase(aofManifest *m, const char *name, long long seq);
void aofManifestAddIncr(aofManifest *m, const char *name, long long seq);
/* Moves the base and the increments before seq `keep_from` into history
 * (after a rewrite made them unnecessary). */
void aofManifestRetireBefore(aofManifest *m, long long keep_from);
/* Forgets the history entries (once their files are deleted). */
void aofManifestClearHistory(aofManifest *m);
aofManifest *aofManifestDup(const aofManifest *m);

/* RESP encoding of logged commands. */
str aofCatArrayHeader(str s, long long n);
str aofCatBulk(str s, const char *p, size_t len);
str aofCatBulkLongLong(str s, long long v);

/* Replays a command file: fn(ctx, argc, argv, lens) for each command (argv
 * strings are NUL-terminated and valid until fn returns; fn returns 0, or -1
 * to stop with its message already in err). */
typedef int aofCommandFn(void *ctx, int argc, char **argv, size_t *lens, char *err, size_t errlen);

typedef enum {
    AOF_READ_OK,        /* every byte was a complete command */
    AOF_READ_TRUNCATED, /* the file ends inside a command (valid_bytes is where it starts) */
    AOF_READ_CORRUPT,   /* bad format at `offset` */
    AOF_READ_IOERR,     /* open or read failed (errno) */
    AOF_READ_STOPPED,   /* fn returned -1 */
} aofReadStatus;

typedef struct aofReadResult {
    aofReadStatus status;
    long long commands;    /* commands replayed */
    long long valid_bytes; /* length of the prefix made of complete commands */
    long long offset;      /* where the problem is (CORRUPT, STOPPED) */
    long long size;        /* bytes in the file */
} aofReadResult;

/* An RDB file starts with "REDIS": an AOF base written with a preamble. */
int aofFileIsRdb(const char *path);

void aofReadCommands(const char *path, aofCommandFn *fn, void *ctx, aofReadResult *res, char *err,
                     size_t errlen);

#endif
