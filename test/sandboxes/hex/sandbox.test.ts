import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Secret, TOTP } from 'otpauth';
import { MESSAGES } from './html.ts';
import { startHexSandbox, type HexSandbox } from './server.ts';

const ADMIN = { email: 'admin@example.com', password: 'correct horse battery staple' };

async function form(url: string, body: Record<string, string>, cookie = ''): Promise<Response> {
  return fetch(url, {
    method: 'POST', redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams(body).toString(),
  });
}

async function logIn(sandbox: HexSandbox): Promise<string> {
  const res = await form(`${sandbox.url}/login`, ADMIN);
  assert.equal(res.status, 303);
  return res.headers.get('set-cookie')!.split(';')[0]!;
}

async function get(url: string, cookie: string) {
  const res = await fetch(url, { headers: { cookie }, redirect: 'manual' });
  return { status: res.status, text: await res.text(), location: res.headers.get('location') };
}

async function postJson(url: string, cookie: string, body?: unknown) {
  const res = await fetch(url, {
    method: 'POST', headers: { cookie, 'x-requested-with': 'fetch', ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json()) as any };
}

function scim(sandbox: HexSandbox, token: string) {
  return async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${sandbox.scimBaseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as any) : null };
  };
}

/** Generate / Regenerate through the page and read the token from the dialog of the next GET. */
async function issueThroughPage(sandbox: HexSandbox, cookie: string, action: string): Promise<string> {
  const post = await form(`${sandbox.url}/settings/authentication/scim/token`, { action }, cookie);
  assert.equal(post.status, 303);
  const shown = await get(`${sandbox.url}/settings/authentication/scim`, cookie);
  assert.match(shown.text, /Your SCIM token/);
  return /<label for="scim-token">SCIM token<\/label> <input id="scim-token" readonly value="([^"]+)"/.exec(shown.text)![1]!;
}

let sandbox: HexSandbox;
before(async () => {
  sandbox = await startHexSandbox({ seedUsers: [{ email: 'hand@example.com', name: 'Hand Made', status: 'Invited' }] });
});
after(() => sandbox.stop());

test('login refuses a wrong password with Hex\'s message; signed-out pages go to /login?next=…', async () => {
  const wrong = await form(`${sandbox.url}/login`, { email: ADMIN.email, password: 'nope' });
  assert.equal(wrong.status, 401);
  assert.match(await wrong.text(), /Incorrect email or password\./);
  assert.equal((await get(`${sandbox.url}/settings/users`, '')).location, '/login?next=%2Fsettings%2Fusers');
  const res = await form(`${sandbox.url}/login`, { ...ADMIN, next: '/settings/users' });
  assert.equal(res.headers.get('location'), '/settings/users');
});

test('the token is shown once in a dialog; Regenerate asks first and the old token is refused', async () => {
  const cookie = await logIn(sandbox);
  const empty = await get(`${sandbox.url}/settings/authentication/scim`, cookie);
  assert.match(empty.text, new RegExp(MESSAGES.noToken));
  assert.match(empty.text, /SCIM base URL.*\/api\/v1\/scim\/v2/s);
  assert.match(empty.text, /Unique identifier: userName/);
  const token = await issueThroughPage(sandbox, cookie, 'generate');
  assert.equal((await scim(sandbox, token)('GET', '/Users')).status, 200);
  const reload = await get(`${sandbox.url}/settings/authentication/scim`, cookie);
  assert.doesNotMatch(reload.text, new RegExp(token));
  assert.match(reload.text, /Token generated <time[^>]*>[^<]+<\/time> by admin@example.com/);
  assert.match(reload.text, /Regenerate SCIM token\?[\s\S]*The current token stops working immediately\./);
  const newer = await issueThroughPage(sandbox, cookie, 'regenerate');
  assert.equal((await scim(sandbox, token)('GET', '/Users')).status, 401);
  assert.equal((await scim(sandbox, newer)('GET', '/Users')).status, 200);
  const state = await (await fetch(`${sandbox.url}/__sandbox/state`)).text();
  assert.doesNotMatch(state, new RegExp(newer));
});

test('a Regenerate that fails after the change has still replaced the token', async () => {
  const cookie = await logIn(sandbox);
  const old = sandbox.issueToken();
  sandbox.setKnobs({ failureCount: 1, failureTiming: 'after', failureScope: 'ui' });
  try {
    const res = await form(`${sandbox.url}/settings/authentication/scim/token`, { action: 'regenerate' }, cookie);
    assert.equal(res.status, 500);
    assert.match(await res.text(), /Couldn&#39;t generate a SCIM token/);
    assert.equal((await scim(sandbox, old)('GET', '/Users')).status, 401);
  } finally {
    sandbox.setKnobs({ failureTiming: 'before', failureScope: 'all', failureCount: 0 });
  }
});

test('Team plan and a required SSO show their message and no token button', async () => {
  for (const [options, message] of [[{ plan: 'Team' as const }, MESSAGES.teamPlan], [{ ssoRequired: true }, MESSAGES.ssoRequired]] as const) {
    const other = await startHexSandbox(options);
    try {
      const cookie = await logIn(other);
      const tab = await get(`${other.url}/settings/authentication/scim`, cookie);
      assert.ok(tab.text.includes(message));
      assert.doesNotMatch(tab.text, /Generate token|Regenerate token/);
      assert.equal((await form(`${other.url}/settings/authentication/scim/token`, { action: 'generate' }, cookie)).status, 409);
      assert.equal(other.state.tokenGenerations, 0);
    } finally {
      await other.stop();
    }
  }
  const enabled = await startHexSandbox({ ssoRequired: true, ssoEnabled: true });
  try {
    const cookie = await logIn(enabled);
    assert.match((await get(`${enabled.url}/settings/authentication`, cookie)).text, /SSO is enabled/);
    assert.match((await get(`${enabled.url}/settings/authentication/scim`, cookie)).text, /Generate token/);
  } finally {
    await enabled.stop();
  }
});

test('TOTP asks for an authentication code; an expired session goes back to login with next', async () => {
  const secret = new Secret().base32;
  const other = await startHexSandbox({ totpSecret: secret, sessionLifetimeMs: 60_000 });
  try {
    const first = await form(`${other.url}/login`, { ...ADMIN, next: '/settings' });
    assert.equal(first.headers.get('location'), '/login/2fa');
    const cookie = first.headers.get('set-cookie')!.split(';')[0]!;
    assert.match((await get(`${other.url}/login/2fa`, cookie)).text, /Two-factor authentication[\s\S]*Authentication code/);
    assert.equal((await get(`${other.url}/settings`, cookie)).status, 303);
    const bad = await form(`${other.url}/login/2fa`, { code: '000000' }, cookie);
    assert.match(await bad.text(), /Invalid code\. Try again\./);
    const code = new TOTP({ secret: Secret.fromBase32(secret) }).generate();
    assert.equal((await form(`${other.url}/login/2fa`, { code }, cookie)).headers.get('location'), '/settings');
    assert.equal((await get(`${other.url}/settings`, cookie)).status, 200);
    for (const session of other.state.sessions.values()) session.expiresAt = Date.now() - 1;
    assert.equal((await get(`${other.url}/settings/groups`, cookie)).location, '/login?next=%2Fsettings%2Fgroups');
  } finally {
    await other.stop();
  }
});

test('SCIM users: default role, 409 in any case or status, userName eq only, 1-based paging, no roles', async () => {
  const call = scim(sandbox, sandbox.issueToken());
  const made = await call('POST', '/Users', { userName: 'Ann@example.com', name: { givenName: 'Ann', familyName: 'Lee' }, roles: [{ value: 'Editor' }] });
  assert.equal(made.status, 201);
  assert.equal(made.body.roles, undefined);
  assert.equal(sandbox.state.users.get(made.body.id)?.role, 'Viewer');
  assert.ok(sandbox.state.stats.scimRoleAttempts >= 1);
  assert.equal((await call('POST', '/Users', { userName: 'ann@EXAMPLE.com' })).body.scimType, 'uniqueness');
  assert.equal((await call('POST', '/Users', { userName: 'hand@example.com' })).status, 409);
  const hit = await call('GET', '/Users?filter=userName eq "ANN@example.com"');
  assert.equal(hit.body.Resources[0].id, made.body.id);
  assert.equal((await call('GET', '/Users?filter=emails.value eq "ann@example.com"')).body.scimType, 'invalidFilter');
  for (const n of [1, 2, 3]) await call('POST', '/Users', { userName: `p${n}@example.com` });
  const all = await call('GET', '/Users?count=500');
  assert.equal(all.body.itemsPerPage, all.body.totalResults);
  const second = await call('GET', '/Users?startIndex=2&count=2');
  assert.equal(second.body.startIndex, 2);
  assert.deepEqual(second.body.Resources.map((u: any) => u.id), all.body.Resources.slice(1, 3).map((u: any) => u.id));
  assert.ok(all.body.Resources.some((u: any) => u.userName === 'hand@example.com'), 'hand-made and invited users are listed too');
});

test('SCIM PATCH: Entra strings, no-path objects, name.*, emails filter; role paths dropped or refused', async () => {
  const call = scim(sandbox, sandbox.issueToken());
  const user = (await call('POST', '/Users', { userName: 'patch@example.com' })).body;
  const ops = { Operations: [
    { op: 'Replace', path: 'name.givenName', value: 'Pat' }, { op: 'Add', path: 'emails[type eq "work"].value', value: 'patch@example.com' },
    { op: 'replace', value: { 'name.familyName': 'Ch', displayName: 'Pat Ch' } }, { op: 'replace', path: 'urn:x:unknown', value: 1 },
    { op: 'replace', path: 'roles', value: [{ value: 'Manager' }] },
  ] };
  const patched = await call('PATCH', `/Users/${user.id}`, ops);
  assert.equal(patched.status, 200);
  assert.equal(patched.body.displayName, 'Pat Ch');
  assert.equal(sandbox.state.users.get(user.id)?.role, 'Viewer');
  const off = await call('PATCH', `/Users/${user.id}`, { Operations: [{ op: 'Replace', path: 'active', value: 'False' }] });
  assert.equal(off.body.active, false);
  assert.equal(sandbox.state.users.get(user.id)?.status, 'Deactivated');
  sandbox.setKnobs({ scimRoles: 'refuse' });
  try {
    const refused = await call('PATCH', `/Users/${user.id}`, { Operations: [{ op: 'add', path: 'roles', value: [{ value: 'Editor' }] }] });
    assert.equal(refused.status, 400);
    assert.equal(refused.body.scimType, 'mutability');
    assert.equal((await call('POST', '/Users', { userName: 'r@example.com', roles: ['Editor'] })).status, 400);
  } finally {
    sandbox.setKnobs({ scimRoles: 'drop' });
  }
  assert.equal((await call('DELETE', `/Users/${user.id}`)).status, 204);
  assert.equal((await call('GET', `/Users/${user.id}`)).status, 404);
});

test('SCIM groups: 409 on a taken name, Hex ids only (no change on refusal), filter removals, no PUT', async () => {
  const call = scim(sandbox, sandbox.issueToken());
  const a = (await call('POST', '/Users', { userName: 'g1@example.com' })).body;
  const b = (await call('POST', '/Users', { userName: 'g2@example.com' })).body;
  const group = await call('POST', '/Groups', { displayName: 'Analysts', members: [{ value: a.id }] });
  assert.equal(group.status, 201);
  assert.equal((await call('POST', '/Groups', { displayName: 'analysts' })).status, 409);
  assert.equal((await call('GET', '/Groups?filter=displayName eq "ANALYSTS"')).body.Resources[0].id, group.body.id);
  const refused = await call('PATCH', `/Groups/${group.body.id}`, { Operations: [{ op: 'add', path: 'members', value: [{ value: b.id }, { value: 'g2@example.com' }] }] });
  assert.equal(refused.body.scimType, 'invalidValue');
  assert.deepEqual(sandbox.state.groups.get(group.body.id)?.members, [a.id]);
  assert.equal((await call('PATCH', `/Groups/${group.body.id}`, { Operations: [{ op: 'Add', path: 'members', value: [{ value: b.id }] }] })).status, 204);
  await call('PATCH', `/Groups/${group.body.id}`, { Operations: [{ op: 'remove', path: `members[value eq "${a.id}"]` }] });
  assert.deepEqual(sandbox.state.groups.get(group.body.id)?.members, [b.id]);
  assert.equal(sandbox.state.users.get(b.id)?.role, 'Viewer', 'groups never change roles');
  assert.equal((await call('PUT', `/Groups/${group.body.id}`, { displayName: 'X' })).status, 405);
  assert.equal((await call('DELETE', `/Groups/${group.body.id}`)).status, 204);
});

test('429 comes without Retry-After; a wrong token is 401; a create failing after the change has landed', async () => {
  const call = scim(sandbox, sandbox.issueToken());
  sandbox.setKnobs({ rateLimit: { requests: 1, windowMs: 60_000 } });
  try {
    assert.equal((await call('GET', '/Users')).status, 200);
    const limited = await call('GET', '/Users');
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), null);
  } finally {
    sandbox.setKnobs({ rateLimit: null });
  }
  assert.equal((await scim(sandbox, 'hxsc_wrong')('GET', '/Users')).status, 401);
  sandbox.setKnobs({ failureCount: 1, failureTiming: 'after', failureScope: 'scim' });
  try {
    assert.equal((await call('POST', '/Users', { userName: 'landed@example.com' })).status, 500);
  } finally {
    sandbox.setKnobs({ failureTiming: 'before', failureScope: 'all', failureCount: 0 });
  }
  assert.equal((await call('GET', '/Users?filter=userName eq "landed@example.com"')).body.totalResults, 1);
});

test('the Users page refuses a paid seat without confirmation, own and deactivated rows, and records changes', async () => {
  const cookie = await logIn(sandbox);
  const call = scim(sandbox, sandbox.issueToken());
  const user = (await call('POST', '/Users', { userName: 'seat@example.com' })).body;
  const url = `${sandbox.url}/settings/users/${user.id}/role`;
  assert.equal((await postJson(url, cookie, { role: 'Editor' })).status, 409);
  assert.equal((await postJson(url, cookie, { role: 'Editor', seatConfirmed: true })).body.role, 'Editor');
  assert.equal((await postJson(url, cookie, { role: 'Manager' })).status, 200, 'paid to paid needs no confirmation');
  const admin = sandbox.state.byUserName(ADMIN.email)!;
  assert.equal((await postJson(`${sandbox.url}/settings/users/${admin.id}/role`, cookie, { role: 'Viewer', seatConfirmed: true })).status, 409);
  await postJson(`${sandbox.url}/settings/users/${user.id}/deactivate`, cookie);
  assert.equal((await postJson(url, cookie, { role: 'Editor' })).status, 409);
  assert.deepEqual(sandbox.snapshot().roleChanges.filter((c) => c.userName === 'seat@example.com').map((c) => [c.from, c.to, c.seatConfirmed]),
    [['Viewer', 'Editor', true], ['Editor', 'Manager', false]]);
  const data = await get(`${sandbox.url}/settings/users/data?q=seat`, cookie);
  assert.deepEqual(JSON.parse(data.text).users.map((u: any) => [u.email, u.role, u.status, u.badge]), [['seat@example.com', 'Manager', 'Deactivated', true]]);
});
