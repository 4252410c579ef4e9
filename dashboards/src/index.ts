/**
 * The dashboards built as code, and how they are written to `dashboards/<file>`. `generate.ts` writes
 * them; `test/dashboards.test.ts` checks that the committed files are up to date.
 */
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { buildApiDashboard } from './api';
import { buildPostgresqlDashboard } from './postgresql';
import { buildRedisDashboard } from './redis';
import { buildSystemDashboard } from './system';

export interface DashboardSource {
  /** File name inside `dashboards/`. */
  readonly file: string;
  /** Builds a fresh dashboard object on every call. */
  readonly build: () => Dashboard;
}

export const DASHBOARD_SOURCES: readonly DashboardSource[] = [
  { file: 'api.json', build: buildApiDashboard },
  { file: 'system.json', build: buildSystemDashboard },
  { file: 'postgresql.json', build: buildPostgresqlDashboard },
  { file: 'redis.json', build: buildRedisDashboard },
];

/** Copies `value` with the keys of every object sorted, so the output does not depend on builder call order. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

/** The committed form of a dashboard: keys sorted, 2-space indentation, trailing newline. */
export function renderDashboard(dashboard: Dashboard): string {
  return `${JSON.stringify(sortKeys(dashboard), null, 2)}\n`;
}
