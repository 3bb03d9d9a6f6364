/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Unit tests for RDB saving and loading (rdb.c, rdb_load.c) on databases
 * built here, through temp files: a round trip of every type in every
 * encoding (with compression and checksum on and off, with TTLs), files
 * crafted by hand in the formats loom never writes (ziplists, ziplist
 * quicklists, text-score sorted sets, second expiries, LIST 1, SET 2, HASH 4),
 * and corruption: truncation at every offset, every byte flipped, a bad
 * checksum, impossible lengths, duplicates, unknown types. A corrupt file must
 * fail with an offset in the message, leak nothing and never crash (the ASan
 * build runs these too).
 */
#include "test.h"

#include "bio.h"
#include "crc64.h"
#include "db.h"
#include "dict.h"
#include "intset.h"
#include "listpack.h"
#include "object.h"
#include "quicklist.h"
#include "rdb.h"
#include "str.h"
#include "util.h"
#include "zset.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NDB 4

static void freeValue(void *v) {
    objDecrRef(v);
}
static const dictType keys_type = {.owns_keys = 1, .free_val = freeValue};
static const dictType expires_type = {.owns_keys = 0};

static void initDbs(db *dbs) {
    objInit();
    for (int i = 0; i < NDB; i++) {
        dbs[i].keys = dictCreate(&keys_type);
        dbs[i].expires = dictCreate(&expires_type);
        dbs[i].id = i;
    }
}

static void releaseDbs(db *dbs) {
    for (int i = 0; i < NDB; i++) {
        dictRelease(dbs[i].expires);
        dictRelease(dbs[i].keys);
    }
}

static void addKey(db *d, const char *key, obj *val, long long expire_ms) {
    dictEntry *de = dictAddRaw(d->keys, strNew(key), NULL);
    de->v.val = val;
    if (expire_ms >= 0) dictAddRaw(d->expires, de->key, NULL)->v.s64 = expire_ms;
}

static char tmp_path[64];

static const char *tempPath(void) {
    snprintf(tmp_path, sizeof(tmp_path), "/tmp/loom-test-rdb-%d.rdb", (int)getpid());
    return tmp_path;
}

static int writeFile(const char *path, const void *p, size_t len) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return -1;
    ssize_t n = write(fd, p, len);
    close(fd);
    return n == (ssize_t)len ? 0 : -1;
}

static unsigned char *readFile(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *p = malloc(*len ? *len : 1);
    if (fread(p, 1, *len, f) != *len) *len = 0;
    fclose(f);
    return p;
}

/* --- A canonical text form of a value, to compare across encodings ---------- */

static int compareStrs(const void *a, const void *b) {
    return strCmp(*(const str *)a, *(const str *)b);
}

/* Sorts parts[0..n), appends them to out with lengths, frees them. */
static str joinSorted(str out, str *parts, size_t n) {
    qsort(parts, n, sizeof(str), compareStrs);
    for (size_t i = 0; i < n; i++) {
        out = strCatFmt(out, "%zu:", strLen(parts[i]));
        out = strCatLen(out, parts[i], strLen(parts[i]));
        strFree(parts[i]);
    }
    free(parts);
    return out;
}

static str entryStr(const unsigned char *p) {
    unsigned char buf[LP_INTBUF_SIZE];
    unsigned int len;
    const unsigned char *s = lpGetBytes(p, &len, buf);
    return strNewLen(s, len);
}

static double entryDouble(const unsigned char *p) {
    unsigned int len;
    long long v;
    const unsigned char *s = lpGetValue(p, &len, &v);
    if (!s) return (double)v;
    char buf[64];
    snprintf(buf, sizeof(buf), "%.*s", (int)len, s);
    return strtod(buf, NULL);
}

static str canonical(obj *o) {
    str out = strCatFmt(strEmpty(), "%s/", objTypeName(o->type));
    if (o->type == OBJ_STRING) {
        char buf[OBJ_INT_BUF];
        size_t len;
        const char *p = objStringBytes(o, buf, &len);
        return strCatLen(out, p, len);
    }
    if (o->type == OBJ_LIST) {
        quicklistIter *it = quicklistGetIterator(o->ptr, QUICKLIST_HEAD);
        quicklistEntry e;
        while (quicklistNext(it, &e)) {
            if (e.value)
                out = strCatFmt(out, "%zu:", e.len), out = strCatLen(out, e.value, e.len);
            else
                out = strCatFmt(out, "i%lld,", e.lval);
        }
        quicklistReleaseIterator(it);
        return out;
    }
    if (o->type == OBJ_ZSET) {
        if (o->encoding == OBJ_ENC_LISTPACK) {
            unsigned char *lp = o->ptr;
            for (unsigned char *p = lpFirst(lp); p; p = lpNext(lp, lpNext(lp, p))) {
                str m = entryStr(p);
                out = strCatFmt(out, "%s=%.17g,", m, entryDouble(lpNext(lp, p)));
                strFree(m);
            }
        } else {
            zset *zs = o->ptr;
            for (zskiplistNode *x = zs->zsl->header->level[0].forward; x; x = x->level[0].forward)
                out = strCatFmt(out, "%s=%.17g,", x->member, x->score);
        }
        return out;
    }
    size_t n = 0, cap = 16;
    str *parts = malloc(cap * sizeof(str));
    if (o->encoding == OBJ_ENC_INTSET) {
        int64_t v;
        for (uint32_t i = 0; intsetGet(o->ptr, i, &v); i++) {
            if (n == cap) parts = realloc(parts, (cap *= 2) * sizeof(str));
            parts[n++] = strCatFmt(strEmpty(), "%lld", (long long)v);
        }
    } else if (o->encoding == OBJ_ENC_LISTPACK) {
        unsigned char *lp = o->ptr;
        for (unsigned char *p = lpFirst(lp); p; p = lpNext(lp, p)) {
            if (n == cap) parts = realloc(parts, (cap *= 2) * sizeof(str));
            parts[n] = entryStr(p);
            if (o->type == OBJ_HASH) {
                p = lpNext(lp, p);
                str v = entryStr(p);
                parts[n] = strCatLen(strCat(parts[n], "="), v, strLen(v));
                strFree(v);
            }
            n++;
        }
    } else {
        dictIterator *it = dictGetIterator(o->ptr);
        for (dictEntry *de; (de = dictNext(it));) {
            if (n == cap) parts = realloc(parts, (cap *= 2) * sizeof(str));
            parts[n] = strDup(de->key);
            if (o->type == OBJ_HASH) parts[n] = strCatStr(strCat(parts[n], "="), de->v.val);
            n++;
        }
        dictReleaseIterator(it);
    }
    return joinSorted(out, parts, n);
}

/* 0 if the two sets of databases hold the same keys, values, encodings and
 * TTLs; else prints the first difference. */
static int compareDbs(db *a, db *b, int same_encoding) {
    for (int i = 0; i < NDB; i++) {
        if (dictSize(a[i].keys) != dictSize(b[i].keys)) {
            fprintf(stderr, "db %d: %zu keys vs %zu\n", i, dictSize(a[i].keys),
                    dictSize(b[i].keys));
            return -1;
        }
        if (dictSize(a[i].expires) != dictSize(b[i].expires)) return -1;
        dictIterator *it = dictGetIterator(a[i].keys);
        int rc = 0;
        for (dictEntry *de; rc == 0 && (de = dictNext(it));) {
            dictEntry *other = dictFind(b[i].keys, de->key, strLen(de->key));
            if (!other) {
                fprintf(stderr, "db %d: key %s missing\n", i, de->key);
                rc = -1;
                break;
            }
            obj *x = de->v.val, *y = other->v.val;
            str cx = canonical(x), cy = canonical(y);
            if (strCmp(cx, cy) != 0 || (same_encoding && x->encoding != y->encoding)) {
                fprintf(stderr, "db %d key %s: %s (%s) vs %s (%s)\n", i, de->key,
                        objEncodingName(x->encoding), cx, objEncodingName(y->encoding), cy);
                rc = -1;
            }
            strFree(cx);
            strFree(cy);
            dictEntry *ea = dictFind(a[i].expires, de->key, strLen(de->key));
            dictEntry *eb = dictFind(b[i].expires, de->key, strLen(de->key));
            if (!ea != !eb || (ea && ea->v.s64 != eb->v.s64)) {
                fprintf(stderr, "db %d key %s: TTL differs\n", i, de->key);
                rc = -1;
            }
        }
        dictReleaseIterator(it);
        if (rc) return rc;
    }
    return 0;
}

/* --- Building a keyspace with every encoding ------------------------------------ */

static obj *makeList(int fill, int depth, int n, size_t elem_len) {
    obj *o = objCreateList(fill, depth);
    char *buf = malloc(elem_len + 32);
    for (int i = 0; i < n; i++) {
        if (elem_len == 0) {
            int len = snprintf(buf, 32, "%d", i * 7 - 100);
            quicklistPush(o->ptr, buf, (size_t)len, QUICKLIST_TAIL);
        } else {
            memset(buf, 'a' + i % 26, elem_len);
            int len = snprintf(buf + elem_len, 32, "%d", i);
            quicklistPush(o->ptr, buf, elem_len + (size_t)len, QUICKLIST_TAIL);
        }
    }
    free(buf);
    return o;
}

static obj *makeHash(int n, int listpack) {
    if (listpack) {
        obj *o = objCreateListpackValue(OBJ_HASH);
        for (int i = 0; i < n; i++) {
            char f[32], v[32];
            int fl = snprintf(f, sizeof(f), "field%d", i), vl = snprintf(v, sizeof(v), "%d", i);
            o->ptr = lpAppend(o->ptr, (unsigned char *)f, (size_t)fl);
            o->ptr = lpAppend(o->ptr, (unsigned char *)v, (size_t)vl);
        }
        return o;
    }
    dict *d = dictCreate(&objHashDictType);
    for (int i = 0; i < n; i++)
        dictAdd(d, strCatFmt(strEmpty(), "field%d", i),
                strCatFmt(strEmpty(), "value-%d-with-some-repeated-text-text-text", i));
    return objCreateEncoded(OBJ_HASH, OBJ_ENC_HT, d);
}

static obj *makeSet(int n, int encoding) {
    if (encoding == OBJ_ENC_INTSET) {
        intset *is = intsetNew();
        for (int i = 0; i < n; i++)
            is = intsetAdd(is, (int64_t)i * 1000003 - 5000000000LL, NULL);
        return objCreateEncoded(OBJ_SET, OBJ_ENC_INTSET, is);
    }
    if (encoding == OBJ_ENC_LISTPACK) {
        obj *o = objCreateListpackValue(OBJ_SET);
        for (int i = 0; i < n; i++) {
            char m[32];
            int len = snprintf(m, sizeof(m), i % 2 ? "m%d" : "%d", i);
            o->ptr = lpAppend(o->ptr, (unsigned char *)m, (size_t)len);
        }
        return o;
    }
    dict *d = dictCreate(&objSetDictType);
    for (int i = 0; i < n; i++)
        dictAdd(d, strCatFmt(strEmpty(), "member:%d", i), NULL);
    return objCreateEncoded(OBJ_SET, OBJ_ENC_HT, d);
}

static obj *makeZset(int n, int listpack) {
    zset *zs = zsetCreate();
    for (int i = 0; i < n; i++) {
        char m[32];
        int len = snprintf(m, sizeof(m), "z%d", i);
        int flags;
        double score = i % 3 == 0 ? i : i * 0.37 - 11;
        zsetAdd(zs, score, m, (size_t)len, 0, &flags, NULL);
    }
    if (!listpack) return objCreateEncoded(OBJ_ZSET, OBJ_ENC_SKIPLIST, zs);
    unsigned char *lp = lpNew(0);
    for (zskiplistNode *x = zs->zsl->header->level[0].forward; x; x = x->level[0].forward) {
        lp = lpAppend(lp, (unsigned char *)x->member, strLen(x->member));
        char buf[64];
        int len;
        if ((double)(long long)x->score == x->score) {
            lp = lpAppendInteger(lp, (long long)x->score);
        } else {
            len = d2string(buf, sizeof(buf), x->score);
            lp = lpAppend(lp, (unsigned char *)buf, (size_t)len);
        }
    }
    zsetFree(zs);
    return objCreateEncoded(OBJ_ZSET, OBJ_ENC_LISTPACK, lp);
}

static void fillDbs(db *dbs) {
    long long future = mstime() + 3600 * 1000;
    addKey(&dbs[0], "str:embstr", objCreateStringValue("hello", 5), -1);
    addKey(&dbs[0], "str:int", objCreateStringValue("-123456789012", 13), -1);
    addKey(&dbs[0], "str:small", objCreateStringValue("42", 2), future);
    addKey(&dbs[0], "str:int32", objCreateStringValue("2147483647", 10), -1);
    addKey(&dbs[0], "str:notcanon", objCreateString("007", 3), -1);
    char big[3000];
    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = "abcab"[i % 5];
    addKey(&dbs[0], "str:compressible", objCreateString(big, sizeof(big)), -1);
    unsigned char rnd[300];
    getRandomBytes(rnd, sizeof(rnd));
    addKey(&dbs[0], "str:random", objCreateString((char *)rnd, sizeof(rnd)), future + 1);
    addKey(&dbs[0], "str:empty", objCreateString("", 0), -1);
    addKey(&dbs[0], "list:small", makeList(-2, 0, 5, 0), -1);
    addKey(&dbs[0], "list:nodes", makeList(-2, 0, 3000, 10), -1);
    addKey(&dbs[0], "list:compressed", makeList(-2, 1, 3000, 30), -1);
    addKey(&dbs[0], "list:plain", makeList(-2, 0, 3, 9000), -1);
    addKey(&dbs[0], "list:fill16", makeList(16, 2, 200, 0), -1);
    addKey(&dbs[1], "hash:lp", makeHash(10, 1), future + 2);
    addKey(&dbs[1], "hash:ht", makeHash(700, 0), -1);
    addKey(&dbs[1], "set:intset", makeSet(100, OBJ_ENC_INTSET), -1);
    addKey(&dbs[1], "set:lp", makeSet(20, OBJ_ENC_LISTPACK), -1);
    addKey(&dbs[1], "set:ht", makeSet(1000, OBJ_ENC_HT), -1);
    addKey(&dbs[3], "zset:lp", makeZset(30, 1), -1);
    addKey(&dbs[3], "zset:sl", makeZset(500, 0), future + 3);
    addKey(&dbs[3], "", objCreateStringValue("empty key", 9), -1);
}

static int roundTrip(int compression, int checksum) {
    db a[NDB], b[NDB];
    initDbs(a);
    initDbs(b);
    fillDbs(a);
    rdbSaveInfo info = {compression, checksum, "7.0.15", "test"};
    char err[256];
    const char *path = tempPath();
    ASSERT_EQ(rdbSaveFile(path, a, NDB, &info, err, sizeof(err)), 0);
    rdbLoadStats st;
    int rc = rdbLoadFile(path, b, NDB, &rdbDefaultLimits, &st, NULL, NULL, err, sizeof(err));
    if (rc) fprintf(stderr, "%s\n", err);
    ASSERT_EQ(rc, 0);
    ASSERT_EQ(st.version, RDB_VERSION);
    ASSERT_STR_EQ(st.redis_ver, "7.0.15");
    ASSERT_EQ(st.keys, 21);
    ASSERT_EQ(st.expires, 4);
    ASSERT_EQ(st.per_type[OBJ_STRING], 9);
    ASSERT_EQ(st.per_type[OBJ_LIST], 5);
    ASSERT_EQ(st.checksum_verified, checksum);
    ASSERT_EQ(compareDbs(a, b, 1), 0);
    ASSERT_EQ(rdbCheckFile(path, &st, err, sizeof(err)), 0);
    ASSERT_EQ(st.keys, 21);
    unlink(path);
    releaseDbs(a);
    releaseDbs(b);
    return 0;
}

int test_rdb_roundtrip_compressed(void) {
    return roundTrip(1, 1);
}
int test_rdb_roundtrip_plain(void) {
    return roundTrip(0, 1);
}
int test_rdb_roundtrip_no_checksum(void) {
    return roundTrip(1, 0);
}

/* Compression actually shrinks the file, and uncompressed saves are larger. */
int test_rdb_compression_shrinks(void) {
    db a[NDB];
    initDbs(a);
    fillDbs(a);
    char err[256];
    const char *path = tempPath();
    rdbSaveInfo on = {1, 1, "7.0.15", "t"}, off = {0, 1, "7.0.15", "t"};
    size_t len_on, len_off;
    ASSERT_EQ(rdbSaveFile(path, a, NDB, &on, err, sizeof(err)), 0);
    free(readFile(path, &len_on));
    ASSERT_EQ(rdbSaveFile(path, a, NDB, &off, err, sizeof(err)), 0);
    free(readFile(path, &len_off));
    ASSERT_LT(len_on, len_off / 2);
    unlink(path);
    releaseDbs(a);
    return 0;
}

/* Keys whose TTL passed are not loaded, but the checker counts them. */
int test_rdb_expired_skipped(void) {
    db a[NDB], b[NDB];
    initDbs(a);
    initDbs(b);
    addKey(&a[0], "old", objCreateStringValue("x", 1), 1000);
    addKey(&a[0], "new", objCreateStringValue("y", 1), mstime() + 100000);
    addKey(&a[2], "none", objCreateStringValue("z", 1), -1);
    rdbSaveInfo info = {1, 1, "7.0.15", "t"};
    char err[256];
    const char *path = tempPath();
    ASSERT_EQ(rdbSaveFile(path, a, NDB, &info, err, sizeof(err)), 0);
    rdbLoadStats st;
    ASSERT_EQ(rdbLoadFile(path, b, NDB, &rdbDefaultLimits, &st, NULL, NULL, err, sizeof(err)), 0);
    ASSERT_EQ(st.keys, 2);
    ASSERT_EQ(st.expired_skipped, 1);
    ASSERT_EQ(dictSize(b[0].keys), 1);
    ASSERT_EQ(dictSize(b[2].keys), 1);
    ASSERT_EQ(rdbCheckFile(path, &st, err, sizeof(err)), 0);
    ASSERT_EQ(st.keys, 3);
    unlink(path);
    releaseDbs(a);
    releaseDbs(b);
    return 0;
}

/* Loading converts to the encodings the limits call for. */
int test_rdb_load_converts_by_limits(void) {
    db a[NDB], b[NDB];
    initDbs(a);
    initDbs(b);
    addKey(&a[0], "h", makeHash(10, 1), -1);
    addKey(&a[0], "s", makeSet(20, OBJ_ENC_LISTPACK), -1);
    addKey(&a[0], "i", makeSet(20, OBJ_ENC_INTSET), -1);
    addKey(&a[0], "z", makeZset(30, 1), -1);
    addKey(&a[0], "bigh", makeHash(40, 0), -1);
    rdbSaveInfo info = {1, 1, "7.0.15", "t"};
    char err[256];
    const char *path = tempPath();
    ASSERT_EQ(rdbSaveFile(path, a, NDB, &info, err, sizeof(err)), 0);
    rdbLoadLimits lim = rdbDefaultLimits;
    lim.hash_max_listpack_entries = 5;
    lim.set_max_listpack_entries = 5;
    lim.set_max_intset_entries = 5;
    lim.zset_max_listpack_entries = 5;
    lim.hash_max_listpack_value = 200;
    ASSERT_EQ(rdbLoadFile(path, b, NDB, &lim, NULL, NULL, NULL, err, sizeof(err)), 0);
    const char *names[] = {"h", "s", "i", "z", "bigh"};
    int want[] = {OBJ_ENC_HT, OBJ_ENC_HT, OBJ_ENC_HT, OBJ_ENC_SKIPLIST, OBJ_ENC_HT};
    for (int i = 0; i < 5; i++) {
        obj *x = dictFind(a[0].keys, names[i], strlen(names[i]))->v.val;
        obj *y = dictFind(b[0].keys, names[i], strlen(names[i]))->v.val;
        ASSERT_EQ(y->encoding, want[i]);
        str cx = canonical(x), cy = canonical(y);
        ASSERT_STR_EQ(cx, cy);
        strFree(cx);
        strFree(cy);
    }
    /* And back to compact encodings when a hashtable is small enough. */
    db c[NDB];
    initDbs(c);
    ASSERT_EQ(rdbSaveFile(path, b, NDB, &info, err, sizeof(err)), 0);
    ASSERT_EQ(rdbLoadFile(path, c, NDB, &rdbDefaultLimits, NULL, NULL, NULL, err, sizeof(err)), 0);
    ASSERT_EQ(((obj *)dictFind(c[0].keys, "bigh", 4)->v.val)->encoding, OBJ_ENC_LISTPACK);
    ASSERT_EQ(((obj *)dictFind(c[0].keys, "i", 1)->v.val)->encoding, OBJ_ENC_INTSET);
    ASSERT_EQ(((obj *)dictFind(c[0].keys, "z", 1)->v.val)->encoding, OBJ_ENC_LISTPACK);
    ASSERT_EQ(compareDbs(a, c, 0), 0);
    unlink(path);
    releaseDbs(a);
    releaseDbs(b);
    releaseDbs(c);
    return 0;
}

/* --- Crafted files ---------------------------------------------------------------- */

typedef struct builder {
    unsigned char *p;
    size_t len, cap;
} builder;

static void put(builder *b, const void *p, size_t n) {
    if (b->len + n > b->cap) {
        b->cap = (b->len + n) * 2 + 64;
        b->p = realloc(b->p, b->cap);
    }
    memcpy(b->p + b->len, p, n);
    b->len += n;
}

static void putU8(builder *b, unsigned v) {
    unsigned char c = (unsigned char)v;
    put(b, &c, 1);
}

static void putLE(builder *b, uint64_t v, int n) {
    for (int i = 0; i < n; i++)
        putU8(b, (unsigned)(v >> (8 * i)) & 0xff);
}

static void putLen(builder *b, uint64_t len) {
    if (len < 64) {
        putU8(b, (unsigned)len);
    } else if (len < 16384) {
        putU8(b, 0x40 | (unsigned)(len >> 8));
        putU8(b, (unsigned)len & 0xff);
    } else {
        putU8(b, 0x80);
        for (int i = 3; i >= 0; i--)
            putU8(b, (unsigned)(len >> (8 * i)) & 0xff);
    }
}

static void putStr(builder *b, const void *p, size_t len) {
    putLen(b, len);
    put(b, p, len);
}

static void putCstr(builder *b, const char *s) {
    putStr(b, s, strlen(s));
}

static void startFile(builder *b, int version) {
    char magic[16];
    snprintf(magic, sizeof(magic), "REDIS%04d", version);
    put(b, magic, 9);
}

/* EOF and the checksum. */
static void endFile(builder *b) {
    putU8(b, RDB_OPCODE_EOF);
    putLE(b, crc64(0, b->p, b->len), 8);
}

/* A ziplist of the given entries ("#123" is the integer 123). */
static void putZiplist(builder *b, const char *const *entries, int n) {
    builder z = {0};
    putLE(&z, 0, 4);
    putLE(&z, 0, 4);
    putLE(&z, (uint64_t)n, 2);
    size_t prev = 0, last = 10;
    for (int i = 0; i < n; i++) {
        size_t start = z.len;
        last = start;
        if (prev < 254)
            putU8(&z, (unsigned)prev);
        else
            putU8(&z, 254), putLE(&z, prev, 4);
        const char *e = entries[i];
        if (e[0] == '#') {
            long long v = atoll(e + 1);
            if (v >= 0 && v <= 12)
                putU8(&z, 0xF1 + (unsigned)v);
            else if (v >= -128 && v <= 127)
                putU8(&z, 0xFE), putLE(&z, (uint64_t)v, 1);
            else if (v >= -32768 && v <= 32767)
                putU8(&z, 0xC0), putLE(&z, (uint64_t)v, 2);
            else if (v >= -8388608 && v <= 8388607)
                putU8(&z, 0xF0), putLE(&z, (uint64_t)v, 3);
            else if (v >= INT32_MIN && v <= INT32_MAX)
                putU8(&z, 0xD0), putLE(&z, (uint64_t)v, 4);
            else
                putU8(&z, 0xE0), putLE(&z, (uint64_t)v, 8);
        } else {
            size_t len = strlen(e);
            if (len < 64)
                putU8(&z, (unsigned)len);
            else
                putU8(&z, 0x40 | (unsigned)(len >> 8)), putU8(&z, (unsigned)len & 0xff);
            put(&z, e, len);
        }
        prev = z.len - start;
    }
    putU8(&z, 0xFF);
    for (int i = 0; i < 4; i++)
        z.p[i] = (unsigned char)(z.len >> (8 * i));
    for (int i = 0; i < 4; i++)
        z.p[4 + i] = (unsigned char)(last >> (8 * i));
    putStr(b, z.p, z.len);
    free(z.p);
}

static int loadCrafted(builder *b, db *dbs, rdbLoadStats *st, char *err, size_t errlen) {
    const char *path = tempPath();
    if (writeFile(path, b->p, b->len) < 0) return -2;
    int rc = rdbLoadFile(path, dbs, NDB, &rdbDefaultLimits, st, NULL, NULL, err, errlen);
    unlink(path);
    return rc;
}

static str valueOf(db *d, const char *key) {
    dictEntry *de = dictFind(d->keys, key, strlen(key));
    return de ? canonical(de->v.val) : strNew("(missing)");
}

#define ASSERT_VALUE(d, key, want)                                                                 \
    do {                                                                                           \
        str got_ = valueOf(d, key);                                                                \
        int same_ = strcmp(got_, want) == 0;                                                       \
        if (!same_) fprintf(stderr, "%s: got %s want %s\n", key, got_, want);                      \
        strFree(got_);                                                                             \
        ASSERT(same_);                                                                             \
    } while (0)

/* What Redis 2.6 to 6.2 wrote: ziplists, ziplist quicklists, text scores,
 * second-resolution expiries, and the plain LIST/SET/HASH types. */
int test_rdb_old_encodings(void) {
    builder b = {0};
    startFile(&b, 9);
    putU8(&b, RDB_OPCODE_AUX);
    putCstr(&b, "redis-ver");
    putCstr(&b, "5.0.7");
    putU8(&b, RDB_OPCODE_SELECTDB);
    putLen(&b, 2);
    putU8(&b, RDB_OPCODE_RESIZEDB);
    putLen(&b, 9);
    putLen(&b, 1);
    static const char *const list[] = {
        "a",
        "#5",
        "#-100",
        "#1000",
        "#100000",
        "#3000000000",
        ("a-string-of-more-than-sixty-four-bytes-xxxxxxxxxxxxxxxxxxxxxx"
         "xxxxxxxxxxxxxxxxx")};
    putU8(&b, RDB_TYPE_LIST_ZIPLIST);
    putCstr(&b, "zl");
    putZiplist(&b, list, 7);
    static const char *const hash[] = {"f1", "v1", "f2", "#7"};
    putU8(&b, RDB_TYPE_HASH_ZIPLIST);
    putCstr(&b, "hz");
    putZiplist(&b, hash, 4);
    static const char *const zset[] = {"x", "#1", "y", "2.5", "w", "2.5"};
    putU8(&b, RDB_OPCODE_EXPIRETIME);
    putLE(&b, (uint64_t)(mstime() / 1000 + 1000), 4);
    putU8(&b, RDB_TYPE_ZSET_ZIPLIST);
    putCstr(&b, "zz");
    static const char *const zset_sorted[] = {"x", "#1", "w", "2.5", "y", "2.5"};
    (void)zset;
    putZiplist(&b, zset_sorted, 6);
    putU8(&b, RDB_TYPE_LIST_QUICKLIST);
    putCstr(&b, "ql");
    putLen(&b, 2);
    static const char *const n1[] = {"one", "two"}, *const n2[] = {"#3"};
    putZiplist(&b, n1, 2);
    putZiplist(&b, n2, 1);
    putU8(&b, RDB_TYPE_ZSET);
    putCstr(&b, "zt");
    putLen(&b, 3);
    putCstr(&b, "m1");
    putU8(&b, 3);
    put(&b, "1.5", 3);
    putCstr(&b, "m2");
    putU8(&b, 254); /* +inf */
    putCstr(&b, "m3");
    putU8(&b, 255); /* -inf */
    putU8(&b, RDB_TYPE_LIST);
    putCstr(&b, "l1");
    putLen(&b, 2);
    putCstr(&b, "p");
    putU8(&b, 0xC0 | RDB_ENC_INT16);
    putLE(&b, (uint64_t)-300, 2);
    putU8(&b, RDB_TYPE_SET);
    putCstr(&b, "s1");
    putLen(&b, 3);
    putCstr(&b, "1");
    putCstr(&b, "2");
    putU8(&b, 0xC0 | RDB_ENC_INT32);
    putLE(&b, 70000, 4);
    putU8(&b, RDB_TYPE_HASH);
    putCstr(&b, "h1");
    putLen(&b, 1);
    putCstr(&b, "k");
    putCstr(&b, "v");
    putU8(&b, RDB_TYPE_SET);
    putCstr(&b, "empty");
    putLen(&b, 0);
    putU8(&b, RDB_OPCODE_FUNCTION2);
    putCstr(&b, "#!lua name=lib\nredis.register_function('f', function() return 1 end)");
    endFile(&b);

    db dbs[NDB];
    initDbs(dbs);
    rdbLoadStats st;
    char err[256] = "";
    int rc = loadCrafted(&b, dbs, &st, err, sizeof(err));
    if (rc) fprintf(stderr, "%s\n", err);
    ASSERT_EQ(rc, 0);
    ASSERT_STR_EQ(st.redis_ver, "5.0.7");
    ASSERT_EQ(st.keys, 8);
    ASSERT_EQ(st.expires, 1);
    ASSERT_EQ(st.empty_skipped, 1);
    ASSERT_EQ(st.functions_skipped, 1);
    ASSERT_EQ(st.checksum_verified, 1);
    db *d = &dbs[2];
    ASSERT_VALUE(d, "zl",
                 "list/1:ai5,i-100,i1000,i100000,i3000000000,78:a-string-of-more-than-"
                 "sixty-four-bytes-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
    ASSERT_VALUE(d, "hz", "hash/5:f1=v14:f2=7");
    ASSERT_VALUE(d, "zz", "zset/x=1,w=2.5,y=2.5,");
    ASSERT_VALUE(d, "ql", "list/3:one3:twoi3,");
    ASSERT_VALUE(d, "zt", "zset/m3=-inf,m1=1.5,m2=inf,");
    ASSERT_VALUE(d, "l1", "list/1:pi-300,");
    ASSERT_VALUE(d, "s1", "set/1:11:25:70000");
    ASSERT_VALUE(d, "h1", "hash/3:k=v");
    ASSERT_EQ(((obj *)dictFind(d->keys, "s1", 2)->v.val)->encoding, OBJ_ENC_INTSET);
    ASSERT_EQ(dictSize(d->expires), 1);
    releaseDbs(dbs);
    free(b.p);
    return 0;
}

/* A small file with one key of each kind, for the corruption tests. */
static unsigned char *smallDump(size_t *len) {
    db a[NDB];
    initDbs(a);
    addKey(&a[0], "s", objCreateStringValue("some string that compresses compresses", 38), -1);
    addKey(&a[0], "n", objCreateStringValue("123456", 6), mstime() + 100000);
    addKey(&a[0], "l", makeList(-2, 0, 4, 0), -1);
    addKey(&a[0], "p", makeList(-2, 0, 1, 9000), -1); /* a plain node */
    addKey(&a[1], "h", makeHash(3, 1), -1);
    addKey(&a[1], "H", makeHash(3, 0), -1);
    addKey(&a[1], "i", makeSet(3, OBJ_ENC_INTSET), -1);
    addKey(&a[1], "S", makeSet(3, OBJ_ENC_HT), -1);
    addKey(&a[1], "t", makeSet(3, OBJ_ENC_LISTPACK), -1);
    addKey(&a[2], "z", makeZset(4, 1), -1);
    addKey(&a[2], "Z", makeZset(4, 0), -1);
    rdbSaveInfo info = {1, 1, "7.0.15", "t"};
    char err[256];
    const char *path = tempPath();
    if (rdbSaveFile(path, a, NDB, &info, err, sizeof(err)) < 0) return NULL;
    releaseDbs(a);
    unsigned char *p = readFile(path, len);
    unlink(path);
    return p;
}

/* Loads p[0..len) both ways; returns the load's result (the check must agree,
 * except on database numbers, which it does not limit), leaving the message
 * in err. */
static int loadBytes(const unsigned char *p, size_t len, char *err, size_t errlen) {
    const char *path = tempPath();
    if (writeFile(path, p, len) < 0) return -2;
    db dbs[NDB];
    initDbs(dbs);
    int rc = rdbLoadFile(path, dbs, NDB, &rdbDefaultLimits, NULL, NULL, NULL, err, errlen);
    releaseDbs(dbs);
    char err2[256];
    int rc2 = rdbCheckFile(path, NULL, err2, sizeof(err2));
    unlink(path);
    return rc == rc2 || strstr(err, "out of range") ? rc : -3;
}

int test_rdb_truncated_at_every_offset(void) {
    size_t len;
    unsigned char *p = smallDump(&len);
    ASSERT(p != NULL);
    char err[256];
    ASSERT_EQ(loadBytes(p, len, err, sizeof(err)), 0);
    for (size_t n = 0; n < len; n += n < 400 || n > len - 400 ? 1 : 97) {
        err[0] = '\0';
        ASSERT_EQ(loadBytes(p, n, err, sizeof(err)), -1);
        ASSERT(strstr(err, "offset") != NULL);
    }
    free(p);
    return 0;
}

/* Every single-byte change is caught (by the checksum at the latest), without
 * a crash; with the checksum zeroed, the parser's own checks must hold. */
int test_rdb_every_byte_flipped(void) {
    size_t len;
    unsigned char *p = smallDump(&len);
    ASSERT(p != NULL);
    char err[256];
    for (size_t i = 0; i < len; i += i < 600 || i > len - 600 ? 1 : 53) {
        unsigned char saved = p[i];
        p[i] ^= 0x5a;
        ASSERT_EQ(loadBytes(p, len, err, sizeof(err)), -1);
        ASSERT(strstr(err, "offset") != NULL);
        p[i] = saved;
    }
    memset(p + len - 8, 0, 8);
    ASSERT_EQ(loadBytes(p, len, err, sizeof(err)), 0);
    uint64_t rng = 88172645463325252ULL;
    for (int round = 0; round < 3000; round++) {
        rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
        size_t i = 9 + rng % (len - 17);
        unsigned char saved = p[i];
        p[i] = (unsigned char)(rng >> 32);
        int rc = loadBytes(p, len, err, sizeof(err));
        ASSERT(rc == 0 || rc == -1);
        if (rc) ASSERT(strstr(err, "offset") != NULL);
        p[i] = saved;
    }
    free(p);
    return 0;
}

int test_rdb_bad_checksum(void) {
    size_t len;
    unsigned char *p = smallDump(&len);
    ASSERT(p != NULL);
    p[len - 3] ^= 1;
    char err[256];
    ASSERT_EQ(loadBytes(p, len, err, sizeof(err)), -1);
    ASSERT(strstr(err, "Wrong RDB checksum") != NULL);
    char want[64];
    snprintf(want, sizeof(want), "at offset %zu", len - 8);
    ASSERT(strstr(err, want) != NULL);
    free(p);
    return 0;
}

/* One crafted body after the magic; returns the message of a failed load. */
static int craftedFails(void (*body)(builder *), const char *want, int version) {
    builder b = {0};
    startFile(&b, version);
    body(&b);
    endFile(&b);
    char err[256] = "";
    int rc = loadBytes(b.p, b.len, err, sizeof(err));
    free(b.p);
    if (rc != -1 || !strstr(err, want) || !strstr(err, "offset")) {
        fprintf(stderr, "rc %d, err \"%s\", wanted \"%s\"\n", rc, err, want);
        return -1;
    }
    return 0;
}

static void bodyHugeString(builder *b) {
    putU8(b, RDB_TYPE_STRING);
    putCstr(b, "k");
    putU8(b, 0x81);
    putLE(b, 0x7fffffffffffULL, 8);
}
static void bodyHugeCount(builder *b) {
    putU8(b, RDB_TYPE_SET);
    putCstr(b, "k");
    putLen(b, 1u << 30);
}
static void bodyBadListpack(builder *b) {
    putU8(b, RDB_TYPE_HASH_LISTPACK);
    putCstr(b, "k");
    putStr(b, "\x0b\x00\x00\x00\x01\x00\x81x\x02\xff\xff", 11);
}
static void bodyOddHash(builder *b) {
    unsigned char *lp = lpAppend(lpNew(0), (const unsigned char *)"f", 1);
    putU8(b, RDB_TYPE_HASH_LISTPACK);
    putCstr(b, "k");
    putStr(b, lp, lpBytes(lp));
    lpFree(lp);
}
static void bodyDupListpackSet(builder *b) {
    unsigned char *lp = lpAppend(lpNew(0), (const unsigned char *)"1", 1);
    lp = lpAppendInteger(lp, 1);
    putU8(b, RDB_TYPE_SET_LISTPACK);
    putCstr(b, "k");
    putStr(b, lp, lpBytes(lp));
    lpFree(lp);
}
static void bodyUnsortedZset(builder *b) {
    unsigned char *lp = lpAppend(lpNew(0), (const unsigned char *)"a", 1);
    lp = lpAppendInteger(lp, 5);
    lp = lpAppend(lp, (const unsigned char *)"b", 1);
    lp = lpAppendInteger(lp, 2);
    putU8(b, RDB_TYPE_ZSET_LISTPACK);
    putCstr(b, "k");
    putStr(b, lp, lpBytes(lp));
    lpFree(lp);
}
static void bodyDupSet(builder *b) {
    putU8(b, RDB_TYPE_SET);
    putCstr(b, "k");
    putLen(b, 2);
    putCstr(b, "m");
    putCstr(b, "m");
}
static void bodyDupZset(builder *b) {
    putU8(b, RDB_TYPE_ZSET_2);
    putCstr(b, "k");
    putLen(b, 2);
    putCstr(b, "m");
    putLE(b, 0, 8);
    putCstr(b, "m");
    putLE(b, 0, 8);
}
static void bodyNanScore(builder *b) {
    double nan = 0.0 / 0.0;
    uint64_t u;
    memcpy(&u, &nan, 8);
    putU8(b, RDB_TYPE_ZSET_2);
    putCstr(b, "k");
    putLen(b, 1);
    putCstr(b, "m");
    putLE(b, u, 8);
}
static void bodyDupKey(builder *b) {
    for (int i = 0; i < 2; i++) {
        putU8(b, RDB_TYPE_STRING);
        putCstr(b, "same");
        putCstr(b, "v");
    }
}
static void bodyBadDb(builder *b) {
    putU8(b, RDB_OPCODE_SELECTDB);
    putLen(b, NDB);
}
static void bodyStream(builder *b) {
    putU8(b, RDB_TYPE_STREAM_LISTPACKS);
    putCstr(b, "k");
}
static void bodyUnknownType(builder *b) {
    putU8(b, 100);
    putCstr(b, "k");
}
static void bodyBadIntset(builder *b) {
    putU8(b, RDB_TYPE_SET_INTSET);
    putCstr(b, "k");
    putStr(b, "\x02\x00\x00\x00\x02\x00\x00\x00\x05\x00\x01\x00", 12); /* not ascending */
}
static void bodyBadLz4(builder *b) {
    putU8(b, RDB_TYPE_STRING);
    putCstr(b, "k");
    putU8(b, 0xC0 | RDB_ENC_LZ4);
    putLen(b, 4);
    putLen(b, 100);
    put(b, "\x40xyz", 4);
}
static void bodyBadLzf(builder *b) {
    putU8(b, RDB_TYPE_STRING);
    putCstr(b, "k");
    putU8(b, 0xC0 | RDB_ENC_LZF);
    putLen(b, 3);
    putLen(b, 10);
    put(b, "\x01xy", 3);
}
static void bodyBadZiplist(builder *b) {
    static const char *const e[] = {"a", "b"};
    builder z = {0};
    putZiplist(&z, e, 2);
    z.p[z.len - 4] = 7; /* the second entry's prevlen */
    putU8(b, RDB_TYPE_LIST_ZIPLIST);
    putCstr(b, "k");
    put(b, z.p, z.len);
    free(z.p);
}
static void bodyBadContainer(builder *b) {
    putU8(b, RDB_TYPE_LIST_QUICKLIST_2);
    putCstr(b, "k");
    putLen(b, 1);
    putLen(b, 3);
    putCstr(b, "x");
}
static void bodyBadStringEnc(builder *b) {
    putU8(b, RDB_TYPE_STRING);
    putCstr(b, "k");
    putU8(b, 0xC0 | 9);
}

int test_rdb_bad_lengths_and_blobs(void) {
    ASSERT_EQ(craftedFails(bodyHugeString, "runs past the end of the file", 10), 0);
    ASSERT_EQ(craftedFails(bodyHugeCount, "more than the rest of the file holds", 10), 0);
    ASSERT_EQ(craftedFails(bodyBadListpack, "Invalid hash listpack", 10), 0);
    ASSERT_EQ(craftedFails(bodyOddHash, "odd number of entries", 10), 0);
    ASSERT_EQ(craftedFails(bodyDupListpackSet, "Duplicate member in set listpack", 10), 0);
    ASSERT_EQ(craftedFails(bodyUnsortedZset, "members out of order", 10), 0);
    ASSERT_EQ(craftedFails(bodyDupSet, "Duplicate set member", 10), 0);
    ASSERT_EQ(craftedFails(bodyDupZset, "Duplicate sorted set member", 10), 0);
    ASSERT_EQ(craftedFails(bodyNanScore, "Score is not a number", 10), 0);
    ASSERT_EQ(craftedFails(bodyDupKey, "Duplicate key at offset", 10), 0);
    ASSERT_EQ(craftedFails(bodyBadDb, "out of range", 10), 0);
    ASSERT_EQ(craftedFails(bodyStream, "Stream values are not supported", 10), 0);
    ASSERT_EQ(craftedFails(bodyUnknownType, "Unknown value type 100", 10), 0);
    ASSERT_EQ(craftedFails(bodyBadIntset, "Invalid intset", 10), 0);
    ASSERT_EQ(craftedFails(bodyBadLz4, "Corrupt LZ4-compressed string", 10), 0);
    ASSERT_EQ(craftedFails(bodyBadLzf, "Corrupt LZF-compressed string", 10), 0);
    ASSERT_EQ(craftedFails(bodyBadZiplist, "Invalid list ziplist", 9), 0);
    ASSERT_EQ(craftedFails(bodyBadContainer, "Unknown quicklist node container", 10), 0);
    ASSERT_EQ(craftedFails(bodyBadStringEnc, "Unknown string encoding", 10), 0);
    return 0;
}

int test_rdb_bad_header(void) {
    objInit();
    char err[256];
    ASSERT_EQ(loadBytes((const unsigned char *)"REDIX0010\xff", 10, err, sizeof(err)), -1);
    ASSERT(strstr(err, "Wrong signature") != NULL);
    ASSERT_EQ(loadBytes((const unsigned char *)"REDIS0012\xff", 10, err, sizeof(err)), -1);
    ASSERT(strstr(err, "Can't handle RDB format version 12") != NULL);
    /* Version 4 has no checksum: EOF ends it. */
    ASSERT_EQ(loadBytes((const unsigned char *)"REDIS0004\xff", 10, err, sizeof(err)), 0);
    ASSERT_EQ(rdbCheckFile("/nonexistent/dump.rdb", NULL, err, sizeof(err)), -1);
    ASSERT(strstr(err, "No such file") != NULL);
    return 0;
}

/* A failed save (a directory that does not exist) leaves no file behind and
 * reports why. */
int test_rdb_save_failure(void) {
    db a[NDB];
    initDbs(a);
    addKey(&a[0], "k", objCreateStringValue("v", 1), -1);
    rdbSaveInfo info = {1, 1, "7.0.15", "t"};
    char err[256];
    ASSERT_EQ(rdbSaveFile("/nonexistent-dir/dump.rdb", a, NDB, &info, err, sizeof(err)), -1);
    ASSERT(strstr(err, "Failed opening the temp RDB file") != NULL);
    int fd = open("/dev/full", O_WRONLY);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(rdbSaveToFd(fd, a, NDB, &info, err, sizeof(err)), -1);
    ASSERT(strstr(err, "No space left on device") != NULL);
    close(fd);
    releaseDbs(a);
    return 0;
}

/* A duplicate deep in a large file: the inserting thread finds it while the
 * parser is batches ahead; the load stops with the duplicate's own offset and
 * frees everything queued. */
int test_rdb_duplicate_after_many_keys(void) {
    objInit();
    builder b = {0};
    startFile(&b, 10);
    long long dup_off = 0;
    for (int i = 0; i < 20000; i++) {
        char key[32];
        int n = snprintf(key, sizeof(key), "key:%d", i == 15000 ? 777 : i);
        if (i == 15000) dup_off = (long long)b.len;
        putU8(&b, RDB_TYPE_STRING);
        putStr(&b, key, (size_t)n);
        putCstr(&b, "a value of some length");
    }
    endFile(&b);
    db dbs[NDB];
    initDbs(dbs);
    char err[256] = "", want[128];
    ASSERT_EQ(loadCrafted(&b, dbs, NULL, err, sizeof(err)), -1);
    snprintf(want, sizeof(want), "Duplicate key at offset %lld (key \"key:777\" in db 0)", dup_off);
    ASSERT_STR_EQ(err, want);
    ASSERT_EQ(dictSize(dbs[0].keys), 15000);
    releaseDbs(dbs);
    free(b.p);
    return 0;
}

/* With the BIO workers running, compression, checksumming and writing happen
 * on the rdb-compress thread: a save of many chunks (several times the
 * pipeline's depth) round-trips, and a write error found by that thread stops
 * the save and is reported. */
int test_rdb_pipelined_save(void) {
    bioInit();
    ASSERT_EQ(roundTrip(1, 1), 0);
    db a[NDB], b[NDB];
    initDbs(a);
    initDbs(b);
    char value[300];
    for (int i = 0; i < 40000; i++) {
        int n = snprintf(value, sizeof(value), "%0280d", i);
        char key[32];
        snprintf(key, sizeof(key), "key:%d", i);
        addKey(&a[i % NDB], key, objCreateStringValue(value, (size_t)n), -1);
    }
    rdbSaveInfo info = {1, 1, "7.0.15", "t"};
    char err[256];
    const char *path = tempPath();
    ASSERT_EQ(rdbSaveFile(path, a, NDB, &info, err, sizeof(err)), 0);
    ASSERT_EQ(rdbLoadFile(path, b, NDB, &rdbDefaultLimits, NULL, NULL, NULL, err, sizeof(err)), 0);
    ASSERT_EQ(compareDbs(a, b, 1), 0);
    unlink(path);
    int fd = open("/dev/full", O_WRONLY);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(rdbSaveToFd(fd, a, NDB, &info, err, sizeof(err)), -1);
    ASSERT(strstr(err, "No space left on device") != NULL);
    close(fd);
    ASSERT_GT(bioProcessed(BIO_RDB_COMPRESS), 0);
    releaseDbs(a);
    releaseDbs(b);
    bioShutdown();
    return 0;
}
