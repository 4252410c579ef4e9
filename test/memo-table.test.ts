/**
 * The table of results of pure functions (lib/config/memo.ts), in process: computed once per key,
 * stored only when JSON keeps it as it is, malformed stored results ignored, written in a fixed
 * order. Part of the `config` mutation pass (docs/mutation.md); the synth program keeping them
 * between runs is test/memo.test.ts.
 */
type MemoModule = typeof import('../lib/config/memo');

/** A fresh copy of the memo module (its tables are per process). */
function freshMemo(): MemoModule {
  let m: MemoModule | undefined;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    m = require('../lib/config/memo');
  });
  return m!;
}

describe('memoize', () => {
  test('computes once per key in a run, and not at all when a stored result exists', () => {
    const m = freshMemo();
    const compute = jest.fn((k: string) => k.toUpperCase());
    expect(m.memoize('t', 'a', () => compute('a'))).toBe('A');
    expect(m.memoize('t', 'a', () => compute('a'))).toBe('A');
    expect(compute).toHaveBeenCalledTimes(1);
    expect(m.computedCount()).toBe(1);

    const next = freshMemo();
    next.useStoredResults(m.resultsOfThisRun());
    const again = jest.fn(() => 'never');
    expect(next.memoize('t', 'a', again)).toBe('A');
    expect(again).not.toHaveBeenCalled();
    expect(next.computedCount()).toBe(0);
    expect(next.memoize('t', 'b', () => 'B')).toBe('B'); // a new input is computed
    expect(next.computedCount()).toBe(1);
  });

  test('a stored key is found only as the table\'s own key, never through the object prototype', () => {
    const m = freshMemo();
    m.useStoredResults({ t: {} });
    expect(m.memoize('t', 'constructor', () => 'computed')).toBe('computed');
    expect(m.memoize('t', 'toString', () => 'computed too')).toBe('computed too');
  });

  test('stores only what JSON keeps as it is, and only what this run used', () => {
    const m = freshMemo();
    m.useStoredResults({ t: { old: 'unused' } });
    m.memoize('t', 'date', () => new Date(0));
    m.memoize('t', 'nan', () => Number.NaN);
    m.memoize('t', 'plain', () => ({ a: [1, 'x', null, true] }));
    m.memoize('only-plain', 'k', () => 'v'); // a table without unstorable keys
    expect(m.resultsOfThisRun()).toEqual({ t: { plain: { a: [1, 'x', null, true] } }, 'only-plain': { k: 'v' } });
    expect(m.computedCount()).toBe(2);
  });

  test('the results are written table by table in name order, whatever order they were first used in', () => {
    const m = freshMemo();
    for (const name of ['yaml-parse-all', 'promql-syntax-error', 'yaml', 'yaml-parse']) m.memoize(name, 'k', () => name);
    expect(Object.keys(m.resultsOfThisRun())).toEqual(['promql-syntax-error', 'yaml', 'yaml-parse', 'yaml-parse-all']);
  });

  test('a throwing computation stores nothing', () => {
    const m = freshMemo();
    expect(() => m.memoize('t', 'bad', () => { throw new Error('boom'); })).toThrow('boom');
    expect(m.resultsOfThisRun()).toEqual({ t: {} });
    expect(m.computedCount()).toBe(0);
  });

  test('malformed stored results are ignored, whatever their shape', () => {
    // Key '0' would be found in a string or a list taken for a table; 'k' in a list of tables.
    const junk: unknown[] = [
      null, 'x', 5, [1], [{ k: 'stored' }], Object.assign(() => 0, { t: { k: 'stored' } }),
      { t: 'not a table' }, { t: ['stored'] }, { t: null },
    ];
    for (const j of junk) {
      const m = freshMemo();
      m.useStoredResults(j);
      for (const [table, key] of [['t', 'k'], ['t', '0'], ['0', 'k']]) {
        expect(m.memoize(table, key, () => 'computed')).toBe('computed');
      }
    }
  });

  test('a later call replaces what an earlier one made available', () => {
    const m = freshMemo();
    m.useStoredResults({ t: { k: 'stored' } });
    m.useStoredResults(null);
    expect(m.memoize('t', 'k', () => 'computed')).toBe('computed');
  });
});

describe('isPlainJson', () => {
  test('plain objects, arrays, strings, finite numbers, booleans and null, at any depth', () => {
    const m = freshMemo();
    for (const v of [{ a: [1, 'b', { c: null }], d: false }, null, '', 'x', 0, -1.5, true, false, [], {}, [[[]]]]) {
      expect(m.isPlainJson(v)).toBe(true);
    }
  });

  test('anything JSON would change or drop, alone or next to plain values', () => {
    const m = freshMemo();
    const notPlain: unknown[] = [
      new Date(0), Number.POSITIVE_INFINITY, Number.NaN, undefined, 1n, Symbol('s'), () => 1,
      new Map(), Object.create(null), [() => 1],
      [1, undefined], ['x', Number.NaN], { a: 1, b: undefined }, { a: 'x', b: new Date(0) }, { a: { b: [1, Number.NEGATIVE_INFINITY] } },
    ];
    for (const v of notPlain) expect(m.isPlainJson(v)).toBe(false);
  });
});
