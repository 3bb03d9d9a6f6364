/* SPDX-License-Identifier: BSD-3-Clause
 *
 * What the keyspace's changes look like to the append-only file: call() hands
 * over each write command that changed something, in execution order, and
 * deletions the server makes on its own (expiry, eviction) go out as DEL
 * before the command that caused them.
 *
 * A command whose arguments would not replay to the same result (relative
 * TTLs, random picks, blocking pops, float increments) replaces them with
 * propagateReplace(); the replacement is what goes out instead of its argv.
 * Main thread only.
 */
#ifndef LOOM_PROPAGATE_H
#define LOOM_PROPAGATE_H

#include "client.h"

#include <stddef.h>

struct db;

/* Records that the running command propagates as argv[0..argc) instead of
 * its own arguments (the bytes are copied now). May be called several times
 * by one command: each call adds one command to propagate, in order. */
void propagateReplace(client *c, int argc, const arg *argv);

/* Called by call() after the handler ran: propagates the replacement or, if
 * there was none and `changed`, the client's argv. Clears the replacement. */
void propagateCommandEnd(client *c, int changed);

/* A key the server removed on its own (expired, evicted): DEL key. */
void propagateDeletion(struct db *d, const char *key, size_t len);

/* Formats a long long into buf (OBJ_INT_BUF-sized or larger) as an arg. */
arg propagateArgFromLongLong(char *buf, size_t size, long long v);

#endif
