/** `scimwright connections add|list|get|rotate-token|check|delete` over the admin API. */
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { adminClient, CliError, print, type AdminClient, type Command } from './shared.ts';

function secretFromEnv(name: string | undefined, what: string): string | undefined {
  if (!name) return undefined;
  const value = process.env[name];
  if (!value) throw new CliError(`${what}: environment variable ${name} is empty or unset`);
  return value;
}

async function add(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      id: { type: 'string' }, connector: { type: 'string' }, 'base-url': { type: 'string' },
      'admin-email': { type: 'string' }, 'admin-password-env': { type: 'string', default: 'APP_ADMIN_PASSWORD' },
      'totp-secret-env': { type: 'string' }, settings: { type: 'string' },
    },
  });
  for (const required of ['id', 'connector', 'base-url', 'admin-email'] as const) {
    if (!values[required]) throw new CliError(`connections add: --${required} is required`);
  }
  // Secrets come from the environment, never from argv (argv is visible in `ps`).
  const password = secretFromEnv(values['admin-password-env'], '--admin-password-env');
  const totpSecret = secretFromEnv(values['totp-secret-env'], '--totp-secret-env');
  let settings: unknown;
  try {
    settings = values.settings ? JSON.parse(values.settings) : undefined;
  } catch {
    throw new CliError('--settings must be JSON');
  }
  const created = (await adminClient().request('POST', '/connections', {
    id: values.id, connector: values.connector, baseUrl: values['base-url'],
    credentials: { email: values['admin-email'], password, ...(totpSecret ? { totpSecret } : {}) },
    ...(settings ? { settings } : {}),
  })) as { id: string; scimBaseUrl: string; token: string };
  process.stdout.write(`Connection ${created.id} created.\n  SCIM base URL: ${created.scimBaseUrl}\n  Bearer token (shown once): ${created.token}\n`);
  return 0;
}

const DONE = new Set(['succeeded', 'failed']);

/** Polls the run until it ends; a run not started yet answers 404, which only means "wait". */
async function waitForRun(client: AdminClient, runId: string, timeoutMs: number): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = (await client.request('GET', `/runs/${encodeURIComponent(runId)}`).catch((error: unknown) => {
      if (error instanceof CliError && / 404 /.test(error.message)) return null;
      throw error;
    })) as Record<string, unknown> | null;
    if (run && DONE.has(String(run.status))) return run;
    if (Date.now() > deadline) throw new CliError(`check ${runId} did not finish within ${timeoutMs / 1000} s`, 1);
    await sleep(500);
  }
}

/** `connections check ID [--wait] [--timeout SECONDS]`: prints the run id; with --wait, the result. */
async function checkNow(client: AdminClient, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { wait: { type: 'boolean' }, timeout: { type: 'string', default: '300' } } });
  const id = positionals[0];
  if (!id) throw new CliError('connections check ID [--wait] [--timeout SECONDS]');
  const { runId } = (await client.request('POST', `/connections/${encodeURIComponent(id)}/check`)) as { runId: string };
  process.stdout.write(`${runId}\n`);
  if (!values.wait) return 0;
  const run = await waitForRun(client, runId, Number(values.timeout) * 1000);
  const ok = run.status === 'succeeded';
  process.stdout.write(ok ? `Check passed: ${String(run.why ?? '')}\n` : `Check failed: ${String(run.error ?? 'unknown error')}\n`);
  return ok ? 0 : 1;
}

export const connectionsCommand: Command = async (args) => {
  const [sub, ...rest] = args;
  const client = adminClient();
  switch (sub) {
    case 'add':
      return add(rest);
    case 'list':
      print(await client.request('GET', '/connections'));
      return 0;
    case 'get':
      if (!rest[0]) throw new CliError('connections get ID');
      print(await client.request('GET', `/connections/${encodeURIComponent(rest[0])}`));
      return 0;
    case 'rotate-token': {
      if (!rest[0]) throw new CliError('connections rotate-token ID');
      const rotated = (await client.request('POST', `/connections/${encodeURIComponent(rest[0])}/rotate-token`)) as { token: string; scimBaseUrl: string };
      process.stdout.write(`New bearer token for ${rest[0]} (shown once; the old one is refused from now on):\n  ${rotated.token}\n`);
      return 0;
    }
    case 'check':
      return checkNow(client, rest);
    case 'delete':
      if (!rest[0]) throw new CliError('connections delete ID');
      await client.request('DELETE', `/connections/${encodeURIComponent(rest[0])}`);
      process.stdout.write(`Connection ${rest[0]} deleted.\n`);
      return 0;
    default:
      throw new CliError('connections add|list|get|rotate-token|check|delete');
  }
};
