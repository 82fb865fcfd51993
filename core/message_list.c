/*
 * message_list.c - ordering, de-duplicating and looking up pending
 * messages.  A page may find tens of thousands of them (a socache entry
 * holds up to FlashMsgSessionMaxSize bytes of them, and a client holds
 * several entries), so nothing here may be quadratic: the sort is a merge
 * sort (stable: messages of one time keep the order they were added in),
 * duplicates are found within runs of one time through a hash when a run
 * is long, and membership is a hash lookup.
 */
#include <string.h>

#include <apr_hash.h>
#include <apr_strings.h>

#include "message_list.h"

static int older(const fm_message *a, const fm_message *b)
{
    return a->created < b->created
           || (a->created == b->created && a->usec < b->usec);
}

static int same_time(const fm_message *a, const fm_message *b)
{
    return a->created == b->created && a->usec == b->usec;
}

/* Merge the sorted runs src[lo..mid) and src[mid..hi) into dst[lo..hi);
 * on equal times the left run's message comes first (stability). */
static void merge(const fm_message *src, fm_message *dst, int lo, int mid,
                  int hi)
{
    int i = lo, j = mid, k = lo;
    while (i < mid && j < hi)
        dst[k++] = older(&src[j], &src[i]) ? src[j++] : src[i++];
    while (i < mid)
        dst[k++] = src[i++];
    while (j < hi)
        dst[k++] = src[j++];
}

void fm_list_sort_by_age(apr_array_header_t *list)
{
    fm_message *m = (fm_message *)list->elts, *tmp, *from, *to;
    int n = list->nelts, width, i;

    for (i = 1; i < n && !older(&m[i], &m[i - 1]); i++)
        ;
    if (i >= n)
        return;                 /* in order already: the usual case */
    tmp = apr_palloc(list->pool, sizeof(*tmp) * (apr_size_t)n);
    from = m;
    to = tmp;
    for (width = 1; width < n; width *= 2) {
        fm_message *swap;
        for (i = 0; i < n; i += 2 * width) {
            int mid = i + width < n ? i + width : n;
            int hi = i + 2 * width < n ? i + 2 * width : n;
            merge(from, to, i, mid, hi);
        }
        swap = from;
        from = to;
        to = swap;
    }
    if (from != m)
        memcpy(m, from, sizeof(*m) * (apr_size_t)n);
}

int fm_message_same(const fm_message *a, const fm_message *b)
{
    return same_time(a, b) && a->level == b->level
           && !strcmp(a->text, b->text) && !strcmp(a->extra_tags, b->extra_tags);
}

/* ---- sets ----------------------------------------------------------- */

struct fm_message_set {
    apr_pool_t *p;
    apr_hash_t *h;
};

/* The key of a message: every field fm_message_same compares, the two
 * strings separated by a NUL (tags cannot hold one).  Written into buf
 * when it is large enough, else into memory from p.  Returns its length. */
#define FM_KEY_HEAD 48      /* "<seconds>.<usec>.<level>:" at the most */

static apr_size_t message_key(apr_pool_t *p, const fm_message *m, char *buf,
                              apr_size_t size, const char **key)
{
    apr_size_t gl = strlen(m->extra_tags), tl = strlen(m->text);
    char *k = FM_KEY_HEAD + gl + 1 + tl <= size
              ? buf : apr_palloc(p, FM_KEY_HEAD + gl + 1 + tl);
    apr_size_t hl = (apr_size_t)apr_snprintf(k, FM_KEY_HEAD,
                                             "%" APR_INT64_T_FMT ".%d.%d:",
                                             m->created, (int)m->usec,
                                             m->level);
    memcpy(k + hl, m->extra_tags, gl);
    k[hl + gl] = '\0';
    memcpy(k + hl + gl + 1, m->text, tl);
    *key = k;
    return hl + gl + 1 + tl;
}

fm_message_set *fm_message_set_make(apr_pool_t *p)
{
    fm_message_set *set = apr_palloc(p, sizeof(*set));
    set->p = p;
    set->h = apr_hash_make(p);
    return set;
}

void fm_message_set_add(fm_message_set *set, const fm_message *m)
{
    const char *k;
    apr_size_t len = message_key(set->p, m, NULL, 0, &k);
    apr_hash_set(set->h, k, (apr_ssize_t)len, "");
}

void fm_message_set_add_all(fm_message_set *set,
                            const apr_array_header_t *list)
{
    int i;
    for (i = 0; i < list->nelts; i++)
        fm_message_set_add(set, &APR_ARRAY_IDX(list, i, fm_message));
}

int fm_message_set_has(const fm_message_set *set, const fm_message *m)
{
    char buf[256];          /* most keys: the lookup allocates nothing */
    const char *k;
    apr_size_t len = message_key(set->p, m, buf, sizeof(buf), &k);
    return apr_hash_get(set->h, k, (apr_ssize_t)len) != NULL;
}

/* ---- duplicates ------------------------------------------------------ */

/* Runs of one time up to this long are checked pairwise; longer ones (only
 * a forged or pathological list has them: the store gives every message of
 * a request its own usec) through a set. */
#define FM_SHORT_RUN 8

void fm_list_sort_unique(apr_array_header_t *list)
{
    fm_message *m;
    int i, n = 0;

    fm_list_sort_by_age(list);
    m = (fm_message *)list->elts;
    for (i = 0; i < list->nelts;) {
        int end = i + 1, j, run_start = n;
        fm_message_set *seen = NULL;
        while (end < list->nelts && same_time(&m[end], &m[i]))
            end++;
        if (end - i > FM_SHORT_RUN)
            seen = fm_message_set_make(list->pool);
        for (j = i; j < end; j++) {
            int dup = 0, k;
            if (seen) {
                dup = fm_message_set_has(seen, &m[j]);
                if (!dup)
                    fm_message_set_add(seen, &m[j]);
            }
            else
                for (k = run_start; k < n && !dup; k++)
                    dup = fm_message_same(&m[k], &m[j]);
            if (!dup)
                m[n++] = m[j];
        }
        i = end;
    }
    list->nelts = n;
}
