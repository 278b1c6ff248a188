/**
 * Runs the Spekit sandbox on its own, configured by environment variables (`npm run sandbox:spekit`):
 * SPEKIT_PORT (default 4102), SPEKIT_HOST, SPEKIT_ADMIN_USER / _EMAIL / _PASSWORD,
 * SPEKIT_SSO=0 (SSO not connected), SPEKIT_TOTP_SECRET, SPEKIT_LATENCY_MS, SPEKIT_FAILURE_RATE,
 * SPEKIT_FAILURE_TIMING=before|after, SPEKIT_SESSION_MS, SPEKIT_RATE_LIMIT=<requests>/<windowMs>,
 * SPEKIT_HAND_USERS=comma-separated userNames made "by hand".
 */
import { DEFAULT_KNOBS } from './knobs.ts';
import { startSpekitSandbox, type SpekitSandboxOptions } from './server.ts';

function numberFrom(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (Number.isNaN(value)) throw new Error(`${name} must be a number`);
  return value;
}

function optionsFromEnv(env: NodeJS.ProcessEnv): SpekitSandboxOptions {
  const [requests, windowMs] = (env.SPEKIT_RATE_LIMIT ?? '').split('/').map(Number);
  const options: SpekitSandboxOptions = {
    port: numberFrom('SPEKIT_PORT') ?? 4102,
    host: env.SPEKIT_HOST ?? '127.0.0.1',
    ssoConnected: env.SPEKIT_SSO !== '0',
    totpSecret: env.SPEKIT_TOTP_SECRET || undefined,
    failureTiming: env.SPEKIT_FAILURE_TIMING === 'after' ? 'after' : 'before',
    admin: {
      username: env.SPEKIT_ADMIN_USER ?? DEFAULT_KNOBS.admin.username,
      email: env.SPEKIT_ADMIN_EMAIL ?? DEFAULT_KNOBS.admin.email,
      password: env.SPEKIT_ADMIN_PASSWORD ?? DEFAULT_KNOBS.admin.password,
    },
    rateLimit: requests && windowMs ? { requests, windowMs } : null,
    handUsers: (env.SPEKIT_HAND_USERS ?? '').split(',').filter(Boolean).map((userName) => ({ userName })),
  };
  const latencyMs = numberFrom('SPEKIT_LATENCY_MS');
  const failureRate = numberFrom('SPEKIT_FAILURE_RATE');
  const sessionLifetimeMs = numberFrom('SPEKIT_SESSION_MS');
  if (latencyMs !== undefined) options.latencyMs = latencyMs;
  if (failureRate !== undefined) options.failureRate = failureRate;
  if (sessionLifetimeMs !== undefined) options.sessionLifetimeMs = sessionLifetimeMs;
  return options;
}

const sandbox = await startSpekitSandbox(optionsFromEnv(process.env));
console.log(`Spekit sandbox at ${sandbox.url} (SCIM endpoint ${sandbox.endpointUrl}, state at ${sandbox.url}/__sandbox/state)`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void sandbox.stop().then(() => process.exit(0));
  });
}
