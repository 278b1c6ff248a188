/** `scimwright evidence verify`: recomputes every hash and the chain; non-zero names the first problem. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatReport, verifyEvidence } from '../../runner/evidence/verify.ts';
import { CliError, type Command } from './shared.ts';

async function verify(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { connection: { type: 'string' }, dir: { type: 'string' } } });
  const dir = resolve(values.dir ?? process.env.SCIMWRIGHT_RECORDINGS_DIR ?? 'recordings');
  if (!existsSync(dir)) throw new CliError(`no recordings at ${dir} (set --dir or SCIMWRIGHT_RECORDINGS_DIR)`, 1);
  const result = await verifyEvidence(dir, values.connection ? { connectionId: values.connection } : {});
  process.stdout.write(`${formatReport(result)}\n`);
  return result.ok ? 0 : 1;
}

export const evidenceCommand: Command = async (args) => {
  const [sub, ...rest] = args;
  if (sub === 'verify') return verify(rest);
  throw new CliError('evidence verify [--connection ID] [--dir DIR]');
};
