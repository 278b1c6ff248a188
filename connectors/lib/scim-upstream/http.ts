/**
 * One SCIM request with retries: 429 and 5xx back off (honouring Retry-After), 401 becomes
 * UpstreamUnauthorizedError, other 4xx UpstreamRefusedError. The token never reaches an error.
 */
import { TransientAppError } from '../../../core/errors.ts';
import { redact, UpstreamRefusedError, UpstreamUnauthorizedError } from './errors.ts';
import { backoffMs, parseRetryAfter, sleep as realSleep, type RetryOptions } from './retry.ts';
import { scimErrorSchema } from './schemas.ts';

export interface HttpOptions {
  baseUrl: string;
  token: () => Promise<string>;
  fetch?: typeof fetch;
  retry: RetryOptions;
  signal?: AbortSignal;
  /** Injected by tests to observe waits; defaults to a timer that honours `signal`. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
}

export interface RequestSpec {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | number>;
  body?: unknown;
  /**
   * false: a 5xx or network error is not retried, as the request may have been carried out
   * (a repeated POST /Groups makes a second team). 429 is always retried: nothing was done.
   */
  idempotent?: boolean;
}

export interface ScimResponse {
  status: number;
  body: unknown;
}

/** `notDone`: the server certainly did nothing (429), so even a POST may be repeated. */
type Outcome = { done: ScimResponse } | { retry: string; waitMs?: number; notDone?: boolean };

async function readBody(res: Response): Promise<unknown> {
  const text = await res.text();
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return text.slice(0, 200);
  }
}

function detailOf(body: unknown, status: number, token: string): { detail: string; scimType?: string } {
  const parsed = scimErrorSchema.safeParse(body);
  const detail = parsed.success && parsed.data.detail ? parsed.data.detail : typeof body === 'string' ? body : `HTTP ${status}`;
  return { detail: redact(detail, token), scimType: parsed.success ? parsed.data.scimType : undefined };
}

function buildUrl(baseUrl: string, spec: RequestSpec): string {
  const url = new URL(`${baseUrl.replace(/\/+$/, '')}${spec.path}`);
  for (const [key, value] of Object.entries(spec.query ?? {})) url.searchParams.set(key, String(value));
  return url.toString();
}

async function attempt(options: HttpOptions, spec: RequestSpec, token: string): Promise<Outcome> {
  const doFetch = options.fetch ?? fetch;
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/scim+json, application/json' };
  if (spec.body !== undefined) headers['content-type'] = 'application/scim+json';
  let res: Response;
  try {
    res = await doFetch(buildUrl(options.baseUrl, spec), {
      method: spec.method, headers, signal: options.signal,
      body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
    });
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    return { retry: `network error: ${redact(String((error as Error).message), token)}` };
  }
  const body = await readBody(res);
  if (res.ok) return { done: { status: res.status, body } };
  if (res.status === 401) throw new UpstreamUnauthorizedError();
  if (res.status === 429) return { retry: 'rate limited (429)', waitMs: parseRetryAfter(res.headers.get('retry-after')), notDone: true };
  if (res.status >= 500) return { retry: `server error (${res.status}): ${detailOf(body, res.status, token).detail}`, waitMs: parseRetryAfter(res.headers.get('retry-after')) };
  const { detail, scimType } = detailOf(body, res.status, token);
  throw new UpstreamRefusedError(res.status, scimType, detail);
}

/** Sends one SCIM request, retrying as RequestSpec and RetryOptions say. */
export async function scimRequest(options: HttpOptions, spec: RequestSpec): Promise<ScimResponse> {
  const wait = options.sleep ?? realSleep;
  const idempotent = spec.idempotent ?? spec.method !== 'POST';
  const tries = Math.max(1, options.retry.attempts);
  let last = '';
  for (let n = 1; n <= tries; n += 1) {
    const outcome = await attempt(options, spec, await options.token());
    if ('done' in outcome) return outcome.done;
    last = outcome.retry;
    if (!idempotent && !outcome.notDone) break;
    if (n === tries) break;
    const delay = outcome.waitMs ?? backoffMs(n, options.retry, options.random);
    if (delay > (options.retry.maxRetryAfterMs ?? 60_000)) {
      throw new TransientAppError(`${spec.method} ${spec.path}: ${last}; asked to wait ${Math.round(delay / 1000)} s`);
    }
    await wait(delay, options.signal);
  }
  throw new TransientAppError(`${spec.method} ${spec.path}: ${last}`);
}
