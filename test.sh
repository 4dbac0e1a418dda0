#!/usr/bin/env bash
# Set up (a .venv with the bot and its test tools) and run every check: lint, format, types,
# tests. Extra arguments go to pytest, e.g. ./test.sh -k scan.
# TEST_DATABASE_URL=postgresql://... runs the database tests on PostgreSQL instead of SQLite.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/venv.sh test

python -m ruff check bot tests bench
python -m ruff format --check bot tests bench
python -m mypy
set +e
python -m pytest "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests: that is a failure here" >&2
  exit 1
fi
exit "$status"
