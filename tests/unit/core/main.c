/* main.c - runs every unit suite of the core. */
#include <stdlib.h>
#include <apr_general.h>
#include "unit.h"

apr_pool_t *ut_pool;
static apr_pool_t *root;

void ut_setup(void)
{
    apr_pool_create(&ut_pool, root);
}

void ut_teardown(void)
{
    apr_pool_destroy(ut_pool);
    ut_pool = NULL;
}

int main(void)
{
    int failed;
    SRunner *sr;

    apr_initialize();
    apr_pool_create(&root, NULL);
    sr = srunner_create(message_suite());
    srunner_add_suite(sr, header_parser_suite());
    srunner_add_suite(sr, cookie_codec_suite());
    srunner_add_suite(sr, template_suite());
    srunner_add_suite(sr, placeholder_suite());
    srunner_add_suite(sr, cookie_header_suite());
    srunner_add_suite(sr, fallback_suite());
    srunner_add_suite(sr, json_suite());
    srunner_add_suite(sr, htmx_trigger_suite());
    srunner_add_suite(sr, message_list_suite());
    srunner_add_suite(sr, key_file_suite());
    srunner_add_suite(sr, raw_header_suite());
    srunner_add_suite(sr, near_miss_suite());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    apr_pool_destroy(root);
    apr_terminate();
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
