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

# server_state URL: prints what is known of the server behind URL, within LIVE_CHECK_TIMEOUT seconds
# (default 5):
#   running  something answered HTTP, whatever the status (a 401 asking for credentials, or a 503
#            from a Prometheus still replaying its WAL, is a running server);
#   stopped  the name does not resolve: the URL names the pods through a headless Service that
#            publishes every pod, ready or not, so no name means no pod;
#   unknown  anything else (refused, timed out, an error not recognized here).
# A restore goes ahead only on "stopped": whatever it cannot tell apart, it treats as running.
server_state() {
  if command -v curl >/dev/null 2>&1; then
    rc=0
    code=$(curl -sS -o /dev/null -w '%{http_code}' --max-time "${LIVE_CHECK_TIMEOUT:-5}" "$1" 2>/dev/null) || rc=$?
    if [ -n "$code" ] && [ "$code" != 000 ]; then echo running; return 0; fi
    if [ "$rc" = 6 ]; then echo stopped; else echo unknown; fi # curl: 6 = could not resolve host
  elif command -v wget >/dev/null 2>&1; then
    rc=0
    out=$(wget -T "${LIVE_CHECK_TIMEOUT:-5}" -t 1 -O /dev/null "$1" 2>&1) || rc=$?
    case $rc:$out in
      0:* | 6:* | 8:* | *HTTP/*) echo running ;; # GNU wget: 6 authentication, 8 error status; busybox: "server returned error: HTTP/1.1 ..."
      *"unable to resolve host address"* | *"bad address"*) echo stopped ;; # GNU wget / busybox wget
      *) echo unknown ;;
    esac
  else
    log "warning: neither curl nor wget found; cannot check $1"
    echo unknown
  fi
}

# require_stopped URL WHAT HOW: stops the script unless the server at URL is known to be stopped.
require_stopped() {
  state=$(server_state "$1")
  case $state in
    stopped) log "$2 is stopped ($1 does not resolve)" ;;
    running) die "$2 still answers at $1: $3 first; nothing was changed" ;;
    *) die "cannot tell whether $2 is stopped ($1 neither answers nor is gone); $3, wait until its pods are gone, and run the restore again; nothing was changed" ;;
  esac
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
