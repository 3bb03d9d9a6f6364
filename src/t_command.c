/* SPDX-License-Identifier: BSD-3-Clause
 *
 * COMMAND and its subcommands: COUNT, INFO, LIST (FILTERBY PATTERN / ACLCAT /
 * MODULE), DOCS, GETKEYS and HELP. Everything is derived from the command
 * table: flags, ACL categories and key specs come from each entry's flags,
 * group and key positions. Main thread only.
 */
#include "alloc.h"
#include "command.h"
#include "reply.h"
#include "server.h"
#include "str.h"
#include "util.h"

#include <string.h>
#include <strings.h>

static const struct {
    uint32_t flag;
    const char *name;
} flag_names[] = {
    {CMD_WRITE, "write"},       {CMD_READONLY, "readonly"},       {CMD_DENYOOM, "denyoom"},
    {CMD_ADMIN, "admin"},       {CMD_PUBSUB, "pubsub"},           {CMD_NOSCRIPT, "noscript"},
    {CMD_BLOCKING, "blocking"}, {CMD_LOADING, "loading"},         {CMD_STALE, "stale"},
    {CMD_SKIP_MONITOR, "skip_monitor"}, {CMD_SKIP_SLOWLOG, "skip_slowlog"},
    {CMD_FAST, "fast"},         {CMD_NO_AUTH, "no_auth"},         {CMD_MAY_REPLICATE, "may_replicate"},
    {CMD_SENTINEL, "sentinel"}, {CMD_NO_MANDATORY_KEYS, "no_mandatory_keys"},
    {CMD_NO_MULTI, "no_multi"}, {CMD_MOVABLE_KEYS, "movablekeys"},
    {CMD_ALLOW_BUSY, "allow_busy"},
};
#define FLAG_NAMES_COUNT (sizeof(flag_names) / sizeof(flag_names[0]))

/* The ACL categories Redis assigns, derived from the flags and the group. */
static int aclCategories(const command *cmd, const char **out) {
    int n = 0;
    if (cmd->flags & CMD_WRITE) out[n++] = "@write";
    if (cmd->flags & CMD_READONLY) out[n++] = "@read";
    static const struct {
        const char *group, *category;
    } groups[] = {{CMD_GROUP_STRING, "@string"},     {CMD_GROUP_GENERIC, "@keyspace"},
                  {CMD_GROUP_CONNECTION, "@connection"}, {CMD_GROUP_LIST, "@list"},
                  {CMD_GROUP_HASH, "@hash"},         {CMD_GROUP_SET, "@set"},
                  {CMD_GROUP_SORTED_SET, "@sortedset"}};
    for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
        if (!strcmp(cmd->group, groups[i].group)) out[n++] = groups[i].category;
    if (cmd->flags & CMD_ADMIN) out[n++] = "@admin";
    out[n++] = (cmd->flags & CMD_FAST) ? "@fast" : "@slow";
    if (cmd->flags & CMD_BLOCKING) out[n++] = "@blocking";
    if (cmd->flags & CMD_ADMIN) out[n++] = "@dangerous";
    return n;
}

static int aclCategoryMatches(const command *cmd, const arg *category) {
    const char *cats[8];
    int n = aclCategories(cmd, cats);
    for (int i = 0; i < n; i++)
        if (strlen(cats[i] + 1) == category->len && !strncasecmp(cats[i] + 1, category->ptr, category->len))
            return 1;
    return 0;
}

static void replyKeySpecs(client *c, const command *cmd) {
    if (cmd->first_key <= 0) {
        replyArrayLen(c, 0);
        return;
    }
    replyArrayLen(c, 1);
    replyMapLen(c, 3);
    replyBulkCString(c, "flags");
    if (cmd->flags & CMD_WRITE) {
        replyArrayLen(c, 2);
        replyStatus(c, "RW");
        replyStatus(c, "update");
    } else {
        replyArrayLen(c, 2);
        replyStatus(c, "RO");
        replyStatus(c, "access");
    }
    replyBulkCString(c, "begin_search");
    replyMapLen(c, 2);
    replyBulkCString(c, "type");
    replyBulkCString(c, "index");
    replyBulkCString(c, "spec");
    replyMapLen(c, 1);
    replyBulkCString(c, "index");
    replyLongLong(c, cmd->first_key);
    replyBulkCString(c, "find_keys");
    replyMapLen(c, 2);
    replyBulkCString(c, "type");
    replyBulkCString(c, "range");
    replyBulkCString(c, "spec");
    replyMapLen(c, 3);
    replyBulkCString(c, "lastkey");
    replyLongLong(c, cmd->last_key < 0 ? cmd->last_key : cmd->last_key - cmd->first_key);
    replyBulkCString(c, "keystep");
    replyLongLong(c, cmd->key_step);
    replyBulkCString(c, "limit");
    replyLongLong(c, 0);
}

static void replyCommandInfo(client *c, const command *cmd) {
    replyArrayLen(c, 10);
    replyBulkCString(c, cmd->fullname);
    replyLongLong(c, cmd->arity);
    int nflags = 0;
    for (size_t i = 0; i < FLAG_NAMES_COUNT; i++)
        if (cmd->flags & flag_names[i].flag) nflags++;
    replySetLen(c, nflags);
    for (size_t i = 0; i < FLAG_NAMES_COUNT; i++)
        if (cmd->flags & flag_names[i].flag) replyStatus(c, flag_names[i].name);
    replyLongLong(c, cmd->first_key);
    replyLongLong(c, cmd->last_key);
    replyLongLong(c, cmd->key_step);
    const char *cats[8];
    int ncats = aclCategories(cmd, cats);
    replySetLen(c, ncats);
    for (int i = 0; i < ncats; i++) replyStatus(c, cats[i]);
    replySetLen(c, 0); /* tips */
    replyKeySpecs(c, cmd);
    long nsub = 0;
    for (const command *sub = cmd->subcommands; sub && sub->name; sub++) nsub++;
    replyArrayLen(c, nsub);
    for (const command *sub = cmd->subcommands; sub && sub->name; sub++) replyCommandInfo(c, sub);
}

typedef struct visitCtx {
    client *c;
    long count;
    const arg *pattern;  /* LIST FILTERBY PATTERN */
    const arg *category; /* LIST FILTERBY ACLCAT */
} visitCtx;

static void visitInfo(command *cmd, void *privdata) {
    visitCtx *ctx = privdata;
    replyCommandInfo(ctx->c, cmd);
    ctx->count++;
}

static void commandCommand(client *c) {
    visitCtx ctx = {.c = c};
    void *handle = replyDeferredLen(c);
    commandForEach(visitInfo, &ctx);
    replySetDeferredArrayLen(c, handle, ctx.count);
}

static void commandCountCommand(client *c) { replyLongLong(c, (long long)commandCount()); }

static void commandInfoCommand(client *c) {
    if (c->argc == 2) {
        commandCommand(c);
        return;
    }
    replyArrayLen(c, c->argc - 2);
    for (int j = 2; j < c->argc; j++) {
        const arg *name = &c->argv[j];
        /* "config|get" names a subcommand. */
        const char *bar = memchr(name->ptr, '|', name->len);
        command *cmd = commandLookup(name->ptr, bar ? (size_t)(bar - name->ptr) : name->len);
        if (cmd && bar) {
            const char *subname = bar + 1;
            size_t sublen = name->len - (size_t)(subname - name->ptr);
            command *found = NULL;
            for (command *sub = cmd->subcommands; sub && sub->name; sub++)
                if (strlen(sub->name) == sublen && !strncasecmp(sub->name, subname, sublen))
                    found = sub;
            cmd = found;
        }
        if (cmd) replyCommandInfo(c, cmd);
        else replyNull(c);
    }
}

static int listFilterMatches(const visitCtx *ctx, const command *cmd) {
    if (ctx->pattern)
        return stringmatchlen(ctx->pattern->ptr, ctx->pattern->len, cmd->fullname,
                              strlen(cmd->fullname), 1);
    if (ctx->category) return aclCategoryMatches(cmd, ctx->category);
    return 1;
}

static void visitList(command *cmd, void *privdata) {
    visitCtx *ctx = privdata;
    if (listFilterMatches(ctx, cmd)) {
        replyBulkCString(ctx->c, cmd->fullname);
        ctx->count++;
    }
    for (command *sub = cmd->subcommands; sub && sub->name; sub++) {
        if (!listFilterMatches(ctx, sub)) continue;
        replyBulkCString(ctx->c, sub->fullname);
        ctx->count++;
    }
}

static void commandListCommand(client *c) {
    visitCtx ctx = {.c = c};
    if (c->argc == 5 && argEquals(&c->argv[2], "filterby")) {
        if (argEquals(&c->argv[3], "pattern")) {
            ctx.pattern = &c->argv[4];
        } else if (argEquals(&c->argv[3], "aclcat")) {
            ctx.category = &c->argv[4];
        } else if (argEquals(&c->argv[3], "module")) {
            replyArrayLen(c, 0); /* loom has no modules */
            return;
        } else {
            replySyntaxError(c);
            return;
        }
    } else if (c->argc != 2) {
        replySyntaxError(c);
        return;
    }
    void *handle = replyDeferredLen(c);
    commandForEach(visitList, &ctx);
    replySetDeferredArrayLen(c, handle, ctx.count);
}

static void replyCommandDocs(client *c, const command *cmd) {
    long nsub = 0;
    for (const command *sub = cmd->subcommands; sub && sub->name; sub++) nsub++;
    replyMapLen(c, nsub ? 5 : 4);
    replyBulkCString(c, "summary");
    replyBulkCString(c, cmd->summary);
    replyBulkCString(c, "since");
    replyBulkCString(c, cmd->since);
    replyBulkCString(c, "group");
    replyBulkCString(c, cmd->group);
    replyBulkCString(c, "complexity");
    replyBulkCString(c, cmd->complexity);
    if (!nsub) return;
    replyBulkCString(c, "subcommands");
    replyMapLen(c, nsub);
    for (const command *sub = cmd->subcommands; sub && sub->name; sub++) {
        replyBulkCString(c, sub->fullname);
        replyCommandDocs(c, sub);
    }
}

static void visitDocs(command *cmd, void *privdata) {
    visitCtx *ctx = privdata;
    replyBulkCString(ctx->c, cmd->fullname);
    replyCommandDocs(ctx->c, cmd);
    ctx->count++;
}

static void commandDocsCommand(client *c) {
    if (c->argc == 2) {
        visitCtx ctx = {.c = c};
        void *handle = replyDeferredLen(c);
        commandForEach(visitDocs, &ctx);
        replySetDeferredMapLen(c, handle, ctx.count);
        return;
    }
    long found = 0;
    void *handle = replyDeferredLen(c);
    for (int j = 2; j < c->argc; j++) {
        command *cmd = commandLookup(c->argv[j].ptr, c->argv[j].len);
        if (!cmd) continue;
        replyBulkCString(c, cmd->fullname);
        replyCommandDocs(c, cmd);
        found++;
    }
    replySetDeferredMapLen(c, handle, found);
}

static void commandGetkeysCommand(client *c) {
    command *cmd = commandLookupArgv(c->argv + 2, c->argc - 2);
    int argc = c->argc - 2;
    if (!cmd) {
        replyError(c, "Invalid command specified");
        return;
    }
    if (cmd->arity > 0 ? argc != cmd->arity : argc < -cmd->arity) {
        replyError(c, "Invalid number of arguments specified for command");
        return;
    }
    if (cmd->first_key <= 0) {
        replyError(c, "The command has no key arguments");
        return;
    }
    int last = cmd->last_key < 0 ? argc + cmd->last_key : cmd->last_key;
    long count = 0;
    for (int i = cmd->first_key; i <= last && i < argc; i += cmd->key_step) count++;
    replyArrayLen(c, count);
    for (int i = cmd->first_key; i <= last && i < argc; i += cmd->key_step)
        replyBulk(c, c->argv[2 + i].ptr, c->argv[2 + i].len);
}

static void commandHelpCommand(client *c) {
    static const char *const help[] = {
        "(no subcommand)",
        "    Return details about all Redis commands.",
        "COUNT",
        "    Return the total number of commands in this Redis server.",
        "LIST",
        "    Return a list of all commands in this Redis server.",
        "INFO [<command-name> ...]",
        "    Return details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "DOCS [<command-name> ...]",
        "    Return documentation details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "GETKEYS <full-command>",
        "    Return the keys from a full Redis command.",
        "LIST [FILTERBY (MODULE <module-name>|ACLCAT <category>|PATTERN <pattern>)]",
        "    Return a list of all commands in this Redis server.",
        NULL};
    replyHelpLines(c, help);
}

static void commandDispatch(client *c) { commandCommand(c); }

#define G CMD_GROUP_SERVER
#define F (CMD_LOADING | CMD_STALE)

static command commandSubcommands[] = {
    {"count", commandCountCommand, 2, F, 0, 0, 0, G, "2.8.13", "O(1)",
     "Get total number of Redis commands", NULL},
    {"info", commandInfoCommand, -2, F, 0, 0, 0, G, "2.8.13",
     "O(N) where N is the number of commands to look up", "Get array of specific Redis command "
     "details, or all when no argument is given.", NULL},
    {"list", commandListCommand, -2, F, 0, 0, 0, G, "7.0.0",
     "O(N) where N is the total number of Redis commands", "Get an array of Redis command names",
     NULL},
    {"docs", commandDocsCommand, -2, F, 0, 0, 0, G, "7.0.0",
     "O(N) where N is the number of commands to look up", "Get array of specific Redis command "
     "documentation", NULL},
    {"getkeys", commandGetkeysCommand, -4, F, 0, 0, 0, G, "2.8.13",
     "O(N) where N is the number of arguments to the command",
     "Extract keys given a full Redis command", NULL},
    {"help", commandHelpCommand, 2, F, 0, 0, 0, G, "5.0.0", "O(1)",
     "Show helpful text about the different subcommands", NULL},
    {0}};

command commandCommandTable[] = {
    {"command", commandDispatch, -1, F, 0, 0, 0, G, "2.8.13",
     "O(N) where N is the total number of Redis commands", "Get array of Redis command details",
     commandSubcommands},
    {0}};
