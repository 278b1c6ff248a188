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

/** Every user with a provisioning state, sorted by userName. */
export async function usersOf(app: FastifyInstance, connectionId: string, now = Date.now()): Promise<UserRow[]> {
  const { provisioning } = app.scimwright.directory;
  const ids = await provisioning.userIds(connectionId);
  const limit = stuckAfterMs(app);
  const rows: UserRow[] = [];
  for (let i = 0; i < ids.length; i += BATCH) {
    const states = await provisioning.getMany(connectionId, ids.slice(i, i + BATCH));
    for (const [userId, state] of states) {
      const waiting = state.state === 'pending' && state.generation > state.appliedGeneration;
      const stuck = waiting && now - Date.parse(state.changedAt ?? state.lastRunAt ?? new Date(now).toISOString()) > limit;
      rows.push({ ...state, userId, stuck });
    }
  }
  return rows.sort((a, b) => (a.userName ?? a.userId).localeCompare(b.userName ?? b.userId));
}

export async function summarize(app: FastifyInstance, connection: StoredConnection): Promise<ConnectionSummary> {
  const users = await usersOf(app, connection.id);
  const counts = Object.fromEntries(STATES.map((s) => [s, 0])) as Record<ProvisioningStateName, number>;
  for (const user of users) counts[user.state] = (counts[user.state] ?? 0) + 1;
  const stuck = users.filter((u) => u.stuck).length;
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
