/**
 * An IdP's request sequence as data (test/idp/fixtures/<idp>.json): what the IdP sends, in order,
 * and what it needs back. Read by the replay engine (replay.ts) and by the guides' sequence
 * tables (docs/idp/<idp>.md, checked by guides.test.ts), so the docs cannot drift from the tests.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

export const IDPS = ['okta', 'entra', 'onelogin', 'jumpcloud', 'google'] as const;
export type IdpName = (typeof IDPS)[number];

const stepSchema = z.object({
  /** What the IdP is doing, in its own words ("Test Connection", "Push group"). */
  does: z.string().min(1),
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']),
  /** Below the SCIM base URL; `{{name}}` is a variable or a value captured earlier; query values are URL-encoded by the engine. */
  path: z.string().startsWith('/'),
  body: z.unknown().optional(),
  /** Extra headers of this request (the fixture's `headers` apply to all). */
  headers: z.record(z.string(), z.string()).optional(),
  expect: z.object({
    /** One status or the statuses the IdP accepts. */
    status: z.union([z.number().int(), z.array(z.number().int()).min(1)]),
    /** A subset of the answer: objects match key by key, arrays element by element (same length). */
    body: z.unknown().optional(),
    /** Top-level attributes the answer must not carry. */
    absent: z.array(z.string()).optional(),
  }).strict(),
  /** Why the step looks this way, or what is assumed where the IdP's docs are silent. */
  note: z.string().optional(),
  /** Variables taken from the answer: name → dotted path (`id`, `Resources.0.id`). */
  capture: z.record(z.string(), z.string()).optional(),
}).strict();

const appUserSchema = z.union([
  z.object({ email: z.string(), role: z.string() }).strict(),
  z.object({ email: z.string(), member: z.literal(false) }).strict(),
]);

export const fixtureSchema = z.object({
  idp: z.enum(IDPS),
  name: z.string(),
  /** Public pages the sequence was taken from. */
  sources: z.array(z.object({ title: z.string(), url: z.string().url() }).strict()).min(1),
  /** What the sources say and what is assumed (e.g. a User-Agent no source spells out). */
  notes: z.array(z.string()).default([]),
  /** Sent with every request (User-Agent as the IdP sends it). */
  headers: z.record(z.string(), z.string()),
  /** Values for `{{name}}` placeholders before any capture. */
  vars: z.record(z.string(), z.string()),
  /** Connection settings the guide recommends for this IdP (deprovision, roleMap, groupRoleMap). */
  settings: z.record(z.string(), z.unknown()),
  steps: z.array(stepSchema).min(1),
  /** The UXPin team once every request has converged (checked by the end-to-end replay). */
  app: z.array(appUserSchema).min(1),
}).strict();

export type Fixture = z.infer<typeof fixtureSchema>;
export type FixtureStep = z.infer<typeof stepSchema>;
export type AppExpectation = z.infer<typeof appUserSchema>;

export function fixturePath(idp: IdpName): URL {
  return new URL(`./fixtures/${idp}.json`, import.meta.url);
}

export function loadFixture(idp: IdpName): Fixture {
  return fixtureSchema.parse(JSON.parse(readFileSync(fixturePath(idp), 'utf8')));
}
