#!/usr/bin/env bash
# Installs the real programs the tests run on 127.0.0.1:
#   - the exact releases versions.json pins (Prometheus, promtool, Alertmanager, amtool and the
#     exporters): fetched from Debian's archive into a private cache by scripts/pinned-binaries.mjs,
#     never installed system-wide, so a test can only start the release the images run;
#   - from the machine's own Debian release: postgresql, redis-server, and the tools the backup
#     scripts use (python3 for backup/sqlite.py, sqlite3 as the tests' writer, curl, wget), and jq
#     (the README's command that builds redis-exporter's password map).
#
# Idempotent: when every package is already installed it changes nothing (no
# `apt-get update` either). Debian/Ubuntu only (apt-get). Runs as root, or
# through sudo when it is available. It does not run `npm install`.
#
# The tests start and stop their own daemons on free ports, so the packages'
# own services must not keep running: during the install a temporary
# /usr/sbin/policy-rc.d forbids service starts, and afterwards any service of
# these packages that still runs is stopped again.
set -euo pipefail

PACKAGES=(
  postgresql
  redis-server
  sqlite3
  python3
  curl
  wget
  jq
)
# Services these packages may start (init script / systemd unit names).
SERVICES=(
  postgresql
  redis-server
)
# Default ports of those services, only reported when occupied.
DEFAULT_PORTS=(5432 6379)

log() { printf 'setup-test-deps: %s\n' "$*"; }
die() { printf 'setup-test-deps: ERROR: %s\n' "$*" >&2; exit 1; }

if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-query >/dev/null 2>&1; then
  die "apt-get/dpkg-query not found: this script supports Debian/Ubuntu only. Install these packages by other means: ${PACKAGES[*]}"
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
  fi
fi
as_root() {
  if [ "$(id -u)" -eq 0 ] || [ "${#SUDO[@]}" -gt 0 ]; then
    "${SUDO[@]}" "$@"
  else
    die "need root to run: $* (run this script as root, or install sudo)"
  fi
}

is_installed() {
  local status
  status="$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)"
  [ "$status" = "installed" ]
}

missing=()
for pkg in "${PACKAGES[@]}"; do
  if is_installed "$pkg"; then
    log "already installed: $pkg ($(dpkg-query -W -f='${Version}' "$pkg"))"
  else
    missing+=("$pkg")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  log "all ${#PACKAGES[@]} packages are installed; nothing to do"
else
  log "missing: ${missing[*]}"

  # Forbid service starts while installing (the standard Debian mechanism that
  # invoke-rc.d and deb-systemd-invoke honour), unless a policy already exists.
  POLICY=/usr/sbin/policy-rc.d
  policy_created=0
  cleanup_policy() {
    if [ "$policy_created" -eq 1 ]; then
      as_root rm -f "$POLICY" || true
      log "removed temporary $POLICY"
    fi
  }
  trap cleanup_policy EXIT
  if [ ! -e "$POLICY" ]; then
    printf '#!/bin/sh\n# temporary, written by scripts/setup-test-deps.sh\nexit 101\n' |
      as_root tee "$POLICY" >/dev/null
    as_root chmod 0755 "$POLICY"
    policy_created=1
    log "wrote temporary $POLICY so package scripts start no services"
  fi

  export DEBIAN_FRONTEND=noninteractive
  log "running apt-get update"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q ||
    die "apt-get update failed (network or apt sources problem?)"
  log "running apt-get install --no-install-recommends ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" ||
    die "apt-get install failed for: ${missing[*]}"

  cleanup_policy
  policy_created=0
  trap - EXIT

  # Verify.
  still=()
  for pkg in "${missing[@]}"; do
    is_installed "$pkg" || still+=("$pkg")
  done
  [ "${#still[@]}" -eq 0 ] || die "still not installed after apt-get install: ${still[*]}"
  for pkg in "${missing[@]}"; do
    log "installed: $pkg ($(dpkg-query -W -f='${Version}' "$pkg"))"
  done

  # Stop any service the packages started anyway (e.g. a pre-existing policy
  # allowed it), so the default ports stay free.
  for svc in "${SERVICES[@]}"; do
    if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
      if as_root systemctl is-active --quiet "$svc" 2>/dev/null; then
        log "stopping service started by the package: $svc"
        as_root systemctl stop "$svc" || die "could not stop service $svc"
        as_root systemctl disable "$svc" >/dev/null 2>&1 || true
      fi
    elif [ -x "/etc/init.d/$svc" ]; then
      if as_root "/etc/init.d/$svc" status >/dev/null 2>&1; then
        log "stopping service started by the package: $svc"
        as_root "/etc/init.d/$svc" stop || die "could not stop service $svc"
      fi
    fi
  done
fi

# Check that the binaries the tests use are where the harness looks for them.
need_bins=(redis-server redis-cli psql sqlite3 python3 curl wget jq dash setpriv sha256sum dpkg-deb apt-get)
for bin in "${need_bins[@]}"; do
  command -v "$bin" >/dev/null 2>&1 || die "binary '$bin' not found on PATH after install"
done
pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
[ -n "$pg_bin" ] && [ -x "$pg_bin/initdb" ] && [ -x "$pg_bin/postgres" ] ||
  die "initdb/postgres not found under /usr/lib/postgresql/*/bin"
log "postgres server binaries: $pg_bin"
id postgres >/dev/null 2>&1 || die "system user 'postgres' does not exist (postgresql package incomplete?)"

# Report (do not touch) anything listening on the default ports: the tests use
# free ports chosen at run time, so this is informational only.
if command -v ss >/dev/null 2>&1; then
  busy=()
  for port in "${DEFAULT_PORTS[@]}"; do
    if ss -Hltn "sport = :$port" 2>/dev/null | grep -q .; then busy+=("$port"); fi
  done
  if [ "${#busy[@]}" -gt 0 ]; then
    log "note: default ports in use: ${busy[*]} (harmless: the tests pick free ports)"
  fi
fi

# The pinned releases (downloaded once, then verified from the cache).
node "$(dirname "$0")/pinned-binaries.mjs" || die "could not provide the pinned releases (see the message above)"

log "done"
