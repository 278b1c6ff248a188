// `npm ci` on Node 20 warns EBADENGINE for cookie@2 (via fastify's light-my-request) and
// content-disposition@3 (via @fastify/static): both declare engines ">=22" but only need
// require(esm), which Node has unflagged since 20.19. That one warning is noise there and is
// dropped; every other npm line, and the same warning on an older Node, is passed through.
// Plain JS with no dependencies: ensure-deps runs it before node_modules exists.
const KNOWN = /package: '(cookie@2\.|content-disposition@3\.)/;
const PREFIX = /^npm warn EBADENGINE/i;

/** True when `version` ("20.20.2" or "v20.20.2") has require(esm) without a flag. */
export function hasRequireEsm(version) {
  const [major, minor] = version.replace(/^v/, '').split('.').map(Number);
  return major > 22 || (major === 22 && minor >= 12) || (major === 20 && minor >= 19);
}

/** `stderr` of npm without the EBADENGINE blocks of the two known packages (when harmless here). */
export function dropKnownEngineWarnings(stderr, nodeVersion = process.versions.node) {
  if (!hasRequireEsm(nodeVersion)) return stderr;
  const out = [];
  let block = [];
  const flush = () => {
    if (!KNOWN.test(block.join('\n'))) out.push(...block);
    block = [];
  };
  for (const line of stderr.split('\n')) {
    if (PREFIX.test(line)) {
      if (/Unsupported engine/i.test(line)) flush();
      block.push(line);
    } else {
      flush();
      out.push(line);
    }
  }
  flush();
  return out.join('\n');
}
