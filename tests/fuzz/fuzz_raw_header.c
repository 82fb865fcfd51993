/*
 * fuzz_raw_header.c - the header block of an nph- script's response:
 * the end found lies within the input and ends a blank line; stripping
 * never grows the block, keeps every byte of the fields it keeps in
 * order, and leaves nothing to strip a second time.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "raw_header.h"

static const char *const NAMES[] = {"X-Flash", "X-Flash-Consumed"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    apr_size_t end = fm_raw_header_end(in, size), n1 = 0, n2 = 0, i, j;
    char *once = malloc(size + 1), *twice = malloc(size + 1);
    int removed;

    if (end) {
        if (end > size || in[end - 1] != '\n')
            abort();
    }
    removed = fm_raw_header_strip(in, size, NAMES, 2, once, &n1);
    if (n1 > size || removed < 0 || (removed == 0 && n1 != size)
        || (removed == 0 && memcmp(once, in, size)))
        abort();
    /* what is kept is a subsequence of the input */
    for (i = j = 0; i < n1 && j < size; j++)
        if (once[i] == in[j])
            i++;
    if (i != n1)
        abort();
    if (fm_raw_header_strip(once, n1, NAMES, 2, twice, &n2) != 0 || n2 != n1)
        abort();
    free(once);
    free(twice);
    return 0;
}
