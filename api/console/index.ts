/**
 * The reviewer and operator console under /console: server-rendered pages behind a login with an
 * admin or reviewer token. Every route is signed-in only unless its config says `public`; POSTs
 * need the session's form token and a same-origin Origin header when the browser sends one;
 * routes marked `admin` answer 403 to reviewers. All HTML is escaped by api/console/html.ts.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { tokenStore } from '../admin/tokens.ts';
import { assetRoutes } from './assets.ts';
import { authRoutes } from './auth-routes.ts';
import { attentionRoutes } from './attention-page.ts';
import { auditRoutes } from './audit-page.ts';
import { connectionEditRoutes } from './connection-edit-page.ts';
import { connectionPages } from './connections-page.ts';
import { driftRoutes } from './drift-page.ts';
import { evidenceFileRoutes } from './evidence-files.ts';
import { exportRoutes } from './export-page.ts';
import { errorPage } from './errors.ts';
import { queueRoutes } from './queues.ts';
import { ConsoleSessions, SESSION_COOKIE, readCookie, sameSecret } from './session.ts';
import { timelineRoutes } from './timeline-page.ts';
import { tokenPages } from './tokens-page.ts';
import { userRoutes } from './users-page.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Reachable without a session (login page, static assets). */
    public?: boolean;
    /** Admins only: reviewers get 403. */
    admin?: boolean;
  }
  interface FastifyInstance {
    consoleSessions: ConsoleSessions;
  }
}

const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
};

export async function consoleRoutes(app: FastifyInstance) {
  const { redis, config } = app.scimwright;
  const tokens = tokenStore(app);
  // A revoked or expired token ends its sessions; each page counts as a use of it.
  const tokenExists = async (id: string) => id === 'env' || !tokens || tokens.active(id);
  app.decorate('consoleSessions', new ConsoleSessions(redis, config.redisPrefix, tokenExists));

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  app.addHook('onRequest', async (request, reply) => {
    // Bull Board brings its own scripts and styles; it gets the rest of the headers.
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
      if (name === 'content-security-policy' && request.url.startsWith('/console/queues')) continue;
      reply.header(name, value);
    }
  });
  app.addHook('preHandler', (request, reply) => guard(app, request, reply));
  app.setErrorHandler((error, request, reply) => {
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    if (status >= 500) request.log.error({ err: error }, 'console request failed');
    const detail = status >= 500 ? `Something went wrong on our side. Request id ${request.id}.` : (error as Error).message;
    return errorPage(reply, status, status >= 500 ? 'Something went wrong' : 'Request not accepted', detail, request.consoleSession);
  });
  app.setNotFoundHandler((request, reply) => errorPage(reply, 404, 'Not found', 'There is no console page at this address.', request.consoleSession));

  await app.register(assetRoutes);
  await app.register(authRoutes);
  app.get('/', { config: { public: true } }, async (_request, reply) => reply.redirect('/console/connections'));
  await app.register(connectionPages);
  await app.register(connectionEditRoutes);
  await app.register(tokenPages);
  await app.register(userRoutes);
  await app.register(timelineRoutes);
  await app.register(attentionRoutes);
  await app.register(auditRoutes);
  await app.register(driftRoutes);
  await app.register(exportRoutes);
  await app.register(evidenceFileRoutes);
  await app.register(queueRoutes, { prefix: '/queues' });
}

async function guard(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply) {
  const config = request.routeOptions.config ?? {};
  if (config.public) return;
  const id = readCookie(request, SESSION_COOKIE);
  const session = await app.consoleSessions.get(id);
  if (!session) {
    if (request.method === 'GET' && !request.url.startsWith('/console/queues/api')) {
      const next = request.url.startsWith('/console/') ? request.url : '/console/connections';
      return reply.redirect(`/console/login?next=${encodeURIComponent(next)}`);
    }
    return errorPage(reply, 401, 'Signed out', 'Your session has ended. Sign in again.');
  }
  request.consoleSession = session;
  request.consoleSessionId = id;
  if (config.admin && session.role !== 'admin') {
    return errorPage(reply, 403, 'Not allowed', 'Reviewers can read everything here but change nothing. Ask an admin to do this.', session);
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    const origin = request.headers.origin;
    // request.protocol/host follow X-Forwarded-* only behind a configured proxy (SCIMWRIGHT_TRUST_PROXY).
    if (origin !== undefined && origin !== `${request.protocol}://${request.host}`) {
      return errorPage(reply, 403, 'Not allowed', 'This request came from another site.', session);
    }
    // Bull Board's own API calls carry no form token; SameSite=Strict, the Origin check and the
    // admin-only rule protect them.
    if (request.url.startsWith('/console/queues/')) return;
    const sent = (request.body as Record<string, unknown> | undefined)?._csrf;
    if (!sameSecret(typeof sent === 'string' ? sent : undefined, session.csrf)) {
      return errorPage(reply, 403, 'Form expired', 'This form is out of date. Go back, reload the page and try again.', session);
    }
  }
}
