/** `scimwright connections add|list|get|rotate-token|delete` over the admin API. */
import { parseArgs } from 'node:util';
import { adminClient, CliError, print, type Command } from './shared.ts';

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
    case 'delete':
      if (!rest[0]) throw new CliError('connections delete ID');
      await client.request('DELETE', `/connections/${encodeURIComponent(rest[0])}`);
      process.stdout.write(`Connection ${rest[0]} deleted.\n`);
      return 0;
    default:
      throw new CliError('connections add|list|get|rotate-token|delete');
  }
};
