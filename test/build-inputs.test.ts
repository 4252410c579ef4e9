/**
 * `npm run synth` runs build/synth.js only while it is current (scripts/build-inputs.cjs): never a
 * stale bundle, and no rebuild when nothing changed. The unit cases build a small fake project;
 * the last case edits a copy of this project and runs `scripts/synth.cjs` as the npm script does.
 */
import { spawnSync } from 'child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join } from 'path';
import { inProjectCopy } from './support/project-copy';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { bundleIsCurrent, recordInputs, INPUTS_FILE } = require('../scripts/build-inputs.cjs') as {
  bundleIsCurrent(root: string): boolean;
  recordInputs(root: string, inputs: string[], buildStartedMs: number): unknown;
  INPUTS_FILE: string;
};

const SOURCES = ['main.ts', 'lib/a.ts'];
const DEPENDENCY = 'node_modules/dep/index.js';
const FIXED = ['scripts/build.mjs', 'scripts/bundle-options.mjs', 'scripts/build-inputs.cjs', 'scripts/synth.cjs', 'package.json', 'node_modules/.package-lock.json'];

const AN_HOUR_AGO = Math.floor(Date.now() / 1000) - 3600;

function fakeProject(): string {
  const root = mkdtempSync(join(tmpdir(), 'nanoe-build-inputs-'));
  for (const f of [...SOURCES, DEPENDENCY, ...FIXED, 'build/synth.js', 'build/main.js']) {
    mkdirSync(dirname(join(root, f)), { recursive: true });
    writeFileSync(join(root, f), `// ${f}: version 1\n`);
    utimesSync(join(root, f), AN_HOUR_AGO, AN_HOUR_AGO); // whole seconds, so a restored mtime is exact
  }
  return root;
}

/** Records the inputs as a build that started `ageMs` after the files were written would. */
function record(root: string, buildStartedMs = Date.now() + 10_000): void {
  writeFileSync(join(root, INPUTS_FILE), JSON.stringify(recordInputs(root, [...SOURCES, DEPENDENCY], buildStartedMs)));
}

/** Rewrites a file with other content of the same size and puts its mtime back, as `cp -p` or `rsync -a` would. */
function sameSizeEditKeepingMtime(path: string): void {
  const before = statSync(path);
  const text = readFileSync(path, 'utf8');
  writeFileSync(path, text.replace('version 1', 'version 2'));
  utimesSync(path, AN_HOUR_AGO, AN_HOUR_AGO);
  expect(statSync(path).size).toBe(before.size);
  expect(statSync(path).mtimeMs).toBe(before.mtimeMs);
}

describe('the bundle check of npm run synth (scripts/build-inputs.cjs)', () => {
  let root: string;
  beforeEach(() => {
    root = fakeProject();
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  test('unchanged inputs: the bundle is current (no rebuild)', () => {
    record(root);
    expect(bundleIsCurrent(root)).toBe(true);
  });

  test('a source edited to the same size with its mtime restored is seen (ctime), so the bundle is stale', () => {
    record(root);
    sameSizeEditKeepingMtime(join(root, 'lib/a.ts'));
    expect(bundleIsCurrent(root)).toBe(false);
  });

  test('a touched source with the same content keeps the bundle (content, not time, decides)', () => {
    record(root);
    const future = new Date(Date.now() + 60_000);
    utimesSync(join(root, 'main.ts'), future, future);
    expect(bundleIsCurrent(root)).toBe(true);
  });

  test('a changed build script or npm record of the installed tree makes the bundle stale', () => {
    for (const f of ['scripts/bundle-options.mjs', 'node_modules/.package-lock.json']) {
      record(root);
      writeFileSync(join(root, f), 'changed\n');
      expect(bundleIsCurrent(root)).toBe(false);
    }
  });

  test('a dependency whose stat changed makes the bundle stale (dependencies are not hashed)', () => {
    record(root);
    const future = new Date(Date.now() + 60_000);
    utimesSync(join(root, DEPENDENCY), future, future);
    expect(bundleIsCurrent(root)).toBe(false);
  });

  test('a source deleted, or a new missing input, makes the bundle stale', () => {
    record(root);
    rmSync(join(root, 'lib/a.ts'));
    expect(bundleIsCurrent(root)).toBe(false);
  });

  test('racy files (written during or just before the build) are checked by content on every run', async () => {
    await new Promise((r) => setTimeout(r, 2100)); // everything else is older than the racy window
    writeFileSync(join(root, 'lib/a.ts'), readFileSync(join(root, 'lib/a.ts')));
    utimesSync(join(root, 'lib/a.ts'), AN_HOUR_AGO, AN_HOUR_AGO);
    record(root, Date.now()); // lib/a.ts was written (ctime) just before this build started
    const files = (JSON.parse(readFileSync(join(root, INPUTS_FILE), 'utf8')) as { files: Record<string, { signature: string }> }).files;
    expect(files['lib/a.ts'].signature).toBe('racy');
    expect(files['main.ts'].signature).not.toBe('racy');
    expect(bundleIsCurrent(root)).toBe(true);
    sameSizeEditKeepingMtime(join(root, 'lib/a.ts'));
    expect(bundleIsCurrent(root)).toBe(false);
  });

  test('a racy dependency cannot be checked by content: the next run rebuilds', () => {
    record(root, Date.now());
    expect(bundleIsCurrent(root)).toBe(false);
  });

  test('no record, a corrupt record, or no bundle: not current', () => {
    expect(bundleIsCurrent(root)).toBe(false);
    writeFileSync(join(root, INPUTS_FILE), '{"inputs": 1');
    expect(bundleIsCurrent(root)).toBe(false);
    record(root);
    rmSync(join(root, 'build/synth.js'));
    expect(bundleIsCurrent(root)).toBe(false);
  });
});

describe('npm run synth on a copy of this project', () => {
  test('rebuilds after a source edit and runs the new code; runs without rebuilding otherwise', () => {
    inProjectCopy('nanoe-synth-copy-', (copy) => {
      const synth = () => spawnSync(process.execPath, ['scripts/synth.cjs', '--help'], { cwd: copy, encoding: 'utf8' });
      const bundle = join(copy, 'build', 'synth.js');

      expect(synth().stdout).toContain('Usage: npm run synth');
      const built = statSync(bundle).mtimeMs;
      expect(synth().stdout).toContain('Usage: npm run synth');
      expect(statSync(bundle).mtimeMs).toBe(built); // current: not rebuilt

      const main = join(copy, 'main.ts');
      writeFileSync(main, readFileSync(main, 'utf8').replace('Usage: npm run synth', 'Usage (edited): npm run synth'));
      const r = synth();
      expect(r.stderr).toBe('');
      expect(r.stdout).toContain('Usage (edited): npm run synth'); // the edit is what runs: never a stale bundle
    });
  }, 60_000);
});
