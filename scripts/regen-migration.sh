#!/usr/bin/env bash
# Until the first release, the schema is one initial migration: rebuild it from the models.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
rm -f migrations/versions/*.py
DATABASE_URL="sqlite:///$tmp/empty.db" .venv/bin/flask --app app db migrate -m "initial schema" >/dev/null
rm -rf "$tmp"
.venv/bin/python scripts/fix_migration_cycle.py migrations/versions/*_initial_schema.py
ls migrations/versions
