/**
 * Hex's SCIM 2.0 API as the sandbox serves it at `<origin>/api/v1/scim/v2` (RFC 7644 §3, hex.md):
 * only the current token, Enterprise only, 429 without Retry-After, users and groups, no roles.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { withFailure, WindowLimiter } from '../lib/faults.ts';
import { errorBody, LIST_SCHEMA, page, parseFilter, readPatch, SandboxScimError, SCIM_TYPE, type PatchOp } from '../lib/scim.ts';
import type { HexKnobs } from './knobs.ts';
import { matchesGroup, matchesUser, patchUser, renderGroup, renderUser, userFromBody } from './scim-resources.ts';
import type { HexGroup, HexState, HexUser } from './state.ts';

export interface ScimDeps {
  state: HexState;
  knobs: HexKnobs;
  /** The SCIM base URL, e.g. http://127.0.0.1:1234/api/v1/scim/v2 (known once the server listens). */
  base: () => string;
}

type Req = FastifyRequest<{ Params: { id: string }; Querystring: Record<string, string> }>;

function send(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.code(status).type(SCIM_TYPE).send(body);
}

const fail = (reply: FastifyReply) => send(reply, 500, errorBody(500, undefined, 'Internal server error'));

function guard(deps: ScimDeps, limiter: WindowLimiter) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    deps.state.stats.scimRequests += 1;
    // Hex documents no rate limit and sends no Retry-After: the client must choose its own pause.
    if (limiter.take(deps.knobs.rateLimit) !== null) {
      deps.state.stats.rateLimited += 1;
      return send(reply, 429, errorBody(429, undefined, 'Too many requests'));
    }
    const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
    if (!match || !deps.state.tokenMatches(match[1]!)) {
      deps.state.stats.unauthorized += 1;
      reply.header('www-authenticate', 'Bearer realm="hex"');
      return send(reply, 401, errorBody(401, undefined, 'Invalid SCIM token'));
    }
    if (deps.knobs.plan !== 'Enterprise') return send(reply, 403, errorBody(403, undefined, 'SCIM provisioning is available on the Enterprise plan.'));
    return undefined;
  };
}

function findUser(state: HexState, id: string): HexUser {
  const user = state.users.get(id);
  if (!user) throw new SandboxScimError(404, undefined, `User ${id} not found`);
  return user;
}

/** Saves a draft after the uniqueness check (RFC 7644 §3.3: 409 uniqueness, any case or status). */
function saveUser(state: HexState, draft: HexUser, isNew: boolean): HexUser {
  if (state.userNameTaken(draft.userName, draft.id)) throw new SandboxScimError(409, 'uniqueness', `userName ${draft.userName} is already taken`);
  if (isNew) return state.addUser(draft);
  const saved = { ...draft, lastModified: state.now() };
  state.users.set(saved.id, saved);
  return saved;
}

function registerUsers(app: FastifyInstance, deps: ScimDeps): void {
  const { state, knobs } = deps;
  const render = (u: HexUser) => renderUser(state, u, deps.base());
  app.get('/Users', async (request: Req, reply) => {
    const filter = parseFilter(request.query.filter);
    const users = [...state.users.values()].filter((u) => !filter || matchesUser(u, filter));
    const { slice, ...paging } = page(users, request.query, knobs.maxPageSize, knobs.defaultPageSize);
    return send(reply, 200, { schemas: [LIST_SCHEMA], ...paging, Resources: slice.map(render) });
  });
  app.get('/Users/:id', async (request: Req, reply) => send(reply, 200, render(findUser(state, request.params.id))));
  app.post('/Users', async (request: Req, reply) => {
    const blank: HexUser = { id: '', userName: '', role: knobs.defaultRole, status: 'Active', source: 'scim', created: '', lastModified: '' };
    const draft = userFromBody(state, knobs, request.body, blank);
    if (state.userNameTaken(draft.userName)) throw new SandboxScimError(409, 'uniqueness', `userName ${draft.userName} is already taken`);
    const saved = await withFailure(knobs, state, 'scim', reply, fail, () => saveUser(state, draft, true));
    return saved ? send(reply.header('location', `${deps.base()}/Users/${saved.id}`), 201, render(saved)) : reply;
  });
  app.put('/Users/:id', async (request: Req, reply) => {
    const draft = userFromBody(state, knobs, request.body, findUser(state, request.params.id));
    const saved = await withFailure(knobs, state, 'scim', reply, fail, () => saveUser(state, draft, false));
    return saved ? send(reply, 200, render(saved)) : reply;
  });
  app.patch('/Users/:id', async (request: Req, reply) => {
    const draft = patchUser(state, knobs, findUser(state, request.params.id), readPatch(request.body));
    const saved = await withFailure(knobs, state, 'scim', reply, fail, () => saveUser(state, draft, false));
    return saved ? send(reply, 200, render(saved)) : reply;
  });
  // For good: Hex may cut the user's data links (hex.md prefers active=false).
  app.delete('/Users/:id', async (request: Req, reply) => {
    const user = findUser(state, request.params.id);
    const done = await withFailure(knobs, state, 'scim', reply, fail, () => (state.deleteUser(user.id), true));
    return done ? reply.code(204).send() : reply;
  });
}

/** Member values must be Hex's own user ids; one unknown id refuses the whole request (no change). */
function memberIds(state: HexState, value: unknown): string[] {
  const list = Array.isArray(value) ? (value as Array<{ value?: unknown }>) : [];
  return list.map((m) => {
    const id = typeof m?.value === 'string' ? m.value : '';
    if (!state.users.has(id)) throw new SandboxScimError(400, 'invalidValue', `member ${id} is not a Hex user id`);
    return id;
  });
}

const MEMBER_PATH = /^members\[value eq "([^"]+)"\]$/i;

/** Applies one op to a copy of the group's fields; throws before any change is saved. */
function applyGroupOp(state: HexState, group: { displayName: string; members: string[] }, op: PatchOp): void {
  const path = op.path?.toLowerCase();
  const byFilter = op.path ? MEMBER_PATH.exec(op.path) : null;
  if (op.op === 'remove' && byFilter) group.members = group.members.filter((m) => m !== byFilter[1]);
  else if (op.op === 'remove' && path === 'members') {
    const ids = op.value === undefined ? group.members : memberIds(state, op.value);
    group.members = group.members.filter((m) => !ids.includes(m));
  } else if (path === 'members') {
    const ids = memberIds(state, op.value);
    group.members = [...new Set([...(op.op === 'replace' ? [] : group.members), ...ids])];
  } else if (path === 'displayname' && typeof op.value === 'string') group.displayName = op.value;
  else if (!op.path && op.op !== 'remove') {
    const value = (op.value ?? {}) as { displayName?: unknown; members?: unknown };
    if (typeof value.displayName === 'string') group.displayName = value.displayName;
    if (value.members !== undefined) applyGroupOp(state, group, { op: op.op, path: 'members', value: value.members });
  } else throw new SandboxScimError(400, 'invalidPath', `unsupported path ${op.path ?? ''}`);
}

function registerGroups(app: FastifyInstance, deps: ScimDeps): void {
  const { state, knobs } = deps;
  const findGroup = (id: string): HexGroup => {
    const group = state.groups.get(id);
    if (!group) throw new SandboxScimError(404, undefined, `Group ${id} not found`);
    return group;
  };
  const withMembers = (q: Record<string, string>) => !/(^|,)\s*members\s*(,|$)/i.test(q.excludedAttributes ?? '');
  app.get('/Groups', async (request: Req, reply) => {
    const filter = parseFilter(request.query.filter);
    const groups = [...state.groups.values()].filter((g) => !filter || matchesGroup(g, filter));
    const { slice, ...paging } = page(groups, request.query, knobs.maxPageSize, knobs.defaultPageSize);
    return send(reply, 200, { schemas: [LIST_SCHEMA], ...paging, Resources: slice.map((g) => renderGroup(state, g, deps.base(), withMembers(request.query))) });
  });
  app.get('/Groups/:id', async (request: Req, reply) =>
    send(reply, 200, renderGroup(state, findGroup(request.params.id), deps.base(), withMembers(request.query))));
  app.post('/Groups', async (request: Req, reply) => {
    const body = (request.body ?? {}) as { displayName?: unknown; members?: unknown };
    if (typeof body.displayName !== 'string' || body.displayName.trim() === '') throw new SandboxScimError(400, 'invalidValue', 'displayName is required');
    if (state.groupNameTaken(body.displayName)) throw new SandboxScimError(409, 'uniqueness', `group ${body.displayName} already exists`);
    const ids = memberIds(state, body.members);
    const group = await withFailure(knobs, state, 'scim', reply, fail, () => state.addGroup(body.displayName as string, ids));
    return group ? send(reply.header('location', `${deps.base()}/Groups/${group.id}`), 201, renderGroup(state, group, deps.base())) : reply;
  });
  app.put('/Groups/:id', async (_request, reply) => send(reply, 405, errorBody(405, undefined, 'PUT is not supported for Groups; use PATCH')));
  app.patch('/Groups/:id', async (request: Req, reply) => {
    const group = findGroup(request.params.id);
    const draft = { displayName: group.displayName, members: [...group.members] };
    for (const op of readPatch(request.body)) applyGroupOp(state, draft, op);
    if (state.groupNameTaken(draft.displayName, group.id)) throw new SandboxScimError(409, 'uniqueness', `group ${draft.displayName} already exists`);
    const done = await withFailure(knobs, state, 'scim', reply, fail, () => {
      Object.assign(group, draft, { lastModified: state.now() });
      return true;
    });
    return done ? reply.code(204).send() : reply;
  });
  app.delete('/Groups/:id', async (request: Req, reply) => {
    const group = findGroup(request.params.id);
    const done = await withFailure(knobs, state, 'scim', reply, fail, () => state.groups.delete(group.id));
    return done ? reply.code(204).send() : reply;
  });
}

export async function scimRoutes(app: FastifyInstance, deps: ScimDeps): Promise<void> {
  const limiter = new WindowLimiter();
  app.addHook('onRequest', guard(deps, limiter));
  app.setErrorHandler((error: unknown, _request, reply) => {
    if (error instanceof SandboxScimError) return send(reply, error.status, errorBody(error.status, error.scimType, error.message));
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    return send(reply, status, errorBody(status, status === 400 ? 'invalidSyntax' : undefined, status === 500 ? 'Internal server error' : String((error as Error).message)));
  });
  app.setNotFoundHandler((_request, reply) => send(reply, 404, errorBody(404, undefined, 'Not found')));
  registerUsers(app, deps);
  registerGroups(app, deps);
}
