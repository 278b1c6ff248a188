/**
 * Starts the Hex sandbox: the admin pages, Hex's SCIM 2.0 API at `<url>/api/v1/scim/v2`, and a
 * test-only JSON view of its state at `/__sandbox/state`. A test fixture; it copies hex.md, not Hex.
 */
import Fastify from 'fastify';
import { DEFAULT_KNOBS, type HexKnobs, type HexPresentation } from './knobs.ts';
import { scimRoutes } from './scim-routes.ts';
import { HexState, type HexSnapshot, type SeedUser } from './state.ts';
import { uiRoutes } from './ui-routes.ts';

export interface HexSandboxOptions extends Partial<Omit<HexKnobs, 'presentation'>> {
  /** Presentation knobs over DEFAULT_PRESENTATION (variants.ts names whole presets). */
  presentation?: Partial<HexPresentation>;
  /** Default 0 (a free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Users in the workspace before the test (the admin is always there, as Admin). */
  seedUsers?: SeedUser[];
}

export interface HexSandbox {
  url: string;
  /** `<url>/api/v1/scim/v2`, as the SCIM tab shows it. */
  scimBaseUrl: string;
  state: HexState;
  knobs: HexKnobs;
  setKnobs(partial: Partial<HexKnobs>): void;
  /** Test helper: issues a token as Generate would (replacing the current one) and returns it. */
  issueToken(): string;
  snapshot(): HexSnapshot;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startHexSandbox(options: HexSandboxOptions = {}): Promise<HexSandbox> {
  const { port = 0, host = '127.0.0.1', seedUsers = [], presentation, ...knobOverrides } = options;
  const knobs: HexKnobs = {
    ...DEFAULT_KNOBS, admin: { ...DEFAULT_KNOBS.admin }, ...knobOverrides,
    presentation: { ...DEFAULT_KNOBS.presentation, ...presentation },
  };
  const state = new HexState();
  state.seed({ email: knobs.admin.email, name: knobs.admin.name, role: 'Admin' });
  for (const seed of seedUsers) state.seed(seed);
  let url = '';
  const scimBaseUrl = () => `${url}/api/v1/scim/v2`;

  const app = Fastify({ logger: false });
  const json = app.getDefaultJsonParser('error', 'ignore');
  // An empty body with a SCIM content type (a DELETE from some clients) is no body, not an error.
  app.addContentTypeParser('application/scim+json', { parseAs: 'string' }, (request, body, done) =>
    body === '' ? done(null, undefined) : json(request, body as string, done));
  app.addHook('onRequest', async () => {
    if (knobs.latencyMs > 0) await sleep(knobs.latencyMs);
  });
  app.get('/__sandbox/state', async () => state.snapshot());
  await app.register(async (scim) => scimRoutes(scim, { state, knobs, base: scimBaseUrl }), { prefix: '/api/v1/scim/v2' });
  await app.register(async (ui) => uiRoutes(ui, { state, knobs, scimBaseUrl }));

  const address = await app.listen({ port, host });
  url = address.replace('[::1]', 'localhost');
  return {
    url,
    scimBaseUrl: scimBaseUrl(),
    state,
    knobs,
    setKnobs: (partial) => Object.assign(knobs, partial),
    issueToken: () => state.issueToken(knobs.admin.email),
    snapshot: () => state.snapshot(),
    stop: () => app.close(),
  };
}
