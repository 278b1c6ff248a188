/**
 * A local replica of UXPin's login and team-management screens (see shared/apps/uxpin.md), with
 * knobs for latency, failures, slow lists, session expiry, 2FA and seat limits, and presentation
 * knobs for what the notes leave open (presentation.ts, presets in variants.ts). Tests start it
 * with `startUxpinSandbox()`; `npm run sandbox:uxpin` starts it alone (main.ts).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Secret, TOTP } from 'otpauth';
import { createRng, DEFAULT_KNOBS, pickLatency, type Knobs } from './knobs.ts';
import { html, json, readBody, readCookie, redirect, SESSION_COOKIE, sessionCookie, str } from './http.ts';
import { generateMembers, SandboxState, type Refusal, type Role, type SeedMember } from './state.ts';
import { variantKnobs, type VariantName } from './variants.ts';
import { withSuffix } from './views/layout.ts';
import { dashboardPage, loginPage, verifyPage } from './views/login.ts';
import { PAGE_SIZE, rolesPage, teamPage } from './views/team.ts';
import { roleFromValue, teamList, type ListView } from './views/team-list.ts';

export interface AdminAccount {
  email: string;
  password: string;
  name: string;
}

export const DEFAULT_ADMIN: AdminAccount = {
  email: 'owner@example.com',
  password: 'correct-horse-battery',
  name: 'Olivia Owner',
};

export interface UxpinSandboxOptions extends Partial<Knobs> {
  /** Default 0: a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** The admin who logs in; they are also the team's Owner. Default DEFAULT_ADMIN. */
  admin?: AdminAccount;
  /** Members besides the Owner: a list, or a count for generateMembers(). Default none. */
  seed?: number | readonly SeedMember[];
  /** A preset of presentation knobs (variants.ts); the other options override it. Default 'classic'. */
  variant?: VariantName;
}

export interface UxpinSandbox {
  url: string;
  admin: AdminAccount;
  /** Live state: tests assert against it (the connector never sees it). */
  state: SandboxState;
  readonly knobs: Readonly<Knobs>;
  setKnobs(partial: Partial<Knobs>): void;
  /** Ends every session now, as a short session lifetime would. */
  expireSessions(): void;
  /**
   * A rate-limit storm: for `ms` from now every screen load (a signed-in page) is answered 429 with
   * `Retry-After: retryAfterSeconds`, as an app refusing a client that asks too fast. Counted in
   * state.screenLoads.
   */
  rateLimitStorm(ms: number, retryAfterSeconds?: number): void;
  stop(): Promise<void>;
}

const FAILURE_MESSAGE = 'Something went wrong. Please try again.';

class Sandbox {
  knobs: Knobs;
  rng: () => number;
  /** lingeringToast: the last success message, shown again on every load of the team screen. */
  toast = '';
  /** End of the current rate-limit storm (ms since epoch) and its Retry-After (seconds). */
  storm = { until: 0, retryAfter: 1 };
  /** randomIds: this instance's suffix for ids and class names. */
  readonly suffix = `_${randomBytes(3).toString('hex')}`;

  constructor(readonly state: SandboxState, readonly admin: AdminAccount, knobs: Partial<Knobs>) {
    this.knobs = { ...DEFAULT_KNOBS, ...knobs };
    this.rng = createRng(this.knobs.rngSeed);
  }

  setKnobs(partial: Partial<Knobs>): void {
    this.knobs = { ...this.knobs, ...partial };
    if (partial.rngSeed !== undefined) this.rng = createRng(partial.rngSeed);
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    if (url.pathname.startsWith('/__sandbox/')) return this.testRoute(req, res, url.pathname);
    this.state.requests++;
    await sleep(pickLatency(this.knobs.latencyMs, this.rng));
    const route = `${req.method} ${url.pathname}`;
    switch (route) {
      case 'GET /': return redirect(res, '/dashboard');
      case 'GET /login': return this.showLogin(req, res);
      case 'POST /login': return this.login(req, res);
      case 'GET /login/verify': return this.showVerify(req, res);
      case 'POST /login/verify': return this.verify(req, res);
      case 'POST /logout': return redirect(res, '/login', 303, { 'set-cookie': sessionCookie(null) });
      case 'POST /team/invite': return this.invite(req, res);
      case 'POST /team/members/role': return this.changeRole(req, res);
      case 'POST /team/members/remove': return this.remove(req, res);
      case 'GET /team/list': return this.listFragment(req, res, url);
      default: return this.page(req, res, url);
    }
  }

  private session(req: IncomingMessage) {
    return this.state.session(readCookie(req, SESSION_COOKIE), this.knobs.sessionLifetimeMs, Date.now());
  }

  private page(req: IncomingMessage, res: ServerResponse, url: URL): void {
    const render: Record<string, () => string> = {
      '/dashboard': () => dashboardPage(),
      '/team': () => this.teamView(url),
      '/team/roles': () => rolesPage(),
    };
    const view = req.method === 'GET' ? render[url.pathname] : undefined;
    if (!view) return html(res, 404, '<h1>Not found</h1>');
    if (this.session(req)?.verified && Date.now() < this.storm.until) {
      this.state.screenLoads.push('limited');
      res.writeHead(429, { 'retry-after': String(this.storm.retryAfter), 'content-type': 'text/plain' }).end('Too many requests');
      return;
    }
    if (!this.session(req)?.verified) {
      const asked = this.knobs.loginLanding === 'asked' ? `?next=${encodeURIComponent(url.pathname + url.search)}` : '';
      return redirect(res, `/login${asked}`, 302, { 'set-cookie': sessionCookie(null) });
    }
    this.state.screenLoads.push('ok');
    this.send(res, 200, view());
  }

  private send(res: ServerResponse, status: number, page: string): void {
    html(res, status, this.knobs.randomIds ? withSuffix(page, this.suffix) : page);
  }

  private listView(url: URL): ListView {
    const query = url.searchParams.get('q') ?? '';
    const members = this.state.search(query);
    const pages = Math.max(1, Math.ceil(members.length / PAGE_SIZE));
    const page = Math.min(pages, Math.max(1, Number.parseInt(url.searchParams.get('page') ?? '1', 10) || 1));
    return { members, query, page, look: this.knobs };
  }

  private teamView(url: URL): string {
    const view = this.listView(url);
    // A script-drawn list is counted when the script fetches it (listFragment).
    if (!this.knobs.scriptedList) this.state.listViews.push({ query: view.query, page: view.page });
    return teamPage({ ...view, slowListMs: this.knobs.slowListMs, toast: this.knobs.lingeringToast ? this.toast : '' });
  }

  /** GET /team/list: the list alone, for redraws after writes, live search and script-drawn lists. */
  private async listFragment(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (!this.session(req)?.verified) return json(res, 401, { error: 'Your session has expired' });
    if (this.knobs.scriptedList && this.knobs.slowListMs > 0) await sleep(this.knobs.slowListMs);
    const view = this.listView(url);
    this.state.listViews.push({ query: view.query, page: view.page });
    this.send(res, 200, teamList(view));
  }

  private loginLook(next?: string) {
    return { label: this.knobs.loginLabel, ...(next ? { next } : {}) };
  }

  /** Only local paths, so a crafted ?next= cannot send the browser elsewhere. */
  private landing(next: string): string {
    if (this.knobs.loginLanding === 'dashboard') return '/dashboard';
    return next.startsWith('/') && !next.startsWith('//') ? next : '/team';
  }

  private showLogin(req: IncomingMessage, res: ServerResponse): void {
    if (this.session(req)?.verified) return redirect(res, '/dashboard');
    const next = new URL(req.url ?? '/', 'http://sandbox').searchParams.get('next') ?? undefined;
    this.send(res, 200, loginPage(this.loginLook(next)));
  }

  private async login(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const email = str(body.email).trim();
    const ok = email.toLowerCase() === this.admin.email.toLowerCase() && str(body.password) === this.admin.password;
    const next = str(body.next);
    if (!ok) return this.send(res, 401, loginPage(this.loginLook(next), 'Incorrect email or password', email));
    const twoFactor = this.knobs.totpSecret !== undefined;
    const token = this.state.openSession(!twoFactor, Date.now());
    if (!twoFactor) this.state.logins++;
    const verify = `/login/verify${next ? `?next=${encodeURIComponent(next)}` : ''}`;
    redirect(res, twoFactor ? verify : this.landing(next), 303, { 'set-cookie': sessionCookie(token) });
  }

  private showVerify(req: IncomingMessage, res: ServerResponse): void {
    const session = this.session(req);
    if (!session) return redirect(res, '/login');
    if (session.verified) return redirect(res, '/dashboard');
    this.send(res, 200, verifyPage());
  }

  private async verify(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const token = readCookie(req, SESSION_COOKIE);
    const code = str((await readBody(req)).code).trim();
    if (!token || !this.session(req) || !this.knobs.totpSecret) return redirect(res, '/login', 303);
    const totp = new TOTP({ secret: Secret.fromBase32(this.knobs.totpSecret) });
    if (totp.validate({ token: code, window: 1 }) === null) {
      return this.send(res, 401, verifyPage('Invalid authentication code'));
    }
    this.state.verifySession(token);
    this.state.logins++;
    const next = new URL(req.url ?? '/', 'http://sandbox').searchParams.get('next') ?? '';
    redirect(res, this.landing(next), 303);
  }

  private async invite(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const raw: unknown[] = Array.isArray(body.emails) ? body.emails : [body.emails];
    const emails = raw.map(str).map((e) => e.trim()).filter(Boolean);
    const role = roleFromValue(str(body.role));
    await this.write(req, res,
      () => this.state.checkInvite(emails, role, this.knobs.seatLimit),
      () => this.state.invite(emails, role as Role), 'Invitation sent');
  }

  private async changeRole(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const email = str(body.email);
    const role = roleFromValue(str(body.role));
    await this.write(req, res, () => this.state.checkRoleChange(email, role), () => this.state.changeRole(email, role as Role), 'Role updated');
  }

  private async remove(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const email = str((await readBody(req)).email);
    await this.write(req, res, () => this.state.checkRemove(email), () => this.state.remove(email), 'User removed');
  }

  /** One write = one request the failure knob applies to, before or after the change is saved. */
  private async write(req: IncomingMessage, res: ServerResponse, check: () => Refusal | null, apply: () => void, toast: string): Promise<void> {
    this.state.writes++;
    if (!this.session(req)?.verified) return json(res, 401, { error: 'Your session has expired' });
    const forced = this.knobs.failNext > 0;
    if (forced) this.knobs.failNext -= 1;
    const fail = this.rng() < this.knobs.failureRate || forced;
    if (fail && this.knobs.failureTiming === 'before') return this.fail(res);
    const refusal = check();
    if (refusal) return json(res, refusal.status, { error: refusal.message });
    apply();
    this.toast = toast;
    if (fail) return this.fail(res);
    json(res, 200, { ok: true });
  }

  private fail(res: ServerResponse): void {
    this.state.failuresInjected++;
    // 'hang': never answer; stop() closes the socket.
    if (this.knobs.failureMode === '500') json(res, 500, { error: FAILURE_MESSAGE });
  }

  /** Test-only routes; the connector never calls them. No latency, no failures, not counted. */
  private async testRoute(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    if (req.method === 'GET' && path === '/__sandbox/state') return json(res, 200, this.state.snapshot());
    if (req.method === 'POST' && path === '/__sandbox/knobs') {
      this.setKnobs((await readBody(req)) as Partial<Knobs>);
      return json(res, 200, { ok: true });
    }
    if (req.method === 'POST' && path === '/__sandbox/expire-sessions') {
      this.state.expireSessions();
      return json(res, 200, { ok: true });
    }
    json(res, 404, { error: 'unknown sandbox route' });
  }
}

export async function startUxpinSandbox(options: UxpinSandboxOptions = {}): Promise<UxpinSandbox> {
  const { port = 0, host = '127.0.0.1', admin = DEFAULT_ADMIN, seed = [], variant, ...knobs } = options;
  const state = new SandboxState(admin, typeof seed === 'number' ? generateMembers(seed) : seed);
  const sandbox = new Sandbox(state, admin, { ...(variant ? variantKnobs(variant) : {}), ...knobs });
  const server = createServer((req, res) => {
    sandbox.handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) json(res, 500, { error: String(error) });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host}:${address.port}`,
    admin,
    state,
    get knobs() {
      return sandbox.knobs;
    },
    setKnobs: (partial) => sandbox.setKnobs(partial),
    expireSessions: () => state.expireSessions(),
    rateLimitStorm: (ms, retryAfterSeconds = 1) => void (sandbox.storm = { until: Date.now() + ms, retryAfter: retryAfterSeconds }),
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
