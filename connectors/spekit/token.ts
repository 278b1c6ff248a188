/**
 * Browser tasks for Spekit's SCIM token: setup (log in, check SSO, generate) and rotation
 * (regenerate, switch at once, prove the old token is refused). The token is registered as a
 * secret the moment it is read, before any screenshot or log can see it.
 */
import { PermanentAppError, TransientAppError } from '../../core/errors.ts';
import { createScimUpstream, UpstreamUnauthorizedError } from '../lib/scim-upstream/index.ts';
import { ConnectPage } from './pages/connect.page.ts';
import { LoginPage } from './pages/login.page.ts';
import { ScimProvisioningPage, type RevealedToken } from './pages/scim-provisioning.page.ts';
import { VAULT, type SpekitContext } from './settings.ts';

/** Tries of Generate / Regenerate before giving up (each failed try is checked on a reloaded page). */
const ISSUE_ATTEMPTS = 3;

export async function logIn(ctx: SpekitContext): Promise<void> {
  const login = new LoginPage(await ctx.page(), ctx.baseUrl);
  await ctx.step('log in to Spekit', async () => {
    if (!(await login.open())) await login.logIn(ctx.credentials);
  });
}

interface ScimStep {
  scim: ScimProvisioningPage;
  endpointUrl: string;
  hasToken: boolean;
}

/**
 * Settings → Connect → SCIM provisioning, read inside steps so a screen that differs leaves its
 * screenshot; stops with setup_required when SSO is not connected (spekit.md).
 */
async function openScimStep(ctx: SpekitContext): Promise<ScimStep> {
  const page = await ctx.page();
  const connect = new ConnectPage(page);
  await ctx.step('open Settings → Connect and check SSO', async () => {
    await connect.open();
    const sso = await connect.ssoState();
    if (!sso.connected) throw new PermanentAppError('setup_required', sso.message);
  });
  const scim = new ScimProvisioningPage(page);
  return ctx.step('open SCIM provisioning', async () => {
    await connect.openScim();
    const state = await scim.state();
    if (state.kind === 'sso-missing') throw new PermanentAppError('setup_required', state.message);
    return { scim, endpointUrl: await scim.endpointUrl(), hasToken: state.kind === 'token' };
  });
}

async function issueOnce(ctx: SpekitContext, step: ScimStep): Promise<RevealedToken> {
  const { scim, hasToken } = step;
  const revealed = await ctx.step(hasToken ? 'regenerate token' : 'generate token', async () => {
    const result = hasToken ? await scim.regenerate() : await scim.generate();
    ctx.addSecret(result.token);
    return result;
  });
  // Stored at once: Spekit shows a token only once, and the previous one is already dead.
  await ctx.vault.set(VAULT.appToken, revealed.token);
  if (revealed.createdAt) await ctx.vault.set(VAULT.tokenCreatedAt, revealed.createdAt);
  return revealed;
}

/**
 * Generate or Regenerate. A Regenerate that errors may still have replaced the token (spekit.md):
 * reload and compare "Token created <date>" with what was stored; if it changed, the new token is
 * lost and must be regenerated again; if not, the stored token still works and we simply retry.
 */
async function issueToken(ctx: SpekitContext, first: ScimStep): Promise<RevealedToken> {
  let step = first;
  for (let n = 1; ; n += 1) {
    try {
      return await issueOnce(ctx, step);
    } catch (error) {
      if (!(error instanceof TransientAppError) || n >= ISSUE_ATTEMPTS) throw error;
      const stored = await ctx.vault.get(VAULT.tokenCreatedAt);
      step = await openScimStep(ctx);
      const shown = await step.scim.tokenCreatedAt();
      const lost = shown !== null && shown !== (stored ?? null);
      ctx.log(lost ? 'Spekit replaced the token but its value was lost; regenerating again' : 'Spekit kept the previous token; trying again', {
        error: (error as Error).message,
      });
    }
  }
}

/** One deliberate call per token: the old must answer 401, the new must work. Never rotates. */
async function proveRotation(ctx: SpekitContext, endpointUrl: string, oldToken: string | undefined, newToken: string): Promise<void> {
  const client = (token: string) =>
    createScimUpstream({ baseUrl: endpointUrl, token: async () => token, retry: { attempts: 3, baseMs: 200 }, signal: ctx.signal });
  if (oldToken && oldToken !== newToken) {
    const refused = await client(oldToken).probe().then(() => false, (error: unknown) => {
      if (error instanceof UpstreamUnauthorizedError) return true;
      throw error;
    });
    if (!refused) throw new TransientAppError('Spekit still accepts the previous token after Regenerate');
    ctx.log('the previous Spekit token is refused (401), as expected');
  }
  await client(newToken).probe();
}

async function issueAndVerify(ctx: SpekitContext): Promise<void> {
  const oldToken = await ctx.vault.get(VAULT.appToken);
  if (oldToken) ctx.addSecret(oldToken);
  await logIn(ctx);
  const step = await openScimStep(ctx);
  const { endpointUrl } = step;
  await ctx.vault.set(VAULT.endpointUrl, endpointUrl);
  const { token } = await issueToken(ctx, step);
  await proveRotation(ctx, endpointUrl, oldToken, token);
}

/** tasks.setup: generate (or, when one exists, regenerate) the SCIM token and record the endpoint. */
export async function setupToken(ctx: SpekitContext): Promise<void> {
  await issueAndVerify(ctx);
  ctx.log('Spekit SCIM token set up');
}

/** tasks.rotate: regenerate now, switch to the new token, prove the old one is refused. */
export async function rotateToken(ctx: SpekitContext): Promise<void> {
  await issueAndVerify(ctx);
  ctx.log('Spekit SCIM token rotated');
}
