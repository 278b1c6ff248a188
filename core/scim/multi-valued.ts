/**
 * Multi-valued attributes under PATCH: when two values are the same one (RFC 7643 §2.4: `value`,
 * with `type` when both have it, case-insensitive unless the attribute is caseExact), merging
 * added values without duplicates, the single `primary`, and the value a `type eq "…"` filter names.
 */
import type { FilterNode } from './filter.ts';
import { findKey, isBooleanAttribute, isCaseExact, isObject } from './attribute-path.ts';

type Doc = Record<string, unknown>;

/** Keys compared case-insensitively, as attribute names are (RFC 7643 §2.1). */
export function field(obj: unknown, name: string): unknown {
  if (!isObject(obj)) return undefined;
  const key = findKey(obj, name);
  return key === undefined ? undefined : obj[key];
}

export function sameItem(a: unknown, b: unknown, attr: string): boolean {
  if (!isObject(a) || !isObject(b)) return a === b;
  const av = field(a, 'value');
  const bv = field(b, 'value');
  if (av === undefined || bv === undefined) return JSON.stringify(a) === JSON.stringify(b);
  const exact = isCaseExact([attr, 'value']);
  const eq = (x: unknown, y: unknown) =>
    typeof x === 'string' && typeof y === 'string' && !exact ? x.toLowerCase() === y.toLowerCase() : x === y;
  const at = field(a, 'type');
  const bt = field(b, 'type');
  return eq(av, bv) && (at === undefined || bt === undefined || eq(at, bt));
}

/** Only one value may be primary (RFC 7643 §2.4); the one just written wins (RFC 7644 §3.5.2). */
export function demotePrimaries(list: unknown[], keep: unknown): void {
  if (!isObject(keep) || field(keep, 'primary') !== true) return;
  for (const el of list) if (el !== keep && isObject(el) && field(el, 'primary') === true) el.primary = false;
}

/** Adds values to a multi-valued attribute; an existing equal value is updated, not duplicated. */
export function mergeMulti(existing: unknown[], items: unknown[], attr: string): unknown[] {
  const list = [...existing];
  for (const item of items) {
    const i = list.findIndex((el) => sameItem(el, item, attr));
    const merged = i >= 0 && isObject(list[i]) && isObject(item) ? { ...list[i] as Doc, ...item } : item;
    if (i >= 0) list[i] = merged;
    else list.push(merged);
    demotePrimaries(list, merged);
  }
  return list;
}

/** `type eq "work"` (or an `and` of such) as the sub-attributes of a value to create. */
export function seedFrom(filter: FilterNode): Doc | null {
  if (filter.op === 'and') {
    const parts = filter.filters.map(seedFrom);
    return parts.every((p) => p !== null) ? Object.assign({}, ...parts) as Doc : null;
  }
  if (filter.op !== 'eq' || filter.path.names.length !== 1) return null;
  const name = filter.path.names[0]!;
  // `primary eq "True"` (Entra) seeds the boolean, so the single-primary rule still sees it.
  const value = isBooleanAttribute(name) && typeof filter.value === 'string' && /^(true|false)$/i.test(filter.value)
    ? filter.value.toLowerCase() === 'true' : filter.value;
  return { [name]: value };
}
