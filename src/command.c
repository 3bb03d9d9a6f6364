/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Command registration, lookup, dispatch with statistics, and the argument
 * and error helpers handlers share. The table lives in a case-insensitive
 * dict built at start-up and never modified afterwards. Subcommands are found
 * by a linear scan of their parent's small table.
 */
#include "alloc.h"
#include "command.h"

#include "aof.h"
#include "db.h"
#include "dict.h"
#include "evict.h"
#include "histogram.h"
#include "snapshot.h"
#include "object.h"
#include "propagate.h"
#include "reply.h"
#include "server.h"
#include "str.h"
#include "util.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const dictType command_dict_type = {.nocase = 1, .owns_keys = 1, .free_val = NULL};
static dict *commands;

static void setFullName(command *cmd) {
    if (cmd->parent)
        snprintf(cmd->fullname, sizeof(cmd->fullname), "%s|%s", cmd->parent->name, cmd->name);
    else snprintf(cmd->fullname, sizeof(cmd->fullname), "%s", cmd->name);
}

void commandRegisterTable(command *table) {
    if (!commands) commands = dictCreate(&command_dict_type);
    for (command *cmd = table; cmd->name; cmd++) {
        setFullName(cmd);
        for (command *sub = cmd->subcommands; sub && sub->name; sub++) {
            sub->parent = cmd;
            setFullName(sub);
        }
        int rc = dictAdd(commands, strNew(cmd->name), cmd);
        loomAssert(rc == 0);
    }
    /* Lookups from I/O threads must not find a rehash to step. */
    while (dictIsRehashing(commands)) dictRehashSteps(commands, 100);
}

command *commandLookup(const char *name, size_t len) {
    dictEntry *de = dictFind(commands, name, len);
    return de ? de->v.val : NULL;
}

static command *lookupSubcommand(command *parent, const arg *a) {
    for (command *sub = parent->subcommands; sub->name; sub++)
        if (strlen(sub->name) == a->len && !strncasecmp(sub->name, a->ptr, a->len)) return sub;
    return NULL;
}

command *commandLookupArgv(const arg *argv, int argc) {
    command *cmd = commandLookup(argv[0].ptr, argv[0].len);
    if (!cmd || !cmd->subcommands || argc < 2) return cmd;
    return lookupSubcommand(cmd, &argv[1]);
}

void commandForEach(commandVisitor *fn, void *ctx) {
    dictIterator *it = dictGetIterator(commands);
    dictEntry *de;
    while ((de = dictNext(it))) fn(de->v.val, ctx);
    dictReleaseIterator(it);
}

size_t commandCount(void) { return dictSize(commands); }

static void resetOne(command *cmd) {
    memset(&cmd->stats, 0, sizeof(cmd->stats));
    if (cmd->latency) histogramReset(cmd->latency);
}

static void resetStats(command *cmd, void *ctx) {
    (void)ctx;
    resetOne(cmd);
    for (command *sub = cmd->subcommands; sub && sub->name; sub++) resetOne(sub);
}

void commandResetStats(void) { commandForEach(resetStats, NULL); }

/* Redis shows at most 128 bytes of a name in an error. */
static int clip128(size_t len) { return len < 128 ? (int)len : 128; }

static void replyUnknownCommand(client *c) {
    /* Redis quotes the arguments until about 128 bytes of them were shown. */
    char args[256];
    size_t used = 0;
    args[0] = '\0';
    for (int i = 1; i < c->argc && used < 128; i++) {
        size_t shown = c->argv[i].len < 128 - used ? c->argv[i].len : 128 - used;
        int n = snprintf(args + used, sizeof(args) - used, "'%.*s' ", (int)shown, c->argv[i].ptr);
        if (n > 0) used += (size_t)n;
        if (used >= sizeof(args)) used = sizeof(args) - 1;
    }
    replyErrorFormat(c, "unknown command '%.*s', with args beginning with: %s",
                     clip128(c->argv[0].len), c->argv[0].ptr, args);
}

static int arityOk(const command *cmd, int argc) {
    return cmd->arity > 0 ? argc == cmd->arity : argc >= -cmd->arity;
}

static int isLocalClient(client *c) {
    const char *addr = clientAddress(c);
    return (c->flags & CLIENT_UNIX_SOCKET) || !strncmp(addr, "127.", 4) ||
           !strncmp(addr, "[::1]", 5);
}

static int protectedCommandAllowed(client *c) {
    return server.enable_debug_cmd == PROTECTED_YES ||
           (server.enable_debug_cmd == PROTECTED_LOCAL && isLocalClient(c));
}

/* Runs the handler and accounts for it. */
static void call(client *c, command *cmd) {
    long long errors_before = server.stat_total_error_replies;
    long long dirty_before = server.dirty;
    long long start = ustime();
    server.cmd_time_ms = start / 1000;
    c->cmd = cmd;
    c->flags |= CLIENT_EXECUTING;
    cmd->proc(c);
    c->flags &= ~CLIENT_EXECUTING;
    propagateCommandEnd(c, (cmd->flags & CMD_WRITE) && server.dirty != dirty_before);
    long long duration = ustime() - start;
    cmd->stats.calls++;
    cmd->stats.usec += duration;
    if (server.latency_tracking) {
        if (!cmd->latency) cmd->latency = histogramCreate();
        histogramRecord(cmd->latency, (uint64_t)duration);
    }
    if (server.stat_total_error_replies != errors_before) cmd->stats.failed_calls++;
    c->lastcmd = cmd;
    c->cmd = NULL;
    server.stat_numcommands++;
}

void commandProcess(client *c, command *resolved) {
    command *cmd = resolved ? resolved : commandLookup(c->argv[0].ptr, c->argv[0].len);
    if (!cmd) {
        replyUnknownCommand(c);
        return;
    }
    if (cmd->subcommands && c->argc >= 2) {
        command *sub = lookupSubcommand(cmd, &c->argv[1]);
        if (!sub) {
            replySubcommandError(c);
            return;
        }
        cmd = sub;
    }
    if ((cmd->flags & CMD_PROTECTED) && !protectedCommandAllowed(c)) {
        cmd->stats.rejected_calls++;
        replyErrorFormat(c, "%s command not allowed. If the enable-debug-command option is set to "
                            "\"local\", you can run it from a local connection, otherwise you "
                            "need to set this option in the configuration file, and then restart "
                            "the server.",
                         "DEBUG");
        return;
    }
    if (!arityOk(cmd, c->argc)) {
        cmd->stats.rejected_calls++;
        c->cmd = cmd;
        replyArityError(c);
        c->cmd = NULL;
        return;
    }
    const char *refusal;
    if ((cmd->flags & CMD_WRITE) && !server.loading && aofWritesRefused(&refusal)) {
        cmd->stats.rejected_calls++;
        replyError(c, refusal);
        return;
    }
    /* Evict before running anything; refuse what would grow memory if that
     * was not enough. */
    if (server.maxmemory && !server.loading && evictPerform() < 0 && (cmd->flags & CMD_DENYOOM)) {
        cmd->stats.rejected_calls++;
        replyError(c, "-OOM command not allowed when used memory > 'maxmemory'.");
        return;
    }
    /* After the OOM check, as Redis orders them. */
    if (snapshotWritesRefused() && ((cmd->flags & CMD_WRITE) || !strcmp(cmd->name, "ping"))) {
        cmd->stats.rejected_calls++;
        replyError(c, "-MISCONF Redis is configured to save RDB snapshots, but it's currently "
                      "unable to persist to disk. Commands that may modify the data set are "
                      "disabled, because this instance is configured to report errors during "
                      "writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). "
                      "Please check the Redis logs for details about the RDB error.");
        return;
    }
    call(c, cmd);
}

/* --- Helpers ------------------------------------------------------------- */

int argEquals(const arg *a, const char *s) {
    size_t len = strlen(s);
    return a->len == len && !strncasecmp(a->ptr, s, len);
}

int argToLongLongOrReply(client *c, const arg *a, long long *v, const char *msg) {
    if (string2ll(a->ptr, a->len, v)) return 0;
    replyError(c, msg ? msg : "value is not an integer or out of range");
    return -1;
}

int argToLongOrReply(client *c, const arg *a, long *v, const char *msg) {
    long long ll;
    if (argToLongLongOrReply(c, a, &ll, msg) < 0) return -1;
    if (ll < LONG_MIN || ll > LONG_MAX) {
        replyError(c, msg ? msg : "value is out of range");
        return -1;
    }
    *v = (long)ll;
    return 0;
}

int argToIntOrReply(client *c, const arg *a, int *v, const char *msg) {
    long long ll;
    if (argToLongLongOrReply(c, a, &ll, msg) < 0) return -1;
    if (ll < INT_MIN || ll > INT_MAX) {
        replyError(c, msg ? msg : "value is out of range");
        return -1;
    }
    *v = (int)ll;
    return 0;
}

int argToPositiveLongOrReply(client *c, const arg *a, long *v, const char *msg) {
    if (argToLongOrReply(c, a, v, msg) < 0) return -1;
    if (*v < 0) {
        replyError(c, msg ? msg : "value is out of range, must be positive");
        return -1;
    }
    return 0;
}

int argToLongDoubleOrReply(client *c, const arg *a, long double *v, const char *msg) {
    if (string2ld(a->ptr, a->len, v)) return 0;
    replyError(c, msg ? msg : "value is not a valid float");
    return -1;
}

int argToRandomCountOrReply(client *c, const arg *a, long *count) {
    if (argToLongOrReply(c, a, count, NULL) < 0) return -1;
    if (*count == LONG_MIN) {
        replyErrorFormat(c, "value is out of range, value must between %ld and %ld", -LONG_MAX,
                         LONG_MAX);
        return -1;
    }
    return 0;
}

int mpopParseOrReply(client *c, int first, const char *end0, const char *end1, mpopArgs *a) {
    const char *numkeys_err = "numkeys should be greater than 0";
    long numkeys;
    if (argToLongOrReply(c, &c->argv[first], &numkeys, numkeys_err) < 0) return -1;
    if (numkeys < 1 || numkeys > INT_MAX) {
        replyError(c, numkeys_err);
        return -1;
    }
    if (numkeys > c->argc - first - 2) {
        replySyntaxError(c);
        return -1;
    }
    a->first_key = first + 1;
    a->numkeys = (int)numkeys;
    int end = a->first_key + a->numkeys;
    if (argEquals(&c->argv[end], end0)) {
        a->end = 0;
    } else if (argEquals(&c->argv[end], end1)) {
        a->end = 1;
    } else {
        replySyntaxError(c);
        return -1;
    }
    a->count = -1;
    for (int j = end + 1; j < c->argc; j++) {
        if (a->count == -1 && argEquals(&c->argv[j], "count") && j + 1 < c->argc) {
            const char *err = "count should be greater than 0";
            if (argToLongOrReply(c, &c->argv[++j], &a->count, err) < 0) return -1;
            if (a->count < 1) {
                replyError(c, err);
                return -1;
            }
        } else {
            replySyntaxError(c);
            return -1;
        }
    }
    if (a->count == -1) a->count = 1;
    return 0;
}

int argToDbIdOrReply(client *c, const arg *a, int *id) {
    if (argToIntOrReply(c, a, id, NULL) < 0) return -1;
    if (*id < 0 || *id >= server.dbnum) {
        replyError(c, "DB index is out of range");
        return -1;
    }
    return 0;
}

void replyArityError(client *c) {
    replyErrorFormat(c, "wrong number of arguments for '%s' command",
                     c->cmd ? c->cmd->fullname : "unknown");
}

void replySyntaxError(client *c) { replyError(c, "syntax error"); }

void replyWrongType(client *c) {
    replyError(c, "-WRONGTYPE Operation against a key holding the wrong kind of value");
}

static void upperCaseName(char *dst, size_t dstlen, const char *name) {
    size_t i = 0;
    for (; name[i] && i + 1 < dstlen; i++) dst[i] = (char)toupper((unsigned char)name[i]);
    dst[i] = '\0';
}

void replySubcommandError(client *c) {
    char cmdname[48];
    command *cmd = commandLookup(c->argv[0].ptr, c->argv[0].len);
    upperCaseName(cmdname, sizeof(cmdname), cmd ? (cmd->parent ? cmd->parent->name : cmd->name)
                                                : "");
    replyErrorFormat(c, "unknown subcommand '%.*s'. Try %s HELP.", clip128(c->argv[1].len),
                     c->argv[1].ptr, cmdname);
}

void replyHelpLines(client *c, const char *const *lines) {
    char cmdname[48], header[128];
    command *cmd = commandLookup(c->argv[0].ptr, c->argv[0].len);
    upperCaseName(cmdname, sizeof(cmdname), cmd ? cmd->name : "");
    snprintf(header, sizeof(header),
             "%s <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", cmdname);
    long count = 0;
    while (lines[count]) count++;
    replyArrayLen(c, count + 3);
    replyStatus(c, header);
    for (long i = 0; i < count; i++) replyStatus(c, lines[i]);
    replyStatus(c, "HELP");
    replyStatus(c, "    Print this help.");
}

static obj *lookupTyped(client *c, const arg *key, int type, int *wrongtype, int flags) {
    obj *o = dbLookup(c->db, key->ptr, key->len, flags);
    *wrongtype = o && o->type != type;
    if (*wrongtype) {
        replyWrongType(c);
        return NULL;
    }
    return o;
}

obj *lookupTypedRead(client *c, const arg *key, int type, int *wrongtype) {
    return lookupTyped(c, key, type, wrongtype, LOOKUP_NONE);
}

obj *lookupTypedWrite(client *c, const arg *key, int type, int *wrongtype) {
    return lookupTyped(c, key, type, wrongtype, LOOKUP_WRITE);
}

obj *scanCollectionOrReply(client *c, int type, unsigned long *cursor, scanOptions *opt) {
    if (scanParseCursorOrReply(c, &c->argv[2], cursor) < 0) return NULL;
    int wrongtype;
    obj *o = lookupTypedRead(c, &c->argv[1], type, &wrongtype);
    if (wrongtype) return NULL;
    if (!o) {
        scanReplyCursor(c, 0);
        replyArrayLen(c, 0);
        return NULL;
    }
    if (scanParseOptionsOrReply(c, 3, 0, opt) < 0) return NULL;
    return o;
}

void replyBulkObj(client *c, const obj *o) {
    char buf[OBJ_INT_BUF];
    size_t len;
    const char *p = objStringBytes(o, buf, &len);
    replyBulk(c, p, len);
}
