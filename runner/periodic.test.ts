import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from '../core/logger.ts';
import { waitFor } from '../test/support/wait.ts';
import { everyInterval } from './periodic.ts';

function capturedLogger() {
  const lines: string[] = [];
  const sink = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
  return { logger: createLogger({ level: 'error' }, sink), lines };
}

test('a look still running is not started again; the next one starts after it ends', async () => {
  const { logger } = capturedLogger();
  let calls = 0;
  let release!: () => void;
  const stop = everyInterval(5, () => {
    calls += 1;
    return calls === 1 ? new Promise<void>((resolve) => (release = resolve)) : Promise.resolve();
  }, logger, 'look failed');
  try {
    await waitFor(async () => calls === 1, 'the first look');
    await new Promise((resolve) => setTimeout(resolve, 60)); // a dozen intervals pass meanwhile
    assert.equal(calls, 1);
    release();
    await waitFor(async () => calls >= 2, 'a second look after the first ended', 5000);
  } finally {
    stop();
  }
});

test('a failed look is logged and the next one is still taken; stop ends the looks', async () => {
  const { logger, lines } = capturedLogger();
  let calls = 0;
  const stop = everyInterval(5, async () => {
    calls += 1;
    throw new Error('redis went away');
  }, logger, 'look failed');
  await waitFor(async () => calls >= 2, 'two looks', 5000);
  stop();
  const after = calls;
  await new Promise((resolve) => setTimeout(resolve, 40));
  assert.equal(calls, after, 'no looks after stop');
  assert.match(lines.join(''), /look failed/);
  assert.match(lines.join(''), /redis went away/);
});
