/** Config types shared by several parts of `EnvironmentConfig` (types.ts re-exports them). */

/** Requests and limits of one container. */
export interface Resources {
  /** @default set per component */
  readonly requests: { readonly cpu: string; readonly memory: string };
  /** @default set per component */
  readonly limits: { readonly cpu: string; readonly memory: string };
}

/**
 * Basic auth of a Prometheus-style server (its admin and lifecycle APIs, Alertmanager's silences,
 * node-exporter's metrics) for every client. The Secret has key `web-config.yml` (a web config whose `basic_auth_users` holds
 * a bcrypt hash, cost 10 or more, for `username`), which only the server mounts, and key `password`,
 * which only clients mount.
 */
export interface WebAuthConfig {
  /** Secret with keys `web-config.yml` and `password`. */
  readonly secret: string;
  /** The user every client authenticates as. */
  readonly username: string;
}
