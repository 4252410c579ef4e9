import { ConfigError } from '../config/errors';
import { parseDurationSeconds } from '../config/units';
import { parseRuleFile, ruleName } from './rules';

/** A duration of a rule (a range window or a `for:`) and where it is. */
interface RuleSpan {
  readonly seconds: number;
  readonly text: string;
  readonly where: string;
}

/** Range windows of an expression: `[5m]` and the range of a subquery `[30m:1m]`. */
const RANGE = /\[\s*([0-9a-z]+)\s*(?::[^\]]*)?\]/g;

/** Spans by rule file text: environments share most rule files. */
const cache = new Map<string, { range?: RuleSpan; for?: RuleSpan }>();

/** The shortest range window and the shortest non-zero `for:` over every rule of the files. */
export function shortestRuleSpans(files: readonly { name: string; text: string }[]): { range?: RuleSpan; for?: RuleSpan } {
  let range: RuleSpan | undefined;
  let forSpan: RuleSpan | undefined;
  for (const file of files) {
    const key = `${file.name}\n${file.text}`;
    let spans = cache.get(key);
    if (!spans) cache.set(key, (spans = spansOf(file)));
    if (spans.range && (!range || spans.range.seconds < range.seconds)) range = spans.range;
    if (spans.for && (!forSpan || spans.for.seconds < forSpan.seconds)) forSpan = spans.for;
  }
  return { range, for: forSpan };
}

function spansOf(file: { name: string; text: string }): { range?: RuleSpan; for?: RuleSpan } {
  let range: RuleSpan | undefined;
  let forSpan: RuleSpan | undefined;
  {
    for (const group of parseRuleFile(file.name, file.text).content.groups) {
      for (const rule of group.rules) {
        const where = `rule ${ruleName(rule)} in ${file.name}`;
        for (const m of rule.expr.matchAll(RANGE)) {
          const seconds = parseDurationSeconds(where, m[1]);
          if (!range || seconds < range.seconds) range = { seconds, text: m[1], where };
        }
        if (rule.for !== undefined && rule.for !== '0s') {
          const seconds = parseDurationSeconds(where, rule.for);
          if (!forSpan || seconds < forSpan.seconds) forSpan = { seconds, text: rule.for, where };
        }
      }
    }
  }
  return { range, for: forSpan };
}

/** Seconds as a Prometheus duration, e.g. 150 → "2m30s". */
const fmt = (seconds: number): string => {
  const s = Math.floor(seconds);
  const parts: [number, string][] = [[Math.floor(s / 3600), 'h'], [Math.floor((s % 3600) / 60), 'm'], [s % 60, 's']];
  return parts.filter(([n]) => n > 0).map(([n, u]) => `${n}${u}`).join('') || '0s';
};

/**
 * Refuses intervals that break the rules: `rate()` needs two samples inside its window, so a scrape
 * interval above half the shortest window leaves it empty (e.g. HighErrorRate can never fire at a
 * 10m scrape interval), and an evaluation interval above the shortest `for:` stretches that alert's
 * delay past what docs/alerts.md promises.
 */
export function checkAlertWindows(field: string, scrapeInterval: string, evaluationInterval: string, files: readonly { name: string; text: string }[]): void {
  const spans = shortestRuleSpans(files);
  const scrape = parseDurationSeconds(`${field}.scrapeInterval`, scrapeInterval);
  if (spans.range && scrape * 2 > spans.range.seconds) {
    throw new ConfigError(`${field}.scrapeInterval`, scrapeInterval,
      `is more than half the shortest rate window [${spans.range.text}] (${spans.range.where}): rate() needs two samples in its window, so that rule returns nothing and its alerts can never fire`,
      `use at most ${fmt(spans.range.seconds / 2)} (Prometheus recommends a quarter of the window: ${fmt(spans.range.seconds / 4)})`);
  }
  const evaluation = parseDurationSeconds(`${field}.evaluationInterval`, evaluationInterval);
  if (spans.for && evaluation > spans.for.seconds) {
    throw new ConfigError(`${field}.evaluationInterval`, evaluationInterval,
      `is longer than the shortest for: ${spans.for.text} (${spans.for.where}), so that alert would wait a whole evaluation interval instead`,
      `use at most ${fmt(spans.for.seconds)}`);
  }
}
