/*
 * raw_header.h - the header block of a response written raw, as an nph-
 * CGI script writes it (status line, fields, blank line), before it
 * reaches the client: where it ends, and the same bytes without some
 * fields.  httpd never parses such a block, so nothing else can keep a
 * field of ours out of it.
 */
#ifndef FM_RAW_HEADER_H
#define FM_RAW_HEADER_H

#include <apr.h>

/* Offset just past the blank line that ends the header block in
 * buf[0..len) (CRLF or bare LF line ends), or 0 if it is not there yet. */
apr_size_t fm_raw_header_end(const char *buf, apr_size_t len);

/* Copy the block in[0..len) to out (len bytes at least) without the
 * fields named in names[0..nnames) (case-insensitive, with their folded
 * continuation lines); every other byte is kept as it is.  *out_len gets
 * the bytes written; returns the number of fields removed. */
int fm_raw_header_strip(const char *in, apr_size_t len,
                        const char *const *names, int nnames,
                        char *out, apr_size_t *out_len);

#endif
