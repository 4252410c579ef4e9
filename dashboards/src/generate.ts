/**
 * Writes every dashboard built in `dashboards/src/` to `dashboards/<file>.json`.
 *
 *   npx esbuild dashboards/src/generate.ts --bundle --platform=node --outfile=build/generate-dashboards.js \
 *     && node build/generate-dashboards.js [outDir]
 *
 * `outDir` defaults to `dashboards/` under the current directory (npm scripts run at the package root).
 * Only changed files are rewritten. Exits 1 on any error.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DASHBOARD_SOURCES, renderDashboard } from './index';

function main(outDir: string): void {
  mkdirSync(outDir, { recursive: true });
  const uids = new Map<string, string>();
  for (const source of DASHBOARD_SOURCES) {
    const dashboard = source.build();
    if (!dashboard.uid) throw new Error(`${source.file}: the dashboard has no uid`);
    const clash = uids.get(dashboard.uid);
    if (clash) throw new Error(`${source.file}: uid "${dashboard.uid}" is already used by ${clash}`);
    uids.set(dashboard.uid, source.file);

    const path = join(outDir, source.file);
    const text = renderDashboard(dashboard);
    let current: string | undefined;
    try {
      current = readFileSync(path, 'utf8');
    } catch {
      current = undefined;
    }
    if (current === text) {
      console.log(`unchanged ${path}`);
    } else {
      writeFileSync(path, text);
      console.log(`wrote     ${path} (${Buffer.byteLength(text)} bytes)`);
    }
  }
}

try {
  main(resolve(process.argv[2] ?? 'dashboards'));
} catch (error) {
  console.error(`dashboards: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
