/**
 * Tokens of the admin API and console: the operator's SCIMWRIGHT_ADMIN_TOKEN, plus tokens made
 * by `scimwright tokens add` (admin or read-only reviewer), stored only as keyed hashes.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { constantTimeEqual, type SecretBox } from './crypto.ts';

export type AdminRole = 'admin' | 'reviewer';

export interface AdminTokenRecord {
  id: string;
  role: AdminRole;
  name: string;
  createdAt: string;
  /** After this the token is refused (and its console sessions end); none: it never expires. */
  expiresAt?: string;
}

/** A listed token: the record plus when it was last presented (admin API call or console sign-in/page). */
export interface AdminTokenView extends AdminTokenRecord {
  lastUsedAt?: string;
}

/** Last use is written at most once a minute per token and process: a busy script costs no write per call. */
const TOUCH_EVERY_MS = 60_000;

export function isExpired(record: Pick<AdminTokenRecord, 'expiresAt'>, now = Date.now()): boolean {
  return record.expiresAt !== undefined && Date.parse(record.expiresAt) <= now;
}

export class AdminTokens {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly box: SecretBox,
    /** SCIMWRIGHT_ADMIN_TOKEN, when the operator set one. */
    private readonly configured?: string,
  ) {}

  private readonly touched = new Map<string, number>();

  private get key() {
    return `${this.prefix}:admin-tokens`;
  }

  /** token id → ISO time of last use; apart from the records, so a use never rewrites a record. */
  private get usedKey() {
    return `${this.prefix}:admin-tokens:used`;
  }

  /** The role a presented token carries, or null. */
  async verify(token: string): Promise<AdminTokenRecord | null> {
    if (this.configured && constantTimeEqual(token, this.configured)) {
      return { id: 'env', role: 'admin', name: 'SCIMWRIGHT_ADMIN_TOKEN', createdAt: '' };
    }
    const raw = await this.redis.hget(this.key, this.box.hash(token));
    const record = raw ? (JSON.parse(raw) as AdminTokenRecord) : null;
    if (!record || isExpired(record)) return null;
    await this.touch(record.id);
    return record;
  }

  /** Records a use of the token now (throttled, see TOUCH_EVERY_MS). */
  async touch(id: string, now = Date.now()): Promise<void> {
    if (now - (this.touched.get(id) ?? 0) < TOUCH_EVERY_MS) return;
    this.touched.set(id, now);
    await this.redis.hset(this.usedKey, id, new Date(now).toISOString());
  }

  /** A token that is still valid: listed and not expired. Records a use (console pages). */
  async active(id: string): Promise<boolean> {
    const record = (await this.list()).find((t) => t.id === id);
    if (!record || isExpired(record)) return false;
    await this.touch(id);
    return true;
  }

  async add(role: AdminRole, name: string, options: { expiresAt?: string } = {}): Promise<{ token: string; record: AdminTokenRecord }> {
    const token = `${role === 'admin' ? 'swa' : 'swr'}_${randomBytes(32).toString('base64url')}`;
    const record: AdminTokenRecord = {
      id: `adm_${randomBytes(6).toString('hex')}`, role, name, createdAt: new Date().toISOString(),
      ...(options.expiresAt ? { expiresAt: options.expiresAt } : {}),
    };
    await this.redis.hset(this.key, this.box.hash(token), JSON.stringify(record));
    return { token, record };
  }

  async list(): Promise<AdminTokenView[]> {
    const [records, used] = await Promise.all([this.redis.hgetall(this.key), this.redis.hgetall(this.usedKey)]);
    return Object.values(records).map((raw) => {
      const record = JSON.parse(raw) as AdminTokenRecord;
      return { ...record, ...(used[record.id] ? { lastUsedAt: used[record.id] } : {}) };
    });
  }

  async revoke(id: string): Promise<boolean> {
    const all = await this.redis.hgetall(this.key);
    const hit = Object.entries(all).find(([, raw]) => (JSON.parse(raw) as AdminTokenRecord).id === id);
    if (!hit) return false;
    const removed = (await this.redis.hdel(this.key, hit[0])) === 1;
    await this.redis.hdel(this.usedKey, id);
    this.touched.delete(id);
    return removed;
  }

  /**
   * First start without SCIMWRIGHT_ADMIN_TOKEN: makes an admin token and returns it so the caller
   * can print it once. Later starts find one and return undefined.
   */
  async bootstrap(): Promise<string | undefined> {
    if (this.configured) return undefined;
    const claimed = await this.redis.set(`${this.prefix}:admin-bootstrapped`, new Date().toISOString(), 'NX');
    if (claimed !== 'OK') return undefined;
    return (await this.add('admin', 'generated at first start')).token;
  }
}
