/**
 * Hyperproof's part of the kit's token tasks (connectors/lib/hybrid): sign in, Settings →
 * Authentication. Provisioning off: switch it on, read the SCIM Endpoint URL and Bearer Token
 * from the dialog (never built from baseUrl) and Save. On: +New token (at the two-token limit,
 * first delete the oldest token scimwright does not hold). Once the new token is proven, every
 * other listed token is deleted: scimwright owns this organization's provisioning, and a token it
 * never saw (made by a +New token whose answer was lost) must not stay live.
 */
import { PermanentAppError, TransientAppError } from '../../core/errors.ts';
import { tokenTasks, vaultUpstream, VAULT, type IssuedToken, type OpenedTokenScreen } from '../lib/hybrid/index.ts';
import { UpstreamUnauthorizedError } from '../lib/scim-upstream/index.ts';
import { appPage } from './app-page.ts';
import { AuthenticationPage, type ListedToken } from './pages/authentication.page.ts';
import { SignInPage } from './pages/sign-in.page.ts';
import type { HyperproofContext, HyperproofSettings } from './settings.ts';

const NAME = 'Hyperproof';

export async function logIn(ctx: HyperproofContext): Promise<void> {
  const signIn = new SignInPage(await ctx.page(), ctx.baseUrl);
  await ctx.step('sign in to Hyperproof', async () => {
    if (!(await signIn.open())) await signIn.signIn(ctx.credentials);
  });
}

const last4 = (token: string | undefined) => token?.slice(-4);

/** Oldest first by the Created date shown (list order breaks ties and unreadable dates). */
function oldestFirst(tokens: ListedToken[]): ListedToken[] {
  const time = (t: ListedToken) => (t.created ? Date.parse(t.created.replace(/\s*UTC$/, 'Z').replace(' ', 'T')) || Date.parse(t.created) : NaN);
  return tokens.map((t, i) => ({ t, i, at: time(t) }))
    .sort((a, b) => (Number.isNaN(a.at) || Number.isNaN(b.at) || a.at === b.at ? a.i - b.i : a.at - b.at))
    .map(({ t }) => t);
}

async function createdOf(auth: AuthenticationPage, token: string): Promise<string | null> {
  await auth.reload();
  return (await auth.tokens()).find((t) => t.last4 === last4(token))?.created ?? null;
}

/** +New token; at the limit, first the oldest token that is not the one held. */
async function newToken(ctx: HyperproofContext, auth: AuthenticationPage): Promise<IssuedToken> {
  if (!(await auth.canCreateToken())) {
    const held = last4(await ctx.vault.get(VAULT.appToken));
    const spare = oldestFirst(await auth.tokens()).find((t) => t.last4 !== held);
    if (!spare) throw new PermanentAppError('unsupported', 'Hyperproof allows no further token and the only one is in use: delete a token in Settings → Authentication');
    ctx.log('Hyperproof is at its token limit; deleting a token scimwright does not hold first', { ending: spare.last4 });
    await auth.deleteToken(spare.last4);
    await auth.reload();
  }
  const token = await auth.newToken();
  ctx.addSecret(token);
  return { token, createdAt: await createdOf(auth, token) };
}

async function openTokenScreen(ctx: HyperproofContext): Promise<OpenedTokenScreen> {
  const auth = new AuthenticationPage(await appPage(ctx));
  const state = await ctx.step('open Settings → Authentication', async () => {
    await auth.open();
    const shown = await auth.state();
    if (shown.kind === 'sso-missing') {
      throw new PermanentAppError('setup_required', `Hyperproof: ${shown.message}. Set up single sign-on in Hyperproof before provisioning can be turned on (Settings → Authentication).`);
    }
    return shown;
  });
  const newest = async () => oldestFirst(await auth.tokens()).at(-1)?.created ?? null;
  if (state.kind === 'on') {
    return { hasToken: true, endpointUrl: state.endpointUrl, issue: () => newToken(ctx, auth), createdAt: newest };
  }
  // Off: the dialog makes the token as it opens; it is live only after Save.
  const opened = await ctx.step('turn Provisioning on', async () => {
    const values = await auth.switchOn();
    ctx.addSecret(values.token);
    return values;
  });
  return {
    hasToken: false,
    endpointUrl: opened.endpointUrl,
    issue: async () => {
      await auth.save();
      return { token: opened.token, createdAt: await createdOf(auth, opened.token) };
    },
    createdAt: async () => ((await auth.state()).kind === 'on' ? newest() : null),
  };
}

/** Deletes every listed token but the one held (the previous one and any never seen). */
async function retireOthers(ctx: HyperproofContext): Promise<void> {
  const held = last4(await ctx.vault.get(VAULT.appToken));
  if (!held) return;
  const auth = new AuthenticationPage(await appPage(ctx));
  await ctx.step('delete the tokens scimwright does not hold', async () => {
    await auth.open();
    for (const token of await auth.tokens()) {
      if (token.last4 === held) continue;
      await auth.deleteToken(token.last4);
      await auth.reload();
    }
    const left = (await auth.tokens()).map((t) => t.last4);
    if (left.some((t) => t !== held)) throw new TransientAppError(`Hyperproof still lists other tokens after deleting them (${left.length} left)`);
  });
}

const kit = tokenTasks<HyperproofSettings>({ name: NAME, logIn, openTokenScreen, retirePrevious: retireOthers });

/** Whether the stored token still answers a SCIM call (a refused one is not rotated here). */
async function storedTokenWorks(ctx: HyperproofContext): Promise<boolean> {
  if (!(await ctx.vault.get(VAULT.appToken)) || !(await ctx.vault.get(VAULT.endpointUrl))) return false;
  return (await vaultUpstream(ctx, { name: NAME })).probe().then(() => true, (error: unknown) => {
    if (error instanceof UpstreamUnauthorizedError) return false;
    throw error;
  });
}

/** tasks.setup: provisioning on with a proven token; a stored token that still works is kept. */
export async function setupToken(ctx: HyperproofContext): Promise<void> {
  if (await storedTokenWorks(ctx)) {
    ctx.log('Hyperproof SCIM token already set up and accepted; kept');
    return;
  }
  await kit.setup(ctx);
  await retireOthers(ctx);
}

/** tasks.rotate: +New token, switch to it, prove it, delete the token it replaced. */
export const rotateToken = kit.rotate;
