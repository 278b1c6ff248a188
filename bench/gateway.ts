/**
 * Gateway benchmark (issue 2, item 7): SCIM filter-by-userName, list pages and POST /Users against
 * the real gateway over real HTTP, at a small and a large directory, on durable Redis with
 * `appendfsync everysec` and `always` side by side. See bench/README.md for how to read it.
 *
 * Both Redis settings run at the same time, each behind its own gateway in this process, and are
 * measured turn by turn in chunks (see measureScenario). Each scenario runs twice: one request at a time (latency without queueing) and CONCURRENCY at
 * a time (throughput, and latency under that load). The load comes from a child process.
 */
import { startLoadClient, type LoadClient } from './lib/load.ts';
import type { RequestPlan } from './lib/load-protocol.ts';
import { memoryReport, redisRoundTrips, seedOverHttp, seedThroughCore, SEED_PREFIX, startFixture, storedUsers, type Fixture, type MemoryReport, type RoundTrip, type SeedReport } from './lib/gateway-fixture.ts';
import { gatewayChecks, gatewayTables, listPageCheck, type Row } from './lib/gateway-tables.ts';
import type { Fsync } from './lib/redis.ts';
import { summarize } from './lib/stats.ts';
import { benchUserName } from './lib/users.ts';

const env = process.env;
/**
 * BENCH_QUICK=1: the list-page question of issue 13 at a size a loaded machine gets through in a
 * few minutes (10k users, one Redis setting, lookups and pages only, a fifth of the requests).
 * Each knob set explicitly still wins.
 */
const QUICK = env.BENCH_QUICK === '1';
const SMALL = Number(env.BENCH_SMALL ?? 1_000);
const LARGE = Number(env.BENCH_LARGE ?? (QUICK ? 10_000 : 100_000));
const CONCURRENCY = Number(env.BENCH_CONCURRENCY ?? 16);
/** Multiplies every request count; BENCH_SCALE=0.1 makes a quick smoke run. */
const SCALE = Number(env.BENCH_SCALE ?? (QUICK ? 0.2 : 1));
const FSYNCS = (env.BENCH_FSYNC ?? (QUICK ? 'everysec' : 'everysec,always')).split(',').map((s) => s.trim()) as Fsync[];
/** Comma-separated parts of scenario names to run (e.g. `list,userName eq`); all when unset. */
const ONLY = (env.BENCH_SCENARIOS ?? (QUICK ? 'userName eq,list' : '')).split(',').map((s) => s.trim().toLowerCase()).filter((s) => s !== '');
const SEED_CONCURRENCY = 64;
/** Each measured phase is cut into this many chunks, alternating between the Redis settings. */
const ROUNDS = 4;

interface Phase { warmup: number; count: number }

interface Scenario {
  name: string;
  /** One request at a time. */
  latency: (users: number) => Phase;
  /** CONCURRENCY at a time; null skips it (a full scan at 100k × 16 would take minutes). */
  load: (users: number) => Phase | null;
  expectStatus: number;
  plan: (fx: Fixture, users: number, posts: { next: number }) => RequestPlan;
}

const n = (count: number, min = 1) => Math.max(min, Math.round(count * SCALE));
const phase = (warmup: number, count: number): Phase => ({ warmup: n(warmup, 0), count: n(count) });

/** A fixed pseudo-random sample of seeded users, so runs look up the same names. */
function sampleNames(seeded: number, size: number): string[] {
  let x = 0x2545f491;
  return Array.from({ length: size }, () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return benchUserName(SEED_PREFIX, x % seeded);
  });
}

const filterPath = (fx: Fixture, filter: string) => `${fx.base}/Users?filter=${encodeURIComponent(filter)}`;

const SCENARIOS: Scenario[] = [
  {
    name: 'GET filter userName eq',
    latency: () => phase(100, 600),
    load: () => phase(200, 4000),
    expectStatus: 200,
    plan: (fx) => ({ kind: 'get', paths: sampleNames(fx.seeded, 1000).map((u) => filterPath(fx, `userName eq "${u}"`)) }),
  },
  {
    name: 'GET list page 1 (count=100)',
    latency: () => phase(30, 400),
    load: () => phase(32, 480),
    expectStatus: 200,
    plan: (fx) => ({ kind: 'get', paths: [`${fx.base}/Users?startIndex=1&count=100`] }),
  },
  {
    name: 'GET list last page (count=100)',
    latency: () => phase(30, 400),
    load: () => phase(32, 480),
    expectStatus: 200,
    plan: (fx, users) => ({ kind: 'get', paths: [`${fx.base}/Users?startIndex=${Math.max(1, users - 99)}&count=100`] }),
  },
  {
    name: 'GET filter title co (scan)',
    latency: (users) => (users > 10_000 ? phase(1, 5) : phase(10, 30)),
    load: (users) => (users > 10_000 ? null : phase(16, 200)),
    expectStatus: 200,
    plan: (fx) => ({ kind: 'get', paths: [filterPath(fx, 'title co "x"')] }),
  },
  {
    name: 'POST /Users',
    latency: () => phase(50, 500),
    load: () => phase(100, 2000),
    expectStatus: 201,
    plan: (fx, _users, posts) => ({ kind: 'post', path: `${fx.base}/Users`, userPrefix: 'p', firstIndex: posts.next }),
  },
];

/** Latencies, wall time and CPU time summed over the chunks of one phase. */
interface Tally { latenciesMs: number[]; elapsedMs: number; errors: number; gatewayCpuMs: number; redisCpuMs: number }

/**
 * CPU time of the gateways (this process; the client is another one, and only one fixture is
 * loaded at a time) and of the fixture's Redis: unlike wall time, it hardly moves when other work
 * shares the machine, so it is the figure to compare across runs.
 */
async function cpuNow(fx: Fixture): Promise<{ gateway: number; redis: number }> {
  const info = await fx.gw.redis.info('cpu');
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? Number.NaN);
  const usage = process.cpuUsage();
  return { gateway: (usage.user + usage.system) / 1000, redis: (field('used_cpu_user') + field('used_cpu_sys')) * 1000 };
}

async function runChunk(client: LoadClient, fx: Fixture, scenario: Scenario, p: Phase, concurrency: number, users: number, posts: { next: number }, tally?: Tally) {
  const plan = scenario.plan(fx, users, posts);
  const before = await cpuNow(fx);
  const result = await client.run({ origin: fx.origin, headers: fx.headers, concurrency, ...p, expectStatus: scenario.expectStatus, plan });
  const after = await cpuNow(fx);
  posts.next += result.posted;
  if (result.errors > 0) console.error(`[bench] ${scenario.name}: ${result.errors} unexpected responses, first: ${result.firstError}`);
  if (tally) {
    tally.latenciesMs.push(...result.latenciesMs);
    tally.elapsedMs += result.elapsedMs;
    tally.errors += result.errors;
    tally.gatewayCpuMs += after.gateway - before.gateway;
    tally.redisCpuMs += after.redis - before.redis;
  }
}

/** CPU ms per request of a phase, or null when nothing was measured. */
function cpuPerRequest(t: Tally): Row['cpu'] {
  const n = t.latenciesMs.length;
  return n === 0 ? null : { gatewayMs: Number((t.gatewayCpuMs / n).toFixed(3)), redisMs: Number((t.redisCpuMs / n).toFixed(3)) };
}

/**
 * Runs one scenario at the current directory size on every fixture, side by side: all are warmed
 * up first, then each phase is cut into ROUNDS chunks taken in turn (A B, B A, …), so that other
 * work on the machine and JIT warmth fall on both Redis settings alike.
 */
async function measureScenario(client: LoadClient, fixtures: Fixture[], scenario: Scenario, size: Row['size'], users: Map<Fixture, number>, posts: Map<Fixture, { next: number }>): Promise<Row[]> {
  const phases = (fx: Fixture): Array<[Phase | null, number]> =>
    [[scenario.latency(users.get(fx)!), 1], [scenario.load(users.get(fx)!), CONCURRENCY]];
  const tallies = new Map(fixtures.map((fx) => [fx, [0, 1].map((): Tally => ({ latenciesMs: [], elapsedMs: 0, errors: 0, gatewayCpuMs: 0, redisCpuMs: 0 }))]));
  for (const fx of fixtures) {
    for (const [p, c] of phases(fx)) if (p && p.warmup > 0) await runChunk(client, fx, scenario, { warmup: p.warmup, count: 0 }, c, users.get(fx)!, posts.get(fx)!);
  }
  for (const phaseIndex of [0, 1]) {
    for (let round = 0; round < ROUNDS; round++) {
      for (const fx of round % 2 === 0 ? fixtures : [...fixtures].reverse()) {
        const [p, c] = phases(fx)[phaseIndex]!;
        const count = p ? Math.min(Math.ceil(p.count / ROUNDS), p.count - Math.ceil(p.count / ROUNDS) * round) : 0;
        if (p && count > 0) await runChunk(client, fx, scenario, { warmup: 0, count }, c, users.get(fx)!, posts.get(fx)!, tallies.get(fx)![phaseIndex]);
      }
    }
  }
  return fixtures.map((fx) => {
    const [lat, load] = tallies.get(fx)!.map((t) => (t.latenciesMs.length > 0 ? summarize(t.latenciesMs, t.elapsedMs) : null));
    console.error(`[bench] ${fx.fsync} ${users.get(fx)} users · ${scenario.name}: p50 ${lat?.p50Ms} ms` + (load ? `, ${load.rps} req/s at ${CONCURRENCY}` : ''));
    const errors = tallies.get(fx)!.reduce((sum, t) => sum + t.errors, 0);
    const cpu = cpuPerRequest(tallies.get(fx)![1]!);
    return { fsync: fx.fsync, scenario: scenario.name, size, users: users.get(fx)!, latency: lat!, load: load ?? null, cpu, errors };
  });
}

/** Every scenario at the current size. POST runs last: it adds users. */
async function measure(client: LoadClient, fixtures: Fixture[], size: Row['size'], posts: Map<Fixture, { next: number }>): Promise<Row[]> {
  const users = new Map<Fixture, number>();
  for (const fx of fixtures) users.set(fx, await storedUsers(fx));
  const rows: Row[] = [];
  const chosen = SCENARIOS.filter((sc) => ONLY.length === 0 || ONLY.some((part) => sc.name.toLowerCase().includes(part)));
  for (const scenario of chosen) rows.push(...(await measureScenario(client, fixtures, scenario, size, users, posts)));
  return rows;
}

interface FsyncRun {
  fsync: Fsync;
  roundTrip?: RoundTrip;
  seeding: SeedReport[];
  memory: MemoryReport[];
  rows: Row[];
}

/** Both Redis settings live at once, each behind its own gateway, measured turn by turn. */
async function benchFixtures(client: LoadClient, fixtures: Fixture[]): Promise<FsyncRun[]> {
  const runs = new Map<Fixture, FsyncRun>(fixtures.map((fx) => [fx, { fsync: fx.fsync, seeding: [], memory: [], rows: [] }]));
  const posts = new Map(fixtures.map((fx) => [fx, { next: 0 }]));
  const sizes: Array<[Row['size'], (fx: Fixture) => Promise<SeedReport>]> = [
    ['small', (fx) => seedOverHttp(fx, client, SMALL, CONCURRENCY)],
    ['large', (fx) => seedThroughCore(fx, LARGE, SEED_CONCURRENCY)],
  ];
  for (const fx of fixtures) runs.get(fx)!.roundTrip = await redisRoundTrips(fx);
  for (const [size, seed] of sizes) {
    for (const fx of fixtures) {
      const run = runs.get(fx)!;
      run.seeding.push(await seed(fx));
      run.memory.push(await memoryReport(fx));
      console.error(`[bench] ${fx.fsync}: seeded ${run.seeding.at(-1)!.users} users at ${run.seeding.at(-1)!.usersPerSecond}/s`);
    }
    for (const row of await measure(client, fixtures, size, posts)) runs.get(fixtures.find((f) => f.fsync === row.fsync)!)!.rows.push(row);
  }
  return [...runs.values()];
}

export async function benchGateway(): Promise<Record<string, unknown>> {
  const client = startLoadClient();
  const fixtures: Fixture[] = [];
  let runs: FsyncRun[];
  try {
    for (const fsync of FSYNCS) fixtures.push(await startFixture(fsync));
    runs = await benchFixtures(client, fixtures);
  } finally {
    for (const fx of fixtures) await fx.close();
    await client.close();
  }
  const rows = runs.flatMap((r) => r.rows);
  return {
    settings: {
      ...(QUICK ? { quick: true } : {}), smallUsers: SMALL, largeUsers: LARGE, concurrency: CONCURRENCY, scale: SCALE, fsync: FSYNCS,
      ...(ONLY.length > 0 ? { scenarios: ONLY } : {}),
      client: 'separate Node process, node:http keep-alive agent, one socket per in-flight request',
      gateway: 'test/support/gateway.ts startGateway (real app, MemoryConvergeQueue, log level silent) on 127.0.0.1',
      seedConcurrency: SEED_CONCURRENCY,
    },
    checks: { ...gatewayChecks(rows), listPage: listPageCheck(rows) },
    runs,
    tables: gatewayTables(runs, CONCURRENCY),
  };
}
