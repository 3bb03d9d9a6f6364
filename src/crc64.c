/* SPDX-License-Identifier: BSD-3-Clause
 *
 * CRC-64/Jones, reflected, with slicing-by-8: table[0] is the classic
 * byte-at-a-time table of the reflected polynomial, and table[k][b] is the
 * CRC of byte b followed by k zero bytes, so eight table lookups fold in a
 * whole 64-bit word. Words are assembled byte by byte in little-endian order,
 * which keeps the result the same on any host. The tables are built once,
 * under pthread_once, by whichever thread first asks for a checksum.
 */
#include "crc64.h"

#include <pthread.h>

/* 0xad93d23594c935a9 with its 64 bits reversed, for the reflected algorithm. */
#define CRC64_JONES_REFLECTED 0x95ac9329ac4bc9b5ULL

static uint64_t table[8][256];
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

static void buildTables(void) {
    for (int b = 0; b < 256; b++) {
        uint64_t crc = (uint64_t)b;
        for (int bit = 0; bit < 8; bit++)
            crc = crc & 1 ? (crc >> 1) ^ CRC64_JONES_REFLECTED : crc >> 1;
        table[0][b] = crc;
    }
    for (int b = 0; b < 256; b++)
        for (int k = 1; k < 8; k++)
            table[k][b] = (table[k - 1][b] >> 8) ^ table[0][table[k - 1][b] & 0xff];
}

static uint64_t load64le(const unsigned char *p) {
    return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
           (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 |
           (uint64_t)p[7] << 56;
}

uint64_t crc64(uint64_t crc, const void *data, size_t len) {
    pthread_once(&table_once, buildTables);
    const unsigned char *p = data;
    while (len >= 8) {
        crc ^= load64le(p);
        crc = table[7][crc & 0xff] ^ table[6][(crc >> 8) & 0xff] ^ table[5][(crc >> 16) & 0xff] ^
              table[4][(crc >> 24) & 0xff] ^ table[3][(crc >> 32) & 0xff] ^
              table[2][(crc >> 40) & 0xff] ^ table[1][(crc >> 48) & 0xff] ^ table[0][crc >> 56];
        p += 8;
        len -= 8;
    }
    while (len--)
        crc = table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return crc;
}
