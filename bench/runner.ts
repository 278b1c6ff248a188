/**
 * Runner bench: converge runs per minute for one worker (concurrency 1) against the test app,
 * with session reuse (one browser, saved login) versus a fresh browser and login per job,
 * measured side by side in one process; and the peak memory of the worker + Chromium.
 */
import { createLogger } from '../core/logger.ts';
import { startWorker } from '../runner/worker.ts';
import { testConnector } from '../runner/test-connector/index.ts';
import { addConnection, createUser, settled, startApp, startFixture, type Fixture } from '../runner/test-connector/fixture.ts';
import { treeMemory, type TreeMemory } from './proc-memory.ts';

const JOBS = Number(process.env.BENCH_RUNNER_JOBS ?? 8);

interface ModeResult { jobs: number; seconds: number; runsPerMinute: number; logins: number; peak: TreeMemory }

async function measure(f: Fixture, mode: 'reuse' | 'fresh'): Promise<ModeResult> {
  const app = await startApp();
  const connectionId = `bench-${mode}`;
  await addConnection(f, connectionId, app);
  const users = [];
  for (let i = 0; i < JOBS; i++) users.push(await createUser(f, connectionId, `u${i}@example.test`, 'Editor'));
  const worker = await startWorker({
    redis: f.client, box: f.box, registry: [testConnector], logger: createLogger({ level: 'silent' }),
    queuePrefix: f.queuePrefix, sweep: false, sessions: { mode },
    config: { redisPrefix: f.prefix, recordingsDir: f.recordingsDir, workerConcurrency: 1 },
  });
  let peak: TreeMemory = { rssMiB: 0, pssMiB: 0, processes: 0 };
  const sampler = setInterval(() => {
    const now = treeMemory(process.pid, ['redis-server']);
    if (now.rssMiB > peak.rssMiB) peak = now;
  }, 250);
  try {
    const started = performance.now();
    // One job at a time, as jobs for one connection run anyway; each job is one converge run.
    for (const userId of users) {
      await worker.queue.enqueue([{ connectionId, userId }]);
      const state = await settled(f, connectionId, userId, 120_000);
      if (state.state !== 'in_sync') throw new Error(`bench run failed: ${state.lastError ?? state.state}`);
    }
    const seconds = (performance.now() - started) / 1000;
    return { jobs: JOBS, seconds: round(seconds), runsPerMinute: round((JOBS / seconds) * 60), logins: app.logins, peak };
  } finally {
    clearInterval(sampler);
    await worker.close();
    await app.close();
  }
}

const round = (n: number) => Math.round(n * 10) / 10;

export async function benchRunner(): Promise<Record<string, unknown>> {
  const f = await startFixture();
  try {
    const reuse = await measure(f, 'reuse');
    const fresh = await measure(f, 'fresh');
    return {
      'runner.jobs_per_mode': JOBS,
      'runner.reuse.runs_per_minute': reuse.runsPerMinute,
      'runner.reuse.logins': reuse.logins,
      'runner.fresh.runs_per_minute': fresh.runsPerMinute,
      'runner.fresh.logins': fresh.logins,
      'runner.reuse_speedup': round(reuse.runsPerMinute / fresh.runsPerMinute),
      'runner.peak_rss_mib_worker_plus_chromium': Math.max(reuse.peak.rssMiB, fresh.peak.rssMiB),
      'runner.peak_pss_mib_worker_plus_chromium': reuse.peak.pssMiB === null ? null : Math.max(reuse.peak.pssMiB, fresh.peak.pssMiB ?? 0),
      'runner.peak_processes': Math.max(reuse.peak.processes, fresh.peak.processes),
    };
  } finally {
    await f.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await benchRunner(), null, 2));
}
