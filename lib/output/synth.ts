import { App } from 'cdk8s';
import { readdirSync, readFileSync, realpathSync } from 'fs';
import { parseYaml } from '../config/yaml-input';
import { ConfigError, fileProblem } from '../config/errors';
import { checkAlertWindows } from '../content/alert-windows';
import { join, resolve } from 'path';
import { loadConfigFile } from '../config/load';
import { EnvironmentConfig } from '../config/types';
import { API_RULES_FILE_NAME, renderApiRulesYaml } from '../content/api-rules';
import { loadDashboards, validateDashboards } from '../content/dashboards';
import { NODE_NETWORK_RULES_FILE_NAME, renderNodeNetworkRulesYaml } from '../content/node-network';
import { checkRuleFileName, loadRuleFiles, validateRuleExpressions } from '../content/rules';
import { environmentFiles, OutputFile } from './gitops';
import { lockOutput } from './lock';
import { makeDirectory, OutputError, OwnedFile, writeOutput, WriteReport } from './write';
import { DashboardContent } from '../components/grafana';
import { RuleFileContent } from '../components/prometheus';
import { API_JOB, MonitoringStack } from '../components/stack';

/** Where the project's inputs are. */
export interface SynthOptions {
  /** Project root (holds rules/, dashboards/, and the backend manifests). */
  readonly root: string;
  /** Config file. @default `<root>/config/environments.yaml` */
  readonly configFile?: string;
  /** Environments to synthesize. @default all */
  readonly environments?: readonly string[];
  /** Extends each environment's stack before its NetworkPolicies are rendered (see `MonitoringStackProps.extend`). @default nothing */
  readonly extend?: (stack: MonitoringStack, config: EnvironmentConfig) => void;
}

/** One environment's app, ready to synthesize. */
export interface EnvironmentApp {
  readonly config: EnvironmentConfig;
  readonly app: App;
  readonly stack: MonitoringStack;
}

/** The rule files of `rules/`, validated (every expression parses). */
export function staticRuleFiles(root: string): RuleFileContent[] {
  const files = loadRuleFiles(join(root, 'rules'));
  validateRuleExpressions(files);
  return files.map((f) => ({ name: f.name, text: f.text }));
}

/**
 * The static rule files plus the generated groups: the API recording group for this environment's
 * instrumentation, and the node network group (lib/content/node-network.ts).
 * Pass `staticFiles` to load and validate rules/ once for many environments.
 */
export function ruleFilesFor(root: string, config: EnvironmentConfig, staticFiles = staticRuleFiles(root)): RuleFileContent[] {
  const generated = [
    { name: API_RULES_FILE_NAME, text: renderApiRulesYaml(config.backend.api.instrumentation, API_JOB) },
    { name: NODE_NETWORK_RULES_FILE_NAME, text: renderNodeNetworkRulesYaml() },
  ];
  const all = [...staticFiles, ...generated];
  for (const f of all) checkRuleFileName(f.name);
  return all;
}

/** The dashboards of `dashboards/`, validated (every query parses). */
export function dashboardsFrom(root: string): DashboardContent[] {
  const files = loadDashboards(join(root, 'dashboards'));
  validateDashboards(files);
  return files.map((d) => ({ name: d.name, json: d.text }));
}

/** The backend's manifest files; a `manifestsPath` that finds none is refused (no exporters, PostgresDown could never fire). */
function backendManifestFiles(root: string, config: EnvironmentConfig): string[] {
  const field = `environments.${config.name}.backend.manifestsPath`;
  const dir = resolve(root, config.backend.manifestsPath);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    const { problem } = fileProblem(e, 'read');
    throw new ConfigError(field, config.backend.manifestsPath, `(${dir}) ${problem}`, 'point it at the folder of the backend\'s Postgres and Redis manifests, relative to the project root (default "backend")');
  }
  const files = names.filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => join(dir, f));
  if (files.length === 0) {
    throw new ConfigError(field, config.backend.manifestsPath, `(${dir}) holds no .yaml files, so no database would get an exporter`, 'point it at the folder of the backend\'s Postgres and Redis manifests');
  }
  return files;
}

/**
 * Builds (but does not write) one app per environment. Everything that can be wrong in the input is
 * checked here, before any file is touched.
 */
export function buildEnvironments(options: SynthOptions): EnvironmentApp[] {
  const root = resolve(options.root);
  const configs = loadConfigFile(options.configFile ?? join(root, 'config', 'environments.yaml'), options.environments);
  const dashboards = dashboardsFrom(root);
  const rules = staticRuleFiles(root);
  return configs.map((config) => {
    const backendManifests = backendManifestFiles(root, config);
    const ruleFiles = ruleFilesFor(root, config, rules);
    checkAlertWindows(`environments.${config.name}.prometheus`, config.prometheus.scrapeInterval, config.prometheus.evaluationInterval, ruleFiles);
    const app = new App();
    const stack = new MonitoringStack(app, 'nanoe-monitoring', {
      config, rules: ruleFiles, dashboards, backendManifests, backupScriptsDir: join(root, 'backup'),
      extend: options.extend ? (s) => options.extend!(s, config) : undefined,
    });
    return { config, app, stack };
  });
}

/** Every output file of every environment, paths relative to the output folder; nothing is written. */
export function renderAll(options: SynthOptions): OutputFile[] {
  return renderOwned(options);
}

/** Every output file with the environment it belongs to. */
function renderOwned(options: SynthOptions): OwnedFile[] {
  // stack.toJson() resolves and validates the app (App._synthChart runs every construct's validation).
  return buildEnvironments(options).flatMap((e) => environmentFiles(e.config, e.stack.toJson(), { objectKeys: e.stack.backendObjectKeys, patches: e.stack.backendPatches() }).map((f) => ({ ...f, environment: e.config.name })));
}

/** How synthesizeAll writes. */
export interface WriteOptions {
  /** Remove the output of environments the config no longer has. @default false */
  readonly prune?: boolean;
  /** Called once when another synth of the same folder holds the lock (with its pid). @default nothing */
  readonly onWait?: (pid: string) => void;
}

/**
 * Synthesizes the environments into `<outdir>/`: every file is rendered in memory first, then, with
 * the output folder locked against other synths, each folder is staged and swapped in by one rename
 * (lib/output/write.ts), so a mistake or an interruption never leaves a half-written folder.
 */
export async function synthesizeAll(options: SynthOptions, outdir: string, write: WriteOptions = {}): Promise<WriteReport> {
  makeDirectory(outdir);
  let real: string;
  try {
    real = realpathSync(outdir);
  } catch (e) {
    throw new OutputError(`${outdir} ${fileProblem(e, 'write').problem} — choose another --out`);
  }
  const lock = await lockOutput(real, write.onWait ?? (() => {}));
  try {
    const files = renderOwned(options);
    const known = allEnvironmentNames(options);
    const rendered = options.environments && options.environments.length > 0 ? [...options.environments] : known;
    return writeOutput(real, files, rendered, known, write.prune ?? false);
  } finally {
    lock.release();
  }
}

/** Every environment the config file defines (the file was read and validated by renderOwned already). */
function allEnvironmentNames(options: SynthOptions): string[] {
  const raw = parseYaml(readFileSync(options.configFile ?? join(resolve(options.root), 'config', 'environments.yaml'), 'utf8')) as { environments: object };
  return Object.keys(raw.environments).sort();
}
