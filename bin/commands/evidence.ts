/**
 * `scimwright evidence verify`: recomputes every hash and the chain; non-zero names the first problem.
 * It checks the recordings dir, an exported bundle (`--zip FILE`), or an unzipped bundle (`--dir`).
 * `scimwright evidence export`: writes a zip for a user, a connection or a date range.
 */
import { createWriteStream, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { exportEvidence } from '../../runner/evidence/export.ts';
import { formatBundleReport, isBundle, verifyBundle, verifyZip } from '../../runner/evidence/export-verify.ts';
import { formatReport, verifyEvidence } from '../../runner/evidence/verify.ts';
import { checkDay, resolveUser } from './evidence-select.ts';
import { emit, unknownCommand } from './output.ts';
import { CliError, parse, type Command } from './shared.ts';

export const EVIDENCE_USAGE = `usage: scimwright evidence <command> [--json]

  verify [--connection ID] [--dir RECORDINGS_DIR | --zip BUNDLE.zip]   exit 1 names the first problem
  export [--connection ID [--user ID|EMAIL]] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--dir DIR] [--out FILE]

Reads the recordings dir directly (--dir, else SCIMWRIGHT_RECORDINGS_DIR, else ./recordings).`;

const recordingsDir = (dir: string | undefined) => resolve(dir ?? process.env.SCIMWRIGHT_RECORDINGS_DIR ?? 'recordings');

async function verify(args: string[]): Promise<number> {
  const { values } = parse('evidence verify', args, { connection: { type: 'string' }, dir: { type: 'string' }, zip: { type: 'string' } });
  if (values.zip) {
    if (!existsSync(values.zip)) throw new CliError(`no file at ${values.zip}`, 1);
    const result = await verifyZip(resolve(values.zip));
    emit(values.json, result, () => formatBundleReport(result));
    return result.ok ? 0 : 1;
  }
  const dir = recordingsDir(values.dir);
  if (!existsSync(dir)) throw new CliError(`no recordings at ${dir} (set --dir or SCIMWRIGHT_RECORDINGS_DIR)`, 1);
  if (await isBundle(dir)) {
    const result = await verifyBundle(dir);
    emit(values.json, result, () => formatBundleReport(result));
    return result.ok ? 0 : 1;
  }
  const result = await verifyEvidence(dir, values.connection ? { connectionId: values.connection } : {});
  emit(values.json, result, () => formatReport(result));
  return result.ok ? 0 : 1;
}

async function exportZip(args: string[]): Promise<number> {
  const { values } = parse('evidence export', args, {
    connection: { type: 'string' }, user: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' },
    dir: { type: 'string' }, out: { type: 'string' },
  });
  const dir = recordingsDir(values.dir);
  if (!existsSync(dir)) throw new CliError(`no recordings at ${dir} (set --dir or SCIMWRIGHT_RECORDINGS_DIR)`, 1);
  checkDay('--from', values.from);
  checkDay('--to', values.to);
  if (values.from && values.to && values.from > values.to) throw new CliError(`evidence export: --from ${values.from} is after --to ${values.to}`);
  const range = {
    ...(values.connection ? { connectionId: values.connection } : {}),
    ...(values.from ? { from: values.from } : {}), ...(values.to ? { to: values.to } : {}),
  };
  let made;
  try {
    const userId = values.user ? await resolveUser(dir, range, values.user) : undefined;
    made = await exportEvidence(dir, { ...range, ...(userId ? { userId } : {}) });
  } catch (error) {
    const issues = (error as { issues?: Array<{ path: PropertyKey[]; message: string }> }).issues;
    if (issues) throw new CliError(`evidence export: ${issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    throw error;
  }
  const out = resolve(values.out ?? made.fileName);
  await pipeline(made.stream, createWriteStream(out, { flags: 'wx', mode: 0o600 }));
  emit(values.json, { file: out, runs: made.plan.runs.length }, () => `Wrote ${out}: ${made.plan.runs.length} run(s).\nCheck it with: scimwright evidence verify --zip ${out}`);
  return 0;
}

export const evidenceCommand: Command = async (args) => {
  const [sub, ...rest] = args;
  if (sub === 'verify') return verify(rest);
  if (sub === 'export') return exportZip(rest);
  if (sub === undefined) throw new CliError(EVIDENCE_USAGE);
  throw unknownCommand('evidence', sub, ['verify', 'export']);
};
