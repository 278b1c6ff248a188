/**
 * Reading a connection's member list once for many waiting users (issue 16 item 4): a converge job
 * that finds enough users of its connection waiting walks every page of the list (connector
 * `listUsers`) in a run of its own, whose evidence holds the pages, and stores what it saw
 * (member-snapshot.ts). Each user's own run then decides "nothing to do" from that snapshot and
 * names this run (`memberList` in its record); any action still searches and reads back as always.
 */
import type { ObservedUser } from '../core/connector.ts';
import type { ProvisioningState } from '../core/provisioning/state.ts';
import { withLogin } from './converge.ts';
import type { JobRun } from './job-runs.ts';
import { MemberSnapshots, MIN_WAITING } from './member-snapshot.ts';
import { attempt } from './user-pass.ts';
import { closeScope, openScope } from './run-scope.ts';

/** The task name member-list runs carry in their record. */
export const MEMBER_LIST_TASK = 'member-list';
/** How long one walk may hold the right to read the list; a crashed reader frees it after this. */
const CLAIM_MS = 5 * 60_000;

export function memberSnapshots(run: Pick<JobRun, 'deps'>): MemberSnapshots {
  return new MemberSnapshots(run.deps.redis, run.deps.prefix);
}

/**
 * Reads the list when it pays and no fresh snapshot already covers `prov`'s user. Never throws:
 * a failed walk is a failed run with its evidence, and the job goes on searching its user.
 */
export async function readMemberListIfWanted(run: JobRun, prov: ProvisioningState): Promise<void> {
  if (!run.connector.capabilities.listUsers) return;
  const { deps, connection } = run;
  const snapshots = memberSnapshots(run);
  const meta = await snapshots.meta(connection.id);
  const newest = Math.max(Date.parse(prov.changedAt ?? '') || 0, Date.parse(prov.lastRunAt ?? '') || 0);
  if (meta && meta.startedAt > newest) return; // the snapshot there already speaks for this user
  const waiting = (await (await deps.provisioning.stateIndex(connection.id)).counts(connection.id)).pending;
  if (!(await snapshots.wanted(connection.id, waiting, deps.memberListMinWaiting ?? MIN_WAITING))) return;
  if (!(await snapshots.claim(connection.id, CLAIM_MS))) return; // another job is reading it now
  try {
    await walk(run, snapshots, waiting);
  } catch (error) {
    run.logger.warn({ error: error instanceof Error ? error.message : String(error) }, 'member list not read; users are searched one by one');
  } finally {
    await snapshots.unclaim(connection.id).catch(() => {});
  }
}

async function walk(run: JobRun, snapshots: MemberSnapshots, waiting: number): Promise<void> {
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
  if (record.status !== 'succeeded' || !record.evidence?.manifest) return;
  await snapshots.store(run.connection.id, users, { runId: scope.runId, startedAt, readMs: Date.parse(record.endedAt ?? '') - startedAt || 0 });
}
