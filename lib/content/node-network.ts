import { toYaml } from '../output/yaml-output';

/**
 * The virtual network devices of container networking, in ONE place: node-exporter's
 * `--collector.netdev.device-exclude` / `--collector.netclass.ignored-devices` flags and the device
 * filter of the generated `node-network.rules` group (the node's receive/transmit rates) are both
 * rendered from this table, so a device the exporter drops can never be counted by the rules, and a
 * device the rules skip is never shipped.
 *
 * Each entry names a CNI (or a kernel/runtime source of devices), the RE2 patterns of the devices
 * it creates on the host, and example names as they appear on a real node (the table-driven test,
 * test/node-network.test.ts, checks every example is excluded and every real uplink is kept).
 * A pod's traffic crosses its host-side veth AND the node's uplink (or stays on the node): counting
 * the virtual side would count pod traffic twice (or count node-local traffic as network I/O).
 *
 * Sources (device names as each project creates them):
 * - Calico: `cali<hash>` per pod, `tunl0` (IPIP), `vxlan.calico` / `vxlan-v6.calico`,
 *   `wireguard.cali` / `wg-v6.cali`, `bpfin.cali` / `bpfout.cali` (eBPF dataplane).
 * - Cilium (also GKE Dataplane V2, AKS with Cilium): `lxc<hash>` per pod, `lxc_health`,
 *   `cilium_host`, `cilium_net`, `cilium_vxlan`, `cilium_geneve`, `cilium_wg0`.
 * - Flannel: `flannel.1` (VXLAN), `flannel-wg` / `flannel-wg-v6` (WireGuard), `flannel.ipip`, bridge `cni0`, `veth*`.
 * - Weave Net: bridge `weave`, `datapath`, `vethwe-bridge`, `vethwe-datapath`, `vethwepl<n>` per pod, `vxlan-6784`.
 * - kube-router: bridge `kube-bridge`, `kube-dummy-if`, `tun-<hash>` (IPIP to peers), `veth*`;
 *   kube-proxy in IPVS mode: `kube-ipvs0`; NodeLocal DNSCache: `nodelocaldns`.
 * - AWS VPC CNI: `eni` + 11 hex digits per pod; with security groups for pods `vlan.eth.<n>` and
 *   `vlan` + 11 hex digits (a bare-metal `vlan100` stays counted). The
 *   secondary ENIs it attaches (`eth1`, `ens6`…) are real NICs and stay counted.
 * - GKE (route-based, kubenet-style): `gke<hash>` per pod, bridge `cbr0`.
 * - Azure CNI: `azv<hash>` per pod, bridge `azure0` (bridge mode; the VM NIC `eth0` stays counted).
 * - OVN-Kubernetes / Kube-OVN / Open vSwitch: `genev_sys_6081`, `ovn-k8s-mp0`, `ovs-system`,
 *   bridges `br-int`, `br-ex`, `br-local`, Kube-OVN's `ovn0`, `mirror0`, `<id>_h` per pod, and
 *   OVN-Kubernetes's per-pod host side, the first 15 hex digits of the sandbox id.
 * - Plain Linux and runtimes: `lo`, `veth*`, `docker*`, Docker's `br-<id>`, `virbr*`, `cni*`
 *   (`cni0`, `cni-podman0`), tunnels `tunl*`, `tun*`/`tap*`, `vxlan*`, `genev*`, `gre*`, `gretap*`,
 *   `erspan*`, `ip6tnl*`, `ip6gre*`, `sit*`, `ipip*`, `dummy*`, `nlmon*`, `ifb*`, WireGuard `wg*`.
 *
 * Not excluded: the node's NICs (`eth*`, `ens*`, `enp*`, `eno*`, `enP*`, `em*`, `p<n>p<n>`,
 * `bond*`, `team*`, `ib*`) and VLANs on them (`bond0.100`, `eth0.10`).
 */
export interface CniDevices {
  /** The CNI or source of the devices. */
  readonly cni: string;
  /** RE2 patterns (anchored as a whole) of the devices it creates on the host. */
  readonly patterns: readonly string[];
  /** Real device names it creates (checked by the tests). */
  readonly examples: readonly string[];
}

export const VIRTUAL_NET_DEVICES: readonly CniDevices[] = [
  { cni: 'loopback, veth, bridges, tunnels', patterns: ['lo', 'veth.*', 'docker.*', 'br-.*', 'virbr.*', 'cni.*', 'tunl.*', 'tun.*', 'tap.*', 'vxlan.*', 'genev.*', 'gre.*', 'erspan.*', 'ip6tnl.*', 'ip6gre.*', 'sit.*', 'ipip.*', 'dummy.*', 'nlmon.*', 'ifb.*', 'wg.*'],
    examples: ['lo', 'veth3f2a1b7c', 'docker0', 'br-5d2a9c1e8f00', 'virbr0', 'cni0', 'cni-podman0', 'tunl0', 'tun0', 'tap0', 'vxlan0', 'genev_sys_6081', 'gre0', 'gretap0', 'erspan0', 'ip6tnl0', 'ip6gre0', 'sit0', 'dummy0', 'ifb0', 'wg0'] },
  { cni: 'Calico', patterns: ['cali.*', 'tunl.*', 'vxlan.*', 'wireguard\\.cali', 'wg-v6\\.cali', 'bpf(in|out)\\.cali'],
    examples: ['cali12ab34cd56e', 'tunl0', 'vxlan.calico', 'vxlan-v6.calico', 'wireguard.cali', 'wg-v6.cali', 'bpfin.cali', 'bpfout.cali'] },
  { cni: 'Cilium', patterns: ['cilium_.*', 'lxc.*'],
    examples: ['lxc1a2b3c4d5e6f', 'lxc_health', 'cilium_host', 'cilium_net', 'cilium_vxlan', 'cilium_geneve', 'cilium_wg0'] },
  { cni: 'Flannel', patterns: ['flannel.*', 'cni.*', 'veth.*'],
    examples: ['flannel.1', 'flannel-wg', 'flannel-wg-v6', 'flannel.ipip', 'cni0', 'veth9a8b7c6d'] },
  { cni: 'Weave Net', patterns: ['weave', 'datapath', 'vethwe.*', 'vxlan.*'],
    examples: ['weave', 'datapath', 'vethwe-bridge', 'vethwe-datapath', 'vethwepl12345', 'vxlan-6784'] },
  { cni: 'kube-router (and kube-proxy IPVS, NodeLocal DNSCache)', patterns: ['kube-bridge', 'kube-dummy-if', 'kube-ipvs.*', 'tun-.*', 'nodelocaldns', 'veth.*'],
    examples: ['kube-bridge', 'kube-dummy-if', 'kube-ipvs0', 'tun-7a8b9c0d1e2', 'nodelocaldns', 'veth0a1b2c3d'] },
  { cni: 'AWS VPC CNI', patterns: ['eni.*', 'vlan\\.eth\\..*', 'vlan[0-9a-f]{11}'],
    examples: ['eni0a1b2c3d4e5', 'enia1b2c3d4e5f', 'vlan.eth.1', 'vlan0a1b2c3d4e5'] },
  { cni: 'GKE', patterns: ['gke.*', 'cbr0'],
    examples: ['gke1a2b3c4d5e6', 'gkeb9c8d7e6f50', 'cbr0'] },
  { cni: 'Azure CNI', patterns: ['azv.*', 'azure0'],
    examples: ['azv1a2b3c4d5e6', 'azvb9c8d7e6f5a', 'azure0'] },
  { cni: 'OVN-Kubernetes / Kube-OVN / Open vSwitch', patterns: ['genev.*', 'ovn-k8s-.*', 'ovs-.*', 'ovn0', 'mirror0', 'br-.*', '.+_h', '[0-9a-f]{15}'],
    examples: ['genev_sys_6081', 'ovn-k8s-mp0', 'ovs-system', 'br-int', 'br-ex', 'br-local', 'ovn0', 'mirror0', '3f2a1b7c9d0e_h', '0a1b2c3d4e5f607'] },
];

/** Real node uplinks that must stay counted (tests check neither filter matches them). */
export const NODE_UPLINK_EXAMPLES: readonly string[] = [
  'eth0', 'eth1', 'ens5', 'ens6', 'ens192', 'enp0s3', 'enp7s0f1', 'eno1', 'enP2p1s0', 'em1', 'p1p1', 'bond0', 'bond0.100', 'eth0.10', 'team0', 'ib0',
];

/** Every pattern once, in table order: the alternation both filters use. */
export function virtualDevicePatterns(): string[] {
  return [...new Set(VIRTUAL_NET_DEVICES.flatMap((c) => c.patterns))];
}

/** node-exporter's device-exclude / ignored-devices flag value (Go matches it unanchored, so it is anchored here). */
export function nodeExporterDeviceExclude(): string {
  return `^(${virtualDevicePatterns().join('|')})$`;
}

/** The PromQL `device!~` value (PromQL anchors regex matchers itself). */
export function promqlDeviceFilter(): string {
  return virtualDevicePatterns().join('|');
}

/** File name of the generated group (ConfigMap key, and the name rules/tests/*.test.yaml use). */
export const NODE_NETWORK_RULES_FILE_NAME = 'node-network.rules.yaml';
/** Name of the generated group. */
export const NODE_NETWORK_RULES_GROUP_NAME = 'node-network.rules';
/** The records of the group (dashboards read these). */
export const NODE_NETWORK_RECORDS = {
  receive: 'instance:node_network_receive_bytes:rate5m',
  transmit: 'instance:node_network_transmit_bytes:rate5m',
} as const;

/** The node network recording group: the node's own traffic, every virtual device filtered. */
export function nodeNetworkRecordingRules(job = 'node-exporter'): { groups: [{ name: string; rules: { record: string; expr: string }[] }] } {
  const filter = `job=${JSON.stringify(job)},device!~${JSON.stringify(promqlDeviceFilter())}`;
  return {
    groups: [{
      name: NODE_NETWORK_RULES_GROUP_NAME,
      rules: [
        { record: NODE_NETWORK_RECORDS.receive, expr: `sum by (instance, job) (rate(node_network_receive_bytes_total{${filter}}[5m]))` },
        { record: NODE_NETWORK_RECORDS.transmit, expr: `sum by (instance, job) (rate(node_network_transmit_bytes_total{${filter}}[5m]))` },
      ],
    }],
  };
}

/** The group as a rule file. Deterministic. */
export function renderNodeNetworkRulesYaml(job = 'node-exporter'): string {
  return '# Generated by lib/content/node-network.ts from the table of CNI devices (the same table as\n'
    + '# node-exporter\'s --collector.netdev.device-exclude). Do not edit.\n'
    + toYaml(nodeNetworkRecordingRules(job));
}
