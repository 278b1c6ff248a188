/**
 * The two baselines of the UXPin deprovision bench (bench/uxpin.ts), and the latency summary they
 * share with it: (a) a naive script, a fresh Chromium and a login per job using the same connector
 * operations, with or without the runner's evidence; (b) the lower bound, the sandbox's own HTTP
 * calls for the same change, all at once, no browser.
 */
import { performance } from 'node:perf_hooks';
import type { ConnectorContext } from '../core/connector.ts';
import { uxpin, uxpinSettings, type UxpinSettings } from '../connectors/uxpin/index.ts';
import { openTeam } from '../connectors/uxpin/session.ts';
import { newRunId } from '../core/runs/store.ts';
import { launchChromium } from '../runner/browser/chromium.ts';
import { createStepper } from '../runner/evidence/step.ts';
import { createFsEvidenceStore } from '../runner/evidence/store.ts';
import type { UxpinSandbox } from '../test/sandboxes/uxpin/index.ts';
import { percentile } from './lib/stats.ts';

export interface Case { n: number; p50Ms: number; p95Ms: number; maxMs: number; wallMs: number; projected?: boolean }

export const ms = (n: number) => Math.round(n);
export const emailOf = (mode: string, i: number) => `${mode}${String(i).padStart(3, '0')}@example.com`;

export function summary(latencies: number[], wallMs: number, projected = false): Case {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    n: sorted.length, p50Ms: ms(percentile(sorted, 50)), p95Ms: ms(percentile(sorted, 95)), maxMs: ms(sorted.at(-1) ?? 0),
    wallMs: ms(wallMs), ...(projected ? { projected } : {}),
  };
}

// ---- (b) the lower bound: the sandbox's own calls, no browser ----

async function httpLogin(sandbox: UxpinSandbox): Promise<string> {
  const res = await fetch(`${sandbox.url}/login`, {
    method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email: sandbox.admin.email, password: sandbox.admin.password }),
  });
  const cookie = res.headers.get('set-cookie')?.split(';')[0];
  if (!cookie) throw new Error(`sandbox login failed: ${res.status}`);
  return cookie;
}

/** The removal as the team screen's script sends it, then the list read back by search. */
async function httpRemove(sandbox: UxpinSandbox, cookie: string, email: string): Promise<void> {
  const res = await fetch(`${sandbox.url}/team/members/remove`, {
    method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify({ email }),
  });
  if (!res.ok) throw new Error(`remove ${email}: ${res.status}`);
  const list = await (await fetch(`${sandbox.url}/team?q=${encodeURIComponent(email)}`, { headers: { cookie } })).text();
  if (list.includes(`<td>${email}</td>`)) throw new Error(`${email} still listed`);
}

export async function lowerBound(sandbox: UxpinSandbox, n: number, offset: number): Promise<Case> {
  const cookie = await httpLogin(sandbox);
  const started = performance.now();
  const latencies = await Promise.all(Array.from({ length: n }, async (_, i) => {
    await httpRemove(sandbox, cookie, emailOf('lb', offset + i));
    return performance.now() - started;
  }));
  return summary(latencies, performance.now() - started);
}

// ---- (a) naive: a fresh browser and a login per job ----

/**
 * One naive job. With `evidenceDir`, the same evidence as the runner (screenshots around every
 * step, sealed hash-chained manifest), to tell the cost of the fresh browser from that of evidence.
 */
export async function naiveRemove(sandbox: UxpinSandbox, email: string, evidenceDir?: string): Promise<void> {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const secrets = () => [sandbox.admin.password];
    const recorder = evidenceDir
      ? await createFsEvidenceStore(evidenceDir).openRun({ connectionId: 'naive', runId: newRunId(), startedAt: new Date(), secrets })
      : undefined;
    const ctx: ConnectorContext<UxpinSettings> = {
      connectionId: 'naive', baseUrl: sandbox.url, credentials: { email: sandbox.admin.email, password: sandbox.admin.password },
      settings: uxpinSettings.parse({}), page: async () => page,
      step: recorder ? createStepper({ recorder, page: () => page, secrets, log: () => {} }) : (_name, fn) => fn(),
      vault: { get: async () => undefined, set: async () => {} }, addSecret: () => {}, signal: new AbortController().signal, log: () => {},
    };
    const ops = uxpin.operations;
    await ops.login(ctx);
    const found = await ops.findUser(ctx, email);
    if (found) await ops.remove(ctx, found);
    if (await ops.findUser(ctx, email)) throw new Error(`naive: ${email} still listed`);
    await recorder?.seal({ outcome: 'succeeded', attempt: 1, trigger: { kind: 'naive', email } });
  } finally {
    await browser.close();
  }
}

/** One job after another, all "arriving" at once: job k waits for the k-1 before it. */
export async function naive(sandbox: UxpinSandbox, n: number, offset: number, evidenceDir?: string): Promise<{ real: Case; perJobMs: number }> {
  const started = performance.now();
  const latencies: number[] = [];
  for (let i = 0; i < n; i++) {
    await naiveRemove(sandbox, emailOf(evidenceDir ? 'ne' : 'nv', offset + i), evidenceDir);
    latencies.push(performance.now() - started);
  }
  return { real: summary(latencies, performance.now() - started), perJobMs: (performance.now() - started) / n };
}

/** A serial queue of `n` jobs of `perJobMs` each: job k finishes at k · perJobMs. */
export function projectSerial(n: number, perJobMs: number): Case {
  return summary(Array.from({ length: n }, (_, i) => (i + 1) * perJobMs), n * perJobMs, true);
}


// ---- (c) a good script: one browser, a saved login, the connector's clicks, nothing else ----

export interface GoodScript {
  /** One removal: the connector's search then its remove, no evidence, no read-back; ms per phase. */
  remove(email: string): Promise<{ findMs: number; removeMs: number; totalMs: number }>;
  close(): Promise<void>;
}

/**
 * What a careful IT admin would script: the browser, login and team screen are set up once, before
 * any job; each job is the connector's page-object search and remove, nothing read back.
 */
export async function goodScript(sandbox: UxpinSandbox): Promise<GoodScript> {
  const browser = await launchChromium();
  const page = await browser.newPage();
  const ctx: ConnectorContext<UxpinSettings> = {
    connectionId: 'good-script', baseUrl: sandbox.url, credentials: { email: sandbox.admin.email, password: sandbox.admin.password },
    settings: uxpinSettings.parse({}), page: async () => page, step: (_name, fn) => fn(),
    vault: { get: async () => undefined, set: async () => {} }, addSecret: () => {}, signal: new AbortController().signal, log: () => {},
  };
  await uxpin.operations.login(ctx);
  // The team screen stays open between jobs: a script searches again in the same page.
  const team = await openTeam(ctx);
  return {
    async remove(email) {
      const started = performance.now();
      const found = await team.find(email);
      const foundAt = performance.now();
      if (!found) throw new Error(`good script: ${email} is not a member`);
      await team.removeUser(found.email, { relist: false });
      const done = performance.now();
      return { findMs: foundAt - started, removeMs: done - foundAt, totalMs: done - started };
    },
    close: () => browser.close(),
  };
}
