/** What a run needs, built once per worker process (see worker.ts). */
import type { Redis } from 'ioredis';
import type { ConnectorDefinition } from '../core/connector.ts';
import type { ConnectionStore } from '../core/connections/store.ts';
import type { SecretBox } from '../core/crypto.ts';
import type { Logger } from '../core/logger.ts';
import type { ProvisioningStore } from '../core/provisioning/state.ts';
import type { RunLiveness } from '../core/runs/liveness.ts';
import type { RunRecord, RunStore } from '../core/runs/store.ts';
import type { ResourceStore } from '../core/store/resource-store.ts';
import type { SessionPool } from './browser/sessions.ts';
import type { ConnectionSlots } from './connection-slots.ts';
import type { BullConvergeQueue } from './queue.ts';
import type { EvidenceStore } from './evidence/store.ts';

/** Connectors by id; an explicit list (connectors/registry.ts), or an array of definitions. */
export type ConnectorRegistry = ReadonlyMap<string, ConnectorDefinition> | readonly ConnectorDefinition[];

export function toRegistryMap(registry: ConnectorRegistry): ReadonlyMap<string, ConnectorDefinition> {
  return Array.isArray(registry)
    ? new Map((registry as readonly ConnectorDefinition[]).map((c) => [c.id, c]))
    : (registry as ReadonlyMap<string, ConnectorDefinition>);
}

export interface RunnerDeps {
  redis: Redis;
  /** Prefix of the app's Redis keys (config.redisPrefix). */
  prefix: string;
  box: SecretBox;
  connectors: ReadonlyMap<string, ConnectorDefinition>;
  connections: ConnectionStore;
  resources: ResourceStore;
  provisioning: ProvisioningStore;
  runs: RunStore;
  evidence: EvidenceStore;
  recordingsDir: string;
  sessions: SessionPool;
  /** Page slots per connection across workers (connection-slots.ts). */
  slots: ConnectionSlots;
  /** The converge queue: batch invites read waiting jobs from it and remove the ones they did. */
  queue: BullConvergeQueue;
  /** Most users one batch invite may hold, the job's own included; 1 turns batching off. */
  inviteBatchLimit: number;
  logger: Logger;
  /** host:pid of this worker process, recorded on every run. */
  workerId: string;
  /** Open runs and worker heartbeats (reaper.ts). */
  liveness: RunLiveness;
  /** This process's heartbeat identity: new per process, never reused (workerId can be). */
  instanceId: string;
  /** Screen mismatches in a row that mark a connection as needing attention (attention.ts). */
  attentionAfter: number;
  /** How long a marked connection's user jobs wait before they look again (ms). */
  attentionPauseMs: number;
  /**
   * Users waiting on a connection before a job reads its whole member list instead of searching
   * each (member-snapshot.ts MIN_WAITING when absent; Infinity turns it off, e.g. a bench baseline).
   */
  memberListMinWaiting?: number;
  /** Told of every run as it closes (metrics); must not throw. */
  onRunEnd?: (run: RunRecord) => void;
}
