/**
 * Starts the Hyperproof sandbox: the admin pages on one origin and the SCIM 2.0 API on another
 * (a second port, so the SCIM Endpoint URL can never be derived from the app's URL), plus a
 * test-only JSON view of the state at `<url>/__sandbox/state`. A test fixture; it copies
 * hyperproof.md, not Hyperproof.
 */
import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { errorBody } from '../lib/scim.ts';
import { DEFAULT_KNOBS, type HyperproofKnobs } from './knobs.ts';
import type { HyperproofPresentation } from './presentation.ts';
import { scimRoutes } from './scim-routes.ts';
import { HYPERPROOF_ROLES, HyperproofState, type HyperproofRole, type HyperproofSnapshot, type SeedPerson } from './state.ts';
import { uiRoutes } from './ui-routes.ts';

export interface HyperproofSandboxOptions extends Partial<Omit<HyperproofKnobs, 'presentation'>> {
  /** Presentation knobs over DEFAULT_PRESENTATION (variants.ts names whole presets). */
  presentation?: Partial<HyperproofPresentation>;
  /** App port; default 0 (a free port). */
  port?: number;
  /** SCIM API port; default 0 (a free port, never the app's). */
  scimPort?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** People already in the organization (made in the app, not over SCIM). */
  people?: SeedPerson[];
  /** Provisioning already on, with this many live tokens (their plaintexts in `seededTokens`). Default 0 (off). */
  provisionedTokens?: number;
}

export interface HyperproofSandbox {
  url: string;
  /** The SCIM Endpoint URL the Provisioning dialog shows: another origin, `/scim/v2/org_<random>`. */
  endpointUrl: string;
  state: HyperproofState;
  knobs: HyperproofKnobs;
  /** Plaintexts of the tokens made by `provisionedTokens`. */
  seededTokens: string[];
  setKnobs(partial: Partial<HyperproofKnobs>): void;
  /** Test helper: a live token as +New token makes it (turns provisioning on if off; ignores the limit). */
  issueToken(): string;
  snapshot(): HyperproofSnapshot;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function baseApp(knobs: HyperproofKnobs): FastifyInstance {
  const app = Fastify({ logger: false });
  const json = app.getDefaultJsonParser('error', 'ignore');
  app.addContentTypeParser('application/scim+json', { parseAs: 'string' }, (request, body, done) =>
    body === '' ? done(null, undefined) : json(request, body as string, done));
  app.addHook('onRequest', async () => {
    if (knobs.latencyMs > 0) await sleep(knobs.latencyMs);
  });
  return app;
}

export async function startHyperproofSandbox(options: HyperproofSandboxOptions = {}): Promise<HyperproofSandbox> {
  const { port = 0, scimPort = 0, host = '127.0.0.1', people = [], provisionedTokens = 0, presentation, ...overrides } = options;
  const knobs: HyperproofKnobs = {
    ...DEFAULT_KNOBS, admin: { ...DEFAULT_KNOBS.admin }, ...overrides,
    presentation: { ...DEFAULT_KNOBS.presentation, ...presentation },
  };
  const { admin } = knobs;
  const state = new HyperproofState({ email: admin.email, givenName: admin.givenName, familyName: admin.familyName }, people);
  const seededTokens: string[] = [];
  for (let i = 0; i < provisionedTokens; i++) seededTokens.push(state.makeToken(true).token);
  if (provisionedTokens > 0) state.provisioning = true;

  let scimOrigin = '';
  const endpointUrl = () => `${scimOrigin}/scim/v2/${state.orgId}`;
  const salt = randomBytes(4).toString('hex');
  const roleCodes = new Map<HyperproofRole, string>(HYPERPROOF_ROLES.map((role) => [role, `r_${randomBytes(3).toString('hex')}`]));

  const scim = baseApp(knobs);
  scim.setNotFoundHandler((request, reply) => reply.code(404).type('application/scim+json')
    .send(errorBody(404, undefined, `${request.url.split('?')[0]} not found`)));
  await scim.register(async (api) => scimRoutes(api, { state, knobs, base: endpointUrl }), { prefix: `/scim/v2/${state.orgId}` });
  const app = baseApp(knobs);
  app.get('/__sandbox/state', async () => state.snapshot());
  await app.register(async (ui) => uiRoutes(ui, { state, knobs, salt, csrfHeader: `x-hp-${salt}`, endpointUrl, roleCodes }));

  scimOrigin = (await scim.listen({ port: scimPort, host })).replace('[::1]', 'localhost');
  let url: string;
  try {
    url = (await app.listen({ port, host })).replace('[::1]', 'localhost');
  } catch (error) {
    await scim.close();
    throw error;
  }
  return {
    url,
    endpointUrl: endpointUrl(),
    state,
    knobs,
    seededTokens,
    setKnobs: (partial) => Object.assign(knobs, partial),
    issueToken: () => {
      state.provisioning = true;
      return state.makeToken(true).token;
    },
    snapshot: () => state.snapshot(),
    stop: async () => {
      await Promise.all([app.close(), scim.close()]);
    },
  };
}
