/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Unit tests for object.c: the encoding objCreateStringValue picks (shared,
 * int, embstr, raw), byte round trips, duplication, reference counts, number
 * access, type and encoding names, and access tracking (the LRU clock and
 * idle time; the LFU counter, its growth and decay; unshared integers).
 */
#include "test.h"

#include "object.h"
#include "str.h"

#include <limits.h>

/* Any fixed time works; this one is far from the 24-bit clock's wrap. */
#define T0_MS 1700000040000LL /* a whole minute */

/* Creates a string value and checks its encoding and bytes. */
static int checkValue(const char *s, int encoding, int shared) {
    size_t len = strlen(s);
    obj *o = objCreateStringValue(s, len);
    if (o->type != OBJ_STRING || (int)o->encoding != encoding ||
        (o->refcount == OBJ_SHARED_REFCOUNT) != shared) {
        fprintf(stderr, "  value \"%s\": encoding %s refcount %d\n", s,
                objEncodingName(o->encoding), o->refcount);
    }
    ASSERT_EQ(o->type, OBJ_STRING);
    ASSERT_EQ(o->encoding, encoding);
    ASSERT_EQ(o->refcount == OBJ_SHARED_REFCOUNT, shared);
    if (!shared) ASSERT_EQ(o->refcount, 1);
    char buf[OBJ_INT_BUF];
    size_t n;
    const char *p = objStringBytes(o, buf, &n);
    ASSERT_EQ(n, len);
    ASSERT_MEM_EQ(p, s, len);
    ASSERT_EQ(objStringLen(o), len);
    objDecrRef(o);
    return 0;
}

int test_object_string_encodings(void) {
    objInit();
    ASSERT_EQ(checkValue("0", OBJ_ENC_INT, 1), 0);
    ASSERT_EQ(checkValue("123", OBJ_ENC_INT, 1), 0);
    ASSERT_EQ(checkValue("9999", OBJ_ENC_INT, 1), 0);
    ASSERT_EQ(checkValue("10000", OBJ_ENC_INT, 0), 0);
    ASSERT_EQ(checkValue("-1", OBJ_ENC_INT, 0), 0);
    ASSERT_EQ(checkValue("9223372036854775807", OBJ_ENC_INT, 0), 0);
    ASSERT_EQ(checkValue("-9223372036854775808", OBJ_ENC_INT, 0), 0);
    /* Not integers that print back the same: stored as strings. */
    ASSERT_EQ(checkValue("01", OBJ_ENC_EMBSTR, 0), 0);
    ASSERT_EQ(checkValue("+1", OBJ_ENC_EMBSTR, 0), 0);
    ASSERT_EQ(checkValue(" 1", OBJ_ENC_EMBSTR, 0), 0);
    ASSERT_EQ(checkValue("1 ", OBJ_ENC_EMBSTR, 0), 0);
    ASSERT_EQ(checkValue("-0", OBJ_ENC_EMBSTR, 0), 0);
    ASSERT_EQ(checkValue("1.5", OBJ_ENC_EMBSTR, 0), 0);
    ASSERT_EQ(checkValue("9223372036854775808", OBJ_ENC_EMBSTR, 0), 0);
    ASSERT_EQ(checkValue("-9223372036854775809", OBJ_ENC_EMBSTR, 0), 0);
    ASSERT_EQ(checkValue("000000000000000000001", OBJ_ENC_EMBSTR, 0), 0);
    ASSERT_EQ(checkValue("", OBJ_ENC_EMBSTR, 0), 0);
    ASSERT_EQ(checkValue("hello", OBJ_ENC_EMBSTR, 0), 0);
    /* embstr up to 44 bytes, raw from 45. */
    char s[64];
    memset(s, 'x', sizeof(s));
    s[OBJ_EMBSTR_MAX] = '\0';
    ASSERT_EQ(checkValue(s, OBJ_ENC_EMBSTR, 0), 0);
    s[OBJ_EMBSTR_MAX] = 'x';
    s[OBJ_EMBSTR_MAX + 1] = '\0';
    ASSERT_EQ(checkValue(s, OBJ_ENC_RAW, 0), 0);
    /* A 45-digit number is a raw string. */
    memset(s, '7', OBJ_EMBSTR_MAX + 1);
    ASSERT_EQ(checkValue(s, OBJ_ENC_RAW, 0), 0);

    /* Shared integers are the same object every time. */
    obj *a = objCreateStringValue("42", 2), *b = objCreateStringFromLongLong(42);
    ASSERT(a == b);
    ASSERT(objCreateStringFromLongLong(9999) == objCreateStringValue("9999", 4));
    obj *c = objCreateStringFromLongLong(10000);
    ASSERT_EQ(c->encoding, OBJ_ENC_INT);
    ASSERT_EQ(c->refcount, 1);
    objDecrRef(c);
    c = objCreateStringFromLongLong(-5);
    ASSERT_EQ(c->refcount, 1);
    objDecrRef(c);

    /* The other constructors never pick "int". */
    obj *e = objCreateString("123", 3);
    ASSERT_EQ(e->encoding, OBJ_ENC_EMBSTR);
    obj *r = objCreateRawString("123", 3);
    ASSERT_EQ(r->encoding, OBJ_ENC_RAW);
    obj *f = objCreateFromStr(strNew("owned"));
    ASSERT_EQ(f->encoding, OBJ_ENC_RAW);
    ASSERT_STR_EQ(f->ptr, "owned");
    obj *bin = objCreateString("a\0b", 3);
    ASSERT_EQ(objStringLen(bin), 3);
    ASSERT_MEM_EQ(bin->ptr, "a\0b", 4);
    objDecrRef(e);
    objDecrRef(r);
    objDecrRef(f);
    objDecrRef(bin);
    return 0;
}

int test_object_string_bytes(void) {
    objInit();
    static const long long values[] = {0, 7, 9999, 10000, -1, 123456789012LL, LLONG_MAX, LLONG_MIN};
    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        obj *o = objCreateStringFromLongLong(values[i]);
        char want[32], buf[OBJ_INT_BUF];
        int wn = snprintf(want, sizeof(want), "%lld", values[i]);
        size_t n;
        const char *p = objStringBytes(o, buf, &n);
        ASSERT_EQ(n, wn);
        ASSERT_MEM_EQ(p, want, n);
        ASSERT_EQ(objStringLen(o), wn);
        long long v;
        ASSERT(objGetLongLong(o, &v));
        ASSERT_EQ(v, values[i]);
        /* Back through the value constructor: the same value again. */
        obj *again = objCreateStringValue(p, n);
        ASSERT_EQ(again->encoding, OBJ_ENC_INT);
        ASSERT(objGetLongLong(again, &v));
        ASSERT_EQ(v, values[i]);
        objDecrRef(again);
        objDecrRef(o);
    }
    return 0;
}

int test_object_dup(void) {
    objInit();
    char buf[OBJ_INT_BUF];
    size_t n;

    obj *shared = objCreateStringFromLongLong(5);
    obj *d = objDup(shared);
    ASSERT(d != shared);
    ASSERT_EQ(d->encoding, OBJ_ENC_INT);
    ASSERT_EQ(d->refcount, 1);
    ASSERT_STR_EQ(objStringBytes(d, buf, &n), "5");
    objDecrRef(d);
    ASSERT_EQ(shared->refcount, OBJ_SHARED_REFCOUNT);

    obj *i = objCreateStringFromLongLong(-77777);
    d = objDup(i);
    ASSERT(d != i);
    ASSERT_EQ(d->encoding, OBJ_ENC_INT);
    ASSERT_EQ(d->refcount, 1);
    ASSERT_STR_EQ(objStringBytes(d, buf, &n), "-77777");
    objDecrRef(d);
    objDecrRef(i);

    obj *e = objCreateString("embedded", 8);
    objIncrRef(e);
    d = objDup(e);
    ASSERT_EQ(d->encoding, OBJ_ENC_EMBSTR);
    ASSERT_EQ(d->refcount, 1);
    ASSERT(d->ptr != e->ptr);
    ASSERT_EQ(objStringLen(d), 8);
    ASSERT_MEM_EQ(d->ptr, "embedded", 9);
    objDecrRef(e);
    objDecrRef(e);
    ASSERT_MEM_EQ(d->ptr, "embedded", 9);
    objDecrRef(d);

    char big[100];
    memset(big, 'r', sizeof(big));
    obj *r = objCreateRawString(big, sizeof(big));
    d = objDup(r);
    ASSERT_EQ(d->encoding, OBJ_ENC_RAW);
    ASSERT(d->ptr != r->ptr);
    objDecrRef(r);
    ASSERT_EQ(objStringLen(d), sizeof(big));
    ASSERT_MEM_EQ(d->ptr, big, sizeof(big));
    objDecrRef(d);

    /* A raw string that is short stays raw when duplicated. */
    r = objCreateRawString("ab\0", 3);
    d = objDup(r);
    ASSERT_EQ(d->encoding, OBJ_ENC_RAW);
    ASSERT_EQ(objStringLen(d), 3);
    ASSERT_MEM_EQ(d->ptr, "ab\0", 4);
    objDecrRef(r);
    objDecrRef(d);
    return 0;
}

int test_object_refcount(void) {
    objInit();
    obj *o = objCreateString("value", 5);
    ASSERT_EQ(o->refcount, 1);
    objIncrRef(o);
    objIncrRef(o);
    ASSERT_EQ(o->refcount, 3);
    objDecrRef(o);
    objDecrRef(o);
    ASSERT_EQ(o->refcount, 1);
    objDecrRef(o); /* freed: the sanitizers and valgrind check it */

    /* Shared objects ignore both directions. */
    obj *s = objCreateStringFromLongLong(1);
    for (int i = 0; i < 1000; i++)
        objDecrRef(s);
    ASSERT_EQ(s->refcount, OBJ_SHARED_REFCOUNT);
    objIncrRef(s);
    ASSERT_EQ(s->refcount, OBJ_SHARED_REFCOUNT);
    char buf[OBJ_INT_BUF];
    size_t n;
    ASSERT_STR_EQ(objStringBytes(s, buf, &n), "1");
    ASSERT(objCreateStringFromLongLong(1) == s);
    return 0;
}

int test_object_numbers(void) {
    objInit();
    long long v;
    long double ld;
    obj *o = objCreateStringValue("123", 3);
    ASSERT(objGetLongLong(o, &v));
    ASSERT_EQ(v, 123);
    ASSERT(objGetLongDouble(o, &ld));
    ASSERT(ld == 123.0L);

    o = objCreateString("-42", 3); /* an embstr holding a number */
    ASSERT(objGetLongLong(o, &v));
    ASSERT_EQ(v, -42);
    ASSERT(objGetLongDouble(o, &ld));
    ASSERT(ld == -42.0L);
    objDecrRef(o);

    o = objCreateRawString("1.5", 3);
    ASSERT(!objGetLongLong(o, &v));
    ASSERT(objGetLongDouble(o, &ld));
    ASSERT(ld == 1.5L);
    objDecrRef(o);

    static const char *const not_int[] = {
        "", "abc", "01", "+1", " 1", "1 ", "-0", "1e3", "9223372036854775808"};
    for (size_t i = 0; i < sizeof(not_int) / sizeof(not_int[0]); i++) {
        o = objCreateString(not_int[i], strlen(not_int[i]));
        if (objGetLongLong(o, &v)) TEST_FAIL_("\"%s\" read as an integer", not_int[i]);
        objDecrRef(o);
    }
    o = objCreateString("abc", 3);
    ASSERT(!objGetLongDouble(o, &ld));
    objDecrRef(o);
    o = objCreateString("1e3", 3);
    ASSERT(objGetLongDouble(o, &ld));
    ASSERT(ld == 1000.0L);
    objDecrRef(o);

    o = objCreateStringFromLongLong(LLONG_MIN);
    ASSERT(objGetLongLong(o, &v));
    ASSERT_EQ(v, LLONG_MIN);
    ASSERT(objGetLongDouble(o, &ld));
    ASSERT(ld == (long double)LLONG_MIN);
    objDecrRef(o);
    return 0;
}

int test_object_names(void) {
    ASSERT_STR_EQ(objTypeName(OBJ_STRING), "string");
    ASSERT_STR_EQ(objTypeName(OBJ_LIST), "list");
    ASSERT_STR_EQ(objTypeName(OBJ_SET), "set");
    ASSERT_STR_EQ(objTypeName(OBJ_ZSET), "zset");
    ASSERT_STR_EQ(objTypeName(OBJ_HASH), "hash");
    ASSERT_STR_EQ(objTypeName(5), "unknown");
    ASSERT_STR_EQ(objTypeName(-1), "unknown");
    ASSERT_STR_EQ(objEncodingName(OBJ_ENC_RAW), "raw");
    ASSERT_STR_EQ(objEncodingName(OBJ_ENC_INT), "int");
    ASSERT_STR_EQ(objEncodingName(OBJ_ENC_EMBSTR), "embstr");
    ASSERT_STR_EQ(objEncodingName(15), "unknown");
    ASSERT_STR_EQ(objEncodingName(-1), "unknown");
    return 0;
}

int test_object_lru(void) {
    objInit();
    ASSERT(!objAccessIsLfu());
    objLruClockUpdate(T0_MS);
    ASSERT_EQ(objLruClock(), (unsigned)(T0_MS / 1000) & OBJ_LRU_MAX);
    obj *o = objCreateString("k", 1);
    ASSERT_EQ(o->lru, objLruClock());
    ASSERT_EQ(objIdleMs(o), 0);

    /* Idle time has one-second resolution. */
    objLruClockUpdate(T0_MS + 999);
    ASSERT_EQ(objIdleMs(o), 0);
    objLruClockUpdate(T0_MS + 5000);
    ASSERT_EQ(objIdleMs(o), 5000);
    objLruClockUpdate(T0_MS + 5999);
    ASSERT_EQ(objIdleMs(o), 5000);
    objLruClockUpdate(T0_MS + 3600 * 1000);
    ASSERT_EQ(objIdleMs(o), 3600 * 1000);

    /* A touch resets it; an object created later starts at the new clock. */
    objTouch(o);
    ASSERT_EQ(objIdleMs(o), 0);
    obj *later = objCreateStringValue("12345", 5);
    ASSERT_EQ(later->lru, objLruClock());
    objLruClockUpdate(T0_MS + 3600 * 1000 + 2000);
    ASSERT_EQ(objIdleMs(o), 2000);
    ASSERT_EQ(objIdleMs(later), 2000);

    /* Across the 24-bit wrap (every 194 days) the idle time stays small. It
     * is computed as Redis does, (MAX - then) + now, one second short of the
     * true distance. */
    objLruClockUpdate((long long)OBJ_LRU_MAX * 1000);
    objTouch(o);
    ASSERT_EQ(o->lru, OBJ_LRU_MAX);
    objLruClockUpdate(((long long)OBJ_LRU_MAX + 11) * 1000);
    ASSERT_EQ(objLruClock(), 10);
    ASSERT_EQ(objIdleMs(o), 10 * 1000);

    /* Shared integers have no access field of their own to update. */
    obj *s = objCreateStringFromLongLong(3);
    unsigned before = s->lru;
    objTouch(s);
    ASSERT_EQ(s->lru, before);
    objDecrRef(o);
    objDecrRef(later);
    return 0;
}

int test_object_lfu(void) {
    objInit();
    objSetAccessPolicy(1, 10, 1, 0);
    ASSERT(objAccessIsLfu());
    objLruClockUpdate(T0_MS);
    obj *o = objCreateString("k", 1);
    ASSERT_EQ(objLfuFrequency(o), 5);

    /* From the initial value the first access always counts. */
    objTouch(o);
    ASSERT_EQ(objLfuFrequency(o), 6);
    /* Later accesses count with falling probability: logarithmic growth. */
    for (int i = 0; i < 1000; i++)
        objTouch(o);
    int f = objLfuFrequency(o);
    ASSERT_GT(f, 7);
    ASSERT_LT(f, 40);

    /* One step of decay per elapsed decay period (1 minute here). */
    objLruClockUpdate(T0_MS + 59 * 1000);
    ASSERT_EQ(objLfuFrequency(o), f);
    objLruClockUpdate(T0_MS + 3 * 60 * 1000);
    ASSERT_EQ(objLfuFrequency(o), f - 3);
    /* A touch applies the decay, then counts the access from there. */
    objTouch(o);
    int g = objLfuFrequency(o);
    ASSERT(g == f - 3 || g == f - 2);
    objLruClockUpdate(T0_MS + 1000 * 60 * 1000);
    ASSERT_EQ(objLfuFrequency(o), 0);
    objTouch(o);
    ASSERT_EQ(objLfuFrequency(o), 1);

    /* A longer decay period: one step per 4 minutes. */
    objSetAccessPolicy(1, 10, 4, 0);
    objLruClockUpdate(T0_MS);
    obj *p = objCreateString("p", 1);
    objLruClockUpdate(T0_MS + 9 * 60 * 1000);
    ASSERT_EQ(objLfuFrequency(p), 3);
    /* Decay 0 disables decay. */
    objSetAccessPolicy(1, 10, 0, 0);
    objLruClockUpdate(T0_MS + 500 * 60 * 1000);
    ASSERT_EQ(objLfuFrequency(p), 5);

    /* Log factor 0: every access counts, up to 255. */
    objSetAccessPolicy(1, 0, 1, 0);
    obj *q = objCreateString("q", 1);
    for (int i = 0; i < 10; i++)
        objTouch(q);
    ASSERT_EQ(objLfuFrequency(q), 15);
    for (int i = 0; i < 300; i++)
        objTouch(q);
    ASSERT_EQ(objLfuFrequency(q), 255);

    /* With integer sharing off, small integers get their own object. */
    obj *n = objCreateStringValue("7", 1);
    ASSERT_EQ(n->encoding, OBJ_ENC_INT);
    ASSERT_EQ(n->refcount, 1);
    ASSERT_EQ(objLfuFrequency(n), 5);
    objTouch(n);
    ASSERT_EQ(objLfuFrequency(n), 6);
    obj *n2 = objCreateStringFromLongLong(7);
    ASSERT(n2 != n);
    long long v;
    ASSERT(objGetLongLong(n2, &v));
    ASSERT_EQ(v, 7);
    objDecrRef(n);
    objDecrRef(n2);

    /* Sharing on again (LFU with share_integers, or back to LRU). */
    objSetAccessPolicy(1, 10, 1, 1);
    ASSERT_EQ(objCreateStringValue("7", 1)->refcount, OBJ_SHARED_REFCOUNT);
    objSetAccessPolicy(0, 10, 1, 1);
    ASSERT(!objAccessIsLfu());
    ASSERT(objCreateStringValue("7", 1) == objCreateStringFromLongLong(7));
    objDecrRef(o);
    objDecrRef(p);
    objDecrRef(q);
    return 0;
}
