import { copyFileSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'fs';
import { dirname, join } from 'path';
import { fileProblem } from '../config/errors';

/**
 * Writing the output folder, generic over whatever files synth produces: every top-level folder
 * synth writes (one per environment, `gitops/`, any other) is replaced as a whole by one rename, and
 * carries a marker listing its files and the environment each belongs to. So:
 * - a folder without the marker was not written by synth and is never replaced;
 * - synthesizing some environments (`--env`) rewrites only their files (files of other environments
 *   in a shared folder are carried over);
 * - files of environments no longer in the config stay until `prune` is asked for;
 * - an interruption leaves each folder wholly old or wholly new: signals wait until the (synchronous)
 *   write is over, and after a SIGKILL the next run puts back the one folder that was being swapped.
 */

/** The marker file in every folder synth writes. Not `.yaml`/`.json`, so kubectl and Argo CD ignore it. */
export const MARKER = '.nanoe-monitoring';
const STAGE_PREFIX = '.nanoe-stage.';
const OLD_PREFIX = '.nanoe-old.';

/** One output file and the environment it belongs to. */
export interface OwnedFile {
  /** Path relative to the output folder, e.g. `prod/nanoe-monitoring.k8s.yaml`. */
  readonly path: string;
  readonly text: string;
  readonly environment: string;
}

/** What a write did, folder by folder (paths relative to the output folder). */
export interface WriteReport {
  readonly written: string[];
  readonly removed: string[];
  /** Folders restored from a run that was killed while swapping. */
  readonly recovered: string[];
  /** Environments in the output that the config no longer has (kept unless pruned). */
  readonly orphans: { folder: string; environments: string[] }[];
}

/** A filesystem or ownership problem: the message names the path and the fix, and what was written before it. */
export class OutputError extends Error {
  constructor(message: string, readonly written: readonly string[] = [], readonly notWritten: readonly string[] = []) {
    super(message);
    this.name = 'OutputError';
  }
}

type Marker = { generator: 'nanoe-monitoring'; files: Record<string, string> };

function fsError(e: unknown, path: string, action: 'read' | 'write'): OutputError {
  if (e instanceof OutputError) return e;
  const { problem, fix } = fileProblem(e, action);
  return new OutputError(`${path} ${problem} — ${fix}`);
}

/** `mkdir -p` that gives up instead of looping where a parent cannot be created (e.g. under /proc). */
export function makeDirectory(dir: string): void {
  try {
    mkdirSync(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' && lstatOrUndefined(dir)?.isDirectory()) return;
    if (code === 'EEXIST') {
      try { if (readdirSync(dir)) return; } catch { /* a file, not a folder (or a link to one) */ }
      throw new OutputError(`${dir} is a file, not a folder — choose another --out`);
    }
    if (code !== 'ENOENT' || dirname(dir) === dir) throw fsError(e, dir, 'write');
    makeDirectory(dirname(dir));
    try { mkdirSync(dir); } catch (e2) { throw fsError(e2, dir, 'write'); }
  }
}

function lstatOrUndefined(path: string) {
  try { return lstatSync(path); } catch { return undefined; }
}

/** The marker of a top-level folder, or undefined when it has none (or is not a folder). */
export function readMarker(folder: string): Marker | undefined {
  try {
    const m = JSON.parse(readFileSync(join(folder, MARKER), 'utf8')) as Marker;
    return m.generator === 'nanoe-monitoring' && typeof m.files === 'object' ? m : undefined;
  } catch {
    return undefined;
  }
}

/** Finishes or undoes what a killed run left: folders moved aside are put back unless their replacement is in place. */
export function recoverOutput(outdir: string): string[] {
  const recovered: string[] = [];
  for (const name of readdirSync(outdir)) {
    if (name.startsWith(STAGE_PREFIX)) rmSync(join(outdir, name), { recursive: true, force: true });
    if (!name.startsWith(OLD_PREFIX)) continue;
    const top = name.slice(name.indexOf('.', OLD_PREFIX.length) + 1);
    if (lstatOrUndefined(join(outdir, top))) {
      rmSync(join(outdir, name), { recursive: true, force: true });
    } else {
      renameSync(join(outdir, name), join(outdir, top));
      recovered.push(top);
    }
  }
  return recovered;
}

/**
 * Writes `files` into `outdir` (its real path, locked by the caller): `environments` are the ones
 * rendered (their old files are replaced), `known` every environment of the config; with `prune`,
 * files of environments not in `known` are removed.
 */
export function writeOutput(
  outdir: string, files: readonly OwnedFile[], environments: readonly string[], known: readonly string[], prune: boolean,
  /** Test hook: called before each folder is swapped in (a throw simulates a failure mid-swap). */
  beforeSwap?: (folder: string) => void,
): WriteReport {
  const recovered = recoverOutput(outdir);
  const rendered = new Set(environments);
  const byTop = new Map<string, OwnedFile[]>();
  for (const f of files) {
    const top = f.path.split('/')[0];
    if (top.startsWith('.') || f.path.split('/').includes('..')) throw new OutputError(`${f.path} is not a path synth may write`);
    byTop.set(top, [...(byTop.get(top) ?? []), f]);
  }
  // Folders with a marker: synth wrote them and may rewrite them.
  const markers = new Map<string, Marker>();
  for (const name of readdirSync(outdir)) {
    if (name.startsWith('.')) continue;
    const marker = readMarker(join(outdir, name));
    if (marker) markers.set(name, marker);
    else if (byTop.has(name)) {
      throw new OutputError(`${join(outdir, name)} exists and was not written by nanoe-monitoring (it has no ${MARKER} marker), so synth will not replace it — nothing was written; move it away or choose another --out (if it is the output of an older version, delete it)`);
    }
  }
  const orphans: WriteReport['orphans'] = [];
  const plan: { top: string; files: { path: string; text?: string; from?: string; environment: string }[] }[] = [];
  for (const top of new Set([...byTop.keys(), ...markers.keys()])) {
    const old = markers.get(top)?.files ?? {};
    const keep = Object.entries(old).filter(([, env]) => !rendered.has(env) && (!prune || known.includes(env)));
    const gone = [...new Set(Object.values(old).filter((env) => !known.includes(env)))];
    if (gone.length > 0 && !prune) orphans.push({ folder: top, environments: gone.sort() });
    const touched = byTop.has(top) || keep.length !== Object.keys(old).length;
    if (!touched) continue;
    const paths = new Map(keep.map(([path, env]) => [path, env]));
    for (const f of byTop.get(top) ?? []) {
      const rel = f.path.slice(top.length + 1);
      if (paths.has(rel)) throw new OutputError(`${f.path} would be written for both environment "${paths.get(rel)}" and "${f.environment}" — nothing was written; rename one of them`);
      paths.set(rel, f.environment);
    }
    plan.push({
      top,
      files: [
        ...keep.map(([path, environment]) => ({ path, from: join(outdir, top, path), environment })),
        ...(byTop.get(top) ?? []).map((f) => ({ path: f.path.slice(top.length + 1), text: f.text, environment: f.environment })),
      ],
    });
  }
  const id = `${process.pid}-${Date.now().toString(36)}`;
  const stage = join(outdir, `${STAGE_PREFIX}${id}`);
  try {
    // 1. Stage every folder completely (nothing in the output changes yet).
    makeDirectory(stage);
    for (const { top, files: fs } of plan) {
      if (fs.length === 0) continue;
      const marker: Marker = { generator: 'nanoe-monitoring', files: {} };
      for (const f of [...fs].sort((a, b) => (a.path < b.path ? -1 : 1))) {
        const to = join(stage, top, f.path);
        makeDirectory(dirname(to));
        if (f.text !== undefined) writeFileSync(to, f.text);
        else copyFileSync(f.from!, to);
        marker.files[f.path] = f.environment;
      }
      writeFileSync(join(stage, top, MARKER), `${JSON.stringify(marker, null, 1)}\n`);
    }
  } catch (e) {
    rmSync(stage, { recursive: true, force: true });
    throw fsError(e, stage, 'write');
  }
  // 2. Swap folder by folder: each is one rename away from the old or the new version.
  const written: string[] = [];
  const removed: string[] = [];
  for (const [i, { top, files: fs }] of plan.entries()) {
    const target = join(outdir, top);
    const aside = join(outdir, `${OLD_PREFIX}${id}.${top}`);
    let movedAside = false;
    try {
      if (lstatOrUndefined(target)) { renameSync(target, aside); movedAside = true; }
      beforeSwap?.(top);
      if (fs.length > 0) renameSync(join(stage, top), target);
      (fs.length > 0 ? written : removed).push(top);
    } catch (e) {
      if (movedAside && !lstatOrUndefined(target)) renameSync(aside, target);
      removeAsides(outdir, id);
      rmSync(stage, { recursive: true, force: true });
      const rest = plan.slice(i).map((p) => p.top);
      const err = fsError(e, target, 'write');
      throw new OutputError(`${err.message}`, [...written, ...removed], rest);
    }
  }
  removeAsides(outdir, id);
  rmSync(stage, { recursive: true, force: true });
  return { written, removed, recovered, orphans };
}

/** Deletes the old versions this run moved aside (their replacements are in place). */
function removeAsides(outdir: string, id: string): void {
  for (const name of readdirSync(outdir)) {
    if (name.startsWith(`${OLD_PREFIX}${id}.`)) rmSync(join(outdir, name), { recursive: true, force: true });
  }
}
