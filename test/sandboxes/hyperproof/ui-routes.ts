/**
 * The admin web pages of the Hyperproof sandbox: two-step sign-in (with an optional verification
 * code), Overview, Programs and Settings (People, Authentication, Integrations). Actions on those
 * pages are JSON POSTs, in ui-api.ts.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Secret, TOTP } from 'otpauth';
import { authenticationPage } from './auth-page.ts';
import * as html from './html.ts';
import { withFailure } from './knobs.ts';
import { peoplePage, type PeopleTab } from './people-page.ts';
import { endSession, landingFor, liveSession, startSession, toastAfter, viewOf, type SessionDeps } from './session.ts';
import type { HyperproofRole } from './state.ts';
import { uiApi } from './ui-api.ts';

export interface UiDeps extends SessionDeps {
  endpointUrl: () => string;
  roleCodes: ReadonlyMap<HyperproofRole, string>;
}

type Form = FastifyRequest<{ Body: Record<string, string | undefined>; Querystring: Record<string, string | undefined> }>;

export function page(reply: FastifyReply, body: string, status = 200): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body);
}

function registerSignIn(app: FastifyInstance, deps: UiDeps): void {
  const { knobs } = deps;
  app.get('/login', async (request: Form, reply) => {
    if (liveSession(deps, request)) return reply.redirect(landingFor(deps, request.query.next));
    return page(reply, html.emailPage(viewOf(deps, request, request.query.next)));
  });
  // Step one answers the password step whatever the email: unknown emails fail only after the password.
  app.post('/login', async (request: Form, reply) => {
    const email = (request.body?.email ?? '').trim();
    const view = viewOf(deps, request, request.body?.next);
    if (!email) return page(reply, html.emailPage(view, 'Enter your email address.'), 400);
    return page(reply, view.presentation.signIn === 'inline' ? html.emailPage(view, undefined, email) : html.passwordPage(view, email));
  });
  app.post('/login/password', async (request: Form, reply) => {
    const email = (request.body?.email ?? '').trim();
    const next = request.body?.next;
    const ok = email.toLowerCase() === knobs.admin.email.toLowerCase() && request.body?.password === knobs.admin.password;
    if (!ok) {
      const view = viewOf(deps, request, next);
      const body = view.presentation.signIn === 'inline' ? html.emailPage(view, html.MESSAGES.badLogin, email) : html.passwordPage(view, email, html.MESSAGES.badLogin);
      return page(reply, body, 401);
    }
    const session = startSession(deps, reply, knobs.totpSecret ? 'totp' : 'ok');
    if (next) session.next = next;
    return reply.redirect(knobs.totpSecret ? '/login/verify' : landingFor(deps, next), 303);
  });
  app.get('/login/verify', async (request, reply) =>
    liveSession(deps, request, 'totp') ? page(reply, html.totpPage(viewOf(deps, request))) : reply.redirect('/login'));
  app.post('/login/verify', async (request: Form, reply) => {
    const session = liveSession(deps, request, 'totp');
    if (!session || !knobs.totpSecret) return reply.redirect('/login', 303);
    const totp = new TOTP({ secret: Secret.fromBase32(knobs.totpSecret) });
    if (totp.validate({ token: (request.body?.code ?? '').trim(), window: 1 }) === null) {
      return page(reply, html.totpPage(viewOf(deps, request), html.MESSAGES.badCode), 401);
    }
    session.stage = 'ok';
    return reply.redirect(landingFor(deps, session.next), 303);
  });
  app.post('/logout', async (request, reply) => {
    endSession(deps, request);
    return reply.redirect('/login', 303);
  });
}

const TABS: PeopleTab[] = ['active', 'deactivated', 'groups', 'activity'];

function registerPages(app: FastifyInstance, deps: UiDeps): void {
  const { state, knobs } = deps;
  app.get('/overview', async (request, reply) => page(reply, html.overviewPage(viewOf(deps, request))));
  app.get('/programs', async (request, reply) => page(reply, html.programsPage(viewOf(deps, request))));
  app.get('/settings', async (request, reply) => page(reply, html.settingsPage(viewOf(deps, request))));
  app.get('/settings/authentication', async (request, reply) => page(reply, authenticationPage(viewOf(deps, request), {
    ssoEnabled: knobs.ssoEnabled, provisioning: state.provisioning, endpointUrl: deps.endpointUrl(),
    tokens: state.tokens, tokenLimit: knobs.tokenLimit,
  })));
  app.get('/settings/people', async (request: Form, reply) => {
    const tab = TABS.find((t) => t === request.query.tab) ?? 'active';
    const self = state.byEmail(knobs.admin.email);
    return page(reply, peoplePage(viewOf(deps, request), {
      people: [...state.people.values()], selfId: self?.id ?? '', roleCodes: deps.roleCodes, deleteOffered: knobs.deleteOffered, tab,
    }));
  });
  app.get('/settings/integrations', async (request, reply) => page(reply, html.integrationsPage(viewOf(deps, request))));
  app.post('/settings/integrations/api-tokens', async (request, reply) => {
    const view = viewOf(deps, request);
    const failed = (r: FastifyReply) => page(r, html.integrationsPage(view).replace('<nav aria-label="Settings">', `${html.alert(html.MESSAGES.failed)}<nav aria-label="Settings">`), 500);
    const token = await withFailure(knobs, state.stats, 'ui', reply, failed, () => {
      const made = `hpapi_${crypto.randomUUID().replace(/-/g, '')}`;
      state.restTokens.push(made);
      return made;
    });
    if (token === undefined) return reply;
    toastAfter(deps, liveSession(deps, request), 'API token created');
    return page(reply, html.integrationsPage(view, token));
  });
}

export async function uiRoutes(app: FastifyInstance, deps: UiDeps): Promise<void> {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });
  // Signed out: pages go to /login?next=…, JSON calls answer 401 (hyperproof.md).
  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0]!;
    if (path === '/' || path.startsWith('/login') || path.startsWith('/__sandbox')) return undefined;
    if (liveSession(deps, request)) return undefined;
    if (path.startsWith('/api/')) return reply.code(401).send({ error: 'Not signed in' });
    const next = request.method === 'GET' ? request.url : '/overview';
    return reply.redirect(`/login?next=${encodeURIComponent(next)}`, 303);
  });
  app.get('/', async (request, reply) => reply.redirect(liveSession(deps, request) ? '/overview' : '/login'));
  registerSignIn(app, deps);
  registerPages(app, deps);
  await app.register(async (api) => uiApi(api, deps), { prefix: '/api' });
}
