/*
 * chain.c - where the two output filters go: registered once with their
 * fixed types (see filters.h for why these types), added to every request
 * where FlashMsg is On, from insert_filter and again from
 * insert_error_filter (an error response starts a new chain).
 */
#include "filters/filters.h"

APLOG_USE_MODULE(flashmsg);

static ap_filter_rec_t *inject_filter_rec;
ap_filter_rec_t *fm_guard_filter_rec;

void fm_filters_register(void)
{
    inject_filter_rec = ap_register_output_filter(
        FM_FILTER_NAME, fm_inject_filter, NULL, FM_FILTER_FTYPE);
    fm_guard_filter_rec = ap_register_output_filter(
        FM_GUARD_FILTER_NAME, fm_guard_filter, NULL, FM_GUARD_FTYPE);
    fm_nph_filter_register();
}

void fm_filters_add(request_rec *r)
{
    ap_add_output_filter_handle(inject_filter_rec, NULL, r, r->connection);
    if (!r->main) {
        ap_add_output_filter_handle(fm_guard_filter_rec, NULL, r,
                                    r->connection);
        fm_nph_filter_add(r);
    }
}
