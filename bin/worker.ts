/**
 * `npm run worker`: a converge worker on its own, for scale-out. Several of these share one Redis
 * (REDIS_URL) with the gateway; a per-connection lock keeps them from driving the same app session
 * at once. SIGTERM/SIGINT stop taking jobs, let running ones finish, and close the browser.
 * With SCIMWRIGHT_WORKER_METRICS_PORT it serves its own /metrics (worker-metrics.ts).
 */
import { Redis } from 'ioredis';
import { connectors } from '../connectors/registry.ts';
import { ConfigError, loadConfig } from '../core/config.ts';
import { createSecretBox } from '../core/crypto.ts';
import { createLogger } from '../core/logger.ts';
import { loadOrCreateKey } from '../core/platform/key-file.ts';
import { startWorker } from '../runner/worker.ts';
import { createWorkerMetrics, serveMetrics, type MetricsServer } from './worker-metrics.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.redisUrl) {
    throw new ConfigError('REDIS_URL: required by a standalone worker (it must share the gateway\'s Redis)');
  }
  const logger = createLogger({ level: config.logLevel, name: 'scimwright-worker' });
  const box = createSecretBox(loadOrCreateKey(config.dataDir, config.secretKey, true));
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 3 });
  const metrics = config.workerMetricsPort === undefined ? undefined : createWorkerMetrics();
  const worker = await startWorker({
    redis, config, box, registry: connectors, logger,
    ...(metrics ? { onRunEnd: metrics.onRunEnd, sessions: { onSession: metrics.onSession } } : {}),
  });
  let server: MetricsServer | undefined;
  if (metrics) {
    metrics.attach(worker, (error) => logger.warn({ error }, 'run metrics failed'));
    server = await serveMetrics(metrics.prom, {
      host: config.host, port: config.workerMetricsPort!, ...(config.metricsToken ? { token: config.metricsToken } : {}),
    });
    logger.info({ url: server.url }, 'worker metrics served');
  }
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.info({ signal }, 'draining');
      void worker.close().then(() => server?.close()).then(() => redis.quit()).then(() => process.exit(0), (error: unknown) => {
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
