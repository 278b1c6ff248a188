/**
 * Where one UXPin offboarding's time goes (issue 16, item 1): ROUNDS single removals through
 * scimwright (SCIM PATCH active=false → queue → worker → browser → evidence sealed → state
 * `removed`), each taken in turn with one removal by a good script (one browser, saved login, the
 * team screen kept open, the connector's page-object search and remove; no evidence, no read-back),
 * the sandbox answering every request after 150 ms. scimwright's phases come from its own records:
 * the BullMQ job's timestamps, the run record, and the sealed manifest's step times, so the bench
 * measures the product as it runs, with no probes inside it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { manifestSchema } from '../runner/evidence/manifest.ts';
import { startRedis } from '../test/support/redis.ts';
import { addUxpinConnection, scim, startStack, type ScimConnection, type Stack } from '../test/support/stack.ts';
import type { Table } from './lib/report.ts';
import { percentile } from './lib/stats.ts';
import { CASE_LIMIT_MS, completions, PATCH_INACTIVE, scimUsersFor, seedMembers, within } from './lib/uxpin-stack.ts';
import { emailOf, goodScript, ms } from './uxpin-baselines.ts';

const LATENCY_MS = 150;
const ROUNDS = Number(process.env.BENCH_UXPIN_PHASE_ROUNDS ?? 9);

type Phases = Map<string, number>;
const wall = (perfMs: number) => performance.timeOrigin + perfMs;
const at = (iso: string) => Date.parse(iso);

/** A step's name without the address it was about, so that rounds add up by phase. */
function phaseName(step: string): string {
  return `step: ${step.replace(/[^\s@]+@[^\s@]+/g, '<email>')}`;
}

/** One removal through scimwright, cut into phases from the job, the run record and the manifest. */
async function scimwrightRemoval(stack: Stack, conn: ScimConnection, userId: string): Promise<Phases> {
  const watch = completions(stack, conn, [userId]);
  try {
    const sent = performance.now();
    const res = await scim(conn, 'PATCH', `/Users/${userId}`, PATCH_INACTIVE);
    if (res.status !== 200) throw new Error(`PATCH ${userId}: ${res.status}`);
    const answered = performance.now();
    const { at: doneAt, job } = await within(watch.done.get(userId)!, CASE_LIMIT_MS, `removal of ${userId}`);
    const run = (await stack.runs.list(conn.id, { userId }))[0];
    if (!run?.evidence?.manifest || !run.endedAt) throw new Error(`removal of ${userId}: no sealed run`);
    const manifest = manifestSchema.parse(JSON.parse(readFileSync(join(stack.config.recordingsDir, run.evidence.dir, 'manifest.json'), 'utf8')));
    const top = manifest.steps.filter((s) => s.parent === null);
    const phases: Phases = new Map();
    const add = (name: string, msTaken: number) => phases.set(name, (phases.get(name) ?? 0) + Math.max(0, msTaken));
    add('SCIM answer', answered - sent);
    add('queue pickup (answer → job started)', (job.processedOn ?? 0) - wall(answered));
    add('job start → run recorded (lock, run record)', at(run.startedAt) - (job.processedOn ?? 0));
    const writtenAt = new Map(manifest.files.map((f) => [f.name, at(f.writtenAt)]));
    let cursor = at(run.startedAt);
    for (const step of top) {
      add('outside steps (page loads, browser context, decisions)', at(step.startedAt) - cursor);
      // The step's first file is its "before" screenshot: masked, taken, hashed and written.
      const before = step.files.find((f) => f.endsWith('before.png'));
      const shot = before ? (writtenAt.get(before) ?? at(step.startedAt)) - at(step.startedAt) : 0;
      add('before-screenshots (mask, capture, hash, write)', shot);
      add(`${phaseName(step.name)} (incl. its after-screenshot)`, at(step.endedAt) - at(step.startedAt) - shot);
      cursor = at(step.endedAt);
    }
    add('last step → manifest closed', at(manifest.endedAt) - cursor);
    add('manifest seal (chain lock, write)', at(manifest.sealedAt) - at(manifest.endedAt));
    add('seal → run record ended', at(run.endedAt) - at(manifest.sealedAt));
    add('run ended → removal observed (state, job done)', wall(doneAt) - at(run.endedAt));
    phases.set('total (SCIM answer → removal observed)', doneAt - answered);
    // Not a time: how many screenshots the run captured, and how many times its steps named one.
    phases.set('screenshots captured (count)', manifest.files.filter((f) => f.name.endsWith('.png')).length);
    phases.set('screenshots named by steps (count)', top.flatMap((s) => s.files).filter((f) => f.endsWith('.png')).length);
    return phases;
  } finally {
    watch.stop();
  }
}

function medians(samples: Phases[]): Map<string, number> {
  const names = [...new Set(samples.flatMap((s) => [...s.keys()]))];
  return new Map(names.map((name) => {
    const xs = samples.map((s) => s.get(name) ?? 0).sort((a, b) => a - b);
    return [name, ms(percentile(xs, 50))];
  }));
}

export async function benchUxpinPhases(): Promise<Record<string, unknown>> {
  const redis = await startRedis();
  const stack = await startStack({ redisUrl: redis.url, sandbox: { seed: seedMembers({ ph: ROUNDS + 1, gs: ROUNDS + 1 }) } });
  const script = await goodScript(stack.sandbox);
  try {
    const conn = await addUxpinConnection(stack);
    const ids = await scimUsersFor(stack, conn, Array.from({ length: ROUNDS + 1 }, (_, i) => emailOf('ph', i)));
    stack.sandbox.setKnobs({ latencyMs: LATENCY_MS });
    await scimwrightRemoval(stack, conn, ids[0]!); // browser launch + login: not in the figures
    await script.remove(emailOf('gs', 0));
    const ours: Phases[] = [];
    const theirs: Phases[] = [];
    for (let i = 1; i <= ROUNDS; i++) {
      ours.push(await scimwrightRemoval(stack, conn, ids[i]!));
      const good = await script.remove(emailOf('gs', i));
      theirs.push(new Map([['search', good.findMs], ['remove (click, confirm, app answer)', good.removeMs], ['total', good.totalMs]]));
    }
    if (ids.some((_, i) => stack.sandbox.state.find(emailOf('ph', i)))) throw new Error('a removal did not reach the sandbox');
    const totals = ours.map((p) => p.get('total (SCIM answer → removal observed)') ?? 0).sort((a, b) => a - b);
    const goodTotals = theirs.map((p) => p.get('total') ?? 0).sort((a, b) => a - b);
    const out = {
      latencyMs: LATENCY_MS, rounds: ROUNDS,
      scimwright: Object.fromEntries(medians(ours)), goodScript: Object.fromEntries(medians(theirs)),
      scimwrightP50Ms: ms(percentile(totals, 50)), scimwrightP95Ms: ms(percentile(totals, 95)),
      goodScriptP50Ms: ms(percentile(goodTotals, 50)), goodScriptP95Ms: ms(percentile(goodTotals, 95)),
    };
    return { ...out, tables: tables(out) };
  } finally {
    await script.close();
    await stack.close();
    await redis.stop();
  }
}

function tables(out: { rounds: number; scimwright: Record<string, number>; goodScript: Record<string, number>; scimwrightP50Ms: number; scimwrightP95Ms: number; goodScriptP50Ms: number; goodScriptP95Ms: number }): Table[] {
  const ratio = Number((out.scimwrightP50Ms / out.goodScriptP50Ms).toFixed(2));
  return [
    {
      title: `One UXPin offboarding, phase by phase (median of ${out.rounds} rounds, sandbox at ${LATENCY_MS} ms per request)`,
      columns: ['scimwright phase', 'p50 ms'],
      rows: Object.entries(out.scimwright).map(([name, v]) => [name, v]),
      note: 'Phases are read from the product\'s own records: the job\'s timestamps, the run record and the sealed manifest\'s step times. '
        + 'Medians of each phase do not add up to the median total.',
    },
    {
      title: 'The good script for the same removal, taken in turn with each scimwright round',
      columns: ['good-script phase', 'p50 ms'],
      rows: Object.entries(out.goodScript).map(([name, v]) => [name, v]),
      note: 'One browser, one login and the team screen set up before the first job; per job the connector\'s page-object search and remove; no evidence, no read-back.',
    },
    {
      title: 'One offboarding: scimwright against the good script, same run',
      columns: ['scimwright p50 ms', 'scimwright p95 ms', 'good script p50 ms', 'good script p95 ms', 'scimwright / good script (p50)', 'goal: scimwright p50 ≤ 1500, p95 ≤ 2000'],
      rows: [[out.scimwrightP50Ms, out.scimwrightP95Ms, out.goodScriptP50Ms, out.goodScriptP95Ms, ratio,
        out.scimwrightP50Ms <= 1500 && out.scimwrightP95Ms <= 2000 ? 'met' : 'not met']],
    },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await benchUxpinPhases(), null, 2));
}
