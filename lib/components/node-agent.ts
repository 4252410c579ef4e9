import { Construct } from 'constructs';
import { NodeAgentConfig } from '../config/types';
import * as k8s from '../../imports/k8s';
import { ComponentName, selectorLabels, standardLabels } from '../wiring/labels';
import { Wiring, Workload } from '../wiring/wiring';

/** Props of a node agent (node-exporter, cAdvisor). */
export interface NodeAgentProps {
  /** Image, port, resources. */
  readonly config: NodeAgentConfig;
  /** Namespace of the node agents (Pod Security level privileged: host access). */
  readonly namespace: string;
  /** The registry of workloads and paths shared by the stack. */
  readonly wiring: Wiring;
}

/**
 * The node agents' own priority: above every workload, so the agents go first in the scheduling
 * queue, but not `system-node-critical`, which GKE admits only in kube-system (its default
 * ResourceQuota `gcp-critical-pods` limits those classes elsewhere to zero pods). 1e9 is the highest
 * value a user-defined PriorityClass may have (higher ones are reserved for the system classes).
 * `preemptionPolicy: Never`: the monitoring stack never evicts a backend pod to make room for an
 * agent; on a full node the agent stays Pending instead.
 */
export const NODE_AGENT_PRIORITY_CLASS = 'nanoe-monitoring-node-agents';

/** Emits the node agents' PriorityClass (cluster-scoped, once per stack). */
export function nodeAgentPriorityClass(scope: Construct): void {
  new k8s.KubePriorityClass(scope, 'NodeAgentPriorityClass', {
    metadata: { name: NODE_AGENT_PRIORITY_CLASS, labels: standardLabels('nanoe-monitoring', 'node-agent') },
    value: 1_000_000_000, globalDefault: false, preemptionPolicy: 'Never',
    description: 'node-exporter and cAdvisor of nanoe-monitoring: first in the scheduling queue, never preempting other pods',
  });
}

/**
 * Registers a node agent's pods (metrics port named `metrics`) and emits its DaemonSet: on every
 * node, tolerating every taint, the agents' own priority (never preempting), no service account token, rolling 10% of the
 * nodes at a time. `podSpec` adds what is specific to the agent (containers, volumes, host access).
 */
export function nodeAgentDaemonSet(scope: Construct, name: ComponentName, props: NodeAgentProps, hostNetwork: boolean,
  podSpec: (workload: Workload) => k8s.PodSpec): Workload {
  const labels = standardLabels(name, 'node-agent');
  const workload = props.wiring.addWorkload({
    id: name, namespace: props.namespace, podLabels: selectorLabels(name), owned: true, hostNetwork,
    ports: [{ name: 'metrics', port: props.config.port }],
  });
  new k8s.KubeDaemonSet(scope, 'DaemonSet', {
    metadata: { name, namespace: props.namespace, labels },
    spec: {
      selector: { matchLabels: workload.podLabels },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: k8s.IntOrString.fromString('10%') } },
      template: {
        metadata: { labels: { ...labels, ...workload.podLabels } },
        spec: {
          hostNetwork: hostNetwork || undefined,
          automountServiceAccountToken: false,
          priorityClassName: NODE_AGENT_PRIORITY_CLASS,
          tolerations: [{ operator: 'Exists' }],
          ...podSpec(workload),
        },
      },
    },
  });
  return workload;
}
