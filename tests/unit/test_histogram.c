/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Tests for the latency histogram: exact small values, bounded relative
 * error for large ones, percentiles of known distributions, reset.
 */
#include "histogram.h"
#include "test.h"

int test_histogram_small_values_exact(void) {
    histogram *h = histogramCreate();
    for (uint64_t v = 1; v <= 10; v++) histogramRecord(h, v);
    ASSERT_EQ(histogramCount(h), 10);
    ASSERT_EQ(histogramPercentile(h, 50), 5);
    ASSERT_EQ(histogramPercentile(h, 100), 10);
    ASSERT_EQ(histogramPercentile(h, 10), 1);
    histogramFree(h);
    return 0;
}

int test_histogram_relative_error(void) {
    histogram *h = histogramCreate();
    for (uint64_t v = 16; v < (1ULL << 30); v = v * 3 / 2 + 7) {
        histogramReset(h);
        histogramRecord(h, v);
        uint64_t got = histogramPercentile(h, 100);
        ASSERT_GE(got, v);
        ASSERT_LE(got, v + v / 16);
    }
    histogramFree(h);
    return 0;
}

int test_histogram_percentiles(void) {
    histogram *h = histogramCreate();
    /* 990 fast calls and 10 slow ones: p99 is fast, p99.9 is slow. */
    for (int i = 0; i < 990; i++) histogramRecord(h, 3);
    for (int i = 0; i < 10; i++) histogramRecord(h, 5000);
    ASSERT_EQ(histogramPercentile(h, 50), 3);
    ASSERT_EQ(histogramPercentile(h, 99), 3);
    ASSERT_GE(histogramPercentile(h, 99.9), 5000);
    ASSERT_LE(histogramPercentile(h, 99.9), 5000 + 5000 / 16);
    histogramReset(h);
    ASSERT_EQ(histogramCount(h), 0);
    ASSERT_EQ(histogramPercentile(h, 50), 0);
    /* Values beyond the range land in the last bucket. */
    histogramRecord(h, UINT64_MAX);
    ASSERT_GT(histogramPercentile(h, 50), 1ULL << 40);
    histogramFree(h);
    return 0;
}
