/*
 * fuzz_template.c - the template compiler on arbitrary ITEM/WRAPPER text
 * (input split at the first NUL, or the file-text form when there is none),
 * then rendering of hostile messages with it: nothing crashes, the reported
 * length is the real one, and messages full of '<' produce exactly as many
 * '<' as harmless messages of the same shape: none of theirs gets through.
 */
#include <stdint.h>
#include <string.h>
#include <apr_general.h>
#include <apr_strings.h>
#include "template.h"
#include "../common/fixtures.h"

static apr_pool_t *pool;

static apr_size_t count_lt(const char *s, apr_size_t n)
{
    apr_size_t i, c = 0;
    for (i = 0; i < n; i++)
        c += s[i] == '<';
    return c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in, *nul;
    fm_template *t = NULL;
    int i;

    if (!pool)
        apr_pool_create(&pool, fx_process_pool());
    in = apr_pstrmemdup(pool, (const char *)data, size);
    nul = memchr(data, 0, size);
    if (nul) {
        const char *item = in, *wrapper = in + (nul - (const char *)data) + 1;
        if (fm_template_compile(pool, item, *wrapper ? wrapper : NULL, &t))
            t = NULL;
    }
    else if (fm_template_compile_file_text(pool, in, &t)) {
        t = NULL;
    }
    if (t) {
        fm_message hostile[3], benign[3];
        for (i = 0; i < 3; i++) {
            hostile[i] = fx_msg(i * 17, "<<<\"'&\xc3\xbc", i ? "<x>" : "", 0);
            benign[i] = fx_msg(i * 17, "aaa\"'&\xc3\xbc", i ? "axa" : "", 0);
        }
        for (i = 0; i < 2; i++) {
            unsigned flags = i ? FM_RENDER_ASCII : 0;
            apr_size_t lb, lh;
            char *ob = fm_template_render(pool, t, NULL, NULL, benign, 3, flags, &lb);
            char *oh = fm_template_render(pool, t, NULL, NULL, hostile, 3, flags, &lh);
            if (lb != strlen(ob) || lh != strlen(oh))
                __builtin_trap();
            if (count_lt(ob, lb) != count_lt(oh, lh))
                __builtin_trap();
        }
    }
    apr_pool_clear(pool);
    return 0;
}
