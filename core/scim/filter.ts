/**
 * SCIM filters (RFC 7644 §3.4.2.2): parse once, evaluate against JSON resources (filter-match.ts),
 * and tell the store when an index can answer.
 *
 * Why not `scim2-parse-filter` (installed): its parser was tried first and fails cases that
 * matter here — `$ref` in attribute names (`members[$ref eq "…"]`), JSON escapes in string
 * literals (`"\u00e9"` stays as six characters, `"a\\"` is rejected), and deep nesting crashes it
 * with a RangeError; its evaluator compares case-sensitively, treats `""`/`[]` as present and
 * ignores `caseExact`. Each of those cases is a test in filter.test.ts. The grammar is small, so
 * it is implemented here with readable, positioned `invalidFilter` errors.
 */
import { ScimError } from '../errors.ts';
import { type AttrPath, parseAttrPath } from './attribute-path.ts';

export { matches, matchesValue } from './filter-match.ts';

export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';
export type Literal = string | number | boolean | null;
export type FilterNode =
  | { op: CompareOp; path: AttrPath; value: Literal }
  | { op: 'pr'; path: AttrPath }
  | { op: 'and' | 'or'; filters: FilterNode[] }
  | { op: 'not'; filter: FilterNode }
  /** `emails[type eq "work"]`: `filter` applies to each value of `path`. */
  | { op: 'valuePath'; path: AttrPath; filter: FilterNode };

const COMPARE_OPS = new Set<string>(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']);
/** Nesting deeper than any IdP sends; the cap keeps hostile input from exhausting the stack. */
const MAX_DEPTH = 32;
const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?$/;

type TokenKind = '(' | ')' | '[' | ']' | 'string' | 'word' | 'end';
interface Token { kind: TokenKind; text: string; pos: number; value?: string }

function invalid(detail: string): ScimError {
  return ScimError.badRequest('invalidFilter', detail);
}

function readString(text: string, start: number): Token {
  let i = start + 1;
  while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
  if (i >= text.length) throw invalid(`Unterminated string starting at position ${start}.`);
  const raw = text.slice(start, i + 1);
  try {
    return { kind: 'string', text: raw, pos: start, value: JSON.parse(raw) as string };
  } catch {
    throw invalid(`Invalid string literal at position ${start} (bad escape or control character).`);
  }
}

const WORD = /[^\s()[\]"]+/y;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) { i++; continue; }
    if ('()[]'.includes(c)) { tokens.push({ kind: c as TokenKind, text: c, pos: i }); i++; continue; }
    if (c === '"') { const t = readString(text, i); tokens.push(t); i += t.text.length; continue; }
    WORD.lastIndex = i;
    const word = WORD.exec(text)![0];
    tokens.push({ kind: 'word', text: word, pos: i });
    i += word.length;
  }
  tokens.push({ kind: 'end', text: 'end of filter', pos: text.length });
  return tokens;
}

class Parser {
  private i = 0;
  private depth = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token { return this.tokens[this.i]!; }
  private next(): Token { return this.tokens[Math.min(this.i++, this.tokens.length - 1)]!; }
  private isWord(word: string): boolean {
    const t = this.peek();
    return t.kind === 'word' && t.text.toLowerCase() === word;
  }
  private expect(kind: TokenKind): void {
    const t = this.next();
    if (t.kind !== kind) throw invalid(`Expected '${kind}' at position ${t.pos}, found '${t.text}'.`);
  }

  parse(): FilterNode {
    const node = this.or(false);
    const t = this.peek();
    if (t.kind !== 'end') throw invalid(`Unexpected '${t.text}' at position ${t.pos}.`);
    return node;
  }

  /** `or` binds looser than `and`, which binds looser than `not` (RFC 7644 §3.4.2.2, Table 5). */
  private or(inner: boolean): FilterNode {
    const filters = [this.and(inner)];
    while (this.isWord('or')) { this.next(); filters.push(this.and(inner)); }
    return filters.length === 1 ? filters[0]! : { op: 'or', filters };
  }

  private and(inner: boolean): FilterNode {
    const filters = [this.unary(inner)];
    while (this.isWord('and')) { this.next(); filters.push(this.unary(inner)); }
    return filters.length === 1 ? filters[0]! : { op: 'and', filters };
  }

  private nested<T>(fn: () => T): T {
    if (++this.depth > MAX_DEPTH) throw invalid(`Filter is nested deeper than ${MAX_DEPTH} levels.`);
    const result = fn();
    this.depth--;
    return result;
  }

  private unary(inner: boolean): FilterNode {
    // RFC grammar is `not (filter)`; `not attr op value` is accepted as well.
    if (this.isWord('not')) {
      this.next();
      return this.nested(() => ({ op: 'not', filter: this.unary(inner) }));
    }
    if (this.peek().kind === '(') {
      this.next();
      const node = this.nested(() => this.or(inner));
      this.expect(')');
      return node;
    }
    return this.attrExp(inner);
  }

  private attrExp(inner: boolean): FilterNode {
    const t = this.next();
    if (t.kind !== 'word') throw invalid(`Expected an attribute at position ${t.pos}, found '${t.text}'.`);
    const path = parseAttrPath(t.text);
    if (!path || path.names.length === 0 || (inner && (path.schema || path.names.length > 1))) {
      throw invalid(`Invalid attribute path '${t.text}' at position ${t.pos}.`);
    }
    if (this.peek().kind === '[') {
      if (inner) throw invalid(`Nested '[' at position ${this.peek().pos}.`);
      this.next();
      const filter = this.nested(() => this.or(true));
      this.expect(']');
      return this.subAttrAfter({ op: 'valuePath', path, filter });
    }
    const opToken = this.next();
    const op = opToken.kind === 'word' ? opToken.text.toLowerCase() : '';
    if (op === 'pr') return { op: 'pr', path };
    if (!COMPARE_OPS.has(op)) {
      throw invalid(`Unknown operator '${opToken.text}' at position ${opToken.pos}.`);
    }
    return this.comparison(op as CompareOp, path);
  }

  /**
   * `emails[type eq "work"].value eq "x"` (Entra, when email is the matching attribute): the
   * RFC 7644 §3.5.2 PATH form `valuePath.subAttr` used as a filter's attribute. It means the
   * same value must satisfy both, i.e. `emails[type eq "work" and value eq "x"]`.
   */
  private subAttrAfter(node: Extract<FilterNode, { op: 'valuePath' }>): FilterNode {
    const t = this.peek();
    if (t.kind !== 'word' || !t.text.startsWith('.')) return node;
    this.next();
    const sub = parseAttrPath(t.text.slice(1));
    if (!sub || sub.schema || sub.names.length !== 1) {
      throw invalid(`Invalid sub-attribute '${t.text}' at position ${t.pos}.`);
    }
    const opToken = this.next();
    const op = opToken.kind === 'word' ? opToken.text.toLowerCase() : '';
    let test: FilterNode;
    if (op === 'pr') test = { op: 'pr', path: sub };
    else if (COMPARE_OPS.has(op)) test = this.comparison(op as CompareOp, sub);
    else throw invalid(`Unknown operator '${opToken.text}' at position ${opToken.pos}.`);
    return { ...node, filter: { op: 'and', filters: [node.filter, test] } };
  }

  private comparison(op: CompareOp, path: AttrPath): FilterNode {
    const t = this.next();
    const value = literal(t);
    // Ordering on booleans is an error (RFC 7644 §3.4.2.2, "gt"); substring operators need text.
    const needsText = op === 'co' || op === 'sw' || op === 'ew';
    const ordering = op === 'gt' || op === 'ge' || op === 'lt' || op === 'le';
    if ((needsText && typeof value !== 'string') || (ordering && (value === null || typeof value === 'boolean'))) {
      throw invalid(`Operator '${op}' cannot compare with ${t.text} (position ${t.pos}).`);
    }
    return { op, path, value };
  }
}

function literal(t: Token): Literal {
  if (t.kind === 'string') return t.value!;
  const word = t.kind === 'word' ? t.text.toLowerCase() : '';
  if (word === 'true') return true;
  if (word === 'false') return false;
  if (word === 'null') return null;
  if (NUMBER.test(word)) return Number(word);
  throw invalid(`Expected a value at position ${t.pos}, found '${t.text}'.`);
}

/** Parses a filter; any problem becomes `400 invalidFilter`, never another error type. */
export function parseFilter(text: string): FilterNode {
  if (typeof text !== 'string' || text.trim() === '') throw invalid('The filter is empty.');
  try {
    return new Parser(tokenize(text)).parse();
  } catch (error) {
    if (error instanceof ScimError) throw error;
    throw invalid(`The filter could not be parsed: ${(error as Error).message}`);
  }
}

export interface IndexLookup {
  attribute: 'userName' | 'externalId' | 'displayName';
  value: string;
}

const INDEXED = ['userName', 'externalId', 'displayName'] as const;

function eqLookup(node: FilterNode): IndexLookup | null {
  if (node.op !== 'eq' || node.path.schema || node.path.names.length !== 1) return null;
  if (typeof node.value !== 'string') return null;
  const name = node.path.names[0]!.toLowerCase();
  const attribute = INDEXED.find((a) => a.toLowerCase() === name);
  return attribute ? { attribute, value: node.value } : null;
}

/**
 * When the filter is `attr eq "v"` on an indexed attribute, or an `and` containing one (Entra:
 * `userName eq "a" and externalId eq "b"`), the store can fetch candidates from that index; the
 * caller must still apply `matches` to them. `userName` and `displayName` compare
 * case-insensitively, `externalId` exactly, so the index must be keyed accordingly.
 */
export function indexLookup(node: FilterNode): IndexLookup | null {
  if (node.op === 'eq') return eqLookup(node);
  if (node.op !== 'and') return null;
  const found = node.filters.map(indexLookup).filter((l): l is IndexLookup => l !== null);
  for (const attribute of INDEXED) {
    const hit = found.find((l) => l.attribute === attribute);
    if (hit) return hit;
  }
  return null;
}
