/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Socket set-up for listeners and accepted connections. No knowledge of
 * clients or configuration: callers pass addresses and options in and get
 * descriptors or errno back.
 */
#include "listen.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static int closeKeepErrno(int fd) {
    int saved = errno;
    close(fd);
    errno = saved;
    return -1;
}

static int listenOn(int fd, const struct sockaddr *sa, socklen_t len, int backlog) {
    if (bind(fd, sa, len) < 0 || listen(fd, backlog) < 0) return closeKeepErrno(fd);
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) return closeKeepErrno(fd);
    return fd;
}

int listenTcp(const char *addr, int port, int backlog) {
    int ipv6 = strchr(addr, ':') != NULL;
    struct addrinfo hints, *res;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = ipv6 ? AF_INET6 : AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST;
    char portstr[8];
    snprintf(portstr, sizeof(portstr), "%d", port);
    const char *host = (!strcmp(addr, "*") || !strcmp(addr, "::*")) ? NULL : addr;
    int rc = getaddrinfo(host, portstr, &hints, &res);
    if (rc != 0) {
        errno = rc == EAI_SYSTEM ? errno : EADDRNOTAVAIL;
        return -1;
    }
    int fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        freeaddrinfo(res);
        return -1;
    }
    int yes = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    if (ipv6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &yes, sizeof(yes));
    fd = listenOn(fd, res->ai_addr, res->ai_addrlen, backlog);
    int saved = errno;
    freeaddrinfo(res);
    errno = saved;
    return fd;
}

int listenUnix(const char *path, mode_t perm, int backlog) {
    struct sockaddr_un sa;
    if (strlen(path) >= sizeof(sa.sun_path)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    strcpy(sa.sun_path, path);
    unlink(path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    fd = listenOn(fd, (struct sockaddr *)&sa, sizeof(sa), backlog);
    if (fd >= 0 && perm && chmod(path, perm) < 0) return closeKeepErrno(fd);
    return fd;
}

int listenAccept(int listen_fd) {
    for (;;) {
        int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd >= 0 || errno != EINTR) return fd;
    }
}

int listenSetKeepAlive(int fd, int interval_s) {
    int yes = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &yes, sizeof(yes)) < 0) return -1;
#ifdef TCP_KEEPIDLE
    /* First probe after interval_s idle, then every interval_s/3, three probes:
     * a dead peer is noticed after about twice the interval. */
    int idle = interval_s, intvl = interval_s / 3, count = 3;
    if (intvl <= 0) intvl = 1;
    if (setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle)) < 0 ||
        setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl)) < 0 ||
        setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof(count)) < 0)
        return -1;
#endif
    return 0;
}

int listenSetNoDelay(int fd) {
    int yes = 1;
    return setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
}
