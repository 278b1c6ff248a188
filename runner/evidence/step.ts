/**
 * The step wrapper connectors receive as `ctx.step` (StepFn in core/connector.ts). Evidence is a
 * wrapper, not inline code: around each step it takes masked screenshots before and after, and on
 * failure a screenshot, the redacted HTML and the redacted error message, then rethrows the
 * ORIGINAL error. Like crawlee's error snapshotter, capturing never throws: a capture that fails
 * becomes a note in the manifest and a log line.
 *
 * Steps may nest (the manifest records each step's parent) and may run before any browser is open
 * (API-only steps get a manifest entry and no screenshots; the wrapper never opens a browser).
 * A screenshot is only taken if the page could be inspected for secrets first (fail closed).
 *
 * The same unchanged screen is not captured twice: when the page shows what the run's last
 * screenshot showed (screen-state.ts: same document, nothing changed since) and no new secret is
 * to be masked, the step names that file again, with a note saying so (README, "Screenshots taken
 * once"). Files are handed to the recorder without waiting for the disk; sealing waits for them.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Page } from 'playwright-core';
import type { ConnectorContext, StepFn, StepOptions } from '../../core/connector.ts';
import { stripAnsi } from '../error-words.ts';
import { maskedScreenshot } from './mask.ts';
import { screenState } from './screen-state.ts';
import type { StepEntry } from './manifest.ts';
import { makeRedactor, redactHtml } from './redact.ts';
import type { RunRecorder } from './store.ts';

export interface StepperOptions {
  recorder: RunRecorder;
  /** The run's page if a browser is open, else undefined. Must not open one. */
  page: () => Page | undefined | Promise<Page | undefined>;
  /** The secrets known now (credentials, tokens learnt during the run); read at every capture. */
  secrets: () => readonly string[];
  log: ConnectorContext['log'];
  /** Limit for each capture (screenshot, HTML). Default 10 000 ms. */
  captureTimeoutMs?: number;
  /** Clock, for tests. Default `() => new Date()`. */
  now?: () => Date;
}

interface Scope {
  index: number;
  /** Secrets from this step's options and its parents'. */
  secrets: readonly string[];
}

/** What an operation guard needs of the steps that ended: the last top-level one, and any failure. */
interface Journal {
  ended: Array<{ capture: StepCapture; failed: boolean }>;
}

/** The run's last screenshot: its file, the screen state it showed, and the secrets it masked. */
interface LastShot {
  file: string;
  state: string;
  secrets: ReadonlySet<string>;
}

/** Each stepper's journal, for guardOperation (StepFn itself is the connectors' contract). */
const journals = new WeakMap<StepFn, Journal>();

export function createStepper(options: StepperOptions): StepFn {
  const scopes = new AsyncLocalStorage<Scope>();
  const journal: Journal = { ended: [] };
  const shots: { last?: LastShot } = {};
  let counter = 0;
  const step: StepFn = async <T>(name: string, fn: () => Promise<T>, stepOptions: StepOptions = {}): Promise<T> => {
    const parent = scopes.getStore();
    const scope: Scope = { index: ++counter, secrets: [...(parent?.secrets ?? []), ...(stepOptions.secrets ?? [])] };
    const capture = new StepCapture(options, scope, name, parent?.index ?? null, shots);
    await capture.capture('before');
    let result: T;
    try {
      result = await scopes.run(scope, fn);
    } catch (error) {
      await capture.failed(error);
      journal.ended.push({ capture, failed: true });
      throw error;
    }
    await capture.capture('after');
    capture.record('succeeded', null);
    journal.ended.push({ capture, failed: false });
    return result;
  };
  journals.set(step, journal);
  return step;
}

/**
 * Runs one connector operation so that, if it fails, the manifest shows a failed step. A connector
 * may return from its step and throw after it (UXPin's "log in" step returns `refused` and the
 * refusal is thrown outside): then the last step the operation ran is recorded failed after all,
 * with a screenshot and HTML of the page as it is now (the refusal message). An operation that
 * failed before any step gets a failed step of its own, named after it.
 */
export async function guardOperation<T>(step: StepFn, name: string, fn: () => Promise<T>): Promise<T> {
  const journal = journals.get(step);
  const start = journal?.ended.length ?? 0;
  try {
    return await fn();
  } catch (error) {
    if (!journal) throw error;
    const ended = journal.ended.slice(start);
    if (!ended.some((e) => e.failed)) {
      const last = ended.filter((e) => ended.every((other) => other.capture.index !== e.capture.parentIndex)).at(-1);
      if (last) await last.capture.failedAfter(error);
      else await step(name, () => Promise.reject(error)).catch(() => undefined);
    }
    throw error;
  }
}

/** Evidence of one step; every method swallows its own failures into `notes`. */
class StepCapture {
  private readonly startedAt: string;
  private readonly files: string[] = [];
  private readonly notes: string[] = [];
  private url: string | null = null;
  private readonly now: () => Date;

  constructor(
    private readonly options: StepperOptions,
    private readonly scope: Scope,
    private readonly name: string,
    private readonly parent: number | null,
    private readonly shots: { last?: LastShot },
  ) {
    this.now = options.now ?? (() => new Date());
    this.startedAt = this.now().toISOString();
  }

  async capture(phase: 'before' | 'after' | 'failed'): Promise<Page | undefined> {
    const page = await this.guard(`${phase} page`, async () => this.options.page());
    if (!page || page.isClosed()) return undefined;
    this.url = this.redact()(page.url());
    // A failure is always captured as the page is: it is the evidence a reviewer looks at first.
    const same = phase === 'failed' ? undefined : await this.unchangedShot(page);
    if (same) {
      this.files.push(same);
      this.notes.push(`${phase} screenshot: the screen is unchanged since ${same}, not captured again`);
      return page;
    }
    const secrets = this.secrets();
    const png = await this.guard(`${phase} screenshot`, () =>
      maskedScreenshot(page, secrets, this.options.captureTimeoutMs ?? 10_000));
    const file = png && this.write(`${phase}.png`, png);
    if (!file) return page;
    const state = await screenState(page).catch(() => undefined);
    this.shots.last = state === undefined ? undefined : { file, state, secrets: new Set(secrets) };
    return page;
  }

  /** The last screenshot's file when the page still shows that screen and it masked every secret known now. */
  private async unchangedShot(page: Page): Promise<string | undefined> {
    const last = this.shots.last;
    if (!last || !this.secrets().every((s) => last.secrets.has(s))) return undefined;
    const state = await screenState(page).catch(() => undefined);
    return state === last.state ? last.file : undefined;
  }

  async failed(error: unknown): Promise<void> {
    try {
      const page = await this.capture('failed');
      if (page) {
        const html = await this.guard('failure HTML', () => withTimeout(page.content(), this.options.captureTimeoutMs ?? 10_000));
        if (html !== undefined) this.write('failed.html', redactHtml(html, this.secrets()));
      }
      this.record('failed', describe(error));
    } catch (unexpected) {
      // Nothing here may replace the step's own error.
      this.options.log('evidence: failure capture broke', { step: this.scope.index, error: String(unexpected) });
    }
  }

  get index(): number {
    return this.scope.index;
  }

  get parentIndex(): number | null {
    return this.parent;
  }

  /** The step returned but its operation then failed because of what it found: recorded again, failed. */
  async failedAfter(error: unknown): Promise<void> {
    this.notes.push('the step returned, then its operation failed on what it found');
    await this.failed(error);
  }

  record(outcome: StepEntry['outcome'], error: string | null): void {
    const redact = this.redact();
    const entry: StepEntry = {
      index: this.scope.index,
      parent: this.parent,
      name: redact(this.name),
      url: this.url,
      startedAt: this.startedAt,
      endedAt: this.now().toISOString(),
      outcome,
      error: error === null ? null : redact(error),
      files: [...this.files],
      notes: this.notes.map(redact),
    };
    try {
      this.options.recorder.recordStep(entry);
    } catch (failure) {
      this.options.log('evidence: step not recorded', { step: entry.index, name: entry.name, error: redact(String(failure)) });
    }
  }

  /** Hands the file to the recorder (written before the seal); its name, or undefined when refused. */
  private write(suffix: string, bytes: Uint8Array | string): string | undefined {
    const label = `${this.redact()(this.name)}-${suffix}`;
    try {
      const name = this.options.recorder.queueFile(label, bytes);
      this.files.push(name);
      return name;
    } catch (error) {
      this.note(`write ${suffix}`, error);
      return undefined;
    }
  }

  /** Runs one capture; a failure becomes a note and a log line, and undefined is returned. */
  private async guard<T>(what: string, fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (error) {
      this.note(what, error);
      return undefined;
    }
  }

  private note(what: string, error: unknown): void {
    const note = `${what} not captured: ${this.redact()(describe(error)).split('\n')[0]}`;
    this.notes.push(note);
    this.options.log('evidence: capture failed', { step: this.scope.index, note });
  }

  private secrets(): string[] {
    return [...this.options.secrets(), ...this.scope.secrets];
  }

  private redact(): (text: string) => string {
    return makeRedactor(this.secrets());
  }
}

/** The technical message (the manifest is for reviewers who may want the call log), ANSI stripped. */
function describe(error: unknown): string {
  return stripAnsi(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
