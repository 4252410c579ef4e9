/**
 * Issue 14, item 4: every figure the README prints either follows from something a test can
 * recompute, or is shown as an example run with the command that prints it beside it.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import { alertingRules, loadRuleFiles } from '../lib/content/rules';
import { dashboardQueries } from './e2e/checks';
import { ROOT } from './support/app';

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

describe('README figures', () => {
  test('"41/41 panels with data (+2 cAdvisor and 2 kubelet panels…)" is an example of `npm run verify` and matches the dashboards\' panel queries', () => {
    const m = /Example run of `npm run verify`[^:]*: (\d+)\/(\d+) panels with data\s+\(\+(\d+) cAdvisor and (\d+) kubelet panels/.exec(README);
    expect(m).not.toBeNull();
    const [withData, live, cadvisor, kubelet] = m!.slice(1).map(Number);
    const queries = dashboardQueries(ROOT);
    expect({ live, withData, cadvisor, kubelet }).toEqual({
      live: queries.filter((q) => !q.cadvisor && !q.kubelet).length,
      withData: queries.filter((q) => !q.cadvisor && !q.kubelet).length,
      cadvisor: queries.filter((q) => q.cadvisor).length,
      kubelet: queries.filter((q) => q.kubelet).length,
    });
  });

  test('the alert table: every alert of rules/ is listed with its `for:`, and the thresholds it prints are the rules\' thresholds', () => {
    const start = README.indexOf('| alert | fires when | for |');
    const table = README.slice(start, README.indexOf('\n\n', start));
    const rows = [...table.matchAll(/^\| ([A-Za-z /]+) \| (.+?) \| ([\dmh /]+) \|$/gm)];
    const readmeFor = new Map<string, string>();
    for (const [, names, , fors] of rows) {
      const n = names.split(' / ').map((x) => x.trim());
      const f = fors.split(' / ').map((x) => x.trim());
      n.forEach((name, i) => readmeFor.set(name, f[Math.min(i, f.length - 1)]));
    }
    const rules = new Map(alertingRules(loadRuleFiles(join(ROOT, 'rules'))).map((r) => [r.rule.alert, r.rule]));
    expect(Object.fromEntries(readmeFor)).toEqual(Object.fromEntries([...rules].map(([name, r]) => [name, r.for])));
    const threshold = (name: string) => /[>=]=? ?([\d.]+)/.exec(rules.get(name)!.expr.trim())?.[1]; // the first comparison (guards follow it)
    // "API 5xx share > 5%", "API p95 > 1 s", "node memory > 85%", "a node filesystem > 85%".
    expect([threshold('HighErrorRate'), threshold('APIHighResponseTime'), threshold('HighMemoryUsage'), threshold('DiskSpaceLow')]).toEqual(['0.05', '1', '0.85', '0.85']);
    expect(table).toMatch(/\| HighErrorRate \| API 5xx share > 5%[ |]/);
    expect(table).toMatch(/\| APIHighResponseTime \| API p95 > 1 s \|/);
    expect(table).toMatch(/\| HighMemoryUsage \| node memory > 85% \|/);
    expect(table).toMatch(/\| DiskSpaceLow \/ NodeDiskFillingUp \| a node filesystem > 85%/);
  });

  test('the backup counts are shown as an example run with the command that prints them', () => {
    expect(README).toMatch(/example run of `npx jest test\/e2e\/backup\.e2e`,\s+which prints them[^)]*911 series, 5,428 samples/);
  });

  describe('the benchmark table is an example of `npm run bench`, and its ratios follow from its medians', () => {
    const section = README.slice(README.indexOf('## Speed'));
    const rows = [...section.matchAll(/^\| (.+?) \| ([\d. /]+) ms \| ([\d.× /]+) \| .* \|$/gm)].map((r) => ({
      label: r[1], medians: r[2].split(' / ').map(Number), ratios: r[3].split(' / ').map((x) => Number(x.replace('×', ''))),
    }));

    test('the section names the command and calls the numbers an example', () => {
      expect(section).toMatch(/Example run of `npm run bench`/);
      expect(rows.length).toBe(5);
    });

    test('every ratio is its median over the `node -e 0` floor, to two decimals', () => {
      const floor = rows[0].medians[0];
      for (const r of rows) {
        expect([r.label, r.medians.length]).toEqual([r.label, r.ratios.length]);
        r.medians.forEach((median, i) => expect([r.label, i, Math.abs(median / floor - r.ratios[i]) <= 0.011]).toEqual([r.label, i, true]));
      }
    });

    test('"1000 targets / 10 targets = N× (M ms per target…)" follows from the targets row', () => {
      const targets = rows.find((r) => /scrape targets/.test(r.label))!;
      const [t10, , t1000] = targets.medians;
      const m = /1000 targets \/ 10 targets = ([\d.]+)× \(([\d.]+) ms per target/.exec(section)!;
      expect(Math.abs(t1000 / t10 - Number(m[1]))).toBeLessThanOrEqual(0.011);
      expect(Math.abs((t1000 - t10) / 990 - Number(m[2]))).toBeLessThanOrEqual(0.006);
    });
  });
});
