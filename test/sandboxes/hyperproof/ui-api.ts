/**
 * The JSON calls behind the admin page's buttons, under the CSRF header (random name per start).
 * Each change runs under the failure knobs: 500 with nothing done, or done and then 500.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { withFailure } from './knobs.ts';
import { liveSession, toastAfter } from './session.ts';
import type { Person, Session } from './state.ts';
import type { UiDeps } from './ui-routes.ts';

type Req = FastifyRequest<{ Body: Record<string, unknown> | undefined }>;
type Handler = (request: Req, reply: FastifyReply, session: Session) => Promise<unknown>;

const failed = (reply: FastifyReply) => reply.code(500).send({ error: 'Something went wrong' });
const refuse = (reply: FastifyReply, status: number, error: string) => reply.code(status).send({ error });

export async function uiApi(app: FastifyInstance, deps: UiDeps): Promise<void> {
  const { state, knobs } = deps;
  const change = <T>(reply: FastifyReply, fn: () => T) => withFailure(knobs, state.stats, 'ui', reply, failed, fn);
  const post = (path: string, handler: Handler) => app.post(path, async (request: Req, reply) => {
    const session = liveSession(deps, request)!;
    if (request.headers[deps.csrfHeader] !== session.csrf) return refuse(reply, 403, 'Missing CSRF header');
    return handler(request, reply, session);
  });
  const person = (request: Req): Person | undefined => state.people.get(String(request.body?.id ?? ''));
  const selfId = () => state.byEmail(knobs.admin.email)?.id;

  post('/provisioning/draft', async (_request, reply, session) => {
    if (!knobs.ssoEnabled) return refuse(reply, 409, 'Single sign-on is not configured');
    if (state.provisioning) return refuse(reply, 409, 'Provisioning is already on');
    const made = await change(reply, () => state.makeToken(false));
    if (!made) return reply;
    session.draft = made.record;
    return { endpointUrl: deps.endpointUrl(), token: made.token };
  });
  post('/provisioning/save', async (_request, reply, session) => {
    const draft = session.draft;
    if (!draft || state.provisioning) return refuse(reply, 409, 'Nothing to save');
    const done = await change(reply, () => {
      state.tokens.push(draft);
      state.provisioning = true;
      delete session.draft;
      return true;
    });
    if (done) toastAfter(deps, session, 'Provisioning turned on');
    return done ? { ok: true } : reply;
  });
  post('/provisioning/discard', async (_request, _reply, session) => {
    delete session.draft;
    return { ok: true };
  });
  post('/provisioning/off', async (_request, reply, session) => {
    const done = await change(reply, () => (state.turnOff(), true));
    if (done) toastAfter(deps, session, 'Provisioning turned off');
    return done ? { ok: true } : reply;
  });
  post('/tokens/new', async (_request, reply) => {
    if (!state.provisioning) return refuse(reply, 409, 'Provisioning is off');
    if (knobs.tokenLimit !== null && state.tokens.length >= knobs.tokenLimit) return refuse(reply, 409, 'You can have up to two tokens.');
    const made = await change(reply, () => state.makeToken(true));
    return made ? { token: made.token } : reply;
  });
  post('/tokens/delete', async (request, reply, session) => {
    const id = String(request.body?.id ?? '');
    if (!state.tokens.some((t) => t.id === id)) return refuse(reply, 404, 'No such token');
    const done = await change(reply, () => state.deleteToken(id));
    if (done) toastAfter(deps, session, 'Token deleted');
    return done ? { ok: true } : reply;
  });
  registerPeople(post, { deps, change, person, selfId });
}

interface PeopleDeps {
  deps: UiDeps;
  change: <T>(reply: FastifyReply, fn: () => T) => Promise<T | undefined>;
  person: (request: Req) => Person | undefined;
  selfId: () => string | undefined;
}

function registerPeople(post: (path: string, handler: Handler) => void, { deps, change, person, selfId }: PeopleDeps): void {
  const { state, knobs } = deps;
  const roleOf = (code: unknown) => [...deps.roleCodes].find(([, c]) => c === code)?.[0];
  post('/people/role', async (request, reply, session) => {
    const user = person(request);
    const role = roleOf(request.body?.role);
    if (!user || !role || user.id === selfId()) return refuse(reply, 400, 'Cannot change that role');
    const done = await change(reply, () => {
      user.role = role;
      user.lastModified = state.now();
      return true;
    });
    if (done) toastAfter(deps, session, 'Role updated');
    return done ? { ok: true } : reply;
  });
  post('/people/deactivate', async (request, reply, session) => {
    const user = person(request);
    if (!user || user.status === 'Deactivated' || user.id === selfId()) return refuse(reply, 400, 'Cannot deactivate');
    if (user.ownsWork && !state.people.get(String(request.body?.assignTo ?? ''))) return refuse(reply, 400, 'Assign their work first');
    const done = await change(reply, () => (state.deactivate(user), true));
    if (done) toastAfter(deps, session, 'User deactivated');
    return done ? { ok: true } : reply;
  });
  post('/people/reactivate', async (request, reply, session) => {
    const user = person(request);
    if (!user || user.status !== 'Deactivated') return refuse(reply, 400, 'Cannot reactivate');
    const done = await change(reply, () => (state.reactivate(user), true));
    if (done) toastAfter(deps, session, 'User reactivated');
    return done ? { ok: true } : reply;
  });
  post('/people/delete', async (request, reply, session) => {
    const user = person(request);
    if (!knobs.deleteOffered) return refuse(reply, 404, 'Not found');
    if (!user || user.status !== 'Deactivated') return refuse(reply, 400, 'Only deactivated users can be deleted');
    if (String(request.body?.email ?? '').trim().toLowerCase() !== user.email.toLowerCase()) return refuse(reply, 400, 'The email does not match');
    const done = await change(reply, () => (state.deletePerson(user.id), true));
    if (done) toastAfter(deps, session, 'User deleted');
    return done ? { ok: true } : reply;
  });
}
