/**
 * Every alert at its threshold, with the pinned promtool: for each comparison of each alert
 * (test/support/alert-boundaries.ts), the quantity just inside, exactly at, and just outside the
 * threshold, and the `for:` duration just inside, exactly at, and past.
 *
 * - Value: the test first proves the quantity is what the point says (`== threshold` holds exactly,
 *   as a float64, for `at`), then that the alert is never even pending for `inside` and for `at` of
 *   a strict comparison (`> 5%` at exactly 5% stays quiet), and fires for `outside` (and for `at` of
 *   `>=` and `==`).
 * - Duration: a firing point is absent one evaluation before `activeFrom`, pending from it, still
 *   pending at `for` minus one evaluation (30s), and firing when it has held exactly `for` (Prometheus
 *   fires once the active time is >= for) and after.
 *
 * The rows are rendered into one promtool test file next to copies of the rule files as shipped.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { API_RULES_FILE_NAME, DEFAULT_API_INSTRUMENTATION, DEFAULT_API_JOB, renderApiRulesYaml } from '../lib/content/api-rules';
import { NODE_NETWORK_RULES_FILE_NAME, renderNodeNetworkRulesYaml } from '../lib/content/node-network';
import { RuleFile, alertingRules, loadRuleFiles, parseRuleFile } from '../lib/content/rules';
import { BOUNDARIES, Boundary, WITHOUT_THRESHOLD } from './support/alert-boundaries';
import { pinnedBinary } from './support/pinned';

const ROOT = path.join(__dirname, '..');
const STEP = 30;
const files: RuleFile[] = [
  ...loadRuleFiles(path.join(ROOT, 'rules')),
  parseRuleFile(API_RULES_FILE_NAME, renderApiRulesYaml(DEFAULT_API_INSTRUMENTATION, DEFAULT_API_JOB)),
  parseRuleFile(NODE_NETWORK_RULES_FILE_NAME, renderNodeNetworkRulesYaml()),
];
const rules = new Map(alertingRules(files).map((a) => [a.rule.alert, a.rule]));
const flat = (s: string): string => s.replace(/\s+/g, ' ').trim();

type Side = 'inside' | 'at' | 'outside';
const OP = /^(>=|<=|==|!=|>|<)\s*(.*)$/s;

/** The comparison split into operator and right-hand side, and the quantity it reads. */
function parts(b: Boundary): { op: string; rhs: string; quantity: string } {
  const [, op, rhs] = OP.exec(b.comparison)!;
  const expr = flat(rules.get(b.alert)!.expr);
  const index = expr.indexOf(flat(b.comparison));
  // A comparison the rule no longer has: no quantity (the test "the rule compares …" fails).
  const quantity = b.quantity ?? (index < 0 ? '' : expr.slice(0, index));
  return { op, rhs, quantity };
}

/** The comparison the quantity satisfies at each point. */
function relation(op: string, side: Side): string {
  if (side === 'at') return '==';
  if (op === '==') return '!=';
  const above = op.startsWith('>') === (side === 'outside');
  return above ? '>' : '<';
}

const fires = (op: string, side: Side): boolean => side === 'outside' || (side === 'at' && op.length === 2);
const seconds = (d: string): number => Number(d.slice(0, -1)) * { s: 1, m: 60, h: 3600 }[d.slice(-1) as 's' | 'm' | 'h'];
const at = (s: number): string => `${s}s`;

interface Point {
  name: string;
  boundary: Boundary;
  side: Side;
  test: object;
}

function points(): Point[] {
  return BOUNDARIES.flatMap((b) =>
    (['inside', 'at', 'outside'] as const).flatMap((side) => {
      const arg = b.args[side];
      if (arg === undefined) return [];
      const { op, rhs, quantity } = parts(b);
      if (quantity === '') return [];
      const hold = seconds(rules.get(b.alert)!.for!);
      const end = b.activeFrom + hold + 2 * 60;
      const count = `count by (alertstate) (ALERTS{alertname="${b.alert}"})`;
      const state = (t: number, s?: string): object => ({ expr: count, eval_time: at(t), exp_samples: s ? [{ labels: `{alertstate="${s}"}`, value: 1 }] : [] });
      const checks = fires(op, side)
        ? [
            ...(b.activeFrom > 0 ? [state(b.activeFrom - STEP)] : []),
            state(b.activeFrom, 'pending'),
            state(b.activeFrom + hold - STEP, 'pending'),
            state(b.activeFrom + hold, 'firing'),
            state(end, 'firing'),
          ]
        : [{ expr: `count_over_time(ALERTS{alertname="${b.alert}"}[${end + 60}s])`, eval_time: at(end), exp_samples: [] }];
      const name = `${b.alert} ${b.comparison.slice(0, 40)}: ${side} (${arg})`;
      const test = {
        name,
        interval: at(STEP),
        input_series: b.series(arg).map((s) => ({ series: s.series, values: s.values(end / STEP) })),
        promql_expr_test: [
          { expr: `count((${quantity}) ${relation(op, side)} ${rhs})`, eval_time: at(end), exp_samples: [{ labels: '{}', value: 1 }] },
          ...checks,
        ],
      };
      return [{ name, boundary: b, side, test }];
    }),
  );
}

let workDir: string;
beforeAll(() => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nanoe-thresholds-'));
  for (const f of files) fs.writeFileSync(path.join(workDir, f.name), f.text);
});
afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

/** Runs the points as one promtool test file; returns promtool's output (throws when it fails). */
function promtoolTest(selected: Point[], name: string): string {
  const groups = files.flatMap((f) => f.content.groups);
  const isRecording = (g: (typeof groups)[number]): boolean => g.rules.every((r) => r.record !== undefined);
  const file = {
    rule_files: files.map((f) => f.name),
    evaluation_interval: at(STEP),
    // Recording groups first: an alert reading a record of the same timestamp is not one step late.
    group_eval_order: [...groups.filter(isRecording), ...groups.filter((g) => !isRecording(g))].map((g) => g.name),
    tests: selected.map((p) => p.test),
  };
  const target = path.join(workDir, `${name}.test.yaml`);
  fs.writeFileSync(target, stringify(file, { lineWidth: 0 }));
  const run = spawnSync(pinnedBinary('promtool'), ['test', 'rules', target], { cwd: workDir, encoding: 'utf8', timeout: 120_000 });
  if (run.error) throw run.error;
  const output = `${run.stdout}${run.stderr}`;
  if (run.status !== 0) throw new Error(`promtool test rules ${target} exited with ${run.status}:\n${output}`);
  return output;
}

describe('alert thresholds (test/support/alert-boundaries.ts)', () => {
  test('every alert has a row, except those without a threshold', () => {
    const covered = new Set([...BOUNDARIES.map((b) => b.alert), ...Object.keys(WITHOUT_THRESHOLD)]);
    expect([...rules.keys()].filter((a) => !covered.has(a))).toEqual([]);
    expect([...covered].filter((a) => !rules.has(a))).toEqual([]);
  });

  test.each(BOUNDARIES.map((b) => [b.alert, b.comparison, b] as const))('%s: the rule compares %s', (alert, comparison, b) => {
    const expr = flat(rules.get(alert)!.expr);
    const { quantity } = parts(b);
    expect(quantity).not.toBe('');
    expect(expr).toContain(`${flat(quantity)} ${flat(comparison)}`);
  });

  test('every row has a point exactly at the threshold and one that fires', () => {
    for (const b of BOUNDARIES) {
      const { op } = parts(b);
      expect({ alert: b.alert, comparison: b.comparison, firing: fires(op, 'at') || b.args.outside !== undefined }).toEqual({
        alert: b.alert, comparison: b.comparison, firing: true,
      });
      // A strict comparison needs a quiet point on each side and a firing one past the threshold.
      if (op === '>' || op === '<') expect({ alert: b.alert, outside: b.args.outside !== undefined }).toEqual({ alert: b.alert, outside: true });
    }
  });

  const all = points();
  test.each((['inside', 'at', 'outside'] as const).map((s) => [s]))('promtool: every alert %s its threshold', (side) => {
    const output = promtoolTest(all.filter((p) => p.side === side), side);
    expect(output).toContain('SUCCESS');
  });
});
