/** Helpers of the config tests: the default config document, resolved with an edit, and refusals. */
import { readFileSync } from 'fs';
import { join } from 'path';
import { parse } from 'yaml';
import { ConfigError } from '../../lib/config/errors';
import { resolveConfig } from '../../lib/config/load';
import { EnvironmentConfig } from '../../lib/config/types';

const ROOT = join(__dirname, '..', '..');

/** The default config document (config/environments.yaml), parsed afresh (tests edit it). */
export const defaultDoc = (): any => parse(readFileSync(join(ROOT, 'config', 'environments.yaml'), 'utf8'));

/** Resolves the default config changed by `edit`; returns the environment `name`. */
export function resolveWith(edit: (d: any) => void, name = 'dev'): EnvironmentConfig {
  const d = defaultDoc();
  edit(d);
  return resolveConfig(d, [name])[0];
}

/** The ConfigError message of `f`, or "(accepted)". Any other error fails the test. */
export function refusedWith(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
  return '(accepted)';
}

/** The ConfigError `f` throws, to check one of its parts; no error or any other error fails the test. */
export function configErrorOf(f: () => unknown): ConfigError {
  try {
    f();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError, none was thrown');
}
