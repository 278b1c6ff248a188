/**
 * Starts the UXPin sandbox alone: `npm run sandbox:uxpin`.
 * Env: PORT (default 4010), HOST, UXPIN_ADMIN_EMAIL, UXPIN_ADMIN_PASSWORD, UXPIN_SEED (member count),
 * and the knobs UXPIN_LATENCY_MS (e.g. 50 or 50-200), UXPIN_FAILURE_RATE, UXPIN_FAILURE_MODE (500|hang),
 * UXPIN_FAILURE_TIMING (before|after), UXPIN_SLOW_LIST_MS, UXPIN_SESSION_LIFETIME_MS,
 * UXPIN_TOTP_SECRET (base32), UXPIN_SEAT_LIMIT, UXPIN_RNG_SEED; UXPIN_VARIANT names a presentation
 * preset of variants.ts (classic, text-empty, live-grid, slow-grid).
 */
import { knobsFromEnv } from './knobs.ts';
import { DEFAULT_ADMIN, startUxpinSandbox } from './sandbox.ts';

const env = process.env;
const sandbox = await startUxpinSandbox({
  port: Number(env.PORT ?? 4010),
  host: env.HOST ?? '127.0.0.1',
  admin: {
    email: env.UXPIN_ADMIN_EMAIL ?? DEFAULT_ADMIN.email,
    password: env.UXPIN_ADMIN_PASSWORD ?? DEFAULT_ADMIN.password,
    name: DEFAULT_ADMIN.name,
  },
  seed: Number(env.UXPIN_SEED ?? 30),
  ...knobsFromEnv(env),
});

console.log(`UXPin sandbox at ${sandbox.url}`);
console.log(`Log in at ${sandbox.url}/login as ${sandbox.admin.email} / ${sandbox.admin.password}`);
if (sandbox.knobs.totpSecret) console.log(`Two-factor authentication on (TOTP secret ${sandbox.knobs.totpSecret})`);
console.log(`Test state: GET ${sandbox.url}/__sandbox/state`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void sandbox.stop().then(() => process.exit(0));
  });
}
