/**
 * Users and Groups (RFC 7644 §3.2–3.6). Both resource types share one route shape; the directory
 * service does the work, these handlers speak HTTP: status codes, Location, ETag, If-Match.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { parseIfMatch, etag } from '../../core/directory/render.ts';
import { ScimError } from '../../core/errors.ts';
import { listResponse, listResponseText, projected, scimContext, sendResource, type ProjectionQuery } from './reply.ts';

type Query = ProjectionQuery & { filter?: string; startIndex?: string; count?: string };
type Written = { resource: Record<string, unknown>; version: number };

interface Service {
  create(ctx: ReturnType<typeof scimContext>, body: unknown): Promise<Written>;
  get(ctx: ReturnType<typeof scimContext>, id: string): Promise<Written>;
  replace(ctx: ReturnType<typeof scimContext>, id: string, body: unknown, ifMatch?: number): Promise<Written>;
  patch(ctx: ReturnType<typeof scimContext>, id: string, body: unknown, ifMatch?: number): Promise<Written>;
  delete(ctx: ReturnType<typeof scimContext>, id: string): Promise<void>;
  list(ctx: ReturnType<typeof scimContext>, query: Query): Promise<{ totalResults: number; startIndex: number; resources: Array<Record<string, unknown>> }>;
  /** The same page with each resource as JSON text, where the service can render it so (issue 13). */
  listText?(ctx: ReturnType<typeof scimContext>, query: Query): Promise<{ totalResults: number; startIndex: number; resources: string[] } | undefined>;
}

function ifMatch(header: string | string[] | undefined): number | undefined {
  const version = parseIfMatch(Array.isArray(header) ? header[0] : header);
  if (version === -1) throw new ScimError(412, undefined, 'If-Match does not name a version of this resource.');
  return version;
}

function sendWritten(reply: FastifyReply, written: Written, query: ProjectionQuery, status = 200) {
  reply.header('etag', etag(written.version));
  return sendResource(reply, projected(written.resource, query), status);
}

export function resourceRoutes(path: '/Users' | '/Groups', service: (app: FastifyInstance) => Service) {
  return async function routes(app: FastifyInstance) {
    const svc = service(app);
    app.get<{ Querystring: Query }>(path, async (request, reply) => {
      const text = await svc.listText?.(scimContext(request), request.query);
      // Sent as text: fastify passes a string through without serializing it again.
      if (text) return sendResource(reply, listResponseText(text.resources, text.totalResults, text.startIndex));
      const page = await svc.list(scimContext(request), request.query);
      // count=0 answers only totalResults (RFC 7644 §3.4.2.4).
      const resources = page.resources.map((r) => projected(r, request.query));
      return sendResource(reply, listResponse(resources, page.totalResults, page.startIndex));
    });
    app.post<{ Querystring: ProjectionQuery }>(path, async (request, reply) => {
      const written = await svc.create(scimContext(request), request.body);
      reply.header('location', String((written.resource.meta as { location: string }).location));
      return sendWritten(reply, written, request.query, 201);
    });
    app.get<{ Params: { id: string }; Querystring: ProjectionQuery }>(`${path}/:id`, async (request, reply) => {
      const written = await svc.get(scimContext(request), request.params.id);
      const match = request.headers['if-none-match'];
      if (match && match === etag(written.version)) return reply.code(304).send();
      return sendWritten(reply, written, request.query);
    });
    app.put<{ Params: { id: string }; Querystring: ProjectionQuery }>(`${path}/:id`, async (request, reply) => {
      const written = await svc.replace(scimContext(request), request.params.id, request.body, ifMatch(request.headers['if-match']));
      return sendWritten(reply, written, request.query);
    });
    app.patch<{ Params: { id: string }; Querystring: ProjectionQuery }>(`${path}/:id`, async (request, reply) => {
      const written = await svc.patch(scimContext(request), request.params.id, request.body, ifMatch(request.headers['if-match']));
      // Entra expects 204 for group PATCH; Okta takes 200 or 204. Users get the resource back.
      if (path === '/Groups' && !request.query.attributes && !request.query.excludedAttributes) {
        return reply.header('etag', etag(written.version)).code(204).send();
      }
      return sendWritten(reply, written, request.query);
    });
    app.delete<{ Params: { id: string } }>(`${path}/:id`, async (request, reply) => {
      await svc.delete(scimContext(request), request.params.id);
      return reply.code(204).send();
    });
  };
}
