/**
 * The Grafana dashboards of `dashboards/*.json`, loaded and checked at synth time. The files are
 * provisioned as they are: whether generated from `dashboards/src/` or exported from Grafana and
 * dropped in. This module deliberately does not load the Grafana foundation SDK (synth speed).
 */
import { readdirSync, readFileSync, statSync } from 'fs';
import { join, relative } from 'path';
import { findPromqlSyntaxError, substituteGrafanaMacros } from './promql';

/** A dashboard's JSON model, as parsed. Only the fields this module reads are typed. */
export type DashboardJson = Record<string, unknown>;

/** One `dashboards/<name>.json` file. */
export interface DashboardFile {
  /** File name, e.g. `api.json`. */
  readonly fileName: string;
  /** File name without `.json`, e.g. `api` (names the ConfigMap). */
  readonly name: string;
  /** Path the file was read from. */
  readonly path: string;
  /** The parsed dashboard. */
  readonly json: DashboardJson;
  /** `uid` of the dashboard, '' when missing or not a string. */
  readonly uid: string;
  /** `title` of the dashboard, '' when missing or not a string. */
  readonly title: string;
  /** The file's text exactly as read; this is what gets provisioned. */
  readonly text: string;
}

/** One PromQL query of a panel. */
export interface PanelQuery {
  readonly panelTitle: string;
  /** The panel's `id`, when it has a numeric one. */
  readonly panelId?: number;
  /** The target's refId, or the one Grafana would assign (A, B, …) when it has none. */
  readonly refId: string;
  readonly expr: string;
}

/** Grafana's limits on a dashboard uid (util.IsValidShortUID and the 40-character column). */
const UID_PATTERN = /^[A-Za-z0-9_-]{1,40}$/;
/** The name becomes part of a ConfigMap name (`grafana-dashboard-<name>`), a DNS subdomain. */
const NAME_PATTERN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** A ConfigMap holds at most 1 MiB. */
const MAX_BYTES = 1024 * 1024;

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Reads every `*.json` file of `dir` (not sub-folders), sorted by name. Throws on unreadable or invalid JSON. */
export function loadDashboards(dir: string): DashboardFile[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch (error) {
    throw new Error(`dashboards: cannot read the folder ${dir}: ${(error as Error).message}`);
  }
  return entries
    .filter((f) => f.endsWith('.json') && statSync(join(dir, f)).isFile())
    .sort()
    .map((fileName) => {
      const path = join(dir, fileName);
      const text = readFileSync(path, 'utf8');
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (error) {
        throw new Error(`${displayPath(path)}: not valid JSON: ${(error as Error).message}`);
      }
      if (!isObject(parsed)) throw new Error(`${displayPath(path)}: a dashboard must be a JSON object`);
      return {
        fileName,
        name: fileName.slice(0, -'.json'.length),
        path,
        json: parsed,
        uid: typeof parsed.uid === 'string' ? parsed.uid : '',
        title: typeof parsed.title === 'string' ? parsed.title : '',
        text,
      };
    });
}

function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
}

/** Every panel, including those nested in (collapsed) rows and in the pre-5.0 `rows` layout. */
function allPanels(dashboard: DashboardJson): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const walk = (panels: unknown): void => {
    if (!Array.isArray(panels)) return;
    for (const panel of panels) {
      if (!isObject(panel)) continue;
      out.push(panel);
      walk(panel.panels);
    }
  };
  walk(dashboard.panels);
  if (Array.isArray(dashboard.rows)) for (const row of dashboard.rows) if (isObject(row)) walk(row.panels);
  return out;
}

/** `$name`, `${name}` or `${name:format}` → name. */
function variableName(ref: string): string | undefined {
  return /^\$(?:\{([A-Za-z0-9_]+)(?::[A-Za-z]+)?\}|([A-Za-z0-9_]+))$/.exec(ref.trim())?.slice(1).find((x) => x !== undefined);
}

/**
 * The plugin type a datasource reference points at, or undefined when the reference does not say
 * (no reference, a legacy datasource name, Mixed/Dashboard pseudo-datasources).
 */
function datasourceType(ref: unknown, datasourceVariables: ReadonlyMap<string, string>): string | undefined {
  if (typeof ref === 'string') {
    const v = variableName(ref);
    return v === undefined ? undefined : datasourceVariables.get(v);
  }
  if (!isObject(ref)) return undefined;
  if (typeof ref.type === 'string' && ref.type !== '' && ref.type !== 'datasource') return ref.type;
  if (typeof ref.uid === 'string') {
    const v = variableName(ref.uid);
    if (v !== undefined) return datasourceVariables.get(v);
  }
  return undefined;
}

/**
 * The PromQL queries of every panel (rows included). Targets whose datasource (the target's own, or
 * else the panel's) is of another type than `prometheus` are skipped; targets that do not say are
 * taken as Prometheus when they have an `expr`, since Prometheus is the stack's only datasource.
 */
export function panelQueries(dashboard: DashboardJson): PanelQuery[] {
  const datasourceVariables = new Map<string, string>();
  const templating = isObject(dashboard.templating) ? dashboard.templating.list : undefined;
  if (Array.isArray(templating)) {
    for (const v of templating) {
      if (isObject(v) && v.type === 'datasource' && typeof v.name === 'string' && typeof v.query === 'string') {
        datasourceVariables.set(v.name, v.query);
      }
    }
  }
  const out: PanelQuery[] = [];
  for (const panel of allPanels(dashboard)) {
    if (!Array.isArray(panel.targets)) continue;
    const panelType = datasourceType(panel.datasource, datasourceVariables);
    panel.targets.forEach((target, index) => {
      if (!isObject(target)) return;
      const type = datasourceType(target.datasource, datasourceVariables) ?? panelType;
      if (type === undefined ? !('expr' in target) : type !== 'prometheus') return;
      out.push({
        panelTitle: typeof panel.title === 'string' && panel.title.trim() !== '' ? panel.title : '(untitled)',
        ...(typeof panel.id === 'number' ? { panelId: panel.id } : {}),
        refId: typeof target.refId === 'string' && target.refId !== '' ? target.refId : refIdFor(index),
        expr: typeof target.expr === 'string' ? target.expr : '',
      });
    });
  }
  return out;
}

/** Grafana's default refIds: A … Z, then AA, AB, … */
function refIdFor(index: number): string {
  let id = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) id = String.fromCharCode(65 + ((n - 1) % 26)) + id;
  return id;
}

/**
 * Checks what Grafana needs to provision the dashboards and show data: a unique, valid `uid` and a
 * unique non-empty `title` per dashboard, a file name usable in a ConfigMap name, no unresolved
 * "export for sharing externally" inputs, and every PromQL query parsing (Grafana macros and
 * variables substituted first). Throws one Error listing every problem, each naming the file and,
 * for queries, the panel title, the refId and the parser's message.
 */
export function validateDashboards(files: readonly DashboardFile[]): void {
  const problems: string[] = [];
  const uids = new Map<string, string>();
  const titles = new Map<string, string>();
  for (const file of files) {
    const where = displayPath(file.path);
    if (!NAME_PATTERN.test(file.name) || file.name.length > 200) {
      problems.push(`${where}: the file name must be lowercase letters, digits and "-" (it names the ConfigMap grafana-dashboard-${file.name}) — rename the file`);
    }
    if (Buffer.byteLength(file.text) > MAX_BYTES) {
      problems.push(`${where}: ${Buffer.byteLength(file.text)} bytes is more than a ConfigMap holds (1 MiB) — split the dashboard`);
    }
    if (isObject(file.json.dashboard) && file.uid === '' && file.title === '') {
      problems.push(`${where}: this is a Grafana API response, not a dashboard — save its "dashboard" field as the file`);
      continue;
    }
    if (file.uid.trim() === '') {
      problems.push(`${where}: the dashboard has no "uid" — set a fixed one so links and provisioning updates keep working`);
    } else if (!UID_PATTERN.test(file.uid)) {
      problems.push(`${where}: uid "${file.uid}" must be 1–40 letters, digits, "-" or "_"`);
    } else if (uids.has(file.uid)) {
      problems.push(`${where}: uid "${file.uid}" is already used by ${uids.get(file.uid)} — give each dashboard its own uid`);
    } else {
      uids.set(file.uid, where);
    }
    if (file.title.trim() === '') {
      problems.push(`${where}: the dashboard has no "title"`);
    } else if (titles.has(file.title)) {
      problems.push(`${where}: title "${file.title}" is already used by ${titles.get(file.title)} — Grafana needs unique titles within a folder`);
    } else {
      titles.set(file.title, where);
    }
    const inputs = file.json.__inputs;
    if (Array.isArray(inputs) && inputs.length > 0) {
      const names = inputs.map((i) => (isObject(i) && typeof i.name === 'string' ? `\${${i.name}}` : '?')).join(', ');
      problems.push(
        `${where}: exported "for sharing externally" (${names}); file provisioning does not fill these in — ` +
          'export again without that option, or replace them with a datasource variable',
      );
    }
    for (const q of panelQueries(file.json)) {
      const error = findPromqlSyntaxError(substituteGrafanaMacros(q.expr));
      if (error) {
        const panel = q.panelId === undefined ? `panel "${q.panelTitle}"` : `panel "${q.panelTitle}" (id ${q.panelId})`;
        problems.push(`${where}: ${panel}, query ${q.refId}: ${error.message} in ${JSON.stringify(q.expr)}`);
      }
    }
  }
  if (problems.length > 0) {
    throw new Error(`Invalid dashboards:\n  ${problems.join('\n  ')}`);
  }
}
