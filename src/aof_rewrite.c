/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Serializing the keyspace as commands (aof_rewrite.h). Output is gathered in
 * a buffer and written in chunks of about 1 MB.
 */
#include "aof_rewrite.h"

#include "aof_file.h"
#include "db.h"
#include "listpack.h"
#include "quicklist.h"
#include "server.h"
#include "str.h"
#include "t_set.h"
#include "t_zset.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define ITEMS_PER_COMMAND 64
#define FLUSH_BYTES       (1024 * 1024)

typedef struct writer {
    int fd;
    str buf;
    int failed; /* errno of a failed write, 0 */
} writer;

static void maybeFlush(writer *w, int force) {
    size_t len = strLen(w->buf);
    if (w->failed || len == 0 || (!force && len < FLUSH_BYTES)) return;
    if (writeAll(w->fd, w->buf, len) != (ssize_t)len) w->failed = errno;
    strClear(w->buf);
}

/* A batched command: "<name> key" then items; the array length is patched
 * when the batch closes, so batches are built as separate strings. */
typedef struct batch {
    writer *w;
    const char *name;
    const str key;
    int per_item;   /* arguments per item */
    long long left; /* items not yet emitted */
    int in_batch;   /* items in the open batch */
    str args;       /* the open batch's item arguments */
} batch;

static void closeBatch(batch *b) {
    if (!b->in_batch) return;
    writer *w = b->w;
    w->buf = aofCatArrayHeader(w->buf, 2 + (long long)b->in_batch * b->per_item);
    w->buf = aofCatBulk(w->buf, b->name, strlen(b->name));
    w->buf = aofCatBulk(w->buf, b->key, strLen(b->key));
    w->buf = strCatLen(w->buf, b->args, strLen(b->args));
    strClear(b->args);
    b->in_batch = 0;
    maybeFlush(w, 0);
}

static void itemDone(batch *b) {
    if (++b->in_batch == ITEMS_PER_COMMAND) closeBatch(b);
}

static void addBytes(batch *b, const char *p, size_t len) {
    b->args = aofCatBulk(b->args, p, len);
}

static void addScore(batch *b, double score) {
    char buf[128];
    int len = d2string(buf, sizeof(buf), score);
    addBytes(b, buf, (size_t)len);
}

static void writeList(batch *b, obj *o) {
    quicklistIter *it = quicklistGetIterator(o->ptr, QUICKLIST_HEAD);
    quicklistEntry e;
    while (quicklistNext(it, &e)) {
        if (e.value)
            addBytes(b, (const char *)e.value, e.len);
        else
            b->args = aofCatBulkLongLong(b->args, e.lval);
        itemDone(b);
    }
    quicklistReleaseIterator(it);
}

static void writeSet(batch *b, obj *o) {
    setTypeIter *it = setTypeIterCreate(o);
    const char *m;
    size_t len;
    while (setTypeIterNext(it, &m, &len)) {
        addBytes(b, m, len);
        itemDone(b);
    }
    setTypeIterRelease(it);
}

static void writeZset(batch *b, obj *o) {
    zsetTypeIterator it;
    zsetTypeIterInit(&it, o, 0, 0);
    const char *m;
    size_t len;
    double score;
    while (zsetTypeIterNext(&it, &m, &len, &score)) {
        addScore(b, score);
        addBytes(b, m, len);
        itemDone(b);
    }
}

static void writeHash(batch *b, obj *o) {
    if (o->encoding == OBJ_ENC_LISTPACK) {
        unsigned char buf[LP_INTBUF_SIZE];
        for (unsigned char *p = lpFirst(o->ptr); p; p = lpNext(o->ptr, p)) {
            unsigned int len;
            const unsigned char *v = lpGetBytes(p, &len, buf);
            addBytes(b, (const char *)v, len);
            p = lpNext(o->ptr, p);
            v = lpGetBytes(p, &len, buf);
            addBytes(b, (const char *)v, len);
            itemDone(b);
        }
        return;
    }
    dictIterator *it = dictGetIterator(o->ptr);
    dictEntry *de;
    while ((de = dictNext(it))) {
        str field = de->key, value = de->v.val;
        addBytes(b, field, strLen(field));
        addBytes(b, value, strLen(value));
        itemDone(b);
    }
    dictReleaseIterator(it);
}

/* scratch: the item buffer, kept across keys. */
static void writeKey(writer *w, str *scratch, const str key, obj *o, long long expire_ms) {
    if (o->type == OBJ_STRING) {
        char ibuf[OBJ_INT_BUF];
        size_t len;
        const char *p = objStringBytes(o, ibuf, &len);
        w->buf = aofCatArrayHeader(w->buf, 3);
        w->buf = aofCatBulk(w->buf, "SET", 3);
        w->buf = aofCatBulk(w->buf, key, strLen(key));
        w->buf = aofCatBulk(w->buf, p, len);
    } else {
        batch b = {.w = w, .key = key, .per_item = 1, .args = *scratch};
        switch (o->type) {
            case OBJ_LIST:
                b.name = "RPUSH";
                writeList(&b, o);
                break;
            case OBJ_SET:
                b.name = "SADD";
                writeSet(&b, o);
                break;
            case OBJ_ZSET:
                b.name = "ZADD";
                b.per_item = 2;
                writeZset(&b, o);
                break;
            case OBJ_HASH:
                b.name = "HSET";
                b.per_item = 2;
                writeHash(&b, o);
                break;
        }
        closeBatch(&b);
        *scratch = b.args;
    }
    if (expire_ms >= 0) {
        w->buf = aofCatArrayHeader(w->buf, 3);
        w->buf = aofCatBulk(w->buf, "PEXPIREAT", 9);
        w->buf = aofCatBulk(w->buf, key, strLen(key));
        w->buf = aofCatBulkLongLong(w->buf, expire_ms);
    }
    maybeFlush(w, 0);
}

int aofRewriteKeyspace(int fd, char *err, size_t errlen) {
    writer w = {.fd = fd, .buf = strEmpty()};
    str scratch = strEmpty();
    for (int i = 0; i < server.dbnum && !w.failed; i++) {
        db *d = &server.dbs[i];
        if (dbSize(d) == 0) continue;
        w.buf = aofCatArrayHeader(w.buf, 2);
        w.buf = aofCatBulk(w.buf, "SELECT", 6);
        w.buf = aofCatBulkLongLong(w.buf, i);
        dictIterator *it = dictGetIterator(d->keys);
        dictEntry *de;
        while (!w.failed && (de = dictNext(it))) {
            str key = de->key;
            writeKey(&w, &scratch, key, de->v.val, dbGetExpire(d, key, strLen(key)));
        }
        dictReleaseIterator(it);
    }
    maybeFlush(&w, 1);
    strFree(w.buf);
    strFree(scratch);
    if (!w.failed) return 0;
    snprintf(err, errlen, "write: %s", strerror(w.failed));
    errno = w.failed;
    return -1;
}
