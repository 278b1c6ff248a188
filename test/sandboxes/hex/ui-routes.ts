/**
 * The Hex sandbox's admin pages: login (with the optional two-factor step), sessions that expire
 * to `/login?next=…`, Settings, Groups and Authentication → SSO / SCIM with the token dialog.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Secret, TOTP } from 'otpauth';
import { withFailure } from '../lib/faults.ts';
import * as html from './html.ts';
import type { HexKnobs } from './knobs.ts';
import type { PageView } from './presentation.ts';
import type { HexState, Session } from './state.ts';
import { usersRoutes } from './users-page.ts';

export interface UiDeps {
  state: HexState;
  knobs: HexKnobs;
  scimBaseUrl: () => string;
}

type Form = FastifyRequest<{ Body: Record<string, string | undefined> }>;
const COOKIE = 'hex_session';
/** How long a lingering message stays across pages. */
const TOAST_MS = 4000;

function sessionId(request: FastifyRequest): string | undefined {
  return new RegExp(`(?:^|;\\s*)${COOKIE}=([^;]+)`).exec(request.headers.cookie ?? '')?.[1];
}

function page(reply: FastifyReply, body: string, status = 200): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body);
}

/** Only a local path is a place to land on (no open redirect). */
function localPath(next: string | undefined): string | undefined {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login') ? next : undefined;
}

class Sessions {
  constructor(private readonly deps: UiDeps) {}

  start(reply: FastifyReply, stage: Session['stage'], next: string | undefined): Session {
    const id = randomBytes(24).toString('base64url');
    const session: Session = { stage, expiresAt: Date.now() + this.deps.knobs.sessionLifetimeMs, ...(next ? { next } : {}) };
    this.deps.state.sessions.set(id, session);
    reply.header('set-cookie', `${COOKIE}=${id}; Path=/; HttpOnly; SameSite=Lax`);
    return session;
  }

  /** A live session, dropping an expired one. */
  of(request: FastifyRequest): Session | undefined {
    const id = sessionId(request);
    const session = id ? this.deps.state.sessions.get(id) : undefined;
    if (session && session.expiresAt < Date.now()) {
      this.deps.state.sessions.delete(id!);
      return undefined;
    }
    return session;
  }

  toast(request: FastifyRequest, message: string): void {
    const session = this.of(request);
    if (session) session.toast = { message, until: Date.now() + TOAST_MS };
  }

  view(request: FastifyRequest): PageView {
    const toast = this.of(request)?.toast;
    return { presentation: this.deps.knobs.presentation, ...(toast && toast.until > Date.now() ? { toast: toast.message } : {}) };
  }
}

function registerLogin(app: FastifyInstance, deps: UiDeps, sessions: Sessions): void {
  const { knobs } = deps;
  app.get('/login', async (request, reply) => {
    const next = localPath((request.query as { next?: string }).next);
    if (sessions.of(request)?.stage === 'ok') return reply.redirect(next ?? '/home');
    return page(reply, html.loginPage(sessions.view(request), next));
  });
  app.post('/login', async (request: Form, reply) => {
    const next = localPath(request.body?.next);
    const ok = (request.body?.email ?? '').trim().toLowerCase() === knobs.admin.email.toLowerCase() && request.body?.password === knobs.admin.password;
    if (!ok) return page(reply, html.loginPage(sessions.view(request), next, html.MESSAGES.badLogin), 401);
    sessions.start(reply, knobs.totpSecret ? 'totp' : 'ok', next);
    return reply.redirect(knobs.totpSecret ? '/login/2fa' : next ?? '/home', 303);
  });
  app.get('/login/2fa', async (request, reply) =>
    sessions.of(request)?.stage === 'totp' ? page(reply, html.totpPage(sessions.view(request))) : reply.redirect('/login'));
  app.post('/login/2fa', async (request: Form, reply) => {
    const session = sessions.of(request);
    if (!session || session.stage !== 'totp' || !knobs.totpSecret) return reply.redirect('/login', 303);
    const totp = new TOTP({ secret: Secret.fromBase32(knobs.totpSecret) });
    if (totp.validate({ token: (request.body?.code ?? '').trim(), window: 1 }) === null) {
      return page(reply, html.totpPage(sessions.view(request), html.MESSAGES.badCode), 401);
    }
    session.stage = 'ok';
    return reply.redirect(session.next ?? '/home', 303);
  });
  app.get('/logout', async (request, reply) => {
    const id = sessionId(request);
    if (id) deps.state.sessions.delete(id);
    return reply.redirect('/login');
  });
}

/** Why the SCIM tab offers no token: the plan, or SSO when the knob requires it. */
function scimBlocked(knobs: HexKnobs): string | undefined {
  if (knobs.plan !== 'Enterprise') return html.MESSAGES.teamPlan;
  if (knobs.ssoRequired && !knobs.ssoEnabled) return html.MESSAGES.ssoRequired;
  return undefined;
}

function registerAuthentication(app: FastifyInstance, deps: UiDeps, sessions: Sessions): void {
  const { state, knobs } = deps;
  const scimView = (request: FastifyRequest, extra: Partial<html.ScimTabView> = {}) => {
    const blocked = scimBlocked(knobs);
    return html.scimTab(sessions.view(request), {
      ...(blocked ? { blocked } : {}),
      baseUrl: deps.scimBaseUrl(),
      token: state.token ? { createdAt: state.token.createdAt, createdBy: state.token.createdBy } : null,
      ...extra,
    });
  };
  app.get('/settings/authentication', async (request, reply) => page(reply, html.ssoTab(sessions.view(request), knobs.ssoEnabled)));
  app.get('/settings/authentication/scim', async (request, reply) => {
    const session = sessions.of(request)!;
    const revealed = session.revealed;
    delete session.revealed;
    return page(reply, scimView(request, revealed ? { revealed } : {}));
  });
  app.post('/settings/authentication/scim/token', async (request: Form, reply) => {
    if (scimBlocked(knobs)) return page(reply, scimView(request), 409);
    const action = request.body?.action;
    if (action === 'generate' && state.token) return page(reply, scimView(request, { error: 'A token already exists. Regenerate it instead.' }), 409);
    if (action === 'regenerate' && !state.token) return reply.redirect('/settings/authentication/scim', 303);
    // A failure after the change has still replaced the token (hex.md: "may have replaced the token").
    const token = await withFailure(knobs, state, 'ui', reply, (r) => page(r, scimView(request, { error: html.MESSAGES.tokenFailed }), 500),
      () => state.issueToken(knobs.admin.email));
    if (token === undefined) return reply;
    sessions.of(request)!.revealed = token;
    return reply.redirect('/settings/authentication/scim', 303);
  });
}

export async function uiRoutes(app: FastifyInstance, deps: UiDeps): Promise<void> {
  const sessions = new Sessions(deps);
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });
  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0]!;
    if (path === '/' || path.startsWith('/login')) return undefined;
    if (sessions.of(request)?.stage === 'ok') return undefined;
    if (request.headers['x-requested-with'] === 'fetch') return reply.code(401).send({ message: 'Signed out' });
    return reply.redirect(`/login?next=${encodeURIComponent(request.method === 'GET' ? request.url : '/home')}`, 303);
  });
  app.get('/', async (request, reply) => reply.redirect(sessions.of(request)?.stage === 'ok' ? '/home' : '/login'));
  registerLogin(app, deps, sessions);
  app.get('/home', async (request, reply) => page(reply, html.homePage(sessions.view(request))));
  app.get('/settings', async (request, reply) => page(reply, html.settingsPage(sessions.view(request))));
  app.get('/settings/groups', async (request, reply) => page(reply, html.groupsPage(sessions.view(request), deps.state)));
  registerAuthentication(app, deps, sessions);
  await usersRoutes(app, {
    state: deps.state, knobs: deps.knobs, view: (r) => sessions.view(r), toast: (r, m) => sessions.toast(r, m),
  });
}
