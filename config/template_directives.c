/*
 * template_directives.c - FlashMsgTemplate and FlashMsgTemplateFile: the
 * message markup compiled where it is written, so that a variable in the
 * wrong place is an error at start-up naming the file and line, never a
 * surprise in a page; a template file is read whole (and bounded) here.
 */
#include <string.h>

#include <apr_strings.h>
#include <apr_file_io.h>

#include "config/dir_conf.h"
#include "config/directives.h"

APLOG_USE_MODULE(flashmsg);

const char *fm_set_template(cmd_parms *cmd, void *dc, const char *item,
                            const char *wrapper)
{
    fm_template *t;
    const char *err = fm_template_compile(cmd->pool, item, wrapper, &t);
    if (err)
        return cmd_err(cmd, err);
    ((fm_dir_conf *)dc)->tmpl = t;
    return changed(dc, NULL);
}

#define FM_TEMPLATE_FILE_MAX (256 * 1024)

const char *fm_set_template_file(cmd_parms *cmd, void *dc, const char *arg)
{
    const char *path = ap_server_root_relative(cmd->temp_pool, arg);
    apr_finfo_t fi;
    apr_file_t *f;
    apr_size_t n;
    apr_status_t rv;
    char *text;
    fm_template *t;
    const char *err;

    if (!path)
        return cmd_err(cmd, apr_psprintf(cmd->pool, "invalid path '%s'", arg));
    rv = apr_stat(&fi, path, APR_FINFO_SIZE, cmd->temp_pool);
    if (rv != APR_SUCCESS)
        return cmd_err(cmd, apr_psprintf(cmd->pool, "cannot read %s: %pm",
                                         path, &rv));
    if (fi.size > FM_TEMPLATE_FILE_MAX)
        return cmd_err(cmd, apr_psprintf(cmd->pool,
            "%s is larger than %d bytes", path, FM_TEMPLATE_FILE_MAX));
    rv = apr_file_open(&f, path, APR_FOPEN_READ, 0, cmd->temp_pool);
    if (rv != APR_SUCCESS)
        return cmd_err(cmd, apr_psprintf(cmd->pool, "cannot open %s: %pm",
                                         path, &rv));
    n = (apr_size_t)fi.size;
    text = apr_palloc(cmd->pool, n + 1);
    rv = apr_file_read_full(f, text, n, &n);
    apr_file_close(f);
    if (rv != APR_SUCCESS && !(rv == APR_EOF && n == 0))
        return cmd_err(cmd, apr_psprintf(cmd->pool, "cannot read %s: %pm",
                                         path, &rv));
    text[n] = '\0';
    if (strlen(text) != n)
        return cmd_err(cmd, apr_psprintf(cmd->pool, "%s contains a NUL byte",
                                         path));
    if ((err = fm_template_compile_file_text(cmd->pool, text, &t)) != NULL)
        return cmd_err(cmd, apr_psprintf(cmd->pool, "%s: %s", path, err));
    ((fm_dir_conf *)dc)->tmpl = t;
    return changed(dc, NULL);
}
