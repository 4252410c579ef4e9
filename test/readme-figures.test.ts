/**
 * Issue 14, item 4: every figure the README prints either follows from something a test can
 * recompute, or is shown as an example run with the command that prints it beside it.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import { dashboardQueries } from './e2e/checks';
import { ROOT } from './support/app';

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

describe('README figures', () => {
  test('"41/41 panels with data (+2 cAdvisor panels…)" is an example of `npm run verify` and matches the dashboards\' panel queries', () => {
    const m = /Example run of `npm run verify`[^:]*: (\d+)\/(\d+) panels with data\s+\(\+(\d+) cAdvisor panels/.exec(README);
    expect(m).not.toBeNull();
    const [withData, live, cadvisor] = m!.slice(1).map(Number);
    const queries = dashboardQueries(ROOT);
    expect({ live, withData, cadvisor }).toEqual({
      live: queries.filter((q) => !q.cadvisor).length,
      withData: queries.filter((q) => !q.cadvisor).length,
      cadvisor: queries.filter((q) => q.cadvisor).length,
    });
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
