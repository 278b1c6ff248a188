/**
 * Closing the runs of dead workers (issue 17). A worker killed in a run used to leave it "running"
 * until its job came back, and for ever when it never did (its user was settled as another job's
 * batch peer). Now every worker process keeps a heartbeat with a TTL (core/runs/liveness.ts) and
 * looks, every third of that TTL, for open runs whose worker has none left: the first to notice
 * claims such a run, seals the evidence it left as `crashed` (evidence/seal-crashed.ts) and closes
 * the record as failed/crashed. A job recovered after a stall closes its previous run the same way
 * (process.ts), whichever comes first.
 */
import type { RunRecord } from '../core/runs/store.ts';
import type { RunnerDeps } from './deps.ts';
import { MANIFEST_FILE } from './evidence/manifest.ts';
import { sealCrashedRun } from './evidence/seal-crashed.ts';

/** Heartbeat lifetime without renewal. Default 30 000 ms: a dead worker's runs close within ~40 s. */
export const HEARTBEAT_TTL_MS = 30_000;

export interface Reaper {
  /** Stops the heartbeat and the look-outs; the worker's own runs must be closed by then. */
  stop(): Promise<void>;
}

export async function startReaper(deps: RunnerDeps, ttlMs = HEARTBEAT_TTL_MS): Promise<Reaper> {
  const { liveness, instanceId, logger } = deps;
  await liveness.beat(instanceId, ttlMs);
  let busy = false;
  // After Redis was out of reach, other workers' heartbeats may have lapsed as ours did: they are
  // given a whole TTL to beat again before their runs count as orphans.
  let unsureUntil = 0;
  const tick = async () => {
    try {
      await liveness.beat(instanceId, ttlMs);
    } catch (error) {
      unsureUntil = Date.now() + 2 * ttlMs;
      throw error;
    }
    if (busy || Date.now() < unsureUntil) return;
    busy = true;
    try {
      for (const runId of await liveness.claimOrphans(instanceId)) {
        logger.warn({ runId }, 'a run of a worker that stopped (no heartbeat); closing it as crashed');
        await closeCrashedRun(deps, runId, 'its worker stopped sending heartbeats');
      }
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick().catch((error: unknown) => logger.error({ error: String(error) }, 'reaper failed')), Math.max(100, Math.floor(ttlMs / 3)));
  timer.unref();
  void tick().catch(() => {}); // runs left by a worker that died before this one started
  return {
    stop: async () => {
      clearInterval(timer);
      await liveness.stop(instanceId).catch(() => {});
    },
  };
}

/**
 * Seals what a dead run left and closes its record; the caller has claimed the run. Null when the
 * record is gone or already closed. A folder this host cannot see (recordings not shared between
 * worker hosts) still gets its record closed, saying so.
 */
export async function closeCrashedRun(deps: RunnerDeps, runId: string, how: string): Promise<RunRecord | null> {
  const record = await deps.runs.get(runId);
  if (!record || record.status !== 'running') return null;
  const endedAt = new Date().toISOString();
  let error = `The worker stopped during this run (crash or kill); ${how}.`;
  let evidence = record.evidence;
  try {
    const manifest = await sealCrashedRun({
      recordingsDir: deps.recordingsDir, connectionId: record.connectionId, runId, startedAt: record.startedAt,
      attempt: record.attempt, endedAt, trigger: trigger(record, error, deps.workerId),
    });
    evidence = { dir: record.evidence?.dir ?? '', files: manifest.files.map((f) => f.name), manifest: MANIFEST_FILE };
  } catch (sealError) {
    deps.logger.error({ runId, error: String(sealError) }, 'evidence of a crashed run not sealed');
    error += ` Its evidence was not sealed by ${deps.workerId}: ${(sealError as NodeJS.ErrnoException).code === 'ENOENT' ? 'the run folder is not on this host' : 'the seal failed'}.`;
  }
  const closed = await deps.runs.update(runId, { status: 'failed', reason: 'crashed', endedAt, error, ...(evidence ? { evidence } : {}) });
  if (closed) deps.onRunEnd?.(closed);
  return closed;
}

function trigger(record: RunRecord, error: string, closedBy: string): Record<string, unknown> {
  const { runId: _, status: __, evidence: ___, startedAt: ____, endedAt: _____, ...known } = record;
  return { kind: record.task ? 'task' : 'converge', ...known, error, reason: 'crashed', closedBy };
}
