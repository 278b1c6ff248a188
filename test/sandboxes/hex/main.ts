/**
 * Runs the Hex sandbox on its own (`npm run sandbox:hex`), configured by environment variables:
 * HEX_PORT (default 4103), HEX_HOST, HEX_ADMIN_EMAIL / _PASSWORD, HEX_PLAN=Team, HEX_SSO=1 (SSO
 * enabled), HEX_SSO_REQUIRED=1, HEX_SEAT_CONFIRMATION=0, HEX_SCIM_ROLES=refuse, HEX_DEFAULT_ROLE,
 * HEX_TOTP_SECRET, HEX_LATENCY_MS, HEX_FAILURE_RATE, HEX_FAILURE_TIMING=before|after,
 * HEX_SESSION_MS, HEX_RATE_LIMIT=<requests>/<windowMs>, HEX_VARIANT=<preset name>,
 * HEX_SEED_USERS=comma-separated emails (Viewers made by hand).
 */
import { DEFAULT_KNOBS } from './knobs.ts';
import { startHexSandbox, type HexSandboxOptions } from './server.ts';
import { HEX_ROLES, type HexRole } from './state.ts';
import { hexVariant } from './variants.ts';

function numberFrom(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (Number.isNaN(value)) throw new Error(`${name} must be a number`);
  return value;
}

function optionsFromEnv(env: NodeJS.ProcessEnv): HexSandboxOptions {
  const [requests, windowMs] = (env.HEX_RATE_LIMIT ?? '').split('/').map(Number);
  const defaultRole = env.HEX_DEFAULT_ROLE ?? 'Viewer';
  if (!HEX_ROLES.includes(defaultRole as HexRole)) throw new Error(`HEX_DEFAULT_ROLE must be one of ${HEX_ROLES.join(', ')}`);
  const options: HexSandboxOptions = {
    port: numberFrom('HEX_PORT') ?? 4103,
    host: env.HEX_HOST ?? '127.0.0.1',
    plan: env.HEX_PLAN === 'Team' ? 'Team' : 'Enterprise',
    ssoEnabled: env.HEX_SSO === '1',
    ssoRequired: env.HEX_SSO_REQUIRED === '1',
    seatConfirmation: env.HEX_SEAT_CONFIRMATION !== '0',
    scimRoles: env.HEX_SCIM_ROLES === 'refuse' ? 'refuse' : 'drop',
    defaultRole: defaultRole as HexRole,
    totpSecret: env.HEX_TOTP_SECRET || undefined,
    failureTiming: env.HEX_FAILURE_TIMING === 'after' ? 'after' : 'before',
    admin: { ...DEFAULT_KNOBS.admin, email: env.HEX_ADMIN_EMAIL ?? DEFAULT_KNOBS.admin.email, password: env.HEX_ADMIN_PASSWORD ?? DEFAULT_KNOBS.admin.password },
    rateLimit: requests && windowMs ? { requests, windowMs } : null,
    seedUsers: (env.HEX_SEED_USERS ?? '').split(',').filter(Boolean).map((email) => ({ email })),
    ...(env.HEX_VARIANT ? { presentation: hexVariant(env.HEX_VARIANT).presentation } : {}),
  };
  const latencyMs = numberFrom('HEX_LATENCY_MS');
  const failureRate = numberFrom('HEX_FAILURE_RATE');
  const sessionLifetimeMs = numberFrom('HEX_SESSION_MS');
  if (latencyMs !== undefined) options.latencyMs = latencyMs;
  if (failureRate !== undefined) options.failureRate = failureRate;
  if (sessionLifetimeMs !== undefined) options.sessionLifetimeMs = sessionLifetimeMs;
  return options;
}

const sandbox = await startHexSandbox(optionsFromEnv(process.env));
console.log(`Hex sandbox at ${sandbox.url} (SCIM base URL ${sandbox.scimBaseUrl}, state at ${sandbox.url}/__sandbox/state)`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void sandbox.stop().then(() => process.exit(0));
  });
}
