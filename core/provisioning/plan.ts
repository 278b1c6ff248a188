/**
 * Converge, don't replay: compare what the app shows with what is wanted and return only the
 * difference. The same function serves a SCIM change, a retry and a drift scan.
 */
import type { ConnectorCapabilities, ObservedUser } from '../connector.ts';
import { PermanentAppError } from '../errors.ts';
import type { DesiredState } from './desired.ts';

export type Action =
  | { kind: 'invite' }
  | { kind: 'reactivate' }
  | { kind: 'changeRole'; from: string | null; to: string }
  | { kind: 'update' }
  | { kind: 'remove' }
  | { kind: 'deactivate' }
  | { kind: 'none'; why: string };

export function plan(desired: DesiredState, observed: ObservedUser | null, capabilities: ConnectorCapabilities): Action {
  const want = desired.user;
  if (observed && observed.role && capabilities.protectedRoles.includes(observed.role)) {
    throw new PermanentAppError('owner_protected', `${observed.email} is the app's ${observed.role}; scimwright never changes or removes them.`);
  }
  if (!want.member) {
    if (!observed) return { kind: 'none', why: 'not in the app' };
    if (desired.heldBy) return { kind: 'none', why: `the address belongs to SCIM user ${desired.heldBy} now` };
    if (desired.deprovision === 'deactivate' && capabilities.deactivate) {
      return observed.status === 'deactivated' ? { kind: 'none', why: 'already deactivated' } : { kind: 'deactivate' };
    }
    return { kind: 'remove' };
  }
  if (!observed) {
    return desired.allowInvite ? { kind: 'invite' } : { kind: 'none', why: 'not in the app and createUsers is off' };
  }
  if (observed.status === 'deactivated') return { kind: 'reactivate' };
  if (capabilities.changeRole && (observed.role ?? '').toLowerCase() !== want.role.toLowerCase()) {
    return { kind: 'changeRole', from: observed.role, to: want.role };
  }
  return { kind: 'none', why: 'already as desired' };
}
