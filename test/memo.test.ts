/**
 * Results of pure functions kept between runs (lib/config/memo.ts, lib/output/memo-file.ts): used
 * only when written by the same program, keyed by the whole input, never stale, and the bundled
 * synth writes the same bytes with and without them.
 */
import { spawnSync } from 'child_process';
import { existsSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'fs';
import { join } from 'path';
import { inProjectCopy } from './support/project-copy';

type MemoModule = typeof import('../lib/config/memo');

/** A fresh copy of the memo module (its tables are per process). */
function freshMemo(): MemoModule {
  let m: MemoModule | undefined;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    m = require('../lib/config/memo');
  });
  return m!;
}

describe('memoize', () => {
  test('computes once per key in a run, and not at all when a stored result exists', () => {
    const m = freshMemo();
    const compute = jest.fn((k: string) => k.toUpperCase());
    expect(m.memoize('t', 'a', () => compute('a'))).toBe('A');
    expect(m.memoize('t', 'a', () => compute('a'))).toBe('A');
    expect(compute).toHaveBeenCalledTimes(1);
    expect(m.computedCount()).toBe(1);

    const next = freshMemo();
    next.useStoredResults(m.resultsOfThisRun());
    const again = jest.fn(() => 'never');
    expect(next.memoize('t', 'a', again)).toBe('A');
    expect(again).not.toHaveBeenCalled();
    expect(next.computedCount()).toBe(0);
    expect(next.memoize('t', 'b', () => 'B')).toBe('B'); // a new input is computed
    expect(next.computedCount()).toBe(1);
  });

  test('stores only what JSON keeps as it is, and only what this run used', () => {
    const m = freshMemo();
    m.useStoredResults({ t: { old: 'unused' } });
    m.memoize('t', 'date', () => new Date(0));
    m.memoize('t', 'nan', () => Number.NaN);
    m.memoize('t', 'plain', () => ({ a: [1, 'x', null, true] }));
    expect(m.resultsOfThisRun()).toEqual({ t: { plain: { a: [1, 'x', null, true] } } });
    expect(m.computedCount()).toBe(1);
  });

  test('a throwing computation stores nothing', () => {
    const m = freshMemo();
    expect(() => m.memoize('t', 'bad', () => { throw new Error('boom'); })).toThrow('boom');
    expect(m.resultsOfThisRun()).toEqual({ t: {} });
  });

  test('malformed stored results are ignored', () => {
    for (const junk of [null, 'x', [1], { t: 'not a table' }, { t: [1] }]) {
      const m = freshMemo();
      m.useStoredResults(junk);
      expect(m.memoize('t', 'k', () => 'computed')).toBe('computed');
    }
  });

  test('isPlainJson', () => {
    const m = freshMemo();
    expect(m.isPlainJson({ a: [1, 'b', { c: null }], d: false })).toBe(true);
    for (const v of [new Date(0), Number.POSITIVE_INFINITY, undefined, { a: undefined }, new Map(), Object.create(null), [() => 1]]) {
      expect(m.isPlainJson(v)).toBe(false);
    }
  });
});

describe('the bundled synth with results kept between runs', () => {
  test('writes the bytes it computes; ignores results of another program; never serves a stale one', () => {
    inProjectCopy('nanoe-memo-copy-', (copy) => {
      const synth = (out: string, env: Record<string, string> = {}) => {
        const r = spawnSync(process.execPath, ['scripts/synth.cjs', '--out', join(copy, out)], { cwd: copy, encoding: 'utf8', env: { ...process.env, ...env } });
        expect(r.stderr).toBe('');
        return readFileSync(join(copy, out, 'prod', 'nanoe-monitoring.k8s.yaml'), 'utf8');
      };
      const memoDir = join(copy, 'build', 'memo');
      const computed = synth('cold', { NANOE_MEMO: 'off' });
      expect(existsSync(memoDir)).toBe(false);
      expect(synth('first')).toBe(computed); // writes the memo of this config file
      const files = readdirSync(memoDir);
      expect(files).toHaveLength(1);
      const memoFile = join(memoDir, files[0]);
      const memo = JSON.parse(readFileSync(memoFile, 'utf8')) as { program: string; results: Record<string, Record<string, unknown>> };
      expect(Object.keys(memo.results).sort()).toEqual(['promql-selectors', 'promql-syntax-error', 'yaml', 'yaml-parse', 'yaml-parse-all']);
      expect(synth('warm')).toBe(computed);

      // The memo is used: a planted result for this program shows up in the output…
      const yaml = memo.results.yaml;
      const [key, text] = Object.entries(yaml).find(([, t]) => String(t).startsWith('apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy'))!;
      yaml[key] = String(text).replace('kind: NetworkPolicy', 'kind: NetworkPolicy # planted');
      writeFileSync(memoFile, JSON.stringify(memo));
      expect(synth('planted')).toContain('# planted');
      // …but not when another program wrote it (the bundle's inode, size or mtime differ).
      writeFileSync(memoFile, JSON.stringify({ ...memo, program: `${memo.program}0` }));
      expect(synth('other-program')).toBe(computed);

      // A changed rule is a new key: its new text is what the output holds.
      const rule = join(copy, 'rules', 'alerts.rules.yaml');
      writeFileSync(rule, readFileSync(rule, 'utf8').replace('for: 5m', 'for: 6m'));
      utimesSync(rule, new Date(), new Date());
      const changed = synth('changed');
      expect(changed).not.toBe(computed);
      expect(changed).toBe(synth('changed-cold', { NANOE_MEMO: 'off' }));
    });
  }, 120_000);
});
