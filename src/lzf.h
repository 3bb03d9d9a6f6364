/* SPDX-License-Identifier: BSD-3-Clause
 *
 * LZF decompression, for strings that redis-server compressed in RDB files
 * and DUMP payloads (loom itself compresses with LZ4 and never writes LZF).
 * The input is untrusted: every read and write is bounds-checked. Leaf
 * module: no state, any thread.
 */
#ifndef LOOM_LZF_H
#define LOOM_LZF_H

#include <stddef.h>

/* Decompresses in[0..in_len) into out[0..out_cap). Returns the number of
 * bytes written, or 0 if the input is malformed (a back reference before the
 * start of the output, a literal run past the end of the input) or if the
 * output does not fit in out_cap. An empty input also gives 0. */
size_t lzfDecompress(const void *in, size_t in_len, void *out, size_t out_cap);

#endif
