/**
 * The gateway as a Fastify plugin tree: SCIM under /scim/v2/:connectionId, the admin API under
 * /admin/v1, health at /healthz. server.ts (bin/start.ts) only listens and shuts down.
 */
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { trustProxyOption, type Config } from '../core/config.ts';
import { ScimError } from '../core/errors.ts';
import type { ConnectorDescriptor } from '../core/connector.ts';
import type { ConnectionStore } from '../core/connections/store.ts';
import type { StoredConnection } from '../core/connections/schema.ts';
import type { Directory } from '../core/directory/index.ts';
import type { ConvergeQueue } from '../core/queue.ts';
import { adminRoutes } from './admin/index.ts';
import { tokenRoutes } from './admin/tokens.ts';
import { consoleRoutes } from './console/index.ts';
import { metricsRoutes } from './metrics/index.ts';
import { scimRoutes } from './scim/index.ts';
import { drainUnreadBody } from './drain-body.ts';
import { SCIM_CONTENT_TYPE, errorBody, sendScimError } from './scim/errors.ts';
import type { AdminAuth } from './admin/auth.ts';
import type { RunReader } from './admin/runs.ts';

export interface Services {
  config: Config;
  /** Origin that SCIM base URLs are built on, e.g. http://127.0.0.1:8080. */
  origin: string;
  redis: Redis;
  connections: ConnectionStore;
  directory: Directory;
  queue: ConvergeQueue;
  connectors: Map<string, ConnectorDescriptor>;
  adminAuth: AdminAuth;
  runs?: RunReader;
  /** Named readiness checks; /healthz is 200 only when all pass. */
  health: Record<string, () => Promise<boolean>>;
}

declare module 'fastify' {
  interface FastifyInstance {
    scimwright: Services;
  }
  interface FastifyRequest {
    connection: StoredConnection;
  }
}

/** Largest request head (request line + headers) Node reads; beyond it, a SCIM-shaped 431. */
export const MAX_HEADER_BYTES = 64 * 1024;
/** Longest URL path segment (an id) the router passes on; beyond it, a SCIM-shaped 414. */
export const MAX_PARAM_LENGTH = 2048;

/**
 * Failures Node finds before there is a request (header overflow, timeout, bad HTTP): the route is
 * unknown then, so the answer is the SCIM Error body the README promises, which any JSON client reads.
 */
function scimShapedClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, detail] = error.code === 'HPE_HEADER_OVERFLOW' ? [431, 'The request headers or URL are larger than this server accepts.']
    : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? [408, 'The request did not arrive in time.'] : [400, 'The request is not valid HTTP.'];
  const body = JSON.stringify(errorBody(new ScimError(status, undefined, detail)));
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: ${SCIM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy();
}

/** Router refusals (an overlong id, a malformed URL): SCIM-shaped under /scim, admin-shaped elsewhere. */
function frameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const status = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 414 : 400;
  const detail = status === 414 ? 'A part of this URL is longer than this server accepts.' : 'This URL cannot be read.';
  if (request.url.startsWith('/scim/')) return sendScimError(reply, new ScimError(status, undefined, detail));
  return reply.code(status).send({ error: { code: status === 414 ? 'uri_too_long' : 'invalid_request', message: detail } });
}

export async function buildApp(services: Services, logger: Logger): Promise<FastifyInstance> {
  const { config } = services;
  const app = Fastify({
    loggerInstance: logger,
    // One line per request, written by the onResponse hook below, instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.bodyLimit,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    // X-Forwarded-* decide request.protocol/host/ip only for a configured proxy (SCIMWRIGHT_TRUST_PROXY).
    trustProxy: trustProxyOption(config),
    // A body trickled a byte at a time holds a socket: the whole request must arrive in time (408).
    requestTimeout: config.requestTimeoutMs,
    http: {
      headersTimeout: Math.min(config.requestTimeoutMs, 60_000),
      // Node looks for overdue requests this often (30 s by default, far above a short timeout).
      connectionsCheckingInterval: Math.min(30_000, Math.max(250, Math.floor(config.requestTimeoutMs / 4))),
      // A 20,000-character filter is a request to answer, not a header overflow (Node's limit is 16 KiB).
      maxHeaderSize: MAX_HEADER_BYTES,
    },
    // Long ids reach the routes (and get their own 404); longer ones get a SCIM-shaped 414 below.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors: frameworkError,
    clientErrorHandler: scimShapedClientError,
  });
  app.decorate('scimwright', services);
  app.decorateRequest('connection', null as unknown as StoredConnection);
  app.addHook('onResponse', async (request, reply) => {
    // The route pattern, never request.url: ids and query strings stay out of the logs.
    const route = request.routeOptions.url ?? null;
    const responseTime = Math.round(reply.elapsedTime * 10) / 10;
    request.log.info({ method: request.method, route, status: reply.statusCode, responseTime }, 'request completed');
  });
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
    // Refused before its body was read (401, 413): close, or the sender keeps the socket open; a
    // 413 first reads the rest so that the sender hears it (every route: SCIM, admin, console).
    if (reply.statusCode === 413) await drainUnreadBody(request);
    if (reply.statusCode === 401 || reply.statusCode === 413) reply.header('connection', 'close');
  });
  // SCIM clients send application/scim+json (RFC 7644 §3.1); parse it as JSON, rejecting __proto__.
  // Some send the header on a body-less DELETE: an empty body is then no body, not bad JSON.
  const json = app.getDefaultJsonParser('error', 'ignore');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(['application/json', 'application/scim+json'], { parseAs: 'string' }, (request, body, done) => {
    if (body === '' && request.method === 'DELETE') return done(null, undefined);
    return json(request, body as string, done);
  });

  app.get('/healthz', async (_request, reply) => {
    const results = await Promise.all(
      Object.entries(services.health).map(async ([name, check]) => [name, await check().catch(() => false)] as const),
    );
    const ok = results.every(([, passed]) => passed);
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', checks: Object.fromEntries(results) });
  });
  // Metrics first: its onResponse hook counts the SCIM routes registered after it.
  await app.register(metricsRoutes);
  await app.register(adminRoutes, { prefix: '/admin/v1' });
  await app.register(tokenRoutes, { prefix: '/admin/v1' });
  await app.register(scimRoutes, { prefix: '/scim/v2/:connectionId' });
  await app.register(consoleRoutes, { prefix: '/console' });
  return app as unknown as FastifyInstance;
}
