/**
 * Every failure under /scim/v2 becomes a SCIM Error body (RFC 7644 §3.12): `status` as a string,
 * `scimType` where one applies, a readable `detail`. Unknown failures are logged and answered
 * as 500 without internals.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ScimError } from '../../core/errors.ts';

export const SCIM_ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';

export function errorBody(error: ScimError) {
  return {
    schemas: [SCIM_ERROR_SCHEMA],
    status: String(error.status),
    ...(error.scimType ? { scimType: error.scimType } : {}),
    detail: error.detail,
  };
}

/** Maps framework errors (body parsing, size, content type, rate limit) to SCIM errors. */
export function toScimError(error: unknown): ScimError | undefined {
  if (error instanceof ScimError) return error;
  const e = error as FastifyError & { statusCode?: number };
  switch (e?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ScimError(413, undefined, 'The request body is larger than this server accepts.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ScimError(415, undefined, 'Send application/scim+json or application/json.');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return ScimError.badRequest('invalidSyntax', 'The request body is empty.');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return ScimError.badRequest('invalidSyntax', 'Content-Length does not match the body.');
  }
  if (e instanceof SyntaxError || e?.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || /JSON/.test(String(e?.message)) && e?.statusCode === 400) {
    return ScimError.badRequest('invalidSyntax', 'The request body is not valid JSON.');
  }
  if (e?.statusCode === 429) return new ScimError(429, undefined, 'Too many requests for this connection; slow down.');
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return new ScimError(e.statusCode, undefined, e.message);
  }
  return undefined;
}

export function sendScimError(reply: FastifyReply, error: ScimError) {
  for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
  return reply.code(error.status).type(SCIM_CONTENT_TYPE).send(errorBody(error));
}

export async function scimErrorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply) {
  const scimError = toScimError(error);
  if (scimError) return sendScimError(reply, scimError);
  request.log.error({ err: error }, 'SCIM request failed');
  return sendScimError(reply, new ScimError(500, undefined, `Internal error; quote request id ${request.id} to the operator.`));
}
