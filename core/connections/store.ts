/**
 * Connections in Redis. The SCIM token is stored only as a keyed hash; a token index maps that
 * hash to its connection so authentication is one lookup plus a constant-time comparison.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { constantTimeEqual, generateScimToken, type SecretBox } from '../crypto.ts';
import { scanKeys } from '../platform/redis-scan.ts';
import { connectionKeys, connectionStoreKeys, runKeys, sessionStateKey, vaultKey } from '../store/keys.ts';
import type { ConnectionSettings, Credentials, StoredConnection } from './schema.ts';

// KEYS: connection, token record, token index entry, connection set. The token record lives apart
// from the connection's JSON so that rotation and settings changes never race each other.
const CREATE_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], ARGV[2])
redis.call('SET', KEYS[3], ARGV[3])
redis.call('SADD', KEYS[4], ARGV[3])
return 1`;

// KEYS: connection, token record. ARGV: token index prefix, new record, new hash, id.
const ROTATE_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local old = redis.call('GET', KEYS[2])
if old then redis.call('DEL', ARGV[1] .. cjson.decode(old).hash) end
redis.call('SET', KEYS[2], ARGV[2])
redis.call('SET', ARGV[1] .. ARGV[3], ARGV[4])
return 1`;

export class ConnectionExistsError extends Error {}

export class ConnectionStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly box: SecretBox,
  ) {}

  private key(id: string) {
    return connectionStoreKeys(this.prefix).connection(id);
  }
  private tokenRecordKey(id: string) {
    return connectionStoreKeys(this.prefix).tokenRecord(id);
  }
  private tokenKey(hash: string) {
    return connectionStoreKeys(this.prefix).token(hash);
  }
  private get setKey() {
    return connectionStoreKeys(this.prefix).all;
  }

  /** Creates the connection and returns its SCIM token: the only time the token exists in clear. */
  async create(input: { id: string; connector: string; baseUrl: string; credentials: Credentials; settings: ConnectionSettings }) {
    const token = generateScimToken();
    const now = new Date().toISOString();
    const connection: StoredConnection = {
      id: input.id,
      connector: input.connector,
      baseUrl: input.baseUrl,
      settings: input.settings,
      sealedCredentials: this.sealCredentials(input.id, input.credentials),
      token: { hash: this.box.hash(token), id: tokenId(), createdAt: now },
      createdAt: now,
      updatedAt: now,
    };
    const { token: record, ...rest } = connection;
    const created = await this.redis.eval(
      CREATE_SCRIPT, 4, this.key(input.id), this.tokenRecordKey(input.id), this.tokenKey(record.hash), this.setKey,
      JSON.stringify(rest), JSON.stringify(record), input.id,
    );
    if (created !== 1) throw new ConnectionExistsError(`connection "${input.id}" already exists`);
    return { connection, token };
  }

  async get(id: string): Promise<StoredConnection | null> {
    const [raw, token] = await this.redis.mget(this.key(id), this.tokenRecordKey(id));
    return raw && token ? { ...(JSON.parse(raw) as Omit<StoredConnection, 'token'>), token: JSON.parse(token) } : null;
  }

  async list(): Promise<StoredConnection[]> {
    const ids = (await this.redis.smembers(this.setKey)).sort();
    const all = await Promise.all(ids.map((id) => this.get(id)));
    return all.filter((row): row is StoredConnection => row !== null);
  }

  /** Finds the connection a SCIM token belongs to, or null. */
  async authenticate(token: string): Promise<StoredConnection | null> {
    const hash = this.box.hash(token);
    const id = await this.redis.get(this.tokenKey(hash));
    if (!id) return null;
    const connection = await this.get(id);
    return connection && constantTimeEqual(connection.token.hash, hash) ? connection : null;
  }

  /** Replaces the SCIM token; the old one is refused from this moment on. */
  async rotateToken(id: string): Promise<{ connection: StoredConnection; token: string } | null> {
    const token = generateScimToken();
    const record = { hash: this.box.hash(token), id: tokenId(), createdAt: new Date().toISOString() };
    const done = await this.redis.eval(
      ROTATE_SCRIPT, 2, this.key(id), this.tokenRecordKey(id), this.tokenKey(''), JSON.stringify(record), record.hash, id,
    );
    const connection = done === 1 ? await this.get(id) : null;
    return connection ? { connection, token } : null;
  }

  /** Saves changed fields of a connection (not its token). */
  async update(id: string, change: (current: StoredConnection) => StoredConnection): Promise<StoredConnection | null> {
    for (let attempt = 0; attempt < 10; attempt++) {
      await this.redis.watch(this.key(id));
      const current = await this.get(id);
      if (!current) {
        await this.redis.unwatch();
        return null;
      }
      const next = { ...change(current), id, token: current.token, updatedAt: new Date().toISOString() };
      const { token: _token, ...rest } = next;
      const tx = this.redis.multi().set(this.key(id), JSON.stringify(rest));
      // A saved browser login belongs to the old account or app: never reuse it after a change.
      if (next.baseUrl !== current.baseUrl || next.sealedCredentials !== current.sealedCredentials) {
        tx.del(sessionStateKey(this.prefix, id));
      }
      const result = await tx.exec();
      if (result) return next;
    }
    throw new Error(`update of connection "${id}" kept racing with other changes`);
  }

  /** Deletes the connection, its token, its desired state, runs, vault and saved login. */
  async delete(id: string): Promise<boolean> {
    const current = await this.get(id);
    if (!current) return false;
    const runs = runKeys(this.prefix);
    const runIds = await this.redis.zrange(runs.index(id), '0', '-1');
    for (let i = 0; i < runIds.length; i += 500) {
      await this.redis.unlink(...runIds.slice(i, i + 500).map((runId) => runs.run(runId)));
    }
    // The vault lives in a slot of its own on a Cluster; the page slots go with the connection's keys below.
    await this.redis.unlink(vaultKey(this.prefix, id));
    await this.redis.multi()
      .del(this.key(id), this.tokenRecordKey(id), this.tokenKey(current.token.hash), sessionStateKey(this.prefix, id))
      .srem(this.setKey, id)
      .exec();
    for await (const keys of scanKeys(this.redis, `${connectionKeys(this.prefix, id).base}:*`)) await this.redis.unlink(...keys);
    await this.redis.unlink(runs.index(id));
    for await (const keys of scanKeys(this.redis, `${runs.index(id)}:u:*`)) await this.redis.unlink(...keys);
    return true;
  }

  sealCredentials(id: string, credentials: Credentials): string {
    return this.box.encrypt(JSON.stringify(credentials), `credentials:${id}`);
  }

  openCredentials(connection: StoredConnection): Credentials {
    return JSON.parse(this.box.decryptString(connection.sealedCredentials, `credentials:${connection.id}`)) as Credentials;
  }
}

/** A short public id for a token, recorded in evidence as "which token asked". */
function tokenId(): string {
  return `tok_${randomBytes(6).toString('hex')}`;
}
