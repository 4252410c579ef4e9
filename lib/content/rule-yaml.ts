import { load } from 'js-yaml';

/**
 * Parsed rule-file texts, by text: the same files are read by the syntax check, the alert-window
 * check, the job check and the lean keep-lists, for every environment. The result is shared, so it
 * is frozen: a caller that tried to change it would throw instead of changing what the others read.
 */
const parsed = new Map<string, unknown>();

/** `load(text)` of js-yaml, once per distinct text (throws js-yaml's error, uncached, like `load`). */
export function loadRuleYaml(text: string): unknown {
  if (parsed.has(text)) return parsed.get(text);
  const doc = deepFreeze(load(text));
  parsed.set(text, doc);
  return doc;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
