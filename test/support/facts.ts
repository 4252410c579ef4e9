/**
 * Facts read upstream at the pinned tag, for the programs with no Debian build (facts/*.json, named
 * by versions.json). Each fact in those files cites the repository, tag and file it was read from.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import { PROJECT_ROOT as ROOT, VERSION_TABLE } from './pinned';

/** A facts file as JSON (its shape differs per program; see facts/README.md). */
export type Facts = Record<string, any>;

/** The facts file of a component as versions.json names it. */
export function pinnedFacts(component: string): Facts {
  const file = VERSION_TABLE.components[component]?.facts;
  if (!file) throw new Error(`versions.json: components.${component} names no facts file`);
  return readFacts(file);
}

/** A facts file by its path under the project root (e.g. facts/grafana-11.2.0.json). */
export function readFacts(file: string): Facts {
  return JSON.parse(readFileSync(join(ROOT, file), 'utf8'));
}

/** cAdvisor's metric names → the -disable_metrics group that switches each off ('' = always on). */
export function cadvisorMetricGroups(facts: Facts): Map<string, string> {
  return new Map((facts.metrics as { name: string; group: string | null }[]).map((m) => [m.name, m.group ?? '']));
}
