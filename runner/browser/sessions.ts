/**
 * Browser sessions: one Chromium per worker process, one logged-in BrowserContext per connection
 * (connection-context.ts), and one page per job: the jobs holding a connection's page slots at
 * once each drive a page of their own in the shared context. The browser, the context and the page
 * are all opened lazily, so operations that only call an API start nothing. A login is kept as
 * Playwright storageState, sealed with AES-256-GCM in Redis (it holds live cookies, i.e. a
 * credential), so it survives restarts and is shared by every worker process. A context is
 * retired after an error or every N jobs, and closed once its last page is given back.
 */
import type { Browser, Page } from 'playwright-core';
import type { Redis } from 'ioredis';
import type { SecretBox } from '../../core/crypto.ts';
import { sessionStateKey } from '../../core/store/keys.ts';
import { launchChromium } from './chromium.ts';
import { ConnectionContext } from './connection-context.ts';

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

/** One job's use of its connection's browser context. */
export interface Session {
  readonly connectionId: string;
  /** A login is believed valid: this context logged in, or a saved login was restored. */
  readonly loggedIn: boolean;
  /** Successful logins of the context so far (see loginOnce). */
  readonly loginEpoch: number;
  /** This job's page, opened on first use. */
  page(): Promise<Page>;
  /** The page if one is open; never opens one (for evidence capture). */
  currentPage(): Page | undefined;
  /** Runs `login` unless another job of the context logged in since `seenEpoch` or is doing so now. */
  loginOnce(login: () => Promise<void>, seenEpoch: number): Promise<number>;
  /** Marks the session logged in and stores its login state sealed. */
  saveLogin(): Promise<void>;
  /** Drops a login the app no longer accepts, here and in storage. */
  forgetLogin(): Promise<void>;
}

class PageLease implements Session {
  private openPage?: Page;
  private opening?: Promise<Page>;

  constructor(readonly shared: ConnectionContext) {}

  get connectionId() { return this.shared.connectionId; }
  get loggedIn() { return this.shared.loggedIn; }
  get loginEpoch() { return this.shared.loginEpoch; }

  page(): Promise<Page> {
    if (this.openPage && !this.openPage.isClosed()) return Promise.resolve(this.openPage);
    this.opening ??= this.shared.takePage().then((page) => (this.openPage = page)).finally(() => (this.opening = undefined));
    return this.opening;
  }

  currentPage(): Page | undefined {
    return this.openPage && !this.openPage.isClosed() ? this.openPage : undefined;
  }

  loginOnce(login: () => Promise<void>, seenEpoch: number) { return this.shared.loginOnce(login, seenEpoch); }
  saveLogin() { return this.shared.saveLogin(); }
  forgetLogin() { return this.shared.forgetLogin(); }

  /** @internal gives the page back: kept open for the next job unless this one failed. */
  end(failed: boolean): void {
    const page = this.openPage;
    this.openPage = undefined;
    if (page) this.shared.givePage(page, !failed);
  }
}

export class SessionPool {
  private browser?: Promise<Browser>;
  private readonly contexts = new Map<string, ConnectionContext>();
  /** Every context with leases or in the map, retired ones included (closed at shutdown). */
  private readonly live = new Set<ConnectionContext>();
  /** Browsers of 'fresh' sessions, one each. */
  private readonly own = new Map<ConnectionContext, Promise<Browser>>();
  private readonly mode: SessionMode;

  constructor(private readonly options: SessionPoolOptions) {
    this.mode = options.mode ?? 'reuse';
  }

  private stateKey(connectionId: string) {
    return sessionStateKey(this.options.prefix, connectionId);
  }

  /** A page lease in the connection's context; give it back with release(). */
  async acquire(connectionId: string): Promise<Session> {
    const shared = (this.mode === 'reuse' ? this.contexts.get(connectionId) : undefined) ?? (await this.openContext(connectionId));
    shared.leases++;
    return new PageLease(shared);
  }

  private async openContext(connectionId: string): Promise<ConnectionContext> {
    const sealed = this.mode === 'reuse' ? await this.options.redis.get(this.stateKey(connectionId)) : null;
    let state: string | undefined;
    if (sealed) {
      try {
        state = this.options.box.decryptString(sealed, `session:${connectionId}`);
      } catch {
        await this.dropState(connectionId); // sealed with another key or moved: log in afresh
      }
    }
    // Another job of this connection may have opened one while we read the saved login.
    const raced = this.mode === 'reuse' ? this.contexts.get(connectionId) : undefined;
    if (raced) return raced;
    const shared = new ConnectionContext(connectionId, this.host, state, state !== undefined);
    if (this.mode === 'reuse') this.contexts.set(connectionId, shared);
    this.live.add(shared);
    return shared;
  }

  /** Ends a job's use of its page; the context is retired after an error or N jobs. */
  async release(session: Session, outcome: { failed: boolean }): Promise<void> {
    const lease = session as PageLease;
    const shared = lease.shared;
    shared.jobs++;
    shared.leases--;
    if (this.mode === 'fresh') {
      lease.end(true);
      await this.closeContext(shared);
      return;
    }
    if ((outcome.failed || shared.jobs >= (this.options.maxJobsPerContext ?? 50)) && !shared.retired) {
      shared.retired = true;
      if (this.contexts.get(shared.connectionId) === shared) this.contexts.delete(shared.connectionId);
    }
    lease.end(outcome.failed);
    if (shared.retired && shared.leases === 0) await this.closeContext(shared);
  }

  private async closeContext(shared: ConnectionContext): Promise<void> {
    this.live.delete(shared);
    await shared.close();
    const browser = this.own.get(shared);
    this.own.delete(shared);
    await browser?.then((b) => b.close()).catch(() => {});
  }

  private readonly host = {
    browserFor: (owner: ConnectionContext) => this.browserFor(owner),
    storeState: (connectionId: string, state: string) => this.storeState(connectionId, state),
    dropState: (connectionId: string) => this.dropState(connectionId),
    sessionChanged: (change: 'opened' | 'closed') => this.options.onSession?.(change),
  };

  private browserFor(owner: ConnectionContext): Promise<Browser> {
    const launch = this.options.launch ?? (() => launchChromium());
    if (this.mode === 'fresh') {
      const browser = this.own.get(owner) ?? launch();
      this.own.set(owner, browser);
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
    for (const shared of this.live) shared.dropContext(); // gone with the browser
    this.contexts.clear();
  }

  private async storeState(connectionId: string, state: string): Promise<void> {
    await this.options.redis.set(this.stateKey(connectionId), this.options.box.encrypt(state, `session:${connectionId}`));
  }

  private async dropState(connectionId: string): Promise<void> {
    await this.options.redis.del(this.stateKey(connectionId));
  }

  async close(): Promise<void> {
    const all = [...this.live];
    this.contexts.clear();
    await Promise.all(all.map((s) => this.closeContext(s)));
    const browser = this.browser;
    this.browser = undefined;
    await browser?.then((x) => x.close()).catch(() => {});
  }
}
