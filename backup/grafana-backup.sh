#!/bin/sh
# grafana-backup.sh: one consistent online backup of Grafana's SQLite database (POSIX sh).
#
# 1. Copy DB_PATH with the SQLite online backup API (sqlite.py backup: Python's sqlite3 module),
#    the source opened read-only, all pages in one step inside one read transaction: the copy is
#    the database as of one instant, whatever Grafana writes meanwhile, and includes anything
#    still in a -wal file. Never a plain `cp` of a live database.
#    Why one step in a read transaction: a backup in small steps starts over whenever another
#    process commits in between, so on a database that is written to all the time it never
#    finishes (measured with sqlite3 ".backup"). Holding a read transaction makes Grafana's writes
#    wait (its SQLite busy timeout is 5 s) for as long as the copy takes, milliseconds for a few MB.
# 2. PRAGMA integrity_check on the copy must answer "ok".
# 3. SHA256SUMS, then BACKUP-INFO (the completion marker), then rename
#    <BACKUP_DIR>/grafana/<UTC timestamp>.partial/ to <UTC timestamp>/ (atomic).
# 4. Delete the oldest backups until KEEP remain (only complete <YYYYmmddTHHMMSSZ>/ ones count).
#
#   DB_PATH          the live database (default /var/lib/grafana/grafana.db)
#   BACKUP_DIR       where the backup volume is mounted (default /backups)
#   KEEP             number of backups to keep, >= 1 (default 7)
#   BUSY_TIMEOUT_MS  how long to wait for Grafana's write lock to clear (default 30000)
# Exit status 0 only when a complete, verified backup was written.
set -eu
export LC_ALL=C
umask 027

. "$(dirname "$0")/common.sh"
SQLITE_PY=$(dirname "$0")/sqlite.py

DB_PATH=${DB_PATH:-/var/lib/grafana/grafana.db}
BACKUP_DIR=${BACKUP_DIR:-/backups}
KEEP=${KEEP:-7}
BUSY_TIMEOUT_MS=${BUSY_TIMEOUT_MS:-30000}
case $KEEP in '' | *[!0-9]*) die "KEEP must be a whole number >= 1, got '$KEEP'" ;; esac
[ "$KEEP" -ge 1 ] || die "KEEP must be >= 1, got '$KEEP'"
case $BUSY_TIMEOUT_MS in '' | *[!0-9]*) die "BUSY_TIMEOUT_MS must be a whole number, got '$BUSY_TIMEOUT_MS'" ;; esac
[ -f "$DB_PATH" ] || die "database $DB_PATH not found (is the Grafana data volume mounted?)"
[ -d "$BACKUP_DIR" ] || die "BACKUP_DIR $BACKUP_DIR is not a directory (is the backup volume mounted?)"
BACKUP_DIR=$(cd "$BACKUP_DIR" && pwd) # absolute: later steps change directory
case $BACKUP_DIR in *\'*) die "BACKUP_DIR must not contain a single quote" ;; esac

dest_root=$BACKUP_DIR/grafana
mkdir -p "$dest_root"

partial=
cleanup() {
  status=$?
  if [ -n "$partial" ] && [ -d "$partial" ]; then
    rm -rf "$partial"
    log "removed incomplete copy $partial"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

remove_partials "$dest_root"

tries=0
while :; do
  ts=$(date -u +%Y%m%dT%H%M%SZ)
  [ -e "$dest_root/$ts" ] || [ -e "$dest_root/$ts.partial" ] || break
  tries=$((tries + 1))
  [ "$tries" -le 3 ] || die "backup $dest_root/$ts exists already"
  sleep 1
done

partial=$dest_root/$ts.partial
mkdir "$partial"
copy=$partial/grafana.db
log "copying $DB_PATH with the SQLite backup API"
python3 "$SQLITE_PY" backup "$DB_PATH" "$copy" "$BUSY_TIMEOUT_MS" || die "SQLite backup of $DB_PATH failed"
[ -s "$copy" ] || die "the SQLite backup wrote no file"

check=$(python3 "$SQLITE_PY" check "$copy") || die "integrity_check could not run on the copy"
[ "$check" = ok ] || die "integrity_check of the copy: $check"
counts=$(python3 "$SQLITE_PY" stats "$copy") || die "could not count the tables of the copy"
tables=${counts% *}
dashboards=${counts#* }

(cd "$partial" && sha256sum grafana.db) >"$partial/SHA256SUMS"
kib=$(du -sk "$copy" | cut -f 1)
{
  echo "component=grafana"
  echo "name=$ts"
  echo "source=$DB_PATH"
  echo "integrity_check=ok"
  echo "tables=$tables"
  echo "dashboards=$dashboards"
  echo "kib=$kib"
} >"$partial/BACKUP-INFO"
mv "$partial" "$dest_root/$ts"
partial=
log "backup $dest_root/$ts complete: integrity ok, $tables tables, $dashboards dashboards, $kib KiB"

prune_backups "$dest_root" "$KEEP"
