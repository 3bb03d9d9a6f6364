/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The directive table and everything built on it: parsing the config file and
 * command-line options at start-up (a bad line stops start-up with file, line
 * and reason), CONFIG GET with glob patterns, CONFIG SET of several pairs at
 * once (all or nothing), CONFIG REWRITE (keeps comments and unknown lines,
 * updates known directives in place, appends the rest), CONFIG RESETSTAT.
 *
 * Values live in `server`; each entry points at its field. Apply functions
 * push a run-time change to where it takes effect (log level, I/O limits,
 * listeners, the event loop's set size). Main thread only.
 */
#include "alloc.h"
#include "aof.h"
#include "config.h"

#include "command.h"
#include "evict.h"
#include "io_threads/io_threads.h"
#include "log.h"
#include "net.h"
#include "reply.h"
#include "server.h"
#include "str.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <unistd.h>

typedef enum {
    CONF_BOOL,   /* int: yes/no */
    CONF_INT,    /* int */
    CONF_UINT,   /* unsigned int */
    CONF_LL,     /* long long */
    CONF_ULL,    /* unsigned long long */
    CONF_ENUM,   /* int, one of names */
    CONF_STRING, /* char *, "" stored as NULL */
    CONF_SPECIAL /* own parse/format functions */
} confKind;

#define CONF_IMMUTABLE (1 << 0) /* start-up only */
#define CONF_MEMORY (1 << 1)    /* numeric with memory units (1gb, 512mb) */
#define CONF_MULTI_ARG (1 << 2) /* takes several arguments (bind) */

typedef struct confEnum {
    const char *name;
    int value;
} confEnum;

typedef struct confEntry confEntry;
/* Parses and stores argv; returns 0, or -1 with *err set to a static string. */
typedef int confSetFn(const confEntry *e, char **argv, int argc, const char **err);
/* Appends the current value as config text. */
typedef str confGetFn(const confEntry *e, str s);
/* Makes a run-time change take effect; 0, or -1 with *err set. */
typedef int confApplyFn(const char **err);

struct confEntry {
    const char *name;
    const char *alias; /* an older name accepted too (Redis's ziplist names), or NULL */
    confKind kind;
    int flags;
    void *value;
    const char *default_value;
    long long min, max;
    const confEnum *enums;
    confApplyFn *apply;
    confSetFn *set;
    confGetFn *get;
};

/* --- Special directives -------------------------------------------------- */

/* appendfilename and appenddirname: a plain name inside `dir`. */
static int setPlainName(const confEntry *e, char **argv, int argc, const char **err) {
    (void)argc;
    if (!argv[0][0] || strchr(argv[0], '/') || !strcmp(argv[0], ".") || !strcmp(argv[0], "..")) {
        *err = !strcmp(e->name, "appenddirname") ? "appenddirname can't be a path, just a dirname"
                                                 : "appendfilename can't be a path, just a filename";
        return -1;
    }
    char **field = e->value;
    lfree(*field);
    *field = lstrdup(argv[0]);
    return 0;
}

static str getPlainName(const confEntry *e, str s) {
    char *const *field = e->value;
    return strCat(s, *field ? *field : "");
}

static int setBind(const confEntry *e, char **argv, int argc, const char **err) {
    (void)e;
    if (argc > CONFIG_BINDADDR_MAX) {
        *err = "Too many bind addresses specified.";
        return -1;
    }
    for (int i = 0; i < server.bindaddr_count; i++) lfree(server.bindaddr[i]);
    for (int i = 0; i < argc; i++) server.bindaddr[i] = lstrdup(argv[i]);
    server.bindaddr_count = argc;
    return 0;
}

static str getBind(const confEntry *e, str s) {
    (void)e;
    for (int i = 0; i < server.bindaddr_count; i++)
        s = strCatFmt(s, "%s%s", i ? " " : "", server.bindaddr[i]);
    return s;
}

static int setOctal(const confEntry *e, char **argv, int argc, const char **err) {
    (void)argc;
    char *end;
    errno = 0;
    long v = strtol(argv[0], &end, 8);
    if (errno || *end || v < 0 || v > 0777) {
        *err = "Invalid socket file permissions";
        return -1;
    }
    *(unsigned int *)e->value = (unsigned int)v;
    return 0;
}

static str getOctal(const confEntry *e, str s) {
    return strCatFmt(s, "%o", *(unsigned int *)e->value);
}

static int setDir(const confEntry *e, char **argv, int argc, const char **err) {
    (void)e;
    (void)argc;
    if (chdir(argv[0]) < 0) {
        *err = strerror(errno);
        return -1;
    }
    return 0;
}

static str getDir(const confEntry *e, str s) {
    (void)e;
    char cwd[PATH_MAX];
    return strCat(s, getcwd(cwd, sizeof(cwd)) ? cwd : "");
}

static int setPercentiles(const confEntry *e, char **argv, int argc, const char **err) {
    (void)e;
    if (argc > 16) {
        *err = "too many percentiles";
        return -1;
    }
    double values[16];
    for (int i = 0; i < argc; i++) {
        if (!string2d(argv[i], strlen(argv[i]), &values[i]) || values[i] < 0 || values[i] > 100) {
            *err = "latency-tracking-info-percentiles should be between 0.0 and 100.0";
            return -1;
        }
    }
    memcpy(server.latency_percentiles, values, sizeof(double) * (size_t)argc);
    server.latency_percentiles_count = argc;
    return 0;
}

static str getPercentiles(const confEntry *e, str s) {
    (void)e;
    for (int i = 0; i < server.latency_percentiles_count; i++) {
        char buf[64];
        d2string(buf, sizeof(buf), server.latency_percentiles[i]);
        s = strCatFmt(s, "%s%s", i ? " " : "", buf);
    }
    return s;
}

static const char *const client_class_names[CLIENT_CLASS_COUNT] = {"normal", "slave", "pubsub"};

static int clientClassByName(const char *name) {
    if (!strcasecmp(name, "normal")) return CLIENT_CLASS_NORMAL;
    if (!strcasecmp(name, "slave") || !strcasecmp(name, "replica")) return CLIENT_CLASS_REPLICA;
    if (!strcasecmp(name, "pubsub")) return CLIENT_CLASS_PUBSUB;
    return -1;
}

/* "class hard soft soft-seconds [class ...]": every group is validated
 * before any limit changes. */
static int setObufLimits(const confEntry *e, char **argv, int argc, const char **err) {
    (void)e;
    if (argc % 4 != 0) {
        *err = "Wrong number of arguments in buffer limit configuration.";
        return -1;
    }
    obufLimit limits[CLIENT_CLASS_COUNT];
    memcpy(limits, server.obuf_limits, sizeof(limits));
    for (int i = 0; i < argc; i += 4) {
        int cls = clientClassByName(argv[i]);
        unsigned long long hard, soft;
        long long seconds;
        if (cls < 0) {
            *err = "Invalid client class specified in buffer limit configuration.";
            return -1;
        }
        if (!memtoull(argv[i + 1], &hard) || !memtoull(argv[i + 2], &soft) ||
            !string2ll(argv[i + 3], strlen(argv[i + 3]), &seconds) || seconds < 0) {
            *err = "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
            return -1;
        }
        limits[cls] = (obufLimit){hard, soft, seconds};
    }
    memcpy(server.obuf_limits, limits, sizeof(limits));
    return 0;
}

static str getObufLimits(const confEntry *e, str s) {
    (void)e;
    for (int i = 0; i < CLIENT_CLASS_COUNT; i++) {
        const obufLimit *l = &server.obuf_limits[i];
        s = strCatFmt(s, "%s%s %llu %llu %lld", i ? " " : "", client_class_names[i],
                      l->hard_bytes, l->soft_bytes, l->soft_seconds);
    }
    return s;
}

/* "save": pairs of <seconds> <changes>, or one empty argument for none. */
static int setSaveParams(const confEntry *e, char **argv, int argc, const char **err) {
    (void)e;
    if (argc == 1 && argv[0][0] == '\0') {
        server.save_params_count = 0;
        return 0;
    }
    if (argc % 2 != 0 || argc / 2 > (int)(sizeof(server.save_params) / sizeof(server.save_params[0]))) {
        *err = "Invalid save parameters";
        return -1;
    }
    saveParam params[16];
    for (int i = 0; i < argc; i += 2) {
        long long seconds, changes;
        if (!string2ll(argv[i], strlen(argv[i]), &seconds) ||
            !string2ll(argv[i + 1], strlen(argv[i + 1]), &changes) || seconds < 1 ||
            changes < 0 || changes > INT_MAX) {
            *err = "Invalid save parameters";
            return -1;
        }
        params[i / 2] = (saveParam){(time_t)seconds, (int)changes};
    }
    memcpy(server.save_params, params, sizeof(saveParam) * (size_t)(argc / 2));
    server.save_params_count = argc / 2;
    return 0;
}

static str getSaveParams(const confEntry *e, str s) {
    (void)e;
    for (int i = 0; i < server.save_params_count; i++)
        s = strCatFmt(s, "%s%lld %d", i ? " " : "", (long long)server.save_params[i].seconds,
                      server.save_params[i].changes);
    return s;
}

static int setDbFilename(const confEntry *e, char **argv, int argc, const char **err) {
    (void)e;
    (void)argc;
    if (strchr(argv[0], '/') || !argv[0][0]) {
        *err = "dbfilename can't be a path, just a filename";
        return -1;
    }
    lfree(server.rdb_filename);
    server.rdb_filename = lstrdup(argv[0]);
    return 0;
}

static str getDbFilename(const confEntry *e, str s) {
    (void)e;
    return strCat(s, server.rdb_filename ? server.rdb_filename : "");
}

/* --- Apply functions ----------------------------------------------------- */

static int applyLogLevel(const char **err) {
    (void)err;
    logSetLevel(server.verbosity);
    return 0;
}

static int applyIoLimits(const char **err) {
    (void)err;
    /* I/O threads read the limits while they run a job. */
    ioThreadsWaitIdle();
    server.io_limits.proto_max_bulk_len = server.proto_max_bulk_len;
    server.io_limits.qbuf_limit = (size_t)server.client_max_querybuf_len;
    return 0;
}

static int applyBind(const char **err) {
    static char msg[256];
    if (netRebindTcp(msg, sizeof(msg)) == 0) return 0;
    *err = msg;
    return -1;
}

static int applyIoThreads(const char **err) {
    (void)err;
    /* Takes effect before the loop sleeps, outside any command. */
    ioThreadsRequestResize(server.io_threads_num);
    return 0;
}

static int applyIoEventsPerThread(const char **err) {
    (void)err;
    ioThreadsSetEventsPerThread(server.io_threads_events_per_thread);
    return 0;
}

static int applyEviction(const char **err) {
    (void)err;
    evictApplyPolicy();
    return 0;
}

static int applyHz(const char **err) {
    (void)err;
    if (server.config_hz < 1) server.config_hz = 1;
    if (server.config_hz > 500) server.config_hz = 500;
    server.hz = server.config_hz;
    return 0;
}

static int applyMaxclients(const char **err) {
    int setsize = (int)server.maxclients + CONFIG_RESERVED_FDS + 96;
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 &&
        limit.rlim_cur < (rlim_t)server.maxclients + CONFIG_RESERVED_FDS) {
        limit.rlim_cur = (rlim_t)server.maxclients + CONFIG_RESERVED_FDS;
        if (limit.rlim_cur > limit.rlim_max || setrlimit(RLIMIT_NOFILE, &limit) < 0) {
            *err = "The operating system is not able to handle the specified number of clients";
            return -1;
        }
    }
    if (setsize > aeGetSetSize(server.el) && aeResizeSetSize(server.el, setsize) < 0) {
        *err = "The event loop API used by loom is not able to handle the specified number of "
               "clients";
        return -1;
    }
    return 0;
}

static const confEnum loglevel_enum[] = {
    {"debug", LL_DEBUG}, {"verbose", LL_VERBOSE}, {"notice", LL_NOTICE},
    {"warning", LL_WARNING}, {NULL, 0}};

/* Multiplexer names map to themselves; availability is checked when the event
 * loop is created. */
static const confEnum multiplexer_enum[] = {
    {"auto", 0}, {"epoll", 1}, {"kqueue", 2}, {"poll", 3}, {"select", 4}, {NULL, 0}};
static int multiplexer_choice;

static const confEnum maxmemory_policy_enum[] = {
    {"volatile-lru", MAXMEMORY_VOLATILE_LRU},   {"volatile-lfu", MAXMEMORY_VOLATILE_LFU},
    {"volatile-random", MAXMEMORY_VOLATILE_RANDOM}, {"volatile-ttl", MAXMEMORY_VOLATILE_TTL},
    {"allkeys-lru", MAXMEMORY_ALLKEYS_LRU},     {"allkeys-lfu", MAXMEMORY_ALLKEYS_LFU},
    {"allkeys-random", MAXMEMORY_ALLKEYS_RANDOM}, {"noeviction", MAXMEMORY_NO_EVICTION},
    {NULL, 0}};

static const confEnum appendfsync_enum[] = {{"always", AOF_FSYNC_ALWAYS},
                                            {"everysec", AOF_FSYNC_EVERYSEC},
                                            {"no", AOF_FSYNC_NO},
                                            {NULL, 0}};
static const confEnum protected_enum[] = {
    {"no", PROTECTED_NO}, {"yes", PROTECTED_YES}, {"local", PROTECTED_LOCAL}, {NULL, 0}};

const char *configMultiplexerName(void) { return multiplexer_enum[multiplexer_choice].name; }

#define BOOL(n, field, def, ap)                                                                    \
    {n, NULL, CONF_BOOL, 0, &server.field, def, 0, 1, NULL, ap, NULL, NULL}
#define INT(n, fl, field, def, lo, hi, ap)                                                         \
    {n, NULL, CONF_INT, fl, &server.field, def, lo, hi, NULL, ap, NULL, NULL}
#define INT_ALIAS(n, alias, field, def, lo, hi)                                                    \
    {n, alias, CONF_INT, 0, &server.field, def, lo, hi, NULL, NULL, NULL, NULL}
#define UINT(n, fl, field, def, lo, hi, ap)                                                        \
    {n, NULL, CONF_UINT, fl, &server.field, def, lo, hi, NULL, ap, NULL, NULL}
#define LL(n, fl, field, def, lo, hi, ap)                                                          \
    {n, NULL, CONF_LL, fl, &server.field, def, lo, hi, NULL, ap, NULL, NULL}
#define ULL(n, fl, field, def, lo, hi, ap)                                                         \
    {n, NULL, CONF_ULL, fl, &server.field, def, lo, hi, NULL, ap, NULL, NULL}
#define ENUM(n, fl, var, def, names, ap)                                                           \
    {n, NULL, CONF_ENUM, fl, &var, def, 0, 0, names, ap, NULL, NULL}
#define STRING(n, fl, field, def)                                                                  \
    {n, NULL, CONF_STRING, fl, &server.field, def, 0, 0, NULL, NULL, NULL, NULL}
#define SPECIAL(n, fl, var, def, setfn, getfn, ap)                                                 \
    {n, NULL, CONF_SPECIAL, fl, var, def, 0, 0, NULL, ap, setfn, getfn}

static const confEntry config_table[] = {
    SPECIAL("bind", CONF_MULTI_ARG, NULL, "127.0.0.1 -::1", setBind, getBind, applyBind),
    INT("port", 0, port, "6379", 0, 65535, applyBind),
    INT("tcp-backlog", CONF_IMMUTABLE, tcp_backlog, "511", 0, INT_MAX, NULL),
    INT("tcp-keepalive", 0, tcpkeepalive, "300", 0, INT_MAX, NULL),
    STRING("unixsocket", CONF_IMMUTABLE, unixsocket, ""),
    SPECIAL("unixsocketperm", CONF_IMMUTABLE, &server.unixsocketperm, "0", setOctal, getOctal,
            NULL),
    INT("timeout", 0, maxidletime, "0", 0, INT_MAX, NULL),
    UINT("maxclients", 0, maxclients, "10000", 1, UINT_MAX, applyMaxclients),
    INT("databases", CONF_IMMUTABLE, dbnum, "16", 1, INT_MAX, NULL),
    INT("hz", 0, config_hz, "10", 0, INT_MAX, applyHz),
    BOOL("dynamic-hz", dynamic_hz, "yes", NULL),
    ENUM("loglevel", 0, server.verbosity, "notice", loglevel_enum, applyLogLevel),
    STRING("logfile", CONF_IMMUTABLE, logfile, ""),
    STRING("pidfile", CONF_IMMUTABLE, pidfile, ""),
    BOOL("daemonize", daemonize, "no", NULL),
    SPECIAL("dir", 0, NULL, "./", setDir, getDir, NULL),
    LL("proto-max-bulk-len", CONF_MEMORY, proto_max_bulk_len, "512mb", 1024 * 1024, LLONG_MAX,
       applyIoLimits),
    ULL("client-query-buffer-limit", CONF_MEMORY, client_max_querybuf_len, "1gb", 1024 * 1024,
        LLONG_MAX, applyIoLimits),
    ENUM("multiplexer", CONF_IMMUTABLE, multiplexer_choice, "auto", multiplexer_enum, NULL),
    INT("active-expire-effort", 0, active_expire_effort, "1", 1, 10, NULL),
    BOOL("activerehashing", activerehashing, "yes", NULL),
    SPECIAL("dbfilename", 0, NULL, "dump.rdb", setDbFilename, getDbFilename, NULL),
    SPECIAL("save", CONF_MULTI_ARG, NULL, "3600 1 300 100 60 10000", setSaveParams, getSaveParams,
            NULL),
    BOOL("rdbcompression", rdb_compression, "yes", NULL),
    BOOL("rdbchecksum", rdb_checksum, "yes", NULL),
    INT("rdb-key-save-delay", 0, rdb_key_save_delay, "0", 0, INT_MAX, NULL),
    BOOL("stop-writes-on-bgsave-error", stop_writes_on_bgsave_err, "yes", NULL),
    ULL("maxmemory", CONF_MEMORY, maxmemory, "0", 0, LLONG_MAX, applyEviction),
    ENUM("maxmemory-policy", 0, server.maxmemory_policy, "noeviction", maxmemory_policy_enum,
         applyEviction),
    INT("maxmemory-samples", 0, maxmemory_samples, "5", 1, 64, NULL),
    INT("maxmemory-eviction-tenacity", 0, maxmemory_eviction_tenacity, "10", 0, 100, NULL),
    INT("lfu-log-factor", 0, lfu_log_factor, "10", 0, INT_MAX, applyEviction),
    INT("lfu-decay-time", 0, lfu_decay_time, "1", 0, INT_MAX, applyEviction),
    SPECIAL("client-output-buffer-limit", CONF_MULTI_ARG, NULL,
            "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60", setObufLimits,
            getObufLimits, NULL),
    BOOL("latency-tracking", latency_tracking, "yes", NULL),
    SPECIAL("latency-tracking-info-percentiles", CONF_MULTI_ARG, NULL, "50 99 99.9",
            setPercentiles, getPercentiles, NULL),
    INT_ALIAS("list-max-listpack-size", "list-max-ziplist-size", list_max_listpack_size, "-2",
              INT_MIN, INT_MAX),
    INT("list-compress-depth", 0, list_compress_depth, "0", 0, INT_MAX, NULL),
    INT_ALIAS("hash-max-listpack-entries", "hash-max-ziplist-entries", hash_max_listpack_entries,
              "512", 0, INT_MAX),
    INT_ALIAS("hash-max-listpack-value", "hash-max-ziplist-value", hash_max_listpack_value, "64",
              0, INT_MAX),
    INT("set-max-intset-entries", 0, set_max_intset_entries, "512", 0, INT_MAX, NULL),
    INT("set-max-listpack-entries", 0, set_max_listpack_entries, "128", 0, INT_MAX, NULL),
    INT("set-max-listpack-value", 0, set_max_listpack_value, "64", 0, INT_MAX, NULL),
    INT_ALIAS("zset-max-listpack-entries", "zset-max-ziplist-entries", zset_max_listpack_entries,
              "128", 0, INT_MAX),
    INT_ALIAS("zset-max-listpack-value", "zset-max-ziplist-value", zset_max_listpack_value, "64",
              0, INT_MAX),
    INT("io-threads", 0, io_threads_num, "1", 1, 128, applyIoThreads),
    BOOL("io-threads-do-reads", io_threads_do_reads, "no", NULL),
    INT("io-threads-events-per-thread", 0, io_threads_events_per_thread, "64", 0, INT_MAX,
        applyIoEventsPerThread),
    BOOL("lazyfree-lazy-eviction", lazyfree_lazy_eviction, "no", NULL),
    BOOL("lazyfree-lazy-expire", lazyfree_lazy_expire, "no", NULL),
    BOOL("lazyfree-lazy-server-del", lazyfree_lazy_server_del, "no", NULL),
    BOOL("lazyfree-lazy-user-del", lazyfree_lazy_user_del, "no", NULL),
    BOOL("lazyfree-lazy-user-flush", lazyfree_lazy_user_flush, "no", NULL),
    ENUM("enable-debug-command", CONF_IMMUTABLE, server.enable_debug_cmd, "no", protected_enum,
         NULL),
    BOOL("appendonly", aof_enabled, "no", aofApplyEnabled),
    SPECIAL("appendfilename", CONF_IMMUTABLE, &server.aof_filename, "appendonly.aof", setPlainName,
            getPlainName, NULL),
    SPECIAL("appenddirname", CONF_IMMUTABLE, &server.aof_dirname, "appendonlydir", setPlainName,
            getPlainName, NULL),
    ENUM("appendfsync", 0, server.aof_fsync, "everysec", appendfsync_enum, NULL),
    INT("auto-aof-rewrite-percentage", 0, aof_rewrite_perc, "100", 0, INT_MAX, NULL),
    LL("auto-aof-rewrite-min-size", CONF_MEMORY, aof_rewrite_min_size, "64mb", 0, LLONG_MAX, NULL),
    BOOL("aof-use-rdb-preamble", aof_use_rdb_preamble, "yes", NULL),
    BOOL("aof-load-truncated", aof_load_truncated, "yes", NULL),
};
#define CONFIG_COUNT (sizeof(config_table) / sizeof(config_table[0]))

static const confEntry *lookupEntry(const char *name) {
    for (size_t i = 0; i < CONFIG_COUNT; i++) {
        const confEntry *e = &config_table[i];
        if (!strcasecmp(e->name, name) || (e->alias && !strcasecmp(e->alias, name))) return e;
    }
    return NULL;
}

/* --- Generic set and get ------------------------------------------------- */

static int parseNumber(const confEntry *e, const char *text, long long *v, const char **err) {
    static char msg[128];
    int ok;
    if (e->flags & CONF_MEMORY) {
        unsigned long long u;
        ok = memtoull(text, &u);
        /* Redis reads memory values unsigned; loom's fields stop at LLONG_MAX. */
        *v = u > (unsigned long long)LLONG_MAX ? LLONG_MAX : (long long)u;
        if (!ok) {
            *err = "argument must be a memory value";
            return -1;
        }
    } else {
        ok = string2ll(text, strlen(text), v);
        if (!ok) {
            *err = "argument couldn't be parsed into an integer";
            return -1;
        }
    }
    if (*v < e->min || *v > e->max) {
        snprintf(msg, sizeof(msg), "argument must be between %lld and %lld inclusive", e->min,
                 e->max);
        *err = msg;
        return -1;
    }
    return 0;
}

static int setEntry(const confEntry *e, char **argv, int argc, const char **err) {
    static char msg[256];
    long long v;
    if (e->kind == CONF_SPECIAL) return e->set(e, argv, argc, err);
    if (argc != 1) {
        *err = "wrong number of arguments";
        return -1;
    }
    switch (e->kind) {
        case CONF_BOOL:
            if (!strcasecmp(argv[0], "yes")) *(int *)e->value = 1;
            else if (!strcasecmp(argv[0], "no")) *(int *)e->value = 0;
            else {
                *err = "argument must be 'yes' or 'no'";
                return -1;
            }
            return 0;
        case CONF_INT:
        case CONF_UINT:
        case CONF_LL:
        case CONF_ULL:
            if (parseNumber(e, argv[0], &v, err) < 0) return -1;
            if (e->kind == CONF_INT) *(int *)e->value = (int)v;
            else if (e->kind == CONF_UINT) *(unsigned int *)e->value = (unsigned int)v;
            else if (e->kind == CONF_LL) *(long long *)e->value = v;
            else *(unsigned long long *)e->value = (unsigned long long)v;
            return 0;
        case CONF_ENUM:
            for (const confEnum *en = e->enums; en->name; en++) {
                if (!strcasecmp(en->name, argv[0])) {
                    *(int *)e->value = en->value;
                    return 0;
                }
            }
            str names = strEmpty();
            for (const confEnum *en = e->enums; en->name; en++)
                names = strCatFmt(names, "%s%s", en == e->enums ? "" : ", ", en->name);
            snprintf(msg, sizeof(msg), "argument(s) must be one of the following: %s", names);
            strFree(names);
            *err = msg;
            return -1;
        case CONF_STRING: {
            char **field = e->value;
            lfree(*field);
            *field = argv[0][0] ? lstrdup(argv[0]) : NULL;
            return 0;
        }
        case CONF_SPECIAL: break;
    }
    return -1;
}

/* Formats a memory value the way Redis writes it back: in the largest exact
 * unit. */
static str formatMemory(str s, long long v) {
    static const struct {
        const char *unit;
        long long size;
    } units[] = {{"gb", 1024LL * 1024 * 1024}, {"mb", 1024 * 1024}, {"kb", 1024}};
    for (size_t i = 0; i < 3; i++)
        if (v && v % units[i].size == 0) return strCatFmt(s, "%lld%s", v / units[i].size, units[i].unit);
    return strCatFmt(s, "%lld", v);
}

/* Appends the value as CONFIG GET shows it (or, with `for_file`, as the config
 * file spells it: memory in units). */
static str getEntry(const confEntry *e, str s, int for_file) {
    long long v = 0;
    switch (e->kind) {
        case CONF_BOOL: return strCat(s, *(int *)e->value ? "yes" : "no");
        case CONF_INT: v = *(int *)e->value; break;
        case CONF_UINT: v = *(unsigned int *)e->value; break;
        case CONF_LL: v = *(long long *)e->value; break;
        case CONF_ULL: v = (long long)*(unsigned long long *)e->value; break;
        case CONF_ENUM:
            for (const confEnum *en = e->enums; en->name; en++)
                if (en->value == *(int *)e->value) return strCat(s, en->name);
            return s;
        case CONF_STRING: {
            char *field = *(char **)e->value;
            return strCat(s, field ? field : "");
        }
        case CONF_SPECIAL: return e->get(e, s);
    }
    if (for_file && (e->flags & CONF_MEMORY)) return formatMemory(s, v);
    return strCatFmt(s, "%lld", v);
}

/* Splits a default such as "127.0.0.1 -::1" into arguments. */
static int setFromText(const confEntry *e, const char *text, const char **err) {
    int argc;
    str *argv = strSplitArgs(text, &argc);
    if (!argv) {
        *err = "unbalanced quotes";
        return -1;
    }
    if (argc == 0 && e->kind == CONF_STRING) {
        char *empty[1] = {""};
        strFreeSplit(argv, argc);
        return setEntry(e, empty, 1, err);
    }
    int rc = setEntry(e, argv, argc, err);
    strFreeSplit(argv, argc);
    return rc;
}

/* A CONFIG SET value: one argument, except for directives that take
 * several (bind), whose value is split like a config line. */
static int setFromValue(const confEntry *e, const char *value, const char **err) {
    if (e->flags & CONF_MULTI_ARG) return setFromText(e, value, err);
    char *argv[1] = {(char *)value};
    return setEntry(e, argv, 1, err);
}

void configInitDefaults(void) {
    for (size_t i = 0; i < CONFIG_COUNT; i++) {
        const confEntry *e = &config_table[i];
        const char *err;
        /* "dir" has no default to apply: the working directory stays. */
        if (e->set == setDir) continue;
        int rc = setFromText(e, e->default_value, &err);
        loomAssert(rc == 0);
    }
    server.hz = server.config_hz;
}

/* --- Loading ------------------------------------------------------------- */

static void loadFailed(const char *source, int linenum, const char *line, const char *reason) {
    fprintf(stderr, "\n*** FATAL CONFIG FILE ERROR (loom %s) ***\n", LOOM_VERSION);
    fprintf(stderr, "Reading the configuration file, at line %d of %s\n", linenum, source);
    fprintf(stderr, ">>> '%s'\n", line);
    fprintf(stderr, "%s\n", reason);
    exit(1);
}

static void loadFile(const char *path, int depth);

/* Applies one config line; returns NULL or the reason it is invalid. */
static const char *loadLine(char **argv, int argc, int depth) {
    static char msg[256];
    if (!strcasecmp(argv[0], "include")) {
        if (argc != 2) return "Bad directive or wrong number of arguments";
        if (depth > 8) return "include nesting too deep";
        loadFile(argv[1], depth + 1);
        return NULL;
    }
    const confEntry *e = lookupEntry(argv[0]);
    if (!e) return "Bad directive or wrong number of arguments";
    if (argc < 2 || (argc > 2 && !(e->flags & CONF_MULTI_ARG))) return "wrong number of arguments";
    const char *err = NULL;
    /* A multi-argument directive given as one quoted argument is split, so
     * `--bind "127.0.0.1 ::1"` works like the unquoted form. */
    int rc = (e->flags & CONF_MULTI_ARG) && argc == 2 ? setFromText(e, argv[1], &err)
                                                      : setEntry(e, argv + 1, argc - 1, &err);
    if (rc < 0) {
        snprintf(msg, sizeof(msg), "%s", err);
        return msg;
    }
    return NULL;
}

/* Loads config text; `source` names it in errors. */
static void loadText(const char *text, const char *source, int depth) {
    int linenum = 0;
    const char *p = text;
    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        str line = strNewLen(p, len);
        p += len + (eol ? 1 : 0);
        linenum++;
        /* Trim whitespace; skip blank lines and comments. */
        size_t start = 0, end = strLen(line);
        while (start < end && isspace((unsigned char)line[start])) start++;
        while (end > start && isspace((unsigned char)line[end - 1])) end--;
        strRange(line, (long long)start, (long long)end - 1);
        if (end == start || line[0] == '#') {
            strFree(line);
            continue;
        }
        int argc;
        str *argv = strSplitArgs(line, &argc);
        if (!argv) loadFailed(source, linenum, line, "Unbalanced quotes in configuration line");
        const char *reason = argc ? loadLine(argv, argc, depth) : NULL;
        if (reason) loadFailed(source, linenum, line, reason);
        strFreeSplit(argv, argc);
        strFree(line);
    }
}

static void loadFile(const char *path, int depth) {
    FILE *fp = fopen(path, "r");
    if (!fp) {
        fprintf(stderr, "Fatal error, can't open config file '%s': %s\n", path, strerror(errno));
        exit(1);
    }
    str text = strEmpty();
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0) text = strCatLen(text, chunk, n);
    fclose(fp);
    loadText(text, path, depth);
    strFree(text);
}

void configLoad(const char *path, int argc, char **argv) {
    if (path) loadFile(path, 0);
    /* Each "--name" starts a line; the arguments up to the next "--name" are
     * its values, quoted so that empty values and spaces survive. */
    str options = strEmpty();
    for (int i = 0; i < argc; i++) {
        if (argv[i][0] == '-' && argv[i][1] == '-' && argv[i][2]) {
            if (strLen(options)) options = strCat(options, "\n");
            options = strCat(options, argv[i] + 2);
        } else {
            options = strCat(options, " ");
            options = strCatRepr(options, argv[i], strlen(argv[i]));
        }
    }
    if (strLen(options)) loadText(options, "(command line)", 0);
    strFree(options);
}

/* --- CONFIG GET ---------------------------------------------------------- */

static int hasGlobChars(const arg *a) { return strpbrk(a->ptr, "*?[") != NULL; }

static void configGetCommand(client *c) {
    /* Every name (aliases count as names) matched by some pattern, once. A
     * name without glob characters is answered with the spelling the client
     * used, as Redis does. */
    const arg *spelling[CONFIG_COUNT][2] = {{0}};
    char seen[CONFIG_COUNT][2] = {{0}};
    long matches = 0;
    for (int j = 2; j < c->argc; j++) {
        const arg *a = &c->argv[j];
        for (size_t i = 0; i < CONFIG_COUNT; i++) {
            const char *names[2] = {config_table[i].name, config_table[i].alias};
            for (int k = 0; k < 2; k++) {
                if (!names[k] || seen[i][k] ||
                    !stringmatchlen(a->ptr, a->len, names[k], strlen(names[k]), 1))
                    continue;
                seen[i][k] = 1;
                if (!hasGlobChars(a)) spelling[i][k] = a;
                matches++;
            }
        }
    }
    replyMapLen(c, matches);
    for (size_t i = 0; i < CONFIG_COUNT; i++) {
        const char *names[2] = {config_table[i].name, config_table[i].alias};
        for (int k = 0; k < 2; k++) {
            if (!seen[i][k]) continue;
            str value = getEntry(&config_table[i], strEmpty(), 0);
            if (spelling[i][k]) replyBulk(c, spelling[i][k]->ptr, spelling[i][k]->len);
            else replyBulkCString(c, names[k]);
            replyBulk(c, value, strLen(value));
            strFree(value);
        }
    }
}

/* --- CONFIG SET ---------------------------------------------------------- */

static void configSetCommand(client *c) {
    int pairs = (c->argc - 2) / 2;
    if ((c->argc - 2) % 2 != 0) {
        replySyntaxError(c);
        return;
    }
    const confEntry *entries[CONFIG_COUNT];
    str old_values[CONFIG_COUNT];
    const char *err = NULL;
    int failed_at = -1, set_count = 0;

    /* Validate names first: nothing changes unless every name is settable. */
    for (int i = 0; i < pairs; i++) {
        const arg *name = &c->argv[2 + i * 2];
        entries[i] = lookupEntry(name->ptr);
        if (!entries[i]) {
            replyErrorFormat(c, "Unknown option or number of arguments for CONFIG SET - '%s'",
                             name->ptr);
            return;
        }
        if (entries[i]->flags & CONF_IMMUTABLE) {
            err = "can't set immutable config";
            failed_at = i;
            break;
        }
        for (int j = 0; j < i; j++)
            if (entries[j] == entries[i]) {
                err = "duplicate parameter";
                failed_at = i;
            }
        if (failed_at >= 0) break;
        if (i >= (int)CONFIG_COUNT) {
            err = "too many parameters";
            failed_at = i;
            break;
        }
    }
    /* Set every value, then apply; on failure restore the old values. */
    for (int i = 0; failed_at < 0 && i < pairs; i++) {
        old_values[i] = getEntry(entries[i], strEmpty(), 1);
        set_count++;
        if (setFromValue(entries[i], c->argv[3 + i * 2].ptr, &err) < 0) failed_at = i;
    }
    for (int i = 0; failed_at < 0 && i < pairs; i++)
        if (entries[i]->apply && entries[i]->apply(&err) < 0) failed_at = i;
    if (failed_at >= 0) {
        for (int i = 0; i < set_count; i++) {
            const char *ignored;
            setFromValue(entries[i], old_values[i], &ignored);
            if (entries[i]->apply) entries[i]->apply(&ignored);
        }
        replyErrorFormat(c, "CONFIG SET failed (possibly related to argument '%s') - %s",
                         c->argv[2 + failed_at * 2].ptr, err);
    } else {
        replyOk(c);
    }
    for (int i = 0; i < set_count; i++) strFree(old_values[i]);
}

/* --- CONFIG REWRITE ------------------------------------------------------ */

/* True when the directive holds its default value. */
static int isDefault(const confEntry *e) {
    const char *err;
    long long def;
    switch (e->kind) {
        case CONF_BOOL: return *(int *)e->value == !strcasecmp(e->default_value, "yes");
        case CONF_INT: return parseNumber(e, e->default_value, &def, &err) == 0 && def == *(int *)e->value;
        case CONF_UINT:
            return parseNumber(e, e->default_value, &def, &err) == 0 &&
                   def == (long long)*(unsigned int *)e->value;
        case CONF_LL:
            return parseNumber(e, e->default_value, &def, &err) == 0 && def == *(long long *)e->value;
        case CONF_ULL:
            return parseNumber(e, e->default_value, &def, &err) == 0 &&
                   (unsigned long long)def == *(unsigned long long *)e->value;
        case CONF_ENUM:
            for (const confEnum *en = e->enums; en->name; en++)
                if (!strcasecmp(en->name, e->default_value)) return en->value == *(int *)e->value;
            return 0;
        case CONF_STRING:
        case CONF_SPECIAL: {
            str value = getEntry(e, strEmpty(), 1);
            int same = !strcmp(value, e->default_value);
            strFree(value);
            return same;
        }
    }
    return 0;
}

/* The text of one directive line, as a config file spells it. */
static str directiveLine(const confEntry *e) {
    str value = getEntry(e, strEmpty(), 1);
    str line = strCatFmt(strEmpty(), "%s ", e->name);
    if (e->flags & CONF_MULTI_ARG) line = strCat(line, strLen(value) ? value : "\"\"");
    else if (e->kind == CONF_STRING || e->kind == CONF_SPECIAL)
        line = strCatRepr(line, value, strLen(value));
    else line = strCat(line, value);
    strFree(value);
    return line;
}

#define REWRITE_HEADER "# Generated by CONFIG REWRITE"

static int rewriteConfigFile(const char *path, const char **err) {
    static char msg[256];
    str out = strEmpty();
    char done[CONFIG_COUNT] = {0};
    int has_header = 0;
    FILE *fp = fopen(path, "r");
    if (fp) {
        char buf[65536];
        while (fgets(buf, sizeof(buf), fp)) {
            size_t len = strcspn(buf, "\r\n");
            buf[len] = '\0';
            int argc = 0;
            str *argv = buf[0] == '#' ? NULL : strSplitArgs(buf, &argc);
            const confEntry *e = argv && argc ? lookupEntry(argv[0]) : NULL;
            if (argv) strFreeSplit(argv, argc);
            if (!strcmp(buf, REWRITE_HEADER)) has_header = 1;
            if (!e) {
                out = strCatFmt(out, "%s\n", buf);
                continue;
            }
            size_t idx = (size_t)(e - config_table);
            if (done[idx]) continue; /* later duplicates collapse into the first */
            done[idx] = 1;
            str line = directiveLine(e);
            out = strCatFmt(out, "%s\n", line);
            strFree(line);
        }
        fclose(fp);
    }
    for (size_t i = 0; i < CONFIG_COUNT; i++) {
        if (done[i] || isDefault(&config_table[i])) continue;
        str line = directiveLine(&config_table[i]);
        if (!has_header) {
            out = strCat(out, REWRITE_HEADER "\n");
            has_header = 1;
        }
        out = strCatFmt(out, "%s\n", line);
        strFree(line);
    }
    /* Write a sibling temporary file and rename it over the old one, so a
     * crash never leaves a half-written config. */
    str tmp = strCatFmt(strEmpty(), "%s.tmp-%d", path, (int)getpid());
    int rc = -1;
    FILE *wf = fopen(tmp, "w");
    if (wf) {
        size_t len = strLen(out);
        int ok = fwrite(out, 1, len, wf) == len && fflush(wf) == 0 && fsync(fileno(wf)) == 0;
        ok = (fclose(wf) == 0) && ok;
        if (ok && rename(tmp, path) == 0) rc = 0;
    }
    if (rc < 0) {
        snprintf(msg, sizeof(msg), "%s", strerror(errno));
        *err = msg;
        unlink(tmp);
    }
    strFree(tmp);
    strFree(out);
    return rc;
}

static void configRewriteCommand(client *c) {
    if (!server.configfile) {
        replyError(c, "The server is running without a config file");
        return;
    }
    const char *err;
    if (rewriteConfigFile(server.configfile, &err) < 0) {
        serverLog(LL_WARNING, "CONFIG REWRITE failed: %s", err);
        replyErrorFormat(c, "Rewriting config file: %s", err);
        return;
    }
    serverLog(LL_NOTICE, "CONFIG REWRITE executed with success.");
    replyOk(c);
}

static void configResetStatCommand(client *c) {
    serverResetStats();
    commandResetStats();
    replyOk(c);
}

static void configHelpCommand(client *c) {
    static const char *const help[] = {
        "GET <pattern>",
        "    Return parameters matching the glob-like <pattern> and their values.",
        "SET <directive> <value>",
        "    Set the configuration <directive> to <value>.",
        "RESETSTAT",
        "    Reset statistics reported by the INFO command.",
        "REWRITE",
        "    Rewrite the configuration file.",
        NULL};
    replyHelpLines(c, help);
}

static command configSubcommands[] = {
    {"get", configGetCommand, -3, CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE, 0, 0, 0,
     CMD_GROUP_SERVER, "2.0.0", "O(N) when N is the number of configuration parameters provided",
     "Get the values of configuration parameters.", NULL},
    {"set", configSetCommand, -4,
     CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE, 0, 0, 0, CMD_GROUP_SERVER, "2.0.0",
     "O(N) when N is the number of configuration parameters provided",
     "Set configuration parameters to the given values.", NULL},
    {"rewrite", configRewriteCommand, 2, CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE, 0, 0,
     0, CMD_GROUP_SERVER, "2.8.0", "O(1)",
     "Rewrite the configuration file with the in memory configuration.", NULL},
    {"resetstat", configResetStatCommand, 2, CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE,
     0, 0, 0, CMD_GROUP_SERVER, "2.0.0", "O(1)", "Reset the stats returned by INFO.", NULL},
    {"help", configHelpCommand, 2, CMD_LOADING | CMD_STALE, 0, 0, 0, CMD_GROUP_SERVER, "5.0.0",
     "O(1)", "Show helpful text about the different subcommands.", NULL},
    {0}};

command configCommandTable[] = {
    {"config", NULL, -2, 0, 0, 0, 0, CMD_GROUP_SERVER, "2.0.0", "Depends on subcommand.",
     "A container for server configuration commands.", configSubcommands},
    {0}};
