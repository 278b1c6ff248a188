/**
 * The parts of the Spekit pages whose look spekit.md leaves open, drawn one of several ways
 * (knobs.ts, SpekitPresentation). The documented words, roles and messages never change.
 */
import { randomBytes } from 'node:crypto';
import type { SpekitPresentation } from './knobs.ts';

/** What one rendered page needs to know about its request. */
export interface PageView {
  presentation: SpekitPresentation;
  /** A message from the previous action still on screen (presentation.toast). */
  toast?: string;
  /** The page asked for before login (presentation.landing 'requested'). */
  next?: string;
}

export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** An id (or class name) for the element `name`: stable, or random on every page load. */
export function idFor(view: PageView, name: string): string {
  return view.presentation.randomIds ? `${name.slice(0, 1)}-${randomBytes(4).toString('hex')}` : name;
}

function cls(view: PageView, name: string): string {
  return view.presentation.randomIds ? ` class="css-${randomBytes(3).toString('hex')}"` : ` class="${name}"`;
}

/** The header's Settings control: a link to /settings, or a gear button opening a menu. */
export function settingsControl(view: PageView): string {
  if (view.presentation.settings === 'link') {
    return `<a href="/settings" aria-label="Settings" title="Settings"${cls(view, 'gear')}>&#9881;</a>`;
  }
  const menu = idFor(view, 'settings-menu');
  return `<button type="button" aria-label="Settings" aria-haspopup="menu" aria-expanded="false" aria-controls="${menu}"${cls(view, 'gear')}
 onclick="const m=document.getElementById('${menu}');m.hidden=!m.hidden;this.setAttribute('aria-expanded',String(!m.hidden))">&#9881;</button>
<div role="menu" id="${menu}" hidden><a role="menuitem" href="/settings/connect">Connect</a> <a role="menuitem" href="/settings/teams-users">Manage Teams &amp; Users</a></div>`;
}

/** A toast that lingers from the previous action; role alert as many toast libraries draw it. */
export function toast(view: PageView): string {
  if (!view.presentation.toast || !view.toast) return '';
  return `<div role="alert"${cls(view, 'toast')}>${esc(view.toast)}</div>`;
}

/**
 * The page's main content: as sent, or (presentation.scripted) a spinner while a script draws it
 * a moment after load, as single-page apps do.
 */
export function mainContent(view: PageView, body: string): string {
  if (!view.presentation.scripted) return `<main>${body}</main>`;
  const tpl = idFor(view, 'content');
  return `<main aria-busy="true"><div role="progressbar" aria-label="Loading"${cls(view, 'spinner')} style="width:24px;height:24px;border:3px solid #ccc;border-top-color:#333;border-radius:50%"></div>
<template id="${tpl}">${body}</template></main>
<script>setTimeout(() => { const m = document.querySelector('main'); m.replaceChildren(document.getElementById('${tpl}').content.cloneNode(true)); m.removeAttribute('aria-busy'); }, 250);</script>`;
}

/** Connect's way to the SCIM step: a link, or a tab beside "Single sign-on". */
export function connectTabs(view: PageView, selected: 'sso' | 'scim', scimOffered: boolean): string {
  if (view.presentation.scimEntry === 'link') return '';
  const tab = (href: string, name: string, on: boolean) => `<a role="tab" href="${href}" aria-selected="${on}"${cls(view, 'tab')}>${name}</a>`;
  return `<div role="tablist" aria-label="Connect">${tab('/settings/connect', 'Single sign-on', selected === 'sso')}${
    scimOffered ? tab('/settings/connect/scim', 'SCIM provisioning', selected === 'scim') : ''}</div>`;
}

/** The revealed token, read-only: an input or a textarea. */
export function tokenField(view: PageView, token: string): string {
  const id = idFor(view, 'token');
  const field = view.presentation.tokenField === 'input'
    ? `<input id="${id}" readonly value="${esc(token)}" size="60">`
    : `<textarea id="${id}" readonly rows="2" cols="60">${esc(token)}</textarea>`;
  return `<label for="${id}">Bearer Token</label> ${field}`;
}

/** A list of rows under column headers: a <table> or an ARIA grid of divs; an empty one per emptyState. */
export function list(view: PageView, label: string, headers: string[], rows: string[][], empty: string): string {
  const { usersView, emptyState } = view.presentation;
  const grid = usersView === 'grid';
  const cell = (text: string, header = false) => grid
    ? `<div role="${header ? 'columnheader' : 'gridcell'}">${esc(text)}</div>`
    : `<${header ? 'th' : 'td'}>${esc(text)}</${header ? 'th' : 'td'}>`;
  const row = (cells: string) => (grid ? `<div role="row">${cells}</div>` : `<tr>${cells}</tr>`);
  const head = row(headers.map((h) => cell(h, true)).join(''));
  let body = rows.map((r) => row(r.map((c) => cell(c)).join(''))).join('');
  if (rows.length === 0 && emptyState === 'row') {
    body = grid ? `<div role="row"><div role="gridcell">${esc(empty)}</div></div>` : `<tr><td colspan="${headers.length}">${esc(empty)}</td></tr>`;
  }
  const after = rows.length === 0 && emptyState === 'text' ? `<p>${esc(empty)}</p>` : '';
  const table = grid
    ? `<div role="grid" aria-label="${esc(label)}"${cls(view, 'grid')}><div role="rowgroup">${head}</div><div role="rowgroup">${body}</div></div>`
    : `<table aria-label="${esc(label)}"><thead>${head}</thead><tbody>${body}</tbody></table>`;
  return table + after;
}
