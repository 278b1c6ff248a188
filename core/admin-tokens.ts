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
}

export class AdminTokens {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly box: SecretBox,
    /** SCIMWRIGHT_ADMIN_TOKEN, when the operator set one. */
    private readonly configured?: string,
  ) {}

  private get key() {
    return `${this.prefix}:admin-tokens`;
  }

  /** The role a presented token carries, or null. */
  async verify(token: string): Promise<AdminTokenRecord | null> {
    if (this.configured && constantTimeEqual(token, this.configured)) {
      return { id: 'env', role: 'admin', name: 'SCIMWRIGHT_ADMIN_TOKEN', createdAt: '' };
    }
    const raw = await this.redis.hget(this.key, this.box.hash(token));
    return raw ? (JSON.parse(raw) as AdminTokenRecord) : null;
  }

  async add(role: AdminRole, name: string): Promise<{ token: string; record: AdminTokenRecord }> {
    const token = `${role === 'admin' ? 'swa' : 'swr'}_${randomBytes(32).toString('base64url')}`;
    const record: AdminTokenRecord = { id: `adm_${randomBytes(6).toString('hex')}`, role, name, createdAt: new Date().toISOString() };
    await this.redis.hset(this.key, this.box.hash(token), JSON.stringify(record));
    return { token, record };
  }

  async list(): Promise<AdminTokenRecord[]> {
    return Object.values(await this.redis.hgetall(this.key)).map((raw) => JSON.parse(raw) as AdminTokenRecord);
  }

  async revoke(id: string): Promise<boolean> {
    const all = await this.redis.hgetall(this.key);
    const hit = Object.entries(all).find(([, raw]) => (JSON.parse(raw) as AdminTokenRecord).id === id);
    return hit ? (await this.redis.hdel(this.key, hit[0])) === 1 : false;
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
