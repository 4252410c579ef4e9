/**
 * Issue 14, item 3: the output is byte-identical across processes, days, time zones and locales.
 * Two separate processes run the built synth (`node scripts/build.mjs`, then `node build/main.js
 * --out DIR`, as `npm run synth` does): one on the real clock in UTC with the C locale, the other with
 * a faked clock years away (a preload replaces Date), another time zone, a Turkish locale (whose
 * case rules break naive lower-casing) and another working directory. Every file must be equal.
 * The first computes everything (NANOE_MEMO=off); the second runs after a warm-up run, so it takes
 * its PromQL analysis and YAML from the results kept between runs (build/memo/).
 */
import { spawnSync } from 'child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, relative } from 'path';
import { allOptions, configWith, ROOT } from './support/app';

jest.setTimeout(120_000);

const FAKE_CLOCK = `
// Preload: every Date in this process is shifted to FAKE_NOW (and keeps running from there).
const RealDate = Date;
const offset = RealDate.parse(process.env.FAKE_NOW) - RealDate.now();
class FakeDate extends RealDate {
  constructor(...args) { if (args.length === 0) super(RealDate.now() + offset); else super(...args); }
  static now() { return RealDate.now() + offset; }
}
globalThis.Date = FakeDate;
process.on('exit', () => process.stderr.write('clock ' + new Date().toISOString() + ' tz ' + Intl.DateTimeFormat().resolvedOptions().timeZone + '\\n'));
`;

function filesUnder(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p); else out.set(relative(dir, p), readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

const tmp = mkdtempSync(join(tmpdir(), 'nanoe-determinism-'));
const preload = join(tmp, 'fake-clock.js');
writeFileSync(preload, FAKE_CLOCK);

/** Runs the built synth in a process of its own and returns every file it wrote. */
function synthIn(label: string, env: Record<string, string>, args: string[], opts: { fakeNow?: string; cwd?: string } = {}) {
  const out = join(tmp, label);
  const nodeArgs = [...(opts.fakeNow ? ['--require', preload] : []), join(ROOT, 'build', 'main.js'), '--out', out, ...args];
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(TZ|LANG|LC_.*|FAKE_NOW)$/.test(k))) as Record<string, string>;
  const r = spawnSync(process.execPath, nodeArgs, {
    cwd: opts.cwd ?? ROOT, encoding: 'utf8', env: { ...base, ...env, ...(opts.fakeNow ? { FAKE_NOW: opts.fakeNow } : {}) },
  });
  expect({ label, status: r.status, stderr: r.status === 0 ? '' : r.stderr }).toEqual({ label, status: 0, stderr: '' });
  return { files: filesUnder(out), stderr: r.stderr };
}

beforeAll(() => {
  const b = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, encoding: 'utf8' });
  if (b.status !== 0) throw new Error(`node scripts/build.mjs failed:\n${b.stdout}${b.stderr}`);
});

describe('two synth processes on different days, time zones and locales write identical bytes', () => {
  test.each([
    ['the default config', [] as string[]],
    ['every option on (Argo CD, Flux, exposure, remote write, Thanos, S3)', ['--config', configWith(allOptions)]],
  ])('%s', (_name, args) => {
    const a = synthIn(`a-${args.length}`, { TZ: 'UTC', LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', NANOE_MEMO: 'off' }, args);
    synthIn(`warm-${args.length}`, {}, args);
    const b = synthIn(`b-${args.length}`, { TZ: 'Pacific/Chatham', LANG: 'tr_TR.UTF-8', LC_ALL: 'tr_TR.UTF-8' }, args,
      { fakeNow: '2038-01-19T03:14:08Z', cwd: tmp });
    // The fake clock and the time zone really were in force in the second process.
    expect(b.stderr).toMatch(/clock 2038-01-19T0\d:\d\d:\d\d\.\d{3}Z tz (Pacific\/Chatham|UTC)/);
    expect(a.files.size).toBeGreaterThan(2);
    expect([...b.files.keys()]).toEqual([...a.files.keys()]);
    const differing = [...a.files].filter(([path, bytes]) => !bytes.equals(b.files.get(path)!)).map(([path]) => path);
    expect(differing).toEqual([]);
  });
});
