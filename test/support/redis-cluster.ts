/**
 * A local 3-master Redis Cluster for one test file: three `redis-server --cluster-enabled yes` on
 * free loopback ports, joined by `redis-cli --cluster create … --cluster-yes`, ready when every
 * node reports `cluster_state:ok`. No replicas: the tests prove slot routing, not failover.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './redis.ts';

const run = promisify(execFile);

export interface TestRedisCluster {
  /** `host:port,…`, the form SCIMWRIGHT_REDIS_CLUSTER takes. */
  seeds: string;
  ports: number[];
  stop(): Promise<void>;
}

export async function startRedisCluster(masters = 3): Promise<TestRedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'scimwright-cluster-'));
  const ports: number[] = [];
  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(children.map((child) => new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve(undefined);
      child.once('exit', resolve);
      child.kill('SIGKILL'); // throw-away data: no AOF to flush
    })));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters; i++) {
      const port = await freePort();
      const nodeDir = join(dir, String(port));
      mkdirSync(nodeDir);
      const child = spawn('redis-server', [
        '--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-config-file', join(nodeDir, 'nodes.conf'),
        '--cluster-node-timeout', '5000', '--save', '', '--appendonly', 'no', '--dir', nodeDir, '--daemonize', 'no', '--loglevel', 'warning',
      ], { stdio: 'ignore' });
      children.push(child);
      ports.push(port);
    }
    for (const port of ports) await untilReplies(port, ['PING'], /PONG/);
    await run('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes']);
    for (const port of ports) await untilReplies(port, ['CLUSTER', 'INFO'], /cluster_state:ok/);
  } catch (error) {
    await stop();
    throw error;
  }
  return { seeds: ports.map((p) => `127.0.0.1:${p}`).join(','), ports, stop };
}

async function untilReplies(port: number, command: string[], pattern: RegExp): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const out = await run('redis-cli', ['-p', String(port), ...command]).then((r) => r.stdout, () => '');
    if (pattern.test(out)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`redis node ${port} never answered ${command.join(' ')} with ${pattern}`);
}
