#!/usr/bin/env bash
# Set up (Python packages, and as root the Debian packages the tests need), then run every test.
# Extra arguments go to pytest, e.g.: bash scripts/test.sh -k etoday
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
need=()
command -v chromium >/dev/null || need+=(chromium)
[ -x /usr/lib/postgresql/15/bin/initdb ] || need+=(postgresql-15)
command -v redis-server >/dev/null || need+=(redis-server)
[ -d /usr/share/fonts/truetype/nanum ] || need+=(fonts-nanum)  # Hangul in the dashboard test's screenshot
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "newscrawl: installing ${need[*]} ..." >&2
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "newscrawl: the tests need ${need[*]}; install them (sudo apt-get install ${need[*]})" >&2
    exit 1
  fi
fi
source scripts/setup.sh
ruff check .
exec python -m pytest "$@"
