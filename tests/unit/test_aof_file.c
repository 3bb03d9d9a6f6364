/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Unit tests for the AOF file formats (aof_file.c): manifest parsing and
 * formatting, the retirement of files after a rewrite, the RESP encoding of
 * logged commands, and the command reader on whole, truncated (at every
 * offset) and corrupt files.
 */
#include "test.h"

#include "alloc.h"
#include "aof_file.h"
#include "str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void tempPath(char *buf, size_t len, const char *what) {
    snprintf(buf, len, "/tmp/loom-test-aof-%d-%s", (int)getpid(), what);
}

static int writeFile(const char *path, const void *data, size_t len) {
    FILE *fp = fopen(path, "wb");
    if (!fp) return -1;
    size_t n = fwrite(data, 1, len, fp);
    fclose(fp);
    return n == len ? 0 : -1;
}

int test_aof_file_manifest_roundtrip(void) {
    char path[256], err[128];
    tempPath(path, sizeof(path), "manifest");
    const char *text = "file appendonly.aof.3.base.rdb seq 3 type b\n"
                       "file appendonly.aof.2.incr.aof seq 2 type h\n"
                       "file appendonly.aof.3.incr.aof seq 3 type i\n"
                       "file appendonly.aof.4.incr.aof seq 4 type i\n";
    ASSERT_EQ(writeFile(path, text, strlen(text)), 0);
    aofManifest m;
    ASSERT_EQ(aofManifestLoad(path, &m, err, sizeof(err)), 0);
    ASSERT(m.base != NULL);
    ASSERT_STR_EQ(m.base->name, "appendonly.aof.3.base.rdb");
    ASSERT_EQ(m.incr_count, 2);
    ASSERT_EQ(m.history_count, 1);
    ASSERT_EQ(m.base_seq, 3);
    ASSERT_EQ(m.incr_seq, 4);
    str out = aofManifestFormat(&m, strEmpty());
    ASSERT_STR_EQ(out, text);
    strFree(out);

    /* A rewrite that began when increment 4 was opened replaces 3 and the base. */
    aofManifestRetireBefore(&m, 4);
    aofManifestSetBase(&m, "appendonly.aof.4.base.rdb", 4);
    ASSERT_EQ(m.incr_count, 1);
    ASSERT_EQ(m.history_count, 3);
    aofManifestClearHistory(&m);
    out = aofManifestFormat(&m, strEmpty());
    ASSERT_STR_EQ(out, "file appendonly.aof.4.base.rdb seq 4 type b\n"
                       "file appendonly.aof.4.incr.aof seq 4 type i\n");
    strFree(out);
    aofManifestFree(&m);
    unlink(path);
    return 0;
}

int test_aof_file_manifest_errors(void) {
    char path[256], err[128];
    tempPath(path, sizeof(path), "badmanifest");
    const char *bad[] = {
        "file a seq 1 type x\n",                      /* unknown type */
        "file a seq zero type i\n",                   /* bad seq */
        "file a/b seq 1 type i\n",                    /* a path */
        "file a seq 1 type b\nfile b seq 2 type b\n", /* two bases */
        "file a seq 2 type i\nfile b seq 1 type i\n", /* out of order */
        "file a seq 1\n",                             /* odd tokens */
        "file \"a seq 1 type i\n",                    /* quotes */
        "",                                           /* nothing */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ASSERT_EQ(writeFile(path, bad[i], strlen(bad[i])), 0);
        aofManifest m;
        ASSERT_EQ(aofManifestLoad(path, &m, err, sizeof(err)), -1);
        ASSERT(err[0] != '\0');
    }
    unlink(path);
    aofManifest m;
    ASSERT_EQ(aofManifestLoad(path, &m, err, sizeof(err)), -1);
    return 0;
}

int test_aof_file_encoding(void) {
    str s = aofCatArrayHeader(strEmpty(), 3);
    s = aofCatBulk(s, "SET", 3);
    s = aofCatBulk(s, "k\r\n", 3);
    s = aofCatBulkLongLong(s, -42);
    ASSERT_STR_EQ(s, "*3\r\n$3\r\nSET\r\n$3\r\nk\r\n\r\n$3\r\n-42\r\n");
    strFree(s);
    return 0;
}

typedef struct collected {
    int commands;
    str all; /* every argument, '|'-separated, commands ';'-terminated */
} collected;

static int collect(void *ctx, int argc, char **argv, size_t *lens, char *err, size_t errlen) {
    (void)err;
    (void)errlen;
    collected *c = ctx;
    for (int i = 0; i < argc; i++) {
        if (argv[i][lens[i]] != '\0') return -1;
        c->all = strCatLen(c->all, argv[i], lens[i]);
        c->all = strCat(c->all, i + 1 < argc ? "|" : ";");
    }
    c->commands++;
    return 0;
}

static const char sample[] = "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n"
                             "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\na\r\nbc\r\n"
                             "*1\r\n$4\r\nPING\r\n";

int test_aof_file_read_whole(void) {
    char path[256], err[128];
    tempPath(path, sizeof(path), "whole");
    ASSERT_EQ(writeFile(path, sample, sizeof(sample) - 1), 0);
    collected c = {0, strEmpty()};
    aofReadResult res;
    aofReadCommands(path, collect, &c, &res, err, sizeof(err));
    ASSERT_EQ(res.status, AOF_READ_OK);
    ASSERT_EQ(res.commands, 3);
    ASSERT_EQ(c.commands, 3);
    ASSERT_EQ(res.valid_bytes, (long long)sizeof(sample) - 1);
    ASSERT_MEM_EQ(c.all, "SELECT|0;SET|k|a\r\nbc;PING;", strLen(c.all));
    ASSERT_EQ(strLen(c.all), strlen("SELECT|0;SET|k|a\r\nbc;PING;"));
    strFree(c.all);
    unlink(path);
    return 0;
}

/* Every proper prefix is a truncated file whose valid part ends at the last
 * complete command before the cut. */
int test_aof_file_read_truncated_everywhere(void) {
    char path[256], err[128];
    tempPath(path, sizeof(path), "trunc");
    const size_t ends[] = {23, 54, 68}; /* the end of each command */
    for (size_t cut = 0; cut < sizeof(sample) - 1; cut++) {
        ASSERT_EQ(writeFile(path, sample, cut), 0);
        collected c = {0, strEmpty()};
        aofReadResult res;
        aofReadCommands(path, collect, &c, &res, err, sizeof(err));
        long long expect_valid = 0;
        int expect_commands = 0;
        for (int i = 0; i < 3; i++)
            if (ends[i] <= cut) {
                expect_valid = (long long)ends[i];
                expect_commands = i + 1;
            }
        ASSERT_EQ(res.status, (cut == (size_t)expect_valid ? AOF_READ_OK : AOF_READ_TRUNCATED));
        ASSERT_EQ(res.valid_bytes, expect_valid);
        ASSERT_EQ(res.commands, expect_commands);
        strFree(c.all);
    }
    unlink(path);
    return 0;
}

int test_aof_file_read_corrupt(void) {
    char path[256], err[128];
    tempPath(path, sizeof(path), "corrupt");
    const struct {
        const char *data;
        long long offset;
    } cases[] = {
        {"*1\r\n$4\r\nPING\r\nxyz\r\n", 14}, /* not a header */
        {"*1\r\n$4\r\nPINGXX*1\r\n", 0},     /* no CRLF after the bulk */
        {"*1\r\n$-5\r\nPING\r\n", 0},        /* negative length */
        {"*0\r\n", 0},                       /* empty command */
        {"*1\r\n+4\r\nPING\r\n", 0},         /* not a bulk */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ASSERT_EQ(writeFile(path, cases[i].data, strlen(cases[i].data)), 0);
        collected c = {0, strEmpty()};
        aofReadResult res;
        aofReadCommands(path, collect, &c, &res, err, sizeof(err));
        ASSERT_EQ(res.status, AOF_READ_CORRUPT);
        ASSERT_EQ(res.offset, cases[i].offset);
        strFree(c.all);
    }
    unlink(path);
    return 0;
}

/* Lengths beyond the end of the file read as a cut, without allocating them. */
int test_aof_file_read_huge_claims(void) {
    char path[256], err[128];
    tempPath(path, sizeof(path), "huge");
    const char *cases[] = {"*1\r\n$99999999999\r\nPING\r\n", "*999999999\r\n$1\r\na\r\n"};
    for (size_t i = 0; i < 2; i++) {
        ASSERT_EQ(writeFile(path, cases[i], strlen(cases[i])), 0);
        collected c = {0, strEmpty()};
        aofReadResult res;
        aofReadCommands(path, collect, &c, &res, err, sizeof(err));
        ASSERT_EQ(res.status, AOF_READ_TRUNCATED);
        ASSERT_EQ(res.valid_bytes, 0);
        strFree(c.all);
    }
    unlink(path);
    return 0;
}

int test_aof_file_is_rdb(void) {
    char path[256];
    tempPath(path, sizeof(path), "isrdb");
    ASSERT_EQ(writeFile(path, "REDIS0010", 9), 0);
    ASSERT(aofFileIsRdb(path));
    ASSERT_EQ(writeFile(path, sample, sizeof(sample) - 1), 0);
    ASSERT(!aofFileIsRdb(path));
    unlink(path);
    ASSERT(!aofFileIsRdb(path));
    return 0;
}
