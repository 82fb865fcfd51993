/*
 * message_list.h - lists of fm_message as the storages hold them: oldest
 * first, each message once, and "is this message among those?" -- every
 * one of these in time linear (or n log n) in the messages, because a
 * client or a backend decides how many there are (docs/spec.md §5).
 */
#ifndef FM_MESSAGE_LIST_H
#define FM_MESSAGE_LIST_H

#include "message.h"

/* Stable sort of a list of fm_message by creation time (seconds, then
 * usec), oldest first.  A list already in order costs one pass. */
void fm_list_sort_by_age(apr_array_header_t *list);

/* The same message: time (seconds and usec), level, text and tags. */
int fm_message_same(const fm_message *a, const fm_message *b);

/* fm_list_sort_by_age, and a message that appears more than once (the
 * same time, level, text and tags: two copies of one cookie) is kept
 * once, the first copy. */
void fm_list_sort_unique(apr_array_header_t *list);

/* A set of messages (by fm_message_same) to ask about membership. */
typedef struct fm_message_set fm_message_set;

fm_message_set *fm_message_set_make(apr_pool_t *p);
void fm_message_set_add(fm_message_set *set, const fm_message *m);
void fm_message_set_add_all(fm_message_set *set,
                            const apr_array_header_t *list);
int fm_message_set_has(const fm_message_set *set, const fm_message *m);

#endif
