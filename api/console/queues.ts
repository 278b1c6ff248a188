/**
 * Bull Board under /console/queues, for admins only (it can retry, promote and clean jobs).
 * It needs the BullMQ Queue object (`services.bullQueue`); Bull Board is loaded only then, so a
 * gateway without a queue never loads BullMQ through it. Without one, the page says so.
 */
import type { FastifyInstance } from 'fastify';
import { emptyState, page } from './layout.ts';
import { errorPage } from './errors.ts';

/**
 * The name Bull Board shows for a job: people look for a user's email, not a UUID (issue 12,
 * item 11). Only the display: job names stay the dispatch keys and job ids stay as they are.
 */
export function jobDisplayName(job: { name?: string; data?: unknown }): string {
  const data = (job.data ?? {}) as Record<string, unknown>;
  const text = (key: string) => (typeof data[key] === 'string' ? (data[key] as string) : undefined);
  const connection = text('connectionId');
  const on = connection ? ` · ${connection}` : '';
  if (job.name === 'converge') return `converge ${text('email') ?? `user ${text('userId') ?? '?'}`}${on}`;
  if (job.name === 'task') return `task ${text('task') ?? '?'}${on}`;
  if (job.name === 'check') return `check${on}`;
  return job.name ?? '';
}

export async function queueRoutes(app: FastifyInstance) {
  app.addHook('preHandler', async (request, reply) => {
    const session = request.consoleSession;
    if (session && session.role !== 'admin') {
      return errorPage(reply, 403, 'Not allowed', 'The queue board is for admins: it can retry and delete jobs. Reviewers can follow every run from the connections pages.', session);
    }
  });
  const queue = app.scimwright.bullQueue;
  if (!queue) {
    app.get('/', { config: { admin: true } }, async (request, reply) => reply.type('text/html; charset=utf-8').send(page(
      { title: 'Queues', section: 'queues', session: request.consoleSession! },
      emptyState('No queue board here', 'This gateway was started without a BullMQ queue (for example with a separate worker process and no queue handed to the gateway), so there is nothing to show.'),
    )));
    return;
  }
  const [{ createBullBoard }, { BullMQAdapter }, { FastifyAdapter }] = await Promise.all([
    import('@bull-board/api'), import('@bull-board/api/bullMQAdapter'), import('@bull-board/fastify'),
  ]);
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath('/console/queues');
  // Services types the queue by the counts /metrics reads; what compose hands in is BullMQ's Queue.
  const adapter = new BullMQAdapter(queue as never);
  adapter.setFormatter('name', (job: { name?: string; data?: unknown }) => jobDisplayName(job));
  createBullBoard({
    queues: [adapter],
    serverAdapter,
    options: { uiConfig: { boardTitle: 'scimwright queues', miscLinks: [{ text: 'Back to the console', url: '/console/connections' }] } },
  });
  await app.register(serverAdapter.registerPlugin());
}
