/* SPDX-License-Identifier: BSD-3-Clause
 *
 * str: binary-safe, NUL-terminated byte strings whose length and capacity sit
 * in a header just before the bytes, so a str is also a plain `char *` for
 * read-only C use. The header size follows the length: a 1-byte header for
 * strings shorter than 32 bytes (length packed into the flags byte, no spare
 * capacity), then 8-, 16-, 32- and 64-bit length/capacity headers. The flags
 * byte is always s[-1]; its low 3 bits are the header type.
 *
 * Functions that may grow a string return it, possibly moved: always use the
 * returned value. No locking: a str belongs to one thread at a time.
 */
#ifndef LOOM_STR_H
#define LOOM_STR_H

#include <stddef.h>
#include <stdint.h>

typedef char *str;

/* Header types (flags & STR_TYPE_MASK). */
#define STR_TYPE_TINY 0 /* flags only: len = flags >> STR_TYPE_BITS, capacity = len */
#define STR_TYPE_8    1
#define STR_TYPE_16   2
#define STR_TYPE_32   3
#define STR_TYPE_64   4
#define STR_TYPE_MASK 7
#define STR_TYPE_BITS 3
#define STR_TINY_MAX  31 /* longest string with a 1-byte header */

/* Header layouts, laid out just before the bytes. Exposed only for the inline
 * accessors below; use the functions. `alloc` is the capacity in bytes,
 * excluding the header and the NUL. */
struct __attribute__((packed)) strHdr8 {
    uint8_t len, alloc;
    unsigned char flags;
};
struct __attribute__((packed)) strHdr16 {
    uint16_t len, alloc;
    unsigned char flags;
};
struct __attribute__((packed)) strHdr32 {
    uint32_t len, alloc;
    unsigned char flags;
};
struct __attribute__((packed)) strHdr64 {
    uint64_t len, alloc;
    unsigned char flags;
};

#define STR_HDR(T, s) ((struct strHdr##T *)((s) - sizeof(struct strHdr##T)))

static inline size_t strLen(const str s) {
    unsigned char flags = (unsigned char)s[-1];
    switch (flags & STR_TYPE_MASK) {
        case STR_TYPE_8: return STR_HDR(8, s)->len;
        case STR_TYPE_16: return STR_HDR(16, s)->len;
        case STR_TYPE_32: return STR_HDR(32, s)->len;
        case STR_TYPE_64: return STR_HDR(64, s)->len;
        default: return flags >> STR_TYPE_BITS;
    }
}

/* Spare capacity: bytes that can be written after the end without moving. */
static inline size_t strAvail(const str s) {
    switch ((unsigned char)s[-1] & STR_TYPE_MASK) {
        case STR_TYPE_8: return (size_t)STR_HDR(8, s)->alloc - STR_HDR(8, s)->len;
        case STR_TYPE_16: return (size_t)STR_HDR(16, s)->alloc - STR_HDR(16, s)->len;
        case STR_TYPE_32: return (size_t)STR_HDR(32, s)->alloc - STR_HDR(32, s)->len;
        case STR_TYPE_64: return (size_t)(STR_HDR(64, s)->alloc - STR_HDR(64, s)->len);
        default: return 0;
    }
}

/* Construction. init may be NULL: the bytes are zero-filled. Strings shorter
 * than 32 bytes get the 1-byte header and no spare room. */
str strNewLen(const void *init, size_t len);
str strNew(const char *cstr);
/* An empty string with an 8-bit header, ready to be appended to. */
str strEmpty(void);
str strDup(const str s);
void strFree(str s); /* NULL is fine */

/* Total bytes of the allocation holding s, header included. */
size_t strAllocSize(const str s);

/* Ensures room for addlen more bytes. strMakeRoom over-allocates (doubling up
 * to 1 MB, then 1 MB more) for strings built by appending; strMakeRoomExact
 * allocates just what is asked. A string with the 1-byte header always moves
 * to a larger header type, since that header has no capacity field. */
str strMakeRoom(str s, size_t addlen);
str strMakeRoomExact(str s, size_t addlen);

/* After writing into the spare room (e.g. read(fd, s + strLen(s), strAvail(s))):
 * moves the end by incr (negative shortens) and writes the NUL. The new length
 * must stay within 0..capacity; violating that aborts. */
void strIncrLen(str s, long long incr);
/* Sets the length (<= capacity, else abort) and writes the NUL. */
void strSetLen(str s, size_t len);
/* Length 0, capacity kept. */
void strClear(str s);

/* Appending. p may point into s itself. */
str strCatLen(str s, const void *p, size_t len);
str strCat(str s, const char *cstr);
str strCatStr(str s, const str t);
str strCatFmt(str s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends p[0..len) double-quoted as redis-cli prints it: \\ \" \n \r \t \a \b
 * escaped, other printable ASCII as is, every other byte as \xHH (lowercase). */
str strCatRepr(str s, const char *p, size_t len);
/* Grows s to len bytes, zero-filling the new ones; no-op if already as long. */
str strGrowZero(str s, size_t len);

/* Keeps s[start..end] (inclusive) in place. Negative indexes count from the
 * end (-1 is the last byte); after that, start is clamped to 0 and end to the
 * last byte. An empty range (start > end, or start past the end) leaves "". */
void strRange(str s, long long start, long long end);
/* Shrinks the allocation to fit, moving to the smallest header type that holds
 * the length (a string under 32 bytes gets the 1-byte header). */
str strRemoveFreeSpace(str s);
void strToLower(str s); /* ASCII only */
/* memcmp order; on a common prefix the shorter string sorts first. */
int strCmp(const str a, const str b);

/* Splits a line into arguments the way redis.conf and redis-cli do: separated
 * by whitespace; "double quotes" decode \n \r \t \b \a \xHH (two hex digits) and
 * \<any> as <any>; 'single quotes' decode only \' ; a closing quote must be
 * followed by whitespace or the end of the line. A quote opened in the middle of
 * an argument continues it (a"b c" is one argument: ab c). Returns an array
 * of *argc strings (an empty line gives a non-NULL array with *argc = 0), or
 * NULL with *argc = 0 on unbalanced quotes. Free with strFreeSplit. */
str *strSplitArgs(const char *line, int *argc);
void strFreeSplit(str *argv, int argc); /* NULL is fine */

/* Strings embedded in another object's allocation (like Redis's embstr): the
 * bytes needed for a string of len bytes (header + bytes + NUL), and a function
 * that writes it at mem and returns the str. The smallest header that holds
 * len is used, with no spare capacity. An embedded string must never be grown,
 * shrunk by strRemoveFreeSpace, or passed to strFree. */
size_t strEmbedSize(size_t len);
str strEmbed(void *mem, const void *p, size_t len);

#endif
