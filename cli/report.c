/*
 * report.c - how flashmsg inspect prints one cookie: a first line with its
 * name and verdict, then one indented block per message.
 *
 *   flashmsg.AbCd1234: verified by key 1 of 2 (the current key), signed
 *     message 1: level 25 (success), created 2026-12-07T14:25:23Z, age 5s
 *       extra tags: sticky
 *       text: Profile saved.
 *   flashmsg.XyZ98765: refused: signature does not verify
 *
 * Names come from the command line and may hold any byte: anything but
 * printable ASCII is shown as \xHH.  Texts and tags were checked by the
 * codec (UTF-8, no control characters but TAB) and are printed as they are.
 */
#include <time.h>

#include "cli.h"
#include "cookie_codec.h"

static void put_name(FILE *out, const char *name)
{
    const unsigned char *s;
    for (s = (const unsigned char *)name; *s; s++) {
        if (*s >= 0x20 && *s < 0x7f && *s != '\\')
            fputc(*s, out);
        else
            fprintf(out, "\\x%02x", *s);
    }
}

static void put_time(FILE *out, apr_int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    char buf[64];
    if (gmtime_r(&tt, &tm) && strftime(buf, sizeof(buf),
                                       "%Y-%m-%dT%H:%M:%SZ", &tm))
        fputs(buf, out);
    else
        fprintf(out, "@%" APR_INT64_T_FMT, t);
}

/* 59s, 1m 0s, 1h 0m, 1d 0h: two units are enough to read an age. */
static void put_duration(FILE *out, apr_int64_t s)
{
    if (s < 60)
        fprintf(out, "%" APR_INT64_T_FMT "s", s);
    else if (s < 3600)
        fprintf(out, "%" APR_INT64_T_FMT "m %" APR_INT64_T_FMT "s",
                s / 60, s % 60);
    else if (s < 86400)
        fprintf(out, "%" APR_INT64_T_FMT "h %" APR_INT64_T_FMT "m",
                s / 3600, s % 3600 / 60);
    else
        fprintf(out, "%" APR_INT64_T_FMT "d %" APR_INT64_T_FMT "h",
                s / 86400, s % 86400 / 3600);
}

/* ", created T, age A" and whether it has expired; returns 1 if so. */
static int put_created(const fm_report *rp, apr_int64_t created)
{
    int expired = fm_cookie_expired(created, rp->max_age, rp->now);
    fputs(", created ", rp->out);
    put_time(rp->out, created);
    if (created > rp->now) {
        /* within FM_CLOCK_SKEW, or the codec would have refused it */
        fputs(", in the future by ", rp->out);
        put_duration(rp->out, created - rp->now);
    }
    else {
        fputs(", age ", rp->out);
        put_duration(rp->out, rp->now - created);
    }
    if (expired)
        fprintf(rp->out, ", expired (older than --max-age %" APR_INT64_T_FMT
                "s: the module drops it)", rp->max_age);
    return expired;
}

void fm_report_refused(const fm_report *rp, const char *name,
                       const char *why)
{
    put_name(rp->out, name);
    fprintf(rp->out, ": refused: %s\n", why);
}

int fm_report_verified(const fm_report *rp, const char *name,
                       const char *kind, int key_index, unsigned flags,
                       const fm_message *msgs, int n)
{
    int i, expired = 0;

    put_name(rp->out, name);
    fprintf(rp->out, ": verified by key %d of %d (%s), %s\n", key_index + 1,
            rp->nkeys, key_index == 0 ? "the current key" : "an old key",
            kind);
    if (flags & FM_COOKIE_CONTINUED)
        fputs("  continued in the session: newer messages are kept there\n",
              rp->out);
    if (flags & FM_COOKIE_REF) {
        /* one entry whose text is the id of a batch kept in the cache */
        for (i = 0; i < n; i++) {
            fprintf(rp->out, "  socache reference %s", msgs[i].text);
            expired += put_created(rp, msgs[i].created);
            fputc('\n', rp->out);
        }
        if (n != 1)
            fprintf(rp->out, "  (a reference holds one id, this one %d)\n",
                    n);
        return expired;
    }
    if (n == 0)
        fputs("  no messages\n", rp->out);
    for (i = 0; i < n; i++) {
        const char *level_name = fm_levels_name(rp->levels, msgs[i].level);
        fprintf(rp->out, "  message %d: level %d", i + 1, msgs[i].level);
        if (level_name)
            fprintf(rp->out, " (%s)", level_name);
        expired += put_created(rp, msgs[i].created);
        fputc('\n', rp->out);
        if (msgs[i].extra_tags && *msgs[i].extra_tags)
            fprintf(rp->out, "    extra tags: %s\n", msgs[i].extra_tags);
        fprintf(rp->out, "    text: %s\n", msgs[i].text);
    }
    return expired;
}
