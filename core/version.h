/*
 * version.h - the release of mod_flashmsg, shared by the module and the
 * flashmsg command-line tool (debian/changelog names the same one).
 */
#ifndef FM_VERSION_H
#define FM_VERSION_H

#define FM_VERSION "0.1.0"

#endif
