/**
 * Spekit's SCIM API with the token kept in the vault. A 401 means the token was regenerated
 * elsewhere or revoked: rotate once through the browser, then run the operation again.
 */
import { PermanentAppError } from '../../core/errors.ts';
import { createScimUpstream, UpstreamUnauthorizedError, type ScimUpstream } from '../lib/scim-upstream/index.ts';
import { VAULT, type SpekitContext } from './settings.ts';
import { rotateToken } from './token.ts';

const NOT_SET_UP = 'Spekit is not set up for this connection yet: run setup to generate its SCIM token';

async function required(ctx: SpekitContext, key: string): Promise<string> {
  const value = await ctx.vault.get(key);
  if (!value) throw new PermanentAppError('setup_required', NOT_SET_UP);
  return value;
}

export async function spekitApi(ctx: SpekitContext): Promise<ScimUpstream> {
  const seen = new Set<string>();
  return createScimUpstream({
    baseUrl: await required(ctx, VAULT.endpointUrl),
    // Read per request so that a rotation is picked up at once.
    token: async () => {
      const token = await required(ctx, VAULT.appToken);
      if (!seen.has(token)) {
        seen.add(token);
        ctx.addSecret(token);
      }
      return token;
    },
    retry: { attempts: 4, baseMs: 300 },
    signal: ctx.signal,
  });
}

/** Runs `fn` against Spekit's SCIM API; on a 401, rotates once and runs `fn` again (it must converge). */
export async function withSpekitApi<T>(ctx: SpekitContext, fn: (api: ScimUpstream) => Promise<T>): Promise<T> {
  const api = await spekitApi(ctx);
  try {
    return await fn(api);
  } catch (error) {
    if (!(error instanceof UpstreamUnauthorizedError)) throw error;
    ctx.log('Spekit refused the SCIM token (401); rotating it once through the browser');
    await rotateToken(ctx);
    return fn(api);
  }
}
