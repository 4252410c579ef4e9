/**
 * Every common CNI's host-side devices are filtered — by node-exporter's flags (so their series are
 * never scraped: 0 series per pod) and by the node network recording rules (so pod traffic is
 * never counted twice) — from ONE table (lib/content/node-network.ts), and the node's real uplinks
 * stay counted. Table-driven: one row per CNI with the device names it creates.
 */
import { spawnSync } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { stringify } from 'yaml';
import {
  NODE_NETWORK_RECORDS, NODE_NETWORK_RULES_FILE_NAME, NODE_NETWORK_RULES_GROUP_NAME, NODE_UPLINK_EXAMPLES, VIRTUAL_NET_DEVICES,
  nodeExporterDeviceExclude, promqlDeviceFilter, renderNodeNetworkRulesYaml,
} from '../lib/content/node-network';
import { buildDefault, find, objectsOf, podSpecOf } from './support/app';
import { pinnedBinary } from './support/pinned';

/** Go's regexp.MatchString (unanchored) for the flag, PromQL's fully anchored match for the rule. */
const flagRegex = new RegExp(nodeExporterDeviceExclude());
const ruleRegex = new RegExp(`^(?:${promqlDeviceFilter()})$`);

const CNIS = ['Calico', 'Cilium', 'Flannel', 'Weave Net', 'kube-router', 'AWS VPC CNI', 'GKE', 'Azure CNI', 'OVN', 'veth, bridges, tunnels'];

describe('the CNI device table', () => {
  test('names every common CNI and the plain veth/bridge/tunnel devices', () => {
    for (const name of CNIS) expect(VIRTUAL_NET_DEVICES.some((c) => c.cni.includes(name))).toBe(true);
  });

  describe.each(VIRTUAL_NET_DEVICES.map((c) => [c.cni, c] as const))('%s', (_name, cni) => {
    test.each(cni.examples.map((d) => [d]))('%s is excluded by the node-exporter flag and the recording rules', (device) => {
      expect(cni.patterns.some((p) => new RegExp(`^(?:${p})$`).test(device))).toBe(true); // its own row covers it
      expect(flagRegex.test(device)).toBe(true);
      expect(ruleRegex.test(device)).toBe(true);
    });
  });

  test.each(NODE_UPLINK_EXAMPLES.map((d) => [d]))('the node uplink %s stays counted by both', (device) => {
    expect(flagRegex.test(device)).toBe(false);
    expect(ruleRegex.test(device)).toBe(false);
  });
});

describe('one place', () => {
  const dev = objectsOf(buildDefault()[0]);
  test('node-exporter\'s two device flags are the table\'s regex', () => {
    const args: string[] = podSpecOf(find(dev, 'DaemonSet', 'node-exporter')).containers[0].args;
    expect(args).toContain(`--collector.netdev.device-exclude=${nodeExporterDeviceExclude()}`);
    expect(args).toContain(`--collector.netclass.ignored-devices=${nodeExporterDeviceExclude()}`);
  });

  test('the shipped rule files carry the generated network group, and no other file records node network rates', () => {
    const rules = find(dev, 'ConfigMap', 'prometheus-rules').data as Record<string, string>;
    expect(rules[NODE_NETWORK_RULES_FILE_NAME]).toBe(renderNodeNetworkRulesYaml());
    for (const [name, text] of Object.entries(rules)) {
      if (name === NODE_NETWORK_RULES_FILE_NAME) continue;
      expect(text).not.toMatch(/node_network_(receive|transmit)_bytes_total/);
    }
    expect(rules[NODE_NETWORK_RULES_FILE_NAME]).toContain(`device!~${JSON.stringify(promqlDeviceFilter())}`);
  });
});

describe('promtool: pod traffic on every CNI\'s devices is not counted, the uplinks are', () => {
  test('the node receive and transmit rates equal the uplinks\' rates only', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nanoe-cni-'));
    try {
      writeFileSync(join(dir, NODE_NETWORK_RULES_FILE_NAME), renderNodeNetworkRulesYaml());
      const virtual = [...new Set(VIRTUAL_NET_DEVICES.flatMap((c) => c.examples))];
      const series = (metric: string) => [
        // Each uplink: 300 bytes per 30 s = 10 B/s; eth0 and ens6 (AWS's secondary ENI) → 20 B/s.
        ...['eth0', 'ens6'].map((d) => ({ series: `${metric}{job="node-exporter",instance="n1",device="${d}"}`, values: '0+300x20' })),
        // Each virtual device: 1 MB per 30 s — counted, it would dominate.
        ...virtual.map((d) => ({ series: `${metric}{job="node-exporter",instance="n1",device="${d}"}`, values: '0+1000000x20' })),
      ];
      const test = {
        rule_files: [NODE_NETWORK_RULES_FILE_NAME],
        evaluation_interval: '30s',
        group_eval_order: [NODE_NETWORK_RULES_GROUP_NAME],
        tests: [{
          interval: '30s',
          input_series: [...series('node_network_receive_bytes_total'), ...series('node_network_transmit_bytes_total')],
          promql_expr_test: Object.values(NODE_NETWORK_RECORDS).map((record) => ({
            expr: record, eval_time: '10m', exp_samples: [{ labels: `${record}{instance="n1",job="node-exporter"}`, value: 20 }],
          })),
        }],
      };
      writeFileSync(join(dir, 'cni.test.yaml'), stringify(test));
      const r = spawnSync(pinnedBinary('promtool'), ['test', 'rules', 'cni.test.yaml'], { cwd: dir, encoding: 'utf8' });
      expect(`${r.stdout}${r.stderr}`).toContain('SUCCESS');
      expect(r.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
