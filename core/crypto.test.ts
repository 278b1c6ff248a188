import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { constantTimeEqual, createSecretBox, generateScimToken, parseSecretKey } from './crypto.ts';

test('AES-256-GCM round trip, bound to its owner', () => {
  const box = createSecretBox(randomBytes(32));
  const sealed = box.encrypt('hunter2', 'credentials:acme');
  assert.ok(!sealed.includes('hunter2'));
  assert.equal(box.decryptString(sealed, 'credentials:acme'), 'hunter2');
  assert.throws(() => box.decrypt(sealed, 'credentials:other'), 'another owner cannot open it');
  const [v, iv, tag, body] = sealed.split('.');
  const flipped = Buffer.from(body!, 'base64url');
  flipped[0] = flipped[0]! ^ 1;
  assert.throws(() => box.decrypt([v, iv, tag, flipped.toString('base64url')].join('.'), 'credentials:acme'), 'tampering is detected');
  assert.throws(() => createSecretBox(randomBytes(32)).decrypt(sealed, 'credentials:acme'), 'another key cannot open it');
});

test('token hashes are keyed and tokens look like scim_…', () => {
  const key = randomBytes(32);
  const token = generateScimToken();
  assert.match(token, /^scim_[A-Za-z0-9_-]{43}$/);
  assert.equal(createSecretBox(key).hash(token), createSecretBox(key).hash(token));
  assert.notEqual(createSecretBox(key).hash(token), createSecretBox(randomBytes(32)).hash(token));
  assert.ok(constantTimeEqual('abc', 'abc'));
  assert.ok(!constantTimeEqual('abc', 'abd'));
  assert.ok(!constantTimeEqual('abc', 'abcd'));
});

test('secret keys parse from hex or base64 and must be 32 bytes', () => {
  const key = randomBytes(32);
  assert.deepEqual(parseSecretKey(key.toString('hex')), key);
  assert.deepEqual(parseSecretKey(key.toString('base64')), key);
  assert.throws(() => parseSecretKey('c2hvcnQ='), /32 bytes/);
});
