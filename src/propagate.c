/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Propagation to the append-only file (propagate.h). A replacement is encoded
 * at once into a buffer that lives until the command ends, so handlers may
 * pass arguments that point into their own stack.
 */
#include "propagate.h"

#include "aof.h"
#include "aof_file.h"
#include "db.h"
#include "util.h"

static str replacement; /* RESP of the running command's replacement commands */
static int replaced;    /* the running command called propagateReplace */

static str catArgv(str s, int argc, const arg *argv) {
    s = aofCatArrayHeader(s, argc);
    for (int i = 0; i < argc; i++)
        s = aofCatBulk(s, argv[i].ptr, argv[i].len);
    return s;
}

void propagateReplace(client *c, int argc, const arg *argv) {
    (void)c;
    replaced = 1;
    if (!aofIsFeeding()) return;
    if (!replacement) replacement = strEmpty();
    replacement = catArgv(replacement, argc, argv);
}

void propagateCommandEnd(client *c, int changed) {
    if (aofIsFeeding()) {
        if (replaced) {
            if (strLen(replacement)) {
                str *buf = aofBufferFor(c->db->id);
                *buf = strCatLen(*buf, replacement, strLen(replacement));
            }
        } else if (changed) {
            str *buf = aofBufferFor(c->db->id);
            *buf = catArgv(*buf, c->argc, c->argv);
        }
    }
    replaced = 0;
    if (replacement) strClear(replacement);
}

void propagateDeletion(db *d, const char *key, size_t len) {
    if (!aofIsFeeding()) return;
    arg argv[2] = {{"DEL", 3}, {(char *)key, len}};
    str *buf = aofBufferFor(d->id);
    *buf = catArgv(*buf, 2, argv);
}

arg propagateArgFromLongLong(char *buf, size_t size, long long v) {
    return (arg){buf, (size_t)ll2string(buf, size, v)};
}
