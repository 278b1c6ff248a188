/**
 * Validation of User and Group bodies (RFC 7643 §4). Attribute names are matched
 * case-insensitively (§2.1); unknown attributes are dropped; `password` is never kept.
 */
import { z } from 'zod';
import { ScimError } from '../errors.ts';
import { CORE_GROUP, CORE_USER, ENTERPRISE_USER } from '../scim/attribute-path.ts';
import { MAX_GROUP_MEMBERS } from '../scim/limits.ts';
import { PROVISIONING_SCHEMA as PROVISIONING_EXTENSION } from '../scim/schema-definitions.ts';

/** scimwright's own read-only extension carrying the provisioning state. */
export { PROVISIONING_EXTENSION };

/** Entra sends booleans as "True"/"False" unless its tenant flag is set (shared/idp.md). */
export const scimBoolean = z.union([
  z.boolean(),
  z.string().regex(/^(true|false)$/i, 'must be true or false').transform((s) => s.toLowerCase() === 'true'),
]);

const text = z.string().max(4096);
const multiValue = z
  .object({ value: z.string().max(4096).optional(), display: text.optional(), type: text.optional(), primary: scimBoolean.optional() })
  .loose();

const enterprise = z
  .object({
    employeeNumber: text.optional(),
    costCenter: text.optional(),
    organization: text.optional(),
    division: text.optional(),
    department: text.optional(),
    manager: z.object({ value: text.optional(), $ref: z.string().nullable().optional(), displayName: text.optional() }).loose().nullable().optional(),
  })
  .loose();

export const userInputSchema = z.object({
  schemas: z.array(z.string()).optional(),
  userName: z.string().trim().min(1, 'userName is required').max(512),
  externalId: z.string().max(512).optional(),
  name: z
    .object({ formatted: text, familyName: text, givenName: text, middleName: text, honorificPrefix: text, honorificSuffix: text })
    .partial()
    .optional(),
  displayName: text.optional(),
  nickName: text.optional(),
  profileUrl: text.optional(),
  title: text.optional(),
  userType: text.optional(),
  preferredLanguage: text.optional(),
  locale: text.optional(),
  timezone: text.optional(),
  active: scimBoolean.optional(),
  emails: z.array(multiValue).max(100).optional(),
  phoneNumbers: z.array(multiValue).max(100).optional(),
  roles: z.array(multiValue).max(100).optional(),
  entitlements: z.array(multiValue).max(100).optional(),
  addresses: z.array(z.record(z.string(), z.unknown())).max(100).optional(),
  [ENTERPRISE_USER]: enterprise.optional(),
});

export type UserInput = z.infer<typeof userInputSchema>;

const member = z.object({ value: z.string().min(1, 'members[].value is required').max(512), display: text.optional(), $ref: z.string().nullable().optional(), type: text.optional() });

export const groupInputSchema = z.object({
  schemas: z.array(z.string()).optional(),
  displayName: z.string().trim().min(1, 'displayName is required').max(512),
  externalId: z.string().max(512).optional(),
  members: z.array(member).max(MAX_GROUP_MEMBERS, `members: at most ${MAX_GROUP_MEMBERS} per group; a role every user should get is set as the connection's defaultRole instead`).optional(),
});

export type GroupInput = z.infer<typeof groupInputSchema>;

const USER_KEYS = [...Object.keys(userInputSchema.shape), 'id', 'meta', 'groups', 'password'];
const GROUP_KEYS = [...Object.keys(groupInputSchema.shape), 'id', 'meta'];

/** Renames keys to their canonical spelling (RFC 7643 §2.1: attribute names are case-insensitive). */
function canonicalKeys(body: Record<string, unknown>, known: string[]): Record<string, unknown> {
  const byLower = new Map(known.map((k) => [k.toLowerCase(), k]));
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) out[byLower.get(key.toLowerCase()) ?? key] = value;
  return out;
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'body'}: ${issue.message}`)
    .join('; ');
}

function requireObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw ScimError.badRequest('invalidSyntax', 'The request body must be a JSON object.');
  }
  return body as Record<string, unknown>;
}

/**
 * RFC 7643 §2.5: null is the same as unassigned. Entra sends `"title": null` for attributes that
 * are mapped but empty, OneLogin templates send `"id": null`; both must create the user.
 */
export function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((v) => v !== null).map(dropNulls);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) if (v !== null) out[key] = dropNulls(v);
  return out;
}

/** The SCIM 1.1 core URN some OneLogin templates still send; it names the same core attributes. */
const LEGACY_CORE = 'urn:scim:schemas:core:1.0';
/** SCIM 1.1's enterprise extension (OneLogin's "Enterprise User Schema" template). */
const LEGACY_ENTERPRISE = 'urn:scim:schemas:extension:enterprise:1.0';
const MULTI = new Set(['emails', 'phonenumbers', 'roles', 'entitlements', 'addresses']);

/**
 * OneLogin's published templates write `"emails": {…}` (one object, not a list) and key the
 * enterprise attributes by the SCIM 1.1 URN: read them as the list and the 2.0 extension.
 */
function legacyShapes(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    const lower = key.toLowerCase();
    if (lower === LEGACY_ENTERPRISE) out[ENTERPRISE_USER] = value;
    else if (MULTI.has(lower) && typeof value === 'object' && value !== null && !Array.isArray(value)) out[key] = [value];
    else out[key] = value;
  }
  return out;
}

/**
 * `schemas` must name the core schema (or its SCIM 1.1 alias). A URN we do not know is accepted
 * only when the body carries no attributes under it: Entra lists
 * `http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group` on every group and
 * sends nothing for it. It is ignored, never echoed: the stored schemas are the server's.
 */
function checkSchemas(schemas: string[] | undefined, core: string, allowed: string[], body: Record<string, unknown>): void {
  if (schemas === undefined) return;
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  if (!schemas.some((s) => same(s, core) || same(s, LEGACY_CORE))) {
    throw ScimError.badRequest('invalidValue', `schemas must include "${core}".`);
  }
  const keys = Object.keys(body).map((k) => k.toLowerCase());
  const carries = (urn: string) => keys.some((k) => k === urn.toLowerCase() || k.startsWith(`${urn.toLowerCase()}:`));
  const unknown = schemas.find((s) => !same(s, LEGACY_CORE) && !same(s, LEGACY_ENTERPRISE) && !allowed.some((a) => same(a, s)) && carries(s));
  if (unknown) throw ScimError.badRequest('invalidValue', `Unknown schema "${unknown}".`);
}

export function parseUserInput(body: unknown): UserInput {
  const raw = legacyShapes(dropNulls(requireObject(body)) as Record<string, unknown>);
  const parsed = userInputSchema.safeParse(canonicalKeys(raw, USER_KEYS));
  if (!parsed.success) throw ScimError.badRequest('invalidValue', describeIssues(parsed.error));
  checkSchemas(parsed.data.schemas, CORE_USER, [CORE_USER, ENTERPRISE_USER, PROVISIONING_EXTENSION], raw);
  return parsed.data;
}

export function parseGroupInput(body: unknown): GroupInput {
  const raw = dropNulls(requireObject(body)) as Record<string, unknown>;
  const parsed = groupInputSchema.safeParse(canonicalKeys(raw, GROUP_KEYS));
  if (!parsed.success) throw ScimError.badRequest('invalidValue', describeIssues(parsed.error));
  checkSchemas(parsed.data.schemas, CORE_GROUP, [CORE_GROUP], raw);
  return parsed.data;
}

