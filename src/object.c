/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Object construction, reference counting and the string encodings. The
 * shared small integers are created once at start-up and never freed. The
 * access clock is a cached 24-bit seconds counter refreshed by the cron.
 * Main thread only.
 */
#include "object.h"

#include "alloc.h"
#include "dict.h"
#include "intset.h"
#include "listpack.h"
#include "quicklist.h"
#include "str.h"
#include "util.h"
#include "zset.h"

#include <string.h>

static obj shared_integers[OBJ_SHARED_INTEGERS];
static unsigned lru_clock;   /* seconds, 24 bits */
static unsigned lfu_minutes; /* minutes, 16 bits */

/* How accesses are tracked in obj.lru: the LRU clock in seconds, or for the
 * LFU policies 16 bits of minutes (last decrement) and an 8-bit logarithmic
 * counter. */
static struct {
    int lfu;
    int log_factor;
    int decay_minutes;
    int share_integers;
} access = {0, 10, 1, 1};

#define LFU_INIT_VAL 5

static unsigned initialAccess(void) {
    return access.lfu ? (lfu_minutes << 8) | LFU_INIT_VAL : lru_clock;
}

void objInit(void) {
    for (int i = 0; i < OBJ_SHARED_INTEGERS; i++) {
        shared_integers[i].type = OBJ_STRING;
        shared_integers[i].encoding = OBJ_ENC_INT;
        shared_integers[i].refcount = OBJ_SHARED_REFCOUNT;
        shared_integers[i].ptr = (void *)(intptr_t)i;
    }
    objLruClockUpdate(mstime());
}

static obj *newObject(int type, int encoding, void *ptr) {
    obj *o = lmalloc(sizeof(*o));
    o->type = type;
    o->encoding = encoding;
    o->lru = initialAccess();
    o->refcount = 1;
    o->ptr = ptr;
    return o;
}

obj *objCreateRawString(const char *p, size_t len) {
    return newObject(OBJ_STRING, OBJ_ENC_RAW, strNewLen(p, len));
}

obj *objCreateFromStr(char *s) { return newObject(OBJ_STRING, OBJ_ENC_RAW, s); }

static void freeStrValue(void *val) { strFree(val); }

const dictType objHashDictType = {.nocase = 0, .owns_keys = 1, .free_val = freeStrValue};
const dictType objSetDictType = {.nocase = 0, .owns_keys = 1, .free_val = NULL};

obj *objCreateList(int fill, int compress_depth) {
    return newObject(OBJ_LIST, OBJ_ENC_QUICKLIST, quicklistCreate(fill, compress_depth));
}

obj *objCreateListpackValue(int type) { return newObject(type, OBJ_ENC_LISTPACK, lpNew(0)); }

obj *objCreateIntsetValue(void) { return newObject(OBJ_SET, OBJ_ENC_INTSET, intsetNew()); }

obj *objCreateEncoded(int type, int encoding, void *ptr) { return newObject(type, encoding, ptr); }

static obj *createEmbeddedString(const char *p, size_t len) {
    obj *o = lmalloc(sizeof(*o) + strEmbedSize(len));
    o->type = OBJ_STRING;
    o->encoding = OBJ_ENC_EMBSTR;
    o->lru = initialAccess();
    o->refcount = 1;
    o->ptr = strEmbed(o + 1, p, len);
    return o;
}

obj *objCreateString(const char *p, size_t len) {
    return len <= OBJ_EMBSTR_MAX ? createEmbeddedString(p, len) : objCreateRawString(p, len);
}

obj *objCreateStringFromLongLong(long long v) {
    /* Under LRU/LFU eviction every value needs its own access field. */
    if (v >= 0 && v < OBJ_SHARED_INTEGERS && access.share_integers) return &shared_integers[v];
    return newObject(OBJ_STRING, OBJ_ENC_INT, (void *)(intptr_t)v);
}

obj *objCreateStringValue(const char *p, size_t len) {
    long long v;
    /* 20 bytes hold every long long; string2ll rejects what would not
     * round-trip ("01", "+1", " 1"), so the value prints back identically. */
    if (len <= 20 && string2ll(p, len, &v)) return objCreateStringFromLongLong(v);
    return objCreateString(p, len);
}

void objIncrRef(obj *o) {
    if (o->refcount != OBJ_SHARED_REFCOUNT) o->refcount++;
}

static void freeValue(obj *o) {
    switch (o->encoding) {
        case OBJ_ENC_RAW: strFree(o->ptr); break;
        case OBJ_ENC_INT:
        case OBJ_ENC_EMBSTR: break;
        case OBJ_ENC_LISTPACK: lpFree(o->ptr); break;
        case OBJ_ENC_QUICKLIST: quicklistRelease(o->ptr); break;
        case OBJ_ENC_INTSET: intsetFree(o->ptr); break;
        case OBJ_ENC_HT: dictRelease(o->ptr); break;
        case OBJ_ENC_SKIPLIST: zsetFree(o->ptr); break;
        default: loomAssert(!"unknown object encoding");
    }
}

void objDecrRef(obj *o) {
    if (o->refcount == OBJ_SHARED_REFCOUNT) return;
    loomAssert(o->refcount > 0);
    if (--o->refcount == 0) {
        freeValue(o);
        lfree(o);
    }
}

static dict *dupDict(dict *src, int with_values) {
    dict *d = dictCreate(with_values ? &objHashDictType : &objSetDictType);
    dictExpand(d, dictSize(src));
    dictIterator *it = dictGetIterator(src);
    dictEntry *de;
    while ((de = dictNext(it))) {
        dictEntry *copy = dictAddRaw(d, strDup(de->key), NULL);
        copy->v.val = with_values ? strDup(de->v.val) : NULL;
    }
    dictReleaseIterator(it);
    return d;
}

static zset *dupZset(zset *src) {
    zset *zs = zsetCreate();
    /* From the tail, so each insert lands at the head: no searching. */
    for (zskiplistNode *n = src->zsl->tail; n; n = n->backward) {
        int out;
        double score;
        zsetAdd(zs, n->score, n->member, strLen(n->member), 0, &out, &score);
    }
    return zs;
}

obj *objDup(const obj *o) {
    switch (o->encoding) {
        case OBJ_ENC_INT: return newObject(OBJ_STRING, OBJ_ENC_INT, o->ptr);
        case OBJ_ENC_EMBSTR: return createEmbeddedString(o->ptr, strLen(o->ptr));
        case OBJ_ENC_RAW: return objCreateRawString(o->ptr, strLen(o->ptr));
        case OBJ_ENC_LISTPACK: {
            size_t bytes = lpBytes(o->ptr);
            unsigned char *lp = lmalloc(bytes);
            memcpy(lp, o->ptr, bytes);
            return newObject(o->type, OBJ_ENC_LISTPACK, lp);
        }
        case OBJ_ENC_QUICKLIST: return newObject(OBJ_LIST, OBJ_ENC_QUICKLIST, quicklistDup(o->ptr));
        case OBJ_ENC_INTSET: return newObject(OBJ_SET, OBJ_ENC_INTSET, intsetDup(o->ptr));
        case OBJ_ENC_HT: return newObject(o->type, OBJ_ENC_HT, dupDict(o->ptr, o->type == OBJ_HASH));
        case OBJ_ENC_SKIPLIST: return newObject(OBJ_ZSET, OBJ_ENC_SKIPLIST, dupZset(o->ptr));
        default: loomAssert(!"unknown object encoding"); return NULL;
    }
}

const char *objStringBytes(const obj *o, char *buf, size_t *len) {
    if (o->encoding == OBJ_ENC_INT) {
        *len = (size_t)ll2string(buf, OBJ_INT_BUF, (long long)(intptr_t)o->ptr);
        return buf;
    }
    *len = strLen(o->ptr);
    return o->ptr;
}

size_t objStringLen(const obj *o) {
    if (o->encoding == OBJ_ENC_INT) {
        long long v = (long long)(intptr_t)o->ptr;
        /* Negate in unsigned arithmetic so LLONG_MIN works too. */
        return v < 0 ? (size_t)digits10(0ULL - (unsigned long long)v) + 1 : (size_t)digits10(v);
    }
    return strLen(o->ptr);
}

int objGetLongLong(const obj *o, long long *v) {
    if (o->encoding == OBJ_ENC_INT) {
        *v = (long long)(intptr_t)o->ptr;
        return 1;
    }
    return string2ll(o->ptr, strLen(o->ptr), v);
}

int objGetLongDouble(const obj *o, long double *v) {
    if (o->encoding == OBJ_ENC_INT) {
        *v = (long double)(long long)(intptr_t)o->ptr;
        return 1;
    }
    return string2ld(o->ptr, strLen(o->ptr), v);
}

const char *objTypeName(int type) {
    static const char *const names[] = {"string", "list", "set", "zset", "hash"};
    return type >= 0 && type <= OBJ_HASH ? names[type] : "unknown";
}

const char *objEncodingName(int encoding) {
    switch (encoding) {
        case OBJ_ENC_RAW: return "raw";
        case OBJ_ENC_INT: return "int";
        case OBJ_ENC_EMBSTR: return "embstr";
        case OBJ_ENC_LISTPACK: return "listpack";
        case OBJ_ENC_QUICKLIST: return "quicklist";
        case OBJ_ENC_INTSET: return "intset";
        case OBJ_ENC_HT: return "hashtable";
        case OBJ_ENC_SKIPLIST: return "skiplist";
        default: return "unknown";
    }
}

unsigned objLruClock(void) { return lru_clock; }

void objLruClockUpdate(long long now_ms) {
    lru_clock = (unsigned)(now_ms / 1000) & OBJ_LRU_MAX;
    lfu_minutes = (unsigned)(now_ms / 60000) & 0xffff;
}

void objSetAccessPolicy(int lfu, int log_factor, int decay_minutes, int share_integers) {
    access.lfu = lfu;
    access.log_factor = log_factor;
    access.decay_minutes = decay_minutes;
    access.share_integers = share_integers;
}

int objAccessIsLfu(void) { return access.lfu; }

/* The LFU counter after the decay owed for the minutes since it was last
 * decremented (one step per decay period). */
int objLfuFrequency(const obj *o) {
    unsigned then = o->lru >> 8, counter = o->lru & 255;
    unsigned elapsed = lfu_minutes >= then ? lfu_minutes - then : 65535 - then + lfu_minutes;
    unsigned periods = access.decay_minutes ? elapsed / (unsigned)access.decay_minutes : 0;
    return periods >= counter ? 0 : (int)(counter - periods);
}

/* Increments the counter with probability 1 / ((counter - init) * factor + 1),
 * so it grows logarithmically with the number of accesses. */
static unsigned lfuIncrement(unsigned counter) {
    if (counter == 255) return 255;
    double base = counter > LFU_INIT_VAL ? counter - LFU_INIT_VAL : 0;
    double p = 1.0 / (base * access.log_factor + 1);
    double r = (double)(randomU64() >> 11) / (double)(1ULL << 53);
    return r < p ? counter + 1 : counter;
}

void objTouch(obj *o) {
    if (o->refcount == OBJ_SHARED_REFCOUNT) return;
    if (access.lfu) {
        unsigned counter = lfuIncrement((unsigned)objLfuFrequency(o));
        o->lru = (lfu_minutes << 8) | counter;
    } else {
        o->lru = lru_clock;
    }
}

long long objIdleMs(const obj *o) {
    unsigned now = lru_clock;
    unsigned then = o->lru;
    /* The clock wraps every 194 days. */
    unsigned long long secs = now >= then ? now - then : (OBJ_LRU_MAX - then) + now;
    return (long long)secs * 1000;
}
