/**
 * Settings → Users (hex.md): the page shell, its data and its actions. The list itself is drawn
 * by USERS_SCRIPT after "Loading users…"; every rule the page shows (seat confirmation, own and
 * deactivated rows locked) is enforced here too, so a client that skips the screen is refused.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { setTimeout as sleep } from 'node:timers/promises';
import { withFailure } from '../lib/faults.ts';
import { layout, MESSAGES } from './html.ts';
import type { HexKnobs } from './knobs.ts';
import { idFor, type PageView } from './presentation.ts';
import { displayNameOf, FREE_ROLES, HEX_ROLES, type HexRole, type HexState, type HexUser } from './state.ts';
import { USERS_SCRIPT } from './users-script.ts';

export interface UsersDeps {
  state: HexState;
  knobs: HexKnobs;
  view: (request: FastifyRequest) => PageView;
  /** Records a message that lingers across pages (presentation.lingeringToast). */
  toast: (request: FastifyRequest, message: string) => void;
}

type Req = FastifyRequest<{ Params: { id: string }; Querystring: Record<string, string>; Body: Record<string, unknown> | undefined }>;

export function usersPage(view: PageView, knobs: HexKnobs): string {
  const ids = { list: idFor(view, 'users'), messages: idFor(view, 'messages'), loading: idFor(view, 'loading'), search: idFor(view, 'search'), add: idFor(view, 'add-user') };
  const config = idFor(view, 'users-config');
  const cfg = {
    ids, presentation: view.presentation, roles: HEX_ROLES, freeRoles: FREE_ROLES, seatConfirmation: knobs.seatConfirmation,
    me: knobs.admin.email, messages: { roleFailed: MESSAGES.roleFailed, failed: 'Something went wrong. Try again.' },
  };
  const json = JSON.stringify(cfg).replace(/</g, '\\u003c');
  return layout('Users', `<nav aria-label="Settings"><h2>Access &amp; Security</h2>
<a href="/settings/users" aria-current="page">Users</a> <a href="/settings/groups">Groups</a> <a href="/settings/authentication">Authentication</a></nav>
<section><h1>Users</h1><button type="button" id="${ids.add}">+ User</button>
<label for="${ids.search}">Search users</label> <input id="${ids.search}" type="search" placeholder="Name or email">
<div id="${ids.messages}"></div><div id="${ids.list}"></div></section>
<script type="application/json" id="${config}">${json}</script>
<script>${USERS_SCRIPT.replace('CONFIG_ID', JSON.stringify(config))}</script>`, view);
}

function rowOf(knobs: HexKnobs, user: HexUser) {
  return {
    id: user.id, name: displayNameOf(user), email: user.userName, role: user.role, status: user.status,
    badge: user.source === 'scim', self: user.userName.toLowerCase() === knobs.admin.email.toLowerCase(),
  };
}

function json(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.code(status).header('cache-control', 'no-store').send(body);
}

const failed = (reply: FastifyReply) => json(reply, 500, { message: 'Internal server error' });

function target(deps: UsersDeps, request: Req, reply: FastifyReply): HexUser | undefined {
  const user = deps.state.users.get(request.params.id);
  if (!user) {
    void json(reply, 404, { message: 'No such user' });
    return undefined;
  }
  if (user.userName.toLowerCase() === deps.knobs.admin.email.toLowerCase()) {
    void json(reply, 409, { message: 'You cannot change your own account here' });
    return undefined;
  }
  return user;
}

function registerRole(app: FastifyInstance, deps: UsersDeps): void {
  const { state, knobs } = deps;
  app.post('/settings/users/:id/role', async (request: Req, reply) => {
    const user = target(deps, request, reply);
    if (!user) return reply;
    const role = HEX_ROLES.find((r) => r === request.body?.role);
    if (!role) return json(reply, 400, { message: `role must be one of ${HEX_ROLES.join(', ')}` });
    if (user.status === 'Deactivated') return json(reply, 409, { message: 'Deactivated users have no role to change' });
    const seatConfirmed = request.body?.seatConfirmed === true;
    const needsSeat = knobs.seatConfirmation && FREE_ROLES.includes(user.role) && !FREE_ROLES.includes(role);
    if (needsSeat && !seatConfirmed) return json(reply, 409, { message: 'Confirm the paid seat first' });
    const from: HexRole = user.role;
    const done = await withFailure(knobs, state, 'ui', reply, failed, () => {
      Object.assign(user, { role, lastModified: state.now() });
      state.roleChanges.push({ userName: user.userName, from, to: role, seatConfirmed, at: state.now() });
      return true;
    });
    if (!done) return reply;
    deps.toast(request, knobs.presentation.roleSaved === 'Role changed' ? `Role changed to ${role}` : knobs.presentation.roleSaved);
    return json(reply, 200, { role });
  });
}

function registerStatus(app: FastifyInstance, deps: UsersDeps): void {
  const { state, knobs } = deps;
  for (const [action, status, message] of [['deactivate', 'Deactivated', 'User deactivated'], ['reactivate', 'Active', 'User reactivated']] as const) {
    app.post(`/settings/users/:id/${action}`, async (request: Req, reply) => {
      const user = target(deps, request, reply);
      if (!user) return reply;
      const done = await withFailure(knobs, state, 'ui', reply, failed, () => Object.assign(user, { status, lastModified: state.now() }));
      if (!done) return reply;
      deps.toast(request, message);
      return json(reply, 200, { status });
    });
  }
  app.post('/settings/users/invite', async (request: Req, reply) => {
    const role = HEX_ROLES.find((r) => r === request.body?.role) ?? 'Viewer';
    const emails = String(request.body?.emails ?? '').split(',').map((e) => e.trim()).filter(Boolean);
    if (emails.length === 0 || emails.some((e) => !/^[^@\s]+@[^@\s]+$/.test(e))) return json(reply, 400, { message: 'Enter one or more email addresses' });
    const taken = emails.find((e) => state.userNameTaken(e));
    if (taken) return json(reply, 409, { message: `${taken} is already in this workspace` });
    for (const email of emails) state.addUser({ userName: email, role, status: 'Invited', source: 'hand' });
    return json(reply, 200, { invited: emails.length });
  });
}

export async function usersRoutes(app: FastifyInstance, deps: UsersDeps): Promise<void> {
  const { state, knobs } = deps;
  app.get('/settings/users', async (request, reply) =>
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(usersPage(deps.view(request), knobs)));
  app.get('/settings/users/data', async (request: Req, reply) => {
    if (knobs.presentation.listDelayMs > 0) await sleep(knobs.presentation.listDelayMs);
    const q = (request.query.q ?? '').trim().toLowerCase();
    const all = [...state.users.values()].filter((u) => !q || u.userName.toLowerCase().includes(q) || displayNameOf(u).toLowerCase().includes(q));
    const size = knobs.presentation.usersPageSize;
    const pages = Math.max(1, Math.ceil(all.length / size));
    const pageNo = Math.min(pages, Math.max(1, Number.parseInt(request.query.page ?? '1', 10) || 1));
    const users = all.slice((pageNo - 1) * size, pageNo * size).map((u) => rowOf(knobs, u));
    return json(reply, 200, { users, page: pageNo, pages, total: all.length });
  });
  registerRole(app, deps);
  registerStatus(app, deps);
}
