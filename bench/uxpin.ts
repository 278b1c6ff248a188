/**
 * UXPin deprovision latency: from the SCIM answer to `PATCH active=false` until the removal is read
 * back in the app with its evidence sealed (the worker's completion event, then the provisioning
 * state `removed`, which is recorded only after the manifest is sealed). 1, 10 and N simultaneous
 * offboardings, the sandbox answering every request after 150 ms, measured in one run beside
 * (a) a naive script: a fresh Chromium and a login per job, the same connector operations, one job
 * after another, without evidence and with the runner's evidence wrapper; (b) the lower bound: the
 * sandbox's own HTTP calls (the removal POST and a list read-back), all at once, no browser (both
 * in uxpin-baselines.ts). Peak memory is the RSS of this process tree (gateway + worker + Chromium
 * + sandbox; Redis excluded), sampled every 250 ms per phase.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { UxpinSandbox } from '../test/sandboxes/uxpin/index.ts';
import { startRedis } from '../test/support/redis.ts';
import { addUxpinConnection, scim, startStack, type ScimConnection, type Stack } from '../test/support/stack.ts';
import { CASE_LIMIT_MS, completions, PATCH_INACTIVE, scimUsersFor, seedMembers, within } from './lib/uxpin-stack.ts';
import { percentile } from './lib/stats.ts';
import { treeMemory } from './proc-memory.ts';
import { DEFAULT_PARALLEL_PAGES } from '../core/connections/schema.ts';
import { emailOf, lowerBound, ms, naive, naiveRemove, projectSerial, summary, type Case } from './uxpin-baselines.ts';

const LATENCY_MS = 150;
const SIZES = [1, 10, 100] as const;
/** Longest the largest case may take through the gateway; beyond it fewer users are offboarded. */
const BUDGET_MS = Number(process.env.BENCH_UXPIN_BUDGET_MS ?? 300_000);
/** Naive jobs measured for real; larger cases are projected from their mean (a serial script adds up). */
const NAIVE_MAX = Number(process.env.BENCH_UXPIN_NAIVE_MAX ?? 10);
/** Pages at once on the connection (settings.parallelPages), and the worker's concurrency to match. */
const PAGES = Number(process.env.BENCH_UXPIN_PAGES ?? DEFAULT_PARALLEL_PAGES);
/** Rounds of the interleaved per-job comparison. */
const ROUNDS = Number(process.env.BENCH_UXPIN_ROUNDS ?? 5);

/** Samples the process tree's memory while `fn` runs; returns its result and the peak. */
async function withPeak<T>(fn: () => Promise<T>): Promise<{ value: T; peakRssMiB: number; peakPssMiB: number | null }> {
  let rss = 0;
  let pss: number | null = null;
  const sample = () => {
    const now = treeMemory(process.pid, ['redis-server']);
    if (now.rssMiB > rss) rss = now.rssMiB;
    // PSS is unreadable while a Chromium process is starting or exiting: that sample is skipped.
    if (now.pssMiB !== null) pss = Math.max(pss ?? 0, now.pssMiB);
  };
  const timer = setInterval(sample, 250);
  try {
    const value = await fn();
    sample();
    return { value, peakRssMiB: rss, peakPssMiB: pss };
  } finally {
    clearInterval(timer);
  }
}

// ---- scimwright: SCIM PATCH → worker → sandbox, completion by event ----

async function gatewayCase(stack: Stack, conn: ScimConnection, ids: string[]): Promise<Case> {
  const watch = completions(stack, conn, ids);
  const started = performance.now();
  try {
    const latencies = await Promise.all(ids.map(async (id) => {
      const res = await scim(conn, 'PATCH', `/Users/${id}`, PATCH_INACTIVE);
      if (res.status !== 200) throw new Error(`PATCH ${id}: ${res.status}`);
      const answered = performance.now();
      return (await within(watch.done.get(id)!, CASE_LIMIT_MS, `removal of ${id}`)).at - answered;
    }));
    return summary(latencies, performance.now() - started);
  } finally {
    watch.stop();
  }
}

async function measureLowerBound(sandbox: UxpinSandbox) {
  const { value, ...peak } = await withPeak(async () => {
    const cases: Case[] = [];
    let offset = 0;
    for (const n of SIZES) { cases.push(await lowerBound(sandbox, n, offset)); offset += n; }
    return cases;
  });
  return { cases: value, ...peak };
}

async function measureNaive(sandbox: UxpinSandbox, evidenceDir?: string) {
  const { value, ...peak } = await withPeak(async () => {
    const one = await naive(sandbox, 1, 0, evidenceDir);
    const ten = await naive(sandbox, Math.min(10, NAIVE_MAX), 1, evidenceDir);
    return { cases: [one.real, ten.real, projectSerial(100, ten.perJobMs)], perJobMs: ms(ten.perJobMs) };
  });
  return { ...value, ...peak };
}

/** 1 and 10 at once, then as many of 100 as the budget allows (projected to 100 when fewer). */
async function measureGateway(stack: Stack, conn: ScimConnection, ids: string[]) {
  const requestsBefore = stack.sandbox.state.requests;
  const { value, ...peak } = await withPeak(async () => {
    const cold = await gatewayCase(stack, conn, ids.slice(0, 1)); // browser launch + login: not in the figures
    const one = await gatewayCase(stack, conn, ids.slice(1, 2));
    const ten = await gatewayCase(stack, conn, ids.slice(2, 12));
    const largest = Math.min(100, Math.max(10, Math.floor(BUDGET_MS / (ten.wallMs / 10))));
    const big = await gatewayCase(stack, conn, ids.slice(12, 12 + largest));
    const cases = largest < 100 ? [one, ten, big, projectSerial(100, big.wallMs / largest)] : [one, ten, big];
    return { cases, coldFirstJobMs: cold.p50Ms, perJobMs: ms(big.wallMs / largest), largest };
  });
  const done = 12 + value.largest;
  if (ids.slice(0, done).some((_, i) => stack.sandbox.state.find(emailOf('gw', i)))) throw new Error('a removal did not reach the sandbox');
  const requestsPerRemoval = Number(((stack.sandbox.state.requests - requestsBefore) / done).toFixed(1));
  return { ...value, requestsPerRemoval, ...peak };
}

/**
 * One job of each browser mode in turn, ROUNDS times: the load other work puts on the machine falls
 * on all three alike, so these medians are the fair per-job comparison (the phases above ran at
 * different times).
 */
async function measureInterleaved(stack: Stack, conn: ScimConnection, ids: string[]) {
  const times: Record<'gateway' | 'naive' | 'naiveWithEvidence', number[]> = { gateway: [], naive: [], naiveWithEvidence: [] };
  const evidenceDir = join(stack.config.recordingsDir, 'naive');
  const timed = async (fn: () => Promise<unknown>) => { const t = performance.now(); await fn(); return performance.now() - t; };
  for (let i = 0; i < ROUNDS; i++) {
    times.gateway.push((await gatewayCase(stack, conn, [ids[i]!])).p50Ms);
    times.naive.push(await timed(() => naiveRemove(stack.sandbox, emailOf('iv', i))));
    times.naiveWithEvidence.push(await timed(() => naiveRemove(stack.sandbox, emailOf('ie', i), evidenceDir)));
  }
  const median = (xs: number[]) => ms(percentile([...xs].sort((a, b) => a - b), 50));
  return { rounds: ROUNDS, gatewayMs: median(times.gateway), naiveMs: median(times.naive), naiveWithEvidenceMs: median(times.naiveWithEvidence) };
}

export async function benchUxpin(): Promise<Record<string, unknown>> {
  const gwTotal = 1 + SIZES.reduce((a, b) => a + b, 0);
  const redis = await startRedis();
  const seed = seedMembers({ gw: gwTotal + ROUNDS, nv: NAIVE_MAX + 1, ne: NAIVE_MAX + 1, lb: gwTotal, iv: ROUNDS, ie: ROUNDS });
  const stack = await startStack({ redisUrl: redis.url, sandbox: { seed }, workerConcurrency: PAGES });
  try {
    const conn = await addUxpinConnection(stack, { settings: { parallelPages: PAGES } });
    const all = await scimUsersFor(stack, conn, Array.from({ length: gwTotal + ROUNDS }, (_, i) => emailOf('gw', i)));
    const ids = all.slice(0, gwTotal);
    stack.sandbox.setKnobs({ latencyMs: LATENCY_MS });
    // Browser-free first, then the naive scripts, then scimwright: each phase's peak is its own.
    const lowerBound = await measureLowerBound(stack.sandbox);
    const naiveRuns = await measureNaive(stack.sandbox);
    const naiveWithEvidence = await measureNaive(stack.sandbox, join(stack.config.recordingsDir, 'naive'));
    const gateway = await measureGateway(stack, conn, ids);
    const perJobInterleaved = await measureInterleaved(stack, conn, all.slice(gwTotal));
    const out: Record<string, unknown> = { latencyMs: LATENCY_MS, parallelPages: PAGES, gateway, naive: naiveRuns, naiveWithEvidence, lowerBound, perJobInterleaved };
    out.tables = tables(out, gateway.largest);
    return out;
  } finally {
    await stack.close();
    await redis.stop();
  }
}

type Out = Record<string, any>;

function tables(out: Out, largest: number) {
  const label = (c: Case) => `${c.n}${c.projected ? ' (projected)' : ''}`;
  const modes: Array<[string, Out]> = [
    ['scimwright (one browser, saved login, evidence)', out.gateway], ['(a) naive: fresh browser + login per job, no evidence', out.naive],
    ['(a) naive + the same evidence', out.naiveWithEvidence], ['(b) lower bound: HTTP only, all at once', out.lowerBound],
  ];
  const find = (cases: Case[], n: number) => cases.find((c) => c.n === n && !c.projected) ?? cases.find((c) => c.n === n);
  const r = (a?: Case, b?: Case) => (a && b ? Number((a.p50Ms / b.p50Ms).toFixed(1)) : null);
  const ratioRows = SIZES.map((n) => {
    const [g, v, e, l] = modes.map(([, m]) => find(m.cases, n));
    return [n, r(g, l), r(v, l), r(v, g), r(e, g)];
  });
  const projected = largest < 100
    ? `Only ${largest} users were offboarded through scimwright in the largest case (100 would exceed the ${BUDGET_MS / 1000} s budget); its 100 row is projected from that run's time per job. `
    : '';
  return [
    {
      title: `UXPin deprovision latency, sandbox at ${LATENCY_MS} ms per request (ms from the SCIM answer to the removal read back, evidence sealed)`,
      columns: ['mode', 'simultaneous', 'p50 ms', 'p95 ms', 'all done ms'],
      rows: modes.flatMap(([name, m]) => (m.cases as Case[]).map((c) => [name, label(c), c.p50Ms, c.p95Ms, c.wallMs])),
      note: `One worker, one connection with parallelPages ${out.parallelPages} (the worker's concurrency the same): that many pages of one `
        + `logged-in browser context work at once, so latency grows with the queue divided by it. ${projected}`
        + `The naive scripts ran 1 and ${Math.min(10, NAIVE_MAX)} jobs, one after another; their 100 rows are projected (serial jobs add up). `
        + `scimwright's cold first job (browser launch + login) took ${out.gateway.coldFirstJobMs} ms and is not in the figures. `
        + `The sandbox served ${out.gateway.requestsPerRemoval} requests per scimwright removal; the lower bound makes 2.`,
    },
    {
      title: 'Ratios of p50 latency',
      columns: ['simultaneous', 'scimwright / lower bound', 'naive / lower bound', 'naive / scimwright', 'naive + evidence / scimwright'],
      rows: ratioRows,
    },
    {
      title: `One offboarding alone, the modes taken in turn (median of ${out.perJobInterleaved.rounds} rounds; the fair per-job comparison)`,
      columns: ['scimwright ms', 'naive ms', 'naive + evidence ms', 'naive / scimwright', 'naive + evidence / scimwright'],
      rows: [[out.perJobInterleaved.gatewayMs, out.perJobInterleaved.naiveMs, out.perJobInterleaved.naiveWithEvidenceMs,
        Number((out.perJobInterleaved.naiveMs / out.perJobInterleaved.gatewayMs).toFixed(2)),
        Number((out.perJobInterleaved.naiveWithEvidenceMs / out.perJobInterleaved.gatewayMs).toFixed(2))]],
      note: 'The simultaneous cases above ran one mode after another, so load from other work on the machine can favour one mode; this table cannot be skewed that way.',
    },
    {
      title: 'Peak memory of the process tree (gateway, worker, sandbox, Chromium; Redis excluded)',
      columns: ['mode', 'peak RSS MiB (sums shared pages)', 'peak PSS MiB'],
      rows: modes.map(([name, m]) => [name, m.peakRssMiB, m.peakPssMiB]),
    },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await benchUxpin(), null, 2));
}
