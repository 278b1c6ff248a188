/**
 * The parts of the Hex pages whose look hex.md leaves to the sandbox, drawn one of several ways
 * (knobs.ts, HexPresentation). Documented words, field names and roles never change.
 */
import { randomBytes } from 'node:crypto';
import type { HexPresentation } from './knobs.ts';

/** What one rendered page needs to know about its request. */
export interface PageView {
  presentation: HexPresentation;
  /** A message from the previous action still on screen (presentation.lingeringToast). */
  toast?: string;
}

export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** An id for the element `name`: stable, or random on every page load. */
export function idFor(view: PageView, name: string): string {
  return view.presentation.randomIds ? `${name.slice(0, 1)}-${randomBytes(4).toString('hex')}` : name;
}

export function cls(view: PageView, name: string): string {
  return view.presentation.randomIds ? ` class="css-${randomBytes(3).toString('hex')}"` : ` class="${name}"`;
}

/** Button words where hex.md records only the sandbox's first choice. */
export function words(view: PageView) {
  const verbose = view.presentation.tokenWords === 'verbose';
  return {
    generate: verbose ? 'Generate new token' : 'Generate token',
    regenerate: verbose ? 'Regenerate SCIM token' : 'Regenerate token',
    confirmRegenerate: verbose ? 'Yes, regenerate' : 'Regenerate',
    done: verbose ? 'Close' : 'Done',
    verify: verbose ? 'Continue' : 'Verify',
  };
}

/** The bottom of the side panel: a Settings link, or a workspace button opening a menu with Settings. */
export function settingsEntry(view: PageView): string {
  if (view.presentation.settingsEntry === 'link') return `<a href="/settings"${cls(view, 'nav-settings')}>Settings</a>`;
  const menu = idFor(view, 'workspace-menu');
  return `<button type="button" aria-haspopup="menu" aria-expanded="false" aria-controls="${menu}"${cls(view, 'ws')}
 onclick="const m=document.getElementById('${menu}');m.hidden=!m.hidden;this.setAttribute('aria-expanded',String(!m.hidden))">Acme workspace</button>
<div role="menu" id="${menu}" hidden><a role="menuitem" href="/settings">Settings</a> <a role="menuitem" href="/logout">Log out</a></div>`;
}

/** A message for the previous action that is still showing (lingering toasts only). */
export function toast(view: PageView): string {
  if (!view.presentation.lingeringToast || !view.toast) return '';
  return `<div role="status"${cls(view, 'toast')}>${esc(view.toast)}</div>`;
}

/** Authentication's SSO / SCIM switch: tabs, or links in a sub-navigation. */
export function authTabs(view: PageView, selected: 'sso' | 'scim'): string {
  const entry = (href: string, name: string, on: boolean) => view.presentation.authTabs === 'tabs'
    ? `<a role="tab" href="${href}" aria-selected="${on}"${cls(view, 'tab')}>${name}</a>`
    : `<a href="${href}"${on ? ' aria-current="page"' : ''}${cls(view, 'sub')}>${name}</a>`;
  const items = entry('/settings/authentication', 'SSO', selected === 'sso') + ' ' + entry('/settings/authentication/scim', 'SCIM', selected === 'scim');
  return view.presentation.authTabs === 'tabs'
    ? `<div role="tablist" aria-label="Authentication">${items}</div>`
    : `<nav aria-label="Authentication">${items}</nav>`;
}

/** A dialog or alertdialog, shown modal by script or open when rendered `open`. */
export function dialog(view: PageView, id: string, title: string, body: string, open = false): string {
  const role = view.presentation.confirmDialog === 'alertdialog' ? ' role="alertdialog"' : '';
  return `<dialog id="${id}"${role} aria-labelledby="${id}-h"${open ? ' open' : ''}><h2 id="${id}-h">${esc(title)}</h2>${body}</dialog>`;
}
