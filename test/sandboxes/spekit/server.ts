/**
 * Starts the Spekit sandbox: the admin pages, the SCIM 2.0 API at `<url>/scim/v2`, and a test-only
 * JSON view of its state at `/__sandbox/state`. A test fixture; it copies spekit.md, not Spekit.
 */
import Fastify from 'fastify';
import { DEFAULT_KNOBS, type SpekitKnobs, type SpekitPresentation } from './knobs.ts';
import { scimRoutes } from './scim-routes.ts';
import { SpekitState, type HandUser, type SpekitSnapshot } from './state.ts';
import { uiRoutes } from './ui-routes.ts';

export interface SpekitSandboxOptions extends Partial<Omit<SpekitKnobs, 'presentation'>> {
  /** Presentation knobs over DEFAULT_PRESENTATION (variants.ts names whole presets). */
  presentation?: Partial<SpekitPresentation>;
  /** Default 0 (a free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Users created by hand or invitation: not listed over SCIM, but their userName is taken. */
  handUsers?: HandUser[];
  /** Default 'acme'. */
  workspace?: string;
}

export interface SpekitSandbox {
  url: string;
  /** The SCIM Endpoint URL the SCIM step shows. */
  endpointUrl: string;
  state: SpekitState;
  knobs: SpekitKnobs;
  setKnobs(partial: Partial<SpekitKnobs>): void;
  /** Test helper: issues a token as Generate would (replacing the current one) and returns it. */
  issueToken(): string;
  /** Test helper: the user's first login, which turns Pending into Active. */
  markFirstLogin(userName: string): void;
  snapshot(): SpekitSnapshot;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startSpekitSandbox(options: SpekitSandboxOptions = {}): Promise<SpekitSandbox> {
  const { port = 0, host = '127.0.0.1', handUsers = [], workspace = 'acme', presentation, ...knobOverrides } = options;
  const knobs: SpekitKnobs = {
    ...DEFAULT_KNOBS, admin: { ...DEFAULT_KNOBS.admin }, ...knobOverrides,
    presentation: { ...DEFAULT_KNOBS.presentation, ...presentation },
  };
  const state = new SpekitState(handUsers);
  let url = '';
  const endpointUrl = () => `${url}/scim/v2`;

  const app = Fastify({ logger: false });
  const json = app.getDefaultJsonParser('error', 'ignore');
  // An empty body with a SCIM content type (a DELETE from some clients) is no body, not an error.
  app.addContentTypeParser('application/scim+json', { parseAs: 'string' }, (request, body, done) =>
    body === '' ? done(null, undefined) : json(request, body as string, done));
  app.addHook('onRequest', async () => {
    if (knobs.latencyMs > 0) await sleep(knobs.latencyMs);
  });
  app.get('/__sandbox/state', async () => state.snapshot());
  await app.register(async (scim) => scimRoutes(scim, { state, knobs, base: endpointUrl }), { prefix: '/scim/v2' });
  await app.register(async (ui) => uiRoutes(ui, { state, knobs, endpointUrl, workspace }));

  const address = await app.listen({ port, host });
  url = address.replace('[::1]', 'localhost');
  return {
    url,
    endpointUrl: endpointUrl(),
    state,
    knobs,
    setKnobs: (partial) => Object.assign(knobs, partial),
    issueToken: () => state.issueToken(),
    markFirstLogin: (userName) => {
      for (const user of state.users.values()) if (user.userName.toLowerCase() === userName.toLowerCase()) user.loggedIn = true;
    },
    snapshot: () => state.snapshot(),
    stop: () => app.close(),
  };
}
