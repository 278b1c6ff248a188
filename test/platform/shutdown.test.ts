/**
 * Issue 12, item 4: SIGTERM to the process group (as a terminal's Ctrl-C / `kill -TERM -PGID`)
 * while a browser job hangs on the app: the gateway exits in bounded time, takes its Redis with
 * it, and the interrupted run is closed (not left "running") for the next start to see.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startUxpinSandbox } from '../sandboxes/uxpin/index.ts';
import { freePort } from '../support/redis.ts';
import { waitFor } from '../support/wait.ts';
import { ADMIN, cleanUp, redisServersOf, spawnStart, tempDirs, userJobRunning, type StartedProcess } from './start-process.ts';

const admin = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' };

test('SIGTERM during a hung browser job exits, stops Redis, and leaves the run closed', async (t) => {
  const dirs = tempDirs();
  // Every team write hangs: the job is stuck inside a browser step when the signal comes.
  const sandbox = await startUxpinSandbox({ failureRate: 1, failureMode: 'hang' });
  let started: StartedProcess | undefined;
  t.after(async () => {
    await cleanUp(started, dirs.dataDir);
    await sandbox.stop();
    dirs.remove();
  });
  const env = { SCIMWRIGHT_EMBEDDED_WORKER: 'true', SCIMWRIGHT_SHUTDOWN_GRACE_MS: '1000' };
  started = spawnStart(dirs.dataDir, dirs.recordingsDir, await freePort(), env);
  const origin = await started.ready();
  const running = await userJobRunning(origin, sandbox);
  // Let the browser reach the hanging write (a wait, not an assertion on time).
  await new Promise((resolve) => setTimeout(resolve, 3000));

  process.kill(-started.proc.pid!, 'SIGTERM');
  const { code } = await started.exitWithin(40_000);
  assert.equal(code, 0, started.output());
  assert.doesNotMatch(started.output(), /ECONNREFUSED/);
  await waitFor(async () => redisServersOf(dirs.dataDir).length === 0, 'redis-server to stop', 5000);

  started = spawnStart(dirs.dataDir, dirs.recordingsDir, await freePort(), { SCIMWRIGHT_EMBEDDED_WORKER: 'false' });
  const again = await started.ready();
  const res = await fetch(`${again}/admin/v1/runs/${running!.runId}`, { headers: admin });
  const run = await res.json() as { status: string };
  assert.notEqual(run.status, 'running', JSON.stringify(run));
});
