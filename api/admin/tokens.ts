/**
 * Admin and reviewer tokens of the admin API and console (admins only):
 * POST /admin/v1/tokens { role, name } → 201 { id, role, name, createdAt, token } (token shown once),
 * GET /admin/v1/tokens → { tokens: [...] } (never a token), DELETE /admin/v1/tokens/:id → 204.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AdminTokens } from '../../core/admin-tokens.ts';
import { adminError, requireRole } from './auth.ts';

declare module '../app.ts' {
  interface Services {
    /** Token management; defaults to `adminAuth` when that is an AdminTokens. */
    adminTokens?: Pick<AdminTokens, 'add' | 'list' | 'revoke'>;
  }
}

const createTokenSchema = z.object({
  role: z.enum(['admin', 'reviewer']),
  name: z.string().trim().min(1).max(100),
}).strict();

export async function tokenRoutes(app: FastifyInstance) {
  const { adminTokens, adminAuth } = app.scimwright;
  const tokens = adminTokens ?? (adminAuth instanceof AdminTokens ? adminAuth : undefined);
  app.setErrorHandler((error, request, reply) => {
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    if (status >= 500) request.log.error({ err: error }, 'token request failed');
    return adminError(reply, status, status >= 500 ? 'internal' : 'invalid_request', status >= 500 ? `Internal error; request id ${request.id}.` : (error as Error).message);
  });

  app.post('/tokens', { onRequest: requireRole('admin') }, async (request, reply) => {
    if (!tokens) return adminError(reply, 501, 'unsupported', 'This gateway was started without a token store.');
    const parsed = createTokenSchema.safeParse(request.body);
    if (!parsed.success) {
      return adminError(reply, 400, 'invalid_request', parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
    }
    const { token, record } = await tokens.add(parsed.data.role, parsed.data.name);
    request.log.info({ tokenId: record.id, role: record.role, by: request.adminToken?.id }, 'admin token created');
    return reply.code(201).send({ ...record, token });
  });

  app.get('/tokens', { onRequest: requireRole('admin') }, async (_request, reply) => {
    if (!tokens) return adminError(reply, 501, 'unsupported', 'This gateway was started without a token store.');
    const list = await tokens.list();
    return { tokens: list.sort((a, b) => a.createdAt.localeCompare(b.createdAt)) };
  });

  app.delete<{ Params: { id: string } }>('/tokens/:id', { onRequest: requireRole('admin') }, async (request, reply) => {
    if (!tokens) return adminError(reply, 501, 'unsupported', 'This gateway was started without a token store.');
    const revoked = await tokens.revoke(request.params.id);
    if (!revoked) return adminError(reply, 404, 'not_found', `No token "${request.params.id}".`);
    request.log.info({ tokenId: request.params.id, by: request.adminToken?.id }, 'admin token revoked');
    return reply.code(204).send();
  });
}
