/**
 * Parent side of the load client: forks load-client.ts once and sends it one LoadSpec at a time.
 * The client runs in its own process so the gateway's event loop only serves requests; on a
 * 2-core machine the two processes still share the CPUs, which the README points out.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { LoadResult, LoadSpec } from './load-protocol.ts';

export interface LoadClient {
  run(spec: LoadSpec): Promise<LoadResult>;
  close(): Promise<void>;
}

type Reply = { id: number; result?: LoadResult; error?: string };

export function startLoadClient(): LoadClient {
  const child: ChildProcess = fork(fileURLToPath(new URL('./load-client.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, { resolve: (r: LoadResult) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  child.on('message', (reply: Reply) => {
    const waiter = pending.get(reply.id);
    pending.delete(reply.id);
    if (reply.error) waiter?.reject(new Error(`load client: ${reply.error}`));
    else waiter?.resolve(reply.result!);
  });
  child.once('exit', (code) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`load client exited with ${code}`));
    pending.clear();
  });
  return {
    run(spec) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        child.send({ id, spec });
      });
    },
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.disconnect();
      await exited;
    },
  };
}
