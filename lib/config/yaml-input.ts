import { load, loadAll } from 'js-yaml';
import { memoize } from './memo';

/**
 * YAML input (the config file, the backend manifests): js-yaml (YAML 1.2 core schema, merge keys,
 * duplicate keys refused), with aliases limited. js-yaml itself shares one object per anchor, but
 * every walk over the result (validation, merging, cloning) expands it, so a "billion laughs" file
 * took 23 s and 1.36 GB before failing. The document is walked once with a budget of 10,000 repeated
 * visits (a value reached again through an alias, counted with everything under it), which fails such
 * a file in milliseconds and never touches a normal config (merge keys copy, aliases are rare).
 */
const MAX_ALIAS_EXPANSION = 10_000;

/** What went wrong, as one line with line and column. */
function oneLine(e: unknown): string {
  const y = e as { reason?: string; mark?: { line: number; column: number }; message: string };
  return y.reason && y.mark ? `${y.reason} at line ${y.mark.line + 1}, column ${y.mark.column + 1}` : y.message.split('\n')[0];
}

function checkAliasExpansion(doc: unknown): void {
  const seen = new Set<object>();
  let repeats = 0;
  const walk = (v: unknown, repeated: boolean): void => {
    if (typeof v !== 'object' || v === null) return;
    const again = repeated || seen.has(v);
    if (again && ++repeats > MAX_ALIAS_EXPANSION) {
      throw new Error(`expands to more than ${MAX_ALIAS_EXPANSION} values through YAML aliases (a "billion laughs" file?); write the values out or use fewer aliases`);
    }
    seen.add(v);
    for (const k of Object.keys(v)) walk((v as Record<string, unknown>)[k], again);
  };
  walk(doc, false);
}

/**
 * `parse(text)`, checked (one-line errors, alias expansion limited), once per distinct text
 * (lib/config/memo.ts): config, rules and manifests are read by several checks, for every
 * environment. The result is shared, so it is frozen: a caller that tried to change it would throw
 * instead of changing what the others read.
 */
function checkedOnce<T>(table: string, text: string, parse: (text: string) => T): T {
  return deepFreeze(memoize(table, text, () => {
    let doc: T;
    try {
      doc = parse(text);
    } catch (e) {
      throw new Error(oneLine(e));
    }
    checkAliasExpansion(doc);
    return doc;
  }));
}

/**
 * Freezes `value` and everything under it. `Object.isFrozen` is true of every primitive, so one test
 * ends the walk at a leaf and at a part already frozen (reached again through an alias).
 */
function deepFreeze<T>(value: T): T {
  if (Object.isFrozen(value)) return value;
  Object.freeze(value);
  for (const v of Object.values(value as object)) deepFreeze(v);
  return value;
}

/** Parses one YAML document, shared and frozen (read-only callers); throws an Error with a one-line message. */
export function parseYamlShared(text: string): unknown {
  return checkedOnce('yaml-parse', text, (t) => load(t));
}

/** Parses one YAML document, a copy of its own that the caller may change; throws an Error with a one-line message. */
export function parseYaml(text: string): unknown {
  return structuredClone(parseYamlShared(text));
}

/** Parses a multi-document YAML file, a copy of its own; throws an Error with a one-line message. */
export function parseYamlDocuments(text: string): unknown[] {
  return structuredClone(checkedOnce('yaml-parse-all', text, (t) => loadAll(t)));
}

/** Keys that change an object's prototype when copied: refused wherever YAML input is read. */
export const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** The dotted path of the first forbidden key in a parsed document, or undefined. */
export function findForbiddenKey(value: unknown, path: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  for (const key of Object.keys(value)) {
    const at = Array.isArray(value) ? `${path}[${key}]` : `${path}.${key}`;
    if (!Array.isArray(value) && FORBIDDEN_KEYS.has(key)) return at;
    const found = findForbiddenKey((value as Record<string, unknown>)[key], at);
    if (found) return found;
  }
  return undefined;
}
