/**
 * The member list of the team screen, drawn as the presentation knobs say: a <table> or an ARIA
 * grid of divs, an empty search as a row, a sentence under the list or nothing, role options whose
 * values are the role names or opaque codes. Served inline in the page or as a fragment
 * (GET /team/list) for the script-drawn and live-search variants.
 */
import type { Presentation } from '../presentation.ts';
import { ASSIGNABLE_ROLES, ROLES, type Member, type Role } from '../state.ts';
import { esc } from './layout.ts';

export const PAGE_SIZE = 25;

export interface ListView {
  members: readonly Member[];
  query: string;
  /** 1-based page number, already clamped to the available pages. */
  page: number;
  look: Presentation;
}

/** The value an <option> carries for `role` under this presentation. */
export function roleValue(role: Role, look: Pick<Presentation, 'optionValues'>): string {
  return look.optionValues === 'code' ? `r${ROLES.indexOf(role)}` : role;
}

/** The role a submitted option value stands for (a code or the name itself). */
export function roleFromValue(value: string): string {
  const code = /^r(\d)$/.exec(value);
  return code ? (ROLES[Number(code[1])] ?? value) : value;
}

export function roleOptions(chosen: Role, look: Presentation): string {
  return ASSIGNABLE_ROLES.map((r) => `<option value="${roleValue(r, look)}"${r === chosen ? ' selected' : ''}>${r}</option>`).join('');
}

function roleSelect(m: Member, look: Presentation): string {
  const label = `Role for ${esc(m.email)}`;
  if (m.role === 'Owner') return `<select aria-label="${label}" disabled><option selected>Owner</option></select>`;
  const saved = roleValue(m.role, look);
  return `<select aria-label="${label}" data-email="${esc(m.email)}" data-saved="${saved}">${roleOptions(m.role, look)}</select>`;
}

function actions(m: Member): string {
  if (m.role === 'Owner') return '';
  const email = esc(m.email);
  return `<button type="button" aria-label="More actions for ${email}" aria-haspopup="menu" aria-expanded="false"
      data-menu="${email}">&#8942;</button>
    <ul role="menu" hidden><li role="menuitem" tabindex="-1" data-remove="${email}">Remove from team</li></ul>`;
}

/** Row, cell and header markup for a <table> or an ARIA grid. */
function markup(look: Presentation) {
  if (look.listMarkup === 'table') {
    return {
      row: (cells: string[]) => `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`,
      wide: (text: string) => `<tr><td colspan="5">${text}</td></tr>`,
      head: (names: string[]) => `<thead><tr>${names.map((n) => `<th scope="col">${n}</th>`).join('')}</tr></thead>`,
      wrap: (head: string, body: string) => `<table aria-label="Team members">${head}<tbody>${body}</tbody></table>`,
    };
  }
  return {
    row: (cells: string[]) => `<div role="row" class="grid-row">${cells.map((c) => `<div role="gridcell">${c}</div>`).join('')}</div>`,
    wide: (text: string) => `<div role="row"><div role="gridcell" aria-colspan="5">${text}</div></div>`,
    head: (names: string[]) => `<div role="rowgroup"><div role="row" class="grid-row">${names.map((n) => `<div role="columnheader">${n}</div>`).join('')}</div></div>`,
    wrap: (head: string, body: string) => `<div role="grid" aria-label="Team members">${head}<div role="rowgroup">${body}</div></div>`,
  };
}

function pager(view: ListView, pages: number): string {
  const first = (view.page - 1) * PAGE_SIZE;
  const total = view.members.length;
  // With emptyState 'none' an empty search leaves no trace at all, not even a count.
  const shown = total === 0
    ? (view.look.emptyState === 'none' ? '' : 'No users')
    : `Showing ${first + 1}–${Math.min(first + PAGE_SIZE, total)} of ${total}`;
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

/** The list and its pager, as HTML. */
export function teamList(view: ListView): string {
  const m = markup(view.look);
  const pages = Math.max(1, Math.ceil(view.members.length / PAGE_SIZE));
  const slice = view.members.slice((view.page - 1) * PAGE_SIZE, view.page * PAGE_SIZE);
  const rows = slice.map((u) => m.row([
    esc(u.name), esc(u.email), roleSelect(u, view.look), u.status === 'active' ? 'Active' : 'Invitation pending',
    `<span style="position:relative">${actions(u)}</span>`,
  ])).join('');
  const emptyRow = !slice.length && view.look.emptyState === 'row' ? m.wide('No users found') : '';
  const emptyText = !slice.length && view.look.emptyState === 'text'
    ? `<p>No users found matching “${esc(view.query)}”</p>` : '';
  const head = m.head(['Name', 'Email', 'Role', 'Status', '<span class="visually-hidden">Actions</span>']);
  return `${m.wrap(head, rows + emptyRow)}${emptyText}${pager(view, pages)}`;
}
