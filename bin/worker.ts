/**
 * `npm run worker`: a converge worker on its own, for scale-out. Several of these share one Redis
 * (REDIS_URL) with the gateway; a per-connection lock keeps them from driving the same app session
 * at once. SIGTERM/SIGINT stop taking jobs, let the running one finish (bounded), and close the browser.
 * With SCIMWRIGHT_WORKER_METRICS_PORT it serves its own /metrics (worker-metrics.ts).
 */
import { connectors } from '../connectors/registry.ts';
import { ConfigError, externalRedis, loadConfig } from '../core/config.ts';
import { createSecretBox } from '../core/crypto.ts';
import { createLogger } from '../core/logger.ts';
import { loadOrCreateKey } from '../core/platform/key-file.ts';
import { createRedisClient } from '../core/platform/redis-client.ts';
import { upgradeKeyLayout } from './key-layout.ts';
import { startWorker } from '../runner/worker.ts';
import { closeWorker, JOB_GRACE_MS, onSignals } from './shutdown.ts';
import { createWorkerMetrics, serveMetrics, type MetricsServer } from './worker-metrics.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  if (!externalRedis(config)) {
    throw new ConfigError('REDIS_URL: required by a standalone worker (it must share the gateway\'s Redis; or SCIMWRIGHT_REDIS_CLUSTER)');
  }
  const logger = createLogger({ level: config.logLevel, name: 'scimwright-worker' });
  const box = createSecretBox(loadOrCreateKey(config.dataDir, config.secretKey, true));
  const redis = createRedisClient(config, { maxRetriesPerRequest: 3 });
  await upgradeKeyLayout(redis, config.redisPrefix, logger);
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
  // Same ordered, time-bounded shutdown as `npm start` (bin/shutdown.ts): stop taking
  // jobs, let the running one finish for SCIMWRIGHT_SHUTDOWN_GRACE_MS or close its browser, then
  // the metrics server and Redis; a stuck step or a second signal cannot keep the process alive.
  let stopping: Promise<void> | undefined;
  onSignals({
    stop: () => (stopping ??= (async () => {
      logger.info('draining');
      await closeWorker(worker, config.shutdownGraceMs ?? JOB_GRACE_MS, logger);
      await server?.close();
      await redis.quit().catch(() => redis.disconnect());
    })()),
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof ConfigError ? error.message : String(error)}\n`);
  process.exit(1);
});
