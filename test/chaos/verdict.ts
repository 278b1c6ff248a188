/**
 * How a chaos run is judged — from outside only: the sandbox's team and the SCIM API. The checks of
 * issue 17: final membership and roles = desired for every user (seeded members untouched), no
 * duplicate invite, every acknowledged write still readable (those acknowledged within 1 s before
 * the Redis kill counted apart), no run left "running", no 5xx except while Redis was down.
 */
import type { ChaosOptions } from './scenario.ts';
import type { SandboxHost } from './sandbox-host.ts';
import type { ScimClient } from './scim-client.ts';
import { readBack, type Traffic } from './traffic.ts';

export interface SeededMember {
  email: string;
  role: string;
  status: string;
}

/** Every user's address is in the team with the desired role exactly when it should be; seeded ones as seeded. */
export function mismatches(sandbox: SandboxHost, traffic: Traffic, seeded: readonly SeededMember[]): string[] {
  const members = new Map(sandbox.members().map((m) => [m.email, m]));
  const out: string[] = [];
  for (const user of traffic.users) {
    const role = members.get(user.email)?.role;
    if (role !== user.appRole) out.push(`${user.email}: app shows ${role ?? 'no member'}, desired ${user.appRole ?? 'no member'}`);
  }
  for (const s of seeded) {
    const m = members.get(s.email);
    if (m?.role !== s.role || m.status !== s.status) out.push(`seeded ${s.email} changed: ${JSON.stringify(m ?? null)}`);
  }
  return out;
}

export async function converged(sandbox: SandboxHost, traffic: Traffic, seeded: readonly SeededMember[]): Promise<boolean> {
  return mismatches(sandbox, traffic, seeded).length === 0;
}

/** Invitations beyond one per time the address had to (re)join the team. */
export function duplicateInvites(sandbox: SandboxHost, traffic: Traffic): string[] {
  const sent = sandbox.invitesSent();
  return traffic.users.filter((u) => (sent[u.email] ?? 0) > u.becamePresent)
    .map((u) => `${u.email}: ${sent[u.email]} invitations for ${u.becamePresent} (re)joins`);
}

/**
 * Right after Redis came back, before new writes: each user must read as last acknowledged before
 * the kill (or as a write acknowledged after it, an answer that was in flight). A loss counts as
 * `within1s` when that acknowledgement came less than 1 s before the kill (appendfsync everysec's window).
 */
export async function lostAcrossRedisKill(traffic: Traffic, client: ScimClient, killAt: number) {
  const out = { within1s: 0, older: 0, details: [] as string[] };
  await Promise.all(traffic.users.map(async (user) => {
    const before = user.expectedAt(killAt);
    if (!before) return;
    let difference: string | undefined;
    for (const candidate of [before, ...user.acks.filter((a) => a.at >= killAt)]) {
      const d = await readBack(client, user, candidate.expected);
      if (!d) return;
      difference ??= d;
    }
    if (killAt - before.at < 1_000) out.within1s += 1;
    else out.older += 1;
    out.details.push(`${difference} (${before.op} acknowledged ${killAt - before.at} ms before the kill)`);
  }));
  return out;
}

export interface ChaosFigures {
  verdict: 'pass' | 'fail';
  problems: string[];
  figures: Record<string, number | string | null>;
}

interface JudgeInput {
  options: ChaosOptions;
  traffic: Traffic;
  client: ScimClient;
  sandbox: SandboxHost;
  seeded: readonly SeededMember[];
  chaos: { workerKills: number; redisDownAt: number; redisUpAt: number; lostAcrossKill: { within1s: number; older: number; details: string[] } };
  convergedAt: number | undefined;
  runningAfter: number;
  startedAt: number;
}

/** 5xx (and refused connections) are allowed from the Redis kill until the gateway is healthy again, plus 2 s. */
const OUTAGE_GRACE_MS = 2_000;

export async function judge(input: JudgeInput): Promise<ChaosFigures> {
  const { traffic, client, chaos, options } = input;
  const problems: string[] = [];
  const mismatch = mismatches(input.sandbox, traffic, input.seeded);
  problems.push(...mismatch.slice(0, 20).map((m) => `not converged: ${m}`));
  const duplicates = duplicateInvites(input.sandbox, traffic);
  problems.push(...duplicates.map((d) => `duplicate invite: ${d}`));
  const finalLost: string[] = [];
  for (const user of traffic.users) {
    const difference = await readBack(client.ungated(), user, user.expected);
    if (difference) finalLost.push(difference);
  }
  problems.push(...finalLost.map((d) => `acknowledged write not readable at the end: ${d}`));
  if (input.runningAfter > 0) problems.push(`${input.runningAfter} runs still "running" after convergence`);
  const inOutage = (at: number) => chaos.redisDownAt > 0 && at >= chaos.redisDownAt && at <= chaos.redisUpAt + OUTAGE_GRACE_MS;
  const bad = client.exchanges.filter((e) => e.status >= 500 || e.status === 0);
  const outside = bad.filter((e) => !inOutage(e.at));
  if (outside.length > 0) problems.push(`${outside.length} 5xx or refused answers outside the Redis outage (${outside.slice(0, 5).map((e) => `${e.method} ${e.status}`).join(', ')})`);
  const lost = chaos.lostAcrossKill;
  if (options.fsync === 'always' && lost.within1s + lost.older > 0) problems.push(`appendfsync always lost ${lost.within1s + lost.older} acknowledged writes: ${lost.details.slice(0, 5).join('; ')}`);
  if (options.fsync === 'everysec' && lost.older > 0) problems.push(`appendfsync everysec lost ${lost.older} writes acknowledged more than 1 s before the kill: ${lost.details.slice(0, 5).join('; ')}`);
  problems.push(...traffic.problems.map((p) => `unexpected answer: ${p}`));
  const writes = traffic.users.reduce((n, u) => n + u.acks.length, 0);
  return {
    verdict: problems.length === 0 ? 'pass' : 'fail',
    problems,
    figures: {
      users: options.users, fsync: options.fsync, acknowledgedWrites: writes, requests: client.exchanges.length,
      workerKills: chaos.workerKills, sandboxRestarts: input.sandbox.restarts,
      redisOutageSeconds: chaos.redisDownAt ? Number(((chaos.redisUpAt - chaos.redisDownAt) / 1000).toFixed(1)) : null,
      requestsInOutage: client.exchanges.filter((e) => inOutage(e.at)).length,
      fiveXxDuringOutage: bad.length - outside.length, fiveXxOutsideOutage: outside.length,
      lostWithin1sBeforeKill: lost.within1s, lostOlderThan1s: lost.older, lostAtEnd: finalLost.length,
      duplicateInvites: duplicates.length, notConverged: mismatch.length, runsLeftRunning: input.runningAfter,
      convergeSecondsAfterLastWrite: input.convergedAt === undefined ? null : Number((Math.max(0, input.convergedAt - traffic.lastWriteAt) / 1000).toFixed(1)),
      totalSeconds: Number(((Date.now() - input.startedAt) / 1000).toFixed(1)),
    },
  };
}
