/**
 * An in-process HTTP server on 127.0.0.1:<free port> that records the JSON
 * bodies Alertmanager's webhook receiver POSTs (any path; `url` points at /alerts).
 */
import { EventEmitter } from 'node:events';
import * as http from 'node:http';
import { HOST, listenOnLoopback, type HttpHandle } from './common';

export type AlertStatus = 'firing' | 'resolved';

export interface WebhookAlert {
  status: AlertStatus;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}

/** Alertmanager webhook payload (version 4). */
export interface WebhookPayload {
  version: string;
  groupKey: string;
  truncatedAlerts: number;
  status: AlertStatus;
  receiver: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
  alerts: WebhookAlert[];
}

export interface WebhookHandle extends HttpHandle {
  /** The receiver URL to put in alertmanager.yml: `http://127.0.0.1:<port>/alerts`. */
  readonly receiverUrl: string;
  /** Every payload received so far, oldest first. */
  received(): WebhookPayload[];
  /** All alerts of all payloads, oldest first. */
  alerts(): WebhookAlert[];
  /**
   * Resolves with the first alert (already received or arriving later) whose
   * `alertname` is `name` and whose status is `status`; rejects after timeoutMs
   * with a summary of what did arrive.
   */
  waitForAlert(name: string, status: AlertStatus, timeoutMs?: number): Promise<WebhookAlert>;
  /** Forgets everything received. */
  clear(): void;
}

const MAX_BODY = 1024 * 1024;
const MAX_PAYLOADS = 10_000;

export async function startWebhook(): Promise<WebhookHandle> {
  let payloads: WebhookPayload[] = [];
  const events = new EventEmitter();
  events.setMaxListeners(100);

  const server = http.createServer((req, res) => {
    if (req.method !== 'POST') {
      res.writeHead(req.url === '/-/ready' ? 200 : 405).end();
      return;
    }
    let body = '';
    let tooBig = false;
    req.setEncoding('utf8');
    req.on('data', (d: string) => {
      if (body.length + d.length > MAX_BODY) tooBig = true;
      else body += d;
    });
    req.on('end', () => {
      if (tooBig) {
        res.writeHead(413).end();
        return;
      }
      try {
        const p = JSON.parse(body) as WebhookPayload;
        if (payloads.length < MAX_PAYLOADS) payloads.push(p);
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
        events.emit('payload', p);
      } catch {
        res.writeHead(400).end('bad json');
      }
    });
  });
  server.keepAliveTimeout = 1000;

  const { port, url } = await listenOnLoopback(server);
  const allAlerts = () => payloads.flatMap((p) => p.alerts ?? []);
  const match = (name: string, status: AlertStatus) => (a: WebhookAlert) =>
    a.labels?.alertname === name && a.status === status;
  let stopped = false;

  return {
    port,
    address: `${HOST}:${port}`,
    url,
    receiverUrl: `${url}/alerts`,
    received: () => [...payloads],
    alerts: allAlerts,
    clear: () => {
      payloads = [];
    },
    waitForAlert(name, status, timeoutMs = 30_000) {
      const found = allAlerts().find(match(name, status));
      if (found) return Promise.resolve(found);
      return new Promise<WebhookAlert>((resolve, reject) => {
        const onPayload = (p: WebhookPayload) => {
          const a = (p.alerts ?? []).find(match(name, status));
          if (a) {
            cleanup();
            resolve(a);
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          const seen = allAlerts().map((a) => `${a.labels?.alertname}=${a.status}`);
          reject(
            new Error(
              `webhook: no '${name}' alert with status '${status}' within ${timeoutMs} ms; ` +
                `received ${payloads.length} payload(s): ${seen.join(', ') || 'none'}`,
            ),
          );
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          events.off('payload', onPayload);
        };
        events.on('payload', onPayload);
      });
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
