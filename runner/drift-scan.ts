/**
 * A drift scan run (issue 18, item 1; docs/drift.md): log in, list every member the app shows (the
 * connector's `listUsers`, which walks all pages), compare with the desired state of every user the
 * IdP told us about, and store the findings. The scan is a run like any other, with its own record
 * and evidence: every finding names it, and its screenshots show the list as read. With
 * `drift: "repair"` the differences for IdP-known users are converged at once by the normal jobs;
 * shadow accounts are never touched.
 */
import { PermanentAppError } from '../core/errors.ts';
import { compareMembers } from '../core/drift/compare.ts';
import { readKnownUsers } from '../core/drift/known-users.ts';
import { DEFAULT_DRIFT_MODE, type FindingDraft } from '../core/drift/schema.ts';
import { DriftStore } from '../core/drift/store.ts';
import type { ObservedUser } from '../core/connector.ts';
import { appSettings } from './context.ts';
import { withLogin } from './converge.ts';
import type { RunnerDeps } from './deps.ts';
import { withOperationEvidence } from './evidence/operations.ts';
import { JobRunError, type JobRun } from './job-runs.ts';
import { closeScope, openScope } from './run-scope.ts';
import { attempt } from './user-pass.ts';

export const DRIFT_TASK = 'drift-scan';

export const driftStore = (deps: Pick<RunnerDeps, 'redis' | 'prefix'>) => new DriftStore(deps.redis, deps.prefix);

export async function runDriftScanJob(job: JobRun, runId: string) {
  const run = { ...job, connector: withOperationEvidence(job.connector) };
  const { connection, connector, deps } = run;
  const scope = await openScope({ ...run, jobId: String(run.job.id), task: DRIFT_TASK, runId, previousRunId: run.previousRunId });
  await run.job.updateProgress({ tries: run.attempt, runId: scope.runId });
  let members: ObservedUser[] = [];
  let drafts: FindingDraft[] = [];
  let repaired = 0;
  const failure = await attempt(scope, run.isFinal, async () => {
    appSettings(connector, connection);
    if (!connector.capabilities.listUsers) throw new PermanentAppError('unsupported', `connector ${connector.id} cannot list its members`);
    scope.summary.action = DRIFT_TASK;
    members = await withLogin(connector, scope.ctx, scope.session, () => connector.operations.listUsers(scope.ctx));
    // Read after the list: a change that lands meanwhile is in flight and left out, not reported.
    const known = await readKnownUsers(deps, connection, connector.capabilities);
    const allowed = new Set((await driftStore(deps).allowances(connection.id)).map((a) => a.email));
    drafts = compareMembers({ observed: members, known: known.known, capabilities: connector.capabilities, ignore: [run.credentials.email], allowed })
      .map((d) => ({ ...d, detail: scope.secrets.redact(d.detail) }));
    repaired = await repair(run, drafts);
    scope.summary.why = `${members.length} members listed; ${drafts.length} findings`
      + `${known.inFlight ? `; ${known.inFlight} users with a change on its way left out` : ''}`
      + `${repaired ? `; ${repaired} users enqueued to converge (drift: repair)` : ''}`;
  });
  const record = await closeScope(scope, failure);
  if (failure.error) throw new JobRunError(record.error ?? 'drift scan failed', failure.error);
  const at = record.endedAt ?? new Date().toISOString();
  const recorded = await driftStore(deps).recordScan(connection.id, { runId, at, members: members.length, repaired, drafts });
  run.logger.info({ runId, members: members.length, findings: drafts.length, resolved: recorded.resolved, repaired }, 'drift scan recorded');
  return { generation: 0, runs: 1 };
}

/** `drift: "repair"`: the IdP-known users who differ get their normal converge job (never the shadow accounts). */
async function repair(run: JobRun, drafts: readonly FindingDraft[]): Promise<number> {
  if ((run.connection.settings.drift ?? DEFAULT_DRIFT_MODE) !== 'repair') return 0;
  const userIds = [...new Set(drafts.flatMap((d) => (d.kind !== 'unknown' && d.userId ? [d.userId] : [])))];
  await run.deps.queue.enqueue(userIds.map((userId) => ({ connectionId: run.connection.id, userId })));
  return userIds.length;
}
