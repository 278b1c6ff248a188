/**
 * Attribute names and paths shared by filtering, PATCH and projection.
 *
 * SCIM attribute names are case-insensitive (RFC 7643 §2.1) and may be prefixed with the URN of
 * the schema that defines them (RFC 7644 §3.10, "standard attribute notation"): core attributes
 * live at the top level of a resource, extension attributes inside an object keyed by the
 * extension's URN (RFC 7643 §3.3).
 */

export const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const CORE_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE_USER = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

export type ResourceType = 'User' | 'Group';

/** Canonical spelling of the attributes of RFC 7643 §4 and §8.7, keyed by lower case. */
const CANONICAL = new Map(
  [
    'id', 'externalId', 'meta', 'schemas', 'userName', 'name', 'formatted', 'familyName',
    'givenName', 'middleName', 'honorificPrefix', 'honorificSuffix', 'displayName', 'nickName',
    'profileUrl', 'title', 'userType', 'preferredLanguage', 'locale', 'timezone', 'active',
    'password', 'emails', 'phoneNumbers', 'ims', 'photos', 'addresses', 'streetAddress',
    'locality', 'region', 'postalCode', 'country', 'groups', 'entitlements', 'roles',
    'x509Certificates', 'members', 'value', 'display', 'type', 'primary', '$ref',
    'employeeNumber', 'costCenter', 'organization', 'division', 'department', 'manager',
    'resourceType', 'created', 'lastModified', 'location', 'version',
  ].map((name) => [name.toLowerCase(), name]),
);

/** Attributes of the enterprise extension (RFC 7643 §4.3); Entra sends `manager` unprefixed. */
const ENTERPRISE_ATTRS = new Set(
  ['employeenumber', 'costcenter', 'organization', 'division', 'department', 'manager'],
);

/**
 * Attributes compared case-sensitively (`caseExact: true`): `id`, `externalId` and the `meta`
 * sub-attributes (RFC 7643 §3.1). `members.value` and `manager.value` hold resource ids, so they
 * follow `id`. Everything else in the core schemas is `caseExact: false`.
 */
const CASE_EXACT = new Set([
  'id', 'externalid', 'meta.resourcetype', 'meta.location', 'meta.version',
  'members.value', 'manager.value', 'members.$ref', 'manager.$ref',
]);

/** Attributes whose type is boolean in RFC 7643 §4.1 (`active`) and §2.4 (`primary`). */
const BOOLEAN_ATTRS = new Set(['active', 'primary']);

/** Multi-valued attributes of RFC 7643 §4.1.2, §4.2 and §4.3 (`members`). */
const MULTI_VALUED = new Set([
  'emails', 'phonenumbers', 'ims', 'photos', 'addresses', 'groups', 'entitlements', 'roles',
  'x509certificates', 'members',
]);

export function isMultiValued(name: string): boolean {
  return MULTI_VALUED.has(name.toLowerCase());
}

export function isEnterpriseAttribute(name: string): boolean {
  return ENTERPRISE_ATTRS.has(name.toLowerCase());
}

export function canonicalName(name: string): string {
  return CANONICAL.get(name.toLowerCase()) ?? name;
}

export function isCaseExact(names: readonly string[]): boolean {
  return CASE_EXACT.has(names.map((n) => n.toLowerCase()).join('.'));
}

export function isBooleanAttribute(name: string): boolean {
  return BOOLEAN_ATTRS.has(name.toLowerCase());
}

export function coreSchema(type: ResourceType): string {
  return type === 'User' ? CORE_USER : CORE_GROUP;
}

const KNOWN_SCHEMAS = [CORE_USER, CORE_GROUP, ENTERPRISE_USER];

/** A parsed attribute path: `schema` is set only for extension attributes. */
export interface AttrPath {
  /** Extension URN holding the attribute, or undefined for core attributes. */
  schema?: string;
  /** Attribute then sub-attribute names, e.g. `['name', 'givenName']`; empty for a bare URN. */
  names: string[];
}

/** Splits an optional schema URN prefix from `attr.sub` (RFC 7644 §3.10). */
function splitUrn(text: string): { urn?: string; rest: string } {
  if (!/^urn:/i.test(text)) return { rest: text };
  const lower = text.toLowerCase();
  for (const urn of KNOWN_SCHEMAS) {
    const u = urn.toLowerCase();
    if (lower === u) return { urn, rest: '' };
    if (lower.startsWith(`${u}:`)) return { urn, rest: text.slice(urn.length + 1) };
  }
  // Unknown extension: the attribute name follows the last colon.
  const i = text.lastIndexOf(':');
  return { urn: text.slice(0, i), rest: text.slice(i + 1) };
}

const NAME = /^(?:\$ref|[A-Za-z][\w-]*)$/;

/**
 * Parses `attr`, `attr.sub`, `urn:…:attr.sub` or a bare extension URN. Returns null when the
 * text is not a valid attribute path. Core-schema prefixes are dropped (the attribute is at the
 * top level). With a `type` (PATCH), the URN must fit the resource type and an unprefixed
 * enterprise attribute of a User is placed in its extension; without one (filters, projection,
 * which may not know the type) either core URN is accepted.
 */
export function parseAttrPath(text: string, type?: ResourceType): AttrPath | null {
  const { urn, rest } = splitUrn(text.trim());
  const names = rest === '' ? [] : rest.split('.');
  if (names.length > 2 || !names.every((n) => NAME.test(n))) return null;
  const canonical = names.map(canonicalName);
  if (urn === undefined) {
    if (canonical.length === 0) return null;
    const first = canonical[0]!.toLowerCase();
    if (type === 'User' && isEnterpriseAttribute(first)) {
      return { schema: ENTERPRISE_USER, names: canonical };
    }
    return { names: canonical };
  }
  if (urn === CORE_USER || urn === CORE_GROUP) {
    if ((type !== undefined && urn !== coreSchema(type)) || canonical.length === 0) return null;
    return { names: canonical };
  }
  if (urn === ENTERPRISE_USER && type === 'Group') return null;
  return { schema: urn, names: canonical };
}

/** The actual key of `obj` that matches `name` case-insensitively (RFC 7643 §2.1). */
export function findKey(obj: Record<string, unknown>, name: string): string | undefined {
  if (Object.hasOwn(obj, name)) return name;
  const lower = name.toLowerCase();
  return Object.keys(obj).find((k) => k.toLowerCase() === lower);
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The object holding the path's first name: the resource itself or its extension object. */
export function container(
  resource: Record<string, unknown>,
  path: AttrPath,
): Record<string, unknown> | undefined {
  if (path.schema === undefined) return resource;
  const key = findKey(resource, path.schema);
  const ext = key === undefined ? undefined : resource[key];
  return isObject(ext) ? ext : undefined;
}

/** The path in standard attribute notation, for error details. */
export function describe(path: AttrPath): string {
  const names = path.names.join('.');
  if (path.schema === undefined) return names;
  return names === '' ? path.schema : `${path.schema}:${names}`;
}
