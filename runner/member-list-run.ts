/**
 * Reading a connection's member list once for many waiting users (issue 16 item 4): a converge job
 * that finds enough users of its connection waiting walks every page of the list (connector
 * `listUsers`) in a run of its own, whose evidence holds the pages, and stores what it saw
 * (member-snapshot.ts). Each user's own run then decides "nothing to do" from that snapshot and
 * names this run (`memberList` in its record); any action still searches and reads back as always.
 */
import type { ObservedUser } from '../core/connector.ts';
import type { ProvisioningState } from '../core/provisioning/state.ts';
import { plan } from '../core/provisioning/plan.ts';
import { userNames } from './connection-slots.ts';
import { readDesired, withLogin } from './converge.ts';
import type { JobRun } from './job-runs.ts';
import { convergeJobId } from './jobs.ts';
import { MemberSnapshots, MIN_WAITING, type SnapshotMeta } from './member-snapshot.ts';
import { attempt } from './user-pass.ts';
import { closeScope, openScope } from './run-scope.ts';

/** The task name member-list runs carry in their record. */
export const MEMBER_LIST_TASK = 'member-list';
/** How long one walk may hold the right to read the list; a crashed reader frees it after this. */
const CLAIM_MS = 5 * 60_000;
/** Waiting users one walk settles in its own job at most; the rest settle from the snapshot in their own jobs. */
const SETTLE_LIMIT = 1_000;

export function memberSnapshots(run: Pick<JobRun, 'deps'>): MemberSnapshots {
  return new MemberSnapshots(run.deps.redis, run.deps.prefix);
}

/** Converges one user in a run of its own under the given job id (job-runs.ts convergeOnce). */
export type SettleOne = (userId: string, prov: ProvisioningState, jobId: string) => Promise<void>;

/**
 * Reads the list when it pays and no fresh snapshot already covers `prov`'s user, then settles the
 * waiting users it vouches for (`settle`). Never throws: a failed walk is a failed run with its
 * evidence, and the job goes on searching its user.
 */
export async function readMemberListIfWanted(run: JobRun, userId: string, prov: ProvisioningState, settle?: SettleOne): Promise<void> {
  if (!run.connector.capabilities.listUsers) return;
  const { deps, connection } = run;
  // A removal never waits for a walk: neither its own (a leaver's job) nor a waiting one's.
  if (prov.deleted || (await removalMayWait(run))) return;
  const own = await readDesired(deps, connection, run.connector, userId, prov).catch(() => undefined);
  if (!own?.user.member) return;
  const snapshots = memberSnapshots(run);
  const meta = await snapshots.meta(connection.id);
  const newest = Math.max(Date.parse(prov.changedAt ?? '') || 0, Date.parse(prov.lastRunAt ?? '') || 0);
  if (meta && meta.startedAt > newest) return; // the snapshot there already speaks for this user
  const waiting = (await (await deps.provisioning.stateIndex(connection.id)).counts(connection.id)).pending;
  if (!(await snapshots.wanted(connection.id, waiting, deps.memberListMinWaiting ?? MIN_WAITING))) return;
  if (!(await snapshots.claim(connection.id, CLAIM_MS))) return; // another job is reading it now
  try {
    const meta = await walk(run, snapshots, waiting);
    if (meta && settle) await settleWaiting(run, userId, snapshots, meta, settle);
  } catch (error) {
    run.logger.warn({ error: error instanceof Error ? error.message : String(error) }, 'member list not read; users are searched one by one');
  } finally {
    await snapshots.unclaim(connection.id).catch(() => {});
  }
}

async function walk(run: JobRun, snapshots: MemberSnapshots, waiting: number): Promise<SnapshotMeta | undefined> {
  const scope = await openScope({ ...run, jobId: String(run.job.id), task: MEMBER_LIST_TASK });
  // Named in the job's progress like any run, so a crash in the walk closes it as crashed (process.ts).
  await run.job.updateProgress({ tries: run.attempt, runId: scope.runId });
  const startedAt = Date.now();
  let users: ObservedUser[] = [];
  const failure = await attempt(scope, () => true, async () => {
    scope.summary.action = MEMBER_LIST_TASK;
    users = await withLogin(run.connector, scope.ctx, scope.session, () => run.connector.operations.listUsers(scope.ctx));
    scope.summary.why = `read ${users.length} members for ${waiting} waiting users in ${Date.now() - startedAt} ms`;
  });
  const record = await closeScope(scope, failure);
  // Only a walk whose evidence is sealed may speak for users: their records point at it.
  if (record.status !== 'succeeded' || !record.evidence?.manifest) return undefined;
  return snapshots.store(run.connection.id, users, { runId: scope.runId, startedAt, readMs: Date.parse(record.endedAt ?? '') - startedAt || 0 });
}

/**
 * The waiting users the new snapshot settles, in this job rather than one job each: each one whose
 * listed state leaves nothing to do gets its own run (named after its own job, which is removed
 * first, so no second run of it starts meanwhile). Anyone the list does not vouch for, or who needs
 * an action, keeps its own job. Stops when a removal is waiting: removals go first.
 */
async function settleWaiting(run: JobRun, ownId: string, snapshots: MemberSnapshots, meta: SnapshotMeta, settle: SettleOne): Promise<void> {
  const { deps, connection } = run;
  const index = await deps.provisioning.stateIndex(connection.id);
  const ids = await index.ids(connection.id, 'pending', { before: meta.startedAt, limit: SETTLE_LIMIT });
  const states = await deps.provisioning.getMany(connection.id, ids.filter((id) => id !== ownId));
  let settled = 0;
  for (const [userId, prov] of states) {
    if (run.signal.aborted || (settled % 50 === 49 && (await removalMayWait(run)))) break;
    const desired = await readDesired(deps, connection, run.connector, userId, prov).catch(() => undefined);
    const listed = desired && !desired.previousEmail ? await snapshots.vouch(connection.id, desired.user.email, prov) : undefined;
    if (!desired || !listed || !leavesNothing(run, desired, listed.user)) continue;
    // Held for the rest of this job, so no job of that user runs beside its settling (connection-slots.ts).
    if (run.slot && !(await run.slot.claim(userNames(userId, [desired.user.email, prov.appliedEmail])))) continue;
    const jobId = convergeJobId(connection.id, userId);
    if (!(await deps.queue.queue.remove(jobId).catch(() => 0))) continue; // running elsewhere, or no job: left to it / the sweep
    try {
      await settle(userId, prov, jobId);
      settled++;
    } catch {
      // Its run has the failure and its evidence; the user's own job tries again.
    }
    const now = await deps.provisioning.get(connection.id, userId);
    if (now?.state === 'pending') await deps.queue.enqueue([{ connectionId: connection.id, userId }]);
  }
  if (settled > 0) run.logger.info({ settled, runId: meta.runId }, 'settled waiting users from the member list');
}

/**
 * Whether a removal may be waiting: a job not yet picked up (removals carry no priority and go
 * first, job-priority.ts), or one in the connection's line for a page slot.
 */
async function removalMayWait(run: JobRun): Promise<boolean> {
  return (await run.deps.queue.queue.getWaitingCount()) > 0 || (await run.deps.slots.removalWaiting(run.connection.id));
}

function leavesNothing(run: JobRun, desired: Parameters<typeof plan>[0], listed: Parameters<typeof plan>[1]): boolean {
  try {
    return plan(desired, listed, run.connector.capabilities).kind === 'none';
  } catch {
    return false;
  }
}
