/**
 * One pass over one user: a run record and evidence folder (the scope), the desired state read
 * fresh, the work, then the outcome in the run record and in the user's provisioning state. Both
 * a job's own user and the users it invited in a batch (invite-batch.ts) go through here, so every
 * user's change has a run of its own with its own evidence.
 */
import type { DesiredState } from '../core/provisioning/desired.ts';
import type { ProvisioningState } from '../core/provisioning/state.ts';
import { QueuePace } from '../core/queue-pace.ts';
import type { RunRecord } from '../core/runs/store.ts';
import { noteUserRun } from './attention.ts';
import { appSettings } from './context.ts';
import { readDesired } from './converge.ts';
import { share } from './shared-email.ts';
import { passNames } from './slot-use.ts';
import { TransientAppError } from '../core/errors.ts';
import type { JobRun } from './job-runs.ts';
import { closeScope, describeError, openScope, type RunScope } from './run-scope.ts';

export interface UserPass {
  userId: string;
  /** The provisioning state read at the start: its generation is the one the run converges. */
  prov: ProvisioningState;
  jobId: string;
  attempt: number;
  previousRunId?: string;
  /** True when a failure with this error ends the user's job (permanent, or its last attempt). */
  isFinal(error: unknown): boolean;
}

export interface PassOutcome {
  runId: string;
  record: RunRecord;
  error?: unknown;
}

export async function runUserPass(
  run: JobRun, pass: UserPass, body: (scope: RunScope, desired: DesiredState) => Promise<void>,
): Promise<PassOutcome> {
  const { prov, userId } = pass;
  const scope = await openScope({
    ...run, jobId: pass.jobId, attempt: pass.attempt, userId, generation: prov.generation, previousRunId: pass.previousRunId,
    ...(prov.requestId ? { requestId: prov.requestId } : {}), ...(prov.tokenId ? { tokenId: prov.tokenId } : {}),
  });
  // The job's progress names the run it started last, a batch peer's too: if the worker dies in
  // it, the recovered job marks that run crashed (process.ts) instead of leaving it "running".
  await run.job.updateProgress({ tries: run.attempt, runId: scope.runId });
  let member = false;
  let email: string | undefined;
  let role: string | undefined;
  let recheck: string[] = [];
  const failure = await attempt(scope, pass.isFinal, async () => {
    appSettings(run.connector, run.connection);
    const decided = await share(run.deps, run.connection, run.connector, userId, {
      userId, prov, desired: await readDesired(run.deps, run.connection, run.connector, userId, prov),
    });
    const desired = decided.desired;
    // The job claimed its user's addresses before it ran; one that changed since is claimed now.
    if (run.slot && !(await run.slot.claim(passNames(userId, desired)))) {
      throw new TransientAppError(`another job of this connection is working on ${desired.user.email}; trying again later`);
    }
    recheck = decided.recheck;
    ({ member, email, role } = desired.user);
    scope.summary.desired = { ...desired.user, deprovision: desired.deprovision, allowInvite: desired.allowInvite };
    await body(scope, desired);
  });
  const record = await closeScope(scope, failure);
  await run.deps.provisioning.recordRun(run.connection.id, userId, {
    generation: prov.generation, ok: !failure.error, runId: scope.runId, at: record.endedAt ?? new Date().toISOString(),
    ...(failure.error
      ? { error: record.error, reason: record.reason, final: failure.final }
      : member ? { appRole: role, appliedEmail: email } : { removed: true }),
  });
  await noteUserRun(run.deps, run.connection.id, scope.runId, userId, failure.error);
  // The queue's measured pace, for the console's estimate and /metrics (core/queue-pace.ts).
  if (email !== undefined && record.endedAt) {
    await new QueuePace(run.deps.redis, run.deps.prefix).record(run.connection.id, member ? 'other' : 'removal', { startedAt: record.startedAt, endedAt: record.endedAt })
      .catch((error: unknown) => scope.log('warn', 'queue pace not recorded', { error: String(error) }));
  }
  // The app changed for an address other ids want too: a user reported in sync must still be.
  const wrote = scope.summary.action !== undefined && scope.summary.action !== 'none';
  if (wrote && recheck.length > 0) await run.deps.queue.enqueue(recheck.map((id) => ({ connectionId: run.connection.id, userId: id })));
  return { runId: scope.runId, record, ...(failure.error ? { error: failure.error } : {}) };
}

export async function attempt(
  scope: RunScope, isFinal: (error: unknown) => boolean, body: () => Promise<void>,
): Promise<{ error?: unknown; final: boolean }> {
  try {
    await body();
    return { final: true };
  } catch (error) {
    const final = isFinal(error);
    scope.log('debug', 'run failed', { error: describeError(error, scope.secrets).error, final });
    return { error, final };
  }
}
