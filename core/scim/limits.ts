/**
 * Bounds on what one SCIM request may ask of the gateway (issue 11): every check here is linear
 * in the size of the body and iterative (no recursion), so no shape of input can overflow the
 * stack or hold the one event loop. Advertised in ServiceProviderConfig, listed in the README.
 */
import { ScimError } from '../errors.ts';

/** PATCH operations per request (RFC 7644 §3.5.2; advertised as `patch.maxOperations`). */
export const MAX_PATCH_OPERATIONS = 1000;

/** Nesting of a request body (the body object is level 1). A PatchOp setting the enterprise
 * manager needs 6; anything much deeper is not a SCIM resource. */
export const MAX_DOCUMENT_DEPTH = 10;

/**
 * Members of one group. A group document is parsed and rendered in one step of the event loop;
 * at 20,000 members that step is ~43 ms, just inside issue 11's 50 ms bar (it was 100,000, ~5×
 * over). Groups map to app roles by name; a role every user gets is the connection's
 * `defaultRole`, not a group of everyone.
 */
export const MAX_GROUP_MEMBERS = 20_000;

/** Values per multi-valued attribute, checked while a PATCH applies (not after it ran). */
export const MULTI_VALUED_LIMITS: Readonly<Record<string, number>> = {
  emails: 100, phoneNumbers: 100, roles: 100, entitlements: 100, addresses: 100, ims: 100,
  photos: 100, x509Certificates: 100, members: MAX_GROUP_MEMBERS,
};

/** What the 400 says beside the bound, where a way round it exists. */
const LIMIT_HINTS: Readonly<Record<string, string>> = {
  members: ' A role every user should get is set as the connection\'s defaultRole instead of a group of everyone.',
};

// With the `u` flag a surrogate class matches only halves that are not part of a pair.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** Throws 400 invalidValue on a document deeper than the bound or holding a lone surrogate
 * (Redis' cjson refuses those, which used to surface as a 500 after validation). */
export function checkDocument(body: unknown, what = 'The request body'): void {
  const stack: Array<[unknown, number]> = [[body, 1]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (typeof value === 'string') { checkString(value, what); continue; }
    if (typeof value !== 'object' || value === null) continue;
    if (depth > MAX_DOCUMENT_DEPTH) {
      throw ScimError.badRequest('invalidValue', `${what} is nested deeper than ${MAX_DOCUMENT_DEPTH} levels.`);
    }
    if (Array.isArray(value)) { for (const v of value) stack.push([v, depth + 1]); continue; }
    for (const [k, v] of Object.entries(value)) { checkString(k, what); stack.push([v, depth + 1]); }
  }
}

function checkString(text: string, what: string): void {
  const found = LONE_SURROGATE.exec(text);
  if (found) {
    throw ScimError.badRequest('invalidValue', `${what} holds a lone UTF-16 surrogate (${codePoint(found[0])}); send well-formed Unicode.`);
  }
}

/** A copy of a stored document with every branch deeper than the bound dropped: what a
 * deprovisioning write keeps of a document an older version let through. Iterative. */
export function pruneDeep<T>(doc: T, maxDepth = MAX_DOCUMENT_DEPTH): T {
  if (typeof doc !== 'object' || doc === null) return doc;
  const root: unknown = Array.isArray(doc) ? [] : {};
  const stack: Array<[unknown, Record<string, unknown> | unknown[], number]> = [[doc, root as never, 1]];
  while (stack.length > 0) {
    const [source, target, depth] = stack.pop()!;
    const entries = Array.isArray(source) ? source.map((v, i) => [i, v] as const) : Object.entries(source as object);
    for (const [k, v] of entries) {
      if (typeof v !== 'object' || v === null) { put(target, k, v); continue; }
      if (depth + 1 > maxDepth) continue;
      const child = Array.isArray(v) ? [] : {};
      put(target, k, child);
      stack.push([v, child, depth + 1]);
    }
  }
  return root as T;
}

function put(target: Record<string, unknown> | unknown[], key: string | number, value: unknown): void {
  if (Array.isArray(target)) target.push(value);
  else Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Whether any branch of `doc` goes deeper than the bound (stops at the first one). */
export function tooDeep(doc: unknown, maxDepth = MAX_DOCUMENT_DEPTH): boolean {
  // Runs on every stored body read: containers only, two flat stacks, no tuples.
  const values: object[] = [];
  const depths: number[] = [];
  if (typeof doc === 'object' && doc !== null) { values.push(doc); depths.push(1); }
  while (values.length > 0) {
    const value = values.pop()!;
    const depth = depths.pop()!;
    if (depth > maxDepth) return true;
    for (const v of Array.isArray(value) ? value : Object.values(value)) {
      if (typeof v === 'object' && v !== null) { values.push(v); depths.push(depth + 1); }
    }
  }
  return false;
}

/**
 * Throws when a PATCH operation takes a multi-valued attribute past its bound. `before` is its
 * size before the operation: a list stored over the bound (by an older version, with a higher
 * bound) may still shrink, so members can always be taken out.
 */
export function checkMultiValuedSize(attr: string, size: number, operation: number, before = 0): void {
  const max = MULTI_VALUED_LIMITS[attr];
  if (max !== undefined && size > max && size > before) {
    throw ScimError.badRequest('invalidValue', `'${attr}' may hold at most ${max} values; operation ${operation} would make ${size}.${LIMIT_HINTS[attr] ?? ''}`);
  }
}

export function checkOperationCount(count: number): void {
  if (count > MAX_PATCH_OPERATIONS) {
    throw ScimError.badRequest('tooMany', `A PATCH may carry at most ${MAX_PATCH_OPERATIONS} operations (got ${count}); split it (see ServiceProviderConfig patch.maxOperations).`);
  }
}

export function codePoint(char: string): string {
  return `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** The size of each top-level list of a document (taken before a PATCH operation). */
export function multiValuedSizes(doc: Record<string, unknown>): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const [key, value] of Object.entries(doc)) if (Array.isArray(value)) sizes.set(key, value.length);
  return sizes;
}

/** After each PATCH operation: no top-level multi-valued attribute grown past its bound. */
export function checkMultiValuedSizes(doc: Record<string, unknown>, operation: number, before = new Map<string, number>()): void {
  for (const [key, value] of Object.entries(doc)) {
    if (Array.isArray(value)) checkMultiValuedSize(key, value.length, operation, before.get(key));
  }
}

const LIMIT_BY_LOWER = new Map(Object.entries(MULTI_VALUED_LIMITS).map(([k, v]) => [k.toLowerCase(), [k, v] as const]));

/** One operation's own value list already past a bound (so nothing is normalised or merged). */
function checkOperationValue(operation: unknown, number: number): void {
  if (typeof operation !== 'object' || operation === null) return;
  const { op, path, value } = operation as { op?: unknown; path?: unknown; value?: unknown };
  // A removal's list only shrinks what it names (a group stored over the bound must stay shrinkable).
  if (typeof op === 'string' && op.toLowerCase() === 'remove') return;
  const lists: Array<[string, unknown]> = typeof path === 'string' ? [[path, value]]
    : typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.entries(value) : [];
  for (const [name, list] of lists) {
    const limit = LIMIT_BY_LOWER.get(name.trim().replace(/^.*:/, '').toLowerCase());
    if (limit && Array.isArray(list)) checkMultiValuedSize(limit[0], list.length, number);
  }
}

/** Operations of a PatchOp body, counted (and their value lists measured) before any work. */
export function checkPatchShape(body: unknown): void {
  const ops = typeof body === 'object' && body !== null ? (body as { Operations?: unknown }).Operations : undefined;
  if (!Array.isArray(ops)) return;
  checkOperationCount(ops.length);
  ops.forEach((operation, i) => checkOperationValue(operation, i + 1));
}
