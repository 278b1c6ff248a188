/**
 * What the SCIM upstream client sends and reads (RFC 7643 §4.1 User, §4.2 Group; RFC 7644 §3.4.2
 * ListResponse, §3.12 Error). Reading is lenient (`loose`, string booleans) because SCIM servers vary.
 */
import { z } from 'zod';

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

const scimBoolean = z.union([z.boolean(), z.string().transform((v) => v.toLowerCase() === 'true')]);

export const upstreamUserSchema = z
  .object({
    id: z.string(),
    userName: z.string(),
    externalId: z.string().optional(),
    displayName: z.string().optional(),
    active: scimBoolean.optional(),
    name: z.object({ givenName: z.string().optional(), familyName: z.string().optional() }).loose().optional(),
    emails: z.array(z.object({ value: z.string(), primary: scimBoolean.optional(), type: z.string().optional() }).loose()).optional(),
    roles: z.array(z.object({ value: z.string(), primary: scimBoolean.optional() }).loose()).optional(),
    groups: z.array(z.object({ value: z.string(), display: z.string().optional() }).loose()).optional(),
  })
  .loose();
export type UpstreamUser = z.infer<typeof upstreamUserSchema>;

export const upstreamGroupSchema = z
  .object({
    id: z.string(),
    displayName: z.string(),
    members: z.array(z.object({ value: z.string(), display: z.string().optional() }).loose()).optional(),
  })
  .loose();
export type UpstreamGroup = z.infer<typeof upstreamGroupSchema>;

/** Resources may be absent when totalResults is 0 (RFC 7644 §3.4.2). */
export function listResponseSchema<T extends z.ZodType>(item: T) {
  return z.object({
    totalResults: z.number().int().nonnegative(),
    startIndex: z.number().int().optional(),
    itemsPerPage: z.number().int().optional(),
    Resources: z.array(item).default([]),
  });
}

export const scimErrorSchema = z
  .object({ detail: z.string().optional(), scimType: z.string().optional(), status: z.union([z.string(), z.number()]).optional() })
  .loose();

/** A user as the caller wants it upstream; absent fields are left alone by PATCH. */
export const upstreamUserInputSchema = z.object({
  userName: z.string().min(1),
  externalId: z.string().optional(),
  email: z.string().optional(),
  givenName: z.string().optional(),
  familyName: z.string().optional(),
  displayName: z.string().optional(),
  active: z.boolean().optional(),
  /** Role values as the upstream names them, e.g. Spekit's "Expert". */
  roles: z.array(z.string()).optional(),
});
export type UpstreamUserInput = z.infer<typeof upstreamUserInputSchema>;

/** The attributes of a user body, without `schemas` (shared by POST, PUT and PATCH replace). */
export function userAttributes(input: UpstreamUserInput): Record<string, unknown> {
  const attrs: Record<string, unknown> = { userName: input.userName };
  if (input.externalId !== undefined) attrs.externalId = input.externalId;
  if (input.givenName !== undefined || input.familyName !== undefined) {
    attrs.name = { givenName: input.givenName, familyName: input.familyName };
  }
  if (input.displayName !== undefined) attrs.displayName = input.displayName;
  if (input.email !== undefined) attrs.emails = [{ value: input.email, type: 'work', primary: true }];
  if (input.active !== undefined) attrs.active = input.active;
  if (input.roles !== undefined) attrs.roles = input.roles.map((value, i) => ({ value, primary: i === 0 }));
  return attrs;
}

/** Quotes a value for a SCIM filter string (RFC 7644 §3.4.2.2: JSON string rules). */
export function filterEq(attribute: string, value: string): string {
  return `${attribute} eq ${JSON.stringify(value)}`;
}
