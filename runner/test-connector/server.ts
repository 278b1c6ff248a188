/**
 * A tiny admin UI for the test connector, served by node:http: log in, list users, invite, change
 * a role, remove. Knobs and counters let tests see what the runner did: how many writes reached
 * the app, whether two drivers ever overlapped, and a write can be held to crash a worker mid-run.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loginHtml, usersHtml, type AppUser } from './html.ts';

export interface TestAppOptions {
  email: string;
  password: string;
  /** Token text shown on the users page (a secret the connector learns). */
  apiToken?: string;
  /** Delay of every counted request, so overlapping drivers would be seen. Default 0. */
  delayMs?: number;
}

export interface Write { kind: 'invite' | 'role' | 'remove'; email: string; role?: string }

export interface TestApp {
  url: string;
  users: Map<string, AppUser>;
  writes: Write[];
  logins: number;
  /** Most counted requests in flight at once (1 = never overlapped). */
  maxInFlight: number;
  seatLimit: number;
  /** The next this-many writes are answered as if made but not applied (an app that lags or loses them). */
  dropWrites: number;
  /** Hold the response of each write (after applying it) until release() is called. */
  holdWrites: boolean;
  /** Resolves when a write is held. */
  writeHeld(): Promise<void>;
  release(): void;
  /** Ends every admin session: the next page sends the connector back to the login form. */
  expireSessions(): void;
  /** Until this time (ms since epoch) the users page answers 429 with Retry-After: 3. */
  rateLimitedUntil: number;
  /** Users pages answered 429. */
  limited: number;
  close(): Promise<void>;
}

export async function startTestApp(options: TestAppOptions): Promise<TestApp> {
  const sessions = new Set<string>();
  let inFlight = 0;
  let held: Array<() => void> = [];
  let heldWaiters: Array<() => void> = [];
  const app: TestApp = {
    url: '', users: new Map(), writes: [], logins: 0, maxInFlight: 0, seatLimit: 1000, dropWrites: 0, holdWrites: false, rateLimitedUntil: 0, limited: 0,
    writeHeld: () => new Promise((resolve) => heldWaiters.push(resolve)),
    release: () => { const waiting = held; held = []; waiting.forEach((go) => go()); },
    expireSessions: () => sessions.clear(),
    close: async () => {
      app.release();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  const token = options.apiToken ?? `tok-${randomBytes(12).toString('hex')}`;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://app');
    if (url.pathname === '/favicon.ico') return void res.writeHead(204).end();
    inFlight++;
    app.maxInFlight = Math.max(app.maxInFlight, inFlight);
    try {
      if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
      const form = req.method === 'POST' ? new URLSearchParams(await body(req)) : new URLSearchParams();
      if (url.pathname === '/login') return void (req.method === 'POST' ? login(form, res) : html(res, 200, loginHtml()));
      const sid = /(?:^|;\s*)sid=([a-f0-9]+)/.exec(req.headers.cookie ?? '')?.[1];
      if (!sid || !sessions.has(sid)) return void res.writeHead(303, { location: '/login' }).end();
      if (req.method === 'GET' && url.pathname === '/users' && Date.now() < app.rateLimitedUntil) {
        app.limited++;
        return void res.writeHead(429, { 'retry-after': '3' }).end('Too many requests');
      }
      if (req.method === 'GET' && url.pathname === '/users') return void html(res, 200, usersHtml([...app.users.values()], token));
      if (req.method === 'POST') return await write(url.pathname, form, res);
      html(res, 404, '<h1>Not found</h1>');
    } finally {
      inFlight--;
    }
  }

  function login(form: URLSearchParams, res: ServerResponse): void {
    if (form.get('email') !== options.email || form.get('password') !== options.password) {
      return html(res, 401, loginHtml('Invalid email or password'));
    }
    const sid = randomBytes(16).toString('hex');
    sessions.add(sid);
    app.logins++;
    res.writeHead(303, { location: '/users', 'set-cookie': `sid=${sid}; HttpOnly; Path=/` }).end();
  }

  async function write(path: string, form: URLSearchParams, res: ServerResponse): Promise<void> {
    const email = (form.get('email') ?? '').toLowerCase();
    const role = form.get('role') ?? '';
    if (app.dropWrites > 0) {
      app.dropWrites--;
      return void res.writeHead(303, { location: '/users' }).end();
    }
    if (path === '/invite') {
      if (app.users.size >= app.seatLimit) return html(res, 200, usersHtml([...app.users.values()], token, 'Seat limit reached'));
      app.users.set(email, { email, role, status: 'pending' });
      app.writes.push({ kind: 'invite', email, role });
    } else if (path === '/role' && app.users.has(email)) {
      app.users.set(email, { ...app.users.get(email)!, role });
      app.writes.push({ kind: 'role', email, role });
    } else if (path === '/remove') {
      app.users.delete(email);
      app.writes.push({ kind: 'remove', email });
    } else {
      return html(res, 404, '<h1>Not found</h1>');
    }
    if (app.holdWrites) {
      // The change is made; the answer waits, as if the app were slow to confirm it.
      await new Promise<void>((resolve) => { held.push(resolve); heldWaiters.forEach((w) => w()); heldWaiters = []; });
    }
    res.writeHead(303, { location: '/users' }).end();
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => { if (!res.headersSent) html(res, 500, `<h1>${String(error)}</h1>`); });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  app.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return app;
}

function html(res: ServerResponse, status: number, content: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(content);
}

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}
