/**
 * Adversarial bench (issue 11): the worst single requests we could build (huge PATCH operation
 * lists, deep nesting, long multi-valued lists, long and deep filters, scans over many users),
 * each sent to the real gateway over loopback HTTP by a child process that also polls /healthz
 * while the request runs. Per shape: status, response time, the slowest /healthz answer seen
 * meanwhile, the gateway process's longest event-loop stall (monitorEventLoopDelay), and the
 * longest single Redis command (a script counts as one) from Redis's SLOWLOG.
 * The bar (issue 11): no shape stalls the loop, or Redis, for more than 50 ms.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { seedThroughCore, startFixture, type Fixture } from './lib/gateway-fixture.ts';
import { benchUserName, SEED, shapes, type Shape } from './adversarial-shapes.ts';
import { SAVE_SCRIPT } from '../core/store/save-script.ts';
import { READ_SCRIPT } from '../core/store/read-script.ts';
import { FAN_OUT_SCRIPT } from '../core/store/fan-out.ts';

const USERS = Number(process.env.BENCH_ADV_USERS ?? 20_000);
const REPEAT = Number(process.env.BENCH_ADV_REPEAT ?? 3);
/** Only the shapes whose name contains this text (for a quick look at one kind). */
const ONLY = process.env.BENCH_ADV_ONLY;
const BLOCK_LIMIT_MS = 50;
/** Commands slower than this (µs) go to the SLOWLOG; faster ones cannot be the worst that matters. */
const SLOWLOG_FLOOR_US = 500;

/** The child: sends one request, polls /healthz every 2 ms until it is answered, reports. */
const PROBE = `
const pending = [];
process.on('message', async ({ origin, method, url, headers, body }) => {
  let done = false;
  const health = [];
  const poll = (async () => {
    while (!done) {
      const t = performance.now();
      await fetch(origin + '/healthz').then((r) => r.arrayBuffer());
      health.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 2));
    }
  })();
  await new Promise((r) => setTimeout(r, 20));
  const t = performance.now();
  const res = await fetch(origin + url, { method, headers, body });
  const text = await res.text();
  const ms = performance.now() - t;
  done = true;
  await poll;
  let detail; try { detail = JSON.parse(text).detail; } catch {}
  process.send({ status: res.status, ms, bytes: body ? body.length : 0, health, detail });
});
`;

interface ProbeResult { status: number; ms: number; bytes: number; health: number[]; detail?: string }

function startProbe(): ChildProcess {
  return spawn(process.execPath, ['--input-type=module', '-e', PROBE], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

function probe(child: ChildProcess, message: Record<string, unknown>): Promise<ProbeResult> {
  return new Promise((resolve) => { child.once('message', (m) => resolve(m as ProbeResult)); child.send(message); });
}

const round = (x: number) => Number(x.toFixed(1));

/** On-CPU nanoseconds of this process's main thread (Linux schedstat), or null elsewhere. */
const SCHEDSTAT = `/proc/self/task/${process.pid}/schedstat`;
function mainThreadCpuMs(): number | null {
  try {
    return Number(readFileSync(SCHEDSTAT, 'utf8').split(' ')[0]) / 1e6;
  } catch {
    return null;
  }
}

/**
 * The most CPU the gateway's main thread used between two turns of its event loop (a 1 ms
 * timer): the longest synchronous slice in CPU time, which unlike the wall-clock loop delay
 * barely grows when other processes keep the cores busy. Where the thread's own figure is not
 * available it falls back to the whole process's CPU (GC helper threads included: an overcount).
 */
function sliceMeter(): () => number {
  const now = () => mainThreadCpuMs() ?? ((u) => (u.user + u.system) / 1000)(process.cpuUsage());
  let last = now();
  let max = 0;
  let timer: NodeJS.Timeout;
  const tick = () => {
    const t = now();
    max = Math.max(max, t - last);
    last = t;
    timer = setTimeout(tick, 1);
  };
  timer = setTimeout(tick, 1);
  return () => { clearTimeout(timer); return max; };
}

/** Our scripts by SHA1, so the SLOWLOG's EVALSHA lines can say which one ran. */
const SCRIPT_NAMES = new Map([[SAVE_SCRIPT, 'save'], [READ_SCRIPT, 'read'], [FAN_OUT_SCRIPT, 'fan-out batch']]
  .map(([lua, name]) => [createHash('sha1').update(lua!).digest('hex'), name!]));

/** The longest command Redis ran since the last call (ms, and its name), from the SLOWLOG. */
async function redisLongest(fx: Fixture): Promise<{ ms: number; command: string }> {
  const entries = (await fx.gw.redis.slowlog('GET', 1024)) as Array<[number, number, number, string[]]>;
  await fx.gw.redis.slowlog('RESET');
  let worst = { ms: 0, command: '' };
  for (const [, , us, args] of entries) if (us / 1000 > worst.ms) worst = { ms: us / 1000, command: commandName(args) };
  return worst;
}

function commandName(args: string[]): string {
  const name = String(args[0] ?? '').toLowerCase();
  return name === 'evalsha' ? `evalsha ${SCRIPT_NAMES.get(String(args[1])) ?? String(args[1]).slice(0, 8)}` : name;
}

async function measure(fx: Fixture, child: ChildProcess, shape: Shape) {
  const runs: Array<{ ms: number; cpuMs: number; healthMaxMs: number; blockMs: number; sliceCpuMs: number; redisMs: number; redisCommand: string; status: number; detail?: string; bytes: number }> = [];
  // One untimed run first: the figures are for a warm process, as a long-running gateway is.
  for (let i = -1; i < REPEAT; i++) {
    const request = await shape.build(fx);
    await redisLongest(fx);
    const histogram = monitorEventLoopDelay({ resolution: 1 });
    histogram.enable();
    const slices = sliceMeter();
    const cpu = process.cpuUsage();
    const result = await probe(child, { origin: fx.origin, headers: { ...fx.headers, 'content-type': 'application/scim+json' }, ...request });
    histogram.disable();
    const sliceCpuMs = slices();
    const redis = await redisLongest(fx);
    // CPU the gateway process spent meanwhile: unlike wall time, barely moved by other work on the machine.
    const used = process.cpuUsage(cpu);
    const cpuMs = (used.user + used.system) / 1000;
    if (i < 0) { if (shape.after) await shape.after(fx); continue; }
    // The histogram records the delay past the 1 ms timer: the loop's longest stall.
    const blockMs = Math.max(0, histogram.max / 1e6 - 1);
    runs.push({ ms: result.ms, cpuMs, healthMaxMs: Math.max(0, ...result.health), blockMs, sliceCpuMs, redisMs: redis.ms, redisCommand: redis.command, status: result.status, ...(result.detail ? { detail: result.detail } : {}), bytes: result.bytes });
    if (shape.after) await shape.after(fx);
  }
  const worst = (f: (r: (typeof runs)[number]) => number) => round(Math.max(...runs.map(f)));
  const row = {
    shape: shape.name, status: runs[0]!.status, requestBytes: runs[0]!.bytes,
    responseMsMax: worst((r) => r.ms), gatewayCpuMsMax: worst((r) => r.cpuMs), healthzMsMax: worst((r) => r.healthMaxMs), loopBlockMsMax: worst((r) => r.blockMs), sliceCpuMsMax: worst((r) => r.sliceCpuMs),
    redisCommandMsMax: worst((r) => r.redisMs), redisCommand: runs.reduce((a, r) => (r.redisMs > a.redisMs ? r : a)).redisCommand,
    detail: runs[0]!.detail?.slice(0, 120),
  };
  console.error(`[bench] adversarial · ${row.shape}: ${row.status} in ${row.responseMsMax} ms (CPU ${row.gatewayCpuMsMax} ms), /healthz ≤ ${row.healthzMsMax} ms, loop block ≤ ${row.loopBlockMsMax} ms (longest slice ${row.sliceCpuMsMax} ms CPU), longest Redis command ${row.redisCommandMsMax} ms ${row.redisCommand}`);
  return row;
}

export async function benchAdversarial(): Promise<Record<string, unknown>> {
  const fx = await startFixture('everysec');
  const child = startProbe();
  try {
    await seedThroughCore(fx, USERS, 64);
    await fx.gw.redis.config('SET', 'slowlog-log-slower-than', String(SLOWLOG_FLOOR_US));
    await fx.gw.redis.config('SET', 'slowlog-max-len', '1024');
    const rows = [];
    for (const shape of shapes(USERS).filter((s) => !ONLY || s.name.includes(ONLY))) rows.push(await measure(fx, child, shape));
    const over = rows.filter((r) => r.loopBlockMsMax > BLOCK_LIMIT_MS).map((r) => r.shape);
    const overInCpu = rows.filter((r) => r.sliceCpuMsMax > BLOCK_LIMIT_MS).map((r) => r.shape);
    const overInRedis = rows.filter((r) => r.redisCommandMsMax > BLOCK_LIMIT_MS).map((r) => r.shape);
    return {
      settings: {
        users: USERS, repeat: REPEAT, ...(ONLY ? { only: ONLY } : {}), bodyLimit: fx.gw.config.bodyLimit, blockLimitMs: BLOCK_LIMIT_MS,
        gateway: 'test/support/gateway.ts startGateway on 127.0.0.1, Redis appendfsync everysec; requests and /healthz polls (every 2 ms) from one child process',
        seedUser: benchUserName(SEED, 0),
      },
      checks: { shapesOverBlockLimit: over, allWithinBlockLimit: over.length === 0, shapesOverSliceCpuLimit: overInCpu, allSlicesWithinLimit: overInCpu.length === 0, shapesOverRedisLimit: overInRedis, allRedisCommandsWithinLimit: overInRedis.length === 0 },
      rows,
      tables: [{
        title: `Adversarial requests (${USERS} users; worst of ${REPEAT} runs each, after one warm-up)`,
        columns: ['shape', 'status', 'request bytes', 'response ms', 'gateway CPU ms', '/healthz max ms', 'loop block max ms', 'longest slice CPU ms', 'longest Redis command ms', 'that command'],
        rows: rows.map((r) => [r.shape, r.status, r.requestBytes, r.responseMsMax, r.gatewayCpuMsMax, r.healthzMsMax, r.loopBlockMsMax, r.sliceCpuMsMax, r.redisCommandMsMax, r.redisCommand]),
        note: `Loop block: the gateway process's longest event-loop stall while the request ran (bar: ${BLOCK_LIMIT_MS} ms); on a busy machine it includes time the process waited for a core. Gateway CPU: user+system time of the gateway process meanwhile (the request's own cost, all slices together). Longest slice CPU: the most CPU the gateway's main thread used between two turns of its loop (Linux schedstat), the same stall counted in CPU time, which a busy machine barely inflates. /healthz max: the slowest of the health polls sent meanwhile (each pings Redis). Longest Redis command: the slowest single command Redis ran meanwhile (a script is one command and holds Redis throughout), from its SLOWLOG (commands under ${SLOWLOG_FLOOR_US / 1000} ms are not logged and count as 0).`,
      }],
    };
  } finally {
    child.kill();
    await fx.close();
  }
}
