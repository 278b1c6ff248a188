/**
 * The scimwright CLI. Commands talk to a running gateway's admin API (SCIMWRIGHT_URL,
 * SCIMWRIGHT_ADMIN_TOKEN) except `evidence` (verify, export), which reads the recordings dir directly.
 */
import { connectionsCommand } from './commands/connections.ts';
import { evidenceCommand } from './commands/evidence.ts';
import { CliError, type Command } from './commands/shared.ts';
import { tokensCommand } from './commands/tokens.ts';

const commands: Record<string, Command> = {
  connections: connectionsCommand,
  evidence: evidenceCommand,
  tokens: tokensCommand,
};

const USAGE = `usage: scimwright <command> [options]

  connections add --id ID --connector uxpin|spekit --base-url URL --admin-email EMAIL
                  [--admin-password-env VAR] [--totp-secret-env VAR] [--settings JSON]
  connections list
  connections get ID
  connections rotate-token ID
  connections check ID [--wait] [--timeout SECONDS]   read-only canary check; prints the run id
  connections delete ID
  evidence verify [--connection ID] [--dir RECORDINGS_DIR | --zip BUNDLE.zip]
  evidence export [--connection ID [--user ID]] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--out FILE]
  tokens add --role admin|reviewer [--name NAME]
  tokens list
  tokens revoke ID

Environment: SCIMWRIGHT_URL (default http://127.0.0.1:8080), SCIMWRIGHT_ADMIN_TOKEN,
SCIMWRIGHT_RECORDINGS_DIR (default ./recordings).`;

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const command = name ? commands[name] : undefined;
  if (!command || name === 'help' || rest.includes('--help')) {
    process.stdout.write(`${USAGE}\n`);
    return command || name === 'help' || name === undefined ? 0 : 2;
  }
  return command(rest);
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`scimwright: ${error instanceof CliError ? error.message : (error as Error).stack}\n`);
  process.exitCode = error instanceof CliError ? error.exitCode : 1;
}
