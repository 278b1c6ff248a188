/**
 * /metrics for a standalone worker (`npm run worker` with SCIMWRIGHT_WORKER_METRICS_PORT): the
 * runner series the gateway shows for its embedded worker (runs, failures by reason, deprovision
 * latency, browser sessions, queue depth) on a small HTTP server of the worker's own, behind
 * SCIMWRIGHT_METRICS_TOKEN when that is set. Process metrics are on, as on the gateway.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPromMetrics, scrape, type PromMetrics } from '../api/metrics/index.ts';
import { runReporter } from '../core/metrics.ts';
import type { RunRecord } from '../core/runs/store.ts';
import type { RunningWorker } from '../runner/worker.ts';

export interface WorkerMetrics {
  prom: PromMetrics;
  /** For startWorker: `onRunEnd` and `sessions.onSession`. */
  onRunEnd(run: RunRecord): void;
  onSession(change: 'opened' | 'closed'): void;
  /** Once the worker runs: its queue for the depth gauge, its stores to label runs. */
  attach(worker: RunningWorker, onError: (error: unknown) => void): void;
}

export function createWorkerMetrics(): WorkerMetrics {
  const prom = createPromMetrics();
  let report: (run: RunRecord) => void = () => {};
  return {
    prom,
    onRunEnd: (run) => report(run),
    onSession: (change) => prom.metrics.browserSession(change),
    attach(worker, onError) {
      prom.queueSource = worker.queue.queue;
      report = runReporter({
        provisioning: worker.deps.provisioning,
        connectorOf: async (id) => (await worker.deps.connections.get(id))?.connector,
        onError,
      }, prom.metrics);
    },
  };
}

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

/** Serves GET /metrics (404 for anything else) on host:port; port 0 picks a free one. */
export async function serveMetrics(prom: PromMetrics, options: { host: string; port: number; token?: string }): Promise<MetricsServer> {
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Only GET /metrics is served here.\n');
      return;
    }
    scrape(prom, options.token, request.headers.authorization).then(
      (answer) => response.writeHead(answer.status, answer.headers).end(answer.body),
      () => response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('metrics unavailable\n'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}/metrics`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
