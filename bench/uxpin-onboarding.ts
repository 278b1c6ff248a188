/**
 * UXPin onboarding burst: USERS new users POSTed over SCIM at once (as an IdP does when a group is
 * assigned to the app), from each SCIM answer to the user read back in the app as invited, with
 * the evidence sealed (the provisioning state turns in sync only after that). Two modes side by
 * side in one run, on two identical stacks sharing one Chromium, taken in turn ROUNDS times so
 * that load from other work falls on both alike: batch invites (the worker's default) and every
 * invite alone (inviteBatchLimit 1). The sandbox answers every request after 150 ms.
 */
import { performance } from 'node:perf_hooks';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../runner/browser/chromium.ts';
import { startRedis, type TestRedis } from '../test/support/redis.ts';
import { addUxpinConnection, scim, startStack, type ScimConnection, type Stack } from '../test/support/stack.ts';
import { percentile } from './lib/stats.ts';

const LATENCY_MS = 150;
const USERS = Number(process.env.BENCH_ONBOARD_USERS ?? 20);
const ROUNDS = Number(process.env.BENCH_ONBOARD_ROUNDS ?? 2);
/** A burst that never converges (a run failing for good) must end the bench, not hang it. */
const BURST_LIMIT_MS = 10 * 60_000;

type Mode = 'batched' | 'alone';
interface Burst { p50Ms: number; p95Ms: number; allDoneMs: number; requestsPerUser: number; addRequests: number }
interface Side { stack: Stack; conn: ScimConnection }

const ms = (n: number) => Math.round(n);

async function side(redisUrl: string, browser: Browser, mode: Mode): Promise<Side> {
  const stack = await startStack({ redisUrl, browser, sandbox: { seed: 1 }, ...(mode === 'alone' ? { inviteBatchLimit: 1 } : {}) });
  const conn = await addUxpinConnection(stack);
  // Warm: the login and the first page loads are paid before anything is measured.
  await burst({ stack, conn }, [`warm-${mode}@example.com`]);
  stack.sandbox.setKnobs({ latencyMs: LATENCY_MS });
  return { stack, conn };
}

/** POSTs every user at once and waits until each is in sync; per-user ms from its 201 to in sync. */
async function burst({ stack, conn }: Side, emails: string[]): Promise<Burst> {
  const requestsBefore = stack.sandbox.state.requests;
  const addsBefore = stack.sandbox.state.inviteRequests.length;
  const started = performance.now();
  const answered = await Promise.all(emails.map(async (email) => {
    const res = await scim(conn, 'POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: email, active: true });
    if (res.status !== 201) throw new Error(`create ${email}: ${res.status}`);
    return { id: res.body.id as string, at: performance.now() };
  }));
  const doneAt = new Map<string, number>();
  while (doneAt.size < answered.length) {
    if (performance.now() - started > BURST_LIMIT_MS) throw new Error(`only ${doneAt.size} of ${answered.length} users converged`);
    const states = await stack.core.directory.provisioning.getMany(conn.id, answered.map((a) => a.id));
    const now = performance.now();
    for (const [id, state] of states) {
      if (state.state === 'failed') throw new Error(`${id} failed: ${state.lastError}`);
      if (!doneAt.has(id) && state.state === 'in_sync' && state.appliedGeneration === state.generation) doneAt.set(id, now);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const latencies = answered.map((a) => doneAt.get(a.id)! - a.at).sort((a, b) => a - b);
  return {
    p50Ms: ms(percentile(latencies, 50)), p95Ms: ms(percentile(latencies, 95)), allDoneMs: ms(performance.now() - started),
    requestsPerUser: Number(((stack.sandbox.state.requests - requestsBefore) / emails.length).toFixed(1)),
    addRequests: stack.sandbox.state.inviteRequests.length - addsBefore,
  };
}

const median = (xs: number[]) => ms(percentile([...xs].sort((a, b) => a - b), 50));

function combine(bursts: Burst[]): Burst {
  return {
    p50Ms: median(bursts.map((b) => b.p50Ms)), p95Ms: median(bursts.map((b) => b.p95Ms)), allDoneMs: median(bursts.map((b) => b.allDoneMs)),
    requestsPerUser: Number((bursts.reduce((a, b) => a + b.requestsPerUser, 0) / bursts.length).toFixed(1)),
    addRequests: Number((bursts.reduce((a, b) => a + b.addRequests, 0) / bursts.length).toFixed(1)),
  };
}

export async function benchUxpinOnboarding(): Promise<Record<string, unknown>> {
  let redis: TestRedis | undefined;
  let browser: Browser | undefined;
  const sides: Side[] = [];
  try {
    [redis, browser] = await Promise.all([startRedis(), launchChromium()]);
    const batched = await side(redis.url, browser, 'batched');
    sides.push(batched);
    const alone = await side(redis.url, browser, 'alone');
    sides.push(alone);
    const runs: Record<Mode, Burst[]> = { batched: [], alone: [] };
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate which mode goes first, so neither always meets a warmer or busier machine.
      const order: Array<[Mode, Side]> = round % 2 === 0 ? [['batched', batched], ['alone', alone]] : [['alone', alone], ['batched', batched]];
      for (const [mode, s] of order) {
        runs[mode].push(await burst(s, Array.from({ length: USERS }, (_, i) => `${mode}-r${round}-${String(i).padStart(3, '0')}@example.com`)));
      }
    }
    const result = { latencyMs: LATENCY_MS, users: USERS, rounds: ROUNDS, batched: combine(runs.batched), alone: combine(runs.alone), runs };
    return { ...result, tables: tables(result) };
  } finally {
    for (const s of sides) await s.stack.close();
    await browser?.close();
    await redis?.stop();
  }
}

function tables(out: { users: number; rounds: number; batched: Burst; alone: Burst }) {
  const row = (name: string, b: Burst) => [name, b.p50Ms, b.p95Ms, b.allDoneMs, b.requestsPerUser, b.addRequests];
  const ratio = (a: number, b: number) => Number((a / b).toFixed(2));
  return [
    {
      title: `UXPin onboarding: ${out.users} new users POSTed at once, sandbox at ${LATENCY_MS} ms per request (ms from each SCIM answer to the invite read back, evidence sealed; median of ${out.rounds} rounds)`,
      columns: ['mode', 'p50 ms', 'p95 ms', 'all done ms', 'app requests per user', 'Add requests'],
      rows: [row('batch invites (default)', out.batched), row('every invite alone (inviteBatchLimit 1)', out.alone)],
      note: 'The modes ran in turn, alternating which went first; one worker and one connection each, sharing one Chromium.',
    },
    {
      title: 'Ratios (alone / batched)',
      columns: ['p50', 'p95', 'all done', 'app requests per user'],
      rows: [[ratio(out.alone.p50Ms, out.batched.p50Ms), ratio(out.alone.p95Ms, out.batched.p95Ms),
        ratio(out.alone.allDoneMs, out.batched.allDoneMs), ratio(out.alone.requestsPerUser, out.batched.requestsPerUser)]],
    },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await benchUxpinOnboarding(), null, 2));
}
