/**
 * The results file and its Markdown twin. A bench returns any JSON-able record; if it holds
 * `tables` (below) they become Markdown tables, otherwise its top-level values are listed.
 */
import { availableParallelism, cpus, loadavg, release, totalmem } from 'node:os';
import { execFileSync } from 'node:child_process';

export interface Table {
  title: string;
  columns: string[];
  rows: Array<Array<string | number | null>>;
  /** One paragraph shown under the table. */
  note?: string;
}

export interface BenchEntry {
  /** ISO time the bench finished. */
  ranAt: string;
  seconds: number;
  machine: MachineFacts;
  result?: Record<string, unknown>;
  /** Set when the bench was not run (file missing) or failed. */
  skipped?: string;
  error?: string;
}

export interface Results {
  updatedAt: string;
  benches: Record<string, BenchEntry>;
}

export type MachineFacts = ReturnType<typeof machineFacts>;

export function machineFacts() {
  return {
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)),
    node: process.version,
    os: `${process.platform} ${release()}`,
    redis: redisVersion(),
    /** 1, 5 and 15 minute load averages when the bench ended: above the cpu count, other work shared the machine. */
    loadAverage: loadavg().map((l) => Number(l.toFixed(2))),
    date: new Date().toISOString(),
  };
}

function redisVersion(): string {
  try {
    return /v=(\S+)/.exec(execFileSync('redis-server', ['--version'], { encoding: 'utf8' }))?.[1] ?? 'unknown';
  } catch {
    return 'not installed';
  }
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'number') return value.toLocaleString('en-US', { maximumFractionDigits: 2 });
  return String(value).replace(/\|/g, '\\|');
}

export function tableMarkdown(table: Table): string {
  const lines = [`### ${table.title}`, '', `| ${table.columns.join(' | ')} |`, `| ${table.columns.map(() => '---').join(' | ')} |`];
  for (const row of table.rows) lines.push(`| ${row.map(cell).join(' | ')} |`);
  if (table.note) lines.push('', table.note);
  return lines.join('\n');
}

function isTableList(value: unknown): value is Table[] {
  return Array.isArray(value) && value.every((t) => typeof t === 'object' && t !== null && 'columns' in t && 'rows' in t);
}

function entryMarkdown(name: string, entry: BenchEntry): string {
  const m = entry.machine;
  const head = [`## ${name}`, '', `Ran ${entry.ranAt} in ${entry.seconds} s on ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, Node ${m.node}, Redis ${m.redis}, ${m.os}; load average ${m.loadAverage?.join(' / ') ?? '?'} (1/5/15 min) at the end.`];
  if (entry.skipped) return [...head, '', `Skipped: ${entry.skipped}`].join('\n');
  if (entry.error) return [...head, '', 'Failed:', '', '```', entry.error, '```'].join('\n');
  const result = entry.result ?? {};
  if (isTableList(result.tables)) return [...head, '', ...result.tables.map(tableMarkdown).flatMap((t) => [t, ''])].join('\n');
  const rows = Object.entries(result).map(([key, value]) => [key, typeof value === 'object' ? JSON.stringify(value) : String(value)]);
  return [...head, '', tableMarkdown({ title: 'Result', columns: ['key', 'value'], rows })].join('\n');
}

export function resultsMarkdown(results: Results): string {
  const parts = [
    '# Benchmark results',
    '',
    `Written by \`npm run bench\` (bench/run.ts) at ${results.updatedAt}; raw figures in latest.json. ` +
      'How to read them: bench/README.md. Compare figures only within one run (ratios), not across machines.',
    '',
  ];
  for (const [name, entry] of Object.entries(results.benches)) parts.push(entryMarkdown(name, entry), '');
  return `${parts.join('\n').trimEnd()}\n`;
}
