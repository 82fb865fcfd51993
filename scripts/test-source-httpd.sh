#!/usr/bin/env bash
# mod_flashmsg against an httpd built from source with a non-Debian layout
# (make test-source-httpd; issue 26).  Exit 0 when everything passed.
#
# 1. APR, APR-util and httpd are built from their upstream tarballs -- the
#    .orig tarballs of Debian's source packages, fetched from the archive's
#    pool beside their .dsc files; each .dsc is checked against the SHA-256
#    pinned below and each tarball against the SHA-256 its .dsc lists --
#    into one prefix with httpd's own layout: PREFIX/bin/httpd, its own
#    PREFIX/bin/apxs and apr-1-config, PREFIX/modules, PREFIX/include.  The
#    build lives in a cache outside the repository (SOURCE_HTTPD_CACHE,
#    default /var/cache/mod_flashmsg/source-httpd) and is reused while the
#    versions and configure flags stay the same, also by fresh clones.
#    PREFIX is CACHE/opt/httpd unless SOURCE_HTTPD_PREFIX says otherwise
#    (e.g. /opt/httpd); a prefix that exists and was not made here is refused.
# 2. The module is built in a copy of the source (git archive of the working
#    tree, so this checkout's build/ is not reused) with
#    "make APXS=PREFIX/bin/apxs" and installed with "make install" into that
#    httpd: the module into apxs's LIBEXECDIR, mod_flashmsg.h into its
#    INCLUDEDIR, flashmsg, its man page and share/ under PREFIX.
# 3. A subset of tests/integration (the add -> redirect -> render flow with
#    cookie, fallback, mod_session cookie and shmcb storage, the guard,
#    encryption, the CLI) runs against PREFIX/bin/httpd with mpm event,
#    loading the installed module and httpd's own modules (harness.py:
#    APACHE2, APACHE_MODDIR, FLASHMSG_MODULE).  SOURCE_HTTPD_TESTS replaces
#    the list of pytest node ids.
#
# Prints one line naming the httpd, APR, APR-util and OpenSSL versions and
# the time taken.  Needs gcc, make, curl, libssl-dev, libpcre2-dev,
# libexpat1-dev, git, python3-pytest and python3-requests (make deps); the
# build itself needs no root, but the default cache is under /var/cache.
# Starts no service: the test servers listen on 127.0.0.1 and are stopped
# by the tests.
set -euo pipefail
TOP="$(cd "$(dirname "$0")/.." && pwd)"
START=$(date +%s)
PYTHON=${PYTHON:-/usr/bin/python3}
CACHE=${SOURCE_HTTPD_CACHE:-/var/cache/mod_flashmsg/source-httpd}
PREFIX=${SOURCE_HTTPD_PREFIX:-$CACHE/opt/httpd}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
JOBS=${JOBS:-$(nproc)}

# Source package, Debian version, SHA-256 of its .dsc (Debian 12's versions;
# the pool drops a version some time after a newer one replaces it: then
# set SOURCE_HTTPD_APACHE2="2.4.NN-1~deb12u1 <sha256 of its .dsc>" and so on).
read -r APACHE2_VER APACHE2_DSC_SHA <<<"${SOURCE_HTTPD_APACHE2:-2.4.68-1~deb12u1 1b79720fd53c4e3a93ec2f7b2420b947ce070e088e9f56e9eae7324416260e6a}"
read -r APR_VER APR_DSC_SHA <<<"${SOURCE_HTTPD_APR:-1.7.2-3+deb12u1 b1ed0103f7016e008e97f758a2fa2a796d1ac2ae880a7357a00ae2dddcb1a66b}"
read -r APU_VER APU_DSC_SHA <<<"${SOURCE_HTTPD_APR_UTIL:-1.6.3-1 e43ecafbe39a8d47fbe5faee705295435ac753e6b40c9b4c8d483a769ad8253e}"

# The integration tests run against that httpd: the flow for each storage,
# the guard, encryption, the CLI on its cookies.
DEFAULT_TESTS=(
  # add -> redirect -> render once, cookie storage
  "test_flow.py::test_cgi_302_redirect_then_shown_once"
  "test_flow.py::test_cgi_location_without_status_is_internal_redirect"
  "test_flow.py::test_several_posts_then_one_get_in_order"
  "test_flow.py::test_flashmsgadd_with_redirect"
  "test_cookie.py::test_tampered_cookie_is_ignored_and_deleted"
  "test_cookie.py::test_key_rotation"
  "test_cookie.py::test_size_fit_exact_boundary"
  # FlashMsgCookieEncrypt On
  "test_cookie.py::test_encrypted_cookie"
  # mod_session (cookie) and fallback storage
  "test_session.py::test_session_storage[cookie]"
  "test_session.py::test_fallback_overflow_end_to_end[cookie]"
  "test_session.py::test_tampered_cookie_deleted_under_fallback"
  "test_session.py::test_expired_session_does_not_lose_a_new_message"
  # socache on shmcb
  "test_socache.py::test_shmcb_flow_and_no_replay"
  "test_socache.py::test_shmcb_encrypted_and_order"
  # the shared test site: a page untouched, placeholders split by mod_bucketeer
  "test_http.py::test_page_without_messages_is_byte_identical"
  "test_http.py::test_placeholder_split_across_buckets"
  # the history guard
  "test_templates.py::test_history_guard_markup"
  "test_templates.py::test_history_guard_nonce"
  # the installed flashmsg tool on that httpd's cookies and keys
  "test_cli.py::test_inspect_encrypted_cookies"
  "test_cli.py::test_keygen_key_runs_apache2_and_verifies_its_cookies"
)
if [ -n "${SOURCE_HTTPD_TESTS:-}" ]; then
  read -r -a TESTS <<<"$SOURCE_HTTPD_TESTS"
else
  TESTS=("${DEFAULT_TESTS[@]}")
fi

say() { echo "test-source-httpd: $*"; }
die() { echo "test-source-httpd: $*" >&2; exit 1; }

for tool in gcc make curl git sha256sum pcre2-config; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is missing (Debian: make deps, or apt-get install build-essential curl git libpcre2-dev)"
done
[ -e /usr/include/expat.h ] || die "expat.h is missing (apt-get install libexpat1-dev)"
[ -e /usr/include/openssl/evp.h ] || die "OpenSSL headers are missing (apt-get install libssl-dev)"
mkdir -p "$CACHE/dl" "$CACHE/logs" 2>/dev/null \
  || die "cannot write $CACHE: run as root or set SOURCE_HTTPD_CACHE (make test-source-httpd SOURCE_HTTPD_CACHE=DIR)"
case "$PREFIX" in /*) ;; *) die "SOURCE_HTTPD_PREFIX must be an absolute path: $PREFIX" ;; esac

# One run at a time per cache: a second one waits (the build and the
# installed module are shared).
exec 9>"$CACHE/.lock"
flock 9

# fetch SOURCE DEBIAN-VERSION DSC-SHA256: the .dsc and the upstream tarball
# into CACHE/dl (kept: later runs need no network), both checked; prints the
# tarball's path.
fetch() {
  local src=$1 ver=$2 pin=$3 dir dsc orig sum
  dir="$MIRROR/pool/main/${src:0:1}/$src"
  dsc="${src}_${ver}.dsc"
  if [ ! -s "$CACHE/dl/$dsc" ]; then
    curl -fsS --retry 2 --max-time 300 -o "$CACHE/dl/$dsc.part" "$dir/${dsc//\~/%7E}" \
      || die "cannot fetch $dir/$dsc (no longer in the pool? set SOURCE_HTTPD_${src^^} to a newer version, see the script)"
    mv "$CACHE/dl/$dsc.part" "$CACHE/dl/$dsc"
  fi
  echo "$pin  $CACHE/dl/$dsc" | sha256sum -c --quiet - >&2 \
    || { rm -f "$CACHE/dl/$dsc"; die "$dsc does not have the SHA-256 pinned in this script"; }
  # "Checksums-Sha256:" lines: " <sha256> <size> <file>"; the tarball is
  # the upstream one (.orig.tar.*), not its signature (.asc).
  read -r sum orig < <(awk '/^Checksums-Sha256:/ {on=1; next} /^[^ ]/ {on=0}
        on && $3 ~ /\.orig\.tar\.[a-z0-9]+$/ {print $1, $3}' "$CACHE/dl/$dsc")
  [ -n "${orig:-}" ] || die "$dsc names no .orig tarball"
  if [ ! -s "$CACHE/dl/$orig" ]; then
    curl -fsS --retry 2 --max-time 600 -o "$CACHE/dl/$orig.part" "$dir/$orig" || die "cannot fetch $dir/$orig"
    mv "$CACHE/dl/$orig.part" "$CACHE/dl/$orig"
  fi
  echo "$sum  $CACHE/dl/$orig" | sha256sum -c --quiet - >&2 \
    || { rm -f "$CACHE/dl/$orig"; die "$orig does not match the SHA-256 in $dsc"; }
  echo "$CACHE/dl/$orig"
}

# Configure flags; a change to them or to a version rebuilds the prefix.
APR_FLAGS=(--prefix="$PREFIX")
APU_FLAGS=(--prefix="$PREFIX" --with-apr="$PREFIX/bin/apr-1-config" --with-expat=/usr
           --without-sqlite3 --without-pgsql --without-mysql --without-ldap --without-crypto)
# "most" as shared modules, every MPM as a module (the config picks event);
# the modules the tests load are named so that configure fails without them
# (mod_bucketeer, a debugging module, splits the test site's pages).
HTTPD_FLAGS=(--prefix="$PREFIX" --with-apr="$PREFIX/bin/apr-1-config"
             --with-apr-util="$PREFIX/bin/apu-1-config" --with-pcre="$(command -v pcre2-config)"
             --enable-mpms-shared=all --enable-mods-shared=most
             --enable-session --enable-session-cookie --enable-socache-shmcb
             --enable-cgid --enable-cgi --enable-headers --enable-actions --enable-ssl
             --enable-unixd --enable-bucketeer)
STAMP="$PREFIX/.mod_flashmsg-source-httpd"
WANT="apache2=$APACHE2_VER apr=$APR_VER apr-util=$APU_VER
apr: ${APR_FLAGS[*]}
apr-util: ${APU_FLAGS[*]}
httpd: ${HTTPD_FLAGS[*]}"

# step LOG DIR CMD...: runs CMD in DIR with its output in CACHE/logs/LOG.
step() {
  local log="$CACHE/logs/$1" dir=$2; shift 2
  if ! (cd "$dir" && "$@") >>"$log" 2>&1; then
    tail -n 40 "$log" >&2
    die "failed: $* (in $dir; log: $log)"
  fi
}

build_httpd() {
  local apr apu httpd work t0
  t0=$(date +%s)
  if [ -e "$PREFIX" ] && [ ! -e "$STAMP" ] && [ -n "$(ls -A "$PREFIX")" ]; then
    die "$PREFIX exists and was not built by this script: refusing to replace it"
  fi
  apr=$(fetch apr "$APR_VER" "$APR_DSC_SHA")
  apu=$(fetch apr-util "$APU_VER" "$APU_DSC_SHA")
  httpd=$(fetch apache2 "$APACHE2_VER" "$APACHE2_DSC_SHA")
  say "building APR, APR-util and httpd into $PREFIX (logs: $CACHE/logs)"
  rm -rf "$PREFIX" "$CACHE/work" "$CACHE"/logs/*.log
  mkdir -p "$CACHE/work" "$PREFIX"
  for t in "$apr" "$apu" "$httpd"; do tar -xf "$t" -C "$CACHE/work"; done
  work=$CACHE/work
  step apr.log "$work/apr-${APR_VER%%-*}" ./configure "${APR_FLAGS[@]}"
  step apr.log "$work/apr-${APR_VER%%-*}" make -j"$JOBS"
  step apr.log "$work/apr-${APR_VER%%-*}" make install
  step apr-util.log "$work/apr-util-${APU_VER%%-*}" ./configure "${APU_FLAGS[@]}"
  step apr-util.log "$work/apr-util-${APU_VER%%-*}" make -j"$JOBS"
  step apr-util.log "$work/apr-util-${APU_VER%%-*}" make install
  step httpd.log "$work/httpd-${APACHE2_VER%%-*}" ./configure "${HTTPD_FLAGS[@]}"
  step httpd.log "$work/httpd-${APACHE2_VER%%-*}" make -j"$JOBS"
  step httpd.log "$work/httpd-${APACHE2_VER%%-*}" make install
  rm -rf "$CACHE/work"
  printf '%s\n' "$WANT" > "$STAMP"
  say "built httpd in $(( $(date +%s) - t0 )) s"
}

if [ -x "$PREFIX/bin/httpd" ] && [ -x "$PREFIX/bin/apxs" ] \
   && [ "$(cat "$STAMP" 2>/dev/null)" = "$WANT" ]; then
  say "reusing the httpd built in $PREFIX"
else
  build_httpd
fi

if [ "${SOURCE_HTTPD_BUILD_ONLY:-}" = 1 ]; then
  exit 0
fi

# The module from a copy of the tracked files as they are in the working
# tree (git stash create: a commit of them that touches nothing; HEAD when
# nothing changed), built and installed with that httpd's apxs.
WORK=$(mktemp -d /tmp/flashmsg-source-httpd.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
rev=$(git -C "$TOP" stash create 2>/dev/null || true)
mkdir -p "$WORK/src"
git -C "$TOP" archive --format=tar "${rev:-HEAD}" | tar -x -C "$WORK/src"
APXS="$PREFIX/bin/apxs"
say "building the module with $APXS in $WORK/src"
step module.log "$WORK/src" make -j"$JOBS" APXS="$APXS" all
step module.log "$WORK/src" make APXS="$APXS" PREFIX="$PREFIX" install
LIBEXECDIR=$("$APXS" -q LIBEXECDIR)
INCLUDEDIR=$("$APXS" -q INCLUDEDIR)
for f in "$LIBEXECDIR/mod_flashmsg.so" "$INCLUDEDIR/mod_flashmsg.h" "$PREFIX/bin/flashmsg" \
         "$PREFIX/share/man/man1/flashmsg.1" "$PREFIX/share/flashmsg/flashmsg.css" \
         "$PREFIX/share/flashmsg/flashmsg.js"; do
  [ -f "$f" ] || die "make install did not install $f"
done
# The module and the tool use that httpd's APR, not the system's.
grep -q -- "-I$PREFIX/include" "$WORK/src/build/obj/flags" \
  || die "the module was not compiled against $PREFIX/include"
ldd "$PREFIX/bin/flashmsg" | grep -q "libapr-1.so.0 => $PREFIX/lib/" \
  || die "$PREFIX/bin/flashmsg does not load $PREFIX/lib/libapr-1.so.0: $(ldd "$PREFIX/bin/flashmsg")"
"$PREFIX/bin/flashmsg" --version >/dev/null

# The tests against that httpd: its own binary and modules, the installed
# module and tool (tests/integration/harness.py, test_cli.py).
say "running ${#TESTS[@]} test selections against $PREFIX/bin/httpd"
if ! (cd "$WORK/src/tests/integration" \
      && APACHE2="$PREFIX/bin/httpd" APACHE_MODDIR="$LIBEXECDIR" \
         FLASHMSG_MODULE="$LIBEXECDIR/mod_flashmsg.so" FLASHMSG_CLI="$PREFIX/bin/flashmsg" \
         "$PYTHON" -m pytest -q -p no:cacheprovider "${TESTS[@]}"); then
  die "tests failed against $PREFIX/bin/httpd"
fi

# httpd -V: "Server version: Apache/2.4.68 (Unix)"; httpd -M does not name
# APR, apr-1-config and apu-1-config do; OpenSSL is the libcrypto the module
# loads (the system's).
HTTPD_V=$("$PREFIX/bin/httpd" -v | sed -n 's|^Server version: Apache/\([^ ]*\).*|\1|p')
APR_V=$("$PREFIX/bin/apr-1-config" --version)
APU_V=$("$PREFIX/bin/apu-1-config" --version)
CRYPTO=$(ldd "$LIBEXECDIR/mod_flashmsg.so" | awk '/libcrypto/ {print $3}')
SSL_V=$(openssl version | awk '{print $2}')
echo "test-source-httpd: passed: httpd $HTTPD_V, APR $APR_V, APR-util $APU_V (built in $PREFIX)," \
     "OpenSSL $SSL_V ($CRYPTO), $(( $(date +%s) - START )) s"
