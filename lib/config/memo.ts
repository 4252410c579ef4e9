/**
 * Results of pure functions of text — PromQL analysis, YAML parsing and rendering — by table and
 * key. Within one process every result is computed once (the same rules, panels and objects recur
 * in every environment). The synth program also keeps them between runs (lib/output/memo-file.ts):
 * a key is the whole input (or its SHA-1), so a changed input is a new key, never a stale result,
 * and the file is discarded whenever the program itself changes. Values must survive JSON.
 */
const tables = new Map<string, Map<string, unknown>>();
/** Keys whose value would not survive JSON (a YAML timestamp, NaN…): used in this run, never stored. */
const unstorable = new Map<string, Set<string>>();
let stored: Record<string, Record<string, unknown>> | undefined;
let computedSinceLoad = 0;

/** Whether `value` is made only of what JSON keeps as it is: plain objects, arrays, strings, finite numbers, booleans, null. */
export function isPlainJson(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isPlainJson);
  if (typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return false;
  return Object.values(value as object).every(isPlainJson);
}

/**
 * The result of `compute` for `key` in `table`: from this run, from the stored results, or computed
 * now. A result that is not plain JSON is kept for this run only. `compute` throwing stores nothing.
 */
export function memoize<T>(table: string, key: string, compute: () => T): T {
  let results = tables.get(table);
  if (!results) tables.set(table, (results = new Map()));
  if (results.has(key)) return results.get(key) as T;
  const saved = stored?.[table];
  let value: T;
  if (saved && Object.prototype.hasOwnProperty.call(saved, key)) {
    value = saved[key] as T;
  } else {
    value = compute();
    if (isPlainJson(value)) computedSinceLoad++;
    else {
      if (!unstorable.has(table)) unstorable.set(table, new Set());
      unstorable.get(table)!.add(key);
    }
  }
  results.set(key, value);
  return value;
}

/** Makes results stored by an earlier run available (a JSON object of tables); malformed input is ignored. */
export function useStoredResults(results: unknown): void {
  stored = undefined;
  if (typeof results !== 'object' || results === null || Array.isArray(results)) return;
  const tablesIn: Record<string, Record<string, unknown>> = Object.create(null);
  for (const [name, table] of Object.entries(results)) {
    if (typeof table === 'object' && table !== null && !Array.isArray(table)) tablesIn[name] = table as Record<string, unknown>;
  }
  stored = tablesIn;
}

/** The results this run used, to store for the next (only those: the file never grows with old inputs). */
export function resultsOfThisRun(): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [name, results] of [...tables].sort(([a], [b]) => a.localeCompare(b))) {
    const skip = unstorable.get(name);
    out[name] = Object.fromEntries([...results].filter(([key]) => !skip?.has(key)));
  }
  return out;
}

/** How many results this run computed rather than found (0: storing them again would change nothing). */
export function computedCount(): number {
  return computedSinceLoad;
}
