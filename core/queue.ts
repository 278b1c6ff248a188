/**
 * How the gateway asks for a user to be converged. BullMQ sits behind this interface (runner/);
 * api/ and core/ only see it, so the SCIM answer never waits for a browser.
 */
export interface ConvergeRequest {
  connectionId: string;
  userId: string;
}

/** A user's converge job as the queue holds it now. */
export interface NextTry {
  /** When a retry after a failed attempt is due; absent while the job waits for a worker or runs. */
  at?: string;
  running: boolean;
  /** Tries made so far, and the most it gets before it fails for good. */
  attemptsMade: number;
  attempts: number;
}

export interface ConvergeQueue {
  /** Idempotent: requests for a user already waiting coalesce into one job. */
  enqueue(requests: ConvergeRequest[]): Promise<void>;
  /** Connection-level task of a connector, e.g. Spekit's `setup` or `rotate`. */
  enqueueTask?(connectionId: string, task: string): Promise<void>;
  /** A read-only canary check of the connection, recorded as run `runId` (one try, no retries). */
  enqueueCheck?(connectionId: string, runId: string): Promise<void>;
  /** A drift scan of the connection, recorded as run `runId` (docs/drift.md). */
  enqueueDriftScan?(connectionId: string, runId: string): Promise<void>;
  /** The waiting converge jobs of these users of one connection, by user id (users without one are left out). */
  nextTries?(connectionId: string, userIds: string[]): Promise<Map<string, NextTry>>;
}

/** Remembers requests in memory; for tests of the gateway that do not run a worker. */
export class MemoryConvergeQueue implements ConvergeQueue {
  readonly requests: ConvergeRequest[] = [];
  async enqueue(requests: ConvergeRequest[]): Promise<void> {
    this.requests.push(...requests);
  }
}
