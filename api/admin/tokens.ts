/**
 * Admin and reviewer tokens of the admin API and console (admins only):
 * POST /admin/v1/tokens { role, name, expiresInDays? } → 201 { id, role, name, createdAt, expiresAt?, token }
 * (token shown once), GET /admin/v1/tokens → { tokens: [...] } with `lastUsedAt` and `expiresAt`
 * (never a token), DELETE /admin/v1/tokens/:id → 204. The console's token page (api/console/
 * tokens-page.ts) goes through the same schema and store.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AdminTokens, type AdminTokenRecord } from '../../core/admin-tokens.ts';
import { adminError, requireRole } from './auth.ts';

declare module '../app.ts' {
  interface Services {
    /** Token management; defaults to `adminAuth` when that is an AdminTokens. */
    adminTokens?: Pick<AdminTokens, 'add' | 'list' | 'revoke' | 'active'>;
  }
}

export type TokenStore = NonNullable<FastifyInstance['scimwright']['adminTokens']>;

/** The gateway's token store, or undefined when it was started without one (tests with a fixed token). */
export function tokenStore(app: FastifyInstance): TokenStore | undefined {
  const { adminTokens, adminAuth } = app.scimwright;
  return adminTokens ?? (adminAuth instanceof AdminTokens ? adminAuth : undefined);
}

/** Longest lifetime a token may be given: ten years (none at all: leave `expiresInDays` out). */
const MAX_DAYS = 3650;

export const createTokenSchema = z.object({
  role: z.enum(['admin', 'reviewer']),
  name: z.string().trim().min(1).max(100),
  /** Days until the token is refused; absent: it never expires. */
  expiresInDays: z.number().int().min(1).max(MAX_DAYS).optional(),
}).strict();

export type CreateToken = z.infer<typeof createTokenSchema>;

/** Validates and makes a token: the one path of the admin API and the console. */
export async function createToken(tokens: TokenStore, body: unknown, now = Date.now()):
Promise<{ ok: true; token: string; record: AdminTokenRecord } | { ok: false; message: string }> {
  const parsed = createTokenSchema.safeParse(body);
  if (!parsed.success) return { ok: false, message: parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ') };
  const { role, name, expiresInDays } = parsed.data;
  const expiresAt = expiresInDays === undefined ? undefined : new Date(now + expiresInDays * 86_400_000).toISOString();
  const made = await tokens.add(role, name, expiresAt ? { expiresAt } : {});
  return { ok: true, ...made };
}

export async function tokenRoutes(app: FastifyInstance) {
  const tokens = tokenStore(app);
  app.setErrorHandler((error, request, reply) => {
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    if (status >= 500) request.log.error({ err: error }, 'token request failed');
    return adminError(reply, status, status >= 500 ? 'internal' : 'invalid_request', status >= 500 ? `Internal error; request id ${request.id}.` : (error as Error).message);
  });

  app.post('/tokens', { onRequest: requireRole('admin') }, async (request, reply) => {
    if (!tokens) return adminError(reply, 501, 'unsupported', 'This gateway was started without a token store.');
    const made = await createToken(tokens, request.body);
    if (!made.ok) return adminError(reply, 400, 'invalid_request', made.message);
    request.log.info({ tokenId: made.record.id, role: made.record.role, by: request.adminToken?.id }, 'admin token created');
    return reply.code(201).send({ ...made.record, token: made.token });
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
