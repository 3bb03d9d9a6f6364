/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The AOF base in command form (aof-use-rdb-preamble no): every key of every
 * database as the commands that rebuild it (SET, RPUSH, SADD, HSET, ZADD, in
 * batches of 64 elements) followed by PEXPIREAT for keys with a TTL. Runs in
 * the rewrite fork child, reading its copy of the keyspace.
 */
#ifndef LOOM_AOF_REWRITE_H
#define LOOM_AOF_REWRITE_H

#include <stddef.h>

/* Writes the keyspace to fd. Returns 0, or -1 with errno and a message in err. */
int aofRewriteKeyspace(int fd, char *err, size_t errlen);

#endif
