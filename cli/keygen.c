/*
 * keygen.c - flashmsg keygen: a new key for FlashMsgSecret in a file that
 * only its owner can read and write.
 *
 * The key is what 'openssl rand -hex 32' prints: 32 random bytes as 64 hex
 * digits and a newline; FlashMsgSecret uses a key as given (at least 32
 * bytes, FM_SECRET_MIN) and derives its MAC and AES keys with HKDF.
 * The file is created with O_EXCL (never through an existing file or
 * link) and mode 0600 set with fchmod, so the umask does not matter.
 * --force writes a new file beside PATH the same way and renames it over
 * PATH: readers see the old key or the new one, never half a key.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <apr_strings.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "cli.h"

#define KEY_BYTES 32

static const char usage[] =
"Usage: flashmsg keygen [--force] PATH\n"
"\n"
"Write a new random key for FlashMsgSecret to PATH: 32 random bytes as 64\n"
"hex digits on one line (like 'openssl rand -hex 32'), in a file created\n"
"with mode 0600 whatever the umask, owned by the user who runs the command.\n"
"PATH must not exist.  Prints the configuration line that uses the key:\n"
"  FlashMsgSecret file:/absolute/PATH\n"
"\n"
"Options:\n"
"  -f, --force   replace PATH if it exists (atomically).  Cookies signed\n"
"                with the key it held stop verifying: to rotate keys, write\n"
"                the new key to a new file and list it first,\n"
"                FlashMsgSecret file:NEW file:OLD\n"
"  -h, --help    this help\n"
"\n"
"Exit status: 0 key written; 1 not written (PATH exists, or cannot be\n"
"written); 2 usage error.\n";

static const apr_getopt_option_t options[] = {
    { "force", 'f', 0, "replace an existing file" },
    { "help", 'h', 0, "help" },
    { NULL, 0, 0, NULL }
};

static int write_all(int fd, const char *buf, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, buf, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        buf += w;
        n -= (size_t)w;
    }
    return 0;
}

/* The key into fd, private and on disk; 0, or -1 with errno set. */
static int fill(int fd, const char *key, size_t len)
{
    if (fchmod(fd, S_IRUSR | S_IWUSR) != 0 || write_all(fd, key, len) != 0
        || fsync(fd) != 0)
        return -1;
    return 0;
}

/* Create path (it must not exist) holding the key.  NULL or why not. */
static const char *create_exclusive(apr_pool_t *p, const char *path,
                                    const char *key, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                  S_IRUSR | S_IWUSR), e;
    if (fd < 0) {
        if (errno == EEXIST)
            return apr_psprintf(p, "%s exists; not overwritten (the key in "
                                "it verifies the cookies browsers hold: to "
                                "rotate, write the new key to a new file and "
                                "list it first, FlashMsgSecret file:NEW "
                                "file:OLD; --force replaces %s)", path, path);
        return apr_psprintf(p, "cannot create %s: %s", path, strerror(errno));
    }
    if (fill(fd, key, len) != 0) {
        e = errno;
        close(fd);
        unlink(path);
        return apr_psprintf(p, "cannot write %s: %s", path, strerror(e));
    }
    if (close(fd) != 0) {
        e = errno;
        unlink(path);
        return apr_psprintf(p, "cannot write %s: %s", path, strerror(e));
    }
    return NULL;
}

/* --force: a new file beside path, renamed over it. */
static const char *replace(apr_pool_t *p, const char *path, const char *key,
                           size_t len)
{
    char *tmp = apr_pstrcat(p, path, ".new-XXXXXX", NULL);
    int fd = mkstemp(tmp), e;       /* O_CREAT | O_EXCL, mode 0600 */
    if (fd < 0)
        return apr_psprintf(p, "cannot create a file beside %s: %s", path,
                            strerror(errno));
    if (fill(fd, key, len) != 0) {
        e = errno;
        close(fd);
        goto fail;
    }
    if (close(fd) != 0 || rename(tmp, path) != 0) {
        e = errno;
        goto fail;
    }
    return NULL;
fail:
    unlink(tmp);
    return apr_psprintf(p, "cannot replace %s: %s", path, strerror(e));
}

/* The directory entry is on disk too (best effort). */
static void sync_dir(apr_pool_t *p, const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *dir = !slash ? "." : slash == path ? "/"
                      : apr_pstrmemdup(p, path, slash - path);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

/* "file:PATH" as one FlashMsgSecret argument: quoted when PATH holds
 * spaces or quotes (httpd's own quoting, backslash before " and \). */
static const char *secret_arg(apr_pool_t *p, const char *path)
{
    const char *s;
    char *out, *o;
    if (!strpbrk(path, " \t\"'\\"))
        return apr_pstrcat(p, "file:", path, NULL);
    o = out = apr_palloc(p, 2 * strlen(path) + 8);
    o += sprintf(o, "\"file:");
    for (s = path; *s; s++) {
        if (*s == '"' || *s == '\\')
            *o++ = '\\';
        *o++ = *s;
    }
    strcpy(o, "\"");
    return out;
}

int fm_cli_keygen(apr_pool_t *p, int argc, const char *const *argv)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char raw[KEY_BYTES];
    char key[2 * KEY_BYTES + 1], abs[PATH_MAX];
    const char *path, *arg, *err;
    apr_getopt_t *os;
    apr_status_t rv;
    struct stat st;
    int opt, force = 0, i;

    fm_cli_getopt_init(&os, p, argc, argv);
    while ((rv = apr_getopt_long(os, options, &opt, &arg)) == APR_SUCCESS) {
        if (opt == 'f')
            force = 1;
        else if (opt == 'h') {
            fputs(usage, stdout);
            return FM_EXIT_OK;
        }
    }
    if (rv != APR_EOF)
        return FM_EXIT_USAGE;
    if (os->argc - os->ind != 1) {
        fm_cli_error("keygen", "give one PATH to write the key to "
                     "(e.g. /etc/apache2/flashmsg.key)");
        return FM_EXIT_USAGE;
    }
    path = os->argv[os->ind];
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        fm_cli_error("keygen", "%s is a directory: give the path of the key "
                     "file to write (e.g. %s/flashmsg.key)", path, path);
        return FM_EXIT_REFUSED;
    }

    if (RAND_bytes(raw, sizeof(raw)) != 1) {
        fm_cli_error("keygen", "no random bytes from OpenSSL (RAND_bytes)");
        return FM_EXIT_REFUSED;
    }
    for (i = 0; i < KEY_BYTES; i++) {
        key[2 * i] = hex[raw[i] >> 4];
        key[2 * i + 1] = hex[raw[i] & 15];
    }
    key[2 * KEY_BYTES] = '\n';
    OPENSSL_cleanse(raw, sizeof(raw));

    err = force ? replace(p, path, key, sizeof(key))
                : create_exclusive(p, path, key, sizeof(key));
    OPENSSL_cleanse(key, sizeof(key));
    if (err) {
        fm_cli_error("keygen", "%s", err);
        return FM_EXIT_REFUSED;
    }
    sync_dir(p, path);
    if (!realpath(path, abs)) {
        fm_cli_error("keygen", "wrote %s but cannot resolve its path: %s",
                     path, strerror(errno));
        return FM_EXIT_REFUSED;
    }
    printf("FlashMsgSecret %s\n", secret_arg(p, abs));
    return FM_EXIT_OK;
}
