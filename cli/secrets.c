/*
 * secrets.c - --secret values taken the way FlashMsgSecret takes them: an
 * inline key, or file:PATH read by core/key_file.c, which the module's
 * configuration uses too (first line; a file others can write is refused,
 * one others can read is warned about).  A relative PATH is taken from
 * the current directory (httpd takes it from ServerRoot).
 */
#include <string.h>

#include "cli.h"
#include "key_file.h"

const char *fm_cli_keyring(apr_pool_t *p, const char *cmd,
                           const char *const *secrets, int n,
                           fm_keyring **kr)
{
    const char **keys = apr_pcalloc(p, sizeof(*keys) * (apr_size_t)(n + 1));
    const char *err;
    int i;

    for (i = 0; i < n; i++) {
        int others_can_read = 0;
        if (strncmp(secrets[i], "file:", 5) != 0) {
            keys[i] = secrets[i];
            continue;
        }
        err = fm_key_file_read(p, secrets[i] + 5, &keys[i], &others_can_read);
        if (err)
            return err;
        if (others_can_read)
            fm_cli_error(cmd, "warning: the key file %s can be read by users "
                         "other than its owner: chmod 600 it (httpd warns "
                         "at start too)", secrets[i] + 5);
    }
    return fm_keyring_make(p, secrets && n ? keys : NULL, n, kr);
}
