/*
 * engine_watch.c - the stall breaker of one socache engine (see
 * engine_watch.h).
 *
 * Neither provider bounds a call on an engine that hangs (httpd 2.4.71,
 * apr-util 1.6.3: apr_redis takes mod_socache_redis's RedisTimeout,
 * microseconds, for seconds; apr_memcache reads with no timeout), and a
 * call cannot be interrupted from outside.  What can be bounded is how
 * many workers join the wait: once the calls in flight have made no
 * progress for the timeout, no new call starts until one of them returns.
 *
 * The state is two atomics in process memory, read and written by the
 * threads of one child without a lock: never shared memory, so a child
 * that dies in a call cannot leave the breaker open for the others.  The
 * 64-bit one goes through the compiler's __atomic builtins rather than
 * apr_atomic_read64/set64, which came only with APR 1.7 (the RHEL 8
 * family ships APR 1.6); APR 1.7 implements them with the same builtins.
 */
#include <apr_atomic.h>

#include "storage/engine_watch.h"

struct fm_engine_watch {
    volatile apr_uint32_t in_flight;    /* calls begun and not ended */
    volatile apr_uint64_t progress;     /* apr_time_t: a call ended, or one
                                         * began while none was in flight */
};

static apr_uint64_t progress_read(fm_engine_watch *w)
{
    return __atomic_load_n(&w->progress, __ATOMIC_SEQ_CST);
}

static void progress_set(fm_engine_watch *w, apr_time_t now)
{
    __atomic_store_n(&w->progress, (apr_uint64_t)now, __ATOMIC_SEQ_CST);
}

fm_engine_watch *fm_engine_watch_make(apr_pool_t *p)
{
    /* Zero: nothing in flight, so the first call always starts. */
    return apr_pcalloc(p, sizeof(fm_engine_watch));
}

apr_interval_time_t fm_engine_watch_stalled(fm_engine_watch *w,
                                            apr_time_t now)
{
    apr_time_t last;
    if (!apr_atomic_read32(&w->in_flight))
        return 0;
    /* A call that ends between the two reads has set progress first (see
     * fm_engine_watch_end): the time read is at worst one call old. */
    last = (apr_time_t)progress_read(w);
    return now > last ? now - last : 0;
}

int fm_engine_watch_begin(fm_engine_watch *w, apr_time_t now,
                          apr_interval_time_t timeout)
{
    if (fm_engine_watch_stalled(w, now) > timeout)
        return 0;
    /* The first call in flight starts the clock: an engine idle for an
     * hour has not stalled for an hour. */
    if (apr_atomic_inc32(&w->in_flight) == 0)
        progress_set(w, now);
    return 1;
}

void fm_engine_watch_end(fm_engine_watch *w, apr_time_t now)
{
    /* Progress before the count drops, so that a call that finds the count
     * still up finds the fresh time too. */
    progress_set(w, now);
    apr_atomic_dec32(&w->in_flight);
}
