/* fuzz_json.c - JSON string quoting on arbitrary bytes: the output is a
 * printable-ASCII JSON string literal whatever the input. */
#include <stdint.h>
#include <string.h>
#include <apr_general.h>
#include <apr_strings.h>
#include "json.h"
#include "../common/fixtures.h"

static apr_pool_t *pool;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *q, *s;
    size_t n;
    if (!pool)
        apr_pool_create(&pool, fx_process_pool());
    s = apr_pstrmemdup(pool, (const char *)data, size);
    q = fm_json_quote(pool, s);
    n = strlen(q);
    if (n < 2 || q[0] != '"' || q[n - 1] != '"')
        __builtin_trap();
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)q[i];
        if (c < 0x20 || c > 0x7e || c == '<' || c == '>' || c == '&' || c == '\'')
            __builtin_trap();
        /* a quote inside must be escaped */
        if (c == '"' && i != 0 && i != n - 1) {
            size_t bs = 0, j = i;
            while (j > 0 && q[j - 1] == '\\') { bs++; j--; }
            if (bs % 2 == 0)
                __builtin_trap();
        }
    }
    apr_pool_clear(pool);
    return 0;
}
