/* SPDX-License-Identifier: BSD-3-Clause
 *
 * main(), start-up, the cron, the hooks around the event loop's wait, signal
 * handling and shutdown. Owns the `server` state. Everything here runs on the
 * main thread (signal handlers only set flags).
 */
#include "alloc.h"
#include "server.h"

#include "aof.h"
#include "bio.h"
#include "block.h"
#include "child.h"
#include "client.h"
#include "command.h"
#include "config.h"
#include "evict.h"
#include "expire.h"
#include "io_threads/io_threads.h"
#include "lazyfree.h"
#include "log.h"
#include "net.h"
#include "object.h"
#include "reply.h"
#include "snapshot.h"
#include "str.h"
#include "util.h"

#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <unistd.h>

struct server server;

extern command stringCommandTable[];
extern command keysCommandTable[];
extern command serverCommandTable[];
extern command clientCommandTable[];
extern command commandCommandTable[];
extern command infoCommandTable[];
extern command configCommandTable[];
extern command listCommandTable[];
extern command sortCommandTable[];
extern command hashCommandTable[];
extern command setCommandTable[];
extern command zsetCommandTable[];
extern command aofCommandTable[];
extern command snapshotCommandTable[];

/* Clients per cron tick before dynamic-hz raises the frequency. */
#define MAX_CLIENTS_PER_CLOCK_TICK 200
#define CONFIG_MAX_HZ 500
/* How often the instantaneous metrics are sampled. */
#define METRIC_SAMPLE_MS 100

/* --- Clocks and statistics ----------------------------------------------- */

void serverUpdateCachedTime(void) {
    server.ustime = ustime();
    server.mstime = server.ustime / 1000;
    server.unixtime = server.mstime / 1000;
    server.cmd_time_ms = server.mstime;
}

static void trackMetric(int metric, long long current) {
    long long t = server.mstime - server.inst_metric[metric].last_sample_ms;
    long long ops = current - server.inst_metric[metric].last_sample_count;
    long long rate = t > 0 ? ops * 1000 / t : 0;
    int idx = server.inst_metric[metric].idx;
    server.inst_metric[metric].samples[idx] = rate;
    server.inst_metric[metric].idx = (idx + 1) % STATS_METRIC_SAMPLES;
    server.inst_metric[metric].last_sample_ms = server.mstime;
    server.inst_metric[metric].last_sample_count = current;
}

long long serverInstantaneousMetric(int metric) {
    long long sum = 0;
    for (int i = 0; i < STATS_METRIC_SAMPLES; i++) sum += server.inst_metric[metric].samples[i];
    return sum / STATS_METRIC_SAMPLES;
}

void serverResetStats(void) {
    server.stat_numcommands = 0;
    server.stat_numconnections = 0;
    server.stat_rejected_conn = 0;
    server.stat_expiredkeys = 0;
    server.stat_evictedkeys = 0;
    server.stat_expired_stale_perc_x100 = 0;
    server.stat_expired_time_cap_reached_count = 0;
    server.stat_expire_cycle_time_used = 0;
    server.stat_keyspace_hits = 0;
    server.stat_keyspace_misses = 0;
    server.stat_total_error_replies = 0;
    server.stat_unexpected_error_replies = 0;
    server.stat_net_input_bytes = 0;
    server.stat_net_output_bytes = 0;
    server.stat_total_reads_processed = 0;
    server.stat_total_writes_processed = 0;
    server.stat_client_qbuf_limit_disconnections = 0;
    server.stat_client_outbuf_limit_disconnections = 0;
    /* The I/O counters belong to their threads: remember where they stand
     * instead of writing them. */
    netIoTotals(&server.io_stats_baseline);
    memset(server.inst_metric, 0, sizeof(server.inst_metric));
    server.stat_peak_memory = 0;
    server.stat_last_reset_ms = server.mstime;
    dictEmpty(server.errors, NULL, NULL);
    lazyfreeResetStats();
}

/* Counts error replies by code for INFO errorstats (Redis keeps at most 128
 * distinct codes, so a client cannot grow the table without bound). */
static void countErrorReply(client *c, const char *code, size_t code_len) {
    (void)c;
    server.stat_total_error_replies++;
    dictEntry *de = dictFind(server.errors, code, code_len);
    if (!de) {
        if (dictSize(server.errors) >= 128) return;
        de = dictAddRaw(server.errors, strNewLen(code, code_len), NULL);
        de->v.s64 = 0;
    }
    de->v.s64++;
}

void serverSumIoStats(void) {
    netIoStats now;
    const netIoStats *base = &server.io_stats_baseline;
    netIoTotals(&now);
    server.stat_net_input_bytes = (long long)(now.bytes_read - base->bytes_read);
    server.stat_net_output_bytes = (long long)(now.bytes_written - base->bytes_written);
    server.stat_total_reads_processed = (long long)(now.reads - base->reads);
    server.stat_total_writes_processed = (long long)(now.writes - base->writes);
    server.stat_io_threaded_reads = (long long)(now.threaded_reads - base->threaded_reads);
    server.stat_io_threaded_writes = (long long)(now.threaded_writes - base->threaded_writes);
}

/* --- Cron ---------------------------------------------------------------- */

static void databasesCron(void) {
    if (server.active_expire_enabled) expireActiveCycle(EXPIRE_CYCLE_SLOW);
    for (int i = 0; i < server.dbnum; i++) {
        db *d = &server.dbs[i];
        dictTryShrink(d->keys);
        dictTryShrink(d->expires);
        if (server.activerehashing) {
            /* At most 1 ms of rehashing per table per cron run. */
            if (dictIsRehashing(d->keys)) dictRehashMicroseconds(d->keys, 1000);
            else if (dictIsRehashing(d->expires)) dictRehashMicroseconds(d->expires, 1000);
        }
    }
}

static void shutdownAndExit(int exit_code);
static int prepareShutdown(int how);

static int serverCron(aeEventLoop *el, long long id, void *data) {
    (void)el;
    (void)id;
    (void)data;
    serverUpdateCachedTime();
    objLruClockUpdate(server.mstime);
    if (server.dynamic_hz) {
        server.hz = server.config_hz;
        while (clientCount() / (unsigned long)server.hz > MAX_CLIENTS_PER_CLOCK_TICK) {
            server.hz *= 2;
            if (server.hz > CONFIG_MAX_HZ) {
                server.hz = CONFIG_MAX_HZ;
                break;
            }
        }
    }
    if (server.mstime - server.inst_metric[0].last_sample_ms >= METRIC_SAMPLE_MS) {
        serverSumIoStats();
        trackMetric(STATS_METRIC_COMMAND, server.stat_numcommands);
        trackMetric(STATS_METRIC_NET_INPUT, server.stat_net_input_bytes);
        trackMetric(STATS_METRIC_NET_OUTPUT, server.stat_net_output_bytes);
    }
    long long used = (long long)allocUsedMemory();
    if (used > server.stat_peak_memory) server.stat_peak_memory = used;
    netClientsCron();
    blockTimeoutsCron();
    databasesCron();
    childCheckDone();
    snapshotCron();
    aofCron();
    if (server.shutdown_asap) {
        serverLog(LL_WARNING, "Received %s scheduling shutdown...",
                  server.shutdown_signal == SIGINT ? "SIGINT" : "SIGTERM");
        if (prepareShutdown(SHUTDOWN_DEFAULT) == 0) shutdownAndExit(0);
        serverLog(LL_WARNING, "SIGTERM received but errors trying to shut down the server, "
                              "check the logs for more information");
        server.shutdown_asap = 0;
    }
    server.cronloops++;
    return 1000 / server.hz;
}

static void beforeSleep(aeEventLoop *el) {
    (void)el;
    if (server.active_expire_enabled) expireActiveCycle(EXPIRE_CYCLE_FAST);
    netBeforeSleep();
}

static void afterSleep(aeEventLoop *el) {
    (void)el;
    serverUpdateCachedTime();
}

/* --- Signals and shutdown ------------------------------------------------ */

static void shutdownSignalHandler(int sig) {
    /* A second SIGINT while shutting down exits at once, as Redis does. */
    if (server.shutdown_asap && sig == SIGINT) {
        static const char msg[] = "You insist... exiting now.\n";
        ssize_t ignored = write(STDERR_FILENO, msg, sizeof(msg) - 1);
        (void)ignored;
        _exit(1);
    }
    server.shutdown_signal = sig;
    server.shutdown_asap = 1;
}

static void crashHandler(int sig) {
    serverLog(LL_WARNING, "loom %s crashed by signal: %d (%s)", LOOM_VERSION, sig, strsignal(sig));
    logBacktrace();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void assertHook(const char *expr, const char *file, int line) {
    serverLog(LL_WARNING, "=== ASSERTION FAILED === %s:%d '%s' is not true", file, line, expr);
    logBacktrace();
}

static void setupSignals(void) {
    /* backtrace() loads its unwinder on first use, which allocates: do that
     * now rather than inside a crash handler. */
    void *frame;
    backtrace(&frame, 1);
    struct sigaction act;
    memset(&act, 0, sizeof(act));
    sigemptyset(&act.sa_mask);
    act.sa_handler = shutdownSignalHandler;
    sigaction(SIGTERM, &act, NULL);
    sigaction(SIGINT, &act, NULL);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    act.sa_handler = crashHandler;
    act.sa_flags = SA_RESETHAND | SA_NODEFER;
    sigaction(SIGSEGV, &act, NULL);
    sigaction(SIGBUS, &act, NULL);
    sigaction(SIGFPE, &act, NULL);
    sigaction(SIGILL, &act, NULL);
    sigaction(SIGABRT, &act, NULL);
}

/* Shuts down: saves first when asked to (or, by default, when save points
 * are configured). Returns -1 without exiting if that save failed and the
 * shutdown was not forced. */
static int prepareShutdown(int how) {
    serverLog(LL_WARNING, "User requested shutdown...");
    childKill();
    aofShutdown();
    int save = how == SHUTDOWN_SAVE || (how == SHUTDOWN_DEFAULT && snapshotHasSavePoints());
    if (save) {
        serverLog(LL_NOTICE, "Saving the final RDB snapshot before exiting.");
        if (snapshotSaveNow() < 0) {
            serverLog(LL_WARNING, "Error trying to save the DB, can't exit.");
            return -1;
        }
    }
    return 0;
}

static void shutdownAndExit(int exit_code) {
    ioThreadsShutdown();
    netCloseListeners();
    /* Last, after anything that may still queue background work: runs what
     * is queued (fsyncs, closes, frees) and joins the workers. */
    bioShutdown();
    if (server.pidfile) unlink(server.pidfile);
    serverLog(LL_WARNING, "loom is now ready to exit, bye bye...");
    exit(exit_code);
}

int serverShutdown(int how, int force) {
    if (prepareShutdown(how) < 0 && !force) return -1;
    shutdownAndExit(0);
    return 0;
}

/* --- Start-up ------------------------------------------------------------ */

/* Raises RLIMIT_NOFILE to fit maxclients plus reserved descriptors; when the
 * system refuses, lowers maxclients to what fits and says so. */
static void adjustOpenFilesLimit(void) {
    rlim_t wanted = (rlim_t)server.maxclients + CONFIG_RESERVED_FDS;
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) < 0) {
        serverLog(LL_WARNING, "Unable to obtain the current NOFILE limit (%s), assuming 1024",
                  strerror(errno));
        limit.rlim_cur = limit.rlim_max = 1024;
    }
    rlim_t original = limit.rlim_cur;
    if (original >= wanted) return;
    rlim_t best = wanted;
    int last_errno = 0;
    while (best > original) {
        limit.rlim_cur = best;
        if (limit.rlim_max < best) limit.rlim_max = best;
        if (setrlimit(RLIMIT_NOFILE, &limit) == 0) break;
        last_errno = errno;
        /* Not allowed above the hard limit: try the hard limit, then step down. */
        struct rlimit hard;
        getrlimit(RLIMIT_NOFILE, &hard);
        limit.rlim_max = hard.rlim_max;
        best = best > hard.rlim_max ? hard.rlim_max : best - 16;
    }
    if (best < original) best = original;
    if (best >= wanted) {
        serverLog(LL_NOTICE, "Increased maximum number of open files to %llu (it was originally "
                             "set to %llu).",
                  (unsigned long long)best, (unsigned long long)original);
        return;
    }
    unsigned int old_max = server.maxclients;
    server.maxclients = best > CONFIG_RESERVED_FDS ? (unsigned int)(best - CONFIG_RESERVED_FDS) : 1;
    serverLog(LL_WARNING, "You requested maxclients of %u requiring at least %llu max file "
                          "descriptors.",
              old_max, (unsigned long long)wanted);
    serverLog(LL_WARNING, "Server can't set maximum open files to %llu because of OS error: %s.",
              (unsigned long long)wanted, strerror(last_errno ? last_errno : EPERM));
    serverLog(LL_WARNING, "Current maximum open files is %llu. maxclients has been reduced to %u "
                          "to compensate for low ulimit. If you need higher maxclients increase "
                          "'ulimit -n'.",
              (unsigned long long)best, server.maxclients);
}

static void daemonize(void) {
    if (fork() != 0) exit(0); /* the parent exits */
    setsid();
    int fd = open("/dev/null", O_RDWR);
    if (fd >= 0) {
        dup2(fd, STDIN_FILENO);
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        if (fd > STDERR_FILENO) close(fd);
    }
}

static void writePidFile(void) {
    if (!server.pidfile) return;
    FILE *fp = fopen(server.pidfile, "w");
    if (!fp) {
        serverLog(LL_WARNING, "Failed to write PID file: %s", strerror(errno));
        return;
    }
    fprintf(fp, "%d\n", (int)getpid());
    fclose(fp);
}

static const dictType error_stats_type = {.nocase = 0, .owns_keys = 1, .free_val = NULL};

static void initServer(void) {
    server.pid = getpid();
    getRandomHexChars(server.runid, 40);
    server.runid[40] = '\0';
    uint8_t seed[16];
    getRandomBytes(seed, sizeof(seed));
    dictSetHashSeed(seed);
    setupSignals();
    setAssertHook(assertHook);
    objInit();
    evictApplyPolicy();
    serverUpdateCachedTime();
    server.start_time_ms = server.mstime;
    server.stat_last_reset_ms = server.mstime;
    server.active_expire_enabled = 1;
    server.rdb_last_bgsave_ok = 1;
    server.lastsave = time(NULL);
    server.rdb_last_save_duration_s = -1;
    ilistInit(&server.clients_pending_write);
    ilistInit(&server.clients_to_close);
    server.errors = dictCreate(&error_stats_type);
    server.io_limits.proto_max_bulk_len = server.proto_max_bulk_len;
    server.io_limits.qbuf_limit = (size_t)server.client_max_querybuf_len;
    server.io_limits.lookup = commandLookup;
    netioWorkerInit(&server.main_io);
    replySetErrorObserver(countErrorReply);

    adjustOpenFilesLimit();
    int setsize = (int)server.maxclients + CONFIG_RESERVED_FDS + 96;
    const char *backend = configMultiplexerName();
    server.el = aeCreateEventLoop(setsize, backend);
    if (!server.el && errno == EINVAL) {
        /* A backend with a fixed set size (select): serve fewer clients. */
        int fixed = FD_SETSIZE;
        server.el = aeCreateEventLoop(fixed, backend);
        if (server.el) {
            server.maxclients = (unsigned)(fixed - CONFIG_RESERVED_FDS - 96);
            serverLog(LL_WARNING, "The %s multiplexer handles descriptors below %d only: "
                                  "maxclients has been reduced to %u.",
                      backend, fixed, server.maxclients);
        }
    }
    if (!server.el) {
        serverLog(LL_WARNING, "Failed creating the event loop with multiplexer '%s': %s", backend,
                  errno == ENOENT ? "not available on this platform" : strerror(errno));
        exit(1);
    }
    server.dbs = lcalloc(sizeof(db) * (size_t)server.dbnum);
    for (int i = 0; i < server.dbnum; i++) dbInit(&server.dbs[i], i);

    commandRegisterTable(stringCommandTable);
    commandRegisterTable(keysCommandTable);
    commandRegisterTable(serverCommandTable);
    commandRegisterTable(clientCommandTable);
    commandRegisterTable(commandCommandTable);
    commandRegisterTable(infoCommandTable);
    commandRegisterTable(configCommandTable);
    commandRegisterTable(listCommandTable);
    commandRegisterTable(sortCommandTable);
    commandRegisterTable(hashCommandTable);
    commandRegisterTable(setCommandTable);
    commandRegisterTable(zsetCommandTable);
    commandRegisterTable(aofCommandTable);
    commandRegisterTable(snapshotCommandTable);

    bioInit();
    if (bioWorkersRunning() < BIO_NUM_KINDS)
        serverLog(LL_WARNING, "Failed starting some BIO threads: their jobs run on the main "
                              "thread instead");
    /* With appendonly yes the AOF is the data set (as in Redis); else dump.rdb. */
    if (!aofLoadAtStartup() && snapshotLoad() < 0) {
        serverLog(LL_WARNING, "Exiting: the RDB file is unreadable or corrupt.");
        exit(1);
    }

    if (netOpenListeners() < 0) exit(1);
    if (netInitIoThreads(server.io_threads_num) < 0) {
        serverLog(LL_WARNING, "Failed starting the I/O threads: %s", strerror(errno));
        exit(1);
    }
    ioThreadsSetEventsPerThread(server.io_threads_events_per_thread);
    aeCreateTimeEvent(server.el, 1, serverCron, NULL, NULL);
    aeSetBeforeSleepProc(server.el, beforeSleep);
    aeSetAfterSleepProc(server.el, afterSleep);
}

static void usage(void) {
    fprintf(stderr,
            "Usage: ./loom-server [/path/to/loom.conf] [options]\n"
            "       ./loom-server -v or --version\n"
            "       ./loom-server -h or --help\n\n"
            "Examples:\n"
            "       ./loom-server (run the server with default config)\n"
            "       ./loom-server /etc/loom/6379.conf\n"
            "       ./loom-server --port 7777\n"
            "       ./loom-server /etc/myloom.conf --loglevel verbose --io-threads 4\n");
    exit(1);
}

int main(int argc, char **argv) {
    if (argc >= 2 && (!strcmp(argv[1], "-v") || !strcmp(argv[1], "--version"))) {
        printf("loom-server v=%s malloc=%s bits=%d\n", LOOM_VERSION, allocName(),
               (int)(sizeof(long) * 8));
        return 0;
    }
    if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) usage();

    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n > 0) {
        exe[n] = '\0';
        server.executable = lstrdup(exe);
    } else {
        server.executable = lstrdup(argv[0]);
    }

    configInitDefaults();
    int first_option = 1;
    if (argc >= 2 && argv[1][0] != '-') {
        char path[PATH_MAX];
        server.configfile = lstrdup(realpath(argv[1], path) ? path : argv[1]);
        first_option = 2;
    }
    configLoad(server.configfile, argc - first_option, argv + first_option);

    if (server.daemonize) daemonize();
    if (logOpen(server.logfile) < 0) {
        fprintf(stderr, "Can't open the log file %s: %s\n", server.logfile, strerror(errno));
        exit(1);
    }
    logSetLevel(server.verbosity);
    serverLog(LL_WARNING, "oO0OoO0OoO0Oo loom is starting oO0OoO0OoO0Oo");
    serverLog(LL_WARNING, "loom version=%s, bits=%d, pid=%d, just started", LOOM_VERSION,
              (int)(sizeof(long) * 8), (int)getpid());
    if (!server.configfile)
        serverLog(LL_WARNING, "Warning: no config file specified, using the default config. In "
                              "order to specify a config file use %s /path/to/loom.conf",
                  argv[0]);
    else serverLog(LL_WARNING, "Configuration loaded");

    initServer();
    writePidFile();
    serverLog(LL_NOTICE, "Server initialized (multiplexer %s)", aeGetApiName(server.el));
    serverLog(LL_NOTICE, "Ready to accept connections");
    aeMain(server.el);
    shutdownAndExit(0);
    return 0;
}
