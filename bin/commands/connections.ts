/** `scimwright connections add|list|get|rotate-token|check|delete` over the admin API. */
import { createInterface } from 'node:readline/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { emit, fields, table, unknownCommand } from './output.ts';
import { adminClient, CliError, parse, type AdminClient, type Command } from './shared.ts';

export const CONNECTIONS_USAGE = `usage: scimwright connections <command> [--json]

  add --id ID --connector uxpin|spekit --base-url URL --admin-email EMAIL
      [--admin-password-env VAR (default APP_ADMIN_PASSWORD)] [--totp-secret-env VAR] [--settings JSON]
  list                                      a table; --json for the API's JSON
  get ID
  set ID [--parallel-pages N] [--settings JSON]   changes only the settings named (merged)
  rotate-token ID
  check ID [--wait] [--timeout SECONDS]     read-only canary check; prints the run id
  delete ID [--yes]                         asks for confirmation on a terminal; --yes without one`;
const SUBCOMMANDS = ['add', 'list', 'get', 'set', 'rotate-token', 'check', 'delete'];

function secretFromEnv(name: string | undefined, what: string): string | undefined {
  if (!name) return undefined;
  const value = process.env[name];
  if (!value) throw new CliError(`${what}: environment variable ${name} is empty or unset`);
  return value;
}

async function add(args: string[]): Promise<number> {
  const { values } = parse('connections add', args, {
    id: { type: 'string' }, connector: { type: 'string' }, 'base-url': { type: 'string' },
    'admin-email': { type: 'string' }, 'admin-password-env': { type: 'string', default: 'APP_ADMIN_PASSWORD' },
    'totp-secret-env': { type: 'string' }, settings: { type: 'string' },
  });
  for (const required of ['id', 'connector', 'base-url', 'admin-email'] as const) {
    if (!values[required]) throw new CliError(`connections add: --${required} is required`);
  }
  // Secrets come from the environment, never from argv (argv is visible in `ps`).
  const password = secretFromEnv(values['admin-password-env'], '--admin-password-env');
  const totpSecret = secretFromEnv(values['totp-secret-env'], '--totp-secret-env');
  const settings = settingsArg(values.settings);
  const created = (await adminClient().request('POST', '/connections', {
    id: values.id, connector: values.connector, baseUrl: values['base-url'],
    credentials: { email: values['admin-email'], password, ...(totpSecret ? { totpSecret } : {}) },
    ...(settings ? { settings } : {}),
  })) as { id: string; scimBaseUrl: string; token: string };
  emit(values.json, created, () => `Connection ${created.id} created.\n  SCIM base URL: ${created.scimBaseUrl}\n  Bearer token (shown once): ${created.token}`);
  return 0;
}

function settingsArg(text: string | undefined): Record<string, unknown> | undefined {
  try {
    return text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
  } catch {
    throw new CliError('--settings must be JSON');
  }
}

/** `connections set ID [--parallel-pages N] [--settings JSON]`: a PATCH of the settings given. */
async function set(client: AdminClient, args: string[]): Promise<number> {
  const { values, positionals } = parse('connections set', args, { 'parallel-pages': { type: 'string' }, settings: { type: 'string' } }, 1);
  const id = positionals[0];
  if (!id) throw new CliError('connections set ID: the connection id is missing');
  const settings = { ...settingsArg(values.settings) };
  if (values['parallel-pages'] !== undefined) {
    const pages = Number(values['parallel-pages']);
    if (!Number.isInteger(pages) || pages < 1) throw new CliError('connections set: --parallel-pages must be a whole number, 1 or more');
    settings.parallelPages = pages;
  }
  if (Object.keys(settings).length === 0) throw new CliError('connections set: nothing to change (--parallel-pages or --settings)');
  const updated = (await client.request('PATCH', `/connections/${encodeURIComponent(id)}`, { settings })) as Record<string, unknown>;
  emit(values.json, updated, () => `Connection ${id} updated.\n${fields(updated)}`);
  return 0;
}

const DONE = new Set(['succeeded', 'failed']);

/** Polls the run until it ends; a run not started yet answers 404, which only means "wait". */
export async function waitForRun(client: AdminClient, runId: string, timeoutMs: number): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = (await client.request('GET', `/runs/${encodeURIComponent(runId)}`).catch((error: unknown) => {
      if (error instanceof CliError && / 404 /.test(error.message)) return null;
      throw error;
    })) as Record<string, unknown> | null;
    if (run && DONE.has(String(run.status))) return run;
    if (Date.now() > deadline) throw new CliError(`run ${runId} did not finish within ${timeoutMs / 1000} s`, 1);
    await sleep(500);
  }
}

/** `connections check ID [--wait] [--timeout SECONDS]`: prints the run id; with --wait, the result. */
async function checkNow(client: AdminClient, args: string[]): Promise<number> {
  const { values, positionals } = parse('connections check', args, { wait: { type: 'boolean' }, timeout: { type: 'string', default: '300' } }, 1);
  const id = positionals[0];
  if (!id) throw new CliError('connections check ID [--wait] [--timeout SECONDS]');
  const timeout = Number(values.timeout);
  if (!(timeout > 0)) throw new CliError('connections check: --timeout must be a positive number of seconds');
  const { runId } = (await client.request('POST', `/connections/${encodeURIComponent(id)}/check`)) as { runId: string };
  if (!values.json) process.stdout.write(`${runId}\n`);
  if (!values.wait) {
    if (values.json) emit(true, { runId }, () => runId);
    return 0;
  }
  const run = await waitForRun(client, runId, timeout * 1000);
  const ok = run.status === 'succeeded';
  emit(values.json, { runId, ...run }, () => (ok ? `Check passed: ${String(run.why ?? '')}` : `Check failed: ${String(run.error ?? 'unknown error')}`));
  return ok ? 0 : 1;
}

const LIST_COLUMNS = [
  ['ID', (c) => c.id], ['CONNECTOR', (c) => c.connector], ['APP', (c) => c.baseUrl],
  ['ADMIN', (c) => (c.credentials as { email?: string } | undefined)?.email], ['CREATED (UTC)', (c) => c.createdAt],
  ['SCIM BASE URL', (c) => c.scimBaseUrl],
] satisfies Parameters<typeof table>[1];

async function list(client: AdminClient, args: string[]): Promise<number> {
  const { values } = parse('connections list', args, {});
  const listed = (await client.request('GET', '/connections')) as { connections: Array<Record<string, unknown>> };
  emit(values.json, listed, () => table(listed.connections, LIST_COLUMNS, 'No connections yet (scimwright connections add …).'));
  return 0;
}

/** Commands that take exactly one ID and nothing else but --json (and, for delete, --yes). */
function idArg(command: string, args: string[], extra: Parameters<typeof parse>[2] = {}) {
  const parsed = parse(`connections ${command}`, args, extra, 1);
  const id = parsed.positionals[0];
  if (!id) throw new CliError(`connections ${command} ID: the connection id is missing`);
  return { id, values: parsed.values as { json?: boolean; yes?: boolean } };
}

async function get(client: AdminClient, args: string[]): Promise<number> {
  const { id, values } = idArg('get', args);
  const connection = (await client.request('GET', `/connections/${encodeURIComponent(id)}`)) as Record<string, unknown>;
  emit(values.json, connection, () => fields(connection));
  return 0;
}

async function rotate(client: AdminClient, args: string[]): Promise<number> {
  const { id, values } = idArg('rotate-token', args);
  const rotated = (await client.request('POST', `/connections/${encodeURIComponent(id)}/rotate-token`)) as { token: string; scimBaseUrl: string };
  emit(values.json, rotated, () => `New bearer token for ${id} (shown once; the old one is refused from now on):\n  ${rotated.token}`);
  return 0;
}

/** Deleting cuts the IdP off; a person at a terminal confirms, a script says --yes explicitly. */
async function confirmDelete(id: string): Promise<boolean> {
  if (!process.stdin.isTTY) {
    throw new CliError(`connections delete ${id}: not deleted; confirmation is needed and stdin is not a terminal, so pass --yes`);
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`Delete connection ${id}? Its SCIM token stops working at once. [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

async function remove(client: AdminClient, args: string[]): Promise<number> {
  const { id, values } = idArg('delete', args, { yes: { type: 'boolean', short: 'y' } });
  if (!values.yes && !(await confirmDelete(id))) {
    process.stderr.write(`Connection ${id} not deleted.\n`);
    return 1;
  }
  await client.request('DELETE', `/connections/${encodeURIComponent(id)}`);
  emit(values.json, { id, deleted: true }, () => `Connection ${id} deleted.`);
  return 0;
}

export const connectionsCommand: Command = async (args) => {
  const [sub, ...rest] = args;
  const client = adminClient();
  switch (sub) {
    case 'add': return add(rest);
    case 'list': return list(client, rest);
    case 'get': return get(client, rest);
    case 'set': return set(client, rest);
    case 'rotate-token': return rotate(client, rest);
    case 'check': return checkNow(client, rest);
    case 'delete': return remove(client, rest);
    case undefined: throw new CliError(CONNECTIONS_USAGE);
    default: throw unknownCommand('connections', sub, SUBCOMMANDS);
  }
};
