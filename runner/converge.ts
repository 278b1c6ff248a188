/**
 * Converge one user: read what the app shows, plan the difference, do it, read the app again and
 * check. The same code serves a SCIM change, a retry, a crash recovery and a drift scan, and it is
 * safe to repeat: a second pass over a converged user finds nothing to do.
 */
import type {
  ConnectorContext, ConnectorDefinition, DesiredUser, ObservedUser, ReadBack,
} from '../core/connector.ts';
import type { StoredConnection } from '../core/connections/schema.ts';
import { SessionExpiredError, TransientAppError } from '../core/errors.ts';
import { computeDesired, type DesiredState } from '../core/provisioning/desired.ts';
import { plan, type Action } from '../core/provisioning/plan.ts';
import type { ProvisioningState } from '../core/provisioning/state.ts';
import type { Session } from './browser/sessions.ts';
import type { RunnerDeps } from './deps.ts';

export interface ConvergeResult {
  action: Action;
  desired: DesiredUser;
  observed: ObservedUser | null;
  observedAfter: ObservedUser | null;
  /** The user went out in one batch with the peers `invitePeers` gave; each peer is read back in a run of its own. */
  batched: boolean;
  /** `observed` came from the connection's member list (`listed`), not a search: nothing was to be done. */
  fromList: boolean;
}

/** The desired state from the SCIM user, their groups and the connection settings. */
export async function readDesired(
  deps: RunnerDeps, connection: StoredConnection, connector: ConnectorDefinition, userId: string, prov: ProvisioningState,
): Promise<DesiredState> {
  const user = prov.deleted ? null : await deps.resources.get(connection.id, 'User', userId);
  const keys = deps.resources.keys(connection.id);
  const groupIds = user ? await deps.redis.smembers(keys.memberOf(userId)) : [];
  const groups = await deps.resources.getMany(connection.id, 'Group', groupIds);
  const names = groups.map((g) => g.resource.displayName).filter((n): n is string => typeof n === 'string').sort();
  const scimUser = (user?.resource ?? null) as Parameters<typeof computeDesired>[0];
  const desired = computeDesired(scimUser, prov.userName, names, connection.settings, connector.capabilities);
  const previous = prov.appliedEmail?.toLowerCase();
  return previous && previous !== desired.user.email ? { ...desired, previousEmail: previous } : desired;
}

/** Logs in when the session is not, and once more when the app says the session ended. */
export async function withLogin<T>(
  connector: ConnectorDefinition, ctx: ConnectorContext, session: Session, fn: () => Promise<T>,
): Promise<T> {
  const login = async () => {
    try {
      await connector.operations.login(ctx);
    } catch (error) {
      await session.forgetLogin();
      throw error;
    }
    await session.saveLogin();
  };
  // Jobs on other pages of the same context share its login: one logs in, the others wait for it.
  let seen = session.loginEpoch;
  if (!session.loggedIn) seen = await session.loginOnce(login, seen);
  try {
    return await fn();
  } catch (error) {
    if (!(error instanceof SessionExpiredError)) throw error;
    ctx.log('session expired; logging in again', {});
    await session.loginOnce(async () => {
      await session.forgetLogin();
      await login();
    }, seen);
    return await fn(); // once: a second SessionExpiredError is retried by the queue
  }
}

export interface ConvergeHooks {
  /** Called with the plan before acting, so a run cut short still says what it was doing. */
  onPlan(partial: Omit<ConvergeResult, 'observedAfter' | 'batched'>): Promise<void> | void;
  /**
   * The user as a recent read of the whole member list showed them, when that read may speak for
   * them (member-snapshot.ts). Used only when it leaves nothing to do; otherwise the user is searched.
   */
  listed?(email: string): Promise<ObservedUser | undefined>;
  /** New users of the same connection to invite in one batch with this one (see invite-batch.ts). */
  invitePeers?(): Promise<DesiredUser[]>;
  /** The batch was refused or failed; this job's user is invited alone next. */
  batchFailed?(error: unknown): Promise<void>;
}

export async function converge(
  connector: ConnectorDefinition, ctx: ConnectorContext, desired: DesiredState, hooks: ConvergeHooks,
): Promise<ConvergeResult> {
  const ops = connector.operations;
  if (desired.previousEmail) await retireAddress(connector, ctx, desired, desired.previousEmail);
  const listed = await fromMemberList(connector, desired, hooks);
  const observed = listed !== undefined ? listed : await ops.findUser(ctx, desired.user.email);
  const action = plan(desired, observed, connector.capabilities);
  const fromList = listed !== undefined;
  await hooks.onPlan({ action, desired: desired.user, observed, fromList });
  const batched = action.kind === 'invite' && (await inviteBatch(connector, ctx, desired.user, hooks));
  const readBack = batched ? undefined : await act(connector, ctx, action, desired.user, observed, desired.deleted === true);
  // A connector that read its result back from a fresh page has already looked again for us.
  let after = action.kind === 'none' ? observed : readBack !== undefined ? readBack : await ops.findUser(ctx, desired.user.email);
  if (ops.update && desired.user.member && after) {
    await ops.update(ctx, desired.user, after);
    after = await ops.findUser(ctx, desired.user.email);
  }
  verify(connector, desired, after);
  return { action, desired: desired.user, observed, observedAfter: after, batched, fromList };
}

/** The listed user when the list says there is nothing to do; undefined sends the runner to search. */
async function fromMemberList(connector: ConnectorDefinition, desired: DesiredState, hooks: ConvergeHooks): Promise<ObservedUser | undefined> {
  if (desired.previousEmail || !hooks.listed) return undefined;
  const listed = await hooks.listed(desired.user.email);
  if (!listed) return undefined;
  try {
    return plan(desired, listed, connector.capabilities).kind === 'none' ? listed : undefined;
  } catch {
    return undefined; // a refusal (a protected role) is decided on a search, with its evidence
  }
}

/**
 * Invites `user` together with the peers the hook finds, when the connector can. False when `user`
 * is still to be invited alone: no peers, or the batch failed (then each peer's own job converges
 * that peer, with its own evidence of any refusal).
 */
async function inviteBatch(
  connector: ConnectorDefinition, ctx: ConnectorContext, user: DesiredUser, hooks: ConvergeHooks,
): Promise<boolean> {
  const inviteMany = connector.operations.inviteMany;
  if (!inviteMany || !connector.capabilities.bulkInvite || !hooks.invitePeers) return false;
  const peers = await hooks.invitePeers();
  if (peers.length === 0) return false;
  try {
    await inviteMany(ctx, [user, ...peers]);
    return true;
  } catch (error) {
    if (error instanceof SessionExpiredError) throw error; // withLogin logs in and runs the whole pass again
    ctx.log('batch invite failed; inviting this user alone', { size: peers.length + 1, error: error instanceof Error ? error.message : String(error) });
    await hooks.batchFailed?.(error);
    return false;
  }
}

/** Reads the user back and checks them against the desired state (a batch-invited user's run). */
export async function readBackUser(connector: ConnectorDefinition, ctx: ConnectorContext, desired: DesiredState): Promise<ObservedUser | null> {
  const after = await connector.operations.findUser(ctx, desired.user.email);
  verify(connector, desired, after);
  return after;
}

/** After a userName change the app still has the old address: deprovision it like a leaver. */
async function retireAddress(connector: ConnectorDefinition, ctx: ConnectorContext, desired: DesiredState, email: string): Promise<void> {
  const old = await connector.operations.findUser(ctx, email);
  const leaver: DesiredState = { ...desired, user: { ...desired.user, email, member: false, role: '' } };
  const action = plan(leaver, old, connector.capabilities);
  ctx.log('userName changed: retiring the previous address', { action: action.kind });
  await act(connector, ctx, action, leaver.user, old);
}

async function act(
  connector: ConnectorDefinition, ctx: ConnectorContext, action: Action, user: DesiredUser, observed: ObservedUser | null,
  deleted = false,
): Promise<ReadBack> {
  const ops = connector.operations;
  switch (action.kind) {
    case 'invite': return ops.invite(ctx, user);
    case 'changeRole': return ops.changeRole(ctx, user);
    case 'remove': return ops.remove(ctx, observed!, { deleted });
    case 'deactivate': return ops.deactivate ? ops.deactivate(ctx, observed!) : ops.remove(ctx, observed!);
    case 'reactivate':
      if (ops.reactivate) return ops.reactivate(ctx, user);
      throw new TransientAppError(`${user.email} is deactivated and the connector cannot reactivate users`);
    case 'update':
    case 'none': return undefined;
  }
}

/** Reads back what the action should have produced; a mismatch is retried (the app may lag). */
function verify(connector: ConnectorDefinition, desired: DesiredState, after: ObservedUser | null): void {
  const want = desired.user;
  if (!want.member) {
    if (desired.heldBy) return; // the account stays for the SCIM user who wants it (shared-email.ts)
    if (after && !(after.status === 'deactivated' && connector.capabilities.deactivate)) {
      throw new TransientAppError(`verification: ${want.email} is still in the app (${after.status})`);
    }
    return;
  }
  if (!after) {
    if (!desired.allowInvite) return;
    throw new TransientAppError(`verification: ${want.email} is not in the app after the run`);
  }
  if (after.status === 'deactivated') throw new TransientAppError(`verification: ${want.email} is still deactivated`);
  if (connector.capabilities.changeRole && (after.role ?? '').toLowerCase() !== want.role.toLowerCase()) {
    throw new TransientAppError(`verification: ${want.email} has role ${after.role ?? 'none'}, not ${want.role}`);
  }
}
