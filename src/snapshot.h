/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Snapshots on the server side: SAVE, BGSAVE (a fork child writes a temporary
 * file, the parent renames it into place when the child succeeded), save
 * points checked by the cron, LASTSAVE, loading dump.rdb at start-up, and the
 * state INFO persistence reports. The file format itself is rdb.c's.
 * Main thread only (the fork child only writes its file and exits).
 */
#ifndef LOOM_SNAPSHOT_H
#define LOOM_SNAPSHOT_H

#include "rdb.h"

#include <time.h>

/* The RDB options and load limits the configuration calls for (also used by
 * the AOF for its RDB base). */
rdbSaveInfo snapshotSaveInfo(void);
rdbLoadLimits snapshotLoadLimits(void);

/* Loads dbfilename (in `dir`, the working directory) into the databases,
 * which should be empty. Returns 0 (also when there is no file), or -1 after
 * logging why, leaving the keys loaded so far. */
int snapshotLoad(void);

/* Saves in the foreground (SAVE, SHUTDOWN, DEBUG RELOAD, FLUSHALL with save
 * points). Returns 0, or -1 after logging why. */
int snapshotSaveNow(void);

/* Starts a background save. Returns 0, or -1 (a child already runs, or fork
 * failed: logged). */
int snapshotBackgroundSave(void);

/* Cron: runs a scheduled BGSAVE, checks save points. */
void snapshotCron(void);

/* Stops a running BGSAVE child (FLUSHALL); its temporary file is removed. */
void snapshotStopChild(void);

/* True when save points are configured (SHUTDOWN saves by default then). */
int snapshotHasSavePoints(void);

/* True when writes must be refused: the last background save failed and
 * stop-writes-on-bgsave-error is on (Redis's MISCONF). */
int snapshotWritesRefused(void);

#endif
