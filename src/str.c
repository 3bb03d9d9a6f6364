/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The str implementation: header types, growth and shrinking, appending,
 * formatting, quoting, and splitting a line into arguments. A string changes
 * header type only when it is reallocated to a new capacity; the header is then
 * rewritten in a fresh allocation (the old header size no longer matches).
 * Capacity for the 8..64-bit headers is rounded up to what the allocator really
 * handed out. Any thread, on strings it owns.
 */
#include "str.h"

#include "alloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { STR_GROW_LINEAR = 1024 * 1024 }; /* past this, grow by this much, not double */

static const unsigned char hdr_sizes[] = {
    [STR_TYPE_TINY] = 1,
    [STR_TYPE_8] = sizeof(struct strHdr8),
    [STR_TYPE_16] = sizeof(struct strHdr16),
    [STR_TYPE_32] = sizeof(struct strHdr32),
    [STR_TYPE_64] = sizeof(struct strHdr64),
};

static inline int typeOf(const str s) {
    return (unsigned char)s[-1] & STR_TYPE_MASK;
}

static inline size_t hdrSize(int type) {
    return hdr_sizes[type];
}

/* The largest capacity a header type can record. */
static size_t typeMax(int type) {
    switch (type) {
        case STR_TYPE_TINY: return STR_TINY_MAX;
        case STR_TYPE_8: return UINT8_MAX;
        case STR_TYPE_16: return UINT16_MAX;
        case STR_TYPE_32: return UINT32_MAX;
        default: return SIZE_MAX;
    }
}

/* The smallest header with a capacity field that holds cap. */
static int typeForCapacity(size_t cap) {
    if (cap <= UINT8_MAX) return STR_TYPE_8;
    if (cap <= UINT16_MAX) return STR_TYPE_16;
    if ((uint64_t)cap <= UINT32_MAX) return STR_TYPE_32;
    return STR_TYPE_64;
}

/* The smallest header for a string of exactly len bytes and no spare room. */
static int typeForLength(size_t len) {
    return len <= STR_TINY_MAX ? STR_TYPE_TINY : typeForCapacity(len);
}

static size_t capacityOf(const str s) {
    switch (typeOf(s)) {
        case STR_TYPE_8: return STR_HDR(8, s)->alloc;
        case STR_TYPE_16: return STR_HDR(16, s)->alloc;
        case STR_TYPE_32: return STR_HDR(32, s)->alloc;
        case STR_TYPE_64: return STR_HDR(64, s)->alloc;
        default: return strLen(s);
    }
}

/* Writes a header of the given type ending at s. For the tiny type, len must
 * be <= STR_TINY_MAX and cap is ignored. */
static void writeHeader(str s, int type, size_t len, size_t cap) {
    switch (type) {
        case STR_TYPE_TINY:
            s[-1] = (char)(unsigned char)(len << STR_TYPE_BITS | STR_TYPE_TINY);
            break;
        case STR_TYPE_8:
            STR_HDR(8, s)->len = (uint8_t)len;
            STR_HDR(8, s)->alloc = (uint8_t)cap;
            s[-1] = STR_TYPE_8;
            break;
        case STR_TYPE_16:
            STR_HDR(16, s)->len = (uint16_t)len;
            STR_HDR(16, s)->alloc = (uint16_t)cap;
            s[-1] = STR_TYPE_16;
            break;
        case STR_TYPE_32:
            STR_HDR(32, s)->len = (uint32_t)len;
            STR_HDR(32, s)->alloc = (uint32_t)cap;
            s[-1] = STR_TYPE_32;
            break;
        default:
            STR_HDR(64, s)->len = len;
            STR_HDR(64, s)->alloc = cap;
            s[-1] = STR_TYPE_64;
            break;
    }
}

/* Stores a new length in the header (the caller checked it fits). */
static void storeLen(str s, size_t len) {
    switch (typeOf(s)) {
        case STR_TYPE_8: STR_HDR(8, s)->len = (uint8_t)len; break;
        case STR_TYPE_16: STR_HDR(16, s)->len = (uint16_t)len; break;
        case STR_TYPE_32: STR_HDR(32, s)->len = (uint32_t)len; break;
        case STR_TYPE_64: STR_HDR(64, s)->len = len; break;
        default: s[-1] = (char)(unsigned char)(len << STR_TYPE_BITS | STR_TYPE_TINY); break;
    }
}

/* The capacity an allocation of mem really offers to a header of this type:
 * what the allocator handed out, capped by what the header can record. */
static size_t usableCapacity(void *mem, int type, size_t asked) {
    size_t usable = lmallocSize(mem) - hdrSize(type) - 1;
    size_t max = typeMax(type);
    if (usable < asked) return asked;
    return usable > max ? max : usable;
}

static void abortIf(int bug) {
    if (bug) abort();
}

/* Total bytes for a header, cap bytes and the NUL; aborts on overflow. */
static size_t allocBytes(int type, size_t cap) {
    abortIf(cap > SIZE_MAX - hdrSize(type) - 1);
    return hdrSize(type) + cap + 1;
}

/* A new string of len bytes (copied from init, or zeros) with at least cap
 * bytes of capacity, using the given header type. */
static str newString(const void *init, size_t len, int type, size_t cap) {
    char *mem = lmalloc(allocBytes(type, cap));
    str s = mem + hdrSize(type);
    if (type != STR_TYPE_TINY) cap = usableCapacity(mem, type, cap);
    writeHeader(s, type, len, cap);
    if (init)
        memcpy(s, init, len);
    else
        memset(s, 0, len);
    s[len] = '\0';
    return s;
}

str strNewLen(const void *init, size_t len) {
    return newString(init, len, typeForLength(len), len);
}

str strNew(const char *cstr) {
    return strNewLen(cstr, strlen(cstr));
}

str strEmpty(void) {
    return newString(NULL, 0, STR_TYPE_8, 0);
}

str strDup(const str s) {
    return strNewLen(s, strLen(s));
}

void strFree(str s) {
    if (s) lfree(s - hdrSize(typeOf(s)));
}

size_t strAllocSize(const str s) {
    return hdrSize(typeOf(s)) + capacityOf(s) + 1;
}

/* Reallocates s to a capacity of at least cap (>= its length), choosing the
 * header type: minimal selects the smallest type for the length when it has
 * no spare room (the tiny header), otherwise a type with a capacity field. */
static str resize(str s, size_t cap, int minimal) {
    int old_type = typeOf(s);
    int type = minimal && cap <= STR_TINY_MAX ? STR_TYPE_TINY : typeForCapacity(cap);
    size_t len = strLen(s);
    char *mem;

    if (type == old_type) {
        mem = lrealloc(s - hdrSize(type), allocBytes(type, cap));
    } else {
        mem = lmalloc(allocBytes(type, cap));
        memcpy(mem + hdrSize(type), s, len + 1);
        strFree(s);
    }
    s = mem + hdrSize(type);
    if (type != STR_TYPE_TINY) cap = usableCapacity(mem, type, cap);
    writeHeader(s, type, len, cap);
    return s;
}

/* The length plus addlen, aborting on overflow. */
static size_t neededLength(const str s, size_t addlen) {
    size_t len = strLen(s);
    abortIf(addlen > SIZE_MAX / 2 - len);
    return len + addlen;
}

str strMakeRoom(str s, size_t addlen) {
    if (strAvail(s) >= addlen) return s;
    size_t need = neededLength(s, addlen);
    size_t cap = need < STR_GROW_LINEAR ? need * 2 : need + STR_GROW_LINEAR;
    return resize(s, cap, 0);
}

str strMakeRoomExact(str s, size_t addlen) {
    if (strAvail(s) >= addlen) return s;
    return resize(s, neededLength(s, addlen), 0);
}

void strSetLen(str s, size_t len) {
    abortIf(len > capacityOf(s));
    storeLen(s, len);
    s[len] = '\0';
}

void strIncrLen(str s, long long incr) {
    size_t len = strLen(s);
    if (incr >= 0)
        abortIf((unsigned long long)incr > strAvail(s));
    else
        abortIf((unsigned long long)-(incr + 1) >= len);
    strSetLen(s, len + (size_t)incr);
}

void strClear(str s) {
    strSetLen(s, 0);
}

str strCatLen(str s, const void *p, size_t len) {
    if (len == 0) return s;
    size_t cur = strLen(s);
    /* Appending part of s to itself: the bytes may move with the reallocation. */
    uintptr_t from = (uintptr_t)p, base = (uintptr_t)s;
    int inside = from >= base && from <= base + cur;
    s = strMakeRoom(s, len);
    if (inside) p = s + (from - base);
    memcpy(s + cur, p, len);
    strSetLen(s, cur + len);
    return s;
}

str strCat(str s, const char *cstr) {
    return strCatLen(s, cstr, strlen(cstr));
}

str strCatStr(str s, const str t) {
    return strCatLen(s, t, strLen(t));
}

str strCatFmt(str s, const char *fmt, ...) {
    size_t len = strLen(s);
    va_list ap;
    /* First try the room we have (after making some); retry once with the
     * exact size vsnprintf reported. */
    if (strAvail(s) < 32) s = strMakeRoom(s, 32 + strlen(fmt));
    for (;;) {
        size_t avail = strAvail(s);
        va_start(ap, fmt);
        int n = vsnprintf(s + len, avail + 1, fmt, ap);
        va_end(ap);
        if (n < 0) {
            s[len] = '\0';
            return s;
        }
        if ((size_t)n <= avail) {
            strSetLen(s, len + (size_t)n);
            return s;
        }
        s = strMakeRoom(s, (size_t)n);
    }
}

str strCatRepr(str s, const char *p, size_t len) {
    /* Every byte takes at most 4 output bytes ("\xHH"), plus the quotes. */
    abortIf(len > (SIZE_MAX / 2 - 2) / 4);
    s = strMakeRoomExact(s, len * 4 + 2);
    size_t at = strLen(s);
    static const char hex[] = "0123456789abcdef";

    s[at++] = '"';
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)p[i];
        char esc = 0;
        switch (c) {
            case '\\': esc = '\\'; break;
            case '"': esc = '"'; break;
            case '\n': esc = 'n'; break;
            case '\r': esc = 'r'; break;
            case '\t': esc = 't'; break;
            case '\a': esc = 'a'; break;
            case '\b': esc = 'b'; break;
            default: break;
        }
        if (esc) {
            s[at++] = '\\';
            s[at++] = esc;
        } else if (c >= 0x20 && c < 0x7f) {
            s[at++] = (char)c;
        } else {
            s[at++] = '\\';
            s[at++] = 'x';
            s[at++] = hex[c >> 4];
            s[at++] = hex[c & 15];
        }
    }
    s[at++] = '"';
    strSetLen(s, at);
    return s;
}

str strGrowZero(str s, size_t len) {
    size_t cur = strLen(s);
    if (len <= cur) return s;
    s = strMakeRoom(s, len - cur);
    memset(s + cur, 0, len - cur);
    strSetLen(s, len);
    return s;
}

void strRange(str s, long long start, long long end) {
    long long len = (long long)strLen(s);
    if (start < 0) start += len;
    if (end < 0) end += len;
    if (start < 0) start = 0;
    if (end >= len) end = len - 1;
    size_t newlen = start > end ? 0 : (size_t)(end - start + 1);
    if (newlen && start) memmove(s, s + start, newlen);
    strSetLen(s, newlen);
}

str strRemoveFreeSpace(str s) {
    size_t len = strLen(s);
    int type = typeOf(s);
    if (type == STR_TYPE_TINY) return s;
    if (typeForLength(len) == type && capacityOf(s) == len) return s;
    return resize(s, len, 1);
}

static inline unsigned char lowerAscii(unsigned char c) {
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c + ('a' - 'A')) : c;
}

void strToLower(str s) {
    size_t len = strLen(s);
    for (size_t i = 0; i < len; i++)
        s[i] = (char)lowerAscii((unsigned char)s[i]);
}

int strCmp(const str a, const str b) {
    size_t la = strLen(a), lb = strLen(b);
    int cmp = memcmp(a, b, la < lb ? la : lb);
    if (cmp) return cmp;
    return la < lb ? -1 : la > lb;
}

static int isSpace(char c) {
    return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\v' || c == '\f';
}

static int hexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Decodes the argument starting at *line into out (which has room for the rest
 * of the line: decoding never lengthens). Returns the decoded length and
 * advances *line past it, or -1 on an unbalanced or badly closed quote. */
static long decodeArg(const char **line, char *out) {
    const char *p = *line;
    char quote = 0; /* the open quote character, or 0 */
    long n = 0;

    for (;;) {
        char c = *p;
        if (quote == '"') {
            if (c == '\0') return -1;
            if (c == '\\' && p[1] == 'x' && hexValue(p[2]) >= 0 && hexValue(p[3]) >= 0) {
                out[n++] = (char)(hexValue(p[2]) << 4 | hexValue(p[3]));
                p += 4;
                continue;
            }
            if (c == '\\' && p[1] != '\0') {
                switch (p[1]) {
                    case 'n': out[n++] = '\n'; break;
                    case 'r': out[n++] = '\r'; break;
                    case 't': out[n++] = '\t'; break;
                    case 'b': out[n++] = '\b'; break;
                    case 'a': out[n++] = '\a'; break;
                    default: out[n++] = p[1]; break;
                }
                p += 2;
                continue;
            }
            if (c == '"') {
                if (p[1] != '\0' && !isSpace(p[1])) return -1;
                p++;
                break;
            }
            out[n++] = c;
            p++;
        } else if (quote == '\'') {
            if (c == '\0') return -1;
            if (c == '\\' && p[1] == '\'') {
                out[n++] = '\'';
                p += 2;
                continue;
            }
            if (c == '\'') {
                if (p[1] != '\0' && !isSpace(p[1])) return -1;
                p++;
                break;
            }
            out[n++] = c;
            p++;
        } else {
            if (c == '\0' || isSpace(c)) break;
            if (c == '"' || c == '\'')
                quote = c;
            else
                out[n++] = c;
            p++;
        }
    }
    *line = p;
    return n;
}

str *strSplitArgs(const char *line, int *argc) {
    size_t cap = 4;
    str *argv = lmalloc(cap * sizeof(*argv));
    char *scratch = lmalloc(strlen(line) + 1);
    int n = 0;

    for (;;) {
        while (isSpace(*line))
            line++;
        if (*line == '\0') break;
        long len = decodeArg(&line, scratch);
        if (len < 0) {
            strFreeSplit(argv, n);
            lfree(scratch);
            *argc = 0;
            return NULL;
        }
        if ((size_t)n == cap) {
            cap *= 2;
            argv = lrealloc(argv, cap * sizeof(*argv));
        }
        argv[n++] = strNewLen(scratch, (size_t)len);
    }
    lfree(scratch);
    *argc = n;
    return argv;
}

void strFreeSplit(str *argv, int argc) {
    if (!argv) return;
    for (int i = 0; i < argc; i++)
        strFree(argv[i]);
    lfree(argv);
}

size_t strEmbedSize(size_t len) {
    int type = typeForLength(len);
    return allocBytes(type, len);
}

str strEmbed(void *mem, const void *p, size_t len) {
    int type = typeForLength(len);
    str s = (char *)mem + hdrSize(type);
    writeHeader(s, type, len, len);
    if (len) memcpy(s, p, len);
    s[len] = '\0';
    return s;
}
