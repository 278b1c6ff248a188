/**
 * A private redis-server: loopback only, a free port, AOF on, data in a given folder, stopped on
 * request. `npm start` runs one under the data dir when REDIS_URL is unset; tests and benches
 * start their own through the same function.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

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
  const child: ChildProcess = spawn('redis-server', [
    '--port', String(port), '--bind', '127.0.0.1', '--protected-mode', 'yes',
    '--save', '', '--appendonly', 'yes', '--appendfsync', options.appendfsync ?? 'everysec',
    '--dir', options.dir, '--daemonize', 'no', '--loglevel', 'notice',
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  await waitForReady(child);
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir: options.dir,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM'); // redis flushes the AOF on SIGTERM
      await exited;
    },
  };
}

/** The embedded Redis of `npm start`: its data lives in `<dataDir>/redis`. */
export function startEmbeddedRedis(dataDir: string): Promise<RedisServer> {
  return startRedisServer({ dir: join(dataDir, 'redis') });
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
