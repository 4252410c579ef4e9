# common.sh: functions the four backup and restore scripts share (POSIX sh). Each script sources it
# from its own folder: /scripts in the cluster (ConfigMap monitoring-backup-scripts), backup/ here.

SCRIPT_NAME=${0##*/}
SCRIPT_NAME=${SCRIPT_NAME%.sh}
log() { printf '%s %s: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$SCRIPT_NAME" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# The name every complete backup has; anything else in the folder is ignored by pruning and restore.
is_backup_name() {
  case $1 in
    [0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]T[0-9][0-9][0-9][0-9][0-9][0-9]Z) return 0 ;;
    *) return 1 ;;
  esac
}

# True when anything answers HTTP at url within 5 s, whatever the status: a 401 from a server that
# asks for basic auth is an answer too, so it counts as running.
answers() {
  if command -v curl >/dev/null 2>&1; then
    code=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 5 "$1" 2>/dev/null) || true
    [ -n "$code" ] && [ "$code" != 000 ]
  elif command -v wget >/dev/null 2>&1; then
    rc=0
    out=$(wget -q -T 5 -t 1 -O /dev/null "$1" 2>&1) || rc=$?
    [ "$rc" = 0 ] && return 0
    case $out in *HTTP/* | *[Ee]rror\ 4[0-9][0-9]* | *[Ee]rror\ 5[0-9][0-9]*) return 0 ;; esac # busybox wget
    [ "$rc" = 6 ] || [ "$rc" = 8 ] # GNU wget: 6 authentication failure, 8 error status from the server
  else
    log "warning: neither curl nor wget found; cannot check $1"
    return 1
  fi
}

# prune_backups DIR KEEP: deletes the oldest complete backups in DIR until KEEP remain.
prune_backups() {
  count=0
  for d in "$1"/*; do
    if is_backup_name "${d##*/}" && [ -d "$d" ]; then count=$((count + 1)); fi
  done
  excess=$((count - $2))
  for d in "$1"/*; do # pathname expansion is sorted, so oldest first
    [ "$excess" -gt 0 ] || break
    if is_backup_name "${d##*/}" && [ -d "$d" ]; then
      rm -rf "$d"
      log "pruned $d (keeping the last $2)"
      excess=$((excess - 1))
    fi
  done
  kept=
  for d in "$1"/*; do
    if is_backup_name "${d##*/}" && [ -d "$d" ]; then kept="$kept ${d##*/}"; fi
  done
  log "done; backups in $1:$kept"
}

# remove_partials DIR: deletes the copies an interrupted run left (they never count as backups).
remove_partials() {
  for d in "$1"/*.partial; do
    if [ -d "$d" ]; then
      rm -rf "$d"
      log "removed leftover $d"
    fi
  done
}

# resolve_backup DIR NAME: prints the backup folder NAME (or the newest complete one for "latest")
# in DIR, and stops the script when there is none or it is incomplete.
resolve_backup() {
  name=$2
  if [ "$name" = latest ]; then
    name=
    for d in "$1"/*; do
      if is_backup_name "${d##*/}" && [ -f "$d/BACKUP-INFO" ]; then name=${d##*/}; fi
    done
    [ -n "$name" ] || die "no complete backup in $1"
    log "latest backup is $name"
  fi
  is_backup_name "$name" || die "BACKUP_NAME '$name' is not a backup name (YYYYmmddTHHMMSSZ) or latest"
  [ -d "$1/$name" ] || die "backup $1/$name does not exist"
  [ -f "$1/$name/BACKUP-INFO" ] && [ -f "$1/$name/SHA256SUMS" ] || die "backup $1/$name is incomplete (no BACKUP-INFO or SHA256SUMS)"
  printf '%s\n' "$1/$name"
}
