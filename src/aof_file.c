/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Manifest parsing and formatting, the RESP encoding of logged commands, and
 * the streaming reader that replays a command file (format: aof_file.h). The
 * reader keeps at most one command plus a 1 MB read buffer in memory and
 * reports where a bad or unfinished command starts, which is what lets a
 * truncated tail be cut off and a corrupt middle be named by its offset.
 */
#include "aof_file.h"

#include "alloc.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* --- Manifest -------------------------------------------------------------- */

static void freeInfo(aofFileInfo *f) {
    lfree(f->name);
}

static void appendInfo(aofFileInfo **arr, int *count, const char *name, long long seq, char type) {
    *arr = lrealloc(*arr, sizeof(**arr) * (size_t)(*count + 1));
    (*arr)[*count] = (aofFileInfo){lstrdup(name), seq, type};
    (*count)++;
}

void aofManifestSetBase(aofManifest *m, const char *name, long long seq) {
    if (m->base) {
        freeInfo(m->base);
        lfree(m->base);
    }
    m->base = lmalloc(sizeof(*m->base));
    *m->base = (aofFileInfo){lstrdup(name), seq, 'b'};
    if (seq > m->base_seq) m->base_seq = seq;
}

void aofManifestAddIncr(aofManifest *m, const char *name, long long seq) {
    appendInfo(&m->incrs, &m->incr_count, name, seq, 'i');
    if (seq > m->incr_seq) m->incr_seq = seq;
}

void aofManifestRetireBefore(aofManifest *m, long long keep_from) {
    if (m->base) {
        appendInfo(&m->history, &m->history_count, m->base->name, m->base->seq, 'h');
        freeInfo(m->base);
        lfree(m->base);
        m->base = NULL;
    }
    int kept = 0;
    for (int i = 0; i < m->incr_count; i++) {
        if (m->incrs[i].seq >= keep_from) {
            m->incrs[kept++] = m->incrs[i];
            continue;
        }
        appendInfo(&m->history, &m->history_count, m->incrs[i].name, m->incrs[i].seq, 'h');
        freeInfo(&m->incrs[i]);
    }
    m->incr_count = kept;
}

void aofManifestClearHistory(aofManifest *m) {
    for (int i = 0; i < m->history_count; i++)
        freeInfo(&m->history[i]);
    lfree(m->history);
    m->history = NULL;
    m->history_count = 0;
}

void aofManifestFree(aofManifest *m) {
    if (m->base) freeInfo(m->base);
    lfree(m->base);
    for (int i = 0; i < m->incr_count; i++)
        freeInfo(&m->incrs[i]);
    lfree(m->incrs);
    aofManifestClearHistory(m);
    memset(m, 0, sizeof(*m));
}

aofManifest *aofManifestDup(const aofManifest *m) {
    aofManifest *d = lcalloc(sizeof(*d));
    if (m->base) aofManifestSetBase(d, m->base->name, m->base->seq);
    for (int i = 0; i < m->incr_count; i++)
        aofManifestAddIncr(d, m->incrs[i].name, m->incrs[i].seq);
    for (int i = 0; i < m->history_count; i++)
        appendInfo(&d->history, &d->history_count, m->history[i].name, m->history[i].seq, 'h');
    d->base_seq = m->base_seq;
    d->incr_seq = m->incr_seq;
    return d;
}

static int manifestError(char *err, size_t errlen, int line, const char *why) {
    snprintf(err, errlen, "line %d: %s", line, why);
    errno = EINVAL;
    return -1;
}

/* One "file <name> seq <n> type <t>" line, keys in any order. */
static int parseManifestLine(aofManifest *m, char *line, int lineno, char *err, size_t errlen) {
    int argc;
    str *argv = strSplitArgs(line, &argc);
    if (!argv) return manifestError(err, errlen, lineno, "unbalanced quotes");
    const char *name = NULL;
    long long seq = -1;
    char type = 0;
    int rc = 0;
    if (argc % 2) rc = manifestError(err, errlen, lineno, "odd number of tokens");
    for (int i = 0; rc == 0 && i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "file"))
            name = argv[i + 1];
        else if (!strcmp(argv[i], "seq")) {
            if (!string2ll(argv[i + 1], strLen(argv[i + 1]), &seq) || seq < 1)
                rc = manifestError(err, errlen, lineno, "invalid seq");
        } else if (!strcmp(argv[i], "type")) {
            type = strLen(argv[i + 1]) == 1 ? argv[i + 1][0] : '?';
        }
        /* Unknown keys are skipped: later versions may add some. */
    }
    if (rc == 0 && (!name || !*name || strchr(name, '/') || seq < 0))
        rc = manifestError(err, errlen, lineno, "missing or invalid file name or seq");
    if (rc == 0) {
        if (type == 'b') {
            if (m->base)
                rc = manifestError(err, errlen, lineno, "more than one base file");
            else
                aofManifestSetBase(m, name, seq);
        } else if (type == 'i') {
            if (m->incr_count && seq <= m->incrs[m->incr_count - 1].seq)
                rc = manifestError(err, errlen, lineno, "increment files out of order");
            else
                aofManifestAddIncr(m, name, seq);
        } else if (type == 'h') {
            appendInfo(&m->history, &m->history_count, name, seq, 'h');
        } else {
            rc = manifestError(err, errlen, lineno, "unknown file type");
        }
    }
    strFreeSplit(argv, argc);
    return rc;
}

int aofManifestLoad(const char *path, aofManifest *m, char *err, size_t errlen) {
    memset(m, 0, sizeof(*m));
    FILE *fp = fopen(path, "r");
    if (!fp) {
        int saved = errno;
        snprintf(err, errlen, "%s: %s", path, strerror(saved));
        errno = saved;
        return -1;
    }
    char line[1024];
    int lineno = 0, rc = 0;
    while (rc == 0 && fgets(line, sizeof(line), fp)) {
        lineno++;
        size_t len = strlen(line);
        if (len == sizeof(line) - 1 && line[len - 1] != '\n') {
            rc = manifestError(err, errlen, lineno, "line too long");
            break;
        }
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (len == 0 || line[0] == '#') continue;
        rc = parseManifestLine(m, line, lineno, err, errlen);
    }
    fclose(fp);
    if (rc == 0 && !m->base && m->incr_count == 0)
        rc = manifestError(err, errlen, lineno, "no base and no increment file");
    if (rc < 0) aofManifestFree(m);
    return rc;
}

str aofManifestFormat(const aofManifest *m, str s) {
    if (m->base) s = strCatFmt(s, "file %s seq %lld type b\n", m->base->name, m->base->seq);
    for (int i = 0; i < m->history_count; i++)
        s = strCatFmt(s, "file %s seq %lld type h\n", m->history[i].name, m->history[i].seq);
    for (int i = 0; i < m->incr_count; i++)
        s = strCatFmt(s, "file %s seq %lld type i\n", m->incrs[i].name, m->incrs[i].seq);
    return s;
}

/* --- Encoding -------------------------------------------------------------- */

static str catPrefixed(str s, char prefix, long long n) {
    char buf[32];
    buf[0] = prefix;
    int len = ll2string(buf + 1, sizeof(buf) - 3, n);
    buf[len + 1] = '\r';
    buf[len + 2] = '\n';
    return strCatLen(s, buf, (size_t)len + 3);
}

str aofCatArrayHeader(str s, long long n) {
    return catPrefixed(s, '*', n);
}

str aofCatBulk(str s, const char *p, size_t len) {
    s = catPrefixed(s, '$', (long long)len);
    s = strCatLen(s, p, len);
    return strCatLen(s, "\r\n", 2);
}

str aofCatBulkLongLong(str s, long long v) {
    char buf[32];
    int len = ll2string(buf, sizeof(buf), v);
    return aofCatBulk(s, buf, (size_t)len);
}

/* --- Reading --------------------------------------------------------------- */

#define READ_CHUNK (1u << 20)

typedef struct reader {
    int fd;
    char *buf;
    size_t cap, start, end; /* buf[start..end) is read, not consumed */
    long long buf_off;      /* file offset of buf[0] */
    int eof;
    int error; /* errno of a failed read */
} reader;

static long long tell(const reader *r) {
    return r->buf_off + (long long)r->start;
}

/* Makes n bytes available at buf[start]. Returns 1, or 0 at end of file or on
 * a read error (r->error). */
static int fill(reader *r, size_t n) {
    while (r->end - r->start < n) {
        if (r->eof) return 0;
        if (r->start > 0) {
            memmove(r->buf, r->buf + r->start, r->end - r->start);
            r->buf_off += (long long)r->start;
            r->end -= r->start;
            r->start = 0;
        }
        size_t want = n > READ_CHUNK ? n : READ_CHUNK;
        if (r->cap < want) {
            r->cap = want;
            r->buf = lrealloc(r->buf, r->cap);
        }
        ssize_t got = read(r->fd, r->buf + r->end, r->cap - r->end);
        if (got < 0) {
            if (errno == EINTR) continue;
            r->error = errno;
            return 0;
        }
        if (got == 0) r->eof = 1;
        r->end += (size_t)got;
    }
    return 1;
}

typedef enum { LINE_OK, LINE_EOF, LINE_BAD } lineStatus;

/* Reads "<prefix><decimal>\r\n" at the current position (which may be
 * before `start` only in the sense of being the next unread bytes). */
static lineStatus readPrefixedNumber(reader *r, char prefix, long long *v) {
    size_t scanned = 0;
    for (;;) {
        char *p = r->buf + r->start;
        size_t avail = r->end - r->start;
        char *nl = avail > scanned ? memchr(p + scanned, '\n', avail - scanned) : NULL;
        if (nl) {
            size_t linelen = (size_t)(nl - p);
            if (linelen < 3 || p[0] != prefix || p[linelen - 1] != '\r') return LINE_BAD;
            if (!string2ll(p + 1, linelen - 2, v)) return LINE_BAD;
            r->start += linelen + 1;
            return LINE_OK;
        }
        if (avail > 32) return LINE_BAD; /* no number is this long */
        scanned = avail;
        if (!fill(r, avail + 1)) return LINE_EOF;
    }
}

void aofReadCommands(const char *path, aofCommandFn *fn, void *ctx, aofReadResult *res, char *err,
                     size_t errlen) {
    memset(res, 0, sizeof(*res));
    err[0] = '\0';
    reader r = {.fd = open(path, O_RDONLY | O_CLOEXEC)};
    if (r.fd < 0) {
        res->status = AOF_READ_IOERR;
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return;
    }
    off_t size = lseek(r.fd, 0, SEEK_END);
    lseek(r.fd, 0, SEEK_SET);
    res->size = size < 0 ? 0 : (long long)size;
    char **argv = NULL;
    size_t *lens = NULL;
    long long argv_cap = 0;
    char *args = NULL; /* the command's argument bytes, each NUL-terminated */
    size_t args_cap = 0;
    for (;;) {
        long long cmd_start = tell(&r);
        res->valid_bytes = cmd_start;
        res->offset = cmd_start;
        if (!fill(&r, 1)) {
            res->status = r.error ? AOF_READ_IOERR : AOF_READ_OK;
            if (r.error) snprintf(err, errlen, "%s: %s", path, strerror(r.error));
            break;
        }
        long long argc;
        lineStatus ls = readPrefixedNumber(&r, '*', &argc);
        if (ls == LINE_OK && argc < 1) ls = LINE_BAD;
        if (ls != LINE_OK) {
            res->status = ls == LINE_EOF ? AOF_READ_TRUNCATED : AOF_READ_CORRUPT;
            if (ls == LINE_BAD) snprintf(err, errlen, "bad command header");
            break;
        }
        size_t used = 0;
        aofReadStatus st = AOF_READ_OK;
        for (long long i = 0; i < argc && st == AOF_READ_OK; i++) {
            /* Grown as arguments arrive, so a huge count in a small (cut or
             * corrupt) file costs nothing. */
            if (i == argv_cap) {
                argv_cap = argv_cap ? argv_cap * 2 : 16;
                argv = lrealloc(argv, sizeof(*argv) * (size_t)argv_cap);
                lens = lrealloc(lens, sizeof(*lens) * (size_t)argv_cap);
            }
            long long len;
            ls = readPrefixedNumber(&r, '$', &len);
            if (ls == LINE_OK && len < 0) ls = LINE_BAD;
            if (ls != LINE_OK) {
                st = ls == LINE_EOF ? AOF_READ_TRUNCATED : AOF_READ_CORRUPT;
                if (ls == LINE_BAD) snprintf(err, errlen, "bad bulk length");
                break;
            }
            /* A bulk longer than what is left of the file: cut off. */
            if (len + 2 > res->size - tell(&r) || !fill(&r, (size_t)len + 2)) {
                st = AOF_READ_TRUNCATED;
                break;
            }
            const char *p = r.buf + r.start;
            if (p[len] != '\r' || p[len + 1] != '\n') {
                st = AOF_READ_CORRUPT;
                snprintf(err, errlen, "bulk string not followed by CRLF");
                break;
            }
            if (args_cap < used + (size_t)len + 1) {
                args_cap = (used + (size_t)len + 1) * 2;
                args = lrealloc(args, args_cap);
            }
            memcpy(args + used, p, (size_t)len);
            args[used + (size_t)len] = '\0';
            lens[i] = (size_t)len;
            argv[i] = (char *)(uintptr_t)used; /* an offset until args stops moving */
            used += (size_t)len + 1;
            r.start += (size_t)len + 2;
        }
        if (st == AOF_READ_TRUNCATED && r.error) {
            st = AOF_READ_IOERR;
            snprintf(err, errlen, "%s: %s", path, strerror(r.error));
        }
        if (st != AOF_READ_OK) {
            res->status = st;
            break;
        }
        for (long long i = 0; i < argc; i++)
            argv[i] = args + (uintptr_t)argv[i];
        if (fn(ctx, (int)argc, argv, lens, err, errlen) < 0) {
            res->status = AOF_READ_STOPPED;
            break;
        }
        res->commands++;
    }
    lfree(argv);
    lfree(lens);
    lfree(args);
    lfree(r.buf);
    close(r.fd);
}

int aofFileIsRdb(const char *path) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    char magic[5];
    ssize_t n = read(fd, magic, sizeof(magic));
    close(fd);
    return n == 5 && !memcmp(magic, "REDIS", 5);
}
