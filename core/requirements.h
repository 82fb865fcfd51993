/*
 * requirements.h - the oldest APR and APR-util the core builds with,
 * checked when compiling (docs/platforms.md lists them and why).
 * OpenSSL's floor (1.1.1) is checked by openssl_api.h, httpd's (2.4.0) by
 * mod_flashmsg.c; the flashmsg tool needs only APR, APR-util and OpenSSL.
 */
#ifndef FM_REQUIREMENTS_H
#define FM_REQUIREMENTS_H

#include <apr_version.h>
#include <apu_version.h>

/* APR 1.6.0: nothing newer is called (storage/engine_watch.c uses the
 * compiler's 64-bit atomics, not APR 1.7's apr_atomic_read64/set64), so
 * the RHEL 8 family's APR 1.6.3 builds it.  Debian 11's 1.7.0 is the
 * oldest tested (docs/platforms.md). */
#if !defined(APR_VERSION_AT_LEAST) || !APR_VERSION_AT_LEAST(1, 6, 0)
#error "mod_flashmsg needs APR 1.6.0 or later"
#endif

/* APR-util 1.x: buckets and brigades, apr_uuid_get, optional functions --
 * nothing newer than APR-util 1.3 is called; httpd 2.4 needs 1.x too. */
#if APU_MAJOR_VERSION != 1 || APU_MINOR_VERSION < 3
#error "mod_flashmsg needs APR-util 1.3 or later (1.x)"
#endif

#endif
