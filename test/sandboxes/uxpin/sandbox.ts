/**
 * A local replica of UXPin's login and team-management screens (see shared/apps/uxpin.md), with
 * knobs for latency, failures, slow lists, session expiry, 2FA and seat limits. Tests start it
 * with `startUxpinSandbox()`; `npm run sandbox:uxpin` starts it alone (main.ts).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Secret, TOTP } from 'otpauth';
import { createRng, DEFAULT_KNOBS, pickLatency, type Knobs } from './knobs.ts';
import { html, json, readBody, readCookie, redirect, SESSION_COOKIE, sessionCookie, str } from './http.ts';
import { generateMembers, SandboxState, type Refusal, type Role, type SeedMember } from './state.ts';
import { dashboardPage, loginPage, verifyPage } from './views/login.ts';
import { PAGE_SIZE, rolesPage, teamPage } from './views/team.ts';

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
  stop(): Promise<void>;
}

const FAILURE_MESSAGE = 'Something went wrong. Please try again.';

class Sandbox {
  knobs: Knobs;
  rng: () => number;

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
    if (!this.session(req)?.verified) return redirect(res, '/login', 302, { 'set-cookie': sessionCookie(null) });
    html(res, 200, view());
  }

  private teamView(url: URL): string {
    const query = url.searchParams.get('q') ?? '';
    const members = this.state.search(query);
    const pages = Math.max(1, Math.ceil(members.length / PAGE_SIZE));
    const page = Math.min(pages, Math.max(1, Number.parseInt(url.searchParams.get('page') ?? '1', 10) || 1));
    this.state.listViews.push({ query, page });
    return teamPage({ members, query, page, slowListMs: this.knobs.slowListMs });
  }

  private showLogin(req: IncomingMessage, res: ServerResponse): void {
    if (this.session(req)?.verified) return redirect(res, '/dashboard');
    html(res, 200, loginPage());
  }

  private async login(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const email = str(body.email).trim();
    const ok = email.toLowerCase() === this.admin.email.toLowerCase() && str(body.password) === this.admin.password;
    if (!ok) return html(res, 401, loginPage('Incorrect email or password', email));
    const twoFactor = this.knobs.totpSecret !== undefined;
    const token = this.state.openSession(!twoFactor, Date.now());
    if (!twoFactor) this.state.logins++;
    redirect(res, twoFactor ? '/login/verify' : '/dashboard', 303, { 'set-cookie': sessionCookie(token) });
  }

  private showVerify(req: IncomingMessage, res: ServerResponse): void {
    const session = this.session(req);
    if (!session) return redirect(res, '/login');
    if (session.verified) return redirect(res, '/dashboard');
    html(res, 200, verifyPage());
  }

  private async verify(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const token = readCookie(req, SESSION_COOKIE);
    const code = str((await readBody(req)).code).trim();
    if (!token || !this.session(req) || !this.knobs.totpSecret) return redirect(res, '/login', 303);
    const totp = new TOTP({ secret: Secret.fromBase32(this.knobs.totpSecret) });
    if (totp.validate({ token: code, window: 1 }) === null) {
      return html(res, 401, verifyPage('Invalid authentication code'));
    }
    this.state.verifySession(token);
    this.state.logins++;
    redirect(res, '/dashboard', 303);
  }

  private async invite(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const raw: unknown[] = Array.isArray(body.emails) ? body.emails : [body.emails];
    const emails = raw.map(str).map((e) => e.trim()).filter(Boolean);
    const role = str(body.role);
    await this.write(req, res,
      () => this.state.checkInvite(emails, role, this.knobs.seatLimit),
      () => this.state.invite(emails, role as Role));
  }

  private async changeRole(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const email = str(body.email);
    const role = str(body.role);
    await this.write(req, res, () => this.state.checkRoleChange(email, role), () => this.state.changeRole(email, role as Role));
  }

  private async remove(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const email = str((await readBody(req)).email);
    await this.write(req, res, () => this.state.checkRemove(email), () => this.state.remove(email));
  }

  /** One write = one request the failure knob applies to, before or after the change is saved. */
  private async write(req: IncomingMessage, res: ServerResponse, check: () => Refusal | null, apply: () => void): Promise<void> {
    this.state.writes++;
    if (!this.session(req)?.verified) return json(res, 401, { error: 'Your session has expired' });
    const fail = this.rng() < this.knobs.failureRate;
    if (fail && this.knobs.failureTiming === 'before') return this.fail(res);
    const refusal = check();
    if (refusal) return json(res, refusal.status, { error: refusal.message });
    apply();
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
  const { port = 0, host = '127.0.0.1', admin = DEFAULT_ADMIN, seed = [], ...knobs } = options;
  const state = new SandboxState(admin, typeof seed === 'number' ? generateMembers(seed) : seed);
  const sandbox = new Sandbox(state, admin, knobs);
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
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
