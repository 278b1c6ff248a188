/** Merged member removals give what the operations one by one gave (issue 11's linear PATCH). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { coalesceRemovals } from './coalesce.ts';
import { applyPatch, PATCH_OP_SCHEMA } from './patch.ts';

const group = { id: 'g', schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'G', members: ['a', 'b', 'c', 'd'].map((value) => ({ value })) };
const body = (Operations: unknown[]) => ({ schemas: [PATCH_OP_SCHEMA], Operations });

test('a run of members[value eq …] removals is one list removal, other operations keep their place and number', () => {
  const ops = [
    { op: 'remove', path: 'members[value eq "a"]' }, { op: 'Remove', path: 'members[value eq "ghost"]' },
    { op: 'add', path: 'members', value: [{ value: 'e' }] }, { op: 'remove', path: 'members[value eq "c"]' },
  ];
  const merged = coalesceRemovals(ops);
  assert.deepEqual(merged.map((m) => m.number), [2, 3, 4]);
  assert.deepEqual(merged[0]!.operation, { op: 'remove', path: 'members', value: [{ value: 'a' }, { value: 'ghost' }] });
  assert.equal(merged[2]!.operation, ops[3]);
  const out = applyPatch(group, body(ops), { resourceType: 'Group' });
  assert.deepEqual((out.members as Array<{ value: string }>).map((m) => m.value), ['b', 'd', 'e']);
});

test('removals of every member leave no members, and a filter other than value eq is not merged', () => {
  const all = ['a', 'b', 'c', 'd'].map((v) => ({ op: 'remove', path: `members[value eq "${v}"]` }));
  assert.equal(applyPatch(group, body(all), { resourceType: 'Group' }).members, undefined);
  const other = [{ op: 'remove', path: 'members[display eq "x"]' }, { op: 'remove', path: 'members[value eq "a"]' }];
  assert.equal(coalesceRemovals(other).length, 2);
});
