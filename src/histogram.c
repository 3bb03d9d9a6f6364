/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Log-linear bucketing: values below 16 get a bucket each; a value with its
 * highest set bit at position e >= 4 goes to bucket 16 + (e - 4) * 16 + the
 * next four bits below the highest one.
 */
#include "histogram.h"

#include "alloc.h"

#include <math.h>
#include <string.h>

#define SUB_BUCKETS 16
#define MAX_EXPONENT 40 /* 2^40 us is about 12.7 days */
#define BUCKETS (SUB_BUCKETS + (MAX_EXPONENT - 4 + 1) * SUB_BUCKETS)

struct histogram {
    uint64_t total;
    uint64_t counts[BUCKETS];
};

histogram *histogramCreate(void) { return lcalloc(sizeof(histogram)); }
void histogramFree(histogram *h) { lfree(h); }
void histogramReset(histogram *h) { memset(h, 0, sizeof(*h)); }
uint64_t histogramCount(const histogram *h) { return h->total; }

static int bucketOf(uint64_t v) {
    if (v < SUB_BUCKETS) return (int)v;
    int e = 63 - __builtin_clzll(v);
    if (e > MAX_EXPONENT) return BUCKETS - 1;
    return SUB_BUCKETS + (e - 4) * SUB_BUCKETS + (int)((v >> (e - 4)) & (SUB_BUCKETS - 1));
}

/* The largest value that falls in bucket b. */
static uint64_t bucketHigh(int b) {
    if (b < SUB_BUCKETS) return (uint64_t)b;
    int e = (b - SUB_BUCKETS) / SUB_BUCKETS + 4;
    uint64_t sub = (uint64_t)((b - SUB_BUCKETS) % SUB_BUCKETS);
    uint64_t low = (1ULL << e) | (sub << (e - 4));
    return low + (1ULL << (e - 4)) - 1;
}

void histogramRecord(histogram *h, uint64_t value) {
    h->counts[bucketOf(value)]++;
    h->total++;
}

uint64_t histogramPercentile(const histogram *h, double p) {
    if (h->total == 0) return 0;
    uint64_t rank = (uint64_t)ceil(p / 100.0 * (double)h->total);
    if (rank < 1) rank = 1;
    uint64_t seen = 0;
    for (int b = 0; b < BUCKETS; b++) {
        seen += h->counts[b];
        if (seen >= rank) return bucketHigh(b);
    }
    return bucketHigh(BUCKETS - 1);
}
