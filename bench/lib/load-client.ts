/**
 * The load generator, run as a child process (see load.ts) so that building requests and parsing
 * responses does not run on the gateway's event loop. Plain node:http with keep-alive sockets:
 * lighter per request than fetch, so more of the two cores go to the server being measured.
 */
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { LoadResult, LoadSpec } from './load-protocol.ts';
import { benchUser } from './users.ts';

interface Outcome {
  status: number;
  body: string;
}

function send(agent: Agent, spec: LoadSpec, method: string, path: string, payload?: string): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...spec.headers };
    if (payload !== undefined) {
      headers['content-type'] = 'application/scim+json';
      headers['content-length'] = Buffer.byteLength(payload);
    }
    const req = request(new URL(path, spec.origin), { method, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** Sends requests numbered [from, to) with `concurrency` in flight; calls `done` per response. */
async function phase(spec: LoadSpec, agent: Agent, from: number, to: number, done: (n: number, ms: number, out: Outcome) => void) {
  let next = from;
  const plan = spec.plan;
  const worker = async () => {
    while (next < to) {
      const n = next++;
      const started = performance.now();
      const out = plan.kind === 'get'
        ? await send(agent, spec, 'GET', plan.paths[n % plan.paths.length]!)
        : await send(agent, spec, 'POST', plan.path, JSON.stringify(benchUser(plan.userPrefix, plan.firstIndex + n)));
      done(n, performance.now() - started, out);
    }
  };
  await Promise.all(Array.from({ length: Math.min(spec.concurrency, Math.max(1, to - from)) }, worker));
}

/** One keep-alive pool per origin and concurrency, kept across runs: chunks of a phase reuse sockets. */
const agents = new Map<string, Agent>();

function agentFor(spec: LoadSpec): Agent {
  const key = `${spec.origin} ${spec.concurrency}`;
  let agent = agents.get(key);
  if (!agent) agents.set(key, (agent = new Agent({ keepAlive: true, maxSockets: spec.concurrency })));
  return agent;
}

async function run(spec: LoadSpec): Promise<LoadResult> {
  const agent = agentFor(spec);
  const latenciesMs: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const check = (out: Outcome) => {
    if (out.status === spec.expectStatus) return;
    errors++;
    firstError ??= `${out.status} ${out.body.slice(0, 300)}`;
  };
  // Warm-up fills the socket pool and the JIT; it ends before the measured clock starts.
  await phase(spec, agent, 0, spec.warmup, (_n, _ms, out) => check(out));
  const started = performance.now();
  await phase(spec, agent, spec.warmup, spec.warmup + spec.count, (_n, ms, out) => {
    latenciesMs.push(ms);
    check(out);
  });
  const elapsedMs = performance.now() - started;
  const posted = spec.plan.kind === 'post' ? spec.warmup + spec.count : 0;
  return { latenciesMs, elapsedMs, errors, posted, ...(firstError ? { firstError } : {}) };
}

process.on('message', (message: { id: number; spec: LoadSpec }) => {
  run(message.spec).then(
    (result) => process.send?.({ id: message.id, result }),
    (error: Error) => process.send?.({ id: message.id, error: error.stack ?? error.message }),
  );
});
process.on('disconnect', () => {
  for (const agent of agents.values()) agent.destroy();
  process.exit(0);
});
