/**
 * How the gateway asks for a user to be converged. BullMQ sits behind this interface (runner/);
 * api/ and core/ only see it, so the SCIM answer never waits for a browser.
 */
export interface ConvergeRequest {
  connectionId: string;
  userId: string;
}

export interface ConvergeQueue {
  /** Idempotent: requests for a user already waiting coalesce into one job. */
  enqueue(requests: ConvergeRequest[]): Promise<void>;
  /** Connection-level task of a connector, e.g. Spekit's `setup` or `rotate`. */
  enqueueTask?(connectionId: string, task: string): Promise<void>;
  /** A read-only canary check of the connection, recorded as run `runId` (one try, no retries). */
  enqueueCheck?(connectionId: string, runId: string): Promise<void>;
}

/** Remembers requests in memory; for tests of the gateway that do not run a worker. */
export class MemoryConvergeQueue implements ConvergeQueue {
  readonly requests: ConvergeRequest[] = [];
  async enqueue(requests: ConvergeRequest[]): Promise<void> {
    this.requests.push(...requests);
  }
}
