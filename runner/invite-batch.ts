/**
 * Batch invites. A job about to invite its user takes along other new users of the same connection
 * whose jobs are waiting, when the connector can invite several at once (UXPin's "add multiple
 * users at once"): one dialog instead of one per user. Each user taken along then gets a pass of
 * its own (user-pass.ts) that reads the user back with evidence and records the provisioning
 * state, and that user's waiting job is removed as if it had run.
 */
import { PermanentAppError } from '../core/errors.ts';
import type { DesiredState } from '../core/provisioning/desired.ts';
import { EmailIndex } from '../core/provisioning/email-index.ts';
import type { ProvisioningState } from '../core/provisioning/state.ts';
import type { RunRecord } from '../core/runs/store.ts';
import { connectionKeys } from '../core/store/keys.ts';
import { readBackUser, readDesired, withLogin } from './converge.ts';
import type { JobRun } from './job-runs.ts';
import { CONVERGE_JOB, convergeJobId, convergeJobSchema } from './jobs.ts';
import { runUserPass } from './user-pass.ts';
import { userNames } from './connection-slots.ts';

/** Users per batch by default, the job's own included: bounds one dialog's text and one job's duration. */
export const BATCH_LIMIT = 20;
/** Waiting jobs looked at for peers, so that a long queue costs a constant per invite. */
const SCAN_LIMIT = 200;
/** How long a connection invites one user at a time after the app refused a batch for seats. */
const PAUSE_AFTER_SEAT_LIMIT_MS = 10 * 60_000;

export interface InvitePeer {
  userId: string;
  prov: ProvisioningState;
  desired: DesiredState;
}

type BatchRef = NonNullable<RunRecord['batch']>;

/**
 * New users of the job's connection whose first try is waiting (or delayed because the connection
 * was busy). A job that failed before is left to itself: its user may be the one the app refuses.
 * One address appears once in a batch, the job's own (`ownEmail`) included.
 */
export async function findInvitePeers(run: JobRun, ownUserId: string, ownEmail: string): Promise<InvitePeer[]> {
  const limit = run.deps.inviteBatchLimit - 1;
  if (limit < 1 || (await run.deps.redis.exists(pausedKey(run)))) return [];
  const jobs = await run.deps.queue.queue.getJobs(['waiting', 'prioritized', 'delayed'], 0, SCAN_LIMIT - 1, true);
  const ids = new Set<string>();
  for (const job of jobs) {
    if (job?.name !== CONVERGE_JOB || job.attemptsMade > 0) continue;
    const data = convergeJobSchema.safeParse(job.data);
    if (data.success && data.data.connectionId === run.connection.id && data.data.userId !== ownUserId) ids.add(data.data.userId);
  }
  const states = await run.deps.provisioning.getMany(run.connection.id, [...ids]);
  const peers: InvitePeer[] = [];
  const emails = new Set([ownEmail.toLowerCase()]);
  const index = new EmailIndex(run.deps.redis, run.deps.prefix);
  for (const [userId, prov] of states) {
    if (peers.length >= limit) break;
    if (!neverApplied(prov)) continue;
    const desired = await readDesired(run.deps, run.connection, run.connector, userId, prov).catch(() => undefined);
    if (!desired?.user.member || !desired.allowInvite || desired.previousEmail) continue;
    const email = desired.user.email.toLowerCase();
    if (emails.has(email)) continue;
    // An address another id was converged under may be in the app already: its own job decides (shared-email.ts).
    if ((await index.ids(run.connection.id, email)).some((id) => id !== userId)) continue;
    // With several pages at once the peer's own job may be running: it must not invite them too.
    if (run.slot && !(await run.slot.claim(userNames(userId, [email])))) continue;
    emails.add(email);
    peers.push({ userId, prov, desired });
  }
  return peers;
}

/** Nothing of this user was ever applied to the app, so an invite is what their job would plan. */
function neverApplied(prov: ProvisioningState): boolean {
  return prov.state === 'pending' && !prov.deleted && !prov.appliedEmail && prov.generation > prov.appliedGeneration;
}

/** Gives each invited peer its read-back run; a peer that reads back right no longer needs its job. */
export async function settlePeers(run: JobRun, peers: InvitePeer[], batch: BatchRef): Promise<void> {
  for (const peer of peers) {
    if (run.signal.aborted) return; // shutting down: the peers' own jobs are still queued
    const jobId = convergeJobId(run.connection.id, peer.userId);
    const pass = await runUserPass(run, {
      userId: peer.userId, prov: peer.prov, jobId, attempt: 1, isFinal: () => false,
    }, async (scope, desired) => {
      scope.summary.action = 'invite';
      scope.summary.batch = batch;
      await withLogin(run.connector, scope.ctx, scope.session, async () => {
        scope.summary.observedAfter = await readBackUser(run.connector, scope.ctx, desired);
      });
    });
    if (!pass.error) await dropJob(run, peer, jobId);
  }
}

/**
 * Removes the peer's waiting job. A change that arrived since the batch read the user was coalesced
 * into that job, so it is enqueued again; a job already running (locked) cannot be removed and
 * simply finds nothing to do.
 */
async function dropJob(run: JobRun, peer: InvitePeer, jobId: string): Promise<void> {
  const removed = await run.deps.queue.queue.remove(jobId).catch(() => 0);
  if (!removed) return;
  const now = await run.deps.provisioning.get(run.connection.id, peer.userId);
  if (now && now.generation > peer.prov.generation) {
    await run.deps.queue.enqueue([{ connectionId: run.connection.id, userId: peer.userId }]);
  }
}

function pausedKey(run: JobRun): string {
  return `${connectionKeys(run.deps.prefix, run.connection.id).base}:batch-paused`;
}

/**
 * A plan with no seats left refuses any batch bigger than the seats that remain, so every next job
 * would send a doomed batch before inviting alone: the connection invites one at a time for a while.
 */
export async function pauseAfterRefusal(run: JobRun, error: unknown): Promise<void> {
  if (error instanceof PermanentAppError && error.reason === 'seat_limit') {
    await run.deps.redis.set(pausedKey(run), '1', 'PX', PAUSE_AFTER_SEAT_LIMIT_MS);
  }
}
