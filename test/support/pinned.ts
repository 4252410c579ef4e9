/**
 * The exact releases versions.json pins, as scripts/pinned-binaries.mjs fetched and verified them
 * (it runs as jest's global set-up). Tests start these programs only from here, never from PATH,
 * so no test can run another release than the image in dist/.
 */
import { existsSync, readFileSync } from 'fs';
import { dirname, join } from 'path';

/** The project root: the nearest folder up from here with versions.json (this file may run bundled, from build/). */
export const PROJECT_ROOT = ((): string => {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'versions.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`versions.json not found above ${__dirname}`);
  }
})();
const ROOT = PROJECT_ROOT;
const MANIFEST = join(ROOT, '.tmp', 'pinned', 'manifest.json');

/** One verified binary: where it is, and the component and upstream version it belongs to. */
export interface PinnedBinary {
  readonly path: string;
  readonly component: string;
  readonly version: string;
}

/** The version table (versions.json). */
export const VERSION_TABLE: {
  debianSuite: string;
  components: Record<string, { upstream: string; variant?: string; image: string; debian?: { packages: Record<string, string>; binaries: Record<string, string> }; facts?: string }>;
} = JSON.parse(readFileSync(join(ROOT, 'versions.json'), 'utf8'));

/** Every pinned binary by name (prometheus, promtool, prometheus-alertmanager, amtool, the exporters). */
export function pinnedBinaries(): Record<string, PinnedBinary> {
  if (!existsSync(MANIFEST)) {
    throw new Error(`${MANIFEST} is missing: run \`node scripts/pinned-binaries.mjs\` (or \`bash scripts/setup-test-deps.sh\`) to fetch the pinned releases`);
  }
  return JSON.parse(readFileSync(MANIFEST, 'utf8'));
}

/** The path of a pinned binary, or undefined when the name is not a pinned program. */
export function pinnedPath(name: string): string | undefined {
  return pinnedBinaries()[name]?.path;
}

/** The path of a pinned binary; throws when it is not pinned. */
export function pinnedBinary(name: string): string {
  const path = pinnedPath(name);
  if (!path) throw new Error(`'${name}' is not a pinned binary (versions.json components.*.debian.binaries)`);
  return path;
}
