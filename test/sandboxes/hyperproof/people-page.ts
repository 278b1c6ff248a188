/**
 * Settings → People: tabs Active / Deactivated / Groups / Activity feed, tables Active users and
 * Deactivated users, and the dialogs Change role?, Deactivate, Reactivate <name>? and
 * Delete user permanently? (hyperproof.md).
 */
import { esc, MESSAGES, settingsLayout } from './html.ts';
import * as p from './presentation.ts';
import type { PageView } from './presentation.ts';
import { HYPERPROOF_ROLES, type HyperproofRole, type Person } from './state.ts';

export type PeopleTab = 'active' | 'deactivated' | 'groups' | 'activity';

export interface PeopleView {
  people: Person[];
  /** The signed-in admin: their own row is disabled. */
  selfId: string;
  /** Opaque option values, random per start. */
  roleCodes: ReadonlyMap<HyperproofRole, string>;
  deleteOffered: boolean;
  tab: PeopleTab;
}

const TABS: Array<[PeopleTab, string]> = [['active', 'Active'], ['deactivated', 'Deactivated'], ['groups', 'Groups'], ['activity', 'Activity feed']];

const fullName = (person: Person) => `${person.givenName} ${person.familyName}`.trim();

function roleSelect(people: PeopleView, person: Person): string {
  const options = HYPERPROOF_ROLES.map((role) => {
    const code = people.roleCodes.get(role)!;
    return `<option value="${code}"${role === person.role ? ' selected' : ''}>${role}</option>`;
  }).join('');
  const own = person.id === people.selfId ? ' disabled' : '';
  return `<select aria-label="Role for ${esc(person.email)}" data-person="${person.id}" data-name="${esc(fullName(person))}" data-current="${people.roleCodes.get(person.role)}"${own} onchange="hp.roleChanged(this)">${options}</select>`;
}

function activeRows(people: PeopleView): string[][] {
  return people.people.filter((u) => u.status !== 'Deactivated').map((u) => [
    esc(fullName(u)), esc(u.email), esc(u.status), roleSelect(people, u),
    `<button type="button" aria-label="Deactivate ${esc(u.email)}" data-person="${u.id}" data-owns="${u.ownsWork}"${u.id === people.selfId ? ' disabled' : ''} onclick="hp.askDeactivate(this)">Deactivate</button>`,
  ]);
}

function deactivatedRows(view: PageView, people: PeopleView): string[][] {
  return people.people.filter((u) => u.status === 'Deactivated').map((u) => {
    const data = `data-person="${u.id}" data-name="${esc(fullName(u))}" data-email="${esc(u.email)}"`;
    const remove = people.deleteOffered
      ? ` <button type="button" aria-label="Delete ${esc(u.email)}" ${data} onclick="hp.askDelete(this)">Delete</button>` : '';
    return [esc(fullName(u)), esc(u.email), esc(p.date(view, u.deactivatedAt)), esc(u.role),
      `<button type="button" aria-label="Reactivate ${esc(u.email)}" ${data} onclick="hp.askReactivate(this)">Reactivate</button>${remove}`];
  });
}

function panel(view: PageView, tab: PeopleTab, people: PeopleView): string {
  const w = p.words(view);
  if (tab === 'active') return p.list(view, 'Active users', ['Name', 'Email address', 'Status', 'Role', ''], activeRows(people), w.noActive);
  if (tab === 'deactivated') {
    return p.list(view, 'Deactivated users', ['Name', 'Email address', 'Deactivated on', 'Role', ''], deactivatedRows(view, people), w.noDeactivated);
  }
  return tab === 'groups' ? '<p>Groups organize people for assignments.</p>' : '<p>Recent changes to people.</p>';
}

/** Tabs as links to ?tab=…, or as panels of this page switched by script. */
function tabs(view: PageView, people: PeopleView): string {
  if (view.presentation.peopleTabs === 'links') {
    const list = TABS.map(([tab, name]) => `<a role="tab" href="/settings/people?tab=${tab}" aria-selected="${tab === people.tab}">${name}</a>`).join(' ');
    return `<div role="tablist" aria-label="People">${list}</div><div role="tabpanel">${panel(view, people.tab, people)}</div>`;
  }
  const list = TABS.map(([tab, name]) => `<button type="button" role="tab" data-panel="${tab}" aria-selected="${tab === people.tab}" onclick="hp.tab('${tab}')">${name}</button>`).join(' ');
  const panels = TABS.map(([tab, name]) => `<div role="tabpanel" aria-label="${name}" data-panel="${tab}"${tab === people.tab ? '' : ' hidden'}>${panel(view, tab, people)}</div>`).join('');
  return `<div role="tablist" aria-label="People">${list}</div>${panels}`;
}

function dialogs(view: PageView, people: PeopleView): string {
  const w = p.words(view);
  const cancel = (js: string) => `<button type="button" onclick="${js}">Cancel</button>`;
  const others = people.people.filter((u) => u.status === 'Active' && u.role === 'Admin').map((u) => `<option value="${u.id}">${esc(fullName(u))}</option>`).join('');
  const confirm = p.idFor(view, 'confirm-email');
  return [
    p.dialog(view, 'dlg-role', 'Change role?', `<p id="${p.idFor(view, 'dlg-role-text')}"></p>
<button type="button" onclick="hp.changeRole()">Change role</button> ${cancel('hp.cancelRole()')}`, 'alertdialog'),
    p.dialog(view, 'dlg-deactivate', 'Deactivate', `<p>They will no longer be able to sign in. Their history is kept.</p>
<p id="${p.idFor(view, 'dlg-deactivate-assign')}" hidden><label for="${p.idFor(view, 'assign-to')}">Assign their work to</label> <select id="${p.idFor(view, 'assign-to')}">${others}</select></p>
<button type="button" onclick="hp.deactivate()">Deactivate</button> ${cancel("hp.close('dlg-deactivate')")}`),
    p.dialog(view, 'dlg-reactivate', 'Reactivate?', `<p>They keep their role.</p>
<button type="button" onclick="hp.reactivate()">${w.reactivate}</button> ${cancel("hp.close('dlg-reactivate')")}`),
    p.dialog(view, 'dlg-delete', 'Delete user permanently?', `<p>${esc(MESSAGES.deleteUser)}</p>
<label for="${confirm}">Type the email address to confirm</label> <input id="${confirm}" autocomplete="off" oninput="hp.typed()">
<button type="button" id="${p.idFor(view, 'delete-permanently')}" disabled onclick="hp.deletePerson()">Delete permanently</button> ${cancel("hp.close('dlg-delete')")}`, 'alertdialog'),
  ].join('\n');
}

export function peoplePage(view: PageView, people: PeopleView): string {
  const toolbar = '<p><button type="button" aria-label="New">+New</button> <button type="button">Import</button></p>';
  return settingsLayout(view, 'People', `${toolbar}${tabs(view, people)}${dialogs(view, people)}`);
}
