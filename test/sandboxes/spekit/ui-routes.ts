/**
 * The admin web pages of the Spekit sandbox: login (with an optional authentication code),
 * Settings → Connect → SCIM provisioning (token generate / regenerate) and Manage Teams & Users.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { TOTP, Secret } from 'otpauth';
import * as html from './html.ts';
import { withFailure, type SpekitKnobs } from './knobs.ts';
import type { PageView } from './presentation.ts';
import type { Session, SpekitState } from './state.ts';

export interface UiDeps {
  state: SpekitState;
  knobs: SpekitKnobs;
  endpointUrl: () => string;
  workspace: string;
}

type Form = FastifyRequest<{ Body: Record<string, string | undefined> }>;
const COOKIE = 'spekit_session';
/** Tokens revealed by the last Generate / Regenerate, shown by the next GET only (post/redirect/get). */
const revealed = new WeakMap<SpekitState, Map<string, string>>();
/** How long a toast lingers after its action, across the pages that follow. */
const TOAST_MS = 4000;

function sessionId(request: FastifyRequest): string | undefined {
  const cookies = request.headers.cookie ?? '';
  const match = new RegExp(`(?:^|;\\s*)${COOKIE}=([^;]+)`).exec(cookies);
  return match?.[1];
}

function page(reply: FastifyReply, body: string, status = 200): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body);
}

function startSession(deps: UiDeps, reply: FastifyReply, stage: 'totp' | 'ok'): Session {
  const id = randomBytes(24).toString('base64url');
  const session: Session = { stage, expiresAt: Date.now() + deps.knobs.sessionLifetimeMs };
  deps.state.sessions.set(id, session);
  reply.header('set-cookie', `${COOKIE}=${id}; Path=/; HttpOnly; SameSite=Lax`);
  return session;
}

function sessionOf(deps: UiDeps, request: FastifyRequest): Session | undefined {
  const id = sessionId(request);
  return id ? deps.state.sessions.get(id) : undefined;
}

function toastAfter(session: Session | undefined, message: string): void {
  if (session) session.toast = { message, until: Date.now() + TOAST_MS };
}

/** The presentation knobs plus what this request's session still shows (a lingering toast). */
function viewOf(deps: UiDeps, request: FastifyRequest, next?: string): PageView {
  const toast = sessionOf(deps, request)?.toast;
  return {
    presentation: deps.knobs.presentation,
    ...(toast && toast.until > Date.now() ? { toast: toast.message } : {}),
    ...(next ? { next } : {}),
  };
}

/** Only a local path is a place to land on (no open redirect to another site). */
function landingFor(deps: UiDeps, next: string | undefined): string {
  const local = next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login');
  return deps.knobs.presentation.landing === 'requested' && local ? next : '/app';
}

/** 'ok' for a live session, 'expired' when the cookie names an ended one, else 'none'. */
function sessionState(deps: UiDeps, request: FastifyRequest, stage: 'totp' | 'ok'): 'ok' | 'expired' | 'none' {
  const id = sessionId(request);
  const session = id ? deps.state.sessions.get(id) : undefined;
  if (!id || !session) return 'none';
  if (session.expiresAt < Date.now()) {
    deps.state.sessions.delete(id);
    return 'expired';
  }
  return session.stage === stage ? 'ok' : 'none';
}

function checkPassword(knobs: SpekitKnobs, login: string, password: string): string | null {
  const { admin } = knobs;
  const known = [admin.username, admin.email].some((v) => v.toLowerCase() === login.trim().toLowerCase());
  if (!known) return html.MESSAGES.unknownUser;
  if (admin.deactivated) return html.MESSAGES.deactivated;
  return password === admin.password ? null : html.MESSAGES.wrongPassword;
}

function registerLogin(app: FastifyInstance, deps: UiDeps): void {
  app.get('/login', async (request, reply) => {
    if (sessionState(deps, request, 'ok') === 'ok') return reply.redirect('/app');
    const query = request.query as { expired?: string; next?: string };
    return page(reply, html.loginPage(viewOf(deps, request, query.next), query.expired === '1' ? html.MESSAGES.expired : undefined));
  });
  app.post('/login', async (request: Form, reply) => {
    const next = request.body?.next;
    const error = checkPassword(deps.knobs, request.body?.login ?? '', request.body?.password ?? '');
    if (error) return page(reply, html.loginPage(viewOf(deps, request, next), error), 401);
    const session = startSession(deps, reply, deps.knobs.totpSecret ? 'totp' : 'ok');
    if (next) session.next = next;
    if (!deps.knobs.totpSecret) toastAfter(session, 'Welcome back!');
    return reply.redirect(deps.knobs.totpSecret ? '/login/verify' : landingFor(deps, next), 303);
  });
  app.get('/login/verify', async (request, reply) =>
    sessionState(deps, request, 'totp') === 'ok' ? page(reply, html.totpPage(viewOf(deps, request))) : reply.redirect('/login'));
  app.post('/login/verify', async (request: Form, reply) => {
    const session = sessionOf(deps, request);
    if (!session || session.stage !== 'totp' || !deps.knobs.totpSecret) return reply.redirect('/login', 303);
    const totp = new TOTP({ secret: Secret.fromBase32(deps.knobs.totpSecret) });
    if (totp.validate({ token: (request.body?.code ?? '').trim(), window: 1 }) === null) {
      return page(reply, html.totpPage(viewOf(deps, request), html.MESSAGES.badCode), 401);
    }
    session.stage = 'ok';
    toastAfter(session, 'Welcome back!');
    return reply.redirect(landingFor(deps, session.next), 303);
  });
}

async function generate(deps: UiDeps, request: Form, reply: FastifyReply): Promise<FastifyReply> {
  const { state, knobs } = deps;
  const view = viewOf(deps, request);
  if (!knobs.ssoConnected) return page(reply, html.ssoRequiredPage(view), 409);
  const action = request.body?.action;
  if (action === 'generate' && state.token) return page(reply, html.errorPage(view, html.MESSAGES.tokenExists), 409);
  if (action === 'regenerate' && !state.token) return reply.redirect('/settings/connect/scim', 303);
  const token = await withFailure(knobs, state, 'ui', reply, (r) => page(r, html.errorPage(view), 500), () => state.issueToken());
  if (token === undefined) return reply;
  revealed.get(state)?.set(sessionId(request)!, token);
  // Worded like the page's own "Token created" on purpose: a reader must not take the toast for it.
  toastAfter(sessionOf(deps, request), 'Token generated');
  return reply.redirect('/settings/connect/scim', 303);
}

function registerSettings(app: FastifyInstance, deps: UiDeps): void {
  const { state, knobs } = deps;
  const view = (request: FastifyRequest) => viewOf(deps, request);
  app.get('/app', async (request, reply) => page(reply, html.homePage(view(request))));
  app.get('/settings', async (request, reply) => page(reply, html.settingsPage(view(request))));
  app.get('/settings/connect', async (request, reply) => page(reply, html.connectPage(view(request), knobs.ssoConnected, deps.workspace)));
  app.get('/settings/connect/sso', async (request, reply) =>
    page(reply, html.layout('Connect with SSO/SCIM', '<h1>Connect with SSO/SCIM</h1><p>Choose your identity provider.</p>', view(request))));
  app.get('/settings/connect/scim', async (request, reply) => {
    if (!knobs.ssoConnected) return page(reply, html.ssoRequiredPage(view(request)));
    const flash = revealed.get(state);
    const id = sessionId(request)!;
    const token = flash?.get(id);
    flash?.delete(id);
    return page(reply, html.scimPage(view(request), { endpointUrl: deps.endpointUrl(), createdAt: state.token?.createdAt ?? null, revealed: token }));
  });
  app.post('/settings/connect/scim/token', async (request: Form, reply) => generate(deps, request, reply));
  app.get('/settings/teams-users', async (request, reply) => page(reply, html.teamsUsersPage(view(request), state)));
  app.post('/logout', async (request, reply) => {
    const id = sessionId(request);
    if (id) state.sessions.delete(id);
    return reply.redirect('/login', 303);
  });
}

/** Signed out: to login, carrying the page asked for when login lands there (presentation.landing). */
function toLogin(deps: UiDeps, request: FastifyRequest, expired: boolean): string {
  const query = new URLSearchParams();
  if (expired) query.set('expired', '1');
  if (deps.knobs.presentation.landing === 'requested' && request.method === 'GET') query.set('next', request.url);
  const q = query.toString();
  return q ? `/login?${q}` : '/login';
}

export async function uiRoutes(app: FastifyInstance, deps: UiDeps): Promise<void> {
  revealed.set(deps.state, new Map());
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });
  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0]!;
    if (path === '/' || path.startsWith('/login')) return undefined;
    const session = sessionState(deps, request, 'ok');
    if (session !== 'ok') return reply.redirect(toLogin(deps, request, session === 'expired'), 303);
    return undefined;
  });
  app.get('/', async (request, reply) => reply.redirect(sessionState(deps, request, 'ok') === 'ok' ? '/app' : '/login'));
  registerLogin(app, deps);
  registerSettings(app, deps);
}
