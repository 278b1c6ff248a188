/**
 * One connection's logged-in BrowserContext in this worker process, shared by the jobs that hold
 * the connection's page slots at once (runner/connection-slots.ts): each job leases a page of its
 * own, the login (cookies) is the context's. Pages a job gave back whole are kept open for the next
 * job, so it can find the screen it needs already there. Logins are one at a time: jobs that find a
 * login under way wait for it instead of logging in again over it (which would end its session).
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';

export interface ContextHost {
  browserFor(owner: ConnectionContext): Promise<Browser>;
  storeState(connectionId: string, state: string): Promise<void>;
  dropState(connectionId: string): Promise<void>;
  sessionChanged(change: 'opened' | 'closed'): void;
}

export class ConnectionContext {
  context?: BrowserContext;
  private opening?: Promise<BrowserContext>;
  private readonly idle: Page[] = [];
  private loggingIn?: Promise<void>;
  /** Jobs that leased a page and have not given it back. */
  leases = 0;
  /** Jobs served; the context is replaced after `maxJobsPerContext` (sessions.ts). */
  jobs = 0;
  /** No new leases: closes when the last lease ends (after an error, or enough jobs). */
  retired = false;
  /** Counts successful logins, so a job can tell whether someone logged in since it looked. */
  loginEpoch = 0;

  constructor(
    readonly connectionId: string,
    private readonly host: ContextHost,
    private savedState: string | undefined,
    public loggedIn: boolean,
  ) {}

  /** A page for one job: one a previous job left open, or a new one in the shared context. */
  async takePage(): Promise<Page> {
    for (let page = this.idle.pop(); page; page = this.idle.pop()) if (!page.isClosed()) return page;
    const context = await this.ensureContext();
    return context.newPage();
  }

  givePage(page: Page, whole: boolean): void {
    if (page.isClosed()) return;
    if (whole && !this.retired) this.idle.push(page);
    else void page.close().catch(() => {});
  }

  private ensureContext(): Promise<BrowserContext> {
    if (this.context) return Promise.resolve(this.context);
    this.opening ??= (async () => {
      const browser = await this.host.browserFor(this);
      const context = await browser.newContext({
        reducedMotion: 'reduce',
        viewport: { width: 1280, height: 800 },
        ...(this.savedState ? { storageState: JSON.parse(this.savedState) } : {}),
      });
      this.savedState = undefined; // no need to keep the plaintext around
      this.context = context;
      this.host.sessionChanged('opened');
      return context;
    })().finally(() => (this.opening = undefined));
    return this.opening;
  }

  /**
   * Runs `login` unless another job logged in since `seenEpoch` or is logging in now (then waits
   * for that one). Returns the epoch the caller now works under.
   */
  async loginOnce(login: () => Promise<void>, seenEpoch: number): Promise<number> {
    while (this.loggingIn) await this.loggingIn;
    if (this.loginEpoch > seenEpoch && this.loggedIn) return this.loginEpoch;
    const running = login();
    // Waiters only need to know it ended; the caller alone gets its error.
    this.loggingIn = running.then(() => {}, () => {}).finally(() => (this.loggingIn = undefined));
    await running;
    return this.loginEpoch;
  }

  async saveLogin(): Promise<void> {
    this.loggedIn = true;
    this.loginEpoch++;
    if (!this.context) return; // logged in without a browser (API token): nothing to keep
    const state = JSON.stringify(await this.context.storageState());
    await this.host.storeState(this.connectionId, state);
  }

  async forgetLogin(): Promise<void> {
    this.loggedIn = false;
    this.savedState = undefined;
    await this.context?.clearCookies();
    await this.host.dropState(this.connectionId);
  }

  /** Lost with the browser: the next job opens a new context. */
  dropContext(): void {
    if (this.context) this.host.sessionChanged('closed');
    this.context = undefined;
    this.idle.length = 0;
  }

  async close(): Promise<void> {
    const context = this.context;
    this.dropContext();
    await context?.close().catch(() => {});
  }
}
