#!/usr/bin/env bash
# make test-distros: build mod_flashmsg and run the unit tests and a
# representative integration subset inside Debian 11 (bullseye), 12
# (bookworm) and 13 (trixie) root filesystems, then
# scripts/test-source-httpd.sh (an httpd built from source) as one more part.
#
# The roots are made with debootstrap from deb.debian.org and cached outside
# the clone, in $DISTROS_CACHE/<suite> (default /var/cache/mod_flashmsg/
# distros), so a fresh clone (CI) re-uses them.  A root's packages are
# installed again only when PKGS below (or the apt sources) change: the
# stamp <root>/.flashmsg-packages holds the hash of both.  Each run copies
# the working tree (git ls-files: tracked and new files, never build/) into
# <root>/root/mod_flashmsg afresh, so the build there is a clean one.
#
# Mounts: each distribution runs in a mount namespace of its own (unshare
# --mount, private propagation): /proc, /dev (bind), /dev/pts (bind) and
# /dev/shm (bind) are mounted there, unmounted by a trap on exit, also on
# failure, and gone with the namespace in any case; the host's mount table
# never sees them.  Services: every root has a policy-rc.d that answers 101,
# so installing apache2 there starts nothing; the tests start their own
# apache2 on 127.0.0.1 and stop it by PID.
#
# Output: one block per distribution with its apache2, OpenSSL, APR,
# APR-util and gcc versions, a pass/fail line per part with its time;
# logs in build/distros/<suite>/<part>.log; markdown table rows for the
# README's "Tested on" table in build/distros/summary.md.
# Exit status: 0 only when every part of every distribution passed.
#
# Settings (environment, or make variables of the same name):
#   DISTROS        suites to run             (bullseye bookworm trixie)
#   DISTROS_CACHE  where the roots live      (/var/cache/mod_flashmsg/distros)
#   DISTROS_MIRROR Debian mirror             (http://deb.debian.org/debian)
#   DISTROS_SECURITY=1  add <suite>-security (DISTROS_SECURITY_MIRROR)
#   DISTROS_TESTS  pytest node ids, relative to tests/integration (the subset below)
set -euo pipefail

TOP="$(cd "$(dirname "$0")/.." && pwd)"
DISTROS="${DISTROS:-bullseye bookworm trixie}"
DISTROS_CACHE="${DISTROS_CACHE:-/var/cache/mod_flashmsg/distros}"
DISTROS_MIRROR="${DISTROS_MIRROR:-http://deb.debian.org/debian}"
SECURITY_MIRROR="${DISTROS_SECURITY_MIRROR:-${DISTROS_MIRROR%/debian}/debian-security}"
OUT="$TOP/build/distros"
SRC_IN_ROOT=/root/mod_flashmsg

# What building and the subset need (make, make unit, pytest, a real apache2).
PKGS=(build-essential pkg-config apache2 apache2-dev libssl-dev openssl check
      python3 python3-pytest python3-requests)

# The integration subset: add -> redirect -> render once; cookie, fallback
# (mod_session_cookie) and socache (shmcb) storage; the guard; encryption;
# the socache providers missing at start.
DEFAULT_TESTS=(
  test_flow.py::test_cgi_302_redirect_then_shown_once
  test_flow.py::test_followed_redirect_in_one_go
  test_flow.py::test_several_posts_then_one_get_in_order
  test_cookie.py::test_cookie_attributes
  test_cookie.py::test_tampered_cookie_is_ignored_and_deleted
  test_cookie.py::test_key_rotation
  test_cookie.py::test_size_bound_keeps_newest
  test_cookie.py::test_encrypted_cookie
  "test_session.py::test_session_storage[cookie]"
  "test_session.py::test_fallback_overflow_end_to_end[cookie]"
  test_session.py::test_fallback_small_messages_stay_in_cookie
  test_socache.py::test_shmcb_flow_and_no_replay
  test_socache.py::test_shmcb_encrypted_and_order
  test_socache.py::test_unknown_provider_is_a_config_error
  test_socache.py::test_missing_socache_module_is_named
  test_never_leaking.py::test_x_flash_set_after_the_body_filter_is_stripped_by_the_guard
  test_templates.py::test_history_guard_markup
)
if [ -n "${DISTROS_TESTS:-}" ]; then
  read -r -a TESTS <<< "$DISTROS_TESTS"
else
  TESTS=("${DEFAULT_TESTS[@]}")
fi

# The release with its point releases and -updates.  The security archive
# only with DISTROS_SECURITY=1: its files can lag behind its index (here
# bullseye-security's apache2-dev and libaprutil1-dev were missing, and the
# rest of their source package cannot be installed without them).
sources_list() {  # suite
  echo "deb $DISTROS_MIRROR $1 main"
  echo "deb $DISTROS_MIRROR $1-updates main"
  if [ "${DISTROS_SECURITY:-0}" = 1 ]; then
    echo "deb $SECURITY_MIRROR $1-security main"
  fi
}

packages_hash() {  # suite
  { printf '%s\n' "${PKGS[@]}" | sort; sources_list "$1"; } | sha256sum | cut -c1-16
}

# Runs a command in the root with a clean environment.
in_root() {  # root command...
  local root=$1; shift
  chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb \
      PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
      DEBIAN_FRONTEND=noninteractive "$@"
}

# ---------------------------------------------------------------------------
# Inside the mount namespace (re-executed by unshare): mount, do one job in
# the root, unmount.
MOUNTED=()
unmount_all() {
  local i
  for (( i=${#MOUNTED[@]}-1; i>=0; i-- )); do
    umount "${MOUNTED[i]}" 2>/dev/null || umount -l "${MOUNTED[i]}" || true
  done
  MOUNTED=()
}

mount_root() {  # root
  local root=$1
  trap unmount_all EXIT
  trap 'exit 129' HUP; trap 'exit 130' INT; trap 'exit 143' TERM
  mkdir -p "$root/proc" "$root/dev"
  mount -t proc proc "$root/proc" && MOUNTED+=("$root/proc")
  mount --bind /dev "$root/dev" && MOUNTED+=("$root/dev")
  if [ -d /dev/pts ] && [ -d "$root/dev/pts" ]; then
    mount --bind /dev/pts "$root/dev/pts" && MOUNTED+=("$root/dev/pts")
  fi
  if [ -d /dev/shm ] && [ -d "$root/dev/shm" ]; then
    mount --bind /dev/shm "$root/dev/shm" && MOUNTED+=("$root/dev/shm")
  fi
}

inside() {  # job suite [args]
  local job=$1 suite=$2 root="$DISTROS_CACHE/$2"
  mount_root "$root"
  case $job in
    packages)
      cp /etc/resolv.conf "$root/etc/resolv.conf"
      in_root "$root" apt-get update -q
      in_root "$root" apt-get -y -q -o Dpkg::Use-Pty=0 dist-upgrade
      in_root "$root" apt-get install -y -q -o Dpkg::Use-Pty=0 \
          --no-install-recommends "${PKGS[@]}"
      in_root "$root" apt-get clean
      ;;
    versions)
      in_root "$root" sh -c '
        echo "debian=$(cat /etc/debian_version)"
        echo "httpd=$(apache2 -v | sed -n "s|^Server version: Apache/\([^ ]*\).*|\1|p")"
        echo "openssl=$(openssl version | cut -d" " -f2)"
        echo "apr=$(apr-1-config --version)"
        echo "aprutil=$(apu-1-config --version)"
        echo "gcc=$(gcc -dumpfullversion)"
        echo "python=$(python3 -c "import platform; print(platform.python_version())")"'
      ;;
    build)
      in_root "$root" make -C "$SRC_IN_ROOT" all
      ;;
    unit)
      in_root "$root" make -C "$SRC_IN_ROOT" unit
      ;;
    integration)
      in_root "$root" sh -c 'cd "$0/tests/integration" && exec python3 -m pytest -q \
          -p no:cacheprovider "$@"' "$SRC_IN_ROOT" "${TESTS[@]}"
      ;;
  esac
}

if [ "${1:-}" = --inside ]; then
  shift
  inside "$@"
  exit $?
fi

# Runs one part with a time bound, its output in $OUT/<suite>/<part>.log;
# records "<suite> <part> PASS|FAIL <seconds>" in $OUT/results.
run_part() {  # suite part timeout command...
  local suite=$1 part=$2 limit=$3; shift 3
  local log="$OUT/$suite/$part.log" start rc
  mkdir -p "$OUT/$suite"
  start=$(date +%s)
  set +e
  timeout --kill-after=30 "$limit" "$@" > "$log" 2>&1
  rc=$?
  set -e
  local secs=$(( $(date +%s) - start )) verdict=PASS
  [ $rc = 0 ] || verdict=FAIL
  [ $rc = 124 ] && echo "(timed out after ${limit}s)" >> "$log"
  echo "$suite $part $verdict $secs" >> "$OUT/results"
  printf '  %-12s %s  %4ds  %s\n' "$part" "$verdict" "$secs" "${log#$TOP/}"
  if [ $verdict = FAIL ]; then
    tail -n 25 "$log" | sed 's/^/    | /'
  fi
  return $rc
}

# A root for the suite: debootstrap once (into <root>.tmp, renamed when
# complete), policy-rc.d, apt sources, packages when their hash changed.
prepare_root() {  # suite
  local suite=$1 root="$DISTROS_CACHE/$1" want
  if [ ! -e "$root/.flashmsg-root" ]; then
    if grep -qF " $root.tmp/" /proc/mounts; then
      echo "$root.tmp has mounts under it: not removed" >&2; return 1
    fi
    rm -rf "$root.tmp"
    debootstrap --variant=minbase "$suite" "$root.tmp" "$DISTROS_MIRROR"
    touch "$root.tmp/.flashmsg-root"
    rm -rf "$root"
    mv "$root.tmp" "$root"
  fi
  printf '#!/bin/sh\n# mod_flashmsg test-distros: no service starts in this root\nexit 101\n' \
      > "$root/usr/sbin/policy-rc.d"
  chmod 755 "$root/usr/sbin/policy-rc.d"
  sources_list "$suite" > "$root/etc/apt/sources.list"
  # No manual pages or documentation in the roots: smaller, and no mandb
  # run (minutes) after every install.
  mkdir -p "$root/etc/dpkg/dpkg.cfg.d"
  printf '%s\n' 'path-exclude=/usr/share/man/*' 'path-exclude=/usr/share/doc/*' \
      'path-include=/usr/share/doc/*/copyright' > "$root/etc/dpkg/dpkg.cfg.d/flashmsg-nodoc"
  want=$(packages_hash "$suite")
  if [ "$(cat "$root/.flashmsg-packages" 2>/dev/null)" != "$want" ]; then
    rm -f "$root/.flashmsg-packages"
    unshare --mount --propagation private "$0" --inside packages "$suite"
    echo "$want" > "$root/.flashmsg-packages"
  else
    echo "packages up to date ($want)"
  fi
}

# The working tree, as git sees it (tracked and untracked-not-ignored
# files, so never build/ or mod_flashmsg.so), into the root afresh.
copy_tree() {  # suite
  local dest="$DISTROS_CACHE/$1$SRC_IN_ROOT"
  rm -rf "$dest"
  mkdir -p "$dest"
  (cd "$TOP" && git ls-files -z --cached --others --exclude-standard \
     | xargs -0 -r sh -c 'for f; do [ -e "$f" ] || [ -L "$f" ] && printf "%s\0" "$f"; done' sh \
     | tar --null -T - -cf -) | tar -C "$dest" -xf -
}

if [ "${1:-}" = --prepare ]; then
  prepare_root "$2"
  exit $?
fi

# ---------------------------------------------------------------------------
# The driver.
if [ "$(id -u)" != 0 ]; then
  echo "make test-distros needs root (debootstrap, chroot, mount)" >&2
  exit 1
fi
for tool in debootstrap unshare chroot; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    if [ "$tool" = debootstrap ]; then
      echo "installing debootstrap"
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap >/dev/null
    else
      echo "$tool is missing" >&2; exit 1
    fi
  fi
done

rm -rf "$OUT"
mkdir -p "$OUT" "$DISTROS_CACHE"


name_of() {
  case $1 in
    bullseye) echo "Debian 11 (bullseye)";; bookworm) echo "Debian 12 (bookworm)";;
    trixie) echo "Debian 13 (trixie)";; *) echo "Debian $1";;
  esac
}

status=0
echo "test-distros: $DISTROS (roots in $DISTROS_CACHE)"

# The roots first, all at once (mostly downloading).
declare -A PREP_PID
for suite in $DISTROS; do
  mkdir -p "$OUT/$suite"
  run_part "$suite" root 3600 "$0" --prepare "$suite" > "$OUT/$suite/root.line" 2>&1 &
  PREP_PID[$suite]=$!
done

for suite in $DISTROS; do
  root="$DISTROS_CACHE/$suite"
  wait "${PREP_PID[$suite]}" && prep=0 || prep=$?
  echo
  echo "== $(name_of "$suite")"
  if [ $prep = 0 ] \
     && unshare --mount --propagation private "$0" --inside versions "$suite" \
          > "$OUT/$suite/versions" 2>&1; then
    # shellcheck disable=SC1090
    . "$OUT/$suite/versions"
    echo "  Debian $debian, apache2 $httpd, OpenSSL $openssl, APR $apr, APR-util $aprutil, gcc $gcc, Python $python"
  else
    debian=? httpd=? openssl=? apr=? aprutil=? gcc=? python=?
  fi
  cat "$OUT/$suite/root.line"
  parts=""
  if [ $prep = 0 ]; then
    copy_tree "$suite"
    for part in build unit integration; do
      limit=1800
      if run_part "$suite" "$part" $limit \
           unshare --mount --propagation private "$0" --inside "$part" "$suite"; then
        parts="$parts $part ✓"
      else
        parts="$parts $part ✗"; status=1
        [ $part = build ] && break
      fi
    done
  else
    parts=" root ✗"; status=1
  fi
  printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$(name_of "$suite")" "$httpd" \
      "$openssl" "$apr" "$aprutil" "$gcc" "${parts# }" >> "$OUT/rows.md"
done

# A fourth part: an httpd built from source with its own apxs.
echo
echo "== httpd built from source (scripts/test-source-httpd.sh)"
if run_part source-httpd test 3600 bash "$TOP/scripts/test-source-httpd.sh"; then
  mark="✓"
else
  mark="✗"; status=1
fi
# Its last line names the versions: "... passed: httpd 2.4.68, APR 1.7.2,
# APR-util 1.6.3 (built in ...), OpenSSL 3.0.19 (...), 25 s".
line=$(grep -E '^test-source-httpd: (passed|FAILED)' "$OUT/source-httpd/test.log" | tail -1 || true)
echo "  ${line:-"(no version line)"}"
version_after() { sed -nE "s/.*[ (]$1 ([0-9][0-9.a-z]*).*/\1/p" <<<"$line"; }
printf '| httpd built from source, on this host | %s | %s | %s | %s | %s | build, install, integration %s |\n' \
    "$(version_after httpd)" \
    "$(version_after OpenSSL)" "$(version_after APR)" "$(version_after APR-util)" \
    "$(gcc -dumpfullversion 2>/dev/null || echo ?)" "$mark" >> "$OUT/rows.md"

{
  echo "| Distribution | httpd | OpenSSL | APR | APR-util | gcc | Result |"
  echo "|---|---|---|---|---|---|---|"
  cat "$OUT/rows.md"
  echo
  echo "make test-distros, $(date -u +%Y-%m-%d), $(uname -m); parts: build (make all), unit (make unit),"
  echo "integration (${#TESTS[@]} pytest node ids of tests/integration). Seconds per part:"
  awk '{t[$1] = t[$1] sprintf(" %s %s%s,", $2, $4, $3 == "PASS" ? "" : " (FAIL)")}
       END {for (s in t) {sub(/,$/, "", t[s]); printf "- %s:%s\n", s, t[s]}}' "$OUT/results" | sort
} > "$OUT/summary.md"
echo
echo "times (s):"
awk '{printf "  %-10s %-12s %-4s %5d\n", $1, $2, $3, $4}' "$OUT/results"
echo "summary: ${OUT#$TOP/}/summary.md"
[ $status = 0 ] && echo "test-distros: all passed" || echo "test-distros: FAILED"
exit $status
