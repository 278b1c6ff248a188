/**
 * Creating and changing a connection, and asking for its read-only check: the one path of the admin
 * API (connections.ts) and the console's forms (api/console/connection-form-page.ts). Bodies are
 * validated by the zod schemas of core/connections/schema.ts and by what the connector can do;
 * a refusal is a result with a status, a stable code and a message in words, never a throw.
 */
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { z } from 'zod';
import type { ConnectorDescriptor } from '../../core/connector.ts';
import {
  createConnectionSchema, patchConnectionSchema, settingsSchema, type ConnectionSettings, type StoredConnection,
} from '../../core/connections/schema.ts';
import { ConnectionExistsError } from '../../core/connections/store.ts';
import { newRunId } from '../../core/runs/store.ts';

export interface WriteRefusal {
  ok: false;
  status: 400 | 404 | 409;
  code: string;
  message: string;
  issues?: Array<{ path: string; message: string }>;
}
export type WriteResult<T> = ({ ok: true } & T) | WriteRefusal;

const refuse = (status: WriteRefusal['status'], code: string, message: string): WriteRefusal => ({ ok: false, status, code, message });

function invalid(error: z.ZodError): WriteRefusal {
  const issues = error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  return { ...refuse(400, 'invalid_request', issues.map((i) => `${i.path || 'body'}: ${i.message}`).join('; ')), issues };
}

/** Checks a connection's settings against what its connector can do; returns a message or null. */
export function checkAgainstConnector(connector: ConnectorDescriptor, settings: ConnectionSettings): string | null {
  const { roles, protectedRoles, deactivate } = connector.capabilities;
  const named = (role: string) => roles.find((r) => r.toLowerCase() === role.toLowerCase());
  const wanted = [
    ...(settings.defaultRole ? [['settings.defaultRole', settings.defaultRole]] : []),
    ...Object.entries(settings.roleMap).map(([k, v]) => [`settings.roleMap.${k}`, v]),
    ...Object.entries(settings.groupRoleMap).map(([k, v]) => [`settings.groupRoleMap.${k}`, v]),
  ];
  for (const [where, role] of wanted) {
    const found = named(role!);
    if (!found) return `${where}: "${role}" is not a ${connector.name} role (${roles.join(', ')})`;
    if (protectedRoles.includes(found)) return `${where}: scimwright never assigns the ${found} role`;
  }
  if (settings.deprovision === 'deactivate' && !deactivate) {
    return `settings.deprovision: ${connector.name} cannot deactivate users; use "remove"`;
  }
  const app = connector.settings.safeParse(settings.app);
  if (!app.success) return `settings.app: ${app.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`;
  return null;
}

/** Creates the connection and queues its connector's setup task (Spekit); the token is shown once. */
export async function createConnection(app: FastifyInstance, body: unknown, log: FastifyBaseLogger):
Promise<WriteResult<{ connection: StoredConnection; token: string }>> {
  const { connections, connectors, queue } = app.scimwright;
  const parsed = createConnectionSchema.safeParse(body);
  if (!parsed.success) return invalid(parsed.error);
  const input = parsed.data;
  const connector = connectors.get(input.connector);
  if (!connector) return refuse(400, 'unknown_connector', `connector: "${input.connector}" is not one of ${[...connectors.keys()].join(', ')}`);
  const problem = checkAgainstConnector(connector, input.settings);
  if (problem) return refuse(400, 'invalid_settings', problem);
  try {
    const { connection, token } = await connections.create(input);
    if (connector.capabilities.tasks?.includes('setup')) await queue.enqueueTask?.(connection.id, 'setup');
    log.info({ connectionId: connection.id, connector: connection.connector }, 'connection created');
    return { ok: true, connection, token };
  } catch (error) {
    if (error instanceof ConnectionExistsError) return refuse(409, 'connection_exists', error.message);
    throw error;
  }
}

export interface UpdateOptions {
  /**
   * `merge` (the admin API's PATCH): only the settings keys sent change. `replace` (the console's
   * form, which always shows every setting): the sent settings are the whole policy, so a field
   * left empty goes back to its default.
   */
  settings?: 'merge' | 'replace';
  /**
   * Queue the login test (queueCheck) once the change is stored and before every user is queued
   * again, so its answer does not wait behind a whole connection's converges.
   */
  testLogin?: FastifyBaseLogger;
}

/** Changes base URL, credentials or settings; every user is converged again under the new policy. */
export async function updateConnection(app: FastifyInstance, id: string, body: unknown, options: UpdateOptions = {}):
Promise<WriteResult<{ connection: StoredConnection; testRunId?: string }>> {
  const { connections, connectors } = app.scimwright;
  const parsed = patchConnectionSchema.safeParse(body);
  if (!parsed.success) return invalid(parsed.error);
  const current = await connections.get(id);
  if (!current) return refuse(404, 'not_found', `No connection "${id}".`);
  let settings: ConnectionSettings;
  if (options.settings === 'replace') {
    const whole = settingsSchema.safeParse((body as { settings?: unknown }).settings ?? {});
    if (!whole.success) return invalid(whole.error);
    settings = whole.data;
  } else {
    // Only the keys the caller sent: zod's defaults must not reset the rest.
    const sent = Object.keys((body as { settings?: object }).settings ?? {});
    const changes = Object.fromEntries(sent.map((key) => [key, (parsed.data.settings as Record<string, unknown>)[key]]));
    settings = settingsSchema.parse({ ...current.settings, ...changes });
  }
  const problem = checkAgainstConnector(connectors.get(current.connector)!, settings);
  if (problem) return refuse(400, 'invalid_settings', problem);
  const updated = await connections.update(current.id, (c) => ({
    ...c,
    settings,
    ...(parsed.data.baseUrl ? { baseUrl: parsed.data.baseUrl } : {}),
    ...(parsed.data.credentials ? { sealedCredentials: connections.sealCredentials(c.id, parsed.data.credentials) } : {}),
  }));
  if (!updated) return refuse(404, 'not_found', `No connection "${id}".`);
  const test = options.testLogin ? await queueCheck(app, updated.id, options.testLogin) : undefined;
  // A policy change can move every user's desired role: converge them all.
  await app.scimwright.directory.reconverge(updated.id, app.scimwright.queue);
  return { ok: true, connection: updated, ...(test?.ok ? { testRunId: test.runId } : {}) };
}

/**
 * Queues the connector's read-only check (it logs in first, then walks the screens it relies on),
 * recorded as run `runId`; the console runs it after every save as the login test.
 */
export async function queueCheck(app: FastifyInstance, id: string, log: FastifyBaseLogger): Promise<WriteResult<{ runId: string }>> {
  const { connections, connectors, queue } = app.scimwright;
  const connection = await connections.get(id);
  if (!connection) return refuse(404, 'not_found', `No connection "${id}".`);
  if (!connectors.get(connection.connector)?.capabilities.check || !queue.enqueueCheck) {
    return refuse(400, 'unsupported', `The ${connection.connector} connector has no read-only check.`);
  }
  const runId = newRunId();
  await queue.enqueueCheck(connection.id, runId);
  log.info({ connectionId: connection.id, runId }, 'canary check queued');
  return { ok: true, runId };
}
