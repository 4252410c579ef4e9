#!/bin/sh
# grafana-restore.sh: replaces Grafana's SQLite database with one backup (POSIX sh).
#
# Run it only while Grafana is stopped (Deployment scaled to 0; see docs/backup-restore.md).
# 1. Find <BACKUP_DIR>/grafana/<BACKUP_NAME>/grafana.db ("latest" = the newest complete backup),
#    check it against SHA256SUMS and with PRAGMA integrity_check before anything is touched.
# 2. Go on only when Grafana is known to be stopped: its name at LIVE_CHECK_URL (when set) no
#    longer resolves. An answer, or anything it cannot tell, stops the restore.
# 3. Copy it next to the live database as grafana.db.restoring, check it again, delete the old
#    database with its -wal, -shm and -journal files (a stale -wal would be replayed into the
#    restored database), and rename the copy to grafana.db (atomic).
# Only the database is replaced: everything else under the data volume (plugins/, png/, csv/) is
# left as it is, since the backup holds the database only. Changes made after the backup are gone.
#
#   BACKUP_NAME     backup to restore, e.g. 20261124T101500Z, or "latest" (required)
#   DB_PATH         the database to replace (default /var/lib/grafana/grafana.db)
#   BACKUP_DIR      where the backup volume is mounted (default /backups)
#   LIVE_CHECK_URL  Grafana's pods through a headless Service that publishes them ready or not, e.g.
#                   http://grafana-pods.<ns>.svc:3000/api/health; the restore runs only while it
#                   does not resolve (default: none)
set -eu
export LC_ALL=C
umask 027

. "$(dirname "$0")/common.sh"
SQLITE_PY=$(dirname "$0")/sqlite.py

: "${BACKUP_NAME:?set BACKUP_NAME to a backup such as 20261124T101500Z, or latest}"
DB_PATH=${DB_PATH:-/var/lib/grafana/grafana.db}
BACKUP_DIR=${BACKUP_DIR:-/backups}
[ -d "$BACKUP_DIR" ] || die "BACKUP_DIR $BACKUP_DIR is not a directory (is the backup volume mounted?)"
BACKUP_DIR=$(cd "$BACKUP_DIR" && pwd) # absolute: later steps change directory
LIVE_CHECK_URL=${LIVE_CHECK_URL:-}

integrity() { # prints "ok" or the problems
  python3 "$SQLITE_PY" check "$1" 2>&1 || true
}

src_root=$BACKUP_DIR/grafana
src=$(resolve_backup "$src_root" "$BACKUP_NAME")
name=${src##*/}
[ -f "$src/grafana.db" ] || die "backup $src is incomplete (no grafana.db)"
(cd "$src" && sha256sum -c SHA256SUMS >/dev/null) || die "backup $src is damaged: checksums differ"
check=$(integrity "$src/grafana.db")
[ "$check" = ok ] || die "integrity_check of backup $src: $check"

data_dir=$(dirname "$DB_PATH")
[ -d "$data_dir" ] || die "$data_dir is not a directory (is the Grafana data volume mounted?)"
[ -z "$LIVE_CHECK_URL" ] || require_stopped "$LIVE_CHECK_URL" Grafana "scale the Deployment to 0 (and pause Argo CD or Flux, see docs/backup-restore.md)"

staged=$DB_PATH.restoring
rm -f "$staged"
cp "$src/grafana.db" "$staged"
check=$(integrity "$staged")
[ "$check" = ok ] || die "integrity_check of the staged copy $staged: $check"
for f in "$DB_PATH" "$DB_PATH-wal" "$DB_PATH-shm" "$DB_PATH-journal"; do
  if [ -e "$f" ]; then
    rm -f "$f"
    log "deleted $f"
  fi
done
mv "$staged" "$DB_PATH"
want=$(sed -n 's/^\([0-9a-f]*\) .*grafana\.db$/\1/p' "$src/SHA256SUMS")
have=$(sha256sum "$DB_PATH" | cut -d ' ' -f 1)
[ -n "$want" ] && [ "$want" = "$have" ] || die "the restored $DB_PATH differs from the backup"
log "restored backup $name into $DB_PATH (sha256 $have, integrity ok); start Grafana now"
