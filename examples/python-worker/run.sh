#!/bin/sh
# Runs worker.py on the DBOS Python runtime that needs no PyPI (see its README.txt): unpack
# dbos-py-2.30.0-runtime.tar.gz and set DBOS_PY_ROOT to the dbos-py folder it gives.
set -e
: "${DBOS_PY_ROOT:?set DBOS_PY_ROOT to the unpacked dbos-py folder (or run worker.py with pip-installed dbos)}"
export DBOS_PY_ROOT
. "$DBOS_PY_ROOT/env.sh"
exec "$DBOS_PY_PYTHON" "$(dirname "$0")/worker.py" "$@"
