/**
 * End to end: every IdP fixture replayed over HTTP through one stack (gateway, real worker, real
 * Chromium, UXPin sandbox), each on its own connection with the settings its guide recommends.
 * After the sequence converges, the UXPin team must hold exactly the members and roles the
 * fixture names, and the evidence trail must verify.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../../runner/browser/chromium.ts';
import { verifyEvidence } from '../../runner/evidence/verify.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';
import { addUxpinConnection, queueDrained, scim, startStack, untilSettled, type Stack } from '../support/stack.ts';
import { IDPS, loadFixture } from './fixture.ts';
import { expectedApp, replay, type Send } from './replay.ts';

let redis: TestRedis;
let browser: Browser;
let stack: Stack;

before(async () => {
  [redis, browser] = await Promise.all([startRedis(), launchChromium()]);
  stack = await startStack({ redisUrl: redis.url, browser, sandbox: { seed: 3 }, workerConcurrency: 2, timing: { attempts: 3, backoff: { baseMs: 200, maxMs: 1000 } } });
});
after(async () => {
  await stack?.close();
  await browser?.close();
  await redis?.stop();
});

for (const idp of IDPS) {
  test(`${idp}: the fixture converges to the app members and roles it names`, async () => {
    const fixture = loadFixture(idp);
    const conn = await addUxpinConnection(stack, { id: `idp-${idp}`, settings: fixture.settings });
    const send: Send = async (method, path, body, headers) => {
      const res = await scim(conn, method, path, body, headers);
      return { status: res.status, body: res.body, headers: Object.fromEntries(res.headers) };
    };
    const { vars } = await replay(fixture, send);
    // Every user the sequence created, whatever happened to it afterwards.
    const userIds = fixture.steps
      .filter((s) => s.method === 'POST' && s.path === '/Users')
      .flatMap((s) => Object.keys(s.capture ?? {}).map((name) => vars[name]!));
    await untilSettled(conn, userIds);
    for (const expected of expectedApp(fixture, vars)) {
      const member = stack.sandbox.state.find(expected.email);
      if ('role' in expected) assert.equal(member?.role, expected.role, `${expected.email} in UXPin`);
      else assert.equal(member, undefined, `${expected.email} must not be a UXPin member`);
    }
    await queueDrained(stack);
    const evidence = await verifyEvidence(stack.config.recordingsDir, { connectionId: conn.id });
    assert.deepEqual(evidence.problems, []);
    assert.ok(evidence.checkedRuns > 0);
  });
}
