/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Hash commands (HSET ... HSCAN) and the hash type's two encodings, as Redis
 * 7.0 keeps them: a listpack of field, value, field, value ... while the hash
 * is small, converted once (never back) to a dict of objHashDictType (str
 * field -> str value in de->v.val) when it gets more than
 * hash-max-listpack-entries fields or a field or value longer than
 * hash-max-listpack-value bytes. Handlers validate their arguments before
 * touching the keyspace; an emptied hash is deleted. Main thread only.
 */
#include "t_hash.h"

#include "alloc.h"
#include "command.h"
#include "db.h"
#include "propagate.h"
#include "dict.h"
#include "listpack.h"
#include "reply.h"
#include "server.h"
#include "str.h"
#include "util.h"

#include <limits.h>
#include <math.h>
#include <string.h>

#define arg_key(c, i) (c)->argv[i].ptr, (c)->argv[i].len
#define LP_STR(p)     ((const unsigned char *)(p))

/* --- The encodings ------------------------------------------------------- */

static unsigned long hashLength(const obj *o) {
    if (o->encoding == OBJ_ENC_LISTPACK) return lpLength(o->ptr) / 2;
    return dictSize(o->ptr);
}

static size_t maxListpackValue(void) {
    return server.hash_max_listpack_value > 0 ? (size_t)server.hash_max_listpack_value : 0;
}

static unsigned long maxListpackEntries(void) {
    return server.hash_max_listpack_entries > 0 ? (unsigned long)server.hash_max_listpack_entries
                                                : 0;
}

/* The listpack entry holding the name `field`, or NULL. Only field
 * positions are compared (every other entry is a value). */
static unsigned char *findField(unsigned char *lp, const char *field, size_t len) {
    return lpFind(lp, lpFirst(lp), LP_STR(field), len, 1);
}

static void convertToHashtable(obj *o) {
    unsigned char *lp = o->ptr;
    dict *d = dictCreate(&objHashDictType);
    dictExpand(d, lpLength(lp) / 2);
    for (unsigned char *p = lpFirst(lp); p; p = lpNext(lp, lpNext(lp, p))) {
        unsigned char buf[LP_INTBUF_SIZE];
        unsigned int len;
        const unsigned char *s = lpGetBytes(p, &len, buf);
        dictEntry *de = dictAddRaw(d, strNewLen(s, len), NULL);
        loomAssert(de != NULL); /* a listpack hash never repeats a field */
        s = lpGetBytes(lpNext(lp, p), &len, buf);
        de->v.val = strNewLen(s, len);
    }
    lpFree(lp);
    o->ptr = d;
    o->encoding = OBJ_ENC_HT;
}

/* Before adding argv[first..last] to a listpack hash: converts it when one of
 * them is too long for the listpack, or all of them together would take the
 * listpack past its safety limit. Redis checks every argument up front, so
 * a long value converts the hash even if its field is then not changed. */
static void convertForArgs(obj *o, const arg *argv, int first, int last) {
    if (o->encoding != OBJ_ENC_LISTPACK) return;
    size_t sum = 0;
    for (int j = first; j <= last; j++) {
        if (argv[j].len > maxListpackValue()) {
            convertToHashtable(o);
            return;
        }
        sum += argv[j].len;
    }
    if (!lpSafeToAdd(o->ptr, sum)) convertToHashtable(o);
}

/* Sets field to value (both copied). Converts the hash to a hashtable when
 * either is too long for the listpack (HINCRBY's results are not checked up
 * front) or the listpack gets too many fields. Returns 1 if the field is
 * new, 0 if its value was replaced. */
static int setField(obj *o, const char *field, size_t flen, const char *value, size_t vlen) {
    if (o->encoding == OBJ_ENC_LISTPACK && (flen > maxListpackValue() || vlen > maxListpackValue()))
        convertToHashtable(o);
    if (o->encoding == OBJ_ENC_LISTPACK) {
        unsigned char *lp = o->ptr;
        unsigned char *p = findField(lp, field, flen);
        if (p) {
            p = lpNext(lp, p);
            o->ptr = lpReplace(lp, &p, LP_STR(value), vlen);
            return 0;
        }
        lp = lpAppend(lp, LP_STR(field), flen);
        o->ptr = lpAppend(lp, LP_STR(value), vlen);
        if (hashLength(o) > maxListpackEntries()) convertToHashtable(o);
        return 1;
    }
    dict *d = o->ptr;
    dictEntry *de = dictFind(d, field, flen);
    if (de) {
        dictSetVal(d, de, strNewLen(value, vlen));
        return 0;
    }
    de = dictAddRaw(d, strNewLen(field, flen), NULL);
    de->v.val = strNewLen(value, vlen);
    return 1;
}

/* Returns 1 if the field was there and is gone. */
static int deleteField(obj *o, const char *field, size_t len) {
    if (o->encoding == OBJ_ENC_LISTPACK) {
        unsigned char *p = findField(o->ptr, field, len);
        if (!p) return 0;
        o->ptr = lpDeleteRangeWithEntry(o->ptr, &p, 2);
        return 1;
    }
    if (dictDelete(o->ptr, field, len) < 0) return 0;
    dictTryShrink(o->ptr);
    return 1;
}

/* A field's value as bytes: inside the listpack or the dict's str, or in buf
 * for a listpack integer. Valid until the hash changes; not to be copied
 * (ptr may point at buf). */
typedef struct hashValue {
    const char *ptr;
    size_t len;
    unsigned char buf[LP_INTBUF_SIZE];
} hashValue;

/* Returns 1 and fills v if the field exists, else 0. */
static int lookupValue(obj *o, const char *field, size_t len, hashValue *v) {
    if (o->encoding == OBJ_ENC_LISTPACK) {
        unsigned char *lp = o->ptr;
        unsigned char *p = findField(lp, field, len);
        if (!p) return 0;
        unsigned int vlen;
        v->ptr = (const char *)lpGetBytes(lpNext(lp, p), &vlen, v->buf);
        v->len = vlen;
        return 1;
    }
    dictEntry *de = dictFind(o->ptr, field, len);
    if (!de) return 0;
    v->ptr = de->v.val;
    v->len = strLen(de->v.val);
    return 1;
}

int hashTypeGetValue(obj *o, const char *field, size_t len, str *out) {
    hashValue v;
    if (!lookupValue(o, field, len, &v)) return 0;
    *out = strNewLen(v.ptr, v.len);
    return 1;
}

/* Iteration over every field in storage order; the hash must not change
 * meanwhile. */
typedef struct hashIter {
    obj *o;
    unsigned char *p; /* listpack: the current field's entry */
    dictIterator *di; /* hashtable */
    dictEntry *de;
} hashIter;

static void iterInit(hashIter *it, obj *o) {
    it->o = o;
    it->p = NULL;
    it->de = NULL;
    it->di = o->encoding == OBJ_ENC_HT ? dictGetIterator(o->ptr) : NULL;
}

/* Moves to the next field; 0 at the end. */
static int iterNext(hashIter *it) {
    if (it->di) return (it->de = dictNext(it->di)) != NULL;
    unsigned char *lp = it->o->ptr;
    it->p = it->p ? lpNext(lp, lpNext(lp, it->p)) : lpFirst(lp);
    return it->p != NULL;
}

/* The current field as replyFieldRef takes it: its listpack entry or its
 * dictEntry. */
static void *iterRef(const hashIter *it) {
    return it->di ? (void *)it->de : (void *)it->p;
}

static void iterRelease(hashIter *it) {
    if (it->di) dictReleaseIterator(it->di);
}

static void replyLpEntry(client *c, const unsigned char *p) {
    unsigned char buf[LP_INTBUF_SIZE];
    unsigned int len;
    const unsigned char *s = lpGetBytes(p, &len, buf);
    replyBulk(c, s, len);
}

static void replyIterField(client *c, const hashIter *it) {
    if (it->di) replyBulk(c, it->de->key, strLen(it->de->key));
    else replyLpEntry(c, it->p);
}

static void replyIterValue(client *c, const hashIter *it) {
    if (it->di) replyBulk(c, it->de->v.val, strLen(it->de->v.val));
    else replyLpEntry(c, lpNext(it->o->ptr, it->p));
}

/* --- Lookups ------------------------------------------------------------- */

static obj *lookupHashRead(client *c, int *wrongtype) {
    return lookupTypedRead(c, &c->argv[1], OBJ_HASH, wrongtype);
}

static obj *lookupHashWrite(client *c, int *wrongtype) {
    return lookupTypedWrite(c, &c->argv[1], OBJ_HASH, wrongtype);
}

/* o, or a new empty hash stored at argv[1] when o is NULL. */
static obj *existingOrNewHash(client *c, obj *o) {
    if (o) return o;
    o = objCreateListpackValue(OBJ_HASH);
    dbAdd(c->db, arg_key(c, 1), o);
    return o;
}

/* --- Setting and deleting ------------------------------------------------ */

static void hsetGeneric(client *c, int reply_ok) {
    if (c->argc % 2 == 1) {
        replyArityError(c);
        return;
    }
    int wrongtype;
    obj *o = lookupHashWrite(c, &wrongtype);
    if (wrongtype) return;
    o = existingOrNewHash(c, o);
    convertForArgs(o, c->argv, 2, c->argc - 1);
    long long created = 0;
    for (int j = 2; j < c->argc; j += 2)
        created += setField(o, arg_key(c, j), arg_key(c, j + 1));
    server.dirty += (c->argc - 2) / 2;
    if (reply_ok) replyOk(c);
    else replyLongLong(c, created);
}

static void hsetCommand(client *c) { hsetGeneric(c, 0); }
static void hmsetCommand(client *c) { hsetGeneric(c, 1); }

static void hsetnxCommand(client *c) {
    int wrongtype;
    obj *o = lookupHashWrite(c, &wrongtype);
    if (wrongtype) return;
    hashValue v;
    if (o && lookupValue(o, arg_key(c, 2), &v)) {
        replyLongLong(c, 0);
        return;
    }
    o = existingOrNewHash(c, o);
    /* Only now: an HSETNX that changes nothing never converts. */
    convertForArgs(o, c->argv, 2, 3);
    setField(o, arg_key(c, 2), arg_key(c, 3));
    server.dirty++;
    replyLongLong(c, 1);
}

static void hdelCommand(client *c) {
    int wrongtype;
    obj *o = lookupHashWrite(c, &wrongtype);
    if (wrongtype) return;
    long long deleted = 0;
    for (int j = 2; o && j < c->argc; j++) {
        if (!deleteField(o, arg_key(c, j))) continue;
        deleted++;
        if (hashLength(o) == 0) {
            dbDelete(c->db, arg_key(c, 1));
            break;
        }
    }
    server.dirty += deleted;
    replyLongLong(c, deleted);
}

/* --- Counters ------------------------------------------------------------ */

static void hincrbyCommand(client *c) {
    long long incr, value = 0;
    if (argToLongLongOrReply(c, &c->argv[3], &incr, NULL) < 0) return;
    int wrongtype;
    obj *o = lookupHashWrite(c, &wrongtype);
    if (wrongtype) return;
    hashValue v;
    if (o && lookupValue(o, arg_key(c, 2), &v) && !string2ll(v.ptr, v.len, &value)) {
        replyError(c, "hash value is not an integer");
        return;
    }
    if ((incr < 0 && value < 0 && incr < LLONG_MIN - value) ||
        (incr > 0 && value > 0 && incr > LLONG_MAX - value)) {
        replyError(c, "increment or decrement would overflow");
        return;
    }
    value += incr;
    char buf[UTIL_LONG_STR_SIZE];
    int len = ll2string(buf, sizeof(buf), value);
    setField(existingOrNewHash(c, o), arg_key(c, 2), buf, (size_t)len);
    server.dirty++;
    replyLongLong(c, value);
}

static void hincrbyfloatCommand(client *c) {
    long double incr, value = 0;
    if (argToLongDoubleOrReply(c, &c->argv[3], &incr, NULL) < 0) return;
    if (isnan(incr) || isinf(incr)) {
        replyError(c, "value is NaN or Infinity");
        return;
    }
    int wrongtype;
    obj *o = lookupHashWrite(c, &wrongtype);
    if (wrongtype) return;
    hashValue v;
    if (o && lookupValue(o, arg_key(c, 2), &v) && !string2ld(v.ptr, v.len, &value)) {
        replyError(c, "hash value is not a float");
        return;
    }
    value += incr;
    if (isnan(value) || isinf(value)) {
        replyError(c, "increment would produce NaN or Infinity");
        return;
    }
    char buf[UTIL_LONG_DOUBLE_STR_SIZE];
    int len = ld2string(buf, sizeof(buf), value, 1);
    setField(existingOrNewHash(c, o), arg_key(c, 2), buf, (size_t)len);
    server.dirty++;
    /* The float's text replays exactly; the increment might round differently. */
    arg argv[4] = {{"HSET", 4}, c->argv[1], c->argv[2], {buf, (size_t)len}};
    propagateReplace(c, 4, argv);
    replyBulk(c, buf, (size_t)len);
}

/* --- Reading ------------------------------------------------------------- */

static void hgetCommand(client *c) {
    int wrongtype;
    obj *o = lookupHashRead(c, &wrongtype);
    if (wrongtype) return;
    hashValue v;
    if (o && lookupValue(o, arg_key(c, 2), &v)) replyBulk(c, v.ptr, v.len);
    else replyNull(c);
}

static void hmgetCommand(client *c) {
    int wrongtype;
    obj *o = lookupHashRead(c, &wrongtype);
    if (wrongtype) return;
    replyArrayLen(c, c->argc - 2);
    for (int j = 2; j < c->argc; j++) {
        hashValue v;
        if (o && lookupValue(o, arg_key(c, j), &v)) replyBulk(c, v.ptr, v.len);
        else replyNull(c);
    }
}

static void hlenCommand(client *c) {
    int wrongtype;
    obj *o = lookupHashRead(c, &wrongtype);
    if (wrongtype) return;
    replyLongLong(c, o ? (long long)hashLength(o) : 0);
}

static void hstrlenCommand(client *c) {
    int wrongtype;
    obj *o = lookupHashRead(c, &wrongtype);
    if (wrongtype) return;
    hashValue v;
    replyLongLong(c, o && lookupValue(o, arg_key(c, 2), &v) ? (long long)v.len : 0);
}

static void hexistsCommand(client *c) {
    int wrongtype;
    obj *o = lookupHashRead(c, &wrongtype);
    if (wrongtype) return;
    hashValue v;
    replyLongLong(c, o && lookupValue(o, arg_key(c, 2), &v));
}

#define WANT_FIELDS (1 << 0)
#define WANT_VALUES (1 << 1)

/* HKEYS, HVALS, HGETALL; HGETALL is a map in RESP3, even when empty. */
static void getallGeneric(client *c, int want) {
    int wrongtype;
    obj *o = lookupHashRead(c, &wrongtype);
    if (wrongtype) return;
    long len = o ? (long)hashLength(o) : 0;
    if (want == (WANT_FIELDS | WANT_VALUES)) replyMapLen(c, len);
    else replyArrayLen(c, len);
    if (!o) return;
    hashIter it;
    iterInit(&it, o);
    while (iterNext(&it)) {
        if (want & WANT_FIELDS) replyIterField(c, &it);
        if (want & WANT_VALUES) replyIterValue(c, &it);
    }
    iterRelease(&it);
}

static void hkeysCommand(client *c) { getallGeneric(c, WANT_FIELDS); }
static void hvalsCommand(client *c) { getallGeneric(c, WANT_VALUES); }
static void hgetallCommand(client *c) { getallGeneric(c, WANT_FIELDS | WANT_VALUES); }

/* --- HRANDFIELD ---------------------------------------------------------- */

/* Negative counts sample a listpack in batches of this many draws, so the
 * draws' bookkeeping stays small whatever the count. */
#define RANDFIELD_SAMPLE_BATCH 1000
/* A positive count above size / 3 shuffles references to every field;
 * below it, distinct random draws are cheaper. */
#define RANDFIELD_SUB_STRATEGY_MUL 3
/* Entries sampled per draw from a hashtable, one of which is chosen: a
 * fairer pick than one random bucket's chain. */
#define RANDFIELD_FAIR_SAMPLE 15

static dictEntry *randomEntry(dict *d) {
    dictEntry *des[RANDFIELD_FAIR_SAMPLE];
    unsigned int n = dictGetSomeKeys(d, des, RANDFIELD_FAIR_SAMPLE);
    return des[randomU64() % n];
}

/* The array header of a sample of count fields: RESP2 flattens the pairs of
 * WITHVALUES, RESP3 nests each pair in an array. */
static void replySampleLen(client *c, unsigned long count, int withvalues) {
    replyArrayLen(c, (long)(withvalues && c->resp == 2 ? count * 2 : count));
}

static void replyLpPair(client *c, unsigned char *lp, unsigned char *p, int withvalues) {
    if (withvalues && c->resp > 2) replyArrayLen(c, 2);
    replyLpEntry(c, p);
    if (withvalues) replyLpEntry(c, lpNext(lp, p));
}

static void replyDictPair(client *c, const dictEntry *de, int withvalues) {
    if (withvalues && c->resp > 2) replyArrayLen(c, 2);
    replyBulk(c, de->key, strLen(de->key));
    if (withvalues) replyBulk(c, de->v.val, strLen(de->v.val));
}

/* count draws, repeats allowed, in draw order. */
static void sampleWithRepeats(client *c, obj *o, unsigned long count, int withvalues) {
    replySampleLen(c, count, withvalues);
    if (o->encoding == OBJ_ENC_HT) {
        while (count--) replyDictPair(c, randomEntry(o->ptr), withvalues);
        return;
    }
    unsigned char *lp = o->ptr;
    unsigned long batch = count < RANDFIELD_SAMPLE_BATCH ? count : RANDFIELD_SAMPLE_BATCH;
    unsigned char **picks = lmalloc(batch * sizeof(*picks));
    while (count) {
        unsigned long n = count < batch ? count : batch;
        lpRandomSample(lp, 2, n, picks);
        for (unsigned long i = 0; i < n; i++) replyLpPair(c, lp, picks[i], withvalues);
        count -= n;
    }
    lfree(picks);
}

/* A field of the hash o: its listpack entry or its dictEntry. */
static void replyFieldRef(client *c, obj *o, void *ref, int withvalues) {
    if (o->encoding == OBJ_ENC_LISTPACK) replyLpPair(c, o->ptr, ref, withvalues);
    else replyDictPair(c, ref, withvalues);
}

/* count distinct fields of a hash holding more than count, in random order:
 * a partial Fisher-Yates shuffle of references to every field. */
static void sampleMostUnique(client *c, obj *o, unsigned long count, int withvalues) {
    unsigned long size = hashLength(o), n = 0;
    void **all = lmalloc(size * sizeof(*all));
    hashIter it;
    iterInit(&it, o);
    while (iterNext(&it)) all[n++] = iterRef(&it);
    iterRelease(&it);
    for (unsigned long i = 0; i < count; i++) {
        unsigned long j = i + (unsigned long)(randomU64() % (size - i));
        void *pick = all[j];
        all[j] = all[i];
        replyFieldRef(c, o, pick, withvalues);
    }
    lfree(all);
}

/* count distinct fields of a hash holding at least 3 * count. A listpack is
 * sampled in one walk and keeps its order; a hashtable is drawn from until
 * count distinct fields came up, remembered in a dict that borrows the
 * hash's field strings. */
static void sampleFewUnique(client *c, obj *o, unsigned long count, int withvalues) {
    if (o->encoding == OBJ_ENC_LISTPACK) {
        unsigned char **picks = lmalloc(count * sizeof(*picks));
        unsigned long n = lpRandomSampleUnique(o->ptr, 2, count, picks);
        loomAssert(n == count);
        for (unsigned long i = 0; i < n; i++) replyLpPair(c, o->ptr, picks[i], withvalues);
        lfree(picks);
        return;
    }
    static const dictType seen_type = {.nocase = 0, .owns_keys = 0, .free_val = NULL};
    dict *seen = dictCreate(&seen_type);
    dictExpand(seen, count);
    for (unsigned long added = 0; added < count;) {
        dictEntry *de = randomEntry(o->ptr);
        if (dictAdd(seen, de->key, NULL) < 0) continue;
        replyDictPair(c, de, withvalues);
        added++;
    }
    dictRelease(seen);
}

static void hrandfieldWithCount(client *c) {
    long l;
    if (argToRandomCountOrReply(c, &c->argv[2], &l) < 0) return;
    if (c->argc > 4 || (c->argc == 4 && !argEquals(&c->argv[3], "withvalues"))) {
        replySyntaxError(c);
        return;
    }
    int withvalues = c->argc == 4;
    /* The reply holds two strings per field. */
    if (withvalues && (l < -LONG_MAX / 2 || l > LONG_MAX / 2)) {
        replyError(c, "value is out of range");
        return;
    }
    int wrongtype;
    obj *o = lookupHashRead(c, &wrongtype);
    if (wrongtype) return;
    unsigned long count = l < 0 ? (unsigned long)-l : (unsigned long)l;
    if (!o || count == 0) {
        replyArrayLen(c, 0);
        return;
    }
    /* A negative count may repeat fields and gives them in random order; so
     * does a count of 1, which is a single draw either way. */
    if (l < 0 || count == 1) {
        sampleWithRepeats(c, o, count, withvalues);
        return;
    }
    unsigned long size = hashLength(o);
    if (count >= size) {
        replySampleLen(c, size, withvalues);
        hashIter it;
        iterInit(&it, o);
        while (iterNext(&it)) replyFieldRef(c, o, iterRef(&it), withvalues);
        iterRelease(&it);
        return;
    }
    replySampleLen(c, count, withvalues);
    if (count * RANDFIELD_SUB_STRATEGY_MUL > size) sampleMostUnique(c, o, count, withvalues);
    else sampleFewUnique(c, o, count, withvalues);
}

static void hrandfieldCommand(client *c) {
    if (c->argc >= 3) {
        hrandfieldWithCount(c);
        return;
    }
    int wrongtype;
    obj *o = lookupHashRead(c, &wrongtype);
    if (wrongtype) return;
    if (!o) {
        replyNull(c);
        return;
    }
    if (o->encoding == OBJ_ENC_HT) {
        dictEntry *de = randomEntry(o->ptr);
        replyBulk(c, de->key, strLen(de->key));
        return;
    }
    unsigned char *p;
    lpRandomSample(o->ptr, 2, 1, &p);
    replyLpEntry(c, p);
}

/* --- HSCAN --------------------------------------------------------------- */

typedef struct entryBatch {
    const dictEntry **entries;
    long count, cap;
} entryBatch;

static void collectEntry(void *privdata, const dictEntry *de) {
    entryBatch *b = privdata;
    if (b->count == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 16;
        b->entries = lrealloc(b->entries, (size_t)b->cap * sizeof(*b->entries));
    }
    b->entries[b->count++] = de;
}

/* A listpack is returned whole, with cursor 0, whatever the cursor and COUNT. */
static void scanListpack(client *c, unsigned char *lp, const scanOptions *opt) {
    scanReplyCursor(c, 0);
    void *handle = replyDeferredLen(c);
    long shown = 0;
    for (unsigned char *p = lpFirst(lp); p; p = lpNext(lp, lpNext(lp, p))) {
        unsigned char buf[LP_INTBUF_SIZE];
        unsigned int len;
        const unsigned char *field = lpGetBytes(p, &len, buf);
        if (!scanPatternMatches(opt, (const char *)field, len)) continue;
        replyBulk(c, field, len);
        replyLpEntry(c, lpNext(lp, p));
        shown += 2;
    }
    replySetDeferredArrayLen(c, handle, shown);
}

static void scanHashtable(client *c, dict *d, unsigned long cursor, const scanOptions *opt) {
    /* Visit buckets until COUNT fields were collected, and at most 10 *
     * COUNT buckets, so a sparse table returns soon. */
    entryBatch batch = {0};
    long max_iterations = opt->count > LONG_MAX / 10 ? LONG_MAX : opt->count * 10;
    do {
        cursor = dictScan(d, cursor, collectEntry, &batch);
    } while (cursor && max_iterations-- && batch.count < opt->count);

    long shown = 0;
    for (long i = 0; i < batch.count; i++) {
        const dictEntry *de = batch.entries[i];
        if (scanPatternMatches(opt, de->key, strLen(de->key))) batch.entries[shown++] = de;
    }
    scanReplyCursor(c, cursor);
    replyArrayLen(c, shown * 2);
    for (long i = 0; i < shown; i++) {
        const dictEntry *de = batch.entries[i];
        replyBulk(c, de->key, strLen(de->key));
        replyBulk(c, de->v.val, strLen(de->v.val));
    }
    lfree(batch.entries);
}

static void hscanCommand(client *c) {
    unsigned long cursor;
    scanOptions opt;
    obj *o = scanCollectionOrReply(c, OBJ_HASH, &cursor, &opt);
    if (!o) return;
    if (o->encoding == OBJ_ENC_LISTPACK) scanListpack(c, o->ptr, &opt);
    else scanHashtable(c, o->ptr, cursor, &opt);
}

/* --- The table ----------------------------------------------------------- */

#define RO_FAST        (CMD_READONLY | CMD_FAST)
#define W_DENYOOM_FAST (CMD_WRITE | CMD_DENYOOM | CMD_FAST)
#define G              CMD_GROUP_HASH
#define SCAN_COMPLEXITY                                                                         \
    "O(1) for every call. O(N) for a complete iteration, including enough command calls for " \
    "the cursor to return back to 0. N is the number of elements inside the collection.."

command hashCommandTable[] = {
    {"hset", hsetCommand, -4, W_DENYOOM_FAST, 1, 1, 1, G, "2.0.0",
     "O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command "
     "is called with multiple field/value pairs.",
     "Set the string value of a hash field", NULL},
    {"hsetnx", hsetnxCommand, 4, W_DENYOOM_FAST, 1, 1, 1, G, "2.0.0", "O(1)",
     "Set the value of a hash field, only if the field does not exist", NULL},
    {"hget", hgetCommand, 3, RO_FAST, 1, 1, 1, G, "2.0.0", "O(1)", "Get the value of a hash field",
     NULL},
    {"hmset", hmsetCommand, -4, W_DENYOOM_FAST, 1, 1, 1, G, "2.0.0",
     "O(N) where N is the number of fields being set.",
     "Set multiple hash fields to multiple values", NULL},
    {"hmget", hmgetCommand, -3, RO_FAST, 1, 1, 1, G, "2.0.0",
     "O(N) where N is the number of fields being requested.",
     "Get the values of all the given hash fields", NULL},
    {"hincrby", hincrbyCommand, 4, W_DENYOOM_FAST, 1, 1, 1, G, "2.0.0", "O(1)",
     "Increment the integer value of a hash field by the given number", NULL},
    {"hincrbyfloat", hincrbyfloatCommand, 4, W_DENYOOM_FAST, 1, 1, 1, G, "2.6.0", "O(1)",
     "Increment the float value of a hash field by the given amount", NULL},
    {"hdel", hdelCommand, -3, CMD_WRITE | CMD_FAST, 1, 1, 1, G, "2.0.0",
     "O(N) where N is the number of fields to be removed.", "Delete one or more hash fields",
     NULL},
    {"hlen", hlenCommand, 2, RO_FAST, 1, 1, 1, G, "2.0.0", "O(1)",
     "Get the number of fields in a hash", NULL},
    {"hstrlen", hstrlenCommand, 3, RO_FAST, 1, 1, 1, G, "3.2.0", "O(1)",
     "Get the length of the value of a hash field", NULL},
    {"hkeys", hkeysCommand, 2, CMD_READONLY, 1, 1, 1, G, "2.0.0",
     "O(N) where N is the size of the hash.", "Get all the fields in a hash", NULL},
    {"hvals", hvalsCommand, 2, CMD_READONLY, 1, 1, 1, G, "2.0.0",
     "O(N) where N is the size of the hash.", "Get all the values in a hash", NULL},
    {"hgetall", hgetallCommand, 2, CMD_READONLY, 1, 1, 1, G, "2.0.0",
     "O(N) where N is the size of the hash.", "Get all the fields and values in a hash", NULL},
    {"hexists", hexistsCommand, 3, RO_FAST, 1, 1, 1, G, "2.0.0", "O(1)",
     "Determine if a hash field exists", NULL},
    {"hrandfield", hrandfieldCommand, -2, CMD_READONLY, 1, 1, 1, G, "6.2.0",
     "O(N) where N is the number of fields returned",
     "Get one or multiple random fields from a hash", NULL},
    {"hscan", hscanCommand, -3, CMD_READONLY, 1, 1, 1, G, "2.8.0", SCAN_COMPLEXITY,
     "Incrementally iterate hash fields and associated values", NULL},
    {0}};
