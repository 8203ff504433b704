#!/usr/bin/env bash
# Sovereign's dependency bootstrap, the first step of every action.yml.
# Finds Python 3.10+ and hands over to bootstrap.py, which creates or reuses a
# private venv under $RUNNER_TEMP. Touches nothing of the caller's: no PATH,
# no GITHUB_ENV, no install into their interpreter.
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
found=""
for candidate in python3 python py; do
  if command -v "$candidate" >/dev/null 2>&1 &&
    "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' >/dev/null 2>&1; then
    found=$candidate
    break
  fi
done
if [ -z "$found" ]; then
  seen="no python3 or python on PATH"
  for candidate in python3 python; do
    if command -v "$candidate" >/dev/null 2>&1; then
      seen=$("$candidate" --version 2>&1 | head -n 1 || true)
      break
    fi
  done
  echo "::error title=bootstrap::Sovereign needs Python 3.10 or newer (found: ${seen}) — add actions/setup-python with python-version: '3.12' before this step"
  exit 1
fi
# -I -S: the bootstrap needs nothing but the standard library, and starts faster without site.
exec "$found" -I -S "${here}/bootstrap.py"
