/**
 * The ConnectorContext of one run: the connection's session page, the evidence step wrapper, the
 * vault, and a secret list that evidence and logs are both scrubbed with. Everything a connector
 * logs goes through the run's redactor first, because pino's own scrub only knows key names and
 * token shapes, not the values this run has seen.
 */
import type { ConnectorContext, ConnectorDefinition } from '../core/connector.ts';
import type { Credentials, StoredConnection } from '../core/connections/schema.ts';
import { PermanentAppError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { Session } from './browser/sessions.ts';
import type { RunnerDeps } from './deps.ts';
import { createStepper } from './evidence/step.ts';
import type { RunRecorder } from './evidence/store.ts';
import { makeRedactor, redactDeep } from './evidence/redact.ts';
import { createRedisVault } from './vault.ts';

/** The secrets of one run; grows as the connector learns tokens. */
export class RunSecrets {
  private readonly values = new Set<string>();
  private redactor: ((text: string) => string) | undefined;

  constructor(initial: Array<string | undefined>) {
    for (const value of initial) if (value) this.add(value);
  }

  add(value: string): void {
    if (!value || this.values.has(value)) return;
    this.values.add(value);
    this.redactor = undefined;
  }

  list(): string[] {
    return [...this.values];
  }

  redact(text: string): string {
    this.redactor ??= makeRedactor(this.list());
    return this.redactor(text);
  }

  redactAll<T>(value: T): T {
    return redactDeep(value, (text) => this.redact(text));
  }
}

/** A logger wrapper that removes the run's secrets from messages and fields. */
export function safeLog(logger: Logger, secrets: RunSecrets) {
  return (level: 'info' | 'warn' | 'error' | 'debug', message: string, fields: Record<string, unknown> = {}) =>
    logger[level](secrets.redactAll(fields), secrets.redact(message));
}

export function credentialSecrets(credentials: Credentials): string[] {
  return [credentials.password, credentials.totpSecret].filter((s): s is string => Boolean(s));
}

export interface ContextInput {
  deps: RunnerDeps;
  connection: StoredConnection;
  connector: ConnectorDefinition;
  credentials: Credentials;
  session: Session;
  recorder: RunRecorder;
  secrets: RunSecrets;
  logger: Logger;
  signal: AbortSignal;
}

/** The connection's app settings as the connector's schema reads them; a misfit fails the run for good. */
export function appSettings(connector: ConnectorDefinition, connection: StoredConnection): unknown {
  const parsed = connector.settings.safeParse(connection.settings.app);
  if (!parsed.success) {
    throw new PermanentAppError('invalid_job', `settings.app of connection ${connection.id} do not fit connector ${connector.id}: ${parsed.error.message}`);
  }
  return parsed.data;
}

/** Never throws: a run body calls appSettings() first, inside the run, so the failure is recorded. */
export function buildContext(input: ContextInput): ConnectorContext {
  const { deps, connection, connector, secrets, session } = input;
  const parsed = connector.settings.safeParse(connection.settings.app);
  const log = safeLog(input.logger, secrets);
  return {
    connectionId: connection.id,
    baseUrl: connection.baseUrl,
    credentials: input.credentials,
    settings: parsed.success ? parsed.data : connection.settings.app,
    page: async () => {
      input.signal.throwIfAborted();
      return session.page();
    },
    step: createStepper({
      recorder: input.recorder,
      page: () => session.currentPage(),
      secrets: () => secrets.list(),
      log: (message, fields) => log('warn', message, fields),
    }),
    vault: createRedisVault(deps.redis, deps.prefix, deps.box, connection.id, (value) => secrets.add(value)),
    addSecret: (value) => secrets.add(value),
    signal: input.signal,
    log: (message, fields) => log('info', message, fields),
  };
}
