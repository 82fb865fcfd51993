#!/usr/bin/env bash
# Install what building, testing and the demo need on Debian 12 (a development
# or CI machine: "make" alone needs only apache2-dev, libssl-dev, gcc, make and
# pkg-config and never runs this).
# Only packages that are missing are installed; nothing happens when all are there.
#
# Services: this script never stops, starts or restarts one.  The daemons it
# may install (apache2, php-fpm, postgresql, redis-server, memcached, nginx)
# are kept from starting by a policy-rc.d that answers 101 ("do not run"):
# the packages' maintainer scripts start and stop their services through
# invoke-rc.d (init scripts) or deb-systemd-invoke (systemd units), and both
# ask /usr/sbin/policy-rc.d first.  It is put in place only for the duration
# of apt-get install, only when the machine has none of its own (one that is
# there is left as it is and decides), and removed afterwards by a trap, also
# when apt-get fails or the script is interrupted.  While it is there, a
# package upgraded as a dependency does not restart its running service
# either; needrestart's apt hook is suspended for the same reason.  The tests,
# the demo and the benchmark start their own servers on 127.0.0.1 and stop
# them by PID.
# Then the browser tests' client libraries (htmx 2, htmx 4, Turbo 8, pinned in
# tests/browser/vendor/package-lock.json) are installed from npm into
# build/npm/node_modules (download cache: build/npm-cache); skipped when the
# lock has not changed since.  "npm" does only that part.
set -euo pipefail
TOP="$(cd "$(dirname "$0")/.." && pwd)"
VENDOR="$TOP/tests/browser/vendor"
NPM_DIR="$TOP/build/npm"

vendor_npm() {
  if cmp -s "$VENDOR/package-lock.json" "$NPM_DIR/package-lock.json" \
     && [ -f "$NPM_DIR/node_modules/.package-lock.json" ]; then
    return 0
  fi
  if ! command -v npm >/dev/null 2>&1; then
    echo "npm is missing: run 'sudo make deps' (Debian package npm)" >&2
    exit 1
  fi
  echo "installing the browser tests' npm packages into build/npm"
  rm -rf "$NPM_DIR/node_modules"
  mkdir -p "$NPM_DIR"
  cp "$VENDOR/package.json" "$VENDOR/package-lock.json" "$NPM_DIR/"
  (cd "$NPM_DIR" && npm ci --ignore-scripts --no-audit --no-fund \
       --cache "$TOP/build/npm-cache")
}
# The policy-rc.d path; FLASHMSG_POLICY_RC_D points a test at a scratch file.
POLICY_RC_D="${FLASHMSG_POLICY_RC_D:-/usr/sbin/policy-rc.d}"
POLICY_MARK="# written by mod_flashmsg's scripts/install-deps.sh for apt-get; removed after it"
policy_ours=""

# Puts a policy-rc.d denying every start, stop and restart in place, unless
# the machine has one; release_services (run by the EXIT trap too) removes it.
hold_services() {
  if [ -e "$POLICY_RC_D" ] || [ -L "$POLICY_RC_D" ]; then
    echo "$POLICY_RC_D exists: left as it is, it decides which services may start"
    return 0
  fi
  trap release_services EXIT
  trap 'exit 129' HUP
  trap 'exit 130' INT
  trap 'exit 143' TERM
  # noclobber: written only while still absent, never over another's file.
  if ( set -o noclobber; printf '#!/bin/sh\n%s\nexit 101\n' "$POLICY_MARK" > "$POLICY_RC_D" ) 2>/dev/null; then
    policy_ours=$POLICY_RC_D
    chmod 755 "$POLICY_RC_D"
  fi
}

# Removes the policy-rc.d hold_services wrote (only that one: it checks the mark).
release_services() {
  if [ -n "$policy_ours" ] && grep -qxF "$POLICY_MARK" "$policy_ours" 2>/dev/null; then
    rm -f "$policy_ours"
  fi
  policy_ours=""
}

if [ "${1:-}" = npm ]; then
  vendor_npm
  exit 0
fi
PKGS=(
  build-essential pkg-config apache2 apache2-dev libssl-dev check
  php-cgi php-fpm nodejs python3 python3-pytest python3-requests
  libaprutil1-dbd-sqlite3 libaprutil1-dbd-pgsql postgresql clang curl
  chromium chromium-driver python3-selenium
  debhelper dpkg-dev fakeroot git lintian
  # the RPM spec: make srpm and rpmlint (tests/docs/test_rpm_spec.py)
  rpm rpmlint
  # make test-source-httpd builds APR, APR-util and httpd from source
  libpcre2-dev libexpat1-dev
  # the integration matrix beside real modules (tests/integration/test_beside_other_modules.py)
  libapache2-mod-security2 modsecurity-crs openssl
  # socache storage on a shared engine (tests/integration/test_socache.py)
  redis-server memcached
  # framework recipes of conf/examples/ (tests/integration/test_recipes.py)
  python3-flask python3-django
)
# "bench" adds what make bench needs.
if [ "${1:-}" = bench ]; then
  PKGS+=(wrk nginx-light gnuplot-nox curl nghttp2-client valgrind)
fi
missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# npm ships with NodeSource's nodejs; Debian's is a package of its own.
if ! command -v npm >/dev/null 2>&1; then
  missing+=(npm)
fi
if [ ${#missing[@]} -eq 0 ]; then
  [ "${1:-}" = bench ] || vendor_npm
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "missing packages: ${missing[*]}" >&2
  echo "run 'sudo make deps' (or install them with apt-get) and try again" >&2
  exit 1
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1
apt-get update -q
hold_services
apt-get install -y -q --no-install-recommends "${missing[@]}"
release_services
[ "${1:-}" = bench ] || vendor_npm
