/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Conversions, glob matching, config sizes, clocks, randomness and assertions
 * (see util.h). Acceptance rules and output formats follow redis-server 7.0,
 * checked byte for byte against it; the tests hold the expected strings. All
 * functions are reentrant: the only shared state is the assert hook (an atomic
 * pointer) and the PRNG states, which are per thread. Nothing here logs, except
 * the default assert hook's one line to stderr just before abort().
 */
#include "util.h"

#include "alloc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

/* --- Integers ------------------------------------------------------------ */

/* Parses a non-empty run of decimal digits with no leading zero (except "0"
 * itself) into *mag. Returns 0 on any other byte or on overflow. */
static int parseMagnitude(const char *s, size_t len, unsigned long long *mag) {
    if (len == 0 || (s[0] == '0' && len > 1)) return 0;
    unsigned long long v = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned d = (unsigned char)s[i] - '0';
        if (d > 9) return 0;
        if (v > (ULLONG_MAX - d) / 10) return 0;
        v = v * 10 + d;
    }
    *mag = v;
    return 1;
}

/* Applies a sign to a magnitude already known to fit: LLONG_MIN's magnitude is
 * LLONG_MAX + 1, so negate in two steps to stay within long long. */
static long long negateMagnitude(unsigned long long mag) {
    return mag == 0 ? 0 : -(long long)(mag - 1) - 1;
}

int string2ll(const char *s, size_t len, long long *value) {
    if (len == 0) return 0;
    size_t negative = s[0] == '-';
    unsigned long long mag;
    if (!parseMagnitude(s + negative, len - negative, &mag)) return 0;
    if (negative) {
        /* "-0" is not an integer for Redis; neither is anything below LLONG_MIN. */
        if (mag == 0 || mag > (unsigned long long)LLONG_MAX + 1) return 0;
        if (value) *value = negateMagnitude(mag);
    } else {
        if (mag > LLONG_MAX) return 0;
        if (value) *value = (long long)mag;
    }
    return 1;
}

int string2l(const char *s, size_t len, long *value) {
    long long v;
    if (!string2ll(s, len, &v) || v < LONG_MIN || v > LONG_MAX) return 0;
    if (value) *value = (long)v;
    return 1;
}

int string2ull(const char *s, size_t len, unsigned long long *value) {
    unsigned long long mag;
    if (!parseMagnitude(s, len, &mag)) return 0;
    if (value) *value = mag;
    return 1;
}

int digits10(unsigned long long v) {
    if (v < 10) return 1;
    if (v < 100) return 2;
    if (v < 1000) return 3;
    if (v < 1000000000000ULL) {
        if (v < 100000000ULL) {
            if (v < 10000) return 4;
            return 5 + (v >= 100000) + (v >= 1000000) + (v >= 10000000);
        }
        return 9 + (v >= 1000000000ULL) + (v >= 10000000000ULL) + (v >= 100000000000ULL);
    }
    return 12 + digits10(v / 1000000000000ULL);
}

/* "00".."99": two output digits per division. */
static const char digit_pairs[] = "00010203040506070809"
                                  "10111213141516171819"
                                  "20212223242526272829"
                                  "30313233343536373839"
                                  "40414243444546474849"
                                  "50515253545556575859"
                                  "60616263646566676869"
                                  "70717273747576777879"
                                  "80818283848586878889"
                                  "90919293949596979899";

/* Writes the n = digits10(v) digits of v ending at dst + n; the caller has
 * checked the room. */
static void writeDigits(char *dst, int n, unsigned long long v) {
    char *p = dst + n;
    while (v >= 100) {
        const char *pair = digit_pairs + (v % 100) * 2;
        v /= 100;
        *--p = pair[1];
        *--p = pair[0];
    }
    if (v >= 10) {
        *--p = digit_pairs[v * 2 + 1];
        *--p = digit_pairs[v * 2];
    } else {
        *--p = (char)('0' + v);
    }
}

/* Returns 0 after leaving "" in dst (when it has any room): the failure value of
 * every formatter here. */
static int noRoom(char *dst, size_t dstlen) {
    if (dstlen > 0) dst[0] = '\0';
    return 0;
}

int ull2string(char *dst, size_t dstlen, unsigned long long v) {
    int n = digits10(v);
    if ((size_t)n >= dstlen) return noRoom(dst, dstlen);
    writeDigits(dst, n, v);
    dst[n] = '\0';
    return n;
}

int ll2string(char *dst, size_t dstlen, long long v) {
    if (v >= 0) return ull2string(dst, dstlen, (unsigned long long)v);
    /* Negate in unsigned arithmetic so LLONG_MIN works too. */
    unsigned long long mag = 0ULL - (unsigned long long)v;
    int n = digits10(mag) + 1;
    if ((size_t)n >= dstlen) return noRoom(dst, dstlen);
    dst[0] = '-';
    writeDigits(dst + 1, n - 1, mag);
    dst[n] = '\0';
    return n;
}

/* --- Floating point ------------------------------------------------------ */

/* strtod/strtold skip leading whitespace; Redis refuses it, so look first. The
 * set is isspace()'s in the C locale, without depending on the locale. */
static int isLeadingSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

int string2ld(const char *s, size_t len, long double *value) {
    char buf[UTIL_LONG_DOUBLE_STR_SIZE];
    if (len == 0 || len >= sizeof(buf) || isLeadingSpace(s[0])) return 0;
    memcpy(buf, s, len);
    buf[len] = '\0';
    char *end;
    errno = 0;
    long double v = strtold(buf, &end);
    /* end short of len: trailing garbage or an embedded NUL. ERANGE with an
     * infinite or zero result is overflow or total underflow; ERANGE with a
     * denormal result is accepted, as redis-server does. */
    if (end != buf + len || isnan(v)) return 0;
    if (errno == ERANGE && (isinf(v) || v == 0)) return 0;
    if (value) *value = v;
    return 1;
}

int string2d(const char *s, size_t len, double *value) {
    if (len == 0 || isLeadingSpace(s[0])) return 0;
    /* strtod needs a NUL-terminated copy. Scores are short; the heap only serves
     * the odd very long spelling, which redis-server accepts at any length. */
    char stack_buf[128];
    char *buf = len < sizeof(stack_buf) ? stack_buf : lmalloc(len + 1);
    memcpy(buf, s, len);
    buf[len] = '\0';
    char *end;
    errno = 0;
    double v = strtod(buf, &end);
    int ok = end == buf + len && !isnan(v) && !(errno == ERANGE && (isinf(v) || v == 0));
    if (buf != stack_buf) lfree(buf);
    if (ok && value) *value = v;
    return ok;
}

/* Copies a NUL-terminated literal into buf; returns its length or 0 (no room). */
static int copyLiteral(char *buf, size_t len, const char *lit) {
    size_t n = strlen(lit);
    if (n >= len) return noRoom(buf, len);
    memcpy(buf, lit, n + 1);
    return (int)n;
}

int ld2string(char *buf, size_t len, long double value, int human) {
    if (isnan(value)) return copyLiteral(buf, len, "nan");
    if (isinf(value)) return copyLiteral(buf, len, value > 0 ? "inf" : "-inf");
    /* 17 digits after the point: with 80-bit long doubles this rounds most short
     * decimal inputs back to what the user typed (10.5, 0.1), which is why Redis
     * chose it for INCRBYFLOAT. */
    int n = snprintf(buf, len, human ? "%.17Lf" : "%.17Lg", value);
    if (n < 0 || (size_t)n >= len) return noRoom(buf, len);
    if (human) {
        /* "%.17Lf" always writes a point in the C locale; the check keeps a
         * different LC_NUMERIC from turning "100" into "1". */
        if (memchr(buf, '.', (size_t)n)) {
            while (buf[n - 1] == '0')
                n--;
            if (buf[n - 1] == '.') n--;
        }
        /* Tiny negatives round to "-0.000..."; Redis prints those as "0". */
        if (n == 2 && buf[0] == '-' && buf[1] == '0') {
            buf[0] = '0';
            n = 1;
        }
        buf[n] = '\0';
    }
    return n;
}

int d2string(char *buf, size_t len, double value) {
    if (isnan(value)) return copyLiteral(buf, len, "nan");
    if (isinf(value)) return copyLiteral(buf, len, value > 0 ? "inf" : "-inf");
    /* The integer path below would print -0.0 as "0"; "%.17g" prints "-0". */
    if (value == 0) return copyLiteral(buf, len, signbit(value) ? "-0" : "0");
    /* Integral values below 2^53 have at most 16 digits, so "%.17g" prints them
     * exactly as the (much faster) integer formatter does. */
    const double two53 = 9007199254740992.0;
    if (value > -two53 && value < two53 && value == (double)(long long)value)
        return ll2string(buf, len, (long long)value);
    int n = snprintf(buf, len, "%.17g", value);
    if (n < 0 || (size_t)n >= len) return noRoom(buf, len);
    return n;
}

/* --- Glob matching ------------------------------------------------------- */

/* ASCII-only case folding, independent of the locale. Takes and returns the
 * signed char values the set ranges compare. */
static int foldCase(int c) {
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static int sameByte(char a, char b, int nocase) {
    return nocase ? foldCase(a) == foldCase(b) : a == b;
}

/* Matches the set starting at pattern[*pos] (just past the '[') against c and
 * moves *pos past the set. The parse follows redis-server 7.0 exactly: '\'
 * escapes the next byte (compared with case, even with nocase); ']' right away
 * closes an empty set; "x-y" is a range when a byte follows the '-', with the
 * ends swapped if reversed and compared as signed chars (x86 redis-server's
 * char); a set missing its ']' takes the rest of the pattern. */
static int matchSet(const char *pattern, size_t patlen, size_t *pos, char c, int nocase) {
    size_t i = *pos;
    int negate = i < patlen && pattern[i] == '^';
    if (negate) i++;
    int matched = 0;
    while (i < patlen) {
        if (pattern[i] == '\\' && i + 1 < patlen) {
            if (pattern[i + 1] == c) matched = 1;
            i += 2;
        } else if (pattern[i] == ']') {
            i++;
            break;
        } else if (i + 2 < patlen && pattern[i + 1] == '-') {
            int lo = (signed char)pattern[i], hi = (signed char)pattern[i + 2];
            int b = (signed char)c;
            if (lo > hi) {
                int t = lo;
                lo = hi;
                hi = t;
            }
            /* Fold after the swap, as Redis does: with nocase "[a-Z]" becomes
             * the empty range z..a. */
            if (nocase) {
                lo = foldCase(lo);
                hi = foldCase(hi);
                b = foldCase(b);
            }
            if (b >= lo && b <= hi) matched = 1;
            i += 3;
        } else {
            if (sameByte(pattern[i], c, nocase)) matched = 1;
            i++;
        }
    }
    *pos = i;
    return matched != negate;
}

/* Matches the one-byte token (anything but '*') at pattern[*pos] against c and
 * moves *pos past it. */
static int matchToken(const char *pattern, size_t patlen, size_t *pos, char c, int nocase) {
    size_t i = *pos;
    switch (pattern[i]) {
        case '?': *pos = i + 1; return 1;
        case '[': *pos = i + 1; return matchSet(pattern, patlen, pos, c, nocase);
        case '\\':
            /* A trailing '\' stands for itself. */
            if (i + 1 < patlen) i++;
            break;
    }
    *pos = i + 1;
    return sameByte(pattern[i], c, nocase);
}

/* Every token but '*' consumes exactly one byte, so when the rest of the pattern
 * fails it is enough to let the most recent '*' swallow one more byte and retry:
 * earlier stars could only shift the same attempt further right. That bounds the
 * work by patlen * strlen, where naive recursion is exponential on "a*a*a*...b". */
int stringmatchlen(const char *pattern, size_t patlen, const char *string, size_t strlen,
                   int nocase) {
    /* Redis's matcher never enters its loop for an empty string, so only an empty
     * pattern matches it ("*" does not: KEYS special-cases that pattern). */
    if (strlen == 0) return patlen == 0;
    size_t p = 0, s = 0;
    size_t star_p = 0, star_s = 0;
    int have_star = 0;
    while (s < strlen) {
        if (p < patlen && pattern[p] == '*') {
            while (p < patlen && pattern[p] == '*')
                p++;
            if (p == patlen) return 1;
            have_star = 1;
            star_p = p;
            star_s = s;
            continue;
        }
        size_t next = p;
        if (p < patlen && matchToken(pattern, patlen, &next, string[s], nocase)) {
            p = next;
            s++;
            continue;
        }
        if (!have_star) return 0;
        p = star_p;
        s = ++star_s;
    }
    while (p < patlen && pattern[p] == '*')
        p++;
    return p == patlen;
}

int stringmatch(const char *pattern, const char *string, int nocase) {
    return stringmatchlen(pattern, strlen(pattern), string, strlen(string), nocase);
}

/* --- Config values ------------------------------------------------------- */

/* The multiplier for a unit suffix (the whole rest of the string), or 0. */
static unsigned long long unitMultiplier(const char *unit) {
    static const struct {
        const char *name;
        unsigned long long mul;
    } units[] = {
        {"", 1},
        {"b", 1},
        {"k", 1000},
        {"kb", 1024},
        {"m", 1000 * 1000},
        {"mb", 1024 * 1024},
        {"g", 1000ULL * 1000 * 1000},
        {"gb", 1024ULL * 1024 * 1024},
    };
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
        if (!strcasecmp(unit, units[i].name)) return units[i].mul;
    return 0;
}

static int isDigit(char c) {
    return c >= '0' && c <= '9';
}

int memtoll(const char *s, long long *value, int allow_negative) {
    const char *p = s;
    int negative = *p == '-';
    if (negative) {
        if (!allow_negative) return 0;
        p++;
    }
    const char *digits = p;
    while (isDigit(*p))
        p++;
    unsigned long long mul = unitMultiplier(p);
    /* No digits means 0, as in redis-server, but a bare '-' is not a number. */
    if (mul == 0 || (negative && p == digits)) return 0;
    unsigned long long limit = negative ? (unsigned long long)LLONG_MAX + 1 : LLONG_MAX;
    unsigned long long mag = 0;
    for (const char *q = digits; q < p; q++) {
        unsigned d = (unsigned)(*q - '0');
        if (mag > (limit - d) / 10) return 0;
        mag = mag * 10 + d;
    }
    if (mag > limit / mul) return 0;
    mag *= mul;
    if (value) *value = negative ? negateMagnitude(mag) : (long long)mag;
    return 1;
}

int memtoull(const char *s, unsigned long long *value) {
    const char *p = s;
    while (isDigit(*p))
        p++;
    unsigned long long mul = unitMultiplier(p);
    /* redis-server copies the digits into a 128-byte buffer for strtoull. */
    if (mul == 0 || p - s >= 128) return 0;
    unsigned long long mag = 0;
    for (const char *q = s; q < p; q++) {
        unsigned d = (unsigned)(*q - '0');
        /* strtoull saturates; redis-server keeps the saturated value. */
        mag = mag > (ULLONG_MAX - d) / 10 ? ULLONG_MAX : mag * 10 + d;
    }
    /* Unsigned multiplication wraps modulo 2^64, as in redis-server. */
    if (value) *value = mag * mul;
    return 1;
}

/* --- Time ---------------------------------------------------------------- */

static long long clockUs(clockid_t clock) {
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void escapeForMessage(const void *p, size_t len, char *out, size_t cap) {
    const unsigned char *s = p;
    size_t o = 0;
    for (size_t i = 0; i < len && o + 8 < cap; i++) {
        unsigned char c = s[i];
        if (c >= 32 && c < 127 && c != '"' && c != '\\')
            out[o++] = (char)c;
        else
            o += (size_t)snprintf(out + o, cap - o, "\\x%02x", c);
    }
    if (o + 8 >= cap) o += (size_t)snprintf(out + o, cap - o, "...");
    out[o] = '\0';
}

ssize_t writeAll(int fd, const void *buf, size_t len) {
    const char *p = buf;
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(fd, p + done, len - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            if (n == 0) errno = ENOSPC;
            return (ssize_t)done;
        }
        done += (size_t)n;
    }
    return (ssize_t)done;
}

long long ustime(void) {
    return clockUs(CLOCK_REALTIME);
}

long long mstime(void) {
    return ustime() / 1000;
}

long long monotonicUs(void) {
    return clockUs(CLOCK_MONOTONIC);
}

/* --- Randomness ---------------------------------------------------------- */

/* Returns 1 when all len bytes came from /dev/urandom. */
static int readUrandom(unsigned char *p, size_t len) {
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    size_t done = 0;
    while (done < len) {
        ssize_t n = read(fd, p + done, len - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        done += (size_t)n;
    }
    close(fd);
    return done == len;
}

/* SplitMix64 step: a full-period generator whose outputs are well mixed even
 * from a poor seed, which is all the fallback has. */
static uint64_t splitMix64(uint64_t *state) {
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void getRandomBytes(unsigned char *p, size_t len) {
    if (readUrandom(p, len)) return;
    /* No /dev/urandom (chroot, fd limit): seed from what differs between runs,
     * processes and threads. Not cryptographic, but never the same twice. */
    static __thread uint64_t fallback_state;
    static __thread int fallback_seeded;
    if (!fallback_seeded) {
        fallback_state = (uint64_t)ustime() ^ ((uint64_t)getpid() << 32) ^ (uint64_t)monotonicUs() ^
                         (uint64_t)(uintptr_t)&fallback_state;
        fallback_seeded = 1;
    }
    for (size_t i = 0; i < len; i += 8) {
        uint64_t r = splitMix64(&fallback_state);
        size_t n = len - i < 8 ? len - i : 8;
        memcpy(p + i, &r, n);
    }
}

void getRandomHexChars(char *p, size_t len) {
    static const char hex[] = "0123456789abcdef";
    getRandomBytes((unsigned char *)p, len);
    for (size_t i = 0; i < len; i++)
        p[i] = hex[(unsigned char)p[i] & 0x0f];
}

static uint64_t rotl64(uint64_t x, int k) {
    return (x << k) | (x >> (64 - k));
}

/* xoshiro256** (Blackman and Vigna): small, fast, and good enough for sampling.
 * Per-thread, so no atomics; a fork child continues its parent's sequence. */
uint64_t randomU64(void) {
    static __thread uint64_t st[4];
    static __thread int seeded;
    if (!seeded) {
        /* The all-zero state is the one fixed point; it must never be used. */
        do
            getRandomBytes((unsigned char *)st, sizeof(st));
        while ((st[0] | st[1] | st[2] | st[3]) == 0);
        seeded = 1;
    }
    uint64_t result = rotl64(st[1] * 5, 7) * 9;
    uint64_t t = st[1] << 17;
    st[2] ^= st[0];
    st[3] ^= st[1];
    st[1] ^= st[2];
    st[0] ^= st[3];
    st[2] ^= t;
    st[3] = rotl64(st[3], 45);
    return result;
}

/* --- Bug checks ---------------------------------------------------------- */

typedef void (*assertHook)(const char *expr, const char *file, int line);

/* Release/acquire: a hook may rely on state its installer set up before setting
 * it, and the failing thread may not be the one that installed it. */
static _Atomic(assertHook) assert_hook;
/* Set while this thread runs the hook, so a failure inside the hook aborts
 * instead of recursing. */
static __thread int in_assert_hook;

static void reportToStderr(const char *expr, const char *file, int line) {
    fprintf(stderr, "loom: assertion failed: %s (%s:%d)\n", expr, file, line);
    fflush(stderr);
}

void setAssertHook(void (*hook)(const char *expr, const char *file, int line)) {
    atomic_store_explicit(&assert_hook, hook, memory_order_release);
}

void assertFailed(const char *expr, const char *file, int line) {
    assertHook hook = atomic_load_explicit(&assert_hook, memory_order_acquire);
    if (!hook || in_assert_hook) {
        reportToStderr(expr, file, line);
    } else {
        in_assert_hook = 1;
        hook(expr, file, line);
    }
    abort();
}
