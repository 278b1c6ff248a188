/**
 * A worker process for tests and the bench: the test connector only, short lock timings so a
 * killed worker's job is recovered in seconds, logs as JSON lines on stdout. SIGTERM drains.
 * Env: REDIS_URL, SW_PREFIX, SW_KEY (base64), SW_RECORDINGS, SW_CONCURRENCY.
 */
import { Redis } from 'ioredis';
import { createSecretBox } from '../../core/crypto.ts';
import { createLogger } from '../../core/logger.ts';
import { startWorker } from '../worker.ts';
import { testConnector } from './index.ts';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const redis = new Redis(env('REDIS_URL'));
const logger = createLogger({ level: 'info', name: `worker-${process.pid}` });
const worker = await startWorker({
  redis, logger, registry: [testConnector],
  box: createSecretBox(Buffer.from(env('SW_KEY'), 'base64')),
  config: { redisPrefix: env('SW_PREFIX'), recordingsDir: env('SW_RECORDINGS'), workerConcurrency: Number(process.env.SW_CONCURRENCY ?? 1) },
  timing: { lockDurationMs: 2_000, stalledIntervalMs: 1_000, connectionLockTtlMs: 2_000, heartbeatTtlMs: 1_500, busyDelayMs: 300, backoff: { baseMs: 200, maxMs: 1_000 } },
  sweep: false,
});

process.once('SIGTERM', () => {
  void worker.close().then(() => redis.quit()).then(() => process.exit(0));
});
