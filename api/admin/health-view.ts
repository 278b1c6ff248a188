/**
 * The `attention` and `lastCheck` blocks of a connection (issue 10): in words, with links to the
 * run and to its screenshot (the last one the run took: on a failure, the broken screen). Shared
 * by the admin API and the console so both say the same thing.
 */
import type { FastifyInstance } from 'fastify';
import { HealthStore, attentionMessage, type Attention, type LastCheck } from '../../core/connections/health.ts';
import type { RunRecordView } from './runs.ts';

export interface RunLinks {
  run: string;
  /** Admin API URL of the run's last screenshot, when it took one. */
  screenshot?: string;
  /** The same screenshot in the console (signed-in users). */
  consoleScreenshot?: string;
}

export interface HealthView {
  attention?: Attention & { message: string; links: RunLinks };
  lastCheck?: LastCheck & { links: RunLinks };
}

function lastScreenshot(run: RunRecordView | null | undefined): string | undefined {
  return run?.evidence?.files.filter((f) => f.endsWith('.png')).at(-1);
}

export async function runLinks(app: FastifyInstance, runId: string): Promise<RunLinks> {
  const shot = lastScreenshot(await app.scimwright.runs?.get(runId));
  return {
    run: `/admin/v1/runs/${runId}`,
    ...(shot ? {
      screenshot: `/admin/v1/runs/${runId}/files/${encodeURIComponent(shot)}`,
      consoleScreenshot: `/console/evidence/${encodeURIComponent(runId)}/${encodeURIComponent(shot)}`,
    } : {}),
  };
}

export async function readHealth(app: FastifyInstance, connectionId: string): Promise<HealthView> {
  const health = await new HealthStore(app.scimwright.redis, app.scimwright.config.redisPrefix).get(connectionId);
  const out: HealthView = {};
  if (health.attention) {
    out.attention = { ...health.attention, message: attentionMessage(health.attention), links: await runLinks(app, health.attention.runId) };
  }
  if (health.lastCheck) out.lastCheck = { ...health.lastCheck, links: await runLinks(app, health.lastCheck.runId) };
  return out;
}

/** A person resumes the connection (console retry): the mark is lifted, user jobs go again. */
export async function resume(app: FastifyInstance, connectionId: string): Promise<boolean> {
  return new HealthStore(app.scimwright.redis, app.scimwright.config.redisPrefix).clear(connectionId);
}
