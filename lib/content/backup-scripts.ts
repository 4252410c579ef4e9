import { readFileSync } from 'fs';
import { basename, join, resolve } from 'path';

/** Where the backup scripts are: `<project>/backup/`, both from `lib/content/` and from the bundle in `build/`. */
export const BACKUP_SCRIPTS_DIR = resolve(__dirname, basename(__dirname) === 'build' ? '..' : '../..', 'backup');
/** The ConfigMap that holds the scripts; the backup CronJobs and the restore Jobs mount it at `/scripts`. */
export const BACKUP_SCRIPTS_CONFIGMAP = 'monitoring-backup-scripts';
/** The files of `backup/` that the ConfigMap carries, byte for byte. */
export const BACKUP_SCRIPT_FILES = ['common.sh', 'prometheus-backup.sh', 'prometheus-restore.sh', 'grafana-backup.sh', 'grafana-restore.sh', 'sqlite.py'] as const;
export const S3_SCRIPT_KEY = 's3.sh';

/**
 * The S3 half (AWS CLI image). `S3_ACTION=upload` sends the newest complete local backup of
 * COMPONENT, BACKUP-INFO last (it marks the remote copy complete), then deletes the oldest remote
 * backups until KEEP remain; the bucket keeps its own window, so an emptied volume never empties the
 * bucket. `S3_ACTION=download` fetches BACKUP_NAME into the backup volume for a restore.
 */
export const S3_SCRIPT = `#!/bin/sh
# s3.sh: copies backups to and from an S3-compatible bucket with the AWS CLI (POSIX sh).
#   S3_ACTION=upload    upload the newest complete backup of COMPONENT, BACKUP-INFO last, then
#                       delete the oldest backups in the bucket until KEEP remain
#   S3_ACTION=download  download BACKUP_NAME of COMPONENT into BACKUP_DIR/COMPONENT/
# Environment: S3_ENDPOINT, S3_BUCKET, COMPONENT, BACKUP_DIR (default /backups), KEEP (default 7),
# BACKUP_NAME (download); AWS_SHARED_CREDENTIALS_FILE (the keys, never in the environment) and
# AWS_DEFAULT_REGION for the CLI.
set -eu
export LC_ALL=C
umask 027
log() { printf '%s s3: %s\\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
: "\${S3_ACTION:?set S3_ACTION to upload or download}"
: "\${S3_ENDPOINT:?set S3_ENDPOINT}"
: "\${S3_BUCKET:?set S3_BUCKET}"
: "\${COMPONENT:?set COMPONENT to prometheus or grafana}"
BACKUP_DIR=\${BACKUP_DIR:-/backups}
KEEP=\${KEEP:-7}
case $KEEP in '' | *[!0-9]*) die "KEEP must be a whole number >= 1, got '$KEEP'" ;; esac
[ "$KEEP" -ge 1 ] || die "KEEP must be >= 1"
s3() { aws --endpoint-url "$S3_ENDPOINT" s3 "$@"; }
is_backup_name() {
  case $1 in
    [0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]T[0-9][0-9][0-9][0-9][0-9][0-9]Z) return 0 ;;
    *) return 1 ;;
  esac
}
local_root=$BACKUP_DIR/$COMPONENT
remote_root=s3://$S3_BUCKET/$COMPONENT
case $S3_ACTION in
  upload)
    latest=
    for d in "$local_root"/*; do
      if is_backup_name "\${d##*/}" && [ -f "$d/BACKUP-INFO" ]; then latest=\${d##*/}; fi
    done
    [ -n "$latest" ] || die "no complete backup in $local_root"
    log "uploading $local_root/$latest to $remote_root/$latest/"
    s3 cp --recursive --only-show-errors --exclude BACKUP-INFO "$local_root/$latest/" "$remote_root/$latest/"
    s3 cp --only-show-errors "$local_root/$latest/BACKUP-INFO" "$remote_root/$latest/BACKUP-INFO"
    listing=$(s3 ls "$remote_root/") || die "could not list $remote_root/"
    names=$(printf '%s\\n' "$listing" | awk '$1 == "PRE" { sub(/\\/$/, "", $2); print $2 }' | sort)
    # Only complete copies (BACKUP-INFO, uploaded last) count toward KEEP: a failed upload must never
    # push a good backup out. Incomplete ones older than this upload are failed uploads: removed.
    complete=
    for n in $names; do
      is_backup_name "$n" || continue
      if s3 ls "$remote_root/$n/BACKUP-INFO" >/dev/null 2>&1; then
        complete="$complete $n"
      elif [ "$n" != "$latest" ] && [ "$(printf '%s\\n%s\\n' "$n" "$latest" | sort | head -n 1)" = "$n" ]; then
        s3 rm --recursive --only-show-errors "$remote_root/$n/"
        log "removed the incomplete upload $remote_root/$n/"
      fi
    done
    count=0
    for n in $complete; do count=$((count + 1)); done
    excess=$((count - KEEP))
    for n in $complete; do
      [ "$excess" -gt 0 ] || break
      s3 rm --recursive --only-show-errors "$remote_root/$n/"
      log "pruned $remote_root/$n/ (keeping the last $KEEP complete backups)"
      excess=$((excess - 1))
    done
    log "done: $latest uploaded"
    ;;
  download)
    : "\${BACKUP_NAME:?set BACKUP_NAME}"
    is_backup_name "$BACKUP_NAME" || die "BACKUP_NAME '$BACKUP_NAME' is not a backup name (YYYYmmddTHHMMSSZ)"
    dest=$local_root/$BACKUP_NAME
    if [ -f "$dest/BACKUP-INFO" ]; then
      log "$dest is on the backup volume already; not downloading"
      exit 0
    fi
    mkdir -p "$local_root"
    rm -rf "$dest.partial"
    log "downloading $remote_root/$BACKUP_NAME/ to $dest"
    s3 cp --recursive --only-show-errors "$remote_root/$BACKUP_NAME/" "$dest.partial/"
    [ -f "$dest.partial/BACKUP-INFO" ] || die "$remote_root/$BACKUP_NAME/ is missing or incomplete (no BACKUP-INFO)"
    rm -rf "$dest"
    mv "$dest.partial" "$dest"
    log "done: $BACKUP_NAME downloaded"
    ;;
  *) die "S3_ACTION must be upload or download, got '$S3_ACTION'" ;;
esac
`;

/** Reads one script of `backup/`, exactly as the test runs it. */
export function readBackupScript(name: string, dir = BACKUP_SCRIPTS_DIR): string {
  return readFileSync(join(dir, name), 'utf8');
}
