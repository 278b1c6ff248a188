/** `npx scimwright connections …` against a listening gateway: the CLI is a contract too. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cliGateway } from './support/cli.ts';

const gateway = cliGateway();
const { cli } = gateway;

test('connections add, list, rotate-token, delete', async () => {
  const added = await cli(['connections', 'add', '--id', 'cli-app', '--connector', 'testapp', '--base-url', 'http://app.test', '--admin-email', 'a@app.test'], { APP_ADMIN_PASSWORD: 'cli-secret-pw' });
  assert.equal(added.status, 0, added.stderr);
  const token = /Bearer token \(shown once\): (scim_\S+)/.exec(added.stdout)?.[1];
  assert.ok(token, added.stdout);
  assert.match(added.stdout, /\/scim\/v2\/cli-app/);
  const scim = await fetch(`${gateway.url()}/scim/v2/cli-app/Users`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(scim.status, 200);

  const listed = await cli(['connections', 'list', '--json']);
  assert.equal(listed.status, 0, listed.stderr);
  assert.equal(JSON.parse(listed.stdout).connections[0].id, 'cli-app');
  assert.ok(!listed.stdout.includes('cli-secret-pw'));
  const table = await cli(['connections', 'list']);
  assert.equal(table.status, 0, table.stderr);
  assert.match(table.stdout, /^ID +CONNECTOR +APP +ADMIN +CREATED \(UTC\) +SCIM BASE URL\ncli-app +testapp +http:\/\/app\.test +a@app\.test +20\d\d-/);
  assert.ok(!table.stdout.includes('cli-secret-pw'));

  const rotated = await cli(['connections', 'rotate-token', 'cli-app']);
  assert.equal(rotated.status, 0, rotated.stderr);
  assert.equal((await fetch(`${gateway.url()}/scim/v2/cli-app/Users`, { headers: { authorization: `Bearer ${token}` } })).status, 401);

  const refused = await cli(['connections', 'delete', 'cli-app']);
  assert.equal(refused.status, 2);
  assert.match(refused.stderr, /not deleted.*pass --yes/);
  assert.equal((await cli(['connections', 'get', 'cli-app'])).status, 0, 'a refused delete keeps the connection');
  const deleted = await cli(['connections', 'delete', 'cli-app', '--yes']);
  assert.equal(deleted.status, 0, deleted.stderr);
  assert.equal(deleted.stdout, 'Connection cli-app deleted.\n');
  const missing = await cli(['connections', 'get', 'cli-app']);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /404/);
});

test('clear errors: no token, a missing password, an unknown command', async () => {
  assert.match((await cli(['connections', 'list'], { SCIMWRIGHT_ADMIN_TOKEN: '' })).stderr, /SCIMWRIGHT_ADMIN_TOKEN is not set/);
  const noPassword = await cli(['connections', 'add', '--id', 'x', '--connector', 'testapp', '--base-url', 'http://a.test', '--admin-email', 'a@a'], { APP_ADMIN_PASSWORD: '' });
  assert.equal(noPassword.status, 2);
  assert.match(noPassword.stderr, /APP_ADMIN_PASSWORD/);
  assert.equal((await cli(['frobnicate'])).status, 2);
});
