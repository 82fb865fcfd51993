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

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
    apr_pool_t *root, *p;
    const char *secret = "bench-secret-0123456789abcdef0123456789";
    fm_keyring *kr;
    int counts[] = { 1, 5, 20 }, ci, enc;
    long iters = argc > 1 ? atol(argv[1]) : 20000;

    apr_initialize();
    apr_pool_create(&root, NULL);
    apr_pool_create(&p, root);
    if (fm_keyring_make(root, &secret, 1, &kr)) {
        fprintf(stderr, "keyring failed\n");
        return 1;
    }
    printf("kind,messages,value_bytes,store_ns,load_ns\n");
    for (enc = 0; enc < 2; enc++) {
        for (ci = 0; ci < 3; ci++) {
            int n = counts[ci], i;
            long k;
            fm_message m[20];
            fm_codec_opts o = { "flashmsg", enc, 86400 };
            const char *v;
            double t0, store, load;
            apr_array_header_t *out;
            for (i = 0; i < n; i++) {
                m[i].level = 25;
                m[i].text = "Your profile was saved successfully.";   /* a typical message */
                m[i].extra_tags = i % 2 ? "sticky" : "";
                m[i].created = 1800000000;
            }
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
