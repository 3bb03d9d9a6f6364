/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The command table and the machinery every command handler uses: lookup by
 * name (case-insensitive, with subcommands such as "config|get"), arity
 * checks, call() with statistics, and argument helpers that reply with Redis's
 * exact error text and return failure, so handler bodies read top to bottom.
 *
 * Each t_*.c file defines a table of its commands; server start-up registers
 * them. Main thread only; the table is read-only after start-up, so the lookup
 * may also run on I/O threads.
 */
#ifndef LOOM_COMMAND_H
#define LOOM_COMMAND_H

#include "client.h"

#include <stddef.h>
#include <stdint.h>

struct obj;

typedef void commandProc(client *c);

/* Command flags, shown by COMMAND INFO. */
#define CMD_WRITE (1u << 0)
#define CMD_READONLY (1u << 1)
#define CMD_DENYOOM (1u << 2)
#define CMD_ADMIN (1u << 3)
#define CMD_PUBSUB (1u << 4)
#define CMD_NOSCRIPT (1u << 5)
#define CMD_BLOCKING (1u << 6)
#define CMD_LOADING (1u << 7)
#define CMD_STALE (1u << 8)
#define CMD_SKIP_MONITOR (1u << 9)
#define CMD_SKIP_SLOWLOG (1u << 10)
#define CMD_FAST (1u << 11)
#define CMD_NO_AUTH (1u << 12)
#define CMD_MAY_REPLICATE (1u << 13)
#define CMD_NO_MULTI (1u << 14)
#define CMD_ALLOW_BUSY (1u << 15)
#define CMD_SENTINEL (1u << 16)
#define CMD_NO_MANDATORY_KEYS (1u << 17)
/* Refused unless enable-debug-command allows it (DEBUG). */
#define CMD_PROTECTED (1u << 18)
/* Key positions depend on the arguments (numkeys, STORE): COMMAND INFO's
 * "movablekeys". */
#define CMD_MOVABLE_KEYS (1u << 19)

/* Groups, as COMMAND DOCS reports them. */
#define CMD_GROUP_GENERIC "generic"
#define CMD_GROUP_STRING "string"
#define CMD_GROUP_CONNECTION "connection"
#define CMD_GROUP_SERVER "server"
#define CMD_GROUP_LIST "list"
#define CMD_GROUP_HASH "hash"
#define CMD_GROUP_SET "set"
#define CMD_GROUP_SORTED_SET "sorted-set"

typedef struct commandStats {
    long long calls;
    long long usec;
    long long rejected_calls;
    long long failed_calls;
} commandStats;

typedef struct command {
    const char *name;
    commandProc *proc;
    int arity; /* > 0: exactly; < 0: at least -arity (both count the name) */
    uint32_t flags;
    int first_key, last_key, key_step; /* key positions; last_key -1 = the last arg */
    const char *group;
    const char *since;
    const char *complexity;
    const char *summary;
    struct command *subcommands; /* table ending with a {0} entry, or NULL */

    /* Filled in at registration. */
    struct command *parent;
    char fullname[48]; /* "get", "config|get" */
    commandStats stats;
    struct histogram *latency; /* durations in us, created on the first call */
} command;

/* Registers a table ending with a {0} entry. Start-up only: once I/O threads
 * run, the table is read concurrently by commandLookup and never changes. */
void commandRegisterTable(command *table);
/* The command named name[0..len) (case-insensitive), or NULL. */
command *commandLookup(const char *name, size_t len);
/* Resolves a command from a full argv: the subcommand for container commands. */
command *commandLookupArgv(const arg *argv, int argc);
/* Iterates over the registered top-level commands. */
typedef void commandVisitor(command *cmd, void *ctx);
void commandForEach(commandVisitor *fn, void *ctx);
size_t commandCount(void);

/* Checks and runs c->argv as a command, replying with Redis's errors for
 * unknown commands and wrong arity, and updating statistics. `resolved` is
 * the table entry for argv[0] when already looked up (by the parser), else
 * NULL. */
void commandProcess(client *c, command *resolved);
/* Zeroes every command's statistics (CONFIG RESETSTAT). */
void commandResetStats(void);

/* --- Helpers for handlers -------------------------------------------------
 * Each "...OrReply" helper sends Redis's error text and returns -1 on failure,
 * 0 on success. */
int argEquals(const arg *a, const char *s); /* case-insensitive */
int argToLongLongOrReply(client *c, const arg *a, long long *v, const char *msg);
/* An int: "value is out of range" beyond INT_MIN..INT_MAX. */
int argToIntOrReply(client *c, const arg *a, int *v, const char *msg);
int argToLongOrReply(client *c, const arg *a, long *v, const char *msg);
int argToLongDoubleOrReply(client *c, const arg *a, long double *v, const char *msg);
int argToPositiveLongOrReply(client *c, const arg *a, long *v, const char *msg);
/* The count of HRANDFIELD, SRANDMEMBER and ZRANDMEMBER: any long except
 * LONG_MIN (whose negation, "repeats allowed", would overflow). */
int argToRandomCountOrReply(client *c, const arg *a, long *count);

/* The tail shared by LMPOP, BLMPOP, ZMPOP and BZMPOP, from argv[first]:
 * "numkeys key [key ...] END [COUNT count]", where END is end0 or end1
 * (LEFT/RIGHT, MIN/MAX). */
typedef struct mpopArgs {
    int first_key; /* argv index of the first key */
    int numkeys;
    int end;       /* 0 for end0, 1 for end1 */
    long count;    /* 1 without COUNT */
} mpopArgs;
int mpopParseOrReply(client *c, int first, const char *end0, const char *end1, mpopArgs *a);

/* A client name (CLIENT SETNAME, HELLO SETNAME): printable, no spaces. */
int argToClientNameOrReply(client *c, const arg *name);
/* A database index within 0..databases-1 ("DB index is out of range"). */
int argToDbIdOrReply(client *c, const arg *a, int *id);

void replyArityError(client *c);
void replySyntaxError(client *c);
void replyWrongType(client *c);
/* "ERR unknown subcommand 'x'. Try CMD HELP." */
void replySubcommandError(client *c);
/* The array a HELP subcommand returns: "<CMD> <subcommand> [<arg> [value] [opt]
 * ...]. Subcommands are:", then lines, then the HELP entry. */
void replyHelpLines(client *c, const char *const *lines);
/* A string object as a bulk reply. */
void replyBulkObj(client *c, const struct obj *o);

/* Looks a key up expecting `type`: returns the value, or NULL when the key is
 * missing (nothing replied) or holds another type (WRONGTYPE replied and
 * *wrongtype set). */
struct obj *lookupTypedRead(client *c, const arg *key, int type, int *wrongtype);
struct obj *lookupTypedWrite(client *c, const arg *key, int type, int *wrongtype);

/* --- SCAN, HSCAN, SSCAN, ZSCAN ------------------------------------------- */
typedef struct scanOptions {
    const arg *pattern; /* MATCH, NULL for everything */
    long count;         /* COUNT, default 10 */
    const arg *type;    /* TYPE (SCAN only) */
} scanOptions;
/* The cursor as Redis parses it (strtoul: "", "-1", "+7" accepted). */
int scanParseCursorOrReply(client *c, const arg *a, unsigned long *cursor);
/* Options from argv[first] on; TYPE only when allow_type. */
int scanParseOptionsOrReply(client *c, int first, int allow_type, scanOptions *opt);
int scanPatternMatches(const scanOptions *opt, const char *s, size_t len);
/* Starts a scan reply: the two-element array and the next cursor; the
 * caller follows with the elements' array. */
void scanReplyCursor(client *c, unsigned long cursor);
/* The common start of HSCAN, SSCAN and ZSCAN (key in argv[1], cursor in
 * argv[2], options after): returns the collection to scan with *cursor and
 * *opt filled, or NULL when it already replied. As in Redis, a missing key
 * gets an empty scan before the options are even parsed. */
struct obj *scanCollectionOrReply(client *c, int type, unsigned long *cursor, scanOptions *opt);

#endif
