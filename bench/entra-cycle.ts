/**
 * Entra's provisioning budget (issue 13, item 4): an initial cycle of 2,000 users against one
 * connection as Entra runs it — per user a `userName eq` lookup and a create, then per group a
 * `displayName eq` lookup and a create, then one member-Add PATCH per user — with requests per
 * second and p95 per kind; Entra needs ≥ 25 requests/s per tenant. Beside it, Okta's import of
 * the same directory (`count=100` pages, one at a time and 16 at a time).
 *
 * The load runs in this process over real HTTP (fetch) to the gateway listening on loopback, so
 * client and server share the CPU: the figures are a floor for a gateway on its own machine.
 */
import { performance } from 'node:perf_hooks';
import { startFixture, type Fixture } from './lib/gateway-fixture.ts';
import type { Table } from './lib/report.ts';
import { summarize, type Summary } from './lib/stats.ts';

const USERS = Number(process.env.BENCH_ENTRA_USERS ?? 2_000);
const GROUPS = Number(process.env.BENCH_ENTRA_GROUPS ?? 20);
/** Entra's provisioning service runs several requests at once per job. */
const PARALLEL = Number(process.env.BENCH_ENTRA_PARALLEL ?? 8);
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

type Kind = 'lookup user' | 'create user' | 'lookup group' | 'create group' | 'add member' | 'import page';

class Recorder {
  readonly samples = new Map<Kind, number[]>();
  async call(fx: Fixture, kind: Kind, method: string, path: string, body?: unknown): Promise<any> {
    const started = performance.now();
    const res = await fetch(`${fx.origin}${fx.base}${path}`, {
      method, headers: { ...fx.headers, 'user-agent': 'Microsoft Azure AD SCIM Client', ...(body ? { 'content-type': 'application/scim+json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    (this.samples.get(kind) ?? this.samples.set(kind, []).get(kind)!).push(performance.now() - started);
    if (res.status >= 300) throw new Error(`${kind}: ${method} ${path} answered ${res.status} ${text.slice(0, 200)}`);
    return text ? JSON.parse(text) : undefined;
  }
}

/** Runs `task(i)` for i in 0…n-1, `parallel` at a time. */
async function pool(n: number, parallel: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: parallel }, async () => {
    while (next < n) await task(next++);
  }));
}

const q = (filter: string) => encodeURIComponent(filter);

async function entraCycle(fx: Fixture, rec: Recorder): Promise<{ ms: number; requests: number }> {
  const started = performance.now();
  const userIds: string[] = new Array(USERS);
  await pool(USERS, PARALLEL, async (i) => {
    const userName = `entra.user${i}@contoso.com`;
    await rec.call(fx, 'lookup user', 'GET', `/Users?filter=${q(`userName eq "${userName}"`)}`);
    const created = await rec.call(fx, 'create user', 'POST', '/Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
      externalId: `ext-${i}`, userName, active: true, title: null, emails: [{ primary: true, type: 'work', value: userName }],
      name: { formatted: `User ${i}`, givenName: 'User', familyName: String(i) }, roles: [], meta: { resourceType: 'User' },
    });
    userIds[i] = created.id as string;
  });
  const groupIds: string[] = new Array(GROUPS);
  await pool(GROUPS, PARALLEL, async (g) => {
    const displayName = `Entra Group ${g}`;
    await rec.call(fx, 'lookup group', 'GET', `/Groups?excludedAttributes=members&filter=${q(`displayName eq "${displayName}"`)}`);
    groupIds[g] = (await rec.call(fx, 'create group', 'POST', '/Groups', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group', 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'], displayName,
    })).id as string;
  });
  await pool(USERS, PARALLEL, async (i) => {
    await rec.call(fx, 'add member', 'PATCH', `/Groups/${groupIds[i % GROUPS]}`, {
      schemas: [PATCH_OP], Operations: [{ op: 'Add', path: 'members', value: [{ $ref: null, value: userIds[i] }] }],
    });
  });
  const requests = [...rec.samples.values()].reduce((n, s) => n + s.length, 0);
  return { ms: performance.now() - started, requests };
}

async function oktaImport(fx: Fixture, parallel: number): Promise<Summary> {
  const rec = new Recorder();
  const pages = Math.ceil(USERS / 100);
  const started = performance.now();
  await pool(pages * 4, parallel, async (i) => {
    await rec.call(fx, 'import page', 'GET', `/Users?startIndex=${(i % pages) * 100 + 1}&count=100`);
  });
  return summarize(rec.samples.get('import page')!, performance.now() - started);
}

export async function benchEntraCycle(): Promise<Record<string, unknown>> {
  const fx = await startFixture('everysec');
  try {
    const rec = new Recorder();
    const cycle = await entraCycle(fx, rec);
    const overall = summarize([...rec.samples.values()].flat(), cycle.ms);
    const kinds = [...rec.samples.entries()].map(([kind, s]) => [kind, summarize(s, cycle.ms)] as const);
    const imports = [[1, await oktaImport(fx, 1)], [16, await oktaImport(fx, 16)]] as const;
    const tables: Table[] = [{
      title: `Entra initial cycle: ${USERS} users, ${GROUPS} groups, ${PARALLEL} requests at a time, one connection`,
      columns: ['requests', 'n', 'p50 ms', 'p95 ms', 'p99 ms', 'requests/s (whole cycle)'],
      rows: [
        ['all', overall.n, overall.p50Ms, overall.p95Ms, overall.p99Ms, overall.rps],
        ...kinds.map(([kind, s]) => [kind, s.n, s.p50Ms, s.p95Ms, s.p99Ms, null]),
      ],
      note: `Entra needs ≥ 25 requests/s per tenant; the whole cycle ran at ${overall.rps} requests/s. Load and gateway share this process's CPU.`,
    }, {
      title: `Okta import of the same ${USERS} users (count=100 pages)`,
      columns: ['pages at a time', 'pages', 'p50 ms', 'p95 ms', 'pages/s'],
      rows: imports.map(([parallel, s]) => [parallel, s.n, s.p50Ms, s.p95Ms, s.rps]),
    }];
    return { tables, entraRequestsPerSecond: overall.rps, entraP95Ms: overall.p95Ms };
  } finally {
    await fx.close();
  }
}
