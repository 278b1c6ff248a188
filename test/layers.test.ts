/** The dependency direction is checked on every test run, not only by `npm run lint`. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

test('layers point one way: api → core, runner → connectors → core', () => {
  const result = spawnSync(process.execPath, ['scripts/check-layers.mjs'], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
});
