/** ensure-deps drops npm's EBADENGINE warning for the two known ESM-only packages, and only that. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dropKnownEngineWarnings, hasRequireEsm } from '../../scripts/npm-engine-noise.mjs';

const block = (pkg: string) => [
  'npm warn EBADENGINE Unsupported engine {',
  `npm warn EBADENGINE   package: '${pkg}',`,
  "npm warn EBADENGINE   required: { node: '>=22' },",
  "npm warn EBADENGINE   current: { node: 'v20.20.2', npm: '11.19.1' }",
  'npm warn EBADENGINE }',
].join('\n');

const stderr = [block('content-disposition@3.0.0'), block('left-pad@9.0.0'), block('cookie@2.0.2'), 'npm warn deprecated glob@7', ''].join('\n');

test('on Node 20.19+ the cookie@2 and content-disposition@3 engine warnings go, others stay', () => {
  const out = dropKnownEngineWarnings(stderr, '20.20.2');
  assert.ok(!out.includes('content-disposition') && !out.includes('cookie@'), out);
  assert.ok(out.includes(block('left-pad@9.0.0')), 'an unknown package still warns');
  assert.ok(out.includes('npm warn deprecated glob@7'), 'other warnings pass through');
});

test('on a Node without require(esm) the warning is real and stays', () => {
  assert.equal(dropKnownEngineWarnings(stderr, 'v20.11.0'), stderr);
  assert.equal(hasRequireEsm('v20.18.3'), false);
  assert.equal(hasRequireEsm('v21.7.0'), false);
  assert.equal(hasRequireEsm('22.12.0'), true);
  assert.equal(hasRequireEsm('24.1.0'), true);
});
