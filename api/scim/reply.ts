/** Small helpers shared by the SCIM routes: context, content type, list responses, projection. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RequestContext } from '../../core/directory/index.ts';
import { project } from '../../core/scim/projection.ts';
import { SCIM_CONTENT_TYPE } from './errors.ts';

export const LIST_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

export function scimContext(request: FastifyRequest): RequestContext {
  const connection = request.connection;
  return {
    connectionId: connection.id,
    baseUrl: `${request.server.scimwright.origin}/scim/v2/${connection.id}`,
    requestId: String(request.id),
    tokenId: connection.token.id,
  };
}

export function sendResource(reply: FastifyReply, body: unknown, status = 200) {
  return reply.code(status).type(SCIM_CONTENT_TYPE).send(body);
}

export function listResponse(resources: unknown[], totalResults: number, startIndex: number) {
  return { schemas: [LIST_RESPONSE], totalResults, startIndex, itemsPerPage: resources.length, Resources: resources };
}

/** listResponse() as JSON text, around resources already rendered as JSON texts: the same bytes. */
export function listResponseText(resources: string[], totalResults: number, startIndex: number) {
  const head = JSON.stringify(listResponse([], totalResults, startIndex));
  // `head` ends with `"itemsPerPage":0,"Resources":[]}`. One join makes one flat string, which the
  // socket write encodes without flattening a tree of pieces first.
  const parts = [`${head.slice(0, head.lastIndexOf('"itemsPerPage":'))}"itemsPerPage":${resources.length},"Resources":[`];
  resources.forEach((r, i) => parts.push(i === 0 ? r : `,${r}`));
  parts.push(']}');
  return parts.join('');
}

export interface ProjectionQuery {
  attributes?: string;
  excludedAttributes?: string;
}

export function projected(resource: Record<string, unknown>, query: ProjectionQuery) {
  if (!query.attributes && !query.excludedAttributes) return resource;
  return project(resource, {
    ...(query.attributes ? { attributes: query.attributes } : {}),
    ...(query.excludedAttributes ? { excludedAttributes: query.excludedAttributes } : {}),
  });
}
