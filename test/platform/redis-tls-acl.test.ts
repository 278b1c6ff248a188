/**
 * REDIS_URL with TLS (`rediss://`, CA from SCIMWRIGHT_REDIS_CA_FILE) and an ACL user made with a
 * real `ACL SETUSER` (the default user is switched off): `npm start`'s start() runs on it, and the
 * password shows in no log line, error message or error event, wrong or right.
 */
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { inspect, promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import { start } from '../../bin/start.ts';
import { createRedisClient } from '../../core/platform/redis-client.ts';
import { freePort } from '../support/redis.ts';

const run = promisify(execFile);
const PASSWORD = `acl-${randomBytes(12).toString('hex')}`;
const WRONG = `acl-${randomBytes(12).toString('hex')}`;
let dir: string;
let port: number;
let server: ChildProcess;

/** A CA and a server certificate for 127.0.0.1 signed by it (openssl, a few ms). */
async function makeCertificates(): Promise<void> {
  const o = (args: string[]) => run('openssl', args, { cwd: dir });
  await o(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=scimwright test CA']);
  await o(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1']);
  await run('sh', ['-c', 'printf "subjectAltName=IP:127.0.0.1\\n" > ext.cnf'], { cwd: dir });
  await o(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '1', '-extfile', 'ext.cnf']);
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'scimwright-tls-'));
  await makeCertificates();
  port = await freePort();
  server = spawn('redis-server', [
    '--port', '0', '--tls-port', String(port), '--bind', '127.0.0.1', '--tls-cert-file', join(dir, 'server.pem'), '--tls-key-file', join(dir, 'server.key'),
    '--tls-ca-cert-file', join(dir, 'ca.pem'), '--tls-auth-clients', 'no', '--save', '', '--appendonly', 'no', '--dir', dir,
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    server.stdout!.on('data', (chunk: Buffer) => ((out += chunk), /ready to accept/i.test(out) && resolve()));
    server.once('exit', (code) => reject(new Error(`redis-server exited ${code}: ${out}`)));
  });
  const admin = new Redis({ port, host: '127.0.0.1', tls: { ca: readFileSync(join(dir, 'ca.pem')) } });
  await admin.call('ACL', 'SETUSER', 'scim', 'on', `>${PASSWORD}`, '~*', '&*', '+@all');
  await admin.call('ACL', 'SETUSER', 'default', 'off');
  admin.disconnect();
});
after(async () => {
  server?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const url = (password: string) => `rediss://scim:${encodeURIComponent(password)}@127.0.0.1:${port}`;

test('the gateway starts on rediss:// with the CA file and an ACL user; the password is in no log line', async () => {
  const lines: string[] = [];
  const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
  const started = await start({
    redisUrl: url(PASSWORD), redisCaFile: join(dir, 'ca.pem'), port: 0, logLevel: 'debug', dataDir: dir, recordingsDir: join(dir, 'rec'),
    secretKey: randomBytes(32).toString('base64'), adminToken: `admin-${randomBytes(16).toString('hex')}`, embeddedWorker: 'false' as never,
  }, () => sink);
  try {
    const health = await fetch(`${started.origin}/healthz`);
    assert.equal(health.status, 200, await health.text());
  } finally {
    await started.stop();
  }
  assert.ok(lines.length > 0, 'the gateway logged');
  assert.ok(!lines.join('').includes(PASSWORD), 'no log line holds the Redis password');
});

test('without the CA, or with a wrong password, the client fails and neither error holds the password', async () => {
  for (const [what, target] of [
    ['no CA', { redisUrl: url(PASSWORD) }],
    ['wrong password', { redisUrl: url(WRONG), redisCaFile: join(dir, 'ca.pem') }],
  ] as const) {
    const events: string[] = [];
    const client = createRedisClient(target, { maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', (error: Error) => events.push(`${error.message} ${error.stack}`));
    const failure = await client.ping().then(() => undefined, (error: Error) => error);
    client.disconnect();
    assert.ok(failure, `${what}: the ping fails`);
    const text = `${failure.message} ${failure.stack} ${JSON.stringify(failure)} ${inspect(failure)} ${events.join(' ')}`;
    assert.ok(!text.includes(PASSWORD) && !text.includes(WRONG), `${what}: no error holds a password`);
  }
  const right = createRedisClient({ redisUrl: url(PASSWORD), redisCaFile: join(dir, 'ca.pem') });
  assert.equal(await right.call('ACL', 'WHOAMI'), 'scim');
  right.disconnect();
});
