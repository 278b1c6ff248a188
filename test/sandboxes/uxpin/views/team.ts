/** The team screen: User Management (list, search, paging, dialogs) and the Roles tab. */
import { ASSIGNABLE_ROLES, ROLES, type Member } from '../state.ts';
import { TEAM_SCRIPT } from './team-script.ts';
import { esc, layout } from './layout.ts';

export const PAGE_SIZE = 25;

export interface TeamView {
  members: readonly Member[];
  query: string;
  /** 1-based page number, already clamped to the available pages. */
  page: number;
  slowListMs: number;
}

function tabs(selected: 'users' | 'roles'): string {
  const tab = (href: string, label: string, on: boolean) =>
    `<a role="tab" href="${href}" aria-selected="${on}">${label}</a>`;
  return `<div role="tablist" aria-label="Team">
    ${tab('/team', 'User Management', selected === 'users')}${tab('/team/roles', 'Roles', selected === 'roles')}</div>`;
}

function roleSelect(m: Member): string {
  const label = `Role for ${esc(m.email)}`;
  if (m.role === 'Owner') return `<select aria-label="${label}" disabled><option selected>Owner</option></select>`;
  const options = ASSIGNABLE_ROLES.map((r) => `<option${r === m.role ? ' selected' : ''}>${r}</option>`).join('');
  return `<select aria-label="${label}" data-email="${esc(m.email)}" data-saved="${m.role}">${options}</select>`;
}

function actions(m: Member): string {
  if (m.role === 'Owner') return '';
  const email = esc(m.email);
  return `<button type="button" aria-label="More actions for ${email}" aria-haspopup="menu" aria-expanded="false"
      data-menu="${email}">&#8942;</button>
    <ul role="menu" hidden><li role="menuitem" tabindex="-1" data-remove="${email}">Remove from team</li></ul>`;
}

function row(m: Member): string {
  const status = m.status === 'active' ? 'Active' : 'Invitation pending';
  return `<tr><td>${esc(m.name)}</td><td>${esc(m.email)}</td><td>${roleSelect(m)}</td><td>${status}</td>
    <td style="position:relative">${actions(m)}</td></tr>`;
}

function pager(view: TeamView, pages: number): string {
  const first = (view.page - 1) * PAGE_SIZE;
  const shown = view.members.length === 0
    ? 'No users'
    : `Showing ${first + 1}–${Math.min(first + PAGE_SIZE, view.members.length)} of ${view.members.length}`;
  const button = (label: string, target: number, enabled: boolean) =>
    `<button type="submit" name="page" value="${target}"${enabled ? '' : ' disabled'}>${label}</button>`;
  return `<nav aria-label="Pagination"><form method="get" action="/team">
      <input type="hidden" name="q" value="${esc(view.query)}">
      <span>${shown}</span>
      ${button('Previous', view.page - 1, view.page > 1)}
      <span>Page ${view.page} of ${pages}</span>
      ${button('Next', view.page + 1, view.page < pages)}
    </form></nav>`;
}

function list(view: TeamView): string {
  const pages = Math.max(1, Math.ceil(view.members.length / PAGE_SIZE));
  const slice = view.members.slice((view.page - 1) * PAGE_SIZE, view.page * PAGE_SIZE);
  const body = slice.length ? slice.map(row).join('') : '<tr><td colspan="5">No users found</td></tr>';
  return `<table aria-label="Team members"><thead><tr><th scope="col">Name</th><th scope="col">Email</th>
      <th scope="col">Role</th><th scope="col">Status</th><th scope="col"><span class="visually-hidden">Actions</span></th>
    </tr></thead><tbody>${body}</tbody></table>${pager(view, pages)}`;
}

/** The list region; with a slow list its content waits in a template while a spinner shows. */
function listRegion(view: TeamView): string {
  if (view.slowListMs <= 0) return `<div id="team-list">${list(view)}</div>`;
  return `<div id="team-list" data-slow="${view.slowListMs}">
    <div role="progressbar" aria-label="Loading users">Loading users…</div>
    <template>${list(view)}</template></div>`;
}

const ADD_DIALOG = `
<div role="dialog" aria-modal="true" aria-labelledby="add-title" id="add-dialog" hidden>
  <h2 id="add-title">Add new users</h2>
  <form id="add-form" novalidate>
    <div data-single><label for="add-email">Email</label><input id="add-email" name="email" type="text" autocomplete="off"></div>
    <div data-multi hidden><label for="add-emails">Emails</label>
      <textarea id="add-emails" name="emails" rows="5" placeholder="One email per line"></textarea></div>
    <p><a href="#" data-toggle-multi>add multiple users at once</a></p>
    <label for="add-role">Role</label>
    <select id="add-role" name="role">${ASSIGNABLE_ROLES.map((r) => `<option${r === 'Collaborator' ? ' selected' : ''}>${r}</option>`).join('')}</select>
    <p role="alert" id="add-error" hidden></p>
    <p><button type="button" data-close>Cancel</button> <button type="submit">Add</button></p>
  </form>
</div>`;

const REMOVE_DIALOG = `
<div role="dialog" aria-modal="true" aria-labelledby="remove-title" id="remove-dialog" hidden>
  <h2 id="remove-title"></h2>
  <p>They lose access to the team's projects at once.</p>
  <p role="alert" id="remove-error" hidden></p>
  <p><button type="button" data-close>Cancel</button> <button type="button" data-confirm-remove>Remove</button></p>
</div>`;

export function teamPage(view: TeamView): string {
  return layout('Team', `
    <h1>Team</h1>
    ${tabs('users')}
    <section role="tabpanel" aria-label="User Management">
      <form method="get" action="/team" role="search">
        <label for="search">Search users</label>
        <input id="search" name="q" type="search" value="${esc(view.query)}">
        <button type="submit">Search</button>
      </form>
      <p><button type="button" data-open-add>Add new users</button></p>
      <p role="status" id="flash"></p>
      <p role="alert" id="page-error" hidden></p>
      ${listRegion(view)}
    </section>
    ${ADD_DIALOG}${REMOVE_DIALOG}`, { topBar: true, script: TEAM_SCRIPT });
}

const ROLE_NOTES: Record<(typeof ROLES)[number], string> = {
  Owner: 'Everything, including deleting the account. Exactly one per account.',
  Admin: 'Everything the Owner can do except deleting the account.',
  Manager: 'Manages projects and permissions; cannot invite users.',
  Creator: 'Creates and edits projects.',
  Collaborator: 'Views and comments on shared projects.',
  Developer: 'Inspects designs and specs.',
};

export function rolesPage(): string {
  const rows = ROLES.map((r) => `<tr><td>${r}</td><td>${ROLE_NOTES[r]}</td></tr>`).join('');
  return layout('Roles', `
    <h1>Team</h1>
    ${tabs('roles')}
    <section role="tabpanel" aria-label="Roles">
      <table aria-label="Roles"><thead><tr><th scope="col">Role</th><th scope="col">What it can do</th></tr></thead>
      <tbody>${rows}</tbody></table>
    </section>`, { topBar: true });
}
