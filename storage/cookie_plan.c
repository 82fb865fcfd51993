/*
 * cookie_plan.c - what a save does with the cookies of our family the
 * client holds (backend.h: fm_cookie_plan): a cookie whose messages are
 * all still pending stays as it is; every other pending message is loose
 * and goes into one new cookie (or the session, or the cache) under the
 * name fm_cookie_new_batch_name gives; to make room, the oldest cookies
 * are given up first.  Every step is linear in the messages pending (a
 * set past a handful of comparisons), whatever a client sends.
 */
#include <string.h>

#include <apr_strings.h>
#include <apr_general.h>

#include "storage/backend.h"
#include "core/message_list.h"
#include "http/request_origin.h"

/* (why: backend.h) */
const char *fm_cookie_new_batch_name(request_rec *r, const char *base)
{
    unsigned char rnd[6];
    char id[FM_BATCH_ID_LEN + 1];
    if (fm_request_from_other_site(r))
        return base;
    if (apr_generate_random_bytes(rnd, sizeof(rnd)) != APR_SUCCESS)
        memset(rnd, 0, sizeof(rnd));   /* still a valid name; never fatal */
    id[0] = '.';
    fm_b64url_encode(id + 1, rnd, sizeof(rnd));
    id[FM_BATCH_ID_LEN] = '\0';
    return apr_pstrcat(r->pool, base, id, NULL);
}

apr_size_t fm_cookie_batch_overhead(const fm_budget *b)
{
    return strlen(b->opts.cookie_name) + FM_BATCH_ID_LEN + 3;   /* "=" "; " */
}

/* Up to this many membership tests a plan compares messages directly;
 * more (many messages pending: docs/spec.md §5 wants every path linear) go
 * through a set.  Hashing costs more than the comparisons for the usual
 * handful. */
#define FM_FEW_TESTS 64

/* Is m among list (whose set is given when it was worth making)? */
static int among(const fm_message_set *set, const apr_array_header_t *list,
                 const fm_message *m)
{
    int i;
    if (set)
        return fm_message_set_has(set, m);
    for (i = 0; i < list->nelts; i++)
        if (fm_message_same(&APR_ARRAY_IDX(list, i, fm_message), m))
            return 1;
    return 0;
}

static int batch_pending(const fm_message_set *pending,
                         const apr_array_header_t *list, const fm_batch *bt)
{
    int i;
    for (i = 0; i < bt->msgs->nelts; i++)
        if (!among(pending, list, &APR_ARRAY_IDX(bt->msgs, i, fm_message)))
            return 0;
    return 1;
}

static int held_messages(const fm_held *held)
{
    int i, n = 0;
    for (i = 0; held->batches && i < held->batches->nelts; i++)
        n += APR_ARRAY_IDX(held->batches, i, fm_batch).msgs->nelts;
    return n;
}

/* The plan no longer keeps its i-th cookie (order of kept does not
 * matter: the last takes its place). */
static void unkeep_one(fm_cookie_plan *plan, int i)
{
    plan->kept_size -= APR_ARRAY_IDX(plan->kept, i, const fm_batch *)->size;
    APR_ARRAY_IDX(plan->kept, i, const fm_batch *) =
        APR_ARRAY_IDX(plan->kept, plan->kept->nelts - 1, const fm_batch *);
    plan->kept->nelts--;
}

/* A new batch from another site's request replaces the base-name cookie
 * (fm_cookie_new_batch_name): what that cookie holds goes into the new one. */
static void merge_replaced(request_rec *r, fm_cookie_plan *plan)
{
    const char *base = fm_cookie_name(r);
    int i;
    if (!plan->loose->nelts || !fm_request_from_other_site(r))
        return;
    for (i = 0; i < plan->kept->nelts; i++) {
        const fm_batch *bt = APR_ARRAY_IDX(plan->kept, i, const fm_batch *);
        if (strcmp(bt->name, base) || bt->ref)
            continue;
        apr_array_cat(plan->loose, bt->msgs);
        fm_list_sort_by_age(plan->loose);
        unkeep_one(plan, i);
        return;
    }
}

void fm_cookie_plan_make(request_rec *r, const apr_array_header_t *list,
                         const fm_held *held, fm_cookie_plan *plan)
{
    const fm_message_set *pending = NULL;
    fm_message_set *in_kept = NULL;
    int i, j, held_n = held_messages(held);

    plan->kept = apr_array_make(r->pool, 2, sizeof(const fm_batch *));
    plan->kept_size = 0;
    plan->loose = apr_array_make(r->pool, list->nelts ? list->nelts : 1,
                                 sizeof(fm_message));
    plan->dropped = 0;
    if ((apr_int64_t)held_n * list->nelts > FM_FEW_TESTS) {
        fm_message_set *set = fm_message_set_make(r->pool);
        fm_message_set_add_all(set, list);
        pending = set;
        in_kept = fm_message_set_make(r->pool);
    }
    /* A cookie whose messages are all still pending stays untouched. */
    for (i = 0; held->batches && i < held->batches->nelts; i++) {
        const fm_batch *bt = &APR_ARRAY_IDX(held->batches, i, fm_batch);
        if (bt->keep && batch_pending(pending, list, bt)) {
            APR_ARRAY_PUSH(plan->kept, const fm_batch *) = bt;
            plan->kept_size += bt->size;
            if (in_kept)
                fm_message_set_add_all(in_kept, bt->msgs);
        }
    }
    /* Everything else pending is loose: added now, from the session, or
     * left over from a cookie that must go. */
    for (i = 0; i < list->nelts; i++) {
        const fm_message *m = &APR_ARRAY_IDX(list, i, fm_message);
        int kept = 0;
        if (in_kept)
            kept = fm_message_set_has(in_kept, m);
        else
            for (j = 0; j < plan->kept->nelts && !kept; j++)
                kept = among(NULL, APR_ARRAY_IDX(plan->kept, j,
                                                 const fm_batch *)->msgs, m);
        if (!kept)
            APR_ARRAY_PUSH(plan->loose, fm_message) = *m;
    }
    merge_replaced(r, plan);
}

/* The kept cookie with the oldest message. */
static int oldest_kept(const fm_cookie_plan *plan)
{
    int i, best = -1;
    const fm_message *bm = NULL;
    for (i = 0; i < plan->kept->nelts; i++) {
        const fm_batch *bt = APR_ARRAY_IDX(plan->kept, i, const fm_batch *);
        const fm_message *m;
        if (!bt->msgs->nelts)
            continue;       /* an unreadable reference: given up last */
        m = &APR_ARRAY_IDX(bt->msgs, 0, fm_message);
        if (!bm || m->created < bm->created
            || (m->created == bm->created && m->usec < bm->usec)) {
            bm = m;
            best = i;
        }
    }
    return best >= 0 ? best : 0;
}

apr_size_t fm_cookie_plan_room(const fm_cookie_plan *plan, const fm_budget *b)
{
    apr_size_t used = plan->kept_size + fm_cookie_batch_overhead(b);
    return used < b->max ? b->max - used : 0;
}

void fm_cookie_plan_make_room(fm_cookie_plan *plan, const fm_budget *b,
                              apr_size_t need)
{
    while (plan->kept->nelts && fm_cookie_plan_room(plan, b) < need) {
        int i = oldest_kept(plan);
        plan->dropped += APR_ARRAY_IDX(plan->kept, i,
                                       const fm_batch *)->msgs->nelts;
        unkeep_one(plan, i);
    }
}

void fm_cookie_plan_unkeep(fm_cookie_plan *plan)
{
    int i;
    for (i = 0; i < plan->kept->nelts; i++)
        apr_array_cat(plan->loose,
                      APR_ARRAY_IDX(plan->kept, i, const fm_batch *)->msgs);
    apr_array_clear(plan->kept);
    plan->kept_size = 0;
    fm_list_sort_by_age(plan->loose);
}

int fm_cookie_plan_keeps(const fm_cookie_plan *plan, const fm_batch *bt)
{
    int i;
    for (i = 0; i < plan->kept->nelts; i++)
        if (APR_ARRAY_IDX(plan->kept, i, const fm_batch *) == bt)
            return 1;
    return 0;
}
