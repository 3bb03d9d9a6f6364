/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The active expiry cycle: samples keys with a TTL and deletes the expired
 * ones, adapting its effort to how many it finds stale. The slow cycle runs
 * from the cron with a CPU-time budget; the fast cycle runs before the loop
 * sleeps, only when the slow one could not keep up. Main thread only.
 */
#ifndef LOOM_EXPIRE_H
#define LOOM_EXPIRE_H

enum { EXPIRE_CYCLE_SLOW, EXPIRE_CYCLE_FAST };

void expireActiveCycle(int type);

#endif
