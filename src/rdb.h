/* SPDX-License-Identifier: BSD-3-Clause
 *
 * RDB snapshots: the whole keyspace in Redis's RDB file layout, version 10 as
 * redis-server 7.0 writes it, plus loom's LZ4 string encoding. rdb.c saves
 * (SAVE on the main thread, BGSAVE in a fork child) and loads into the
 * databases it is given; rdb_load.c is the parser under loading and checking,
 * which needs no keyspace, so tools/loom-check-rdb links it alone. Neither
 * knows `server` (snapshot.c passes server.dbs and the config), and neither
 * logs, replies or touches clients: callers log with the messages here.
 *
 * File layout (integers big-endian unless marked LE):
 *   "REDIS0010"
 *   AUX fields: 0xFA <string name> <string value>: redis-ver, redis-bits, ctime,
 *               used-mem, aof-base, loom-ver
 *   per non-empty database: 0xFE <length db> 0xFB <length keys> <length expires>
 *     per key: [0xFC <8 bytes LE: expiry, unix ms>] <type byte> <string key> <value>
 *   0xFF, then the CRC64 (crc64.h) of every byte before it, 8 bytes LE; 8 zero
 *   bytes when written with checksum off (a zero checksum is never verified).
 * Lengths: 00xxxxxx (6 bits), 01xxxxxx xxxxxxxx (14 bits), 0x80 + 4 bytes,
 * 0x81 + 8 bytes. A first byte 11xxxxxx starts a special string encoding:
 *   0xC0 + 1, 0xC1 + 2 LE, 0xC2 + 4 LE bytes: a signed integer, as decimal text;
 *   0xC3 <length compressed> <length original> <LZF data>     (Redis; read only)
 *   0xC4 <length compressed> <length original> <LZ4 block>    (loom's own)
 * The LZ4 block is LZ4's raw block format (no frame header: LZ4_decompress_safe
 * gives back the original bytes). 0xC4 is RDB_ENC_LZ4 = 4 in the special-
 * encoding space, which Redis does not use (redis-server refuses such files
 * with "Unknown RDB string encoding type 4"). loom writes it when compression
 * is on, the string is longer than 20 bytes and it shrinks by at least 4 bytes;
 * it never writes LZF and reads both. Listpack, intset and plain list-node blobs
 * are strings too, so they are compressed the same way.
 *
 * Value types written: STRING 0, SET 2 (hashtable), ZSET_2 5 (hashtable and
 * skiplist: member, 8-byte LE binary double, greatest score first), HASH 4
 * (hashtable), SET_INTSET 11, HASH_LISTPACK 16, ZSET_LISTPACK 17,
 * LIST_QUICKLIST_2 18 (<length nodes>, per node <length container: 1 plain,
 * 2 packed> <string: element or listpack>), SET_LISTPACK 20. Type 20 comes from
 * RDB version 11 (Redis 7.2); it is the one thing besides LZ4 strings that
 * redis-server 7.0 cannot read in loom's files.
 *
 * Loading also accepts what older and newer Redis versions write (RDB 1 to 11):
 * LIST 1, ZSET 3 (text scores), the ziplist encodings LIST_ZIPLIST 10,
 * ZSET_ZIPLIST 12, HASH_ZIPLIST 13 and LIST_QUICKLIST 14, EXPIRETIME (0xFD,
 * seconds), IDLE/FREQ (ignored), function libraries (0xF5, skipped and counted).
 * Streams, module values and zipmaps are refused. Every blob is validated
 * (lpValidate, intsetValidate, the ziplist walk), every length is checked
 * against what is left of the file, and duplicates are refused, so a corrupt
 * file fails with its byte offset instead of crashing the server later.
 */
#ifndef LOOM_RDB_H
#define LOOM_RDB_H

#include "object.h"

#include <stddef.h>

#define RDB_VERSION     10 /* written */
#define RDB_VERSION_MAX 11 /* read: 1 to 11 */

/* Special string encodings (the low 6 bits after 11xxxxxx). */
enum { RDB_ENC_INT8 = 0, RDB_ENC_INT16 = 1, RDB_ENC_INT32 = 2, RDB_ENC_LZF = 3, RDB_ENC_LZ4 = 4 };

/* Value types, with Redis's numbers. */
enum {
    RDB_TYPE_STRING = 0,
    RDB_TYPE_LIST = 1,
    RDB_TYPE_SET = 2,
    RDB_TYPE_ZSET = 3,
    RDB_TYPE_HASH = 4,
    RDB_TYPE_ZSET_2 = 5,
    RDB_TYPE_MODULE = 6,
    RDB_TYPE_MODULE_2 = 7,
    RDB_TYPE_HASH_ZIPMAP = 9,
    RDB_TYPE_LIST_ZIPLIST = 10,
    RDB_TYPE_SET_INTSET = 11,
    RDB_TYPE_ZSET_ZIPLIST = 12,
    RDB_TYPE_HASH_ZIPLIST = 13,
    RDB_TYPE_LIST_QUICKLIST = 14,
    RDB_TYPE_STREAM_LISTPACKS = 15,
    RDB_TYPE_HASH_LISTPACK = 16,
    RDB_TYPE_ZSET_LISTPACK = 17,
    RDB_TYPE_LIST_QUICKLIST_2 = 18,
    RDB_TYPE_STREAM_LISTPACKS_2 = 19,
    RDB_TYPE_SET_LISTPACK = 20,
    RDB_TYPE_STREAM_LISTPACKS_3 = 21,
};

/* Opcodes, in the type byte's place. */
enum {
    RDB_OPCODE_FUNCTION2 = 245,
    RDB_OPCODE_FUNCTION_PRE_GA = 246,
    RDB_OPCODE_MODULE_AUX = 247,
    RDB_OPCODE_IDLE = 248,
    RDB_OPCODE_FREQ = 249,
    RDB_OPCODE_AUX = 250,
    RDB_OPCODE_RESIZEDB = 251,
    RDB_OPCODE_EXPIRETIME_MS = 252,
    RDB_OPCODE_EXPIRETIME = 253,
    RDB_OPCODE_SELECTDB = 254,
    RDB_OPCODE_EOF = 255,
};

/* Quicklist node containers in LIST_QUICKLIST_2. */
enum { RDB_NODE_PLAIN = 1, RDB_NODE_PACKED = 2 };

/* --- Saving (rdb.c) --------------------------------------------------------- */

struct db;

typedef struct rdbSaveInfo {
    int compression;       /* rdbcompression: LZ4 for strings and blobs > 20 bytes */
    int checksum;          /* rdbchecksum: the CRC64 trailer, else 8 zero bytes */
    const char *redis_ver; /* the redis-ver AUX field */
    const char *loom_ver;  /* the loom-ver AUX field */
    int aof_base;          /* the aof-base AUX field: 1 for the base of an AOF */
    int key_save_delay_us; /* rdb-key-save-delay: sleep per key (tests), 0 */
} rdbSaveInfo;

/* Writes databases dbs[0..dbnum) to fd, in 1 MB writes. Returns 0, or -1 with
 * errno set and a message in err ("write: No space left on device"). Runs on
 * the main thread (SAVE) or in a fork child (BGSAVE): it reads the databases
 * and changes nothing, touches no client or event loop, and does not log or
 * fsync. */
int rdbSaveToFd(int fd, struct db *dbs, int dbnum, const rdbSaveInfo *info, char *err,
                size_t errlen);

/* Writes path atomically: "temp-<pid>.rdb" in the same directory, fsync,
 * rename over path, fsync of the directory. On failure the temp file is
 * removed and path is untouched. Returns 0, or -1 with errno and err. */
int rdbSaveFile(const char *path, struct db *dbs, int dbnum, const rdbSaveInfo *info, char *err,
                size_t errlen);

/* --- Loading ---------------------------------------------------------------- */

typedef struct rdbLoadStats {
    int version;                 /* from the magic */
    char redis_ver[32];          /* the redis-ver AUX field, "" when absent */
    long long ctime;             /* the ctime AUX field (unix s), -1 when absent */
    long long keys;              /* keys loaded (rdbCheckFile: keys a load would add) */
    long long expires;           /* of those, keys with a TTL */
    long long expired_skipped;   /* keys whose TTL had already passed: not loaded */
    long long empty_skipped;     /* empty collections (Redis skips them too) */
    long long functions_skipped; /* function libraries: loom has no functions */
    long long per_type[5];       /* keys loaded by type, OBJ_STRING..OBJ_HASH */
    long long bytes;             /* the file's size */
    int checksum_verified;       /* 0: the file has no checksum (0, or version < 5) */
} rdbLoadStats;

typedef void rdbProgressFn(void *ctx, long long pos, long long total);

/* Parses and validates a whole file as rdbLoadFile does (duplicate keys
 * included), building each value and freeing it at once, without touching any
 * database; keys whose TTL passed are counted as keys. For loom-check-rdb and
 * tests. objInit() must have run. Returns 0 or -1 as rdbLoadFile. Any thread. */
int rdbCheckFile(const char *path, rdbLoadStats *stats, char *err, size_t errlen);

/* The parser under both (rdb_load.c). Loaded values take the encoding loom
 * would give them under these thresholds (the server passes its config). */
typedef struct rdbLoadLimits {
    int list_max_listpack_size;
    int list_compress_depth;
    int hash_max_listpack_entries;
    int hash_max_listpack_value;
    int set_max_intset_entries;
    int set_max_listpack_entries;
    int set_max_listpack_value;
    int zset_max_listpack_entries;
    int zset_max_listpack_value;
    /* rdbLoadFile keeps keys whose TTL has passed (an AOF base: the commands
     * logged after it may still use them, and will delete them). */
    int keep_expired;
} rdbLoadLimits;

/* Redis 7.0's defaults (and Redis 7.2's for sets). */
extern const rdbLoadLimits rdbDefaultLimits;

/* Loads path into dbs[0..dbnum), which should be empty, skipping keys whose
 * TTL has passed; values take the encodings limits call for; progress(ctx,
 * bytes read, file size) is called about every 2 MB (NULL: never). Returns 0
 * with stats filled, or -1 with errno (ENOENT when the file does not exist:
 * start empty) and err, which for a corrupt file names the problem, the byte
 * offset and the key ("Unexpected end of file at offset 1234 (key \"user:1\" in
 * db 0)"). On failure the databases hold the keys loaded so far; the caller
 * empties them or exits. Runs on the thread that owns dbs (the main thread),
 * which inserts; a parser thread of its own reads and builds the values for
 * the duration of the call, and progress is called on the calling thread.
 * Blocks until the whole file is loaded. */
int rdbLoadFile(const char *path, struct db *dbs, int dbnum, const rdbLoadLimits *limits,
                rdbLoadStats *stats, rdbProgressFn *progress, void *ctx, char *err, size_t errlen);

/* Where parsed keys go. */
typedef struct rdbLoadSink {
    int dbnum;                   /* SELECTDB at or past this is an error */
    long long expired_before_ms; /* keys expiring before this are skipped; 0: none */
    /* RESIZEDB's hint for database dbid (sizes already bounded by the file's
     * size); NULL to ignore. */
    void (*resize)(void *ctx, int dbid, unsigned long long keys, unsigned long long expires);
    /* One key; takes the reference to val (even on failure). expire_ms is -1
     * without a TTL; offset is where the key's record starts in the file.
     * Returns 0, or -1 with a message in err (the parser adds the offset and
     * the key). NULL: the value is freed. */
    int (*key)(void *ctx, int dbid, const char *key, size_t len, obj *val, long long expire_ms,
               long long offset, char *err, size_t errlen);
    void *ctx;
    rdbProgressFn *progress; /* may be NULL */
    void *progress_ctx;
} rdbLoadSink;

/* Reads path from start to checksum through sink. Returns 0, or -1 with errno
 * and err as rdbLoadFile. */
int rdbParseFile(const char *path, const rdbLoadLimits *limits, const rdbLoadSink *sink,
                 rdbLoadStats *stats, char *err, size_t errlen);

#endif
