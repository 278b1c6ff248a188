/** The page frame: skip link, header with navigation and the signed-in role, main, footer. */
import { html, type Html } from './html.ts';
import type { ConsoleSession } from './session.ts';

export type Section = 'connections' | 'attention' | 'audit' | 'drift' | 'export' | 'queues' | 'tokens';

const NAV: Array<{ section: Section; label: string; path: string; adminOnly?: boolean }> = [
  { section: 'connections', label: 'Connections', path: '/console/connections' },
  { section: 'attention', label: 'Failed & stuck', path: '/console/attention' },
  { section: 'audit', label: 'Audit log', path: '/console/audit' },
  { section: 'drift', label: 'Drift', path: '/console/drift' },
  { section: 'export', label: 'Evidence export', path: '/console/export' },
  { section: 'queues', label: 'Queues', path: '/console/queues', adminOnly: true },
  { section: 'tokens', label: 'Tokens', path: '/console/tokens', adminOnly: true },
];

export interface PageOptions {
  title: string;
  section?: Section;
  session?: ConsoleSession;
  /** A short status line after an action ("Retry queued …"). */
  notice?: { kind: 'ok' | 'error'; text: string };
  /** Breadcrumb trail before the title. */
  crumbs?: Array<{ label: string; path: string }>;
  /** A class on <body> for page-specific layout. */
  bodyClass?: string;
  /** Reload the page after this many seconds (a result still coming, e.g. a login test); works without script. */
  refreshSeconds?: number;
}

export function page(options: PageOptions, body: Html): string {
  const { title, section, session, notice, crumbs, bodyClass, refreshSeconds } = options;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · scimwright</title>
${refreshSeconds ? html`<meta http-equiv="refresh" content="${refreshSeconds}">
` : ''}<link rel="stylesheet" href="/console/assets/console.css">
<script src="/console/assets/console.js" defer></script>
</head>
<body${bodyClass ? html` class="${bodyClass}"` : ''}>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
  <a class="brand" href="/console/connections"><span class="logo" aria-hidden="true">sw</span> scimwright</a>
  ${session ? nav(section, session) : ''}
</header>
<main id="main" tabindex="-1">
  ${crumbs && crumbs.length > 0 ? html`<nav class="crumbs" aria-label="Breadcrumb"><ol>${crumbs.map((c) => html`<li><a href="${c.path}">${c.label}</a></li>`)}<li aria-current="page">${title}</li></ol></nav>` : ''}
  <h1>${title}</h1>
  ${notice ? html`<p class="notice notice-${notice.kind}" role="${notice.kind === 'error' ? 'alert' : 'status'}">${notice.text}</p>` : ''}
  ${body}
</main>
<footer class="foot">scimwright console${session ? html` · signed in as ${displayName(session)} (${session.role === 'admin' ? 'admin' : 'reviewer, read-only'})` : ''}</footer>
</body>
</html>`.value;
}

/** The operator's own token (SCIMWRIGHT_ADMIN_TOKEN or the one printed at first start) has no chosen name. */
function displayName(session: ConsoleSession): string {
  return session.tokenId === 'env' ? 'the operator admin token' : session.name;
}

function nav(current: Section | undefined, session: ConsoleSession): Html {
  const items = NAV.filter((item) => !item.adminOnly || session.role === 'admin');
  return html`<nav class="nav" aria-label="Main">
    <ul>${items.map((item) => html`<li><a href="${item.path}"${item.section === current ? html` aria-current="page"` : ''}>${item.label}</a></li>`)}</ul>
  </nav>
  <div class="who">
    <span class="role role-${session.role}">${session.role === 'admin' ? 'Admin' : 'Reviewer · read-only'}</span>
    <form method="post" action="/console/logout">
      <input type="hidden" name="_csrf" value="${session.csrf}">
      <button type="submit" class="link">Sign out</button>
    </form>
  </div>`;
}

/** A hidden CSRF field for forms that change something. */
export function csrfField(session: ConsoleSession): Html {
  return html`<input type="hidden" name="_csrf" value="${session.csrf}">`;
}

export function emptyState(title: string, detail: string | Html): Html {
  return html`<div class="empty"><p class="empty-title">${title}</p><p>${detail}</p></div>`;
}
