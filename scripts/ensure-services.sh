#!/usr/bin/env bash
# Install (Debian packages) and start the servers the distributed tests use:
# Redis on 127.0.0.1:6379 and PostgreSQL on 127.0.0.1:5432 with a database "test";
# and the PDF converter's packages: LibreOffice, its Python bridge (python3-uno), the fonts
# (fonts-liberation2: Times New Roman's metrics with ң ө ү) and poppler-utils, which the PDF
# tests read with; Debian's Chromium and npm for the browser tests (tests/browser).
# `ensure-services.sh converter` installs only the converter's packages (make converter, which
# make run and make test depend on); `ensure-services.sh browser` only Chromium and npm (make
# browser, which make test depends on).
# Exits non-zero when they cannot be made available; the SQLite tests run anyway.
set -uo pipefail

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

missing=()
if [ "${1:-}" = "" ]; then
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  command -v pg_ctlcluster >/dev/null 2>&1 || missing+=(postgresql)
fi
if [ "${1:-}" != browser ]; then
  command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-writer-nogui)
  /usr/bin/python3 -c 'import uno' >/dev/null 2>&1 || missing+=(python3-uno)
  command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
  for package in fonts-liberation2 fonts-dejavu-core; do
    installed "$package" || missing+=("$package")
  done
fi
# The browser tests: Debian's Chromium (Playwright drives /usr/bin/chromium, never a browser
# of its own) and npm for axe-core.
if [ "${1:-}" != converter ]; then
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  command -v npm >/dev/null 2>&1 || missing+=(npm)
fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "ensure-services: missing ${missing[*]} (run as root to install them)" >&2
    exit 1
  fi
  echo "ensure-services: installing ${missing[*]}" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null \
    || exit 1
fi
[ -n "${1:-}" ] && exit 0

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log || exit 1
  for _ in $(seq 50); do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 0.1; done
fi

if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || exit 1
  for _ in $(seq 100); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 0.1; done
fi

# A freshly installed server asks for a password on TCP: give postgres the one the tests use.
if ! PGPASSWORD=postgres psql -h 127.0.0.1 -U postgres -d postgres -Atc 'select 1' >/dev/null 2>&1; then
  su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD 'postgres'\"" || exit 1
fi
if ! PGPASSWORD=postgres psql -h 127.0.0.1 -U postgres -d postgres -Atc \
    "select 1 from pg_database where datname = 'test'" | grep -q 1; then
  PGPASSWORD=postgres createdb -h 127.0.0.1 -U postgres test || exit 1
fi
redis-cli -h 127.0.0.1 ping >/dev/null && pg_isready -h 127.0.0.1 -p 5432 -q
