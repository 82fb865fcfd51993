/*
 * directives.h - what the files that hold directive setters share,
 * private to config/: directives.c (the table fm_directives and most
 * setters) and template_directives.c (FlashMsgTemplate, FlashMsgTemplateFile).
 */
#ifndef FM_DIRECTIVES_H
#define FM_DIRECTIVES_H

#include <apr_strings.h>

#include "config/dir_conf.h"

/* A setter changed dc (err == NULL): refresh its effective settings. */
static inline const char *changed(void *dc, const char *err)
{
    if (!err)
        fm_dir_conf_changed(dc);
    return err;
}

static inline const char *cmd_err(cmd_parms *cmd, const char *msg)
{
    return apr_pstrcat(cmd->pool, cmd->cmd->name, ": ", msg, NULL);
}

/* template_directives.c */
const char *fm_set_template(cmd_parms *cmd, void *dc, const char *item,
                            const char *wrapper);
const char *fm_set_template_file(cmd_parms *cmd, void *dc, const char *arg);

#endif
