/**
 * Evaluating a parsed SCIM filter (RFC 7644 §3.4.2.2) against a JSON resource or one value of a
 * multi-valued attribute: attribute names case-insensitive, strings compared per `caseExact`,
 * `pr` treating "", [] and {} as absent, dateTimes compared as instants.
 */
import {
  type AttrPath, ENTERPRISE_USER, container, findKey, isCaseExact,
  isEnterpriseAttribute, isObject,
} from './attribute-path.ts';
import type { CompareOp, FilterNode, Literal } from './filter.ts';

/** Every value reached by `path`, with multi-valued attributes flattened. */
function resolve(target: Record<string, unknown>, path: AttrPath, topLevel: boolean): unknown[] {
  const root = container(target, path);
  let values: unknown[] = root === undefined ? [] : [root];
  for (const name of path.names) {
    values = values.flatMap((v) => {
      const key = isObject(v) ? findKey(v, name) : undefined;
      if (key === undefined) return [];
      const found = (v as Record<string, unknown>)[key];
      return Array.isArray(found) ? found : [found];
    });
  }
  // Unprefixed enterprise attributes (`manager.value`, `department`) live in the extension.
  if (values.length === 0 && topLevel && !path.schema && isEnterpriseAttribute(path.names[0]!)) {
    return resolve(target, { schema: ENTERPRISE_USER, names: path.names }, false);
  }
  return values;
}

/** `pr`: empty strings, empty arrays, null and empty objects count as absent (RFC 7644 §3.4.2.2). */
function present(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return false;
  if (isObject(value)) return Object.values(value).some(present);
  return true;
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

function compareStrings(op: CompareOp, actual: string, expected: string, exact: boolean): boolean {
  if (op !== 'co' && op !== 'sw' && op !== 'ew' && DATE_TIME.test(actual) && DATE_TIME.test(expected)) {
    const a = Date.parse(actual);
    const b = Date.parse(expected);
    if (!Number.isNaN(a) && !Number.isNaN(b)) return order(op, a, b);
  }
  const a = exact ? actual : actual.toLowerCase();
  const b = exact ? expected : expected.toLowerCase();
  if (op === 'co') return a.includes(b);
  if (op === 'sw') return a.startsWith(b);
  if (op === 'ew') return a.endsWith(b);
  return order(op, a, b);
}

function order<T extends string | number>(op: CompareOp, a: T, b: T): boolean {
  switch (op) {
    case 'eq': return a === b;
    case 'gt': return a > b;
    case 'ge': return a >= b;
    case 'lt': return a < b;
    case 'le': return a <= b;
    default: return false;
  }
}

function compare(op: CompareOp, actual: unknown, expected: Literal, exact: boolean): boolean {
  // A complex value compared as a whole means its `value` sub-attribute (`emails co "x"`).
  const v = isObject(actual) ? actual[findKey(actual, 'value') ?? 'value'] : actual;
  // Entra writes `roles[primary eq "True"]`: a boolean compared with "True"/"False" is that boolean.
  if (typeof v === 'boolean' && typeof expected === 'string' && /^(true|false)$/i.test(expected)) {
    return op === 'eq' && v === (expected.toLowerCase() === 'true');
  }
  if (typeof expected === 'string') return typeof v === 'string' && compareStrings(op, v, expected, exact);
  if (typeof expected === 'number') return typeof v === 'number' && order(op, v, expected);
  return v === expected;
}

function test(node: FilterNode, target: Record<string, unknown>, parent: string[]): boolean {
  switch (node.op) {
    case 'and': return node.filters.every((f) => test(f, target, parent));
    case 'or': return node.filters.some((f) => test(f, target, parent));
    case 'not': return !test(node.filter, target, parent);
    case 'pr': return resolve(target, node.path, parent.length === 0).some(present);
    case 'valuePath': {
      const names = [...parent, ...node.path.names];
      return resolve(target, node.path, parent.length === 0).some((el) =>
        test(node.filter, isObject(el) ? el : { value: el }, names));
    }
    default: {
      const values = resolve(target, node.path, parent.length === 0);
      const exact = isCaseExact([...parent, ...node.path.names]);
      if (node.value === null) return (node.op === 'eq') !== values.some(present);
      // `ne` is the negation of `eq`: true when no value equals (and when the attribute is absent).
      if (node.op === 'ne') return !values.some((v) => compare('eq', v, node.value, exact));
      return values.some((v) => compare(node.op as CompareOp, v, node.value, exact));
    }
  }
}

/**
 * True when `resource` satisfies `node`. Attribute names are case-insensitive; strings compare
 * case-insensitively unless the attribute is `caseExact` (RFC 7643 §2.1, §3.1); a multi-valued
 * attribute matches when any of its values does (RFC 7644 §3.4.2.2); dateTimes compare in time.
 */
export function matches(node: FilterNode, resource: Record<string, unknown>): boolean {
  return test(node, resource, []);
}

/**
 * Evaluates the filter of a value path (`members[value eq "x"]`) against one `element` of the
 * attribute named by `parent` (e.g. `['members']`), so `caseExact` rules still apply.
 */
export function matchesValue(node: FilterNode, element: unknown, parent: string[]): boolean {
  return test(node, isObject(element) ? element : { value: element }, parent);
}
