/* SPDX-License-Identifier: BSD-3-Clause
 *
 * loom-check-rdb FILE: validates an RDB file, written by loom or by
 * redis-server (RDB versions 1 to 11), with the same parser the server loads
 * with (src/rdb_load.c): every length, blob, member and the CRC64 trailer.
 * Prints what the file holds (keys per type, expiries, the AUX fields that
 * matter) or the first problem with its byte offset. Exit status 0 when the
 * file is valid, 1 when it is not or cannot be read.
 */
#include "object.h"
#include "rdb.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

int main(int argc, char **argv) {
    if (argc != 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        fprintf(stderr,
                "usage: loom-check-rdb FILE\n"
                "Validates an RDB file (loom's or redis-server's); exit status 0 if valid.\n");
        return 1;
    }
    objInit();
    rdbLoadStats st;
    char err[512];
    int rc = rdbCheckFile(argv[1], &st, err, sizeof(err));
    printf("file: %s (%lld bytes)\n", argv[1], st.bytes);
    if (st.version) printf("rdb version: %d\n", st.version);
    if (st.redis_ver[0]) printf("redis-ver: %s\n", st.redis_ver);
    if (st.ctime >= 0) {
        time_t t = (time_t)st.ctime;
        char when[64];
        strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", gmtime(&t));
        printf("created: %s\n", when);
    }
    static const char *const names[] = {"string", "list", "set", "zset", "hash"};
    printf("keys: %lld (with expiry: %lld)\n", st.keys, st.expires);
    for (int i = 0; i < 5; i++)
        printf("  %-6s %lld\n", names[i], st.per_type[i]);
    if (st.empty_skipped) printf("empty collections (skipped by a load): %lld\n", st.empty_skipped);
    if (st.functions_skipped)
        printf("function libraries (skipped by a load): %lld\n", st.functions_skipped);
    if (rc < 0) {
        printf("error: %s\n", err);
        return 1;
    }
    printf("checksum: %s\n", st.checksum_verified ? "ok" : "none stored");
    printf("status: OK\n");
    return 0;
}
