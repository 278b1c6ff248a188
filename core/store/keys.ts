/**
 * Every Redis key, in one place. Keys used together by one Lua script, MULTI or pipeline share a
 * Redis Cluster hash tag (the part in `{}`), so each such call touches one slot:
 * - `{<prefix>:c:<connection>}`: one connection's desired state and provisioning (the bulk).
 * - `{<prefix>}`: connection records, token index, saved logins, runs and worker liveness.
 * - `{<prefix>:audit}`: the audit log (its indexes span connections).
 * - `<prefix>:console-session:{<hash>}`: a console session and its reveal key.
 * - `{<prefix>:bull}`: BullMQ's queue (its docs require one tag per queue on Cluster).
 * Keys only ever used alone (admin tokens, rate limits, locks, vaults) carry no tag: any slot will do.
 * The tag of each is the base the key had before tags (layout 1); core/platform/key-layout.ts moves
 * an old deployment's keys over.
 */
export type ResourceType = 'User' | 'Group';

/** The layout these builders make; the migration records it in `layoutKey`. */
export const KEY_LAYOUT_VERSION = 2;

export function connectionKeys(prefix: string, connectionId: string) {
  const base = `{${prefix}:c:${connectionId}}`;
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

/** The tag of the deployment's global keys that are written together (see the top). */
export function globalBase(prefix: string): string {
  return `{${prefix}}`;
}

/** A connection's sealed browser login; dropped with its connection record in one MULTI. */
export function sessionStateKey(prefix: string, connectionId: string): string {
  return `${globalBase(prefix)}:session:${connectionId}`;
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

/** A connection's record, its token record, the token index and the set of all connections. */
export function connectionStoreKeys(prefix: string) {
  const base = globalBase(prefix);
  return {
    connection: (id: string) => `${base}:connection:${id}`,
    tokenRecord: (id: string) => `${base}:connection-token:${id}`,
    token: (hash: string) => `${base}:token:${hash}`,
    all: `${base}:connections`,
  };
}

/** Run records and their per-connection (and per-user) indexes, trimmed together by one script. */
export function runKeys(prefix: string) {
  const base = globalBase(prefix);
  return {
    run: (runId: string) => `${base}:run:${runId}`,
    index: (connectionId: string) => `${base}:runs:c:${connectionId}`,
    /** Open runs → the worker instance running them, and each instance's heartbeat. */
    live: `${base}:runs:live`,
    workerAlive: (instance: string) => `${base}:worker-alive:${instance}`,
  };
}

/** The base every audit key hangs off (core/audit/store.ts). */
export function auditBase(prefix: string): string {
  return `{${prefix}:audit}`;
}

/** A console session and its one-time reveal, by the hash of the session id (deleted together). */
export function consoleSessionKeys(prefix: string, idHash: string) {
  return { session: `${prefix}:console-session:{${idHash}}`, reveal: `${prefix}:console-reveal:{${idHash}}` };
}

/** BullMQ's key prefix for the deployment; hash-tagged as BullMQ requires on Redis Cluster. */
export function bullPrefix(prefix: string): string {
  return `{${prefix}:bull}`;
}

/** Records which key layout the data is in (core/platform/key-layout.ts). */
export function layoutKey(prefix: string): string {
  return `${prefix}:key-layout`;
}
