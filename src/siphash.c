/* SPDX-License-Identifier: BSD-3-Clause
 *
 * SipHash-1-2, written from the SipHash paper (Aumasson, Bernstein 2012): four
 * 64-bit lanes initialised from the key and four constants, one SipRound per
 * message word, the length in the top byte of the last word, then 0xff into v2
 * and two finalization rounds. The case-insensitive variant folds ASCII letters
 * eight bytes at a time while loading words. No state, no allocation.
 */
#include "siphash.h"

#include <string.h>

#define SIP_C_ROUNDS 1
#define SIP_D_ROUNDS 2

static inline uint64_t rotl(uint64_t x, int b) {
    return (x << b) | (x >> (64 - b));
}

/* Reads 8 bytes as a little-endian word (memcpy: no alignment assumption). */
static inline uint64_t load64(const uint8_t *p) {
    uint64_t v;
    memcpy(&v, p, sizeof(v));
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

/* Adds 0x20 to each byte of w that is 'A'..'Z', with no branches. Per byte:
 * the low 7 bits plus (0x80 - 'A') carry into the top bit when >= 'A', plus
 * (0x80 - 'Z' - 1) when > 'Z'; the byte is a capital letter when exactly the
 * first carried and its own top bit is clear. No carry crosses bytes, as each
 * sum stays below 0x100. */
static inline uint64_t foldUpper(uint64_t w) {
    const uint64_t ones = 0x0101010101010101ULL;
    uint64_t low7 = w & (0x7f * ones);
    uint64_t ge_a = low7 + (0x80 - 'A') * ones;
    uint64_t gt_z = low7 + (0x80 - 'Z' - 1) * ones;
    uint64_t upper = (ge_a ^ gt_z) & ~w & (0x80 * ones);
    return w | (upper >> 2);
}

#define SIPROUND                                                                                   \
    do {                                                                                           \
        v0 += v1;                                                                                  \
        v1 = rotl(v1, 13);                                                                         \
        v1 ^= v0;                                                                                  \
        v0 = rotl(v0, 32);                                                                         \
        v2 += v3;                                                                                  \
        v3 = rotl(v3, 16);                                                                         \
        v3 ^= v2;                                                                                  \
        v0 += v3;                                                                                  \
        v3 = rotl(v3, 21);                                                                         \
        v3 ^= v0;                                                                                  \
        v2 += v1;                                                                                  \
        v1 = rotl(v1, 17);                                                                         \
        v1 ^= v2;                                                                                  \
        v2 = rotl(v2, 32);                                                                         \
    } while (0)

/* fold is a compile-time constant at both call sites, so each gets its own
 * straight-line copy. */
static inline uint64_t sipHash(const uint8_t *in, size_t len, const uint8_t key[16], int fold) {
    uint64_t k0 = load64(key), k1 = load64(key + 8);
    uint64_t v0 = k0 ^ 0x736f6d6570736575ULL;
    uint64_t v1 = k1 ^ 0x646f72616e646f6dULL;
    uint64_t v2 = k0 ^ 0x6c7967656e657261ULL;
    uint64_t v3 = k1 ^ 0x7465646279746573ULL;
    const uint8_t *end = in + (len & ~(size_t)7);

    for (; in != end; in += 8) {
        uint64_t m = load64(in);
        if (fold) m = foldUpper(m);
        v3 ^= m;
        for (int i = 0; i < SIP_C_ROUNDS; i++)
            SIPROUND;
        v0 ^= m;
    }

    /* The last word: the 0..7 remaining bytes, and len mod 256 in the top byte. */
    uint8_t tail[8] = {0};
    memcpy(tail, in, len & 7);
    uint64_t m = load64(tail);
    if (fold) m = foldUpper(m);
    m |= (uint64_t)(len & 0xff) << 56;
    v3 ^= m;
    for (int i = 0; i < SIP_C_ROUNDS; i++)
        SIPROUND;
    v0 ^= m;

    v2 ^= 0xff;
    for (int i = 0; i < SIP_D_ROUNDS; i++)
        SIPROUND;
    return v0 ^ v1 ^ v2 ^ v3;
}

uint64_t siphash(const void *in, size_t len, const uint8_t key[16]) {
    return sipHash(in, len, key, 0);
}

uint64_t siphashNoCase(const void *in, size_t len, const uint8_t key[16]) {
    return sipHash(in, len, key, 1);
}
