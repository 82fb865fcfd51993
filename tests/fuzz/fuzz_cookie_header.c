/* fuzz_cookie_header.c - the Cookie header finder on arbitrary bytes. */
#include <stdint.h>
#include <string.h>
#include <apr_general.h>
#include <apr_strings.h>
#include "cookie_header.h"
#include "../common/fixtures.h"

static apr_pool_t *pool;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_array_header_t *out;
    const char *h;
    int i;
    if (!pool)
        apr_pool_create(&pool, fx_process_pool());
    h = apr_pstrmemdup(pool, (const char *)data, size);   /* NUL-terminated, as httpd gives it */
    out = apr_array_make(pool, 2, sizeof(const char *));
    fm_cookie_header_find(pool, h, "flashmsg", out);
    /* each value needs at least "flashmsg=" in the header */
    if ((size_t)out->nelts > size / 9)
        __builtin_trap();
    for (i = 0; i < out->nelts; i++)
        if (strlen(APR_ARRAY_IDX(out, i, const char *)) > size)
            __builtin_trap();
    /* the family finder: every name is the base or base.ID, and finds at
     * least what the exact finder found */
    {
        apr_array_header_t *fam = apr_array_make(pool, 2, sizeof(fm_cookie_pair));
        fm_cookie_header_find_family(pool, h, "flashmsg", fam);
        if (fam->nelts < out->nelts)
            __builtin_trap();
        for (i = 0; i < fam->nelts; i++) {
            const char *n = APR_ARRAY_IDX(fam, i, fm_cookie_pair).name;
            if (strncmp(n, "flashmsg", 8) || (n[8] && (n[8] != '.' || !n[9])))
                __builtin_trap();
        }
        if ((fam->nelts > 0) != fm_cookie_header_has(h, "flashmsg", 1))
            __builtin_trap();
    }
    apr_pool_clear(pool);
    return 0;
}
