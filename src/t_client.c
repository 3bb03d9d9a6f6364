/* SPDX-License-Identifier: BSD-3-Clause
 *
 * CLIENT and its subcommands: ID, SETNAME, GETNAME, LIST, INFO, KILL, HELP.
 * Killing another client marks it for closing before the loop sleeps; a
 * client that kills itself gets its reply first. Main thread only.
 */
#include "block.h"
#include "command.h"
#include "io_threads/io_threads.h"
#include "net.h"
#include "reply.h"
#include "server.h"
#include "str.h"
#include "util.h"

#include <limits.h>
#include <string.h>
#include <strings.h>

static void clientIdCommand(client *c) { replyLongLong(c, (long long)c->id); }

int argToClientNameOrReply(client *c, const arg *name) {
    for (size_t i = 0; i < name->len; i++) {
        if (name->ptr[i] < '!' || name->ptr[i] > '~') {
            replyError(c, "Client names cannot contain spaces, newlines or special characters.");
            return -1;
        }
    }
    return 0;
}

static void clientSetnameCommand(client *c) {
    const arg *name = &c->argv[2];
    if (argToClientNameOrReply(c, name) < 0) return;
    strFree(c->name);
    c->name = name->len ? strNewLen(name->ptr, name->len) : NULL;
    replyOk(c);
}

static void clientGetnameCommand(client *c) {
    if (c->name) replyBulk(c, c->name, strLen(c->name));
    else replyNull(c);
}

/* Redis's client types; every loom client is a normal one. */
static int isClientTypeName(const arg *a) {
    return argEquals(a, "normal") || argEquals(a, "slave") || argEquals(a, "replica") ||
           argEquals(a, "master") || argEquals(a, "pubsub");
}

static void clientListCommand(client *c) {
    /* Other clients' buffers are described below: no I/O thread may own one. */
    ioThreadsWaitIdle();
    str out = strEmpty();
    if (c->argc == 4 && argEquals(&c->argv[2], "type")) {
        if (!isClientTypeName(&c->argv[3])) {
            replyErrorFormat(c, "Unknown client type '%s'", c->argv[3].ptr);
            strFree(out);
            return;
        }
        if (argEquals(&c->argv[3], "normal")) {
            ILIST_FOREACH(clientList(), it) {
                out = netClientInfoString(out, clientFromNode(it));
                out = strCat(out, "\n");
            }
        }
    } else if (c->argc > 3 && argEquals(&c->argv[2], "id")) {
        for (int j = 3; j < c->argc; j++) {
            long long id;
            if (argToLongLongOrReply(c, &c->argv[j], &id, "Invalid client ID") < 0) {
                strFree(out);
                return;
            }
            client *target = clientLookupById((uint64_t)id);
            if (target) {
                out = netClientInfoString(out, target);
                out = strCat(out, "\n");
            }
        }
    } else if (c->argc != 2) {
        replySyntaxError(c);
        strFree(out);
        return;
    } else {
        ILIST_FOREACH(clientList(), it) {
            out = netClientInfoString(out, clientFromNode(it));
            out = strCat(out, "\n");
        }
    }
    replyVerbatim(c, out, strLen(out));
    strFree(out);
}

static void clientInfoCommand(client *c) {
    str out = netClientInfoString(strEmpty(), c);
    out = strCat(out, "\n");
    replyVerbatim(c, out, strLen(out));
    strFree(out);
}

typedef struct killFilter {
    uint64_t id;         /* 0 = any */
    const arg *addr;
    const arg *laddr;
    int skipme;
    int type_matches;    /* TYPE given and it is not "normal": nothing matches */
} killFilter;

static int argIs(const arg *a, const char *s) { return a->len == strlen(s) && !memcmp(a->ptr, s, a->len); }

static int killMatches(const killFilter *f, client *self, client *target) {
    if (f->type_matches == 0) return 0;
    if (f->id && target->id != f->id) return 0;
    if (f->addr && !argIs(f->addr, clientAddress(target))) return 0;
    if (f->laddr && !argIs(f->laddr, clientLocalAddress(target))) return 0;
    if (f->skipme && target == self) return 0;
    return 1;
}

/* Parses the new "CLIENT KILL <filter> <value> ..." form. */
static int parseKillFilters(client *c, killFilter *f) {
    for (int i = 2; i + 1 < c->argc; i += 2) {
        const arg *name = &c->argv[i], *value = &c->argv[i + 1];
        if (argEquals(name, "id")) {
            long long id;
            if (!string2ll(value->ptr, value->len, &id) || id < 1) {
                replyError(c, "client-id should be greater than 0");
                return -1;
            }
            f->id = (uint64_t)id;
        } else if (argEquals(name, "type")) {
            if (!isClientTypeName(value)) {
                replyErrorFormat(c, "Unknown client type '%s'", value->ptr);
                return -1;
            }
            f->type_matches = argEquals(value, "normal");
        } else if (argEquals(name, "addr")) {
            f->addr = value;
        } else if (argEquals(name, "laddr")) {
            f->laddr = value;
        } else if (argEquals(name, "user")) {
            if (!argIs(value, "default")) {
                replyErrorFormat(c, "No such user '%s'", value->ptr);
                return -1;
            }
        } else if (argEquals(name, "skipme")) {
            if (argEquals(value, "yes")) f->skipme = 1;
            else if (argEquals(value, "no")) f->skipme = 0;
            else {
                replySyntaxError(c);
                return -1;
            }
        } else {
            replySyntaxError(c);
            return -1;
        }
    }
    return 0;
}

static void clientKillCommand(client *c) {
    killFilter f = {.skipme = 1, .type_matches = 1};
    int old_form = c->argc == 3;
    if (old_form) {
        f.addr = &c->argv[2];
        f.skipme = 0;
    } else if ((c->argc - 2) % 2 != 0) {
        replySyntaxError(c);
        return;
    } else if (parseKillFilters(c, &f) < 0) {
        return;
    }
    long long killed = 0;
    int kill_self = 0;
    ILIST_FOREACH(clientList(), it) {
        client *target = clientFromNode(it);
        if (!killMatches(&f, c, target)) continue;
        if (target == c) kill_self = 1;
        else netCloseClientAsync(target);
        killed++;
    }
    if (old_form) {
        if (killed == 0) replyError(c, "No such client");
        else replyOk(c);
    } else {
        replyLongLong(c, killed);
    }
    if (kill_self) c->flags |= CLIENT_CLOSE_AFTER_REPLY;
}

static void clientUnblockCommand(client *c) {
    long long id;
    if (c->argc > 4) {
        replySyntaxError(c);
        return;
    }
    if (argToLongLongOrReply(c, &c->argv[2], &id, NULL) < 0) return;
    int reason = UNBLOCK_TIMEOUT;
    if (c->argc == 4) {
        if (argEquals(&c->argv[3], "timeout")) reason = UNBLOCK_TIMEOUT;
        else if (argEquals(&c->argv[3], "error")) reason = UNBLOCK_ERROR;
        else {
            replyError(c, "CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
            return;
        }
    }
    client *target = clientLookupById((uint64_t)id);
    if (!target || !clientIsBlocked(target)) {
        replyLongLong(c, 0);
        return;
    }
    blockUnblockClient(target, reason);
    replyLongLong(c, 1);
}

static void clientHelpCommand(client *c) {
    static const char *const help[] = {
        "GETNAME",
        "    Return the name of the current connection.",
        "ID",
        "    Return the ID of the current connection.",
        "INFO",
        "    Return information about the current client connection.",
        "KILL <ip:port>",
        "    Kill connection made from <ip:port>.",
        "KILL <option> <value> [<option> <value> [...]]",
        "    Kill connections. Options are:",
        "    * ADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made from the specified address",
        "    * LADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made to specified local address",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Kill connections by type.",
        "    * USER <username>",
        "      Kill connections authenticated by <username>.",
        "    * SKIPME (YES|NO)",
        "      Skip killing current connection (default: yes).",
        "    * ID <client-id>",
        "      Kill connections by client id.",
        "LIST [options ...]",
        "    Return information about client connections. Options:",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Return clients of specified type.",
        "    * ID <client-id> [<client-id> ...]",
        "      Return clients of specified IDs only.",
        "SETNAME <name>",
        "    Assign the name <name> to the current connection.",
        "UNBLOCK <clientid> [TIMEOUT|ERROR]",
        "    Unblock the specified blocked client.",
        NULL};
    replyHelpLines(c, help);
}

#define G CMD_GROUP_CONNECTION
#define ADMIN_FLAGS (CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE)
#define CONN_FLAGS (CMD_NOSCRIPT | CMD_LOADING | CMD_STALE)

static command clientSubcommands[] = {
    {"id", clientIdCommand, 2, CONN_FLAGS, 0, 0, 0, G, "5.0.0", "O(1)",
     "Returns the client ID for the current connection", NULL},
    {"setname", clientSetnameCommand, 3, CONN_FLAGS, 0, 0, 0, G, "2.6.9", "O(1)",
     "Set the current connection name", NULL},
    {"getname", clientGetnameCommand, 2, CONN_FLAGS, 0, 0, 0, G, "2.6.9", "O(1)",
     "Get the current connection name", NULL},
    {"list", clientListCommand, -2, ADMIN_FLAGS, 0, 0, 0, G, "2.4.0",
     "O(N) where N is the number of client connections", "Get the list of client connections",
     NULL},
    {"info", clientInfoCommand, 2, CONN_FLAGS, 0, 0, 0, G, "6.2.0", "O(1)",
     "Returns information about the current client connection.", NULL},
    {"kill", clientKillCommand, -3, ADMIN_FLAGS, 0, 0, 0, G, "2.4.0",
     "O(N) where N is the number of client connections", "Kill the connection of a client",
     NULL},
    {"unblock", clientUnblockCommand, -3, ADMIN_FLAGS, 0, 0, 0, G, "5.0.0",
     "O(log N) where N is the number of client connections",
     "Unblock a client blocked in a blocking command from a different connection", NULL},
    {"help", clientHelpCommand, 2, CMD_LOADING | CMD_STALE, 0, 0, 0, G, "5.0.0", "O(1)",
     "Show helpful text about the different subcommands", NULL},
    {0}};

command clientCommandTable[] = {
    {"client", NULL, -2, 0, 0, 0, 0, G, "2.4.0", "Depends on subcommand.",
     "A container for client connection commands", clientSubcommands},
    {0}};
