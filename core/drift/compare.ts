/**
 * The comparison at the heart of a drift scan: every member the app listed against every user the
 * IdP told us about. Pure: the runner reads both sides, this says what differs. It follows the same
 * rules as plan.ts (what a converge would change is exactly what is reported here), so a `repair`
 * enqueues the normal converge jobs and nothing else.
 */
import type { ConnectorCapabilities, ObservedUser } from '../connector.ts';
import type { DesiredState } from '../provisioning/desired.ts';
import type { FindingDraft } from './schema.ts';

export interface KnownUser {
  userId: string;
  desired: DesiredState;
}

export interface CompareInput {
  observed: readonly ObservedUser[];
  known: readonly KnownUser[];
  capabilities: ConnectorCapabilities;
  /** Addresses never reported as unknown: the admin login scimwright itself signs in with. */
  ignore?: readonly string[];
  /** Shadow accounts an admin allowed (lower case). */
  allowed?: ReadonlySet<string>;
}

const lower = (email: string) => email.trim().toLowerCase();

export function compareMembers(input: CompareInput): FindingDraft[] {
  const { capabilities } = input;
  const observed = new Map(input.observed.map((u) => [lower(u.email), u]));
  const claimed = new Set<string>();
  const findings: FindingDraft[] = [];
  // The same person deleted and created again: the account belongs to the member who wants it.
  const wanted = new Set(input.known.filter((k) => k.desired.user.member).map((k) => lower(k.desired.user.email)));
  for (const { userId, desired: asked } of input.known) {
    const desired = !asked.user.member && wanted.has(lower(asked.user.email)) ? { ...asked, heldBy: 'another SCIM user' } : asked;
    const email = lower(desired.user.email);
    // An old address a userName change retires belongs to this user too (it must go).
    const previous = desired.previousEmail ? lower(desired.previousEmail) : undefined;
    claimed.add(email);
    if (previous) claimed.add(previous);
    const seen = observed.get(email);
    const finding = knownFinding(userId, desired, seen, capabilities);
    if (finding) findings.push(finding);
    const old = previous && previous !== email ? observed.get(previous) : undefined;
    if (old) findings.push({ kind: 'should_be_gone', email: previous!, userId, ...seenAs(old), detail: `the old address ${previous} is still a member after the userName changed to ${email}` });
  }
  const ignore = new Set((input.ignore ?? []).map(lower));
  for (const [email, user] of observed) {
    if (claimed.has(email) || ignore.has(email) || input.allowed?.has(email)) continue;
    // The app's owner is no IdP user and scimwright never touches them (protectedRoles).
    if (user.role && capabilities.protectedRoles.includes(user.role)) continue;
    findings.push({ kind: 'unknown', email, ...seenAs(user), detail: `${email} is a member (${user.role ?? 'no role'}, ${user.status}) the IdP never asked for` });
  }
  return findings.sort((a, b) => a.email.localeCompare(b.email) || a.kind.localeCompare(b.kind));
}

function seenAs(user: ObservedUser): Pick<FindingDraft, 'observedRole' | 'observedStatus'> {
  return { observedRole: user.role, observedStatus: user.status };
}

function knownFinding(userId: string, desired: DesiredState, seen: ObservedUser | undefined, capabilities: ConnectorCapabilities): FindingDraft | undefined {
  const want = desired.user;
  const email = lower(want.email);
  if (seen?.role && capabilities.protectedRoles.includes(seen.role)) return undefined;
  if (!want.member) {
    if (!seen || desired.heldBy) return undefined;
    if (desired.deprovision === 'deactivate' && capabilities.deactivate && seen.status === 'deactivated') return undefined;
    return { kind: 'should_be_gone', email, userId, ...seenAs(seen), detail: `${email} is ${seen.status} in the app, but the IdP ${desired.deleted ? 'deleted' : 'deactivated'} them` };
  }
  if (!seen) {
    return desired.allowInvite ? { kind: 'missing', email, userId, desiredRole: want.role, detail: `${email} should be a member (${want.role}) and is not in the app` } : undefined;
  }
  if (seen.status === 'deactivated') {
    return { kind: 'missing', email, userId, desiredRole: want.role, ...seenAs(seen), detail: `${email} should be an active member (${want.role}) and is deactivated` };
  }
  if (capabilities.changeRole && lower(seen.role ?? '') !== lower(want.role)) {
    return { kind: 'role_differs', email, userId, desiredRole: want.role, ...seenAs(seen), detail: `${email} is ${seen.role ?? 'without a role'} in the app; the IdP asks for ${want.role}` };
  }
  return undefined;
}
