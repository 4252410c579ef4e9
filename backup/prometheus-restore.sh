#!/bin/sh
# prometheus-restore.sh: replaces a Prometheus TSDB with one backup (POSIX sh).
#
# Run it only while Prometheus is stopped (StatefulSet scaled to 0; see docs/backup-restore.md).
# 1. Find <BACKUP_DIR>/prometheus/<BACKUP_NAME>/ ("latest" = the newest complete backup) and check
#    every file against its SHA256SUMS before anything is touched.
# 2. Go on only when Prometheus is known to be stopped: its name at LIVE_CHECK_URL (when set) no
#    longer resolves. An answer (even while it replays its WAL), or anything it cannot tell, stops
#    the restore.
# 3. Delete everything in DATA_DIR (blocks, wal/, chunks_head/, snapshots/, ...; not lost+found),
#    copy the backup's blocks in, and check the copy against SHA256SUMS again.
# Nothing else is changed: Prometheus recreates its WAL on start. Samples written after the backup
# was taken are gone.
#
#   BACKUP_NAME     backup to restore, e.g. 20261124T101500Z, or "latest" (required)
#   DATA_DIR        where the Prometheus data volume is mounted (default /prometheus)
#   BACKUP_DIR      where the backup volume is mounted (default /backups)
#   LIVE_CHECK_URL  the replica's name through its governing headless Service, e.g.
#                   http://prometheus-0.prometheus-metrics.<ns>.svc:9090/-/healthy; the restore runs
#                   only while it does not resolve (default: none)
set -eu
export LC_ALL=C
umask 027

. "$(dirname "$0")/common.sh"

: "${BACKUP_NAME:?set BACKUP_NAME to a backup such as 20261124T101500Z, or latest}"
DATA_DIR=${DATA_DIR:-/prometheus}
BACKUP_DIR=${BACKUP_DIR:-/backups}
[ -d "$BACKUP_DIR" ] || die "BACKUP_DIR $BACKUP_DIR is not a directory (is the backup volume mounted?)"
BACKUP_DIR=$(cd "$BACKUP_DIR" && pwd) # absolute: later steps change directory
LIVE_CHECK_URL=${LIVE_CHECK_URL:-}

src_root=$BACKUP_DIR/prometheus
src=$(resolve_backup "$src_root" "$BACKUP_NAME")
name=${src##*/}
[ -s "$src/SHA256SUMS" ] || die "backup $src lists no files"
log "checking $src against its SHA256SUMS"
(cd "$src" && sha256sum -c SHA256SUMS >/dev/null) || die "backup $src is damaged: checksums differ"

[ -d "$DATA_DIR" ] || die "DATA_DIR $DATA_DIR is not a directory (is the Prometheus data volume mounted?)"
DATA_DIR=$(cd "$DATA_DIR" && pwd)
[ "$DATA_DIR" != / ] || die "refusing to delete the contents of /"
[ -z "$LIVE_CHECK_URL" ] || require_stopped "$LIVE_CHECK_URL" Prometheus "scale the StatefulSet to 0 (and pause Argo CD or Flux, see docs/backup-restore.md)"

log "deleting the contents of $DATA_DIR"
for e in "$DATA_DIR"/* "$DATA_DIR"/.[!.]* "$DATA_DIR"/..?*; do
  [ -e "$e" ] || [ -L "$e" ] || continue # an unmatched pattern stays as written
  [ "${e##*/}" = lost+found ] && continue # the filesystem's own, owned by root
  rm -rf "$e"
done

log "copying backup $name into $DATA_DIR"
for e in "$src"/*; do
  case ${e##*/} in SHA256SUMS | BACKUP-INFO) continue ;; esac
  cp -R "$e" "$DATA_DIR/"
done
(cd "$DATA_DIR" && sha256sum -c "$src/SHA256SUMS" >/dev/null) || die "the restored files differ from the backup"
files=$(wc -l <"$src/SHA256SUMS" | tr -d ' ')
log "restored backup $name into $DATA_DIR ($files files verified); start Prometheus now"
