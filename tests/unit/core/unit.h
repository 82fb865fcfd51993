/* unit.h - the Check suites of the core; main.c runs them all. */
#ifndef FM_UNIT_H
#define FM_UNIT_H
#include <check.h>
#include <apr_pools.h>

Suite *message_suite(void);
Suite *header_parser_suite(void);
Suite *cookie_codec_suite(void);
Suite *template_suite(void);
Suite *placeholder_suite(void);
Suite *cookie_header_suite(void);
Suite *fallback_suite(void);
Suite *json_suite(void);
Suite *htmx_trigger_suite(void);
Suite *message_list_suite(void);
Suite *key_file_suite(void);
Suite *raw_header_suite(void);
Suite *near_miss_suite(void);

/* A pool per test, created in main() and cleared between tests. */
extern apr_pool_t *ut_pool;
void ut_setup(void);
void ut_teardown(void);

#endif
