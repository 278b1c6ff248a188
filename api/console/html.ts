/**
 * Server-rendered HTML with escaping by default: every `${value}` in an `html` template is
 * escaped unless it is itself an `Html` (a fragment built by `html`, or `raw()` for constants).
 */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"'`]/g, (c) => ESCAPES[c]!);
}

type Part = Html | string | number | boolean | null | undefined | Part[];

function render(part: Part): string {
  if (part === null || part === undefined || part === false) return '';
  if (Array.isArray(part)) return part.map(render).join('');
  if (part instanceof Html) return part.value;
  return escapeHtml(part);
}

export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return new Html(out);
}

/** Trusted markup only (constants written in this folder), never data. */
export function raw(value: string): Html {
  return new Html(value);
}

/** `/console/...` links with each path segment encoded. */
export function href(...segments: string[]): string {
  return `/console/${segments.map((s) => encodeURIComponent(s)).join('/')}`;
}

export function withQuery(path: string, query: Record<string, string | undefined>): string {
  const params = new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => Boolean(e[1])));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/** "3 min ago", "2 d ago": for ages shown beside the exact time (in a title). */
export function ago(iso: string | undefined, now = Date.now()): string {
  if (!iso) return 'never';
  const seconds = Math.round((now - Date.parse(iso)) / 1000);
  if (Number.isNaN(seconds)) return 'unknown';
  // A time still to come (a token's expiry): "in 30 d", not "just now".
  if (seconds <= -5) return `in ${ago(new Date(now).toISOString(), now - seconds * 1000).replace(/ ago$/, '')}`;
  if (seconds < 60) return seconds < 5 ? 'just now' : `${seconds} s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86_400)} d ago`;
}

/** "2026-12-01 19:52:07 UTC": the console shows absolute times; relative ones are only a hint. */
export function utc(iso: string | undefined): string {
  if (!iso || Number.isNaN(Date.parse(iso))) return 'never';
  return `${new Date(iso).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function time(iso: string | undefined): Html {
  if (!iso) return html`<span class="muted">never</span>`;
  return html`<time datetime="${iso}" title="${ago(iso)}">${utc(iso)}</time> <span class="sub ago">(${ago(iso)})</span>`;
}

const BADGES: Record<string, string> = {
  in_sync: 'ok', succeeded: 'ok', verified: 'ok', healthy: 'ok', removed: 'neutral',
  pending: 'warn', running: 'warn', retrying: 'warn', queued: 'warn', unsealed: 'warn', idle: 'neutral', stuck: 'warn',
  failed: 'bad', failing: 'bad', tampered: 'bad', missing: 'bad', unlisted: 'bad',
};

const LABELS: Record<string, string> = { in_sync: 'in sync' };

export function badge(state: string): Html {
  return html`<span class="badge badge-${BADGES[state] ?? 'neutral'}">${LABELS[state] ?? state.replace(/_/g, ' ')}</span>`;
}
