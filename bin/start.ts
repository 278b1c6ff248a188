/**
 * `npm start`: the gateway and (unless SCIMWRIGHT_EMBEDDED_WORKER=false) the converge worker in
 * one process, on embedded defaults — a private Redis under the data dir when REDIS_URL is unset.
 */
import type { DestinationStream } from 'pino';
import { ConfigError, externalRedis, loadConfig, type Config } from '../core/config.ts';
import { createLogger } from '../core/logger.ts';
import { startEmbeddedRedis, type RedisServer } from '../core/platform/embedded-redis.ts';
import { DataDirLockedError, lockDataDir } from '../core/platform/data-dir-lock.ts';
import { loadOrCreateKey } from '../core/platform/key-file.ts';
import { createRedisClient } from '../core/platform/redis-client.ts';
import { upgradeKeyLayout } from './key-layout.ts';
import { compose } from './compose.ts';
import { onSignals } from './shutdown.ts';

export interface Started {
  config: Config;
  origin: string;
  redisUrl: string;
  adminToken?: string;
  stop(): Promise<void>;
}

/** `logTo`: where the JSON logs go (stdout when absent); the demo sends them to a file in the data dir. */
export async function start(overrides: Partial<Config> = {}, logTo?: (config: Config) => DestinationStream): Promise<Started> {
  const config = loadConfig(process.env, overrides);
  // The lock comes first and Redis after it: a refused second start has spawned nothing.
  const lock = externalRedis(config) ? undefined : lockDataDir(config.dataDir);
  const cleanup: Array<() => Promise<void> | void> = [() => lock?.release()];
  const undo = async () => {
    for (const step of cleanup.reverse()) await step();
  };
  try {
    const logger = createLogger({ level: config.logLevel }, logTo?.(config));
    let embedded: RedisServer | undefined;
    if (!externalRedis(config)) {
      embedded = await startEmbeddedRedis(config.dataDir);
      cleanup.push(() => embedded!.stop());
    }
    const redisUrl = config.redisUrl ?? embedded?.url ?? `redis-cluster://${config.redisCluster!.split(',')[0]!.trim()}`;
    const key = loadOrCreateKey(config.dataDir, config.secretKey, externalRedis(config));
    const redis = createRedisClient(config, { maxRetriesPerRequest: 3 }, embedded?.url);
    cleanup.push(() => redis.disconnect());
    await upgradeKeyLayout(redis, config.redisPrefix, logger);
    const composed = await compose({ config, redis, key, logger, worker: config.embeddedWorker ? {} : false });
    cleanup.push(() => composed.close());
    const origin = await listen(composed, config);
    const adminToken = await composed.core.adminTokens.bootstrap();
    let stopping: Promise<void> | undefined;
    // Reverse order of start: gateway and worker (compose.close), the client, Redis, the lock.
    const stop = () => (stopping ??= undo());
    return { config, origin, redisUrl, ...(adminToken ? { adminToken } : {}), stop };
  } catch (error) {
    await undo();
    throw error;
  }
}

/** A taken port is a one-line StartError, not a stack trace. */
async function listen(composed: Awaited<ReturnType<typeof compose>>, config: Config): Promise<string> {
  try {
    return await composed.listen(config.port, config.host);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new StartError(`Port ${config.port} on ${config.host} is already in use; stop what holds it or set PORT to another port.`);
    if (code === 'EADDRNOTAVAIL' || code === 'EACCES') throw new StartError(`Cannot listen on ${config.host}:${config.port} (${code}); check HOST and PORT.`);
    throw error;
  }
}

/** A start-up failure the operator can act on from one line. */
export class StartError extends Error {
  override readonly name = 'StartError';
}

async function main() {
  try {
    const started = await start();
    const lines = [
      `scimwright is listening on ${started.origin}`,
      `  console: ${started.origin}/console   admin API: ${started.origin}/admin/v1   health: ${started.origin}/healthz`,
    ];
    if (started.adminToken) {
      lines.push('', '  Admin token (shown once, stored only as a hash; keep it now):', `    ${started.adminToken}`);
    } else if (!started.config.adminToken) {
      lines.push('  Admin token: printed at first start. Set SCIMWRIGHT_ADMIN_TOKEN to use your own.');
    }
    // The token goes to the terminal, never through the logger.
    process.stdout.write(`${lines.join('\n')}\n`);
    onSignals(started);
  } catch (error) {
    const oneLine = error instanceof ConfigError || error instanceof StartError || error instanceof DataDirLockedError;
    process.stderr.write(`${oneLine ? error.message : (error as Error).stack}\n`);
    process.exit(1);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
