/**
 * GET /metrics in the Prometheus text format, and the SCIM request counter. Wrapped with
 * fastify-plugin so its onResponse hook sees the routes registered after it (SCIM, admin).
 *
 * Labels hold route patterns (`/scim/v2/:connectionId/Users/:id`), never URLs, so no connection
 * or user id reaches a scrape. Open by default, as Prometheus expects; with SCIMWRIGHT_METRICS_TOKEN
 * set it asks for that bearer token (Prometheus: `authorization: { credentials: … }`).
 */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { createPromMetrics, type PromMetrics, type QueueCounts } from './prom.ts';
import { scrape } from './scrape.ts';
import { HealthStore } from '../../core/connections/health.ts';
import { DriftStore } from '../../core/drift/store.ts';
import { QueuePace, type QueueEstimate } from '../../core/queue-pace.ts';

export { createPromMetrics, type PromMetrics, type QueueCounts } from './prom.ts';
export { scrape } from './scrape.ts';

declare module '../app.ts' {
  interface Services {
    /** The registry and runner metrics (bin/start.ts); a fresh one is made when absent. */
    prom?: PromMetrics;
    /** BullMQ Queue of the converge worker: queue depth at /metrics, Bull Board in the console. */
    bullQueue?: QueueCounts & object;
  }
}

const SCIM_PREFIX = '/scim/';

async function metricsPlugin(app: FastifyInstance) {
  const prom = app.scimwright.prom ?? createPromMetrics();
  app.scimwright.prom = prom;
  if (app.scimwright.bullQueue && !prom.queueSource) prom.queueSource = app.scimwright.bullQueue;
  const health = new HealthStore(app.scimwright.redis, app.scimwright.config.redisPrefix);
  prom.attentionSource ??= async () => Promise.all((await app.scimwright.connections.list())
    .map(async (c) => [c.id, (await health.attention(c.id)) !== undefined] as [string, boolean]));
  const drift = new DriftStore(app.scimwright.redis, app.scimwright.config.redisPrefix);
  prom.driftSource ??= async () => Promise.all((await app.scimwright.connections.list())
    .map(async (c) => [c.id, await drift.counts(c.id)] as [string, Record<string, number>]));

  const pace = new QueuePace(app.scimwright.redis, app.scimwright.config.redisPrefix);
  prom.paceSource ??= async () => Promise.all((await app.scimwright.connections.list())
    .map(async (c) => [c.id, await pace.estimate(c.id)] as [string, QueueEstimate[]]));

  app.addHook('onResponse', async (request, reply) => {
    if (!request.url.startsWith(SCIM_PREFIX)) return;
    const route = request.routeOptions.url ?? 'unmatched';
    prom.scimRequests.inc({ method: request.method, route, status: String(reply.statusCode) });
  });

  const token = app.scimwright.config.metricsToken;
  app.get('/metrics', async (request, reply) => {
    const answer = await scrape(prom, token, request.headers.authorization);
    return reply.code(answer.status).headers(answer.headers).send(answer.body);
  });
}

export const metricsRoutes = fp(metricsPlugin, { name: 'scimwright-metrics', fastify: '5.x' });
