/* SPDX-License-Identifier: BSD-3-Clause
 *
 * What other command files need from the hash type (t_hash.c): reading one
 * field of a hash value in either encoding (SORT's BY/GET patterns with
 * "->field"). Main thread only, like every command file.
 */
#ifndef LOOM_T_HASH_H
#define LOOM_T_HASH_H

#include "object.h"
#include "str.h"

#include <stddef.h>

/* The value of field[0..len) in the hash `o` (type OBJ_HASH, listpack or
 * hashtable encoding). Returns 1 and sets *out to a new str the caller frees
 * with strFree, or 0 (and leaves *out alone) when the field is absent. */
int hashTypeGetValue(obj *o, const char *field, size_t len, str *out);

#endif
