import { toYaml } from '../output/yaml-output';
import { DEFAULT_RUNBOOK_BASE } from './rules';

/**
 * Alerts generated from the scrape wiring: one `TargetAbsent` rule per scrape job Prometheus is
 * given (`prometheus.scrape(target)`), so a new target gets its absent alert without anyone writing
 * one. `InstanceDown` (`up == 0`) only sees targets that discovery still lists; when every target of a
 * job disappears from discovery (pods Pending or deleted, a DaemonSet that cannot schedule, broken
 * RBAC or NetworkPolicy for discovery, a renamed Service) there is no `up` series at all and only
 * `absent()` fires.
 */

/** File name of the generated group (ConfigMap key). */
export const TARGET_RULES_FILE_NAME = 'scrape-targets.rules.yaml';
/** Name of the generated group. */
export const TARGET_RULES_GROUP_NAME = 'scrape-targets.alerts';
/** The generated alert. */
export const TARGET_ABSENT_ALERT = 'TargetAbsent';
/**
 * Longer than a rolling update or a rescheduled pod takes to be scraped again (a node drain, an
 * image pull), shorter than anyone would accept being blind.
 */
export const TARGET_ABSENT_FOR = '5m';

/** A PromQL double-quoted string literal. */
const promqlString = (v: string) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** The generated rule group for `jobs` (in the order given), as rule-file YAML. */
export function renderTargetRulesYaml(jobs: readonly string[]): string {
  return toYaml({
    groups: [{
      name: TARGET_RULES_GROUP_NAME,
      rules: jobs.map((job) => ({
        alert: TARGET_ABSENT_ALERT,
        // absent() returns {job="<job>"}: the alert carries the job it is about.
        expr: `absent(up{job=${promqlString(job)}})`,
        for: TARGET_ABSENT_FOR,
        labels: { severity: 'critical' },
        annotations: {
          summary: `No target of job ${job} is discovered`,
          description: `Prometheus has had no target at all for job {{ $labels.job }} for more than ${TARGET_ABSENT_FOR} (absent = {{ $value }}): its pods are gone, Pending or unschedulable, or discovery (RBAC, the scrape Service, NetworkPolicy) is broken. Every alert on its metrics is silent meanwhile.`,
          runbook_url: `${DEFAULT_RUNBOOK_BASE}#${TARGET_ABSENT_ALERT.toLowerCase()}`,
        },
      })),
    }],
  });
}
