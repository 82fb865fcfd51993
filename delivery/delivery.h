/*
 * delivery.h - the ways messages leave other than the page placeholder:
 * the flashmsg-json handler, htmx events, and the backend (FlashMsgExpose).
 */
#ifndef FM_DELIVERY_H
#define FM_DELIVERY_H

#include "store/store.h"

/* json_handler.c: SetHandler flashmsg-json. */
int fm_json_handler(request_rec *r);

/* expose.c: FlashMsgExpose.  The fixup hands pending messages to the
 * backend; fm_expose_take_consumed reads its "X-Flash-Consumed: 1" answer
 * (and always removes the header). */
int fm_expose_fixups(request_rec *r);
void fm_expose_take_consumed(request_rec *r);

/* htmx.c: FlashMsgHTMX.  For an htmx request that is not a navigation
 * (boosted, history restore) and is answered 2xx, 4xx or 5xx, without
 * navigating away, the pending messages go out as an HX-Trigger event and
 * are consumed; returns 1 if they were. */
int fm_htmx_deliver(request_rec *r);

#endif
