/**
 * Runs the Hyperproof sandbox on its own, configured by environment variables
 * (`npm run sandbox:hyperproof`): HYPERPROOF_PORT (default 4103), HYPERPROOF_SCIM_PORT (default 4104),
 * HYPERPROOF_HOST, HYPERPROOF_ADMIN_EMAIL / _PASSWORD, HYPERPROOF_SSO=0 (SSO not configured),
 * HYPERPROOF_TOTP_SECRET, HYPERPROOF_LATENCY_MS, HYPERPROOF_FAILURE_RATE,
 * HYPERPROOF_FAILURE_TIMING=before|after, HYPERPROOF_SESSION_MS,
 * HYPERPROOF_RATE_LIMIT=<requests per minute>[:seconds|http-date|none],
 * HYPERPROOF_VARIANT=<preset name> (variants.ts), HYPERPROOF_PEOPLE=comma-separated emails.
 */
import { DEFAULT_KNOBS } from './knobs.ts';
import { startHyperproofSandbox, type HyperproofSandboxOptions } from './server.ts';
import { hyperproofVariant } from './variants.ts';

function numberFrom(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (Number.isNaN(value)) throw new Error(`${name} must be a number`);
  return value;
}

function rateLimit(raw: string | undefined): HyperproofSandboxOptions['rateLimit'] {
  if (!raw) return null;
  const [requests, retryAfter = 'seconds'] = raw.split(':');
  if (!Number(requests) || !['seconds', 'http-date', 'none'].includes(retryAfter)) {
    throw new Error('HYPERPROOF_RATE_LIMIT must be <requests>[:seconds|http-date|none]');
  }
  return { requests: Number(requests), windowMs: 60_000, retryAfter: retryAfter as 'seconds' | 'http-date' | 'none' };
}

function optionsFromEnv(env: NodeJS.ProcessEnv): HyperproofSandboxOptions {
  const options: HyperproofSandboxOptions = {
    port: numberFrom('HYPERPROOF_PORT') ?? 4103,
    scimPort: numberFrom('HYPERPROOF_SCIM_PORT') ?? 4104,
    host: env.HYPERPROOF_HOST ?? '127.0.0.1',
    ssoEnabled: env.HYPERPROOF_SSO !== '0',
    totpSecret: env.HYPERPROOF_TOTP_SECRET || undefined,
    failureTiming: env.HYPERPROOF_FAILURE_TIMING === 'after' ? 'after' : 'before',
    admin: {
      ...DEFAULT_KNOBS.admin,
      email: env.HYPERPROOF_ADMIN_EMAIL ?? DEFAULT_KNOBS.admin.email,
      password: env.HYPERPROOF_ADMIN_PASSWORD ?? DEFAULT_KNOBS.admin.password,
    },
    rateLimit: rateLimit(env.HYPERPROOF_RATE_LIMIT),
    people: (env.HYPERPROOF_PEOPLE ?? '').split(',').filter(Boolean).map((email) => ({ email })),
  };
  if (env.HYPERPROOF_VARIANT) options.presentation = hyperproofVariant(env.HYPERPROOF_VARIANT).presentation;
  const latencyMs = numberFrom('HYPERPROOF_LATENCY_MS');
  const failureRate = numberFrom('HYPERPROOF_FAILURE_RATE');
  const sessionLifetimeMs = numberFrom('HYPERPROOF_SESSION_MS');
  if (latencyMs !== undefined) options.latencyMs = latencyMs;
  if (failureRate !== undefined) options.failureRate = failureRate;
  if (sessionLifetimeMs !== undefined) options.sessionLifetimeMs = sessionLifetimeMs;
  return options;
}

const options = optionsFromEnv(process.env);
const sandbox = await startHyperproofSandbox(options);
console.log(`Hyperproof sandbox at ${sandbox.url} (sign in as ${sandbox.knobs.admin.email}; SCIM endpoint ${sandbox.endpointUrl}; state at ${sandbox.url}/__sandbox/state)`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void sandbox.stop().then(() => process.exit(0));
  });
}
