/**
 * Drift scan of a large UXPin team (issue 18: "benchmark it at 1,000"): the sandbox holds
 * BENCH_DRIFT_MEMBERS members (default 1,000; the owner besides), the IdP knows all but 2 % of
 * them, and 1 % were made Admin by hand. One scan through the whole stack (admin API → queue →
 * worker → real Chromium walking every page of the member list → comparison → findings in Redis),
 * timed from the POST to the sealed run, with the sandbox answering every request after
 * BENCH_DRIFT_LATENCY_MS (default 50). The run's own duration and the pages it read are reported
 * beside it; a second scan shows the cost when the session is warm and findings are kept.
 */
import { performance } from 'node:perf_hooks';
import type { SeedMember } from '../test/sandboxes/uxpin/state.ts';
import { startRedis } from '../test/support/redis.ts';
import { addUxpinConnection, STACK_ADMIN_TOKEN, startStack, type ScimConnection, type Stack } from '../test/support/stack.ts';
import { waitFor } from '../test/support/wait.ts';
import { scimUsersFor } from './lib/uxpin-stack.ts';

const MEMBERS = Number(process.env.BENCH_DRIFT_MEMBERS ?? 1000);
const LATENCY_MS = Number(process.env.BENCH_DRIFT_LATENCY_MS ?? 50);

const emailOf = (i: number) => `member${String(i).padStart(4, '0')}@example.com`;

function seed(): SeedMember[] {
  return Array.from({ length: MEMBERS }, (_, i) => ({ email: emailOf(i), role: i % 100 === 7 ? 'Admin' as const : 'Collaborator' as const }));
}

/** The IdP's users, made known as converged: their create jobs are dropped unrun (scimUsersFor), then recorded in sync. */
async function knownUsers(stack: Stack, conn: ScimConnection): Promise<number> {
  const emails = Array.from({ length: MEMBERS }, (_, i) => emailOf(i)).filter((_, i) => i % 50 !== 3);
  const ids = await scimUsersFor(stack, conn, emails);
  const provisioning = stack.core.directory.provisioning;
  const at = new Date().toISOString();
  await Promise.all(ids.map(async (id, i) => {
    const state = await provisioning.get(conn.id, id);
    await provisioning.recordRun(conn.id, id, { generation: state!.generation, ok: true, runId: 'run-bench-setup', at, appRole: 'Collaborator', appliedEmail: emails[i]! });
  }));
  return ids.length;
}

async function scanOnce(stack: Stack, id: string) {
  const pagesBefore = stack.sandbox.state.listViews.length;
  const started = performance.now();
  const res = await fetch(`${stack.url}/admin/v1/connections/${id}/drift-scan`, { method: 'POST', headers: { authorization: `Bearer ${STACK_ADMIN_TOKEN}` } });
  if (res.status !== 201) throw new Error(`drift-scan: ${res.status} ${await res.text()}`);
  const { runId } = (await res.json()) as { runId: string };
  const run = await waitFor(async () => {
    const r = await stack.runs.get(runId);
    return r && (r.status === 'succeeded' || r.status === 'failed') ? r : undefined;
  }, `drift scan ${runId}`, 30 * 60_000, 200);
  const seconds = (performance.now() - started) / 1000;
  if (run.status !== 'succeeded') throw new Error(`drift scan failed: ${run.error}`);
  const drift = (await (await fetch(`${stack.url}/admin/v1/connections/${id}/drift`, { headers: { authorization: `Bearer ${STACK_ADMIN_TOKEN}` } })).json()) as {
    lastScan: { members: number; findings: number }; findings: Array<{ kind: string }>;
  };
  const byKind: Record<string, number> = {};
  for (const f of drift.findings) byKind[f.kind] = (byKind[f.kind] ?? 0) + 1;
  return {
    seconds: Number(seconds.toFixed(2)),
    runSeconds: Number(((Date.parse(run.endedAt!) - Date.parse(run.startedAt)) / 1000).toFixed(2)),
    membersListed: drift.lastScan.members,
    listPagesRead: stack.sandbox.state.listViews.length - pagesBefore,
    findings: byKind,
  };
}

export async function benchDriftScan(): Promise<Record<string, unknown>> {
  const redis = await startRedis();
  let stack: Stack | undefined;
  try {
    stack = await startStack({ redisUrl: redis.url, sandbox: { seed: seed(), latencyMs: LATENCY_MS } });
    const conn = await addUxpinConnection(stack, { settings: { driftScanHours: 0 } });
    const known = await knownUsers(stack, conn);
    const first = await scanOnce(stack, conn.id);
    const second = await scanOnce(stack, conn.id);
    return { members: MEMBERS, knownToIdp: known, sandboxLatencyMs: LATENCY_MS, firstScan: first, secondScan: second };
  } finally {
    await stack?.close();
    await redis.stop();
  }
}
