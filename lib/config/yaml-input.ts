import { parseAllDocuments, parse, YAMLError } from 'yaml';

/**
 * YAML input (the config file, the backend manifests), parsed with limits: at most 100 alias
 * expansions, so a "billion laughs" file fails in milliseconds instead of filling memory; YAML 1.2
 * core schema as before (js-yaml's), merge keys (`<<:`) allowed, duplicate keys refused.
 */
const OPTIONS = { maxAliasCount: 100, merge: true, uniqueKeys: true, prettyErrors: true } as const;

/** What went wrong, as one line (the parser's first line, with its line and column). */
function oneLine(e: unknown): string {
  const message = (e as Error).message;
  if (/alias count|resource exhaustion/i.test(message)) return 'uses more than 100 YAML alias expansions (a "billion laughs" file?)';
  return message.split('\n')[0];
}

/** Parses one YAML document; throws an Error with a one-line message. */
export function parseYaml(text: string): unknown {
  try {
    return parse(text, OPTIONS);
  } catch (e) {
    throw new Error(oneLine(e));
  }
}

/** Parses a multi-document YAML file; throws an Error with a one-line message. */
export function parseYamlDocuments(text: string): unknown[] {
  try {
    return parseAllDocuments(text, OPTIONS).map((doc) => {
      if (doc.errors.length > 0) throw doc.errors[0];
      return doc.toJS({ maxAliasCount: OPTIONS.maxAliasCount });
    });
  } catch (e) {
    throw new Error(e instanceof YAMLError || e instanceof Error ? oneLine(e) : String(e));
  }
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
