/** Drift: what the apps show against what the IdP asked, once drift scans are recorded. */
import type { FastifyInstance } from 'fastify';
import { href, html, time } from './html.ts';
import { emptyState, page } from './layout.ts';

export async function driftRoutes(app: FastifyInstance) {
  app.get('/drift', async (request, reply) => {
    const session = request.consoleSession!;
    const latest = await app.scimwright.drift?.latest();
    const body = !latest
      ? emptyState('No drift scan has run yet', 'A drift scan compares each app with the desired state and repairs differences. Its findings will be listed here once scans are recorded.')
      : html`<p class="muted">Last scan ${time(latest.at)}.</p>
        ${latest.connections.every((c) => c.drifted.length === 0)
          ? emptyState('No drift found', 'Every app matched the desired state at the last scan.')
          : latest.connections.filter((c) => c.drifted.length > 0).map((c) => html`<h2>${c.connectionId}</h2><ul class="plain">${c.drifted.map((d) => html`<li>
              <a href="${href('connections', c.connectionId, 'users', d.userId)}">${d.userName ?? d.userId}</a>: ${d.detail}</li>`)}</ul>`)}`;
    return reply.type('text/html; charset=utf-8').send(page({ title: 'Drift', section: 'drift', session }, body));
  });
}
