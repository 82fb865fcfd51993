/*
 * codec_bench.c - cost of the cookie codec per operation: store (encode +
 * sign or encrypt) and load (verify or decrypt + decode) of 1, 5 and 20
 * messages, in ns per operation.  A benchmark, not a test: it prints
 * numbers and never fails on speed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <apr_general.h>
#include <apr_strings.h>

#include "cookie_codec.h"
#include "keys.h"
#include "../tests/common/fixtures.h"

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
    apr_pool_t *root = fx_process_pool(), *p;
    fm_keyring *kr = fx_keyring(root, FX_SECRET_A, NULL);
    int counts[] = { 1, 5, 20 }, ci, enc;
    long iters = argc > 1 ? atol(argv[1]) : 20000;

    apr_pool_create(&p, root);
    printf("kind,messages,value_bytes,store_ns,load_ns\n");
    for (enc = 0; enc < 2; enc++) {
        for (ci = 0; ci < 3; ci++) {
            int n = counts[ci];
            long k;
            fm_message *m = fx_msgs_typical(root, n, 1800000000);
            fm_codec_opts o = fx_opts(FX_COOKIE_NAME, enc, 86400);
            const char *v;
            double t0, store, load;
            apr_array_header_t *out;
            v = fm_cookie_encode(root, kr, &o, m, n, 0, 1800000000);
            t0 = now_ns();
            for (k = 0; k < iters; k++) {
                fm_cookie_encode(p, kr, &o, m, n, 0, 1800000000);
                if ((k & 255) == 255)
                    apr_pool_clear(p);
            }
            store = (now_ns() - t0) / iters;
            apr_pool_clear(p);
            t0 = now_ns();
            for (k = 0; k < iters; k++) {
                unsigned flags;
                int expired, key;
                out = apr_array_make(p, n, sizeof(fm_message));
                if (fm_cookie_decode(p, kr, &o, v, strlen(v), 1800000000, out,
                                     &flags, &expired, &key) != FM_DECODE_OK
                    || out->nelts != n) {
                    fprintf(stderr, "decode failed\n");
                    return 1;
                }
                if ((k & 255) == 255)
                    apr_pool_clear(p);
            }
            load = (now_ns() - t0) / iters;
            apr_pool_clear(p);
            printf("%s,%d,%zu,%.0f,%.0f\n", enc ? "encrypted" : "signed", n,
                   strlen(v), store, load);
        }
    }
    apr_terminate();
    return 0;
}
