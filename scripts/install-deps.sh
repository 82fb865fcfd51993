#!/usr/bin/env bash
# Install what building, testing and the demo need on Debian 12.
# Only packages that are missing are installed; nothing happens when all are there.
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
  # the integration matrix beside real modules (tests/integration/test_company.py)
  libapache2-mod-security2 modsecurity-crs openssl
  # socache storage on a shared engine (tests/integration/test_socache.py)
  redis-server memcached
  # framework recipes of conf/examples/ (tests/integration/test_recipes.py)
  python3-flask python3-django
)
# "bench" adds what make bench needs.
if [ "${1:-}" = bench ]; then
  PKGS+=(wrk nginx-light gnuplot-nox curl nghttp2-client)
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
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
# The packaged servers may start themselves; the tests run their own.
if command -v service >/dev/null 2>&1; then
  service apache2 stop >/dev/null 2>&1 || true
  service postgresql stop >/dev/null 2>&1 || true
  service nginx stop >/dev/null 2>&1 || true
  service redis-server stop >/dev/null 2>&1 || true
  service memcached stop >/dev/null 2>&1 || true
fi
[ "${1:-}" = bench ] || vendor_npm
