/*
 * test_engine_watch.c - the socache stall breaker (storage/engine_watch.c)
 * with a clock the test moves: when a call may start, when it may not,
 * and that one answer closes the breaker again.
 */
#include <apr_thread_proc.h>

#include "glue.h"
#include "storage/engine_watch.h"

#define SEC(n) apr_time_from_sec(n)
#define MS(n) apr_time_from_msec(n)

static apr_pool_t *pool;

static void setup(void)
{
    apr_pool_create(&pool, NULL);
}

static void teardown(void)
{
    apr_pool_destroy(pool);
}

START_TEST(idle_engine_is_not_stalled)
{
    /* An engine unused for an hour has not stalled: nothing in flight. */
    fm_engine_watch *w = fm_engine_watch_make(pool);
    ck_assert_int_eq(fm_engine_watch_stalled(w, SEC(3600)), 0);
    ck_assert(fm_engine_watch_begin(w, SEC(3600), SEC(1)));
    fm_engine_watch_end(w, SEC(3600) + MS(2));
    ck_assert_int_eq(fm_engine_watch_stalled(w, SEC(7200)), 0);
    ck_assert(fm_engine_watch_begin(w, SEC(7200), SEC(1)));
}
END_TEST

START_TEST(calls_in_flight_within_the_timeout_start)
{
    fm_engine_watch *w = fm_engine_watch_make(pool);
    ck_assert(fm_engine_watch_begin(w, SEC(10), SEC(1)));
    ck_assert(fm_engine_watch_begin(w, SEC(10) + MS(500), SEC(1)));
    ck_assert(fm_engine_watch_begin(w, SEC(11), SEC(1)));   /* not "longer" */
    ck_assert_int_eq(fm_engine_watch_stalled(w, SEC(11)), SEC(1));
}
END_TEST

START_TEST(stalled_engine_is_skipped_until_a_call_returns)
{
    fm_engine_watch *w = fm_engine_watch_make(pool);
    ck_assert(fm_engine_watch_begin(w, SEC(10), SEC(1)));   /* hangs */
    ck_assert(!fm_engine_watch_begin(w, SEC(11) + 1, SEC(1)));
    ck_assert(!fm_engine_watch_begin(w, SEC(60), SEC(1)));
    ck_assert_int_eq(fm_engine_watch_stalled(w, SEC(60)), SEC(50));
    /* a skipped call is not in flight: one end brings the count to 0 */
    fm_engine_watch_end(w, SEC(61));
    ck_assert_int_eq(fm_engine_watch_stalled(w, SEC(100)), 0);
    ck_assert(fm_engine_watch_begin(w, SEC(100), SEC(1)));
}
END_TEST

START_TEST(an_answer_is_progress_for_the_others)
{
    /* Two calls hang from 10 s; the second answers at 12 s: the first
     * still hangs, but the engine answered 0.5 s ago. */
    fm_engine_watch *w = fm_engine_watch_make(pool);
    ck_assert(fm_engine_watch_begin(w, SEC(10), SEC(1)));
    ck_assert(fm_engine_watch_begin(w, SEC(10), SEC(1)));
    ck_assert(!fm_engine_watch_begin(w, SEC(12), SEC(1)));
    fm_engine_watch_end(w, SEC(12));
    ck_assert(fm_engine_watch_begin(w, SEC(12) + MS(500), SEC(1)));
    ck_assert(!fm_engine_watch_begin(w, SEC(14), SEC(1)));
}
END_TEST

/* Threads of one child begin and end calls at once: the count must come
 * back to zero, or the breaker would open on an idle engine. */
#define THREADS 8
#define CALLS 20000

static void *APR_THREAD_FUNC caller(apr_thread_t *t, void *v)
{
    fm_engine_watch *w = v;
    int i;
    for (i = 0; i < CALLS; i++)
        if (fm_engine_watch_begin(w, SEC(1), SEC(3600)))
            fm_engine_watch_end(w, SEC(1));
    apr_thread_exit(t, APR_SUCCESS);
    return NULL;
}

START_TEST(threads_leave_nothing_in_flight)
{
    fm_engine_watch *w = fm_engine_watch_make(pool);
    apr_thread_t *t[THREADS];
    apr_status_t rv;
    int i;
    for (i = 0; i < THREADS; i++)
        ck_assert_int_eq(apr_thread_create(&t[i], NULL, caller, w, pool),
                         APR_SUCCESS);
    for (i = 0; i < THREADS; i++)
        apr_thread_join(&rv, t[i]);
    ck_assert_int_eq(fm_engine_watch_stalled(w, SEC(7200)), 0);
}
END_TEST

Suite *engine_watch_suite(void)
{
    Suite *s = suite_create("engine_watch");
    TCase *tc = tcase_create("breaker");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, idle_engine_is_not_stalled);
    tcase_add_test(tc, calls_in_flight_within_the_timeout_start);
    tcase_add_test(tc, stalled_engine_is_skipped_until_a_call_returns);
    tcase_add_test(tc, an_answer_is_progress_for_the_others);
    tcase_add_test(tc, threads_leave_nothing_in_flight);
    suite_add_tcase(s, tc);
    return s;
}
