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

/** The generated alert for a node agent missing on some nodes. */
export const NODE_AGENT_MISSING_ALERT = 'NodeAgentMissing';
/** Longer than a new node takes to start its DaemonSet pods (image pull included). */
export const NODE_AGENT_MISSING_FOR = '15m';

/**
 * Jobs with one target per node: `nodeJob` (discovered from the nodes themselves, e.g. the kubelet)
 * counts the nodes, `agentJobs` are DaemonSets that should have a target on each of them.
 */
export interface PerNodeJobs {
  readonly nodeJob: string;
  readonly agentJobs: readonly string[];
}

/** A PromQL double-quoted string literal. */
const promqlString = (v: string) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/**
 * The generated rule group for `jobs` (in the order given), as rule-file YAML; with `perNode`, also a
 * `NodeAgentMissing` alert per agent job. A DaemonSet pod that cannot schedule on a full node (its
 * PriorityClass never preempts) is no target at all: InstanceDown cannot see it, and TargetAbsent
 * only fires when no node has one. Comparing the agent's target count with the node count can.
 */
export function renderTargetRulesYaml(jobs: readonly string[], perNode?: PerNodeJobs): string {
  return toYaml({
    groups: [{
      name: TARGET_RULES_GROUP_NAME,
      rules: [...jobs.map((job) => ({
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
      })), ...(perNode?.agentJobs ?? []).map((job) => ({
        alert: NODE_AGENT_MISSING_ALERT,
        // No labels on either side: the difference is the number of nodes without a target of the job.
        expr: `count(up{job=${promqlString(perNode!.nodeJob)}}) - count(up{job=${promqlString(job)}}) > 0`,
        for: NODE_AGENT_MISSING_FOR,
        labels: { severity: 'warning', job },
        annotations: {
          summary: `${job} is missing on some nodes`,
          description: `{{ $value }} node(s) (targets of job ${perNode!.nodeJob}) have had no ${job} target for more than ${NODE_AGENT_MISSING_FOR}: its DaemonSet pod there is Pending (a full node: it never preempts) or cannot run. Those nodes' metrics and node alerts are missing.`,
          runbook_url: `${DEFAULT_RUNBOOK_BASE}#${NODE_AGENT_MISSING_ALERT.toLowerCase()}`,
        },
      }))],
    }],
  });
}

/**
 * The generated group for Prometheus's scrape targets: TargetAbsent for every job, and
 * NodeAgentMissing for the node agents (`instanceIsNode`) when a job discovered from the nodes
 * themselves (the kubelet) counts the nodes.
 */
export function targetRulesYaml(targets: readonly { job: string; instanceIsNode?: boolean }[], nodeTargets: readonly { job: string }[]): string {
  const perNode = nodeTargets.length > 0 ? { nodeJob: nodeTargets[0].job, agentJobs: targets.filter((t) => t.instanceIsNode).map((t) => t.job) } : undefined;
  return renderTargetRulesYaml([...targets, ...nodeTargets].map((t) => t.job), perNode);
}
