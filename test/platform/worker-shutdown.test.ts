/**
 * The standalone worker (`npm run worker`, bin/worker.ts) shuts down like `npm start`: SIGTERM to
 * its process group while its browser job hangs on the app ends it in bounded time, with exit 0,
 * and the interrupted run is closed (not left "running"). Gateway and worker share one Redis.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startUxpinSandbox } from '../sandboxes/uxpin/index.ts';
import { freePort, startRedis } from '../support/redis.ts';
import { waitFor } from '../support/wait.ts';
import { ADMIN, cleanUp, spawnBin, spawnStart, tempDirs, userJobRunning, type StartedProcess } from './start-process.ts';

const admin = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' };

test('SIGTERM to a standalone worker during a hung browser job exits 0 in bounded time and closes the run', async (t) => {
  const dirs = tempDirs();
  const redis = await startRedis();
  const sandbox = await startUxpinSandbox({ failureRate: 1, failureMode: 'hang' });
  const shared = { REDIS_URL: redis.url, SCIMWRIGHT_SECRET_KEY: randomBytes(32).toString('hex') };
  let gateway: StartedProcess | undefined;
  let worker: StartedProcess | undefined;
  t.after(async () => {
    await cleanUp(worker, dirs.dataDir);
    await cleanUp(gateway, dirs.dataDir);
    await sandbox.stop();
    await redis.stop();
    dirs.remove();
  });
  gateway = spawnStart(dirs.dataDir, dirs.recordingsDir, await freePort(), shared);
  const origin = await gateway.ready();
  worker = spawnBin('bin/worker.ts', {
    ...shared, SCIMWRIGHT_DATA_DIR: dirs.dataDir, SCIMWRIGHT_RECORDINGS_DIR: dirs.recordingsDir,
    SCIMWRIGHT_SHUTDOWN_GRACE_MS: '1000', LOG_LEVEL: 'info',
  });
  await waitFor(async () => /worker ready/.test(worker!.output()) || worker!.proc.exitCode !== null, () => `worker: ${worker!.output()}`, 60_000);

  const running = await userJobRunning(origin, sandbox);
  // Let the browser reach the hanging write (a wait, not an assertion on time).
  await new Promise((resolve) => setTimeout(resolve, 3000));

  process.kill(-worker.proc.pid!, 'SIGTERM');
  const { code } = await worker.exitWithin(40_000);
  assert.equal(code, 0, worker.output());
  assert.doesNotMatch(worker.output(), /ECONNREFUSED/);
  assert.match(worker.output(), /worker closed/);
  const res = await fetch(`${origin}/admin/v1/runs/${running!.runId}`, { headers: admin });
  const run = await res.json() as { status: string };
  assert.notEqual(run.status, 'running', JSON.stringify(run));
});
