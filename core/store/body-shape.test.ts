/** Which stored user bodies may be sliced for list pages, and that a changed body loses its shape. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bodyShape, readShape, textTooDeep } from './body-shape.ts';
import { tooDeep } from '../scim/limits.ts';

const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const meta = { resourceType: 'User', created: '2026-01-01T00:00:00.000Z', lastModified: '2026-01-01T00:00:00.000Z' };
const text = (doc: Record<string, unknown>) => JSON.stringify(doc);

test('bodies laid out as buildUser writes them have a shape, read back as recorded', () => {
  for (const doc of [
    { schemas: [CORE], id: 'u1', userName: 'a@x', active: true, meta },
    { schemas: [CORE, ENTERPRISE], id: 'u2', userName: 'b "q" \\ \u2028', [ENTERPRISE]: { manager: { value: 'm' } }, meta },
    { schemas: [CORE], id: 'u3', meta: {} },
  ]) {
    const body = text(doc);
    const shape = bodyShape(body);
    assert.ok(shape, body);
    assert.deepEqual(readShape(body, shape), { head: doc.schemas.length - 1, meta: body.lastIndexOf(',"meta":{') });
  }
});

test('other layouts have none: the renderer would move or replace a key, or prune', () => {
  let deep: Record<string, unknown> = { leaf: 1 };
  for (let d = 0; d < 10; d++) deep = { d: deep };
  for (const doc of [
    { id: 'u', schemas: [CORE], meta },
    { schemas: [CORE], id: 'u', meta, userName: 'late' },
    { schemas: [CORE], id: 'u', userName: 'x' },
    { schemas: [CORE], id: 'u', groups: [], meta },
    { schemas: [CORE], id: 'u', 'urn:scimwright:params:scim:schemas:extension:provisioning:2.0:User': {}, meta },
    { schemas: [CORE], id: 'u', meta: { ...meta, location: 'http://x' } },
    { schemas: [CORE], id: 'u', meta: { ...meta, version: 'W/"1"' } },
    { schemas: [CORE], id: 'u', meta: { ...meta, extra: { a: 1 } } },
    { schemas: [CORE], id: 'a"b', meta },
    { schemas: [CORE, 'urn:other'], id: 'u', meta },
    { schemas: [CORE], id: 'u', x: deep, meta },
  ]) assert.equal(bodyShape(text(doc)), undefined, text(doc));
});

test('a recorded shape that no longer fits its body is refused', () => {
  const body = text({ schemas: [CORE], id: 'u1', userName: 'a@x', meta });
  const shape = bodyShape(body)!;
  assert.equal(readShape(body.replace('a@x', 'b@x'), shape) !== undefined, true, 'same length and layout: still fits');
  assert.equal(readShape(body.replace('a@x', 'ab@x'), shape), undefined);
  assert.equal(readShape(text({ schemas: [CORE], id: 'u1', meta: { a: 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx{}' } }).slice(0, body.length), shape), undefined);
  assert.equal(readShape(body, ''), undefined);
});

test('textTooDeep agrees with tooDeep, brackets inside strings not counted', () => {
  for (let depth = 8; depth <= 12; depth++) {
    let doc: unknown = ['[{"x', { s: '{{{{[[[[\\"' }];
    for (let d = 1; d < depth; d++) doc = d % 2 ? { k: doc } : [doc];
    assert.equal(textTooDeep(JSON.stringify(doc)), tooDeep(doc), `depth ${depth}`);
  }
});
