#!/usr/bin/env bash
# Create .venv and install requirements.txt into it (skipped when requirements are unchanged since last time).
# Sourced by crawl.sh and test.sh; exits with one clear line when PyPI cannot be reached.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PYTHON=${PYTHON:-python3}
command -v "$PYTHON" >/dev/null || { echo "newscrawl: python3 is required (3.11 or newer)" >&2; exit 1; }
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv || { echo "newscrawl: could not create .venv (install python3-venv)" >&2; exit 1; }
fi
stamp=.venv/.requirements.sha256
want=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "newscrawl: installing Python packages into .venv ..." >&2
  if ! .venv/bin/python -m pip install --quiet --disable-pip-version-check --retries 1 --timeout 20 \
      -r requirements.txt; then
    echo "newscrawl: could not install the Python packages from requirements.txt (is PyPI reachable?)" >&2
    exit 1
  fi
  echo "$want" > "$stamp"
fi
export PATH="$PWD/.venv/bin:$PATH"
