import { App } from 'cdk8s';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'fs';
import { join, resolve } from 'path';
import { loadConfigFile } from './config/load';
import { EnvironmentConfig } from './config/types';
import { API_RULES_FILE_NAME, renderApiRulesYaml } from './content/api-rules';
import { loadDashboards, validateDashboards } from './content/dashboards';
import { loadRuleFiles, validateRuleExpressions } from './content/rules';
import { DashboardContent } from './grafana';
import { checkRuleFileName, RuleFileContent } from './prometheus';
import { API_JOB, MonitoringStack } from './stack';

/** Where the project's inputs are. */
export interface SynthOptions {
  /** Project root (holds rules/, dashboards/, and the backend manifests). */
  readonly root: string;
  /** Config file. @default `<root>/config/environments.yaml` */
  readonly configFile?: string;
  /** Environments to synthesize. @default all */
  readonly environments?: readonly string[];
}

/** One environment's app, ready to synthesize. */
export interface EnvironmentApp {
  readonly config: EnvironmentConfig;
  readonly app: App;
  readonly stack: MonitoringStack;
}

/** The static rule files plus the API recording group generated for this environment's instrumentation. */
export function ruleFilesFor(root: string, config: EnvironmentConfig): RuleFileContent[] {
  const files = loadRuleFiles(join(root, 'rules'));
  validateRuleExpressions(files);
  const generated = { name: API_RULES_FILE_NAME, text: renderApiRulesYaml(config.backend.api.instrumentation, API_JOB) };
  const all = [...files.map((f) => ({ name: f.name, text: f.text })), generated];
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
export function buildEnvironments(options: SynthOptions, outdir = 'dist'): EnvironmentApp[] {
  const root = resolve(options.root);
  const configs = loadConfigFile(options.configFile ?? join(root, 'config', 'environments.yaml'), options.environments);
  const dashboards = dashboardsFrom(root);
  return configs.map((config) => {
    const manifestsDir = resolve(root, config.backend.manifestsPath);
    const backendManifests = existsSync(manifestsDir)
      ? readdirSync(manifestsDir).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => join(manifestsDir, f))
      : [];
    const app = new App({ outdir: join(outdir, config.name) });
    const stack = new MonitoringStack(app, 'nanoe-monitoring', {
      config, rules: ruleFilesFor(root, config), dashboards, backendManifests,
    });
    return { config, app, stack };
  });
}

/**
 * Synthesizes every environment into `<outdir>/<env>/`, atomically: all apps are built and resolved
 * in a staging folder first, and only when every one succeeded do they replace the old output.
 */
export function synthesizeAll(options: SynthOptions, outdir: string): string[] {
  const staging = `${outdir}.staging`;
  rmSync(staging, { recursive: true, force: true });
  try {
    const envs = buildEnvironments(options, staging);
    mkdirSync(staging, { recursive: true });
    for (const e of envs) e.app.synth();
    mkdirSync(outdir, { recursive: true });
    for (const e of envs) {
      const target = join(outdir, e.config.name);
      rmSync(target, { recursive: true, force: true });
      renameSync(join(staging, e.config.name), target);
    }
    return envs.map((e) => e.config.name);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
