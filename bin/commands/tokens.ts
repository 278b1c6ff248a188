/** `scimwright tokens add|list|revoke`: admin and read-only reviewer tokens for the admin API and console. */
import { emit, table, unknownCommand } from './output.ts';
import { adminClient, CliError, gatewayUrl, parse, type Command } from './shared.ts';

export const TOKENS_USAGE = `usage: scimwright tokens <command> [--json]

  add --role admin|reviewer [--name NAME] [--expires-in-days N]
                                            prints the token once and the console URL;
                                            without --expires-in-days it never expires
  list                                      a table (expiry, last use); --json for the API's JSON
  revoke ID`;
const SUBCOMMANDS = ['add', 'list', 'revoke'];

async function add(args: string[]): Promise<number> {
  const { values } = parse('tokens add', args, { role: { type: 'string' }, name: { type: 'string' }, 'expires-in-days': { type: 'string' } });
  if (values.role !== 'admin' && values.role !== 'reviewer') throw new CliError(`tokens add: --role must be admin or reviewer\n${TOKENS_USAGE}`);
  const name = values.name ?? `${values.role} token made ${new Date().toISOString().slice(0, 10)}`;
  const days = values['expires-in-days'];
  if (days !== undefined && !(/^\d+$/.test(days) && Number(days) >= 1 && Number(days) <= 3650)) throw new CliError(`tokens add: --expires-in-days must be a whole number of days from 1 to 3650, not '${days}'`);
  const body = { role: values.role, name, ...(days === undefined ? {} : { expiresInDays: Number(days) }) };
  const created = (await adminClient().request('POST', '/tokens', body)) as { id: string; token: string; role: string; expiresAt?: string };
  const console = `${gatewayUrl()}/console`;
  emit(values.json, { ...created, consoleUrl: console }, () => `${created.role === 'reviewer' ? 'Reviewer (read-only)' : 'Admin'} token ${created.id} created.\n`
    + `  Token (shown once, stored only as a hash): ${created.token}\n`
    + (created.expiresAt ? `  Refused from ${created.expiresAt} (UTC).\n` : '  It never expires: revoke it when it is no longer needed.\n')
    + `  Sign in to the console at ${console} with it.`);
  return 0;
}

async function list(args: string[]): Promise<number> {
  const { values } = parse('tokens list', args, {});
  const listed = (await adminClient().request('GET', '/tokens')) as { tokens: Array<Record<string, unknown>> };
  emit(values.json, listed, () => table(listed.tokens, [
    ['ID', (t) => t.id], ['ROLE', (t) => t.role], ['CREATED (UTC)', (t) => t.createdAt],
    ['EXPIRES (UTC)', (t) => t.expiresAt ?? 'never'], ['LAST USED (UTC)', (t) => t.lastUsedAt ?? 'never'], ['NAME', (t) => t.name],
  ], 'No tokens.'));
  return 0;
}

async function revoke(args: string[]): Promise<number> {
  const { values, positionals } = parse('tokens revoke', args, {}, 1);
  const id = positionals[0];
  if (!id) throw new CliError('tokens revoke ID: the token id is missing');
  await adminClient().request('DELETE', `/tokens/${encodeURIComponent(id)}`);
  emit(values.json, { id, revoked: true }, () => `Token ${id} revoked; its console sessions end at their next request.`);
  return 0;
}

export const tokensCommand: Command = async (args) => {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'add': return add(rest);
    case 'list': return list(rest);
    case 'revoke': return revoke(rest);
    case undefined: throw new CliError(TOKENS_USAGE);
    default: throw unknownCommand('tokens', sub, SUBCOMMANDS);
  }
};
