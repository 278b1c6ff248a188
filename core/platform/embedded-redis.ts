/**
 * A private redis-server: loopback only, a free port, AOF on, data in a given folder, stopped on
 * request. `npm start` runs one under the data dir when REDIS_URL is unset; tests and benches
 * start their own through the same function.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { loadOrCreateSecretFile } from './key-file.ts';

export interface RedisServer {
  url: string;
  port: number;
  dir: string;
  stop(): Promise<void>;
}

export interface RedisServerOptions {
  /** Folder for the AOF; created (0700) when missing. */
  dir: string;
  /** `everysec` (default) loses at most a second of writes on a crash; `always` fsyncs every write. */
  appendfsync?: 'everysec' | 'always';
  /**
   * `requirepass` for the server. It goes into a 0600 config file in `dir`, never on the command
   * line (which `ps` shows to every local user); the returned URL carries it.
   */
  password?: string;
  /** Kill the server when this process dies, however it dies (a watchdog; see below). */
  dieWithParent?: boolean;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no free port'))));
    });
  });
}

export async function startRedisServer(options: RedisServerOptions): Promise<RedisServer> {
  mkdirSync(options.dir, { recursive: true, mode: 0o700 });
  const port = await freePort();
  const args = [
    '--port', String(port), '--bind', '127.0.0.1', '--protected-mode', 'yes',
    '--save', '', '--appendonly', 'yes', '--appendfsync', options.appendfsync ?? 'everysec',
    '--dir', options.dir, '--daemonize', 'no', '--loglevel', 'notice',
  ];
  if (options.password !== undefined) args.unshift(writePasswordConfig(options.dir, options.password));
  // Its own process group: a Ctrl-C or a group SIGTERM reaches only us, and we stop Redis last.
  const child: ChildProcess = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'], detached: options.dieWithParent ?? false });
  if (options.dieWithParent) watchParent(child);
  try {
    await waitForReady(child);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  const auth = options.password !== undefined ? `:${encodeURIComponent(options.password)}@` : '';
  return {
    url: `redis://${auth}127.0.0.1:${port}`,
    port,
    dir: options.dir,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM'); // redis flushes the AOF on SIGTERM
      await exited;
    },
  };
}

function writePasswordConfig(dir: string, password: string): string {
  if (!/^[A-Za-z0-9_-]{16,}$/.test(password)) throw new Error('the embedded Redis password must be 16+ URL-safe characters');
  const path = join(dir, 'redis.conf');
  writeFileSync(path, `# written by scimwright at each start; the password is DATA_DIR/redis.pass\nrequirepass ${password}\n`, { mode: 0o600 });
  return path;
}

/**
 * Redis has no "die with parent" option and a SIGKILLed Node runs no exit handler, so a tiny
 * shell watchdog polls both PIDs each second and stops Redis (SIGTERM: the AOF is flushed) once
 * this process is gone. It exits by itself when Redis does.
 */
function watchParent(child: ChildProcess): void {
  if (!child.pid) return;
  const script = 'while kill -0 "$1" 2>/dev/null && kill -0 "$2" 2>/dev/null; do sleep 1; done; kill -TERM "$2" 2>/dev/null';
  spawn('sh', ['-c', script, 'scimwright-redis-watchdog', String(process.pid), String(child.pid)], { detached: true, stdio: 'ignore' }).unref();
}

/**
 * The embedded Redis of `npm start`: its data lives in `<dataDir>/redis`, it asks for the password
 * kept in `<dataDir>/redis.pass` (0600, made at first start), and it dies with this process.
 */
export function startEmbeddedRedis(dataDir: string): Promise<RedisServer> {
  const password = loadOrCreateSecretFile(dataDir, 'redis.pass', () => randomBytes(32).toString('base64url'));
  return startRedisServer({ dir: join(dataDir, 'redis'), password, dieWithParent: true });
}

function waitForReady(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${output}`)), 15_000);
    timer.unref();
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (/ready to accept connections/i.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', (error) => reject(new Error(`cannot run redis-server: ${error.message}`)));
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}:\n${output}`)));
  });
}
