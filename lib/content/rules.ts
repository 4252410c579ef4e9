import * as fs from 'fs';
import * as path from 'path';
import { parseYamlShared } from '../config/yaml-input';
import { ConfigError } from '../config/errors';
import { toYaml } from '../output/yaml-output';
import { findPromqlSyntaxError } from './promql';

/**
 * Prometheus rule files kept as data under rules/ (`*.rules.yaml`), loaded as they are and mounted
 * into Prometheus. Tests: test/rules.test.ts (promtool check/test rules on every file).
 */

/** One rule of a group: a recording rule (`record`) or an alerting rule (`alert`). */
export interface Rule {
  readonly record?: string;
  readonly alert?: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

export interface RuleGroup {
  readonly name: string;
  readonly interval?: string;
  readonly rules: readonly Rule[];
}

export interface RuleFileContent {
  readonly groups: readonly RuleGroup[];
}

/** A rule file: its file name, its parsed content and its text as it is shipped. */
export interface RuleFile {
  readonly name: string;
  readonly content: RuleFileContent;
  readonly text: string;
}

/** Suffix of the rule files under rules/. */
export const RULE_FILE_SUFFIX = '.rules.yaml';

/**
 * The base every `runbook_url` annotation in rules/ starts with, followed by `#<alert name in lower
 * case>` (the heading anchor in docs/runbooks.md). See setRunbookBase.
 */
export const DEFAULT_RUNBOOK_BASE = 'https://github.com/nanoe/nanoe-monitoring/blob/main/docs/runbooks.md';

/** Reads and parses every `*.rules.yaml` of `dir` (not its subfolders), sorted by name. */
export function loadRuleFiles(dir: string): RuleFile[] {
  const names = fs
    .readdirSync(dir)
    .filter((name) => name.endsWith(RULE_FILE_SUFFIX))
    .sort();
  return names.map((name) => parseRuleFile(name, fs.readFileSync(path.join(dir, name), 'utf8')));
}

/** Parses the text of one rule file; throws an Error naming the file if it is not a rule file. */
export function parseRuleFile(name: string, text: string): RuleFile {
  let content: unknown;
  try {
    content = parseYamlShared(text);
  } catch (e) {
    throw new Error(`rule file ${name}: invalid YAML: ${(e as Error).message}`);
  }
  checkShape(name, content);
  return { name, content, text };
}

function checkShape(file: string, content: unknown): asserts content is RuleFileContent {
  const fail = (where: string, problem: string): never => {
    throw new Error(`rule file ${file}${where}: ${problem}`);
  };
  if (!isObject(content) || !Array.isArray(content.groups)) return fail('', 'must be a mapping with a "groups" list');
  for (const [gi, group] of (content.groups as unknown[]).entries()) {
    if (!isObject(group) || typeof group.name !== 'string' || !Array.isArray(group.rules)) {
      return fail(`, groups[${gi}]`, 'must have a "name" and a "rules" list');
    }
    for (const [ri, rule] of (group.rules as unknown[]).entries()) {
      const where = `, group "${group.name}", rules[${ri}]`;
      if (!isObject(rule)) return fail(where, 'must be a mapping');
      if ((typeof rule.record === 'string') === (typeof rule.alert === 'string')) {
        return fail(where, 'must have exactly one of "record" and "alert"');
      }
      if (typeof rule.expr !== 'string') return fail(`${where} (${String(rule.record ?? rule.alert)})`, '"expr" must be a string');
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The `record` or `alert` name of a rule. */
export function ruleName(rule: Rule): string {
  return rule.record ?? rule.alert ?? '(unnamed)';
}

/**
 * Parses every `expr` with Prometheus's PromQL grammar. Throws an Error naming the file, group,
 * rule and the parser's message for the first expression that does not parse.
 */
export function validateRuleExpressions(files: readonly RuleFile[]): void {
  for (const file of files) {
    for (const group of file.content.groups) {
      for (const rule of group.rules) {
        const error = findPromqlSyntaxError(rule.expr);
        if (error) {
          throw new Error(
            `rule file ${file.name}, group "${group.name}", rule "${ruleName(rule)}": invalid PromQL: ${error.message}`,
          );
        }
      }
    }
  }
}

/** Every `record:` name of the files: the series a dashboard may read besides the exporters'. */
export function recordedMetricNames(files: readonly RuleFile[]): Set<string> {
  const names = new Set<string>();
  for (const file of files) {
    for (const group of file.content.groups) {
      for (const rule of group.rules) if (rule.record !== undefined) names.add(rule.record);
    }
  }
  return names;
}

/** Every alerting rule of the files, with the file and group it is in. */
export function alertingRules(files: readonly RuleFile[]): { file: string; group: string; rule: Rule & { alert: string } }[] {
  const result: { file: string; group: string; rule: Rule & { alert: string } }[] = [];
  for (const file of files) {
    for (const group of file.content.groups) {
      for (const rule of group.rules) {
        if (rule.alert !== undefined) result.push({ file: file.name, group: group.name, rule: rule as Rule & { alert: string } });
      }
    }
  }
  return result;
}

/**
 * Points every `runbook_url` that starts with DEFAULT_RUNBOOK_BASE at another base (a fork, an
 * internal wiki). Files without such URLs are returned unchanged, text included; the others are
 * re-rendered from their content (comments are dropped).
 */
export function setRunbookBase(files: readonly RuleFile[], base: string): RuleFile[] {
  const newBase = base.replace(/\/+$/, '');
  if (newBase === DEFAULT_RUNBOOK_BASE) return [...files];
  return files.map((file) => {
    let changed = false;
    const groups = file.content.groups.map((group) => ({
      ...group,
      rules: group.rules.map((rule) => {
        const url = rule.annotations?.runbook_url;
        if (url === undefined || !url.startsWith(`${DEFAULT_RUNBOOK_BASE}#`)) return rule;
        changed = true;
        return { ...rule, annotations: { ...rule.annotations, runbook_url: newBase + url.slice(DEFAULT_RUNBOOK_BASE.length) } };
      }),
    }));
    if (!changed) return file;
    const content = { groups };
    return { name: file.name, content, text: toYaml(content) };
  });
}

/** Throws when a name is not usable as a rule file name in a ConfigMap. */
export function checkRuleFileName(name: string): void {
  if (!/^[-._a-zA-Z0-9]+$/.test(name)) {
    throw new ConfigError('rules/', name, 'is not a valid ConfigMap key', 'rename the file using letters, digits, "-", "_" and "." only');
  }
}
