/**
 * A connection's member list as one read of every page showed it (connector `listUsers`), kept in
 * Redis with the time the read began and the run whose evidence holds the pages (issue 16 item 4).
 * Settling many users already in the app then costs one walk of the list instead of one search
 * per user; drift scans can read the same snapshot (`read`).
 *
 * Trust is narrow on purpose, because a list is older than a search the moment it is taken:
 * - an entry vouches only for "nothing to do" (the runner still searches before any action);
 * - an address absent from the list vouches for nothing (a list may omit accounts a search finds,
 *   and a page can shift while it is walked), so a leaver is always searched;
 * - an entry is void for a user changed (SCIM change or run) since the read began, and for an
 *   address scimwright is about to write to (`touch`, called before every action).
 */
import type { Redis } from 'ioredis';
import type { ObservedUser } from '../core/connector.ts';
import type { ProvisioningState } from '../core/provisioning/state.ts';
import { connectionKeys } from '../core/store/keys.ts';

/** How long a snapshot may serve. A first cycle of 400 settles in seconds; hand edits in the app meanwhile are bounded by this. */
export const SNAPSHOT_MAX_AGE_MS = 10 * 60_000;
/**
 * Users waiting on a connection before a job reads the whole list rather than searching. Measured
 * (bench `uxpin-first-cycle`, sandbox at 150 ms per request, quiet machine): one user's run by
 * search costs about 1.0 s (1.4 s in issue 16), one list page of 25 members about 0.9 s with its
 * evidence, so ten searches buy a walk of about 11 pages; past that, `readMs` of the last walk
 * raises the bar (a walk must cost no more than the searches it saves).
 */
export const MIN_WAITING = 10;
/** What one search costs, to weigh against the last walk's duration (see MIN_WAITING). */
const SEARCH_COST_MS = 1_000;

export interface SnapshotMeta {
  /** The run that read the list; its evidence holds the screens. */
  runId: string;
  /** When the walk began (ms): nothing changed after this is known to the snapshot. */
  startedAt: number;
  /** How long the walk took (ms). */
  readMs: number;
  members: number;
}

export interface Vouched {
  user: ObservedUser;
  meta: SnapshotMeta;
}

export class MemberSnapshots {
  constructor(private readonly redis: Redis, private readonly prefix: string, private readonly maxAgeMs = SNAPSHOT_MAX_AGE_MS) {}

  private keys(connectionId: string) {
    const base = `${connectionKeys(this.prefix, connectionId).base}:member-list`;
    return { members: base, meta: `${base}:meta`, last: `${base}:last`, touched: `${base}:touched`, taking: `${base}:taking`, wanted: `${base}:wanted` };
  }

  /** Replaces the connection's snapshot in one transaction. */
  async store(connectionId: string, users: ObservedUser[], meta: Omit<SnapshotMeta, 'members'>): Promise<SnapshotMeta> {
    const k = this.keys(connectionId);
    const full: SnapshotMeta = { ...meta, members: users.length };
    const ttl = Math.max(1, this.maxAgeMs - (Date.now() - meta.startedAt));
    const tx = this.redis.multi().del(k.members);
    if (users.length > 0) tx.hset(k.members, ...users.flatMap((u) => [u.email.toLowerCase(), JSON.stringify(u)]));
    // `last` outlives the snapshot: the next decision to read the list weighs what this walk cost.
    tx.pexpire(k.members, ttl).set(k.meta, JSON.stringify(full), 'PX', ttl).set(k.last, JSON.stringify(full)).del(k.wanted);
    await tx.exec();
    return full;
  }

  /** The whole snapshot (for a drift scan), when one is still fresh. */
  async read(connectionId: string): Promise<{ meta: SnapshotMeta; users: ObservedUser[] } | undefined> {
    const k = this.keys(connectionId);
    const [meta, raw] = await Promise.all([this.meta(connectionId), this.redis.hvals(k.members)]);
    return meta ? { meta, users: raw.map((r) => JSON.parse(r) as ObservedUser) } : undefined;
  }

  async meta(connectionId: string): Promise<SnapshotMeta | undefined> {
    const raw = await this.redis.get(this.keys(connectionId).meta);
    const meta = raw ? (JSON.parse(raw) as SnapshotMeta) : undefined;
    return meta && Date.now() - meta.startedAt < this.maxAgeMs ? meta : undefined;
  }

  /** The listed user behind `email`, when the snapshot may speak for this user (see the file comment). */
  async vouch(connectionId: string, email: string, prov: ProvisioningState): Promise<Vouched | undefined> {
    const k = this.keys(connectionId);
    const address = email.toLowerCase();
    const [meta, listed, touched] = await this.redis.multi().get(k.meta).hget(k.members, address).hget(k.touched, address).exec()
      .then((rows) => (rows ?? []).map(([, v]) => v as string | null));
    if (!meta || !listed) return undefined;
    const parsed = JSON.parse(meta) as SnapshotMeta;
    if (!vouchesFor(parsed, prov, touched ? Number(touched) : undefined, Date.now(), this.maxAgeMs)) return undefined;
    return { user: JSON.parse(listed) as ObservedUser, meta: parsed };
  }

  /** Called before scimwright writes to these addresses in the app: the snapshot stops vouching for them. */
  async touch(connectionId: string, emails: string[]): Promise<void> {
    if (emails.length === 0) return;
    const k = this.keys(connectionId);
    const now = String(Date.now());
    await this.redis.multi().hset(k.touched, ...emails.flatMap((e) => [e.toLowerCase(), now])).pexpire(k.touched, this.maxAgeMs).exec();
  }

  /** Asks the next job of the connection to read the list (the sweep enqueued many users at once). */
  async request(connectionId: string): Promise<void> {
    await this.redis.set(this.keys(connectionId).wanted, '1', 'PX', this.maxAgeMs);
  }

  /**
   * Whether a job should read the list now: the sweep asked, or `waiting` users of the connection
   * wait, enough that their searches would cost more than the last walk did.
   */
  async wanted(connectionId: string, waiting: number, minWaiting = MIN_WAITING): Promise<boolean> {
    const k = this.keys(connectionId);
    const [asked, last] = await Promise.all([this.redis.exists(k.wanted), this.redis.get(k.last)]);
    if (asked === 1) return true;
    const lastMs = last ? (JSON.parse(last) as SnapshotMeta).readMs : 0;
    return waiting >= minWaiting && waiting * SEARCH_COST_MS >= lastMs;
  }

  /** One reader at a time per connection; false when another job is reading the list already. */
  async claim(connectionId: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(this.keys(connectionId).taking, '1', 'PX', ttlMs, 'NX')) === 'OK';
  }

  async unclaim(connectionId: string): Promise<void> {
    await this.redis.del(this.keys(connectionId).taking);
  }
}

/**
 * The rule itself: a fresh snapshot whose read began after the user's last SCIM change, last run
 * and last write by scimwright to the address.
 */
export function vouchesFor(meta: SnapshotMeta, prov: ProvisioningState, touchedAt: number | undefined, now: number, maxAgeMs: number): boolean {
  if (now - meta.startedAt >= maxAgeMs) return false;
  const times = [prov.changedAt, prov.lastRunAt].map((t) => (t ? Date.parse(t) : 0));
  if (touchedAt !== undefined) times.push(touchedAt);
  return times.every((t) => Number.isFinite(t) && t < meta.startedAt);
}
