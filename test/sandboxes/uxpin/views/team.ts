/** The team screen: User Management (list, search, paging, dialogs) and the Roles tab. */
import type { Presentation } from '../presentation.ts';
import { ROLES } from '../state.ts';
import { TEAM_SCRIPT } from './team-script.ts';
import { esc, layout } from './layout.ts';
import { roleOptions, teamList, type ListView } from './team-list.ts';

export { PAGE_SIZE } from './team-list.ts';

export interface TeamView extends ListView {
  slowListMs: number;
  /** The success message shown on load (lingeringToast), or ''. */
  toast: string;
}

function tabs(selected: 'users' | 'roles'): string {
  const tab = (href: string, label: string, on: boolean) =>
    `<a role="tab" href="${href}" aria-selected="${on}">${label}</a>`;
  return `<div role="tablist" aria-label="Team">
    ${tab('/team', 'User Management', selected === 'users')}${tab('/team/roles', 'Roles', selected === 'roles')}</div>`;
}

const SPINNER = '<div role="progressbar" aria-label="Loading users">Loading users…</div>';

/**
 * The list region: inline; behind a spinner with its content waiting in a template (slow list);
 * or empty until the script fetches GET /team/list (scripted list; the server delays that answer).
 */
function listRegion(view: TeamView): string {
  if (view.look.scriptedList) return `<div id="team-list" data-fetch="1">${view.slowListMs > 0 ? SPINNER : ''}</div>`;
  if (view.slowListMs <= 0) return `<div id="team-list">${teamList(view)}</div>`;
  return `<div id="team-list" data-slow="${view.slowListMs}">${SPINNER}<template>${teamList(view)}</template></div>`;
}

const addDialog = (look: Presentation) => `
<div role="dialog" aria-modal="true" aria-labelledby="add-title" id="add-dialog" hidden>
  <h2 id="add-title">Add new users</h2>
  <form id="add-form" novalidate>
    <div data-single><label for="add-email">Email</label><input id="add-email" name="email" type="text" autocomplete="off"></div>
    <div data-multi hidden><label for="add-emails">Emails</label>
      <textarea id="add-emails" name="emails" rows="5" placeholder="One email per line"></textarea></div>
    <p><a href="#" data-toggle-multi>add multiple users at once</a></p>
    <label for="add-role">Role</label>
    <select id="add-role" name="role">${roleOptions('Collaborator', look)}</select>
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
        <input id="search" name="q" type="search" value="${esc(view.query)}"${view.look.searchDebounceMs > 0 ? ` data-debounce="${view.look.searchDebounceMs}"` : ''}>
        <button type="submit">Search</button>
      </form>
      <p><button type="button" data-open-add>Add new users</button></p>
      <p role="status" id="flash">${esc(view.toast)}</p>
      <p role="alert" id="page-error" hidden></p>
      ${listRegion(view)}
    </section>
    ${addDialog(view.look)}${REMOVE_DIALOG}`, { topBar: true, script: TEAM_SCRIPT });
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
