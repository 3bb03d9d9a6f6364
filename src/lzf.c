/* SPDX-License-Identifier: BSD-3-Clause
 *
 * LZF decompression, written from the format: the compressed data is a
 * sequence of items, each starting with a control byte c.
 *   c < 32:  a literal run: the next c + 1 bytes are copied to the output.
 *   c >= 32: a back reference: length L = c >> 5 (when L is 7, the next byte
 *            is added to it), then offset = ((c & 31) << 8) + next byte + 1;
 *            L + 2 bytes are copied from `offset` bytes back in the output,
 *            one at a time, so a reference may overlap the bytes it produces.
 * Nothing here trusts the input: reads stop at in_len, writes at out_cap.
 */
#include "lzf.h"

#include <string.h>

size_t lzfDecompress(const void *in, size_t in_len, void *out, size_t out_cap) {
    const unsigned char *ip = in, *in_end = ip + in_len;
    unsigned char *op = out, *out_start = out;
    while (ip < in_end) {
        unsigned int ctrl = *ip++;
        if (ctrl < 32) {
            size_t run = (size_t)ctrl + 1;
            if ((size_t)(in_end - ip) < run) return 0;
            if (out_cap - (size_t)(op - out_start) < run) return 0;
            memcpy(op, ip, run);
            ip += run;
            op += run;
            continue;
        }
        size_t len = ctrl >> 5;
        if (len == 7) {
            if (ip >= in_end) return 0;
            len += *ip++;
        }
        if (ip >= in_end) return 0;
        size_t back = ((size_t)(ctrl & 31) << 8) + *ip++ + 1;
        len += 2;
        if (back > (size_t)(op - out_start)) return 0;
        if (out_cap - (size_t)(op - out_start) < len) return 0;
        const unsigned char *ref = op - back;
        if (back >= len) {
            memcpy(op, ref, len);
            op += len;
        } else {
            while (len--)
                *op++ = *ref++;
        }
    }
    return (size_t)(op - out_start);
}
