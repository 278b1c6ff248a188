/**
 * Wires the product on one Redis: core services, the converge worker (optional), the gateway with
 * its console, metrics and runs API. `npm start` and every full-stack test use this one function,
 * so a test exercises the wiring that ships; they differ only in the options below.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { buildApp, type Services } from '../api/app.ts';
import { createPromMetrics, type PromMetrics } from '../api/metrics/index.ts';
import { connectors, describeConnectors } from '../connectors/registry.ts';
import { publicOrigin, type Config } from '../core/config.ts';
import type { ConnectorDefinition } from '../core/connector.ts';
import { createSecretBox } from '../core/crypto.ts';
import type { Logger } from '../core/logger.ts';
import { runReporter } from '../core/metrics.ts';
import { RunStore, type RunRecord } from '../core/runs/store.ts';
import { createCoreServices, type CoreServices } from '../core/services.ts';
import { ResourceStore } from '../core/store/resource-store.ts';
import { createEvidenceReader } from '../runner/evidence/inspect.ts';
import { createBullConvergeQueue, type BullConvergeQueue } from '../runner/queue.ts';
import { bullQueuePrefix, startWorker, type RunningWorker, type StartWorkerOptions } from '../runner/worker.ts';
import { closeWorker, JOB_GRACE_MS } from './shutdown.ts';

export interface ComposeOptions {
  config: Config;
  /** The app's Redis client; compose never closes it. */
  redis: Redis;
  /** Master key for secrets at rest; a fresh random one when absent (tests). */
  key?: Buffer;
  logger: Logger;
  /** Connectors to run; the shipped registry when absent. */
  registry?: readonly ConnectorDefinition[];
  /** Worker options beyond the defaults; `false` runs the gateway alone (it still enqueues). */
  worker?: false | Pick<StartWorkerOptions, 'timing' | 'sessions' | 'sweep' | 'inviteBatchLimit' | 'attentionAfter' | 'checks' | 'drift'>;
  /** How long a running job may finish on close before its browser is closed. Default JOB_GRACE_MS. */
  jobGraceMs?: number;
  /** Node process metrics on /metrics (off in tests, where several registries share a process). */
  processMetrics?: boolean;
}

export interface Composed {
  app: FastifyInstance;
  services: Services;
  core: CoreServices;
  runs: RunStore;
  queue: BullConvergeQueue;
  worker?: RunningWorker;
  prom: PromMetrics;
  /** Listens and puts the real port into SCIM base URLs (PORT=0); returns the origin. */
  listen(port: number, host: string): Promise<string>;
  close(): Promise<void>;
}

export async function compose(options: ComposeOptions): Promise<Composed> {
  const { config, redis, logger } = options;
  const key = options.key ?? randomBytes(32);
  const registry = options.registry ?? connectors;
  const prom = createPromMetrics({ processMetrics: options.processMetrics ?? true });
  // Runs are reported once core (which knows each connection's connector) exists below.
  let onRunEnd: (run: RunRecord) => void = () => {};
  const worker = options.worker === false ? undefined : await startWorker({
    redis, config, box: createSecretBox(key), registry, logger: logger.child({ component: 'worker' }), ...options.worker,
    sessions: { ...options.worker?.sessions, onSession: (change) => prom.metrics.browserSession(change) },
    onRunEnd: (run) => onRunEnd(run),
  });
  // Without a worker the gateway still enqueues; BullMQ needs a connection of its own then.
  const queueRedis = worker ? undefined : redis.duplicate({ maxRetriesPerRequest: null });
  const queue = worker?.queue ?? createBullConvergeQueue({ connection: queueRedis!, prefix: bullQueuePrefix(config.redisPrefix), resources: new ResourceStore(redis, config.redisPrefix) });
  const core = createCoreServices(redis, config, key, queue);
  // Big group writes a crash left half applied are finished in the background (issue 11).
  void core.connections.list().then((all) => core.directory.finishFanOuts(all.map((c) => c.id)))
    .catch((error: unknown) => logger.warn({ error }, 'finishing interrupted group writes failed'));
  const runs = new RunStore(redis, config.redisPrefix);
  onRunEnd = runReporter({
    provisioning: core.directory.provisioning,
    connectorOf: async (id) => (await core.connections.get(id))?.connector,
    onError: (error) => logger.warn({ error }, 'run metrics failed'),
  }, prom.metrics);
  const services: Services = {
    config, origin: publicOrigin(config), redis, connections: core.connections, directory: core.directory, queue,
    connectors: describeConnectors(registry), adminAuth: core.adminTokens, adminTokens: core.adminTokens,
    evidence: createEvidenceReader(config.recordingsDir), prom, bullQueue: queue.queue,
    runs: { list: (id, filter) => runs.list(id, filter as never) as never, get: (id) => runs.get(id) as never },
    health: {
      redis: async () => (await redis.ping()) === 'PONG',
      ...(worker ? { worker: async () => worker.worker.isRunning() } : {}),
    },
  };
  const app = await buildApp(services, logger);
  let closing: Promise<void> | undefined;
  return {
    app, services, core, runs, queue, prom, ...(worker ? { worker } : {}),
    async listen(port, host) {
      await app.listen({ port, host });
      services.origin = publicOrigin({ ...config, port: (app.server.address() as { port: number }).port });
      return services.origin;
    },
    close: () => (closing ??= (async () => {
      if (worker) await closeWorker(worker, options.jobGraceMs ?? config.shutdownGraceMs ?? JOB_GRACE_MS, logger);
      await app.close();
      if (!worker) await queue.close();
      queueRedis?.disconnect();
    })()),
  };
}
