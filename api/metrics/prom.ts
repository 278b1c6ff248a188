/**
 * The Prometheus side of core/metrics.ts: one prom-client Registry per gateway (never the global
 * one, so tests and several apps in one process do not share series). bin/start.ts makes one and
 * hands `metrics` to the runner and the registry to the gateway.
 */
import { readFileSync } from 'node:fs';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Metrics } from '../../core/metrics.ts';
import type { QueueEstimate } from '../../core/queue-pace.ts';

/** The BullMQ Queue's job counts (typed here: api/ never imports BullMQ). */
export interface QueueCounts {
  getJobCounts(...types: string[]): Promise<Record<string, number>>;
}

export interface PromMetrics {
  registry: Registry;
  /** What the runner calls. */
  metrics: Metrics;
  scimRequests: Counter<'method' | 'route' | 'status'>;
  /** Read at every scrape; set by the gateway when a BullMQ queue is there. */
  queueSource?: QueueCounts;
  /** Read at every scrape: each connection id and whether it needs attention (set by the gateway). */
  attentionSource?: () => Promise<Array<[connectionId: string, marked: boolean]>>;
  /** Read at every scrape: each connection's drift findings by kind, from its last scan (set by the gateway). */
  driftSource?: () => Promise<Array<[connectionId: string, counts: Record<string, number>]>>;
  /** Read at every scrape: each connection's waiting users and measured pace by kind (core/queue-pace.ts). */
  paceSource?: () => Promise<Array<[connectionId: string, estimates: QueueEstimate[]]>>;
}

/** package.json's version, read once (tsx runs from the source tree, so the file is there). */
const VERSION = (() => {
  try {
    return String((JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown }).version ?? 'unknown');
  } catch {
    return 'unknown';
  }
})();

const QUEUE_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'failed', 'waiting-children'] as const;

export interface PromMetricsOptions {
  /** Node process metrics (CPU, memory, event loop). Default true. */
  processMetrics?: boolean;
}

export function createPromMetrics(options: PromMetricsOptions = {}): PromMetrics {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'scimwright_' });
  const registers = [registry];
  const scimRequests = new Counter({
    name: 'scimwright_scim_requests_total', help: 'SCIM requests answered, by method, route pattern and HTTP status.',
    labelNames: ['method', 'route', 'status'] as const, registers,
  });
  const jobDuration = new Histogram({
    name: 'scimwright_job_duration_seconds', help: 'Duration of runner runs (one browser pass over a user or a task).',
    labelNames: ['connector', 'kind', 'status', 'action'] as const, registers,
    buckets: [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300],
  });
  const failures = new Counter({
    name: 'scimwright_job_failures_total', help: 'Runs that failed or will be retried, by stable reason.',
    labelNames: ['connector', 'reason', 'status'] as const, registers,
  });
  const deprovision = new Histogram({
    name: 'scimwright_deprovision_latency_seconds',
    help: 'From the SCIM request that removed or deactivated a user to the app confirming it.',
    labelNames: ['connector'] as const, registers,
    buckets: [1, 2, 5, 10, 30, 60, 120, 300, 900, 3600, 14400],
  });
  const runs = new Counter({
    name: 'scimwright_runs_total',
    help: 'Runs that ended, by connection, connector, status and stable reason ("none" when it succeeded).',
    labelNames: ['connection', 'connector', 'status', 'reason'] as const, registers,
  });
  new Gauge({
    name: 'scimwright_build_info', help: 'Always 1; the labels say which scimwright and Node.js answer.',
    labelNames: ['version', 'node'] as const, registers,
  }).set({ version: VERSION, node: process.version }, 1);
  const sessionsOpen = new Gauge({ name: 'scimwright_browser_sessions', help: 'Browser sessions (contexts) open in this process.', registers });
  const sessionsOpened = new Counter({ name: 'scimwright_browser_sessions_opened_total', help: 'Browser sessions opened.', registers });
  const prom: PromMetrics = {
    registry, scimRequests,
    metrics: {
      runFinished(run) {
        jobDuration.observe({ connector: run.connector, kind: run.kind, status: run.status, action: run.action }, run.durationSeconds);
        if (run.status !== 'succeeded') failures.inc({ connector: run.connector, reason: run.reason ?? 'error', status: run.status });
        const reason = run.status === 'succeeded' ? 'none' : run.reason ?? 'error';
        runs.inc({ connection: run.connection, connector: run.connector, status: run.status, reason });
      },
      deprovisioned(event) {
        deprovision.observe({ connector: event.connector }, event.latencySeconds);
      },
      browserSession(change) {
        if (change === 'opened') {
          sessionsOpen.inc();
          sessionsOpened.inc();
        } else sessionsOpen.dec();
      },
    },
  };
  new Gauge({
    name: 'scimwright_queue_jobs', help: 'Jobs in the converge queue by state (read at scrape time).',
    labelNames: ['state'] as const, registers,
    async collect() {
      if (!prom.queueSource) return;
      const counts = await prom.queueSource.getJobCounts(...QUEUE_STATES);
      for (const state of QUEUE_STATES) this.set({ state }, counts[state] ?? 0);
    },
  });
  // Labelled by connection id (an admin-chosen name, not user data): an alert names what to look at.
  new Gauge({
    name: 'scimwright_connection_needs_attention',
    help: '1 when the connection\'s screens stopped matching (runs in a row, or a failed canary check) and its user jobs wait; else 0.',
    labelNames: ['connection'] as const, registers,
    async collect() {
      this.reset();
      for (const [connection, marked] of (await prom.attentionSource?.()) ?? []) this.set({ connection }, marked ? 1 : 0);
    },
  });
  // Per connection and kind (docs/drift.md); an allowed shadow account is not counted.
  new Gauge({
    name: 'scimwright_drift_findings',
    help: 'Findings of the last drift scan by connection and kind (unknown, role_differs, should_be_gone, missing).',
    labelNames: ['connection', 'kind'] as const, registers,
    async collect() {
      this.reset();
      for (const [connection, counts] of (await prom.driftSource?.()) ?? []) {
        for (const [kind, count] of Object.entries(counts)) this.set({ connection, kind }, count);
      }
    },
  });
  paceGauges(prom, registers);
  return prom;
}

/** The queue estimate the console shows, per connection and kind (removal, other), read at scrape time. */
function paceGauges(prom: PromMetrics, registers: Registry[]): void {
  const labelNames = ['connection', 'kind'] as const;
  let read: Promise<Array<[string, QueueEstimate[]]>> | undefined;
  // One read per scrape for the three gauges: the first collect starts it, the others share it.
  const rows = () => (read ??= (prom.paceSource?.() ?? Promise.resolve([])).finally(() => setImmediate(() => { read = undefined; })));
  const gauge = (name: string, help: string, value: (e: QueueEstimate) => number | undefined) => new Gauge({
    name, help, labelNames, registers,
    async collect() {
      this.reset();
      for (const [connection, estimates] of await rows()) {
        for (const e of estimates) {
          const v = value(e);
          if (v !== undefined) this.set({ connection, kind: e.kind }, v);
        }
      }
    },
  });
  gauge('scimwright_queue_seconds_per_job', 'Measured seconds per user job of this connection and kind (removal, other), smoothed over recent runs.', (e) => (e.msPerJob === undefined ? undefined : e.msPerJob / 1000));
  gauge('scimwright_queue_waiting_users', 'Users of this connection waiting to be converged, by kind (removal, other).', (e) => e.waiting);
  gauge('scimwright_queue_eta_seconds', 'Seconds until this kind\'s waiting users are done at the measured pace (removals go first, so "other" includes them).', (e) => e.etaSeconds);
}
