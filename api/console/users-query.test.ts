/** The users list's query string and its progress sentence: pure, no Redis. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseUsersQuery, usersLink } from './users-query.ts';
import { duration, progressText } from './users-progress.ts';

test('a query from a link falls back to the defaults for values it does not know', () => {
  assert.deepEqual(parseUsersQuery({}), { q: '', sort: 'email', dir: 'asc', page: 1 });
  assert.deepEqual(parseUsersQuery({ sort: 'password', dir: 'sideways', page: '-3', state: 'gone' }), { q: '', sort: 'email', dir: 'asc', page: 1 });
  assert.deepEqual(parseUsersQuery({ sort: 'changed', page: '7', state: 'retrying', q: '  ann ' }), { q: 'ann', state: 'retrying', sort: 'changed', dir: 'desc', page: 7 });
  assert.equal(parseUsersQuery({ page: '99999999999' }).page, 1);
});

test('links keep the rest of the query and leave defaults out', () => {
  const query = parseUsersQuery({ q: 'a b', state: 'failed', sort: 'name', dir: 'desc', page: '3' });
  assert.equal(usersLink('/console/connections/acme/users', query, { page: 4 }), '/console/connections/acme/users?q=a+b&state=failed&sort=name&dir=desc&page=4');
  assert.equal(usersLink('/u', parseUsersQuery({}), { sort: 'changed', dir: 'desc' }), '/u?sort=changed');
});

test('the progress sentence gives the time left only from a measured pace', () => {
  const base = { total: 2000, inSync: 312, pending: 1688, retrying: 12, failed: 0, removed: 0 };
  assert.equal(progressText({ ...base, perMinute: 562.7, etaSeconds: 180 }), '312 of 2,000 in sync, ~3 min left · 1,688 waiting (12 retrying) · 563 per min.');
  assert.equal(progressText(base), '312 of 2,000 in sync · 1,688 waiting (12 retrying) · too few finished in the last 5 min to estimate the time left.');
  assert.equal(progressText({ ...base, inSync: 1990, pending: 0, retrying: 0, failed: 10 }), '1,990 of 2,000 in sync · 10 failed.');
  assert.equal(duration(30), 'under a minute');
  assert.equal(duration(3 * 3600), '3.0 h');
});
