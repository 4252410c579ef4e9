import type { SyntaxNode } from '@lezer/common';
import { parseYamlShared } from '../config/yaml-input';
import { ConfigError } from '../config/errors';
import { memoize } from '../config/memo';
import { readPromqlString } from '../config/promql-syntax';
import { parsePromql } from './promql';

/**
 * Every rule reads its metrics only from the scrape job that owns them.
 *
 * Without a `job` selector, `pg_up == 0` also matches a `pg_up 0` that any other target serves on
 * its own `/metrics` (the API, a compromised pod): Prometheus attaches that target's `job` and
 * `instance`, but the rule does not look at them, so a neighbour can page falsely — or, with a
 * `pg_up 1`, hide nothing but confuse the alert. Selecting `job="postgres-exporter"` makes a forged
 * series a harmless extra series of the API's job.
 *
 * The owners come from the wiring (each `ScrapeTarget` names the metrics it exports, `ownsMetrics`),
 * and the check runs on the rule files as they are shipped, at synth: a rule that reads an owned
 * metric without `job="<owner>"`, or that names a job the stack does not scrape, fails synth. So a
 * renamed job or a new rule can never drift from the scrape configuration.
 */

/** A scrape job and the metric names (exact names, or `prefix*`) only it exports. */
export interface MetricOwnership {
  readonly job: string;
  readonly metrics: readonly string[];
}

/** A selector that reads an owned metric. */
export interface SelectorUse {
  readonly metric: string;
  /** Equality matchers on `job` (`job="x"`), by value. */
  readonly jobEquals: readonly string[];
  /** Any other matcher on `job` (`!=`, `=~`, `!~`), as written. */
  readonly otherJobMatchers: readonly string[];
}

/** Every vector selector of `expr` with its metric name and its `job` matchers. */
export function vectorSelectors(expr: string): SelectorUse[] {
  // Once per expression (lib/config/memo.ts): the same rules and panels are read for every environment.
  return memoize('promql-selectors', expr, () => findVectorSelectors(expr));
}

/**
 * The value of a PromQL string literal as Prometheus reads it (readPromqlString, lib/config/promql-syntax.ts). An
 * expression reaches this only once the syntax check has passed it, so a refused escape cannot occur;
 * the literal is then taken as written.
 */
export function unquotePromqlString(literal: string): string {
  const read = readPromqlString(literal);
  return 'value' in read ? read.value : literal;
}

function findVectorSelectors(expr: string): SelectorUse[] {
  const out: SelectorUse[] = [];
  const text = (n: SyntaxNode) => expr.slice(n.from, n.to);
  parsePromql(expr).iterate({
    enter: (ref) => {
      if (ref.name !== 'VectorSelector') return undefined;
      const node = ref.node;
      let metric = '';
      const jobEquals: string[] = [];
      const otherJobMatchers: string[] = [];
      for (let c = node.firstChild; c; c = c.nextSibling) {
        if (c.name === 'Identifier') metric = text(c);
        if (c.name !== 'LabelMatchers') continue;
        for (let m = c.firstChild; m; m = m.nextSibling) {
          // `{"name.with.dots", job="x"}`: a quoted name alone in the braces is the metric name.
          if (m.name === 'QuotedLabelName') metric = unquotePromqlString(text(m));
          const name = m.getChild('LabelName') ?? m.getChild('QuotedLabelName');
          const op = m.getChild('MatchOp');
          const value = m.getChild('StringLiteral');
          if (!name || !op || !value) continue;
          const label = name.name === 'QuotedLabelName' ? unquotePromqlString(text(name)) : text(name);
          if (label === '__name__' && op.firstChild?.name === 'EqlSingle') metric = unquotePromqlString(text(value));
          if (label !== 'job') continue;
          if (op.firstChild?.name === 'EqlSingle') jobEquals.push(unquotePromqlString(text(value)));
          else otherJobMatchers.push(text(m));
        }
      }
      out.push({ metric, jobEquals, otherJobMatchers });
      return false;
    },
  });
  return out;
}

function owns(pattern: string, metric: string): boolean {
  return pattern.endsWith('*') ? metric.startsWith(pattern.slice(0, -1)) : metric === pattern;
}

/** The job that owns `metric`, if any. */
export function ownerOf(metric: string, owners: readonly MetricOwnership[]): string | undefined {
  return owners.find((o) => o.metrics.some((p) => owns(p, metric)))?.job;
}

/** Problems of one expression: owned metrics read without their job, and unknown jobs. */
export function jobSelectorProblems(expr: string, owners: readonly MetricOwnership[], jobs: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  for (const s of vectorSelectors(expr)) {
    for (const j of s.jobEquals) if (!jobs.has(j)) problems.push(`selects job="${j}", which no scrape job is called (jobs: ${[...jobs].join(', ')})`);
    const owner = s.metric ? ownerOf(s.metric, owners) : undefined;
    if (!owner) continue;
    if (s.jobEquals.length !== 1 || s.jobEquals[0] !== owner || s.otherJobMatchers.length > 0) {
      problems.push(`reads ${s.metric} without the selector job="${owner}" (the only job that exports it; any other target could serve a forged ${s.metric})`);
    }
  }
  return problems;
}

/**
 * Throws a ConfigError naming the file, the rule and the fix when a rule of `files` reads an owned
 * metric without selecting its job, or selects a job that does not exist.
 */
export function checkRuleJobs(files: readonly { name: string; text: string }[], owners: readonly MetricOwnership[], jobs: ReadonlySet<string>): void {
  for (const f of files) {
    const doc = parseYamlShared(f.text) as { groups?: { name: string; rules?: { record?: string; alert?: string; expr: string }[] }[] };
    for (const g of doc?.groups ?? []) {
      for (const r of g.rules ?? []) {
        const problems = jobSelectorProblems(String(r.expr), owners, jobs);
        if (problems.length > 0) {
          throw new ConfigError(`rules/${f.name}, group "${g.name}", rule "${r.alert ?? r.record}"`, String(r.expr).replace(/\s+/g, ' ').trim(), problems.join('; '),
            'select the owning scrape job in every selector of an exporter\'s metric (e.g. pg_up{job="postgres-exporter"})');
        }
      }
    }
  }
}
