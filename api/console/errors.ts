/** Error pages of the console: a status, a plain sentence, and a way back. */
import type { FastifyReply } from 'fastify';
import { html } from './html.ts';
import { page } from './layout.ts';
import type { ConsoleSession } from './session.ts';

export function errorPage(reply: FastifyReply, status: number, title: string, detail: string, session?: ConsoleSession) {
  const back = session
    ? html`<p><a class="button" href="/console/connections">Back to connections</a></p>`
    : html`<p><a class="button" href="/console/login">Sign in</a></p>`;
  const body = html`<div class="error-box"><p class="error-code">Error ${status}</p><p>${detail}</p>${back}</div>`;
  return reply.code(status).type('text/html; charset=utf-8').send(page({ title, ...(session ? { session } : {}) }, body));
}
