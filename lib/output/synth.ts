import { App } from 'cdk8s';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'fs';
import { dirname, join, resolve } from 'path';
import { loadConfigFile } from '../config/load';
import { EnvironmentConfig } from '../config/types';
import { API_RULES_FILE_NAME, renderApiRulesYaml } from '../content/api-rules';
import { loadDashboards, validateDashboards } from '../content/dashboards';
import { checkRuleFileName, loadRuleFiles, validateRuleExpressions } from '../content/rules';
import { environmentFiles, OutputFile } from './gitops';
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
 * The static rule files plus the API recording group generated for this environment's instrumentation.
 * Pass `staticFiles` to load and validate rules/ once for many environments.
 */
export function ruleFilesFor(root: string, config: EnvironmentConfig, staticFiles = staticRuleFiles(root)): RuleFileContent[] {
  const generated = { name: API_RULES_FILE_NAME, text: renderApiRulesYaml(config.backend.api.instrumentation, API_JOB) };
  const all = [...staticFiles, generated];
  for (const f of all) checkRuleFileName(f.name);
  return all;
}

/** The dashboards of `dashboards/`, validated (every query parses). */
export function dashboardsFrom(root: string): DashboardContent[] {
  const files = loadDashboards(join(root, 'dashboards'));
  validateDashboards(files);
  return files.map((d) => ({ name: d.name, json: d.text }));
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
    const manifestsDir = resolve(root, config.backend.manifestsPath);
    const backendManifests = existsSync(manifestsDir)
      ? readdirSync(manifestsDir).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => join(manifestsDir, f))
      : [];
    const app = new App();
    const stack = new MonitoringStack(app, 'nanoe-monitoring', {
      config, rules: ruleFilesFor(root, config, rules), dashboards, backendManifests, backupScriptsDir: join(root, 'backup'),
      extend: options.extend ? (s) => options.extend!(s, config) : undefined,
    });
    return { config, app, stack };
  });
}

/** Every output file of every environment, paths relative to the output folder; nothing is written. */
export function renderAll(options: SynthOptions): OutputFile[] {
  // stack.toJson() resolves and validates the app (App._synthChart runs every construct's validation).
  return buildEnvironments(options).flatMap((e) => environmentFiles(e.config, e.stack.toJson(), { objectKeys: e.stack.backendObjectKeys, patches: e.stack.backendPatches() }));
}

/**
 * Synthesizes every environment into `<outdir>/<env>/`, atomically: every file of every environment
 * is rendered in memory first and written to a staging folder, and only when all succeeded does it
 * replace the old output, so a mistake never leaves a half-written `dist/`.
 */
export function synthesizeAll(options: SynthOptions, outdir: string): string[] {
  const files = renderAll(options);
  const staging = `${outdir}.staging`;
  rmSync(staging, { recursive: true, force: true });
  try {
    for (const f of files) {
      mkdirSync(dirname(join(staging, f.path)), { recursive: true });
      writeFileSync(join(staging, f.path), f.text);
    }
    const tops = [...new Set(files.map((f) => f.path.split('/')[0]))];
    mkdirSync(outdir, { recursive: true });
    for (const top of tops) {
      rmSync(join(outdir, top), { recursive: true, force: true });
      renameSync(join(staging, top), join(outdir, top));
    }
    return tops;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
