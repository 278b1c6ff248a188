/**
 * Setup and rotation of an app's SCIM token in the browser, the same for every hybrid connector:
 * log in, open the screen that issues the token, issue it (Generate, or Regenerate when one
 * exists), store it at once, then prove it: the previous token refused (401), the new one works.
 * The token is registered as a secret the moment it is read, before a screenshot or log can see it.
 * What differs per app is only the TokenScreen: the page object that opens, issues and dates it.
 */
import type { ConnectorContext } from '../../../core/connector.ts';
import { TransientAppError } from '../../../core/errors.ts';
import { createScimUpstream, UpstreamUnauthorizedError } from '../scim-upstream/index.ts';
import { VAULT } from './vault.ts';

export interface IssuedToken {
  token: string;
  /** When the app says it was created, as the page shows it; null when it shows no date. */
  createdAt: string | null;
}

/** The token screen as opened for one attempt (one `open` per attempt: a failed one is reloaded). */
export interface OpenedTokenScreen {
  /** A token exists already: the app offers Regenerate (or a second token) rather than Generate. */
  hasToken: boolean;
  /** The SCIM base URL when the page shows it (Spekit, Hyperproof); else the connector's `scimBaseUrl`. */
  endpointUrl?: string;
  /** Issues a new token and reads it; a TransientAppError when the app's answer leaves the outcome unknown. */
  issue(): Promise<IssuedToken>;
  /** The creation date the page shows now (null: none shown), to tell whether a failed issue took effect. */
  createdAt(): Promise<string | null>;
}

export interface TokenApp<S> {
  /** The app's name as people write it, for messages: "Spekit". */
  name: string;
  /** Logs in (a step of its own). The kit calls it first in every task. */
  logIn(ctx: ConnectorContext<S>): Promise<void>;
  /**
   * Opens the token screen inside the connector's own steps, so a screen that differs leaves its
   * screenshot; throws PermanentAppError('setup_required', <the page's words>) when a
   * prerequisite (SSO, the plan) is missing.
   */
  openTokenScreen(ctx: ConnectorContext<S>): Promise<OpenedTokenScreen>;
  /** The SCIM base URL when the page does not show it (Hex: `<baseUrl>/api/v1/scim/v2`). */
  scimBaseUrl?(ctx: ConnectorContext<S>): string;
  /**
   * After the new token is stored and proven, retire the previous one where issuing a token does
   * not (Hyperproof keeps up to two: delete the old). Absent: issuing replaced it.
   */
  retirePrevious?(ctx: ConnectorContext<S>): Promise<void>;
  /** Issue attempts before giving up (each failed one is checked on a reopened screen). Default 3. */
  issueAttempts?: number;
}

export interface TokenTasks<S> {
  /** tasks.setup: issue the token (Generate, or Regenerate when one exists) and record the endpoint. */
  setup(ctx: ConnectorContext<S>): Promise<void>;
  /** tasks.rotate: issue a new token now, switch to it, prove the old one is refused. */
  rotate(ctx: ConnectorContext<S>): Promise<void>;
}

function endpointOf<S>(app: TokenApp<S>, ctx: ConnectorContext<S>, screen: OpenedTokenScreen): string {
  const url = screen.endpointUrl ?? app.scimBaseUrl?.(ctx);
  if (!url) throw new Error(`${app.name}: the token screen shows no SCIM endpoint and the connector derives none`);
  return url;
}

async function issueOnce<S>(ctx: ConnectorContext<S>, screen: OpenedTokenScreen): Promise<IssuedToken> {
  const issued = await ctx.step(screen.hasToken ? 'regenerate token' : 'generate token', async () => {
    const result = await screen.issue();
    ctx.addSecret(result.token);
    return result;
  });
  // Stored at once: apps show a token only once, and the previous one may already be dead.
  await ctx.vault.set(VAULT.appToken, issued.token);
  if (issued.createdAt) await ctx.vault.set(VAULT.tokenCreatedAt, issued.createdAt);
  return issued;
}

/**
 * An issue that errors may still have replaced the token: reopen and compare the shown creation
 * date with the stored one; if it changed, the new token is lost and must be issued again; if
 * not, the stored token still works and the issue is simply tried again.
 */
async function issueToken<S>(app: TokenApp<S>, ctx: ConnectorContext<S>, first: OpenedTokenScreen): Promise<IssuedToken> {
  const attempts = app.issueAttempts ?? 3;
  let screen = first;
  for (let n = 1; ; n += 1) {
    try {
      return await issueOnce(ctx, screen);
    } catch (error) {
      if (!(error instanceof TransientAppError) || n >= attempts) throw error;
      const stored = await ctx.vault.get(VAULT.tokenCreatedAt);
      screen = await app.openTokenScreen(ctx);
      const shown = await screen.createdAt();
      const lost = shown !== null && shown !== (stored ?? null);
      ctx.log(lost ? `${app.name} replaced the token but its value was lost; regenerating again` : `${app.name} kept the previous token; trying again`, {
        error: (error as Error).message,
      });
    }
  }
}

/** One deliberate call per token: the old must answer 401, the new must work. Never rotates. */
async function proveRotation<S>(app: TokenApp<S>, ctx: ConnectorContext<S>, endpointUrl: string, oldToken: string | undefined, newToken: string): Promise<void> {
  const client = (token: string) =>
    createScimUpstream({ baseUrl: endpointUrl, token: async () => token, retry: { attempts: 3, baseMs: 200 }, signal: ctx.signal });
  await client(newToken).probe();
  if (oldToken && oldToken !== newToken) {
    await app.retirePrevious?.(ctx);
    const refused = await client(oldToken).probe().then(() => false, (error: unknown) => {
      if (error instanceof UpstreamUnauthorizedError) return true;
      throw error;
    });
    if (!refused) throw new TransientAppError(`${app.name} still accepts the previous token after issuing a new one`);
    ctx.log(`the previous ${app.name} token is refused (401), as expected`);
  }
}

async function issueAndVerify<S>(app: TokenApp<S>, ctx: ConnectorContext<S>): Promise<void> {
  const oldToken = await ctx.vault.get(VAULT.appToken);
  if (oldToken) ctx.addSecret(oldToken);
  await app.logIn(ctx);
  const screen = await app.openTokenScreen(ctx);
  const endpointUrl = endpointOf(app, ctx, screen);
  await ctx.vault.set(VAULT.endpointUrl, endpointUrl);
  const { token } = await issueToken(app, ctx, screen);
  await proveRotation(app, ctx, endpointUrl, oldToken, token);
}

export function tokenTasks<S>(app: TokenApp<S>): TokenTasks<S> {
  return {
    setup: async (ctx) => {
      await issueAndVerify(app, ctx);
      ctx.log(`${app.name} SCIM token set up`);
    },
    rotate: async (ctx) => {
      await issueAndVerify(app, ctx);
      ctx.log(`${app.name} SCIM token rotated`);
    },
  };
}
