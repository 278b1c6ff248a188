/**
 * Spekit's SCIM 2.0 API as the sandbox serves it at `<url>/scim/v2` (RFC 7644 §3). Only the
 * current bearer token is accepted; users made by hand are invisible here but keep their userName.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { withFailure, WindowLimiter, type SpekitKnobs } from './knobs.ts';
import {
  errorBody, LIST_SCHEMA, matchesTeam, matchesUser, page, parseFilter, patchUser, readPatch,
  renderTeam, renderUser, SandboxScimError, userFromBody,
} from './scim-resources.ts';
import type { SandboxUser, SpekitState } from './state.ts';

export interface ScimDeps {
  state: SpekitState;
  knobs: SpekitKnobs;
  /** The Endpoint URL, e.g. http://127.0.0.1:1234/scim/v2 (known once the server listens). */
  base: () => string;
}

type Req = FastifyRequest<{ Params: { id: string }; Querystring: Record<string, string> }>;

const SCIM_TYPE = 'application/scim+json';

function send(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.code(status).type(SCIM_TYPE).send(body);
}

function fail(reply: FastifyReply): FastifyReply {
  return send(reply, 500, errorBody(500, undefined, 'Internal server error'));
}

function guard(deps: ScimDeps, limiter: WindowLimiter) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    deps.state.stats.scimRequests += 1;
    const retryAfter = limiter.take(deps.knobs.rateLimit);
    if (retryAfter !== null) {
      deps.state.stats.rateLimited += 1;
      reply.header('retry-after', retryAfter);
      return send(reply, 429, errorBody(429, undefined, 'Too many requests'));
    }
    const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
    if (!match || !deps.state.tokenMatches(match[1]!)) {
      deps.state.stats.unauthorized += 1;
      reply.header('www-authenticate', 'Bearer realm="spekit"');
      return send(reply, 401, errorBody(401, undefined, 'Invalid or expired bearer token'));
    }
    return undefined;
  };
}

function findUser(state: SpekitState, id: string): SandboxUser {
  const user = state.scimUser(id);
  if (!user) throw new SandboxScimError(404, undefined, `User ${id} not found`);
  return user;
}

/** Saves a draft user after the uniqueness check (RFC 7644 §3.3: 409 with scimType uniqueness). */
function saveUser(state: SpekitState, draft: SandboxUser): SandboxUser {
  if (state.userNameTaken(draft.userName, draft.id)) {
    throw new SandboxScimError(409, 'uniqueness', `userName ${draft.userName} is already taken`);
  }
  const previousRole = state.users.get(draft.id)?.role;
  const saved = { ...draft, lastModified: state.now() };
  state.users.set(saved.id, saved);
  if (previousRole !== saved.role) state.applyRole(saved.id);
  return saved;
}

function blankUser(state: SpekitState): SandboxUser {
  const stamp = state.now();
  return {
    id: crypto.randomUUID(), userName: '', email: '', active: true, loggedIn: false,
    source: 'scim', role: null, created: stamp, lastModified: stamp,
  };
}

function registerUsers(app: FastifyInstance, deps: ScimDeps): void {
  const { state, knobs } = deps;
  app.get('/Users', async (request: Req, reply) => {
    const filter = parseFilter(request.query.filter);
    const users = state.scimUsers().filter((u) => !filter || matchesUser(u, filter));
    const { slice, ...paging } = page(users, request.query, knobs.maxPageSize);
    return send(reply, 200, { schemas: [LIST_SCHEMA], ...paging, Resources: slice.map((u) => renderUser(state, u, deps.base())) });
  });
  app.get('/Users/:id', async (request: Req, reply) => send(reply, 200, renderUser(state, findUser(state, request.params.id), deps.base())));
  app.post('/Users', async (request: Req, reply) => {
    const draft = userFromBody(request.body, blankUser(state));
    const saved = await withFailure(knobs, state, 'scim', reply, fail, () => saveUser(state, draft));
    return saved ? send(reply.header('location', `${deps.base()}/Users/${saved.id}`), 201, renderUser(state, saved, deps.base())) : reply;
  });
  app.put('/Users/:id', async (request: Req, reply) => {
    const current = findUser(state, request.params.id);
    const draft = userFromBody(request.body, current);
    const saved = await withFailure(knobs, state, 'scim', reply, fail, () => saveUser(state, draft));
    return saved ? send(reply, 200, renderUser(state, saved, deps.base())) : reply;
  });
  app.patch('/Users/:id', async (request: Req, reply) => {
    const draft = patchUser(findUser(state, request.params.id), readPatch(request.body));
    const saved = await withFailure(knobs, state, 'scim', reply, fail, () => saveUser(state, draft));
    return saved ? send(reply, 200, renderUser(state, saved, deps.base())) : reply;
  });
  app.delete('/Users/:id', async (request: Req, reply) => {
    const user = findUser(state, request.params.id);
    const done = await withFailure(knobs, state, 'scim', reply, fail, () => (state.deleteUser(user.id), true));
    return done ? reply.code(204).send() : reply;
  });
}

/** Group members must be Spekit's own (SCIM-visible) user ids. */
function memberIds(state: SpekitState, value: unknown): string[] {
  const list = Array.isArray(value) ? (value as Array<{ value?: unknown }>) : [];
  return list.map((m) => {
    const id = typeof m?.value === 'string' ? m.value : '';
    if (!state.scimUser(id)) throw new SandboxScimError(400, 'invalidValue', `member ${id} is not a Spekit user id`);
    return id;
  });
}

const MEMBER_PATH = /^members\[value eq "([^"]+)"\]$/i;

function applyGroupOp(state: SpekitState, teamId: string, op: ReturnType<typeof readPatch>[number]): void {
  const team = state.teams.get(teamId)!;
  const path = op.path?.toLowerCase();
  const byFilter = op.path ? MEMBER_PATH.exec(op.path) : null;
  if (op.op === 'remove' && byFilter) state.removeMember(teamId, byFilter[1]!);
  else if (op.op === 'remove' && path === 'members') {
    const ids = op.value === undefined ? state.membersOf(teamId).map((m) => m.userId) : memberIds(state, op.value);
    for (const id of ids) state.removeMember(teamId, id);
  } else if (path === 'members') {
    const ids = memberIds(state, op.value);
    if (op.op === 'replace') for (const m of state.membersOf(teamId)) state.removeMember(teamId, m.userId);
    for (const id of ids) state.addMember(teamId, id);
  } else if (path === 'displayname' && typeof op.value === 'string') team.displayName = op.value;
  else if (!op.path && op.op !== 'remove') {
    const value = (op.value ?? {}) as { displayName?: unknown; members?: unknown };
    if (typeof value.displayName === 'string') team.displayName = value.displayName;
    if (value.members !== undefined) applyGroupOp(state, teamId, { op: op.op, path: 'members', value: value.members });
  } else throw new SandboxScimError(400, 'invalidPath', `unsupported path ${op.path ?? ''}`);
  team.lastModified = state.now();
}

function registerGroups(app: FastifyInstance, deps: ScimDeps): void {
  const { state, knobs } = deps;
  const findTeam = (id: string) => {
    const team = state.scimTeam(id);
    if (!team) throw new SandboxScimError(404, undefined, `Group ${id} not found`);
    return team;
  };
  const withMembers = (q: Record<string, string>) => !/(^|,)\s*members\s*(,|$)/i.test(q.excludedAttributes ?? '');
  app.get('/Groups', async (request: Req, reply) => {
    const filter = parseFilter(request.query.filter);
    const teams = state.scimTeams().filter((t) => !filter || matchesTeam(t, filter));
    const { slice, ...paging } = page(teams, request.query, knobs.maxPageSize);
    const resources = slice.map((t) => renderTeam(state, t, deps.base(), withMembers(request.query)));
    return send(reply, 200, { schemas: [LIST_SCHEMA], ...paging, Resources: resources });
  });
  app.get('/Groups/:id', async (request: Req, reply) =>
    send(reply, 200, renderTeam(state, findTeam(request.params.id), deps.base(), withMembers(request.query))));
  app.post('/Groups', async (request: Req, reply) => {
    const body = (request.body ?? {}) as { displayName?: unknown; members?: unknown };
    if (typeof body.displayName !== 'string' || body.displayName === '') throw new SandboxScimError(400, 'invalidValue', 'displayName is required');
    const ids = memberIds(state, body.members);
    // Spekit makes a second team when the name is taken (spekit.md): no uniqueness check here.
    const team = await withFailure(knobs, state, 'scim', reply, fail, () => {
      const created = state.addTeam(body.displayName as string);
      for (const id of ids) state.addMember(created.id, id);
      return created;
    });
    return team ? send(reply, 201, renderTeam(state, team, deps.base())) : reply;
  });
  app.patch('/Groups/:id', async (request: Req, reply) => {
    const team = findTeam(request.params.id);
    const ops = readPatch(request.body);
    for (const op of ops) if (op.path?.toLowerCase() === 'members' && op.op !== 'remove') memberIds(state, op.value);
    const done = await withFailure(knobs, state, 'scim', reply, fail, () => (ops.forEach((op) => applyGroupOp(state, team.id, op)), true));
    return done ? send(reply, 200, renderTeam(state, team, deps.base())) : reply;
  });
  app.delete('/Groups/:id', async (request: Req, reply) => {
    const team = findTeam(request.params.id);
    const done = await withFailure(knobs, state, 'scim', reply, fail, () => (state.deleteTeam(team.id), true));
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
  registerUsers(app, deps);
  registerGroups(app, deps);
}
