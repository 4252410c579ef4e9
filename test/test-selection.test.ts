/**
 * Issue 14, item 5: `npm run test:unit` runs every test that needs no daemon, wherever it lives.
 * The convention: a test that starts real daemons (through test/e2e/harness.ts or local-stack.ts) is
 * named `*.e2e.test.ts`; every other `*.test.ts` is a unit test, and `test:unit` selects by that name.
 */
import { spawnSync } from 'child_process';
import { readdirSync, readFileSync, statSync } from 'fs';
import { join, relative } from 'path';
import { ROOT } from './support/app';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === 'fixtures' ? [] : testFiles(p);
    return name.endsWith('.test.ts') ? [relative(ROOT, p)] : [];
  }).sort();
}
const ALL = testFiles(join(ROOT, 'test'));
const E2E = /\.e2e\.test\.ts$/;
/** A test needs daemons when it imports the harness that starts them. */
const startsDaemons = (file: string) => /from '(\.\/|\.\.\/e2e\/|\.\/e2e\/)(harness|local-stack)(\/[\w-]+)?'/.test(readFileSync(join(ROOT, file), 'utf8'));

describe('test:unit selects every test that needs no daemon', () => {
  test('a test file that starts daemons is named *.e2e.test.ts, and every *.e2e.test.ts starts daemons', () => {
    expect(ALL.filter((f) => startsDaemons(f) && !E2E.test(f))).toEqual([]);
    expect(ALL.filter((f) => E2E.test(f) && !startsDaemons(f))).toEqual([]);
  });

  test('test/e2e/ holds only daemon tests (the construct-level backup tests live in test/backup.test.ts)', () => {
    expect(ALL.filter((f) => f.startsWith('test/e2e/') && !E2E.test(f))).toEqual([]);
    expect(ALL).toContain('test/backup.test.ts');
  });

  test('jest --listTests with the test:unit arguments lists exactly the non-e2e test files', () => {
    const script: string = pkg.scripts['test:unit'];
    expect(script).toMatch(/^jest /);
    // The script's arguments as the shell passes them (one single-quoted pattern).
    const args = [...script.slice('jest '.length).matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]);
    const r = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js'), ...args, '--listTests'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(0);
    const listed = r.stdout.trim().split('\n').filter(Boolean).map((p) => relative(ROOT, p)).sort();
    expect(listed).toEqual(ALL.filter((f) => !E2E.test(f)));
  });
});
