/**
 * Every pod template of the output against the Pod Security Standards
 * (https://kubernetes.io/docs/concepts/security/pod-security-standards/), with the rules encoded
 * below as data and checked the way Pod Security Admission checks them
 * (k8s.io/pod-security-admission/policy).
 */
import { readdirSync, readFileSync } from 'fs';
import { join, resolve } from 'path';
import { parseAllDocuments } from 'yaml';
import { EnvironmentApp } from '../lib/output/synth';
import { buildDefault, K8sObject, objectsOf, podSpecOf, ROOT, WORKLOAD_KINDS } from './support/app';

type Json = Record<string, any>;
type Level = 'baseline' | 'restricted';
interface PodView { readonly annotations: Record<string, string>; readonly spec: Json }
interface Rule {
  readonly id: string;
  readonly level: Level;
  /** The control's name on the PSS page. */
  readonly control: string;
  /** What is wrong, one entry per offending field; empty when the pod complies. */
  readonly check: (pod: PodView) => string[];
}

// ------------------------------------------------------------------------------------------------
// The Pod Security Standards as data.

/** Baseline "Capabilities": additions allowed beyond nothing (the container runtime's default set). */
const BASELINE_CAPABILITIES = new Set(['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT']);
/** Restricted "Capabilities": the only addition allowed (after dropping ALL). */
const RESTRICTED_CAPABILITIES = new Set(['NET_BIND_SERVICE']);
/** Baseline "Sysctls": the safe set (1.0+, ip_local_reserved_ports 1.27+, the tcp_* ones 1.29+, tcp_rmem/wmem 1.32+). */
const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes',
  'net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem',
]);
/** Baseline "SELinux": allowed types (user and role must not be set). */
const SELINUX_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);
/** Restricted "Volume Types": the only volume sources allowed. */
const RESTRICTED_VOLUME_TYPES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);
const SECCOMP_ALLOWED = new Set(['RuntimeDefault', 'Localhost']);
const APPARMOR_TYPES = new Set(['RuntimeDefault', 'Localhost']);

/** containers, initContainers and ephemeralContainers: PSS checks all three. */
const containersOf = (spec: Json): Json[] => [...(spec.containers ?? []), ...(spec.initContainers ?? []), ...(spec.ephemeralContainers ?? [])];
const perContainer = (pod: PodView, bad: (c: Json) => string | undefined): string[] =>
  containersOf(pod.spec).flatMap((c) => {
    const why = bad(c);
    return why ? [`container ${c.name}: ${why}`] : [];
  });
const sc = (c: Json): Json => c.securityContext ?? {};
const podSc = (pod: PodView): Json => pod.spec.securityContext ?? {};
const flag = (on: unknown, what: string): string[] => (on ? [what] : []);

const RULES: readonly Rule[] = [
  // Baseline
  {
    id: 'hostProcess', level: 'baseline', control: 'HostProcess',
    check: (p) => [...flag(podSc(p).windowsOptions?.hostProcess === true, 'pod windowsOptions.hostProcess'), ...perContainer(p, (c) => (sc(c).windowsOptions?.hostProcess === true ? 'windowsOptions.hostProcess' : undefined))],
  },
  { id: 'hostNetwork', level: 'baseline', control: 'Host Namespaces', check: (p) => flag(p.spec.hostNetwork === true, 'spec.hostNetwork') },
  { id: 'hostPID', level: 'baseline', control: 'Host Namespaces', check: (p) => flag(p.spec.hostPID === true, 'spec.hostPID') },
  { id: 'hostIPC', level: 'baseline', control: 'Host Namespaces', check: (p) => flag(p.spec.hostIPC === true, 'spec.hostIPC') },
  { id: 'privileged', level: 'baseline', control: 'Privileged Containers', check: (p) => perContainer(p, (c) => (sc(c).privileged === true ? 'privileged' : undefined)) },
  {
    id: 'capabilities', level: 'baseline', control: 'Capabilities',
    check: (p) => perContainer(p, (c) => {
      const extra = (sc(c).capabilities?.add ?? []).filter((x: string) => !BASELINE_CAPABILITIES.has(x));
      return extra.length ? `adds ${extra.join(', ')}` : undefined;
    }),
  },
  { id: 'hostPath', level: 'baseline', control: 'HostPath Volumes', check: (p) => (p.spec.volumes ?? []).filter((v: Json) => v.hostPath).map((v: Json) => `volume ${v.name}: hostPath ${v.hostPath.path}`) },
  {
    // The API server defaults hostPort to containerPort on the host network (SetDefaults_Pod,
    // defaultHostNetworkPorts), so the pods of a host-network template always have host ports.
    id: 'hostPorts', level: 'baseline', control: 'Host Ports',
    check: (p) => perContainer(p, (c) => {
      const ports = (c.ports ?? []).map((x: Json) => x.hostPort ?? (p.spec.hostNetwork === true ? x.containerPort : 0)).filter((x: number) => x !== 0);
      return ports.length ? `hostPort ${ports.join(', ')}` : undefined;
    }),
  },
  {
    id: 'appArmor', level: 'baseline', control: 'AppArmor',
    check: (p) => [
      ...Object.entries(p.annotations).filter(([k, v]) => k.startsWith('container.apparmor.security.beta.kubernetes.io/') && v !== 'runtime/default' && !v.startsWith('localhost/')).map(([k, v]) => `${k}: ${v}`),
      ...flag(podSc(p).appArmorProfile && !APPARMOR_TYPES.has(podSc(p).appArmorProfile.type), 'pod appArmorProfile'),
      ...perContainer(p, (c) => (sc(c).appArmorProfile && !APPARMOR_TYPES.has(sc(c).appArmorProfile.type) ? `appArmorProfile ${sc(c).appArmorProfile.type}` : undefined)),
    ],
  },
  {
    id: 'seLinux', level: 'baseline', control: 'SELinux',
    check: (p) => {
      const bad = (o: Json | undefined) => o !== undefined && (!SELINUX_TYPES.has(o.type ?? '') || !!o.user || !!o.role);
      return [...flag(bad(podSc(p).seLinuxOptions), 'pod seLinuxOptions'), ...perContainer(p, (c) => (bad(sc(c).seLinuxOptions) ? 'seLinuxOptions' : undefined))];
    },
  },
  { id: 'procMount', level: 'baseline', control: '/proc Mount Type', check: (p) => perContainer(p, (c) => (sc(c).procMount !== undefined && sc(c).procMount !== 'Default' ? `procMount ${sc(c).procMount}` : undefined)) },
  {
    id: 'seccomp', level: 'baseline', control: 'Seccomp',
    check: (p) => [
      ...Object.entries(p.annotations).filter(([k, v]) => (k === 'seccomp.security.alpha.kubernetes.io/pod' || k.startsWith('container.seccomp.security.alpha.kubernetes.io/')) && v === 'unconfined').map(([k]) => k),
      ...flag(podSc(p).seccompProfile?.type === 'Unconfined', 'pod seccompProfile Unconfined'),
      ...perContainer(p, (c) => (sc(c).seccompProfile?.type === 'Unconfined' ? 'seccompProfile Unconfined' : undefined)),
    ],
  },
  { id: 'sysctls', level: 'baseline', control: 'Sysctls', check: (p) => (podSc(p).sysctls ?? []).filter((s: Json) => !SAFE_SYSCTLS.has(s.name)).map((s: Json) => `sysctl ${s.name}`) },
  {
    id: 'probeHost', level: 'baseline', control: 'Probes / Lifecycle Hooks (host)',
    check: (p) => perContainer(p, (c) => {
      const handlers = [c.livenessProbe, c.readinessProbe, c.startupProbe, c.lifecycle?.postStart, c.lifecycle?.preStop].filter(Boolean);
      return handlers.some((h: Json) => h.httpGet?.host || h.tcpSocket?.host) ? 'probe or lifecycle host' : undefined;
    }),
  },
  // Restricted
  {
    id: 'volumeTypes', level: 'restricted', control: 'Volume Types',
    check: (p) => (p.spec.volumes ?? []).flatMap((v: Json) => Object.keys(v).filter((k) => k !== 'name' && !RESTRICTED_VOLUME_TYPES.has(k)).map((k) => `volume ${v.name}: ${k}`)),
  },
  { id: 'allowPrivilegeEscalation', level: 'restricted', control: 'Privilege Escalation', check: (p) => perContainer(p, (c) => (sc(c).allowPrivilegeEscalation !== false ? 'allowPrivilegeEscalation not false' : undefined)) },
  {
    id: 'runAsNonRoot', level: 'restricted', control: 'Running as Non-root',
    check: (p) => {
      const pod = podSc(p).runAsNonRoot;
      return [
        ...flag(pod === false, 'pod runAsNonRoot=false'),
        ...perContainer(p, (c) => (sc(c).runAsNonRoot === false || (sc(c).runAsNonRoot === undefined && pod !== true) ? 'runAsNonRoot not true' : undefined)),
      ];
    },
  },
  { id: 'runAsUser', level: 'restricted', control: 'Running as Non-root user', check: (p) => [...flag(podSc(p).runAsUser === 0, 'pod runAsUser=0'), ...perContainer(p, (c) => (sc(c).runAsUser === 0 ? 'runAsUser=0' : undefined))] },
  {
    id: 'seccompRestricted', level: 'restricted', control: 'Seccomp',
    check: (p) => {
      const podType = podSc(p).seccompProfile?.type;
      return [
        ...flag(podType !== undefined && !SECCOMP_ALLOWED.has(podType), `pod seccompProfile ${podType}`),
        ...perContainer(p, (c) => {
          const t = sc(c).seccompProfile?.type;
          return (t !== undefined && !SECCOMP_ALLOWED.has(t)) || (t === undefined && !SECCOMP_ALLOWED.has(podType)) ? 'seccompProfile not RuntimeDefault/Localhost' : undefined;
        }),
      ];
    },
  },
  {
    id: 'capabilitiesRestricted', level: 'restricted', control: 'Capabilities',
    check: (p) => perContainer(p, (c) => {
      const caps = sc(c).capabilities ?? {};
      const problems = [
        ...((caps.drop ?? []).includes('ALL') ? [] : ['does not drop ALL']),
        ...(caps.add ?? []).filter((x: string) => !RESTRICTED_CAPABILITIES.has(x)).map((x: string) => `adds ${x}`),
      ];
      return problems.length ? problems.join(', ') : undefined;
    }),
  },
];

const LEVEL_RANK: Record<Level, number> = { baseline: 0, restricted: 1 };

/** The rules of `level` (restricted includes baseline) that the pod violates, with what is wrong. */
function violations(pod: PodView, level: Level): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const r of RULES.filter((x) => LEVEL_RANK[x.level] <= LEVEL_RANK[level])) {
    const found = r.check(pod);
    if (found.length) out[r.id] = found;
  }
  return out;
}
const violated = (pod: PodView, level: Level) => Object.keys(violations(pod, level)).sort();

// ------------------------------------------------------------------------------------------------
// The output.

const envs = buildDefault();
/** The backend's own objects (only patched by us: exporter sidecars). */
const isBackend = (o: K8sObject) => o.metadata.labels?.['app.kubernetes.io/part-of'] === 'nanoe';
const podOf = (o: K8sObject): PodView => {
  const template = o.kind === 'Pod' ? o : o.kind === 'CronJob' ? o.spec.jobTemplate.spec.template : o.spec.template;
  return { annotations: template.metadata?.annotations ?? {}, spec: podSpecOf(o) };
};
const workloadsOf = (objects: K8sObject[]) => objects.filter((o) => WORKLOAD_KINDS.has(o.kind));
const namespaceLabels = (objects: K8sObject[], name: string) => objects.find((o) => o.kind === 'Namespace' && o.metadata.name === name)?.metadata.labels ?? {};

/**
 * The node agents need the host; these are all the rules each one breaks (at restricted; baseline
 * is the baseline subset), and why. Anything else is a regression.
 */
const NODE_AGENT_EXCEPTIONS: Record<string, string[]> = {
  // Host network (node IP, real interfaces), host PID (/proc of the host), read-only host paths
  // /proc, /sys and /; host ports follow from the host network (hostPort defaults to containerPort).
  'node-exporter': ['hostNetwork', 'hostPath', 'hostPorts', 'volumeTypes'],
  // Read-only host paths (/sys, its cgroup hierarchy, the containerd socket; never /) readable only by
  // root: runs as uid 0, unprivileged, without capabilities. Only with `cadvisor.source: daemonset`.
  cadvisor: ['hostPath', 'volumeTypes', 'runAsNonRoot', 'runAsUser'],
};
/** The node agents an environment runs: cAdvisor only when it is a DaemonSet (not the kubelet's). */
const agentExceptions = (env: EnvironmentApp): Record<string, string[]> =>
  Object.fromEntries(Object.entries(NODE_AGENT_EXCEPTIONS).filter(([name]) => name !== 'cadvisor' || env.config.cadvisor.source === 'daemonset'));
const baselineOnly = (ids: string[]) => ids.filter((id) => RULES.find((r) => r.id === id)!.level === 'baseline');

/** Containers of the backend's own manifests, by `kind/namespace/name`. */
function backendManifestContainers(env: EnvironmentApp): Map<string, Json[]> {
  const dir = resolve(ROOT, env.config.backend.manifestsPath);
  const out = new Map<string, Json[]>();
  for (const f of readdirSync(dir).filter((x) => /\.ya?ml$/.test(x))) {
    for (const d of parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((x) => x.toJSON())) {
      if (d?.spec?.template?.spec?.containers) out.set(`${d.kind}/${d.metadata.namespace ?? env.config.backend.namespace}/${d.metadata.name}`, d.spec.template.spec.containers);
    }
  }
  return out;
}

// ------------------------------------------------------------------------------------------------

describe('the Pod Security Standards as encoded here', () => {
  const compliant = (): PodView => ({
    annotations: {},
    spec: {
      securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [{ name: 'app', image: 'x', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
      volumes: [{ name: 'c', configMap: { name: 'c' } }, { name: 'e', emptyDir: {} }, { name: 'p', persistentVolumeClaim: { claimName: 'p' } }],
    },
  });
  const c0 = (p: PodView) => p.spec.containers[0];
  /** One mutation per rule, each breaking exactly the rules listed. */
  const CASES: [string, (p: PodView) => void, string[]][] = [
    ['windows hostProcess', (p) => { p.spec.securityContext.windowsOptions = { hostProcess: true }; }, ['hostProcess']],
    ['host network', (p) => { p.spec.hostNetwork = true; }, ['hostNetwork']],
    ['host network with a container port (hostPort defaulted)', (p) => { p.spec.hostNetwork = true; c0(p).ports = [{ containerPort: 9100 }]; }, ['hostNetwork', 'hostPorts']],
    ['host PID', (p) => { p.spec.hostPID = true; }, ['hostPID']],
    ['host IPC', (p) => { p.spec.hostIPC = true; }, ['hostIPC']],
    ['privileged', (p) => { c0(p).securityContext.privileged = true; }, ['privileged']],
    ['adds SYS_ADMIN', (p) => { c0(p).securityContext.capabilities.add = ['SYS_ADMIN']; }, ['capabilities', 'capabilitiesRestricted']],
    ['adds CHOWN (a default capability)', (p) => { c0(p).securityContext.capabilities.add = ['CHOWN']; }, ['capabilitiesRestricted']],
    ['adds NET_BIND_SERVICE (the one restricted allows)', (p) => { c0(p).securityContext.capabilities.add = ['NET_BIND_SERVICE']; }, []],
    ['does not drop ALL', (p) => { c0(p).securityContext.capabilities.drop = ['NET_RAW']; }, ['capabilitiesRestricted']],
    ['hostPath volume', (p) => { p.spec.volumes.push({ name: 'h', hostPath: { path: '/' } }); }, ['hostPath', 'volumeTypes']],
    ['nfs volume', (p) => { p.spec.volumes.push({ name: 'n', nfs: { server: 's', path: '/' } }); }, ['volumeTypes']],
    ['hostPort', (p) => { c0(p).ports = [{ containerPort: 8080, hostPort: 8080 }]; }, ['hostPorts']],
    ['AppArmor annotation unconfined', (p) => { p.annotations['container.apparmor.security.beta.kubernetes.io/app'] = 'unconfined'; }, ['appArmor']],
    ['AppArmor profile Unconfined', (p) => { c0(p).securityContext.appArmorProfile = { type: 'Unconfined' }; }, ['appArmor']],
    ['SELinux type spc_t', (p) => { c0(p).securityContext.seLinuxOptions = { type: 'spc_t' }; }, ['seLinux']],
    ['SELinux user set', (p) => { p.spec.securityContext.seLinuxOptions = { user: 'system_u' }; }, ['seLinux']],
    ['procMount Unmasked', (p) => { c0(p).securityContext.procMount = 'Unmasked'; }, ['procMount']],
    ['seccomp Unconfined', (p) => { p.spec.securityContext.seccompProfile = { type: 'Unconfined' }; }, ['seccomp', 'seccompRestricted']],
    ['no seccomp profile', (p) => { delete p.spec.securityContext.seccompProfile; }, ['seccompRestricted']],
    ['unsafe sysctl', (p) => { p.spec.securityContext.sysctls = [{ name: 'kernel.msgmax', value: '1' }]; }, ['sysctls']],
    ['probe with a host', (p) => { c0(p).readinessProbe = { httpGet: { host: 'example.com', path: '/', port: 80 } }; }, ['probeHost']],
    ['allowPrivilegeEscalation unset', (p) => { delete c0(p).securityContext.allowPrivilegeEscalation; }, ['allowPrivilegeEscalation']],
    ['runAsNonRoot unset', (p) => { delete p.spec.securityContext.runAsNonRoot; }, ['runAsNonRoot']],
    ['runAsNonRoot false in a container', (p) => { c0(p).securityContext.runAsNonRoot = false; }, ['runAsNonRoot']],
    ['runAsUser 0', (p) => { c0(p).securityContext.runAsUser = 0; }, ['runAsUser']],
    ['an init container breaks it too', (p) => { p.spec.initContainers = [{ name: 'init', securityContext: { capabilities: { drop: ['ALL'] } } }]; }, ['allowPrivilegeEscalation']],
  ];

  test('a minimal restricted pod passes', () => {
    expect(violations(compliant(), 'restricted')).toEqual({});
  });

  test.each(CASES)('%s breaks exactly the expected rules', (_name, mutate, expected) => {
    const pod = compliant();
    mutate(pod);
    expect(violated(pod, 'restricted')).toEqual([...expected].sort());
    expect(violated(pod, 'baseline')).toEqual(baselineOnly([...expected]).sort());
  });

  test('every rule is exercised by a case', () => {
    const exercised = new Set(CASES.flatMap(([, , ids]) => ids));
    expect(RULES.map((r) => r.id).filter((id) => !exercised.has(id))).toEqual([]);
  });
});

for (const env of envs) {
  const objects = objectsOf(env);
  const ours = workloadsOf(objects).filter((o) => !isBackend(o));
  const backend = workloadsOf(objects).filter(isBackend);

  describe(`pod security of ${env.config.name}`, () => {
    test('the stack has pods in exactly two namespaces: restricted, and privileged for the node agents', () => {
      const enforce = (o: K8sObject) => namespaceLabels(objects, o.metadata.namespace!)['pod-security.kubernetes.io/enforce'];
      expect([...new Set(ours.map((o) => `${o.metadata.namespace}=${enforce(o)}`))].sort()).toEqual(
        [`${env.config.namespace}=restricted`, `${env.config.nodeAgentsNamespace}=privileged`].sort(),
      );
      const agents = namespaceLabels(objects, env.config.nodeAgentsNamespace);
      expect([agents['pod-security.kubernetes.io/warn'], agents['pod-security.kubernetes.io/audit']]).toEqual(['baseline', 'baseline']);
    });

    test('every pod in a restricted namespace passes restricted', () => {
      const restricted = ours.filter((o) => namespaceLabels(objects, o.metadata.namespace!)['pod-security.kubernetes.io/enforce'] === 'restricted');
      expect(restricted.map((o) => o.metadata.name)).toEqual(expect.arrayContaining(['prometheus', 'alertmanager', 'grafana']));
      expect(Object.fromEntries(restricted.map((o) => [`${o.kind}/${o.metadata.name}`, violations(podOf(o), 'restricted')]))).toEqual(
        Object.fromEntries(restricted.map((o) => [`${o.kind}/${o.metadata.name}`, {}])),
      );
    });

    test('the node agents break exactly their documented exceptions, at restricted and at baseline', () => {
      const privileged = ours.filter((o) => namespaceLabels(objects, o.metadata.namespace!)['pod-security.kubernetes.io/enforce'] === 'privileged');
      const at = (level: Level) => Object.fromEntries(privileged.map((o) => [o.metadata.name, violated(podOf(o), level)]));
      expect(at('restricted')).toEqual(Object.fromEntries(Object.entries(agentExceptions(env)).map(([k, v]) => [k, [...v].sort()])));
      expect(at('baseline')).toEqual(Object.fromEntries(Object.entries(agentExceptions(env)).map(([k, v]) => [k, baselineOnly(v).sort()])));
    });

    test('the node agents still drop ALL capabilities, forbid privilege escalation, are unprivileged and have a read-only root', () => {
      const agents = ours.filter((o) => o.metadata.name in NODE_AGENT_EXCEPTIONS);
      expect(agents).toHaveLength(Object.keys(agentExceptions(env)).length);
      for (const o of agents) {
        for (const c of containersOf(podSpecOf(o))) {
          expect([o.metadata.name, c.name, c.securityContext]).toEqual([o.metadata.name, c.name, expect.objectContaining({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } })]);
          expect(c.securityContext.privileged ?? false).toBe(false);
        }
      }
    });

    test('only the Prometheus pod mounts a service account token', () => {
      const serviceAccounts = new Map(objects.filter((o) => o.kind === 'ServiceAccount').map((o) => [`${o.metadata.namespace}/${o.metadata.name}`, o]));
      const mountsToken = (o: K8sObject) => {
        const spec = podSpecOf(o);
        const sa = serviceAccounts.get(`${o.metadata.namespace}/${spec.serviceAccountName ?? 'default'}`);
        const automount = spec.automountServiceAccountToken ?? sa?.automountServiceAccountToken ?? true;
        const projected = (spec.volumes ?? []).some((v: Json) => (v.projected?.sources ?? []).some((s: Json) => s.serviceAccountToken));
        return automount || projected;
      };
      expect(ours.filter(mountsToken).map((o) => o.metadata.name)).toEqual(['prometheus']);
    });

    test('every container the stack creates has a read-only root filesystem', () => {
      const writable = ours.flatMap((o) => containersOf(podSpecOf(o)).filter((c) => c.securityContext?.readOnlyRootFilesystem !== true).map((c) => `${o.metadata.name}/${c.name}`));
      expect(writable).toEqual([]);
    });

    describe('the backend namespace', () => {
      const manifests = backendManifestContainers(env);
      const sidecars = backend.flatMap((o) => {
        const own = new Set((manifests.get(`${o.kind}/${o.metadata.namespace}/${o.metadata.name}`) ?? []).map((c) => c.name));
        return podSpecOf(o).containers.filter((c: Json) => !own.has(c.name)).map((c: Json) => ({ workload: o.metadata.name, c }));
      });

      test('gets no Pod Security label from the stack, and its own containers are unchanged', () => {
        const labels = namespaceLabels(objects, env.config.backend.namespace);
        expect(Object.keys(labels).filter((k) => k.startsWith('pod-security.kubernetes.io/'))).toEqual([]);
        for (const o of backend) {
          const own = manifests.get(`${o.kind}/${o.metadata.namespace}/${o.metadata.name}`);
          expect(own).toBeDefined();
          expect(podSpecOf(o).containers.slice(0, own!.length)).toEqual(own);
        }
      });

      test('the exporter sidecars the stack adds pass restricted on their own and have a read-only root', () => {
        expect(sidecars.map((s) => `${s.workload}/${s.c.name}`).sort()).toEqual(['postgres/postgres-exporter', 'redis/redis-exporter']);
        for (const { workload, c } of sidecars) {
          // Alone in a pod with no pod-level security context: compliant whatever the backend's pod sets.
          expect([workload, c.name, violations({ annotations: {}, spec: { containers: [c] } }, 'restricted')]).toEqual([workload, c.name, {}]);
          expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
          expect((c.ports ?? []).filter((p: Json) => p.hostPort)).toEqual([]);
        }
      });
    });
  });
}
