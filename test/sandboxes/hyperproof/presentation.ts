/**
 * The parts of the Hyperproof pages whose look hyperproof.md leaves open, drawn one of several
 * ways. The documented words (labels, dialog titles, messages, accessible names) never change;
 * named presets combining these knobs are in variants.ts.
 */

export interface HyperproofPresentation {
  /** After sign-in: always Overview, or the page that sent the browser to /login. Default 'overview'. */
  landing: 'overview' | 'requested';
  /** The password step as a second page load, or drawn in place by script after Continue. Default 'pages'. */
  signIn: 'pages' | 'inline';
  /** The Provisioning control: an ARIA switch button, or a labelled checkbox. Default 'switch'. */
  switchMarkup: 'switch' | 'checkbox';
  /** Dialogs as native <dialog>, or divs with role dialog / alertdialog. Default 'native'. */
  dialogs: 'native' | 'aria';
  /** Lists (Tokens, Active users, Deactivated users) as a <table> or an ARIA grid of divs. Default 'table'. */
  lists: 'table' | 'grid';
  /** An empty list: a row saying so, a sentence under it, or nothing. Default 'row'. */
  emptyState: 'row' | 'text' | 'none';
  /** People's tabs as links to other pages, or panels of one page switched by script. Default 'links'. */
  peopleTabs: 'links' | 'panels';
  /** Pages show a spinner and draw their content by script after load; actions show one while in flight. Default false. */
  scripted: boolean;
  /** Delete permanently is enabled this long after the typed email matches (a debounced check). Default 0. */
  confirmDebounceMs: number;
  /** A success message stays on screen for seconds, across page loads. Default false. */
  lingeringToast: boolean;
  /** Words the notes do not fix: column names, unnamed confirm buttons, "never". Default 'plain'. */
  wording: 'plain' | 'synonyms';
  /** How dates are written. Default 'iso'. */
  dates: 'iso' | 'local';
}

export const DEFAULT_PRESENTATION: HyperproofPresentation = {
  landing: 'overview',
  signIn: 'pages',
  switchMarkup: 'switch',
  dialogs: 'native',
  lists: 'table',
  emptyState: 'row',
  peopleTabs: 'links',
  scripted: false,
  confirmDebounceMs: 0,
  lingeringToast: false,
  wording: 'plain',
  dates: 'iso',
};

const WORDS = {
  plain: {
    tokenColumn: 'Token', created: 'Created', lastUsed: 'Last used', never: 'Never', reactivate: 'Reactivate',
    turnOff: 'Turn off', provider: 'Identity provider', noTokens: 'No tokens', noActive: 'No active users',
    noDeactivated: 'No deactivated users',
  },
  synonyms: {
    tokenColumn: 'Bearer token', created: 'Created on', lastUsed: 'Last used on', never: '—', reactivate: 'Confirm',
    turnOff: 'Turn off provisioning', provider: 'Provider', noTokens: 'There are no tokens yet', noActive: 'Nobody here yet',
    noDeactivated: 'Nobody has been deactivated',
  },
} as const;

export type Words = (typeof WORDS)['plain' | 'synonyms'];

/** What one rendered page needs to know about its request. */
export interface PageView {
  presentation: HyperproofPresentation;
  /** Random per sandbox start: ids and class names carry it (hyperproof.md). */
  salt: string;
  csrf?: { header: string; value: string };
  toast?: string;
  next?: string;
}

export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function words(view: PageView): Words {
  return WORDS[view.presentation.wording];
}

export function idFor(view: PageView, name: string): string {
  return `${name}-${view.salt}`;
}

export function cls(view: PageView, name: string): string {
  return ` class="hp-${view.salt.slice(0, 4)}-${name}"`;
}

export function date(view: PageView, iso: string | null): string {
  if (!iso) return words(view).never;
  if (view.presentation.dates === 'iso') return `${iso.slice(0, 16).replace('T', ' ')} UTC`;
  return new Date(iso).toLocaleString('en-US', { timeZone: 'UTC', dateStyle: 'medium', timeStyle: 'short' });
}

/** A success message: role status, for as long as the session still shows it. */
export function toast(view: PageView): string {
  return view.toast ? `<div role="status"${cls(view, 'toast')}>${esc(view.toast)}</div>` : '';
}

/** The page's content: as sent, or behind a spinner while a script draws it a moment after load. */
export function mainContent(view: PageView, body: string): string {
  if (!view.presentation.scripted) return `<main>${body}</main>`;
  const tpl = idFor(view, 'content');
  return `<main aria-busy="true"><div role="progressbar" aria-label="Loading"${cls(view, 'spinner')}></div>
<template id="${tpl}">${body}</template></main>
<script>setTimeout(() => { const m = document.querySelector('main'); m.replaceChildren(document.getElementById('${tpl}').content.cloneNode(true)); m.removeAttribute('aria-busy'); document.dispatchEvent(new Event('hp:drawn')); }, 300);</script>`;
}

/** A list under column headers: a <table> or an ARIA grid; cells are trusted HTML. */
export function list(view: PageView, label: string, headers: string[], rows: string[][], empty: string): string {
  const { lists, emptyState } = view.presentation;
  const grid = lists === 'grid';
  const cell = (html: string, header = false) => grid
    ? `<div role="${header ? 'columnheader' : 'gridcell'}">${html}</div>`
    : `<${header ? 'th' : 'td'}>${html}</${header ? 'th' : 'td'}>`;
  const row = (cells: string) => (grid ? `<div role="row">${cells}</div>` : `<tr>${cells}</tr>`);
  const head = row(headers.map((h) => cell(esc(h), true)).join(''));
  let body = rows.map((r) => row(r.map((c) => cell(c)).join(''))).join('');
  if (rows.length === 0 && emptyState === 'row') {
    body = grid ? `<div role="row"><div role="gridcell">${esc(empty)}</div></div>` : `<tr><td colspan="${headers.length}">${esc(empty)}</td></tr>`;
  }
  const after = rows.length === 0 && emptyState === 'text' ? `<p>${esc(empty)}</p>` : '';
  const table = grid
    ? `<div role="grid" aria-label="${esc(label)}"${cls(view, 'grid')}><div role="rowgroup">${head}</div><div role="rowgroup">${body}</div></div>`
    : `<table aria-label="${esc(label)}"${cls(view, 'table')}><thead>${head}</thead><tbody>${body}</tbody></table>`;
  return table + after;
}

/** A dialog, closed: native <dialog> or a hidden div with role dialog / alertdialog. */
export function dialog(view: PageView, name: string, title: string, body: string, kind: 'dialog' | 'alertdialog' = 'dialog'): string {
  const id = idFor(view, name);
  const h = idFor(view, `${name}-h`);
  if (view.presentation.dialogs === 'native') return `<dialog id="${id}" aria-labelledby="${h}"${cls(view, 'dialog')}><h2 id="${h}">${esc(title)}</h2>${body}</dialog>`;
  return `<div role="${kind}" aria-modal="true" id="${id}" aria-labelledby="${h}" hidden${cls(view, 'modal')}><h2 id="${h}">${esc(title)}</h2>${body}</div>`;
}

/** The Provisioning control: a switch button or a checkbox, named by its label. */
export function provisioningSwitch(view: PageView, on: boolean, disabled: boolean, describedBy: string): string {
  const id = idFor(view, 'provisioning');
  const dis = disabled ? ' disabled' : '';
  if (view.presentation.switchMarkup === 'switch') {
    return `<span id="${id}-l">Provisioning</span> <button type="button" role="switch" id="${id}" aria-checked="${on}" aria-labelledby="${id}-l" aria-describedby="${describedBy}"${dis}${cls(view, 'switch')} onclick="hp.toggleProvisioning(${on})">${on ? 'On' : 'Off'}</button>`;
  }
  return `<input type="checkbox" id="${id}"${on ? ' checked' : ''} aria-describedby="${describedBy}"${dis} onclick="event.preventDefault(); hp.toggleProvisioning(${on})"> <label for="${id}">Provisioning</label>`;
}
