/**
 * How far a connection's import has come ("312 of 2,000 in sync, ~3 min left"), for the users
 * page and its JSON twin that the page's script polls (assets/console.js, no reload). The time
 * left comes from the measured pace: users that settled (in sync, failed or removed) in the last
 * few minutes, from the state index's own entry times, so every reader sees the same estimate.
 */
import type { FastifyInstance } from 'fastify';

/** How far back the pace is measured. */
const PACE_WINDOW_MS = 5 * 60 * 1000;
/** Fewer settled users than this in the window give no estimate (a pace from one or two is noise). */
const MIN_SAMPLES = 3;

export interface ImportProgress {
  /** Users that should be in the app: every listed user but the removed ones. */
  total: number;
  inSync: number;
  /** Waiting for a try, including those retrying after a failed one. */
  pending: number;
  retrying: number;
  failed: number;
  removed: number;
  /** Users settled per minute over the window, when measurable. */
  perMinute?: number;
  /** Seconds until the pending users are done at that pace. */
  etaSeconds?: number;
  /** The sentence the page shows. */
  text: string;
}

const count = (n: number) => n.toLocaleString('en-US');

export function duration(seconds: number): string {
  if (seconds < 60) return 'under a minute';
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

export function progressText(p: Omit<ImportProgress, 'text'>): string {
  const parts = [`${count(p.inSync)} of ${count(p.total)} in sync`];
  if (p.pending > 0) {
    if (p.etaSeconds !== undefined) parts[0] += `, ~${duration(p.etaSeconds)} left`;
    parts.push(`${count(p.pending)} waiting${p.retrying > 0 ? ` (${count(p.retrying)} retrying)` : ''}`);
    if (p.perMinute === undefined) parts.push('too few finished in the last 5 min to estimate the time left');
    else parts.push(`${p.perMinute < 10 ? p.perMinute.toFixed(1) : count(Math.round(p.perMinute))} per min`);
  }
  if (p.failed > 0) parts.push(`${count(p.failed)} failed`);
  return `${parts.join(' · ')}.`;
}

export async function importProgress(app: FastifyInstance, connectionId: string, now = Date.now()): Promise<ImportProgress> {
  const { provisioning } = app.scimwright.directory;
  const [states, list] = await Promise.all([provisioning.stateIndex(connectionId), provisioning.listIndex(connectionId)]);
  const [counts, retrying, pace] = await Promise.all([
    states.counts(connectionId), list.count(connectionId, 'retrying'), states.settledSince(connectionId, now - PACE_WINDOW_MS),
  ]);
  const p: Omit<ImportProgress, 'text'> = {
    total: counts.in_sync + counts.pending + counts.failed, inSync: counts.in_sync, pending: counts.pending, retrying,
    failed: counts.failed, removed: counts.removed,
  };
  if (pace.count >= MIN_SAMPLES && pace.first !== undefined) {
    const perMs = pace.count / Math.max(now - pace.first, 1000);
    p.perMinute = perMs * 60_000;
    if (p.pending > 0) p.etaSeconds = Math.round(p.pending / perMs / 1000);
  }
  return { ...p, text: progressText(p) };
}

export async function progressRoutes(app: FastifyInstance) {
  app.get<{ Params: { id: string } }>('/connections/:id/users-progress.json', async (request, reply) => {
    const connection = await app.scimwright.connections.get(request.params.id);
    if (!connection) return reply.code(404).send({ error: `No connection "${request.params.id}".` });
    return reply.send(await importProgress(app, connection.id));
  });
}
