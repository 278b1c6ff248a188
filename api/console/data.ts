/** Reads the console's pages are made of, from the gateway's services (read-only). */
import type { FastifyInstance } from 'fastify';
import type { StoredConnection } from '../../core/connections/schema.ts';
import type { ProvisioningState, ProvisioningStateName } from '../../core/provisioning/state.ts';
import type { RunRecordView } from '../admin/runs.ts';

export const STATES: ProvisioningStateName[] = ['pending', 'in_sync', 'failed', 'removed'];
const DEFAULT_STUCK_AFTER_MS = 15 * 60 * 1000;
const BATCH = 500;

export interface UserRow extends ProvisioningState {
  userId: string;
  /** Pending for longer than the stuck threshold. */
  stuck: boolean;
}

export interface ConnectionSummary {
  connection: StoredConnection;
  connectorName: string;
  counts: Record<ProvisioningStateName, number>;
  stuck: number;
  lastRun: RunRecordView | undefined;
  health: 'healthy' | 'failing' | 'stuck' | 'idle';
}

export function stuckAfterMs(app: FastifyInstance): number {
  return app.scimwright.stuckAfterMs ?? DEFAULT_STUCK_AFTER_MS;
}

function row(userId: string, state: ProvisioningState, now: number, limit: number): UserRow {
  const waiting = state.state === 'pending' && state.generation > state.appliedGeneration;
  const stuck = waiting && now - Date.parse(state.changedAt ?? state.lastRunAt ?? new Date(now).toISOString()) > limit;
  return { ...state, userId, stuck };
}

const byName = (a: UserRow, b: UserRow) => (a.userName ?? a.userId).localeCompare(b.userName ?? b.userId);

async function rowsFor(app: FastifyInstance, connectionId: string, ids: string[], now: number): Promise<UserRow[]> {
  const { provisioning } = app.scimwright.directory;
  const limit = stuckAfterMs(app);
  const rows: UserRow[] = [];
  for (let i = 0; i < ids.length; i += BATCH) {
    const states = await provisioning.getMany(connectionId, ids.slice(i, i + BATCH));
    for (const [userId, state] of states) rows.push(row(userId, state, now, limit));
  }
  return rows.sort(byName);
}

/**
 * Users in one state, or stuck, read through the state index: O(those users), so the failed and
 * stuck lists stay cheap however many users are in sync.
 */
export async function usersIn(app: FastifyInstance, connectionId: string, state: ProvisioningStateName | 'stuck', now = Date.now()): Promise<UserRow[]> {
  const index = await app.scimwright.directory.provisioning.stateIndex(connectionId);
  const ids = state === 'stuck'
    ? await index.ids(connectionId, 'pending', { before: now - stuckAfterMs(app) })
    : await index.ids(connectionId, state);
  const rows = await rowsFor(app, connectionId, ids, now);
  // The index and the states are read apart: keep only rows that still say what was asked.
  return rows.filter((r) => (state === 'stuck' ? r.stuck : r.state === state));
}

export async function summarize(app: FastifyInstance, connection: StoredConnection, now = Date.now()): Promise<ConnectionSummary> {
  const index = await app.scimwright.directory.provisioning.stateIndex(connection.id);
  const counts = await index.counts(connection.id);
  const stuck = await index.countBefore(connection.id, 'pending', now - stuckAfterMs(app));
  const [lastRun] = (await app.scimwright.runs?.list(connection.id, { limit: 1 })) ?? [];
  const health = counts.failed > 0 || lastRun?.status === 'failed' ? 'failing' : stuck > 0 ? 'stuck' : lastRun ? 'healthy' : 'idle';
  const connectorName = app.scimwright.connectors.get(connection.connector)?.name ?? connection.connector;
  return { connection, connectorName, counts, stuck, lastRun, health };
}

/** Runs of the connection that are marked running but started longer ago than the stuck threshold. */
export async function stuckRuns(app: FastifyInstance, connectionId: string, now = Date.now()): Promise<RunRecordView[]> {
  const running = (await app.scimwright.runs?.list(connectionId, { status: 'running', limit: 100 })) ?? [];
  return running.filter((run) => run.startedAt && now - Date.parse(run.startedAt) > stuckAfterMs(app));
}

/** Human words for a byte count. */
export function bytes(n: number | undefined): string {
  if (n === undefined) return '';
  return n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1024 / 1024).toFixed(1)} MB`;
}
