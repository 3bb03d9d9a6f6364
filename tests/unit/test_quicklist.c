/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Tests for quicklist.c: random operations against an array model for every
 * fill (-5..-1, 1, 2, 128) and compress depth (0, 1, 2), checking after each
 * step the contents both ways and every node (valid listpack, size limits,
 * compression state); iterator deletion both ways; plain nodes; lookups by
 * index; node layouts that match redis-server 7.0; copies and node access for
 * RDB.
 */
#include "test.h"

#include "alloc.h"
#include "listpack.h"
#include "quicklist.h"
#include "util.h"

#include <lz4.h>
#include <stdint.h>
#include <stdlib.h>

/* ---- Helpers ------------------------------------------------------------ */

static uint64_t rng_state = 0x2545F4914F6CDD1DULL;

/* A seeded generator, so that a failure replays the same way. */
static uint64_t rnd(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

typedef struct val {
    unsigned char *s;
    size_t len;
} val;

typedef struct model {
    val *v;
    size_t n, cap;
} model;

static void modelInsert(model *m, size_t at, const void *s, size_t len) {
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 16;
        m->v = realloc(m->v, m->cap * sizeof(val));
    }
    memmove(m->v + at + 1, m->v + at, (m->n - at) * sizeof(val));
    m->v[at].s = malloc(len ? len : 1);
    if (len) memcpy(m->v[at].s, s, len);
    m->v[at].len = len;
    m->n++;
}

static void modelDelete(model *m, size_t at, size_t count) {
    for (size_t i = at; i < at + count; i++)
        free(m->v[i].s);
    memmove(m->v + at, m->v + at + count, (m->n - at - count) * sizeof(val));
    m->n -= count;
}

static void modelFree(model *m) {
    modelDelete(m, 0, m->n);
    free(m->v);
}

static const long long boundary_ints[] = {
    0,     127,     128,      -4096,        4095,          4096,      -32769,
    32768, 8388607, -8388609, 2147483647LL, -2147483649LL, INT64_MAX, INT64_MIN};
static const size_t str_lens[] = {0, 1, 5, 12, 40, 63, 64, 100, 4095, 4096};
static const size_t large_lens[] = {5000, 9000, 70000};

/* A random value into buf (room for 70000 bytes); returns its length. Strings
 * are repetitive (compressible) or random. */
static size_t genValue(unsigned char *buf, int large_ok) {
    unsigned r = (unsigned)(rnd() % 100);
    if (r < 30) {
        long long v = boundary_ints[rnd() % (sizeof(boundary_ints) / sizeof(*boundary_ints))];
        return (size_t)ll2string((char *)buf, 32, v);
    }
    size_t len = large_ok && r < 33 ? large_lens[rnd() % 3] : str_lens[rnd() % 10];
    int random_bytes = rnd() % 4 == 0;
    unsigned char c = (unsigned char)('a' + rnd() % 26);
    for (size_t i = 0; i < len; i++)
        buf[i] = random_bytes ? (unsigned char)rnd() : (unsigned char)(c + i % 7);
    return len;
}

static int entryIs(const quicklistEntry *e, const val *v) {
    if (e->value) return e->len == v->len && (v->len == 0 || !memcmp(e->value, v->s, v->len));
    char buf[32];
    int len = ll2string(buf, sizeof(buf), e->lval);
    return (size_t)len == v->len && !memcmp(buf, v->s, v->len) &&
           quicklistEntryEquals(e, v->s, v->len);
}

static size_t limitFor(int fill) {
    return fill < 0 ? (size_t)4096 << (-fill - 1) : 8192;
}

/* Would LZ4 save at least 8 bytes on these bytes (quicklist's rule)? */
static int compressionPays(const unsigned char *raw, size_t len) {
    if (len < 48) return 0;
    char *dst = malloc(len);
    int got = LZ4_compress_default((const char *)raw, dst, (int)len, (int)(len - 8 - 4));
    free(dst);
    return got > 0;
}

/* Every node: a valid listpack (or a plain element) within the fill limits,
 * edge nodes raw, inner nodes compressed whenever compression pays. */
static int checkNodes(quicklist *ql, int fill, int depth) {
    unsigned long nodes = quicklistNodeCount(ql), j = 0, total = 0;
    size_t limit = limitFor(fill);
    for (quicklistNode *n = quicklistFirstNode(ql); n; n = quicklistNextNode(n), j++) {
        size_t len;
        unsigned char *to_free;
        const unsigned char *raw = quicklistNodeRawBytes(n, &len, &to_free);
        unsigned entries = quicklistNodeEntries(n);
        ASSERT_EQ(len, quicklistNodeSize(n));
        ASSERT_GT(entries, 0);
        if (quicklistNodeIsPlain(n)) {
            ASSERT_EQ(entries, 1);
            ASSERT_GT(len, limit);
        } else {
            ASSERT(lpValidate(raw, len));
            ASSERT_EQ(lpLength(raw), entries);
            ASSERT(entries == 1 || len <= limit);
            if (fill > 0) ASSERT_LE(entries, (unsigned)fill);
        }
        int edge = depth == 0 || j < (unsigned long)depth || j >= nodes - (unsigned long)depth;
        if (quicklistNodeIsCompressed(n)) {
            ASSERT(!edge);
            size_t stored;
            quicklistNodeStoredBytes(n, &stored);
            ASSERT_LE(stored + 4 + 8, len);
        } else if (!edge) {
            ASSERT(!compressionPays(raw, len));
        }
        if (to_free) ASSERT(quicklistNodeIsCompressed(n));
        lfree(to_free);
        total += entries;
    }
    ASSERT_EQ(j, nodes);
    ASSERT_EQ(total, quicklistCount(ql));
    return 0;
}

static int checkList(quicklist *ql, const model *m, int fill, int depth) {
    ASSERT_EQ(quicklistCount(ql), m->n);
    quicklistEntry e;
    size_t i = 0;
    quicklistIter *it = quicklistGetIterator(ql, QUICKLIST_HEAD);
    while (quicklistNext(it, &e)) {
        ASSERT(i < m->n);
        ASSERT(entryIs(&e, &m->v[i]));
        i++;
    }
    quicklistReleaseIterator(it);
    ASSERT_EQ(i, m->n);
    it = quicklistGetIterator(ql, QUICKLIST_TAIL);
    while (quicklistNext(it, &e)) {
        ASSERT(i > 0);
        i--;
        ASSERT(entryIs(&e, &m->v[i]));
    }
    quicklistReleaseIterator(it);
    ASSERT_EQ(i, 0);
    return checkNodes(ql, fill, depth);
}

static const int fills[] = {-5, -4, -3, -2, -1, 1, 2, 128};

/* ---- Random operations against the model -------------------------------- */

static int randomRun(int fill, int depth, int ops) {
    unsigned char *buf = malloc(70000);
    quicklist *ql = quicklistCreate(fill, depth);
    model m = {0};
    for (int op = 0; op < ops; op++) {
        size_t len = genValue(buf, 1);
        size_t n = m.n;
        quicklistEntry e;
        quicklistIter *it;
        /* Weighted so that lists grow to a few hundred elements. */
        switch (rnd() % 20) {
            case 0:
            case 1:
            case 2:
            case 3:
                quicklistPush(ql, buf, len, QUICKLIST_HEAD);
                modelInsert(&m, 0, buf, len);
                break;
            case 11:
            case 12:
            case 13:
            case 14:
                quicklistPush(ql, buf, len, QUICKLIST_TAIL);
                modelInsert(&m, n, buf, len);
                break;
            case 4: {
                int head = rnd() % 2;
                str out;
                int got = quicklistPop(ql, head ? QUICKLIST_HEAD : QUICKLIST_TAIL, &out);
                ASSERT_EQ(got, n > 0);
                if (!got) break;
                size_t at = head ? 0 : n - 1;
                ASSERT_EQ(strLen(out), m.v[at].len);
                ASSERT(m.v[at].len == 0 || !memcmp(out, m.v[at].s, m.v[at].len));
                strFree(out);
                modelDelete(&m, at, 1);
                break;
            }
            case 5: {
                if (n == 0) {
                    ASSERT(!quicklistReplaceAt(ql, 0, buf, len));
                    break;
                }
                size_t i = rnd() % n;
                long idx = rnd() % 2 ? (long)i : (long)i - (long)n;
                ASSERT(quicklistReplaceAt(ql, idx, buf, len));
                modelDelete(&m, i, 1);
                modelInsert(&m, i, buf, len);
                break;
            }
            case 6:
            case 15:
            case 16: {
                if (n == 0) break;
                size_t i = rnd() % n;
                int after = rnd() % 2;
                it = quicklistGetIteratorEntryAtIdx(ql, (long)i, &e);
                ASSERT(it != NULL);
                ASSERT(entryIs(&e, &m.v[i]));
                if (after)
                    quicklistInsertAfter(it, &e, buf, len);
                else
                    quicklistInsertBefore(it, &e, buf, len);
                ASSERT(!quicklistNext(it, &e));
                quicklistReleaseIterator(it);
                modelInsert(&m, i + (size_t)after, buf, len);
                break;
            }
            case 7: {
                long start = (long)(rnd() % (n + 2)) - (long)(rnd() % 2 ? n + 1 : 0);
                long count = (long)(rnd() % 8) - 2;
                long s = start < 0 ? start + (long)n : start;
                int expect = count > 0 && s >= 0 && (size_t)s < n;
                ASSERT_EQ(quicklistDelRange(ql, start, count), expect);
                if (expect)
                    modelDelete(&m, (size_t)s,
                                (size_t)count < n - (size_t)s ? (size_t)count : n - (size_t)s);
                break;
            }
            case 8: {
                /* Walk from a random index in a random direction, deleting
                 * some elements on the way. */
                if (n == 0) break;
                size_t i = rnd() % n;
                int forward = rnd() % 2;
                it = quicklistGetIteratorAtIdx(ql, forward ? QUICKLIST_HEAD : QUICKLIST_TAIL,
                                               (long)i);
                ASSERT(it != NULL);
                unsigned every = 1 + (unsigned)(rnd() % 3);
                size_t steps = rnd() % 8, at = i;
                for (size_t k = 0; k < steps && quicklistNext(it, &e); k++) {
                    ASSERT(entryIs(&e, &m.v[at]));
                    if (k % every == 0) {
                        quicklistDelEntry(it, &e);
                        modelDelete(&m, at, 1);
                        if (!forward) {
                            if (at == 0) break;
                            at--;
                        }
                    } else if (forward) {
                        at++;
                    } else {
                        if (at == 0) break;
                        at--;
                    }
                }
                quicklistReleaseIterator(it);
                break;
            }
            case 9:
            case 10: {
                if (n == 0) break;
                size_t i = rnd() % n;
                it = quicklistGetIteratorEntryAtIdx(ql, (long)i - (long)n, &e);
                ASSERT(entryIs(&e, &m.v[i]));
                quicklistReplaceEntry(it, &e, buf, len);
                quicklistReleaseIterator(it);
                modelDelete(&m, i, 1);
                modelInsert(&m, i, buf, len);
                break;
            }
            default: {
                if (n == 0) {
                    ASSERT(quicklistGetIteratorEntryAtIdx(ql, 0, &e) == NULL);
                    break;
                }
                size_t i = rnd() % n;
                it = quicklistGetIteratorEntryAtIdx(ql, (long)i, &e);
                ASSERT(entryIs(&e, &m.v[i]));
                quicklistReleaseIterator(it);
                ASSERT(quicklistGetIteratorEntryAtIdx(ql, (long)n, &e) == NULL);
                ASSERT(quicklistGetIteratorEntryAtIdx(ql, -(long)n - 1, &e) == NULL);
                break;
            }
        }
        if (m.n > 300) {
            ASSERT(quicklistDelRange(ql, 100, 150));
            modelDelete(&m, 100, 150);
        }
        int rc = checkList(ql, &m, fill, depth);
        if (rc) {
            fprintf(stderr, "  fill %d depth %d op %d\n", fill, depth, op);
            return rc;
        }
    }
    quicklistRelease(ql);
    modelFree(&m);
    free(buf);
    return 0;
}

int test_quicklist_random_ops(void) {
    for (size_t f = 0; f < sizeof(fills) / sizeof(*fills); f++)
        for (int depth = 0; depth <= 2; depth++)
            ASSERT_EQ(randomRun(fills[f], depth, 700), 0);
    return 0;
}

/* ---- Compression -------------------------------------------------------- */

static int countCompressed(quicklist *ql) {
    int c = 0;
    for (quicklistNode *n = quicklistFirstNode(ql); n; n = quicklistNextNode(n))
        c += quicklistNodeIsCompressed(n);
    return c;
}

int test_quicklist_compression(void) {
    for (int depth = 1; depth <= 2; depth++) {
        quicklist *ql = quicklistCreate(-2, depth);
        model m = {0};
        char buf[64];
        size_t raw_bytes = 0;
        for (int i = 0; i < 20000; i++) {
            int len = snprintf(buf, sizeof(buf), "value-%d-xxxxxxxxxxxxxxxx", i);
            quicklistPush(ql, buf, (size_t)len, i % 2 ? QUICKLIST_TAIL : QUICKLIST_HEAD);
            modelInsert(&m, i % 2 ? m.n : 0, buf, (size_t)len);
        }
        unsigned long nodes = quicklistNodeCount(ql);
        ASSERT_GT(nodes, 2 * depth + 10);
        ASSERT_EQ(countCompressed(ql), (int)nodes - 2 * depth);
        for (quicklistNode *n = quicklistFirstNode(ql); n; n = quicklistNextNode(n))
            raw_bytes += quicklistNodeSize(n);
        ASSERT_LT(quicklistMemoryUsage(ql), raw_bytes / 2);
        ASSERT_EQ(checkList(ql, &m, -2, depth), 0);
        /* Reading leaves every node as it was. */
        ASSERT_EQ(countCompressed(ql), (int)nodes - 2 * depth);
        /* Pops move nodes out of the middle: still exactly the inner ones. */
        for (int i = 0; i < 3000; i++) {
            str out;
            ASSERT(quicklistPop(ql, i % 3 ? QUICKLIST_HEAD : QUICKLIST_TAIL, &out));
            modelDelete(&m, i % 3 ? 0 : m.n - 1, 1);
            strFree(out);
        }
        nodes = quicklistNodeCount(ql);
        ASSERT_EQ(countCompressed(ql), (int)nodes - 2 * depth);
        ASSERT_EQ(checkList(ql, &m, -2, depth), 0);
        /* Changing the depth recompresses everything. */
        quicklistSetOptions(ql, -2, 0);
        ASSERT_EQ(countCompressed(ql), 0);
        ASSERT_EQ(checkList(ql, &m, -2, 0), 0);
        quicklistSetOptions(ql, -2, depth + 1);
        ASSERT_EQ(countCompressed(ql), (int)nodes - 2 * (depth + 1));
        ASSERT_EQ(checkList(ql, &m, -2, depth + 1), 0);
        /* Down to a few nodes: all raw. */
        ASSERT(quicklistDelRange(ql, 0, (long)m.n - 10));
        modelDelete(&m, 0, m.n - 10);
        ASSERT_EQ(countCompressed(ql), 0);
        ASSERT_EQ(checkList(ql, &m, -2, depth + 1), 0);
        quicklistRelease(ql);
        modelFree(&m);
    }
    return 0;
}

/* Random bytes do not compress: such inner nodes stay raw. */
int test_quicklist_incompressible(void) {
    quicklist *ql = quicklistCreate(-1, 1);
    unsigned char buf[200];
    for (int i = 0; i < 200; i++) {
        for (size_t k = 0; k < sizeof(buf); k++)
            buf[k] = (unsigned char)rnd();
        quicklistPush(ql, buf, sizeof(buf), QUICKLIST_TAIL);
    }
    ASSERT_EQ(countCompressed(ql), 0);
    ASSERT_EQ(checkNodes(ql, -1, 1), 0);
    quicklistRelease(ql);
    return 0;
}

/* ---- Iterators ---------------------------------------------------------- */

/* LREM: delete every match walking each way, with a limit, at every fill. */
int test_quicklist_iter_delete(void) {
    for (size_t f = 0; f < sizeof(fills) / sizeof(*fills); f++) {
        for (int depth = 0; depth <= 2; depth++) {
            int fill = fills[f];
            quicklist *ql = quicklistCreate(fill, depth);
            model m = {0};
            char buf[64];
            for (int i = 0; i < 3000; i++) {
                int len = i % 3 == 0 ? snprintf(buf, sizeof(buf), "x")
                                     : snprintf(buf, sizeof(buf), "keep-%d-yyyyyyyyyyyy", i);
                quicklistPush(ql, buf, (size_t)len, QUICKLIST_TAIL);
                modelInsert(&m, m.n, buf, (size_t)len);
            }
            for (int forward = 0; forward <= 1; forward++) {
                int limit = forward ? 0 : 300; /* 0: all */
                int removed = 0;
                quicklistIter *it =
                    quicklistGetIterator(ql, forward ? QUICKLIST_HEAD : QUICKLIST_TAIL);
                quicklistEntry e;
                while (quicklistNext(it, &e)) {
                    if (quicklistEntryEquals(&e, "x", 1)) {
                        quicklistDelEntry(it, &e);
                        if (++removed == limit) break;
                    }
                }
                quicklistReleaseIterator(it);
                int done = 0;
                if (forward) {
                    for (size_t i = 0; i < m.n;) {
                        if (m.v[i].len == 1 && m.v[i].s[0] == 'x') {
                            modelDelete(&m, i, 1);
                            done++;
                        } else {
                            i++;
                        }
                    }
                } else {
                    for (size_t i = m.n; i-- > 0 && done < limit;) {
                        if (m.v[i].len == 1 && m.v[i].s[0] == 'x') {
                            modelDelete(&m, i, 1);
                            done++;
                        }
                    }
                }
                ASSERT_EQ(removed, done);
                ASSERT_EQ(checkList(ql, &m, fill, depth), 0);
            }
            /* Delete everything, backwards. */
            quicklistIter *it = quicklistGetIterator(ql, QUICKLIST_TAIL);
            quicklistEntry e;
            while (quicklistNext(it, &e))
                quicklistDelEntry(it, &e);
            quicklistReleaseIterator(it);
            ASSERT_EQ(quicklistCount(ql), 0);
            ASSERT_EQ(quicklistNodeCount(ql), 0);
            quicklistRelease(ql);
            modelFree(&m);
        }
    }
    return 0;
}

int test_quicklist_index(void) {
    quicklist *ql = quicklistCreate(3, 1);
    char buf[32];
    for (int i = 0; i < 50; i++) {
        int len = snprintf(buf, sizeof(buf), "%d", i);
        quicklistPush(ql, buf, (size_t)len, QUICKLIST_TAIL);
    }
    quicklistEntry e;
    for (long i = -50; i < 50; i++) {
        quicklistIter *it = quicklistGetIteratorEntryAtIdx(ql, i, &e);
        ASSERT(it != NULL);
        ASSERT(e.value == NULL);
        ASSERT_EQ(e.lval, (i + 50) % 50);
        quicklistReleaseIterator(it);
    }
    ASSERT(quicklistGetIteratorEntryAtIdx(ql, 50, &e) == NULL);
    ASSERT(quicklistGetIteratorEntryAtIdx(ql, -51, &e) == NULL);
    ASSERT(quicklistGetIteratorAtIdx(ql, QUICKLIST_HEAD, 50) == NULL);
    /* From an index, each way (LRANGE, LPOS with RANK). */
    for (long start = 0; start < 50; start += 7) {
        quicklistIter *it = quicklistGetIteratorAtIdx(ql, QUICKLIST_HEAD, start);
        long expect = start;
        while (quicklistNext(it, &e))
            ASSERT_EQ(e.lval, expect++);
        ASSERT_EQ(expect, 50);
        quicklistReleaseIterator(it);
        it = quicklistGetIteratorAtIdx(ql, QUICKLIST_TAIL, start - 50);
        expect = start;
        while (quicklistNext(it, &e))
            ASSERT_EQ(e.lval, expect--);
        ASSERT_EQ(expect, -1);
        quicklistReleaseIterator(it);
    }
    quicklistRelease(ql);

    /* An empty list. */
    ql = quicklistCreate(-2, 0);
    str out;
    ASSERT(!quicklistPop(ql, QUICKLIST_HEAD, &out));
    ASSERT(!quicklistDelRange(ql, 0, 1));
    quicklistIter *it = quicklistGetIterator(ql, QUICKLIST_TAIL);
    ASSERT(!quicklistNext(it, &e));
    quicklistReleaseIterator(it);
    quicklistRelease(ql);
    return 0;
}

/* ---- Plain nodes -------------------------------------------------------- */

int test_quicklist_plain_nodes(void) {
    size_t big_len = 10000;
    unsigned char *big = malloc(big_len);
    for (size_t i = 0; i < big_len; i++)
        big[i] = (unsigned char)('A' + i % 13);
    for (int depth = 0; depth <= 1; depth++) {
        quicklist *ql = quicklistCreate(-2, depth);
        model m = {0};
        char buf[32];
        for (int i = 0; i < 2000; i++) {
            int len = snprintf(buf, sizeof(buf), "item-%d", i);
            quicklistPush(ql, buf, (size_t)len, QUICKLIST_TAIL);
            modelInsert(&m, m.n, buf, (size_t)len);
        }
        unsigned long nodes = quicklistNodeCount(ql);
        /* A large element pushed at each end: plain nodes. */
        quicklistPush(ql, big, big_len, QUICKLIST_HEAD);
        modelInsert(&m, 0, big, big_len);
        quicklistPush(ql, big, big_len, QUICKLIST_TAIL);
        modelInsert(&m, m.n, big, big_len);
        ASSERT(quicklistNodeIsPlain(quicklistFirstNode(ql)));
        ASSERT_EQ(quicklistNodeCount(ql), nodes + 2);
        /* In the middle of a full node: it splits around a plain node. */
        quicklistEntry e;
        quicklistIter *it = quicklistGetIteratorEntryAtIdx(ql, 1000, &e);
        quicklistInsertAfter(it, &e, big, big_len);
        quicklistReleaseIterator(it);
        modelInsert(&m, 1001, big, big_len);
        ASSERT_EQ(checkList(ql, &m, -2, depth), 0);
        int plain = 0;
        for (quicklistNode *n = quicklistFirstNode(ql); n; n = quicklistNextNode(n))
            plain += quicklistNodeIsPlain(n);
        ASSERT_EQ(plain, 3);
        /* The inner plain node compresses (its bytes repeat). */
        if (depth) {
            it = quicklistGetIteratorEntryAtIdx(ql, 1001, &e);
            ASSERT(e.value != NULL && e.len == big_len);
            quicklistNode *n = e.node;
            quicklistReleaseIterator(it);
            ASSERT(quicklistNodeIsCompressed(n));
        }
        /* Replacing: large over small, small over large, large over large. */
        ASSERT(quicklistReplaceAt(ql, 500, big, big_len));
        modelDelete(&m, 500, 1);
        modelInsert(&m, 500, big, big_len);
        ASSERT(quicklistReplaceAt(ql, 1001, "small", 5));
        modelDelete(&m, 1001, 1);
        modelInsert(&m, 1001, "small", 5);
        ASSERT(quicklistReplaceAt(ql, 0, big + 1, big_len - 1));
        modelDelete(&m, 0, 1);
        modelInsert(&m, 0, big + 1, big_len - 1);
        ASSERT(quicklistReplaceAt(ql, -1, "12345", 5));
        modelDelete(&m, m.n - 1, 1);
        modelInsert(&m, m.n, "12345", 5);
        ASSERT_EQ(checkList(ql, &m, -2, depth), 0);
        /* Large elements next to each other, and popping them. */
        quicklistPush(ql, big, big_len, QUICKLIST_HEAD);
        quicklistPush(ql, big, big_len, QUICKLIST_HEAD);
        modelInsert(&m, 0, big, big_len);
        modelInsert(&m, 0, big, big_len);
        str out;
        ASSERT(quicklistPop(ql, QUICKLIST_HEAD, &out));
        ASSERT_EQ(strLen(out), big_len);
        ASSERT_MEM_EQ(out, big, big_len);
        strFree(out);
        modelDelete(&m, 0, 1);
        ASSERT_EQ(checkList(ql, &m, -2, depth), 0);
        /* Inserting small elements next to a plain node. */
        it = quicklistGetIteratorEntryAtIdx(ql, 0, &e);
        ASSERT(quicklistNodeIsPlain(e.node));
        quicklistInsertAfter(it, &e, "after", 5);
        quicklistReleaseIterator(it);
        modelInsert(&m, 1, "after", 5);
        it = quicklistGetIteratorEntryAtIdx(ql, 0, &e);
        quicklistInsertBefore(it, &e, "before", 6);
        quicklistReleaseIterator(it);
        modelInsert(&m, 0, "before", 6);
        ASSERT_EQ(checkList(ql, &m, -2, depth), 0);
        quicklistRelease(ql);
        modelFree(&m);
    }
    free(big);
    return 0;
}

/* ---- Layout ------------------------------------------------------------- */

/* Pushing splits lists into the same nodes as redis-server 7.0.15 (node sizes
 * read from its DUMP output). */
int test_quicklist_layout_like_redis(void) {
    char buf[64];
    quicklist *ql = quicklistCreate(-2, 0);
    for (int i = 0; i < 2000; i++) {
        snprintf(buf, sizeof(buf), "%010dabcdefghij", i);
        quicklistPush(ql, buf, 20, QUICKLIST_TAIL);
    }
    ASSERT_EQ(quicklistNodeCount(ql), 6);
    int k = 0;
    for (quicklistNode *n = quicklistFirstNode(ql); n && k < 5; n = quicklistNextNode(n), k++)
        ASSERT_EQ(quicklistNodeSize(n), 8169);
    quicklistRelease(ql);

    ql = quicklistCreate(-2, 0);
    for (int i = 0; i < 5000; i++) {
        int len = snprintf(buf, sizeof(buf), "%d", i);
        quicklistPush(ql, buf, (size_t)len, QUICKLIST_TAIL);
    }
    ASSERT_EQ(quicklistNodeCount(ql), 2);
    ASSERT_EQ(quicklistNodeSize(quicklistFirstNode(ql)), 8183);
    ASSERT_EQ(quicklistNodeSize(quicklistNextNode(quicklistFirstNode(ql))), 7607);
    quicklistRelease(ql);

    ql = quicklistCreate(5, 0);
    for (int i = 0; i < 23; i++) {
        int len = snprintf(buf, sizeof(buf), "%d", i);
        quicklistPush(ql, buf, (size_t)len, QUICKLIST_TAIL);
    }
    static const size_t sizes[] = {17, 17, 17, 17, 13};
    k = 0;
    for (quicklistNode *n = quicklistFirstNode(ql); n; n = quicklistNextNode(n), k++)
        ASSERT_EQ(quicklistNodeSize(n), sizes[k]);
    ASSERT_EQ(k, 5);
    quicklistRelease(ql);
    return 0;
}

/* ---- Copies and node access --------------------------------------------- */

int test_quicklist_dup(void) {
    quicklist *ql = quicklistCreate(-1, 1);
    model m = {0};
    char buf[64];
    for (int i = 0; i < 3000; i++) {
        int len = snprintf(buf, sizeof(buf), "dup-%d-zzzzzzzzzzzzzz", i);
        quicklistPush(ql, buf, (size_t)len, QUICKLIST_TAIL);
        modelInsert(&m, m.n, buf, (size_t)len);
    }
    quicklist *copy = quicklistDup(ql);
    ASSERT_EQ(quicklistNodeCount(copy), quicklistNodeCount(ql));
    ASSERT_EQ(countCompressed(copy), countCompressed(ql));
    ASSERT_GT(countCompressed(copy), 0);
    quicklistDelRange(ql, 0, 2000);
    quicklistRelease(ql);
    ASSERT_EQ(checkList(copy, &m, -1, 1), 0);
    quicklistRelease(copy);
    modelFree(&m);
    return 0;
}

int test_quicklist_rdb_nodes(void) {
    quicklist *ql = quicklistCreate(-2, 1);
    model m = {0};
    char buf[64];
    unsigned char big[9000];
    memset(big, 'b', sizeof(big));
    for (int i = 0; i < 5000; i++) {
        int len = snprintf(buf, sizeof(buf), "node-%d-qqqqqqqq", i);
        quicklistPush(ql, buf, (size_t)len, QUICKLIST_TAIL);
        modelInsert(&m, m.n, buf, (size_t)len);
        if (i == 2500) {
            quicklistPush(ql, big, sizeof(big), QUICKLIST_TAIL);
            modelInsert(&m, m.n, big, sizeof(big));
        }
    }
    /* Save: compressed nodes give their LZ4 block; rebuild from raw bytes. */
    quicklist *loaded = quicklistCreate(-2, 1);
    int compressed = 0;
    for (quicklistNode *n = quicklistFirstNode(ql); n; n = quicklistNextNode(n)) {
        size_t len, stored_len;
        unsigned char *to_free;
        const unsigned char *raw = quicklistNodeRawBytes(n, &len, &to_free);
        const unsigned char *stored = quicklistNodeStoredBytes(n, &stored_len);
        if (quicklistNodeIsCompressed(n)) {
            compressed++;
            char *out = malloc(len);
            ASSERT_EQ(LZ4_decompress_safe((const char *)stored, out, (int)stored_len, (int)len),
                      (int)len);
            ASSERT_MEM_EQ(out, raw, len);
            free(out);
        } else {
            ASSERT(stored == raw && stored_len == len);
        }
        unsigned char *copy = lmalloc(len);
        memcpy(copy, raw, len);
        lfree(to_free);
        if (quicklistNodeIsPlain(n)) {
            quicklistAppendPlain(loaded, copy, len);
        } else {
            ASSERT(lpValidate(copy, len));
            ASSERT(quicklistAppendListpack(loaded, copy));
        }
    }
    ASSERT_GT(compressed, 0);
    ASSERT_EQ(checkList(loaded, &m, -2, 1), 0);
    ASSERT_EQ(quicklistNodeCount(loaded), quicklistNodeCount(ql));
    unsigned char *empty = lpNew(0);
    ASSERT(!quicklistAppendListpack(loaded, empty));
    lpFree(empty);
    quicklistRelease(loaded);
    quicklistRelease(ql);
    modelFree(&m);
    return 0;
}

int test_quicklist_memory_usage(void) {
    quicklist *ql = quicklistCreate(-2, 0);
    size_t empty = quicklistMemoryUsage(ql);
    ASSERT_GE(empty, 40);
    char buf[32];
    for (int i = 0; i < 100; i++) {
        int len = snprintf(buf, sizeof(buf), "elem%d", i);
        quicklistPush(ql, buf, (size_t)len, QUICKLIST_TAIL);
    }
    /* One node with a 797-byte listpack (as in redis-server). */
    ASSERT_EQ(quicklistNodeCount(ql), 1);
    ASSERT_EQ(quicklistNodeSize(quicklistFirstNode(ql)), 797);
    size_t used = quicklistMemoryUsage(ql);
    ASSERT_GE(used, empty + 32 + 797);
    ASSERT_LE(used, empty + 48 + 1024);
    quicklistRelease(ql);
    return 0;
}
