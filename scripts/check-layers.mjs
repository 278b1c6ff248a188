#!/usr/bin/env node
// Layers point one way (shared/STYLE.md): api → core; runner → core, connectors; connectors → core.
// api never imports BullMQ or Playwright; core imports neither at runtime (type imports are fine);
// a connector never imports Fastify or BullMQ. Exits 1 naming each breach.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const RULES = {
  api: { packages: [/^bullmq/, /^playwright/, /^@playwright\//], folders: ['runner', 'connectors'] },
  core: { packages: [/^bullmq/, /^playwright/, /^@playwright\//, /^fastify/, /^@fastify\//], folders: ['api', 'runner', 'connectors'] },
  connectors: { packages: [/^bullmq/, /^fastify/, /^@fastify\//], folders: ['api', 'runner'] },
  runner: { packages: [/^fastify/, /^@fastify\//], folders: ['api'] },
};
const IMPORT = /^\s*(import|export)\s+(type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm;

function files(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...files(path));
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const breaches = [];
for (const [layer, rule] of Object.entries(RULES)) {
  let list = [];
  try { list = files(join(root, layer)); } catch { continue; }
  for (const file of list) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(IMPORT)) {
      const typeOnly = Boolean(match[2]);
      const spec = match[3] ?? match[4] ?? match[5];
      if (!spec || typeOnly) continue;
      const rel = relative(root, file);
      if (rule.packages.some((p) => p.test(spec))) breaches.push(`${rel}: imports ${spec}`);
      if (spec.startsWith('.')) {
        const target = relative(root, join(file, '..', spec)).split('/')[0];
        if (rule.folders.includes(target)) breaches.push(`${rel}: imports ${target}/ (${spec})`);
      }
    }
  }
}
if (breaches.length > 0) {
  console.error(`Layer breaches (see shared/STYLE.md, "Layers point one way"):\n  ${breaches.join('\n  ')}`);
  process.exit(1);
}
console.log('layers: ok');
