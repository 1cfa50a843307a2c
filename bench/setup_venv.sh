#!/usr/bin/env bash
# Create bench/.venv (if missing) and install bench/requirements.txt into it. Idempotent.
# The last line printed is the venv's python, e.g.:  PY=$(bash bench/setup_venv.sh | tail -n1)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$here/.venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv" >&2
fi
# pip is quick when everything is already satisfied; its output goes to stderr so stdout stays clean.
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt" >&2
echo "$venv/bin/python"
