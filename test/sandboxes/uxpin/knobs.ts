/**
 * The sandbox's knobs: behaviour a test turns up or down (latency, failures, slow lists, session
 * lifetime, 2FA, seats) and how the screens are drawn (presentation.ts). Every knob can be given at
 * start, changed at runtime with `setKnobs`, or read from the environment by main.ts.
 */
import { DEFAULT_PRESENTATION, type Presentation } from './presentation.ts';
import { variantKnobs } from './variants.ts';

export type Latency = number | readonly [min: number, max: number];

export interface Knobs extends Presentation {
  /** Delay before every answer, fixed or a random range in ms. Default 0. */
  latencyMs: Latency;
  /** Share (0..1) of team writes (invite, role change, removal) that fail. Default 0. */
  failureRate: number;
  /** How a failing write fails: a 500 answer or no answer at all. Default '500'. */
  failureMode: '500' | 'hang';
  /** 'before': nothing is saved. 'after': the change is saved, then the failure is answered. Default 'before'. */
  failureTiming: 'before' | 'after';
  /** The next this many team writes fail whatever failureRate says (then it counts down). Default 0. */
  failNext: number;
  /** The user list shows a spinner this long before its rows. Default 0. */
  slowListMs: number;
  /** A session older than this sends every page back to /login. Default Infinity. */
  sessionLifetimeMs: number;
  /** Base32 TOTP secret; when set, login asks for an authentication code. Default none. */
  totpSecret: string | undefined;
  /** Most members (active + pending, Owner included) the plan allows. Default Infinity. */
  seatLimit: number;
  /** Seed of the RNG behind failureRate and latency ranges; setting it restarts the sequence. Default 1. */
  rngSeed: number;
}

export const DEFAULT_KNOBS: Knobs = {
  latencyMs: 0,
  failureRate: 0,
  failureMode: '500',
  failureTiming: 'before',
  failNext: 0,
  slowListMs: 0,
  sessionLifetimeMs: Number.POSITIVE_INFINITY,
  totpSecret: undefined,
  seatLimit: Number.POSITIVE_INFINITY,
  rngSeed: 1,
  ...DEFAULT_PRESENTATION,
};

/** mulberry32: small, fast and deterministic, so a failure rate gives the same sequence every run. */
export function createRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pickLatency(latency: Latency, rng: () => number): number {
  if (typeof latency === 'number') return latency;
  const [min, max] = latency;
  return min + Math.round(rng() * (max - min));
}

function num(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (Number.isNaN(n)) throw new Error(`not a number: ${value}`);
  return n;
}

function latencyFromEnv(value: string | undefined): Latency | undefined {
  if (!value) return undefined;
  const [min, max] = value.split(/[-,]/).map((part) => Number(part.trim()));
  if (min === undefined || Number.isNaN(min)) throw new Error(`bad UXPIN_LATENCY_MS: ${value}`);
  return max === undefined || Number.isNaN(max) ? min : [min, max];
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], name: string): T | undefined {
  if (!value) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new Error(`${name} must be one of ${allowed.join(', ')}`);
  return value as T;
}

/**
 * Knobs from UXPIN_* environment variables (e.g. UXPIN_LATENCY_MS=50-200, UXPIN_FAILURE_RATE=0.1);
 * UXPIN_VARIANT names a preset of variants.ts, which the other variables override.
 */
export function knobsFromEnv(env: NodeJS.ProcessEnv): Partial<Knobs> {
  const knobs: Partial<Knobs> = {
    ...(env.UXPIN_VARIANT ? variantKnobs(env.UXPIN_VARIANT) : {}),
    latencyMs: latencyFromEnv(env.UXPIN_LATENCY_MS),
    failureRate: num(env.UXPIN_FAILURE_RATE),
    failureMode: oneOf(env.UXPIN_FAILURE_MODE, ['500', 'hang'] as const, 'UXPIN_FAILURE_MODE'),
    failureTiming: oneOf(env.UXPIN_FAILURE_TIMING, ['before', 'after'] as const, 'UXPIN_FAILURE_TIMING'),
    slowListMs: num(env.UXPIN_SLOW_LIST_MS),
    sessionLifetimeMs: num(env.UXPIN_SESSION_LIFETIME_MS),
    totpSecret: env.UXPIN_TOTP_SECRET || undefined,
    seatLimit: num(env.UXPIN_SEAT_LIMIT),
    rngSeed: num(env.UXPIN_RNG_SEED),
  };
  return Object.fromEntries(Object.entries(knobs).filter(([, v]) => v !== undefined)) as Partial<Knobs>;
}
