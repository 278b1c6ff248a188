/** How CLI commands print: a readable table or key/value lines by default, the API's JSON under --json. */
import { CliError } from './shared.ts';

export type Column = [header: string, cell: (row: Record<string, unknown>) => unknown];

const text = (value: unknown): string => (value === undefined || value === null || value === '' ? '-'
  : typeof value === 'object' ? JSON.stringify(value) : String(value));

/** Left-aligned columns padded to their widest cell; an empty list says so instead of printing a bare header. */
export function table(rows: Array<Record<string, unknown>>, columns: Column[], empty = '(none)'): string {
  if (rows.length === 0) return empty;
  const cells = [columns.map(([header]) => header), ...rows.map((row) => columns.map(([, cell]) => text(cell(row))))];
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => line[i]!.length)));
  return cells.map((line) => line.map((cell, i) => (i === line.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n');
}

/** One `key: value` line per field, nested objects inline as JSON: for `get`-style commands. */
export function fields(record: Record<string, unknown>): string {
  const width = Math.max(...Object.keys(record).map((key) => key.length));
  return Object.entries(record).map(([key, value]) => `${`${key}:`.padEnd(width + 1)} ${text(value)}`).join('\n');
}

/** Prints `value` as JSON when --json was given, else the readable rendering. */
export function emit(json: boolean | undefined, value: unknown, readable: () => string): void {
  process.stdout.write(`${json ? JSON.stringify(value, null, 2) : readable()}\n`);
}

function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** The closest known name, if it is close enough to be what was meant (a typo or a prefix). */
export function suggest(given: string, known: readonly string[]): string | undefined {
  const scored = known.map((name) => ({ name, score: name.startsWith(given) && given.length >= 2 ? 0 : distance(given, name) }));
  const best = scored.sort((a, b) => a.score - b.score)[0];
  return best && best.score <= Math.max(2, Math.floor(given.length / 3)) ? best.name : undefined;
}

/** "unknown command: X", a "did you mean" when one is close, and where to look; exit 2 like any usage error. */
export function unknownCommand(prefix: string, given: string, known: readonly string[]): CliError {
  const full = prefix ? `${prefix} ${given}` : given;
  const guess = suggest(given, known);
  const hint = guess ? `\nDid you mean: scimwright ${prefix ? `${prefix} ` : ''}${guess}?` : '';
  return new CliError(`unknown command: ${full}${hint}\nRun scimwright ${prefix ? `${prefix} ` : ''}--help to see the commands.`);
}
