/*
 * fake_request.c - servers, configuration and requests built from APR
 * pools for the glue tests, with a capturing filter at the end of the
 * output chain (see glue.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_hooks.h>
#include <apr_strings.h>

#include "glue.h"
#include "../../common/fixtures.h"

/* ------------------------------------------------------------------ */
/* The module                                                           */

/* A configuration vector with a slot for our module only. */
static ap_conf_vector_t *new_vector(apr_pool_t *p)
{
    return apr_pcalloc(p, sizeof(void *) * (flashmsg_module.module_index + 1));
}

void ft_module_init(apr_pool_t *pconf)
{
    /* What httpd does when it loads the module: give it an index and run
     * its register_hooks (apr's optional functions need the hook pool). */
    apr_hook_global_pool = pconf;
    flashmsg_module.module_index = 0;
    flashmsg_module.register_hooks(pconf);
    if (!ft_insert_filter_hook) {
        fprintf(stderr, "the module registered no insert_filter hook\n");
        abort();
    }
}

/* ------------------------------------------------------------------ */
/* Configuration through the module's directive table                   */

static void directive(ft_env *env, void *dc, const char *name,
                      const char *const *args, int n)
{
    const command_rec *cmd;
    cmd_parms parms;
    const char *err = NULL;

    for (cmd = flashmsg_module.cmds; cmd->name; cmd++)
        if (!strcasecmp(cmd->name, name))
            break;
    ck_assert_msg(cmd->name != NULL, "no directive %s", name);
    memset(&parms, 0, sizeof(parms));
    parms.pool = env->pool;
    parms.temp_pool = env->pool;
    parms.server = env->s;
    parms.cmd = cmd;
    parms.info = cmd->cmd_data;
    parms.override = OR_ALL;
    parms.path = "/";
    switch (cmd->args_how) {
    case FLAG:
        ck_assert_int_eq(n, 1);
        err = cmd->AP_FLAG(&parms, dc, !strcasecmp(args[0], "On"));
        break;
    case TAKE1:
        ck_assert_int_eq(n, 1);
        err = cmd->AP_TAKE1(&parms, dc, args[0]);
        break;
    case TAKE2:
    case TAKE12:
        ck_assert(n == 2 || (n == 1 && cmd->args_how == TAKE12));
        err = cmd->AP_TAKE2(&parms, dc, args[0], n > 1 ? args[1] : NULL);
        break;
    case TAKE_ARGV:
        err = cmd->AP_TAKE_ARGV(&parms, dc, n, (char *const *)args);
        break;
    case RAW_ARGS: {
        /* the line as written: each argument quoted */
        const char *line = "";
        int i;
        for (i = 0; i < n; i++) {
            const char *a;
            line = apr_pstrcat(env->pool, line, i ? " \"" : "\"", NULL);
            for (a = args[i]; *a; a++)
                line = apr_pstrcat(env->pool, line, *a == '"' ? "\\" : "",
                                   apr_pstrndup(env->pool, a, 1), NULL);
            line = apr_pstrcat(env->pool, line, "\"", NULL);
        }
        err = cmd->AP_RAW_ARGS(&parms, dc, line);
        break;
    }
    default:
        ck_abort_msg("directive %s: argument kind not handled", name);
    }
    ck_assert_msg(err == NULL, "%s: %s", name, err);
}

ft_env *ft_env_make(apr_pool_t *p, ...)
{
    ft_env *env = apr_pcalloc(p, sizeof(*env));
    server_rec *s = apr_pcalloc(p, sizeof(*s));
    void *base, *section;
    const char *name;
    va_list ap;

    env->pool = p;
    env->s = s;
    s->server_hostname = "localhost";
    s->port = 80;
    s->is_virtual = 0;
    s->log.level = APLOG_TRACE8;        /* every line reaches the stub */
    s->module_config = new_vector(p);
    s->lookup_defaults = new_vector(p);
    ap_set_module_config(s->module_config, &flashmsg_module,
                         flashmsg_module.create_server_config(p, s));
    base = flashmsg_module.create_dir_config(p, NULL);
    ap_set_module_config(s->lookup_defaults, &flashmsg_module, base);

    /* <Location "/"> with the directives, merged over the server's. */
    section = flashmsg_module.create_dir_config(p, "/");
    va_start(ap, p);
    while ((name = va_arg(ap, const char *)) != NULL) {
        const char *args[8], *a;
        int n = 0;
        while ((a = va_arg(ap, const char *)) != NULL) {
            ck_assert_int_lt(n, 8);
            args[n++] = a;
        }
        directive(env, section, name, args, n);
    }
    va_end(ap);
    env->dir = new_vector(p);
    ap_set_module_config(env->dir, &flashmsg_module,
                         flashmsg_module.merge_dir_config(p, base, section));
    return env;
}

/* ------------------------------------------------------------------ */
/* The capturing end of the chain                                       */

static void grow(apr_pool_t *p, char **buf, apr_size_t *len,
                 const char *data, apr_size_t n)
{
    char *b = apr_palloc(p, *len + n + 1);
    if (*len)
        memcpy(b, *buf, *len);
    memcpy(b + *len, data, n);
    *len += n;
    b[*len] = '\0';
    *buf = b;
}

static void trace(ft_env *env, const char *s, apr_size_t n)
{
    apr_size_t len = strlen(env->out.trace);
    grow(env->pool, &env->out.trace, &len, s, n);
}

static apr_status_t capture_filter(ap_filter_t *f, apr_bucket_brigade *bb)
{
    ft_env *env = f->ctx;
    apr_bucket *e;

    for (e = APR_BRIGADE_FIRST(bb); e != APR_BRIGADE_SENTINEL(bb);
         e = APR_BUCKET_NEXT(e)) {
        if (APR_BUCKET_IS_EOS(e)) {
            trace(env, "{EOS}", 5);
            env->out.eos = 1;
        }
        else if (APR_BUCKET_IS_FLUSH(e)) {
            trace(env, "{FLUSH}", 7);
        }
        else if (APR_BUCKET_IS_METADATA(e)) {
            trace(env, "{META}", 6);
        }
        else {
            const char *data;
            apr_size_t len;
            if (APR_BUCKET_IS_FILE(e))
                env->out.file_buckets++;
            ck_assert_int_eq(apr_bucket_read(e, &data, &len, APR_BLOCK_READ),
                             APR_SUCCESS);
            grow(env->pool, &env->out.body, &env->out.body_len, data, len);
            trace(env, data, len);
        }
    }
    trace(env, "|", 1);
    env->out.passes++;
    env->out.last_bb = bb;
    apr_brigade_cleanup(bb);
    return APR_SUCCESS;
}

static ap_filter_rec_t capture_rec;

/* ------------------------------------------------------------------ */
/* Requests                                                             */

request_rec *ft_request(ft_env *env, const char *cookie)
{
    apr_pool_t *rp;
    conn_rec *c;
    request_rec *r;
    ap_filter_t *cap;

    apr_pool_create(&rp, env->pool);
    c = apr_pcalloc(rp, sizeof(*c));
    c->pool = rp;
    c->base_server = env->s;
    c->bucket_alloc = apr_bucket_alloc_create(rp);
    c->notes = apr_table_make(rp, 2);
    c->conn_config = new_vector(rp);

    r = apr_pcalloc(rp, sizeof(*r));
    r->pool = rp;
    r->connection = c;
    r->server = env->s;
    r->per_dir_config = env->dir;
    r->request_config = new_vector(rp);
    r->headers_in = apr_table_make(rp, 4);
    r->headers_out = apr_table_make(rp, 4);
    r->err_headers_out = apr_table_make(rp, 4);
    r->subprocess_env = apr_table_make(rp, 4);
    r->notes = apr_table_make(rp, 4);
    r->the_request = "GET /page.html HTTP/1.1";
    r->method = "GET";
    r->method_number = M_GET;
    r->protocol = "HTTP/1.1";
    r->proto_num = HTTP_VERSION(1, 1);
    r->hostname = "localhost";
    r->uri = r->unparsed_uri = "/page.html";
    r->status = HTTP_OK;
    r->content_type = "text/html; charset=utf-8";
    r->request_time = apr_time_now();
    if (cookie)
        apr_table_setn(r->headers_in, "Cookie", cookie);

    /* The network end of the chain. */
    capture_rec.name = "CAPTURE";
    capture_rec.filter_func.out_func = capture_filter;
    capture_rec.ftype = AP_FTYPE_NETWORK;
    cap = apr_pcalloc(rp, sizeof(*cap));
    cap->frec = &capture_rec;
    cap->ctx = env;
    cap->r = r;
    cap->c = c;
    r->output_filters = r->proto_output_filters = c->output_filters = cap;

    memset(&env->out, 0, sizeof(env->out));
    env->out.trace = "";
    env->r = r;
    /* httpd runs insert_filter right before the handler. */
    ft_insert_filter_hook(r);
    return r;
}

ap_filter_t *ft_find_filter(request_rec *r, const char *name)
{
    ap_filter_t *f;
    for (f = r->output_filters; f; f = f->next)
        if (!strcasecmp(f->frec->name, name))
            return f;
    return NULL;
}

const char *ft_cookie(ft_env *env, const fm_message *msgs, int n)
{
    fm_keyring *kr = fx_keyring(env->pool, FX_SECRET_A, NULL);
    fm_codec_opts o = fx_opts(FX_COOKIE_NAME, 0, FM_DEFAULT_MAX_AGE);
    const char *v = fm_cookie_encode(env->pool, kr, &o, msgs, n, 0,
                                     fm_now());
    return apr_pstrcat(env->pool, "theme=dark; " FX_COOKIE_NAME "=", v,
                       NULL);
}

/* ------------------------------------------------------------------ */
/* Sending                                                              */

const char FT_FLUSH[] = "{FLUSH}";
const char FT_EOS[] = "{EOS}";

/* Heap copies the buckets point to, spoiled and freed after the call. */
typedef struct {
    char *copies[64];
    apr_size_t lens[64];
    int n;
} scratch;

static void add_data(ft_env *env, apr_bucket_brigade *bb, scratch *sc,
                     const char *data, apr_size_t len, apr_size_t piece)
{
    apr_bucket_alloc_t *ba = env->r->connection->bucket_alloc;
    char *copy = malloc(len ? len : 1);
    apr_size_t off = 0;

    ck_assert_ptr_nonnull(copy);
    ck_assert_int_lt(sc->n, 64);
    memcpy(copy, data, len);
    sc->copies[sc->n] = copy;
    sc->lens[sc->n++] = len;
    if (piece == 0)
        piece = len ? len : 1;
    do {
        apr_size_t k = len - off < piece ? len - off : piece;
        APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_transient_create(copy + off,
                                                                k, ba));
        off += k;
    } while (off < len);
}

static apr_status_t pass(ft_env *env, apr_bucket_brigade *bb, scratch *sc)
{
    apr_status_t rv = ap_pass_brigade(env->r->output_filters, bb);
    int i;
    for (i = 0; i < sc->n; i++) {
        memset(sc->copies[i], '#', sc->lens[i]);
        free(sc->copies[i]);
    }
    return rv;
}

apr_status_t ft_send(ft_env *env, ...)
{
    apr_bucket_alloc_t *ba = env->r->connection->bucket_alloc;
    apr_bucket_brigade *bb = apr_brigade_create(env->r->pool, ba);
    scratch sc;
    const char *a;
    va_list ap;

    sc.n = 0;
    va_start(ap, env);
    while ((a = va_arg(ap, const char *)) != NULL) {
        if (a == FT_FLUSH)
            APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_flush_create(ba));
        else if (a == FT_EOS)
            APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_eos_create(ba));
        else
            add_data(env, bb, &sc, a, strlen(a), 0);
    }
    va_end(ap);
    env->sent_bb = bb;
    return pass(env, bb, &sc);
}

apr_status_t ft_send_pieces(ft_env *env, const char *text, apr_size_t piece,
                            int eos)
{
    apr_bucket_alloc_t *ba = env->r->connection->bucket_alloc;
    apr_bucket_brigade *bb = apr_brigade_create(env->r->pool, ba);
    scratch sc;

    sc.n = 0;
    add_data(env, bb, &sc, text, strlen(text), piece);
    if (eos)
        APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_eos_create(ba));
    env->sent_bb = bb;
    return pass(env, bb, &sc);
}

apr_status_t ft_send_file(ft_env *env, const char *text)
{
    apr_bucket_alloc_t *ba = env->r->connection->bucket_alloc;
    apr_bucket_brigade *bb = apr_brigade_create(env->r->pool, ba);
    char *path = apr_pstrdup(env->r->pool, "/tmp/flashmsg-glue-XXXXXX");
    apr_file_t *fd;
    apr_size_t len = strlen(text);

    ck_assert_int_eq(apr_file_mktemp(&fd, path, APR_FOPEN_CREATE
                                     | APR_FOPEN_READ | APR_FOPEN_WRITE
                                     | APR_FOPEN_EXCL
                                     | APR_FOPEN_DELONCLOSE, env->r->pool),
                     APR_SUCCESS);
    ck_assert_int_eq(apr_file_write_full(fd, text, len, NULL), APR_SUCCESS);
    APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_file_create(fd, 0, len,
                                                       env->r->pool, ba));
    APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_eos_create(ba));
    env->sent_bb = bb;
    return ap_pass_brigade(env->r->output_filters, bb);
}
