import {
  bool, cidr, cpu, dnsName, duration, image, intBetween, labelName, labels, listOf, metricName,
  nullable, port, prometheusSize, quantity, secretName, Shape, text, urlPath,
} from './checks';

/** The shape of one resolved environment; mirrors `EnvironmentConfig` in types.ts. */
const resources: Shape = {
  requests: { cpu, memory: quantity },
  limits: { cpu, memory: quantity },
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
  },
  alertmanager: {
    image,
    configSecret: secretName,
    storage: quantity,
    receiverEgress: listOf({ cidr, port }),
    resources,
  },
  grafana: {
    image,
    adminSecret: secretName,
    storage: quantity,
    storageClass: nullable(dnsName),
    ingressHost: nullable(text),
    ingressTlsSecret: secretName,
    ingressClassName: dnsName,
    ingressController: { namespace: dnsName, podLabels: labels },
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
  },
};
