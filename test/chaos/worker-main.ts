/**
 * A standalone converge worker for the chaos and scale-out runs: bin/worker.ts with timings short
 * enough that a SIGKILLed worker's job is taken up again within seconds (job lock 6 s, stalled
 * check every 2 s, heartbeat 6 s) instead of the production 30–60 s, and the pending-change sweep every 10 s. Everything else is the real
 * worker on the real Redis. Prints "chaos worker ready" once it takes jobs.
 */
import { Redis } from 'ioredis';
import { connectors } from '../../connectors/registry.ts';
import { loadConfig } from '../../core/config.ts';
import { createSecretBox } from '../../core/crypto.ts';
import { createLogger } from '../../core/logger.ts';
import { loadOrCreateKey } from '../../core/platform/key-file.ts';
import { startWorker } from '../../runner/worker.ts';
import { closeWorker, onSignals } from '../../bin/shutdown.ts';

export const CHAOS_TIMING = {
  lockDurationMs: 6_000, stalledIntervalMs: 2_000, connectionLockTtlMs: 6_000, heartbeatTtlMs: 6_000,
  // Retries after a fault wait 1–10 s instead of 2 s–5 min, so a CI-sized run ends in minutes.
  backoff: { baseMs: 1_000, maxMs: 10_000 },
};

const config = loadConfig();
const logger = createLogger({ level: config.logLevel, name: 'chaos-worker' });
const redis = new Redis(config.redisUrl!, { maxRetriesPerRequest: 3 });
const worker = await startWorker({
  redis, config, box: createSecretBox(loadOrCreateKey(config.dataDir, config.secretKey, true)), registry: connectors, logger,
  timing: CHAOS_TIMING,
  sweep: { intervalMs: 10_000, staleMs: 10_000 },
});
process.stdout.write('chaos worker ready\n');
onSignals({
  stop: async () => {
    await closeWorker(worker, 5_000, logger);
    await redis.quit().catch(() => redis.disconnect());
  },
});
