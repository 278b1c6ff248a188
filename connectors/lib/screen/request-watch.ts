/**
 * The app's own "answered" signal: which page requests (documents, fetch, XHR) started after an
 * action are still in flight, and whether one carrying a given text (a search query in its URL or
 * body) has been answered. Works the same for a search that reloads the page and one that fetches.
 */
import type { Page, Request } from 'playwright-core';

const TRACKED = new Set(['document', 'fetch', 'xhr']);

/** Whether `request` carries `needle` in its URL (decoded) or body, ignoring case. */
export function carries(request: Request, needle: string): boolean {
  const want = needle.trim().toLowerCase();
  if (!want) return true;
  let url = request.url();
  try {
    url = decodeURIComponent(url.replace(/\+/g, ' '));
  } catch {
    // A malformed escape: search the raw URL.
  }
  return url.toLowerCase().includes(want) || (request.postData() ?? '').toLowerCase().includes(want);
}

export class RequestWatch {
  private readonly inflight = new Set<Request>();
  /** Requests seen since the watch started. */
  started = 0;
  /** A request carrying the needle (any request when there is none) was answered. */
  answered = false;
  /** When a request last started or ended (ms since epoch). */
  lastActivity = Date.now();

  private readonly onRequest = (request: Request) => {
    if (!TRACKED.has(request.resourceType())) return;
    this.inflight.add(request);
    this.started++;
    this.lastActivity = Date.now();
  };

  private readonly onDone = (request: Request) => {
    if (!this.inflight.delete(request)) return;
    this.lastActivity = Date.now();
    if (!request.failure() && (this.needle === undefined || carries(request, this.needle))) this.answered = true;
  };

  constructor(private readonly page: Page, private readonly needle?: string) {
    page.on('request', this.onRequest);
    page.on('requestfinished', this.onDone);
    page.on('requestfailed', this.onDone);
  }

  get busy(): boolean {
    return this.inflight.size > 0;
  }

  dispose(): void {
    this.page.off('request', this.onRequest);
    this.page.off('requestfinished', this.onDone);
    this.page.off('requestfailed', this.onDone);
  }
}

/** Runs `fn` with a watch started just before it, and always stops watching. */
export async function watching<T>(page: Page, needle: string | undefined, fn: (watch: RequestWatch) => Promise<T>): Promise<T> {
  const watch = new RequestWatch(page, needle);
  try {
    return await fn(watch);
  } finally {
    watch.dispose();
  }
}
