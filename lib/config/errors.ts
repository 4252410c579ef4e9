/**
 * A configuration mistake found before anything is synthesized. The message always names the field
 * (as a dotted path), the offending value and how to fix it, so a user can act without reading code.
 */
export class ConfigError extends Error {
  constructor(
    /** Dotted path of the field, e.g. `environments.prod.prometheus.retentionSize`. */
    readonly field: string,
    /** The value found there. */
    readonly value: unknown,
    /** What is wrong with it. */
    readonly problem: string,
    /** What to do about it. */
    readonly fix: string,
  ) {
    super(`${field}: ${JSON.stringify(value)} ${problem} — ${fix}`);
    this.name = 'ConfigError';
  }
}
