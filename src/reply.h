/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The reply-building API commands call. Each function appends RESP bytes to the
 * client's fixed buffer, spilling into reply blocks; nothing here touches a
 * socket. Types that differ between RESP2 and RESP3 (null, map, set, double,
 * boolean, verbatim) are encoded for the client's protocol version.
 *
 * Main thread only (the thread that runs commands).
 */
#ifndef LOOM_REPLY_H
#define LOOM_REPLY_H

#include <stddef.h>

struct client;

void replyRaw(struct client *c, const char *p, size_t len);
void replyOk(struct client *c);
/* "+<status>\r\n"; status must not contain CR or LF. */
void replyStatus(struct client *c, const char *status);
void replyStatusLen(struct client *c, const char *status, size_t len);

/* Error replies. `err` starting with '-' is sent as is ("-WRONGTYPE ..."),
 * otherwise "-ERR " is prepended. CR and LF inside are replaced by spaces. Every
 * error passes through the error observer (stats) set below. */
void replyError(struct client *c, const char *err);
void replyErrorLen(struct client *c, const char *err, size_t len);
void replyErrorFormat(struct client *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Called for every error reply with the error code ("ERR", "WRONGTYPE"...). */
typedef void replyErrorObserver(struct client *c, const char *code, size_t code_len);
void replySetErrorObserver(replyErrorObserver *observer);

void replyLongLong(struct client *c, long long v);
void replyBulk(struct client *c, const void *p, size_t len);
/* A C string as a bulk string; NULL sends the null reply. */
void replyBulkCString(struct client *c, const char *s);
void replyBulkLongLong(struct client *c, long long v);
void replyNull(struct client *c);      /* "$-1" (RESP2), "_" (RESP3) */
void replyNullArray(struct client *c); /* "*-1" (RESP2), "_" (RESP3) */
void replyArrayLen(struct client *c, long len);
void replyMapLen(struct client *c, long pairs); /* RESP2: array of 2*pairs */
void replySetLen(struct client *c, long len);   /* RESP2: array */
void replyDouble(struct client *c, double d);   /* RESP2: bulk string */
void replyBool(struct client *c, int b);        /* RESP2: integer 1/0 */
/* Text such as INFO: RESP3 verbatim "txt", RESP2 bulk string. */
void replyVerbatim(struct client *c, const char *p, size_t len);
/* An array of status lines, as HELP subcommands reply. */
void replyHelp(struct client *c, const char *const *lines);

/* A length to be filled in once known (KEYS, SCAN, ...): returns a handle for
 * one of the set functions below, which must be called exactly once. */
void *replyDeferredLen(struct client *c);
void replySetDeferredArrayLen(struct client *c, void *handle, long len);
void replySetDeferredMapLen(struct client *c, void *handle, long pairs);

#endif
