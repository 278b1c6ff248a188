/**
 * Bull Board under /console/queues, for admins only (it can retry, promote and clean jobs).
 * It needs the BullMQ Queue object (`services.bullQueue`); Bull Board is loaded only then, so a
 * gateway without a queue never loads BullMQ through it. Without one, the page says so.
 */
import type { FastifyInstance } from 'fastify';
import { emptyState, page } from './layout.ts';
import { errorPage } from './errors.ts';

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
  createBullBoard({
    // Services types the queue by the counts /metrics reads; what compose hands in is BullMQ's Queue.
    queues: [new BullMQAdapter(queue as never)],
    serverAdapter,
    options: { uiConfig: { boardTitle: 'scimwright queues', miscLinks: [{ text: 'Back to the console', url: '/console/connections' }] } },
  });
  await app.register(serverAdapter.registerPlugin());
}
