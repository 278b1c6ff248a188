/**
 * Issue 11, finding 3: the embedded Redis asks for a password that lives only in the data dir
 * (0600), never on a command line; a local client without it is refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startEmbeddedRedis } from '../../core/platform/embedded-redis.ts';

test('a client without the password gets NOAUTH; the URL given to scimwright works', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'scimwright-embedded-'));
  const server = await startEmbeddedRedis(dataDir);
  t.after(async () => {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  // A raw socket, as any local process could open: a write without AUTH is refused.
  const answer = await new Promise<string>((resolve, reject) => {
    const socket = connect(server.port, '127.0.0.1', () => socket.write('SET sw:console-session:x admin\r\n'));
    socket.once('data', (chunk) => { resolve(chunk.toString()); socket.destroy(); });
    socket.once('error', reject);
  });
  assert.match(answer, /^-NOAUTH/);

  const client = new Redis(server.url, { maxRetriesPerRequest: 0 });
  assert.equal(await client.ping(), 'PONG');
  client.disconnect();

  const password = readFileSync(join(dataDir, 'redis.pass'), 'utf8').trim();
  assert.ok(password.length >= 32);
  assert.equal(statSync(join(dataDir, 'redis.pass')).mode & 0o777, 0o600);
  assert.equal(statSync(join(dataDir, 'redis', 'redis.conf')).mode & 0o777, 0o600);
  const processes = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
  assert.ok(!processes.includes(password), 'the password shows in ps');
});

test('the password is kept across starts (the AOF outlives one run)', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'scimwright-embedded-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const first = await startEmbeddedRedis(dataDir);
  await first.stop();
  const second = await startEmbeddedRedis(dataDir);
  await second.stop();
  assert.ok(new URL(first.url).password.length >= 32);
  assert.equal(new URL(first.url).password, new URL(second.url).password);
});
