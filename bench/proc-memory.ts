/** Memory of a process tree from /proc: summed VmRSS (double-counts shared pages) and PSS. */
import { readFileSync, readdirSync } from 'node:fs';

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function children(pid: number): number[] {
  const tasks = (() => { try { return readdirSync(`/proc/${pid}/task`); } catch { return []; } })();
  return tasks.flatMap((tid) => (read(`/proc/${pid}/task/${tid}/children`) ?? '').split(/\s+/).filter(Boolean).map(Number));
}

/** `root` and its descendants, minus processes whose name is in `exclude` (and their subtrees). */
export function processTree(root: number, exclude: readonly string[] = []): number[] {
  const out: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    const name = (read(`/proc/${pid}/comm`) ?? '').trim();
    if (pid !== root && exclude.includes(name)) continue;
    out.push(pid);
    queue.push(...children(pid));
  }
  return out;
}

function kib(text: string | undefined, field: string): number {
  const match = text ? new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text) : null;
  return match ? Number(match[1]) : 0;
}

export interface TreeMemory { rssMiB: number; pssMiB: number | null; processes: number }

export function treeMemory(root: number, exclude: readonly string[] = []): TreeMemory {
  const pids = processTree(root, exclude);
  let rss = 0;
  let pss = 0;
  let pssReadable = true;
  for (const pid of pids) {
    rss += kib(read(`/proc/${pid}/status`), 'VmRSS');
    const rollup = read(`/proc/${pid}/smaps_rollup`);
    if (rollup === undefined) pssReadable = false;
    else pss += kib(rollup, 'Pss');
  }
  return { rssMiB: Math.round(rss / 1024), pssMiB: pssReadable ? Math.round(pss / 1024) : null, processes: pids.length };
}
