/**
 * Long work on the one event loop, cut into slices: `pause()` lets other requests (and /healthz)
 * run once the current slice has used its budget. Issue 11's bar is 50 ms of blocking per
 * request; slices of 10 ms leave room for the parts that cannot be cut (one JSON.parse).
 */
import { performance } from 'node:perf_hooks';

export const SLICE_MS = 10;

/** Items per Redis pipeline (and per slice of CPU work) when a request touches many users. */
export const BATCH = 250;

export class TimeSlice {
  private started = performance.now();

  constructor(private readonly budgetMs = SLICE_MS) {}

  /** Yields to the event loop when this slice has run for its budget; cheap otherwise. */
  async pause(): Promise<void> {
    if (performance.now() - this.started < this.budgetMs) return;
    await yieldToLoop();
    this.started = performance.now();
  }
}

/** One turn of the event loop: timers, I/O and other requests run before this resumes. */
export function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** `items` in consecutive slices of `size`. */
export function* batches<T>(items: readonly T[], size = BATCH): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}
