/**
 * Configuration from the environment (and an optional JSON file named by SCIMWRIGHT_CONFIG),
 * validated with zod. A bad value stops start-up with a message naming the setting.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const REDIS_SCHEMES = /^(redis|rediss|redis-cluster|rediss-cluster):\/\//;

export const configSchema = z.object({
  /** TCP port of the gateway. Default 8080. */
  port: int(0, 65535).default(8080),
  /** Interface to listen on. Default 127.0.0.1 (loopback only). */
  host: z.string().min(1).default('127.0.0.1'),
  /** Origin used in scimBaseUrl and meta.location, e.g. https://scim.example.com. Default http://host:port. */
  publicUrl: z.url().optional(),
  /** Bearer token of the admin API. Generated and printed once when unset. */
  adminToken: z.string().min(24, 'must be at least 24 characters').optional(),
  /** Bearer token /metrics asks for; unset, /metrics is open (Prometheus's usual set-up). */
  metricsToken: z.string().min(24, 'must be at least 24 characters').optional(),
  /** 32-byte key (base64 or hex) for secrets at rest. Required with an external REDIS_URL. */
  secretKey: z.string().optional(),
  dataDir: z.string().min(1).default('data'),
  recordingsDir: z.string().min(1).default('recordings'),
  /**
   * External Redis; when unset (and no SCIMWRIGHT_REDIS_CLUSTER) a private redis-server is started
   * under dataDir. `redis://[user:pass@]host:port[/db]`, `rediss://` for TLS, `redis-cluster://` or
   * `rediss-cluster://` for a Redis Cluster reached through that seed node.
   */
  redisUrl: z.url().refine((url) => REDIS_SCHEMES.test(url), 'use redis://, rediss://, redis-cluster:// or rediss-cluster://').optional(),
  /** Redis Cluster seed nodes `host:port,host:port`; REDIS_URL, if set too, gives the scheme (TLS) and the ACL user. */
  redisCluster: z.string().regex(/^\s*[^\s,]+:\d{1,5}(\s*,\s*[^\s,]+:\d{1,5})*\s*$/, 'use host:port separated by commas').optional(),
  /** PEM file of the CA(s) a `rediss://` server's certificate is checked against; unset, Node's CA list. */
  redisCaFile: z.string().min(1).optional(),
  /** Name the `rediss://` certificate must carry when it differs from the host connected to. */
  redisTlsServername: z.string().min(1).optional(),
  /** Prefix of every Redis key, so several deployments can share one Redis. Default "sw". */
  redisPrefix: z.string().regex(/^[a-z0-9-]+$/).default('sw'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Largest SCIM request body in bytes (413 above). Default 1 MiB. */
  bodyLimit: int(1024, 64 * 1024 * 1024).default(1024 * 1024),
  /** SCIM requests per connection per minute before 429. Default 3000 (Entra asks for 25/s). */
  rateLimitPerMinute: int(1, 1_000_000).default(3000),
  /** Largest `count` a SCIM list answers with. Default 500. */
  maxPageSize: int(1, 10_000).default(500),
  /** Browser jobs run at once by one worker process. Default 1 (browser work is CPU-bound). */
  workerConcurrency: int(1, 64).default(1),
  /** Port of a standalone worker's own /metrics server (on `host`); unset, it serves none. */
  workerMetricsPort: int(0, 65535).optional(),
  /** Start the converge worker inside `npm start`. Default true. */
  embeddedWorker: z.stringbool().default(true),
  /**
   * Reverse proxies whose X-Forwarded-Proto/-Host/-For are believed (the console's origin check,
   * the cookie's Secure flag, the client IP): `true` (any), a hop count, or addresses/CIDRs
   * separated by commas. Unset: none, the headers are ignored. Fastify `trustProxy`.
   */
  trustProxy: z.string().regex(/^(true|\d{1,2}|[0-9a-fA-F.:/]+(\s*,\s*[0-9a-fA-F.:/]+)*)$/, 'use true, a hop count, or addresses/CIDRs separated by commas').optional(),
  /** Longest a request may take to arrive in full (headers and body), in ms; 408 and closed after. Default 30 s. */
  requestTimeoutMs: int(1000, 600_000).default(30_000),
  /** On SIGTERM, how long a running browser job may finish before its browser is closed, in ms. Default 10 s. */
  shutdownGraceMs: int(0, 120_000).default(10_000),
});

/** The `trustProxy` setting in the form Fastify takes. */
export function trustProxyOption(config: Pick<Config, 'trustProxy'>): boolean | string[] | ((address: string, hop: number) => boolean) {
  const value = config.trustProxy;
  if (value === undefined) return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    return (_address, hop) => hop < hops;
  }
  return value.split(',').map((part) => part.trim());
}

export type Config = z.infer<typeof configSchema>;

/** Environment variable for each setting; the README lists the same names. */
export const ENV_NAMES: Record<keyof Config, string> = {
  port: 'PORT',
  host: 'HOST',
  publicUrl: 'SCIMWRIGHT_PUBLIC_URL',
  adminToken: 'SCIMWRIGHT_ADMIN_TOKEN',
  metricsToken: 'SCIMWRIGHT_METRICS_TOKEN',
  secretKey: 'SCIMWRIGHT_SECRET_KEY',
  dataDir: 'SCIMWRIGHT_DATA_DIR',
  recordingsDir: 'SCIMWRIGHT_RECORDINGS_DIR',
  redisUrl: 'REDIS_URL',
  redisCluster: 'SCIMWRIGHT_REDIS_CLUSTER',
  redisCaFile: 'SCIMWRIGHT_REDIS_CA_FILE',
  redisTlsServername: 'SCIMWRIGHT_REDIS_TLS_SERVERNAME',
  redisPrefix: 'SCIMWRIGHT_REDIS_PREFIX',
  logLevel: 'LOG_LEVEL',
  bodyLimit: 'SCIMWRIGHT_BODY_LIMIT',
  rateLimitPerMinute: 'SCIMWRIGHT_RATE_LIMIT_PER_MINUTE',
  maxPageSize: 'SCIMWRIGHT_MAX_PAGE_SIZE',
  workerConcurrency: 'SCIMWRIGHT_WORKER_CONCURRENCY',
  workerMetricsPort: 'SCIMWRIGHT_WORKER_METRICS_PORT',
  embeddedWorker: 'SCIMWRIGHT_EMBEDDED_WORKER',
  trustProxy: 'SCIMWRIGHT_TRUST_PROXY',
  requestTimeoutMs: 'SCIMWRIGHT_REQUEST_TIMEOUT_MS',
  shutdownGraceMs: 'SCIMWRIGHT_SHUTDOWN_GRACE_MS',
};

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Reads the file named by SCIMWRIGHT_CONFIG (keys as in configSchema), then the environment on top. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const fromFile = env.SCIMWRIGHT_CONFIG ? readConfigFile(env.SCIMWRIGHT_CONFIG) : {};
  const fromEnv: Record<string, string> = {};
  for (const [key, name] of Object.entries(ENV_NAMES)) {
    const value = env[name];
    if (value !== undefined && value !== '') fromEnv[key] = value;
  }
  const parsed = configSchema.safeParse({ ...fromFile, ...fromEnv, ...overrides });
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const key = String(issue.path[0] ?? '');
      const name = ENV_NAMES[key as keyof Config] ?? key;
      return `  ${name}: ${issue.message}`;
    });
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const config = parsed.data;
  return { ...config, dataDir: resolve(config.dataDir), recordingsDir: resolve(config.recordingsDir) };
}

function readConfigFile(path: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new Error('the file must hold a JSON object');
    }
    return value as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError(`SCIMWRIGHT_CONFIG=${path}: ${(error as Error).message}`);
  }
}

/** True when the deployment's Redis is someone else's (REDIS_URL or a cluster), not the embedded one. */
export function externalRedis(config: Pick<Config, 'redisUrl' | 'redisCluster'>): boolean {
  return Boolean(config.redisUrl || config.redisCluster);
}

/** The origin that scimBaseUrl and meta.location are built on. */
export function publicOrigin(config: Config): string {
  if (config.publicUrl) return config.publicUrl.replace(/\/+$/, '');
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${config.port}`;
}
