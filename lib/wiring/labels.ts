/** The component names that `app.kubernetes.io/name` takes for the stack's own workloads. */
export type ComponentName =
  | 'prometheus' | 'grafana' | 'alertmanager' | 'node-exporter' | 'cadvisor' | 'postgres-exporter' | 'redis-exporter';

export const PART_OF = 'nanoe-monitoring';

/**
 * The recommended labels every object of the stack carries. Selectors use `selectorLabels` only:
 * explicit, stable values, never cdk8s-plus's hashed construct-path label, so moving a construct in
 * the tree never changes an immutable selector.
 */
export function standardLabels(name: string, component: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': name,
    'app.kubernetes.io/component': component,
    'app.kubernetes.io/part-of': PART_OF,
    'app.kubernetes.io/managed-by': 'cdk8s',
  };
}

/** The labels a workload's selector and a NetworkPolicy's podSelector match on. */
export function selectorLabels(name: string): Record<string, string> {
  return { 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': PART_OF };
}
