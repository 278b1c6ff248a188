/**
 * Issue 12, items 2 and 3, on real `tsx bin/start.ts` processes: one instance per data dir (the
 * refusal names the holder's PID), no orphan redis-server after a failed start or a killed parent,
 * and a taken port is one line, not a stack trace.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { freePort } from '../support/redis.ts';
import { waitFor } from '../support/wait.ts';
import { cleanUp, redisServersOf, spawnStart, tempDirs, type StartedProcess } from './start-process.ts';

test('a second instance on the same data dir is refused naming the first one\'s PID, and leaves no redis-server', async (t) => {
  const dirs = tempDirs();
  let first: StartedProcess | undefined;
  let second: StartedProcess | undefined;
  t.after(async () => {
    await cleanUp(second, dirs.dataDir);
    await cleanUp(first, dirs.dataDir);
    dirs.remove();
  });
  first = spawnStart(dirs.dataDir, dirs.recordingsDir, await freePort());
  await first.ready();
  assert.equal(redisServersOf(dirs.dataDir).length, 1);
  second = spawnStart(dirs.dataDir, dirs.recordingsDir, await freePort());
  const { code } = await second.exitWithin(30_000);
  assert.equal(code, 1, second.output());
  const lines = second.output().trim().split('\n');
  assert.equal(lines.length, 1, second.output());
  assert.match(lines[0]!, new RegExp(`in use by another scimwright \\(PID ${first.proc.pid}\\)`));
  assert.equal(redisServersOf(dirs.dataDir).length, 1, 'the refused start left a redis-server');
  const health = await fetch(`${await first.ready()}/healthz`);
  assert.equal(health.status, 200, 'the first instance still works');
});

test('a taken port is a one-line message, and the redis-server started for it is gone', async (t) => {
  const dirs = tempDirs();
  let started: StartedProcess | undefined;
  const blocker = createServer();
  const port = await freePort();
  await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
  t.after(async () => {
    blocker.close();
    await cleanUp(started, dirs.dataDir);
    dirs.remove();
  });
  started = spawnStart(dirs.dataDir, dirs.recordingsDir, port);
  const { code } = await started.exitWithin(30_000);
  assert.equal(code, 1);
  assert.equal(started.output().trim(), `Port ${port} on 127.0.0.1 is already in use; stop what holds it or set PORT to another port.`);
  await waitFor(async () => redisServersOf(dirs.dataDir).length === 0, 'the redis-server of the failed start to end', 5000);
});

test('a SIGKILLed gateway takes its redis-server with it, and the next start takes over the stale lock', async (t) => {
  const dirs = tempDirs();
  let started: StartedProcess | undefined;
  t.after(async () => {
    await cleanUp(started, dirs.dataDir);
    dirs.remove();
  });
  started = spawnStart(dirs.dataDir, dirs.recordingsDir, await freePort());
  await started.ready();
  assert.equal(redisServersOf(dirs.dataDir).length, 1);
  started.proc.kill('SIGKILL');
  await started.exited;
  await waitFor(async () => redisServersOf(dirs.dataDir).length === 0, 'the orphaned redis-server to end', 10_000);
  started = spawnStart(dirs.dataDir, dirs.recordingsDir, await freePort());
  const origin = await started.ready();
  assert.equal((await fetch(`${origin}/healthz`)).status, 200);
  started.proc.kill('SIGTERM');
  assert.equal((await started.exitWithin(30_000)).code, 0, started.output());
  await waitFor(async () => redisServersOf(dirs.dataDir).length === 0, 'redis-server to stop with the gateway', 5000);
});
