/* SPDX-License-Identifier: BSD-3-Clause
 *
 * RDB saving, and loading into server.dbs (format: rdb.h). Saving walks every
 * database once; compact encodings go out as the blobs they already are
 * (listpacks, intsets, quicklist nodes; a quicklist node that is already
 * LZ4-compressed in memory is written as its LZ4 block, without recompressing),
 * so saving costs little more than the bytes. Strings and blobs above 20
 * bytes are LZ4-compressed when rdbcompression is on, by the rdb-compress BIO
 * thread, which also checksums and writes (the pipeline below).
 *
 * Runs on the main thread (SAVE, SHUTDOWN, DEBUG RELOAD, start-up load) or in
 * a BGSAVE fork child (rdbSaveToFd only; there no BIO worker runs, so the
 * child compresses and writes itself), on the databases the caller passes;
 * a load also runs a parser thread of its own for its duration (see below).
 * Never logs, replies or touches clients: snapshot.c does that with the
 * messages returned here.
 */
#include "rdb.h"

#include "alloc.h"
#include "bio.h"
#include "crc64.h"
#include "db.h"
#include "dict.h"
#include "intset.h"
#include "listpack.h"
#include "quicklist.h"
#include "str.h"
#include "util.h"
#include "zset.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <stdatomic.h>
#include <limits.h>
#include <lz4.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CHUNK_BYTES (1u << 20)
/* Chunks handed to the rdb-compress thread and not yet written. */
#define PIPELINE_DEPTH 4
/* Strings up to this long are never compressed (as Redis does with LZF). */
#define COMPRESS_MIN_BYTES 20
/* Compressed output must save at least this much to be worth writing. */
#define COMPRESS_MIN_SAVING 4

/* Saving is a two-stage pipeline. The serializer (the caller's thread) walks
 * the keyspace and fills chunks of about 1 MB with the file's bytes, except
 * that a string to compress is only copied in and marked (a cut); the sink
 * (the rdb-compress BIO thread, or the caller itself where no BIO worker
 * runs, as in a fork child) turns each chunk into file bytes in submission
 * order: it compresses the marked strings, checksums and writes. At most
 * PIPELINE_DEPTH chunks are in flight, so memory stays bounded. */
typedef struct cut {
    size_t at, len; /* a string's bytes at buf[at..at+len) */
} cut;

typedef struct chunk {
    struct sink *sink;
    unsigned char *buf;
    size_t len, cap;
    cut *cuts;
    size_t ncuts, cuts_cap;
} chunk;

/* The writing end, owned by whichever thread writes chunks (the fields
 * under `lock` are shared with the serializer). */
typedef struct sink {
    int fd;
    int checksum;
    uint64_t crc;
    LZ4_stream_t *lz4;
    unsigned char *zbuf;
    size_t zcap;
    unsigned char *out; /* bytes not yet written */
    size_t out_len;
    int write_errno; /* errno of the first failed write, 0 (the writing thread's) */
    pthread_mutex_t lock;
    pthread_cond_t done;
    int in_flight;
    int failed_errno; /* write_errno as published to the serializer */
} sink;

typedef struct writer {
    sink *sink;
    chunk *cur;
    int compress;
    int key_delay_us;
    int failed; /* the sink reported a write error: stop serializing */
} writer;

/* --- The sink (the rdb-compress thread) --------------------------------------- */

static void sinkFlush(sink *s) {
    if (!s->out_len || s->write_errno) return;
    if (s->checksum) s->crc = crc64(s->crc, s->out, s->out_len);
    if (writeAll(s->fd, s->out, s->out_len) != (ssize_t)s->out_len) s->write_errno = errno;
    s->out_len = 0;
}

static void sinkPut(sink *s, const void *p, size_t n) {
    if (s->out_len + n > CHUNK_BYTES) sinkFlush(s);
    if (n > CHUNK_BYTES / 2) {
        if (s->write_errno) return;
        if (s->checksum) s->crc = crc64(s->crc, p, n);
        if (writeAll(s->fd, p, n) != (ssize_t)n) s->write_errno = errno;
        return;
    }
    memcpy(s->out + s->out_len, p, n);
    s->out_len += n;
}

/* The RDB length encoding of len into b (at least 9 bytes); returns its size. */
static size_t encodeLen(unsigned char *b, uint64_t len) {
    if (len < 64) {
        b[0] = (unsigned char)len;
        return 1;
    }
    if (len < 16384) {
        b[0] = (unsigned char)(0x40 | len >> 8);
        b[1] = (unsigned char)len;
        return 2;
    }
    if (len <= UINT32_MAX) {
        b[0] = 0x80;
        for (int i = 0; i < 4; i++)
            b[1 + i] = (unsigned char)(len >> (24 - 8 * i));
        return 5;
    }
    b[0] = 0x81;
    for (int i = 0; i < 8; i++)
        b[1 + i] = (unsigned char)(len >> (56 - 8 * i));
    return 9;
}

/* A marked string: LZ4 when that saves enough, else plain. */
static void sinkString(sink *s, const unsigned char *p, size_t len) {
    unsigned char hdr[19];
    size_t bound = (size_t)LZ4_compressBound((int)len);
    if (bound > s->zcap) {
        lfree(s->zbuf);
        s->zcap = bound;
        s->zbuf = lmalloc(bound);
    }
    /* A fast reset per string keeps each block independent without clearing
     * the whole 16 KB table every time. */
    LZ4_resetStream_fast(s->lz4);
    int clen = LZ4_compress_fast_continue(s->lz4, (const char *)p, (char *)s->zbuf, (int)len,
                                          (int)len - COMPRESS_MIN_SAVING, 1);
    if (clen > 0) {
        hdr[0] = 0xC0 | RDB_ENC_LZ4;
        size_t n = 1 + encodeLen(hdr + 1, (uint64_t)clen);
        n += encodeLen(hdr + n, len);
        sinkPut(s, hdr, n);
        sinkPut(s, s->zbuf, (size_t)clen);
        return;
    }
    sinkPut(s, hdr, encodeLen(hdr, len));
    sinkPut(s, p, len);
}

static void freeChunk(chunk *c) {
    lfree(c->buf);
    lfree(c->cuts);
    lfree(c);
}

/* The rdb-compress job: one chunk into file bytes. */
static void writeChunk(void *arg) {
    chunk *c = arg;
    sink *s = c->sink;
    size_t pos = 0;
    for (size_t i = 0; i < c->ncuts && !s->write_errno; i++) {
        sinkPut(s, c->buf + pos, c->cuts[i].at - pos);
        sinkString(s, c->buf + c->cuts[i].at, c->cuts[i].len);
        pos = c->cuts[i].at + c->cuts[i].len;
    }
    sinkPut(s, c->buf + pos, c->len - pos);
    freeChunk(c);
    pthread_mutex_lock(&s->lock);
    s->failed_errno = s->write_errno;
    s->in_flight--;
    pthread_cond_signal(&s->done);
    pthread_mutex_unlock(&s->lock);
}

/* --- The serializer ------------------------------------------------------------ */

static chunk *newChunk(sink *s) {
    chunk *c = lcalloc(sizeof(*c));
    c->sink = s;
    c->cap = CHUNK_BYTES;
    c->buf = lmalloc(c->cap);
    return c;
}

/* Waits until fewer than `limit` chunks are in flight; returns the sink's
 * error (0: none). */
static int waitInFlight(sink *s, int limit) {
    pthread_mutex_lock(&s->lock);
    while (s->in_flight >= limit)
        pthread_cond_wait(&s->done, &s->lock);
    int e = s->failed_errno;
    pthread_mutex_unlock(&s->lock);
    return e;
}

/* Hands the current chunk to the sink and starts a new one. */
static void submitChunk(writer *w) {
    sink *s = w->sink;
    if (waitInFlight(s, PIPELINE_DEPTH)) {
        w->failed = 1;
        w->cur->len = 0;
        w->cur->ncuts = 0;
        return;
    }
    pthread_mutex_lock(&s->lock);
    s->in_flight++;
    pthread_mutex_unlock(&s->lock);
    chunk *c = w->cur;
    w->cur = newChunk(s);
    bioSubmit(BIO_RDB_COMPRESS, writeChunk, c);
}

/* Makes room for n more bytes in the current chunk. */
static void reserve(writer *w, size_t n) {
    if (w->cur->len + n > CHUNK_BYTES && w->cur->len > 0) submitChunk(w);
    chunk *c = w->cur;
    if (c->len + n > c->cap) {
        c->cap = c->len + n;
        c->buf = lrealloc(c->buf, c->cap);
    }
}

static int putBytes(writer *w, const void *p, size_t n) {
    reserve(w, n);
    memcpy(w->cur->buf + w->cur->len, p, n);
    w->cur->len += n;
    return 0;
}

static int putByte(writer *w, unsigned b) {
    unsigned char c = (unsigned char)b;
    return putBytes(w, &c, 1);
}

static int putLE(writer *w, uint64_t v, int n) {
    unsigned char b[8];
    for (int i = 0; i < n; i++)
        b[i] = (unsigned char)(v >> (8 * i));
    return putBytes(w, b, (size_t)n);
}

static int putLen(writer *w, uint64_t len) {
    unsigned char b[9];
    return putBytes(w, b, encodeLen(b, len));
}

/* An integer in the 0xC0..0xC2 encodings; 0 if it does not fit 32 bits. */
static int putIntEncoded(writer *w, long long v, int *done) {
    *done = 1;
    if (v >= INT8_MIN && v <= INT8_MAX) {
        putByte(w, 0xC0 | RDB_ENC_INT8);
        return putLE(w, (uint64_t)v, 1);
    }
    if (v >= INT16_MIN && v <= INT16_MAX) {
        putByte(w, 0xC0 | RDB_ENC_INT16);
        return putLE(w, (uint64_t)v, 2);
    }
    if (v >= INT32_MIN && v <= INT32_MAX) {
        putByte(w, 0xC0 | RDB_ENC_INT32);
        return putLE(w, (uint64_t)v, 4);
    }
    *done = 0;
    return 0;
}

/* Bytes as a string: LZ4 when that pays (decided by the sink), else plain.
 * Short strings that are canonical integers take the integer encodings when
 * `try_int`. */
static int putString(writer *w, const void *p, size_t len, int try_int) {
    long long v;
    if (try_int && len <= 11 && string2ll(p, len, &v)) {
        int done;
        int rc = putIntEncoded(w, v, &done);
        if (done) return rc;
    }
    if (w->compress && len > COMPRESS_MIN_BYTES && len <= (size_t)LZ4_MAX_INPUT_SIZE) {
        /* Copied and marked: the sink compresses it. */
        reserve(w, len);
        chunk *c = w->cur;
        if (c->ncuts == c->cuts_cap) {
            c->cuts_cap = c->cuts_cap ? c->cuts_cap * 2 : 1024;
            c->cuts = lrealloc(c->cuts, c->cuts_cap * sizeof(*c->cuts));
        }
        c->cuts[c->ncuts++] = (cut){c->len, len};
        memcpy(c->buf + c->len, p, len);
        c->len += len;
        return 0;
    }
    putLen(w, len);
    return putBytes(w, p, len);
}

/* --- Values ------------------------------------------------------------------- */

static int putStringObject(writer *w, const obj *o) {
    if (o->encoding == OBJ_ENC_INT) {
        long long v = (long long)(intptr_t)o->ptr;
        int done;
        int rc = putIntEncoded(w, v, &done);
        if (done) return rc;
        char buf[UTIL_LONG_STR_SIZE];
        int n = ll2string(buf, sizeof(buf), v);
        return putString(w, buf, (size_t)n, 0);
    }
    return putString(w, o->ptr, strLen(o->ptr), 1);
}

static int putQuicklist(writer *w, const quicklist *ql) {
    putLen(w, quicklistNodeCount(ql));
    for (quicklistNode *n = quicklistFirstNode(ql); n; n = quicklistNextNode(n)) {
        putLen(w, quicklistNodeIsPlain(n) ? RDB_NODE_PLAIN : RDB_NODE_PACKED);
        size_t len;
        if (quicklistNodeIsCompressed(n) && w->compress) {
            /* Already an LZ4 block: write it as loom's LZ4 string. */
            const unsigned char *z = quicklistNodeStoredBytes(n, &len);
            putByte(w, 0xC0 | RDB_ENC_LZ4);
            putLen(w, len);
            putLen(w, quicklistNodeSize(n));
            putBytes(w, z, len);
            continue;
        }
        unsigned char *to_free;
        const unsigned char *p = quicklistNodeRawBytes(n, &len, &to_free);
        putString(w, p, len, 0);
        lfree(to_free);
    }
    return w->failed ? -1 : 0;
}

static int putZset(writer *w, const zset *zs) {
    putLen(w, zs->zsl->length);
    /* Greatest score first, as Redis writes it: loading then inserts at the
     * skiplist's head each time, which costs nothing to find. */
    for (zskiplistNode *x = zs->zsl->tail; x; x = x->backward) {
        putString(w, x->member, strLen(x->member), 0);
        uint64_t u;
        memcpy(&u, &x->score, sizeof(u));
        putLE(w, u, 8);
    }
    return w->failed ? -1 : 0;
}

static int putDict(writer *w, dict *d, int with_values) {
    putLen(w, dictSize(d));
    dictIterator *it = dictGetIterator(d);
    for (dictEntry *de; (de = dictNext(it)) && !w->failed;) {
        putString(w, de->key, strLen(de->key), 0);
        if (with_values) putString(w, de->v.val, strLen(de->v.val), 0);
    }
    dictReleaseIterator(it);
    return w->failed ? -1 : 0;
}

/* The type byte for a value, by type and encoding. */
static unsigned typeByte(const obj *o) {
    switch (o->type) {
        case OBJ_STRING: return RDB_TYPE_STRING;
        case OBJ_LIST: return RDB_TYPE_LIST_QUICKLIST_2;
        case OBJ_SET:
            return o->encoding == OBJ_ENC_INTSET     ? RDB_TYPE_SET_INTSET
                   : o->encoding == OBJ_ENC_LISTPACK ? RDB_TYPE_SET_LISTPACK
                                                     : RDB_TYPE_SET;
        case OBJ_ZSET:
            return o->encoding == OBJ_ENC_LISTPACK ? RDB_TYPE_ZSET_LISTPACK : RDB_TYPE_ZSET_2;
        default: return o->encoding == OBJ_ENC_LISTPACK ? RDB_TYPE_HASH_LISTPACK : RDB_TYPE_HASH;
    }
}

static int putValue(writer *w, const obj *o) {
    switch (o->encoding) {
        case OBJ_ENC_RAW:
        case OBJ_ENC_INT:
        case OBJ_ENC_EMBSTR: return putStringObject(w, o);
        case OBJ_ENC_QUICKLIST: return putQuicklist(w, o->ptr);
        case OBJ_ENC_LISTPACK: return putString(w, o->ptr, lpBytes(o->ptr), 0);
        case OBJ_ENC_INTSET: return putString(w, o->ptr, intsetBlobLen(o->ptr), 0);
        case OBJ_ENC_SKIPLIST: return putZset(w, o->ptr);
        default: return putDict(w, o->ptr, o->type == OBJ_HASH);
    }
}

/* --- The file ------------------------------------------------------------------- */

static void putAux(writer *w, const char *name, const char *value) {
    putByte(w, RDB_OPCODE_AUX);
    putString(w, name, strlen(name), 0);
    putString(w, value, strlen(value), 1);
}

static void putAuxInt(writer *w, const char *name, long long v) {
    char buf[UTIL_LONG_STR_SIZE];
    ll2string(buf, sizeof(buf), v);
    putAux(w, name, buf);
}

static void putDb(writer *w, db *d) {
    putByte(w, RDB_OPCODE_SELECTDB);
    putLen(w, (uint64_t)d->id);
    putByte(w, RDB_OPCODE_RESIZEDB);
    putLen(w, dictSize(d->keys));
    putLen(w, dictSize(d->expires));
    int has_expires = dictSize(d->expires) > 0;
    dictIterator *it = dictGetIterator(d->keys);
    for (dictEntry *de; (de = dictNext(it)) && !w->failed;) {
        if (has_expires) {
            dictEntry *ee = dictFind(d->expires, de->key, strLen(de->key));
            if (ee) {
                putByte(w, RDB_OPCODE_EXPIRETIME_MS);
                putLE(w, (uint64_t)ee->v.s64, 8);
            }
        }
        const obj *o = de->v.val;
        putByte(w, typeByte(o));
        putString(w, de->key, strLen(de->key), 0);
        putValue(w, o);
        if (w->key_delay_us) usleep((useconds_t)w->key_delay_us);
    }
    dictReleaseIterator(it);
}

int rdbSaveToFd(int fd, db *dbs, int dbnum, const rdbSaveInfo *info, char *err, size_t errlen) {
    sink s = {.fd = fd, .checksum = info->checksum, .out = lmalloc(CHUNK_BYTES)};
    pthread_mutex_init(&s.lock, NULL);
    pthread_cond_init(&s.done, NULL);
    if (info->compression) s.lz4 = LZ4_createStream();
    writer w = {.sink = &s, .compress = info->compression, .key_delay_us = info->key_save_delay_us};
    w.cur = newChunk(&s);
    char magic[16];
    snprintf(magic, sizeof(magic), "REDIS%04d", RDB_VERSION);
    putBytes(&w, magic, 9);
    putAux(&w, "redis-ver", info->redis_ver);
    putAuxInt(&w, "redis-bits", sizeof(void *) * 8);
    putAuxInt(&w, "ctime", (long long)time(NULL));
    putAuxInt(&w, "used-mem", (long long)allocUsedMemory());
    putAuxInt(&w, "aof-base", info->aof_base);
    putAux(&w, "loom-ver", info->loom_ver);
    for (int i = 0; i < dbnum && !w.failed; i++)
        if (dictSize(dbs[i].keys)) putDb(&w, &dbs[i]);
    putByte(&w, RDB_OPCODE_EOF);
    submitChunk(&w);
    freeChunk(w.cur);
    /* Every chunk written: the sink is the caller's again. */
    int e = waitInFlight(&s, 1);
    if (!e) {
        sinkFlush(&s);
        uint64_t crc = info->checksum ? s.crc : 0;
        unsigned char trailer[8];
        for (int i = 0; i < 8; i++)
            trailer[i] = (unsigned char)(crc >> (8 * i));
        if (!s.write_errno && writeAll(fd, trailer, 8) != 8) s.write_errno = errno;
        e = s.write_errno;
    }
    lfree(s.out);
    lfree(s.zbuf);
    if (s.lz4) LZ4_freeStream(s.lz4);
    pthread_mutex_destroy(&s.lock);
    pthread_cond_destroy(&s.done);
    if (e) {
        snprintf(err, errlen, "write: %s", strerror(e));
        errno = e;
        return -1;
    }
    return 0;
}

/* fsyncs the directory holding path, so a rename into it is durable. */
static int syncDirOf(const char *path) {
    char copy[PATH_MAX];
    snprintf(copy, sizeof(copy), "%s", path);
    int fd = open(dirname(copy), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

int rdbSaveFile(const char *path, db *dbs, int dbnum, const rdbSaveInfo *info, char *err,
                size_t errlen) {
    char tmp[PATH_MAX], copy[PATH_MAX];
    snprintf(copy, sizeof(copy), "%s", path);
    snprintf(tmp, sizeof(tmp), "%s/temp-%d.rdb", dirname(copy), (int)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        int e = errno;
        char cwd[PATH_MAX];
        if (!getcwd(cwd, sizeof(cwd))) snprintf(cwd, sizeof(cwd), "unknown");
        snprintf(err, errlen,
                 "Failed opening the temp RDB file %s (in server root dir %s) for saving: %s", tmp,
                 cwd, strerror(e));
        errno = e;
        return -1;
    }
    int rc = rdbSaveToFd(fd, dbs, dbnum, info, err, errlen);
    if (rc == 0 && fsync(fd) < 0) {
        snprintf(err, errlen, "fsync: %s", strerror(errno));
        rc = -1;
    }
    if (close(fd) < 0 && rc == 0) {
        snprintf(err, errlen, "close: %s", strerror(errno));
        rc = -1;
    }
    if (rc == 0 && rename(tmp, path) < 0) {
        snprintf(err, errlen, "rename %s to %s: %s", tmp, path, strerror(errno));
        rc = -1;
    }
    if (rc < 0) {
        int e = errno;
        unlink(tmp);
        errno = e;
        return -1;
    }
    syncDirOf(path);
    return 0;
}

/* --- Loading ---------------------------------------------------------------- */

/* Loading runs as a two-stage pipeline: a parser thread reads, checksums,
 * decompresses and validates the file and builds each key and value, and the
 * calling thread, which owns the databases, inserts them. Inserting is mostly
 * waiting on cache misses in the hash tables, and parsing is mostly CPU, so on
 * two cores the load takes about as long as the slower stage. Items move in
 * batches through a bounded queue under one mutex (a cold path: one lock per
 * batch); a key and its value belong to the parser until their batch is
 * queued and to the inserting thread after, which is the only one that ever
 * touches the databases. */

#define LOAD_BATCH_ITEMS   512
#define LOAD_QUEUE_BATCHES 16

typedef struct loadItem {
    str key; /* NULL: a RESIZEDB hint (keys/expires in expire_ms/offset) */
    obj *val;
    long long expire_ms;
    long long offset; /* of the key's record, for a duplicate's message */
    int dbid;
} loadItem;

typedef struct loadBatch {
    struct loadBatch *next;
    int count;
    long long pos, total; /* bytes parsed when the batch was queued, of total */
    loadItem items[LOAD_BATCH_ITEMS];
} loadBatch;

typedef struct loader {
    pthread_mutex_t lock;
    pthread_cond_t changed; /* a batch was queued or taken, or the parser ended */
    loadBatch *head, *tail; /* queued batches, under lock */
    int queued;             /* under lock */
    int parser_done;        /* under lock */
    /* Set (under lock, so waits see it) when the inserter found a duplicate;
     * the parser polls it once per key without the lock, and relaxed order is
     * enough: it only makes the parser stop sooner. */
    atomic_int stop;
    loadBatch *filling;   /* parser thread only */
    long long pos, total; /* parser thread only: its progress */
    /* The parse, run by the parser thread. */
    const char *path;
    const rdbLoadLimits *limits;
    rdbLoadSink sink;
    rdbLoadStats *stats;
    char *err;
    size_t errlen;
    int rc, rc_errno;
} loader;

static void queueBatch(loader *l) {
    loadBatch *b = l->filling;
    l->filling = NULL;
    if (!b) return;
    b->pos = l->pos;
    b->total = l->total;
    pthread_mutex_lock(&l->lock);
    while (l->queued >= LOAD_QUEUE_BATCHES && !atomic_load_explicit(&l->stop, memory_order_relaxed))
        pthread_cond_wait(&l->changed, &l->lock);
    b->next = NULL;
    if (l->tail)
        l->tail->next = b;
    else
        l->head = b;
    l->tail = b;
    l->queued++;
    pthread_cond_signal(&l->changed);
    pthread_mutex_unlock(&l->lock);
}

static loadItem *nextItem(loader *l) {
    if (!l->filling) {
        l->filling = lmalloc(sizeof(loadBatch));
        l->filling->count = 0;
    }
    return &l->filling->items[l->filling->count++];
}

static void itemDone(loader *l) {
    if (l->filling->count == LOAD_BATCH_ITEMS) queueBatch(l);
}

/* Parser-thread sink callbacks. */
static void queueResize(void *ctx, int dbid, unsigned long long keys, unsigned long long expires) {
    loader *l = ctx;
    loadItem *it = nextItem(l);
    *it = (loadItem){
        .key = NULL, .dbid = dbid, .expire_ms = (long long)keys, .offset = (long long)expires};
    itemDone(l);
}

static int queueKey(void *ctx, int dbid, const char *key, size_t len, obj *val, long long expire_ms,
                    long long offset, char *err, size_t errlen) {
    loader *l = ctx;
    if (atomic_load_explicit(&l->stop, memory_order_relaxed)) {
        objDecrRef(val);
        snprintf(err, errlen, "Loading stopped");
        return -1;
    }
    loadItem *it = nextItem(l);
    *it = (loadItem){.key = strNewLen(key, len),
                     .val = val,
                     .expire_ms = expire_ms,
                     .offset = offset,
                     .dbid = dbid};
    itemDone(l);
    return 0;
}

static void noteProgress(void *ctx, long long pos, long long total) {
    loader *l = ctx;
    l->pos = pos;
    l->total = total;
}

static void *parserMain(void *arg) {
    loader *l = arg;
    l->rc = rdbParseFile(l->path, l->limits, &l->sink, l->stats, l->err, l->errlen);
    l->rc_errno = errno;
    queueBatch(l);
    pthread_mutex_lock(&l->lock);
    l->parser_done = 1;
    pthread_cond_signal(&l->changed);
    pthread_mutex_unlock(&l->lock);
    return NULL;
}

/* The next queued batch, or NULL once the parser ended and nothing is left. */
static loadBatch *takeBatch(loader *l) {
    pthread_mutex_lock(&l->lock);
    while (!l->head && !l->parser_done)
        pthread_cond_wait(&l->changed, &l->lock);
    loadBatch *b = l->head;
    if (b) {
        l->head = b->next;
        if (!l->head) l->tail = NULL;
        l->queued--;
        pthread_cond_signal(&l->changed);
    }
    pthread_mutex_unlock(&l->lock);
    return b;
}

/* Inserts one item; -1 with the message in err for a duplicate key. */
static int insertItem(db *dbs, loadItem *it, char *err, size_t errlen) {
    db *d = &dbs[it->dbid];
    if (!it->key) {
        if (it->expire_ms) dictExpand(d->keys, (size_t)it->expire_ms);
        if (it->offset) dictExpand(d->expires, (size_t)it->offset);
        return 0;
    }
    dictEntry *de = dictAddRaw(d->keys, it->key, NULL);
    if (!de) {
        char key[96];
        escapeForMessage(it->key, strLen(it->key), key, sizeof(key));
        snprintf(err, errlen, "Duplicate key at offset %lld (key \"%s\" in db %d)", it->offset, key,
                 it->dbid);
        return -1;
    }
    de->v.val = it->val;
    if (it->expire_ms != -1) dictAddRaw(d->expires, de->key, NULL)->v.s64 = it->expire_ms;
    it->key = NULL;
    return 0;
}

int rdbLoadFile(const char *path, db *dbs, int dbnum, const rdbLoadLimits *limits,
                rdbLoadStats *stats, rdbProgressFn *progress, void *ctx, char *err, size_t errlen) {
    rdbLoadStats local;
    loader *l = lcalloc(sizeof(*l));
    pthread_mutex_init(&l->lock, NULL);
    pthread_cond_init(&l->changed, NULL);
    l->path = path;
    l->limits = limits;
    l->stats = stats ? stats : &local;
    l->err = err;
    l->errlen = errlen;
    l->sink = (rdbLoadSink){.dbnum = dbnum,
                            .expired_before_ms = limits->keep_expired ? 0 : mstime(),
                            .resize = queueResize,
                            .key = queueKey,
                            .ctx = l,
                            .progress = noteProgress,
                            .progress_ctx = l};
    pthread_t parser;
    int rc = pthread_create(&parser, NULL, parserMain, l);
    if (rc != 0) {
        snprintf(err, errlen, "Can't start the RDB parser thread: %s", strerror(rc));
        pthread_cond_destroy(&l->changed);
        pthread_mutex_destroy(&l->lock);
        lfree(l);
        errno = rc;
        return -1;
    }
    char dup[320] = "";
    long long last_pos = 0;
    for (loadBatch *b; (b = takeBatch(l));) {
        for (int i = 0; i < b->count; i++) {
            loadItem *it = &b->items[i];
            if (!dup[0] && insertItem(dbs, it, dup, sizeof(dup)) < 0) {
                pthread_mutex_lock(&l->lock);
                atomic_store_explicit(&l->stop, 1, memory_order_relaxed);
                pthread_cond_signal(&l->changed);
                pthread_mutex_unlock(&l->lock);
            }
            if (it->key) {
                strFree(it->key);
                objDecrRef(it->val);
            }
        }
        /* The parser reports every 2 MB; the caller hears it here, on its
         * own thread. */
        if (progress && b->pos != last_pos) progress(ctx, b->pos, b->total);
        last_pos = b->pos;
        lfree(b);
    }
    pthread_join(parser, NULL);
    rc = l->rc;
    int e = l->rc_errno;
    if (dup[0]) {
        snprintf(err, errlen, "%s", dup);
        rc = -1;
        e = EINVAL;
    }
    pthread_cond_destroy(&l->changed);
    pthread_mutex_destroy(&l->lock);
    lfree(l);
    if (rc < 0) errno = e;
    return rc;
}
