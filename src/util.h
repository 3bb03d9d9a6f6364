/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Small helpers every layer uses: number <-> string conversions with Redis 7.0's
 * exact acceptance rules and output formats, glob matching as KEYS and CONFIG GET
 * do it, memory sizes in config syntax, clocks, random numbers, and loomAssert.
 * Everything here is a leaf: no logging, no replies, no globals beyond the assert
 * hook and per-thread PRNG state. Any thread may call any function.
 */
#ifndef LOOM_UTIL_H
#define LOOM_UTIL_H

#include <stddef.h>
#include <sys/types.h>
#include <stdint.h>

/* Room for any long long in decimal, with sign and NUL. */
#define UTIL_LONG_STR_SIZE 21
/* Room for any double as d2string writes it ("-2.2250738585072014e-308"), with NUL. */
#define UTIL_DOUBLE_STR_SIZE 32
/* Redis's MAX_LONG_DOUBLE_CHARS: string2ld rejects inputs this long or longer, and a
 * buffer this size holds any finite long double that ld2string writes in human mode. */
#define UTIL_LONG_DOUBLE_STR_SIZE 5120

/* --- Integers ------------------------------------------------------------ */

/* Strict parsing as Redis does for command arguments: an optional '-', then digits,
 * with no '+', no spaces, no leading zeros ("0" is fine; "01" and "-0" are not), and
 * the value must fit. Return 1 and set *value on success, 0 otherwise (len 0 -> 0).
 * In all the parsers below, value may be NULL to only check the syntax. */
int string2ll(const char *s, size_t len, long long *value);
int string2l(const char *s, size_t len, long *value);
/* Same rules without the sign: digits only, no leading zeros, fits in 64 bits. */
int string2ull(const char *s, size_t len, unsigned long long *value);

/* Write v in decimal into dst (dstlen bytes, NUL-terminated). Return the length
 * without the NUL, or 0 if it did not fit (dst then holds "" when dstlen > 0). */
int ll2string(char *dst, size_t dstlen, long long v);
int ull2string(char *dst, size_t dstlen, unsigned long long v);
/* Number of decimal digits in v (1 for 0). */
int digits10(unsigned long long v);

/* --- Floating point ------------------------------------------------------ */

/* Parse as INCRBYFLOAT does (redis-server 7.0): strtold must consume all len bytes
 * (so an embedded NUL fails), no leading whitespace, len < UTIL_LONG_DOUBLE_STR_SIZE.
 * Accepted: "+1", "01", ".5", "5.", "1e3", hex ("0x1p3"), "inf"/"infinity" in any case
 * (INCRBYFLOAT rejects them later as a result), denormals. Rejected: NaN in any
 * spelling, values that overflow or underflow to zero ("1e5000", "1e-5000").
 * Return 1 and set *value, or 0. */
int string2ld(const char *s, size_t len, long double *value);
/* Format as INCRBYFLOAT replies. human != 0: "%.17Lf" with trailing zeros and a
 * trailing '.' removed, and "-0" written as "0" (10.5 -> "10.5", 3e3 -> "3000").
 * human == 0: "%.17Lg". Infinities are "inf"/"-inf", NaN is "nan". buf needs room
 * for the text before trimming; UTIL_LONG_DOUBLE_STR_SIZE always suffices. Return
 * the length, or 0 if it did not fit (buf then holds "" when len > 0). */
int ld2string(char *buf, size_t len, long double value, int human);

/* Parse a score or timeout as ZADD does (redis-server 7.0): strtod must consume all
 * len bytes, no leading whitespace, no length limit. Accepted: "+1", ".5", "1e3",
 * hex, "inf", "+inf", "-inf", "infinity" in any case, denormals. Rejected: NaN, and
 * values that overflow or underflow to zero ("1e400", "1e-400"). Return 1 or 0. */
int string2d(const char *s, size_t len, double *value);
/* Format as redis-server 7.0 replies a double (ZSCORE, ZINCRBY): "%.17g", so 1.1 is
 * "1.1000000000000001", 1e17 is "1e+17", -0.0 is "-0"; "inf", "-inf", and "nan".
 * Return the length, or 0 if it did not fit (buf then holds "" when len > 0). */
int d2string(char *buf, size_t len, double value);

/* --- Glob matching ------------------------------------------------------- */

/* Match as KEYS, SCAN MATCH, PUBSUB CHANNELS and CONFIG GET do (redis-server 7.0):
 *   *      any run of bytes        ?      any one byte
 *   [abc]  one of a set            [^abc] one byte not in the set
 *   [a-z]  a range; [z-a] is the same range; bytes compare as signed chars
 *   \x     x literally (in a set too; a trailing '\' is a literal '\')
 * A set with no closing ']' runs to the end of the pattern; "[]" matches nothing.
 * nocase folds ASCII letters, except for a '\'-escaped byte inside a set.
 * As in Redis, an empty string matches only the empty pattern, not even "*": KEYS
 * and SCAN check for the pattern "*" before calling this. Binary safe. Runs in
 * O(patlen * strlen) time without recursion. Return 1 on a match, else 0. */
int stringmatchlen(const char *pattern, size_t patlen, const char *string, size_t strlen,
                   int nocase);
int stringmatch(const char *pattern, const char *string, int nocase);

/* --- Config values ------------------------------------------------------- */

/* Memory size in config syntax: digits then an optional unit, case-insensitive:
 * b = 1, k = 1000, kb = 1024, m = 1000^2, mb = 1024^2, g = 1000^3, gb = 1024^3.
 * A leading '-' only when allow_negative. As in redis-server, no digits means 0
 * ("" and "kb" are 0). No '+', spaces, or fractions. Return 1 and set *value, or 0
 * (also when the result does not fit in a long long). */
int memtoll(const char *s, long long *value, int allow_negative);
/* The unsigned variant redis-server 7.0 applies to every memory config in CONFIG SET
 * and the config file (maxmemory, proto-max-bulk-len, client-output-buffer-limit):
 * no sign allowed; the digits saturate at ULLONG_MAX; the product with the unit
 * wraps modulo 2^64 ("17179869184gb" is 0 in redis-server); more than 127 digits
 * fail. Return 1 and set *value, or 0. */
int memtoull(const char *s, unsigned long long *value);

/* Writes p[0..len) into out (cap bytes, NUL-terminated) for a message:
 * printable ASCII as it is, other bytes, '"' and '\\' as \xNN, cut with
 * "..." when it does not fit. */
void escapeForMessage(const void *p, size_t len, char *out, size_t cap);

/* --- Files -------------------------------------------------------------- */

/* Writes all len bytes, retrying short writes and EINTR. Returns len, or the
 * bytes written before a failure (errno set; a write of 0 bytes sets ENOSPC). */
ssize_t writeAll(int fd, const void *buf, size_t len);

/* --- Time ---------------------------------------------------------------- */

long long ustime(void);      /* wall clock (CLOCK_REALTIME), microseconds */
long long mstime(void);      /* wall clock (CLOCK_REALTIME), milliseconds */
long long monotonicUs(void); /* CLOCK_MONOTONIC, microseconds */

/* --- Randomness ---------------------------------------------------------- */

/* Fill p with len bytes from /dev/urandom; if that cannot be read, from a generator
 * seeded with the time, the pid and the thread. May block only on /dev/urandom. */
void getRandomBytes(unsigned char *p, size_t len);
/* Write len random lowercase hex characters to p, with no NUL (run_id uses 40). */
void getRandomHexChars(char *p, size_t len);
/* A fast non-cryptographic PRNG (xoshiro256**) for sampling and random keys. The
 * state is per thread and seeded from getRandomBytes on first use. */
uint64_t randomU64(void);

/* --- Bug checks ---------------------------------------------------------- */

/* loomAssert(cond) is for bugs only, never for client or file input. A failed check
 * calls the hook set with setAssertHook (the server's logs a backtrace; by default
 * one line goes to stderr), then abort()s. */
#define loomAssert(cond) ((cond) ? (void)0 : assertFailed(#cond, __FILE__, __LINE__))
void assertFailed(const char *expr, const char *file, int line) __attribute__((noreturn));
/* Install the hook (NULL restores the default). Set it at start-up; any thread may
 * fail an assertion later. A hook that fails an assertion itself is not re-entered. */
void setAssertHook(void (*hook)(const char *expr, const char *file, int line));

#endif
