/*
 * message.h - the flash message model: levels, level tags, tags, the
 * pending list.  Server independent: APR only, no httpd types.
 */
#ifndef FM_MESSAGE_H
#define FM_MESSAGE_H

#include <apr_pools.h>
#include <apr_tables.h>
#include <apr_time.h>

#define FM_DEBUG   10
#define FM_INFO    20
#define FM_SUCCESS 25
#define FM_WARNING 30
#define FM_ERROR   40

/* Now in whole seconds since the epoch: the unit of `created`. */
static APR_INLINE apr_int64_t fm_now(void)
{
    return (apr_int64_t)apr_time_sec(apr_time_now());
}

/* Longest level name accepted anywhere (config or header). */
#define FM_LEVEL_NAME_MAX 32

typedef struct {
    int level;                /* any non-negative integer */
    const char *text;         /* UTF-8, never empty */
    const char *extra_tags;   /* space separated words, "" when none */
    apr_int64_t created;      /* seconds since the epoch */
    apr_int32_t usec;         /* microseconds within that second: orders
                               * messages of one second (0 if unknown) */
} fm_message;

/*
 * Level vocabulary and tag overrides.  Built-in levels are always known;
 * custom ones are added with fm_levels_define().  Names are stored lower
 * case and compared case-insensitively.
 */
typedef struct fm_levels fm_levels;

fm_levels *fm_levels_make(apr_pool_t *p);
/* Child entries win over parent entries; either may be NULL. */
fm_levels *fm_levels_merge(apr_pool_t *p, const fm_levels *parent,
                           const fm_levels *child);
/* Returns NULL on success or an error message. */
const char *fm_levels_define(fm_levels *lv, apr_pool_t *p, const char *name,
                             const char *number);
/*
 * Parse a level given as a name (built-in or custom) or a bare decimal
 * integer.  len is the number of bytes of s to look at.  Returns 0 and sets
 * *level on success, -1 when the level is unknown or malformed.
 */
int fm_levels_parse(const fm_levels *lv, const char *s, apr_size_t len,
                    int *level);
/* The level's name, or NULL for an integer level that has no name. */
const char *fm_levels_name(const fm_levels *lv, int level);

/*
 * Tag overrides (FlashMsgTag LEVEL CLASS): class "" removes the tag.
 */
typedef struct fm_tagmap fm_tagmap;

fm_tagmap *fm_tagmap_make(apr_pool_t *p);
fm_tagmap *fm_tagmap_merge(apr_pool_t *p, const fm_tagmap *parent,
                           const fm_tagmap *child);
void fm_tagmap_set(fm_tagmap *tm, int level, const char *cls);

/* level_tag: override if any, else the level's name, else "". */
const char *fm_level_tag(const fm_levels *lv, const fm_tagmap *tm, int level);
/* tags: extra_tags then level_tag, joined by one space, empty parts skipped. */
const char *fm_message_tags(apr_pool_t *p, const fm_levels *lv,
                            const fm_tagmap *tm, const fm_message *m);

/*
 * True when text is acceptable message text: valid UTF-8 (no overlongs,
 * no surrogates), no control characters except TAB.
 */
int fm_text_valid(const char *s, apr_size_t len);
/* True when s is a valid UTF-8 sequence of len bytes. */
int fm_utf8_valid(const char *s, apr_size_t len);
/* The well-formed UTF-8 sequence at s (n > 0 bytes left): its length, and
 * its code point in *cp; 0 if it is not one (overlong forms, surrogates,
 * above U+10FFFF, cut short).  An ASCII byte is a sequence of 1. */
apr_size_t fm_utf8_next(const unsigned char *s, apr_size_t n, unsigned *cp);

/*
 * Append a message to a list of fm_message, applying the contract's
 * filters: empty text and levels below min_level are ignored.  Returns 1
 * when added, 0 when ignored.
 */
int fm_list_add(apr_array_header_t *list, int min_level, int level,
                const char *text, const char *extra_tags, apr_int64_t created);

#endif
