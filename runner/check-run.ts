/**
 * A canary check run (issue 10, point 4): the connector's read-only `check` walked like any other
 * run (record, evidence, login), then its result kept on the connection. A failure marks the
 * connection as needing attention at once; a pass lifts the mark and lets held-back jobs run.
 */
import { PermanentAppError, ScreenMismatchError } from '../core/errors.ts';
import type { Attention } from '../core/connections/health.ts';
import { healthStore, releaseWaitingJobs } from './attention.ts';
import { appSettings } from './context.ts';
import { withLogin } from './converge.ts';
import type { JobRun } from './job-runs.ts';
import { closeScope, openScope } from './run-scope.ts';
import { attempt } from './user-pass.ts';

export const CHECK_TASK = 'check';

export async function runCheckJob(run: JobRun, runId: string) {
  const check = run.connector.operations.check;
  const scope = await openScope({ ...run, jobId: String(run.job.id), task: CHECK_TASK, runId });
  await run.job.updateProgress({ tries: run.attempt, runId: scope.runId });
  let observations: string[] = [];
  const failure = await attempt(scope, () => true, async () => {
    appSettings(run.connector, run.connection);
    if (!check) throw new PermanentAppError('unsupported', `connector ${run.connector.id} has no read-only check`);
    scope.summary.action = CHECK_TASK;
    observations = (await withLogin(run.connector, scope.ctx, scope.session, () => check(scope.ctx))).observations;
    // What the check saw, in the run record too ("why" is the record's free-text field).
    scope.summary.why = scope.secrets.redact(observations.join('; ')).slice(0, 2000);
  });
  const record = await closeScope(scope, failure);
  const health = healthStore(run.deps);
  const at = record.endedAt ?? new Date().toISOString();
  const ok = failure.error === undefined;
  await health.recordCheck(run.connection.id, {
    runId, at, ok, ...(ok ? { observations: observations.map((o) => scope.secrets.redact(o)) } : { error: record.error ?? 'check failed' }),
  });
  if (ok) {
    await health.clear(run.connection.id);
    const released = await releaseWaitingJobs(run.deps, run.connection.id);
    run.logger.info({ runId, released }, 'canary check passed');
    return { generation: 0, runs: 1 };
  }
  await health.mark(run.connection.id, attentionFrom(failure.error, runId, at, (m) => scope.secrets.redact(m)));
  run.logger.warn({ runId, error: record.error }, 'canary check failed: connection needs attention');
  return { generation: 0, runs: 1 };
}

function attentionFrom(error: unknown, runId: string, since: string, redact: (m: string) => string): Attention {
  if (error instanceof ScreenMismatchError) {
    return { since, screen: redact(error.screen), missing: redact(error.missing), runId, cause: 'check' };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { since, screen: 'canary check', missing: redact(message).slice(0, 500), runId, cause: 'check' };
}
