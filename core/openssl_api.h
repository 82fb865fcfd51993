/*
 * openssl_api.h - the OpenSSL releases mod_flashmsg builds against, checked
 * here so that an older one stops the build with a sentence, not with a
 * missing symbol.  Include before any <openssl/...> header.
 *
 * The floor is 1.1.1: EVP_PKEY_HKDF with EVP_PKEY_derive (1.1.0), TLS-era
 * AES-GCM through EVP, CRYPTO_memcmp, and the opaque-context API 3.x keeps.
 * The HMAC uses SHA-256's own context (SHA256_CTX) so that its prepared pad
 * states are copied as plain structs; OpenSSL 3 marks that API deprecated
 * (it is still there, and the same code as the provider's), so the
 * deprecation attributes are switched off for this one use.
 */
#ifndef FM_OPENSSL_API_H
#define FM_OPENSSL_API_H

#ifndef OPENSSL_SUPPRESS_DEPRECATED
#define OPENSSL_SUPPRESS_DEPRECATED 1
#endif

#include <openssl/opensslv.h>

#if !defined(OPENSSL_VERSION_NUMBER) || OPENSSL_VERSION_NUMBER < 0x10101000L
#error "mod_flashmsg needs OpenSSL 1.1.1 or later (libssl-dev >= 1.1.1, openssl-devel >= 1.1.1)"
#endif

#endif
