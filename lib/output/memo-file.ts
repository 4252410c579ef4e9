import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'fs';
import { dirname } from 'path';
import { computedCount, resultsOfThisRun, useStoredResults } from '../config/memo';

/**
 * The synth program's results of pure functions (lib/config/memo.ts), kept between runs in one
 * file next to its bundle. The file names the bundle it was written by (device, inode, size and
 * mtime of `program`): a rebuilt program ignores it, since its functions may compute other results.
 * A missing, unreadable or malformed file is the same as none; failing to write it changes nothing
 * but the next run's speed.
 */
export class MemoFile {
  constructor(private readonly file: string, private readonly program: string) {}

  /** Makes the stored results available to this run, when they were written by this program. */
  load(): void {
    try {
      const { program, results } = JSON.parse(readFileSync(this.file, 'utf8')) as { program?: unknown; results?: unknown };
      if (program === this.programStamp()) useStoredResults(results);
    } catch {
      // no file, or not one this program wrote: every result is computed
    }
  }

  /** Stores this run's results for the next, when it computed any (through a temporary name: parallel runs never read half a file). */
  save(): void {
    if (computedCount() === 0) return;
    const tmp = `${this.file}.${process.pid}.tmp`;
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      writeFileSync(tmp, JSON.stringify({ program: this.programStamp(), results: resultsOfThisRun() }));
      renameSync(tmp, this.file);
    } catch {
      // a read-only or full disk: the next run computes again
    }
  }

  private programStamp(): string {
    const st = statSync(this.program, { bigint: true });
    return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}`;
  }
}
