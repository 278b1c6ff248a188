/**
 * `npm run worker`: a converge worker on its own, for scale-out. Several of these share one Redis
 * (REDIS_URL) with the gateway; a per-connection lock keeps them from driving the same app session
 * at once. SIGTERM/SIGINT stop taking jobs, let running ones finish, and close the browser.
 */
import { Redis } from 'ioredis';
import { connectors } from '../connectors/registry.ts';
import { ConfigError, loadConfig } from '../core/config.ts';
import { createSecretBox } from '../core/crypto.ts';
import { createLogger } from '../core/logger.ts';
import { loadOrCreateKey } from '../core/platform/key-file.ts';
import { startWorker } from '../runner/worker.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.redisUrl) {
    throw new ConfigError('REDIS_URL: required by a standalone worker (it must share the gateway\'s Redis)');
  }
  const logger = createLogger({ level: config.logLevel, name: 'scimwright-worker' });
  const box = createSecretBox(loadOrCreateKey(config.dataDir, config.secretKey, true));
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 3 });
  const worker = await startWorker({ redis, config, box, registry: connectors, logger });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.info({ signal }, 'draining');
      void worker.close().then(() => redis.quit()).then(() => process.exit(0), (error: unknown) => {
        logger.error({ error }, 'shutdown failed');
        process.exit(1);
      });
    });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof ConfigError ? error.message : String(error)}\n`);
  process.exit(1);
});
