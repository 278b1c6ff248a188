/**
 * The connection page's queue line (issue 16 item 5): "87 removals waiting, about 40 s · then
 * 300 other changes, about 7 min", from the pace each kind of job ran at lately on this connection
 * (core/queue-pace.ts). Removals go first, so the others' time counts after theirs.
 */
import type { FastifyInstance } from 'fastify';
import { QueuePace, type QueueEstimate } from '../../core/queue-pace.ts';
import { html, type Html } from './html.ts';
import { duration } from './users-progress.ts';

const count = (n: number) => n.toLocaleString('en-US');

/** "about 40 s" under two minutes (people plan a layoff's minutes by it), else users-progress' wording. */
function about(seconds: number): string {
  return seconds < 120 ? `about ${Math.max(1, seconds)} s` : `about ${duration(seconds)}`;
}

export function queueText(estimates: QueueEstimate[]): string {
  const removal = estimates.find((e) => e.kind === 'removal');
  const other = estimates.find((e) => e.kind === 'other');
  const part = (e: QueueEstimate | undefined, one: string, many: string) => {
    if (!e || e.waiting === 0) return undefined;
    return { what: `${count(e.waiting)} ${e.waiting === 1 ? one : many}`, eta: e.etaSeconds === undefined ? ' (no pace measured yet)' : `, ${about(e.etaSeconds)}` };
  };
  const parts = [part(removal, 'removal', 'removals'), part(other, 'other change', 'other changes')]
    .filter((p): p is { what: string; eta: string } => p !== undefined)
    .map((p, i) => `${i === 0 ? '' : 'then '}${p.what}${i === 0 ? ' waiting' : ''}${p.eta}`);
  if (parts.length === 0) return 'Nothing waiting.';
  const pace = estimates.filter((e) => e.msPerJob !== undefined && e.waiting > 0)
    .map((e) => `${e.kind === 'removal' ? 'removals' : 'others'} ${(e.msPerJob! / 1000).toFixed(1)} s each`);
  return `${parts.join(' · ')}.${pace.length > 0 ? ` Measured pace: ${pace.join(', ')}.` : ''}`;
}

export async function queueEstimate(app: FastifyInstance, connectionId: string): Promise<QueueEstimate[]> {
  return new QueuePace(app.scimwright.redis, app.scimwright.config.redisPrefix).estimate(connectionId);
}

export async function queueSection(app: FastifyInstance, connectionId: string): Promise<Html> {
  const estimates = await queueEstimate(app, connectionId);
  return html`<section class="queue" aria-label="Queue"><h2>Queue</h2><p>${queueText(estimates)}</p></section>`;
}
