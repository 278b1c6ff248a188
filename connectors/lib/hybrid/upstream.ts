/**
 * The app's SCIM API with the token kept in the vault. A 401 means the token was regenerated
 * elsewhere or revoked: rotate once through the browser, then run the operation again (once: a
 * second 401 is the admin's to look at, not a loop of regenerations).
 */
import type { ConnectorContext } from '../../../core/connector.ts';
import { createScimUpstream, UpstreamUnauthorizedError, type RetryOptions, type ScimUpstream } from '../scim-upstream/index.ts';
import { requiredValue, VAULT } from './vault.ts';

export interface UpstreamApp<S> {
  /** The app's name as people write it, for messages. */
  name: string;
  /** Issues a new token (the kit's `tokenTasks(...).rotate`). */
  rotate(ctx: ConnectorContext<S>): Promise<void>;
  /** Default { attempts: 4, baseMs: 300 }: 429 and 5xx back off, Retry-After honoured when sent. */
  retry?: RetryOptions;
}

/** A client on the stored endpoint; the token is read per request, so a rotation is picked up at once. */
export async function vaultUpstream<S>(ctx: ConnectorContext<S>, app: Pick<UpstreamApp<S>, 'name' | 'retry'>): Promise<ScimUpstream> {
  const seen = new Set<string>();
  return createScimUpstream({
    baseUrl: await requiredValue(ctx, VAULT.endpointUrl, app.name),
    token: async () => {
      const token = await requiredValue(ctx, VAULT.appToken, app.name);
      if (!seen.has(token)) {
        seen.add(token);
        ctx.addSecret(token);
      }
      return token;
    },
    retry: app.retry ?? { attempts: 4, baseMs: 300 },
    signal: ctx.signal,
  });
}

/** Runs `fn` against the app's SCIM API; on a 401, rotates once and runs `fn` again (it must converge). */
export async function withUpstream<S, T>(ctx: ConnectorContext<S>, app: UpstreamApp<S>, fn: (api: ScimUpstream) => Promise<T>): Promise<T> {
  const api = await vaultUpstream(ctx, app);
  try {
    return await fn(api);
  } catch (error) {
    if (!(error instanceof UpstreamUnauthorizedError)) throw error;
    ctx.log(`${app.name} refused the SCIM token (401); rotating it once through the browser`);
    await app.rotate(ctx);
    return fn(api);
  }
}
