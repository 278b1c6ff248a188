import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TOTP, Secret } from 'otpauth';
import { MESSAGES } from './html.ts';
import { startSpekitSandbox, type SpekitSandbox } from './server.ts';

const ADMIN = { login: 'admin@example.com', password: 'correct horse battery staple' };

async function form(url: string, body: Record<string, string>, cookie = ''): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams(body).toString(),
  });
}

async function logIn(sandbox: SpekitSandbox): Promise<string> {
  const res = await form(`${sandbox.url}/login`, ADMIN);
  assert.equal(res.status, 303);
  return res.headers.get('set-cookie')!.split(';')[0]!;
}

async function html(url: string, cookie: string): Promise<{ status: number; text: string; location: string | null }> {
  const res = await fetch(url, { headers: { cookie }, redirect: 'manual' });
  return { status: res.status, text: await res.text(), location: res.headers.get('location') };
}

function scim(sandbox: SpekitSandbox, token: string) {
  return async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${sandbox.endpointUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, headers: res.headers, body: res.status === 204 ? null : ((await res.json()) as any) };
  };
}

/** Generates (or regenerates) through the pages and reads the revealed token from the next GET. */
async function generateThroughUi(sandbox: SpekitSandbox, cookie: string, action: string): Promise<string> {
  const post = await form(`${sandbox.url}/settings/connect/scim/token`, { action }, cookie);
  assert.equal(post.status, 303);
  const shown = await html(`${sandbox.url}/settings/connect/scim`, cookie);
  assert.match(shown.text, new RegExp(MESSAGES.shownOnce));
  return /id="token" readonly value="([^"]+)"/.exec(shown.text)![1]!;
}

let sandbox: SpekitSandbox;
before(async () => {
  sandbox = await startSpekitSandbox({ handUsers: [{ userName: 'hand@example.com', status: 'Active' }] });
});
after(() => sandbox.stop());

test('login answers Spekit messages for unknown users and wrong passwords', async () => {
  const unknown = await form(`${sandbox.url}/login`, { login: 'nobody', password: 'x' });
  assert.match(await unknown.text(), /isn&#39;t associated with a Spekit account/);
  const wrong = await form(`${sandbox.url}/login`, { login: 'admin', password: 'nope' });
  assert.equal(wrong.status, 401);
  const pages = await html(`${sandbox.url}/settings`, '');
  assert.equal(pages.location, '/login');
});

test('the token is shown once, then only its date and Regenerate token remain', async () => {
  const cookie = await logIn(sandbox);
  const connect = await html(`${sandbox.url}/settings/connect`, cookie);
  assert.match(connect.text, />SCIM provisioning</);
  const before = await html(`${sandbox.url}/settings/connect/scim`, cookie);
  assert.match(before.text, /Generate token/);
  const token = await generateThroughUi(sandbox, cookie, 'generate');
  const reload = await html(`${sandbox.url}/settings/connect/scim`, cookie);
  assert.doesNotMatch(reload.text, new RegExp(token));
  assert.doesNotMatch(reload.text, />Generate token</);
  assert.match(reload.text, /Token created/);
  assert.match(reload.text, /Regenerate token/);
  assert.equal((await scim(sandbox, token)('GET', '/Users')).status, 200);

  const newer = await generateThroughUi(sandbox, cookie, 'regenerate');
  assert.equal((await scim(sandbox, token)('GET', '/Users')).status, 401);
  assert.equal((await scim(sandbox, newer)('GET', '/Users')).status, 200);
  const state = (await (await fetch(`${sandbox.url}/__sandbox/state`)).text());
  assert.doesNotMatch(state, new RegExp(newer));
  assert.equal(JSON.parse(state).tokenGenerations, 2);
});

test('a Regenerate that fails after saving has still replaced the token', async () => {
  const cookie = await logIn(sandbox);
  const old = sandbox.issueToken();
  const createdBefore = sandbox.state.token!.createdAt;
  sandbox.setKnobs({ failureCount: 1, failureTiming: 'after', failureScope: 'ui' });
  const res = await form(`${sandbox.url}/settings/connect/scim/token`, { action: 'regenerate' }, cookie);
  assert.equal(res.status, 500);
  assert.notEqual(sandbox.state.token!.createdAt, createdBefore);
  assert.equal((await scim(sandbox, old)('GET', '/Users')).status, 401);
  sandbox.setKnobs({ failureTiming: 'before', failureScope: 'all' });
});

test('without SSO the SCIM step is not offered', async () => {
  const other = await startSpekitSandbox({ ssoConnected: false });
  try {
    const cookie = await logIn(other);
    const connect = await html(`${other.url}/settings/connect`, cookie);
    assert.match(connect.text, new RegExp(MESSAGES.ssoRequired));
    assert.doesNotMatch(connect.text, /SCIM provisioning<\/a>/);
    const post = await form(`${other.url}/settings/connect/scim/token`, { action: 'generate' }, cookie);
    assert.equal(post.status, 409);
    assert.equal(other.state.tokenGenerations, 0);
  } finally {
    await other.stop();
  }
});

test('TOTP login asks for an authentication code and sessions expire', async () => {
  const secret = new Secret().base32;
  const other = await startSpekitSandbox({ totpSecret: secret, sessionLifetimeMs: 60_000 });
  try {
    const first = await form(`${other.url}/login`, ADMIN);
    assert.equal(first.headers.get('location'), '/login/verify');
    const cookie = first.headers.get('set-cookie')!.split(';')[0]!;
    assert.equal((await html(`${other.url}/settings`, cookie)).status, 303);
    const bad = await form(`${other.url}/login/verify`, { code: '000000' }, cookie);
    assert.equal(bad.status, 401);
    const code = new TOTP({ secret: Secret.fromBase32(secret) }).generate();
    assert.equal((await form(`${other.url}/login/verify`, { code }, cookie)).headers.get('location'), '/app');
    assert.equal((await html(`${other.url}/settings`, cookie)).status, 200);
    for (const session of other.state.sessions.values()) session.expiresAt = Date.now() - 1;
    assert.equal((await html(`${other.url}/settings`, cookie)).location, '/login?expired=1');
  } finally {
    await other.stop();
  }
});

test('SCIM users: create, 409 on duplicates and hand-made users, filter, paging, patch, delete', async () => {
  const call = scim(sandbox, sandbox.issueToken());
  const made = await call('POST', '/Users', { userName: 'Ann@example.com', roles: [{ value: 'Expert' }] });
  assert.equal(made.status, 201);
  assert.equal((await call('POST', '/Users', { userName: 'ann@EXAMPLE.com' })).body.scimType, 'uniqueness');
  assert.equal((await call('POST', '/Users', { userName: 'hand@example.com' })).status, 409);
  const hidden = await call('GET', '/Users?filter=userName eq "hand@example.com"');
  assert.equal(hidden.body.totalResults, 0);
  assert.equal((await call('GET', '/Users?filter=userName eq "ann@example.com"')).body.Resources[0].id, made.body.id);
  for (const n of [1, 2, 3]) await call('POST', '/Users', { userName: `p${n}@example.com` });
  sandbox.setKnobs({ maxPageSize: 2 });
  const second = await call('GET', '/Users?startIndex=3&count=10');
  sandbox.setKnobs({ maxPageSize: 100 });
  assert.equal(second.body.itemsPerPage, 2);
  assert.equal(second.body.startIndex, 3);
  const cookie = await logIn(sandbox);
  const listing = await html(`${sandbox.url}/settings/teams-users`, cookie);
  assert.match(listing.text, /<td>Ann@example.com<\/td>\s*<td>Pending<\/td><td>SCIM<\/td>/);
  const off = await call('PATCH', `/Users/${made.body.id}`, { Operations: [{ op: 'Replace', value: { active: 'False' } }] });
  assert.equal(off.body.active, false);
  assert.equal(sandbox.snapshot().users.find((u) => u.id === made.body.id)?.status, 'Deactivated');
  assert.equal((await call('DELETE', `/Users/${made.body.id}`)).status, 204);
  assert.equal((await call('GET', `/Users/${made.body.id}`)).status, 404);
});

test('SCIM groups: duplicate names make a second team, members must be Spekit ids, roles per membership', async () => {
  const call = scim(sandbox, sandbox.issueToken());
  const user = (await call('POST', '/Users', { userName: 'team@example.com', roles: ['Team Admin'] })).body;
  const a = await call('POST', '/Groups', { displayName: 'Sales' });
  const b = await call('POST', '/Groups', { displayName: 'Sales' });
  assert.notEqual(a.body.id, b.body.id);
  assert.equal((await call('GET', '/Groups?filter=displayName eq "sales"')).body.totalResults, 2);
  const refused = await call('PATCH', `/Groups/${a.body.id}`, { Operations: [{ op: 'add', path: 'members', value: [{ value: 'team@example.com' }] }] });
  assert.equal(refused.status, 400);
  await call('PATCH', `/Groups/${a.body.id}`, { Operations: [{ op: 'add', path: 'members', value: [{ value: user.id }] }] });
  assert.deepEqual(sandbox.state.membersOf(a.body.id).map((m) => m.role), ['Team Admin']);
  await call('PATCH', `/Users/${user.id}`, { Operations: [{ op: 'replace', path: 'roles', value: [{ value: 'Expert' }] }] });
  assert.deepEqual(sandbox.state.membersOf(a.body.id).map((m) => m.role), ['Expert']);
  await call('PATCH', `/Groups/${a.body.id}`, { Operations: [{ op: 'remove', path: `members[value eq "${user.id}"]` }] });
  assert.equal(sandbox.state.membersOf(a.body.id).length, 0);
  assert.equal((await call('DELETE', `/Groups/${b.body.id}`)).status, 204);
});

test('rate limit answers 429 with Retry-After; a wrong token answers 401', async () => {
  const call = scim(sandbox, sandbox.issueToken());
  sandbox.setKnobs({ rateLimit: { requests: 1, windowMs: 60_000 } });
  try {
    assert.equal((await call('GET', '/Users')).status, 200);
    const limited = await call('GET', '/Users');
    assert.equal(limited.status, 429);
    assert.match(limited.headers.get('retry-after') ?? '', /^\d+$/);
  } finally {
    sandbox.setKnobs({ rateLimit: null });
  }
  const bad = await scim(sandbox, 'spk_wrong')('GET', '/Users');
  assert.equal(bad.status, 401);
});
