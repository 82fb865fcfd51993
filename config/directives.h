/*
 * directives.h - what the files that hold directive setters share,
 * private to config/: directives.c (the table fm_directives and most
 * setters), template_directives.c (FlashMsgTemplate, FlashMsgTemplateFile)
 * and socache_directives.c (FlashMsgSocache, FlashMsgSocacheTimeout).
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

/* The server configuration of the section the directive stands in. */
static inline fm_srv_conf *server_conf(cmd_parms *cmd)
{
    return ap_get_module_config(cmd->server->module_config, &flashmsg_module);
}

/* template_directives.c */
const char *fm_set_template(cmd_parms *cmd, void *dc, const char *item,
                            const char *wrapper);
const char *fm_set_template_file(cmd_parms *cmd, void *dc, const char *arg);

/* socache_directives.c */
const char *fm_set_socache(cmd_parms *cmd, void *dc, const char *arg);
const char *fm_set_socache_timeout(cmd_parms *cmd, void *dc,
                                   const char *arg);

#endif
