/**
 * `npm start`: the gateway and (unless SCIMWRIGHT_EMBEDDED_WORKER=false) the converge worker in
 * one process, on embedded defaults — a private Redis under the data dir when REDIS_URL is unset.
 */
import { Redis } from 'ioredis';
import { buildApp, type Services } from '../api/app.ts';
import { describeConnectors, connectors } from '../connectors/registry.ts';
import { ConfigError, loadConfig, publicOrigin, type Config } from '../core/config.ts';
import { createLogger } from '../core/logger.ts';
import { startEmbeddedRedis, type RedisServer } from '../core/platform/embedded-redis.ts';
import { loadOrCreateKey } from '../core/platform/key-file.ts';
import { RunStore } from '../core/runs/store.ts';
import { createPromMetrics } from '../api/metrics/index.ts';
import { watchRuns } from '../core/metrics.ts';
import { createEvidenceReader } from '../runner/evidence/inspect.ts';
import { createCoreServices } from '../core/services.ts';
import { createBullConvergeQueue } from '../runner/queue.ts';
import { bullQueuePrefix, startWorker, type RunningWorker } from '../runner/worker.ts';

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

  let worker: RunningWorker | undefined;
  const box = createCoreServices(redis, config, key, { enqueue: async () => {} }).box;
  if (config.embeddedWorker) {
    worker = await startWorker({ redis, config, box, registry: connectors, logger: logger.child({ component: 'worker' }) });
  }
  // Without an embedded worker the gateway still enqueues; BullMQ needs its own connection then.
  const queueRedis = worker ? undefined : redis.duplicate({ maxRetriesPerRequest: null });
  const queue = worker?.queue ?? createBullConvergeQueue({ connection: queueRedis!, prefix: bullQueuePrefix(config.redisPrefix) });
  const core = createCoreServices(redis, config, key, queue);
  const runs = new RunStore(redis, config.redisPrefix);
  const prom = createPromMetrics();
  if (worker) {
    watchRuns(worker.worker, {
      runs, provisioning: core.directory.provisioning,
      connectorOf: async (id) => (await core.connections.get(id))?.connector,
      onError: (error) => logger.warn({ error }, 'run metrics failed'),
    }, prom.metrics);
  }
  const services: Services = {
    config, origin: publicOrigin(config), redis, connections: core.connections, directory: core.directory, queue,
    connectors: describeConnectors(), adminAuth: core.adminTokens, adminTokens: core.adminTokens,
    evidence: createEvidenceReader(config.recordingsDir), prom,
    ...(worker ? { bullQueue: worker.queue.queue } : {}),
    runs: { list: (id, filter) => runs.list(id, filter as never) as never, get: (id) => runs.get(id) as never },
    health: {
      redis: async () => (await redis.ping()) === 'PONG',
      ...(worker ? { worker: async () => worker!.worker.isRunning() } : {}),
    },
  };
  const app = await buildApp(services, logger);
  await app.listen({ port: config.port, host: config.host });
  // With PORT=0 the real port is known only now; SCIM base URLs must carry it.
  services.origin = publicOrigin({ ...config, port: (app.server.address() as { port: number }).port });
  const adminToken = await core.adminTokens.bootstrap();

  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= (async () => {
    await app.close();
    await worker?.close();
    await queue.close?.();
    queueRedis?.disconnect();
    redis.disconnect();
    await embedded?.stop();
  })());
  return { config, origin: services.origin, redisUrl, ...(adminToken ? { adminToken } : {}), stop };
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
