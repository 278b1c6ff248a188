/**
 * `npm start`: the gateway and (unless SCIMWRIGHT_EMBEDDED_WORKER=false) the converge worker in
 * one process, on embedded defaults — a private Redis under the data dir when REDIS_URL is unset.
 */
import { Redis } from 'ioredis';
import { ConfigError, loadConfig, type Config } from '../core/config.ts';
import { createLogger } from '../core/logger.ts';
import { startEmbeddedRedis, type RedisServer } from '../core/platform/embedded-redis.ts';
import { loadOrCreateKey } from '../core/platform/key-file.ts';
import { compose } from './compose.ts';

export interface Started {
  config: Config;
  origin: string;
  redisUrl: string;
  adminToken?: string;
  stop(): Promise<void>;
}

export async function start(overrides: Partial<Config> = {}): Promise<Started> {
  const config = loadConfig(process.env, overrides);
  const logger = createLogger({ level: config.logLevel });
  let embedded: RedisServer | undefined;
  if (!config.redisUrl) embedded = await startEmbeddedRedis(config.dataDir);
  const redisUrl = config.redisUrl ?? embedded!.url;
  const key = loadOrCreateKey(config.dataDir, config.secretKey, Boolean(config.redisUrl));
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 3 });

  const composed = await compose({ config, redis, key, logger, worker: config.embeddedWorker ? {} : false });
  const origin = await composed.listen(config.port, config.host);
  const adminToken = await composed.core.adminTokens.bootstrap();

  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= (async () => {
    await composed.close();
    redis.disconnect();
    await embedded?.stop();
  })());
  return { config, origin, redisUrl, ...(adminToken ? { adminToken } : {}), stop };
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
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () => void started.stop().then(() => process.exit(0)));
    }
  } catch (error) {
    process.stderr.write(`${error instanceof ConfigError ? error.message : (error as Error).stack}\n`);
    process.exit(1);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
