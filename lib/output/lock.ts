import { createHash } from 'crypto';
import { closeSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'fs';
import { createServer, Server } from 'net';
import { join } from 'path';

/** Name of the file that names the process holding the lock (for messages; the lock itself is elsewhere on Linux). */
export const LOCK_FILE = '.nanoe-monitoring.lock';

/** A held lock on an output folder; `release()` frees it (process exit frees it too). */
export interface OutputLock {
  release(): void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Linux: an abstract Unix socket named after the folder's real path. The kernel gives it to one
 * process at a time and frees it when that process ends, even by SIGKILL, so there is no stale lock.
 */
function tryAbstractSocket(realOutdir: string): Promise<Server | undefined | 'unsupported'> {
  const name = `\0nanoe-monitoring-synth-${createHash('sha256').update(realOutdir).digest('hex').slice(0, 32)}`;
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'EADDRINUSE' ? undefined : 'unsupported'));
    server.listen(name, () => {
      server.unref();
      resolve(server);
    });
  });
}

/**
 * Elsewhere: a lock file created exclusively, holding the pid. A lock whose process is gone is taken
 * over by renaming it away first (only one process can rename a given file), so two processes never
 * both take over the same stale lock.
 */
function tryLockFile(path: string): boolean {
  try {
    const fd = openSync(path, 'wx');
    writeFileSync(fd, String(process.pid));
    closeSync(fd);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  const holder = Number(readText(path));
  if (holder > 0 && !alive(holder)) {
    const tomb = `${path}.stale.${process.pid}`;
    try {
      renameSync(path, tomb);
      if (Number(readText(tomb)) === holder) unlinkSync(tomb);
      else renameSync(tomb, path); // it was a fresh lock: give it back
    } catch { /* another process took it over first */ }
  }
  return false;
}

function readText(path: string): string {
  try { return readFileSync(path, 'utf8'); } catch { return ''; }
}

/**
 * Waits until this process alone may write `realOutdir` (another synth of the same folder waits its
 * turn), for at most `timeoutMs`. `onWait` is called once with the other process's pid when it has to wait.
 */
export async function lockOutput(realOutdir: string, onWait: (pid: string) => void, timeoutMs = 120_000): Promise<OutputLock> {
  const hint = join(realOutdir, LOCK_FILE);
  const deadline = Date.now() + timeoutMs;
  let waited = false;
  for (;;) {
    const socket = process.platform === 'linux' ? await tryAbstractSocket(realOutdir) : 'unsupported';
    if (socket === 'unsupported' ? tryLockFile(hint) : socket) {
      const server = socket === 'unsupported' ? undefined : socket;
      if (server) writeFileSync(hint, String(process.pid));
      return {
        release: () => {
          try { unlinkSync(hint); } catch { /* already gone */ }
          server?.close();
        },
      };
    }
    if (!waited) onWait(readText(hint).trim() || 'unknown');
    waited = true;
    if (Date.now() > deadline) {
      throw new Error(`another synth (pid ${readText(hint).trim() || 'unknown'}) has been writing ${realOutdir} for ${timeoutMs / 1000} s — wait for it to finish or stop it`);
    }
    await sleep(20 + Math.random() * 30);
  }
}
