import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { PROJECT_ROOT } from './pinned';

/** What `npm run synth` builds from and reads: enough of the project to run it in a copy. */
const SYNTH_INPUTS = ['main.ts', 'lib', 'imports', 'scripts', 'config', 'rules', 'dashboards', 'backend', 'backup', 'versions.json', 'package.json', 'tsconfig.json'];

/** Runs `body` in a fresh copy of the project (node_modules linked), removed afterwards. */
export function inProjectCopy(prefix: string, body: (copy: string) => void): void {
  const copy = mkdtempSync(join(tmpdir(), prefix));
  try {
    for (const f of SYNTH_INPUTS) cpSync(join(PROJECT_ROOT, f), join(copy, f), { recursive: true });
    symlinkSync(join(PROJECT_ROOT, 'node_modules'), join(copy, 'node_modules'));
    body(copy);
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}
