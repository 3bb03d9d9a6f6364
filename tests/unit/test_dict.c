/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Unit tests for dict and its hash: SipHash-1-2 vectors, random operations
 * against a reference model through grow/shrink cycles and rehashing, SCAN's
 * guarantee under concurrent changes, iterators (safe with deletes, unsafe
 * detecting changes), case-insensitive dicts, random sampling, sizing rules,
 * emptying with progress callbacks and statistics.
 */
#include "test.h"

#include "alloc.h"
#include "dict.h"
#include "siphash.h"

#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static const dictType owned_type = {.nocase = 0, .owns_keys = 1, .free_val = NULL};
static const dictType nocase_type = {.nocase = 1, .owns_keys = 1, .free_val = NULL};

static int freed_values;
static void countingFree(void *val) {
    freed_values++;
    lfree(val);
}
static const dictType valued_type = {.nocase = 0, .owns_keys = 1, .free_val = countingFree};

/* A deterministic generator for the tests (xorshift64). */
static uint64_t test_rng = 88172645463325252ULL;
static uint64_t testRandom(void) {
    test_rng ^= test_rng << 13;
    test_rng ^= test_rng >> 7;
    test_rng ^= test_rng << 17;
    return test_rng;
}

static size_t keyName(char *buf, size_t size, long i) {
    return (size_t)snprintf(buf, size, "key:%ld", i);
}

static str keyStr(long i) {
    char buf[32];
    return strNewLen(buf, keyName(buf, sizeof(buf), i));
}

static dictEntry *findKey(dict *d, long i) {
    char buf[32];
    return dictFind(d, buf, keyName(buf, sizeof(buf), i));
}

static int deleteKey(dict *d, long i) {
    char buf[32];
    return dictDelete(d, buf, keyName(buf, sizeof(buf), i));
}

/* Adds key i with value i (as s64); 0 if added. */
static int addKey(dict *d, long i) {
    str k = keyStr(i);
    dictEntry *e = dictAddRaw(d, k, NULL);
    if (!e) {
        strFree(k);
        return -1;
    }
    e->v.s64 = i;
    return 0;
}

/* Runs fn(arg) in a child process; 1 if the child died of SIGABRT. */
static int abortsIn(void (*fn)(void)) {
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        fn();
        _exit(0);
    }
    int status;
    waitpid(pid, &status, 0);
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

int test_dict_entry_layout(void) {
    ASSERT_EQ(sizeof(dictEntry), 24);
    return 0;
}

int test_dict_siphash_vectors(void) {
    /* SipHash-1-2 with key 00..0f over messages 00..(n-1). Computed with an
     * independent implementation that reproduces the SipHash-2-4 reference
     * vectors when run with 2/4 rounds. */
    static const uint64_t want[] = {
        0xcea28b51565c12e2ULL, 0x94aaf38c34ce7ba6ULL, 0xfe7a42c2c5fab434ULL, 0x1c0d255229c3364cULL,
        0x8be7847a474dfdf5ULL, 0x2858f0420f752296ULL, 0xe61a8a7d8ac52626ULL, 0xf03c4cbcf492b05aULL,
        0x606845b4d093af74ULL, 0xe304e78271c74a56ULL, 0xc936e00e33b32633ULL, 0x226212e5f29ab45cULL,
        0xa4377b74fbbfe0daULL, 0x624317667190806fULL, 0x4a72ad78e3e197d7ULL, 0xec8f61bc1c8966a6ULL,
        0x1311f4dfe747a751ULL, 0x899c7b292c85339cULL, 0xa3b20ae95368b5ddULL, 0xb613412ee70eefceULL,
    };
    uint8_t key[16], msg[20];
    for (int i = 0; i < 16; i++)
        key[i] = (uint8_t)i;
    for (int i = 0; i < 20; i++)
        msg[i] = (uint8_t)i;
    for (size_t n = 0; n < sizeof(want) / sizeof(want[0]); n++) {
        if (siphash(msg, n, key) != want[n]) ASSERT_EQ(n, -1);
        /* Unaligned input gives the same result. */
        uint8_t shifted[21];
        memcpy(shifted + 1, msg, sizeof(msg));
        if (siphash(shifted + 1, n, key) != want[n]) ASSERT_EQ(n, -2);
        /* No letters in 00..13: the case-insensitive hash agrees. */
        if (siphashNoCase(msg, n, key) != want[n]) ASSERT_EQ(n, -3);
    }
    return 0;
}

int test_dict_siphash_nocase(void) {
    uint8_t key[16];
    for (int i = 0; i < 16; i++)
        key[i] = (uint8_t)(i * 7 + 3);
    unsigned char buf[64], lower[64];
    for (int round = 0; round < 2000; round++) {
        size_t len = (size_t)(testRandom() % 64);
        for (size_t i = 0; i < len; i++) {
            /* Mostly letters and the bytes around them, some high bytes
             * (0xC1 & 0x7f is 'A' and must not fold). */
            static const unsigned char pool[] = "@AZ[`az{09 \xC1\xDA\xE1\xFA\x80\xff";
            buf[i] = pool[testRandom() % (sizeof(pool) - 1)];
            lower[i] = buf[i] >= 'A' && buf[i] <= 'Z' ? (unsigned char)(buf[i] + 32) : buf[i];
        }
        ASSERT(siphashNoCase(buf, len, key) == siphash(lower, len, key));
        ASSERT(siphashNoCase(lower, len, key) == siphash(lower, len, key));
    }
    ASSERT(siphash("a", 1, key) != siphash("A", 1, key));
    return 0;
}

int test_dict_basic(void) {
    dict *d = dictCreate(&valued_type);
    freed_values = 0;
    ASSERT_EQ(dictSize(d), 0);
    ASSERT(dictFind(d, "x", 1) == NULL);
    ASSERT_EQ(dictDelete(d, "x", 1), -1);
    ASSERT(dictUnlink(d, "x", 1) == NULL);

    ASSERT_EQ(dictAdd(d, strNew("a"), lstrdup("va")), 0);
    ASSERT_EQ(dictAdd(d, strNewLen("a\0b", 3), lstrdup("vab")), 0);
    ASSERT_EQ(dictAdd(d, strNew(""), lstrdup("empty")), 0);
    ASSERT_EQ(dictSize(d), 3);

    str dup = strNew("a");
    void *dupval = lstrdup("nope");
    ASSERT_EQ(dictAdd(d, dup, dupval), -1); /* neither was taken */
    dictEntry *existing = NULL;
    ASSERT(dictAddRaw(d, dup, &existing) == NULL);
    ASSERT(existing != NULL);
    ASSERT_STR_EQ(existing->v.val, "va");
    ASSERT(dictAddRaw(d, dup, NULL) == NULL);
    strFree(dup);
    lfree(dupval);

    dictEntry *e = dictFind(d, "a\0b", 3);
    ASSERT(e != NULL);
    ASSERT_STR_EQ(e->v.val, "vab");
    ASSERT_EQ(strLen(e->key), 3);
    ASSERT(dictFind(d, "a\0c", 3) == NULL);
    ASSERT(dictFind(d, "a\0", 2) == NULL);
    ASSERT(dictFind(d, "", 0) != NULL);

    /* dictSetVal frees the old value, after storing the new one. */
    dictSetVal(d, e, lstrdup("new"));
    ASSERT_EQ(freed_values, 1);
    ASSERT_STR_EQ(dictFind(d, "a\0b", 3)->v.val, "new");

    /* Unlink keeps the value readable; clearing it keeps it from being freed. */
    e = dictUnlink(d, "a", 1);
    ASSERT(e != NULL);
    ASSERT_EQ(dictSize(d), 2);
    char *val = e->v.val;
    ASSERT_STR_EQ(val, "va");
    e->v.val = NULL;
    dictFreeUnlinkedEntry(d, e);
    ASSERT_EQ(freed_values, 1);
    lfree(val);
    dictFreeUnlinkedEntry(d, NULL);

    ASSERT_EQ(dictDelete(d, "", 0), 0);
    ASSERT_EQ(freed_values, 2);
    ASSERT_EQ(dictSize(d), 1);
    dictRelease(d);
    ASSERT_EQ(freed_values, 3);
    return 0;
}

int test_dict_keys_not_owned(void) {
    static const dictType borrowed = {.nocase = 0, .owns_keys = 0, .free_val = NULL};
    dict *owner = dictCreate(&owned_type);
    dict *index = dictCreate(&borrowed);
    for (long i = 0; i < 100; i++) {
        ASSERT_EQ(addKey(owner, i), 0);
        dictEntry *e = findKey(owner, i);
        ASSERT_EQ(dictAdd(index, e->key, NULL), 0);
        findKey(index, i)->v.s64 = -i;
    }
    for (long i = 0; i < 100; i += 2)
        ASSERT_EQ(deleteKey(index, i), 0);
    ASSERT_EQ(dictSize(index), 50);
    ASSERT_EQ(findKey(index, 7)->v.s64, -7);
    dictRelease(index); /* leaves the keys alone */
    ASSERT_EQ(findKey(owner, 99)->v.s64, 99);
    dictRelease(owner);
    return 0;
}

/* Compares the dict with the model: size, every key's presence and value. */
static int checkModel(dict *d, const char *present, long n) {
    size_t count = 0;
    for (long i = 0; i < n; i++) {
        dictEntry *e = findKey(d, i);
        if (present[i]) {
            count++;
            if (!e || e->v.s64 != i) return 0;
        } else if (e) {
            return 0;
        }
    }
    return dictSize(d) == count;
}

int test_dict_random_ops(void) {
    enum { N = 5000, OPS = 200000, PHASE = 20000 };
    char *present = calloc(N, 1);
    dict *d = dictCreate(&owned_type);
    size_t count = 0, max_buckets = 0;
    int grows = 0, shrinks = 0, rehashing_seen = 0;

    /* Phases alternate between mostly adding and mostly deleting, so the
     * table grows and shrinks several times. */
    for (long op = 0; op < OPS; op++) {
        int adding_phase = (op / PHASE) % 2 == 0;
        long i = (long)(testRandom() % N);
        unsigned r = (unsigned)(testRandom() % 100);
        size_t before = dictBuckets(d);
        if (r < (adding_phase ? 70u : 5u)) {
            int rc = addKey(d, i);
            ASSERT_EQ(rc, present[i] ? -1 : 0);
            if (!present[i]) count++;
            present[i] = 1;
        } else if (r < 90) {
            int rc = deleteKey(d, i);
            ASSERT_EQ(rc, present[i] ? 0 : -1);
            if (present[i]) count--;
            present[i] = 0;
        } else {
            dictEntry *e = findKey(d, i);
            ASSERT_EQ(e != NULL, present[i]);
            if (e) ASSERT_EQ(e->v.s64, i);
        }
        ASSERT_EQ(dictSize(d), count);
        if (dictBuckets(d) > before) grows++;
        if (dictIsRehashing(d)) rehashing_seen++;
        if (op % 500 == 0 && dictTryShrink(d)) shrinks++;
        if (op % 7000 == 0) {
            /* Sometimes check everything in the middle of a rehash. */
            ASSERT(checkModel(d, present, N));
        }
        if (dictBuckets(d) > max_buckets) max_buckets = dictBuckets(d);
    }
    ASSERT(checkModel(d, present, N));
    ASSERT_GE(grows, 8);
    ASSERT_GE(shrinks, 3);
    ASSERT_GT(rehashing_seen, 100);

    /* Iteration sees each present key exactly once. */
    char *seen = calloc(N, 1);
    dictIterator *it = dictGetIterator(d);
    dictEntry *e;
    size_t iterated = 0;
    while ((e = dictNext(it)) != NULL) {
        long i = e->v.s64;
        ASSERT(i >= 0 && i < N && present[i] && !seen[i]);
        seen[i] = 1;
        iterated++;
    }
    dictReleaseIterator(it);
    ASSERT_EQ(iterated, count);

    dictRelease(d);
    free(seen);
    free(present);
    return 0;
}

int test_dict_rehash_progress(void) {
    dict *d = dictCreate(&owned_type);
    for (long i = 0; i < 5000; i++)
        ASSERT_EQ(addKey(d, i), 0);
    while (dictRehashSteps(d, 100)) {
    }
    ASSERT(!dictIsRehashing(d));
    ASSERT_EQ(dictBuckets(d), 8192);

    /* Grow: the add that reaches load factor 1 starts a rehash to 2 * used. */
    for (long i = 5000; i < 8192; i++)
        ASSERT_EQ(addKey(d, i), 0);
    ASSERT(!dictIsRehashing(d));
    ASSERT_EQ(addKey(d, 8192), 0);
    ASSERT(dictIsRehashing(d));
    ASSERT_EQ(dictBuckets(d), 8192 + 16384);

    /* Every key is findable at every stage of the rehash. */
    int stages = 0;
    while (dictIsRehashing(d)) {
        for (long i = 0; i <= 8192; i += 97)
            if (!findKey(d, i)) ASSERT_EQ(i, -1);
        dictRehashSteps(d, 500);
        stages++;
    }
    ASSERT_GT(stages, 3);
    for (long i = 0; i <= 8192; i++)
        if (!findKey(d, i)) ASSERT_EQ(i, -1);
    ASSERT_EQ(dictBuckets(d), 16384);

    /* Rehash by time: finishes a shrink well within a second. */
    for (long i = 100; i <= 8192; i++)
        ASSERT_EQ(deleteKey(d, i), 0);
    ASSERT_EQ(dictTryShrink(d), 1);
    ASSERT_EQ(dictTryShrink(d), 0); /* already rehashing */
    long long total = 0;
    while (dictIsRehashing(d))
        total += dictRehashMicroseconds(d, 1000000);
    ASSERT_GT(total, 0);
    ASSERT_EQ(dictBuckets(d), 128);
    ASSERT_EQ(dictRehashMicroseconds(d, 1000), 0);
    for (long i = 0; i < 100; i++)
        ASSERT(findKey(d, i) != NULL);
    dictRelease(d);
    return 0;
}

int test_dict_resize_disabled(void) {
    dict *d = dictCreate(&owned_type);
    for (long i = 0; i < 100; i++)
        ASSERT_EQ(addKey(d, i), 0);
    while (dictRehashSteps(d, 100)) {
    }
    ASSERT_EQ(dictBuckets(d), 128);

    dictSetResizeEnabled(0);
    for (long i = 100; i < 512; i++)
        ASSERT_EQ(addKey(d, i), 0);
    ASSERT_EQ(dictBuckets(d), 128); /* load factor 4: still no growth */
    ASSERT_EQ(addKey(d, 512), 0);
    ASSERT_EQ(addKey(d, 513), 0);
    ASSERT(dictIsRehashing(d)); /* past 4: forced */
    while (dictRehashSteps(d, 100)) {
    }
    for (long i = 513; i >= 10; i--)
        ASSERT_EQ(deleteKey(d, i), 0);
    ASSERT_EQ(dictTryShrink(d), 0); /* never while disabled */
    dictSetResizeEnabled(1);
    ASSERT_EQ(dictTryShrink(d), 1);
    while (dictRehashSteps(d, 100)) {
    }
    ASSERT_EQ(dictBuckets(d), 16);
    for (long i = 0; i < 10; i++)
        ASSERT(findKey(d, i) != NULL);
    dictRelease(d);
    return 0;
}

int test_dict_expand(void) {
    dict *d = dictCreate(&owned_type);
    ASSERT_EQ(dictExpand(d, 1000), 0);
    ASSERT_EQ(dictBuckets(d), 1024);
    ASSERT(!dictIsRehashing(d));
    ASSERT_EQ(dictExpand(d, 10), 0); /* already larger: nothing to do */
    ASSERT_EQ(dictBuckets(d), 1024);
    for (long i = 0; i < 1000; i++)
        ASSERT_EQ(addKey(d, i), 0);
    ASSERT_EQ(dictBuckets(d), 1024); /* pre-sized: no rehash */
    ASSERT_EQ(dictExpand(d, 5000), 0);
    ASSERT(dictIsRehashing(d));
    ASSERT_EQ(dictExpand(d, 100000), -1); /* not while rehashing */
    while (dictRehashSteps(d, 100)) {
    }
    ASSERT_EQ(dictBuckets(d), 8192);
    ASSERT_EQ(dictExpand(d, SIZE_MAX), -1);
    ASSERT_EQ(dictExpand(d, SIZE_MAX / 8), -1);
    for (long i = 0; i < 1000; i++)
        ASSERT(findKey(d, i) != NULL);
    dictRelease(d);
    return 0;
}

static void countProgress(void *arg) {
    (*(int *)arg)++;
}

int test_dict_empty(void) {
    dict *d = dictCreate(&valued_type);
    freed_values = 0;
    ASSERT_EQ(dictExpand(d, 300000), 0); /* 524288 buckets */
    for (long i = 0; i < 1000; i++)
        ASSERT_EQ(dictAdd(d, keyStr(i), lstrdup("v")), 0);
    int calls = 0;
    dictEmpty(d, countProgress, &calls);
    ASSERT_EQ(calls, 524288 / 65536);
    ASSERT_EQ(freed_values, 1000);
    ASSERT_EQ(dictSize(d), 0);
    ASSERT_EQ(dictBuckets(d), 0);
    ASSERT(findKey(d, 1) == NULL);

    /* Usable again, and emptying in the middle of a rehash frees both tables. */
    for (long i = 0; i < 1000; i++)
        ASSERT_EQ(dictAdd(d, keyStr(i), lstrdup("v")), 0);
    for (long i = 1000; i < 1025; i++)
        ASSERT_EQ(dictAdd(d, keyStr(i), lstrdup("v")), 0);
    ASSERT(dictIsRehashing(d));
    dictEmpty(d, NULL, NULL);
    ASSERT_EQ(freed_values, 2025);
    ASSERT(!dictIsRehashing(d));
    dictEmpty(d, NULL, NULL);
    dictRelease(d);
    return 0;
}

int test_dict_safe_iterator(void) {
    enum { N = 3000 };
    dict *d = dictCreate(&owned_type);
    for (long i = 0; i < N; i++)
        ASSERT_EQ(addKey(d, i), 0);
    ASSERT(dictIsRehashing(d)); /* 3000 > 2048 started a grow */
    size_t buckets = dictBuckets(d);

    /* Delete every even key as it is returned (and some odd keys ahead of
     * it), and add new keys; rehashing stays paused meanwhile. */
    char *seen = calloc(2 * N, 1);
    dictIterator *it = dictGetSafeIterator(d);
    dictEntry *e;
    long added = 0;
    while ((e = dictNext(it)) != NULL) {
        long i = e->v.s64;
        ASSERT(!seen[i]);
        seen[i] = 1;
        if (i < N && i % 2 == 0) ASSERT_EQ(deleteKey(d, i), 0);
        if (i < N && i % 6 == 1 && i + 2 < N && !seen[i + 2]) ASSERT_EQ(deleteKey(d, i + 2), 0);
        if (added < 100) ASSERT_EQ(addKey(d, N + added++), 0);
        ASSERT(dictIsRehashing(d));
        ASSERT_EQ(dictBuckets(d), buckets);
        ASSERT_EQ(dictRehashSteps(d, 10), 0); /* paused */
    }
    dictReleaseIterator(it);

    for (long i = 0; i < N; i++) {
        int want = i % 2 == 1 && !(i % 6 == 3 && !seen[i]);
        if ((findKey(d, i) != NULL) != want) ASSERT_EQ(i, -1);
        if (want) ASSERT(seen[i]);
    }
    for (long i = N; i < N + 100; i++)
        ASSERT(findKey(d, i) != NULL);
    /* Rehashing resumes once the iterator is gone. */
    while (dictRehashSteps(d, 100)) {
    }
    ASSERT(!dictIsRehashing(d));

    /* An empty dict iterates to nothing. */
    dict *empty = dictCreate(&owned_type);
    it = dictGetSafeIterator(empty);
    ASSERT(dictNext(it) == NULL);
    dictReleaseIterator(it);
    it = dictGetIterator(empty);
    ASSERT(dictNext(it) == NULL);
    dictReleaseIterator(it);
    dictRelease(empty);

    free(seen);
    dictRelease(d);
    return 0;
}

int test_dict_safe_iterator_delete_next(void) {
    enum { N = 4000 };
    dict *d = dictCreate(&owned_type);
    dictSetResizeEnabled(0); /* long chains: load factor up to 4 */
    for (long i = 0; i < N; i++)
        ASSERT_EQ(addKey(d, i), 0);
    char *state = calloc(N, 1); /* 1 returned, 2 deleted before being returned */
    dictIterator *it = dictGetSafeIterator(d);
    dictIterator *other = dictGetSafeIterator(d); /* a second one, also alive */
    ASSERT(dictNext(other) != NULL);
    dictEntry *e;
    long deleted = 0;
    while ((e = dictNext(it)) != NULL) {
        long i = e->v.s64;
        ASSERT_EQ(state[i], 0);
        state[i] = 1;
        /* Delete the entry the iterator would return next. */
        if (e->next) {
            long j = e->next->v.s64;
            ASSERT_EQ(deleteKey(d, j), 0);
            state[j] = 2;
            deleted++;
        }
    }
    dictReleaseIterator(other);
    dictReleaseIterator(it);
    ASSERT_GT(deleted, 100);
    for (long i = 0; i < N; i++) {
        ASSERT(state[i] != 0);
        ASSERT_EQ(findKey(d, i) != NULL, state[i] == 1);
    }
    free(state);
    dictRelease(d);
    return 0;
}

static void modifyUnderUnsafeIterator(void) {
    dict *d = dictCreate(&owned_type);
    for (long i = 0; i < 10; i++)
        addKey(d, i);
    dictIterator *it = dictGetIterator(d);
    dictEntry *e = dictNext(it);
    dictDelete(d, e->key, strLen(e->key));
    dictReleaseIterator(it);
}

static void addUnderUnsafeIterator(void) {
    dict *d = dictCreate(&owned_type);
    for (long i = 0; i < 10; i++)
        addKey(d, i);
    dictIterator *it = dictGetIterator(d);
    while (dictNext(it)) {
    }
    addKey(d, 100);
    dictReleaseIterator(it);
}

int test_dict_unsafe_iterator(void) {
    ASSERT(abortsIn(modifyUnderUnsafeIterator));
    ASSERT(abortsIn(addUnderUnsafeIterator));

    /* Reading values while iterating is fine; releasing before the first
     * dictNext checks nothing. */
    dict *d = dictCreate(&owned_type);
    for (long i = 0; i < 10; i++)
        ASSERT_EQ(addKey(d, i), 0);
    dictIterator *it = dictGetIterator(d);
    dictEntry *e;
    long sum = 0;
    while ((e = dictNext(it)) != NULL) {
        e->v.s64 += 1000;
        sum += e->v.s64;
    }
    dictReleaseIterator(it);
    ASSERT_EQ(sum, 45 + 10000);
    it = dictGetIterator(d);
    dictReleaseIterator(it);
    dictRelease(d);
    return 0;
}

/* SCAN check: keys 0..stable-1 are never removed and must all be reported. */
typedef struct scanState {
    char *seen;
    long limit;
    long reported;
} scanState;

static void scanCollect(void *privdata, const dictEntry *de) {
    scanState *st = privdata;
    long i = de->v.s64;
    if (i >= 0 && i < st->limit) st->seen[i] = 1;
    st->reported++;
}

int test_dict_scan_plain(void) {
    enum { N = 1000 };
    dict *d = dictCreate(&owned_type);
    scanState st = {calloc(N, 1), N, 0};
    ASSERT_EQ(dictScan(d, 0, scanCollect, &st), 0); /* empty */
    for (long i = 0; i < N; i++)
        ASSERT_EQ(addKey(d, i), 0);
    while (dictRehashSteps(d, 100)) {
    }
    unsigned long cursor = 0;
    int calls = 0;
    do {
        cursor = dictScan(d, cursor, scanCollect, &st);
        calls++;
    } while (cursor != 0);
    ASSERT_EQ(calls, (int)dictBuckets(d));
    ASSERT_EQ(st.reported, N); /* a stable table reports each entry once */
    for (long i = 0; i < N; i++)
        ASSERT(st.seen[i]);
    free(st.seen);
    dictRelease(d);
    return 0;
}

/* Scans while a churn of transient keys (ids >= 10000) grows and shrinks the
 * table and keeps it rehashing. Mode 0 only grows, mode 1 grows and shrinks at
 * random, mode 2 starts large and sparse and shrinks. */
static int scanUnderChurn(int mode, uint64_t seed) {
    enum { STABLE = 500, FIRST_TRANSIENT = 10000, TRANSIENT = 20000 };
    dict *d = dictCreate(&owned_type);
    test_rng = seed;
    for (long i = 0; i < STABLE; i++)
        addKey(d, i);
    if (mode == 2) {
        for (long i = STABLE; i < STABLE + 8000; i++)
            addKey(d, i);
        while (dictRehashSteps(d, 100)) {
        }
        for (long i = STABLE; i < STABLE + 8000; i++)
            deleteKey(d, i);
    }
    long *live = malloc(TRANSIENT * sizeof(*live));
    long nlive = 0, next_transient = FIRST_TRANSIENT;
    scanState st = {calloc(STABLE, 1), STABLE, 0};
    unsigned long cursor = 0;
    int calls = 0, resizes = 0;
    do {
        size_t buckets = dictBuckets(d);
        cursor = dictScan(d, cursor, scanCollect, &st);
        calls++;
        unsigned r = (unsigned)(testRandom() % 10);
        if (mode == 0 || (mode == 1 && r < 6)) {
            for (int k = 0; k < 40 && next_transient < FIRST_TRANSIENT + TRANSIENT; k++) {
                addKey(d, next_transient);
                live[nlive++] = next_transient++;
            }
        } else {
            for (long k = nlive / 2; k > 0; k--) {
                long at = (long)(testRandom() % (uint64_t)nlive);
                deleteKey(d, live[at]);
                live[at] = live[--nlive];
            }
            dictTryShrink(d);
        }
        if (r == 0) dictRehashSteps(d, (int)(testRandom() % 50));
        if (dictBuckets(d) != buckets) resizes++;
    } while (cursor != 0 && calls < 1000000);
    int ok = cursor == 0 && resizes > 0;
    for (long i = 0; i < STABLE; i++)
        if (!st.seen[i]) ok = 0;
    if (!ok)
        fprintf(stderr, "  scan mode %d seed %llu: cursor %lu, %d resizes, missed keys?\n", mode,
                (unsigned long long)seed, cursor, resizes);
    free(live);
    free(st.seen);
    dictRelease(d);
    return ok;
}

int test_dict_scan_guarantee(void) {
    for (uint64_t seed = 1; seed <= 20; seed++) {
        ASSERT(scanUnderChurn(0, seed * 0x9e3779b97f4a7c15ULL));
        ASSERT(scanUnderChurn(1, seed * 0x9e3779b97f4a7c15ULL));
        ASSERT(scanUnderChurn(2, seed * 0x9e3779b97f4a7c15ULL));
    }
    return 0;
}

/* A scan callback may look keys up: no bucket moves under it. */
typedef struct lookupState {
    dict *d;
    long found;
} lookupState;

static void scanLookup(void *privdata, const dictEntry *de) {
    lookupState *st = privdata;
    if (dictFind(st->d, de->key, strLen(de->key)) == de) st->found++;
}

int test_dict_scan_lookup_in_callback(void) {
    dict *d = dictCreate(&owned_type);
    for (long i = 0; i < 1025; i++)
        ASSERT_EQ(addKey(d, i), 0);
    ASSERT(dictIsRehashing(d));
    lookupState st = {d, 0};
    unsigned long cursor = 0;
    do {
        cursor = dictScan(d, cursor, scanLookup, &st);
    } while (cursor != 0);
    ASSERT_GE(st.found, 1025);
    dictRelease(d);
    return 0;
}

int test_dict_nocase(void) {
    dict *d = dictCreate(&nocase_type);
    ASSERT_EQ(dictAdd(d, strNew("Hello-World"), NULL), 0);
    ASSERT(dictFind(d, "hello-world", 11) != NULL);
    ASSERT(dictFind(d, "HELLO-WORLD", 11) != NULL);
    ASSERT(dictFind(d, "hello_world", 11) == NULL);
    ASSERT(dictFind(d, "hello-worl", 10) == NULL);
    str dup = strNew("HELLO-world");
    ASSERT_EQ(dictAdd(d, dup, NULL), -1);
    strFree(dup);
    ASSERT_STR_EQ(dictFind(d, "hElLo-WoRlD", 11)->key, "Hello-World"); /* stored as given */
    ASSERT(dictHashKey(d, "ABC", 3) == dictHashKey(d, "abc", 3));
    /* Bytes that are letters only in their low 7 bits stay distinct. */
    ASSERT_EQ(dictAdd(d, strNew("\xC1"), NULL), 0);
    ASSERT_EQ(dictAdd(d, strNew("\xE1"), NULL), 0);
    ASSERT(dictFind(d, "a", 1) == NULL);

    /* Many mixed-case keys, looked up in another case, through a grow. */
    for (long i = 0; i < 2000; i++) {
        char buf[32];
        int n = snprintf(buf, sizeof(buf), "Cmd%ldName", i);
        ASSERT_EQ(dictAdd(d, strNewLen(buf, (size_t)n), NULL), 0);
    }
    for (long i = 0; i < 2000; i++) {
        char buf[32];
        int n = snprintf(buf, sizeof(buf), "cMD%ldnAME", i);
        if (!dictFind(d, buf, (size_t)n)) ASSERT_EQ(i, -1);
    }
    ASSERT_EQ(dictDelete(d, "HELLO-WORLD", 11), 0);
    ASSERT_EQ(dictSize(d), 2002);
    dictRelease(d);

    dict *cs = dictCreate(&owned_type);
    ASSERT_EQ(dictAdd(cs, strNew("Key"), NULL), 0);
    ASSERT(dictFind(cs, "key", 3) == NULL);
    ASSERT_EQ(dictAdd(cs, strNew("key"), NULL), 0);
    dictRelease(cs);
    return 0;
}

int test_dict_random_key(void) {
    dict *d = dictCreate(&owned_type);
    ASSERT(dictGetRandomKey(d) == NULL);
    dictEntry *des[16];
    ASSERT_EQ(dictGetSomeKeys(d, des, 16), 0);

    ASSERT_EQ(addKey(d, 7), 0);
    for (int i = 0; i < 10; i++)
        ASSERT_EQ(dictGetRandomKey(d)->v.s64, 7);
    ASSERT_EQ(dictGetSomeKeys(d, des, 16), 1);
    ASSERT_EQ(des[0]->v.s64, 7);

    /* Five keys: each is picked a fair share of 10000 draws. */
    for (long i = 0; i < 4; i++)
        ASSERT_EQ(addKey(d, i), 0);
    int hits[8] = {0};
    for (int i = 0; i < 10000; i++)
        hits[dictGetRandomKey(d)->v.s64]++;
    for (long i = 0; i < 4; i++)
        ASSERT_GT(hits[i], 1000);
    ASSERT_GT(hits[7], 1000);
    dictRelease(d);
    return 0;
}

int test_dict_random_sparse(void) {
    dict *d = dictCreate(&owned_type);
    for (long i = 0; i < 50000; i++)
        ASSERT_EQ(addKey(d, i), 0);
    while (dictRehashSteps(d, 1000)) {
    }
    for (long i = 3; i < 50000; i++)
        ASSERT_EQ(deleteKey(d, i), 0);
    ASSERT_EQ(dictBuckets(d), 65536); /* no automatic shrink */
    int hits[3] = {0};
    for (int i = 0; i < 3000; i++) {
        dictEntry *e = dictGetRandomKey(d);
        ASSERT(e != NULL);
        ASSERT(e->v.s64 >= 0 && e->v.s64 < 3);
        hits[e->v.s64]++;
    }
    for (int i = 0; i < 3; i++)
        ASSERT_GT(hits[i], 0);
    for (int round = 0; round < 200; round++) {
        dictEntry *des[10];
        unsigned n = dictGetSomeKeys(d, des, 10);
        ASSERT(n >= 1 && n <= 3);
        for (unsigned a = 0; a < n; a++)
            for (unsigned b = a + 1; b < n; b++)
                ASSERT(des[a] != des[b]);
    }
    dictRelease(d);
    return 0;
}

int test_dict_some_keys(void) {
    dict *d = dictCreate(&owned_type);
    for (long i = 0; i < 3000; i++)
        ASSERT_EQ(addKey(d, i), 0);
    ASSERT(dictIsRehashing(d));
    /* While rehashing and after: distinct, valid entries, as many as asked
     * on a dense table. */
    for (int phase = 0; phase < 2; phase++) {
        long total = 0;
        for (int round = 0; round < 500; round++) {
            dictEntry *des[20];
            unsigned n = dictGetSomeKeys(d, des, 20);
            ASSERT(n >= 1 && n <= 20);
            total += n;
            for (unsigned a = 0; a < n; a++) {
                ASSERT(findKey(d, des[a]->v.s64) == des[a]);
                for (unsigned b = a + 1; b < n; b++)
                    ASSERT(des[a] != des[b]);
            }
        }
        ASSERT_GT(total, 500 * 15);
        while (dictRehashSteps(d, 100)) {
        }
    }
    dictEntry *des[8];
    dict *small = dictCreate(&owned_type);
    for (long i = 0; i < 3; i++)
        ASSERT_EQ(addKey(small, i), 0);
    ASSERT_EQ(dictGetSomeKeys(small, des, 8), 3);
    dictRelease(small);
    dictRelease(d);
    return 0;
}

int test_dict_stats(void) {
    dict *d = dictCreate(&owned_type);
    char buf[4096];
    dictGetStats(d, buf, sizeof(buf));
    ASSERT_STR_EQ(buf, "No stats available for empty dictionaries\n");
    for (long i = 0; i < 100; i++)
        ASSERT_EQ(addKey(d, i), 0);
    while (dictRehashSteps(d, 100)) {
    }
    dictGetStats(d, buf, sizeof(buf));
    ASSERT(strstr(buf, "Hash table 0 stats (main hash table):\n") == buf);
    ASSERT(strstr(buf, " table size: 128\n") != NULL);
    ASSERT(strstr(buf, " number of elements: 100\n") != NULL);
    ASSERT(strstr(buf, " Chain length distribution:\n   0: ") != NULL);
    ASSERT(strstr(buf, "Hash table 1") == NULL);
    for (long i = 100; i < 129; i++)
        ASSERT_EQ(addKey(d, i), 0);
    ASSERT(dictIsRehashing(d));
    dictGetStats(d, buf, sizeof(buf));
    ASSERT(strstr(buf, "Hash table 1 stats (rehashing target):\n") != NULL);

    char tiny[20];
    memset(tiny, 'x', sizeof(tiny));
    dictGetStats(d, tiny, sizeof(tiny));
    ASSERT_EQ(strlen(tiny), sizeof(tiny) - 1);
    ASSERT_MEM_EQ(tiny, "Hash table 0 stats ", 19);
    dictGetStats(d, tiny, 1);
    ASSERT_EQ(tiny[0], '\0');
    dictRelease(d);
    return 0;
}
