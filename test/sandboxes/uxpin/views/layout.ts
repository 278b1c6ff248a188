/** The HTML shell shared by every sandbox screen. Markup is accessible on purpose: the connector locates by role, label and text. */

export function esc(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `
  body { font: 14px system-ui, sans-serif; margin: 0; color: #1d1d1f; }
  header { display: flex; gap: 1.5rem; align-items: center; padding: .75rem 1.5rem; background: #0f1b2d; }
  header a, header button { color: #fff; background: none; border: 0; font: inherit; cursor: pointer; }
  main { padding: 1.5rem; max-width: 960px; }
  [role=tablist] { display: flex; gap: 1rem; border-bottom: 1px solid #ccc; margin-bottom: 1rem; }
  [role=tab][aria-selected=true] { font-weight: 600; border-bottom: 2px solid #0a66ff; }
  table { border-collapse: collapse; width: 100%; margin: 1rem 0; }
  th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid #eee; }
  [role=dialog] { position: fixed; top: 15%; left: 50%; transform: translateX(-50%); background: #fff;
    border: 1px solid #999; padding: 1.5rem; min-width: 340px; box-shadow: 0 8px 30px #0004; }
  [role=alert] { color: #b00020; }
  [role=status] { color: #0a7a32; min-height: 1.2em; }
  [role=menu] { position: absolute; right: 0; z-index: 10; background: #fff; border: 1px solid #ccc; list-style: none; padding: .25rem 0; margin: 0; }
  [role=menuitem] { padding: .3rem 1rem; cursor: pointer; }
  .grid-row { display: grid; grid-template-columns: 2fr 3fr 2fr 2fr 1fr; padding: .4rem 0; border-bottom: 1px solid #eee; }
  .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  label { display: block; margin-top: .6rem; }
`;

export interface LayoutOptions {
  /** Show the Dashboard's top bar (logged-in screens only). */
  topBar?: boolean;
  script?: string;
}

export function layout(title: string, body: string, options: LayoutOptions = {}): string {
  const topBar = options.topBar
    ? `<header><nav aria-label="Top bar" style="display:flex;gap:1.5rem">
        <a href="/dashboard">Dashboard</a><a href="/team">Manage your team</a>
        <form method="post" action="/logout"><button type="submit">Log out</button></form>
      </nav></header>`
    : '';
  const script = options.script ? `<script>${options.script}</script>` : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)} | UXPin</title>
<style>${STYLE}</style></head><body>${topBar}<main>${body}</main>${script}</body></html>`;
}

/**
 * randomIds: every id, label target and class name gets `suffix`, as CSS-module or framework
 * builds do, so nothing can be found by an id or class the connector was written against.
 */
export function withSuffix(page: string, suffix: string): string {
  if (!suffix) return page;
  const tokens = (value: string) => value.split(/\s+/).filter(Boolean).map((t) => t + suffix).join(' ');
  return page
    .replace(/\b(id|for|aria-labelledby|aria-describedby|class)="([^"]+)"/g, (_, attr: string, value: string) => `${attr}="${tokens(value)}"`)
    .replace(/\.(visually-hidden|grid-row)\b/g, `.$1${suffix}`)
    .replace('<html lang="en">', `<html lang="en" data-sfx="${suffix}">`);
}
