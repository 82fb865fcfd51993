/*
 * key_file.h - a FlashMsgSecret key kept in a file (file:PATH): what the
 * module's configuration and the flashmsg command-line tool both read, by
 * the same rules.  Server independent (APR only).
 *
 * The key is the file's first line (without CR/LF), read from at most
 * FM_KEY_FILE_MAX bytes.  A file that users other than its owner can write
 * is refused: whoever can write it can replace the key with one they know
 * and forge every message.  A file they can read is accepted, and the
 * caller warns (the key should be private, but that is not a forgery).
 * A directory or anything else but a regular file is refused.
 */
#ifndef FM_KEY_FILE_H
#define FM_KEY_FILE_H

#include <apr_pools.h>

#define FM_KEY_FILE_MAX 1024

/*
 * Read the key in the file at path (already resolved by the caller).
 * Returns NULL and sets *secret (allocated from p), and *others_can_read
 * to 1 when group or other may read the file; or returns an error message
 * that names the file and what to do.
 */
const char *fm_key_file_read(apr_pool_t *p, const char *path,
                             const char **secret, int *others_can_read);

#endif
