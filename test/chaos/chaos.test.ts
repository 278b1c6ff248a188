/**
 * The chaos suite at CI size (issue 17): a few users, two worker processes, two kill -9s of a
 * worker mid-job, Redis SIGKILLed and restarted on its AOF under `appendfsync always` (which must
 * lose no acknowledged write), the sandbox restarted once. The full size is `npm run chaos`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runChaos } from './scenario.ts';

test('chaos (CI size): every user converges, nothing acknowledged is lost, no 5xx outside the Redis outage, no run left running', async () => {
  const lines: string[] = [];
  const result = await runChaos({
    users: Number(process.env.CHAOS_CI_USERS ?? 10), fsync: 'always', durationMs: 40_000, workerKills: 2,
    convergeLimitMs: 150_000, log: (line) => lines.push(line),
  });
  const report = `${lines.join('\n')}\n${JSON.stringify(result.figures)}`;
  assert.deepEqual(result.problems, [], report);
  assert.equal(result.figures.workerKills, 2, report);
  assert.equal(result.figures.sandboxRestarts, 1, report);
  assert.ok(Number(result.figures.acknowledgedWrites) >= 10, report);
});
