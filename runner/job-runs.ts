/**
 * What a job does once it holds its connection: converge a user (again, as long as the user keeps
 * changing while it runs), or run a connector task. Every run ends in the provisioning state.
 */
import type { Job } from 'bullmq';
import type { ConnectorDefinition } from '../core/connector.ts';
import type { Credentials, StoredConnection } from '../core/connections/schema.ts';
import { PermanentAppError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { ProvisioningState } from '../core/provisioning/state.ts';
import { appSettings } from './context.ts';
import { converge, withLogin } from './converge.ts';
import type { RunnerDeps } from './deps.ts';
import { withOperationEvidence } from './evidence/operations.ts';
import { findInvitePeers, pauseAfterRefusal, settlePeers, type InvitePeer } from './invite-batch.ts';
import { memberSnapshots, readMemberListIfWanted } from './member-list-run.ts';
import { closeScope, openScope } from './run-scope.ts';
import type { HeldSlot } from './connection-slots.ts';
import { attempt, runUserPass } from './user-pass.ts';

/** Passes one job makes over a user who keeps changing; after that the completed-job check re-enqueues. */
const MAX_PASSES = 5;

export interface JobRun {
  deps: RunnerDeps;
  job: Job;
  connection: StoredConnection;
  connector: ConnectorDefinition;
  credentials: Credentials;
  logger: Logger;
  attempt: number;
  previousRunId: string | undefined;
  signal: AbortSignal;
  /** The job's page slot: more names (batch peers, a changed address) are claimed through it. */
  slot?: HeldSlot;
  /** True when a failure with this error ends the job (permanent, or the last attempt). */
  isFinal(error: unknown): boolean;
}

/** A failed run; the message is already redacted, the original says whether to retry. */
export class JobRunError extends Error {
  override readonly name = 'JobRunError';
  constructor(message: string, readonly original: unknown) {
    super(message);
  }
}

export async function runConvergeJob(job: JobRun, userId: string) {
  // Every operation that fails leaves a failed step, a refused login too (evidence/operations.ts).
  const run = { ...job, connector: withOperationEvidence(job.connector) };
  let previousRunId = run.previousRunId;
  for (let pass = 1; ; pass++) {
    const prov = await run.deps.provisioning.get(run.connection.id, userId);
    if (!prov) return { skipped: 'no provisioning state' } as const;
    if (pass === 1) {
      await readMemberListIfWanted(run, userId, prov, async (peerId, peerProv, jobId) => {
        await convergeOnce({ ...run, isFinal: () => false }, peerId, peerProv, undefined, { jobId, attempt: 1 });
      });
    }
    previousRunId = await convergeOnce(run, userId, prov, previousRunId);
    const now = await run.deps.provisioning.get(run.connection.id, userId);
    // A change that arrived while this pass ran was coalesced into this (active) job: run again.
    if (!now || now.generation <= prov.generation || pass >= MAX_PASSES) return { generation: prov.generation, runs: pass };
    run.logger.info({ generation: now.generation }, 'the user changed during the run; converging again');
  }
}

async function convergeOnce(
  run: JobRun, userId: string, prov: ProvisioningState, previousRunId?: string, as = { jobId: String(run.job.id), attempt: run.attempt },
): Promise<string> {
  let peers: InvitePeer[] = [];
  let batched = false;
  const snapshots = memberSnapshots(run);
  let listedBy: { runId: string; readAt: string } | undefined;
  const pass = await runUserPass(run, {
    userId, prov, jobId: as.jobId, attempt: as.attempt, previousRunId, isFinal: run.isFinal,
  }, async (scope, desired) => {
    await withLogin(run.connector, scope.ctx, scope.session, async () => {
      const result = await converge(run.connector, scope.ctx, desired, {
        onPlan: async (p) => {
          scope.summary.action = p.action.kind;
          if (p.action.kind === 'none') scope.summary.why = p.action.why;
          scope.summary.observed = p.observed;
          if (p.fromList) scope.summary.memberList = listedBy;
          // Before any write: the member list stops speaking for the addresses this run changes.
          const changed = [...(p.action.kind !== 'none' ? [p.desired.email, ...(p.observed ? [p.observed.email] : [])] : []), ...(desired.previousEmail ? [desired.previousEmail] : [])];
          await snapshots.touch(run.connection.id, changed);
          // On record before the action, so a run cut short by a crash still says what it was doing.
          await run.deps.runs.update(scope.runId, scope.secrets.redactAll(scope.summary));
        },
        listed: async (email) => {
          const vouched = await snapshots.vouch(run.connection.id, email, prov);
          listedBy = vouched && { runId: vouched.meta.runId, readAt: new Date(vouched.meta.startedAt).toISOString() };
          return vouched?.user;
        },
        invitePeers: async () => {
          peers = await findInvitePeers(run, userId, desired.user.email);
          await snapshots.touch(run.connection.id, peers.map((peer) => peer.desired.user.email));
          return peers.map((peer) => peer.desired.user);
        },
        batchFailed: (error) => pauseAfterRefusal(run, error),
      });
      scope.summary.observedAfter = result.observedAfter;
      batched = result.batched;
      if (batched) scope.summary.batch = { runId: scope.runId, userId, size: peers.length + 1 };
    });
  });
  if (pass.error) throw new JobRunError(pass.record.error ?? 'run failed', pass.error);
  if (batched) await settlePeers(run, peers, { runId: pass.runId, userId, size: peers.length + 1 });
  return pass.runId;
}

export async function runTaskJob(job: JobRun, task: string) {
  const run = { ...job, connector: withOperationEvidence(job.connector) };
  const fn = run.connector.operations.tasks?.[task];
  const scope = await openScope({ ...run, jobId: String(run.job.id), task, previousRunId: run.previousRunId });
  await run.job.updateProgress({ tries: run.attempt, runId: scope.runId });
  const failure = await attempt(scope, run.isFinal, async () => {
    appSettings(run.connector, run.connection);
    if (!fn) throw new PermanentAppError('unsupported', `connector ${run.connector.id} has no task "${task}"`);
    scope.summary.action = task;
    await withLogin(run.connector, scope.ctx, scope.session, () => fn(scope.ctx));
  });
  const record = await closeScope(scope, failure);
  if (failure.error) throw new JobRunError(record.error ?? 'task failed', failure.error);
  return { generation: 0, runs: 1 };
}
