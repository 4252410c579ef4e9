// The shape of lib/: no import cycle, no file over 300 lines (examples/ and main.ts too).
import { readdirSync, readFileSync, statSync } from 'fs';
import { dirname, join, relative, resolve } from 'path';

const ROOT = resolve(__dirname, '..');
const MAX_LINES = 300;

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** Relative imports of a file, `import type` included: a cycle of types is still a tangle to read. */
function localImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1]);
  return specs.map((s) => {
    const base = resolve(dirname(file), s);
    for (const candidate of [`${base}.ts`, join(base, 'index.ts'), ...(base.endsWith('.json') ? [base] : [])]) {
      try { if (statSync(candidate).isFile()) return candidate; } catch { /* next */ }
    }
    throw new Error(`${relative(ROOT, file)} imports ${s}, which does not exist`);
  });
}

/** Every cycle reachable in the import graph, each as the list of files around it. */
export function importCycles(files: readonly string[]): string[][] {
  const graph = new Map(files.map((f) => [f, localImports(f)]));
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (f: string): void => {
    state.set(f, 'open');
    stack.push(f);
    for (const g of graph.get(f) ?? localImports(f)) {
      if (state.get(g) === 'open') cycles.push([...stack.slice(stack.indexOf(g)), g].map((x) => relative(ROOT, x)));
      else if (!state.has(g)) visit(g);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of files) if (!state.has(f)) visit(f);
  return cycles;
}

const libFiles = tsFiles(join(ROOT, 'lib'));
const exampleFiles = tsFiles(join(ROOT, 'examples'));

describe('lib/ layout', () => {
  test('has no import cycle (examples/ and main.ts included)', () => {
    expect(importCycles([...libFiles, ...exampleFiles, join(ROOT, 'main.ts')]).map((c) => c.join(' -> '))).toEqual([]);
  });

  test(`has no file over ${MAX_LINES} lines`, () => {
    const long = [...libFiles, ...exampleFiles, join(ROOT, 'main.ts')]
      .map((f) => [relative(ROOT, f), readFileSync(f, 'utf8').split('\n').length - 1] as const)
      .filter(([, lines]) => lines > MAX_LINES);
    expect(long).toEqual([]);
  });

  test('is in layers: config, wiring, components, content, output (and the public index)', () => {
    expect(readdirSync(join(ROOT, 'lib')).sort()).toEqual(['components', 'config', 'content', 'index.ts', 'output', 'wiring']);
  });

  test('the cycle check finds a cycle', () => {
    const dir = join(ROOT, 'test', 'fixtures', 'import-cycle');
    expect(importCycles(tsFiles(dir))).toEqual([['a.ts', 'b.ts', 'a.ts'].map((f) => relative(ROOT, join(dir, f)))]);
  });
});
