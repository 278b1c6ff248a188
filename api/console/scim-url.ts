/** A connection's SCIM base URL as the console shows it: the exact text to paste, with a copy button. */
import type { FastifyInstance } from 'fastify';
import { html, raw, type Html } from './html.ts';

export function scimBaseUrl(app: FastifyInstance, connectionId: string): string {
  // Read at call time: the origin is known only once the server listens (PORT=0).
  return `${app.scimwright.origin}/scim/v2/${connectionId}`;
}

/** Breaks a long URL after its slashes only (<wbr> adds no text, so the copy is exact). */
function breakable(url: string): Html {
  const [scheme, rest] = url.startsWith('http') ? [url.slice(0, url.indexOf('//') + 2), url.slice(url.indexOf('//') + 2)] : ['', url];
  return html`${scheme}${rest.split('/').map((part, i) => html`${i > 0 ? html`/${raw('<wbr>')}` : ''}${part}`)}`;
}

export function scimUrlLine(app: FastifyInstance, connectionId: string): Html {
  const id = `scim-url-${connectionId}`;
  return html`<code id="${id}" class="scim-url">${breakable(scimBaseUrl(app, connectionId))}</code>
    <button type="button" class="small" data-copy="${id}" aria-label="Copy the SCIM base URL of ${connectionId}">Copy</button>`;
}
