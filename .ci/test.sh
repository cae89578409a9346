#!/usr/bin/env bash
# Installs everything the tests need on a fresh machine, then runs lint, format check and all tests.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian's packages the tests start themselves: Chromium for the page (Playwright's own browser
# download is not used), nginx (the buffering proxy of the Docker topology), LibreOffice
# (opens our .xlsx outputs as a real spreadsheet program does) and redis-server (the distributed
# mode's tests; started on a unix socket in a temporary folder, never as a system service). Services are
# never started by the install (policy-rc.d), only by the tests, on loopback.
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium chromium-driver)
[ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-calc-nogui)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
        had_policy=0; [ -e /usr/sbin/policy-rc.d ] && had_policy=1
        [ "$had_policy" = 1 ] || printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
        chmod +x /usr/sbin/policy-rc.d
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
        [ "$had_policy" = 1 ] || rm -f /usr/sbin/policy-rc.d
    else
        echo "missing: run 'sudo apt-get install -y ${missing[*]}'" >&2
    fi
fi

if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -r requirements-dev.txt

.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/python -m pytest -q "$@"
