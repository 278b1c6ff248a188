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
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Page } from 'playwright-core';
import type { ConnectorContext, StepFn, StepOptions } from '../../core/connector.ts';
import { maskedScreenshot } from './mask.ts';
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

export function createStepper(options: StepperOptions): StepFn {
  const scopes = new AsyncLocalStorage<Scope>();
  let counter = 0;
  return async <T>(name: string, fn: () => Promise<T>, stepOptions: StepOptions = {}): Promise<T> => {
    const parent = scopes.getStore();
    const scope: Scope = { index: ++counter, secrets: [...(parent?.secrets ?? []), ...(stepOptions.secrets ?? [])] };
    const step = new StepCapture(options, scope, name, parent?.index ?? null);
    await step.capture('before');
    let result: T;
    try {
      result = await scopes.run(scope, fn);
    } catch (error) {
      await step.failed(error);
      throw error;
    }
    await step.capture('after');
    step.record('succeeded', null);
    return result;
  };
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
  ) {
    this.now = options.now ?? (() => new Date());
    this.startedAt = this.now().toISOString();
  }

  async capture(phase: 'before' | 'after' | 'failed'): Promise<Page | undefined> {
    const page = await this.guard(`${phase} page`, async () => this.options.page());
    if (!page || page.isClosed()) return undefined;
    this.url = this.redact()(page.url());
    const png = await this.guard(`${phase} screenshot`, () =>
      maskedScreenshot(page, this.secrets(), this.options.captureTimeoutMs ?? 10_000));
    if (png) await this.write(`${phase}.png`, png);
    return page;
  }

  async failed(error: unknown): Promise<void> {
    try {
      const page = await this.capture('failed');
      if (page) {
        const html = await this.guard('failure HTML', () => withTimeout(page.content(), this.options.captureTimeoutMs ?? 10_000));
        if (html !== undefined) await this.write('failed.html', redactHtml(html, this.secrets()));
      }
      this.record('failed', describe(error));
    } catch (unexpected) {
      // Nothing here may replace the step's own error.
      this.options.log('evidence: failure capture broke', { step: this.scope.index, error: String(unexpected) });
    }
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

  private async write(suffix: string, bytes: Uint8Array | string): Promise<void> {
    const label = `${this.redact()(this.name)}-${suffix}`;
    const name = await this.guard(`write ${suffix}`, () => this.options.recorder.writeFile(label, bytes));
    if (name) this.files.push(name);
  }

  /** Runs one capture; a failure becomes a note and a log line, and undefined is returned. */
  private async guard<T>(what: string, fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (error) {
      const note = `${what} not captured: ${this.redact()(describe(error)).split('\n')[0]}`;
      this.notes.push(note);
      this.options.log('evidence: capture failed', { step: this.scope.index, note });
      return undefined;
    }
  }

  private secrets(): string[] {
    return [...this.options.secrets(), ...this.scope.secrets];
  }

  private redact(): (text: string) => string {
    return makeRedactor(this.secrets());
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
