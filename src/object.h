/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Values: the object header shared by every type (type, encoding, access
 * clock, reference count, pointer) and the string encodings: "int" (the value
 * in the pointer), "embstr" (header and bytes in one allocation, up to 44
 * bytes) and "raw" (a separate str). Small integers 0..9999 are shared objects.
 *
 * Main thread only: reference counts are not atomic. I/O threads never see
 * objects.
 */
#ifndef LOOM_OBJECT_H
#define LOOM_OBJECT_H

#include <stddef.h>
#include <stdint.h>

enum { OBJ_STRING = 0, OBJ_LIST = 1, OBJ_SET = 2, OBJ_ZSET = 3, OBJ_HASH = 4 };
/* Encodings, named as OBJECT ENCODING shows them. */
enum {
    OBJ_ENC_RAW = 0,   /* string: ptr is a str */
    OBJ_ENC_INT,       /* string: the value is the pointer */
    OBJ_ENC_EMBSTR,    /* string: a str right after the header */
    OBJ_ENC_LISTPACK,  /* hash, set, zset: ptr is a listpack */
    OBJ_ENC_QUICKLIST, /* list: ptr is a quicklist */
    OBJ_ENC_INTSET,    /* set: ptr is an intset */
    OBJ_ENC_HT,        /* hash (str -> str value), set (str, no value): ptr is a dict */
    OBJ_ENC_SKIPLIST,  /* zset: ptr is a zset (skiplist + dict) */
};

/* Longest string stored embedded in its object. */
#define OBJ_EMBSTR_MAX 44
#define OBJ_SHARED_INTEGERS 10000
/* The reference count of objects that live for the whole process. */
#define OBJ_SHARED_REFCOUNT INT32_MAX
/* Buffer size for objStringBytes() on an int-encoded string. */
#define OBJ_INT_BUF 32

typedef struct obj {
    unsigned type : 4;
    unsigned encoding : 4;
    unsigned lru : 24; /* access clock in seconds, see objLruClock() */
    int refcount;
    void *ptr;
} obj;

void objInit(void);

/* A string with the encoding Redis would choose for a stored value: shared
 * or "int" for integers that round-trip, "embstr" up to 44 bytes, else "raw". */
obj *objCreateStringValue(const char *p, size_t len);
/* A string with "embstr" or "raw" encoding by length, never "int". */
obj *objCreateString(const char *p, size_t len);
obj *objCreateRawString(const char *p, size_t len);
/* A string holding v: shared when 0 <= v < 10000, else "int". */
obj *objCreateStringFromLongLong(long long v);
/* Takes ownership of `s` (a str) as a raw string object. */
obj *objCreateFromStr(char *s);
/* Collections, empty, in their compact encoding (lists: quicklist). */
obj *objCreateList(int fill, int compress_depth);
obj *objCreateListpackValue(int type); /* hash, set or zset */
obj *objCreateIntsetValue(void);
/* Takes ownership of an encoded value: `ptr` must match `encoding`. */
obj *objCreateEncoded(int type, int encoding, void *ptr);
/* The dict types used by the hashtable encodings. */
extern const struct dictType objHashDictType; /* str field -> str value, both owned */
extern const struct dictType objSetDictType;  /* str member, no value */

void objIncrRef(obj *o);
void objDecrRef(obj *o);
/* A private copy (refcount 1) with the same encoding where possible, for
 * every type (COPY). */
obj *objDup(const obj *o);

/* String access: the bytes of a string object (int values are formatted into
 * buf, which must hold OBJ_INT_BUF bytes). */
const char *objStringBytes(const obj *o, char *buf, size_t *len);
size_t objStringLen(const obj *o);
/* 1 and the value if the string is a valid integer (strict), else 0. */
int objGetLongLong(const obj *o, long long *v);
int objGetLongDouble(const obj *o, long double *v);

const char *objTypeName(int type);
const char *objEncodingName(int encoding);

/* Access tracking in obj.lru: a 24-bit clock in seconds (LRU), or for the
 * LFU eviction policies minutes and a logarithmic access counter. */
#define OBJ_LRU_MAX ((1 << 24) - 1)
unsigned objLruClock(void);
void objLruClockUpdate(long long now_ms);
/* Chooses LRU or LFU tracking and whether small integers may be shared
 * (not when each value needs its own access field). */
void objSetAccessPolicy(int lfu, int lfu_log_factor, int lfu_decay_minutes, int share_integers);
int objAccessIsLfu(void);
/* Records an access. */
void objTouch(obj *o);
/* LRU: milliseconds since the last access. */
long long objIdleMs(const obj *o);
/* LFU: the decayed access counter (0..255). */
int objLfuFrequency(const obj *o);

#endif
