/**
 * pino with secrets removed twice: by path (cheap, pino's own redaction) and by a deep scrub of key
 * names and token-shaped strings, because secrets also hide in nested objects and error messages.
 */
import { pino, type DestinationStream, type Logger } from 'pino';

const SECRET_KEY = /pass(word)?|secret|token|authorization|cookie|totp|credential|api[-_]?key|storage-?state/i;
const TOKEN_SHAPED = /\b(scim_[A-Za-z0-9_-]{8,}|Bearer\s+[A-Za-z0-9._~+/=-]{8,})/g;
const REDACTED = '[redacted]';

const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  '*.password',
  '*.token',
  '*.totpSecret',
  '*.credentials',
];

/** CSI and OSC escape sequences (colours, cursor moves, links): Playwright colours its call logs. */
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]|\u009b[0-?]*[ -/]*[@-~]/g;

/** `text` without ANSI escape sequences (a log line or a record must not carry terminal colours). */
export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/** Removes secret-named keys, token-shaped substrings and ANSI codes, at any depth. Pure, for tests too. */
export function scrub(value: unknown, depth = 0): unknown {
  if (depth > 8) return value;
  if (typeof value === 'string') return stripAnsi(value).replace(TOKEN_SHAPED, REDACTED);
  if (Array.isArray(value)) return value.map((item) => scrub(item, depth + 1));
  if (value instanceof Error) {
    return { type: value.name, message: scrub(value.message, depth + 1), stack: scrub(value.stack, depth + 1) };
  }
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      out[key] = SECRET_KEY.test(key) && item !== null && typeof item !== 'boolean' && typeof item !== 'number'
        ? REDACTED
        : scrub(item, depth + 1);
    }
    return out;
  }
  return value;
}

interface HttpRequestLike { raw: unknown; method: string; id?: string; routeOptions?: { url?: string } }
interface HttpReplyLike { raw: unknown; statusCode: number }
const isHttp = (value: unknown): boolean => Boolean(value && typeof value === 'object' && 'raw' in value);

/**
 * Fastify's request and reply as a log line wants them: method, route pattern, status. Never the raw
 * URL (it holds user ids and query strings that may carry secrets) nor headers. Done here, before
 * the scrub, because pino runs formatters.log before its serializers and the scrub would flatten
 * the request's getters into `{}`.
 */
export function serializeHttp(object: Record<string, unknown>): Record<string, unknown> {
  const out = { ...object };
  if (isHttp(out.req)) {
    const req = out.req as HttpRequestLike;
    out.req = { id: req.id, method: req.method, route: req.routeOptions?.url ?? null };
  }
  if (isHttp(out.res)) out.res = { statusCode: (out.res as HttpReplyLike).statusCode };
  return out;
}

export function createLogger(options: { level?: string; name?: string } = {}, destination?: DestinationStream): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      name: options.name ?? 'scimwright',
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      formatters: { log: (object) => scrub(serializeHttp(object)) as Record<string, unknown> },
      hooks: {
        // Messages are strings outside the merged object: scrub them too.
        logMethod(args, method) {
          const scrubbed = args.map((arg) => (typeof arg === 'string' ? (scrub(arg) as string) : arg));
          method.apply(this, scrubbed as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}

export type { Logger };
