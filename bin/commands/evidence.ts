/**
 * `scimwright evidence verify`: recomputes every hash and the chain; non-zero names the first problem.
 * It checks the recordings dir, an exported bundle (`--zip FILE`), or an unzipped bundle (`--dir`).
 * `scimwright evidence export`: writes a zip for a user, a connection or a date range.
 */
import { createWriteStream, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { exportEvidence } from '../../runner/evidence/export.ts';
import { formatBundleReport, isBundle, verifyBundle, verifyZip } from '../../runner/evidence/export-verify.ts';
import { formatReport, verifyEvidence } from '../../runner/evidence/verify.ts';
import { CliError, type Command } from './shared.ts';

const recordingsDir = (dir: string | undefined) => resolve(dir ?? process.env.SCIMWRIGHT_RECORDINGS_DIR ?? 'recordings');

async function verify(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { connection: { type: 'string' }, dir: { type: 'string' }, zip: { type: 'string' } } });
  if (values.zip) {
    if (!existsSync(values.zip)) throw new CliError(`no file at ${values.zip}`, 1);
    const result = await verifyZip(resolve(values.zip));
    process.stdout.write(`${formatBundleReport(result)}\n`);
    return result.ok ? 0 : 1;
  }
  const dir = recordingsDir(values.dir);
  if (!existsSync(dir)) throw new CliError(`no recordings at ${dir} (set --dir or SCIMWRIGHT_RECORDINGS_DIR)`, 1);
  if (await isBundle(dir)) {
    const result = await verifyBundle(dir);
    process.stdout.write(`${formatBundleReport(result)}\n`);
    return result.ok ? 0 : 1;
  }
  const result = await verifyEvidence(dir, values.connection ? { connectionId: values.connection } : {});
  process.stdout.write(`${formatReport(result)}\n`);
  return result.ok ? 0 : 1;
}

async function exportZip(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      connection: { type: 'string' }, user: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' },
      dir: { type: 'string' }, out: { type: 'string' },
    },
  });
  const dir = recordingsDir(values.dir);
  if (!existsSync(dir)) throw new CliError(`no recordings at ${dir} (set --dir or SCIMWRIGHT_RECORDINGS_DIR)`, 1);
  let made;
  try {
    made = await exportEvidence(dir, {
      ...(values.connection ? { connectionId: values.connection } : {}), ...(values.user ? { userId: values.user } : {}),
      ...(values.from ? { from: values.from } : {}), ...(values.to ? { to: values.to } : {}),
    });
  } catch (error) {
    const issues = (error as { issues?: Array<{ path: PropertyKey[]; message: string }> }).issues;
    if (issues) throw new CliError(`evidence export: ${issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    throw error;
  }
  const out = resolve(values.out ?? made.fileName);
  await pipeline(made.stream, createWriteStream(out, { flags: 'wx', mode: 0o600 }));
  process.stdout.write(`Wrote ${out}: ${made.plan.runs.length} run(s).\nCheck it with: scimwright evidence verify --zip ${out}\n`);
  return 0;
}

export const evidenceCommand: Command = async (args) => {
  const [sub, ...rest] = args;
  if (sub === 'verify') return verify(rest);
  if (sub === 'export') return exportZip(rest);
  throw new CliError('evidence verify [--connection ID] [--dir DIR | --zip FILE]\n'
    + '       evidence export [--connection ID [--user ID]] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--dir DIR] [--out FILE]');
};
