/**
 * Kubernetes 1.27 L1 constructs. `cdk8s import k8s` downloads its schema from the internet, which is
 * not reachable where this project builds; cdk8s-plus-27 ships the same generated classes, so they are
 * re-exported from here instead (importing the submodule skips loading the rest of cdk8s-plus).
 */
export * from 'cdk8s-plus-27/lib/imports/k8s';
