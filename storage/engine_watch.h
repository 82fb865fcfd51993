/*
 * engine_watch.h - the stall breaker of one socache engine, per process:
 * how many provider calls are in flight and when the engine last made
 * progress, so that a call is not started on an engine that has held the
 * calls already made for longer than FlashMsgSocacheTimeout.
 *
 * Only APR: no request, no provider; the caller brings the clock.
 */
#ifndef FM_ENGINE_WATCH_H
#define FM_ENGINE_WATCH_H

#include <apr_pools.h>
#include <apr_time.h>

typedef struct fm_engine_watch fm_engine_watch;

/* A watch in pool p (the configuration pool: each child gets its own copy
 * when it forks, so the state lives and dies with the process). */
fm_engine_watch *fm_engine_watch_make(apr_pool_t *p);

/* How long the calls in flight have gone without progress at now; 0 when
 * none is in flight. */
apr_interval_time_t fm_engine_watch_stalled(fm_engine_watch *w,
                                            apr_time_t now);

/* May a call start at now?  No (0) when calls are in flight and none has
 * made progress for longer than timeout.  Yes (1): the call is counted in
 * flight and must be ended with fm_engine_watch_end. */
int fm_engine_watch_begin(fm_engine_watch *w, apr_time_t now,
                          apr_interval_time_t timeout);

/* A call begun with fm_engine_watch_begin returned (whatever its result:
 * an answer, even an error, is progress). */
void fm_engine_watch_end(fm_engine_watch *w, apr_time_t now);

#endif
