#!/usr/bin/env bash
# Back up a Payung PostgreSQL database with pg_dump, restore it into a fresh database, and check the copy:
# same tables, same row count in each, the audit log's append-only trigger present. Drops the copy at the end.
# Usage: scripts/backup_restore_check.sh POSTGRES_URL [DUMP_FILE]
#   POSTGRES_URL  postgresql://user@host:port/dbname (a role that may create databases)
#   DUMP_FILE     where to keep the dump (default: a temporary file, removed afterwards)
set -euo pipefail
url="${1:?usage: $0 POSTGRES_URL [DUMP_FILE]}"
url="${url/postgresql+psycopg:/postgresql:}"
dump="${2:-$(mktemp --suffix=.dump)}"
keep_dump="${2:+yes}"
base="${url%/*}"
source_db="${url##*/}"
copy_db="${source_db}_restore_check_$$"
copy_url="$base/$copy_db"

cleanup() {
  psql -X -q "$base/postgres" -c "DROP DATABASE IF EXISTS $copy_db WITH (FORCE)" >/dev/null 2>&1 || true
  [ -n "$keep_dump" ] || rm -f "$dump"
}
trap cleanup EXIT

counts() {  # "table rows" for every table of the public schema, sorted
  psql -X -A -t -q "$1" -c "SELECT table_name FROM information_schema.tables
                             WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1" |
    while read -r table; do
      echo "$table $(psql -X -A -t -q "$1" -c "SELECT count(*) FROM \"$table\"")"
    done
}

pg_dump --format=custom --no-owner --file="$dump" "$url"
psql -X -q "$base/postgres" -c "CREATE DATABASE $copy_db" >/dev/null
pg_restore --no-owner --exit-on-error --dbname="$copy_url" "$dump"

before="$(counts "$url")"
after="$(counts "$copy_url")"
if [ "$before" != "$after" ]; then
  echo "RESTORE CHECK FAILED: row counts differ" >&2
  diff <(echo "$before") <(echo "$after") >&2 || true
  exit 1
fi
triggers="$(psql -X -A -t -q "$copy_url" -c "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'auditlog_no_%'")"
if [ "$triggers" -lt 2 ]; then
  echo "RESTORE CHECK FAILED: the audit log's append-only triggers are missing in the copy" >&2
  exit 1
fi
tables="$(echo "$before" | wc -l)"
rows="$(echo "$before" | awk '{s += $2} END {print s}')"
echo "RESTORE CHECK OK: $tables tables, $rows rows restored identically from $(du -h "$dump" | cut -f1) dump"
