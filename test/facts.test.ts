/**
 * The images with no Debian build (Grafana, cAdvisor, the config reloader, Thanos, the backup tool
 * images) checked against facts read upstream at their pinned tag (facts/*.json, each fact citing
 * the file and tag it came from). Every output variant is checked: each environment, and every
 * option on. The old pins are checked too, to show each check refuses what broke them.
 */
import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { parse } from 'yaml';
import { CADVISOR_DISABLED_METRICS, CADVISOR_PROCESS_METRICS } from '../lib/components/cadvisor';
import { loadRuleFiles } from '../lib/content/rules';
import { dashboardQueries, selectedMetricNames } from './e2e/checks';
import { buildAllVariants, K8sObject, podSpecOf, ROOT, WORKLOAD_KINDS } from './support/app';
import { cadvisorMetricGroups, Facts, pinnedFacts, readFacts } from './support/facts';
import { VERSION_TABLE } from './support/pinned';

const variants = buildAllVariants();

/** Every container of every variant running the component's image (any tag: a stale tag must be seen). */
function containersOf(component: string): { where: string; c: any }[] {
  const repo = VERSION_TABLE.components[component].image.split(':').slice(0, -1).join(':');
  const out: { where: string; c: any }[] = [];
  for (const { label, objects } of variants) {
    for (const o of objects as K8sObject[]) {
      if (!WORKLOAD_KINDS.has(o.kind)) continue;
      const spec = podSpecOf(o);
      for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
        if (String(c.image).startsWith(`${repo}:`)) out.push({ where: `${label}/${o.kind}/${o.metadata.name}/${c.name}`, c });
      }
    }
  }
  return out;
}

/** `--name=value` / `--name` / `-name=value` arguments → [name, value]. */
const flagsOf = (args: readonly string[]): [string, string | undefined][] =>
  args.filter((a) => a.startsWith('-')).map((a) => {
    const [name, ...rest] = a.replace(/^--?/, '').split('=');
    return [name, rest.length ? rest.join('=') : undefined];
  });

/** Flags a program does not define, and -disable_metrics groups it does not accept. */
function cadvisorArgProblems(args: readonly string[], facts: Facts): string[] {
  const known = new Set((facts.flags ?? []).map((f: { name: string }) => f.name));
  const groups = new Set(facts.metricGroups.accepted as string[]);
  const problems: string[] = [];
  for (const [name, value] of flagsOf(args)) {
    if (facts.flags && !known.has(name)) problems.push(`--${name} is not a flag of cAdvisor ${facts.version}`);
    if (name === 'disable_metrics' || name === 'enable_metrics') {
      for (const g of (value ?? '').split(',')) if (!groups.has(g)) problems.push(`--${name}: cAdvisor ${facts.version} refuses the metric group "${g}" at start-up`);
    }
  }
  return problems;
}

/** Every metric name the dashboards and rules read. */
function usedMetricNames(): Set<string> {
  const names = new Set<string>();
  for (const q of dashboardQueries(ROOT)) for (const n of selectedMetricNames(q.query.expr)) names.add(n);
  for (const f of loadRuleFiles(join(ROOT, 'rules'))) {
    for (const g of f.content.groups) for (const r of g.rules) for (const n of selectedMetricNames(r.expr)) names.add(n);
  }
  return names;
}

describe('the version table and the facts files agree', () => {
  test.each(Object.entries(VERSION_TABLE.components))('%s: a Debian build or a facts file of the pinned release', (name, entry) => {
    if (entry.debian) {
      expect(entry.facts).toBeUndefined();
      return;
    }
    const facts = pinnedFacts(name);
    expect({ version: facts.version, image: facts.image }).toEqual({ version: entry.upstream, image: entry.image });
  });

  test('every image in the output is a pinned one, at the pinned tag', () => {
    const pinned = new Set(Object.values(VERSION_TABLE.components).map((c) => c.image));
    const backend = new Set(['docker.io/library/postgres:15.8', 'docker.io/library/redis:7.2.5']); // the backend's own, loaded from backend/
    const stray: string[] = [];
    for (const { label, objects } of variants) {
      for (const o of objects as K8sObject[]) {
        if (!WORKLOAD_KINDS.has(o.kind)) continue;
        const spec = podSpecOf(o);
        for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
          if (!pinned.has(c.image) && !backend.has(c.image)) stray.push(`${label}/${o.metadata.name}/${c.name}: ${c.image}`);
        }
      }
    }
    expect(stray).toEqual([]);
  });
});

describe('cAdvisor', () => {
  const facts = pinnedFacts('cadvisor');
  const cadvisors = containersOf('cadvisor');

  test('runs in every variant with cadvisor.source daemonset: all but prod, which scrapes the kubelet\'s', () => {
    expect([...new Set(cadvisors.map((c) => c.where.split('/')[0]))]).toEqual(variants.map((v) => v.label).filter((l) => l !== 'prod'));
  });

  /** What a cAdvisor DaemonSet pod mounts from the host that the facts do not justify, or that a disabled group would need. */
  function hostPathProblems(variant: string, facts: Facts): string[] {
    const o = variants.find((v) => v.label === variant)!.objects.find((x) => x.kind === 'DaemonSet' && x.metadata.name === 'cadvisor')!;
    const spec = podSpecOf(o);
    const c = spec.containers[0];
    const hp = facts.hostPaths;
    const allowed = new Set<string>(hp.otherHostPaths.map((x: { path: string }) => x.path));
    const problems: string[] = [];
    for (const m of c.volumeMounts as { name: string; mountPath: string; readOnly?: boolean }[]) {
      const host = spec.volumes.find((v: any) => v.name === m.name)?.hostPath?.path;
      if (!host) continue;
      if (!m.readOnly) problems.push(`${host} is mounted writable`);
      if (host !== m.mountPath) problems.push(`${host} is mounted at ${m.mountPath}: cAdvisor reads it at its host path`);
      if (![...allowed].some((a) => a === host || a.startsWith(`${host}/`) || host.startsWith(`${a}/`))) problems.push(`${host}: cAdvisor ${facts.version} reads nothing there (facts hostPaths)`);
      if (m.mountPath === '/rootfs' || m.mountPath.startsWith('/rootfs/')) problems.push(`${m.mountPath}: the /rootfs tree (cAdvisor then reads host /proc of every container)`);
    }
    // Without /rootfs/proc, a group that reads /proc/<pid>/… of a container's host pid would read cAdvisor's own pid namespace.
    const disabled = new Set(flagsOf(c.args).find(([n]) => n === 'disable_metrics')?.[1]?.split(',') ?? []);
    for (const r of hp.readsUnderRootfs as { path: string; group: string | null }[]) {
      if (r.group && !disabled.has(r.group)) problems.push(`group ${r.group} reads ${r.path} under /rootfs, which is not mounted: disable it`);
    }
    return problems;
  }

  test('mounts only the host paths the pinned release reads, read-only, never / (facts hostPaths)', () => {
    for (const v of variants.filter((x) => x.label !== 'prod')) expect({ v: v.label, problems: hostPathProblems(v.label, facts) }).toEqual({ v: v.label, problems: [] });
    expect(facts.hostPaths.otherHostPaths.map((x: { path: string }) => x.path)).toEqual(['/run/containerd/containerd.sock', '/sys', '/dev/disk/by-uuid']);
  });

  test('the kubelet job drops exactly the process group, which the DaemonSet disables', () => {
    expect([...CADVISOR_PROCESS_METRICS].sort()).toEqual([...new Set(facts.metrics.filter((m: { group: string }) => m.group === 'process').map((m: { name: string }) => m.name))].sort());
    expect(CADVISOR_DISABLED_METRICS).toContain('process');
  });

  test('every flag and every -disable_metrics group is accepted by the pinned release', () => {
    for (const { where, c } of cadvisors) expect({ where, problems: cadvisorArgProblems(c.args, facts) }).toEqual({ where, problems: [] });
  });

  test('the old pin v0.49.1 would be refused: the accelerator group no longer exists', () => {
    const old = readFacts('facts/cadvisor-0.49.1.json');
    expect(cadvisorArgProblems(['--disable_metrics=accelerator,tcp'], old)).toEqual(['--disable_metrics: cAdvisor 0.49.1 refuses the metric group "accelerator" at start-up']);
    expect(cadvisorArgProblems(['--disable_metrics=tcp'], old)).toEqual([]);
  });

  test('every container_* metric the dashboards and rules read is exported by the pinned release, its group enabled', () => {
    const groups = cadvisorMetricGroups(facts);
    const used = [...usedMetricNames()].filter((n) => n.startsWith('container_')).sort();
    expect(used).toEqual(expect.arrayContaining(['container_cpu_usage_seconds_total', 'container_memory_working_set_bytes']));
    const problems = used.flatMap((n) => {
      const g = groups.get(n);
      if (g === undefined) return [`${n}: not exported by cAdvisor ${facts.version}`];
      return g !== '' && CADVISOR_DISABLED_METRICS.includes(g) ? [`${n}: its group "${g}" is disabled`] : [];
    });
    expect(problems).toEqual([]);
  });
});

describe('Grafana', () => {
  const dashboards = readdirSync(join(ROOT, 'dashboards')).filter((f) => f.endsWith('.json'));
  const schemaProblems = (facts: Facts) => dashboards.flatMap((f) => {
    const v = JSON.parse(readFileSync(join(ROOT, 'dashboards', f), 'utf8')).schemaVersion;
    return v > facts.maxDashboardSchemaVersion ? [`${f}: schemaVersion ${v} is newer than Grafana ${facts.version} knows (${facts.maxDashboardSchemaVersion})`] : [];
  });

  test('the pinned release understands every dashboard schemaVersion', () => {
    expect(dashboards.length).toBe(4);
    expect(schemaProblems(pinnedFacts('grafana'))).toEqual([]);
  });

  test('the old pin 11.2.0 would get dashboards newer than it knows', () => {
    expect(schemaProblems(readFacts('facts/grafana-11.2.0.json'))).toHaveLength(dashboards.length);
  });

  test('every GF_<SECTION>_<KEY> variable names a setting of Grafana', () => {
    const pairs: [string, string][] = pinnedFacts('grafana').configKeysUsedByProjectEvidence.pairs;
    const known = new Set(pairs.map(([section, key]) => `GF_${section}_${key}`.replace(/[.-]/g, '_').toUpperCase())); // Grafana's env override rule
    const unknown: string[] = [];
    for (const { where, c } of containersOf('grafana')) {
      // `<VAR>__FILE` reads the value of <VAR> from a file.
      for (const e of c.env ?? []) if (e.name.startsWith('GF_') && !known.has(e.name.replace(/__FILE$/, ''))) unknown.push(`${where}: ${e.name}`);
    }
    expect(unknown).toEqual([]);
  });
});

describe('the config reloader and Thanos', () => {
  const flagProblems = (component: string, flagList: { name: string }[]) => {
    const known = new Set(flagList.map((f) => f.name));
    return containersOf(component).flatMap(({ where, c }) => {
      const args = [...(c.command ?? []).slice(1), ...(c.args ?? [])].filter((a: string) => a.startsWith('-'));
      return flagsOf(args).filter(([n]) => !known.has(n)).map(([n]) => `${where}: --${n}`);
    });
  };

  test('no reloader sidecar: every reloader image takes its credentials only in argv (facts), so none runs', () => {
    expect(readFacts('facts/configmap-reload-0.15.0.json').basicAuth.fromFile).toBe(false);
    expect(readFacts('facts/prometheus-config-reloader-0.93.0.json').basicAuth.fromFile).toBe(false);
    const reloaders = variants.flatMap(({ objects }) => (objects as K8sObject[]).filter((o) => WORKLOAD_KINDS.has(o.kind))
      .flatMap((o) => podSpecOf(o).containers.map((c: any) => String(c.image)))).filter((i) => /configmap-reload|config-reloader/.test(i));
    expect(reloaders).toEqual([]);
  });

  test('every Thanos sidecar flag exists in the pinned release', () => {
    expect(containersOf('thanos').length).toBeGreaterThan(0);
    expect(flagProblems('thanos', pinnedFacts('thanos').sidecarFlags)).toEqual([]);
  });
});

describe('the backup tool images', () => {
  test.each([['curl'], ['python'], ['awsCli']])('%s: the command the job runs is in the pinned image', (component) => {
    const facts = pinnedFacts(component);
    const runs = containersOf(component);
    expect(runs.length).toBeGreaterThan(0);
    for (const { where, c } of runs) {
      const program = String(c.command[0]).split('/').pop()!;
      expect({ where, program, present: facts.binaries?.[program]?.present }).toEqual({ where, program, present: true });
    }
  });
});

describe('Alertmanager time zones', () => {
  test('the example alertmanager.yml names no time zone: the pinned binary embeds none and the image is not known to carry one (facts)', () => {
    const facts = readFacts('facts/alertmanager-0.33.1.json');
    expect(facts.image).toBe(VERSION_TABLE.components.alertmanager.image);
    expect([facts.timeZones.binaryEmbedsTzdata.value, facts.timeZones.imageZoneinfo.value]).toEqual([false, 'unknown']);
    // With neither, a `location:` makes the config fail to load and every member crash-loop.
    const example = parse(readFileSync(join(ROOT, 'examples', 'alertmanager', 'alertmanager.yml'), 'utf8'));
    const intervals = (example.time_intervals ?? []).flatMap((t: any) => t.time_intervals ?? []);
    expect(intervals.length).toBeGreaterThan(0);
    expect(intervals.filter((i: any) => i.location !== undefined)).toEqual([]);
  });
});
