"""sqlite.py: what the Grafana backup and restore scripts ask of SQLite, through Python's sqlite3
module (the Docker Official Image python:<version>-alpine ships it; no sqlite3 command is needed).

  python3 sqlite.py backup SRC DEST BUSY_TIMEOUT_MS
      One consistent online copy of SRC into the new file DEST with the SQLite backup API. SRC is
      opened read-only (mode=ro: the live database is never written to; with Grafana's default
      rollback journal this works with read access alone, in WAL mode the -shm needs write
      access). A read transaction is opened first (waiting up to BUSY_TIMEOUT_MS for a writer), then every page is copied in one backup step inside it: the copy is the database as
      of one instant, and the step never starts over because of a concurrent commit. The copy is
      left in rollback-journal mode (journal_mode=DELETE), whatever the source's mode.
  python3 sqlite.py check DB
      Prints the answer of PRAGMA integrity_check: "ok", or the problems, one per line.
  python3 sqlite.py stats DB
      Prints "<tables> <dashboards>": the number of tables, and the rows of `dashboard` ("none"
      when there is no such table).
Exit status 1, with the reason on stderr, when SQLite reports an error.
"""
import sqlite3
import sys
from urllib.parse import quote


def open_read_only(path, timeout_ms=5000):
    # mode=ro: never creates, never writes; a -journal or -wal of the live database is read, not changed.
    return sqlite3.connect('file:%s?mode=ro' % quote(path), uri=True, timeout=timeout_ms / 1000, isolation_level=None)


def backup(src_path, dest_path, busy_timeout_ms):
    src = open_read_only(src_path, busy_timeout_ms)
    dest = sqlite3.connect(dest_path, isolation_level=None)
    try:
        src.execute('BEGIN')
        src.execute('SELECT count(*) FROM sqlite_master').fetchone()  # takes the read lock now
        src.backup(dest, pages=-1)  # all pages in one step, inside the read transaction
        src.execute('COMMIT')
        # A copy of a WAL database is a WAL database: make it a plain rollback-journal file, so that
        # checking or restoring it never leaves -wal/-shm files beside it (Grafana sets its own mode).
        dest.execute('PRAGMA journal_mode=DELETE').fetchone()
    finally:
        dest.close()
        src.close()


def check(path):
    db = open_read_only(path)
    try:
        print('\n'.join(str(row[0]) for row in db.execute('PRAGMA integrity_check')))
    finally:
        db.close()


def stats(path):
    db = open_read_only(path)
    try:
        tables = db.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
        has = db.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'dashboard'").fetchone()[0]
        dashboards = db.execute('SELECT count(*) FROM dashboard').fetchone()[0] if has else 'none'
        print('%d %s' % (tables, dashboards))
    finally:
        db.close()


def main(argv):
    commands = {'backup': (backup, 3), 'check': (check, 1), 'stats': (stats, 1)}
    if len(argv) < 2 or argv[1] not in commands or len(argv) - 2 != commands[argv[1]][1]:
        sys.stderr.write('usage: sqlite.py backup SRC DEST BUSY_TIMEOUT_MS | check DB | stats DB\n')
        return 2
    fn, _ = commands[argv[1]]
    args = argv[2:]
    if argv[1] == 'backup':
        args = [args[0], args[1], int(args[2])]
    try:
        fn(*args)
    except sqlite3.Error as e:
        sys.stderr.write('sqlite.py %s: %s\n' % (argv[1], e))
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
