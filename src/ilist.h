/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Intrusive doubly linked lists: a node lives inside the struct it links, so
 * adding and removing never allocate and removal is O(1). A list is a head node
 * linked to itself when empty. Not thread-safe; the owner of the list decides
 * which thread touches it.
 */
#ifndef LOOM_ILIST_H
#define LOOM_ILIST_H

#include <stddef.h>

typedef struct ilist {
    struct ilist *prev, *next;
} ilist;

#define ILIST_ENTRY(node, type, member) ((type *)((char *)(node)-offsetof(type, member)))

static inline void ilistInit(ilist *head) { head->prev = head->next = head; }
static inline int ilistEmpty(const ilist *head) { return head->next == head; }
/* A node that is not in any list points to itself (after ilistInit or ilistRemove). */
static inline int ilistLinked(const ilist *node) { return node->next != node; }

static inline void ilistInsertAfter(ilist *pos, ilist *node) {
    node->prev = pos;
    node->next = pos->next;
    pos->next->prev = node;
    pos->next = node;
}

static inline void ilistAppend(ilist *head, ilist *node) { ilistInsertAfter(head->prev, node); }
static inline void ilistPrepend(ilist *head, ilist *node) { ilistInsertAfter(head, node); }

static inline void ilistRemove(ilist *node) {
    node->prev->next = node->next;
    node->next->prev = node->prev;
    node->prev = node->next = node;
}

#define ILIST_FOREACH(head, it) for (ilist *it = (head)->next; it != (head); it = it->next)
/* Iterates while allowing removal of the current node. */
#define ILIST_FOREACH_SAFE(head, it, tmp)                                                          \
    for (ilist *it = (head)->next, *tmp = it->next; it != (head); it = tmp, tmp = it->next)

#endif
