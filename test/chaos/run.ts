/**
 * `npm run chaos`: the full chaos run of issue 17 (CHAOS_USERS, default 200; CHAOS_MINUTES of
 * traffic, default 5), once per appendfsync mode, through the bench runner so that its figures land
 * in bench/results/ (the `chaos` entry). Exits 1 when any check failed.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bench = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', 'chaos'], { cwd: root, stdio: 'inherit', env: process.env });
const resultsDir = process.env.BENCH_RESULTS_DIR ? process.env.BENCH_RESULTS_DIR.replace(/\/+$/, '') : `${root}bench/results`;
const entry = (JSON.parse(readFileSync(`${resultsDir}/latest.json`, 'utf8')) as { benches: Record<string, { result?: { verdict?: string } }> }).benches.chaos;
const verdict = entry?.result?.verdict;
console.error(`[chaos] verdict: ${verdict ?? 'none (the run failed)'}`);
process.exit(bench.status === 0 && verdict === 'pass' ? 0 : 1);
