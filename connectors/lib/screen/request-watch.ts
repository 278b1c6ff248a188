/**
 * The app's own "answered" signal: which page requests (documents, fetch, XHR) started after an
 * action are still in flight, and whether one carrying a given text (a search query in its URL or
 * body) has been answered. Works the same for a search that reloads the page and one that fetches.
 * After a write it also tells whether the app read again (a GET carrying the text, started once the
 * write was answered): the app's own "here is the list as it is now" that makes a reload needless.
 */
import type { Page, Request } from 'playwright-core';

const TRACKED = new Set(['document', 'fetch', 'xhr']);
const READS = new Set(['GET', 'HEAD']);

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
  /** Requests in flight, with when each started (ms since epoch). */
  private readonly inflight = new Map<Request, number>();
  /** Requests seen since the watch started. */
  started = 0;
  /** A request carrying the needle (any request when there is none) was answered. */
  answered = false;
  /** When a request last started or ended (ms since epoch). */
  lastActivity = Date.now();
  /** When a write (a request other than GET or HEAD) was last answered, if any was. */
  writeAnsweredAt: number | undefined;
  /** A read carrying the needle, started after a write was answered, was answered too. */
  reread = false;

  private readonly onRequest = (request: Request) => {
    if (!TRACKED.has(request.resourceType())) return;
    this.inflight.set(request, Date.now());
    this.started++;
    this.lastActivity = Date.now();
  };

  private readonly onDone = (request: Request) => {
    const startedAt = this.inflight.get(request);
    if (startedAt === undefined) return;
    this.inflight.delete(request);
    this.lastActivity = Date.now();
    if (request.failure()) return;
    const read = READS.has(request.method());
    if (!read) this.writeAnsweredAt = this.lastActivity;
    if (this.needle !== undefined && !carries(request, this.needle)) return;
    this.answered = true;
    if (read && this.writeAnsweredAt !== undefined && startedAt >= this.writeAnsweredAt) this.reread = true;
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
