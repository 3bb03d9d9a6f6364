/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Listening sockets (TCP over IPv4/IPv6, Unix domain), accepting connections and
 * the socket options loom sets on them. Every function returns a status (a
 * descriptor, or -1 with errno); none logs. Main thread.
 */
#ifndef LOOM_LISTEN_H
#define LOOM_LISTEN_H

#include <sys/types.h>

/* Opens a non-blocking TCP listener on `addr` ("*" = every IPv4 address,
 * "::*" = every IPv6 address, or a literal address) and `port`. IPv6 sockets
 * are IPv6-only. Returns the descriptor, or -1 with errno. */
int listenTcp(const char *addr, int port, int backlog);

/* Opens a non-blocking Unix-domain listener at `path` (an old socket file there
 * is removed first) and sets its permissions to `perm` when perm != 0. */
int listenUnix(const char *path, mode_t perm, int backlog);

/* Accepts one connection. Returns the new descriptor (close-on-exec), or -1
 * with errno (EAGAIN/EWOULDBLOCK when no connection is waiting). */
int listenAccept(int listen_fd);

/* Enables TCP keepalive with about `interval_s` seconds between probes. */
int listenSetKeepAlive(int fd, int interval_s);
int listenSetNoDelay(int fd);

#endif
