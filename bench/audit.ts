/**
 * Audit log benchmark (issue 12, item 8): GET /admin/v1/audit over real HTTP against 100,000
 * stored changes on durable Redis (appendfsync everysec), one request at a time. Each query is a
 * first page (limit 50) and, through its cursor, a deep page; the target is p95 < 200 ms.
 * The filters cover the index choices: none, a connection, an action, an outcome, an exact email,
 * a part of an email (a bounded scan), a date range, and a rare combination.
 */
import { performance } from 'node:perf_hooks';
import type { AuditAction, AuditChange, AuditOutcome } from '../core/audit/schema.ts';
import { ADMIN_TOKEN } from '../test/support/gateway.ts';
import { listeningGateway } from './lib/gateway-fixture.ts';
import { summarize } from './lib/stats.ts';

const CHANGES = Number(process.env.BENCH_AUDIT_CHANGES ?? 100_000);
const CONNECTIONS = 10;
const USERS = 20_000;
const REPEATS = Number(process.env.BENCH_AUDIT_REPEATS ?? 40);
const TARGET_MS = 200;
const START = Date.parse('2026-01-01T00:00:00Z');
const ACTIONS: AuditAction[] = ['create', 'update', 'update', 'role', 'groups', 'deactivate', 'reactivate', 'delete'];

function change(i: number): Omit<AuditChange, 'id'> {
  const action = ACTIONS[i % ACTIONS.length]!;
  // 1 in 500 failed, 1 in 100 pending, the rest succeeded.
  const outcome: AuditOutcome = i % 500 === 7 ? 'failed' : i % 100 === 3 ? 'pending' : 'succeeded';
  const at = new Date(START + i * 30_000).toISOString();
  return {
    at, connectionId: `conn${i % CONNECTIONS}`, userId: `u${i % USERS}`, email: `user${i % USERS}@example.com`, tokenId: 'tok_bench0001',
    requestId: `r${i}`, request: 'PATCH /Users/x', action, changes: [{ field: 'active', from: 'true', to: 'false' }], generation: 1, outcome,
    ...(outcome === 'pending' ? {} : { settledAt: new Date(Date.parse(at) + 4000).toISOString(), runId: `run${i}` }),
    ...(outcome === 'failed' ? { reason: 'login_failed', error: 'The app refused the login.' } : {}),
  };
}

const QUERIES: Array<{ name: string; query: string }> = [
  { name: 'no filter', query: '' },
  { name: 'connection', query: 'connection=conn3' },
  { name: 'action deactivate', query: 'action=deactivate' },
  { name: 'outcome failed', query: 'outcome=failed' },
  { name: 'exact email', query: 'q=user1234@example.com' },
  { name: 'part of an email', query: 'q=user1234' },
  { name: 'date range (a week)', query: 'from=2026-01-10&to=2026-01-16' },
  { name: 'connection + action + outcome failed', query: 'connection=conn3&action=delete&outcome=failed' },
];

export async function benchAudit() {
  const { gw, origin, close } = await listeningGateway('everysec');
  try {
    const store = gw.core.directory.provisioning.audit.store;
    const seedStart = performance.now();
    for (let i = 0; i < CHANGES; i += 1000) await store.append(Array.from({ length: Math.min(1000, CHANGES - i) }, (_, j) => change(i + j)));
    const seedSeconds = (performance.now() - seedStart) / 1000;
    const get = async (query: string) => {
      const started = performance.now();
      const res = await fetch(`${origin}/admin/v1/audit?limit=50&${query}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      const body = (await res.json()) as { changes: unknown[]; next?: number };
      if (res.status !== 200) throw new Error(`${query}: ${res.status} ${JSON.stringify(body)}`);
      return { ms: performance.now() - started, body };
    };
    const rows: Array<Array<string | number | null>> = [];
    let worst = 0;
    for (const q of QUERIES) {
      const first = await get(q.query);
      // The deep page: the cursor of the first page's middle of the history.
      const deepCursor = first.body.next ? Math.max(1, Math.floor(first.body.next / 2)) : undefined;
      const firstMs: number[] = [];
      const deepMs: number[] = [];
      const t0 = performance.now();
      for (let r = 0; r < REPEATS; r++) {
        firstMs.push((await get(q.query)).ms);
        if (deepCursor) deepMs.push((await get(`${q.query}&cursor=${deepCursor}`)).ms);
      }
      const a = summarize(firstMs, performance.now() - t0);
      const b = deepMs.length > 0 ? summarize(deepMs, 1) : null;
      worst = Math.max(worst, a.p95Ms, b?.p95Ms ?? 0);
      rows.push([q.name, first.body.changes.length, a.p50Ms, a.p95Ms, b?.p50Ms ?? null, b?.p95Ms ?? null]);
    }
    return {
      tables: [{
        title: `GET /admin/v1/audit, limit 50, over ${CHANGES.toLocaleString('en')} changes (${CONNECTIONS} connections, ${USERS.toLocaleString('en')} users)`,
        columns: ['filter', 'rows on page 1', 'page 1 p50 ms', 'page 1 p95 ms', 'deep page p50 ms', 'deep page p95 ms'],
        rows,
        note: `${REPEATS} requests per cell, one at a time, over HTTP with the admin token. Target: p95 under ${TARGET_MS} ms; worst p95 here ${worst.toFixed(1)} ms (${worst < TARGET_MS ? 'met' : 'MISSED'}). Seeding ${CHANGES.toLocaleString('en')} changes took ${seedSeconds.toFixed(1)} s. A deep page starts at the cursor halfway down the history.`,
      }],
      worstP95Ms: Number(worst.toFixed(2)),
      targetMet: worst < TARGET_MS,
    };
  } finally {
    await close();
  }
}
