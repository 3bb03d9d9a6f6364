/* SPDX-License-Identifier: BSD-3-Clause
 *
 * maxmemory: deciding whether the server is over its memory limit and
 * evicting keys by the configured policy (approximated LRU and LFU with a
 * sampled eviction pool, random, or nearest TTL). Main thread only.
 */
#ifndef LOOM_EVICT_H
#define LOOM_EVICT_H

enum {
    MAXMEMORY_VOLATILE_LRU,
    MAXMEMORY_VOLATILE_LFU,
    MAXMEMORY_VOLATILE_RANDOM,
    MAXMEMORY_VOLATILE_TTL,
    MAXMEMORY_ALLKEYS_LRU,
    MAXMEMORY_ALLKEYS_LFU,
    MAXMEMORY_ALLKEYS_RANDOM,
    MAXMEMORY_NO_EVICTION,
};

/* Evicts keys while memory is over maxmemory, within a time budget. Returns
 * 0 when memory is (now) within the limit or no limit is set, -1 when it is
 * still over and nothing more can be evicted for now. */
int evictPerform(void);
/* Pushes maxmemory-policy and the LFU settings to the object layer. */
void evictApplyPolicy(void);
int evictPolicyIsLfu(void);

#endif
