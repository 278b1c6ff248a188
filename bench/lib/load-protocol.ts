/** What the parent asks the load client child process to do, and what it answers. */

export type RequestPlan =
  /** GETs of these paths, cycled in order. */
  | { kind: 'get'; paths: string[] }
  /** POSTs of fresh bench users numbered from `firstIndex` (see users.ts). */
  | { kind: 'post'; path: string; userPrefix: string; firstIndex: number };

export interface LoadSpec {
  /** e.g. http://127.0.0.1:41234 */
  origin: string;
  headers: Record<string, string>;
  /** Requests in flight at once (one keep-alive socket each). */
  concurrency: number;
  /** Warm-up requests, sent first at the same concurrency and not measured. */
  warmup: number;
  /** Measured requests. */
  count: number;
  /** Status every response must have; anything else is counted in `errors`. */
  expectStatus: number;
  plan: RequestPlan;
}

export interface LoadResult {
  latenciesMs: number[];
  elapsedMs: number;
  errors: number;
  /** Status and body start of the first unexpected response, for the log. */
  firstError?: string;
  /** How many users a POST plan created (warm-up included), so the caller knows the next index. */
  posted: number;
}
