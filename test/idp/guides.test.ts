/** The setup guides cannot drift from the fixtures the tests replay. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { IDPS, loadFixture } from './fixture.ts';
import { guidePath, renderTable, withTable } from './sequence-table.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

for (const idp of IDPS) {
  test(`docs/idp/${idp}.md: links its fixture, shows its exact sequence, names its deprovision setting`, () => {
    const guide = readFileSync(guidePath(idp), 'utf8');
    const fixture = loadFixture(idp);
    assert.ok(guide.includes(`(../../test/idp/fixtures/${idp}.json)`), 'links the fixture');
    assert.ok(guide.includes(renderTable(fixture)), 'the sequence table is the fixture (run: node --import tsx test/idp/sequence-table.ts --write)');
    assert.equal(withTable(guide, fixture), guide);
    assert.ok(guide.includes(`"deprovision": "${String(fixture.settings.deprovision)}"`), 'recommends the deprovision setting the fixture replays');
    for (const source of fixture.sources) assert.ok(guide.includes(source.url), `cites ${source.url}`);
    assert.ok(readme.includes(`(docs/idp/${idp}.md)`), 'the README links the guide');
  });
}
