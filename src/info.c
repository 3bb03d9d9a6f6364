/* SPDX-License-Identifier: BSD-3-Clause
 *
 * INFO: the report sections, with Redis's section and field names so that
 * tools reading them (redis-cli, exporters) work unchanged. Each section is a
 * function appending "field:value\r\n" lines; a table maps names to sections
 * and says which belong to "default", "all" and "everything". Main thread only.
 */
#include "alloc.h"
#include "aof.h"
#include "child.h"
#include "bio.h"
#include "block.h"
#include "client.h"
#include "command.h"
#include "dict.h"
#include "histogram.h"
#include "io_threads/io_threads.h"
#include "lazyfree.h"
#include "reply.h"
#include "server.h"
#include "str.h"
#include "util.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

/* "1.50M"-style sizes, as the *_human fields show them. */
static str catHuman(str s, double n) {
    static const char units[] = "BKMGTPE";
    int u = 0;
    while (n >= 1024 && u < 6) {
        n /= 1024;
        u++;
    }
    if (u == 0) return strCatFmt(s, "%lluB", (unsigned long long)n);
    return strCatFmt(s, "%.2f%c", n, units[u]);
}

static size_t residentSetBytes(void) {
    FILE *fp = fopen("/proc/self/statm", "r");
    if (!fp) return 0;
    unsigned long pages_total = 0, pages_rss = 0;
    int n = fscanf(fp, "%lu %lu", &pages_total, &pages_rss);
    fclose(fp);
    return n == 2 ? (size_t)pages_rss * (size_t)sysconf(_SC_PAGESIZE) : 0;
}

static size_t totalSystemMemory(void) {
    return (size_t)sysconf(_SC_PHYS_PAGES) * (size_t)sysconf(_SC_PAGESIZE);
}

static const char *maxmemoryPolicyName(void) {
    static const char *const names[] = {"volatile-lru", "volatile-lfu", "volatile-random",
                                        "volatile-ttl", "allkeys-lru",  "allkeys-lfu",
                                        "allkeys-random", "noeviction"};
    return names[server.maxmemory_policy];
}

static str infoServer(str s) {
    static struct utsname name;
    if (!name.sysname[0]) uname(&name);
    long long uptime_s = (server.mstime - server.start_time_ms) / 1000;
    s = strCatFmt(s,
                  "redis_version:%s\r\n"
                  "loom_version:%s\r\n"
                  "redis_git_sha1:00000000\r\n"
                  "redis_git_dirty:0\r\n"
                  "redis_build_id:0\r\n"
                  "redis_mode:standalone\r\n"
                  "os:%s %s %s\r\n"
                  "arch_bits:%d\r\n"
                  "monotonic_clock:POSIX clock_gettime\r\n"
                  "multiplexing_api:%s\r\n"
                  "atomicvar_api:c11-builtin\r\n"
                  "gcc_version:%d.%d.%d\r\n"
                  "process_id:%d\r\n"
                  "process_supervised:no\r\n"
                  "run_id:%s\r\n"
                  "tcp_port:%d\r\n"
                  "server_time_usec:%lld\r\n"
                  "uptime_in_seconds:%lld\r\n"
                  "uptime_in_days:%lld\r\n"
                  "hz:%d\r\n"
                  "configured_hz:%d\r\n"
                  "lru_clock:%u\r\n"
                  "executable:%s\r\n"
                  "config_file:%s\r\n"
                  "io_threads_active:%d\r\n",
                  LOOM_REDIS_VERSION, LOOM_VERSION, name.sysname, name.release, name.machine,
                  (int)(sizeof(long) * 8), aeGetApiName(server.el),
#ifdef __GNUC__
                  __GNUC__, __GNUC_MINOR__, __GNUC_PATCHLEVEL__,
#else
                  0, 0, 0,
#endif
                  (int)server.pid, server.runid, server.port, server.ustime, uptime_s,
                  uptime_s / 86400, server.hz, server.config_hz, objLruClock(), server.executable,
                  server.configfile ? server.configfile : "", ioThreadsActive() > 1);
    return s;
}

static str infoClients(str s) {
    return strCatFmt(s,
                     "connected_clients:%lu\r\n"
                     "cluster_connections:0\r\n"
                     "maxclients:%u\r\n"
                     "client_recent_max_input_buffer:%zu\r\n"
                     "client_recent_max_output_buffer:%zu\r\n"
                     "blocked_clients:%lu\r\n"
                     "tracking_clients:0\r\n"
                     "clients_in_timeout_table:0\r\n",
                     clientCount(), server.maxclients, server.client_recent_max_input_buffer,
                     server.client_recent_max_output_buffer, blockedClientCount());
}

static str infoMemory(str s) {
    allocStats st;
    allocGetStats(&st);
    size_t rss = residentSetBytes();
    size_t used = st.allocated;
    if ((long long)used > server.stat_peak_memory) server.stat_peak_memory = (long long)used;
    size_t peak = (size_t)server.stat_peak_memory;
    size_t clients_mem = 0;
    ioThreadsWaitIdle(); /* client buffers are read below */
    ILIST_FOREACH(clientList(), it) clients_mem += clientMemoryUsage(clientFromNode(it));
    size_t system = totalSystemMemory();
    s = strCatFmt(s, "used_memory:%zu\r\nused_memory_human:", used);
    s = catHuman(s, (double)used);
    s = strCatFmt(s, "\r\nused_memory_rss:%zu\r\nused_memory_rss_human:", rss);
    s = catHuman(s, (double)rss);
    s = strCatFmt(s, "\r\nused_memory_peak:%zu\r\nused_memory_peak_human:", peak);
    s = catHuman(s, (double)peak);
    s = strCatFmt(s, "\r\nused_memory_peak_perc:%.2f%%\r\n", peak ? 100.0 * used / peak : 0);
    s = strCatFmt(s, "mem_clients_normal:%zu\r\n", clients_mem);
    s = strCatFmt(s, "allocator_allocated:%zu\r\nallocator_active:%zu\r\nallocator_resident:%zu\r\n",
                  st.allocated, st.active, st.resident);
    s = strCatFmt(s, "total_system_memory:%zu\r\ntotal_system_memory_human:", system);
    s = catHuman(s, (double)system);
    s = strCatFmt(s, "\r\nmaxmemory:%llu\r\nmaxmemory_human:", server.maxmemory);
    s = catHuman(s, (double)server.maxmemory);
    s = strCatFmt(s, "\r\nmaxmemory_policy:%s\r\n", maxmemoryPolicyName());
    s = strCatFmt(s,
                  "allocator_frag_ratio:%.2f\r\n"
                  "allocator_frag_bytes:%lld\r\n"
                  "allocator_rss_ratio:%.2f\r\n"
                  "allocator_rss_bytes:%lld\r\n"
                  "mem_fragmentation_ratio:%.2f\r\n"
                  "mem_fragmentation_bytes:%lld\r\n"
                  "mem_allocator:%s\r\n"
                  "lazyfree_pending_objects:%llu\r\n"
                  "lazyfreed_objects:%llu\r\n",
                  st.allocated ? (double)st.active / st.allocated : 0,
                  (long long)st.active - (long long)st.allocated,
                  st.active ? (double)st.resident / st.active : 0,
                  (long long)st.resident - (long long)st.active, used ? (double)rss / used : 0,
                  (long long)rss - (long long)used, allocName(), lazyfreePendingObjects(),
                  lazyfreedObjects());
    return s;
}

static str infoPersistence(str s) {
    int rdb_running = childActive() == CHILD_RDB;
    s = strCatFmt(s,
                  "loading:%d\r\n"
                  "async_loading:0\r\n"
                  "rdb_changes_since_last_save:%lld\r\n"
                  "rdb_bgsave_in_progress:%d\r\n"
                  "rdb_last_save_time:%lld\r\n"
                  "rdb_last_bgsave_status:%s\r\n"
                  "rdb_last_bgsave_time_sec:%lld\r\n"
                  "rdb_current_bgsave_time_sec:%lld\r\n"
                  "rdb_saves:%lld\r\n"
                  "rdb_last_cow_size:%lld\r\n"
                  "rdb_last_load_keys_expired:%lld\r\n"
                  "rdb_last_load_keys_loaded:%lld\r\n",
                  server.loading, server.dirty, rdb_running, (long long)server.lastsave,
                  server.rdb_last_bgsave_ok ? "ok" : "err", server.rdb_last_save_duration_s,
                  rdb_running ? childElapsedSeconds() : -1, server.rdb_saves,
                  server.rdb_last_cow_bytes, server.rdb_last_load_keys_expired,
                  server.rdb_last_load_keys_loaded);
    return aofInfo(s);
}

static str infoStats(str s) {
    return strCatFmt(
        s,
        "total_connections_received:%lld\r\n"
        "total_commands_processed:%lld\r\n"
        "instantaneous_ops_per_sec:%lld\r\n"
        "total_net_input_bytes:%lld\r\n"
        "total_net_output_bytes:%lld\r\n"
        "instantaneous_input_kbps:%.2f\r\n"
        "instantaneous_output_kbps:%.2f\r\n"
        "rejected_connections:%lld\r\n"
        "expired_keys:%lld\r\n"
        "expired_stale_perc:%.2f\r\n"
        "expired_time_cap_reached_count:%lld\r\n"
        "expire_cycle_cpu_milliseconds:%lld\r\n"
        "evicted_keys:%lld\r\n"
        "evicted_clients:0\r\n"
        "keyspace_hits:%lld\r\n"
        "keyspace_misses:%lld\r\n"
        "pubsub_channels:0\r\n"
        "pubsub_patterns:0\r\n"
        "latest_fork_usec:%lld\r\n"
        "total_forks:%lld\r\n"
        "total_error_replies:%lld\r\n"
        "unexpected_error_replies:%lld\r\n"
        "total_reads_processed:%lld\r\n"
        "total_writes_processed:%lld\r\n"
        "io_threaded_reads_processed:%lld\r\n"
        "io_threaded_writes_processed:%lld\r\n"
        "client_query_buffer_limit_disconnections:%lld\r\n"
        "client_output_buffer_limit_disconnections:%lld\r\n",
        server.stat_numconnections, server.stat_numcommands,
        serverInstantaneousMetric(STATS_METRIC_COMMAND), server.stat_net_input_bytes,
        server.stat_net_output_bytes,
        serverInstantaneousMetric(STATS_METRIC_NET_INPUT) / 1024.0,
        serverInstantaneousMetric(STATS_METRIC_NET_OUTPUT) / 1024.0, server.stat_rejected_conn,
        server.stat_expiredkeys, server.stat_expired_stale_perc_x100 / 100.0,
        server.stat_expired_time_cap_reached_count, server.stat_expire_cycle_time_used / 1000,
        server.stat_evictedkeys, server.stat_keyspace_hits, server.stat_keyspace_misses,
        server.stat_fork_time_us, server.stat_total_forks, server.stat_total_error_replies,
        server.stat_unexpected_error_replies, server.stat_total_reads_processed,
        server.stat_total_writes_processed, server.stat_io_threaded_reads,
        server.stat_io_threaded_writes, server.stat_client_qbuf_limit_disconnections,
        server.stat_client_outbuf_limit_disconnections);
}

static str infoReplication(str s) {
    return strCatFmt(s,
                     "role:master\r\n"
                     "connected_slaves:0\r\n"
                     "master_failover_state:no-failover\r\n"
                     "master_replid:%s\r\n"
                     "master_replid2:0000000000000000000000000000000000000000\r\n"
                     "master_repl_offset:0\r\n"
                     "second_repl_offset:-1\r\n"
                     "repl_backlog_active:0\r\n",
                     server.runid);
}

static double timevalSeconds(struct timeval tv) { return tv.tv_sec + tv.tv_usec / 1e6; }

static str infoCpu(str s) {
    struct rusage self, children, thread;
    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_CHILDREN, &children);
    getrusage(RUSAGE_THREAD, &thread);
    return strCatFmt(s,
                     "used_cpu_sys:%.6f\r\n"
                     "used_cpu_user:%.6f\r\n"
                     "used_cpu_sys_children:%.6f\r\n"
                     "used_cpu_user_children:%.6f\r\n"
                     "used_cpu_sys_main_thread:%.6f\r\n"
                     "used_cpu_user_main_thread:%.6f\r\n",
                     timevalSeconds(self.ru_stime), timevalSeconds(self.ru_utime),
                     timevalSeconds(children.ru_stime), timevalSeconds(children.ru_utime),
                     timevalSeconds(thread.ru_stime), timevalSeconds(thread.ru_utime));
}

static str infoModules(str s) { return s; }

/* loom's own section: the I/O thread pool and each thread's counters, then
 * the BIO workers' jobs per kind. */
static str infoThreads(str s) {
    s = strCatFmt(s, "io_threads:%d\r\nio_threads_active:%d\r\n", ioThreadsCount(),
                  ioThreadsActive());
    for (int i = 1; i < ioThreadsCount(); i++) {
        ioThreadStats st;
        ioThreadsGetStats(i, &st);
        s = strCatFmt(s,
                      "io_thread_%d:state=%s,read_jobs=%llu,write_jobs=%llu,reads=%llu,"
                      "writes=%llu,bytes_read=%llu,bytes_written=%llu,busy_us=%llu\r\n",
                      i, st.is_parked ? "parked" : "running", (unsigned long long)st.read_jobs,
                      (unsigned long long)st.write_jobs, (unsigned long long)st.reads,
                      (unsigned long long)st.writes, (unsigned long long)st.bytes_read,
                      (unsigned long long)st.bytes_written, (unsigned long long)st.busy_us);
    }
    for (int k = 0; k < BIO_NUM_KINDS; k++)
        s = strCatFmt(s, "bio_pending_%s:%llu\r\nbio_processed_%s:%llu\r\n", bioKindName(k),
                      bioPending(k), bioKindName(k), bioProcessed(k));
    return s;
}

static str infoErrorstats(str s) {
    dictIterator *it = dictGetIterator(server.errors);
    dictEntry *de;
    while ((de = dictNext(it)))
        s = strCatFmt(s, "errorstat_%s:count=%lld\r\n", de->key, (long long)de->v.s64);
    dictReleaseIterator(it);
    return s;
}

static str infoCluster(str s) { return strCat(s, "cluster_enabled:0\r\n"); }

static str infoKeyspace(str s) {
    for (int i = 0; i < server.dbnum; i++) {
        db *d = &server.dbs[i];
        size_t keys = dbSize(d);
        if (!keys) continue;
        s = strCatFmt(s, "db%d:keys=%zu,expires=%zu,avg_ttl=%lld\r\n", i, keys,
                      dictSize(d->expires), d->avg_ttl);
    }
    return s;
}

static str catCommandStats(str s, const command *cmd) {
    const commandStats *st = &cmd->stats;
    if (st->calls || st->rejected_calls || st->failed_calls)
        s = strCatFmt(s,
                      "cmdstat_%s:calls=%lld,usec=%lld,usec_per_call=%.2f,rejected_calls=%lld,"
                      "failed_calls=%lld\r\n",
                      cmd->fullname, st->calls, st->usec,
                      st->calls ? (double)st->usec / st->calls : 0.0, st->rejected_calls,
                      st->failed_calls);
    return s;
}

static void visitCommandStats(command *cmd, void *privdata) {
    str *s = privdata;
    *s = catCommandStats(*s, cmd);
    for (command *sub = cmd->subcommands; sub && sub->name; sub++) *s = catCommandStats(*s, sub);
}

static str infoCommandstats(str s) {
    commandForEach(visitCommandStats, &s);
    return s;
}

static str catLatency(str s, const command *cmd) {
    if (!cmd->latency || histogramCount(cmd->latency) == 0) return s;
    s = strCatFmt(s, "latency_percentiles_usec_%s:", cmd->fullname);
    for (int i = 0; i < server.latency_percentiles_count; i++) {
        char name[64];
        double p = server.latency_percentiles[i];
        d2string(name, sizeof(name), p);
        s = strCatFmt(s, "%sp%s=%.3f", i ? "," : "", name,
                      (double)histogramPercentile(cmd->latency, p));
    }
    return strCat(s, "\r\n");
}

static void visitLatency(command *cmd, void *privdata) {
    str *s = privdata;
    *s = catLatency(*s, cmd);
    for (command *sub = cmd->subcommands; sub && sub->name; sub++) *s = catLatency(*s, sub);
}

static str infoLatencystats(str s) {
    commandForEach(visitLatency, &s);
    return s;
}

#define IN_DEFAULT 1
#define IN_ALL 2

static const struct {
    const char *name;  /* as requested, lowercase */
    const char *title; /* as shown after '#' */
    str (*fn)(str s);
    int flags;
} sections[] = {
    {"server", "Server", infoServer, IN_DEFAULT | IN_ALL},
    {"clients", "Clients", infoClients, IN_DEFAULT | IN_ALL},
    {"memory", "Memory", infoMemory, IN_DEFAULT | IN_ALL},
    {"persistence", "Persistence", infoPersistence, IN_DEFAULT | IN_ALL},
    {"stats", "Stats", infoStats, IN_DEFAULT | IN_ALL},
    {"replication", "Replication", infoReplication, IN_DEFAULT | IN_ALL},
    {"cpu", "CPU", infoCpu, IN_DEFAULT | IN_ALL},
    {"modules", "Modules", infoModules, IN_DEFAULT | IN_ALL},
    {"threads", "Threads", infoThreads, IN_DEFAULT | IN_ALL},
    {"commandstats", "Commandstats", infoCommandstats, IN_ALL},
    {"errorstats", "Errorstats", infoErrorstats, IN_DEFAULT | IN_ALL},
    {"latencystats", "Latencystats", infoLatencystats, IN_ALL},
    {"cluster", "Cluster", infoCluster, IN_DEFAULT | IN_ALL},
    {"keyspace", "Keyspace", infoKeyspace, IN_DEFAULT | IN_ALL},
};
#define SECTION_COUNT (sizeof(sections) / sizeof(sections[0]))

static void infoCommand(client *c) {
    char wanted[SECTION_COUNT] = {0};
    if (c->argc == 1) {
        for (size_t i = 0; i < SECTION_COUNT; i++) wanted[i] = (sections[i].flags & IN_DEFAULT) != 0;
    }
    for (int j = 1; j < c->argc; j++) {
        const arg *a = &c->argv[j];
        int all = argEquals(a, "all") || argEquals(a, "everything");
        int def = argEquals(a, "default");
        for (size_t i = 0; i < SECTION_COUNT; i++) {
            if (all && (sections[i].flags & IN_ALL)) wanted[i] = 1;
            if (def && (sections[i].flags & IN_DEFAULT)) wanted[i] = 1;
            if (argEquals(a, sections[i].name)) wanted[i] = 1;
        }
    }
    serverUpdateCachedTime();
    serverSumIoStats();
    str out = strEmpty();
    for (size_t i = 0; i < SECTION_COUNT; i++) {
        if (!wanted[i]) continue;
        if (strLen(out)) out = strCat(out, "\r\n");
        out = strCatFmt(out, "# %s\r\n", sections[i].title);
        out = sections[i].fn(out);
    }
    replyVerbatim(c, out, strLen(out));
    strFree(out);
}

command infoCommandTable[] = {
    {"info", infoCommand, -1, CMD_LOADING | CMD_STALE | CMD_SENTINEL, 0, 0, 0, CMD_GROUP_SERVER,
     "1.0.0", "O(1)", "Get information and statistics about the server", NULL},
    {0}};
