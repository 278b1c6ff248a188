/**
 * Browser sessions: one Chromium per worker process, one BrowserContext per connection, reused
 * across jobs. The browser, the context and the page are all opened lazily, so operations that
 * only call an API start nothing. A login is kept as Playwright storageState, sealed with
 * AES-256-GCM in Redis (it holds live cookies, i.e. a credential), so it survives restarts and is
 * shared by every worker process. Contexts are recycled after an error or every N jobs.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Redis } from 'ioredis';
import type { SecretBox } from '../../core/crypto.ts';
import { sessionStateKey } from '../../core/store/keys.ts';
import { launchChromium } from './chromium.ts';

export type SessionMode = 'reuse' | 'fresh';

export { sessionStateKey };

export interface SessionPoolOptions {
  redis: Redis;
  prefix: string;
  box: SecretBox;
  /** Jobs a context serves before it is replaced. Default 50. */
  maxJobsPerContext?: number;
  /** 'reuse' (default); 'fresh' opens a new browser and logs in for every job (bench baseline). */
  mode?: SessionMode;
  launch?: () => Promise<Browser>;
  /** A browser to use in 'reuse' mode and never close (tests and the bench share one). */
  browser?: Browser;
  /** Told when a connection's browser context opens or closes (the browser sessions gauge). */
  onSession?: (change: 'opened' | 'closed') => void;
}

export interface Session {
  readonly connectionId: string;
  /** A login is believed valid: this context logged in, or a saved login was restored. */
  readonly loggedIn: boolean;
  page(): Promise<Page>;
  /** The page if one is open; never opens one (for evidence capture). */
  currentPage(): Page | undefined;
  /** Marks the session logged in and stores its login state sealed. */
  saveLogin(): Promise<void>;
  /** Drops a login the app no longer accepts, here and in storage. */
  forgetLogin(): Promise<void>;
}

class ConnectionSession implements Session {
  context?: BrowserContext;
  private opening?: Promise<Page>;
  private openPage?: Page;
  jobs = 0;

  constructor(
    readonly connectionId: string,
    private readonly pool: SessionPool,
    private savedState: string | undefined,
    public loggedIn: boolean,
  ) {}

  page(): Promise<Page> {
    if (this.openPage && !this.openPage.isClosed()) return Promise.resolve(this.openPage);
    this.opening ??= this.open().finally(() => (this.opening = undefined));
    return this.opening;
  }

  private async open(): Promise<Page> {
    if (!this.context) {
      const browser = await this.pool.browserFor(this);
      this.context = await browser.newContext({
        reducedMotion: 'reduce',
        viewport: { width: 1280, height: 800 },
        ...(this.savedState ? { storageState: JSON.parse(this.savedState) } : {}),
      });
      this.savedState = undefined; // no need to keep the plaintext around
      this.pool.sessionChanged('opened');
    }
    this.openPage = await this.context.newPage();
    return this.openPage;
  }

  currentPage(): Page | undefined {
    return this.openPage && !this.openPage.isClosed() ? this.openPage : undefined;
  }

  async saveLogin(): Promise<void> {
    this.loggedIn = true;
    if (!this.context) return; // logged in without a browser (API token): nothing to keep
    const state = JSON.stringify(await this.context.storageState());
    await this.pool.storeState(this.connectionId, state);
  }

  async forgetLogin(): Promise<void> {
    this.loggedIn = false;
    this.savedState = undefined;
    await this.context?.clearCookies();
    await this.pool.dropState(this.connectionId);
  }

  async close(): Promise<void> {
    const context = this.context;
    this.context = undefined;
    this.openPage = undefined;
    if (context) this.pool.sessionChanged('closed');
    await context?.close().catch(() => {});
  }
}

export class SessionPool {
  private browser?: Promise<Browser>;
  private readonly sessions = new Map<string, ConnectionSession>();
  /** Browsers of 'fresh' sessions, one each. */
  private readonly own = new Map<ConnectionSession, Promise<Browser>>();
  private readonly mode: SessionMode;

  constructor(private readonly options: SessionPoolOptions) {
    this.mode = options.mode ?? 'reuse';
  }

  private stateKey(connectionId: string) {
    return sessionStateKey(this.options.prefix, connectionId);
  }

  async acquire(connectionId: string): Promise<Session> {
    const existing = this.mode === 'reuse' ? this.sessions.get(connectionId) : undefined;
    if (existing) return existing;
    const sealed = this.mode === 'reuse' ? await this.options.redis.get(this.stateKey(connectionId)) : null;
    let state: string | undefined;
    if (sealed) {
      try {
        state = this.options.box.decryptString(sealed, `session:${connectionId}`);
      } catch {
        await this.dropState(connectionId); // sealed with another key or moved: log in afresh
      }
    }
    const session = new ConnectionSession(connectionId, this, state, state !== undefined);
    if (this.mode === 'reuse') this.sessions.set(connectionId, session);
    return session;
  }

  /** Ends a job's use of the session; the context is replaced after an error or N jobs. */
  async release(session: Session, outcome: { failed: boolean }): Promise<void> {
    const s = session as ConnectionSession;
    s.jobs++;
    if (this.mode === 'fresh') {
      await s.close();
      const browser = this.own.get(s);
      this.own.delete(s);
      await browser?.then((b) => b.close()).catch(() => {});
      return;
    }
    if (outcome.failed || s.jobs >= (this.options.maxJobsPerContext ?? 50)) {
      this.sessions.delete(s.connectionId);
      await s.close();
    }
  }

  /** @internal */
  sessionChanged(change: 'opened' | 'closed'): void {
    this.options.onSession?.(change);
  }

  /** @internal */
  browserFor(session: ConnectionSession): Promise<Browser> {
    const launch = this.options.launch ?? (() => launchChromium());
    if (this.mode === 'fresh') {
      const browser = this.own.get(session) ?? launch();
      this.own.set(session, browser);
      return browser;
    }
    if (this.options.browser) return Promise.resolve(this.options.browser);
    if (!this.browser) {
      const launching = launch();
      this.browser = launching;
      launching.then((b) => b.on('disconnected', () => this.forgetBrowser(launching)), () => this.forgetBrowser(launching));
    }
    return this.browser;
  }

  private forgetBrowser(browser: Promise<Browser>): void {
    if (this.browser !== browser) return;
    this.browser = undefined;
    for (const session of this.sessions.values()) {
      if (session.context) this.sessionChanged('closed'); // gone with the browser
      session.context = undefined;
    }
    this.sessions.clear();
  }

  /** @internal */
  async storeState(connectionId: string, state: string): Promise<void> {
    await this.options.redis.set(this.stateKey(connectionId), this.options.box.encrypt(state, `session:${connectionId}`));
  }

  /** @internal */
  async dropState(connectionId: string): Promise<void> {
    await this.options.redis.del(this.stateKey(connectionId));
  }

  async close(): Promise<void> {
    const sessions = [...this.sessions.values(), ...this.own.keys()];
    this.sessions.clear();
    await Promise.all(sessions.map((s) => s.close()));
    const browsers = [this.browser, ...this.own.values()];
    this.browser = undefined;
    this.own.clear();
    await Promise.all(browsers.map((b) => b?.then((x) => x.close()).catch(() => {})));
  }
}
