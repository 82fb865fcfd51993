/*
 * replay_main.c - a main() that feeds files to a fuzz target's
 * LLVMFuzzerTestOneInput, for building the targets with plain gcc and no
 * libFuzzer (as mod_auth_openidc's test/fuzz/standalone.c does): `make unit`
 * replays every seed corpus this way, under ASan + UBSan, so the targets'
 * checks run on every build, not only under `make fuzz`.
 *
 *   replay_fuzz_x FILE|DIR ...   each file, and each regular file of a
 *                                directory (not recursive, in name order),
 *                                is one input
 *
 * Prints how many inputs were replayed.  Exits non-zero when a path cannot
 * be read or nothing at all was replayed (a corpus that moved must not pass
 * silently); a failing check in the target aborts.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* Optional in a target, as with libFuzzer. */
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

/* Feed one file; 1 if replayed, -1 if it could not be read. */
static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf;
    long size;
    size_t n;

    if (!f || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0
        || fseek(f, 0, SEEK_SET) != 0) {
        fprintf(stderr, "replay: cannot read %s\n", path);
        if (f)
            fclose(f);
        return -1;
    }
    /* An exact-size heap copy: ASan sees any read past the input. */
    buf = malloc(size ? (size_t)size : 1);
    if (!buf) {
        fclose(f);
        return -1;
    }
    n = fread(buf, 1, (size_t)size, f);
    fclose(f);
    if (n != (size_t)size) {
        fprintf(stderr, "replay: short read on %s\n", path);
        free(buf);
        return -1;
    }
    LLVMFuzzerTestOneInput(buf, n);
    free(buf);
    return 1;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

/* Feed every regular file of dir; the count, or -1. */
static long replay_dir(const char *dir)
{
    struct dirent **names;
    long fed = 0;
    int n, i, failed = 0;

    n = scandir(dir, &names, NULL, by_name);
    if (n < 0) {
        fprintf(stderr, "replay: cannot list %s\n", dir);
        return -1;
    }
    for (i = 0; i < n; i++) {
        char path[4096];
        struct stat st;
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
            if (replay_file(path) < 0)
                failed = 1;
            else
                fed++;
        }
        free(names[i]);
    }
    free(names);
    return failed ? -1 : fed;
}

int main(int argc, char **argv)
{
    const char *name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1
                                             : argv[0];
    long fed = 0;
    int i, failed = 0;

    if (LLVMFuzzerInitialize)
        LLVMFuzzerInitialize(&argc, &argv);
    for (i = 1; i < argc; i++) {
        struct stat st;
        long n;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "replay: no such file or directory: %s\n",
                    argv[i]);
            failed = 1;
            continue;
        }
        n = S_ISDIR(st.st_mode) ? replay_dir(argv[i]) : replay_file(argv[i]);
        if (n < 0)
            failed = 1;
        else
            fed += n;
    }
    printf("%-20s %ld input(s) replayed\n", name, fed);
    if (failed)
        return 1;
    if (fed == 0) {
        fprintf(stderr, "replay: %s: no input replayed (corpus missing or "
                "empty?)\n", name);
        return 1;
    }
    return 0;
}
