import { BACKUP_SHAPE } from './backup';
import { CADVISOR_SOURCES } from './node-agents';
import {
  url, bool, cidr, cpu, dnsName, duration, gitRevision, gitUrl, goDuration, host, image, ipv4, intBetween, labelName, labels, listOf, metricName,
  mountedSecretName, nullable, oneOf, port, portName, Check, checkValue, prometheusSize, quantity, regex, secretName, seriesSelector, Shape, storage, text, urlPath,
} from './checks';

/** The shape of one resolved environment; mirrors `EnvironmentConfig` in types.ts. */
const resources: Shape = {
  requests: { cpu, memory: quantity },
  limits: { cpu, memory: quantity },
};

const podPeer: Shape = { namespace: dnsName, podLabels: labels };
const egress: Shape = { cidr, port };
const exposure = nullable({ host, tlsSecret: secretName, authSecret: mountedSecretName, username: text });

/** Remote write: credentials only by Secret name, and then only over https. */
const remoteWrite: Check = (field, value) => {
  const v = value as { credentialsSecret?: unknown } | null;
  checkValue(field, value, {
    name: dnsName,
    url: url(typeof v === 'object' && v !== null && v.credentialsSecret !== null && v.credentialsSecret !== undefined),
    egress,
    basicAuthUsername: nullable(text),
    credentialsSecret: nullable(mountedSecretName),
    dropMetrics: listOf(regex, 0),
    queue: { capacity: intBetween(1, 1_000_000, 'use e.g. 10000'), maxShards: intBetween(1, 1000, 'use e.g. 50'), maxSamplesPerSend: intBetween(1, 100_000, 'use e.g. 2000') },
  });
};

const databaseExporter: Shape = {
  workloadKind: text,
  workloadName: dnsName,
  credentialsSecret: secretName,
  image,
  port,
  resources,
};

export const ENVIRONMENT_SHAPE: Shape = {
  namespace: dnsName,
  nodeAgentsNamespace: dnsName,
  prometheus: {
    image,
    replicas: intBetween(1, 10, 'use 1, or 2 for an HA pair'),
    externalUrl: nullable(url(false)),
    storage,
    storageClass: nullable(dnsName),
    retentionTime: duration,
    retentionSize: prometheusSize,
    scrapeInterval: duration,
    evaluationInterval: duration,
    resources,
    remoteWrite: listOf(remoteWrite, 0),
    thanosSidecar: nullable({ image, objectStoreSecret: secretName, querier: podPeer, objectStoreEgress: egress }),
    federation: nullable({ from: podPeer, match: listOf(seriesSelector) }),
    exposure,
    webAuth: { secret: secretName, username: text },
  },
  alertmanager: {
    image,
    replicas: intBetween(1, 9, 'use 1, or 3 for a cluster (an odd number keeps a majority)'),
    externalUrl: nullable(url(false)),
    exposure,
    webAuth: { secret: secretName, username: text },
    configSecret: secretName,
    storage,
    receiverEgress: listOf({ cidr, port }),
    resources,
  },
  grafana: {
    image,
    adminSecret: secretName,
    secretKeySecret: secretName,
    storage,
    storageClass: nullable(dnsName),
    ingressHost: nullable(host),
    ingressTlsSecret: secretName,
    resources,
  },
  metrics: oneOf(['lean', 'full']),
  nodeExporter: { image, port, resources, webAuth: { secret: secretName, username: text } },
  cadvisor: { source: oneOf(CADVISOR_SOURCES), image, port, resources },
  backend: {
    namespace: dnsName,
    createNamespace: bool,
    manifestsPath: text,
    postgres: databaseExporter,
    redis: databaseExporter,
    api: {
      namespace: dnsName,
      podLabels: labels,
      portName,
      port,
      metricsPath: urlPath,
      instrumentation: {
        requestsTotalMetric: metricName,
        durationHistogramMetric: metricName,
        statusCodeLabel: labelName,
      },
    },
  },
  network: {
    nodeCidr: cidr,
    apiServerCidr: cidr,
    apiServerPorts: listOf(port),
    nodeLocalDnsIp: nullable(ipv4),
    ingress: { className: dnsName, clusterIssuer: nullable(dnsName), controller: podPeer },
    defaultDeny: bool,
  },
  backup: BACKUP_SHAPE,
  gitops: {
    filePerResource: bool,
    argoCd: nullable({ repoUrl: gitUrl, revision: gitRevision, project: dnsName, namespace: dnsName }),
    flux: nullable({ gitRepository: dnsName, namespace: dnsName, interval: goDuration }),
  },
};
