/**
 * Drift findings per connection, in Redis under the connection's key space (deleting the
 * connection deletes them). A scan replaces the whole set at once: a finding seen again keeps its
 * first-seen time and first run, a new one starts now, and one the scan no longer finds is gone
 * (it was resolved, by a repair or by hand). Allowed shadow accounts are kept apart and outlive scans.
 */
import type { Redis } from 'ioredis';
import { connectionKeys } from '../store/keys.ts';
import {
  allowanceSchema, findingSchema, scanSummarySchema, type Allowance, type Finding, type FindingDraft, type FindingKind, type ScanSummary,
} from './schema.ts';

export function driftKeys(prefix: string, connectionId: string) {
  const base = `${connectionKeys(prefix, connectionId).base}:drift`;
  return {
    /** findingKey → Finding JSON. */
    findings: `${base}:findings`,
    /** email → Allowance JSON. */
    allowed: `${base}:allowed`,
    /** The last scan's ScanSummary JSON. */
    lastScan: `${base}:last-scan`,
    /** When the scheduler first saw the connection (never scanned yet). */
    baseline: `${base}:baseline`,
    /** Held while a scheduled scan waits in the queue (at most one interval; a recorded scan ends it). */
    claim: `${base}:claim`,
  };
}

export const findingKey = (f: Pick<FindingDraft, 'kind' | 'email'>) => `${f.kind}|${f.email}`;

export interface RecordedScan {
  summary: ScanSummary;
  findings: Finding[];
  /** Findings of the scan before that this one no longer saw. */
  resolved: number;
}

export class DriftStore {
  constructor(private readonly redis: Redis, private readonly prefix: string) {}

  private keys(connectionId: string) {
    return driftKeys(this.prefix, connectionId);
  }

  /** Stores a scan's findings in place of the last ones (see the file comment). */
  async recordScan(connectionId: string, scan: { runId: string; at: string; members: number; repaired: number; drafts: readonly FindingDraft[] }): Promise<RecordedScan> {
    const keys = this.keys(connectionId);
    const before = new Map((await this.findings(connectionId)).map((f) => [findingKey(f), f]));
    const findings = scan.drafts.map((draft): Finding => {
      const old = before.get(findingKey(draft));
      return { ...draft, firstSeen: old?.firstSeen ?? scan.at, firstRunId: old?.firstRunId ?? scan.runId, lastSeen: scan.at, runId: scan.runId };
    });
    const resolved = [...before.keys()].filter((key) => !findings.some((f) => findingKey(f) === key)).length;
    const summary: ScanSummary = { runId: scan.runId, at: scan.at, members: scan.members, findings: findings.length, repaired: scan.repaired };
    // The scheduler's claim ends with the scan: the next one is due from this scan's time.
    const tx = this.redis.multi().del(keys.findings, keys.claim).set(keys.lastScan, JSON.stringify(summary));
    for (let i = 0; i < findings.length; i += 500) {
      tx.hset(keys.findings, Object.fromEntries(findings.slice(i, i + 500).map((f) => [findingKey(f), JSON.stringify(f)])));
    }
    await tx.exec();
    return { summary, findings, resolved };
  }

  /** The findings of the last scan, sorted by kind then address. */
  async findings(connectionId: string): Promise<Finding[]> {
    const raw = await this.redis.hvals(this.keys(connectionId).findings);
    return raw.flatMap((text) => parsed(findingSchema, text) ?? [])
      .sort((a, b) => a.kind.localeCompare(b.kind) || a.email.localeCompare(b.email));
  }

  async lastScan(connectionId: string): Promise<ScanSummary | undefined> {
    const text = await this.redis.get(this.keys(connectionId).lastScan);
    return text ? parsed(scanSummarySchema, text) : undefined;
  }

  /** Findings by kind (every kind present, zero when none), for /metrics. */
  async counts(connectionId: string): Promise<Record<FindingKind, number>> {
    const counts: Record<FindingKind, number> = { unknown: 0, role_differs: 0, should_be_gone: 0, missing: 0 };
    for (const field of await this.redis.hkeys(this.keys(connectionId).findings)) {
      const kind = field.slice(0, field.indexOf('|')) as FindingKind;
      if (kind in counts) counts[kind] += 1;
    }
    return counts;
  }

  /** Allows a shadow account; its `unknown` finding goes at once, and later scans stay quiet about it. */
  async allow(connectionId: string, allowance: Allowance): Promise<void> {
    const keys = this.keys(connectionId);
    await this.redis.multi()
      .hset(keys.allowed, allowance.email, JSON.stringify(allowanceSchema.parse(allowance)))
      .hdel(keys.findings, findingKey({ kind: 'unknown', email: allowance.email }))
      .exec();
  }

  /** Takes an allowance back; the next scan reports the account again if it is still there. */
  async disallow(connectionId: string, email: string): Promise<boolean> {
    return (await this.redis.hdel(this.keys(connectionId).allowed, email.toLowerCase())) > 0;
  }

  async allowances(connectionId: string): Promise<Allowance[]> {
    const raw = await this.redis.hvals(this.keys(connectionId).allowed);
    return raw.flatMap((text) => parsed(allowanceSchema, text) ?? []).sort((a, b) => a.email.localeCompare(b.email));
  }

  /** When the scheduler first saw the connection; set once (`at` the first time). */
  async baseline(connectionId: string, at: number): Promise<number> {
    const key = this.keys(connectionId).baseline;
    await this.redis.set(key, String(at), 'NX');
    return Number(await this.redis.get(key)) || at;
  }

  /** True for the one caller that may enqueue the next scheduled scan during `ms`. */
  async claim(connectionId: string, ms: number): Promise<boolean> {
    return (await this.redis.set(this.keys(connectionId).claim, '1', 'PX', Math.max(1, ms), 'NX')) === 'OK';
  }
}

function parsed<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } }, text: string): T | undefined {
  try {
    const result = schema.safeParse(JSON.parse(text));
    return result.success ? result.data : undefined;
  } catch {
    return undefined;
  }
}
