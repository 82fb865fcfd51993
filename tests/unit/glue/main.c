/* main.c - runs the glue suites (see glue.h). */
#include <stdlib.h>

#include <apr_general.h>

#include "glue.h"

int main(void)
{
    apr_pool_t *pconf;
    SRunner *sr;
    int failed;

    apr_initialize();
    apr_pool_create(&pconf, NULL);
    ft_module_init(pconf);
    sr = srunner_create(inject_filter_suite());
    srunner_add_suite(sr, engine_watch_suite());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    ft_log_reset();
    apr_pool_destroy(pconf);
    apr_terminate();
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
