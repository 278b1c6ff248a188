/**
 * `attributes` / `excludedAttributes` (RFC 7644 §3.4.2.5, §3.9).
 *
 * What is always returned: `id` has `returned: "always"` (RFC 7643 §3.1) and `schemas` is
 * required in every representation (RFC 7643 §3), so neither can be left out or excluded.
 * `meta` and its sub-attributes are `returned: "default"` (RFC 7643 §3.1), and so are
 * `userName`, `displayName` and `members` (RFC 7643 §8.7.1): they follow the lists like any other
 * attribute. `password` is `returned: "never"` (RFC 7643 §4.1.1) and is dropped whatever is asked.
 */
import {
  type AttrPath, ENTERPRISE_USER, findKey, isEnterpriseAttribute, isObject, parseAttrPath,
} from './attribute-path.ts';

export interface ProjectionOptions {
  /** Comma-separated attribute names to return (plus those returned always). */
  attributes?: string | undefined;
  /** Comma-separated attribute names to leave out; ignored for `id` and `schemas`. */
  excludedAttributes?: string | undefined;
}

type Doc = Record<string, unknown>;
const ALWAYS = new Set(['id', 'schemas']);

/** Names in standard attribute notation (RFC 7644 §3.10); unparsable entries are ignored. */
function parseList(list: string | undefined): AttrPath[] {
  if (!list) return [];
  return list.split(',')
    .map((s) => parseAttrPath(s.trim()))
    .filter((p): p is AttrPath => p !== null);
}

/** The object holding the path's first name; unprefixed enterprise names fall back to it. */
function holderOf(doc: Doc, path: AttrPath): { holder: Doc; key?: string } | undefined {
  let schema = path.schema;
  const first = path.names[0];
  if (!schema && first && findKey(doc, first) === undefined && isEnterpriseAttribute(first)) {
    schema = ENTERPRISE_USER;
  }
  if (!schema) return { holder: doc };
  const key = findKey(doc, schema);
  const ext = key === undefined ? undefined : doc[key];
  return isObject(ext) ? { holder: ext, key } : undefined;
}

function pick(value: unknown, sub: string): unknown {
  if (Array.isArray(value)) {
    const items = value.map((v) => pick(v, sub)).filter((v) => v !== undefined);
    return items.length > 0 ? items : undefined;
  }
  if (!isObject(value)) return undefined;
  const key = findKey(value, sub);
  return key === undefined ? undefined : { [key]: value[key] };
}

/** Merges a picked fragment into what was already selected (`name.givenName,name.familyName`). */
function merge(into: unknown, part: unknown): unknown {
  if (Array.isArray(into) && Array.isArray(part)) return into.map((v, i) => merge(v, part[i]));
  if (isObject(into) && isObject(part)) return { ...into, ...part };
  return part ?? into;
}

/**
 * A bare URN of an extension parseAttrPath() does not know (scimwright's provisioning extension,
 * say) reads as `urn…:2.0` + attribute `User`. Where the document holds the whole URN as an
 * extension object, the entry names that extension (RFC 7644 §3.9: an extension URN selects or
 * excludes the whole extension).
 */
function asBareUrn(doc: Doc, path: AttrPath): AttrPath {
  if (!path.schema || path.names.length !== 1 || findKey(doc, path.schema) !== undefined) return path;
  const key = findKey(doc, `${path.schema}:${path.names[0]}`);
  return key !== undefined && isObject(doc[key]) ? { schema: key, names: [] } : path;
}

function include(resource: Doc, paths: AttrPath[]): Doc {
  const out: Doc = {};
  for (const key of Object.keys(resource)) if (ALWAYS.has(key.toLowerCase())) out[key] = resource[key];
  for (const entry of paths) {
    const path = asBareUrn(resource, entry);
    const found = holderOf(resource, path);
    if (!found) continue;
    let target = out;
    if (found.key !== undefined) {
      if (path.names.length === 0) { out[found.key] = { ...found.holder }; continue; }
      target = (out[found.key] ??= {}) as Doc;
    }
    const attrKey = findKey(found.holder, path.names[0]!);
    if (attrKey === undefined) continue;
    const value = found.holder[attrKey];
    const part = path.names.length === 2 ? pick(value, path.names[1]!) : value;
    if (part !== undefined) target[attrKey] = path.names.length === 2 ? merge(target[attrKey], part) : part;
  }
  return out;
}

function dropSub(value: unknown, sub: string): void {
  if (Array.isArray(value)) { for (const v of value) dropSub(v, sub); return; }
  const key = isObject(value) ? findKey(value, sub) : undefined;
  if (key !== undefined) delete (value as Doc)[key];
}

function exclude(doc: Doc, paths: AttrPath[]): Doc {
  for (const entry of paths) {
    const path = asBareUrn(doc, entry);
    const found = holderOf(doc, path);
    if (!found) continue;
    if (path.names.length === 0) { delete doc[found.key!]; continue; }
    const key = findKey(found.holder, path.names[0]!);
    if (key === undefined || (!found.key && ALWAYS.has(key.toLowerCase()))) continue;
    if (path.names.length === 2) dropSub(found.holder[key], path.names[1]!);
    else delete found.holder[key];
  }
  return doc;
}

/**
 * Returns a new object with the requested attributes. With both lists, `attributes` selects
 * first and `excludedAttributes` then removes from that selection.
 */
export function project(resource: Record<string, unknown>, options: ProjectionOptions = {}): Doc {
  const included = parseList(options.attributes);
  const doc = structuredClone(included.length > 0 ? include(resource, included) : resource);
  const passwordKey = findKey(doc, 'password');
  if (passwordKey !== undefined) delete doc[passwordKey];
  return exclude(doc, parseList(options.excludedAttributes));
}
