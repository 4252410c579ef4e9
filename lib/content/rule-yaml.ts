import { load } from 'js-yaml';
import { memoize } from '../config/memo';

/**
 * `load(text)` of js-yaml, once per distinct text (lib/config/memo.ts): the same rule files are read
 * by the syntax check, the alert-window check, the job check and the lean keep-lists, for every
 * environment. The result is shared, so it is frozen: a caller that tried to change it would throw
 * instead of changing what the others read. Invalid YAML throws js-yaml's error, as `load` does.
 */
export function loadRuleYaml(text: string): unknown {
  return deepFreeze(memoize('rule-yaml', text, () => load(text)));
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
