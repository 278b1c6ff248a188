/** Every Redis key of one connection's desired state, in one place. */
export type ResourceType = 'User' | 'Group';

export function connectionKeys(prefix: string, connectionId: string) {
  const base = `${prefix}:c:${connectionId}`;
  return {
    base,
    doc: (type: ResourceType, id: string) => `${base}:${type === 'User' ? 'user' : 'group'}:${id}`,
    list: (type: ResourceType) => `${base}:${type === 'User' ? 'users' : 'groups'}`,
    seq: `${base}:seq`,
    /** Unique, case-insensitive: lower(userName) → id (RFC 7643 §4.1.1: userName is caseExact=false). */
    userNameIdx: `${base}:idx:user:userName`,
    userExternalIdIdx: `${base}:idx:user:externalId`,
    userDisplayNameIdx: `${base}:idx:user:displayName`,
    /** Unique, case-insensitive group names: groups map to app roles by name. */
    groupNameIdx: `${base}:idx:group:displayName`,
    groupExternalIdIdx: `${base}:idx:group:externalId`,
    /** Reverse membership: the ids of the groups a user belongs to. */
    memberOf: (userId: string) => `${base}:memberOf:${userId}`,
    /** Provisioning state of a user; outlives the user so that a removal can still be carried out. */
    prov: (userId: string) => `${base}:prov:${userId}`,
    provIndex: `${base}:prov-users`,
    /** The SCIM requests that changed a user, newest first (capped). */
    history: (userId: string) => `${base}:history:${userId}`,
    /**
     * The derived writes (reverse membership, provisioning bumps) a committed write of a big
     * resource still owes its users, applied in short batches after the commit (fan-out.ts).
     */
    fanOut: (type: ResourceType, id: string) => `${base}:fanout:${type === 'User' ? 'user' : 'group'}:${id}`,
    /** Every fan-out list still to be applied → what its batches need (for crash recovery). */
    fanOuts: `${base}:fanouts`,
    /** A fan-out list being staged before its write commits (expires if the writer dies). */
    staging: (token: string) => `${base}:staging:${token}`,
  };
}

export type ConnectionKeys = ReturnType<typeof connectionKeys>;

/** A lex-index entry: the value, then the id, so several ids can share a value. */
export function lexEntry(value: string, id: string): string {
  return `${value}\u0000${id}`;
}

/** A connection's sealed browser login; dropped when its credentials or base URL change. */
export function sessionStateKey(prefix: string, connectionId: string): string {
  return `${prefix}:session:${connectionId}`;
}

/** A connection's connector vault (e.g. Spekit's app token), sealed per value. */
export function vaultKey(prefix: string, connectionId: string): string {
  return `${prefix}:vault:${connectionId}`;
}

/**
 * A connection's page slots (runner/connection-slots.ts): all under the connection's base, so
 * each slot script touches the keys of one connection only.
 */
export function connectionSlotKeys(prefix: string, connectionId: string) {
  const base = `${connectionKeys(prefix, connectionId).base}:slots`;
  return {
    /** ZSET lease token → expiry (ms). Grants to woken waiters are tokens `g:<jobId>`. */
    holders: `${base}:holders`,
    /** HASH claimed name (user, address, `*`) → lease token. */
    claims: `${base}:claims`,
    /** HASH lease token → its claimed names, newline-separated. */
    tokenClaims: `${base}:token-claims`,
    /** ZSET job id → place in line (removals first, then first come). */
    waiting: `${base}:waiting`,
    /** HASH job id → the names it needs, newline-separated. */
    waiterClaims: `${base}:waiter-claims`,
    /** HASH of the app's back-off: `until` (ms), `limit` (slots while slowed), `strikes`, `configured`. */
    throttle: `${base}:throttle`,
  };
}

/** The connections that have jobs waiting for a slot, for the slot janitor. One set per deployment. */
export function slotWaitersKey(prefix: string): string {
  return `${prefix}:slots:waiting-connections`;
}
