/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Active expiry. Each pass visits databases in turn, scans a few buckets of
 * the expiry table from where the last pass stopped, deletes what expired,
 * and keeps going in the same database while more than an acceptable share of
 * the sampled keys were stale, within a time budget: a quarter of the CPU for
 * the slow cycle (spread over hz calls a second), about 1 ms for the fast one.
 * `active-expire-effort` (1..10) raises every knob. Main thread only.
 */
#include "expire.h"

#include "db.h"
#include "server.h"
#include "str.h"
#include "util.h"

#define KEYS_PER_LOOP 20
#define FAST_DURATION_US 1000
#define SLOW_TIME_PERC 25
#define ACCEPTABLE_STALE_PERC 10
#define DBS_PER_CALL 16
/* Scan calls per sampled key before giving up on a sparse table. */
#define BUCKETS_PER_KEY 20
/* Expired keys collected per scan call; a bucket chain rarely holds more. */
#define COLLECT_MAX 64

typedef struct scanState {
    long long now_ms;
    long sampled;
    long long ttl_sum;
    long ttl_samples;
    int expired_count;
    str expired[COLLECT_MAX];
} scanState;

static void sampleEntry(void *privdata, const dictEntry *de) {
    scanState *st = privdata;
    long long ttl = de->v.s64 - st->now_ms;
    st->sampled++;
    if (ttl <= 0) {
        /* Deleting inside the scan would modify the bucket being visited:
         * copy the key and delete after the scan step. */
        if (st->expired_count < COLLECT_MAX) st->expired[st->expired_count++] = strDup(de->key);
    } else {
        st->ttl_sum += ttl;
        st->ttl_samples++;
    }
}

static long deleteCollected(db *d, scanState *st) {
    long deleted = 0;
    for (int i = 0; i < st->expired_count; i++) {
        deleted += dbExpireIfNeeded(d, st->expired[i], strLen(st->expired[i]));
        strFree(st->expired[i]);
    }
    st->expired_count = 0;
    return deleted;
}

static int current_db;
static int timelimit_exit;
static long long last_fast_cycle_us;

void expireActiveCycle(int type) {
    int effort = server.active_expire_effort - 1;
    long keys_per_loop = KEYS_PER_LOOP + KEYS_PER_LOOP / 4 * effort;
    long long fast_duration = FAST_DURATION_US + FAST_DURATION_US / 4 * effort;
    long long slow_perc = SLOW_TIME_PERC + 2 * effort;
    long acceptable_stale = ACCEPTABLE_STALE_PERC - effort;
    long long start = ustime();

    if (type == EXPIRE_CYCLE_FAST) {
        /* Only when the last slow cycle ran out of time or too many keys
         * are estimated stale, and not more often than every 2 durations. */
        if (!timelimit_exit && server.stat_expired_stale_perc_x100 < acceptable_stale * 100)
            return;
        if (start < last_fast_cycle_us + fast_duration * 2) return;
        last_fast_cycle_us = start;
    }
    int dbs_per_call = DBS_PER_CALL;
    if (dbs_per_call > server.dbnum || timelimit_exit) dbs_per_call = server.dbnum;
    long long timelimit = type == EXPIRE_CYCLE_FAST ? fast_duration
                                                    : 1000000 * slow_perc / server.hz / 100;
    if (timelimit <= 0) timelimit = 1;
    timelimit_exit = 0;
    server.cmd_time_ms = start / 1000;

    long total_sampled = 0, total_expired = 0;
    unsigned iteration = 0;
    for (int j = 0; j < dbs_per_call && !timelimit_exit; j++) {
        db *d = &server.dbs[current_db % server.dbnum];
        current_db++;
        long expired, sampled;
        do {
            size_t volatile_keys = dictSize(d->expires);
            if (volatile_keys == 0) {
                d->avg_ttl = 0;
                break;
            }
            long num = volatile_keys < (size_t)keys_per_loop ? (long)volatile_keys : keys_per_loop;
            scanState st = {.now_ms = start / 1000};
            long buckets = 0;
            expired = 0;
            while (st.sampled < num && buckets < num * BUCKETS_PER_KEY) {
                d->expires_cursor = dictScan(d->expires, d->expires_cursor, sampleEntry, &st);
                expired += deleteCollected(d, &st);
                buckets++;
                if (d->expires_cursor == 0) break;
            }
            sampled = st.sampled;
            total_sampled += sampled;
            total_expired += expired;
            if (st.ttl_samples) {
                long long avg = st.ttl_sum / st.ttl_samples;
                /* A running average, weighted towards the history. */
                d->avg_ttl = d->avg_ttl ? (d->avg_ttl / 50) * 49 + avg / 50 : avg;
            }
            if ((++iteration & 0xf) == 0 && ustime() - start > timelimit) {
                timelimit_exit = 1;
                server.stat_expired_time_cap_reached_count++;
                break;
            }
        } while (sampled == 0 || expired * 100 / sampled > acceptable_stale);
    }
    server.stat_expire_cycle_time_used += ustime() - start;
    long long current_perc_x100 = total_sampled ? total_expired * 10000 / total_sampled : 0;
    server.stat_expired_stale_perc_x100 =
        (current_perc_x100 * 5 + server.stat_expired_stale_perc_x100 * 95) / 100;
}
