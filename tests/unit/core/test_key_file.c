/* test_key_file.c - key files: first line, refused when others can write
 * them, flagged when others can read them, directories and FIFOs named. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <apr_strings.h>
#include "unit.h"
#include "key_file.h"

static char dir[] = "/tmp/fm-keyfile-XXXXXX";

static void dir_setup(void)
{
    ut_setup();
    strcpy(dir, "/tmp/fm-keyfile-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void dir_teardown(void)
{
    char *cmd = apr_psprintf(ut_pool, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
    ut_teardown();
}

/* A file in dir holding len bytes of content, then chmod'ed to mode. */
static const char *file(const char *name, const char *content, size_t len,
                        mode_t mode)
{
    const char *path = apr_pstrcat(ut_pool, dir, "/", name, NULL);
    FILE *f;
    unlink(path);   /* the last one may be read-only (non-root runs) */
    f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(content, 1, len, f), len);
    fclose(f);
    ck_assert_int_eq(chmod(path, mode), 0);
    return path;
}

#define KEY "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

START_TEST(private_file_first_line)
{
    const char *secret, *err;
    int readable = -1;
    err = fm_key_file_read(ut_pool, file("k", KEY "\nsecond line\n",
                                         strlen(KEY) + 13, 0600),
                           &secret, &readable);
    ck_assert_ptr_null(err);
    ck_assert_str_eq(secret, KEY);
    ck_assert_int_eq(readable, 0);
    /* CR LF, no newline at all, read-only for the owner */
    err = fm_key_file_read(ut_pool, file("crlf", KEY "\r\n", strlen(KEY) + 2,
                                         0400), &secret, &readable);
    ck_assert_ptr_null(err);
    ck_assert_str_eq(secret, KEY);
    err = fm_key_file_read(ut_pool, file("bare", KEY, strlen(KEY), 0600),
                           &secret, &readable);
    ck_assert_ptr_null(err);
    ck_assert_str_eq(secret, KEY);
    /* empty: an empty key, which the key ring then refuses as too short */
    err = fm_key_file_read(ut_pool, file("empty", "", 0, 0600), &secret,
                           &readable);
    ck_assert_ptr_null(err);
    ck_assert_str_eq(secret, "");
}
END_TEST

START_TEST(read_at_most_the_limit)
{
    char *big = apr_palloc(ut_pool, 3 * FM_KEY_FILE_MAX);
    const char *secret, *err;
    int readable;
    memset(big, 'k', 3 * FM_KEY_FILE_MAX);
    err = fm_key_file_read(ut_pool, file("big", big, 3 * FM_KEY_FILE_MAX,
                                         0600), &secret, &readable);
    ck_assert_ptr_null(err);
    ck_assert_uint_eq(strlen(secret), FM_KEY_FILE_MAX);
    /* a NUL ends the key as it ends the line */
    err = fm_key_file_read(ut_pool, file("nul", "abc\0def", 7, 0600),
                           &secret, &readable);
    ck_assert_ptr_null(err);
    ck_assert_str_eq(secret, "abc");
}
END_TEST

START_TEST(others_can_read_is_flagged)
{
    static const mode_t modes[] = { 0640, 0604, 0644, 0444 };
    const char *secret, *err;
    size_t i;
    for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
        int readable = 0;
        err = fm_key_file_read(ut_pool, file("r", KEY, strlen(KEY), modes[i]),
                               &secret, &readable);
        ck_assert_msg(err == NULL, "mode %o: %s", modes[i], err);
        ck_assert_str_eq(secret, KEY);
        ck_assert_msg(readable == 1, "mode %o", modes[i]);
    }
}
END_TEST

START_TEST(others_can_write_is_refused)
{
    static const mode_t modes[] = { 0620, 0602, 0622, 0666, 0660, 0606 };
    const char *secret, *err;
    size_t i;
    for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
        int readable = 0;
        const char *path = file("w", KEY, strlen(KEY), modes[i]);
        err = fm_key_file_read(ut_pool, path, &secret, &readable);
        ck_assert_msg(err != NULL, "mode %o accepted", modes[i]);
        ck_assert_ptr_nonnull(strstr(err, "can be written by users other "
                                          "than its owner"));
        ck_assert_ptr_nonnull(strstr(err, apr_pstrcat(ut_pool, "chmod go-w ",
                                                      path, NULL)));
        ck_assert_ptr_null(secret);
        ck_assert_ptr_null(strstr(err, KEY));   /* never the key itself */
    }
}
END_TEST

START_TEST(not_a_file)
{
    const char *secret, *err, *fifo;
    int readable;
    err = fm_key_file_read(ut_pool, dir, &secret, &readable);
    ck_assert_ptr_nonnull(err);
    ck_assert_str_eq(err, apr_pstrcat(ut_pool, dir, " is a directory, not a "
                                      "key file (give the path of the file "
                                      "that holds the key, e.g. one written "
                                      "by 'flashmsg keygen')", NULL));
    fifo = apr_pstrcat(ut_pool, dir, "/fifo", NULL);
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    err = fm_key_file_read(ut_pool, fifo, &secret, &readable);   /* no wait */
    ck_assert_ptr_nonnull(err);
    ck_assert_ptr_nonnull(strstr(err, "is not a regular file"));
    err = fm_key_file_read(ut_pool, apr_pstrcat(ut_pool, dir, "/none", NULL),
                           &secret, &readable);
    ck_assert_ptr_nonnull(err);
    ck_assert_ptr_nonnull(strstr(err, "cannot open secret file"));
    ck_assert_ptr_nonnull(strstr(err, "No such file"));
}
END_TEST

Suite *key_file_suite(void)
{
    Suite *s = suite_create("key_file");
    TCase *tc = tcase_create("read");
    tcase_add_checked_fixture(tc, dir_setup, dir_teardown);
    tcase_add_test(tc, private_file_first_line);
    tcase_add_test(tc, read_at_most_the_limit);
    tcase_add_test(tc, others_can_read_is_flagged);
    tcase_add_test(tc, others_can_write_is_refused);
    tcase_add_test(tc, not_a_file);
    suite_add_tcase(s, tc);
    return s;
}
