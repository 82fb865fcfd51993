/*
 * mod_flashmsg.h - public C API of mod_flashmsg for other httpd modules.
 *
 * The functions are APR optional functions: look them up after all modules
 * are loaded (optional_fn_retrieve hook or at request time) and check for
 * NULL, so that your module still works when mod_flashmsg is not loaded:
 *
 *   static APR_OPTIONAL_FN_TYPE(flashmsg_add) *flash_add;
 *   static void retrieve(void) { flash_add = APR_RETRIEVE_OPTIONAL_FN(flashmsg_add); }
 *   ...
 *   if (flash_add) flash_add(r, FLASHMSG_SUCCESS, "Saved", NULL);
 */
#ifndef MOD_FLASHMSG_H
#define MOD_FLASHMSG_H

#include <httpd.h>
#include <apr_optional.h>
#include <apr_tables.h>

#define FLASHMSG_DEBUG   10
#define FLASHMSG_INFO    20
#define FLASHMSG_SUCCESS 25
#define FLASHMSG_WARNING 30
#define FLASHMSG_ERROR   40

typedef struct {
    int level;
    const char *text;        /* UTF-8 */
    const char *extra_tags;  /* "" when none */
} flashmsg_message;

/* Add a message for r's user.  text must be valid UTF-8 without control
 * characters; extra_tags may be NULL.  Returns 1 if the message was kept,
 * 0 if it was ignored (FlashMsg off, empty text, below FlashMsgMinLevel,
 * invalid text). */
APR_DECLARE_OPTIONAL_FN(int, flashmsg_add,
                        (request_rec *r, int level, const char *text,
                         const char *extra_tags));

/* The messages pending for r's user (loaded and added so far), oldest first,
 * as an array of flashmsg_message allocated from r->pool.  Reading does not
 * consume them. */
APR_DECLARE_OPTIONAL_FN(apr_array_header_t *, flashmsg_pending,
                        (request_rec *r));

#endif
