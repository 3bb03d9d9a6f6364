/* SPDX-License-Identifier: BSD-3-Clause
 *
 * A log-linear histogram of durations in microseconds, for the per-command
 * latency percentiles of INFO latencystats. Each power of two is split into 16
 * linear sub-buckets, so a reported percentile is within about 6% of the true
 * value; values up to about 12 days are kept, longer ones count in the last
 * bucket. Not thread-safe: one owner records and reads.
 */
#ifndef LOOM_HISTOGRAM_H
#define LOOM_HISTOGRAM_H

#include <stdint.h>

typedef struct histogram histogram;

histogram *histogramCreate(void);
void histogramFree(histogram *h);
void histogramRecord(histogram *h, uint64_t value);
void histogramReset(histogram *h);
uint64_t histogramCount(const histogram *h);
/* The value at percentile p (0 < p <= 100): the upper end of the bucket that
 * holds it. 0 when the histogram is empty. */
uint64_t histogramPercentile(const histogram *h, double p);

#endif
