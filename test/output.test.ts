// The output folder under stress (issue 12): concurrent synths, SIGINT and SIGKILL at random points,
// errors mid-swap, many environments; ownership markers, --env, --prune, cross-device output.
// Each stress test runs for a bounded time (about 10 s) and at least a few rounds.
import { spawn, spawnSync } from 'child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { configWith, ROOT } from './support/app';
import { MARKER, recoverOutput, writeOutput } from '../lib/output/write';

type Run = { code: number | null; signal: string | null; stdout: string; stderr: string };

function synth(args: string[], killAfterMs?: number, signal: NodeJS.Signals = 'SIGKILL'): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['build/main.js', ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill(signal), killAfterMs);
    child.on('close', (code, sig) => { clearTimeout(timer); resolve({ code, signal: sig, stdout, stderr }); });
  });
}

/** The default config with `n` environments; variant "b" differs in every environment's output. */
function configN(n: number, variant: 'a' | 'b'): string {
  return configWith((d) => {
    d.environments = Object.fromEntries(Array.from({ length: n }, (_, i) => [`e${String(i).padStart(2, '0')}`, {}]));
    if (variant === 'b') d.defaults.prometheus.retentionTime = '8d';
  });
}

/** Every folder of an output: its files (recursively) and their contents. Dot entries at the top are skipped. */
function folders(out: string): Map<string, string> {
  const read = (dir: string): string => readdirSync(dir).sort().map((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? `${f}/\n${read(p)}` : `${f}\n${readFileSync(p, 'utf8')}`;
  }).join('\n');
  return new Map(readdirSync(out).filter((f) => !f.startsWith('.')).map((f) => [f, read(join(out, f))]));
}

const tmp = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));

/** Asserts every folder of `out` is exactly the one of reference A or of reference B, and no folder is missing. */
function expectWhole(out: string, a: Map<string, string>, b: Map<string, string>): { a: number; b: number } {
  const got = folders(out);
  expect([...got.keys()].sort()).toEqual([...a.keys()].sort());
  const counts = { a: 0, b: 0 };
  for (const [name, text] of got) {
    if (text === a.get(name)) counts.a++;
    else if (text === b.get(name)) counts.b++;
    else throw new Error(`${name} is neither wholly the old nor wholly the new version`);
  }
  expect(readdirSync(out).filter((f) => f.startsWith('.nanoe-old') || f.startsWith('.nanoe-stage'))).toEqual([]);
  return counts;
}

const N = 12;
let configA: string, configB: string, refA: Map<string, string>, refB: Map<string, string>, refOutA: string, refOutB: string;

beforeAll(async () => {
  expect(spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT }).status).toBe(0);
  configA = configN(N, 'a');
  configB = configN(N, 'b');
  refOutA = tmp('nanoe-refa-');
  refOutB = tmp('nanoe-refb-');
  expect((await synth(['--config', configA, '--out', refOutA])).code).toBe(0);
  expect((await synth(['--config', configB, '--out', refOutB])).code).toBe(0);
  refA = folders(refOutA);
  refB = folders(refOutB);
  expect(refA.size).toBe(N);
}, 60_000);

/** Runs `round` repeatedly for about `ms`, at least `min` times. */
async function forAbout(ms: number, min: number, round: (i: number) => Promise<void>): Promise<number> {
  const end = Date.now() + ms;
  let i = 0;
  while (i < min || Date.now() < end) await round(i++);
  return i;
}

describe('atomic under any interleaving', () => {
  test('concurrent synths of the same folder: both succeed, every folder wholly one version', async () => {
    const out = tmp('nanoe-conc-');
    const rounds = await forAbout(5_000, 2, async () => {
      const [r1, r2] = await Promise.all([synth(['--config', configA, '--out', out]), synth(['--config', configB, '--out', out])]);
      expect([r1.code, r2.code, r1.stderr.replace(/waiting for another synth.*\n/, ''), r2.stderr.replace(/waiting for another synth.*\n/, '')]).toEqual([0, 0, '', '']);
      const counts = expectWhole(out, refA, refB);
      expect([counts.a, counts.b]).toContainEqual(N); // the later synth wrote every folder
    });
    expect(rounds).toBeGreaterThanOrEqual(2);
  }, 60_000);

  test('SIGKILL at random points: after recovery every folder is wholly old or new', async () => {
    const out = tmp('nanoe-kill-');
    const seen = { old: 0, new: 0, mixed: 0 };
    await forAbout(6_000, 5, async (i) => {
      rmSync(out, { recursive: true, force: true });
      cpSync(refOutA, out, { recursive: true });
      await synth(['--config', configB, '--out', out], 100 + ((i * 137) % 900));
      recoverOutput(realpathSync(out));
      const c = expectWhole(out, refA, refB);
      if (c.b === 0) seen.old++; else if (c.a === 0) seen.new++; else seen.mixed++;
    });
    expect(seen.old + seen.new + seen.mixed).toBeGreaterThanOrEqual(5);
  }, 60_000);

  test('SIGINT at random points: every folder wholly old or new, no recovery needed, and the message says which', async () => {
    const out = tmp('nanoe-int-');
    await forAbout(5_000, 4, async (i) => {
      rmSync(out, { recursive: true, force: true });
      cpSync(refOutA, out, { recursive: true });
      const r = await synth(['--config', configB, '--out', out], 50 + ((i * 211) % 900), 'SIGINT');
      const c = expectWhole(out, refA, refB);
      if (r.signal === 'SIGINT') {
        // Killed by the signal itself: before synth installed its handler (nothing new), or after it
        // finished and gave the default back (everything new) — never in between.
        expect({ signal: r.signal, allOld: c.b === 0, allNew: c.a === 0 }).toEqual({ signal: 'SIGINT', allOld: c.b === 0, allNew: c.b !== 0 });
      } else if (r.code === 130) {
        if (/nothing was written/.test(r.stderr)) expect(c.b).toBe(0);
        else expect([r.stdout.includes('synthesized'), c.a]).toEqual([true, 0]);
      } else {
        expect([r.code, c.a]).toEqual([0, 0]);
      }
    });
  }, 60_000);

  test('an error mid-swap leaves the swapped folders new and the rest old, and says which', () => {
    const out = tmp('nanoe-midswap-');
    cpSync(refOutA, out, { recursive: true });
    const envs = [...refB.keys()].sort();
    const under = (dir: string, rel = ''): string[] => readdirSync(join(dir, rel)).flatMap((f) => (statSync(join(dir, rel, f)).isDirectory() ? under(dir, join(rel, f)) : [join(rel, f)]));
    const files = envs.flatMap((env) => under(join(refOutB, env)).filter((f) => f !== MARKER)
      .map((f) => ({ path: `${env}/${f}`, text: readFileSync(join(refOutB, env, f), 'utf8'), environment: env })));
    let error: any;
    try {
      writeOutput(realpathSync(out), files, envs, envs, false, (folder) => {
        if (folder === envs[3]) throw Object.assign(new Error('EIO: i/o error'), { code: 'EIO', path: folder });
      });
    } catch (e) {
      error = e;
    }
    expect(error?.name).toBe('OutputError');
    expect([error.written, error.notWritten]).toEqual([envs.slice(0, 3), envs.slice(3)]);
    expect(error.message).toMatch(new RegExp(`${envs[3]} cannot be written \\(EIO\\)`));
    const c = expectWhole(out, refA, refB);
    expect(c).toEqual({ a: N - 3, b: 3 });
    for (const env of envs.slice(0, 3)) expect(folders(out).get(env)).toBe(refB.get(env));
  });

  test('many environments (42), three synths at once: all succeed and every folder is whole', async () => {
    const a42 = configN(42, 'a');
    const b42 = configN(42, 'b');
    const ra = tmp('nanoe-r42a-');
    const rb = tmp('nanoe-r42b-');
    await Promise.all([synth(['--config', a42, '--out', ra]), synth(['--config', b42, '--out', rb])]);
    const out = tmp('nanoe-42-');
    const runs = await Promise.all([a42, b42, a42].map((c) => synth(['--config', c, '--out', out])));
    expect(runs.map((r) => r.code)).toEqual([0, 0, 0]);
    expectWhole(out, folders(ra), folders(rb));
    expect(folders(out).size).toBe(42);
  }, 60_000);
});
