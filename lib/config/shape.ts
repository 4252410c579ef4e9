import { BACKUP_SHAPE } from './backup';
import {
  url, bool, cidr, cpu, dnsName, duration, image, intBetween, labelName, labels, listOf, metricName,
  nullable, port, Check, checkValue, prometheusSize, quantity, secretName, Shape, text, urlPath,
} from './checks';

/** The shape of one resolved environment; mirrors `EnvironmentConfig` in types.ts. */
const resources: Shape = {
  requests: { cpu, memory: quantity },
  limits: { cpu, memory: quantity },
};

const podPeer: Shape = { namespace: dnsName, podLabels: labels };
const egress: Shape = { cidr, port };
const exposure = nullable({ host: text, tlsSecret: secretName, authSecret: secretName, username: text });

/** Remote write: credentials only by Secret name, and then only over https. */
const remoteWrite: Check = (field, value) => {
  const v = value as { credentialsSecret?: unknown } | null;
  checkValue(field, value, {
    name: dnsName,
    url: url(typeof v === 'object' && v !== null && v.credentialsSecret !== null && v.credentialsSecret !== undefined),
    egress,
    basicAuthUsername: nullable(text),
    credentialsSecret: nullable(secretName),
    dropMetrics: listOf(text, 0),
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
    storage: quantity,
    storageClass: nullable(dnsName),
    retentionTime: duration,
    retentionSize: prometheusSize,
    scrapeInterval: duration,
    evaluationInterval: duration,
    resources,
    remoteWrite: listOf(remoteWrite, 0),
    thanosSidecar: nullable({ image, objectStoreSecret: secretName, querier: podPeer, objectStoreEgress: egress }),
    federation: nullable({ from: podPeer, match: listOf(text) }),
    exposure,
    webAuth: { secret: secretName, username: text },
  },
  alertmanager: {
    image,
    exposure,
    webAuth: { secret: secretName, username: text },
    configSecret: secretName,
    storage: quantity,
    receiverEgress: listOf({ cidr, port }),
    resources,
  },
  grafana: {
    image,
    adminSecret: secretName,
    secretKeySecret: secretName,
    storage: quantity,
    storageClass: nullable(dnsName),
    ingressHost: nullable(text),
    ingressTlsSecret: secretName,
    resources,
  },
  nodeExporter: { image, port, resources },
  cadvisor: { image, port, resources },
  backend: {
    namespace: dnsName,
    createNamespace: bool,
    manifestsPath: text,
    postgres: databaseExporter,
    redis: databaseExporter,
    api: {
      namespace: dnsName,
      podLabels: labels,
      portName: dnsName,
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
    ingress: { className: dnsName, clusterIssuer: nullable(dnsName), controller: podPeer },
    defaultDeny: bool,
  },
  backup: BACKUP_SHAPE,
  gitops: {
    filePerResource: bool,
    argoCd: nullable({ repoUrl: text, revision: text, project: dnsName, namespace: dnsName }),
    flux: nullable({ gitRepository: dnsName, namespace: dnsName, interval: duration }),
  },
};
