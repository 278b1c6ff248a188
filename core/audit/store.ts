/**
 * The audit log: every accepted SCIM change per user, across connections. Each change is one JSON
 * string; sorted sets scored by change id index it (all, per connection, action, outcome, email,
 * user) and one more maps time to ids. A filtered page walks the most selective index newest
 * first and stops at the page size or a scan budget, so a page costs the page, not the history.
 */
import type { ChainableCommander, Redis } from 'ioredis';
import { yieldToLoop } from '../directory/time-slice.ts';
import type { AuditAction, AuditChange, AuditOutcome, AuditPage, AuditQuery } from './schema.ts';
import { auditBase } from '../store/keys.ts';

/** Most entries one page request reads before it answers with what it found and a cursor. */
const SCAN_BUDGET = 1000;
const MAX_CHUNK = 500;
/** Changes per write pipeline (about five commands each). */
const APPEND_BATCH = 200;

export interface SettleInput {
  generation: number;
  ok: boolean;
  runId: string;
  at: string;
  error?: string;
  reason?: string;
  final?: boolean;
}

export function auditKeys(prefix: string) {
  const base = auditBase(prefix);
  return {
    seq: `${base}:seq`,
    change: (id: number) => `${base}:ch:${id}`,
    time: `${base}:time`,
    all: `${base}:i:all`,
    connection: (id: string) => `${base}:i:c:${id}`,
    action: (a: AuditAction) => `${base}:i:a:${a}`,
    outcome: (o: AuditOutcome) => `${base}:i:o:${o}`,
    email: (email: string) => `${base}:i:e:${email.toLowerCase()}`,
    user: (connectionId: string, userId: string) => `${base}:i:u:${connectionId}:${userId}`,
    /** Changes of a user no successful run has carried out yet, scored by generation. */
    open: (connectionId: string, userId: string) => `${base}:open:${connectionId}:${userId}`,
    /** What the audit last saw of the user, to tell what the next change moved. */
    snapshot: (connectionId: string, userId: string) => `${base}:snap:${connectionId}:${userId}`,
  };
}

export class AuditStore {
  readonly keys: ReturnType<typeof auditKeys>;

  constructor(private readonly redis: Redis, prefix: string) {
    this.keys = auditKeys(prefix);
  }

  /**
   * Stores changes (their ids are assigned here, in order, by one INCRBY) and indexes them, one
   * pipeline per batch: one MSET for the bodies and one ZADD per index key, so the many members
   * of one group write share their connection, action and outcome entries. `withEach` adds the
   * caller's own writes for a change to its batch.
   */
  async append(
    changes: Array<Omit<AuditChange, 'id'>>,
    withEach?: (tx: ChainableCommander, change: AuditChange, index: number) => void,
  ): Promise<AuditChange[]> {
    if (changes.length === 0) return [];
    const last = await this.redis.incrby(this.keys.seq, changes.length);
    const stored = changes.map((c, i) => ({ ...c, id: last - changes.length + 1 + i }));
    for (let start = 0; start < stored.length; start += APPEND_BATCH) {
      // Encoding a pipeline is synchronous: a batch at a time, with a turn of the loop between.
      if (start > 0) await yieldToLoop();
      const tx = this.redis.pipeline();
      const bodies: string[] = [];
      const entries = new Map<string, Array<number | string>>();
      const add = (key: string, score: number, id: number) => {
        const list = entries.get(key);
        if (list) list.push(score, String(id));
        else entries.set(key, [score, String(id)]);
      };
      stored.slice(start, start + APPEND_BATCH).forEach((c, j) => {
        bodies.push(this.keys.change(c.id), JSON.stringify(c));
        add(this.keys.time, Date.parse(c.at), c.id);
        for (const key of this.indexKeys(c)) add(key, c.id, c.id);
        if (c.outcome === 'pending') add(this.keys.open(c.connectionId, c.userId), c.generation, c.id);
        withEach?.(tx, c, start + j);
      });
      // Bodies first: an index entry is never read before its change exists.
      tx.mset(...bodies);
      for (const [key, args] of entries) tx.zadd(key, ...args);
      await tx.exec();
    }
    return stored;
  }

  private indexKeys(c: AuditChange): string[] {
    const k = this.keys;
    return [k.all, k.connection(c.connectionId), k.action(c.action), k.outcome(c.outcome), k.email(c.email), k.user(c.connectionId, c.userId)];
  }

  async get(id: number): Promise<AuditChange | null> {
    const raw = await this.redis.get(this.keys.change(id));
    return raw ? (JSON.parse(raw) as AuditChange) : null;
  }

  /** A user's changes, newest first. */
  async ofUser(connectionId: string, userId: string, limit = 200): Promise<AuditChange[]> {
    const ids = await this.redis.zrevrange(this.keys.user(connectionId, userId), 0, limit - 1);
    return this.load(ids);
  }

  private async load(ids: string[]): Promise<AuditChange[]> {
    if (ids.length === 0) return [];
    const rows = await this.redis.mget(ids.map((id) => this.keys.change(Number(id))));
    return rows.filter((r): r is string => r !== null).map((r) => JSON.parse(r) as AuditChange);
  }

  /**
   * A run closed: the changes it carried (generation ≤ the run's) take its outcome. A success
   * closes them; a final failure marks them failed but leaves them open, so a later successful
   * run still turns them green; a failure that will be retried only notes the last error.
   */
  async settle(connectionId: string, userId: string, run: SettleInput): Promise<void> {
    const openKey = this.keys.open(connectionId, userId);
    const ids = await this.redis.zrangebyscore(openKey, '-inf', run.generation);
    const changes = await this.load(ids);
    if (changes.length === 0) return;
    const tx = this.redis.multi();
    for (const change of changes) {
      const outcome: AuditOutcome = run.ok ? 'succeeded' : run.final ? 'failed' : change.outcome;
      const next: AuditChange = { ...change, outcome, runId: run.runId };
      if (run.ok) {
        next.settledAt = run.at;
        delete next.error;
        if (run.reason) next.reason = run.reason;
        else delete next.reason;
        tx.zrem(openKey, String(change.id));
      } else {
        next.reason = run.reason ?? 'error';
        next.error = run.error ?? 'unknown error';
        if (run.final) next.settledAt = run.at;
      }
      tx.set(this.keys.change(change.id), JSON.stringify(next));
      if (outcome !== change.outcome) {
        tx.zrem(this.keys.outcome(change.outcome), String(change.id)).zadd(this.keys.outcome(outcome), change.id, String(change.id));
      }
    }
    await tx.exec();
  }

  /** One page of changes matching the query, newest first. */
  async query(query: AuditQuery): Promise<AuditPage> {
    const bounds = await this.idBounds(query);
    if (!bounds) return { changes: [] };
    const key = await this.narrowest(query, bounds);
    const found: AuditChange[] = [];
    let max = bounds.max;
    let scanned = 0;
    // The first read is one page (and one more, to know if there is a next); misses grow it.
    let chunk = query.limit + 1;
    while (scanned < SCAN_BUDGET && max >= bounds.min) {
      const ids = await this.redis.zrevrangebyscore(key, max, bounds.min, 'LIMIT', 0, chunk);
      chunk = Math.min(MAX_CHUNK, chunk * 4);
      if (ids.length === 0) return { changes: found };
      scanned += ids.length;
      for (const change of await this.load(ids)) {
        if (!matches(change, query)) continue;
        if (found.length === query.limit) return { changes: found, next: found[found.length - 1]!.id };
        found.push(change);
      }
      max = Number(ids[ids.length - 1]) - 1;
    }
    // Budget spent (or the range ended): answer now; the cursor resumes below what was read.
    return max >= bounds.min ? { changes: found, next: max + 1 } : { changes: found };
  }

  /** Ids within the query's time range and below its cursor, or null when none can match. */
  private async idBounds(query: AuditQuery): Promise<{ min: number; max: number } | null> {
    let min = 1;
    let max = Number((await this.redis.get(this.keys.seq)) ?? 0);
    if (query.from) {
      const [first] = await this.redis.zrangebyscore(this.keys.time, Date.parse(query.from), '+inf', 'LIMIT', 0, 1);
      if (first === undefined) return null;
      min = Number(first);
    }
    if (query.to) {
      const [last] = await this.redis.zrevrangebyscore(this.keys.time, Date.parse(query.to), '-inf', 'LIMIT', 0, 1);
      if (last === undefined) return null;
      max = Math.min(max, Number(last));
    }
    if (query.cursor !== undefined) max = Math.min(max, query.cursor - 1);
    return max >= min ? { min, max } : null;
  }

  /** The index with the fewest entries in range: the scan then reads the fewest non-matches. */
  private async narrowest(query: AuditQuery, bounds: { min: number; max: number }): Promise<string> {
    const email = query.q?.includes('@') ? this.keys.email(query.q.trim()) : null;
    const candidates = [
      query.connection ? this.keys.connection(query.connection) : null,
      query.action ? this.keys.action(query.action) : null,
      query.outcome ? this.keys.outcome(query.outcome) : null,
      email,
    ].filter((k): k is string => k !== null);
    const counts = await Promise.all(candidates.map((k) => this.redis.zcount(k, bounds.min, bounds.max)));
    // An email no change has exactly may still be part of longer addresses: not an index then.
    const usable = candidates.map((key, i) => ({ key, count: counts[i]! })).filter((c) => c.key !== email || c.count > 0);
    if (usable.length === 0) return this.keys.all;
    return usable.reduce((a, b) => (b.count < a.count ? b : a)).key;
  }
}

function matches(change: AuditChange, query: AuditQuery): boolean {
  if (query.connection && change.connectionId !== query.connection) return false;
  if (query.action && change.action !== query.action) return false;
  if (query.outcome && change.outcome !== query.outcome) return false;
  if (query.q && !change.email.includes(query.q.trim().toLowerCase())) return false;
  return true;
}
