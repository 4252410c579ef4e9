/**
 * Results of pure functions kept between runs (lib/output/memo-file.ts): used only when written by
 * the same program, keyed by the whole input, never stale, and the bundled synth writes the same
 * bytes with and without them. The table itself (lib/config/memo.ts), in process: memo-table.test.ts.
 */
import { spawnSync } from 'child_process';
import { existsSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'fs';
import { join } from 'path';
import { inProjectCopy } from './support/project-copy';

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
