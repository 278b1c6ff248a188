/** Bearer authentication of the admin API; reviewers may read, only admins may change. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AdminRole, AdminTokenRecord } from '../../core/admin-tokens.ts';

export interface AdminAuth {
  verify(token: string): Promise<AdminTokenRecord | null>;
}

export function adminError(reply: FastifyReply, status: number, code: string, message: string, extra: Record<string, unknown> = {}) {
  return reply.code(status).send({ error: { code, message, ...extra } });
}

/** onRequest hook factory: `role` is the least role the route needs. */
export function requireRole(role: AdminRole) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const header = request.headers.authorization;
    const token = header ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] : undefined;
    const record = token ? await request.server.scimwright.adminAuth.verify(token) : null;
    if (!record) {
      reply.header('www-authenticate', 'Bearer realm="scimwright-admin"');
      return adminError(reply, 401, 'unauthorized', 'A valid admin token is required (Authorization: Bearer …).');
    }
    if (role === 'admin' && record.role !== 'admin') {
      return adminError(reply, 403, 'forbidden', 'This token may read but not change anything.');
    }
    request.adminToken = record;
  };
}

declare module 'fastify' {
  interface FastifyRequest {
    adminToken?: AdminTokenRecord;
  }
}
