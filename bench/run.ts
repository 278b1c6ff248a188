/**
 * `npm run bench [-- name …]`: runs the benches (all, or those named) one after another and
 * writes bench/results/latest.json and latest.md. A bench is a module exporting
 * `async function benchX(): Promise<Record<string, unknown>>`; modules that do not exist yet are
 * skipped with a note. Results of benches not run this time are kept from the previous file, so
 * `npm run bench -- gateway` refreshes the gateway figures only.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { machineFacts, resultsMarkdown, type BenchEntry, type Results } from './lib/report.ts';

type BenchFn = () => Promise<Record<string, unknown>>;

/** The registry: name on the command line → module (beside this file) and its export. */
const BENCHES: Array<{ name: string; file: string; exportName: string }> = [
  { name: 'gateway', file: './gateway.ts', exportName: 'benchGateway' },
  { name: 'runner', file: './runner.ts', exportName: 'benchRunner' },
  { name: 'uxpin', file: './uxpin.ts', exportName: 'benchUxpin' },
  { name: 'uxpin-onboarding', file: './uxpin-onboarding.ts', exportName: 'benchUxpinOnboarding' },
  { name: 'entra-cycle', file: './entra-cycle.ts', exportName: 'benchEntraCycle' },
  { name: 'adversarial', file: './adversarial.ts', exportName: 'benchAdversarial' },
  { name: 'audit', file: './audit.ts', exportName: 'benchAudit' },
  { name: 'uxpin-phases', file: './uxpin-phases.ts', exportName: 'benchUxpinPhases' },
  { name: 'users-list', file: './users-list.ts', exportName: 'benchUsersList' },
  { name: 'chaos', file: './chaos.ts', exportName: 'benchChaos' },
  { name: 'scale-out', file: './scale-out.ts', exportName: 'benchScaleOut' },
  { name: 'drift-scan', file: './drift-scan.ts', exportName: 'benchDriftScan' },
  { name: 'uxpin-first-cycle', file: './uxpin-first-cycle.ts', exportName: 'benchUxpinFirstCycle' },
];

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
/** BENCH_RESULTS_DIR sends a trial run's files elsewhere, keeping the committed figures. */
const RESULTS_DIR = process.env.BENCH_RESULTS_DIR ? `${process.env.BENCH_RESULTS_DIR.replace(/\/+$/, '')}/` : here('./results/');
const JSON_FILE = `${RESULTS_DIR}latest.json`;
const MD_FILE = `${RESULTS_DIR}latest.md`;

function selected(args: string[]) {
  const unknown = args.filter((a) => !BENCHES.some((b) => b.name === a));
  if (unknown.length > 0) {
    throw new Error(`unknown bench ${unknown.join(', ')}; known: ${BENCHES.map((b) => b.name).join(', ')}`);
  }
  return args.length === 0 ? BENCHES : BENCHES.filter((b) => args.includes(b.name));
}

function previousResults(): Results['benches'] {
  if (!existsSync(JSON_FILE)) return {};
  try {
    return (JSON.parse(readFileSync(JSON_FILE, 'utf8')) as Results).benches ?? {};
  } catch {
    return {};
  }
}

async function runOne(bench: (typeof BENCHES)[number]): Promise<BenchEntry> {
  const started = performance.now();
  const entry = (extra: Partial<BenchEntry>): BenchEntry => ({
    ranAt: new Date().toISOString(), seconds: Number(((performance.now() - started) / 1000).toFixed(1)), machine: machineFacts(), ...extra,
  });
  if (!existsSync(here(bench.file))) return entry({ skipped: `bench/${bench.file.slice(2)} does not exist yet` });
  try {
    const mod = (await import(bench.file)) as Record<string, unknown>;
    const fn = mod[bench.exportName];
    if (typeof fn !== 'function') return entry({ skipped: `bench/${bench.file.slice(2)} exports no ${bench.exportName}()` });
    const result = await (fn as BenchFn)();
    return entry({ result });
  } catch (error) {
    return entry({ error: (error as Error).stack ?? String(error) });
  }
}

async function main() {
  const benches = selected(process.argv.slice(2));
  const results: Results = { updatedAt: '', benches: previousResults() };
  let failed = false;
  for (const bench of benches) {
    console.error(`[bench] ${bench.name}…`);
    const entry = await runOne(bench);
    results.benches[bench.name] = entry;
    if (entry.skipped) console.error(`[bench] ${bench.name} skipped: ${entry.skipped}`);
    else if (entry.error) { failed = true; console.error(`[bench] ${bench.name} failed:\n${entry.error}`); }
    else console.error(`[bench] ${bench.name} done in ${entry.seconds} s`);
    // Written after each bench, so a later crash keeps the figures already measured.
    results.updatedAt = new Date().toISOString();
    mkdirSync(RESULTS_DIR, { recursive: true });
    writeFileSync(JSON_FILE, `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync(MD_FILE, resultsMarkdown(results));
  }
  console.error(`[bench] results: ${MD_FILE}`);
  process.exitCode = failed ? 1 : 0;
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exitCode = 1;
});
