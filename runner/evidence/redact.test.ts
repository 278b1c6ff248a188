import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MIN_MASKABLE_SECRET, REDACTED, makeRedactor, redactDeep, redactHtml, redactText } from './redact.ts';

const secret = 'Pa$$ w0rd&<Zq>9';

test('a secret is removed as written, URL-encoded, HTML-escaped and JSON-escaped', () => {
  const text = [
    `plain ${secret}`,
    `url ?p=${encodeURIComponent(secret)}`,
    `form p=${encodeURIComponent(secret).replace(/%20/g, '+')}`,
    `html <b>Pa$$ w0rd&amp;&lt;Zq&gt;9</b>`,
    `json ${JSON.stringify({ p: 'say "hi" Pa$$ w0rd&<Zq>9' })}`,
  ].join('\n');
  const out = redactText(text, [secret]);
  assert.equal(out.match(/\[REDACTED\]/g)?.length, 5, out);
  for (const leftover of ['w0rd', 'Zq']) assert.ok(!out.includes(leftover), out);
  assert.ok(out.startsWith('plain [REDACTED]\nurl ?p=[REDACTED]'), out);
});

test('base64 of the secret is removed, also inside a longer base64 value such as Basic auth', () => {
  const b64 = Buffer.from(secret).toString('base64');
  const basic = Buffer.from(`admin@example.com:${secret}`).toString('base64');
  const urlSafe = Buffer.from(`x${secret}`).toString('base64url');
  const out = redactText(`a ${b64} b Basic ${basic} c ${urlSafe}`, [secret]);
  assert.ok(!out.includes(b64), out);
  assert.equal(out.match(/\[REDACTED\]/g)?.length, 3, out);
  // Only the secret's part goes: the user name's base64 is left as evidence.
  assert.ok(out.includes(basic.slice(0, 20)), out);
});

test('password input values are dropped whatever they hold; other markup is kept', () => {
  const html = `<form><input name="u" value="alice"><INPUT type='password' value='not-in-the-list' id=p>`
    + `<input type=password value=bare><input data-value="x" type="text" value="keep"></form>`;
  const out = redactHtml(html, []);
  assert.equal(out, `<form><input name="u" value="alice"><INPUT type='password' id=p>`
    + `<input type=password><input data-value="x" type="text" value="keep"></form>`);
});

test('empty or blank secrets redact nothing; text without secrets is unchanged', () => {
  assert.equal(redactText('nothing to hide', ['', '  ']), 'nothing to hide');
  assert.equal(redactText('nothing to hide', ['tok_123456']), 'nothing to hide');
  assert.equal(redactText('tok_123456 and tok_123456', ['tok_123456']), `${REDACTED} and ${REDACTED}`);
});

test('redactDeep replaces values, never keys: a one-letter secret leaves the structure alone', () => {
  const redact = makeRedactor(['x']);
  const out = redactDeep({ index: 1, text: { next: 'x', list: ['a x b'] } }, redact);
  assert.deepEqual(out, { index: 1, text: { next: REDACTED, list: [`a ${REDACTED} b`] } });
});

test('a secret too short to mask safely is matched only as a whole token', () => {
  const out = redactText('app.uxpin.invalid refused password=x (x)', ['x']);
  assert.equal(out, `app.uxpin.invalid refused password=${REDACTED} (${REDACTED})`);
  // From MIN_MASKABLE_SECRET on, a secret is removed wherever it stands, inside words too.
  assert.equal(redactText('idhunter22pwd', ['hunter22']), `id${REDACTED}pwd`);
  assert.equal(MIN_MASKABLE_SECRET, 8);
});

test('overlapping secrets are removed together, with nothing of either left over', () => {
  const out = redactText('see abcdefgh12wxyz and gh12wxyz', ['abcdefgh12', 'gh12wxyz']);
  assert.equal(out, `see ${REDACTED} and ${REDACTED}`);
  const nested = redactText('token sup3r-secret-pw!', ['sup3r-secret-pw!', 'secret-pw']);
  assert.equal(nested, `token ${REDACTED}`);
});
