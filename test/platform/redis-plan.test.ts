/** What REDIS_URL and SCIMWRIGHT_REDIS_CLUSTER turn into (core/platform/redis-client.ts), and what is refused. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../../core/config.ts';
import { redisPlan } from '../../core/platform/redis-client.ts';

test('one server, TLS, ACL user and database come from the URL; cluster seeds from the list or a redis-cluster:// URL', () => {
  assert.deepEqual(redisPlan({ redisUrl: 'redis://scim:p%40ss@10.0.0.5:6380/2' }), {
    cluster: false, nodes: [{ host: '10.0.0.5', port: 6380 }], options: { username: 'scim', password: 'p@ss', db: 2 },
  });
  const tls = redisPlan({ redisUrl: 'rediss://:secret@redis.example.com' });
  assert.deepEqual({ ...tls, options: { ...tls.options, tls: undefined } }, { cluster: false, nodes: [{ host: 'redis.example.com', port: 6379 }], options: { password: 'secret', tls: undefined } });
  assert.ok(tls.options.tls, 'rediss:// turns TLS on');
  const seeds = redisPlan({ redisCluster: '10.0.0.1:7000, 10.0.0.2:7001', redisUrl: 'rediss://scim:pw@ignored:1' });
  assert.equal(seeds.cluster, true);
  assert.deepEqual(seeds.nodes, [{ host: '10.0.0.1', port: 7000 }, { host: '10.0.0.2', port: 7001 }]);
  assert.equal(seeds.options.username, 'scim');
  assert.ok(seeds.options.tls);
  assert.deepEqual(redisPlan({ redisUrl: 'redis-cluster://10.0.0.9:7005' }), { cluster: true, nodes: [{ host: '10.0.0.9', port: 7005 }], options: {} });
});

test('bad Redis settings are one-line ConfigErrors that do not repeat the password', () => {
  const env = (vars: Record<string, string>) => () => loadConfig(vars);
  assert.throws(env({ REDIS_URL: 'http://scim:hunter2-secret@host' }), (e: Error) => e instanceof ConfigError && /REDIS_URL/.test(e.message) && !e.message.includes('hunter2-secret'));
  assert.throws(env({ SCIMWRIGHT_REDIS_CLUSTER: 'host-without-port' }), (e: Error) => e instanceof ConfigError && /SCIMWRIGHT_REDIS_CLUSTER/.test(e.message));
  assert.throws(() => redisPlan({ redisUrl: 'rediss://h:1', redisCaFile: '/nonexistent/ca.pem' }), (e: Error) => e instanceof ConfigError && /SCIMWRIGHT_REDIS_CA_FILE/.test(e.message));
  assert.throws(() => redisPlan({ redisUrl: 'redis-cluster://:pw-secret@h:1/3' }), (e: Error) => e instanceof ConfigError && !e.message.includes('pw-secret'));
});
