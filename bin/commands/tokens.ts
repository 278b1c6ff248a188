/** `scimwright tokens add|list|revoke`: admin and read-only reviewer tokens for the admin API and console. */
import { parseArgs } from 'node:util';
import { adminClient, CliError, print, type Command } from './shared.ts';

const USAGE = 'tokens add --role admin|reviewer [--name NAME] | tokens list | tokens revoke ID';

async function add(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { role: { type: 'string' }, name: { type: 'string' } } });
  if (values.role !== 'admin' && values.role !== 'reviewer') throw new CliError(`tokens add: --role must be admin or reviewer\n${USAGE}`);
  const name = values.name ?? `${values.role} token made ${new Date().toISOString().slice(0, 10)}`;
  const created = (await adminClient().request('POST', '/tokens', { role: values.role, name })) as { id: string; token: string; role: string };
  process.stdout.write(
    `${created.role === 'reviewer' ? 'Reviewer (read-only)' : 'Admin'} token ${created.id} created.\n`
    + `  Token (shown once, stored only as a hash): ${created.token}\n`
    + '  Sign in to the console at <gateway>/console with it.\n',
  );
  return 0;
}

export const tokensCommand: Command = async (args) => {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'add':
      return add(rest);
    case 'list':
      print(await adminClient().request('GET', '/tokens'));
      return 0;
    case 'revoke':
      if (!rest[0]) throw new CliError('tokens revoke ID');
      await adminClient().request('DELETE', `/tokens/${encodeURIComponent(rest[0])}`);
      process.stdout.write(`Token ${rest[0]} revoked; its console sessions end at their next request.\n`);
      return 0;
    default:
      throw new CliError(USAGE);
  }
};
