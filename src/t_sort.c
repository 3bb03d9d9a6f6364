/* SPDX-License-Identifier: BSD-3-Clause
 *
 * SORT and SORT_RO: sort the elements of a list, set or sorted set
 * numerically or alphabetically, by themselves or by external keys (BY
 * pattern, with "->field" for hash fields), with LIMIT, GET patterns and STORE.
 * The elements are collected as byte strings straight from each encoding, so
 * this file needs no other type's module. Main thread only.
 */
#include "alloc.h"
#include "block.h"
#include "command.h"
#include "db.h"
#include "dict.h"
#include "intset.h"
#include "listpack.h"
#include "quicklist.h"
#include "reply.h"
#include "server.h"
#include "str.h"
#include "util.h"
#include "zset.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct sortItem {
    str value;
    double score; /* numeric sort key */
    str by;       /* alphabetic sort key from BY, NULL when missing */
} sortItem;

typedef struct sortItems {
    sortItem *items;
    long count, cap;
} sortItems;

static void addItem(sortItems *s, const void *p, size_t len) {
    if (s->count == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 16;
        s->items = lrealloc(s->items, sizeof(sortItem) * (size_t)s->cap);
    }
    s->items[s->count++] = (sortItem){strNewLen(p, len), 0, NULL};
}

static void addListpackEntry(sortItems *s, unsigned char *p) {
    unsigned char buf[LP_INTBUF_SIZE];
    unsigned int len;
    const unsigned char *v = lpGetBytes(p, &len, buf);
    addItem(s, v, len);
}

/* Collects every element in the collection's natural order. */
static void collect(obj *o, sortItems *s) {
    if (o->encoding == OBJ_ENC_QUICKLIST) {
        quicklistIter *it = quicklistGetIterator(o->ptr, QUICKLIST_HEAD);
        quicklistEntry e;
        while (quicklistNext(it, &e)) {
            if (e.value) {
                addItem(s, e.value, e.len);
            } else {
                char buf[32];
                addItem(s, buf, (size_t)ll2string(buf, sizeof(buf), e.lval));
            }
        }
        quicklistReleaseIterator(it);
    } else if (o->encoding == OBJ_ENC_INTSET) {
        for (uint32_t i = 0; i < intsetLen(o->ptr); i++) {
            int64_t v;
            char buf[32];
            intsetGet(o->ptr, i, &v);
            addItem(s, buf, (size_t)ll2string(buf, sizeof(buf), v));
        }
    } else if (o->encoding == OBJ_ENC_LISTPACK) {
        /* Sets hold members; sorted sets hold member, score pairs. */
        int stride = o->type == OBJ_ZSET ? 2 : 1;
        unsigned char *p = lpFirst(o->ptr);
        while (p) {
            addListpackEntry(s, p);
            p = lpNext(o->ptr, p);
            if (stride == 2 && p) p = lpNext(o->ptr, p);
        }
    } else if (o->encoding == OBJ_ENC_HT) {
        dictIterator *it = dictGetIterator(o->ptr);
        dictEntry *de;
        while ((de = dictNext(it))) addItem(s, de->key, strLen(de->key));
        dictReleaseIterator(it);
    } else if (o->encoding == OBJ_ENC_SKIPLIST) {
        zset *zs = o->ptr;
        for (zskiplistNode *n = zs->zsl->header->level[0].forward; n; n = n->level[0].forward)
            addItem(s, n->member, strLen(n->member));
    }
}

/* The value a BY or GET pattern names for `value`: "#" is the element itself;
 * otherwise the first '*' is replaced by it and the key is read as a string,
 * or, with "->field", as that field of a hash. NULL when there is none. */
static str lookupByPattern(db *d, const arg *pattern, const str value) {
    if (pattern->len == 1 && pattern->ptr[0] == '#') return strDup(value);
    const char *star = memchr(pattern->ptr, '*', pattern->len);
    if (!star) return NULL;
    const char *end = pattern->ptr + pattern->len;
    const char *arrow = NULL;
    for (const char *q = star + 1; q + 1 < end; q++) {
        if (q[0] == '-' && q[1] == '>') {
            arrow = q;
            break;
        }
    }
    /* "->" at the very end is part of the key name. */
    if (arrow && arrow + 2 == end) arrow = NULL;
    const char *key_end = arrow ? arrow : end;
    str key = strNewLen(pattern->ptr, (size_t)(star - pattern->ptr));
    key = strCatLen(key, value, strLen(value));
    key = strCatLen(key, star + 1, (size_t)(key_end - star - 1));
    obj *o = dbLookup(d, key, strLen(key), LOOKUP_NONE);
    strFree(key);
    if (!o) return NULL;
    if (!arrow) {
        if (o->type != OBJ_STRING) return NULL;
        char buf[OBJ_INT_BUF];
        size_t len;
        const char *p = objStringBytes(o, buf, &len);
        return strNewLen(p, len);
    }
    if (o->type != OBJ_HASH) return NULL;
    const char *field = arrow + 2;
    size_t flen = (size_t)(end - field);
    if (o->encoding == OBJ_ENC_HT) {
        dictEntry *de = dictFind(o->ptr, field, flen);
        return de ? strDup(de->v.val) : NULL;
    }
    unsigned char *lp = o->ptr;
    unsigned char *p = lpFirst(lp);
    if (p) p = lpFind(lp, p, (const unsigned char *)field, flen, 1);
    if (!p) return NULL;
    p = lpNext(lp, p);
    unsigned char buf[LP_INTBUF_SIZE];
    unsigned int len;
    const unsigned char *v = lpGetBytes(p, &len, buf);
    return strNewLen(v, len);
}

typedef struct sortSpec {
    int desc, alpha, by_pattern;
} sortSpec;
static sortSpec current_spec; /* for the qsort comparator */

static int compareBytes(const str a, const str b) {
    size_t la = strLen(a), lb = strLen(b);
    int cmp = memcmp(a, b, la < lb ? la : lb);
    if (cmp) return cmp;
    return la < lb ? -1 : la > lb;
}

static int compareItems(const void *x, const void *y) {
    const sortItem *a = x, *b = y;
    int cmp;
    if (!current_spec.alpha) {
        /* Equal scores fall back to the elements, so the order is defined. */
        if (a->score != b->score) cmp = a->score < b->score ? -1 : 1;
        else cmp = compareBytes(a->value, b->value);
    } else if (current_spec.by_pattern) {
        if (!a->by || !b->by) cmp = a->by == b->by ? 0 : (a->by ? 1 : -1);
        else cmp = compareBytes(a->by, b->by);
    } else {
        cmp = compareBytes(a->value, b->value);
    }
    return current_spec.desc ? -cmp : cmp;
}

/* Parses a numeric sort key as Redis does (strtod over the whole string). */
static int parseScore(const str s, double *score) {
    char *end;
    errno = 0;
    *score = strtod(s, &end);
    return *end == '\0' && errno != ERANGE && !isnan(*score) && (size_t)(end - s) == strLen(s);
}

static void sortGeneric(client *c, int readonly) {
    const arg *by = NULL, *store = NULL;
    const arg *gets[64];
    int getcount = 0, dontsort = 0;
    long long offset = 0, limit = -1;
    sortSpec spec = {0};
    for (int j = 2; j < c->argc; j++) {
        const arg *a = &c->argv[j];
        int left = c->argc - j - 1;
        if (argEquals(a, "asc")) {
            spec.desc = 0;
        } else if (argEquals(a, "desc")) {
            spec.desc = 1;
        } else if (argEquals(a, "alpha")) {
            spec.alpha = 1;
        } else if (argEquals(a, "limit") && left >= 2) {
            if (argToLongLongOrReply(c, &c->argv[j + 1], &offset, NULL) < 0 ||
                argToLongLongOrReply(c, &c->argv[j + 2], &limit, NULL) < 0)
                return;
            j += 2;
        } else if (argEquals(a, "store") && left >= 1 && !readonly) {
            store = &c->argv[++j];
        } else if (argEquals(a, "by") && left >= 1) {
            by = &c->argv[++j];
            spec.by_pattern = 1;
            /* A pattern without '*' names one key for every element: the
             * order is then the collection's own. */
            if (!memchr(by->ptr, '*', by->len)) dontsort = 1;
        } else if (argEquals(a, "get") && left >= 1) {
            if (getcount == (int)(sizeof(gets) / sizeof(gets[0]))) {
                replySyntaxError(c);
                return;
            }
            gets[getcount++] = &c->argv[++j];
        } else {
            replySyntaxError(c);
            return;
        }
    }
    obj *o = dbLookup(c->db, c->argv[1].ptr, c->argv[1].len, store ? LOOKUP_WRITE : LOOKUP_NONE);
    if (o && o->type != OBJ_LIST && o->type != OBJ_SET && o->type != OBJ_ZSET) {
        replyWrongType(c);
        return;
    }
    sortItems items = {0};
    if (o) collect(o, &items);
    /* A set without a sort order would come out in hash order; when stored,
     * sort it so the result does not depend on the table's layout. */
    if (dontsort && o && o->type == OBJ_SET && store) {
        dontsort = 0;
        spec.alpha = 1;
        spec.by_pattern = 0;
    }
    /* Unsorted, a list or sorted set still honours DESC: its own order,
     * reversed. */
    if (dontsort && o && o->type != OBJ_SET && spec.desc) {
        for (long i = 0; i < items.count / 2; i++) {
            sortItem tmp = items.items[i];
            items.items[i] = items.items[items.count - 1 - i];
            items.items[items.count - 1 - i] = tmp;
        }
    }
    /* Sort keys, then sort. */
    if (!dontsort) {
        for (long i = 0; i < items.count; i++) {
            sortItem *it = &items.items[i];
            str key = by ? lookupByPattern(c->db, by, it->value) : NULL;
            if (spec.alpha) {
                it->by = key;
                continue;
            }
            const str source = by ? key : it->value;
            if (source && !parseScore(source, &it->score)) {
                strFree(key);
                for (long k = 0; k < items.count; k++) {
                    strFree(items.items[k].value);
                    strFree(items.items[k].by);
                }
                lfree(items.items);
                replyError(c, "One or more scores can't be converted into double");
                return;
            }
            strFree(key);
        }
        current_spec = spec;
        if (items.count > 1) qsort(items.items, (size_t)items.count, sizeof(sortItem), compareItems);
    }
    /* LIMIT: a negative count means everything from the offset. */
    long long start = offset < 0 ? 0 : offset;
    long long count = limit < 0 ? items.count : limit;
    if (start > items.count) start = items.count;
    if (start + count > items.count) count = items.count - start;

    long per_item = getcount ? getcount : 1;
    if (!store) {
        replyArrayLen(c, (long)(count * per_item));
        for (long long i = start; i < start + count; i++) {
            str value = items.items[i].value;
            if (!getcount) replyBulk(c, value, strLen(value));
            for (int g = 0; g < getcount; g++) {
                str got = lookupByPattern(c->db, gets[g], value);
                if (got) replyBulk(c, got, strLen(got));
                else replyNull(c);
                strFree(got);
            }
        }
    } else {
        obj *list = objCreateList(server.list_max_listpack_size, server.list_compress_depth);
        for (long long i = start; i < start + count; i++) {
            str value = items.items[i].value;
            if (!getcount) quicklistPush(list->ptr, value, strLen(value), QUICKLIST_TAIL);
            for (int g = 0; g < getcount; g++) {
                str got = lookupByPattern(c->db, gets[g], value);
                /* A missing value is stored as an empty string. */
                quicklistPush(list->ptr, got ? got : "", got ? strLen(got) : 0, QUICKLIST_TAIL);
                strFree(got);
            }
        }
        long stored = (long)quicklistCount(list->ptr);
        if (stored) {
            dbSetKey(c->db, store->ptr, store->len, list, 0);
            blockSignalKeyReady(c->db, store->ptr, store->len);
        } else {
            objDecrRef(list);
            dbDelete(c->db, store->ptr, store->len);
        }
        server.dirty += stored ? stored : 1;
        replyLongLong(c, stored);
    }
    for (long i = 0; i < items.count; i++) {
        strFree(items.items[i].value);
        strFree(items.items[i].by);
    }
    lfree(items.items);
}

static void sortCommand(client *c) { sortGeneric(c, 0); }
static void sortRoCommand(client *c) { sortGeneric(c, 1); }

command sortCommandTable[] = {
    {"sort", sortCommand, -2, CMD_WRITE | CMD_DENYOOM | CMD_MOVABLE_KEYS, 1, 1, 1, CMD_GROUP_GENERIC, "1.0.0",
     "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the "
     "number of returned elements. When the elements are not sorted, complexity is O(N).",
     "Sort the elements in a list, set or sorted set", NULL},
    {"sort_ro", sortRoCommand, -2, CMD_READONLY | CMD_MOVABLE_KEYS, 1, 1, 1, CMD_GROUP_GENERIC, "7.0.0",
     "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the "
     "number of returned elements. When the elements are not sorted, complexity is O(N).",
     "Sort the elements in a list, set or sorted set. Read-only variant of SORT.", NULL},
    {0}};
