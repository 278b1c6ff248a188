/**
 * The app's Redis client from the configuration: one server (`redis://`, `rediss://` with TLS,
 * ACL users as `redis://user:pass@host`) or a Redis Cluster (`SCIMWRIGHT_REDIS_CLUSTER` seed
 * nodes, or a `redis-cluster://` / `rediss-cluster://` URL) through ioredis' Cluster client.
 * Every caller keeps the `Redis` type: the Cluster client speaks the same commands, and the key
 * layout (core/store/keys.ts) keeps each multi-key call inside one slot.
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';

interface ClusterNode {
  host: string;
  port: number;
}
import { ConfigError, type Config } from '../config.ts';
import { redactAuthArguments } from './redis-redact.ts';

export type RedisTarget = Pick<Config, 'redisUrl' | 'redisCluster' | 'redisCaFile' | 'redisTlsServername'>;

/** What `createRedisClient` will connect to, parsed once (no I/O but reading the CA file). */
export interface RedisPlan {
  cluster: boolean;
  nodes: ClusterNode[];
  options: RedisOptions;
}

const CLUSTER_SCHEMES = new Set(['redis-cluster:', 'rediss-cluster:']);
const TLS_SCHEMES = new Set(['rediss:', 'rediss-cluster:']);

export function redisPlan(target: RedisTarget, url = target.redisUrl): RedisPlan {
  if (!url && !target.redisCluster) throw new ConfigError('REDIS_URL or SCIMWRIGHT_REDIS_CLUSTER: one is required here');
  const parsed = url ? new URL(url) : undefined;
  const tlsWanted = parsed ? TLS_SCHEMES.has(parsed.protocol) : Boolean(target.redisCaFile);
  const options: RedisOptions = {
    ...(parsed?.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed?.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(parsed && /^\/\d+$/.test(parsed.pathname) ? { db: Number(parsed.pathname.slice(1)) } : {}),
    ...(tlsWanted ? { tls: tlsOptions(target) } : {}),
  };
  const cluster = Boolean(target.redisCluster) || (parsed !== undefined && CLUSTER_SCHEMES.has(parsed.protocol));
  const seeds = target.redisCluster ? target.redisCluster.split(',').map((s) => s.trim()).filter(Boolean) : [];
  // The seed list wins over the URL's host; the URL still gives the scheme and the ACL user.
  const nodes = seeds.length > 0 ? seeds.map(parseNode) : [{ host: parsed!.hostname.replace(/^\[|\]$/g, ''), port: Number(parsed!.port || 6379) }];
  if (cluster && options.db) throw new ConfigError('REDIS_URL: a Redis Cluster has only database 0');
  return { cluster, nodes, options };
}

/** `ca` from SCIMWRIGHT_REDIS_CA_FILE (PEM); without it Node's own CA list decides. */
function tlsOptions(target: RedisTarget): ConnectionOptions {
  const tls: ConnectionOptions = target.redisTlsServername ? { servername: target.redisTlsServername } : {};
  if (!target.redisCaFile) return tls;
  try {
    return { ...tls, ca: readFileSync(target.redisCaFile) };
  } catch (error) {
    throw new ConfigError(`SCIMWRIGHT_REDIS_CA_FILE=${target.redisCaFile}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`);
  }
}

function parseNode(text: string): ClusterNode {
  const match = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(text);
  if (!match) throw new ConfigError(`SCIMWRIGHT_REDIS_CLUSTER: "${text}" is not host:port`);
  return { host: match[1]!.replace(/^\[|\]$/g, ''), port: Number(match[2]) };
}

/**
 * A client for `target`. `extra` holds per-client ioredis options (e.g. maxRetriesPerRequest);
 * on a Cluster they apply to each node's connection.
 */
export function createRedisClient(target: RedisTarget, extra: RedisOptions = {}, url?: string): Redis {
  redactAuthArguments();
  const plan = redisPlan(target, url);
  if (!plan.cluster) return new Redis({ ...plan.options, ...plan.nodes[0], ...extra });
  return slotCluster(plan.nodes, clusterOptions({ ...plan.options, ...extra })) as unknown as Redis;
}

function clusterOptions(redisOptions: RedisOptions): ClusterOptions {
  const { tls, ...rest } = redisOptions;
  // Without this, a TLS node reached by the IP the cluster announces fails the certificate's host check.
  return { redisOptions: { ...rest, ...(tls ? { tls } : {}) }, ...(tls ? { dnsLookup: (address, done) => done(null, address) } : {}) };
}

/**
 * ioredis' Cluster, with `duplicate(redisOptions)` taking per-connection options the way the
 * one-server client does (worker.ts and compose.ts make BullMQ's connection so). BullMQ's own
 * `duplicate()` calls (no arguments, or startup nodes) behave as in ioredis.
 */
function slotCluster(seeds: ClusterNode[], options: ClusterOptions): Cluster {
  const cluster = new Cluster(seeds, options as never); // ioredis 6 types options per reply mapping; ours is the default
  const duplicate = (override: ClusterNode[] | RedisOptions = [], overrideOptions: ClusterOptions = {}): Cluster => {
    if (Array.isArray(override)) return slotCluster(override.length > 0 ? override : seeds, { ...options, ...overrideOptions });
    return slotCluster(seeds, { ...options, redisOptions: { ...options.redisOptions, ...override } });
  };
  return Object.assign(cluster, { duplicate });
}

/** Is this client a Cluster (for the few places that must know, e.g. SCAN and the migration)? */
export function isCluster(redis: Redis): boolean {
  return (redis as unknown) instanceof Cluster;
}
