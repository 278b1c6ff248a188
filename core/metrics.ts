/**
 * What the runner reports for Prometheus, as a small interface so that core/ and runner/ never
 * import prom-client or Fastify (api/metrics implements it). Label values are connector ids,
 * actions, statuses and stable failure reasons, and on the run outcome counter alone the connection
 * id (bounded by the number of connections an admin made, so one broken connection can be alerted
 * on): never user ids or emails, so the series stay few.
 */
import type { ProvisioningStore } from './provisioning/state.ts';
import type { RunRecord } from './runs/schema.ts';

export interface RunObservation {
  connector: string;
  /** The connection id (scimwright_runs_total only). */
  connection: string;
  /** `converge` for a user, `task` for a connection task (setup, rotate …). */
  kind: 'converge' | 'task';
  status: 'succeeded' | 'failed' | 'retrying';
  /** What the run did: invite, changeRole, remove … ("unknown" when it failed before deciding). */
  action: string;
  /** Stable reason of a failure (PermanentReason, "dns", "timeout" … runner/error-words.ts errorReason, "crashed"). */
  reason?: string;
  durationSeconds: number;
}

export interface Metrics {
  /** A run ended; counts failures by reason too. */
  runFinished(run: RunObservation): void;
  /** A user was removed or deactivated in the app; latency counts from the SCIM request that asked. */
  deprovisioned(event: { connector: string; latencySeconds: number }): void;
  /** A browser context (one connection's session) was opened or closed. */
  browserSession(change: 'opened' | 'closed'): void;
}

const DEPROVISION_ACTIONS = new Set(['remove', 'deactivate']);

/**
 * Reports a finished run record. `changedAt` is the time of the SCIM change the run carried out
 * (the provisioning state's `changedAt`), used for the deprovision latency.
 */
export function reportRun(metrics: Metrics, run: RunRecord, connector: string, changedAt?: string): void {
  if (run.status === 'running' || run.status === 'queued' || !run.endedAt) return;
  const ended = Date.parse(run.endedAt);
  metrics.runFinished({
    connector,
    connection: run.connectionId,
    kind: run.task ? 'task' : 'converge',
    status: run.status,
    action: run.action ?? 'unknown',
    ...(run.reason ? { reason: run.reason } : {}),
    durationSeconds: Math.max(0, (ended - Date.parse(run.startedAt)) / 1000),
  });
  if (run.status === 'succeeded' && run.action && DEPROVISION_ACTIONS.has(run.action) && changedAt) {
    metrics.deprovisioned({ connector, latencySeconds: Math.max(0, (ended - Date.parse(changedAt)) / 1000) });
  }
}

export interface RunReporterDeps {
  provisioning: Pick<ProvisioningStore, 'get'>;
  /** connectionId → connector id. */
  connectorOf(connectionId: string): Promise<string | undefined>;
  onError?(error: unknown): void;
}

/**
 * A listener for the runner's closed runs (StartWorkerOptions.onRunEnd): each run reported once,
 * the job's own and those of users a batch invite took along alike. Use this OR calls of `Metrics`
 * inside the runner, not both (runs would count twice).
 */
export function runReporter(deps: RunReporterDeps, metrics: Metrics): (run: RunRecord) => void {
  const report = async (run: RunRecord) => {
    const connector = await deps.connectorOf(run.connectionId);
    if (!connector) return;
    const state = run.userId ? await deps.provisioning.get(run.connectionId, run.userId) : null;
    reportRun(metrics, run, connector, state?.changedAt);
  };
  return (run) => {
    report(run).catch((error: unknown) => deps.onError?.(error));
  };
}
