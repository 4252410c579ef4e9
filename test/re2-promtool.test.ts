/**
 * The RE2 table (test/support/re2-cases.ts) is what the pinned Prometheus accepts and refuses:
 * promtool checks a config whose relabel rule uses each pattern (Prometheus compiles relabel regexes
 * with Go's regexp at load, anchored as ^(?s:…)$).
 */
import { spawnSync } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { pinnedBinary } from './support/pinned';
import { yamlString } from './support/promtool-verdicts';
import { RE2_CASES } from './support/re2-cases';
import { caseTitle } from './support/case-title';

const dir = mkdtempSync(join(tmpdir(), 'nanoe-re2-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Whether `promtool check config` accepts a drop rule with this regex. */
function promtoolAccepts(pattern: string): boolean {
  const file = join(dir, 'prometheus.yml');
  writeFileSync(file, [
    'scrape_configs:', '  - job_name: x', '    static_configs: [{targets: ["127.0.0.1:9"]}]', '    metric_relabel_configs:',
    `      - {source_labels: [__name__], regex: ${yamlString(pattern)}, action: drop}`, '',
  ].join('\n'));
  const run = spawnSync(pinnedBinary('promtool'), ['check', 'config', file], { encoding: 'utf8', timeout: 30_000 });
  if (run.error) throw run.error;
  return run.status === 0;
}

test.each(RE2_CASES.map(([p, problem]) => [caseTitle(p), problem === undefined ? 'accepts' : 'refuses', p] as const))('Prometheus compiles %s: it %s it', (_title, verdict, pattern) => {
  expect(promtoolAccepts(pattern) ? 'accepts' : 'refuses').toBe(verdict);
});
