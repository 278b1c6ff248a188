/**
 * Replays an IdP fixture (fixture.ts) through any transport — `app.inject()` for the gateway
 * tests, HTTP for the end-to-end stack — substituting `{{placeholders}}`, capturing ids from
 * answers and checking each answer. A mismatch names the step and shows the answer.
 */
import assert from 'node:assert/strict';
import type { Fixture, FixtureStep } from './fixture.ts';

export interface ReplayAnswer {
  status: number;
  body: unknown;
  headers: Record<string, string | string[] | number | undefined>;
}

/** Sends one request; `path` is below the connection's SCIM base URL and already encoded. */
export type Send = (method: string, path: string, body: unknown, headers: Record<string, string>) => Promise<ReplayAnswer>;

export interface ReplayResult {
  vars: Record<string, string>;
  answers: ReplayAnswer[];
}

function substitute(text: string, vars: Record<string, string>, where: string): string {
  return text.replace(/\{\{(\w+)\}\}/g, (_m, name: string) => {
    const value = vars[name];
    if (value === undefined) throw new Error(`${where}: no value for {{${name}}} yet`);
    return value;
  });
}

/** Deep substitution in a JSON body; strings only, keys untouched. */
function fill(value: unknown, vars: Record<string, string>, where: string): unknown {
  if (typeof value === 'string') return substitute(value, vars, where);
  if (Array.isArray(value)) return value.map((v) => fill(v, vars, where));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, vars, where)]));
  }
  return value;
}

/** `/Users?filter=userName eq "x"&count=1`: each query value URL-encoded, as the IdP's HTTP client does. */
export function encodePath(path: string): string {
  const [route, query] = path.split(/\?(.*)/s, 2) as [string, string | undefined];
  if (!query) return route;
  const params = query.split('&').map((pair) => {
    const i = pair.indexOf('=');
    return i === -1 ? encodeURIComponent(pair) : `${pair.slice(0, i)}=${encodeURIComponent(pair.slice(i + 1))}`;
  });
  return `${route}?${params.join('&')}`;
}

function at(value: unknown, dotted: string): unknown {
  return dotted.split('.').reduce<unknown>((v, key) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined), value);
}

/** `expected` is a subset of `actual`; string comparisons are exact (placeholders already filled). */
export function assertSubset(actual: unknown, expected: unknown, where: string): void {
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${where}: expected an array, got ${JSON.stringify(actual)}`);
    assert.equal(actual.length, expected.length, `${where}: array length`);
    expected.forEach((e, i) => assertSubset(actual[i], e, `${where}[${i}]`));
  } else if (expected && typeof expected === 'object') {
    assert.ok(actual && typeof actual === 'object' && !Array.isArray(actual), `${where}: expected an object, got ${JSON.stringify(actual)}`);
    for (const [key, e] of Object.entries(expected)) assertSubset((actual as Record<string, unknown>)[key], e, `${where}.${key}`);
  } else {
    assert.deepEqual(actual, expected, where);
  }
}

function check(step: FixtureStep, answer: ReplayAnswer, vars: Record<string, string>, where: string): void {
  const allowed = Array.isArray(step.expect.status) ? step.expect.status : [step.expect.status];
  assert.ok(allowed.includes(answer.status), `${where}: answered ${answer.status}, the IdP needs ${allowed.join(' or ')}: ${String(JSON.stringify(answer.body)).slice(0, 400)}`);
  if (step.expect.body !== undefined) assertSubset(answer.body, fill(step.expect.body, vars, where), where);
  for (const name of step.expect.absent ?? []) {
    assert.equal((answer.body as Record<string, unknown> | undefined)?.[name], undefined, `${where}: '${name}' must be absent`);
  }
}

/** Runs every step of `fixture` in order; `extraVars` (e.g. a per-run email) override the fixture's. */
export async function replay(fixture: Fixture, send: Send, extraVars: Record<string, string> = {}): Promise<ReplayResult> {
  const vars = { ...fixture.vars, ...extraVars };
  const answers: ReplayAnswer[] = [];
  for (const [i, step] of fixture.steps.entries()) {
    const where = `${fixture.name} step ${i + 1} (${step.does}: ${step.method} ${step.path})`;
    const path = encodePath(substitute(step.path, vars, where));
    const body = step.body === undefined ? undefined : fill(step.body, vars, where);
    const headers = { ...fixture.headers, ...step.headers };
    const answer = await send(step.method, path, body, headers);
    check(step, answer, vars, where);
    for (const [name, dotted] of Object.entries(step.capture ?? {})) {
      const value = at(answer.body, dotted);
      assert.equal(typeof value, 'string', `${where}: nothing to capture at '${dotted}' for {{${name}}}`);
      vars[name] = value as string;
    }
    answers.push(answer);
  }
  return { vars, answers };
}

/** The fixture's expected app users with placeholders filled. */
export function expectedApp(fixture: Fixture, vars: Record<string, string>) {
  return fixture.app.map((u) => ({ ...u, email: substitute(u.email, vars, `${fixture.name} app`).toLowerCase() }));
}
