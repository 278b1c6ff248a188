/**
 * The "Request sequence" table of docs/idp/<idp>.md, rendered from the IdP's fixture so that the
 * guide shows exactly what the tests replay. guides.test.ts fails when a guide's table differs;
 * `node --import tsx test/idp/sequence-table.ts --write` rewrites the tables in place.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { IDPS, loadFixture, type Fixture, type FixtureStep, type IdpName } from './fixture.ts';

export const BEGIN = '<!-- sequence:begin (generated from the fixture by test/idp/sequence-table.ts; do not edit) -->';
export const END = '<!-- sequence:end -->';

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function status(step: FixtureStep): string {
  const s = step.expect.status;
  return Array.isArray(s) ? s.join(' or ') : String(s);
}

function bodyHint(step: FixtureStep): string {
  const body = step.body as Record<string, unknown> | undefined;
  if (!body) return '';
  const ops = body.Operations as Array<{ op: string; path?: string }> | undefined;
  if (ops) return ops.map((o) => `${o.op} ${o.path ?? '(no path)'}`).join('; ');
  return Object.keys(body).filter((k) => k !== 'schemas').slice(0, 6).join(', ');
}

export function renderTable(fixture: Fixture): string {
  const rows = fixture.steps.map((step, i) => {
    const hint = bodyHint(step);
    const request = `\`${step.method} ${step.path}\`${hint ? ` — ${hint}` : ''}`;
    return `| ${i + 1} | ${cell(step.does)} | ${cell(request)} | ${status(step)} | ${cell(step.note ?? '')} |`;
  });
  return [BEGIN, '| # | The IdP does | Request | Needs | Note |', '|---|---|---|---|---|', ...rows, END].join('\n');
}

export function guidePath(idp: IdpName): URL {
  return new URL(`../../docs/idp/${idp}.md`, import.meta.url);
}

/** The guide's text with its sequence table replaced by the rendered one. */
export function withTable(guide: string, fixture: Fixture): string {
  const start = guide.indexOf(BEGIN);
  const end = guide.indexOf(END);
  if (start === -1 || end < start) throw new Error(`docs/idp/${fixture.idp}.md has no sequence markers`);
  return guide.slice(0, start) + renderTable(fixture) + guide.slice(end + END.length);
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv.includes('--write')) {
  for (const idp of IDPS) {
    const path = guidePath(idp);
    writeFileSync(path, withTable(readFileSync(path, 'utf8'), loadFixture(idp)));
  }
}
