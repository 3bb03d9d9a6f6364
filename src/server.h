/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The main-thread server state: configuration values, listeners, databases,
 * statistics and cached clocks. Only modules that run on the main thread
 * include this header; leaves, netio and the I/O threads never do (what they
 * need travels in small structs such as netioLimits).
 */
#ifndef LOOM_SERVER_H
#define LOOM_SERVER_H

#include "ae/ae.h"
#include "db.h"
#include "ilist.h"
#include "net.h"
#include "netio.h"

#include <signal.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

struct client;

#define LOOM_VERSION "0.1.0"
/* The Redis version whose behaviour loom follows, reported as redis_version so
 * that clients enable the matching features. */
#define LOOM_REDIS_VERSION "7.0.15"
#define CONFIG_BINDADDR_MAX 16
/* Descriptors kept back from maxclients for listeners, logs and files. */
#define CONFIG_RESERVED_FDS 32
#define STATS_METRIC_SAMPLES 16

enum { PROTECTED_NO, PROTECTED_YES, PROTECTED_LOCAL };
/* Client classes of client-output-buffer-limit, in Redis's order. */
enum { CLIENT_CLASS_NORMAL, CLIENT_CLASS_REPLICA, CLIENT_CLASS_PUBSUB, CLIENT_CLASS_COUNT };

typedef struct saveParam {
    time_t seconds;
    int changes;
} saveParam;

typedef struct obufLimit {
    unsigned long long hard_bytes; /* 0 = none */
    unsigned long long soft_bytes; /* 0 = none */
    long long soft_seconds;
} obufLimit;
enum { STATS_METRIC_COMMAND, STATS_METRIC_NET_INPUT, STATS_METRIC_NET_OUTPUT, STATS_METRIC_COUNT };

typedef struct listener {
    int fd;
    int is_unix;
} listener;

struct server {
    pid_t pid;
    char runid[41];
    char *executable;  /* absolute path of the binary */
    char *configfile;  /* absolute path, NULL without a config file */
    aeEventLoop *el;
    netioWorker main_io; /* the main thread's own I/O worker */
    netioLimits io_limits;
    volatile sig_atomic_t shutdown_asap;   /* set by the signal handler */
    volatile sig_atomic_t shutdown_signal; /* which signal asked for it */

    /* --- Configuration (names follow the directives). --- */
    char *bindaddr[CONFIG_BINDADDR_MAX];
    int bindaddr_count;
    int port;
    int tcp_backlog;
    int tcpkeepalive;
    char *unixsocket;
    unsigned int unixsocketperm;
    int maxidletime;           /* timeout, seconds */
    unsigned int maxclients;
    int dbnum;                 /* databases */
    int config_hz;             /* hz */
    int hz;                    /* current frequency (dynamic-hz may raise it) */
    int dynamic_hz;
    int verbosity;             /* loglevel */
    char *logfile;
    char *pidfile;
    int daemonize;
    long long proto_max_bulk_len;
    unsigned long long client_max_querybuf_len;
    int active_expire_enabled; /* DEBUG SET-ACTIVE-EXPIRE */
    int active_expire_effort;
    int activerehashing;
    int enable_debug_cmd; /* enable-debug-command: PROTECTED_* */
    unsigned long long maxmemory;
    int maxmemory_policy; /* MAXMEMORY_* */
    int maxmemory_samples;
    int maxmemory_eviction_tenacity;
    int lfu_log_factor;
    int lfu_decay_time;
    obufLimit obuf_limits[CLIENT_CLASS_COUNT]; /* client-output-buffer-limit */
    /* Snapshots (snapshot.c). */
    char *rdb_filename;              /* dbfilename */
    saveParam save_params[16];       /* save */
    int save_params_count;
    int rdb_compression;
    int rdb_checksum;
    int rdb_key_save_delay; /* rdb-key-save-delay: us per key written (tests only) */
    int stop_writes_on_bgsave_err;
    int rdb_bgsave_scheduled;        /* BGSAVE SCHEDULE while an AOF rewrite runs */
    time_t lastsave;                 /* last successful save */
    time_t lastbgsave_try;
    long long dirty_before_bgsave;
    int rdb_last_bgsave_ok;
    long long rdb_last_save_duration_s;
    long long rdb_saves;
    long long rdb_last_cow_bytes;         /* the last BGSAVE child's private dirty memory */
    long long rdb_last_load_keys_loaded;
    long long rdb_last_load_keys_expired;
    /* Compact encodings and their conversion thresholds. */
    int list_max_listpack_size;
    int list_compress_depth;
    int hash_max_listpack_entries;
    int hash_max_listpack_value;
    int set_max_intset_entries;
    int set_max_listpack_entries;
    int set_max_listpack_value;
    int zset_max_listpack_entries;
    int zset_max_listpack_value;
    int latency_tracking;
    double latency_percentiles[16]; /* latency-tracking-info-percentiles */
    int latency_percentiles_count;
    int io_threads_num;   /* io-threads, the main thread included */
    int io_threads_do_reads;
    int io_threads_events_per_thread;
    /* Persistence. */
    int aof_enabled;           /* appendonly */
    char *aof_filename;        /* appendfilename */
    char *aof_dirname;         /* appenddirname */
    int aof_fsync;             /* appendfsync: AOF_FSYNC_* */
    int aof_rewrite_perc;      /* auto-aof-rewrite-percentage */
    long long aof_rewrite_min_size; /* auto-aof-rewrite-min-size */
    int aof_use_rdb_preamble;
    int aof_load_truncated;
    /* lazyfree-lazy-*: free costly values on the lazy-free BIO worker. */
    int lazyfree_lazy_eviction;
    int lazyfree_lazy_expire;
    int lazyfree_lazy_server_del;
    int lazyfree_lazy_user_del;
    int lazyfree_lazy_user_flush;

    /* --- Network and clients. --- */
    listener listeners[CONFIG_BINDADDR_MAX + 1];
    int listener_count;
    ilist clients_pending_write; /* clients with replies to write before sleeping */
    ilist clients_to_close;      /* clients to free before sleeping */
    struct client *current_client;
    unsigned long clients_cron_cursor;

    /* --- Keyspace. --- */
    db *dbs;
    long long dirty; /* changes to the keyspace since start-up */
    int loading;     /* replaying a file: no expiry, no propagation */

    /* --- Clocks, cached once per event-loop iteration and per command. --- */
    long long unixtime;   /* seconds */
    long long mstime;     /* ms */
    long long ustime;     /* us */
    long long cmd_time_ms; /* the time a command sees (fixed while it runs) */
    long long start_time_ms;
    long long cronloops;

    /* --- Statistics. --- */
    long long stat_numcommands;
    long long stat_numconnections;
    long long stat_rejected_conn;
    long long stat_expiredkeys;
    long long stat_evictedkeys;
    long long stat_expired_stale_perc_x100; /* estimated % of stale volatile keys, x100 */
    long long stat_expired_time_cap_reached_count;
    long long stat_expire_cycle_time_used; /* us */
    long long stat_keyspace_hits;
    long long stat_keyspace_misses;
    long long stat_total_error_replies;
    long long stat_net_input_bytes;
    long long stat_net_output_bytes;
    long long stat_total_reads_processed;
    long long stat_total_writes_processed;
    long long stat_client_qbuf_limit_disconnections;
    long long stat_client_outbuf_limit_disconnections;
    long long stat_io_threaded_reads;
    long long stat_io_threaded_writes;
    netIoStats io_stats_baseline; /* I/O totals at the last CONFIG RESETSTAT */
    long long stat_unexpected_error_replies;
    struct dict *errors; /* error code -> count in v.s64 (INFO errorstats) */
    struct {
        long long last_sample_ms;
        long long last_sample_count;
        long long samples[STATS_METRIC_SAMPLES];
        int idx;
    } inst_metric[STATS_METRIC_COUNT];
    long long stat_peak_memory;
    long long stat_fork_time_us; /* latest_fork_usec */
    long long stat_total_forks;
    long long stat_last_reset_ms;
    size_t client_recent_max_input_buffer;
    size_t client_recent_max_output_buffer;
};

extern struct server server;

/* The instantaneous rate of a metric (per second), from the cron's samples. */
long long serverInstantaneousMetric(int metric);
/* Zeroes the statistics (CONFIG RESETSTAT). */
void serverResetStats(void);
/* Sums the I/O workers' counters into the server statistics. */
void serverSumIoStats(void);
/* Refreshes the cached clocks. */
void serverUpdateCachedTime(void);
/* SHUTDOWN: saves (SHUTDOWN_SAVE; SHUTDOWN_DEFAULT only with save points),
 * then exits. Returns -1 (without exiting) if the save failed and `force` is
 * not set. */
enum { SHUTDOWN_DEFAULT, SHUTDOWN_SAVE, SHUTDOWN_NOSAVE };
int serverShutdown(int how, int force);

#endif
