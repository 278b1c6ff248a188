/**
 * The request shapes of the adversarial bench: each builds one request (and what it needs, e.g.
 * a fresh target user) before it is timed. Bodies are built as text where JSON.stringify itself
 * could not (deep nesting).
 */
import { randomUUID } from 'node:crypto';
import type { Fixture } from './lib/gateway-fixture.ts';
import { SEED_PREFIX } from './lib/gateway-fixture.ts';
import { benchUserName } from './lib/users.ts';

export { benchUserName };
export const SEED = SEED_PREFIX;

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

export interface Request { method: string; url: string; body?: string }
export interface Shape {
  name: string;
  build(fx: Fixture): Promise<Request>;
  after?(fx: Fixture): Promise<void>;
}

async function scim(fx: Fixture, method: string, path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${fx.origin}${fx.base}${path}`, {
    method, headers: { ...fx.headers, 'content-type': 'application/scim+json' }, body: JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${(await res.text()).slice(0, 200)}`);
  return res.status === 204 ? {} : (await res.json()) as Record<string, unknown>;
}

async function freshUser(fx: Fixture): Promise<string> {
  const user = await scim(fx, 'POST', '/Users', { userName: `adv-${randomUUID()}@x.com`, emails: [{ value: 'w@x.com', type: 'work', primary: true }] });
  return String(user.id);
}

/** The seeded users' ids, first `n` in creation order. */
async function seededIds(fx: Fixture, n: number): Promise<string[]> {
  const keys = fx.gw.core.directory.resources.keys(fx.connectionId);
  return fx.gw.redis.zrange(keys.list("User"), "0", String(n - 1));
}

let bigGroup: string | undefined;
async function groupOf(fx: Fixture, members: number): Promise<string> {
  const ids = await seededIds(fx, members);
  const body = { displayName: `adv-${randomUUID()}`, members: ids.map((value) => ({ value })) };
  if (bigGroup) await scim(fx, 'PUT', `/Groups/${bigGroup}`, body);
  else bigGroup = String((await scim(fx, 'POST', '/Groups', body)).id);
  return bigGroup;
}

const ops = (n: number, op: (i: number) => unknown) => JSON.stringify({ schemas: [PATCH_OP], Operations: Array.from({ length: n }, (_, i) => op(i)) });
const deep = (depth: number) => `${'{"n":'.repeat(depth)}"leaf"${'}'.repeat(depth)}`;
const list = (filter: string, extra = '') => `${'/Users?filter='}${encodeURIComponent(filter)}${extra}`;

function patchUser(name: string, body: () => string): Shape {
  return { name, build: async (fx) => ({ method: 'PATCH', url: `${fx.base}/Users/${await freshUser(fx)}`, body: body() }) };
}

function get(name: string, path: string): Shape {
  return { name, build: async (fx) => ({ method: 'GET', url: `${fx.base}${path}` }) };
}

export function shapes(users: number): Shape[] {
  // Group shapes at 5,000 members: the largest group an IdP of our size pushes in one request.
  const members = Math.min(users, 5_000);
  return [
    patchUser('PATCH user: 1,000 add ops, distinct emails (stops at the 100-email limit)', () =>
      ops(1000, (i) => ({ op: 'add', path: 'emails', value: [{ value: `e${i}@x.com`, primary: true }] }))),
    patchUser('PATCH user: 1,000 replace ops (displayName)', () => ops(1000, (i) => ({ op: 'replace', path: 'displayName', value: `D${i}` }))),
    patchUser('PATCH user: 1,000 filtered replaces emails[type eq "work"].value', () =>
      ops(1000, (i) => ({ op: 'replace', path: 'emails[type eq "work"].value', value: `w${i}@x.com` }))),
    patchUser('PATCH user: 14,000 ops, ~1 MB (over the operation cap)', () =>
      ops(14_000, (i) => ({ op: 'add', path: 'emails', value: [{ value: `e${i}@x.com` }] }))),
    patchUser('PATCH user: one add of 30,000 emails', () => ops(1, () => ({ op: 'add', path: 'emails', value: Array.from({ length: 30_000 }, (_, i) => ({ value: `e${i}@x.com` })) }))),
    patchUser('PATCH user: value nested 20,000 deep', () => `{"schemas":["${PATCH_OP}"],"Operations":[{"op":"add","path":"${ENTERPRISE}:x","value":${deep(20_000)}}]}`),
    { name: 'POST user: enterprise extension nested 20,000 deep', build: async (fx) => ({ method: 'POST', url: `${fx.base}/Users`, body: `{"userName":"deep-${randomUUID()}@x.com","${ENTERPRISE}":{"x":${deep(20_000)}}}` }) },
    { name: 'POST user: 100 emails, 100 phones, 100 roles, long values (~900 KB)', build: async (fx) => {
      const many = (n: number, len: number, p: string) => Array.from({ length: n }, (_, i) => ({ value: `${p}${i}-${'x'.repeat(len)}` }));
      return { method: 'POST', url: `${fx.base}/Users`, body: JSON.stringify({ userName: `big-${randomUUID()}@x.com`, emails: many(100, 3000, 'e'), phoneNumbers: many(100, 3000, 'p'), roles: many(100, 3000, 'r') }) };
    } },
    { name: `PATCH group of ${members} members: 1,000 ops remove members[value eq …]`, build: async (fx) => {
      const ids = await seededIds(fx, 1000);
      return { method: 'PATCH', url: `${fx.base}/Groups/${await groupOf(fx, members)}`, body: ops(1000, (i) => ({ op: 'remove', path: `members[value eq "${ids[i]}"]` })) };
    } },
    { name: `PATCH group of ${members} members: remove all by value list (Entra)`, build: async (fx) => {
      const ids = await seededIds(fx, members);
      return { method: 'PATCH', url: `${fx.base}/Groups/${await groupOf(fx, members)}`, body: ops(1, () => ({ op: 'remove', path: 'members', value: ids.map((value) => ({ value })) })) };
    } },
    { name: `PATCH group: 1,000 add ops of one member each onto ${members - 1000}`, build: async (fx) => {
      const ids = await seededIds(fx, members);
      const group = await groupOf(fx, members - 1000);
      return { method: 'PATCH', url: `${fx.base}/Groups/${group}`, body: ops(1000, (i) => ({ op: 'add', path: 'members', value: [{ value: ids[members - 1000 + i] }] })) };
    } },
    { name: `POST group with ${members} members`, build: async (fx) => ({ method: 'POST', url: `${fx.base}/Groups`, body: JSON.stringify({ displayName: `adv-${randomUUID()}`, members: (await seededIds(fx, members)).map((value) => ({ value })) }) }) },
    get(`GET filter title co "x" (scan of ${users} users)`, list('title co "x"')),
    get(`GET filter userName sw "s" count=500 (all ${users} match)`, list('userName sw "s"', '&count=500')),
    get('GET filter: 300 or-ed title eq terms (~8 KB; over the 100-term cap)', list(Array.from({ length: 300 }, (_, i) => `title eq "zz${i}"`).join(' or '))),
    get(`GET filter: 100 or-ed title co terms (scan of ${users} users)`, list(Array.from({ length: 100 }, (_, i) => `title co "zz${i}"`).join(' or '))),
    get('GET filter: not(…) nested 2,000 deep', list(`${'not ('.repeat(2000)}title eq "x"${')'.repeat(2000)}`)),
    get('GET filter: parentheses nested 3,000 deep', list(`${'('.repeat(3000)}title eq "x"${')'.repeat(3000)}`)),
    get('GET list startIndex=2^63', '/Users?startIndex=9223372036854775808'),
    get('GET list count=500 (largest page)', '/Users?count=500'),
  ];
}
