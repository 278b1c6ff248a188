/**
 * Console sessions. The login form exchanges an admin or reviewer token for a random session id
 * in an HttpOnly, SameSite=Strict cookie; the token itself is never stored or sent back. Sessions
 * live in Redis under the hash of their id (a Redis dump gives no usable cookie), expire after
 * `IDLE_SECONDS` without use and `MAX_AGE_MS` in all, and end when their token is revoked.
 * Each session has a form token that every POST must echo (CSRF, on top of SameSite=Strict).
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { consoleSessionKeys } from '../../core/store/keys.ts';
import type { AdminRole, AdminTokenRecord } from '../../core/admin-tokens.ts';

export const SESSION_COOKIE = 'sw_console';
export const LOGIN_COOKIE = 'sw_console_login';
/** Idle lifetime of a session, refreshed on use. 2 hours. */
const IDLE_SECONDS = 2 * 60 * 60;
/** Absolute lifetime whatever the use. 12 hours. */
const MAX_AGE_MS = 12 * 60 * 60 * 1000;

export interface ConsoleSession {
  role: AdminRole;
  tokenId: string;
  name: string;
  /** The per-session form token (CSRF). */
  csrf: string;
  createdAt: string;
}

const sha = (value: string) => createHash('sha256').update(value).digest('hex');
const revealKey = (sessionId: string) => createHash('sha256').update(`reveal:${sessionId}`).digest();

export function sameSecret(a: string | undefined, b: string): boolean {
  if (typeof a !== 'string') return false;
  const x = Buffer.from(sha(a));
  const y = Buffer.from(sha(b));
  return timingSafeEqual(x, y);
}

export class ConsoleSessions {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    /** Still-valid token ids; a session of a revoked token ends. */
    private readonly tokenExists: (tokenId: string) => Promise<boolean>,
  ) {}

  private key(id: string) {
    return consoleSessionKeys(this.prefix, sha(id)).session;
  }

  async create(token: AdminTokenRecord): Promise<{ id: string; session: ConsoleSession }> {
    const id = randomBytes(32).toString('base64url');
    const session: ConsoleSession = { role: token.role, tokenId: token.id, name: token.name, csrf: randomBytes(24).toString('base64url'), createdAt: new Date().toISOString() };
    await this.redis.set(this.key(id), JSON.stringify(session), 'EX', IDLE_SECONDS);
    return { id, session };
  }

  async get(id: string | undefined): Promise<ConsoleSession | null> {
    if (!id || id.length > 100) return null;
    const raw = await this.redis.get(this.key(id));
    if (!raw) return null;
    const session = JSON.parse(raw) as ConsoleSession;
    if (Date.now() - Date.parse(session.createdAt) > MAX_AGE_MS || !(await this.tokenExists(session.tokenId))) {
      await this.redis.del(this.key(id));
      return null;
    }
    await this.redis.expire(this.key(id), IDLE_SECONDS);
    return session;
  }

  async destroy(id: string | undefined): Promise<void> {
    if (id) await this.redis.del(this.key(id), this.revealKey(id));
  }

  private revealKey(id: string) {
    return consoleSessionKeys(this.prefix, sha(id)).reveal;
  }

  /**
   * Keeps a secret for one GET after a POST (post/redirect/get): reloading the result page then
   * never repeats the action, and the secret is shown once. Kept 5 minutes at most, sealed with a
   * key derived from the session id, which Redis never holds (only its hash).
   */
  async stash(id: string, value: unknown): Promise<void> {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', revealKey(id), iv);
    const sealed = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    await this.redis.set(this.revealKey(id), Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64'), 'EX', 300);
  }

  async takeStash<T>(id: string): Promise<T | null> {
    const raw = await this.redis.getdel(this.revealKey(id));
    if (!raw) return null;
    const bytes = Buffer.from(raw, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', revealKey(id), bytes.subarray(0, 12));
    decipher.setAuthTag(bytes.subarray(12, 28));
    return JSON.parse(Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8')) as T;
  }
}

export function readCookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return decodeURIComponent(part.slice(at + 1).trim());
  }
  return undefined;
}

/**
 * `Secure` when the request came over HTTPS, directly or through a proxy trusted by
 * SCIMWRIGHT_TRUST_PROXY (request.protocol ignores X-Forwarded-Proto otherwise).
 * Without `maxAgeSeconds` the cookie ends with the browser; the server's expiry rules either way. */
export function setCookie(request: FastifyRequest, reply: FastifyReply, name: string, value: string, maxAgeSeconds?: number): void {
  const secure = request.protocol === 'https';
  const parts = [`${name}=${encodeURIComponent(value)}`, 'Path=/console', 'HttpOnly', 'SameSite=Strict'];
  if (maxAgeSeconds !== undefined) parts.push(`Max-Age=${maxAgeSeconds}`);
  if (secure) parts.push('Secure');
  // Fastify appends to set-cookie itself: passing the existing ones again would send them twice.
  reply.header('set-cookie', parts.join('; '));
}

declare module 'fastify' {
  interface FastifyRequest {
    consoleSession?: ConsoleSession;
    consoleSessionId?: string;
  }
}
