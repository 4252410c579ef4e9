/**
 * End-to-end proof that the generated monitoring stack works against the real programs: the dev
 * environment's generated Prometheus config and rules, localized for 127.0.0.1 (test/e2e/local-stack.ts),
 * scrape real postgres/redis/node exporters and an instrumented API stand-in under load; every
 * dashboard panel query returns data; HighErrorRate fires above 5 % 5xx and not at 2 %; InstanceDown
 * reaches a webhook through a real Alertmanager and resolves. The same checks run as `npm run verify`.
 * Needs the Debian packages of scripts/setup-test-deps.sh. Aim: well under 90 s.
 */
import { resolve } from 'node:path';
import { buildEnvironments } from '../../lib/output/synth';
import {
  checkHighErrorRateFires,
  checkHighErrorRateQuiet,
  checkInstanceDown,
  checkPanels,
  checkRules,
  checkTargets,
  dashboardQueries,
  formatReport,
  formatResult,
  type CheckResult,
} from './checks';
import { checkBinaries } from './harness';
import {
  LOCAL_FOR,
  LOCAL_JOB_TARGETS,
  SKIPPED_JOBS,
  generatedPrometheus,
  localizeConfig,
  localizeRules,
  startLocalStack,
  type LocalAddresses,
  type LocalStack,
} from './local-stack';

jest.setTimeout(240_000);

const ROOT = resolve(__dirname, '..', '..');
const startedAt = Date.now();

const ADDRESSES: LocalAddresses = {
  prometheus: '127.0.0.1:1',
  alertmanager: '127.0.0.1:2',
  nodeExporter: '127.0.0.1:3',
  postgresExporter: '127.0.0.1:4',
  redisExporter: '127.0.0.1:5',
  api: '127.0.0.1:6',
};

describe('localizing the generated Prometheus config (no daemons)', () => {
  const dev = buildEnvironments({ root: ROOT, environments: ['dev'] })[0];
  const generated = generatedPrometheus(dev);
  const ruleNames = Object.keys(generated.ruleFiles);
  type Job = { job_name: string; [k: string]: unknown };
  const jobsOf = (c: Record<string, unknown>) => c.scrape_configs as Job[];

  test('keeps job names, paths and metric relabelings; static local targets; no Kubernetes discovery left', () => {
    const local = localizeConfig(generated.config, ADDRESSES, ruleNames);
    const genJobs = jobsOf(generated.config);
    const locJobs = jobsOf(local.config);
    expect(locJobs.map((j) => j.job_name)).toEqual(genJobs.map((j) => j.job_name).filter((j) => !(j in SKIPPED_JOBS)));
    for (const j of locJobs) {
      const g = genJobs.find((x) => x.job_name === j.job_name)!;
      expect(j.metrics_path).toEqual(g.metrics_path);
      expect(j.metric_relabel_configs).toEqual(g.metric_relabel_configs);
      expect(j.static_configs).toEqual([{ targets: [ADDRESSES[LOCAL_JOB_TARGETS[j.job_name]]], labels: expect.objectContaining({ namespace: expect.any(String), pod: expect.any(String) }) }]);
    }
    expect(JSON.stringify(local.config)).not.toContain('kubernetes');
    expect(local.config.global).toMatchObject({ scrape_interval: '1s', evaluation_interval: '1s' });
    expect(JSON.stringify(local.config.alerting)).toContain(ADDRESSES.alertmanager);
    expect(local.ruleFileNames.sort()).toEqual(ruleNames.sort());
    // node agents keep their node name as instance, like in the cluster
    expect(local.staticLabels['node-exporter'].instance).toBe('local-node');
  });

  test('fails loudly when the app scrapes a job the local stack has no stand-in for', () => {
    const extended = structuredClone(generated.config);
    jobsOf(extended).push({ ...jobsOf(extended).find((j) => j.job_name === 'redis-exporter')!, job_name: 'search-exporter' });
    expect(() => localizeConfig(extended, ADDRESSES, ruleNames)).toThrow(/"search-exporter" that the local stack has no stand-in for/);
  });

  test('shortens only the for: of the alerts under test', () => {
    const { rules, notes } = localizeRules(generated.ruleFiles);
    expect(notes).toHaveLength(Object.keys(LOCAL_FOR).length);
    const alerts = rules['alerts.rules.yaml'];
    expect(alerts).toMatch(/alert: HighErrorRate\n\s+expr: \|-\n\s+job:nanoe_api_request_errors:ratio_rate5m > 0.05\n\s+and on \(job, namespace\)\n\s+job:nanoe_api_requests:rate5m >= 0.1\n\s+for: 5s/);
    expect(alerts).toMatch(/alert: APIHighResponseTime\n\s+expr: .*\n\s+for: 5m/);
  });

  test('every dashboard query is either run live or belongs to the cAdvisor or kubelet row', () => {
    const items = dashboardQueries(ROOT);
    expect(items.length).toBeGreaterThan(0);
    expect(items.filter((i) => i.cadvisor).every((i) => /container_/.test(i.query.expr))).toBe(true);
    expect(items.filter((i) => i.kubelet).length).toBeGreaterThan(0);
    expect(items.filter((i) => i.kubelet).every((i) => /kubelet_volume_stats_/.test(i.query.expr))).toBe(true);
  });
});

describe('the generated stack on 127.0.0.1 (real programs)', () => {
  let stack: LocalStack | undefined;
  const results: CheckResult[] = [];

  beforeAll(async () => {
    checkBinaries(); // clear "run scripts/setup-test-deps.sh" message when something is missing
    stack = await startLocalStack({ root: ROOT });
  });

  afterAll(async () => {
    const errors = stack ? await stack.stop() : [];
    // eslint-disable-next-line no-console
    console.log(formatReport({ notes: stack?.notes ?? [], timings: stack?.timings ?? {}, results, totalMs: Date.now() - startedAt }));
    if (errors.length) throw new Error(`errors while stopping daemons:\n${errors.join('\n')}`);
  });

  const run = async (check: (s: LocalStack) => Promise<CheckResult>) => {
    if (!stack) throw new Error('the local stack did not start');
    const r = await check(stack);
    results.push(r);
    if (!r.ok) throw new Error(formatResult(r));
  };

  test('every generated scrape job is scraped from its local stand-in and up (cadvisor skipped)', () => run(checkTargets));
  test('every generated rule evaluates without error', () => run(checkRules));
  test('every dashboard panel query returns data (cAdvisor row: metrics in the recorded list)', () => run(checkPanels));
  // Order matters: the 5m rate window carries the 2 % phase into the 10 % phase, not the other way round.
  test('HighErrorRate does not fire at 2 % 5xx', () => run(checkHighErrorRateQuiet));
  test('HighErrorRate fires at 10 % 5xx', () => run(checkHighErrorRateFires));
  test('InstanceDown reaches the webhook through Alertmanager and resolves', () => run(checkInstanceDown));
});
