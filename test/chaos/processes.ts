/**
 * The real processes of a chaos or scale-out run: a redis-server on a fixed port and AOF folder
 * (so it can be SIGKILLed and started again on the same data), the gateway (bin/start.ts without
 * its embedded worker) and standalone workers (worker-main.ts), each in its own process group and
 * killed with its Chromium when asked.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { processTree } from '../../bench/proc-memory.ts';
import { spawnBin, type StartedProcess } from '../platform/start-process.ts';
import { waitFor } from '../support/wait.ts';

export type Fsync = 'always' | 'everysec';

/** redis-server on `port` with its AOF in `dir`; `kill9()` then `start()` again replays the same AOF. */
export class RedisProcess {
  private child: ChildProcess | undefined;

  constructor(readonly port: number, readonly dir: string, readonly fsync: Fsync) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn('redis-server', [
      '--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes',
      '--appendfsync', this.fsync, '--dir', this.dir, '--daemonize', 'no', '--loglevel', 'warning',
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    let output = '';
    child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    // At loglevel warning "Ready to accept connections" is not printed: ask with PING instead.
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`redis-server exited:\n${output}`);
      return ping(this.port);
    }, () => `redis-server on ${this.port}:\n${output}`, 30_000, 50);
  }

  /** SIGKILL: no AOF flush, what a crash or an OOM kill does. */
  kill9(): Promise<void> {
    return this.signal('SIGKILL');
  }

  /** SIGTERM: Redis flushes its AOF and exits. */
  stop(): Promise<void> {
    return this.signal('SIGTERM');
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }
}

async function ping(port: number): Promise<boolean> {
  const { createConnection } = await import('node:net');
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    let answer = '';
    socket.setTimeout(1000, () => { socket.destroy(); resolve(false); });
    socket.on('error', () => resolve(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (c) => {
      answer += c.toString();
      if (answer.includes('\r\n')) { socket.destroy(); resolve(answer.startsWith('+PONG')); }
    });
  });
}

export interface AppEnv {
  redisUrl: string;
  secretKey: string;
  adminToken: string;
  dataDir: string;
  recordingsDir: string;
}

function commonEnv(app: AppEnv): Record<string, string> {
  return {
    REDIS_URL: app.redisUrl, SCIMWRIGHT_SECRET_KEY: app.secretKey, SCIMWRIGHT_ADMIN_TOKEN: app.adminToken,
    SCIMWRIGHT_DATA_DIR: app.dataDir, SCIMWRIGHT_RECORDINGS_DIR: app.recordingsDir, LOG_LEVEL: 'warn', HOST: '127.0.0.1',
  };
}

/** The gateway alone (the workers run apart), as a several-box deployment runs it. */
export function spawnGateway(app: AppEnv, port: number): StartedProcess {
  return spawnBin('bin/start.ts', { ...commonEnv(app), PORT: String(port), SCIMWRIGHT_EMBEDDED_WORKER: 'false', SCIMWRIGHT_RATE_LIMIT_PER_MINUTE: '1000000' });
}

/** A standalone worker (worker-main.ts: bin/worker.ts with chaos-length timings). Ready once it logs "worker ready". */
export async function spawnWorker(app: AppEnv): Promise<StartedProcess> {
  const worker = spawnBin('test/chaos/worker-main.ts', { ...commonEnv(app), LOG_LEVEL: 'info' });
  await waitFor(async () => {
    if (worker.proc.exitCode !== null) throw new Error(`worker exited:\n${worker.output().slice(-3000)}`);
    return /worker ready/.test(worker.output());
  }, () => `worker ready:\n${worker.output().slice(-3000)}`, 60_000, 100);
  return worker;
}

/** kill -9 the process, its group and everything it started (its Chromium too), and waits for its exit. */
export async function killTree(started: StartedProcess): Promise<void> {
  const pid = started.proc.pid!;
  // Playwright starts Chromium in a process group of its own: find it below the worker first.
  const below = processTree(pid).slice(1);
  try { process.kill(-pid, 'SIGKILL'); } catch { /* gone */ }
  for (const p of below) {
    try { process.kill(p, 'SIGKILL'); } catch { /* gone */ }
  }
  await started.exited;
}

/** SIGTERM and wait; SIGKILL the tree after `ms`. */
export async function stopGracefully(started: StartedProcess, ms = 20_000): Promise<void> {
  if (started.proc.exitCode !== null || started.proc.signalCode !== null) return;
  try { process.kill(-started.proc.pid!, 'SIGTERM'); } catch { /* gone */ }
  await started.exitWithin(ms).catch(() => killTree(started));
}
