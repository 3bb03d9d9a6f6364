/* SPDX-License-Identifier: BSD-3-Clause
 *
 * String commands: GET/SET and their variants, multi-key MGET/MSET, APPEND,
 * ranges, and the integer and float counters. Handlers validate every argument
 * first (replying with Redis's exact errors) and only then touch the keyspace.
 * Main thread only.
 */
#include "command.h"
#include "db.h"
#include "propagate.h"
#include "reply.h"
#include "server.h"
#include "str.h"
#include "util.h"

#include <limits.h>
#include <math.h>
#include <string.h>

#define arg_key(c, i) (c)->argv[i].ptr, (c)->argv[i].len

static obj *lookupString(client *c, const arg *key, int *wrongtype) {
    return lookupTypedRead(c, key, OBJ_STRING, wrongtype);
}

/* Checks that a string of `size` + `append` bytes (both >= 0) would stay
 * within proto-max-bulk-len, without overflowing. */
static int checkStringLength(client *c, long long size, long long append) {
    if (size > server.proto_max_bulk_len - append) {
        replyError(c, "string exceeds maximum allowed size (proto-max-bulk-len)");
        return -1;
    }
    return 0;
}

/* --- SET and its options ------------------------------------------------- */

#define SET_NX (1 << 0)
#define SET_XX (1 << 1)
#define SET_GET (1 << 2)
#define SET_KEEPTTL (1 << 3)
#define SET_EX (1 << 4)
#define SET_PX (1 << 5)
#define SET_EXAT (1 << 6)
#define SET_PXAT (1 << 7)
#define SET_PERSIST (1 << 8)
#define SET_EXPIRE_MASK (SET_EX | SET_PX | SET_EXAT | SET_PXAT)

enum { PARSE_FOR_SET, PARSE_FOR_GETEX };

static int expireOptionFlag(const arg *a) {
    if (argEquals(a, "ex")) return SET_EX;
    if (argEquals(a, "px")) return SET_PX;
    if (argEquals(a, "exat")) return SET_EXAT;
    if (argEquals(a, "pxat")) return SET_PXAT;
    return 0;
}

/* Parses SET's (or GETEX's) options from argv[first]. Stores the flags and
 * the expire argument's index; replies "syntax error" on any conflict. */
static int parseSetOptions(client *c, int first, int mode, int *flags, int *expire_idx) {
    *flags = 0;
    *expire_idx = -1;
    for (int j = first; j < c->argc; j++) {
        const arg *a = &c->argv[j];
        int has_next = j + 1 < c->argc;
        int f = *flags;
        if (mode == PARSE_FOR_SET && argEquals(a, "nx") && !(f & SET_XX)) {
            *flags |= SET_NX;
        } else if (mode == PARSE_FOR_SET && argEquals(a, "xx") && !(f & SET_NX)) {
            *flags |= SET_XX;
        } else if (mode == PARSE_FOR_SET && argEquals(a, "get")) {
            *flags |= SET_GET;
        } else if (mode == PARSE_FOR_SET && argEquals(a, "keepttl") && !(f & SET_EXPIRE_MASK)) {
            *flags |= SET_KEEPTTL;
        } else if (mode == PARSE_FOR_GETEX && argEquals(a, "persist") && !(f & SET_EXPIRE_MASK)) {
            *flags |= SET_PERSIST;
        } else if (has_next && expireOptionFlag(a) &&
                   !(f & (SET_KEEPTTL | SET_PERSIST | (SET_EXPIRE_MASK & ~expireOptionFlag(a))))) {
            /* The same unit may repeat (the last wins); different units conflict. */
            *flags |= expireOptionFlag(a);
            *expire_idx = ++j;
        } else {
            replySyntaxError(c);
            return -1;
        }
    }
    return 0;
}

/* Converts an expire argument to an absolute unix time in ms. */
static int expireArgToMs(client *c, const arg *a, int flags, long long *when_ms) {
    long long v;
    if (argToLongLongOrReply(c, a, &v, NULL) < 0) return -1;
    int seconds = flags & (SET_EX | SET_EXAT);
    int relative = flags & (SET_EX | SET_PX);
    if (v <= 0 || (seconds && v > LLONG_MAX / 1000)) goto invalid;
    if (seconds) v *= 1000;
    if (relative) {
        if (v > LLONG_MAX - server.cmd_time_ms) goto invalid;
        v += server.cmd_time_ms;
    }
    *when_ms = v;
    return 0;
invalid:
    replyErrorFormat(c, "invalid expire time in '%s' command", c->cmd->fullname);
    return -1;
}

/* A relative or second-based expiry replays as the absolute ms it meant. */
static void propagateSetPxat(client *c, const arg *key, const arg *val, long long when_ms) {
    char buf[32];
    arg argv[5] = {{"SET", 3}, *key, *val, {"PXAT", 4},
                   propagateArgFromLongLong(buf, sizeof(buf), when_ms)};
    propagateReplace(c, 5, argv);
}

static void propagateKeyCommand(client *c, const char *name, const arg *key) {
    arg argv[2] = {{(char *)name, strlen(name)}, *key};
    propagateReplace(c, 2, argv);
}

static void setGeneric(client *c, const arg *key, const arg *val, int flags, long long when_ms,
                       int reply_ok) {
    if (flags & SET_GET) {
        int wrongtype;
        obj *old = lookupString(c, key, &wrongtype);
        if (wrongtype) return;
        if (old) replyBulkObj(c, old);
        else replyNull(c);
    }
    obj *existing = dbLookupWrite(c->db, key->ptr, key->len);
    if (((flags & SET_NX) && existing) || ((flags & SET_XX) && !existing)) {
        if (!(flags & SET_GET)) replyNull(c);
        return;
    }
    dbSetKey(c->db, key->ptr, key->len, objCreateStringValue(val->ptr, val->len),
             (flags & SET_KEEPTTL) || when_ms >= 0);
    if (when_ms >= 0) {
        dbSetExpire(c->db, key->ptr, key->len, when_ms);
        propagateSetPxat(c, key, val, when_ms);
    }
    server.dirty++;
    if (!(flags & SET_GET) && reply_ok) replyOk(c);
}

static void setCommand(client *c) {
    int flags, expire_idx;
    long long when_ms = -1;
    if (parseSetOptions(c, 3, PARSE_FOR_SET, &flags, &expire_idx) < 0) return;
    if (expire_idx >= 0 && expireArgToMs(c, &c->argv[expire_idx], flags, &when_ms) < 0) return;
    setGeneric(c, &c->argv[1], &c->argv[2], flags, when_ms, 1);
}

static void setnxCommand(client *c) {
    if (dbLookupWrite(c->db, arg_key(c, 1))) {
        replyLongLong(c, 0);
        return;
    }
    setGeneric(c, &c->argv[1], &c->argv[2], SET_NX, -1, 0);
    replyLongLong(c, 1);
}

static void setexGeneric(client *c, int flags) {
    long long when_ms;
    if (expireArgToMs(c, &c->argv[2], flags, &when_ms) < 0) return;
    setGeneric(c, &c->argv[1], &c->argv[3], 0, when_ms, 1);
}

static void setexCommand(client *c) { setexGeneric(c, SET_EX); }
static void psetexCommand(client *c) { setexGeneric(c, SET_PX); }

static void getCommand(client *c) {
    int wrongtype;
    obj *o = lookupString(c, &c->argv[1], &wrongtype);
    if (wrongtype) return;
    if (o) replyBulkObj(c, o);
    else replyNull(c);
}

static void getsetCommand(client *c) {
    setGeneric(c, &c->argv[1], &c->argv[2], SET_GET, -1, 0);
}

static void getdelCommand(client *c) {
    int wrongtype;
    obj *o = lookupString(c, &c->argv[1], &wrongtype);
    if (wrongtype) return;
    if (!o) {
        replyNull(c);
        return;
    }
    replyBulkObj(c, o);
    dbDelete(c->db, arg_key(c, 1));
    server.dirty++;
}

static void getexCommand(client *c) {
    int flags, expire_idx;
    long long when_ms = -1;
    if (parseSetOptions(c, 2, PARSE_FOR_GETEX, &flags, &expire_idx) < 0) return;
    int wrongtype;
    obj *o = lookupString(c, &c->argv[1], &wrongtype);
    if (wrongtype) return;
    if (!o) {
        replyNull(c);
        return;
    }
    if (expire_idx >= 0 && expireArgToMs(c, &c->argv[expire_idx], flags, &when_ms) < 0) return;
    replyBulkObj(c, o);
    if (when_ms >= 0 && when_ms <= server.cmd_time_ms) {
        /* An absolute time already past deletes the key at once. */
        dbDelete(c->db, arg_key(c, 1));
        propagateKeyCommand(c, "DEL", &c->argv[1]);
        server.dirty++;
    } else if (when_ms >= 0) {
        dbSetExpire(c->db, arg_key(c, 1), when_ms);
        char buf[32];
        arg argv[3] = {{"PEXPIREAT", 9}, c->argv[1],
                       propagateArgFromLongLong(buf, sizeof(buf), when_ms)};
        propagateReplace(c, 3, argv);
        server.dirty++;
    } else if ((flags & SET_PERSIST) && dbRemoveExpire(c->db, arg_key(c, 1))) {
        propagateKeyCommand(c, "PERSIST", &c->argv[1]);
        server.dirty++;
    }
}

/* --- Multi-key ----------------------------------------------------------- */

static void mgetCommand(client *c) {
    replyArrayLen(c, c->argc - 1);
    for (int j = 1; j < c->argc; j++) {
        obj *o = dbLookupRead(c->db, arg_key(c, j));
        /* MGET answers nil, not WRONGTYPE, for other types. */
        if (o && o->type == OBJ_STRING) replyBulkObj(c, o);
        else replyNull(c);
    }
}

static void msetGeneric(client *c, int nx) {
    if (c->argc % 2 == 0) {
        replyArityError(c);
        return;
    }
    if (nx) {
        for (int j = 1; j < c->argc; j += 2) {
            if (dbLookupWrite(c->db, arg_key(c, j))) {
                replyLongLong(c, 0);
                return;
            }
        }
    }
    for (int j = 1; j < c->argc; j += 2) {
        const arg *v = &c->argv[j + 1];
        dbSetKey(c->db, arg_key(c, j), objCreateStringValue(v->ptr, v->len), 0);
    }
    server.dirty += (c->argc - 1) / 2;
    if (nx) replyLongLong(c, 1);
    else replyOk(c);
}

static void msetCommand(client *c) { msetGeneric(c, 0); }
static void msetnxCommand(client *c) { msetGeneric(c, 1); }

/* --- APPEND, STRLEN, ranges ---------------------------------------------- */

static void appendCommand(client *c) {
    const arg *key = &c->argv[1], *val = &c->argv[2];
    obj *o = dbLookupWrite(c->db, key->ptr, key->len);
    if (!o) {
        /* A new key stores the argument as SET would. */
        dbAdd(c->db, key->ptr, key->len, objCreateStringValue(val->ptr, val->len));
        server.dirty++;
        replyLongLong(c, (long long)val->len);
        return;
    }
    if (o->type != OBJ_STRING) {
        replyWrongType(c);
        return;
    }
    if (checkStringLength(c, (long long)objStringLen(o), (long long)val->len) < 0) return;
    obj *own = dbUnshareStringValue(c->db, key->ptr, key->len, o);
    own->ptr = strCatLen(own->ptr, val->ptr, val->len);
    server.dirty++;
    replyLongLong(c, (long long)strLen(own->ptr));
}

static void strlenCommand(client *c) {
    int wrongtype;
    obj *o = lookupString(c, &c->argv[1], &wrongtype);
    if (wrongtype) return;
    replyLongLong(c, o ? (long long)objStringLen(o) : 0);
}

static void getrangeCommand(client *c) {
    long long start, end;
    if (argToLongLongOrReply(c, &c->argv[2], &start, NULL) < 0) return;
    if (argToLongLongOrReply(c, &c->argv[3], &end, NULL) < 0) return;
    int wrongtype;
    obj *o = lookupString(c, &c->argv[1], &wrongtype);
    if (wrongtype) return;
    if (!o) {
        replyBulk(c, "", 0);
        return;
    }
    char buf[OBJ_INT_BUF];
    size_t len;
    const char *p = objStringBytes(o, buf, &len);
    long long slen = (long long)len;
    if (start < 0 && end < 0 && start > end) {
        replyBulk(c, "", 0);
        return;
    }
    if (start < 0) start += slen;
    if (end < 0) end += slen;
    if (start < 0) start = 0;
    if (end < 0) end = 0;
    if (end >= slen) end = slen - 1;
    if (start > end || slen == 0) replyBulk(c, "", 0);
    else replyBulk(c, p + start, (size_t)(end - start + 1));
}

static void setrangeCommand(client *c) {
    const arg *key = &c->argv[1], *val = &c->argv[3];
    long long offset;
    if (argToLongLongOrReply(c, &c->argv[2], &offset, NULL) < 0) return;
    if (offset < 0) {
        replyError(c, "offset is out of range");
        return;
    }
    obj *o = dbLookupWrite(c->db, key->ptr, key->len);
    if (o && o->type != OBJ_STRING) {
        replyWrongType(c);
        return;
    }
    size_t olen = o ? objStringLen(o) : 0;
    if (val->len == 0) {
        replyLongLong(c, (long long)olen);
        return;
    }
    if (checkStringLength(c, offset, (long long)val->len) < 0) return;
    if (!o) {
        o = objCreateRawString(NULL, 0);
        dbAdd(c->db, key->ptr, key->len, o);
    } else {
        o = dbUnshareStringValue(c->db, key->ptr, key->len, o);
    }
    size_t needed = (size_t)offset + val->len;
    if (strLen(o->ptr) < needed) o->ptr = strGrowZero(o->ptr, needed);
    memcpy((char *)o->ptr + offset, val->ptr, val->len);
    server.dirty++;
    replyLongLong(c, (long long)strLen(o->ptr));
}

/* --- Counters ------------------------------------------------------------ */

static void incrGeneric(client *c, long long incr) {
    const arg *key = &c->argv[1];
    obj *o = dbLookupWrite(c->db, key->ptr, key->len);
    long long value = 0;
    if (o) {
        if (o->type != OBJ_STRING) {
            replyWrongType(c);
            return;
        }
        if (!objGetLongLong(o, &value)) {
            replyError(c, "value is not an integer or out of range");
            return;
        }
    }
    if ((incr < 0 && value < 0 && incr < LLONG_MIN - value) ||
        (incr > 0 && value > 0 && incr > LLONG_MAX - value)) {
        replyError(c, "increment or decrement would overflow");
        return;
    }
    value += incr;
    if (o && o->refcount == 1 && o->encoding == OBJ_ENC_INT &&
        (value < 0 || value >= OBJ_SHARED_INTEGERS)) {
        /* Update in place: no allocation for a counter that stays large. */
        o->ptr = (void *)(intptr_t)value;
    } else {
        obj *n = objCreateStringFromLongLong(value);
        if (o) dbOverwrite(c->db, key->ptr, key->len, n);
        else dbAdd(c->db, key->ptr, key->len, n);
    }
    server.dirty++;
    replyLongLong(c, value);
}

static void incrCommand(client *c) { incrGeneric(c, 1); }
static void decrCommand(client *c) { incrGeneric(c, -1); }

static void incrbyCommand(client *c) {
    long long incr;
    if (argToLongLongOrReply(c, &c->argv[2], &incr, NULL) < 0) return;
    incrGeneric(c, incr);
}

static void decrbyCommand(client *c) {
    long long incr;
    if (argToLongLongOrReply(c, &c->argv[2], &incr, NULL) < 0) return;
    if (incr == LLONG_MIN) {
        replyError(c, "decrement would overflow");
        return;
    }
    incrGeneric(c, -incr);
}

static void incrbyfloatCommand(client *c) {
    const arg *key = &c->argv[1];
    long double incr, value = 0;
    obj *o = dbLookupWrite(c->db, key->ptr, key->len);
    if (o && o->type != OBJ_STRING) {
        replyWrongType(c);
        return;
    }
    if (o && !objGetLongDouble(o, &value)) {
        replyError(c, "value is not a valid float");
        return;
    }
    if (argToLongDoubleOrReply(c, &c->argv[2], &incr, NULL) < 0) return;
    value += incr;
    if (isnan(value) || isinf(value)) {
        replyError(c, "increment would produce NaN or Infinity");
        return;
    }
    char buf[UTIL_LONG_DOUBLE_STR_SIZE];
    int len = ld2string(buf, sizeof(buf), value, 1);
    obj *n = objCreateString(buf, (size_t)len);
    if (o) dbOverwrite(c->db, key->ptr, key->len, n);
    else dbAdd(c->db, key->ptr, key->len, n);
    server.dirty++;
    /* The float's text replays exactly; the increment might round differently. */
    arg argv[4] = {{"SET", 3}, *key, {buf, (size_t)len}, {"KEEPTTL", 7}};
    propagateReplace(c, 4, argv);
    replyBulk(c, buf, (size_t)len);
}

#define RO_FAST (CMD_READONLY | CMD_FAST)
#define W_DENYOOM (CMD_WRITE | CMD_DENYOOM)
#define W_DENYOOM_FAST (CMD_WRITE | CMD_DENYOOM | CMD_FAST)
#define G CMD_GROUP_STRING

command stringCommandTable[] = {
    {"get", getCommand, 2, RO_FAST, 1, 1, 1, G, "1.0.0", "O(1)", "Get the value of a key", NULL},
    {"set", setCommand, -3, W_DENYOOM, 1, 1, 1, G, "1.0.0", "O(1)",
     "Set the string value of a key", NULL},
    {"setnx", setnxCommand, 3, W_DENYOOM_FAST, 1, 1, 1, G, "1.0.0", "O(1)",
     "Set the value of a key, only if the key does not exist", NULL},
    {"setex", setexCommand, 4, W_DENYOOM, 1, 1, 1, G, "2.0.0", "O(1)",
     "Set the value and expiration of a key", NULL},
    {"psetex", psetexCommand, 4, W_DENYOOM, 1, 1, 1, G, "2.6.0", "O(1)",
     "Set the value and expiration in milliseconds of a key", NULL},
    {"getset", getsetCommand, 3, W_DENYOOM_FAST, 1, 1, 1, G, "1.0.0", "O(1)",
     "Set the string value of a key and return its old value", NULL},
    {"getdel", getdelCommand, 2, CMD_WRITE | CMD_FAST, 1, 1, 1, G, "6.2.0", "O(1)",
     "Get the value of a key and delete the key", NULL},
    {"getex", getexCommand, -2, CMD_WRITE | CMD_FAST, 1, 1, 1, G, "6.2.0", "O(1)",
     "Get the value of a key and optionally set its expiration", NULL},
    {"mget", mgetCommand, -2, RO_FAST, 1, -1, 1, G, "1.0.0",
     "O(N) where N is the number of keys to retrieve.", "Get the values of all the given keys",
     NULL},
    {"mset", msetCommand, -3, W_DENYOOM, 1, -1, 2, G, "1.0.1",
     "O(N) where N is the number of keys to set.", "Set multiple keys to multiple values", NULL},
    {"msetnx", msetnxCommand, -3, W_DENYOOM, 1, -1, 2, G, "1.0.1",
     "O(N) where N is the number of keys to set.",
     "Set multiple keys to multiple values, only if none of the keys exist", NULL},
    {"append", appendCommand, 3, W_DENYOOM_FAST, 1, 1, 1, G, "2.0.0",
     "O(1). The amortized time complexity is O(1) assuming the appended value is small and the "
     "already present value is of any size, since the dynamic string library used by Redis will "
     "double the free space available on every reallocation.",
     "Append a value to a key", NULL},
    {"strlen", strlenCommand, 2, RO_FAST, 1, 1, 1, G, "2.2.0", "O(1)",
     "Get the length of the value stored in a key", NULL},
    {"getrange", getrangeCommand, 4, CMD_READONLY, 1, 1, 1, G, "2.4.0",
     "O(N) where N is the length of the returned string.",
     "Get a substring of the string stored at a key", NULL},
    {"substr", getrangeCommand, 4, CMD_READONLY, 1, 1, 1, G, "1.0.0",
     "O(N) where N is the length of the returned string.",
     "Get a substring of the string stored at a key", NULL},
    {"setrange", setrangeCommand, 4, W_DENYOOM, 1, 1, 1, G, "2.2.0",
     "O(1), not counting the time taken to copy the new string in place.",
     "Overwrite part of a string at key starting at the specified offset", NULL},
    {"incr", incrCommand, 2, W_DENYOOM_FAST, 1, 1, 1, G, "1.0.0", "O(1)",
     "Increment the integer value of a key by one", NULL},
    {"decr", decrCommand, 2, W_DENYOOM_FAST, 1, 1, 1, G, "1.0.0", "O(1)",
     "Decrement the integer value of a key by one", NULL},
    {"incrby", incrbyCommand, 3, W_DENYOOM_FAST, 1, 1, 1, G, "1.0.0", "O(1)",
     "Increment the integer value of a key by the given amount", NULL},
    {"decrby", decrbyCommand, 3, W_DENYOOM_FAST, 1, 1, 1, G, "1.0.0", "O(1)",
     "Decrement the integer value of a key by the given number", NULL},
    {"incrbyfloat", incrbyfloatCommand, 3, W_DENYOOM_FAST, 1, 1, 1, G, "2.6.0", "O(1)",
     "Increment the float value of a key by the given amount", NULL},
    {0}};
