import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig, publicOrigin } from './config.ts';

test('defaults are embedded: loopback, port 8080, no Redis URL', () => {
  const config = loadConfig({});
  assert.equal(config.host, '127.0.0.1');
  assert.equal(config.port, 8080);
  assert.equal(config.redisUrl, undefined);
  assert.equal(publicOrigin(config), 'http://127.0.0.1:8080');
});

test('a bad setting is named by its environment variable', () => {
  assert.throws(() => loadConfig({ PORT: 'eighty' }), (e: unknown) => e instanceof ConfigError && /PORT:/.test(e.message));
  assert.throws(() => loadConfig({ REDIS_URL: 'not a url' }), /REDIS_URL:/);
  assert.throws(() => loadConfig({ SCIMWRIGHT_ADMIN_TOKEN: 'short' }), /SCIMWRIGHT_ADMIN_TOKEN: must be at least 24/);
  assert.throws(() => loadConfig({ SCIMWRIGHT_EMBEDDED_WORKER: 'perhaps' }), /SCIMWRIGHT_EMBEDDED_WORKER:/);
});

test('the environment wins over the config file', async () => {
  const { writeFileSync, mkdtempSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const file = join(mkdtempSync(join(tmpdir(), 'swcfg-')), 'config.json');
  writeFileSync(file, JSON.stringify({ port: 9000, host: '0.0.0.0', logLevel: 'debug' }));
  const config = loadConfig({ SCIMWRIGHT_CONFIG: file, PORT: '9100' });
  assert.deepEqual([config.port, config.host, config.logLevel], [9100, '0.0.0.0', 'debug']);
  writeFileSync(file, '[1,2]');
  assert.throws(() => loadConfig({ SCIMWRIGHT_CONFIG: file }), /JSON object/);
});

test('SCIMWRIGHT_TRUST_PROXY: unset trusts no proxy; true, a hop count or an address list', async () => {
  const { trustProxyOption } = await import('./config.ts');
  assert.equal(trustProxyOption(loadConfig({})), false);
  assert.equal(trustProxyOption(loadConfig({ SCIMWRIGHT_TRUST_PROXY: 'true' })), true);
  const oneHop = trustProxyOption(loadConfig({ SCIMWRIGHT_TRUST_PROXY: '1' })) as (address: string, hop: number) => boolean;
  assert.deepEqual([oneHop('10.0.0.1', 0), oneHop('10.0.0.2', 1)], [true, false]);
  assert.deepEqual(trustProxyOption(loadConfig({ SCIMWRIGHT_TRUST_PROXY: '127.0.0.1, 10.0.0.0/8' })), ['127.0.0.1', '10.0.0.0/8']);
  assert.throws(() => loadConfig({ SCIMWRIGHT_TRUST_PROXY: 'everyone please' }), /SCIMWRIGHT_TRUST_PROXY:/);
});
