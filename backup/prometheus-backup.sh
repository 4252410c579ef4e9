#!/bin/sh
# prometheus-backup.sh: one consistent backup of a Prometheus TSDB (POSIX sh).
#
# 1. POST <PROMETHEUS_URL>/api/v1/admin/tsdb/snapshot (needs --web.enable-admin-api). Prometheus
#    writes <DATA_DIR>/snapshots/<name>/: hard links to every persisted block, plus the head block
#    (the most recent samples) written out as a block of its own.
# 2. Copy that snapshot to <BACKUP_DIR>/prometheus/<UTC timestamp>.partial/, record SHA256SUMS of
#    the snapshot and check the copy against them.
# 3. Write BACKUP-INFO (the completion marker) and rename the copy to <UTC timestamp>/ (atomic).
# 4. Remove the snapshot from the data volume (also when anything above failed, and leftovers of a
#    killed run at the start), then delete the oldest backups until KEEP remain. Only complete
#    backups (<YYYYmmddTHHMMSSZ>/) are counted; an empty snapshot (no data) fails the run instead.
#
# Everything comes from the environment; the CronJob sets all of it:
#   PROMETHEUS_URL    http://prometheus-0.prometheus-metrics.<namespace>.svc:9090 (required)
#   DATA_DIR          where the Prometheus data volume is mounted (default /prometheus)
#   BACKUP_DIR        where the backup volume is mounted (default /backups)
#   KEEP              number of backups to keep, >= 1 (default 7)
#   SNAPSHOT_TIMEOUT  seconds to wait for the snapshot API (default 900)
#   PROMETHEUS_USERNAME, PROMETHEUS_PASSWORD_FILE (or PROMETHEUS_PASSWORD)
#                     basic auth, when Prometheus asks for it (web config); the password is read from
#                     the file and goes to curl on stdin (never argv)
#                     on stdin, never on its command line (default: none)
# Exit status 0 only when a complete, verified backup was written.
set -eu
export LC_ALL=C
umask 027

. "$(dirname "$0")/common.sh"

: "${PROMETHEUS_URL:?set PROMETHEUS_URL, e.g. http://prometheus-0.prometheus-metrics.monitoring.svc:9090}"
DATA_DIR=${DATA_DIR:-/prometheus}
BACKUP_DIR=${BACKUP_DIR:-/backups}
KEEP=${KEEP:-7}
SNAPSHOT_TIMEOUT=${SNAPSHOT_TIMEOUT:-900}
case $KEEP in '' | *[!0-9]*) die "KEEP must be a whole number >= 1, got '$KEEP'" ;; esac
[ "$KEEP" -ge 1 ] || die "KEEP must be >= 1, got '$KEEP'"
[ -d "$DATA_DIR" ] || die "DATA_DIR $DATA_DIR is not a directory (is the Prometheus data volume mounted?)"
DATA_DIR=$(cd "$DATA_DIR" && pwd) # absolute: later steps change directory
[ -d "$BACKUP_DIR" ] || die "BACKUP_DIR $BACKUP_DIR is not a directory (is the backup volume mounted?)"
BACKUP_DIR=$(cd "$BACKUP_DIR" && pwd) # absolute: later steps change directory

dest_root=$BACKUP_DIR/prometheus
mkdir -p "$dest_root"

snapshot=
partial=
cleanup() {
  status=$?
  if [ -n "$snapshot" ] && [ -d "$snapshot" ]; then
    rm -rf "$snapshot"
    log "removed snapshot $snapshot from the data volume"
  fi
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

# Snapshots left by a run that was killed outright (SIGKILL, node lost) keep hard links to blocks
# Prometheus has deleted since, so that space would never be freed. snapshots/ on the data volume
# belongs to this job (concurrencyPolicy Forbid: never two runs at once), so they go.
if [ -d "$DATA_DIR/snapshots" ]; then
  for s in "$DATA_DIR/snapshots"/*; do
    if [ -d "$s" ]; then
      rm -rf "$s"
      log "removed leftover snapshot $s"
    fi
  done
fi

# A fresh UTC timestamp; waits for the next second when a backup of this second exists already.
tries=0
while :; do
  ts=$(date -u +%Y%m%dT%H%M%SZ)
  [ -e "$dest_root/$ts" ] || [ -e "$dest_root/$ts.partial" ] || break
  tries=$((tries + 1))
  [ "$tries" -le 3 ] || die "backup $dest_root/$ts exists already"
  sleep 1
done

# The password: from PROMETHEUS_PASSWORD_FILE (what the CronJob sets), else PROMETHEUS_PASSWORD.
prometheus_password() {
  if [ -n "${PROMETHEUS_PASSWORD_FILE:-}" ]; then cat "$PROMETHEUS_PASSWORD_FILE"; else printf '%s' "${PROMETHEUS_PASSWORD:-}"; fi
}

# curl config lines on stdin: the credentials, when set, quoted for curl's config syntax.
curl_config() {
  if [ -n "${PROMETHEUS_USERNAME:-}" ]; then
    printf 'user = "%s:%s"\n' "$(printf '%s' "$PROMETHEUS_USERNAME" | sed 's/[\\"]/\\&/g')" \
      "$(prometheus_password | sed 's/[\\"]/\\&/g')"
  fi
}

log "requesting a TSDB snapshot from $PROMETHEUS_URL"
response=$(curl_config | curl -K - -sS --max-time "$SNAPSHOT_TIMEOUT" -X POST -w '\n%{http_code}' \
  "$PROMETHEUS_URL/api/v1/admin/tsdb/snapshot") || die "snapshot request to $PROMETHEUS_URL failed"
code=$(printf '%s\n' "$response" | tail -n 1)
body=$(printf '%s\n' "$response" | sed '$d')
if [ "$code" != 200 ]; then
  case $code in
    401) die "snapshot API answered HTTP 401: set PROMETHEUS_USERNAME and PROMETHEUS_PASSWORD" ;;
    *) die "snapshot API answered HTTP $code: $body (Prometheus needs --web.enable-admin-api)" ;;
  esac
fi
name=$(printf '%s' "$body" | sed -n 's/.*"name":"\([^"]*\)".*/\1/p')
case $name in
  '' | *[!A-Za-z0-9-]*) die "unexpected snapshot API answer: $body" ;;
esac
snapshot=$DATA_DIR/snapshots/$name
[ -d "$snapshot" ] || die "snapshot $snapshot not found: is DATA_DIR the volume this Prometheus writes to?"

blocks=0
for b in "$snapshot"/*; do
  if [ -f "$b/meta.json" ]; then blocks=$((blocks + 1)); fi
done
# An empty snapshot means Prometheus holds no data (fresh or wiped volume). Saving it would push a
# good backup out of the KEEP window, so this run fails loudly instead.
[ "$blocks" -gt 0 ] || die "snapshot $name holds no blocks: Prometheus has no data; nothing saved"

partial=$dest_root/$ts.partial
log "copying snapshot $name ($blocks blocks) to $partial"
cp -R "$snapshot" "$partial"
# Checksums of the source (the snapshot), then the copy is checked against them, file by file.
(cd "$snapshot" && find . -type f -exec sha256sum {} +) >"$partial/SHA256SUMS.tmp" ||
  die "could not checksum the snapshot"
sort -k 2 "$partial/SHA256SUMS.tmp" >"$partial/SHA256SUMS"
rm -f "$partial/SHA256SUMS.tmp"
files=$(wc -l <"$partial/SHA256SUMS" | tr -d ' ')
copied=$(cd "$partial" && find . -type f ! -path ./SHA256SUMS | wc -l | tr -d ' ')
[ "$files" -gt 0 ] && [ "$files" = "$copied" ] || die "the copy has $copied files, the snapshot $files"
(cd "$partial" && sha256sum -c SHA256SUMS >/dev/null) || die "the copy differs from the snapshot"
kib=$(du -sk "$partial" | cut -f 1)
{
  echo "component=prometheus"
  echo "name=$ts"
  echo "source=$PROMETHEUS_URL"
  echo "snapshot=$name"
  echo "blocks=$blocks"
  echo "files=$files"
  echo "kib=$kib"
} >"$partial/BACKUP-INFO"
mv "$partial" "$dest_root/$ts"
partial=
log "backup $dest_root/$ts complete: $blocks blocks, $files files, $kib KiB"

rm -rf "$snapshot"
log "removed snapshot $snapshot from the data volume"
snapshot=

prune_backups "$dest_root" "$KEEP"
