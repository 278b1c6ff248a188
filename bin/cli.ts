/**
 * The scimwright CLI. Commands talk to a running gateway's admin API (SCIMWRIGHT_URL,
 * SCIMWRIGHT_ADMIN_TOKEN) except `evidence` (verify, export), which reads the recordings dir directly.
 * Conventions: `--help`/`-h` exit 0, usage errors (unknown command or flag) exit 2, failures exit 1.
 */
import { readFileSync } from 'node:fs';
import { CONNECTIONS_USAGE, connectionsCommand } from './commands/connections.ts';
import { DRIFT_USAGE, driftCommand } from './commands/drift.ts';
import { EVIDENCE_USAGE, evidenceCommand } from './commands/evidence.ts';
import { unknownCommand } from './commands/output.ts';
import { CliError, type Command } from './commands/shared.ts';
import { TOKENS_USAGE, tokensCommand } from './commands/tokens.ts';

const commands: Record<string, { run: Command; usage: string }> = {
  connections: { run: connectionsCommand, usage: CONNECTIONS_USAGE },
  drift: { run: driftCommand, usage: DRIFT_USAGE },
  evidence: { run: evidenceCommand, usage: EVIDENCE_USAGE },
  tokens: { run: tokensCommand, usage: TOKENS_USAGE },
};

const USAGE = `usage: scimwright <command> [options]

  connections add --id ID --connector uxpin|spekit --base-url URL --admin-email EMAIL
                  [--admin-password-env VAR] [--totp-secret-env VAR] [--settings JSON]
  connections list
  connections get ID
  connections rotate-token ID
  connections check ID [--wait] [--timeout SECONDS]   read-only canary check; prints the run id
  connections delete ID [--yes]                       asks for confirmation unless --yes
  drift scan ID [--wait] [--timeout SECONDS]          drift scan now; with --wait, its findings
  drift list ID
  drift allow ID --email EMAIL --reason TEXT           a shadow account may stay
  evidence verify [--connection ID] [--dir RECORDINGS_DIR | --zip BUNDLE.zip]
  evidence export [--connection ID [--user ID|EMAIL]] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--out FILE]
  tokens add --role admin|reviewer [--name NAME]
  tokens list
  tokens revoke ID

Every command takes --json (machine-readable output; lists print a table without it) and
--help/-h. scimwright --version prints the version.

Environment: SCIMWRIGHT_URL (default http://127.0.0.1:8080), SCIMWRIGHT_ADMIN_TOKEN,
SCIMWRIGHT_RECORDINGS_DIR (default ./recordings).`;

const version = () => (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** `--help` counts only before `--`, so a value after it can still be the literal text "--help". */
const wantsHelp = (args: string[]) => {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).some((arg) => arg === '--help' || arg === '-h');
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const topic = name === 'help' && rest[0] ? commands[rest[0]] : undefined;
    process.stdout.write(`${topic ? topic.usage : USAGE}\n`);
    return 0;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    process.stdout.write(`scimwright ${version()}\n`);
    return 0;
  }
  const command = commands[name];
  if (!command) throw unknownCommand('', name, [...Object.keys(commands), 'help', 'version']);
  if (wantsHelp(rest)) {
    process.stdout.write(`${command.usage}\n`);
    return 0;
  }
  return command.run(rest);
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`scimwright: ${error instanceof CliError ? error.message : (error as Error).stack}\n`);
  process.exitCode = error instanceof CliError ? error.exitCode : 1;
}
