/**
 * SCIM PATCH (RFC 7644 §3.5.2) in every dialect Okta and Entra send (see /work/shared/idp.md).
 *
 * Why not `scim-patch` (installed): tried first, it fails cases both IdPs depend on — Entra's
 * string booleans (`"value":"False"` is stored as the string), `add` on `members` duplicates an
 * existing member, `manager` with `[{"$ref":…,"value":…}]` lands as a top-level array instead of
 * the enterprise `manager` object, a path `id` is happily changed, and attribute names are
 * matched case-sensitively. Normalising the body beforehand would not fix the store side
 * (dedupe, manager, mutability), so this module applies operations itself, reusing the filter
 * evaluator for value paths. Each failing case is a named test in patch.test.ts.
 */
import { z } from 'zod';
import { ScimError, type ScimType } from '../errors.ts';
import {
  type AttrPath, type ResourceType, ENTERPRISE_USER, canonicalName, container, describe,
  findKey, isBooleanAttribute, isMultiValued, isObject, parseAttrPath,
} from './attribute-path.ts';
import { type FilterNode, matchesValue, parseFilter } from './filter.ts';
import { demotePrimaries, field, mergeMulti, seedFrom, withoutItems } from './multi-valued.ts';
import { checkMultiValuedSizes, checkPatchShape, multiValuedSizes } from './limits.ts';
import { coalesceRemovals } from './coalesce.ts';

export const PATCH_OP_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

const OperationSchema = z.object({
  op: z.string(),
  path: z.string().optional(),
  value: z.unknown().optional(),
}).loose();

export const PatchBodySchema = z.object({
  schemas: z.array(z.string()).refine(
    (s) => s.some((x) => x.toLowerCase() === PATCH_OP_SCHEMA.toLowerCase()),
    `schemas must include ${PATCH_OP_SCHEMA}`,
  ),
  Operations: z.array(OperationSchema).min(1, 'Operations must not be empty'),
}).loose();

export type PatchBody = z.infer<typeof PatchBodySchema>;
export type PatchOperation = z.infer<typeof OperationSchema>;
type Kind = 'add' | 'replace' | 'remove';
type Doc = Record<string, unknown>;

interface Target { attr: AttrPath; filter?: FilterNode; sub?: string }

function fail(type: ScimType, detail: string): ScimError {
  return ScimError.badRequest(type, detail);
}

/** Accepts `true`/`false` and Entra's `"True"`/`"False"` (sent without `aadOptscim062020`). */
export function toBoolean(value: unknown, name = 'value'): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  throw fail('invalidValue', `'${name}' must be a boolean, got ${JSON.stringify(value)}.`);
}

/** Coerces boolean attributes at any depth and drops null sub-attributes (unassigned, RFC 7643 §2.5). */
function normalise(name: string, value: unknown): unknown {
  if (isBooleanAttribute(name) && value !== null && value !== undefined) return toBoolean(value, name);
  if (Array.isArray(value)) return value.map((v) => normalise(name, v));
  if (!isObject(value)) return value;
  const out: Doc = {};
  for (const [k, v] of Object.entries(value)) if (v !== null) out[k] = normalise(k, v);
  return out;
}

function parseBody(body: unknown): PatchBody {
  const parsed = PatchBodySchema.safeParse(body);
  if (!parsed.success) throw fail('invalidSyntax', `Invalid PatchOp body: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** `attr`, `attr.sub`, `attr[filter]` or `attr[filter].sub` (RFC 7644 §3.5.2, PATH rule). */
function parsePath(text: string, type: ResourceType): Target {
  const open = text.indexOf('[');
  if (open === -1) {
    const attr = parseAttrPath(text, type);
    if (!attr || attr.names.length === 0) throw fail('invalidPath', `Invalid path '${text}'.`);
    return { attr };
  }
  const close = text.lastIndexOf(']');
  const rest = text.slice(close + 1);
  const sub = /^(?:\.([A-Za-z$][\w$-]*))?$/.exec(rest);
  const attr = parseAttrPath(text.slice(0, open), type);
  if (close < open || !sub || !attr || attr.names.length !== 1) {
    throw fail('invalidPath', `Invalid path '${text}'.`);
  }
  // A malformed filter inside a path is `invalidFilter` (RFC 7644 §3.12, Table 9).
  const filter = parseFilter(text.slice(open + 1, close));
  return { attr, filter, ...(sub[1] ? { sub: canonicalName(sub[1]) } : {}) };
}

/** The object that holds `attr.names[0]`, created (with its schema listed) for extensions. */
function holderFor(doc: Doc, attr: AttrPath, create: boolean): Doc | undefined {
  const found = container(doc, attr);
  if (found || !create || attr.schema === undefined) return found;
  const ext: Doc = {};
  doc[attr.schema] = ext;
  const schemas = Array.isArray(doc.schemas) ? doc.schemas : [];
  if (!schemas.includes(attr.schema)) doc.schemas = [...schemas, attr.schema];
  return ext;
}

/**
 * Writes one attribute. Multi-valued: `add` appends, `replace` swaps the whole list. Complex
 * single-valued: given sub-attributes are set, the others kept (RFC 7644 §3.5.2.1, §3.5.2.3).
 */
function assign(obj: Doc, name: string, value: unknown, kind: Kind): void {
  const key = findKey(obj, name) ?? canonicalName(name);
  const current = obj[key];
  if (value === null) { delete obj[key]; return; }
  if (Array.isArray(current) || Array.isArray(value) || isMultiValued(key)) {
    const items = Array.isArray(value) ? value : [value];
    obj[key] = mergeMulti(kind === 'add' && Array.isArray(current) ? current : [], items, key);
  } else if (isObject(current) && isObject(value)) {
    for (const [k, v] of Object.entries(value)) assign(current, k, v, kind);
  } else {
    obj[key] = value;
  }
}

/** Enterprise `manager` is a single complex value; Entra sends `[{"$ref":…,"value":"<id>"}]`. */
function managerValue(value: unknown): Doc | null {
  const item = Array.isArray(value) ? value[0] : value;
  const id = typeof item === 'string' ? item : field(item, 'value');
  if (id === undefined || id === null || id === '') return null;
  if (typeof id !== 'string') throw fail('invalidValue', 'manager.value must be a string.');
  const ref = field(item, '$ref');
  return typeof ref === 'string' ? { value: id, $ref: ref } : { value: id };
}

function isManager(attr: AttrPath): boolean {
  return attr.schema === ENTERPRISE_USER && attr.names.length === 1 && attr.names[0] === 'manager';
}

/** add / replace of a path without a value filter. */
function setAt(doc: Doc, attr: AttrPath, raw: unknown, kind: Kind): void {
  const leaf = attr.names[attr.names.length - 1] ?? '';
  let value = normalise(leaf, raw);
  if (isManager(attr)) value = managerValue(value);
  if (value === undefined) throw fail('invalidValue', `'${describe(attr)}' needs a value.`);
  const holder = holderFor(doc, attr, true)!;
  if (attr.names.length === 1) return assign(holder, attr.names[0]!, value, kind);
  const key = findKey(holder, attr.names[0]!) ?? attr.names[0]!;
  if (holder[key] === undefined || holder[key] === null) holder[key] = {};
  const parent = holder[key];
  if (!isObject(parent)) {
    throw fail('invalidPath', `'${describe(attr)}' targets a multi-valued attribute; use a value filter.`);
  }
  assign(parent, attr.names[1]!, value, kind);
}

/** Drops an extension object left empty, with its schema URN. */
function tidyExtension(doc: Doc, attr: AttrPath): void {
  const ext = attr.schema === undefined ? undefined : container(doc, attr);
  if (!ext || Object.keys(ext).length > 0) return;
  delete doc[findKey(doc, attr.schema!)!];
  if (Array.isArray(doc.schemas)) doc.schemas = doc.schemas.filter((s) => s !== attr.schema);
}

/** remove without a value filter; Entra removes members with a value list (idp.md). */
function removeAt(doc: Doc, attr: AttrPath, value: unknown): void {
  const holder = holderFor(doc, attr, false);
  const key = holder && findKey(holder, attr.names[0]!);
  if (!holder || key === undefined) return;
  const current = holder[key];
  if (attr.names.length === 2) {
    for (const el of Array.isArray(current) ? current : [current]) {
      const sub = isObject(el) ? findKey(el, attr.names[1]!) : undefined;
      if (sub !== undefined) delete (el as Doc)[sub];
    }
  } else if (Array.isArray(current) && value !== undefined && value !== null) {
    const items = Array.isArray(value) ? value : [value];
    const kept = withoutItems(current, items, key);
    if (kept.length > 0) holder[key] = kept;
    else delete holder[key];
  } else {
    delete holder[key];
  }
  tidyExtension(doc, attr);
}

/** Operations on `attr[filter]` and `attr[filter].sub`. */
function applyFiltered(doc: Doc, kind: Kind, target: Target, raw: unknown): void {
  const { attr, filter, sub } = target;
  const holder = holderFor(doc, attr, kind !== 'remove');
  if (!holder) return;
  const key = findKey(holder, attr.names[0]!) ?? attr.names[0]!;
  const current = holder[key];
  const list = Array.isArray(current) ? [...current] : isObject(current) ? [current] : [];
  const hits = list.filter((el) => matchesValue(filter!, el, [key]));
  const where = `${describe(attr)}[…]`;
  if (kind === 'remove') {
    // RFC 7644 §3.5.2.2: removing nothing is not an error.
    if (sub) for (const el of hits) if (isObject(el)) delete el[findKey(el, sub) ?? sub];
    if (sub || hits.length === 0) return;
    const kept = list.filter((el) => !hits.includes(el));
    if (kept.length > 0) holder[key] = Array.isArray(current) ? kept : kept[0];
    else delete holder[key];
    return;
  }
  const value = normalise(sub ?? key, raw);
  if (hits.length === 0) {
    // RFC 7644 §3.5.2.3 makes an unmatched replace noTarget, but Entra sends
    // `Replace emails[type eq "work"].value` for users stored without a work email and would
    // retry it until the job is quarantined: where the filter names the value (`eq`), both add
    // and replace create it. Other unmatched filters stay noTarget.
    const seed = seedFrom(filter!);
    if (!seed) throw fail('noTarget', `No value of ${where} matches the filter.`);
    const created = sub ? { ...seed, [sub]: value } : isObject(value) ? { ...seed, ...value } : null;
    if (!created) throw fail('invalidValue', `${where} needs an object value.`);
    list.push(created);
    hits.push(created);
  } else {
    for (const el of hits) {
      const i = list.indexOf(el);
      if (sub) { assign(el as Doc, sub, value, 'replace'); continue; }
      if (!isObject(value)) throw fail('invalidValue', `${where} needs an object value.`);
      list[i] = kind === 'replace' ? { ...value } : { ...el as Doc, ...value };
      hits[hits.indexOf(el)] = list[i];
    }
  }
  for (const el of hits) demotePrimaries(list, el);
  holder[key] = isObject(current) && list.length === 1 ? list[0] : list;
}

const IGNORED_IN_VALUE = new Set(['schemas', 'meta', 'password', 'groups']);
const REQUIRED: Record<ResourceType, string> = { User: 'userName', Group: 'displayName' };

/**
 * Server-managed attributes. `id` is immutable (RFC 7643 §3.1): an equal value is a no-op (Okta
 * sends the id in a group rename), a different one is `mutability`. `meta`, `groups` are
 * readOnly; `schemas` is kept by the server; `password` is never stored. Returns false to skip.
 */
function writable(doc: Doc, attr: AttrPath, kind: Kind, value: unknown, explicit: boolean): boolean {
  if (attr.schema !== undefined) return true;
  const name = attr.names[0]!.toLowerCase();
  if (name === 'id') {
    if (kind !== 'remove' && value === doc.id) return false;
    throw fail('mutability', "'id' is immutable.");
  }
  if (!IGNORED_IN_VALUE.has(name)) return true;
  if (explicit && (name === 'meta' || name === 'groups')) throw fail('mutability', `'${name}' is read-only.`);
  return false;
}

/** A no-path value: each key is an attribute, a dotted or URN path, or an extension URN. */
function applyObject(doc: Doc, kind: Kind, value: unknown, type: ResourceType): void {
  if (!isObject(value)) throw fail('invalidSyntax', `A '${kind}' without path needs an object value.`);
  for (const [key, v] of Object.entries(value)) {
    const attr = parseAttrPath(key, type);
    if (!attr) throw fail('invalidPath', `Invalid attribute '${key}' in value.`);
    if (attr.names.length === 0) {
      if (!isObject(v)) throw fail('invalidValue', `'${key}' must be an object.`);
      for (const [k, sub] of Object.entries(v)) applyPath(doc, kind, { attr: { ...attr, names: [canonicalName(k)] } }, sub, false);
    } else {
      applyPath(doc, kind, { attr }, v, false);
    }
  }
}

function applyPath(doc: Doc, kind: Kind, target: Target, value: unknown, explicit: boolean): void {
  if (!writable(doc, target.attr, kind, value, explicit)) return;
  if (target.filter) applyFiltered(doc, kind, target, value);
  else if (kind === 'remove') removeAt(doc, target.attr, value);
  else setAt(doc, target.attr, value, kind);
}

function applyOperation(doc: Doc, operation: PatchOperation, type: ResourceType): void {
  const kind = operation.op.toLowerCase();
  if (kind !== 'add' && kind !== 'replace' && kind !== 'remove') {
    throw fail('invalidSyntax', `Unknown op '${operation.op}'; expected add, replace or remove.`);
  }
  const path = operation.path?.trim();
  if (!path) {
    if (kind === 'remove') throw fail('noTarget', "'remove' requires a path (RFC 7644 §3.5.2.2).");
    return applyObject(doc, kind, operation.value, type);
  }
  applyPath(doc, kind, parsePath(path, type), operation.value, true);
}

/** Values one step of a PATCH applies: a longer list is applied in steps of this many. */
const STEP_VALUES = 2000;

/**
 * A plain-path `add`, `remove` or `replace` of a long value list as several steps on the same
 * attribute: replace the first slice then add the rest (mergeMulti dedupes alike), add or remove
 * slice by slice. The result is the one operation's; each step is one short slice of work.
 */
function* steps(operations: PatchOperation[]): Generator<{ operation: PatchOperation; number: number }> {
  for (const step of coalesceRemovals(operations)) {
    const { operation } = step;
    const kind = operation.op.toLowerCase();
    // Only a whole multi-valued attribute (`members`, `emails`): not a filter, sub-attribute or manager.
    const leaf = operation.path?.trim().replace(/^.*:/, '') ?? '';
    const splittable = /^[A-Za-z][\w$-]*$/.test(leaf) && isMultiValued(leaf) && Array.isArray(operation.value);
    const values = splittable ? operation.value as unknown[] : [];
    if (values.length <= STEP_VALUES) {
      yield step;
      continue;
    }
    for (let i = 0; i < values.length; i += STEP_VALUES) {
      const op = i > 0 && kind === 'replace' ? 'add' : operation.op;
      yield { operation: { ...operation, op, value: values.slice(i, i + STEP_VALUES) }, number: step.number };
    }
  }
}

/** Applies operations one at a time to `doc`, yielding between them. */
function* applying(doc: Doc, body: unknown, type: ResourceType): Generator<void, Doc> {
  checkPatchShape(body);
  const { Operations } = parseBody(body);
  // Limits are checked after each operation, so an oversized PATCH stops where it crosses one.
  for (const { operation, number } of steps(Operations)) {
    const sizes = multiValuedSizes(doc);
    applyOperation(doc, operation, type);
    checkMultiValuedSizes(doc, number, sizes);
    yield;
  }
  const required = REQUIRED[type];
  const value = doc[findKey(doc, required) ?? required];
  if (typeof value !== 'string' || value.trim() === '') {
    throw fail('invalidValue', `'${required}' is required and must be a non-empty string.`);
  }
  return doc;
}

/**
 * Applies a PatchOp body to a copy of `resource`; the input is never mutated and a failing
 * operation leaves nothing half-applied (RFC 7644 §3.5.2: operations are atomic).
 */
export function applyPatch(
  resource: Record<string, unknown>,
  body: unknown,
  options: { resourceType: ResourceType },
): Record<string, unknown> {
  const run = applying(structuredClone(resource), body, options.resourceType);
  for (;;) {
    const next = run.next();
    if (next.done) return next.value;
  }
}

/**
 * applyPatch for big documents (a group of thousands of members): the same result, but other
 * requests run between operations once a slice of the loop is used up (issue 11). Nothing is
 * written until it returns, so readers see the resource before or after, never half-patched.
 */
export async function applyPatchSliced(
  resource: Record<string, unknown>,
  body: unknown,
  options: { resourceType: ResourceType; slice: { pause(): Promise<void> } },
): Promise<Record<string, unknown>> {
  const doc = structuredClone(resource);
  await options.slice.pause();
  const run = applying(doc, body, options.resourceType);
  for (;;) {
    const next = run.next();
    if (next.done) return next.value;
    await options.slice.pause();
  }
}
