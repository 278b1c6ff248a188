/** Every IdP fixture replayed against the gateway (app.inject, real Redis), one connection each. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gatewayPerFile } from '../support/per-file.ts';
import { createConnection } from '../support/gateway.ts';
import { IDPS, loadFixture } from './fixture.ts';
import { replay, type Send } from './replay.ts';

const shared = gatewayPerFile();

for (const idp of IDPS) {
  test(`${idp}: the fixture's request sequence gets the answers the IdP needs`, async () => {
    const fixture = loadFixture(idp);
    // The test connector has other role names than UXPin: role settings are the end-to-end replay's.
    const c = await createConnection(shared.gw, undefined, { deprovision: fixture.settings.deprovision });
    const send: Send = async (method, path, body, headers) => {
      const res = await shared.gw.app.inject({
        method: method as 'GET', url: `${c.base}${path}`,
        headers: { ...c.auth, ...headers, ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }) },
        ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
      });
      return { status: res.statusCode, body: res.body ? res.json() : undefined, headers: res.headers };
    };
    const { answers } = await replay(fixture, send);
    assert.equal(answers.length, fixture.steps.length);
    for (const answer of answers) {
      if (answer.body !== undefined) assert.match(String(answer.headers['content-type']), /application\/scim\+json/);
    }
  });
}
