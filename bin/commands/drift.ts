/** `scimwright drift scan|list|allow` over the admin API (docs/drift.md). */
import { waitForRun } from './connections.ts';
import { emit, table, unknownCommand } from './output.ts';
import { adminClient, CliError, parse, type AdminClient, type Command } from './shared.ts';

export const DRIFT_USAGE = `usage: scimwright drift <command> [--json]

  scan ID [--wait] [--timeout SECONDS]   a drift scan now; prints the run id, with --wait the findings
  list ID                                the last scan's findings (a table; --json for the API's JSON)
  allow ID --email EMAIL --reason TEXT   a shadow account may stay (break-glass admin, service account)`;
const SUBCOMMANDS = ['scan', 'list', 'allow'];

interface DriftView {
  lastScan?: { runId: string; at: string; members: number; findings: number; repaired: number };
  findings: Array<Record<string, unknown>>;
  allowed: Array<Record<string, unknown>>;
}

const path = (id: string) => `/connections/${encodeURIComponent(id)}`;

function findingsText(view: DriftView): string {
  if (!view.lastScan) return 'Not scanned yet.';
  const s = view.lastScan;
  return `Last scan ${s.at} (run ${s.runId}): ${s.members} members listed, ${s.findings} finding(s)${s.repaired ? `, ${s.repaired} sent to converge` : ''}.\n`
    + table(view.findings, [
      ['KIND', (f) => f.kind], ['EMAIL', (f) => f.email], ['FIRST SEEN (UTC)', (f) => f.firstSeen], ['LAST SEEN (UTC)', (f) => f.lastSeen], ['DETAIL', (f) => f.detail],
    ], 'No drift found.');
}

async function scan(client: AdminClient, args: string[]): Promise<number> {
  const { values, positionals } = parse('drift scan', args, { wait: { type: 'boolean' }, timeout: { type: 'string', default: '600' } }, 1);
  const id = positionals[0];
  if (!id) throw new CliError(`drift scan: the connection id is missing\n${DRIFT_USAGE}`);
  const timeout = Number(values.timeout);
  if (!(timeout > 0)) throw new CliError('drift scan: --timeout must be a positive number of seconds');
  const { runId } = (await client.request('POST', `${path(id)}/drift-scan`)) as { runId: string };
  if (!values.wait) {
    emit(values.json, { runId }, () => runId);
    return 0;
  }
  if (!values.json) process.stdout.write(`${runId}\n`);
  const run = await waitForRun(client, runId, timeout * 1000);
  if (run.status !== 'succeeded') {
    emit(values.json, { runId, ...run }, () => `Drift scan failed: ${String(run.error ?? 'unknown error')}`);
    return 1;
  }
  const view = (await client.request('GET', `${path(id)}/drift`)) as DriftView;
  emit(values.json, { runId, ...view }, () => findingsText(view));
  return 0;
}

async function list(client: AdminClient, args: string[]): Promise<number> {
  const { values, positionals } = parse('drift list', args, {}, 1);
  const id = positionals[0];
  if (!id) throw new CliError(`drift list: the connection id is missing\n${DRIFT_USAGE}`);
  const view = (await client.request('GET', `${path(id)}/drift`)) as DriftView;
  emit(values.json, view, () => findingsText(view));
  return 0;
}

async function allow(client: AdminClient, args: string[]): Promise<number> {
  const { values, positionals } = parse('drift allow', args, { email: { type: 'string' }, reason: { type: 'string' } }, 1);
  const id = positionals[0];
  if (!id || !values.email || !values.reason) throw new CliError(`drift allow ID --email EMAIL --reason TEXT\n${DRIFT_USAGE}`);
  const allowed = (await client.request('POST', `${path(id)}/drift/allowed`, { email: values.email, reason: values.reason })) as Record<string, unknown>;
  emit(values.json, allowed, () => `${String(allowed.email)} is allowed on ${id}; drift scans stay quiet about it.`);
  return 0;
}

export const driftCommand: Command = async (args) => {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'scan': return scan(adminClient(), rest);
    case 'list': return list(adminClient(), rest);
    case 'allow': return allow(adminClient(), rest);
    case undefined: throw new CliError(DRIFT_USAGE);
    default: throw unknownCommand('drift', sub, SUBCOMMANDS);
  }
};
