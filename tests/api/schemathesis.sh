#!/usr/bin/env bash
# Schemathesis (PyPI, pinned in tests/api/requirements.txt) against the OpenAPI document of the
# real binary: starts `$LOTSE_BIN serve --demo` with a throwaway database, signs in as the demo
# admin, creates a personal API token and lets Schemathesis test every operation of
# /api/v1/openapi.json (staff API, public finder API, HSDS API) with it: no 5xx, status codes,
# content types and bodies as documented, invalid input refused. Ends with
# `schemathesis: N passed, M failed` (API operations) and exits non-zero on a failure.
#
#   tests/api/schemathesis.sh                        # the test suite's budget, fixed seed
#   tests/api/schemathesis.sh --max-examples 1000    # long run (scripts/fuzz), random seed
#   tests/api/schemathesis.sh --max-time 600         # fuzz for ten minutes (alias: --duration)
#   tests/api/schemathesis.sh --seed 123             # reproduce a run (the seed is printed)
#   tests/api/schemathesis.sh -- --include-path-regex '^/hsds'   # more `schemathesis run` options
#
# LOTSE_BIN defaults to $CARGO_TARGET_DIR/debug/lotse. Schemathesis goes into a virtualenv outside
# the clone ($LOTSE_VENV, default /var/tmp/lotse-venv), reinstalled only when requirements.txt
# changes.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
venv=${LOTSE_VENV:-/var/tmp/lotse-venv}
requirements=$here/requirements.txt
want=$(sha256sum "$requirements" | cut -d' ' -f1)
if [ "$(cat "$venv/.requirements" 2>/dev/null)" != "$want" ] || ! "$venv/bin/schemathesis" --version >/dev/null 2>&1; then
    echo "installing Schemathesis into $venv"
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
    echo "$want" >"$venv/.requirements"
fi
export PYTHONDONTWRITEBYTECODE=1 # no __pycache__ in the clone (hooks.py is imported)
exec "$venv/bin/python" "$here/run.py" "$@"
