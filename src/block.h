/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Blocking commands (BLPOP, BLMOVE, BZPOPMIN, ...): a client whose command
 * finds nothing to pop is parked on its keys, in arrival order per key, with
 * an optional deadline. A write that adds to a watched key marks it ready;
 * after the command that did so, each waiter on a ready key runs its command
 * again, oldest first, until one finds the key empty. Timeouts are checked by
 * the cron (so they are honoured to its resolution). Main thread only.
 */
#ifndef LOOM_BLOCK_H
#define LOOM_BLOCK_H

#include "client.h"

#include <stddef.h>

struct db;

/* Parses a blocking timeout in seconds (fractions allowed) into an absolute
 * unix time in ms, 0 meaning forever. Replies with Redis's error and returns
 * -1 when it is not a number or negative. */
int blockParseTimeout(client *c, const arg *a, long long *deadline_ms);

/* Called by a blocking command that found nothing: parks the client on
 * `keys` (the command's argv is saved to be run again); on timeout it gets a
 * null array. When the client is already being re-run for a ready key, it
 * simply stays where it was. */
void blockClientOnKeys(client *c, const arg *keys, int numkeys, long long deadline_ms);

/* A write added elements to a key that may have waiters. */
void blockSignalKeyReady(struct db *d, const char *key, size_t len);
/* Serves the waiters of every key marked ready (after each command). */
void blockHandleReadyKeys(void);
int blockHasReadyKeys(void);
/* Times out waiters whose deadline passed (cron). */
void blockTimeoutsCron(void);

/* Unblocks a client: on timeout it gets its timeout reply, with `error` it
 * gets that error instead (CLIENT UNBLOCK ... ERROR), on disconnect nothing. */
enum { UNBLOCK_TIMEOUT, UNBLOCK_ERROR, UNBLOCK_DISCONNECT };
void blockUnblockClient(client *c, int reason);

/* True while the client is parked. */
static inline int clientIsBlocked(const client *c) { return (c->flags & CLIENT_BLOCKED) != 0; }
unsigned long blockedClientCount(void);

#endif
