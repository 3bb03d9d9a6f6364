/* SPDX-License-Identifier: BSD-3-Clause
 *
 * CRC-64 as Redis checksums RDB files and DUMP payloads: the "Jones"
 * polynomial 0xad93d23594c935a9, input and output reflected, initial value 0,
 * no final xor (check value: crc64(0, "123456789", 9) = 0xe9c6d914c4b8d9ca).
 * Table driven, eight bytes per step (slicing-by-8); the tables are built on
 * first use. Leaf module: any thread may call it at any time.
 */
#ifndef LOOM_CRC64_H
#define LOOM_CRC64_H

#include <stddef.h>
#include <stdint.h>

/* Extends crc (0 to start) with len bytes at p; returns the new value, so a
 * checksum may be computed piece by piece. */
uint64_t crc64(uint64_t crc, const void *p, size_t len);

#endif
