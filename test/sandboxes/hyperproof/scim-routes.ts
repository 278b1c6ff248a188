/**
 * Hyperproof's SCIM 2.0 API as the sandbox serves it, on an origin of its own at
 * `/scim/v2/org_<random>` (RFC 7644 §3): live provisioning tokens only, Users only (/Groups is
 * 404), `userName eq` the one filter, `count` ≤ 50, DELETE refused with 405.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorBody, LIST_SCHEMA, page, parseFilter } from '../lib/scim.ts';
import { ScimLimiter, withFailure, type HyperproofKnobs } from './knobs.ts';
import { draftFromBody, draftOf, patchDraft, readPatch, renderUser, SandboxScimError, type Draft } from './scim-resources.ts';
import { SCIM_DEFAULT_ROLE, type HyperproofState, type Person } from './state.ts';

export interface ScimDeps {
  state: HyperproofState;
  knobs: HyperproofKnobs;
  /** The SCIM Endpoint URL, known once the server listens. */
  base: () => string;
}

type Req = FastifyRequest<{ Params: { id: string }; Querystring: Record<string, string> }>;

const SCIM_TYPE = 'application/scim+json';
const MAX_PAGE = 50;

function send(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.code(status).type(SCIM_TYPE).send(body);
}

const fail = (reply: FastifyReply) => send(reply, 500, errorBody(500, undefined, 'Internal server error'));

function guard(deps: ScimDeps, limiter: ScimLimiter) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    deps.state.stats.scimRequests += 1;
    const retryAfter = limiter.take(deps.knobs.rateLimit);
    if (retryAfter !== null) {
      deps.state.stats.rateLimited += 1;
      if (retryAfter !== '') reply.header('retry-after', retryAfter);
      return send(reply, 429, errorBody(429, undefined, 'Too many requests'));
    }
    const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
    const token = match ? deps.state.liveToken(match[1]!) : undefined;
    if (!token) {
      deps.state.stats.unauthorized += 1;
      reply.header('www-authenticate', 'Bearer realm="hyperproof-scim"');
      return send(reply, 401, errorBody(401, undefined, 'The bearer token is not valid'));
    }
    token.lastUsedAt = deps.state.now();
    return undefined;
  };
}

function findUser(state: HyperproofState, id: string): Person {
  const person = state.people.get(id);
  if (!person) throw new SandboxScimError(404, undefined, `User ${id} not found`);
  return person;
}

/** Saves a draft after the uniqueness check, deactivated people included (RFC 7644 §3.3: 409 uniqueness). */
function checkUnique(state: HyperproofState, draft: Draft, exceptId?: string): void {
  if (state.emailTaken(draft.email, exceptId)) throw new SandboxScimError(409, 'uniqueness', `userName ${draft.email} is already taken`);
}

function apply(state: HyperproofState, person: Person, draft: Draft): Person {
  const wasActive = person.status !== 'Deactivated';
  Object.assign(person, { email: draft.email, givenName: draft.givenName, familyName: draft.familyName, role: draft.role });
  if (wasActive && !draft.active) state.deactivate(person);
  else if (!wasActive && draft.active) state.reactivate(person);
  person.lastModified = state.now();
  return person;
}

function registerUsers(app: FastifyInstance, deps: ScimDeps): void {
  const { state, knobs } = deps;
  const change = <T>(reply: FastifyReply, fn: () => T) => withFailure(knobs, state.stats, 'scim', reply, fail, fn);
  app.get('/Users', async (request: Req, reply) => {
    const filter = parseFilter(request.query.filter);
    if (filter && filter.attr !== 'username') throw new SandboxScimError(400, 'invalidFilter', 'only userName eq "…" is supported');
    const people = [...state.people.values()].filter((p) => !filter || p.email.toLowerCase() === filter.value.toLowerCase());
    const { slice, ...paging } = page(people, request.query, MAX_PAGE);
    return send(reply, 200, { schemas: [LIST_SCHEMA], ...paging, Resources: slice.map((p) => renderUser(p, deps.base(), knobs)) });
  });
  app.get('/Users/:id', async (request: Req, reply) => send(reply, 200, renderUser(findUser(state, request.params.id), deps.base(), knobs)));
  app.post('/Users', async (request: Req, reply) => {
    const draft = draftFromBody(request.body, { email: '', givenName: '', familyName: '', active: true, role: SCIM_DEFAULT_ROLE }, knobs, true);
    checkUnique(state, draft);
    const saved = await change(reply, () => {
      state.stats.usersCreated += 1;
      return apply(state, state.addPerson({ email: draft.email, role: draft.role }, 'scim'), draft);
    });
    return saved ? send(reply.header('location', `${deps.base()}/Users/${saved.id}`), 201, renderUser(saved, deps.base(), knobs)) : reply;
  });
  app.put('/Users/:id', async (request: Req, reply) => {
    const person = findUser(state, request.params.id);
    const draft = draftFromBody(request.body, draftOf(person), knobs, knobs.putResetsRole);
    checkUnique(state, draft, person.id);
    const saved = await change(reply, () => apply(state, person, draft));
    return saved ? send(reply, 200, renderUser(saved, deps.base(), knobs)) : reply;
  });
  app.patch('/Users/:id', async (request: Req, reply) => {
    const person = findUser(state, request.params.id);
    const draft = patchDraft(draftOf(person), readPatch(request.body), knobs);
    checkUnique(state, draft, person.id);
    const saved = await change(reply, () => apply(state, person, draft));
    return saved ? send(reply, 200, renderUser(saved, deps.base(), knobs)) : reply;
  });
  app.delete('/Users/:id', async (request: Req, reply) => {
    findUser(state, request.params.id);
    return send(reply, 405, errorBody(405, undefined, 'Users cannot be deleted over SCIM. Set active to false to deactivate them.'));
  });
}

export async function scimRoutes(app: FastifyInstance, deps: ScimDeps): Promise<void> {
  const limiter = new ScimLimiter();
  app.addHook('onRequest', guard(deps, limiter));
  app.addHook('onResponse', async (request, reply) => {
    deps.state.scimCalls.push({ method: request.method, path: request.url, status: reply.statusCode, ...(request.body === undefined ? {} : { body: request.body }) });
  });
  app.setErrorHandler((error: unknown, _request, reply) => {
    if (error instanceof SandboxScimError) return send(reply, error.status, errorBody(error.status, error.scimType, error.message));
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    return send(reply, status, errorBody(status, status === 400 ? 'invalidSyntax' : undefined, status === 500 ? 'Internal server error' : String((error as Error).message)));
  });
  app.setNotFoundHandler((request, reply) => send(reply, 404, errorBody(404, undefined, `${request.url.split('?')[0]} not found`)));
  registerUsers(app, deps);
}
