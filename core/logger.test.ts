import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { createLogger, scrub } from './logger.ts';

test('scrub removes secret-named keys at any depth and token-shaped strings', () => {
  const out = JSON.stringify(scrub({ a: { b: { c: { password: 'p1', apiKey: 'k1', totpSecret: 't1' } } }, msg: 'Bearer abcdefghijkl and scim_ABCDEFGHIJKLMNOP', ok: true }));
  for (const secret of ['p1', 'k1', 't1', 'abcdefghijkl', 'scim_ABCDEFGHIJKLMNOP']) assert.ok(!out.includes(`"${secret}"`) && !out.includes(secret), secret);
  assert.ok(out.includes('"ok":true'));
});

test('the logger writes no secret, in fields, messages or errors', () => {
  let text = '';
  const sink = new Writable({ write(chunk, _e, done) { text += chunk.toString(); done(); } });
  const log = createLogger({ level: 'info' }, sink);
  log.info({ req: { headers: { authorization: 'Bearer scim_topsecret123456' } }, credentials: { password: 'pw-secret-1' } }, 'login with scim_topsecret123456');
  log.error({ err: new Error('failed with token scim_errsecret1234567') }, 'boom');
  assert.ok(text.length > 0);
  for (const secret of ['scim_topsecret123456', 'pw-secret-1', 'scim_errsecret1234567']) assert.ok(!text.includes(secret), secret);
});
