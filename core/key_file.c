/*
 * key_file.c - read a FlashMsgSecret key file, refusing one that others
 * could have replaced (see key_file.h).
 */
#include <string.h>

#include <apr_file_info.h>
#include <apr_file_io.h>
#include <apr_strings.h>

#include "key_file.h"

/* What the file's type and permissions allow: NULL, or why not. */
static const char *check_file(apr_pool_t *p, const char *path,
                              const apr_finfo_t *fi, int *others_can_read)
{
    if (fi->filetype == APR_DIR)
        return apr_psprintf(p, "%s is a directory, not a key file (give the "
                            "path of the file that holds the key, e.g. one "
                            "written by 'flashmsg keygen')", path);
    if (fi->filetype != APR_REG)
        return apr_psprintf(p, "%s is not a regular file (a key file holds "
                            "the key on its first line, e.g. one written by "
                            "'flashmsg keygen')", path);
    if (fi->protection & (APR_GWRITE | APR_WWRITE))
        return apr_psprintf(p, "the key file %s can be written by users "
                            "other than its owner; run 'chmod go-w %s' (or "
                            "'chmod 600 %s', which also keeps others from "
                            "reading it)", path, path, path);
    *others_can_read = (fi->protection & (APR_GREAD | APR_WREAD)) != 0;
    return NULL;
}

const char *fm_key_file_read(apr_pool_t *p, const char *path,
                             const char **secret, int *others_can_read)
{
    apr_finfo_t fi;
    apr_file_t *f;
    apr_size_t n = 0;
    apr_status_t rv;
    const char *err;
    char *buf;

    *secret = NULL;
    *others_can_read = 0;
    /* By name first: opening a FIFO for reading would wait for a writer. */
    rv = apr_stat(&fi, path, APR_FINFO_TYPE, p);
    if (rv == APR_SUCCESS && fi.filetype != APR_REG)
        return check_file(p, path, &fi, others_can_read);
    rv = apr_file_open(&f, path, APR_FOPEN_READ, 0, p);
    if (rv != APR_SUCCESS)
        return apr_psprintf(p, "cannot open secret file %s: %pm", path, &rv);
    /* Then the file actually opened, whatever the name points to now. */
    rv = apr_file_info_get(&fi, APR_FINFO_TYPE | APR_FINFO_PROT, f);
    if (rv != APR_SUCCESS) {
        apr_file_close(f);
        return apr_psprintf(p, "cannot stat secret file %s: %pm", path, &rv);
    }
    if ((err = check_file(p, path, &fi, others_can_read)) != NULL) {
        apr_file_close(f);
        return err;
    }
    buf = apr_pcalloc(p, FM_KEY_FILE_MAX + 1);
    rv = apr_file_read_full(f, buf, FM_KEY_FILE_MAX, &n);
    apr_file_close(f);
    if (rv != APR_SUCCESS && rv != APR_EOF)
        return apr_psprintf(p, "cannot read secret file %s: %pm", path, &rv);
    buf[n] = '\0';
    buf[strcspn(buf, "\r\n")] = '\0';
    *secret = buf;
    return NULL;
}
