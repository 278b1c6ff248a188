/**
 * `tsx bin/start.ts` as a child process for the start-up and shutdown tests: its own process group
 * (so a test can signal the group, as a terminal's Ctrl-C does), a temp data dir, a free port, and
 * a way to find the redis-server it started (Redis chdirs into its data folder).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../support/wait.ts';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const ADMIN = 'platform-admin-token-0123456789abcdef';

export interface StartedProcess {
  proc: ChildProcess;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves once it prints its origin, or throws with its output if it exits first. */
  ready(): Promise<string>;
  /** Its exit, or an error naming its output if it still runs after `ms`. */
  exitWithin(ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function tempDirs(): { dataDir: string; recordingsDir: string; remove(): void } {
  const base = mkdtempSync(join(tmpdir(), 'scimwright-start-'));
  return { dataDir: join(base, 'data'), recordingsDir: join(base, 'recordings'), remove: () => rmSync(base, { recursive: true, force: true }) };
}

export function spawnStart(dataDir: string, recordingsDir: string, port: number, env: Record<string, string> = {}): StartedProcess {
  return spawnBin('bin/start.ts', {
    PORT: String(port), HOST: '127.0.0.1', SCIMWRIGHT_DATA_DIR: dataDir, SCIMWRIGHT_RECORDINGS_DIR: recordingsDir,
    SCIMWRIGHT_ADMIN_TOKEN: ADMIN, LOG_LEVEL: 'warn', REDIS_URL: '', SCIMWRIGHT_EMBEDDED_WORKER: 'false', ...env,
  });
}

/** `tsx <script>` in its own process group (bin/start.ts, bin/worker.ts); `ready()` waits for "listening on". */
export function spawnBin(script: string, env: Record<string, string>): StartedProcess {
  const proc = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env },
  });
  const chunks: string[] = [];
  proc.stdout!.on('data', (c: Buffer) => chunks.push(c.toString()));
  proc.stderr!.on('data', (c: Buffer) => chunks.push(c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
  const output = () => chunks.join('');
  return {
    proc, output, exited,
    exitWithin(ms) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`still running after ${ms} ms:\n${output().slice(-2000)}`)), ms);
      });
      return Promise.race([exited, late]).finally(() => clearTimeout(timer));
    },
    async ready() {
      await waitFor(async () => /listening on/.test(output()) || proc.exitCode !== null || proc.signalCode !== null, () => `start: ${output()}`, 60_000);
      const origin = /listening on (http:\/\/\S+)/.exec(output())?.[1];
      if (!origin) throw new Error(`scimwright did not start:\n${output()}`);
      return origin;
    },
  };
}

/** PIDs of redis-server processes working in `<dataDir>/redis`. */
export function redisServersOf(dataDir: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (!readFileSync(`/proc/${name}/comm`, 'utf8').startsWith('redis-server')) continue;
      if (readlinkSync(`/proc/${name}/cwd`) === join(dataDir, 'redis')) pids.push(Number(name));
    } catch { /* gone meanwhile */ }
  }
  return pids;
}

/** Ends a child (and its group) if a test left it running, then waits for the last redis-server. */
export async function cleanUp(started: StartedProcess | undefined, dataDir: string): Promise<void> {
  if (started && started.proc.exitCode === null && started.proc.signalCode === null) {
    try { process.kill(-started.proc.pid!, 'SIGKILL'); } catch { /* gone */ }
    await started.exited;
  }
  for (const pid of redisServersOf(dataDir)) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  }
}

/**
 * A UXPin connection on `origin` and one SCIM user whose browser job is under way: the run that a
 * shutdown test interrupts (the sandbox is set to hang its writes by the caller).
 */
export async function userJobRunning(origin: string, sandbox: { url: string; admin: { email: string; password: string } }): Promise<{ runId: string }> {
  const admin = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' };
  const created = await fetch(`${origin}/admin/v1/connections`, {
    method: 'POST', headers: admin,
    body: JSON.stringify({ id: 'acme', connector: 'uxpin', baseUrl: sandbox.url, credentials: { email: sandbox.admin.email, password: sandbox.admin.password } }),
  });
  if (created.status !== 201) throw new Error(`connection not created: ${created.status} ${await created.text()}`);
  const { token } = await created.json() as { token: string };
  const user = await fetch(`${origin}/scim/v2/acme/Users`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
    body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'kim@example.test', active: true }),
  });
  if (user.status !== 201) throw new Error(`user not created: ${user.status}`);
  const [running] = await waitFor(async () => {
    const res = await fetch(`${origin}/admin/v1/connections/acme/runs?status=running`, { headers: admin });
    const runs = (await res.json() as { runs: Array<{ runId: string }> }).runs;
    return runs.length > 0 && runs;
  }, 'a running browser job', 60_000);
  return running!;
}
