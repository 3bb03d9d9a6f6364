/* SPDX-License-Identifier: BSD-3-Clause
 *
 * SipHash-1-2 (one compression round per 8-byte word, two finalization
 * rounds), the keyed hash of Aumasson and Bernstein ("SipHash: a fast
 * short-input PRF", 2012) with the round counts lowered for speed, as hash
 * tables with a secret per-process key need. The output is a 64-bit value;
 * words are read little-endian on every platform. Pure functions: any thread.
 */
#ifndef LOOM_SIPHASH_H
#define LOOM_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

/* SipHash-1-2 of len bytes at in, under the 128-bit key. */
uint64_t siphash(const void *in, size_t len, const uint8_t key[16]);

/* The same hash of the input with ASCII 'A'..'Z' folded to 'a'..'z' (other
 * bytes unchanged), computed without copying: siphashNoCase("Key") ==
 * siphash("key"). */
uint64_t siphashNoCase(const void *in, size_t len, const uint8_t key[16]);

#endif
